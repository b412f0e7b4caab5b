"""Session 24 (issue 17): evidence that tells two happenings of one story apart, measured the way
``benchmarks/events_tried.py`` measures every variant (refitted on the group it never saw).

    python benchmarks/events_twin.py [--data DIR] [--pickle FILE] [--pairs] [--only NAME ...]

Candidates (none shipped; see docs/benchmarks.md, "Session 24: ..."):

- the lede's happening day: the days the headline and the body's first two sentences name,
  resolved against the publish date ("on Wednesday" a day before a paper of the 31st is the 30th).
  Without a publish date only written days count ("Tuesday (29 December)"), compared by month and
  day, since a weekday or "yesterday" resolves to nothing then. Conflict: both ledes name a day and
  no day of one is within ``tol`` days of a day of the other (the seeds 003 / 004: 29 and 30
  December, a meeting in Sochi and a press conference the day after).
- the headline's partners: both headlines name at least two countries, share one and each names one
  the other does not (Turkey and Russia against Turkey and the US). The lede (headline and first
  sentence) will not do: the seeds' ledes all name Turkey, Russia and the US ("US sanctions", "an
  advanced Russian air defense system").

``--raw`` prints the vector-free counts of docs/benchmarks.md (the raw rows, no encoder); ``--pairs``
prints the pair-level picture (nearest-neighbour pairs in each source, same-event
rate with and without the conflict, among all pairs and among those the shipped score links),
then the seeds.
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime as dt
import json
import pickle
import re
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from common import pipeline_articles  # noqa: E402
from events_tried import SHIPPED, SIM, candidate_pairs, crossfit, extra_signals, lede, seed_articles  # noqa: E402

from storyline.dates import sentence_mentions  # noqa: E402
from storyline.enrich.entities import extract_entities  # noqa: E402
from storyline.link import LinkConfig  # noqa: E402
from storyline.models import Article  # noqa: E402
from storyline.timeline import split_sentences  # noqa: E402

# Resolves written day-months of an undated text (only their month and day are compared then).
_ANY_DAY = dt.date(2001, 7, 1)
# A page's own stamp, not the happening: a clock time, "Published:", "Updated", a dateline weekday.
STAMPED = re.compile(
    r"\b(?:updated|posted|published)\b|\b\d{1,2}\s?[:.]\s?\d{2}\s*(?:[ap]\.?\s?m\b|gmt|est|edt|utc)"
    r"|^\W*(?:mon|tues|wednes|thurs|fri|satur|sun)day\s*,",
    re.I,
)
SEED_DATES = {"000": "2021-01-18", "001": "2021-01-19", "002": "2025-09-05", "003": "2020-12-30", "004": "2020-12-31"}


def lede_days(a: Article, sentences: int = 2) -> tuple[frozenset[dt.date], frozenset[tuple[int, int]]]:
    """The days the lede names: resolved dates (only with a publish date) and the written days'
    (month, day) (with or without one)."""
    pub = a.published
    anchors: dict[int, dt.date] = {}
    full: set[dt.date] = set()
    written: set[tuple[int, int]] = set()
    for s in split_sentences(lede(a, sentences)):
        if STAMPED.search(s):
            continue
        for d, w in sentence_mentions(s, pub or _ANY_DAY, a.lang, anchors):
            if pub is not None and d <= pub + dt.timedelta(days=1):
                full.add(d)
            if w:
                written.add((d.month, d.day))
    return frozenset(full), frozenset(written)


class Days:
    """Each article's lede days, and the conflict signal over two of them."""

    def __init__(self, arts: Sequence[Article], tol: int = 0) -> None:
        self.days = {a.id: lede_days(a) for a in arts}
        self.dated = {a.id: a.published is not None for a in arts}
        self.tol = tol

    def conflict(self, fa: Any, fb: Any) -> float | None:
        (fa_full, fa_w), (fb_full, fb_w) = self.days.get(fa.id, ((), ())), self.days.get(fb.id, ((), ()))
        if self.dated.get(fa.id) and self.dated.get(fb.id):
            if not fa_full or not fb_full:
                return None
            near = any(abs((x - y).days) <= self.tol for x in fa_full for y in fb_full)
            return 0.0 if near else 1.0
        if not fa_w or not fb_w:
            return None
        near = any(
            abs((dt.date(2001, *x) - dt.date(2001, *y)).days) <= self.tol
            for x in fa_w
            for y in fb_w
            if (2, 29) not in (x, y)
        )
        return 0.0 if near else 1.0


class Partners:
    """Countries each headline names (a city counts as its country: Mannheim is Germany); the
    conflict: one shared, and each names one the other lacks."""

    def __init__(self, arts: Sequence[Article]) -> None:
        self.places = {
            a.id: frozenset(e.key.split("/")[0] for e in extract_entities(a.title or "", a.lang) if e.kind == "place")
            for a in arts
        }

    def conflict(self, fa: Any, fb: Any) -> float | None:
        p, q = self.places.get(fa.id, frozenset()), self.places.get(fb.id, frozenset())
        if len(p) < 2 or len(q) < 2 or not p & q:
            return None
        return float(bool(p - q) and bool(q - p))


def pair_level(
    arts: Sequence[Article], gold: dict[str, str], signals: dict[str, Callable[[Any, Any], float | None]]
) -> None:
    """Same-event rate of nearest-neighbour pairs (30 each, same language, each source alone) when a
    conflict holds and when it is measured and does not, among all pairs and among pairs the
    shipped score links (>= 0.5, where a rule would have to act)."""
    cfg = LinkConfig()
    for src in ("vims-", "ecb-"):
        group = [a for a in arts if a.id.startswith(src)]
        fs = [SIM.features(a) for a in group]
        pairs = [(i, j) for i, j in candidate_pairs(group) if fs[i].lang == fs[j].lang]
        score = [SIM.combine(SIM.signals(fs[i], fs[j]), cfg) for i, j in pairs]
        for name, fn in signals.items():
            cells = {}
            for (i, j), s in zip(pairs, score, strict=True):
                v = fn(fs[i], fs[j])
                if v is None:
                    continue
                same = gold[group[i].id] == gold[group[j].id]
                for key in ((v, "all"), (v, "linked")) if s >= 0.5 else ((v, "all"),):
                    n, k = cells.get(key, (0, 0))
                    cells[key] = (n + 1, k + same)
            txt = "  ".join(
                f"{'conflict' if v else 'agree'}/{w}: {n} pairs, {k / n:.0%} one event"
                for (v, w), (n, k) in sorted(cells.items(), key=lambda x: (x[0][1], x[0][0]))
            )
            print(f"  {src:<6} {len(pairs):>6} pairs  {name:<12} {txt}", flush=True)


def raw_counts(data: Path) -> None:
    """The vector-free counts (docs/benchmarks.md, session 24): the raw rows, uncleaned (ECB+'s
    headline: its first line); ECB+ every pair within a topic, ViMs every pair whose entity keys
    overlap by Jaccard >= 0.2. Per candidate: (conflict, one event, pair spans the ECB+ twins)."""
    import itertools
    from collections import Counter

    from storyline.clean.meta import parse_date

    with open(data / "events/gold.jsonl", encoding="utf-8") as fh:
        gold = {r["id"]: r["event"] for r in map(json.loads, fh)}
    arts = []
    with open(data / "events/articles.jsonl", encoding="utf-8") as fh:
        for r in map(json.loads, fh):
            ecb = r["id"].startswith("ecb-")
            title = r["text"].strip().split("\n")[0][:200] if ecb else r.get("title") or ""
            arts.append(Article(r["id"], title, r["text"], "en" if ecb else "vi", parse_date(r.get("published"))))
    # The day signal reads the lede as the benchmark rows do; ECB+ has no given headline there.
    lede_arts = [dataclasses.replace(a, title="") if a.id.startswith("ecb-") else a for a in arts]
    ents = {a.id: frozenset(e.key for e in extract_entities(a.body, a.lang, title=a.title)) for a in arts}
    partners = Partners(arts)
    signals: dict[str, Callable[[Any, Any], float | None]] = {
        "day tol 0": Days(lede_arts, 0).conflict,
        "day tol 1": Days(lede_arts, 1).conflict,
        "partners": partners.conflict,
    }
    for src in ("ecb-", "vims-"):
        group = [a for a in arts if a.id.startswith(src)]
        if src == "ecb-":
            pairs = [(a, b) for a, b in itertools.combinations(group, 2) if a.id.split("_")[0] == b.id.split("_")[0]]
        else:
            pairs = [
                (a, b)
                for a, b in itertools.combinations(group, 2)
                if ents[a.id] and ents[b.id] and len(ents[a.id] & ents[b.id]) / len(ents[a.id] | ents[b.id]) >= 0.2
            ]
        for name, fn in signals.items():
            c: Counter[tuple[float, bool, bool]] = Counter()
            for a, b in pairs:
                v = fn(a, b)
                if v is not None:
                    c[(v, gold[a.id] == gold[b.id], ("ecbplus" in a.id) != ("ecbplus" in b.id))] += 1
            print(f"  {src:<6} {name:<10} (conflict, one event, across ECB+ twins): {dict(sorted(c.items()))}")


def dated_seeds(seeds: Sequence[Article]) -> list[Article]:
    return [dataclasses.replace(a, published=dt.date.fromisoformat(SEED_DATES[a.id[:3]])) for a in seeds]


def show_seeds(seeds: Sequence[Article], days: Callable[[Sequence[Article]], Days], partners: Partners) -> None:
    for label, group in (("undated", list(seeds)), ("dated", dated_seeds(seeds))):
        d = days(group)
        by = {a.id[:3]: a for a in group}
        fs = {k: SIM.features(a) for k, a in by.items()}
        print(f"  seeds {label}: lede days", {k: d.days[a.id] for k, a in by.items()})
        for x, y in (("003", "004"), ("002", "003"), ("002", "004"), ("000", "002"), ("000", "003"), ("000", "001")):
            print(
                f"    {x}-{y}: day conflict {d.conflict(fs[x], fs[y])}, partner conflict "
                f"{partners.conflict(fs[x], fs[y])}"
            )
    print("  seed headline places", {a.id[:3]: sorted(partners.places[a.id]) for a in seeds})


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--data", type=Path, default=ROOT.parent / "shared/data")
    ap.add_argument(
        "--pickle",
        type=Path,
        default=None,
        help="the events articles as prepared: read if it exists, else written after preparing",
    )
    ap.add_argument("--pairs", action="store_true")
    ap.add_argument("--only", nargs="*", default=None)
    ap.add_argument("--raw", action="store_true", help="the vector-free counts on the raw rows only")
    args = ap.parse_args()
    if args.raw:
        raw_counts(args.data)
        return
    with open(args.data / "events/gold.jsonl", encoding="utf-8") as fh:
        gold = {r["id"]: r["event"] for r in map(json.loads, fh)}
    if args.pickle and args.pickle.exists():
        arts = pickle.loads(args.pickle.read_bytes())
    else:
        arts, _ = pipeline_articles(args.data / "events/articles.jsonl")
        if args.pickle:
            args.pickle.write_bytes(pickle.dumps(arts))
    seeds = seed_articles()
    days0, days1, partners = Days(arts, 0), Days(arts, 1), Partners([*arts, *seeds])
    if args.pairs:
        pair_level(
            arts, gold, {"day tol 0": days0.conflict, "day tol 1": days1.conflict, "partners": partners.conflict}
        )
        show_seeds(seeds, lambda g: Days(g, 0), partners)
        return
    rows: dict[str, tuple[dict[str, Callable[[Any, Any], float | None]], tuple[str, ...]]] = {
        "shipped": ({}, SHIPPED),
        "+ lede day conflict (tol 0)": ({"day": days0.conflict}, (*SHIPPED, "day")),
        "+ lede day conflict (tol 1)": ({"day": days1.conflict}, (*SHIPPED, "day")),
        "+ headline partner conflict": ({"partner": partners.conflict}, (*SHIPPED, "partner")),
    }
    print(f"{'variant':<32} {'half 0':>7} {'half 1':>7} {'ViMs':>7} {'ECB+':>7}  ECB+ 90% interval")
    for name, (extra, names) in rows.items():
        if args.only and not any(s in name for s in args.only):
            continue
        t = time.perf_counter()
        with extra_signals(extra):
            r = crossfit(arts, gold, names)
        lo, hi = r["interval"]
        print(
            f"{name:<32} {r['half 0']:7.3f} {r['half 1']:7.3f} {r['ViMs']:7.3f} {r['ECB+']:7.3f}  {lo:.3f}-{hi:.3f}"
            f"  ({time.perf_counter() - t:.0f} s; ECB+ weights {dict(r['weights'])})",
            flush=True,
        )


if __name__ == "__main__":
    main()
