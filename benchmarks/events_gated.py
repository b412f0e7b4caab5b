"""Events, session 24 (issue 17): the TF-IDF second model, counted as the stream arrives, only where
it can tell a brief's event and not a storyline's.

    python benchmarks/events_gated.py --cache FILE [--parts short full storylines] [--designs NAME ...]
                                      [--out PICKLE] [--boot A B]

Session 23 linked with two models, a pair scoring the higher: D0 (the shipped centred cosine +
entities) and T1 (the same + a TF-IDF cosine, document frequencies counted as articles arrive). It
lifted ViMs briefs above the simple baseline but joined events of one storyline weeks apart and
added merges on full articles. Here T1 only speaks for a pair that passes a *gate* (D0 always
does):

- ``T2``: no gate (session 23's pair scoring);
- ``T2d<N>``: both articles dated and published at most N days apart (a brief arrives with its
  event's other reports; a storyline's events are weeks apart);
- ``T2s``: the shorter article a brief (at most ``SHORT_TERMS`` distinct content words);
- ``T2sd<N>``: a brief and both dated at most N days apart; ``T2sud<N>``: the same, undated
  pairs passing the day test.

The lexical side is what the linker would count: each article's content words with sublinear tf
(``Features.words``: lower-cased, stop words out, 1 + log count), weighed by a smoothed IDF over the
articles seen so far in the run (its own included), unit length. T1's weights are fitted as session
22 fitted them (30 nearest pairs of the training group's full bodies, ledes and mixed view, IDF over
each view, logistic C=10, every pair: the gate acts at link time only, so the same T1 serves
every gate; ECB+ has no dates).

Parts (each group linked alone through the real ``Linker``, in the given order, weights fitted on
the training group only; baseline = e5 + TF-IDF average link tuned on the training group's full
bodies, as ``benchmarks/events_short.py``):

- ``short``: ``benchmarks/events_short.py``'s groups (ViMs 400 fit ECB+, ECB+ fit ViMs, the halves
  by gold event; the articles with a lede) in full, lede and mixed views;
- ``full``: ``benchmarks/events.py``'s cross-fit groups, every article, full bodies;
- ``storylines``: ``benchmarks/events.py --only storylines``, fixed (publish) order, all and the
  held-out half, T1 fitted on every dev event but the quality gate's (D0: the shipped weights);
- ``gate``: ``tests/test_quality_gate.py``'s events through ``Pipeline.run``, T1 fitted as for
  ``storylines`` (the gate's articles are in neither fit).

``--boot A B``: paired bootstrap of F1(B) - F1(A) from ``--out``; a unit is a connected set of
gold events (ECB+: topics) joined by any predicted event of A or B, so a wrong merge across units
stays inside one resampled unit and costs what it costs (session 22-23's units hid them).
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime as dt
import math
import pickle
import sys
import time
from collections import defaultdict
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

import events_short as es  # noqa: E402
from common import half, pipeline_articles  # noqa: E402
from events import read_gold, sub  # noqa: E402
from events_sources import agglomerative, full_and_ledes, rows_of  # noqa: E402
from storyline_mix import _union  # noqa: E402

from storyline import eval as ev  # noqa: E402
from storyline.link import LinkConfig, Linker  # noqa: E402
from storyline.link import events as link_events  # noqa: E402
from storyline.models import Article  # noqa: E402

sim = es.sim
VIEWS = es.VIEWS
SHORT_TERMS = 60  # distinct content words: a 400-character lede has 25-70, a full article 100-600
GATE_IDS = ROOT / "tests/data/gate/events/gold.jsonl"


class RunningIdf:
    """Document frequencies of content words over the articles seen so far (each counted once,
    when first scored or linked), and the TF-IDF cosine of two articles at this moment."""

    def __init__(self) -> None:
        self.df: dict[str, int] = defaultdict(int)
        self.n = self.pairs = self.wordless = 0
        self.seen: set[int] = set()
        self.kept: list[sim.Features] = []  # so an id() is not reused within the run

    def count(self, f: sim.Features) -> None:
        if id(f) in self.seen:
            return
        self.seen.add(id(f))
        self.kept.append(f)
        self.n += 1
        for w in f.words:
            self.df[w] += 1

    def idf(self, w: str) -> float:
        return math.log((1 + self.n) / (1 + self.df.get(w, 0))) + 1.0

    def cosine(self, fa: sim.Features, fb: sim.Features) -> float | None:
        self.pairs += 1
        if not fa.words or not fb.words:  # a head read back from a store holds no words
            self.wordless += 1
            return None
        a = {w: v * self.idf(w) for w, v in fa.words.items()}
        b = {w: v * self.idf(w) for w, v in fb.words.items()}
        na = math.sqrt(sum(x * x for x in a.values()))
        nb = math.sqrt(sum(x * x for x in b.values()))
        small, big = (a, b) if len(a) <= len(b) else (b, a)
        return sum(v * big.get(w, 0.0) for w, v in small.items()) / (na * nb)


Gate = Callable[[sim.Features, sim.Features], bool]


def _days(fa: sim.Features, fb: sim.Features) -> int | None:
    if fa.published is None or fb.published is None:
        return None
    return abs((fa.published - fb.published).days)  # type: ignore[operator]


def gate_of(name: str) -> Gate | None:
    """The gate a design name asks for (None: no second model): ``T2`` none; then ``s`` the
    shorter a brief, ``d<N>`` both dated and at most N days apart, ``u`` undated pairs pass the
    day test (``T2sud2``: a brief, within 2 days where both are dated)."""
    if name == "D0":
        return None
    rest = name[2:]
    short, undated = "s" in rest, "u" in rest
    days = int(rest.split("d")[1]) if "d" in rest else None

    def gate(fa: sim.Features, fb: sim.Features) -> bool:
        if short and min(len(fa.words), len(fb.words)) > SHORT_TERMS:
            return False
        if days is None:
            return True
        d = _days(fa, fb)
        return undated if d is None else d <= days

    return gate


# --- the linker with the second model patched in ------------------------------------------------
STATE: dict[str, object] = {"idf": RunningIdf(), "gate": None, "second": None, "fitting": False}
_signals, _combine, _index = sim.signals, link_events.combine, link_events.EventIndex._index_article


def signals(fa: sim.Features, fb: sim.Features, config: LinkConfig | None = None) -> dict[str, float | None]:
    out = _signals(fa, fb, config)
    idf: RunningIdf = STATE["idf"]  # type: ignore[assignment]
    gate: Gate | None = STATE["gate"]  # type: ignore[assignment]
    out["tfidf"] = None
    if STATE["fitting"] or (gate is not None and gate(fa, fb)):
        idf.count(fa)
        idf.count(fb)
        out["tfidf"] = idf.cosine(fa, fb)
    return out


def combine(sig: dict[str, float | None], cfg: LinkConfig | None = None) -> float:
    p = _combine({**sig, "tfidf": None}, cfg)
    second: LinkConfig | None = STATE["second"]  # type: ignore[assignment]
    if second is None or sig.get("tfidf") is None:
        return p
    return max(p, _combine(sig, second))


def index_article(self: link_events.EventIndex, f: sim.Features) -> None:
    STATE["idf"].count(f)  # type: ignore[attr-defined]
    _index(self, f)


sim.signals = link_events.signals = signals  # type: ignore[assignment]
link_events.combine = combine  # type: ignore[assignment]
link_events.EventIndex._index_article = index_article  # type: ignore[method-assign]
sim.WEIGHTED = (*sim.WEIGHTED, "tfidf")  # type: ignore[misc]


def run(arts: Sequence[Article], d0: LinkConfig, t1: LinkConfig | None, design: str
        ) -> tuple[dict[str, str], dict[str, str]]:
    """Events and storylines of ``arts`` linked in order by ``design`` (a fresh document count)."""
    STATE.update(idf=RunningIdf(), gate=gate_of(design), second=t1 if gate_of(design) else None)
    lk = Linker(d0)
    lk.add(list(arts))
    asg = lk.assignments()
    STATE.update(idf=RunningIdf(), gate=None, second=None)
    return {a.article_id: a.event for a in asg}, {a.article_id: a.storyline for a in asg}


def fit(vw: es.Views, groups: Sequence[Sequence[Article]], names: Sequence[str], gold: dict[str, str]
        ) -> tuple[tuple[str, float], ...]:
    """Logistic weights over ``names`` on the 30 nearest pairs of each group (C=10, as
    ``events_short.fit``), the document frequencies counted over each group whole."""
    from sklearn.linear_model import LogisticRegression

    xs, ys = [], []
    for arts in groups:
        fs = [vw.feats(a) for a in arts]
        STATE.update(idf=RunningIdf(), fitting=True)
        for f in fs:
            STATE["idf"].count(f)  # type: ignore[attr-defined]
        for i, j in es._pairs(arts):
            s = sim.signals(fs[i], fs[j])
            xs.append([s[n] or 0.0 for n in names])
            ys.append(gold[arts[i].id] == gold[arts[j].id])
        STATE.update(idf=RunningIdf(), fitting=False)
    lr = LogisticRegression(C=10.0, max_iter=5000).fit(np.array(xs), np.array(ys, dtype=float))
    w = [("bias", float(lr.intercept_[0])), *zip(names, map(float, lr.coef_[0]), strict=True)]
    return (*((k, round(v, 2)) for k, v in w), ("crosslingual", dict(LinkConfig().weights)["crosslingual"]))


def models(vw: es.Views, train: Sequence[str], gold: dict[str, str]) -> tuple[LinkConfig, LinkConfig]:
    train_l = [i for i in train if i in vw.lede]
    d0 = fit(vw, [vw(train, "full")], ("centred", "entities"), gold)
    t1 = fit(vw, [vw(train, "full"), vw(train_l, "lede"), vw(train_l, "mixed")], ("centred", "entities", "tfidf"), gold)
    return dataclasses.replace(LinkConfig(), weights=d0), dataclasses.replace(LinkConfig(), weights=t1)


def cell(p: ev.PRF) -> str:
    return f"{p.f1:.3f} ({p.p:.3f}/{p.r:.3f})"


# --- parts ----------------------------------------------------------------------------------------
Res = dict[tuple[str, str, str], dict[str, str]]


def part_short(vw: es.Views, gold: dict[str, str], designs: Sequence[str], res: Res, full_all: bool,
               only: Sequence[str] | None = None) -> None:
    ids = list(vw.full)
    groups: dict[str, Callable[[str], bool]] = {
        "ViMs": lambda i: i.startswith("vims-"), "ECB+": lambda i: i.startswith("ecb-"),
        "half 0": lambda i: half(gold[i]) == 0, "half 1": lambda i: half(gold[i]) == 1,
    }
    views = ("full",) if full_all else VIEWS
    for g, inside in groups.items():
        if only and g not in only:
            continue
        test = [i for i in ids if inside(i) and (full_all or i in vw.lede)]
        train = [i for i in ids if not inside(i)]
        gt = {i: gold[i] for i in test}
        d0, t1 = models(vw, train, gold)
        print(f"\n{'full, every article' if full_all else 'short'}: {g} ({len(test)} linked); D0 {dict(d0.weights)}; "
              f"T1 {dict(t1.weights)}", flush=True)
        p = es.tune_baseline(vw, train, [], ("full",), gold)
        print(f"  {'baseline ' + str(p):<16} " + "  ".join(
            f"{v} {cell(ev.bcubed(agglomerative(vw(test, v), *p), gt))}" for v in views), flush=True)
        for d in designs:
            cells = []
            for v in views:
                t = time.perf_counter()
                res[(g + (" all" if full_all else ""), d, v)] = pred = run(vw(test, v), d0, t1, d)[0]
                cells.append(f"{v} {cell(ev.bcubed(pred, gt))}")
            print(f"  {d:<16} " + "  ".join(cells) + f"  ({time.perf_counter() - t:.0f} s last view)", flush=True)


STORY_CACHE: list[Path | None] = [None]


def _storyline_articles(data: Path) -> list[Article]:
    """The storylines articles through the pipeline's clean + enrich (kept in ``--story-cache``)."""
    path = STORY_CACHE[0]
    if path is not None and path.exists():
        with open(path, "rb") as fh:
            return list(pickle.load(fh))
    arts, _ = pipeline_articles(data / "storylines/articles.jsonl")
    if path is not None:
        with open(path, "wb") as fh:
            pickle.dump(arts, fh)
    return arts


def part_storylines(vw: es.Views, gold_ev: dict[str, str], designs: Sequence[str], data: Path, res: Res) -> None:
    gate = {g["id"] for g in read_gold(GATE_IDS)}
    train = [i for i in vw.full if i not in gate]
    _, t1 = models(vw, train, gold_ev)
    d0 = LinkConfig()  # the shipped weights (fitted on every dev event but the gate's)
    gg = read_gold(data / "storylines/gold.jsonl")
    gold = {g["id"]: g["storyline"] for g in gg}
    langs = {g["id"]: g["lang"] for g in gg}
    arts = _storyline_articles(data)
    arts.sort(key=lambda a: (a.published or dt.date.max, a.id))
    gh = sub(gold, lambda i: half(i) == 1)
    print(f"\nstorylines, fixed order ({len(arts)} articles); T1 {dict(t1.weights)}", flush=True)
    for d in designs:
        t = time.perf_counter()
        evs, pred = run(arts, d0, t1, d)
        res[("storylines", d, "full")] = pred
        cells = []
        for label, g in (("all", gold), ("held-out half", gh)):
            p = ev.bcubed(pred, g)
            x = ev.crosslingual_recall(pred, g, langs)[0]
            cells.append(f"{label} {p.f1:.3f} (P {p.p:.3f} R {p.r:.3f}) / x-lingual {x:.3f}")
        print(f"  {d:<16} " + "; ".join(cells) + f"; {len(set(evs.values()))} events ({time.perf_counter() - t:.0f} s)",
              flush=True)


def part_gate(vw: es.Views, gold_ev: dict[str, str], designs: Sequence[str], res: Res) -> None:
    """``tests/test_quality_gate.py``'s events: its 121 articles through ``Pipeline.run`` into a
    store (the pipeline's batches), D0 the shipped weights, T1 fitted on every dev event but these."""
    import tempfile

    from common import CACHE

    from storyline import Pipeline, Settings, open_store

    gold = {g["id"]: g["event"] for g in read_gold(GATE_IDS)}
    _, t1 = models(vw, [i for i in vw.full if i not in gold], gold_ev)
    print(f"\nquality gate events ({len(gold)} articles); T1 {dict(t1.weights)}", flush=True)
    pipe = Pipeline(Settings(vector_cache=str(CACHE)))
    ecb = {i: e for i, e in gold.items() if i.startswith("ecb-")}
    for d in designs:
        STATE.update(idf=RunningIdf(), gate=gate_of(d), second=t1 if gate_of(d) else None)
        with tempfile.TemporaryDirectory() as tmp:
            store = open_store(Path(tmp) / "gate.db")
            pipe.run([GATE_IDS.parent / "articles.jsonl"], store)
            pred = {a.article_id: a.event for a in store.assignments()}
        idf: RunningIdf = STATE["idf"]  # type: ignore[assignment]
        print(f"    ({idf.pairs} pairs measured, {idf.wordless} without words on a side)")
        STATE.update(idf=RunningIdf(), gate=None, second=None)
        res[("gate", d, "full")] = pred
        print(f"  {d:<16} all {cell(ev.bcubed(pred, gold))}  ECB+ {cell(ev.bcubed(pred, ecb))}  "
              f"ViMs {cell(ev.bcubed(pred, sub(gold, lambda i: i.startswith('vims-'))))}", flush=True)


# --- bootstrap ------------------------------------------------------------------------------------
def units_of(ids: Sequence[str], gold: dict[str, str], preds: Sequence[dict[str, str]]) -> list[list[str]]:
    """Connected sets of articles: one gold event (ECB+: one topic), joined wherever a predicted
    event of any of ``preds`` holds articles of two of them."""
    keys: list[dict[str, str]] = [{i: (i.split("_")[0] if i.startswith("ecb-") else gold[i]) for i in ids}]
    keys += [{i: f"p{k}:{p[i]}" for i in ids} for k, p in enumerate(preds)]
    pairs = []
    for key in keys:
        first: dict[str, str] = {}
        pairs += [(i, first.setdefault(key[i], i)) for i in ids]
    out: dict[str, list[str]] = defaultdict(list)
    for i, r in _union(pairs, ids).items():
        out[r].append(i)
    return list(out.values())


def boot(res: Res, gold_of: Callable[[str], dict[str, str]], a: str, b: str, rounds: int = 500) -> None:
    """Paired bootstrap of F1(b) - F1(a) over ``units_of`` (seed 0)."""
    for g, _, v in sorted(k for k in res if k[1] == a):
        if (g, b, v) not in res:
            continue
        pa, pb = res[(g, a, v)], res[(g, b, v)]
        gold = gold_of(g)
        ids = [i for i in pa if i in gold]
        units = units_of(ids, gold, [pa, pb])
        rng = np.random.default_rng(0)
        diffs = []
        for _ in range(rounds):
            p, q, gg = {}, {}, {}
            for n, k in enumerate(rng.choice(len(units), len(units))):
                for i in units[int(k)]:
                    key = f"{n}:{i}"
                    p[key], q[key], gg[key] = f"{n}:{pa[i]}", f"{n}:{pb[i]}", f"{n}:{gold[i]}"
            diffs.append(ev.bcubed(q, gg).f1 - ev.bcubed(p, gg).f1)
        g0 = {i: gold[i] for i in ids}
        fa, fb = ev.bcubed(pa, g0).f1, ev.bcubed(pb, g0).f1
        lo, hi = np.quantile(diffs, [0.05, 0.95])
        print(f"  {g:<12} {v:<6} {a} {fa:.3f}  {b} {fb:.3f}  {fb - fa:+.3f} [90% {lo:+.3f}, {hi:+.3f}] "
              f"({len(units)} units)", flush=True)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--data", type=Path, default=ROOT.parent / "shared/data")
    ap.add_argument("--cache", type=Path, required=True, help="events_short.py's prepared articles (made if absent)")
    ap.add_argument("--parts", nargs="*", default=["short", "full", "storylines"])
    ap.add_argument("--designs", nargs="*", default=["D0", "T2", "T2d2", "T2s", "T2sd2", "T2sud2"])
    ap.add_argument("--out", type=Path, default=None)
    ap.add_argument("--groups", nargs="*", default=None, help="short/full: only these (ViMs, ECB+, half 0, half 1)")
    ap.add_argument("--story-cache", type=Path, default=None, help="pickle of the prepared storylines articles")
    ap.add_argument("--boot", nargs=2, default=None, metavar=("A", "B"))
    args = ap.parse_args()
    t0 = time.perf_counter()
    STORY_CACHE[0] = args.story_cache
    if args.parts == ["story-prep"]:
        print(len(_storyline_articles(args.data)), "storylines articles prepared")
        return
    rows, gold = rows_of(args.data)
    sgold = {g["id"]: g["storyline"] for g in read_gold(args.data / "storylines/gold.jsonl")}
    if args.boot:
        with open(args.out, "rb") as fh:
            boot(pickle.load(fh), lambda g: sgold if g == "storylines" else gold, *args.boot)
        return
    full, lede = full_and_ledes(rows, args.cache)
    vw = es.Views(full, lede)
    res: Res = {}
    if args.out and args.out.exists():
        with open(args.out, "rb") as fh:
            res = pickle.load(fh)
    for part in args.parts:
        if part == "storylines":
            part_storylines(vw, gold, args.designs, args.data, res)
        elif part == "gate":
            part_gate(vw, gold, args.designs, res)
        else:
            part_short(vw, gold, args.designs, res, full_all=part == "full", only=args.groups)
        if args.out:
            with open(args.out, "wb") as fh:
                pickle.dump(res, fh)
    print(f"({time.perf_counter() - t0:.0f} s)")


if __name__ == "__main__":
    main()
