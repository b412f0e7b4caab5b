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
import re
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


# What must not reach a reader, tested apart from storyline.timeline's own rules: a tweet or web
# address, tokeniser escapes, a page's time stamp, a sentence without its end or its start.
_JUNK = re.compile(
    r"https?://|www\.|(?<![\w@])@\w{2,}|(?<![\w&#])#[^\W\d_]\w+|-[LR][RSC]B-|``|''"
    r"|\b\d{1,2}[:.]\d{2}\s*(?:[ap]\.?m\.?\s*)?(?:GMT|BST|EST|EDT|UTC)\b"
)
_ENDS = re.compile(r"[.!?…](?:\s?[\"'”’»)\]])*$")


def junk_share(entries: list[TimelineEntry]) -> float:
    """The share of a timeline's sentences a reader would take for junk or a fragment."""
    said = [s for e in entries for s in e.summary]
    bad = [s for s in said if _JUNK.search(s) or not _ENDS.search(s) or s.lstrip("\"'“«¿¡([ ")[:1].islower()]
    return len(bad) / max(1, len(said))


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


def topic_of(task: str) -> str:
    """The story a task follows (Timeline17 has several outlets per story, Crisis several languages)."""
    name = task.split("-", 2)[-1] if task.startswith("crisis-") else task.split("-", 1)[1].split("_")[0]
    return name.lower()


def dataset_of(task: str) -> str:
    return task.split("-")[0]


def mention_count(ev: object, arts: list[Article]) -> dict[dt.date, float]:
    """The DATEWISE-style rank: a day's score is the number of distinct articles that mention it
    (looking back, within the storyline's span), no weights at all."""
    from storyline import timeline as tl

    saved = {k: getattr(tl, k) for k in FLAT}
    try:
        for k, v in {**FLAT, "PUB_WEIGHT": 0.0}.items():
            setattr(tl, k, v)
        return tl._date_scores(ev, arts)  # type: ignore[arg-type]
    finally:
        for k, v in saved.items():
            setattr(tl, k, v)


def leave_one_task_out(score: ModuleType, tasks: list[Path], build: bool = True) -> dict[str, list[float]]:
    """The date vote's knobs chosen on the other tasks and scored on the one left out: leaving out
    one task, one topic (every outlet and language of a story), one dataset (Timeline17 ↔ Crisis).
    Beside: the shipped knobs (chosen on these tasks: in-sample), the flat vote (every mention and
    publish day one vote), the DATEWISE-style count of distinct articles mentioning a day, and the
    busiest publish days. Date F1 from the top-scored days; with ``build``, each task's timeline is
    also built with its left-out knobs and scored by the reference scorer (AR1-F, date F1)."""
    import itertools

    from storyline import timeline as tl

    shipped = {k: getattr(tl, k) for k in KNOBS}
    grid: list[dict[str, float]] = [dict(zip(KNOBS, v, strict=True)) for v in itertools.product(*KNOBS.values())]
    f1: dict[str, list[float]] = {}  # task -> date F1 per grid point
    other: dict[str, dict[str, float]] = collections.defaultdict(dict)
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
            other["shipped"][task.name], other["flat"][task.name] = f1_of(shipped), f1_of(FLAT)
            for k, v in shipped.items():
                setattr(tl, k, v)
            ment = mention_count(ev, arts)
            other["mentions"][task.name] = _date_f1(set(sorted(ment, key=lambda d: (-ment[d], d))[:n_dates]), refs)
            other["busiest"][task.name] = _date_f1({e.date for e in baseline(arts, n_dates, 1)}, refs)
    finally:
        for k, v in shipped.items():
            setattr(tl, k, v)

    def pick(train: list[str]) -> int:
        mean = [sum(f1[t][j] for t in train) / len(train) for j in range(len(grid))]
        return max(range(len(grid)), key=lambda j: (round(mean[j], 6), -j))

    names = list(f1)
    chosen = {t: pick([x for x in names if x != t]) for t in names}
    left = {
        "task": {t: f1[t][chosen[t]] for t in names},
        "topic": {t: f1[t][pick([x for x in names if topic_of(x) != topic_of(t)])] for t in names},
        "dataset": {t: f1[t][pick([x for x in names if dataset_of(x) != dataset_of(t)])] for t in names},
    }
    cols = [("in-sample", other["shipped"]), ("LO-task", left["task"]), ("LO-topic", left["topic"]),
            ("LO-dataset", left["dataset"]), ("flat", other["flat"]), ("mentions", other["mentions"]),
            ("busiest", other["busiest"])]
    print("\ndate F1 of the top-scored days: shipped knobs (in-sample), knobs chosen leaving out the task /")
    print("its topic / its dataset, the flat vote, DATEWISE-style distinct-article mention count, busiest days")
    print(f"{'task':26} " + " ".join(f"{c:>10}" for c, _ in cols) + "  knobs chosen leaving the task out")
    for t in names:
        knobs = " ".join(f"{k.split('_')[0].lower()}={v}" for k, v in grid[chosen[t]].items())
        print(f"{t:26} " + " ".join(f"{col[t]:10.3f}" for _, col in cols) + f"  {knobs}")
    means: dict[str, list[float]] = {}
    for group in ("t17", "crisis"):
        sel = [t for t in names if t.startswith(group)]
        if sel:
            m = means[group] = [sum(col[t] for t in sel) / len(sel) for _, col in cols]
            print(f"{'mean ' + group:26} " + " ".join(f"{x:10.3f}" for x in m))
    j = pick(names)
    print(f"best on all tasks (in-sample): {grid[j]}")
    if build:
        _built_left_out(score, tasks, {t: grid[chosen[t]] for t in names})
    return means


def _built_left_out(score: ModuleType, tasks: list[Path], knobs: dict[str, dict[str, float]]) -> None:
    """Each task's timeline built with the date knobs chosen leaving it out, scored by the reference
    scorer: the left-out AR1-F and date F1 of the whole method (the summary's own settings are
    fixed rules, not fitted on these tasks' references)."""
    from storyline import timeline as tl

    shipped = {k: getattr(tl, k) for k in KNOBS}
    rows = []
    print("\nbuilt with the left-out knobs (AR1-F, AR2-F, date F1):")
    try:
        for task in tasks:
            for k, v in knobs[task.name].items():
                setattr(tl, k, v)
            arts = load_articles(task)
            n_dates, n_sents = score.ref_shape(str(task / "reference"))
            got = score_entries(score, build_timeline(arts, n_dates=n_dates, n_sentences=n_sents), task / "reference")
            rows.append((task.name, got))
            print(f"{task.name:26} {got['ar1_f']:6.3f} {got['ar2_f']:6.3f} {got['date_f1']:6.3f}", flush=True)
    finally:
        for k, v in shipped.items():
            setattr(tl, k, v)
    for group in ("t17", "crisis"):
        sel = [g for n, g in rows if n.startswith(group)]
        if sel:
            avg = {k: sum(g[k] for g in sel) / len(sel) for k in ("ar1_f", "ar2_f", "date_f1")}
            print(f"{'mean ' + group:26} {avg['ar1_f']:6.3f} {avg['ar2_f']:6.3f} {avg['date_f1']:6.3f}")


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
        f"{'base AR1':>8} {'AR2':>6} {'dateF1':>6} | {'junk':>5} {'base':>5} | {'secs':>5}"
    )
    for task in tasks:
        arts = load_articles(task)
        n_dates, n_sents = score.ref_shape(str(task / "reference"))
        t = time.perf_counter()
        ours = build_timeline(arts, n_dates=n_dates, n_sentences=n_sents)
        secs = time.perf_counter() - t
        build_time += secs
        s_ours = score_entries(score, ours, task / "reference")
        base = baseline(arts, n_dates, n_sents)
        s_base = score_entries(score, base, task / "reference")
        s_ours["junk"], s_base["junk"] = junk_share(ours), junk_share(base)
        rows.append((task.name, s_ours, s_base))
        print(
            f"{task.name:26} {len(arts):5} {n_dates:4} {n_sents:2} | {s_ours['ar1_f']:6.3f} {s_ours['ar2_f']:6.3f} "
            f"{s_ours['date_f1']:6.3f} | {s_base['ar1_f']:8.3f} {s_base['ar2_f']:6.3f} {s_base['date_f1']:6.3f} "
            f"| {s_ours['junk']:5.1%} {s_base['junk']:5.1%} | {secs:5.1f}",
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
            f"{avg(1, 'date_f1'):6.3f} | {avg(2, 'ar1_f'):8.3f} {avg(2, 'ar2_f'):6.3f} {avg(2, 'date_f1'):6.3f} | "
            f"{avg(1, 'junk'):5.1%} {avg(2, 'junk'):5.1%} |"
        )
    total = time.perf_counter() - t0
    print(f"time: {total:.0f}s in all, {build_time:.1f}s building timelines")


if __name__ == "__main__":
    main()
