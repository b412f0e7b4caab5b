"""Pair similarity on the SemEval-2022 Task 8 dev pairs, scored as ``storyline similarity`` scores.

    python benchmarks/similarity.py [--data DIR] [--write | --calibrate]

Articles go through the pipeline's own clean + enrich (``Pipeline.prepare``, as the command does),
with vectors from the shared cache. Printed per language pair: the shipped score (what the command
returns), the same score with its calibration (language means, floor, ceiling) fitted on the other
half only (the honest figure: the shipped constants saw all dev pairs), plain e5 cosine, TF-IDF.
``--write`` refits the calibration on all dev pairs but the quality gate's, writes the language means to
``storyline/data/`` and prints the constants for ``storyline/link/relatedness.py``.
"""

from __future__ import annotations

import argparse
import dataclasses
import itertools
import json
import math
import re
import sys
import time
from collections import defaultdict
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import NamedTuple

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from common import CACHE, half, pipeline_articles, tfidf_matrix  # noqa: E402

from storyline import Pipeline, Settings  # noqa: E402
from storyline import eval as ev  # noqa: E402
from storyline.link import relatedness as rel  # noqa: E402
from storyline.link.similarity import (  # noqa: E402
    LinkConfig,
    combine,
    event_part,
    features,
    signals,
    similarity,
    time_factor,
)
from storyline.models import Article  # noqa: E402
from storyline.pipeline import BATCH_SAMPLE, UNKNOWN_SIMILARITY  # noqa: E402
from storyline.sources.jsonl import parse_record  # noqa: E402


class Loaded(NamedTuple):
    """The pairs as the command sees them: targets (5 - overall), language-pair names, both sides
    prepared, which pairs it scores "unknown" (a side is a page template the file's pages share),
    and the ids of those template sides (left out of the file's language means, as the command does)."""

    pairs: list[dict]  # type: ignore[type-arg]
    y: list[float]
    names: list[str]
    a: list[Article]
    b: list[Article]
    unknown: list[bool]
    templated: frozenset[str]


def load(data: Path) -> Loaded:
    """Load and prepare the dev pairs the way ``storyline similarity`` does (``Pipeline.pair_batch``)."""
    with open(data / "similarity/gold.jsonl", encoding="utf-8") as fh:
        gold = {g["pair_id"]: g for g in map(json.loads, fh)}
    with open(data / "similarity/pairs.jsonl", encoding="utf-8") as fh:
        pairs = [json.loads(x) for x in fh if x.strip()]
    pipe = Pipeline(Settings(db=":memory:", vector_cache=str(CACHE)))
    raws = []
    for p in pairs:
        raws += [parse_record(p["a"], p["pair_id"] + " a"), parse_record(p["b"], p["pair_id"] + " b")]
    batch = pipe.pair_batch(raws)
    assert len(batch.prepared) < BATCH_SAMPLE, "the dev file is sampled whole"
    shell = [batch.templates.holds(r) for r in raws]
    arts = [batch.article(r) or pipe.prepare([r], known=batch.templates.lines)[0] for r in raws]
    unknown = [shell[2 * i] or shell[2 * i + 1] for i in range(len(pairs))]
    y = [5 - float(gold[p["pair_id"]]["overall"]) for p in pairs]
    names = [f"{gold[p['pair_id']]['lang_a']}-{gold[p['pair_id']]['lang_b']}" for p in pairs]
    loaded = Loaded(
        pairs, y, names, arts[0::2], arts[1::2], unknown, frozenset(x.id for x, s in zip(arts, shell, strict=True) if s)
    )
    # The command's own path on a few pairs, to keep this benchmark honest about what it measures.
    want = scores(loaded.a, loaded.b, unknown, templated=loaded.templated)
    for i in [j for j, u in enumerate(unknown) if u][:2] + list(range(3)):
        got = pipe.pair_similarity(raws[2 * i], raws[2 * i + 1], batch).similarity
        assert abs(got - want[i]) < 1e-6, (pairs[i]["pair_id"], got, want[i])
    return loaded


def gate_pairs() -> set[str]:
    """The quality gate's pairs: never in what the shipped calibration is fitted on, so the gate
    scores pairs the shipped constants never saw."""
    with open(ROOT / "tests/data/gate/similarity/gold.jsonl", encoding="utf-8") as fh:
        return {json.loads(x)["pair_id"] for x in fh if x.strip()}


def fit_on(a: Sequence[Article], b: Sequence[Article], y: Sequence[float], idx: Sequence[int]) -> rel.Calibration:
    cfg = LinkConfig()
    va = np.stack([a[i].vector for i in idx])  # type: ignore[misc]
    vb = np.stack([b[i].vector for i in idx])  # type: ignore[misc]
    xl = [bool(a[i].lang and b[i].lang and a[i].lang.lower() != b[i].lang.lower()) for i in idx]
    shift = cfg.crosslingual_cosine_shift * np.array(xl, dtype=float)
    return rel.fit(
        va,
        [a[i].lang for i in idx],
        vb,
        [b[i].lang for i in idx],
        (va * vb).sum(1) + shift,
        np.array([y[i] >= 4 for i in idx]),
    )


def extra_means(data: Path, have: set[str]) -> dict[str, np.ndarray]:
    """Means for languages the SemEval pairs lack, from the events dev set (ViMs: Vietnamese news
    over a few hundred happenings). Unrelated en-vi pairs then centre like vi-vi ones (medians 0.134
    and 0.149; plain cosine 0.740 against 0.824). Not from the storylines set: its es/fr/it articles
    cover four crises, and such topic-bound means cut the cross-lingual same-storyline AUC there
    (0.816 -> 0.769), where the SemEval means raise en-es 0.849 -> 0.877."""

    arts, _ = pipeline_articles(data / "events/articles.jsonl")
    langs = {x.lang.lower() for x in arts if x.lang} - have
    out = {}
    for lang in sorted(langs):
        vs = [x.vector for x in arts if x.lang.lower() == lang and x.vector is not None]
        if len(vs) >= rel.MIN_LANGUAGE_ARTICLES:
            out[lang] = np.mean(vs, axis=0).astype(np.float32)
    return out


def scores(
    a: Sequence[Article],
    b: Sequence[Article],
    unknown: Sequence[bool],
    cal: rel.Calibration | None = None,
    cfg: LinkConfig | None = None,
    templated: frozenset[str] = frozenset(),
) -> list[float]:
    """``similarity()`` of each pair as the command scores them read as one file: the calibration
    (None: the shipped one) adapted to these pairs' own language means (``relatedness.adapted``),
    template sides (``templated`` ids) left out of the means, pairs with one scored "unknown"."""
    sides = [x for pair in zip(a, b, strict=True) for x in pair if x.id not in templated]
    c = rel.adapted(cal or rel.packaged(), rel.batch_means((x.id, x.lang, x.vector) for x in sides))
    return [UNKNOWN_SIMILARITY if u else similarity(x, z, cfg, c) for x, z, u in zip(a, b, unknown, strict=True)]


def crossfitted(
    loaded: Loaded, cfg: LinkConfig | None = None, by_language: bool = False, fit_time: bool = False
) -> list[float]:
    """Each pair's score with the calibration fitted on pairs it is not among, each group scored as
    one file (as the command would score it): the two halves by pair id, or with ``by_language``
    each language pair left out of the fit in turn (leave-one-language-out). ``fit_time``: the
    publish-date weight (``LinkConfig.similarity_time_weight``) is fitted on the same other pairs
    (``fit_time_weight``), else it is ``cfg``'s."""
    pairs, y, names, a, b, unknown, templated = loaded
    n = len(pairs)
    keys = names if by_language else [str(half(p["pair_id"])) for p in pairs]
    out = [0.0] * n
    for key in sorted(set(keys)):
        inside = [i for i in range(n) if keys[i] == key]
        train = [i for i in range(n) if keys[i] != key and not unknown[i]]
        cal = fit_on(a, b, y, train)
        fold = cfg
        if fit_time:
            w = fit_time_weight(loaded, train, cal, cfg)
            fold = dataclasses.replace(cfg or LinkConfig(), similarity_time_weight=w)
        sides = [a[i] for i in inside], [b[i] for i in inside]
        part = scores(*sides, [unknown[i] for i in inside], cal, fold, templated)
        for i, v in zip(inside, part, strict=True):
            out[i] = v
    return out


def fit_time_weight(
    loaded: Loaded, idx: Sequence[int], cal: rel.Calibration | None = None, cfg: LinkConfig | None = None
) -> float:
    """The publish-date weight (``similarity.time_factor``) that gives these pairs, scored as one
    file with ``cal``, the highest Pearson with the gold: a grid of 0-1 in steps of 0.01. Pairs
    without both dates do not move with it."""
    base = dataclasses.replace(cfg or LinkConfig(), similarity_time_weight=0.0)
    s0 = np.asarray(scores([loaded.a[i] for i in idx], [loaded.b[i] for i in idx], [False] * len(idx), cal, base,
                           loaded.templated))
    sig = [signals(features(loaded.a[i]), features(loaded.b[i]), base) for i in idx]
    t = np.asarray([loaded.y[i] for i in idx])

    def r(w: float) -> float:
        c = dataclasses.replace(base, similarity_time_weight=w)
        return float(np.corrcoef(s0 * np.array([time_factor(x, c) for x in sig]), t)[0, 1])

    grid: list[float] = [float(w) for w in np.linspace(0.0, 1.0, 101)]
    best: float = max(grid, key=r)
    return round(best, 2)


class IdDays(NamedTuple):
    """The line from a Media Cloud story id to a day (ordinal), and the evidence it rests on."""

    slope: float  # days per id
    intercept: float
    inliers: int
    dated: int


def id_days(loaded: Loaded) -> IdDays:
    """The SemEval-2022 articles are Media Cloud stories, and their ids (``id`` in the pairs file)
    are Media Cloud story ids, numbered as the stories were collected, so an id stands for a day.
    The line is fitted (RANSAC, 5 days' tolerance) on the dates the texts themselves give: the
    publish date the cleaner found by a headline, else the latest day-precise date the text names
    (``dates.dates_mentioned``), which for a news report is mostly its own day or the day before."""
    from sklearn.linear_model import RANSACRegressor

    from storyline.dates import dates_mentioned

    rows: list[tuple[float, float]] = []
    for p, x, z in zip(loaded.pairs, loaded.a, loaded.b, strict=True):
        for side, art in (("a", x), ("b", z)):
            named = art.published or max(dates_mentioned(art.body, None, art.lang), default=None)
            if named is not None and str(p[side]["id"]).isdigit():
                rows.append((float(p[side]["id"]), float(named.toordinal())))
    xy = np.asarray(rows)
    fit = RANSACRegressor(residual_threshold=5.0, random_state=0).fit(xy[:, :1] / 1e6, xy[:, 1])
    return IdDays(float(fit.estimator_.coef_[0]) / 1e6, float(fit.estimator_.intercept_), int(fit.inlier_mask_.sum()),
                  len(rows))


def with_dates(loaded: Loaded, line: IdDays) -> Loaded:
    """The pairs with each article's publish day read from its story id by ``line`` (``id_days``):
    what the command sees when its input gives dates, which the SemEval files do not."""
    import datetime as dt

    def day(x: Article, art_id: str) -> Article:
        return dataclasses.replace(x, published=dt.date.fromordinal(round(line.intercept + line.slope * int(art_id))))

    return loaded._replace(
        a=[day(x, p["a"]["id"]) for x, p in zip(loaded.a, loaded.pairs, strict=True)],
        b=[day(x, p["b"]["id"]) for x, p in zip(loaded.b, loaded.pairs, strict=True)],
    )


def dated(loaded: Loaded, cfg: LinkConfig | None = None) -> None:
    """Issue 17: what publish dates add (``similarity.time_factor``). The pairs get the days their
    story ids stand for (``id_days``), and the weight is fitted with the calibration on the other
    half (LOLO: on the other language pairs); gain over the score without dates, cross-fitted."""
    line = id_days(loaded)
    days = [abs(line.slope * (int(p["a"]["id"]) - int(p["b"]["id"]))) for p in loaded.pairs]
    print(f"\nWITH PUBLISH DATES (days from the Media Cloud story ids: {line.slope * 1e6:.3f} days per million ids, "
          f"fitted on {line.inliers} of {line.dated} dates the texts give; days apart, median "
          f"{np.median(days):.1f}, quartiles {np.quantile(days, 0.25):.1f} / {np.quantile(days, 0.75):.1f})")
    t, names = np.asarray(loaded.y), np.asarray(loaded.names)
    by_half = np.array([half(p["pair_id"]) for p in loaded.pairs])
    base = dataclasses.replace(cfg or LinkConfig(), similarity_time_weight=0.0)
    cross = np.asarray(crossfitted(loaded, base))
    _gain_row("without dates (as the files are)", cross, cross, t, by_half, names,
              np.asarray(crossfitted(loaded, base, by_language=True)))
    with_d = with_dates(loaded, line)
    _gain_row("with dates, weight fitted per fold", np.asarray(crossfitted(with_d, base, fit_time=True)), cross, t,
              by_half, names, np.asarray(crossfitted(with_d, base, by_language=True, fit_time=True)))
    shipped = cfg or LinkConfig()
    _gain_row(f"with dates, shipped weight {shipped.similarity_time_weight}",
              np.asarray(crossfitted(with_d, shipped)), cross, t, by_half, names,
              np.asarray(crossfitted(with_d, shipped, by_language=True)))
    proj = np.asarray(scores(with_d.a, with_d.b, with_d.unknown, None, shipped, with_d.templated))
    _gain_row("with dates, shipped (IN-SAMPLE)", proj, np.asarray(scores(loaded.a, loaded.b, loaded.unknown, None, base,
              loaded.templated)), t, by_half, names)
    for k in (0, 1):
        train = [i for i in range(len(t)) if by_half[i] != k and not loaded.unknown[i]]
        w = fit_time_weight(with_d, train, fit_on(with_d.a, with_d.b, with_d.y, train), base)
        print(f"  weight fitted on half {1 - k}: {w}")


def real_dates(data: Path, nearest: int = 20) -> None:
    """The date factor on sets whose articles carry their real publish dates (nothing there is
    fitted: the weight is the one fitted on SemEval): how well ``similarity`` with and without it
    ranks same-event (events set) and same-storyline (storylines set) pairs above the rest, among
    each article's ``nearest`` neighbours by e5 cosine (the pairs a cosine confuses), as ROC AUC."""
    from sklearn.metrics import roc_auc_score

    from storyline.link.similarity import _graded_pair

    print(f"\nREAL PUBLISH DATES (each dated article's {nearest} nearest by e5 cosine; ROC AUC of similarity)")
    off, on = LinkConfig(similarity_time_weight=0.0), LinkConfig()
    for name in ("events", "storylines"):
        arts, _ = pipeline_articles(data / name / "articles.jsonl")
        with open(data / name / "gold.jsonl", encoding="utf-8") as fh:
            gold = {g["id"]: g.get("event") or g.get("storyline") for g in map(json.loads, fh)}
        arts = [x for x in arts if x.vector is not None and x.published is not None and x.id in gold]
        cal = rel.adapted(rel.packaged(), rel.batch_means((x.id, x.lang, x.vector) for x in arts))
        vs = np.stack([x.vector for x in arts])  # type: ignore[misc]
        sims = vs @ vs.T
        np.fill_diagonal(sims, -1.0)
        feats = [features(x) for x in arts]
        pairs = sorted({(min(i, int(j)), max(i, int(j))) for i in range(len(arts))
                        for j in np.argsort(-sims[i])[:nearest]})
        same = np.array([gold[arts[i].id] == gold[arts[j].id] for i, j in pairs])
        got = {}
        for tag, cfg in (("undated", off), ("with dates", on)):
            got[tag] = np.array([_graded_pair(feats[i], feats[j], signals(feats[i], feats[j], cfg), cfg, cal)
                                 for i, j in pairs])
        print(f"  {name}: {len(arts)} dated articles, {len(pairs)} pairs, {same.mean():.0%} same "
              + ("event" if name == "events" else "storyline"))
        for tag, v in got.items():
            print(f"   {tag:<11} AUC {roc_auc_score(same, v):.4f}", flush=True)


def report(data: Path, write: bool = False, cfg: LinkConfig | None = None, loaded: Loaded | None = None) -> None:
    """Print the table (see the module docstring); ``cfg`` as the linker would use it."""
    loaded = loaded or load(data)
    pairs, y, names, a, b, unknown, templated = loaded
    n = len(pairs)
    if write:
        gate = gate_pairs()
        cal = fit_on(a, b, y, [i for i in range(n) if not unknown[i] and pairs[i]["pair_id"] not in gate])
        cal = dataclasses.replace(cal, means={**extra_means(data, set(cal.means)), **cal.means})
        out = ROOT / "storyline/data" / rel.MEANS_FILE
        out.parent.mkdir(exist_ok=True)
        np.savez_compressed(out, **{k: v.astype(np.float16) for k, v in cal.means.items()})
        print(f"wrote {out.relative_to(ROOT)} ({', '.join(cal.means)}); paste into relatedness.py:")
        for k in ("floor", "ceiling", "raw_slope", "raw_intercept"):
            print(f"{k.upper()} = {getattr(cal, k)}")
        rel.packaged.cache_clear()
        fitted = [i for i in range(n) if not unknown[i] and pairs[i]["pair_id"] not in gate]
        w = fit_time_weight(with_dates(loaded, id_days(loaded)), fitted, cal, cfg)
        print(f"and into LinkConfig (storyline/link/similarity.py): similarity_time_weight = {w}")
    halves = [[i for i in range(n) if half(pairs[i]["pair_id"]) == k] for k in (0, 1)]
    cross = crossfitted(loaded, cfg)
    lolo = crossfitted(loaded, cfg, by_language=True)
    proj = scores(a, b, unknown, None, cfg, templated)
    cos = [float(np.dot(x.vector, z.vector)) for x, z in zip(a, b, strict=True)]  # type: ignore[arg-type]
    same = [combine(signals(features(x), features(z), cfg), cfg) for x, z in zip(a, b, strict=True)]

    tfm = tfidf_matrix(list(a) + list(b))
    tf = [float((tfm[i] @ tfm[n + i].T).toarray()[0, 0]) for i in range(n)]
    groups: dict[str, list[int]] = defaultdict(list)
    for i, name in enumerate(names):
        groups[name].append(i)

    def r(v: Sequence[float], ix: Sequence[int]) -> float:
        return ev.pearson([v[i] for i in ix], [y[i] for i in ix])

    print(f"\nSIMILARITY  ({n} SemEval-2022 T8 dev pairs through the pipeline; Pearson with 5 - overall)")
    print("  project = what `storyline similarity` returns (IN-SAMPLE: calibrated on every dev pair but the gate's);")
    print("  cross-fit = calibration fitted on the other half; LOLO = fitted without that language pair's pairs")
    print(f"  {'pairs':<8} {'n':>4}  project  cross-fit   LOLO  e5-cos  TF-IDF  same-event-p   half0 / half1 cross-fit")
    for name, ix in [("all", list(range(n))), *sorted(groups.items())]:
        h0 = [i for i in ix if i in set(halves[0])]
        h1 = [i for i in ix if i in set(halves[1])]
        print(
            f"  {name:<8} {len(ix):>4}  {r(proj, ix):7.3f}  {r(cross, ix):9.3f}  {r(lolo, ix):6.3f}"
            f"  {r(cos, ix):6.3f}  {r(tf, ix):6.3f}"
            f"  {r(same, ix):12.3f}   {r(cross, h0):.3f} / {r(cross, h1):.3f}"
        )
    print("  sampling spread (2,000 bootstrap resamples of the pairs; 90% interval of the cross-fit, and of its")
    print("  gain over e5 cosine; share of resamples under the 0.80 bar):")
    for name in ("all", "de-en", "de-de", "pl-pl"):
        ix = list(range(n)) if name == "all" else groups.get(name, [])
        if ix:
            lo, hi, glo, ghi, under = bootstrap(cross, cos, y, ix)
            print(
                f"  {name:<8} cross-fit {lo:.3f}-{hi:.3f}  gain over e5 {glo:+.3f} to {ghi:+.3f}  "
                f"under 0.80: {under:.2f}"
            )
    dated(loaded, cfg)


def bootstrap(
    score: Sequence[float], base: Sequence[float], y: Sequence[float], ix: Sequence[int], rounds: int = 2000
) -> tuple[float, float, float, float, float]:
    """How far a Pearson figure on these few hundred pairs moves by chance: the 5th and 95th percentile
    over resamples of the pairs (with replacement, fixed seed), the same for its gain over ``base``,
    and the share of resamples under the 0.80 bar. A tweak that moves the dev figure by less than
    this spread is not evidence."""
    rng = np.random.default_rng(0)
    s, b, t = np.asarray(score, float), np.asarray(base, float), np.asarray(y, float)
    rs, gs = [], []
    for _ in range(rounds):
        k = rng.choice(np.asarray(ix), len(ix))
        r = float(np.corrcoef(s[k], t[k])[0, 1])
        rs.append(r)
        gs.append(r - float(np.corrcoef(b[k], t[k])[0, 1]))
    q = np.quantile(rs, [0.05, 0.95]), np.quantile(gs, [0.05, 0.95])
    return float(q[0][0]), float(q[0][1]), float(q[1][0]), float(q[1][1]), float(np.mean(np.array(rs) < 0.80))


HYPOTHESIS_LANGS = ("all", "de-de", "pl-pl", "de-en", "en-en", "es-es", "tr-tr", "ar-ar")


def hypotheses(loaded: Loaded) -> None:
    """Why German and Polish trail (issue 17): each suspect changed alone, every figure cross-fitted
    (calibration fitted on the other half), per language pair, beside plain e5 cosine."""
    pairs, y, names, a, b, unknown, _ = loaded
    n = len(pairs)

    def line(tag: str, v: Sequence[float]) -> None:
        cells = []
        for lg in HYPOTHESIS_LANGS:
            ix = [i for i in range(n) if lg == "all" or names[i] == lg]
            cells.append(f"{ev.pearson([v[i] for i in ix], [y[i] for i in ix]):6.3f}")
        print(f"  {tag:<44}" + " ".join(cells), flush=True)

    print(f"\nWHY LANGUAGES TRAIL (cross-fitted Pearson)  {'':<30}" + " ".join(f"{x:>6}" for x in HYPOTHESIS_LANGS))
    line("e5 cosine (baseline)", [float(np.dot(x.vector, z.vector)) for x, z in zip(a, b, strict=True)])  # type: ignore[arg-type]
    line("shipped", crossfitted(loaded))
    sim = sys.modules["storyline.link.similarity"]  # the module (the package exports a function of that name)
    saved = (rel.LANGUAGE_MEAN_WEIGHT, rel.BATCH_MEAN_SHARE, sim.EVENT_SHARE)
    try:
        for w in (0.0, 0.5, 1.0):
            rel.LANGUAGE_MEAN_WEIGHT = w
            line(f"language mean weight {w} (shipped {saved[0]})", crossfitted(loaded))
        rel.LANGUAGE_MEAN_WEIGHT = saved[0]
        for share in (0.0, 1.0):
            rel.BATCH_MEAN_SHARE = share
            line(f"the file's own mean, share {share} (shipped {saved[1]})", crossfitted(loaded))
        rel.BATCH_MEAN_SHARE = saved[1]
        for share in (0.0, 0.3):
            sim.EVENT_SHARE = share
            line(f"same-event share {share} (shipped {saved[2]})", crossfitted(loaded))
    finally:
        rel.LANGUAGE_MEAN_WEIGHT, rel.BATCH_MEAN_SHARE, sim.EVENT_SHARE = saved
    print("  page noise: share of each text's characters the cleaner kept (median; share of texts under 80%),")
    print("  pairs scored 'unknown' (a side is a page template), texts over the encoder's 1,500 characters:")
    for lg in HYPOTHESIS_LANGS[1:]:
        ix = [i for i in range(n) if names[i] == lg]
        kept = np.array([
            len(f"{x.title}{x.body}") / max(1, len(pairs[i][side]["text"]))
            for i in ix for x, side in ((a[i], "a"), (b[i], "b"))
        ])
        long = sum(len(pairs[i][side]["text"]) > 1500 for i in ix for side in ("a", "b"))
        print(f"   {lg}: kept {np.median(kept):.2f} ({np.mean(kept < 0.8):.2f} under 80%), "
              f"unknown {sum(unknown[i] for i in ix)}, over 1,500 chars {long}")


# Windows of each text measured by ``--windows``: the opening ``chars`` characters of what the encoder
# reads (keyed in the vector cache as ``benchmarks/encoding.py`` keys a shorter length), or the closing
# ``chars`` characters (read whole).
WINDOWS = (("head 600", 600, False), ("head 300", 300, False), ("tail 300", 300, True))


def window_vectors(arts: Sequence[Article], chars: int, tail: bool) -> list[np.ndarray]:
    """Each article's vector of one window of its encoder input (through the shared vector cache)."""
    from storyline.enrich.vectors import CachedEncoder, E5Encoder, encoder_input

    texts = [encoder_input(x) for x in arts]
    if tail:
        return list(CachedEncoder(E5Encoder(), CACHE).encode([t[-chars:] for t in texts]))
    return list(CachedEncoder(E5Encoder(max_chars=chars), CACHE).encode(texts))


def windows(loaded: Loaded) -> None:
    """Issue 17: does reading windows of each text beside the whole help? Each window's vectors go
    through the same calibration (fitted on the other half; LOLO: without the language pair), and
    are combined with the whole text's score as the mean or max of the two scores, or as one vector
    (the sum of the two, normalised). Every row cross-fitted, with the 90% bootstrap interval of
    its gain over the shipped score. The SemEval texts are excerpts of about 256 e5 tokens (HFL's
    head + tail of each article, at most 1,446 characters here), so e5 already reads each whole;
    windows can only reweigh parts of it."""
    pairs, y, names, a, b, _, _ = loaded
    n = len(pairs)
    halves = [[i for i in range(n) if half(pairs[i]["pair_id"]) == k] for k in (0, 1)]
    shipped = crossfitted(loaded)

    def with_vectors(va: Sequence[np.ndarray], vb: Sequence[np.ndarray]) -> Loaded:
        return loaded._replace(
            a=[dataclasses.replace(x, vector=v) for x, v in zip(a, va, strict=True)],
            b=[dataclasses.replace(x, vector=v) for x, v in zip(b, vb, strict=True)],
        )

    def unit(v: np.ndarray) -> np.ndarray:
        return (v / np.linalg.norm(v)).astype(np.float32)

    def line(tag: str, v: Sequence[float], lolo: Sequence[float] | None = None) -> None:
        cells = [ev.pearson([v[i] for i in ix], [y[i] for i in ix])
                 for ix in ([i for i in range(n) if lg == "all" or names[i] == lg] for lg in HYPOTHESIS_LANGS)]
        h = "/".join(f"{ev.pearson([v[i] for i in ix], [y[i] for i in ix]):.3f}" for ix in halves)
        lo = "" if lolo is None else f"  LOLO {ev.pearson(lolo, y):.3f}"
        _, _, glo, ghi, _ = bootstrap(v, shipped, y, list(range(n)))
        print(f"  {tag:<30}" + " ".join(f"{c:6.3f}" for c in cells) + f"  {h}  gain {glo:+.3f}..{ghi:+.3f}{lo}",
              flush=True)

    print(f"\nWINDOWS (cross-fitted Pearson){'':<2}" + " ".join(f"{x:>6}" for x in HYPOTHESIS_LANGS)
          + "  halves       gain over shipped, 90%")
    line("e5 cosine (baseline)", [float(np.dot(x.vector, z.vector)) for x, z in zip(a, b, strict=True)])  # type: ignore[arg-type]
    line("shipped (whole text)", shipped, crossfitted(loaded, by_language=True))
    for tag, chars, tail in WINDOWS:
        va, vb = window_vectors(a, chars, tail), window_vectors(b, chars, tail)
        alone = crossfitted(with_vectors(va, vb))
        line(f"{tag} alone", alone)
        line(f"mean(whole, {tag})", [(p + q) / 2 for p, q in zip(shipped, alone, strict=True)])
        line(f"max(whole, {tag})", [max(p, q) for p, q in zip(shipped, alone, strict=True)])
        both = with_vectors([unit(x.vector + v) for x, v in zip(a, va, strict=True)],  # type: ignore[operator]
                            [unit(x.vector + v) for x, v in zip(b, vb, strict=True)])  # type: ignore[operator]
        line(f"one vector whole + {tag}", crossfitted(both), crossfitted(both, by_language=True))
    print("  encoder cost (16 texts, no cache; CPU seconds, every encoder thread counted): articles per CPU-second")
    from storyline.enrich.vectors import E5Encoder, encoder_input

    texts = [encoder_input(x) for x in a[:16]]
    enc = E5Encoder()
    for tag, chars, tail in (("whole", 1500, False), *WINDOWS):
        cut = [t[-chars:] if tail else t[:chars] for t in texts]
        t0 = time.process_time()
        enc.encode(cut)
        print(f"   {tag:<10} {len(cut) / (time.process_time() - t0):5.2f}", flush=True)


def overlaps(loaded: Loaded) -> None:
    """Issue 17: does one overlap signal (``signals``: shared entity keys, which hold across
    languages; shared numbers; body words) add to the shipped score? Its weight is fitted with the
    score's by least squares on the other half (or on the other language pairs, LOLO) and the
    score gets signal x (weight / score weight); a signal a pair cannot measure takes the fitted
    pairs' mean. Titles and publish dates: the SemEval pairs give neither (id, text, lang only), so
    "title" and "time" are never measured here."""
    pairs, y, names, a, b, _, _ = loaded
    n = len(pairs)
    shipped = np.asarray(crossfitted(loaded))
    t = np.asarray(y)
    sigs = [signals(features(x), features(z)) for x, z in zip(a, b, strict=True)]
    by_half = np.array([half(p["pair_id"]) for p in pairs])
    by_lang = np.array(names)

    def refit(f: np.ndarray, keys: np.ndarray) -> np.ndarray:
        out = np.zeros(n)
        for k in set(keys.tolist()):
            fit, test = keys != k, keys == k
            if np.isnan(f[fit]).all():  # not measured where the weight would be fitted: no weight
                out[test] = shipped[test]
                continue
            g = np.where(np.isnan(f), np.nanmean(f[fit]), f)
            w = np.linalg.lstsq(np.c_[shipped[fit], g[fit], np.ones(int(fit.sum()))], t[fit], rcond=None)[0]
            out[test] = shipped[test] + w[1] / w[0] * g[test]
        return out

    def cells(v: np.ndarray) -> str:
        ixs = [[i for i in range(n) if lg == "all" or names[i] == lg] for lg in HYPOTHESIS_LANGS]
        return " ".join(f"{ev.pearson(list(v[ix]), list(t[ix])):6.3f}" for ix in ixs)

    print(f"\nOVERLAP SIGNALS (cross-fitted){'':<6}" + " ".join(f"{x:>6}" for x in HYPOTHESIS_LANGS)
          + "  halves       gain over shipped, 90%   LOLO")
    print(f"  {'shipped':<34}{cells(shipped)}")
    for name in ("entities", "numbers", "words", "title", "time"):
        f = np.array([np.nan if s.get(name) is None else float(s[name]) for s in sigs])  # type: ignore[arg-type]
        if np.mean(~np.isnan(f)) < 0.05:  # a weight fitted on a handful of pairs shifts whole folds
            print(f"  + {name}: measured on {int(np.sum(~np.isnan(f)))} pairs only, not fitted")
            continue
        v, lolo = refit(f, by_half), refit(f, by_lang)
        h = "/".join(f"{ev.pearson(list(v[by_half == k]), list(t[by_half == k])):.3f}" for k in (0, 1))
        _, _, glo, ghi, _ = bootstrap(list(v), list(shipped), y, list(range(n)))
        print(f"  {'+ ' + name + f' (measured on {np.mean(~np.isnan(f)):.0%})':<34}{cells(v)}  {h}"
              f"  {glo:+.3f}..{ghi:+.3f}   {ev.pearson(list(lolo), y):.3f}", flush=True)


def _refit(base: np.ndarray, f: np.ndarray, keys: np.ndarray, t: np.ndarray) -> np.ndarray:
    """The least-squares line of ``t`` on (base, f) fitted on the other groups of ``keys`` (halves, or
    language pairs for LOLO), intercept included so that the groups' scores share one scale."""
    out = np.zeros(len(base))
    for k in set(keys.tolist()):
        fit, test = keys != k, keys == k
        w = np.linalg.lstsq(np.c_[base[fit], f[fit], np.ones(int(fit.sum()))], t[fit], rcond=None)[0]
        out[test] = np.c_[base[test], f[test], np.ones(int(test.sum()))] @ w
    return out


def _gain_row(tag: str, v: np.ndarray, base: np.ndarray, t: np.ndarray, by_half: np.ndarray,
              names: np.ndarray, lolo: np.ndarray | None = None) -> None:
    """One row: Pearson overall, per language pair, per half, the 90% bootstrap interval of the gain
    over ``base`` and the leave-one-language-pair-out figure."""
    langs = [lg for lg in HYPOTHESIS_LANGS if lg == "all" or (names == lg).sum() > 2]
    cells = " ".join(f"{lg} {np.corrcoef(v[m], t[m])[0, 1]:.3f}"
                     for lg in langs for m in [np.ones(len(v), bool) if lg == "all" else names == lg])
    h = "/".join(f"{np.corrcoef(v[by_half == k], t[by_half == k])[0, 1]:.3f}" for k in (0, 1))
    _, _, glo, ghi, _ = bootstrap(list(v), list(base), list(t), list(range(len(v))))
    lo = "" if lolo is None else f"  LOLO {np.corrcoef(lolo, t)[0, 1]:.3f}"
    print(f"  {tag:<34} {cells}  halves {h}  gain {glo:+.3f}..{ghi:+.3f}{lo}", flush=True)


# A language pair's own line counts n / (n + SHRINK_PAIRS) against the pooled one (``shape``).
SHRINK_PAIRS = 50


def _hinges(z: np.ndarray, knots: np.ndarray) -> np.ndarray:
    """The design of a linear spline with these knots: 1, z, and max(0, z - knot) for each."""
    return np.c_[np.ones_like(z), z, *[np.maximum(0.0, z - q) for q in knots]]


def shape(loaded: Loaded) -> None:
    """Issue 17: is the floor/ceiling line the right shape? The gold (1-4) bends against the cosine,
    and Pearson rewards a linear relation; so the shipped score is mapped by a monotone function
    fitted on the other half (LOLO: on the other language pairs): isotonic regression, a linear
    spline with 1-3 knots at quantiles of the score, or a power of the score."""
    from sklearn.isotonic import IsotonicRegression

    pairs, y, names_l, *_ = loaded
    unknown = np.asarray(loaded.unknown)
    t, names = np.asarray(y), np.asarray(names_l)
    by_half = np.array([half(p["pair_id"]) for p in pairs])
    cross, lolo = np.asarray(crossfitted(loaded)), np.asarray(crossfitted(loaded, by_language=True))

    def mapped(base: np.ndarray, keys: np.ndarray, how: str) -> np.ndarray:
        out = np.zeros(len(base))
        for k in set(keys.tolist()):
            fit, test = (keys != k) & ~unknown, keys == k
            if how == "isotonic":
                out[test] = IsotonicRegression(out_of_bounds="clip").fit(base[fit], t[fit]).predict(base[test])
            elif how.startswith("by language pair"):  # a line per pair, shrunk to the pooled line
                pooled = np.polyfit(base[fit], t[fit], 1)
                for lg in set(names[test].tolist()):
                    own, m = fit & (names == lg), test & (names == lg)
                    line = np.polyfit(base[own], t[own], 1) if own.sum() > 2 else pooled
                    share = own.sum() / (own.sum() + SHRINK_PAIRS)
                    out[m] = np.polyval(share * line + (1 - share) * pooled, base[m])
            elif how == "power":
                p = max(np.linspace(0.3, 2.0, 35), key=lambda q: np.corrcoef(base[fit] ** q, t[fit])[0, 1])
                out[test] = base[test] ** p
            else:
                knots = np.quantile(base[fit], np.linspace(0, 1, int(how[0]) + 2)[1:-1])
                w = np.linalg.lstsq(_hinges(base[fit], knots), t[fit], rcond=None)[0]
                out[test] = _hinges(base[test], knots) @ w
        return out

    print("\nTHE CALIBRATION'S SHAPE (a monotone map of the shipped score fitted on the other half)")
    _gain_row("shipped (floor, ceiling: a line)", cross, cross, t, by_half, names, lolo)
    for how in ("isotonic", "1 knot", "2 knots", "3 knots", "power", f"by language pair, shrunk ({SHRINK_PAIRS})"):
        _gain_row(how, mapped(cross, by_half, how), cross, t, by_half, names, mapped(lolo, names, how))
    print("  gold against the score, by tenth of the score (mean, sd):")
    edges = np.quantile(cross, np.linspace(0, 1, 11))
    for lo_, hi_ in itertools.pairwise(edges):
        m = (cross >= lo_) & (cross <= hi_)
        print(f"   {lo_:.2f}-{hi_:.2f}  n {int(m.sum()):3d}  gold {t[m].mean():.2f} ({t[m].std():.2f})")


# The spliced tail of a SemEval text (its last ~56 e5 tokens) is about this many characters.
TAIL_CHARS = 350


def cleaned_tail(text: str) -> str:
    """``text`` with the sentences of its last TAIL_CHARS characters that the cleaner's own rules call
    furniture (``is_boilerplate_phrase`` as it judges a full sentence, ``is_tail_stop``) taken out."""
    from storyline.clean.text import is_boilerplate_phrase, is_tail_stop, split_sentences

    head, tail = text[:-TAIL_CHARS], text[-TAIL_CHARS:]
    lines = [" ".join(s for s in split_sentences(line.strip())
                      if not (is_boilerplate_phrase(s, sentence_ok=True) or is_tail_stop(s)))
             if line.strip() else line for line in tail.split("\n")]
    cleaned = "\n".join(lines)
    return text if cleaned.split() == tail.split() else head + cleaned


def tail_cleaning(loaded: Loaded) -> None:
    """Issue 17: the tail alone scores 0.602 (bylines, "Advertisement", link lists); does taking the
    cleaner's furniture out of it before encoding help? Only changed texts are encoded again."""
    from storyline.enrich.vectors import CachedEncoder, E5Encoder, encoder_input

    enc = CachedEncoder(E5Encoder(), CACHE)

    def redo(arts: Sequence[Article]) -> tuple[list[Article], int]:
        out, changed = [], 0
        for x in arts:
            text = encoder_input(x)
            new = cleaned_tail(text)
            if new != text:
                changed += 1
                x = dataclasses.replace(x, vector=enc.encode([new])[0])
            out.append(x)
        return out, changed

    (a, ca), (b, cb) = redo(loaded.a), redo(loaded.b)
    t, names = np.asarray(loaded.y), np.asarray(loaded.names)
    by_half = np.array([half(p["pair_id"]) for p in loaded.pairs])
    cross = np.asarray(crossfitted(loaded))
    print(f"\nTAIL CLEANING ({ca + cb} of {2 * len(a)} texts change; the cleaner already judged these lines)")
    _gain_row("shipped", cross, cross, t, by_half, names, np.asarray(crossfitted(loaded, by_language=True)))
    new = loaded._replace(a=a, b=b)
    _gain_row("tail furniture out", np.asarray(crossfitted(new)), cross, t, by_half, names,
              np.asarray(crossfitted(new, by_language=True)))


def text_sentences(text: str, most: int = 20) -> list[str]:
    """The sentences of an encoder input, by the cleaner's script-aware splitter (line by line); a
    piece under 25 characters (a byline, "Reklama") joins the sentence before it; at most ``most``."""
    from storyline.clean.text import split_sentences

    out: list[str] = []
    for line in text.splitlines():
        for s in split_sentences(line.strip()) if line.strip() else []:
            if out and len(s) < 25:
                out[-1] += " " + s
            else:
                out.append(s)
    return out[:most]


def alignment(loaded: Loaded, limit: int) -> None:
    """Issue 17: score a pair by how its sentences align (each text's sentences encoded alone). For
    the first ``limit`` pairs of a fixed shuffle (seed 17; every sentence through the shared vector
    cache): BERTScore-style mean of best matches both ways, the mean of the 3 best matches, the best
    match; each plain and with its language's sentence mean (taken on the other half) removed.
    Alone (a line fitted on the other half) and added to the shipped score (weight fitted on the
    other half; LOLO on the other language pairs), beside the shipped score on the same pairs."""
    from storyline.enrich.vectors import CachedEncoder, E5Encoder, encoder_input

    order = [int(i) for i in np.random.default_rng(17).permutation(len(loaded.pairs))[:limit]]
    enc = CachedEncoder(E5Encoder(), CACHE)
    sa, sb, keep = [], [], []
    for i in order:
        va, vb = (enc.encode(text_sentences(encoder_input(x))) for x in (loaded.a[i], loaded.b[i]))
        if len(va) and len(vb):
            sa.append(va)
            sb.append(vb)
            keep.append(i)
    ix = np.array(keep)
    t, names = np.asarray(loaded.y)[ix], np.asarray(loaded.names)[ix]
    la = [(loaded.a[i].lang or "").lower() for i in ix]
    lb = [(loaded.b[i].lang or "").lower() for i in ix]
    by_half = np.array([half(loaded.pairs[i]["pair_id"]) for i in ix])
    cross = np.asarray(crossfitted(loaded))[ix]
    lolo = np.asarray(crossfitted(loaded, by_language=True))[ix]

    def unit(m: np.ndarray) -> np.ndarray:
        return m / np.linalg.norm(m, axis=-1, keepdims=True)

    def measures(keys: np.ndarray, centred: bool) -> dict[str, np.ndarray]:
        out: dict[str, list[float]] = defaultdict(list)
        rows: dict[int, dict[str, float]] = {}
        for k in set(keys.tolist()):
            test = keys == k
            pooled: dict[str, list[np.ndarray]] = defaultdict(list)
            for j in np.where(~test)[0]:
                pooled[la[j]].append(sa[j])
                pooled[lb[j]].append(sb[j])
            means = {lg: np.vstack(v).mean(0) for lg, v in pooled.items()} if centred else {}
            for j in np.where(test)[0]:
                a = unit(sa[j] - rel.LANGUAGE_MEAN_WEIGHT * means[la[j]]) if la[j] in means else sa[j]
                b = unit(sb[j] - rel.LANGUAGE_MEAN_WEIGHT * means[lb[j]]) if lb[j] in means else sb[j]
                m = a @ b.T
                rows[j] = {"best-match mean": (m.max(1).mean() + m.max(0).mean()) / 2,
                           "top-3 mean": np.sort(m.ravel())[-3:].mean(), "best match": m.max()}
        for j in range(len(ix)):
            for name, v in rows[j].items():
                out[name].append(v)
        return {k: np.asarray(v) for k, v in out.items()}

    def alone(f: np.ndarray) -> np.ndarray:
        out = np.zeros(len(f))
        for k in (0, 1):
            slope, icpt = np.polyfit(f[by_half != k], t[by_half != k], 1)
            out[by_half == k] = slope * f[by_half == k] + icpt
        return out

    sizes = [len(v) for v in sa + sb]
    print(f"\nSENTENCE ALIGNMENT ({len(ix)} pairs of a fixed shuffle; {np.median(sizes):.0f} sentences a text "
          "(median))")
    raw, sample = E5Encoder(), [encoder_input(x) for i in order[:8] for x in (loaded.a[i], loaded.b[i])]
    for tag, cut in (("whole text", lambda z: [z]), ("its sentences", text_sentences)):
        cpu = time.process_time()
        for z in sample:
            raw.encode(cut(z))
        print(f"  encoder cost, {tag}: {len(sample) / (time.process_time() - cpu):.2f} articles per CPU-second"
              " (16 texts, no cache, every encoder thread counted)", flush=True)
    _gain_row("shipped (whole text)", cross, cross, t, by_half, names, lolo)
    # On a few hundred pairs the fitted line alone moves the pooled figure, so gains are taken over
    # the shipped score put through the same refit with nothing added.
    none = np.zeros(len(ix))
    ref = _refit(cross, none, by_half, t)
    _gain_row("shipped, line refit (the base below)", ref, cross, t, by_half, names, _refit(lolo, none, names, t))
    for centred in (False, True):
        f_half, f_lang = measures(by_half, centred), measures(names, centred)
        tag = "centred" if centred else "plain"
        for name in f_half:
            _gain_row(f"{name}, {tag}, alone", alone(f_half[name]), ref, t, by_half, names)
            _gain_row(f"shipped + {name}, {tag}", _refit(cross, f_half[name], by_half, t), ref, t, by_half,
                      names, _refit(lolo, f_lang[name], names, t))
    # The first sentence is the headline (the encoder's title): against the other's, and against the
    # other's whole vector (both ways), as the worst pairs differ most in their headlines.
    whole = [(np.asarray(loaded.a[i].vector), np.asarray(loaded.b[i].vector)) for i in ix]
    heads = {"headline cosine": np.array([x[0] @ z[0] for x, z in zip(sa, sb, strict=True)]),
             "headline vs other's whole": np.array([(x[0] @ wb + z[0] @ wa) / 2
                                                    for (wa, wb), x, z in zip(whole, sa, sb, strict=True)])}
    for name, f in heads.items():
        _gain_row(f"{name}, alone", alone(f), ref, t, by_half, names)
        _gain_row(f"shipped + {name}", _refit(cross, f, by_half, t), ref, t, by_half, names,
                  _refit(lolo, f, names, t))


def name_stems(x: Article) -> frozenset[str]:
    """Capitalised words (3+ letters) of an article, transliterated (``anyascii``) and cut to their
    first 5 letters: a lemma-light name key that matches "Merkels" with "Merkel" and "Putina" with
    "Путин" without the entity gazetteer."""
    from anyascii import anyascii

    return frozenset(anyascii(w).lower()[:5] for w in _WORDS3.findall(f"{x.title} {x.body}") if w[0].isupper())


_WORDS3 = re.compile(r"\b\w{3,}\b")


def aspects(loaded: Loaded) -> None:
    """Issue 17: the SemEval gold "overall" is given beside six aspects (geography, entities, time,
    narrative, style, tone). Which does the score follow least, and does a signal aimed at one add
    to the score? Each signal is added by a least-squares line fitted on the other half (LOLO: on
    the other language pairs), a pair that cannot measure it taking the fitted pairs' mean; the
    gain is over the shipped score put through the same refit with nothing added."""
    from storyline.dates import dates_mentioned

    pairs, y, names_l, a, b, unknown, _ = loaded
    with open(ROOT.parent / "shared/data/similarity/gold.jsonl", encoding="utf-8") as fh:
        gold = {g["pair_id"]: g for g in map(json.loads, fh)}
    t, names = np.asarray(y), np.asarray(names_l)
    by_half = np.array([half(p["pair_id"]) for p in pairs])
    cross, lolo = np.asarray(crossfitted(loaded)), np.asarray(crossfitted(loaded, by_language=True))
    print("\nTHE GOLD'S ASPECTS: Pearson of the cross-fitted score with each (1 = very similar, so sign flipped)")
    print("  " + "  ".join(f"{k} {np.corrcoef(cross, [-gold[p['pair_id']][k] for p in pairs])[0, 1]:.3f}"
                           for k in ("overall", "entities", "narrative", "geography", "tone", "time", "style")))

    def jac(x: frozenset[str], z: frozenset[str]) -> float:
        return len(x & z) / len(x | z) if x and z else np.nan

    def places(x: Article, city: bool) -> frozenset[str]:
        return frozenset(k if city else k.split("/", 1)[0] for k in x.entity_keys() if k.startswith("place:"))

    def named_gap(x: Article, z: Article) -> float:
        dx, dz = dates_mentioned(x.body, None, x.lang), dates_mentioned(z.body, None, z.lang)
        return -math.log1p(min(abs((p - q).days) for p in dx for q in dz)) if dx and dz else np.nan

    sides = list(zip(a, b, strict=True))
    signals_ = {
        "places shared, country (geography)": [jac(places(x, False), places(z, False)) for x, z in sides],
        "places shared, city (geography)": [jac(places(x, True), places(z, True)) for x, z in sides],
        "other entity keys shared (entities)": [
            jac(*(frozenset(k for k in v.entity_keys() if not k.startswith("place:")) for v in (x, z)))
            for x, z in zip(a, b, strict=True)],
        "name stems across scripts (entities)": [jac(name_stems(x), name_stems(z)) for x, z in zip(a, b, strict=True)],
        "days between dates the texts name (time)": [named_gap(x, z) for x, z in zip(a, b, strict=True)],
    }
    ok = ~np.asarray(unknown)

    def refit(base: np.ndarray, f: np.ndarray, keys: np.ndarray) -> np.ndarray:
        out = base.copy()
        for k in set(keys.tolist()):
            fit, test = (keys != k) & ok, keys == k
            g = np.where(np.isnan(f), np.nanmean(f[fit]), f)
            w = np.linalg.lstsq(np.c_[base[fit], g[fit], np.ones(int(fit.sum()))], t[fit], rcond=None)[0]
            out[test] = np.c_[base[test], g[test], np.ones(int(test.sum()))] @ w
        return out

    none = np.zeros(len(t))
    ref = refit(cross, none, by_half)
    _gain_row("shipped", cross, cross, t, by_half, names, lolo)
    _gain_row("shipped, line refit (the base below)", ref, cross, t, by_half, names, refit(lolo, none, names))
    for tag, vals in signals_.items():
        f = np.asarray(vals, dtype=float)
        _gain_row(f"+ {tag}, measured {np.mean(~np.isnan(f)):.0%}", refit(cross, f, by_half), ref, t, by_half, names,
                  refit(lolo, f, names))


class PartScorer(NamedTuple):
    """``parts``' rebuilt score: ``scored(variant, how)`` gives every pair's score, fitted ``how``
    ("in-sample", "halves", "LOLO", "language out"); the gold, language-pair names and halves."""

    scored: Callable[[dict, str], np.ndarray]  # type: ignore[type-arg]
    t: np.ndarray
    names: np.ndarray
    by_half: np.ndarray
    langs: list[str]


def part_scorer(loaded: Loaded) -> PartScorer:
    """The score rebuilt from its parts (language means, the file's own means, floor and ceiling,
    the same-event share), each part a variant's key: ``weight``, ``pooled``, ``no_dev_means``,
    ``share`` (the file's own means), ``fixed_line``, ``event`` (the same-event share: a number,
    or one per pair) and ``q`` (what the share weighs, one per pair; default the shipped
    ``event_part(...) ** EVENT_POWER``)."""
    from storyline.link.similarity import EVENT_POWER, EVENT_SHARE
    from storyline.pipeline import UNKNOWN_SIMILARITY

    pairs, y, names_l, a, b, unknown_l, templated = loaded
    n, t, names, unknown = len(pairs), np.asarray(y), np.asarray(names_l), np.asarray(unknown_l)
    va, vb = np.stack([x.vector for x in a]), np.stack([x.vector for x in b])  # type: ignore[misc]
    la, lb = [(x.lang or "").lower() for x in a], [(x.lang or "").lower() for x in b]
    cfg = LinkConfig()
    shifted = (va * vb).sum(1) + cfg.crosslingual_cosine_shift * np.array([p != q for p, q in zip(la, lb, strict=True)])
    event = np.array([event_part(signals(features(x), features(z), cfg), cfg) ** EVENT_POWER
                      for x, z in zip(a, b, strict=True)])
    by_half = np.array([half(p["pair_id"]) for p in pairs])

    def means(idx: Sequence[int], pooled: bool) -> dict[str, np.ndarray]:
        seen = {x.id: (lg, v) for i in idx for x, lg, v in ((a[i], la[i], va[i]), (b[i], lb[i], vb[i]))
                if x.id not in templated}
        if pooled and seen:
            m = np.mean([v for _, v in seen.values()], 0)
            return dict.fromkeys({lg for lg, _ in seen.values()}, m)
        by: dict[str, list[np.ndarray]] = defaultdict(list)
        for lg, v in seen.values():
            by[lg].append(v)
        return {k: np.mean(v, 0) for k, v in by.items() if len(v) >= rel.MIN_LANGUAGE_ARTICLES}

    def centred(idx: Sequence[int], m: dict[str, np.ndarray], w: float) -> np.ndarray:
        def unit(v: np.ndarray) -> np.ndarray:
            return v / np.linalg.norm(v)
        return np.array([float(unit(va[i] - w * m[la[i]]) @ unit(vb[i] - w * m[lb[i]]))
                         if la[i] in m and lb[i] in m else np.nan for i in idx])

    def fold(train: Sequence[int], test: Sequence[int], v: dict) -> np.ndarray:  # type: ignore[type-arg]
        train = [i for i in train if not unknown[i]]
        w = v.get("weight", rel.LANGUAGE_MEAN_WEIGHT)
        shipped = {} if v.get("no_dev_means") else means(train, v.get("pooled", False))
        cen = centred(train, shipped, w)
        ok = ~np.isnan(cen)
        line = np.polyfit(shifted[train][ok], cen[ok], 1) if ok.sum() >= 2 else (1.0, 0.0)
        cen = np.where(ok, cen, np.polyval(line, shifted[train]))
        lo, hi = np.quantile(cen, rel.FLOOR_QUANTILE), np.median(cen[t[train] >= 4])
        if v.get("fixed_line"):  # no fitted floor or ceiling: the centred cosine itself
            lo, hi = 0.0, 1.0
        share = v.get("share", rel.BATCH_MEAN_SHARE)
        mixed = dict(shipped)
        for lg, m in (means(test, v.get("pooled", False)) if share else {}).items():
            mixed[lg] = m if lg not in mixed else (1 - share) * mixed[lg] + share * m
        x = centred(test, mixed, w)
        x = np.where(np.isnan(x), np.polyval(line, shifted[test]), x)
        r = np.clip((x - lo) / max(hi - lo, 1e-6), 0.0, 1.0)
        es = np.broadcast_to(np.asarray(v.get("event", EVENT_SHARE), float), (n,))[test]
        q = np.asarray(v.get("q", event))[test]
        s = np.minimum(1.0, (1 - es) * r + es * q)
        return np.where(unknown[test], UNKNOWN_SIMILARITY, s)

    def scored(v: dict, how: str) -> np.ndarray:  # type: ignore[type-arg]
        out = np.zeros(n)
        if how == "in-sample":
            out[:] = fold(range(n), list(range(n)), v)
            return out
        keys = by_half if how == "halves" else names
        for k in sorted(set(keys.tolist())):
            test = [i for i in range(n) if keys[i] == k]
            if how == "language out":
                langs = set(str(k).split("-"))
                train = [i for i in range(n) if la[i] not in langs and lb[i] not in langs]
            else:
                train = [i for i in range(n) if keys[i] != k]
            out[test] = fold(train, test, v)
        return out

    langs = ["all", *sorted(set(names_l), key=lambda x: -names_l.count(x))]
    return PartScorer(scored, t, names, by_half, langs)


def parts(loaded: Loaded) -> None:
    """Issue 17, session 19: which fitted parts of the calibration carry over to pairs they never
    saw. The score is rebuilt from its parts (``part_scorer``) and each variant is fitted four
    ways: on every pair (IN-SAMPLE), on the other half, without the scored language pair (LOLO),
    and without any pair that has one of its languages (language left out: its means come from
    the scored file alone), each group scored as one file."""
    scored, t, names, by_half, langs = part_scorer(loaded)
    n = len(t)
    va, vb = np.stack([x.vector for x in loaded.a]), np.stack([x.vector for x in loaded.b])  # type: ignore[misc]
    print("\nTHE CALIBRATION'S PARTS (Pearson per language pair; each variant fitted in-sample, on the other "
          "half, without the scored language pair, and without any pair in one of its languages)")
    print(f"  {'variant':<40} {'fitted':<13}" + " ".join(f"{x:>6}" for x in langs) + "  halves")

    def row(tag: str, how: str, v: np.ndarray) -> None:
        cells = " ".join(f"{np.corrcoef(v[m], t[m])[0, 1]:6.3f}"
                         for m in (np.ones(n, bool) if lg == "all" else names == lg for lg in langs))
        h = "/".join(f"{np.corrcoef(v[by_half == k], t[by_half == k])[0, 1]:.3f}" for k in (0, 1))
        print(f"  {tag:<40} {how:<13}{cells}  {h}", flush=True)

    row("e5 cosine", "nothing", (va * vb).sum(1))
    variants = {
        "shipped recipe": {},
        "no dev means (the file's own only)": {"no_dev_means": True, "share": 1.0},
        "dev means only (file share 0)": {"share": 0.0},
        "one pooled mean for every language": {"pooled": True},
        "no centring (weight 0)": {"weight": 0.0},
        "centring weight 0.5": {"weight": 0.5},
        "no same-event share": {"event": 0.0},
        "no floor or ceiling (centred cosine)": {"fixed_line": True},
    }
    for tag, v in variants.items():
        for how in ("in-sample", "halves", "LOLO", "language out"):
            row(tag, how, scored(v, how))


def shares(loaded: Loaded) -> None:
    """Issue 17, session 23: what the same-event share of the score should weigh. Session 19 found
    the score better on pairs it never saw without the share (``--parts``), but the share is what
    ranks a translation above two reports of different happenings (the seeds 000/001 and 003/004).
    Each variant keeps the rest of the recipe and is fitted four ways as ``--parts``; beside each,
    the 90% paired bootstrap interval of its cross-fitted (halves) gain over main before session
    23 (the share weighs ``combine``, entities included, for every pair)."""
    from storyline.link.similarity import EVENT_POWER, EVENT_SHARE

    scored, t, names, by_half, langs = part_scorer(loaded)
    n = len(t)
    cfg = LinkConfig()
    w = cfg.weight_map()
    sig = [signals(features(x), features(z), cfg) for x, z in zip(loaded.a, loaded.b, strict=True)]
    cen = np.array([s["centred"] if s["centred"] is not None else np.nan for s in sig])
    ent = np.array([s["entities"] or 0.0 for s in sig])
    cross = np.array([bool(s["crosslingual"]) for s in sig])
    dup = np.array([s["duplicate"] is not None and s["duplicate"] >= cfg.duplicate_jaccard for s in sig])

    def event(with_entities: np.ndarray) -> np.ndarray:
        z = w.get("bias", 0.0) + w.get("centred", 0.0) * cen + w.get("crosslingual", 0.0) * cross
        z = z + np.where(with_entities, w.get("entities", 0.0) * ent, 0.0)
        return np.where(dup, 1.0, 1.0 / (1.0 + np.exp(-np.clip(z, -50, 50)))) ** EVENT_POWER

    everywhere = np.ones(n, bool)
    variants: dict[str, dict] = {  # type: ignore[type-arg]
        "main (p with entities, every pair)": {"q": event(everywhere)},
        "no share": {"event": 0.0},
        "share across languages only": {"q": event(everywhere), "event": np.where(cross, EVENT_SHARE, 0.0)},
        "p without entities, every pair": {"q": event(~everywhere)},
        "p without entities across languages only": {"q": event(~cross)},
        "SHIPPED: p without entities within a language": {},
        "  within a language, entities when >= 0.5": {"q": event(cross | (ent >= 0.5))},
        "  within a language, entities when >= 0.3": {"q": event(cross | (ent >= 0.3))},
    }
    print(f"\nTHE SAME-EVENT SHARE ({n} pairs; Pearson per language pair)")
    print(f"  {'variant':<46} {'fitted':<13}" + " ".join(f"{x:>6}" for x in langs)
          + "  halves         gain, 90%")
    base = scored(variants["main (p with entities, every pair)"], "halves")
    for tag, v in variants.items():
        for how in ("in-sample", "halves", "LOLO", "language out"):
            s = scored(v, how)
            cells = " ".join(f"{np.corrcoef(s[m], t[m])[0, 1]:6.3f}"
                             for m in (np.ones(n, bool) if lg == "all" else names == lg for lg in langs))
            h = "/".join(f"{np.corrcoef(s[by_half == k], t[by_half == k])[0, 1]:.3f}" for k in (0, 1))
            tail = ""
            if how == "halves":
                _, _, glo, ghi, _ = bootstrap(s, base, t, list(range(n)))
                tail = f"  {glo:+.3f}..{ghi:+.3f}"
            print(f"  {tag:<46} {how:<13}{cells}  {h}{tail}", flush=True)


def lone(loaded: Loaded) -> None:
    """Each pair as the only pair of its file (issue 17, session 20): the page-template check then
    sees two texts, so no line is furniture and a block page is known only by its own sign
    (``templates.block_page``). Cross-fitted as the default run (calibration fitted on the other
    half; LOLO without the language pair), each half's means as one file: only which pairs are
    scored "unknown" differs from it. Printed: the check as shipped before session 20 (the shared
    furniture alone), with the block-page sign, and the whole file's check for reference."""
    from storyline.clean.templates import Templates

    pairs, y, names, a, b, unknown, _ = loaded
    n = len(pairs)
    alone_old, alone_new = [], []
    for p in pairs:
        raws = [parse_record(p[k], f"{p['pair_id']} {k}") for k in "ab"]
        tpl = Templates.of_inputs(raws)
        alone_old.append(any(not r.html and tpl.is_template(r.text or "") for r in raws))
        alone_new.append(any(tpl.holds(r) for r in raws))
    cos = [float(np.dot(x.vector, z.vector)) for x, z in zip(a, b, strict=True)]  # type: ignore[arg-type]
    langs = ("all", "pl-pl", "de-de", "ar-ar")
    print(f"\nONE PAIR PER FILE (cross-fitted Pearson)  {'':<10}" + " ".join(f"{x:>6}" for x in langs)
          + "   halves          LOLO   unknown pairs")
    rows = [("e5 cosine (baseline)", None), ("whole file's check", unknown),
            ("alone, shared furniture only", alone_old), ("alone, + block-page sign", alone_new)]
    for tag, unk in rows:
        if unk is None:
            v, lo, k = cos, None, 0
        else:
            lo_loaded = loaded._replace(unknown=list(unk))
            v, lo, k = crossfitted(lo_loaded), crossfitted(lo_loaded, by_language=True), sum(unk)
        cells = []
        for lg in langs:
            ix = [i for i in range(n) if lg == "all" or names[i] == lg]
            cells.append(f"{ev.pearson([v[i] for i in ix], [y[i] for i in ix]):6.3f}")
        hv = [ev.pearson([v[i] for i in range(n) if half(pairs[i]["pair_id"]) == h],
                         [y[i] for i in range(n) if half(pairs[i]["pair_id"]) == h]) for h in (0, 1)]
        tail = f"   {hv[0]:.3f} / {hv[1]:.3f}   " + (f"{ev.pearson(lo, y):.3f}" if lo else "     ") + f"   {k}"
        print(f"  {tag:<50}" + " ".join(cells) + tail, flush=True)


def fit_crosslingual(sigs: list[dict], y: list[float], cfg: LinkConfig) -> float:
    """The cross-lingual weight: the mean gap between cross-lingual pairs' logits and what
    same-language pairs of the same gold similarity get (a line fitted on those)."""
    w0 = dataclasses.replace(cfg, weights=tuple((k, v) for k, v in cfg.weights if k != "crosslingual"))
    z = [math.log(max(p, 1e-9) / max(1 - p, 1e-9)) for p in (combine({**s, "duplicate": None}, w0) for s in sigs)]
    mono = [i for i, s in enumerate(sigs) if not s["crosslingual"]]
    cross = [i for i, s in enumerate(sigs) if s["crosslingual"]]
    if not mono or not cross:
        return 0.0
    slope, icpt = np.polyfit([y[i] for i in mono], [z[i] for i in mono], 1)
    return round(-float(np.mean([z[i] - (icpt + slope * y[i]) for i in cross])), 2)


def bench_similarity(data: Path, cfg: LinkConfig, calibrate: bool = False) -> LinkConfig:
    """The SemEval pairs as ``storyline similarity`` scores them (benchmarks/similarity.py prints the
    table: the command's score, the same with its calibration fitted on the other half, e5 cosine,
    TF-IDF, and the same-event probability ``combine``). ``--calibrate`` refits the cross-lingual
    weight of ``combine`` on the calibration half."""
    loaded = load(data)
    pairs, y, a, b, unknown = loaded.pairs, loaded.y, loaded.a, loaded.b, loaded.unknown
    if calibrate:
        sigs = [signals(features(x), features(z), cfg) for x, z in zip(a, b, strict=True)]
        gate = gate_pairs()
        cal = [i for i, p in enumerate(pairs) if p["pair_id"] not in gate and not unknown[i]]
        xl = fit_crosslingual([sigs[i] for i in cal], [y[i] for i in cal], cfg)
        cfg = dataclasses.replace(
            cfg, weights=(*((k, v) for k, v in cfg.weights if k != "crosslingual"), ("crosslingual", xl))
        )
        print(f"\n  calibrated crosslingual weight {xl} (every dev pair but the gate's)")
    report(data, cfg=cfg, loaded=loaded)
    return cfg


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--data", type=Path, default=ROOT.parent / "shared/data")
    ap.add_argument("--write", action="store_true", help="refit the calibration on all dev pairs and write it")
    ap.add_argument("--hypotheses", action="store_true", help="why languages trail: each suspect alone, cross-fitted")
    ap.add_argument("--windows", action="store_true", help="windows beside the whole; overlap signals")
    ap.add_argument("--shape", action="store_true", help="monotone maps of the score instead of its line")
    ap.add_argument("--tail", action="store_true", help="the tail's furniture taken out before encoding")
    ap.add_argument("--align", type=int, metavar="PAIRS",
                    help="sentence alignment on this many pairs of a fixed shuffle (encodes each sentence)")
    ap.add_argument("--aspects", action="store_true",
                    help="the gold's aspects; place, name and named-date signals added, cross-fitted")
    ap.add_argument("--parts", action="store_true",
                    help="which fitted parts of the calibration carry over: in-sample, halves, LOLO, language out")
    ap.add_argument("--shares", action="store_true",
                    help="what the same-event share weighs: variants fitted as --parts, gain over the shipped")
    ap.add_argument("--lone", action="store_true",
                    help="each pair as the only pair of its file: the page-template check without shared furniture")
    ap.add_argument("--dated", action="store_true", help="only the publish-date rows (days from the story ids)")
    ap.add_argument("--real-dates", action="store_true",
                    help="the date factor on the events and storylines sets, which carry real publish dates")
    ap.add_argument("--calibrate", action="store_true",
                    help="refit the cross-lingual weight of combine on the calibration half, then report")
    args = ap.parse_args()
    if args.hypotheses:
        hypotheses(load(args.data))
    elif args.windows:
        loaded = load(args.data)
        windows(loaded)
        overlaps(loaded)
    elif args.shape or args.align or args.tail:
        loaded = load(args.data)
        if args.shape:
            shape(loaded)
        if args.tail:
            tail_cleaning(loaded)
        if args.align:
            alignment(loaded, args.align)
    elif args.aspects:
        aspects(load(args.data))
    elif args.parts:
        parts(load(args.data))
    elif args.shares:
        shares(load(args.data))
    elif args.lone:
        lone(load(args.data))
    elif args.dated:
        dated(load(args.data))
    elif args.real_dates:
        real_dates(args.data)
    elif args.calibrate:
        cfg = bench_similarity(args.data, LinkConfig(), calibrate=True)
        print("\nLinkConfig to paste:", cfg)
    else:
        report(args.data, args.write)


if __name__ == "__main__":
    main()
