"""Events, session 22 (issue 17): where the BCubed loss sits, and the baseline's lexical signal tried.

    python benchmarks/events_lexical.py --cache FILE [--groups NAME ...] [--designs NAME ...]
                                        [--errors] [--twins] [--out PICKLE]

``--cache``: the prepared articles of ``benchmarks/events_short.py --vims-rows 400 --cache FILE``
(full bodies of all 1,491 dev event articles, 400-character ledes of the first 400 ViMs rows and of
all 496 ECB+ articles; made by that script if absent). Groups as there: ViMs fitted on ECB+, ECB+
fitted on ViMs, the two halves by gold event; each linked alone in its full, lede and mixed view.

Designs (the library ships none but D0; weights fitted on the training group only):

- ``D0``: the shipped design (centred cosine + entities, max linkage), fitted on full bodies;
- ``T1``: + ``tfidf``, the simple baseline's own lexical signal (TF-IDF cosine, sublinear tf, IDF
  counted on the articles linked, as ``common.tfidf_matrix``), fitted on full bodies + ledes + mixed;
- ``T2``: D0 and T1 side by side, a pair scoring the higher of the two (an article joins when either
  model clears the bar);
- ``X1``: D0, and when the twin check's e5 cut finds nothing, a cut by an entity: the members naming
  it against the rest, kept when the rest has an entity of its own (``_signature``) and the average
  link across is under the twin bar.

``--errors``: D0's BCubed loss by error (precision lost to each wrongly merged pair of gold events,
recall to each split of a gold event). ``--twins``: how far the two events of each ECB+ topic
stand apart in e5 once what they share is removed, beside single gold events cut the same way.
``--idf-half``: the TF-IDF of the linked articles with IDF and vocabulary counted on half of them
(crc32 of the id even), a stand-in for a store that has counted part of the stream. ``--out``: the
predictions, for a paired bootstrap over topics / events (``--boot A B``).
"""

from __future__ import annotations

import argparse
import dataclasses
import pickle
import sys
import time
import zlib
from collections import Counter, defaultdict
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

import events_short as es  # noqa: E402
from common import half, tfidf_matrix  # noqa: E402
from events_sources import full_and_ledes, link, rows_of  # noqa: E402

from storyline import eval as ev  # noqa: E402
from storyline.link import LinkConfig  # noqa: E402
from storyline.link import events as link_events  # noqa: E402
from storyline.models import Article  # noqa: E402

sim = es.sim
VIEWS = es.VIEWS
TF: dict[str, dict[int, float]] = {}  # article id -> its TF-IDF row, for the articles being linked
SECOND: list[LinkConfig | None] = [None]  # T2's other model
ENTITY_CUT = [False]


def set_tfidf(arts: Sequence[Article], idf_half: bool = False) -> None:
    from sklearn.feature_extraction.text import TfidfVectorizer

    TF.clear()
    if idf_half:  # a stand-in for a store that has counted part of the stream
        texts = [f"{a.title}\n{a.body}" for a in arts]
        part = [t for a, t in zip(arts, texts, strict=True) if zlib.crc32(a.id.encode()) % 2 == 0]
        x = TfidfVectorizer(sublinear_tf=True, min_df=1).fit(part).transform(texts).tocsr()
    else:
        x = tfidf_matrix(arts).tocsr()  # type: ignore[attr-defined]
    for k, a in enumerate(arts):
        row = x.getrow(k)
        TF[a.id] = dict(zip(row.indices.tolist(), row.data.tolist(), strict=True))


_signals, _combine, _split = sim.signals, link_events.combine, link_events.EventIndex.split


def signals(fa: sim.Features, fb: sim.Features, config: LinkConfig | None = None) -> dict[str, float | None]:
    out = _signals(fa, fb, config)
    a, b = TF.get(fa.id), TF.get(fb.id)
    if a is None or b is None:
        out["tfidf"] = None
    else:
        a, b = (a, b) if len(a) <= len(b) else (b, a)
        out["tfidf"] = sum(v * b.get(k, 0.0) for k, v in a.items())
    return out


def combine(sig: dict[str, float | None], cfg: LinkConfig | None = None) -> float:
    p = _combine(sig, cfg)
    return p if SECOND[0] is None else max(p, _combine(sig, SECOND[0]))


def split(self: link_events.EventIndex, event_id: str) -> list[tuple[str, str, list[str]]]:
    out = _split(self, event_id)
    ids = self.members.get(event_id, [])
    if out or not ENTITY_CUT[0] or len(ids) < 2 * link_events.TWIN_MIN_NAMING:
        return out
    feats = [self.feats[i] for i in ids]
    named = Counter(k for f in feats for k in f.entities)
    best = None
    for k, c in named.items():
        if c < link_events.TWIN_MIN_NAMING or len(feats) - c < link_events.TWIN_MIN_NAMING:
            continue
        a = [f for f in feats if k in f.entities]
        b = [f for f in feats if k not in f.entities]
        if link_events._signature(b, a, self.cfg.twin_entity_share):
            lk = link_events._average_link(a, b, self.cfg)
            if lk < self.cfg.twin_link_bar and (best is None or lk < best[0]):
                best = (lk, a, b)
    if best is None:
        return []
    keep, move = (best[1], best[2]) if ids[0] in {f.id for f in best[1]} else (best[2], best[1])
    return self._part(event_id, keep, move)


sim.signals = link_events.signals = signals  # type: ignore[assignment]
link_events.combine = combine  # type: ignore[assignment]
link_events.EventIndex.split = split  # type: ignore[method-assign]
sim.WEIGHTED = (*sim.WEIGHTED, "tfidf")  # type: ignore[misc]


def fit(vw: es.Views, groups: Sequence[Sequence[Article]], names: Sequence[str], gold: dict[str, str]
        ) -> tuple[tuple[str, float], ...]:
    """As ``events_short.fit`` (30 nearest pairs, logistic, C=10), the TF-IDF counted per group."""
    from sklearn.linear_model import LogisticRegression

    xs, ys = [], []
    for arts in groups:
        set_tfidf(arts)
        fs = [vw.feats(a) for a in arts]
        for i, j in es._pairs(arts):
            s = sim.signals(fs[i], fs[j])
            xs.append([s[n] or 0.0 for n in names])
            ys.append(gold[arts[i].id] == gold[arts[j].id])
    lr = LogisticRegression(C=10.0, max_iter=5000).fit(np.array(xs), np.array(ys, dtype=float))
    w = [("bias", float(lr.intercept_[0])), *zip(names, map(float, lr.coef_[0]), strict=True)]
    return (*((k, round(v, 2)) for k, v in w), ("crosslingual", dict(LinkConfig().weights)["crosslingual"]))


def losses(pred: dict[str, str], gold: dict[str, str]) -> tuple[list[tuple[float, str, str, int, int]],
                                                                list[tuple[float, str, int, int]]]:
    """BCubed precision lost to each pair of gold events one predicted event holds, and recall lost
    to each pair of predicted events one gold event is split into (each over all articles)."""
    n = len(gold)
    by_pred: dict[str, list[str]] = defaultdict(list)
    by_gold: dict[str, list[str]] = defaultdict(list)
    for i in gold:
        by_pred[pred[i]].append(i)
        by_gold[gold[i]].append(i)
    merges, splits = [], []
    for mem in by_pred.values():
        c = Counter(gold[i] for i in mem)
        ks = sorted(c)
        merges += [(2 * c[a] * c[b] / len(mem) / n, a, b, c[a], c[b]) for x, a in enumerate(ks) for b in ks[x + 1:]]
    for e, mem in by_gold.items():
        c = Counter(pred[i] for i in mem)
        ks = sorted(c)
        splits += [(2 * c[a] * c[b] / len(mem) / n, e, c[a], c[b]) for x, a in enumerate(ks) for b in ks[x + 1:]]
    return sorted(merges, reverse=True), sorted(splits, reverse=True)


def twins(full: Sequence[Article], gold: dict[str, str]) -> None:
    """Share of the residual variance (vectors less their mean) on the leading direction, and the
    mean residual cosine within the e5 cut's halves less across them: ECB+ topics (two gold events)
    beside single gold events of four articles or more."""
    from storyline.link.similarity import features

    by: dict[str, list[Article]] = defaultdict(list)
    for a in full:
        by[gold[a.id]].append(a)
        if a.id.startswith("ecb-"):
            by["TOPIC " + a.id.split("_")[0]].append(a)
    rows = []
    for name, arts in by.items():
        if len(arts) < 4:
            continue
        v = np.stack([features(a).vector for a in arts]).astype(np.float64)  # type: ignore[misc]
        side = link_events._cut(v)
        if side is None:
            continue
        r = v - v.mean(0)
        s = np.linalg.svd(r, compute_uv=False)
        rn = r / np.linalg.norm(r, axis=1, keepdims=True)
        c = rn @ rn.T
        a, b = np.where(~side)[0], np.where(side)[0]
        within = (c[np.ix_(a, a)].sum() - len(a) + c[np.ix_(b, b)].sum() - len(b)) / max(
            len(a) * (len(a) - 1) + len(b) * (len(b) - 1), 1)
        rows.append((name, float(s[0] ** 2 / (s ** 2).sum()), float(within - c[np.ix_(a, b)].mean()), len(arts)))
    for kind in ("TOPIC ecb", "ecb-", "vims-"):
        sel = sorted((r for r in rows if r[0].startswith(kind)), key=lambda r: r[1])
        print(f"{kind:<10} n={len(sel)}: leading share {min(r[1] for r in sel):.3f}-{max(r[1] for r in sel):.3f}, "
              f"gap {min(r[2] for r in sel):.3f}-{max(r[2] for r in sel):.3f}; lowest: "
              + ", ".join(f"{r[0]} {r[1]:.3f}/{r[2]:.3f}" for r in sel[:4]))


def boot(res: dict[tuple[str, str, str], dict[str, str]], gold: dict[str, str], a: str, b: str) -> None:
    """Paired bootstrap of F1(b) - F1(a): ECB+ topics and ViMs gold events resampled (seed 0, 500)."""
    for g in sorted({k[0] for k in res}):
        for v in VIEWS:
            if (g, a, v) not in res or (g, b, v) not in res:
                continue
            pa, pb = res[(g, a, v)], res[(g, b, v)]
            units: dict[str, list[str]] = defaultdict(list)
            for i in pa:
                units[i.split("_")[0] if i.startswith("ecb-") else gold[i]].append(i)
            keys = sorted(units)
            rng = np.random.default_rng(0)
            d = []
            for _ in range(500):
                p, q, gg = {}, {}, {}
                for n, k in enumerate(rng.choice(len(keys), len(keys))):
                    for i in units[keys[int(k)]]:
                        key = f"{n}:{i}"
                        p[key], q[key], gg[key] = f"{n}:{pa[i]}", f"{n}:{pb[i]}", f"{n}:{gold[i]}"
                d.append(ev.bcubed(q, gg).f1 - ev.bcubed(p, gg).f1)
            g0 = {i: gold[i] for i in pa}
            fa, fb = ev.bcubed(pa, g0).f1, ev.bcubed(pb, g0).f1
            lo, hi = np.quantile(d, [0.05, 0.95])
            print(f"  {g:<6} {v:<6} {a} {fa:.3f}  {b} {fb:.3f}  {fb - fa:+.3f} [90% {lo:+.3f}, {hi:+.3f}]", flush=True)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--data", type=Path, default=ROOT.parent / "shared/data")
    ap.add_argument("--cache", type=Path, required=True)
    ap.add_argument("--groups", nargs="*", default=["ViMs", "ECB+", "half 0", "half 1"])
    ap.add_argument("--designs", nargs="*", default=["D0", "T1", "T2", "X1"])
    ap.add_argument("--errors", action="store_true")
    ap.add_argument("--twins", action="store_true")
    ap.add_argument("--idf-half", action="store_true", help="IDF from half the linked articles (crc32 even)")
    ap.add_argument("--out", type=Path, default=None)
    ap.add_argument("--boot", nargs=2, default=None, metavar=("A", "B"), help="designs compared from --out")
    args = ap.parse_args()
    t0 = time.perf_counter()
    rows, gold = rows_of(args.data)
    if args.boot:
        with open(args.out, "rb") as fh:
            boot(pickle.load(fh), gold, *args.boot)
        return
    full, lede = full_and_ledes(rows, args.cache)
    if args.twins:
        twins(full, gold)
    vw = es.Views(full, lede)
    ids = [a.id for a in full]
    inside: dict[str, Callable[[str], bool]] = {
        "ViMs": lambda i: i.startswith("vims-"), "ECB+": lambda i: i.startswith("ecb-"),
        "half 0": lambda i: half(gold[i]) == 0, "half 1": lambda i: half(gold[i]) == 1,
    }
    res: dict[tuple[str, str, str], dict[str, str]] = {}
    for g in args.groups:
        test = [i for i in ids if inside[g](i) and i in vw.lede]
        train = [i for i in ids if not inside[g](i)]
        train_l = [i for i in train if i in vw.lede]
        g0 = {i: gold[i] for i in test}
        d0 = fit(vw, [vw(train, "full")], ("centred", "entities"), gold)
        t1 = fit(vw, [vw(train, "full"), vw(train_l, "lede"), vw(train_l, "mixed")],
                 ("centred", "entities", "tfidf"), gold)
        print(f"\n{g}: {len(test)} linked; D0 {dict(d0)}; T1 {dict(t1)}", flush=True)
        for d in args.designs:
            cfg = dataclasses.replace(LinkConfig(), weights=t1 if d == "T1" else d0)
            SECOND[0] = dataclasses.replace(LinkConfig(), weights=t1) if d == "T2" else None
            ENTITY_CUT[0] = d == "X1"
            cells = []
            for v in VIEWS:
                arts = vw(test, v)
                set_tfidf(arts, args.idf_half)
                res[(g, d, v)] = pred = link(arts, cfg)
                cells.append(ev.bcubed(pred, g0))
                if args.errors and d == "D0":
                    m, s = losses(pred, g0)
                    print(f"    {v}: precision lost to merges {sum(x[0] for x in m):.3f}, recall to splits "
                          f"{sum(x[0] for x in s):.3f} ({len(s)} split pairs); costliest merges: "
                          + "; ".join(f"{a}+{b} ({na}+{nb}) {x:.3f}" for x, a, b, na, nb in m[:3]))
            print(f"  {d:<3} " + "  ".join(f"{v} {c.f1:.3f} (P {c.p:.3f} R {c.r:.3f})"
                                          for v, c in zip(VIEWS, cells, strict=True)), flush=True)
            SECOND[0], ENTITY_CUT[0] = None, False
        if args.out:
            with open(args.out, "wb") as fh:
                pickle.dump(res, fh)
    print(f"({time.perf_counter() - t0:.0f} s)")


if __name__ == "__main__":
    main()
