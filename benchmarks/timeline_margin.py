"""What separates the days and sentences main gets right from those it misses (issue 17, session 23).

    python benchmarks/timeline_margin.py [--clean --clean-cache FILE] [--days] [--oracle]

``--days``: per task, main's ranked days (the shipped vote, witnesses as shipped) split three ways:
the reference days it picks (right), the days it picks that no reference has (false), and the
reference days it ranks just below the budget (missed, ranks n..3n). For each, the median of
knob-free evidence: the vote, reports printed on the day, articles naming it, articles naming it
one to seven days later (the coverage that follows), the longest lag of a mention, the coverage
burst (reports printed on days d..d+3 over what the task's mean rate prints in four days), the
day's place in the publishing span (0-1), and the days to the nearest other pick (spacing); and
the AUC of false over missed and of right over false (0.5: the evidence does not tell them apart).

``--oracle``: on the matched days (picked and in a reference), the candidate sentence (as
``build_timeline`` gathers them) that scores best against the reference day by ROUGE-1 F
(unigrams, English stop words out, as tilse), against main's picks and a few single-sentence
choices (the best-scored shipped sentence among: all candidates, the first three sentences of the
earliest report printed on or after the day, sentences naming the day, any lede, the less
redundant half), each with its features: place in its article, in a lede, naming the day, the
earliest report's lede, words, rank by the shipped score, the highest TF-IDF cosine to the other
days' picks, the report's lag. Then the day's summary (main's picks) cut to its first k sentences.
"""

from __future__ import annotations

import argparse
import datetime as dt
import re
import statistics as st
import sys
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

import timeline_dates as td  # noqa: E402
import timeline_selectors as ts  # noqa: E402
import timelines as bench  # noqa: E402

from storyline import timeline as tl  # noqa: E402

DAY_FEATURES = ("vote", "pub", "ment", "follow7", "lagmax", "burst3", "pos", "gap")


def day_features(t: bench.Task) -> tuple[list[dt.date], dict[dt.date, dict[str, float]]]:
    ev, arts = t.evidence, t.articles
    scores = tl._date_scores(ev, arts)
    days = tl.ranked_days(scores)
    pubs = sorted(a.published for a in arts if a.published is not None)
    span = max(1, (pubs[-1] - pubs[0]).days + 1)
    rate = len(pubs) / span
    printed = Counter(pubs)
    out: dict[dt.date, dict[str, float]] = {}
    for r, d in enumerate(days):
        naming = {
            ev.sentences[i].article
            for i in ev.mentions.get(d, [])
            if (p := arts[ev.sentences[i].article].published) is not None and (d - p).days <= 2
        }
        lags = [(p - d).days for a in naming if (p := arts[a].published) is not None]
        out[d] = {
            "rank": r,
            "vote": scores[d],
            "pub": printed.get(d, 0),
            "ment": len(naming),
            "follow7": sum(1 for x in lags if 1 <= x <= 7),
            "lagmax": max(lags, default=0),
            "burst3": sum(printed.get(d + dt.timedelta(days=k), 0) for k in range(4)) / (4 * rate),
            "pos": (d - pubs[0]).days / span,
        }
    picked = days[: t.n_dates]
    for d in days:
        out[d]["gap"] = min((abs((d - p).days) for p in picked if p != d), default=999)
    return days, out


def auc(pos: list[float], neg: list[float]) -> float:
    if not pos or not neg:
        return float("nan")
    return sum(1.0 if p > n else 0.5 if p == n else 0.0 for p in pos for n in neg) / (len(pos) * len(neg))


def _day(d: dt.date, f: dict[str, float]) -> str:
    return f"{d:%m-%d}(#{f['rank']:.0f} v{f['vote']:.1f} p{f['pub']:.0f} f{f['follow7']:.0f})"


def days_report(tasks: list[bench.Task]) -> None:
    agg: dict[str, dict[str, list[tuple[float, float]]]] = defaultdict(lambda: defaultdict(list))
    for t in tasks:
        days, feats = day_features(t)
        ref = set().union(*t.refs)
        picked = days[: t.n_dates]
        false = [d for d in picked if d not in ref]
        right = [d for d in picked if d in ref]
        missed = [d for d in days[t.n_dates : 3 * t.n_dates] if d in ref]
        print(
            f"\n{t.name}: {t.n_dates} asked; right {len(right)}, false {len(false)}, missed at ranks n..3n"
            f" {len(missed)}, missed further down or never voted for {len(ref - set(days[: 3 * t.n_dates]))}"
        )
        for f in DAY_FEATURES:
            med = [st.median([feats[d][f] for d in g]) if g else float("nan") for g in (false, missed, right)]
            a, b = auc([feats[d][f] for d in false], [feats[d][f] for d in missed]), auc(
                [feats[d][f] for d in right], [feats[d][f] for d in false]
            )
            agg[bench.dataset_of(t.name)][f].append((a, b))
            print(
                f"  {f:8} median false {med[0]:7.2f} missed {med[1]:7.2f} right {med[2]:7.2f}"
                f"   AUC false>missed {a:.2f}  right>false {b:.2f}"
            )
        if t.name.startswith("t17"):
            for label, group in (("false", false), ("missed", missed)):
                print(f"  {label}:", " ".join(_day(d, feats[d]) for d in group))
    print("\nmean AUC over tasks (false > missed / right > false; nan where a task has none):")
    for ds, m in agg.items():
        cells = []
        for f, v in m.items():
            xs, ys = [x for x, _ in v if x == x], [y for _, y in v if y == y]
            cells.append(f"{f} {st.mean(xs) if xs else float('nan'):.2f}/{st.mean(ys) if ys else float('nan'):.2f}")
        print(f"  {ds}: " + "  ".join(cells))


_W = re.compile(r"\w+")


def _toks(s: str) -> Counter[str]:
    from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS

    return Counter(w for w in _W.findall(s.lower()) if w not in ENGLISH_STOP_WORDS)


def _r1(a: Counter[str], b: Counter[str]) -> float:
    overlap = sum((a & b).values())
    if not overlap:
        return 0.0
    p, r = overlap / sum(a.values()), overlap / sum(b.values())
    return 2 * p * r / (p + r)


def oracle_report(score: Any, tasks: list[bench.Task]) -> None:
    rows: dict[tuple[str, str], list[dict[str, float]]] = defaultdict(list)
    cut: dict[tuple[str, str], list[float]] = defaultdict(list)
    for t in tasks:
        refs = score.read_refs(str(t.path / "reference"))
        ev, mat, whole, days = ts._days_and_pools(t.articles, t.n_dates)
        arts = t.articles
        taken: list[int] = []
        picks: dict[dt.date, tuple[list[int], list[int]]] = {}
        for d, cands in days:
            got = tl._select(cands, ev, mat, whole, t.n_sents, taken)
            if got:
                picks[d] = (cands, got)
                taken.extend(got)
        ds = bench.dataset_of(t.name)
        for d, (cands, got) in picks.items():
            gold = [_toks(" ".join(r[d])) for r in refs if d in r.get_dates()]
            if not gold:
                continue
            val = {i: st.mean(_r1(_toks(ev.sentences[i].text), g) for g in gold) for i in cands}
            sub = mat[cands]
            centre = tl._unit(np.asarray(sub.mean(axis=0)).ravel())
            shipped = np.asarray(sub @ centre).ravel() + tl.TOPIC_WEIGHT * np.asarray(sub @ whole).ravel()
            srank = {cands[int(j)]: r for r, j in enumerate(np.argsort(-shipped, kind="stable"))}
            pos = {i: i - ev.by_article[ev.sentences[i].article].start for i in cands}
            after = [
                a for a in {ev.sentences[i].article for i in cands} if (p := arts[a].published) is not None and p >= d
            ]
            earliest = min(after, key=lambda a: (arts[a].published, a)) if after else None
            others = [j for j in taken if j not in got]
            red = (sub @ mat[others].T).toarray().max(axis=1) if others else np.zeros(len(cands))

            feats: dict[int, dict[str, float]] = {}
            for j, i in enumerate(cands):
                p = arts[ev.sentences[i].article].published
                feats[i] = {
                    "r1": val[i],
                    "pos": pos[i],
                    "lead": float(pos[i] < 3),
                    "names": float(d in ev.sentences[i].dates),
                    "earliest_lead": float(ev.sentences[i].article == earliest and pos[i] < 3),
                    "words": ev.sentences[i].words,
                    "srank": srank[i],
                    "red": float(red[j]),
                    "lag": (p - d).days if p is not None else 0,
                }
            rows[ds, "all candidates"].extend(feats[i] for i in cands)
            rows[ds, "main's picks"].extend(feats[i] for i in got)
            rows[ds, "oracle (best)"].append(feats[max(cands, key=lambda i: val[i])])
            order = [cands[j] for j in sorted(range(len(cands)), key=lambda j: -shipped[j])]
            low_red = set(sorted(cands, key=lambda i: feats[i]["red"])[: max(1, len(cands) // 2)])
            for name, keep in (
                ("top by shipped score", set(cands)),
                ("  of the earliest report's lede", {i for i in cands if feats[i]["earliest_lead"]}),
                ("  of those naming the day", {i for i in cands if feats[i]["names"]}),
                ("  of the ledes", {i for i in cands if feats[i]["lead"]}),
                ("  of the less redundant half", low_red),
            ):
                first = next((i for i in order if i in keep), None)
                if first is not None:
                    rows[ds, name].append(feats[first])
            for k in range(1, t.n_sents + 1):
                summary = _toks(" ".join(ev.sentences[i].text for i in got[:k]))
                cut[ds, f"first {k} of main's picks"].append(st.mean(_r1(summary, g) for g in gold))
    keys = ("r1", "pos", "lead", "names", "earliest_lead", "words", "srank", "red", "lag")
    for ds in ("t17", "crisis"):
        print(f"\n{ds} (matched days; means)   n  " + " ".join(f"{k:>8}" for k in keys))
        for (d2, what), rs in rows.items():
            if d2 == ds:
                print(f"  {what:32} {len(rs):5} " + " ".join(f"{st.mean(r[k] for r in rs):8.3f}" for k in keys))
        for (d2, what), vs in sorted(cut.items()):
            if d2 == ds:
                print(f"  day summary, {what}: ROUGE-1 F {st.mean(vs):.4f} over {len(vs)} days")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", type=Path, default=ROOT.parent / "shared" / "data")
    ap.add_argument("--clean", action="store_true", help="the tasks through the pipeline's cleaning, as acceptance")
    ap.add_argument("--clean-cache", type=Path, default=None, help="pickle of the cleaned articles")
    ap.add_argument("--days", action="store_true", help="the days: right, false, missed")
    ap.add_argument("--oracle", action="store_true", help="the sentences of the matched days")
    args = ap.parse_args()
    score = bench.load_score(args.data)
    tasks = [bench.Task(score, p) for p in sorted(p for p in (args.data / "timelines").iterdir() if p.is_dir())]
    if args.clean:
        td.cleaned(tasks, args.clean_cache)
    if args.days or not args.oracle:
        days_report(tasks)
    if args.oracle or not args.days:
        oracle_report(score, tasks)


if __name__ == "__main__":
    main()
