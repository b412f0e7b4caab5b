"""The fixed rules applied after the line model (issue 17, round 5), each left out in turn, scored
on pages no fit saw: the dev sets by site halves and each dev set left out, and the unseen sets
as page text.

python benchmarks/text_rules.py [--data ../shared/data] [--external /work/.mirror]
                                [--unseen-pages 150] [--cache FILE]

The line model is fitted once per fold (``fit_lines.fit_model``, the shipped recipe): on one half
of the sites for the other half, and on one dev set for the other. The rules under test act on
the model's probabilities and the rules' reading (``text.model_keep``, ``text.clean_text``) and do
not enter the fit, so each fold's probabilities are computed once and every variant is replayed
on them; the shipped variant equals ``clean_text`` with that fold's weights. The unseen sets
(L3S-GN1, Dragnet, Readability's pages; ``docs/extraction-sets.md``) are read with the shipped
weights. Gains are given with a 90% paired bootstrap interval (pages resampled, 2,000 draws).
``--cache`` keeps the probabilities between runs (a pickle written by this script only).
"""

from __future__ import annotations

import argparse
import pickle
import random
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import external_sets
import fit_lines as F

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from storyline import eval as E  # noqa: E402
from storyline.clean import lines as lm  # noqa: E402
from storyline.clean import text as T  # noqa: E402

Keep = Callable[[T.Analysis, "list[float] | None"], list[int]]


def _captions_out(a: T.Analysis, kept: list[int]) -> list[int]:
    return T.drop_captions(a.lines, kept)


@contextmanager
def _guard_off() -> Iterator[None]:
    old = T._GUARDED_PROSE
    T._GUARDED_PROSE = 10**9
    try:
        yield
    finally:
        T._GUARDED_PROSE = old


def _model(a: T.Analysis, probs: list[float] | None) -> list[int]:
    return a.rule_kept if probs is None else T.model_keep(a, probs)


def _no_guard(a: T.Analysis, probs: list[float] | None) -> list[int]:
    with _guard_off():
        return _captions_out(a, _model(a, probs))


def _before(a: T.Analysis, probs: list[float] | None) -> list[int]:
    with _guard_off():
        return _model(a, probs)


VARIANTS: dict[str, Keep] = {
    "shipped (clean_text)": lambda a, p: _captions_out(a, _model(a, p)),
    "- prose guard": _no_guard,
    "- captions": _model,
    "- both (before round 5)": _before,
    "rules alone": lambda a, p: _captions_out(a, a.rule_kept),
    "rules alone - captions": lambda a, p: a.rule_kept,
}


def _probs(a: T.Analysis) -> list[float] | None:
    return T.line_probabilities(a)  # None without a main run: clean_text keeps the rules' reading


def compute(data: Path, external: Path, unseen: int) -> dict[str, Any]:
    """Every page analysed, and each line's probability from a model that never saw the page."""
    ps = F.pages(data)
    snip = {str(g["id"]): g.get("url", "") for g in F._jsonl(data / "snippets" / "gold.jsonl")}
    extr = {str(g["id"]): g.get("url", "") for g in F._jsonl(data / "extraction" / "gold.jsonl")}
    urls = {**snip, **extr}
    set_of = {**dict.fromkeys(snip, "snippets"), **dict.fromkeys(extr, "extraction")}
    texts = {i: F._read(data / "snippets" / "text" / f"{i}.txt") for i in snip}
    texts.update({i: F._read(data / "extraction" / "text" / f"{i}.txt") for i in extr})
    ana = {i: T.analyse(t) for i, t in texts.items()}
    probs: dict[str, dict[str, list[float] | None]] = {"site": {}, "set": {}}
    shipped = lm.WEIGHTS
    folds: dict[str, Callable[[str], str]] = {"site": lambda i: F.site_half(i, urls.get(i, "")),
                                              "set": lambda i: set_of[i]}
    try:
        for by, fold in folds.items():
            for held in sorted({fold(p[0]) for p in ps}):
                lm.WEIGHTS = {**F.fit_model([p for p in ps if fold(p[0]) != held]),
                              "threshold": 0.5, "drop_below": 0.45}
                probs[by].update({i: _probs(a) for i, a in ana.items() if fold(i) == held})
                print(f"fitted without {by} {held}", file=sys.stderr)
    finally:
        lm.WEIGHTS = shipped
    unseen_pages = {}
    for name, pages in external_sets.load(external, unseen).items():
        for p in pages:
            a = T.analyse(p.text)
            unseen_pages[p.id] = (name, a, _probs(a), p.body)
    return {"ana": ana, "set_of": set_of, "probs": probs, "unseen": unseen_pages}


def _segment_counts(d: dict[str, Any], gold: list[dict[str, Any]], by: str, keep: Keep) -> dict[str, tuple[int, ...]]:
    out = {}
    for g in gold:
        i = str(g["id"])
        a = d["ana"][i]
        body = T._norm(T.body_of(a, keep(a, d["probs"][by][i])))
        tp = sum(T._norm(s) in body for s in g["with"])
        out[i] = (tp, len(g["with"]) - tp, sum(T._norm(s) in body for s in g["without"]))
    return out


def _f1(c: dict[str, tuple[int, ...]], ids: list[str]) -> float:
    tp, fn, fp = (sum(c[i][k] for i in ids) for k in range(3))
    p, r = (tp / (tp + fp) if tp + fp else 0.0), (tp / (tp + fn) if tp + fn else 0.0)
    return 2 * p * r / (p + r) if p + r else 0.0


def _interval(stat: Callable[[list[str]], float], ids: list[str], draws: int = 2000) -> tuple[float, float, float]:
    rng = random.Random(17)
    xs = sorted(stat([ids[rng.randrange(len(ids))] for _ in ids]) for _ in range(draws))
    return stat(ids), xs[int(0.05 * draws)], xs[int(0.95 * draws) - 1]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--data", type=Path, default=ROOT.parent / "shared" / "data")
    ap.add_argument("--external", type=Path, default=external_sets.DEFAULT_ROOT)
    ap.add_argument("--unseen-pages", type=int, default=150, help="pages of each unseen set (fixed sample)")
    ap.add_argument("--cache", type=Path, default=None, help="keep the probabilities in this pickle")
    args = ap.parse_args()
    if args.cache and args.cache.exists():
        d = pickle.loads(args.cache.read_bytes())
    else:
        d = compute(args.data, args.external, args.unseen_pages)
        if args.cache:
            args.cache.write_bytes(pickle.dumps(d))
    sgold = list(F._jsonl(args.data / "snippets" / "gold.jsonl"))
    egold = {str(r["id"]): r["body"] for r in F._jsonl(args.data / "extraction" / "gold.jsonl")}
    unseen_sets = sorted({v[0] for v in d["unseen"].values()})
    seg: dict[tuple[str, str], dict[str, tuple[int, ...]]] = {}
    txt: dict[tuple[str, str], dict[str, float]] = {}
    cols = ["segments by site", "text by site", "segments, other set left out", "text, other set left out",
            *(f"{s} (unseen, text)" for s in unseen_sets)]
    print(f"{'variant':28s} " + " ".join(f"{c[:28]:>28s}" for c in cols))
    for name, keep in VARIANTS.items():
        row = []
        for by in ("site", "set"):
            seg[name, by] = _segment_counts(d, sgold, by, keep)
            txt[name, by] = {i: E.bag_of_words(T.body_of(d["ana"][i], keep(d["ana"][i], d["probs"][by][i])), g).f1
                             for i, g in egold.items()}
            row += [_f1(seg[name, by], sorted(seg[name, by])), sum(txt[name, by].values()) / len(egold)]
        for s in unseen_sets:
            txt[name, s] = {i: E.bag_of_words(T.body_of(a, keep(a, p)), body).f1
                            for i, (n, a, p, body) in d["unseen"].items() if n == s}
            row.append(sum(txt[name, s].values()) / max(1, len(txt[name, s])))
        print(f"{name:28s} " + " ".join(f"{x:28.4f}" for x in row))
    print("\ngain of the shipped variant over each other, mean [90% paired bootstrap interval]:")
    ship = "shipped (clean_text)"
    for name in VARIANTS:
        if name == ship:
            continue
        cells = []
        for by in ("site", "set"):
            a_, b_ = seg[ship, by], seg[name, by]
            cells.append(_interval(lambda ids, a_=a_, b_=b_: _f1(a_, ids) - _f1(b_, ids), sorted(a_)))
            ta, tb = txt[ship, by], txt[name, by]
            cells.append(_interval(lambda ids, ta=ta, tb=tb: sum(ta[i] - tb[i] for i in ids) / len(ids), sorted(ta)))
        for s in unseen_sets:
            ta, tb = txt[ship, s], txt[name, s]
            cells.append(_interval(lambda ids, ta=ta, tb=tb: sum(ta[i] - tb[i] for i in ids) / len(ids), sorted(ta)))
        print(f"  over {name[:23]:23s} " + " ".join("{:+.4f} [{:+.4f},{:+.4f}]".format(*c).rjust(28) for c in cells))


if __name__ == "__main__":
    main()
