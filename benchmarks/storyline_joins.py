"""Which storyline joins chain unrelated news in the mixed stream, and through which keys (issue 17,
session 22).

    python benchmarks/storyline_joins.py diagnose --cache MIX.pkl [--orders 3] [--top 40]
    python benchmarks/storyline_joins.py compare --cache MIX.pkl [--orders 7] [--set "F=V;F=V"]...

``MIX.pkl``: a ``benchmarks/storyline_mix.py --cache`` pickle. As in session 21's
``storyline_floor.py`` (branch s21-st), the event layer is run once per interleaving
(``storyline_mix.interleave``) and what it hands the storyline layer recorded (each article's event,
the event merges, the twin splits; kept in ``--steps DIR`` between runs); the storyline layer alone
is then replayed on that record, which is the linker's run (``--check`` proves it on the fixed order).

``diagnose`` replays the shipped settings with every join logged: an event placed into a storyline
(``place``), an event moved by a recheck, two storylines merged by average link (``settle``), two
storylines merged because their events merged (the event layer's decision). A join is *unrelated*
when no story label (the dev gold: storylines, events, SemEval narrative groups) of the one side is
on the other. For each unrelated join by average link it logs the score, its e5 part and entity
part, and every shared entity key's share of the entity part; then sums, per key, its share over
unrelated joins and over related ones, with the key's kind (as the extractor typed it), how many
articles and story labels name it, and in how many unrelated joins it was *decisive* (the score
less that key's share falls under the bar).

``compare`` replays the shipped settings and each ``--set`` variant (``LinkConfig`` fields) on the
same events, paired order by order: ``storyline_mix.measure``'s figures plus the storylines
articles' cross-lingual recall, all and held-out half. Nothing is fitted here.
"""

from __future__ import annotations

import argparse
import json
import pickle
import sys
import time
from collections import Counter, defaultdict
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "benchmarks"))
sys.path.insert(0, str(ROOT))

from common import half  # noqa: E402
from events import parse_set, read_gold, run_linker  # noqa: E402
from storyline_mix import DATA, interleave, measure  # noqa: E402

from storyline import eval as ev  # noqa: E402
from storyline.link import LinkConfig  # noqa: E402
from storyline.link.events import EventIndex  # noqa: E402
from storyline.link.similarity import Features, features  # noqa: E402
from storyline.link.storylines import StorylineIndex, _Group, _matched, average_link  # noqa: E402
from storyline.models import Article  # noqa: E402

# One article's step: its features, its event, the event merges it made, the twin splits after it.
Step = tuple[Features, str, list[tuple[str, str]], list[tuple[str, str, list[Features]]]]


def record(arts: Sequence[Article], cfg: LinkConfig) -> tuple[list[Step], dict[str, str]]:
    """The event layer of ``Linker.add`` over ``arts``, with what it hands the storyline layer."""
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


def recorded(mix: Any, seed: int, steps_dir: Path | None) -> tuple[list[Article], list[Step], dict[str, str]]:
    story, other, ogold = mix
    arts = interleave(story, other, ogold, seed)
    path = None if steps_dir is None else steps_dir / f"steps-{seed}.pkl"
    if path is not None and path.exists():
        with open(path, "rb") as fh:
            steps, event_of = pickle.load(fh)
    else:
        steps, event_of = record(arts, LinkConfig())
        if path is not None:
            with open(path, "wb") as fh:
                pickle.dump((steps, event_of), fh)
    return arts, steps, event_of


def replay(
    steps: Sequence[Step], event_of: dict[str, str], cfg: LinkConfig, index: StorylineIndex | None = None
) -> dict[str, str]:
    """The storyline layer of ``Linker.add`` on a recorded event run: article id -> storyline."""
    sl = index if index is not None else StorylineIndex(cfg, 384, None)
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


class LoggedIndex(StorylineIndex):
    """The shipped storyline layer, logging every join (see the module doc)."""

    def __init__(self, cfg: LinkConfig, label: dict[str, str]) -> None:
        super().__init__(cfg, 384, None)
        self.label = label
        self.members: dict[str, list[str]] = defaultdict(list)  # event -> articles
        self.ctx = "place"
        self.log: list[dict[str, Any]] = []
        self._names: dict[int, str] = {}

    def track(self, steps: Sequence[Step]) -> dict[str, str]:
        event_of: dict[str, str] = {}
        for f, eid, merges, splits in steps:
            for absorbed, kept in merges:
                self.members[kept].extend(self.members.pop(absorbed, []))
                self.ctx = "event merge"
                self.merge_events(absorbed, kept)
            self.members[eid].append(f.id)
            self.add_article(eid, f.vector, f.entities, f.lang)
            if eid not in self.storyline_of:
                self.ctx = "place"
                self.place(eid, f.id)
            for cut, part_id, part in splits:
                ids = {m.id for m in part}
                self.members[cut] = [a for a in self.members[cut] if a not in ids]
                self.members[part_id] = [m.id for m in part]
                self.split_event(cut, part_id, [(m.vector, m.entities, m.lang) for m in part])
            self.take_absorbed()
        for e, arts in self.members.items():
            for a in arts:
                event_of[a] = e
        return {a: self.storyline_of[e] for a, e in event_of.items()}

    def _name(self, number: int) -> str:
        if len(self._names) != len(self.keys._new):  # nothing is frozen in a benchmark run
            self._names = {v: k for k, v in self.keys._new.items()}
        return self._names[number]

    def _articles(self, storyline_id: str) -> list[str]:
        return [a for e in self.event_ids[storyline_id] for a in self.members.get(e, [])]

    def _note(self, kind: str, a_ids: list[str], b_ids: list[str], ga: _Group | None, gb: _Group | None) -> None:
        la = Counter(self.label[i] for i in a_ids)
        lb = Counter(self.label[i] for i in b_ids)
        row: dict[str, Any] = {"kind": kind, "a": dict(la), "b": dict(lb), "related": bool(set(la) & set(lb)),
                               "na": len(a_ids), "nb": len(b_ids), "a_ids": a_ids[:3], "b_ids": b_ids[:3]}
        if ga is not None and gb is not None:
            row.update(parts(ga, gb, self.cfg, self._name))
        self.log.append(row)

    def place(self, event_id: str, first_article: str) -> str:
        self.ctx = "place"
        return super().place(event_id, first_article)

    def _recheck(self, storyline_id: str, before: int) -> str:
        self.ctx = "recheck"
        out = super()._recheck(storyline_id, before)
        self.ctx = "settle after recheck"
        return out

    def _settle(self, storyline_id: str) -> str:
        ctx, self.ctx = self.ctx, "settle"
        out = super()._settle(storyline_id)
        self.ctx = ctx
        return out

    def _attach(self, event_id: str, storyline_id: str) -> None:
        if self.groups[storyline_id].n:
            self._note(self.ctx, self.members.get(event_id, []), self._articles(storyline_id),
                       self.events[event_id], self.groups[storyline_id])
        super()._attach(event_id, storyline_id)

    def _merge(self, a: str, b: str) -> str:
        by_score = self.ctx == "settle"
        self._note("merge (" + self.ctx + ")", self._articles(a), self._articles(b),
                   self.groups[a] if by_score else None, self.groups[b] if by_score else None)
        return super()._merge(a, b)


def parts(a: _Group, b: _Group, cfg: LinkConfig, name: Any) -> dict[str, Any]:
    """Average link of ``a`` and ``b`` and its parts: e5 (with the language lift), entities, and
    each shared key's share of the entity part (weighted, as it adds to the score)."""
    score = average_link(a, b, cfg)
    ak, av = a.entities()
    bk, bv = b.entities()
    shares: dict[str, float] = {}
    if len(ak) and len(bk):
        pos, hit = _matched(ak, bk)
        for k, x, y in zip(ak[hit].tolist(), av[hit].tolist(), bv[pos].tolist(), strict=True):
            shares[name(k)] = cfg.storyline_entity_weight * x * y / (a.n * b.n)
    ent = sum(shares.values())
    ranked = dict(sorted(shares.items(), key=lambda kv: -kv[1]))
    return {"score": score, "ent": ent, "text": score - ent, "keys": ranked}


def diagnose(args: argparse.Namespace) -> None:
    with open(args.cache, "rb") as fh:
        mix = pickle.load(fh)
    story, other, ogold = mix
    sg = read_gold(Path(args.data) / "storylines/gold.jsonl")
    sgold = {g["id"]: "st:" + g["storyline"] for g in sg}
    label = {**{a.id: sgold[a.id] for a in story}, **ogold}
    kinds: dict[str, Counter[str]] = defaultdict(Counter)
    named: Counter[str] = Counter()
    labels_of: dict[str, set[str]] = defaultdict(set)
    for a in [*story, *other]:
        for e in a.entities:
            kinds[e.key][e.kind] += 1
        for k in a.entity_keys():
            named[k] += 1
            labels_of[k].add(label[a.id])
    cfg = LinkConfig()
    bar = cfg.storyline_threshold
    logs = []
    for seed in range(args.orders + 1):
        t = time.perf_counter()
        _, steps, _ = recorded(mix, seed, Path(args.steps) if args.steps else None)
        idx = LoggedIndex(cfg, label)
        pred = idx.track(steps)
        m = measure(pred, {i: sgold[i] for i in sgold if i in pred}, ogold)
        print(f" order {seed}: {len(idx.log)} joins; storylines F1 {m['story_f1']:.3f}, others' P {m['other_p']:.3f} "
              f"({time.perf_counter() - t:.0f} s)", flush=True)
        logs.append(idx.log)
    if args.json:
        Path(args.json).write_text(json.dumps(logs))

    def side(lab: dict[str, int]) -> str:
        st = sum(n for g, n in lab.items() if g.startswith("st:"))
        return "dev" if st * 2 >= sum(lab.values()) else "other"

    print("\nJOINS (all orders): kind -> related / unrelated; unrelated by sides (event side, storyline side)")
    tab: dict[str, Counter[str]] = defaultdict(Counter)
    for log in logs:
        for r in log:
            tab[r["kind"]]["related" if r["related"] else "unrelated"] += 1
            if not r["related"]:
                tab[r["kind"]][f"{side(r['a'])}->{side(r['b'])}"] += 1
    for k, c in sorted(tab.items()):
        print(f"  {k}: {dict(c)}")
    wrong: Counter[str] = Counter()
    right: Counter[str] = Counter()
    decisive: Counter[str] = Counter()
    top1: Counter[str] = Counter()
    n_wrong = 0
    margins, ents, texts, nkeys, top_share = [], [], [], [], []
    rel_text, rel_ent = [], []
    for log in logs:
        for r in log:
            if "keys" not in r:
                continue
            if r["related"]:
                right.update(r["keys"])
                rel_text.append(r["text"])
                rel_ent.append(r["ent"])
                continue
            n_wrong += 1
            wrong.update(r["keys"])
            margins.append(r["score"] - bar)
            ents.append(r["ent"])
            texts.append(r["text"])
            nkeys.append(len(r["keys"]))
            if r["keys"]:
                k0 = next(iter(r["keys"]))
                top1[k0] += 1
                top_share.append(r["keys"][k0] / r["ent"] if r["ent"] else 0.0)
            for k, s in r["keys"].items():
                if r["score"] - s < bar:
                    decisive[k] += 1
    def pc(xs: Sequence[float], nd: int = 3) -> list[float]:
        return [round(float(x), nd) for x in np.percentile(xs, (10, 50, 90))]

    print(f"\nUNRELATED JOINS BY SCORE: {n_wrong}; score - bar p10/50/90 {pc(margins)}; entity part {pc(ents)}; "
          f"e5 part {pc(texts)}; shared keys {pc(nkeys, 0)}; top key's share of the entity part {pc(top_share, 2)}; "
          f"under the bar without the entity part {sum(t < bar for t in texts)}")
    print(f"RELATED JOINS BY SCORE: {len(rel_text)}; entity part p10/50/90 {pc(rel_ent)}; e5 part {pc(rel_text)}; "
          f"under the bar without the entity part {sum(t < bar for t in rel_text)}")
    print(f"\nKEYS by their share summed over unrelated joins (top {args.top}): key [kinds] articles/labels: "
          "unrelated share, related share, decisive in, top key in")
    for k, s in wrong.most_common(args.top):
        kd = ",".join(f"{x}{n}" for x, n in kinds[k].most_common(2))
        print(f"  {k:32s} [{kd}] {named[k]}/{len(labels_of[k])}: {s:.3f}  {right[k]:.3f}  {decisive[k]}  {top1[k]}")
    for r in [r for log in logs[:1] for r in log if not r["related"] and "keys" in r][: args.examples]:
        print(f"  e.g. {r['kind']} score {r['score']:.3f} text {r['text']:.3f} ent {r['ent']:.3f} "
              f"{r['a']} -> {dict(Counter(r['b']).most_common(3))} (n {r['nb']}) "
              f"keys {dict(list((k, round(v, 3)) for k, v in r['keys'].items())[:6])} {r['a_ids']}")


def compare(args: argparse.Namespace) -> None:
    with open(args.cache, "rb") as fh:
        mix = pickle.load(fh)
    story, _, ogold = mix
    sg = read_gold(Path(args.data) / "storylines/gold.jsonl")
    ids = {a.id for a in story}
    sgold = {g["id"]: g["storyline"] for g in sg if g["id"] in ids}
    langs = {a.id: a.lang or "" for a in story}
    held = {i: g for i, g in sgold.items() if half(i) == 1}
    base = LinkConfig()
    variants = [("shipped", base)] + [(s, parse_set(s.split(";"), base)) for s in args.set]
    got: dict[str, dict[str, list[float]]] = {n: defaultdict(list) for n, _ in variants}
    for seed in range(args.start, args.orders + 1):
        arts, steps, event_of = recorded(mix, seed, Path(args.steps) if args.steps else None)
        line = []
        for name, c in variants:
            t = time.perf_counter()
            # The shipped settings' figures are kept beside the recorded events (this tree's code).
            keep = Path(args.steps) / f"shipped-{seed}.json" if args.steps and name == "shipped" else None
            if keep is not None and keep.exists() and not (seed == 0 and args.check):
                m = json.loads(keep.read_text())
            else:
                pred = replay(steps, event_of, c)
                m = measure(pred, sgold, ogold)
                m["xl_recall"] = ev.crosslingual_recall({i: pred[i] for i in sgold}, sgold, langs)[0]
                m["xl_recall_held"] = ev.crosslingual_recall({i: pred[i] for i in held}, held, langs)[0]
                if keep is not None:
                    keep.write_text(json.dumps(m))
            for k, v in m.items():
                got[name][k].append(v)
            line.append(f"{name}: F1 {m['story_f1']:.4f} held {m['held_f1']:.4f} others' P {m['other_p']:.4f} "
                        f"({time.perf_counter() - t:.0f} s)")
            if seed == 0 and args.check and name == "shipped":
                same = run_linker(arts, c)[1] == pred
                print(f" check, fixed order: the whole linker gives {'the same' if same else 'OTHER'} storylines")
                if not same:
                    raise SystemExit("the replay differs from the linker")
        print(f" order {seed}: " + "; ".join(line), flush=True)
    first = variants[0][0]
    for name, _ in variants:
        keys = list(got[name])
        print(f" {name}: " + "; ".join(
            f"{k} {np.mean(got[name][k]):.3f}±{np.std(got[name][k], ddof=1) if len(got[name][k]) > 1 else 0:.3f}"
            for k in keys))
        if name != first:
            print("   gain over shipped, paired: " + "; ".join(
                f"{k} {np.mean(d):+.3f}±{np.std(d, ddof=1) if len(d) > 1 else 0:.3f}"
                for k in keys for d in [np.subtract(got[name][k], got[first][k])]))
    if args.json:
        Path(args.json).write_text(json.dumps(got))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = ap.add_subparsers(dest="cmd", required=True)
    for name in ("diagnose", "compare"):
        p = sub.add_parser(name)
        p.add_argument("--cache", required=True)
        p.add_argument("--data", default=str(DATA))
        p.add_argument("--orders", type=int, default=7 if name == "compare" else 2)
        p.add_argument("--steps", default=None, help="a directory keeping each order's recorded event run")
        p.add_argument("--json", default=None)
    sub.choices["diagnose"].add_argument("--top", type=int, default=40)
    sub.choices["diagnose"].add_argument("--examples", type=int, default=25)
    sub.choices["compare"].add_argument("--set", action="append", default=[], metavar="F=V;F=V")
    sub.choices["compare"].add_argument("--check", action="store_true")
    sub.choices["compare"].add_argument("--start", type=int, default=0, help="the first interleaving (0: fixed)")
    args = ap.parse_args()
    diagnose(args) if args.cmd == "diagnose" else compare(args)


if __name__ == "__main__":
    main()
