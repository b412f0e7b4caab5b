"""Fit the line model on labelled development data and write ``storyline/data/line_weights.json``.

    python benchmarks/fit_lines.py --data ../shared/data [--half A|B|all] [--write]
    python benchmarks/fit_lines.py --check   # fit on each half, score the other (the held-out figure)

Labels come from two public sets: the snippets set (a line holding a segment that must survive
is positive, one holding a segment that must go is negative) and the extraction set's plain-text
pages (a line found in the gold body is positive, any other line negative). Pages are split into
halves by a hash of their id; ``--half A`` fits on A and reports on B, so a change can be judged
on pages the model never saw. The shipped weights are fitted on ``all`` with the settings chosen
that way.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import math
import sys
from collections import Counter
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from storyline.clean import lines  # noqa: E402
from storyline.clean.encoding import decode_bytes  # noqa: E402
from storyline.clean.lines import CONTEXT, FEATURES  # noqa: E402
from storyline.clean.text import analyse, normalise_line  # noqa: E402

_EXTRACTION_WEIGHT = 0.3  # extraction pages have many unlabelled-looking lines; snippets lead


def half(page_id: str) -> str:
    """'A' or 'B', fixed per page id."""
    return "A" if hashlib.sha1(page_id.encode()).digest()[0] % 2 == 0 else "B"


def _jsonl(path: Path) -> Iterator[dict[str, Any]]:
    with path.open(encoding="utf-8") as f:
        yield from (json.loads(line) for line in f if line.strip())


def _read(path: Path) -> str:
    return decode_bytes(path.read_bytes(), str(path))


Page = tuple[str, list[list[float]], list[int], list[int | None], float, list[str]]


def pages(data: Path, extra: Sequence[Any] = ()) -> list[Page]:
    """(page id, feature rows, words per line, label per line or None, weight) for every page of
    both sets: every line is needed for the second stage's context, labelled or not. ``extra``:
    pages of the external sets (``external_sets.Page``), labelled as the extraction set's are."""
    out: list[Page] = []
    for g in _jsonl(data / "snippets" / "gold.jsonl"):
        pid = str(g["id"])
        a = analyse(_read(data / "snippets" / "text" / f"{pid}.txt"))
        pos = [normalise_line(s) for s in g["with"]]
        neg = [normalise_line(s) for s in g["without"]]
        labels: list[int | None] = []
        for ln in a.lines:
            line = normalise_line(ln.text)
            p, n = any(s in line for s in pos), any(s in line for s in neg)
            labels.append(int(p) if p != n else None)
        out.append((pid, a.rows, [ln.words for ln in a.lines], labels, 1.0, [ln.text for ln in a.lines]))
    for g in _jsonl(data / "extraction" / "gold.jsonl"):
        pid = str(g["id"])
        a = analyse(_read(data / "extraction" / "text" / f"{pid}.txt"))
        body = normalise_line(g["body"])
        labels = [int(normalise_line(ln.text) in body) for ln in a.lines]
        out.append((pid, a.rows, [ln.words for ln in a.lines], labels, _EXTRACTION_WEIGHT, [ln.text for ln in a.lines]))
    return out + external_pages(extra)


def external_pages(extra: Sequence[Any]) -> list[Page]:
    """Pages of the external sets (``external_sets.Page``) as fit pages, labelled as the
    extraction set's are: a page line is positive when it is found in the gold body."""
    out: list[Page] = []
    for page in extra:
        a = analyse(page.text)
        body = normalise_line(page.body)
        labels = [int(normalise_line(ln.text) in body) for ln in a.lines]
        out.append((page.id, a.rows, [ln.words for ln in a.lines], labels, _EXTRACTION_WEIGHT,
                    [ln.text for ln in a.lines]))
    return out


# A page weighs at most as much as this many labelled lines: a long page labelled line by line (a
# Zyte page with 300 lines, one site's style) must not outweigh twenty pages of other sites with a
# handful of labelled segments each. Cross-fitted by site (100 trees), segments 0.873 -> 0.884 and
# page text 0.915 -> 0.916; a cap of 10 gives 0.885 / 0.909, 50 gives 0.879 / 0.918 (the cap trades
# the snippets pages, few labels each, against the fully labelled Zyte pages); 20 is the middle.
_PAGE_LINES = 20


def _labelled(
    ps: list[Page], extra: list[list[list[float]]] | None = None
) -> tuple[list[list[float]], list[int], list[float]]:
    x, y, w = [], [], []
    for k, (_, rows, _, labels, weight, _) in enumerate(ps):
        n = sum(label is not None for label in labels)
        share = weight * min(1.0, _PAGE_LINES / n) if n else weight
        for j, (row, label) in enumerate(zip(rows, labels, strict=True)):
            if label is not None:
                x.append([*row, *extra[k][j]] if extra else row)
                y.append(label)
                w.append(share)
    return x, y, w


# Measurement hook (``benchmarks/text_rules.py --without``): line features fitted as constant zero,
# so neither stage can use them; "lexical" fits the second stage without the word table.
WITHOUT: frozenset[str] = frozenset()


def _without(ps: list[Page]) -> list[Page]:
    cols = [lines.FEATURES.index(f) for f in WITHOUT if f in lines.FEATURES]
    if not cols:
        return ps
    out = []
    for pid, rows, words, labels, weight, texts in ps:
        rows = [[0.0 if j in cols else x for j, x in enumerate(r)] for r in rows]
        out.append((pid, rows, words, labels, weight, texts))
    return out


def fit_model(ps: list[Page], c: float = 1.0, trees: int | None = None) -> dict[str, Any]:
    """Both stages: the line model, then the context model over its probabilities (``trees``
    0: the line model alone)."""
    ps = _without(ps)
    weights = fit(*_labelled(ps), c)
    weights["languages"] = page_languages(ps)
    trees = _TREES if trees is None else trees
    if not trees:
        return weights
    lines.WEIGHTS = weights  # the second stage's inputs are the first stage's outputs
    table = {} if "lexical" in WITHOUT else token_table(ps)
    ctx = [
        lines.context([lines.keep_probability(r) for r in rows], words, texts, table)
        for _, rows, words, _, _, texts in ps
    ]
    weights["stage2"] = fit_trees(*_labelled(ps, ctx), trees=trees)
    weights["tokens"] = table
    return weights


def page_languages(ps: list[Page]) -> dict[str, int]:
    """How many of the fit's pages are in each language, guessed as ``analyse`` guesses it (the
    rules' kept lines first): ``text.line_probabilities`` leans on the rules for a language the fit
    saw no page of."""
    from storyline.clean.language import detect_language

    out: Counter[str] = Counter()
    for _, rows, _, _, _, texts in ps:
        kept = [texts[i] for i, r in enumerate(rows) if r[0] == 1.0][:40]
        lang = detect_language(" ".join(kept) or "\n".join(texts)[:800])
        if lang:
            out[lang] += 1
    return dict(sorted(out.items()))


_MIN_PAGES = 6  # a word must be labelled on this many pages to get a weight: no site-specific words


def token_table(ps: list[Page]) -> dict[str, float]:
    """Smoothed log-odds of a word being in an article line rather than a furniture line,
    counting each page once per word and side (one long page must not make a word)."""
    pos: Counter[str] = Counter()
    neg: Counter[str] = Counter()
    for _, _, _, labels, _, texts in ps:
        seen: tuple[set[str], set[str]] = (set(), set())
        for text, label in zip(texts, labels, strict=True):
            if label is not None:
                seen[label].update(lines.words_of(text))
        neg.update(seen[0])
        pos.update(seen[1])
    prior = math.log((sum(pos.values()) + 1) / (sum(neg.values()) + 1))
    table = {}
    for t in pos.keys() | neg.keys():
        if pos[t] + neg[t] >= _MIN_PAGES:
            lo = math.log((pos[t] + 1) / (neg[t] + 1)) - prior
            if abs(lo) >= 0.3:
                table[t] = round(max(-3.0, min(3.0, lo)), 3)
    return dict(sorted(table.items()))


def fit(rows: list[list[float]], labels: list[int], weights: list[float], c: float = 1.0) -> dict[str, Any]:
    import numpy as np
    from sklearn.linear_model import LogisticRegression

    x = np.asarray(rows, dtype=float)
    mean = x.mean(axis=0)
    scale = x.std(axis=0)
    scale[scale == 0] = 1.0
    model = LogisticRegression(C=c, max_iter=2000)
    model.fit((x - mean) / scale, np.asarray(labels), sample_weight=np.asarray(weights))
    return {
        "mean": [round(float(v), 6) for v in mean],
        "scale": [round(float(v), 6) for v in scale],
        "coef": [round(float(v), 6) for v in model.coef_[0]],
        "intercept": round(float(model.intercept_[0]), 6),
    }


# The second stage: boosted shallow trees (chosen on the half-split check over a linear model,
# which cannot draw "long prose line, but in a weak block far down the page"). 100 trees, chosen
# cross-fitted by site (issue 17), with the page cap above: 100 trees give text 0.916, segments
# 0.885 on unseen sites; 400 fit the dev pages best in-sample but give 0.909 / 0.884 on unseen
# sites; the logistic stage alone 0.903 / 0.875 (docs/extraction-fit.md).
_TREES, _DEPTH, _RATE = 100, 3, 0.05


def fit_trees(
    rows: list[list[float]], labels: list[int], weights: list[float], trees: int = _TREES
) -> dict[str, Any]:
    """Gradient-boosted regression trees on log-loss, written out node by node (see
    ``lines._boosted``): plain numbers, no pickles."""
    import numpy as np
    from sklearn.ensemble import GradientBoostingClassifier

    x = np.asarray(rows, dtype=float)
    model = GradientBoostingClassifier(
        n_estimators=trees, max_depth=_DEPTH, learning_rate=_RATE, subsample=0.8, random_state=0
    )
    model.fit(x, np.asarray(labels), sample_weight=np.asarray(weights))
    out = []
    for (est,) in model.estimators_:
        t = est.tree_
        out.append(
            [
                [int(v) for v in t.feature],
                [float(v) for v in t.threshold],
                [int(v) for v in t.children_left],
                [int(v) for v in t.children_right],
                [round(float(v) * _RATE, 7) for v in t.value[:, 0, 0]],
            ]
        )
    x0 = x[:1].astype(np.float32)
    base = float(model.decision_function(x0)[0]) - sum(_RATE * float(e.predict(x0)[0]) for (e,) in model.estimators_)
    return {"n_features": x.shape[1], "base": round(base, 7), "trees": out}


def write(weights: dict[str, Any], path: Path) -> None:
    """The weights as JSON, one tree a line (tens of thousands of numbers one per line would make
    every refit an unreadable diff)."""
    trees = weights.get("stage2", {}).get("trees")
    flat = {**weights, "stage2": {**weights["stage2"], "trees": "@TREES@"}} if trees else weights
    body = json.dumps(flat, indent=1)
    if trees:
        lines_ = ",\n".join("   " + json.dumps(t, separators=(",", ":")) for t in trees)
        body = body.replace('"@TREES@"', "[\n" + lines_ + "\n  ]")
    path.write_text(body + "\n", encoding="utf-8")


def site_half(page_id: str, url: str = "") -> str:
    """'A' or 'B' by the page's site (its host, ``www.`` dropped), so that two pages of one site
    never sit on both sides of a fit; a page without a URL goes by its id."""
    from urllib.parse import urlparse

    host = urlparse(url).netloc.lower().removeprefix("www.")
    return half(host or page_id)


def crossfit(
    data: Path,
    c: float = 1.0,
    threshold: float = 0.5,
    drop_below: float = 0.45,
    by: str = "site",
    extra: Sequence[Any] = (),
    fit_sets: frozenset[str] | None = None,
    ps: list[Page] | None = None,
    shares: Sequence[float] = (),
) -> dict[str, tuple[dict[str, str], dict[str, str]]]:
    """Bodies of every text page and snippets page, each cleaned by a line model that never saw
    it, pooled: the figure for pages nobody tuned on. ``by="site"``: fitted on one half of the
    sites (``site_half``), the other half cleaned, both ways. ``by="set"``: leave one set out,
    each set (``"snippets"``, ``"extraction"`` and the external sets of ``extra``) cleaned by a
    model fitted on the other sets, those of them in ``fit_sets`` (None: all); a set kept out of
    the fit pool is still cleaned, by the model fitted on the whole pool. Two variants:
    ``"stage 1+2"`` (the shipped shape: logistic lines, then the boosted context trees) and
    ``"stage 1"`` (the logistic line model alone). Returns per variant (bodies by id of the
    extraction text pages and the external pages, snippets bodies by id). ``ps``: the analysed
    pages (``pages(data, extra)``), when the caller has them already. ``shares``: more variants
    of the shipped shape, with the model's reading of a page standing only when it keeps at least
    this share of the rules' words (``text._MODEL_MIN_SHARE``), a more conservative arbitration."""
    from storyline.clean import text as text_mod
    from storyline.clean.text import clean_text

    min_share = text_mod._MODEL_MIN_SHARE

    ps = pages(data, extra) if ps is None else ps
    snip = {str(g["id"]): g.get("url", "") for g in _jsonl(data / "snippets" / "gold.jsonl")}
    extr = {str(g["id"]): g.get("url", "") for g in _jsonl(data / "extraction" / "gold.jsonl")}
    urls = {**snip, **extr, **{p.id: p.url for p in extra}}
    set_of = {**{i: "snippets" for i in snip}, **{i: "extraction" for i in extr}, **{p.id: p.set for p in extra}}
    texts = {("s", i): _read(data / "snippets" / "text" / f"{i}.txt") for i in snip}
    texts.update({("e", i): _read(data / "extraction" / "text" / f"{i}.txt") for i in extr})
    texts.update({("e", p.id): p.text for p in extra})

    def fold(page_id: str) -> str:
        if by == "set":
            return set_of[page_id]
        return site_half(page_id, urls.get(page_id, ""))

    def fits(page_id: str, held: str) -> bool:
        if fold(page_id) == held:
            return False
        return by != "set" or fit_sets is None or set_of[page_id] in fit_sets

    out: dict[str, tuple[dict[str, str], dict[str, str]]] = {"stage 1+2": ({}, {}), "stage 1": ({}, {})}
    shipped = lines.WEIGHTS
    folds = sorted({fold(p[0]) for p in ps})
    if by == "set" and fit_sets is not None:
        # The sets outside the pool are all cleaned by one model, fitted on the whole pool.
        folds = [f for f in folds if f in fit_sets] + ["(outside the pool)"]
    try:
        for held in folds:
            outside = held == "(outside the pool)"
            weights = fit_model([p for p in ps if (set_of[p[0]] in (fit_sets or ()) if outside
                                                   else fits(p[0], held))], c)
            settings = {"threshold": threshold, "drop_below": drop_below}
            variants = [
                ("stage 1+2", {**weights, **settings}, min_share),
                ("stage 1", {k: v for k, v in weights.items() if k not in ("stage2", "tokens")} | settings, min_share),
                *((f"stage 1+2, share {v}", {**weights, **settings}, v) for v in shares),
            ]
            for name, w, share in variants:
                lines.WEIGHTS = w
                text_mod._MODEL_MIN_SHARE = share
                out.setdefault(name, ({}, {}))
                for (kind, i), x in texts.items():
                    mine = set_of[i] not in (fit_sets or ()) if outside else fold(i) == held
                    if mine:
                        out[name][kind == "s"][i] = "\n\n".join(clean_text(x).paragraphs)
    finally:
        lines.WEIGHTS = shipped
        text_mod._MODEL_MIN_SHARE = min_share
    return out


def check(data: Path, c: float, threshold: float, drop_below: float) -> None:
    """The honest figure: fit on one half, score the pages of the other, both ways, pooled."""
    from storyline import eval as E

    gold = list(_jsonl(data / "snippets" / "gold.jsonl"))
    bodies = {r["id"]: r["body"] for r in _jsonl(data / "extraction" / "gold.jsonl")}
    for name, (text, snip) in crossfit(data, c, threshold, drop_below).items():
        s = E.snippets(snip, gold)
        print(f"{name}, cross-fitted: snippets F1 {s.f1:.4f} (P {s.p:.4f} R {s.r:.4f}), "
              f"text F1 {E.extraction(text, bodies).f1:.4f}")


def gate_ids() -> set[str]:
    """Ids of the pages in the quality gate's fixture."""
    gate = ROOT / "tests" / "data" / "gate"
    return {
        str(g["id"]) for name in ("extraction", "snippets") for g in _jsonl(gate / name / "gold.jsonl")
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--data", type=Path, default=ROOT.parent / "shared" / "data")
    ap.add_argument("--half", choices=["A", "B", "all"], default="all")
    # Chosen on the half-split check (fit on one half, score the other): see the module docstring.
    ap.add_argument("--threshold", type=float, default=0.5)
    ap.add_argument("--drop-below", type=float, default=0.45)
    ap.add_argument("--c", type=float, default=1.0)
    ap.add_argument("--write", action="store_true")
    ap.add_argument("--check", action="store_true", help="fit on each half, score the other; write nothing")
    ap.add_argument("--with-set", action="append", default=[], metavar="NAME",
                    help="also fit on this external set (external_sets.FITTABLE: licences that allow shipping)")
    ap.add_argument("--external", type=Path, default=None, help="where fetch put the external sets")
    args = ap.parse_args()
    if args.check:
        check(args.data, args.c, args.threshold, args.drop_below)
        return
    extra: list[Any] = []
    if args.with_set:
        import external_sets

        bad = sorted(set(args.with_set) - external_sets.FITTABLE)
        if bad:
            raise SystemExit(f"--with-set {', '.join(bad)}: not in external_sets.FITTABLE (its licence does not "
                             "allow shipping weights fitted on it)")
        found = external_sets.load(args.external or external_sets.DEFAULT_ROOT)
        missing = sorted(set(args.with_set) - found.keys())
        if missing:
            raise SystemExit(f"--with-set {', '.join(missing)}: the set's snapshot was not found (see above)")
        extra = [p for name in args.with_set for p in found[name]]
    ps = [p for p in pages(args.data, extra) if args.half == "all" or half(p[0]) == args.half]
    # The quality gate's pages (tests/data/gate) stay out of the fit, so the gate's extraction
    # figures are ones for pages the shipped model never saw.
    gate = gate_ids()
    ps = [p for p in ps if p[0] not in gate]
    weights = fit_model(ps, args.c)
    weights["threshold"] = args.threshold
    weights["drop_below"] = args.drop_below
    # Named in the weights, so the gate can check that its pages are unseen by the shipped model.
    weights["held_out_pages"] = sorted(gate)
    # The labelled sets the weights were fitted on (the dev sets, and any external set asked for).
    weights["fitted_on"] = ["snippets", "extraction", *args.with_set]
    if args.write:
        write(weights, ROOT / "storyline" / "data" / "line_weights.json")
    print(f"fitted on {sum(len(p[1]) for p in ps)} lines of {len(ps)} pages ({args.half})")
    names = (*FEATURES, *CONTEXT)
    used = Counter(names[f] for t in weights["stage2"]["trees"] for f in t[0] if f >= 0)
    for name, n in used.most_common(25):
        print(f"  {name:18s} {n} splits")


if __name__ == "__main__":
    main()
