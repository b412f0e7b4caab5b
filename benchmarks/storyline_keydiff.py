"""Which entity-key changes move which storyline links in the mixed stream (issue 17, session 20).

    python benchmarks/storyline_keydiff.py rekey IN.pkl OUT.pkl
    python benchmarks/storyline_keydiff.py compare A.pkl B.pkl [--orders 4] [--hybrids]

The caches are ``benchmarks/storyline_mix.py --cache`` pickles (the storylines articles, the other
dev articles and their story labels, through the pipeline's clean + enrich). ``rekey`` extracts
every article's entities again with the extractor of the tree this script sits in (it puts its
own tree first on ``sys.path``; bodies, titles and vectors kept), so two extractors are compared
on the same cleaned articles without cleaning twice: run the script of a copy of another commit
(``git archive``, that commit's entity files copied in) to get that commit's keys.

``compare`` prints what changed between A's keys and B's: the articles whose keys differ and the
keys gained and lost most often (storylines articles and the others apart); then, in the fixed
interleaving, which pairs of storylines articles share an event or a storyline in one and not the
other (by gold story pair: a storyline split, or two stories joined), how many other articles sit
in each dev story's storyline, and the mix figures of ``storyline_mix.measure``; with ``--hybrids``
also A's keys on the storylines articles only and on the other articles only (which side's
changes move the links); with ``--orders N`` the mix figures over N random interleavings more, A
and B paired order by order. Nothing is fitted.
"""

from __future__ import annotations

import argparse
import dataclasses
import itertools
import json
import pickle
import sys
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "benchmarks"))
sys.path.insert(0, str(ROOT))

from events import read_gold, run_linker  # noqa: E402
from storyline_mix import DATA, KEYS, interleave, measure  # noqa: E402

from storyline.link import LinkConfig  # noqa: E402
from storyline.models import Article  # noqa: E402

Mix = tuple[list[Article], list[Article], dict[str, str]]


def load(path: str) -> Mix:
    with open(path, "rb") as fh:
        return pickle.load(fh)  # type: ignore[no-any-return]


def rekey(src: str, dst: str) -> None:
    from storyline.enrich.entities import extract_entities

    story, other, ogold = load(src)

    def again(a: Article) -> Article:
        return dataclasses.replace(a, entities=tuple(extract_entities(a.body, a.lang or "", a.title)))

    with open(dst, "wb") as fh:
        pickle.dump(([again(a) for a in story], [again(a) for a in other], ogold), fh)


def key_changes(a: Sequence[Article], b: Sequence[Article], label: str) -> None:
    gained: Counter[str] = Counter()
    lost: Counter[str] = Counter()
    changed = 0
    for x, y in zip(a, b, strict=True):
        kx, ky = x.entity_keys(), y.entity_keys()
        changed += kx != ky
        gained.update(kx - ky)
        lost.update(ky - kx)
    print(f" {label}: {changed} of {len(a)} articles with other keys; {sum(gained.values())} keys gained, "
          f"{sum(lost.values())} lost")
    print("   gained most: " + ", ".join(f"{k} {n}" for k, n in gained.most_common(12)))
    print("   lost most: " + ", ".join(f"{k} {n}" for k, n in lost.most_common(12)))


def pairs(asg: dict[str, str], ids: Iterable[str]) -> set[tuple[str, str]]:
    members: dict[str, list[str]] = defaultdict(list)
    for i in ids:
        members[asg[i]].append(i)
    return {(x, y) if x < y else (y, x) for m in members.values() for x, y in itertools.combinations(m, 2)}


def by_story(ps: Iterable[tuple[str, str]], sgold: dict[str, str]) -> Counter[tuple[str, str]]:
    return Counter(tuple(sorted((sgold[x], sgold[y]))) for x, y in ps)  # type: ignore[misc]


def others_by_story(sl: dict[str, str], sgold: dict[str, str]) -> dict[str, int]:
    """Other articles in each storyline, counted under the dev story most of its storylines articles have."""
    members: dict[str, list[str]] = defaultdict(list)
    for i, s in sl.items():
        members[s].append(i)
    out: Counter[str] = Counter()
    for ids in members.values():
        st = Counter(sgold[i] for i in ids if i in sgold)
        if st:
            out[st.most_common(1)[0][0]] += sum(i not in sgold for i in ids)
    return dict(sorted(out.items()))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = ap.add_subparsers(dest="cmd", required=True)
    r = sub.add_parser("rekey")
    r.add_argument("src")
    r.add_argument("dst")
    c = sub.add_parser("compare")
    c.add_argument("a")
    c.add_argument("b")
    c.add_argument("--orders", type=int, default=0)
    c.add_argument("--hybrids", action="store_true")
    c.add_argument("--data", default=str(DATA))
    args = ap.parse_args()
    if args.cmd == "rekey":
        rekey(args.src, args.dst)
        return
    sgold = {g["id"]: g["storyline"] for g in read_gold(Path(args.data) / "storylines/gold.jsonl")}
    a, b = load(args.a), load(args.b)
    sgold = {x.id: sgold[x.id] for x in a[0]}
    print(f"KEYS: A = {args.a}, B = {args.b}")
    key_changes(a[0], b[0], "storylines articles")
    key_changes(a[1], b[1], "other articles")
    runs: dict[str, Mix] = {"A": a, "B": b}
    if args.hybrids:
        runs["A's keys on the storylines articles only"] = (a[0], b[1], a[2])
        runs["A's keys on the other articles only"] = (b[0], a[1], a[2])
    cfg = LinkConfig()
    got: dict[str, dict[str, list[float]]] = {}
    asg: dict[str, tuple[dict[str, str], dict[str, str]]] = {}
    for name, (story, other, ogold) in runs.items():
        ev, sl, _ = run_linker(interleave(story, other, ogold, 0), cfg)
        asg[name] = (ev, sl)
        m = measure(sl, sgold, ogold)
        got[name] = {k: [v] for k, v in m.items()}
        print(f" fixed order, {name}: " + "; ".join(f"{k} {m[k]:.4f}" for k in KEYS))
        print(f"   other articles in each dev story's storyline: {others_by_story(sl, sgold)}")
    for name in runs:
        if name == "B":
            continue
        for layer, k in (("events", 0), ("storylines", 1)):
            pa, pb = pairs(asg[name][k], sgold), pairs(asg["B"][k], sgold)
            gain, loss = by_story(pa - pb, sgold), by_story(pb - pa, sgold)
            print(f" {layer}, {name} against B: storylines article pairs together only here {sum(gain.values())} "
                  f"{dict(gain.most_common(6))}; only in B {sum(loss.values())} {dict(loss.most_common(6))}")
    for seed in range(1, args.orders + 1):
        for name in ("A", "B"):
            story, other, ogold = runs[name]
            m = measure(run_linker(interleave(story, other, ogold, seed), cfg)[1], sgold, ogold)
            for key, v in m.items():
                got[name][key].append(v)
        print(f" order {seed}: A {got['A']['story_f1'][-1]:.4f}, B {got['B']['story_f1'][-1]:.4f}", flush=True)
    if args.orders:
        for key in KEYS:
            d = np.subtract(got["A"][key], got["B"][key])
            print(f" {key}: A {np.mean(got['A'][key]):.3f} ± {np.std(got['A'][key], ddof=1):.3f}, "
                  f"B {np.mean(got['B'][key]):.3f} ± {np.std(got['B'][key], ddof=1):.3f}, "
                  f"A - B {np.mean(d):+.3f} ± {np.std(d, ddof=1):.3f} (fixed order and {args.orders} more, paired)")
    print(json.dumps({n: {k: [round(x, 4) for x in v] for k, v in r.items()} for n, r in got.items()}))


if __name__ == "__main__":
    main()
