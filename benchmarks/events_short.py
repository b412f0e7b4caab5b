"""Events on short bodies (issue 17, session 20): every dev article cut to a feed's brief, the linker
beside the simple baseline, leave-one-source-out, with the candidate fixes.

    python benchmarks/events_short.py [--data DIR] [--designs NAME ...] [--groups NAME ...]
                                      [--vims-rows N] [--no-baseline]

Each article has three views: ``full`` (as given), ``lede`` (the body cut to its opening, at most 400
characters at a sentence end: ``events_sources._short``) and ``mixed`` (half the articles by crc32 of
their id as ledes, half full: a stream that mixes briefs and articles). Every view goes through the
pipeline's clean + enrich (``events_sources.prepare``); each lede is a new encoder input, cached in
the shared vector cache (the first run pays ~0.3-1 s an article on a busy machine; ``--vims-rows N``
takes the ViMs ledes of the first N ViMs rows only, the ECB+ ledes always all).

Groups: ViMs fitted on ECB+ and ECB+ fitted on ViMs (leave-one-source-out), the two halves by gold
event (cross-fitted); each test group linked alone in each view. Designs (weights always fitted on
the training group only; "+ledes": its full, lede and mixed views pooled):

- ``D0``: the shipped design (centred cosine + entities), fitted on full bodies (the LOSO figure);
- ``D1``: the same, fitted on full bodies and ledes;
- ``D2``: + ``brevity`` (1 - the shorter body's words / ``BREVITY_WORDS``, floored at 0: a bar that
  falls for short texts), fitted on full bodies and ledes;
- ``D4``: entities on the shorter text's share (shared keys / the smaller set's size) in place of
  the Jaccard, fitted on full bodies and ledes;
- ``D6``: the shipped design's weights as fitted on full bodies, plus a ``brevity`` offset fitted on
  full bodies and ledes with those held (one new knob);
- ``D7`` / ``D8``: + body words (the ``words`` signal, log-tf cosine), fitted on full bodies / +ledes.

Baseline: e5 + TF-IDF average link (``events_sources.agglomerative``), alpha and bar tuned on the
training group's full bodies (as ``benchmarks/events.py``) and, separately, on its full, lede and
mixed views together.
"""

from __future__ import annotations

import argparse
import contextlib
import dataclasses
import importlib
import pickle
import sys
import time
import zlib
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from common import half  # noqa: E402
from events_sources import _short, agglomerative, link, prepare, rows_of  # noqa: E402

from storyline import eval as ev  # noqa: E402
from storyline.clean.text import n_words  # noqa: E402
from storyline.link import LinkConfig  # noqa: E402
from storyline.link import events as link_events  # noqa: E402
from storyline.models import Article  # noqa: E402

# The module, not ``storyline.link.similarity`` the function that ``storyline.link`` exports.
sim = importlib.import_module("storyline.link.similarity")

VIEWS = ("full", "lede", "mixed")
BREVITY_WORDS = 200  # session 20 also measured 100: the same picture (docs/benchmarks.md)


# --- the candidate signals, patched in for the run (the library ships none of them) ----------------
@contextlib.contextmanager
def candidate_signals(brevity_words: int = BREVITY_WORDS) -> Iterator[None]:
    """``similarity.signals`` plus ``brevity`` and ``entities_shorter``, which ``combine`` weighs
    when a weight names them; ``features`` notes each article's body words (``n_words``) for
    ``brevity``, by the ``Features`` object (the lede and the full article share an id)."""
    import storyline.link as link_pkg

    saved = sim.signals, sim.features, sim.WEIGHTED
    words: dict[int, tuple[sim.Features, int]] = {}

    def features(a: Article) -> sim.Features:
        f = saved[1](a)
        words[id(f)] = (f, n_words(a.body))  # the object kept, so its id is not reused
        return f

    def signals(fa: sim.Features, fb: sim.Features, config: LinkConfig | None = None) -> dict[str, float | None]:
        out = saved[0](fa, fb, config)
        if fa.entities and fb.entities:
            out["entities_shorter"] = len(fa.entities & fb.entities) / min(len(fa.entities), len(fb.entities))
        else:
            out["entities_shorter"] = None
        out["brevity"] = max(0.0, 1.0 - min(words[id(fa)][1], words[id(fb)][1]) / brevity_words)
        return out

    sim.signals = link_events.signals = signals  # type: ignore[assignment]
    sim.features = link_pkg.features = features  # type: ignore[attr-defined]
    sim.WEIGHTED = (*saved[2], "brevity", "entities_shorter")  # type: ignore[misc]
    try:
        yield
    finally:
        sim.signals = link_events.signals = saved[0]  # type: ignore[assignment]
        sim.features = link_pkg.features = saved[1]  # type: ignore[attr-defined]
        sim.WEIGHTED = saved[2]  # type: ignore[misc]


# --- views, fits ----------------------------------------------------------------------------------
class Views:
    def __init__(self, full: Sequence[Article], lede: Sequence[Article]) -> None:
        self.full = {a.id: a for a in full}
        self.lede = {a.id: a for a in lede}
        self._feats: dict[tuple[str, str], sim.Features] = {}

    def __call__(self, ids: Sequence[str], kind: str) -> list[Article]:
        if kind == "full":
            return [self.full[i] for i in ids]
        if kind == "lede":
            return [self.lede[i] for i in ids]
        return [self.lede[i] if zlib.crc32(i.encode()) % 2 else self.full[i] for i in ids]

    def feats(self, a: Article) -> sim.Features:
        k = (a.id, "lede" if self.lede.get(a.id) is a else "full")
        if k not in self._feats:
            self._feats[k] = sim.features(a)  # the patched one inside ``candidate_signals``
        return self._feats[k]


def _pairs(arts: Sequence[Article], k: int = 30) -> list[tuple[int, int]]:
    v = np.stack([a.vector for a in arts])  # type: ignore[misc]
    s = v @ v.T
    np.fill_diagonal(s, -1)
    return sorted({(min(i, int(j)), max(i, int(j))) for i in range(len(arts)) for j in np.argsort(-s[i])[:k]})


def fit(vw: Views, groups: Sequence[Sequence[Article]], names: Sequence[str], gold: dict[str, str],
        held: dict[str, float] | None = None) -> tuple[tuple[str, float], ...]:
    """Logistic weights over ``names`` on the 30-nearest pairs of each article list (as
    ``benchmarks/events.py`` fits them, C=10); with ``held`` every weight but the last name's is
    held at ``held`` and only that one is fitted (an offset)."""
    from scipy.optimize import minimize_scalar
    from sklearn.linear_model import LogisticRegression

    xs, ys = [], []
    for arts in groups:
        fs = [vw.feats(a) for a in arts]
        for i, j in _pairs(arts):
            sig = sim.signals(fs[i], fs[j])
            xs.append([sig[n] or 0.0 for n in names])
            ys.append(gold[arts[i].id] == gold[arts[j].id])
    x, y = np.array(xs), np.array(ys, dtype=float)
    if held is None:
        lr = LogisticRegression(C=10.0, max_iter=5000).fit(x, y)
        w = [("bias", float(lr.intercept_[0])), *zip(names, map(float, lr.coef_[0]), strict=True)]
    else:
        z0 = held["bias"] + sum(held[n] * x[:, k] for k, n in enumerate(names[:-1]))

        def nll(b: float) -> float:
            z = z0 + b * x[:, -1]
            return float(np.sum(np.logaddexp(0.0, z) - y * z)) + 0.05 * b * b

        b = float(minimize_scalar(nll, bounds=(-30, 30), method="bounded").x)
        w = [*held.items(), (names[-1], b)]
    cross = dict(LinkConfig().weights).get("crosslingual", 0.0)
    return (*((k, round(v, 2)) for k, v in w), ("crosslingual", cross))


DESIGNS: dict[str, tuple[tuple[str, ...], bool, bool]] = {  # names, fitted on ledes too, offset only
    "D0 shipped design, fit full (LOSO)": (("centred", "entities"), False, False),
    "D1 shipped design, fit full+ledes": (("centred", "entities"), True, False),
    "D2 + brevity, fit full+ledes": (("centred", "entities", "brevity"), True, False),
    "D4 entities on shorter, fit full+ledes": (("centred", "entities_shorter"), True, False),
    "D6 D0's weights + brevity offset": (("centred", "entities", "brevity"), True, True),
    "D7 + body words, fit full": (("centred", "entities", "words"), False, False),
    "D8 + body words, fit full+ledes": (("centred", "entities", "words"), True, False),
}


def tune_baseline(vw: Views, ids: Sequence[str], ledes: Sequence[str], kinds: Sequence[str],
                  gold: dict[str, str]) -> tuple[float, float]:
    best = (-1.0, 0.0, 0.0)
    for alpha in (0.3, 0.5, 0.7):
        for t in [x / 100 for x in range(30, 95, 5)]:
            fs = []
            for kind in kinds:
                arts = vw(ids if kind == "full" else ledes, kind)
                fs.append(ev.bcubed(agglomerative(arts, alpha, t), {a.id: gold[a.id] for a in arts}).f1)
            if float(np.mean(fs)) > best[0]:
                best = (float(np.mean(fs)), alpha, t)
    return best[1], best[2]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--data", type=Path, default=ROOT.parent / "shared/data")
    ap.add_argument("--designs", nargs="*", default=None, help="design name prefixes (default: all)")
    ap.add_argument("--groups", nargs="*", default=None, help="group name prefixes (default: all)")
    ap.add_argument("--vims-rows", type=int, default=None, help="ViMs ledes of the first N ViMs rows only")
    ap.add_argument("--brevity-words", type=int, default=BREVITY_WORDS)
    ap.add_argument("--no-baseline", action="store_true")
    ap.add_argument("--cache", type=Path, default=None, help="pickle of the prepared articles (made if absent)")
    args = ap.parse_args()
    t0 = time.perf_counter()
    rows, gold = rows_of(args.data)
    vims = [r for r in rows if r["id"].startswith("vims-")]
    keep = {r["id"] for r in vims[: args.vims_rows]} | {r["id"] for r in rows if r["id"].startswith("ecb-")}
    if args.cache and args.cache.exists():
        with open(args.cache, "rb") as fh:
            full, lede = pickle.load(fh)
    else:
        full = prepare(rows)
        lede = prepare([{**r, "text": _short(r["text"])} for r in rows if r["id"] in keep])
        if args.cache:
            with open(args.cache, "wb") as fh:
                pickle.dump((full, lede), fh)
    vw = Views(full, lede)
    ids = [a.id for a in full]
    print(f"{len(full)} articles, {len(lede)} ledes (median words: full "
          f"{np.median([n_words(a.body) for a in full]):.0f}, lede {np.median([n_words(a.body) for a in lede]):.0f})"
          f"  ({time.perf_counter() - t0:.0f} s)", flush=True)
    groups: dict[str, Callable[[str], bool]] = {
        "ViMs (fit on ECB+)": lambda i: i.startswith("vims-"),
        "ECB+ (fit on ViMs)": lambda i: i.startswith("ecb-"),
        "half 0 (fit on half 1)": lambda i: half(gold[i]) == 0,
        "half 1 (fit on half 0)": lambda i: half(gold[i]) == 1,
    }
    for gname, inside in groups.items():
        if args.groups and not any(gname.startswith(g) for g in args.groups):
            continue
        test = [i for i in ids if inside(i) and i in vw.lede]
        train = [i for i in ids if not inside(i)]
        train_l = [i for i in train if i in vw.lede]
        g = {i: gold[i] for i in test}
        print(f"\n{gname}: {len(test)} linked (those with a lede), fitted on {len(train)} (+{len(train_l)} ledes)")
        print(f"  {'':<44} " + "  ".join(f"{v:>6}" for v in VIEWS))
        if not args.no_baseline:
            for kinds in (("full",), VIEWS):
                p = tune_baseline(vw, train, train_l, kinds, gold)
                cells = [ev.bcubed(agglomerative(vw(test, v), *p), g).f1 for v in VIEWS]
                label = f"baseline tuned on {'+'.join(kinds)} {p}"
                print(f"  {label:<44} " + "  ".join(f"{c:>6.3f}" for c in cells), flush=True)
        for dname, (names, ledes_too, offset) in DESIGNS.items():
            if args.designs and not any(dname.startswith(d) for d in args.designs):
                continue
            fit_on = [vw(train, "full")] + ([vw(train_l, "lede"), vw(train_l, "mixed")] if ledes_too else [])
            cells = []
            vw._feats.clear()
            with candidate_signals(args.brevity_words):
                held = dict(fit(vw, [vw(train, "full")], names[:-1], gold)[:-1]) if offset else None
                w = fit(vw, fit_on, names, gold, held)
                cfg = dataclasses.replace(LinkConfig(), weights=w)
                for v in VIEWS:
                    cells.append(ev.bcubed(link(vw(test, v), cfg), g).f1)
            print(f"  {dname:<44} " + "  ".join(f"{c:>6.3f}" for c in cells) + f"   {dict(w)}", flush=True)
    print(f"({time.perf_counter() - t0:.0f} s)")


if __name__ == "__main__":
    main()
