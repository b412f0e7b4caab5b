"""The storyline key floor among other news (issue 17, session 21): paired over interleavings,
each floor's storylines linked on the SAME events.

    python benchmarks/storyline_floor.py --cache MIX.pkl [--orders 7] [--floors 1,8] [--check]

``MIX.pkl``: a ``benchmarks/storyline_mix.py --cache`` pickle (the storylines articles and the other
dev articles with their story labels, through the pipeline's clean + enrich). For the fixed
interleaving and ``--orders`` random ones (``storyline_mix.interleave``), the event layer is run
once and its calls into the storyline layer recorded (``Linker.add``'s loop: each article's
event, the event merges and twin splits); then the storyline layer alone is replayed on that
record once per ``LinkConfig.storyline_key_floor`` of ``--floors`` (1: each key 1/sqrt(k), the
code of sessions 16-20). The event layer never reads the storyline layer, so each replay is the
linker's run with that floor, at a fraction of the cost (``--check`` links the fixed order with
the whole linker at the first floor as well, and fails unless the replay gave the same storylines).

Printed per floor (mean ± sd over the orders) and as a gain over the first floor, paired order by
order: ``storyline_mix.measure``'s figures (the storylines articles' BCubed F1 among themselves
and on each half, ``common.half``; the other stories' precision and on each half of them) and
the storylines articles' cross-lingual recall (``eval.crosslingual_recall``). The halves are what a
floor is chosen on (calibration, half 0) and reported on (held-out, half 1): see
``docs/storyline-chaining.md``, session 21. Nothing is fitted here.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import pickle
import sys
import time
from collections import defaultdict
from collections.abc import Sequence
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "benchmarks"))
sys.path.insert(0, str(ROOT))

from common import half  # noqa: E402
from events import read_gold, run_linker  # noqa: E402
from storyline_mix import DATA, interleave, measure  # noqa: E402

from storyline import eval as ev  # noqa: E402
from storyline.link import LinkConfig  # noqa: E402
from storyline.link.events import EventIndex  # noqa: E402
from storyline.link.similarity import Features, features  # noqa: E402
from storyline.link.storylines import StorylineIndex  # noqa: E402
from storyline.models import Article  # noqa: E402

# One article's step: its features, its event, the event merges it made, the twin splits after it.
Step = tuple[Features, str, list[tuple[str, str]], list[tuple[str, str, list[Features]]]]


def record(arts: Sequence[Article], cfg: LinkConfig) -> tuple[list[Step], dict[str, str]]:
    """The event layer of ``Linker.add`` over ``arts`` (one call, as ``run_linker`` makes), with
    what it hands the storyline layer; and where every article's event is at the end."""
    evx = EventIndex(cfg, 384, None)
    steps: list[Step] = []
    fs = [features(a) for a in arts]
    ahead = evx.search_ahead(fs)
    for f in fs:
        eid, merges = evx.add(f, ahead)
        splits = []
        if evx.grown is not None:
            for cut, part_id, moved in evx.split(evx.grown):
                splits.append((cut, part_id, [evx.feats[m] for m in moved]))
        steps.append((f, eid, list(merges), splits))
    return steps, dict(evx.event_of)


def replay(steps: Sequence[Step], event_of: dict[str, str], cfg: LinkConfig) -> dict[str, str]:
    """The storyline layer of ``Linker.add`` on a recorded event run: article id -> storyline."""
    sl = StorylineIndex(cfg, 384, None)
    for f, eid, merges, splits in steps:
        for absorbed, kept in merges:
            sl.merge_events(absorbed, kept)
        sl.add_article(eid, f.vector, f.entities, f.lang)
        if eid not in sl.storyline_of:
            sl.place(eid, f.id)
        for cut, part_id, part in splits:
            sl.split_event(cut, part_id, [(m.vector, m.entities, m.lang) for m in part])
        sl.take_absorbed()
    return {a: sl.storyline_of[e] for a, e in event_of.items()}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--cache", required=True)
    ap.add_argument("--data", default=str(DATA))
    ap.add_argument("--orders", type=int, default=7, help="random interleavings beside the fixed one")
    ap.add_argument("--floors", default="1,8")
    ap.add_argument("--check", action="store_true", help="also link the fixed order whole (first floor)")
    ap.add_argument("--json", default=None, help="write every figure per order here")
    args = ap.parse_args()
    floors = [int(x) for x in args.floors.split(",")]
    with open(args.cache, "rb") as fh:
        story, other, ogold = pickle.load(fh)
    sg = read_gold(Path(args.data) / "storylines/gold.jsonl")
    sgold = {g["id"]: g["storyline"] for g in sg if g["id"] in {a.id for a in story}}
    langs = {a.id: a.lang or "" for a in story}
    base = LinkConfig()
    cfgs = {fl: dataclasses.replace(base, storyline_key_floor=fl) for fl in floors}
    got: dict[int, dict[str, list[float]]] = {fl: defaultdict(list) for fl in floors}
    for seed in range(args.orders + 1):
        t = time.perf_counter()
        arts = interleave(story, other, ogold, seed)
        steps, event_of = record(arts, base)
        t_ev = time.perf_counter() - t
        line = []
        for fl in floors:
            t = time.perf_counter()
            pred = replay(steps, event_of, cfgs[fl])
            m = measure(pred, sgold, ogold)
            sp = {i: pred[i] for i in sgold}
            m["xl_recall"] = ev.crosslingual_recall(sp, sgold, langs)[0]
            held = {i: g for i, g in sgold.items() if half(i) == 1}
            m["xl_recall_held"] = ev.crosslingual_recall({i: pred[i] for i in held}, held, langs)[0]
            for k, v in m.items():
                got[fl][k].append(v)
            line.append(f"floor {fl}: F1 {m['story_f1']:.4f} held {m['held_f1']:.4f} others' P {m['other_p']:.4f} "
                        f"({time.perf_counter() - t:.0f} s)")
            if seed == 0 and fl == floors[0]:
                fixed = (arts, pred)
        print(f" order {seed} (events {t_ev:.0f} s): " + "; ".join(line), flush=True)
    keys = list(got[floors[0]])
    first = floors[0]
    for fl in floors:
        print(f" floor {fl}: " + "; ".join(
            f"{k} {np.mean(got[fl][k]):.3f}±{np.std(got[fl][k], ddof=1) if len(got[fl][k]) > 1 else 0:.3f}"
            for k in keys))
        if fl != first:
            print(f"   gain over floor {first}, paired: " + "; ".join(
                f"{k} {np.mean(d):+.3f}±{np.std(d, ddof=1) if len(d) > 1 else 0:.3f}"
                for k in keys for d in [np.subtract(got[fl][k], got[first][k])]))
    if args.check:
        arts, pred = fixed
        same = run_linker(arts, cfgs[first])[1] == pred
        said = "the same" if same else "OTHER"
        print(f" check, fixed order, floor {first}: the whole linker gives {said} storylines")
        if not same:
            raise SystemExit("the replay differs from the linker")
    if args.json:
        Path(args.json).write_text(json.dumps({str(fl): got[fl] for fl in floors}))


if __name__ == "__main__":
    main()
