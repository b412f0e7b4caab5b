"""Storylines in a mixed stream: the dev storylines among other news (issue 17, audit 15 row 31).

    python benchmarks/storyline_mix.py [--data ../shared/data] [--orders 3] [--set "F=V;F=V"]...

The storylines dev set holds ten large stories and nothing else, so a storyline rule is never
asked there to keep *unrelated* news apart; a user's stream is mostly unrelated news. Audit 15 put
a Vietnamese Taylor Swift report and an ECB+ Bloomington murder into one storyline (they share
only the country key US), and a Kobe masks theft, an NHK page and a Toyota report (JP). This
benchmark links the 1,118 storylines articles together with every other dev article that has a
same-story label, inserted at random points of the storylines' publish order, each group in its
own order:

- the events set (995 ViMs articles in 214 same-event clusters, 496 ECB+ articles in 43 events),
  through the pipeline's clean + enrich as ``storyline run`` sees them; each event is its own
  story (two ViMs clusters may continue one story: such a join counts as wrong, so the distractor
  figure is a floor);
- the SemEval-2022 pair articles (taken as given, as ``benchmarks/events.py`` takes them), grouped
  where the annotators scored the pair's *narrative* 1 ("very similar"): the same story.

Printed, for the shipped settings and each ``--set`` variant, over the fixed interleaving and
``--orders`` more (mean ± sd): BCubed F1 of the storylines articles alone (scored only among
themselves: do other stories bridge or split them), each half of it, and of the other
articles the BCubed *precision* (of the storyline each lands in, the share that is its own story;
also over each half of them by article id, ``common.half``, so that a knob chosen on the
calibration halves is reported on the held-out ones) and how many of them share a storyline
with a storylines article or another story. The gain of a variant is paired over the same orders.
Nothing is fitted here; a variant chosen on these figures must also hold on
``benchmarks/events.py --only storylines --orders`` (no other news) and is reported with its
held-out half.
"""

from __future__ import annotations

import argparse
import json
import pickle
import random
import sys
import time
from collections import defaultdict
from collections.abc import Sequence
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "benchmarks"))
sys.path.insert(0, str(ROOT))

from common import half, pipeline_articles  # noqa: E402
from events import article_from, embed, parse_set, read_gold, run_linker  # noqa: E402

from storyline import eval as ev  # noqa: E402
from storyline.link import LinkConfig  # noqa: E402
from storyline.models import Article  # noqa: E402

DATA = ROOT.parent / "shared" / "data"


def _union(pairs: Sequence[tuple[str, str]], ids: Sequence[str]) -> dict[str, str]:
    parent = {i: i for i in ids}

    def find(x: str) -> str:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for a, b in pairs:
        ra, rb = find(a), find(b)
        if ra != rb:
            parent[max(ra, rb)] = min(ra, rb)
    return {i: find(i) for i in ids}


def others(data: Path) -> tuple[list[Article], dict[str, str]]:
    """The other dev articles and their story labels (``sem:``/``ev:`` prefixed)."""
    arts, _ = pipeline_articles(data / "events/articles.jsonl")
    gold = {g["id"]: "ev:" + g["event"] for g in read_gold(data / "events/gold.jsonl")}
    rows: dict[str, dict] = {}
    same: list[tuple[str, str]] = []
    grades = {g["pair_id"]: g for g in read_gold(data / "similarity/gold.jsonl")}
    for p in read_gold(data / "similarity/pairs.jsonl"):
        a, b = p["a"], p["b"]
        rows.setdefault("sem-" + a["id"], {**a, "id": "sem-" + a["id"]})
        rows.setdefault("sem-" + b["id"], {**b, "id": "sem-" + b["id"]})
        g = grades.get(p["pair_id"])
        if g and g.get("narrative") is not None and float(g["narrative"]) <= 1.0:
            same.append(("sem-" + a["id"], "sem-" + b["id"]))
    sem, _ = embed([article_from(r) for r in rows.values()])
    groups = _union(same, list(rows))
    gold.update({i: "sem:" + g for i, g in groups.items()})
    return arts + sem, gold


def interleave(story: Sequence[Article], other: Sequence[Article], gold: dict[str, str], seed: int) -> list[Article]:
    """The storylines articles in publish order (ties by id; by a random key when ``seed`` > 0),
    each other story's articles inserted in its own publish order at random points of it."""
    rng = random.Random(f"mix:{seed}")
    import datetime as dt

    base = sorted(story, key=lambda a: (a.published or dt.date.max, rng.random() if seed else 0.0, a.id))
    slots: dict[int, list[Article]] = defaultdict(list)
    by: dict[str, list[Article]] = defaultdict(list)
    for a in other:
        by[gold[a.id]].append(a)
    for g in sorted(by):
        members = sorted(by[g], key=lambda a: (a.published or dt.date.max, a.id))
        pos = sorted(rng.randrange(len(base) + 1) for _ in members)
        for p, a in zip(pos, members, strict=True):
            slots[p].append(a)
    out: list[Article] = []
    for i in range(len(base) + 1):
        extra = slots.get(i, [])
        rng.shuffle(extra)
        out.extend(extra)
        if i < len(base):
            out.append(base[i])
    return out


def measure(pred: dict[str, str], sgold: dict[str, str], ogold: dict[str, str]) -> dict[str, float]:
    held = {i: g for i, g in sgold.items() if half(i) == 1}
    cal = {i: g for i, g in sgold.items() if half(i) == 0}
    members: dict[str, list[str]] = defaultdict(list)
    for i, s in pred.items():
        members[s].append(i)
    allgold = {**sgold, **ogold}
    prec, mixed_story, mixed_other = [], 0, 0
    prec_half: tuple[list[float], list[float]] = ([], [])
    for i in ogold:
        m = members[pred[i]]
        prec.append(sum(allgold.get(j) == ogold[i] for j in m) / len(m))
        prec_half[half(i)].append(prec[-1])
        mixed_story += any(j in sgold for j in m)
        mixed_other += any(j in ogold and ogold[j] != ogold[i] for j in m)
    return {
        "story_f1": ev.bcubed({i: pred[i] for i in sgold}, sgold).f1,
        "held_f1": ev.bcubed({i: pred[i] for i in held}, held).f1,
        "cal_f1": ev.bcubed({i: pred[i] for i in cal}, cal).f1,
        "other_p": float(np.mean(prec)),
        "other_p_cal": float(np.mean(prec_half[0])),
        "other_p_held": float(np.mean(prec_half[1])),
        "other_in_story": mixed_story / len(ogold),
        "other_with_other": mixed_other / len(ogold),
        "all_f1": ev.bcubed(pred, allgold).f1,
    }


KEYS = ("story_f1", "held_f1", "cal_f1", "other_p", "other_p_cal", "other_p_held", "other_in_story",
        "other_with_other", "all_f1")
LABELS = ("storylines F1", "held-out half", "calibration half", "others' precision", "(calibration half",
          "held-out half)", "others in a dev storyline", "others with another story", "all F1")


def _ms(xs: Sequence[float]) -> str:
    return f"{np.mean(xs):.3f}±{(np.std(xs, ddof=1) if len(xs) > 1 else 0.0):.3f}"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data", default=str(DATA))
    ap.add_argument("--orders", type=int, default=3, help="random interleavings beside the fixed one")
    ap.add_argument("--cache", default=None, help="a pickle of the prepared articles (written if absent)")
    ap.add_argument("--set", action="append", default=[], metavar="F=V;F=V",
                    help="a variant of the shipped LinkConfig to measure beside it (repeatable)")
    args = ap.parse_args()
    data = Path(args.data)
    cfg = LinkConfig()
    variants = [("shipped", cfg)] + [(s, parse_set(s.split(";"), cfg)) for s in args.set]
    sg = read_gold(data / "storylines/gold.jsonl")
    sgold = {g["id"]: g["storyline"] for g in sg}
    if args.cache and Path(args.cache).exists():
        with open(args.cache, "rb") as fh:
            story, other, ogold = pickle.load(fh)
    else:
        story, _ = pipeline_articles(data / "storylines/articles.jsonl")
        other, ogold = others(data)
        if args.cache:
            with open(args.cache, "wb") as fh:
                pickle.dump((story, other, ogold), fh)
    n_groups = len(set(ogold.values()))
    print(f"STORYLINES IN A MIXED STREAM  ({len(story)} storylines articles in {len(set(sgold.values()))} stories; "
          f"{len(other)} other articles in {n_groups} stories; fixed order + {args.orders} random interleavings)")
    res: dict[str, dict[str, list[float]]] = {}
    for name, c in variants:
        t = time.perf_counter()
        got: dict[str, list[float]] = defaultdict(list)
        for seed in range(args.orders + 1):
            pred = run_linker(interleave(story, other, ogold, seed), c)[1]
            for k, v in measure(pred, sgold, ogold).items():
                got[k].append(v)
        res[name] = got
        print(f" {name}  ({time.perf_counter() - t:.0f} s)")
        print("   " + "; ".join(f"{lab} {_ms(got[k])}" for k, lab in zip(KEYS, LABELS, strict=True)))
        print("   fixed order: " + "; ".join(f"{lab} {got[k][0]:.3f}" for k, lab in zip(KEYS, LABELS, strict=True)))
        if name != "shipped":
            base = res["shipped"]
            print("   gain over shipped: " + "; ".join(
                f"{lab} {_ms([a - b for a, b in zip(got[k], base[k], strict=True)])}"
                for k, lab in zip(KEYS, LABELS, strict=True)))
    print(json.dumps({n: {k: [round(x, 4) for x in v] for k, v in r.items()} for n, r in res.items()}))


if __name__ == "__main__":
    main()
