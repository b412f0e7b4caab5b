"""Timeline summarisation benchmark: storyline.timeline against a baseline, scored with tilse.

    python benchmarks/timelines.py [--data DIR] [--only PREFIX]

The news-tls setting (Ghalandari & Ifrim 2020): one topic's articles in; as many dates as the
reference has and its mean sentences per date; tilse's alignment-based ROUGE-1/2 F (many-to-one,
date-content costs) and date F1, averaged over the task's references. Scoring is the function
``timeline()`` of ``shared/eval/score.py``, imported by path so the numbers match the acceptance
checks. The baseline picks the busiest publish days and, per day, the sentences nearest the TF-IDF
centroid of that day's articles.
"""

from __future__ import annotations

import argparse
import collections
import datetime as dt
import importlib.util
import json
import sys
import tempfile
import time
from pathlib import Path
from types import ModuleType

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from storyline.models import Article, TimelineEntry  # noqa: E402
from storyline.timeline import build_timeline, split_sentences  # noqa: E402


def load_score(data: Path) -> ModuleType:
    path = data.parent / "eval" / "score.py"
    spec = importlib.util.spec_from_file_location("shared_score", path)
    if spec is None or spec.loader is None:
        sys.exit(f"cannot load the scorer at {path}")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def load_articles(task: Path) -> list[Article]:
    lang = task.name.split("-")[1] if task.name.startswith("crisis-") else "en"
    out = []
    with open(task / "articles.jsonl", encoding="utf-8") as f:
        for line in f:
            if not line.strip():
                continue
            r = json.loads(line)
            pub = r.get("published")
            try:
                published = dt.date.fromisoformat(str(pub)[:10]) if pub else None
            except ValueError:
                published = None
            out.append(
                Article(
                    id=r["id"],
                    title=r.get("title") or "",
                    body=r.get("text") or "",
                    lang=r.get("lang") or lang,
                    published=published,
                )
            )
    return out


def baseline(articles: list[Article], n_dates: int, n_sents: int) -> list[TimelineEntry]:
    """Busiest publish days; per day the sentences nearest that day's TF-IDF centroid."""
    from sklearn.feature_extraction.text import TfidfVectorizer

    by_day: dict[dt.date, list[str]] = collections.defaultdict(list)
    for a in articles:
        if a.published is not None:
            by_day[a.published].extend(s for s in split_sentences(a.body) if 5 <= len(s.split()) <= 60)
    days = sorted((d for d in by_day if by_day[d]), key=lambda d: (-len(by_day[d]), d))[:n_dates]
    every = [s for d in by_day for s in by_day[d]]
    vec = TfidfVectorizer(sublinear_tf=True).fit(every)
    entries = []
    for d in sorted(days):
        m = vec.transform(by_day[d])
        centre = np.asarray(m.mean(axis=0)).ravel()
        sims = np.asarray(m @ centre).ravel()
        best = np.argsort(-sims, kind="stable")[:n_sents]
        entries.append(TimelineEntry(date=d, summary=tuple(by_day[d][i] for i in best)))
    return entries


def score_entries(score: ModuleType, entries: list[TimelineEntry], refdir: Path) -> dict[str, float]:
    with tempfile.NamedTemporaryFile("w", suffix=".jsonl", delete=False, encoding="utf-8") as f:
        for e in entries:
            f.write(json.dumps({"date": e.date.isoformat(), "summary": list(e.summary)}) + "\n")
        path = f.name
    try:
        result: dict[str, float] = score.timeline(path, str(refdir))
        return result
    finally:
        Path(path).unlink()


# The date vote's knobs (storyline.timeline) and the values tried for each, leave-one-task-out.
KNOBS = {
    "PUB_WEIGHT": (0.25, 0.5, 1.0, 2.0),
    "WRITTEN_WEIGHT": (1.0, 2.0, 3.0),
    "RECALL_CAP": (1.0, 2.0, 3.0, 5.0),
    "NEXT_DAY_WEIGHT": (0.0, 0.5, 1.0),
    "MIN_GAP_DAYS": (0, 1, 2),
}
FLAT = {"PUB_WEIGHT": 1.0, "WRITTEN_WEIGHT": 1.0, "RECALL_CAP": 1.0, "NEXT_DAY_WEIGHT": 0.0, "MIN_GAP_DAYS": 0}


def _date_f1(picked: set[dt.date], refs: list[set[dt.date]]) -> float:
    """tilse's date F1 (set precision/recall against each reference), averaged over references."""
    out = []
    for ref in refs:
        both = len(picked & ref)
        p, r = both / max(1, len(picked)), both / max(1, len(ref))
        out.append(2 * p * r / (p + r) if p + r else 0.0)
    return sum(out) / max(1, len(out))


def leave_one_task_out(score: ModuleType, tasks: list[Path]) -> dict[str, list[float]]:
    """The date vote's knobs chosen on every task but one, scored on that one; beside the shipped
    knobs (chosen on these tasks: in-sample), the flat vote (every mention and publish day one
    vote) and the busiest-publish-days baseline. Date F1 from the top-scored days (what
    ``build_timeline`` takes unless a day has nothing quotable)."""
    import itertools

    from storyline import timeline as tl

    shipped = {k: getattr(tl, k) for k in KNOBS}
    grid: list[dict[str, float]] = [dict(zip(KNOBS, v, strict=True)) for v in itertools.product(*KNOBS.values())]
    f1: dict[str, list[float]] = {}  # task -> date F1 per grid point
    base: dict[str, float] = {}
    ship: dict[str, float] = {}
    flat: dict[str, float] = {}
    try:
        for task in tasks:
            arts = load_articles(task)
            refs = [set(r.get_dates()) for r in score.read_refs(str(task / "reference"))]
            n_dates, _ = score.ref_shape(str(task / "reference"))
            ev = tl._gather(arts)

            def f1_of(knobs: dict[str, float], arts: list[Article] = arts, ev: tl._Evidence = ev,
                      refs: list[set[dt.date]] = refs, n: int = n_dates) -> float:
                for k, v in knobs.items():
                    setattr(tl, k, v)
                return _date_f1(set(tl.ranked_days(tl._date_scores(ev, arts))[:n]), refs)

            f1[task.name] = [f1_of(g) for g in grid]
            ship[task.name], flat[task.name] = f1_of(shipped), f1_of(FLAT)
            base[task.name] = _date_f1({e.date for e in baseline(arts, n_dates, 1)}, refs)
    finally:
        for k, v in shipped.items():
            setattr(tl, k, v)
    print("\nleave-one-task-out date F1 (knobs chosen on the other tasks):")
    print(f"{'task':26} {'LOTO':>6} {'shipped':>8} {'flat':>6} {'baseline':>8}  knobs chosen")
    rows = []
    for name in f1:
        others = [t for t in f1 if t != name]
        mean = [sum(f1[t][j] for t in others) / len(others) for j in range(len(grid))]
        j = max(range(len(grid)), key=lambda j: (round(mean[j], 6), -j))
        rows.append((name, f1[name][j], ship[name], flat[name], base[name]))
        knobs = " ".join(f"{k.split('_')[0].lower()}={v}" for k, v in grid[j].items())
        print(f"{name:26} {f1[name][j]:6.3f} {ship[name]:8.3f} {flat[name]:6.3f} {base[name]:8.3f}  {knobs}")
    means: dict[str, list[float]] = {}  # group -> [LOTO, shipped, flat, baseline] mean date F1
    for group in ("t17", "crisis"):
        sel = [r for r in rows if r[0].startswith(group)]
        if sel:
            m = means[group] = [sum(r[i] for r in sel) / len(sel) for i in range(1, 5)]
            print(f"{'mean ' + group:26} {m[0]:6.3f} {m[1]:8.3f} {m[2]:6.3f} {m[3]:8.3f}")
    every = [sum(f1[t][j] for t in f1) / len(f1) for j in range(len(grid))]
    j = max(range(len(grid)), key=lambda j: (round(every[j], 6), -j))
    print(f"best on all tasks (in-sample): {every[j]:.3f} with {grid[j]}; shipped {sum(ship.values()) / len(ship):.3f}")
    return means


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", type=Path, default=ROOT.parent / "shared" / "data")
    ap.add_argument("--only", default="", help="run only tasks whose name starts with this")
    ap.add_argument("--loto", action="store_true", help="only the leave-one-task-out check of the date vote")
    args = ap.parse_args()
    score = load_score(args.data)
    tasks = sorted(p for p in (args.data / "timelines").iterdir() if p.is_dir() and p.name.startswith(args.only))
    if args.loto:
        leave_one_task_out(score, tasks)
        return
    t0 = time.perf_counter()
    rows = []
    build_time = 0.0
    print(
        f"{'task':26} {'arts':>5} {'T':>4} {'k':>2} | {'AR1-F':>6} {'AR2-F':>6} {'dateF1':>6} | "
        f"{'base AR1':>8} {'AR2':>6} {'dateF1':>6} | {'secs':>5}"
    )
    for task in tasks:
        arts = load_articles(task)
        n_dates, n_sents = score.ref_shape(str(task / "reference"))
        t = time.perf_counter()
        ours = build_timeline(arts, n_dates=n_dates, n_sentences=n_sents)
        secs = time.perf_counter() - t
        build_time += secs
        s_ours = score_entries(score, ours, task / "reference")
        s_base = score_entries(score, baseline(arts, n_dates, n_sents), task / "reference")
        rows.append((task.name, s_ours, s_base))
        print(
            f"{task.name:26} {len(arts):5} {n_dates:4} {n_sents:2} | {s_ours['ar1_f']:6.3f} {s_ours['ar2_f']:6.3f} "
            f"{s_ours['date_f1']:6.3f} | {s_base['ar1_f']:8.3f} {s_base['ar2_f']:6.3f} {s_base['date_f1']:6.3f} "
            f"| {secs:5.1f}",
            flush=True,
        )
    for group in ("t17", "crisis"):
        sel = [r for r in rows if r[0].startswith(group)]
        if not sel:
            continue

        def avg(i: int, key: str, sel: list = sel) -> float:
            return sum(r[i][key] for r in sel) / len(sel)

        print(
            f"{'mean ' + group:26} {'':5} {'':4} {'':2} | {avg(1, 'ar1_f'):6.3f} {avg(1, 'ar2_f'):6.3f} "
            f"{avg(1, 'date_f1'):6.3f} | {avg(2, 'ar1_f'):8.3f} {avg(2, 'ar2_f'):6.3f} {avg(2, 'date_f1'):6.3f} |"
        )
    total = time.perf_counter() - t0
    print(f"time: {total:.0f}s in all, {build_time:.1f}s building timelines")


if __name__ == "__main__":
    main()
