"""The date mentions the timeline's vote counts, drawn at random for a reader to check (session 21).

    python benchmarks/timeline_mentions.py [--data DIR] [--clean --clean-cache FILE] [--seed 21]
                                           [--per crisis-es=20 crisis-fr=20 crisis-it=20 t17=40]

Every (sentence, day) the vote of ``storyline.timeline._date_scores`` counts on the dev tasks
(inside the publishing span, not more than two days ahead of its article, not boilerplate; post
stamps already read out as ``_gather`` reads them), grouped by dataset and language; a random
sample of each group is printed with its task, article, publish date and weekday, the day it was
resolved to and its weekday, and whether it was written out (W) or worked out from the publish
date (R), for checking by hand against the sentence. Session 21's labels of the seed-21 sample
(drawn on the code before its future-weekday rule, which moves some of these mentions) are in
docs/benchmarks.md ("Timelines: Session 21").
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import sys
from collections import Counter, defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

import timeline_dates as td  # noqa: E402
import timelines as bench  # noqa: E402

from storyline import timeline as tl  # noqa: E402


def counted(t: bench.Task) -> list[tuple[str, dt.date | None, dt.date, bool, str]]:
    """(article id, published, day, written out, sentence) for every mention the vote counts."""
    ev, arts = t.evidence, t.articles
    pubs = [a.published for a in arts if a.published is not None]
    lo = min(pubs) - dt.timedelta(days=tl.BACKGROUND_DAYS) if pubs else dt.date.min
    hi = max(pubs) if pubs else dt.date.max
    repeats = Counter(s.text for s in ev.sentences)
    out = []
    for d, idxs in ev.mentions.items():
        if not lo <= d <= hi:
            continue
        for i in idxs:
            s = ev.sentences[i]
            pub = arts[s.article].published
            if repeats[s.text] >= tl.BOILERPLATE_REPEATS or (pub is not None and (d - pub).days > 2):
                continue
            out.append((arts[s.article].id, pub, d, d in s.written, s.text))
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", type=Path, default=ROOT.parent / "shared" / "data")
    ap.add_argument("--clean", action="store_true", help="the tasks through the pipeline's cleaning")
    ap.add_argument("--clean-cache", type=Path, default=None, help="pickle of the cleaned articles")
    ap.add_argument("--seed", type=int, default=21)
    ap.add_argument("--per", nargs="*", default=["crisis-es=20", "crisis-fr=20", "crisis-it=20", "t17=40"])
    args = ap.parse_args()
    score = bench.load_score(args.data)
    tasks = [bench.Task(score, p) for p in sorted(p for p in (args.data / "timelines").iterdir() if p.is_dir())]
    if args.clean:
        td.cleaned(tasks, args.clean_cache)
    groups: dict[str, list[tuple[str, str, dt.date | None, dt.date, bool, str]]] = defaultdict(list)
    for t in tasks:
        key = "-".join(t.name.split("-")[:2]) if t.name.startswith("crisis-") else "t17"
        groups[key].extend((t.name, *row) for row in counted(t))
    for key, rows in sorted(groups.items()):
        written = sum(1 for r in rows if r[4])
        print(f"{key}: {len(rows)} mentions counted, {written} written out, {len(rows) - written} relative")
    rng = random.Random(args.seed)
    n = 0
    for spec in args.per:
        key, k = spec.split("=")
        for task, aid, pub, d, written, text in rng.sample(groups[key], min(int(k), len(groups[key]))):
            wd = f"{pub} {pub:%a}" if pub else "no date"
            print(f"\n### {n} {task} {aid} pub {wd} -> {d} {d:%a} {'W' if written else 'R'}\n{text[:600]}")
            n += 1


if __name__ == "__main__":
    main()
