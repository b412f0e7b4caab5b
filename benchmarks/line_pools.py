"""Which pages should the shipped line model be fitted on? One run, every figure cross-fitted.

    nice -n 10 python benchmarks/line_pools.py [--data ../shared/data] [--external /work/.mirror]
        [--unseen-pages 150] [--jobs 2] [--save /tmp/line_pools.pkl]

``benchmarks/extraction.py`` scores the shipped weights; this asks what a *refit* on a larger pool
would do, before it is written (issue 17: a fitted model is kept only where it wins out of sample).
It compares, on pages no fit saw:

- the dev sets by site halves (fit on the other half of the sites), with and without Mozilla
  Readability's test pages (Apache-2.0, the only external set whose licence lets weights ship) in
  every fold's pool;
- each dev set left out of a fit on the other pages, pool ``dev`` (snippets + Zyte), ``licence``
  (dev + readability) and ``all`` (every set, L3S-GN1 and Dragnet too: a measurement of what more
  varied data does, never a shippable fit, their licences forbid it);
- L3S-GN1 and Dragnet pages as plain text (``--unseen-pages`` of each, a fixed sample) cleaned by
  the shipped weights and by the candidate refit (dev + readability, i.e. ``fit_lines.py
  --with-set readability --write``), unseen by both;

each for the shipped shape (logistic lines + 100 boosted trees) and the logistic stage alone,
beside the rules alone (nothing fitted) and keeping everything. ``--save`` keeps every body for
error analysis. Runs the fits of independent pools in ``--jobs`` processes.
"""

from __future__ import annotations

import argparse
import json
import pickle
import sys
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

import external_sets  # noqa: E402
import fit_lines  # noqa: E402

from storyline import eval as E  # noqa: E402
from storyline.clean.text import clean_text  # noqa: E402

Fits = dict[str, tuple[dict[str, str], dict[str, str]]]
_STATE: dict[str, Any] = {}


def _run(job: tuple[str, str, frozenset[str] | None, tuple[str, ...]]) -> tuple[str, Fits]:
    """One cross-fit in a worker: ``by`` "site" or "set", over the dev pages and the named
    external sets."""
    name, by, fit_sets, sets = job
    extra = [p for s in sets for p in _STATE["extra"][s]]
    ids = {p.id for p in extra}
    ps = [p for p in _STATE["ps"] if p[0] in ids or p[0] in _STATE["dev"]]
    return name, fit_lines.crossfit(_STATE["data"], by=by, extra=extra, fit_sets=fit_sets, ps=ps)


def _clean(texts: dict[str, str], model: bool) -> dict[str, str]:
    return {i: "\n\n".join(clean_text(x, model=model).paragraphs) for i, x in texts.items()}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--data", type=Path, default=ROOT.parent / "shared" / "data")
    ap.add_argument("--external", type=Path, default=external_sets.DEFAULT_ROOT)
    ap.add_argument("--unseen-pages", type=int, default=150, help="pages of L3S-GN1 and of Dragnet (fixed sample)")
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--save", type=Path, default=None, help="pickle every body here, for error analysis")
    args = ap.parse_args()
    data = args.data
    found = external_sets.load(args.external)
    if "readability" not in found:
        raise SystemExit("line_pools: the readability set is needed "
                         "(fetch github:j-szulc/html-cleaning-dataset-merged)")
    extra = {name: ps if name == "readability" else ps[: args.unseen_pages] for name, ps in found.items()}
    flat = [p for ps in extra.values() for p in ps]
    ps = fit_lines.pages(data, flat)
    ext_ids = {p.id for p in flat}
    _STATE.update(data=data, extra=extra, ps=ps, dev={p[0] for p in ps if p[0] not in ext_ids})
    dev = frozenset({"snippets", "extraction"})
    unseen = tuple(s for s in ("l3s-gn1", "dragnet") if s in extra)
    jobs = [
        ("site, dev pool", "site", None, ()),
        ("site, dev + readability", "site", None, ("readability",)),
        ("set, dev pool", "set", dev, ("readability", *unseen)),
        ("set, dev + readability", "set", dev | {"readability"}, ("readability", *unseen)),
        ("set, all sets", "set", None, ("readability", *unseen)),
    ]
    with ProcessPoolExecutor(max_workers=args.jobs) as pool:
        fits = dict(pool.map(_run, jobs))

    sgold = list(fit_lines._jsonl(data / "snippets" / "gold.jsonl"))
    stexts = {str(g["id"]): fit_lines._read(data / "snippets" / "text" / f"{g['id']}.txt") for g in sgold}
    zgold = {str(r["id"]): r["body"] for r in fit_lines._jsonl(data / "extraction" / "gold.jsonl")}
    ztexts = {i: fit_lines._read(data / "extraction" / "text" / f"{i}.txt") for i in zgold}
    sets: dict[str, tuple[dict[str, str], Any, int]] = {
        "segments, snippets": (stexts, lambda out: E.snippets(out, sgold).f1, 1),
        "page text, zyte": (ztexts, lambda out: E.extraction(out, zgold).f1, 0),
    }
    for name, pages_ in extra.items():
        gold = {p.id: p.body for p in pages_}
        sets[f"page text, {name}"] = ({p.id: p.text for p in pages_}, lambda out, g=gold: E.extraction(out, g).f1, 0)
    baselines = {name: (_clean(t, True), _clean(t, False), t) for name, (t, _, _) in sets.items()}
    cols = [*fits, "shipped", "rules", "keep-all"]
    print(f"{'set (pages), F1':30s} {'variant':10s} " + " ".join(f"{c[:24]:>24s}" for c in cols))
    for name, (texts, score, key) in sets.items():
        for variant in ("stage 1+2", "stage 1"):
            vals = []
            for fit in fits.values():
                out = fit[variant][key]
                vals.append(score(out) if all(i in out for i in texts) else float("nan"))
            if variant == "stage 1+2":
                vals += [score(b) for b in baselines[name]]
            cells = " ".join(f"{v:24.3f}" if v == v else " " * 24 for v in vals)
            print(f"{name + f' ({len(texts)})':30s} {variant:10s} {cells}")
    print("site: fitted on the other half of the sites (the pool's external pages split by id); set: each set of")
    print("the pool cleaned by a fit on the pool's other sets, a set outside the pool by the fit on the whole pool")
    print("(for 'set, dev + readability' that is the candidate refit fit_lines.py --with-set readability --write);")
    print("shipped: storyline/data/line_weights.json as it stands; rules: nothing fitted; keep-all: the page text.")
    if args.save:
        with args.save.open("wb") as f:
            pickle.dump({"fits": fits, "baselines": baselines}, f)
    print(json.dumps({"pages": {k: len(v) for k, v in extra.items()}}))


if __name__ == "__main__":
    main()
