"""Events on a source never seen (issue 17, session 19): the ViMs dev events as another source
would deliver them, project beside the simple baseline.

    python benchmarks/events_sources.py [--data DIR] [--sample N] [--only NAME ...] [--no-fix]

The held-out Vietnamese source (KTLAB 200, through the Baomoi aggregator) differs from ViMs in form,
not in language: word-segmented titles ("Phe đối_lập Campuchia lại biểu_tình"), raw bodies, dates
"23/10/2013 11:39", events of three articles. So each variant below rewrites the ViMs rows the way
such a source would, runs them through the pipeline's clean + enrich (``Pipeline.prepare``, as
``benchmarks/events.py`` does; the furniture variant through ``clean_in_order``, as ``storyline
run`` cleans, so the outlet's recurring lines can be learned), and links them:

- project: the shipped linker and weights (fitted on every dev event but the gate's: ViMs is
  in-sample for them), and ``LOSO``: the same design with weights fitted on ECB+ alone (ViMs
  never seen), the leave-one-source-out figure;
- baseline: e5 + TF-IDF average-link agglomerative (as ``benchmarks/events.py``), tuned on the
  calibration half of all dev events (``dev``) and on ECB+ alone (``LOSO``).

Segmentation is simulated from the dev text itself (``Segmenter``): syllable bigrams that recur in
the ViMs titles and bodies (at least ``MIN_COUNT`` times, Dice coefficient at least ``MIN_DICE``)
are joined with "_", greedily left to right, a bigram giving way to a stronger one that starts on
its second syllable; three capitalised syllables whose two bigrams both qualify are one name
("Hồ_Chí_Minh"). It joins 29% of the title words and 24% of the body words (segmented Vietnamese
holds 20-40%), and splitting at the underscores gives back every title and all bodies but one.

``--sample N``: only the ViMs events whose crc32 falls in 1 of N buckets (the encoder is the cost of
every variant that changes the text; 1 = all 995 articles). ``--no-fix``: clean without
``clean.as_words`` (the text as main read it), to measure what the fix is worth; ``--both``: each
variant with the fix and then without it.
"""

from __future__ import annotations

import argparse
import contextlib
import dataclasses
import datetime as dt
import itertools
import json
import pickle
import random
import re
import sys
import time
import zlib
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from common import CACHE, half, tfidf_matrix  # noqa: E402

from storyline import eval as ev  # noqa: E402
from storyline.link import LinkConfig, Linker  # noqa: E402
from storyline.link.similarity import features, signals  # noqa: E402
from storyline.models import Article  # noqa: E402

Row = dict
# The shipped design's weights fitted on ECB+ alone (``fit`` on the pipeline's ECB+ articles, as
# ``main`` prints them): for the checks that link ViMs alone without refitting.
LOSO_WEIGHTS = (("bias", -9.05), ("centred", 12.64), ("entities", 9.25), ("crosslingual", 0.53))


# --- the simulated segmenter -------------------------------------------------------------------
MIN_COUNT = 5
MIN_DICE = 0.08
_SYL = re.compile(r"^[^\W\d_]+$")


class Segmenter:
    """Joins the syllables of frequent Vietnamese words with "_", as a word segmenter writes them;
    the lexicon is the syllable bigrams that recur in ``texts``."""

    def __init__(self, texts: Sequence[str]) -> None:
        uni: Counter[str] = Counter()
        bi: Counter[tuple[str, str]] = Counter()
        for t in texts:
            for line in t.splitlines():
                toks = [x.lower() for x in line.split()]
                uni.update(toks)
                bi.update(p for p in itertools.pairwise(toks) if _SYL.match(p[0]) and _SYL.match(p[1]))
        dice = {k: 2 * c / (uni[k[0]] + uni[k[1]]) for k, c in bi.items() if c >= MIN_COUNT}
        self.score = {k: d for k, d in dice.items() if d >= MIN_DICE}

    def _pair(self, a: str, b: str) -> float:
        core = b.rstrip(".,:;!?…\"'”)»")
        if not _SYL.match(a) or not _SYL.match(core):
            return 0.0
        return self.score.get((a.lower(), core.lower()), 0.0)

    def __call__(self, text: str) -> str:
        """``text`` with its frequent bigrams joined; every other character (line breaks, runs of
        spaces, "\\r") kept, so that splitting at the underscores gives ``text`` back."""
        parts = re.split(r"(\s+)", text)  # words at even positions, the space after each at odd
        toks = parts[0::2]
        gaps = parts[1::2]
        out: list[str] = []
        i = 0

        def ok(k: int) -> bool:  # tokens k and k+1 are separated by one plain space
            return k < len(gaps) and gaps[k] == " " and k + 1 < len(toks)

        while i < len(toks):
            s1 = self._pair(toks[i], toks[i + 1]) if ok(i) else 0.0
            s2 = self._pair(toks[i + 1], toks[i + 2]) if ok(i) and ok(i + 1) else 0.0
            if s1 and s2 and all(t[:1].isupper() for t in toks[i : i + 3]):
                out.append("_".join(toks[i : i + 3]) + (gaps[i + 2] if i + 2 < len(gaps) else ""))
                i += 3
            elif s1 and s1 >= s2:
                out.append(f"{toks[i]}_{toks[i + 1]}" + (gaps[i + 1] if i + 1 < len(gaps) else ""))
                i += 2
            else:
                out.append(toks[i] + (gaps[i] if i < len(gaps) else ""))
                i += 1
        return "".join(out)


# --- variants: how another source delivers the same articles ------------------------------------
def _pick(r: Row, salt: str, n: int) -> int:
    return zlib.crc32(f"{salt}:{r['id']}".encode()) % n


FURNITURE_TOP = ("Báo Mới", "Trang chủ | Thời sự | Thế giới | Kinh tế | Thể thao | Giải trí")
FURNITURE_END = (
    "Tải ứng dụng Báo Mới để đọc tin nhanh hơn",
    "Bản quyền © Báo Mới. Mọi thông tin tổng hợp từ các trang báo.",
)


def _ktlab_date(raw: str | None) -> str | None:
    from storyline.clean.meta import parse_date

    d = parse_date(raw, "vi")
    if d is None:
        return None
    key = {"id": raw or ""}
    return f"{d:%d/%m/%Y} {_pick(key, 'h', 24):02d}:{_pick(key, 'm', 60):02d}"


def _other_date(r: Row) -> str | None:
    from storyline.clean.meta import parse_date

    d = parse_date(r.get("published"), "vi")
    if d is None:
        return None
    forms = (f"{d:%d/%m/%Y} 11:39", f"{d.isoformat()}T11:39:00+07:00", f"{d:%B} {d.day}, {d.year}",
             f"Thứ Tư, ngày {d.day} tháng {d.month} năm {d.year}", f"{d:%d-%m-%Y}")
    return forms[_pick(r, "date", len(forms))]


def _short(text: str, chars: int = 400) -> str:
    """The body's opening, cut after the last sentence end within ``chars`` (a feed's brief)."""
    head = text.strip()[:chars]
    cut = max(head.rfind(". "), head.rfind(".\n"), head.rfind(".\r"))
    return head[: cut + 1] if cut > 80 else head


def variants(rows: Sequence[Row], seg: Segmenter) -> dict[str, Callable[[Row], Row]]:
    titles = [r.get("title") or "" for r in rows]

    def furniture(r: Row) -> Row:
        # Three "related" headlines of other stories, the aggregator's credit line and its frame;
        # every article from one outlet (the aggregator), as an aggregator's feed gives them.
        rng = random.Random(r["id"])
        related = [t for t in rng.sample(titles, 4) if t and t != r.get("title")][:3]
        src = r.get("source") or "nguồn"
        body = "\n".join([*FURNITURE_TOP, r["text"], f"Theo {src}", "Tin liên quan:", *related, *FURNITURE_END])
        return {**r, "text": body, "source": "Báo Mới", "url": None}

    return {
        "as given": lambda r: r,
        "dates as KTLAB writes them": lambda r: {**r, "published": _ktlab_date(r.get("published"))},
        "dates in five other formats": lambda r: {**r, "published": _other_date(r)},
        "no dates": lambda r: {**r, "published": None},
        "events of three articles": lambda r: r,  # rows thinned in ``rows_of``
        "titles segmented (KTLAB form)": lambda r: {**r, "title": seg(r.get("title") or "")},
        "titles and bodies segmented": lambda r: {**r, "title": seg(r.get("title") or ""), "text": seg(r["text"])},
        "no titles": lambda r: {**r, "title": None},
        "title repeated atop the body": lambda r: {**r, "text": f"{r.get('title') or ''}\n\n{r['text']}"},
        "title only atop the body": lambda r: {**r, "title": None, "text": f"{r.get('title') or ''}\n\n{r['text']}"},
        "aggregator furniture": furniture,
        "shorter bodies (lede, <= 400 chars)": lambda r: {**r, "text": _short(r["text"])},
    }


# --- pipeline, linker, baseline -------------------------------------------------------------------
@contextlib.contextmanager
def without_fix() -> Iterator[None]:
    """``clean.as_words`` off: the text as main read it."""
    import storyline.clean as cl
    import storyline.pipeline as pl

    saved = cl.as_words
    cl.as_words = pl.as_words = lambda raw: raw  # type: ignore[assignment]
    try:
        yield
    finally:
        cl.as_words = pl.as_words = saved  # type: ignore[assignment]


def prepare(rows: Sequence[Row], in_order: bool = False) -> list[Article]:
    from storyline import Pipeline, Settings
    from storyline.enrich import enrich
    from storyline.models import Rejected
    from storyline.sources.jsonl import parse_record

    pipe = Pipeline(Settings(db=":memory:", vector_cache=str(CACHE)))
    raws = [parse_record(r, f"articles.jsonl:{r['id']}") for r in rows]
    if not in_order:
        return pipe.prepare(raws)
    from storyline.clean import as_is

    got = list(pipe.clean_in_order(raws))
    cleaned = [as_is(raw) if isinstance(a, Rejected) else a for raw, a in zip(raws, got, strict=True)]
    return enrich(cleaned, pipe.encoder)


def full_and_ledes(rows: Sequence[Row], cache: Path) -> tuple[list[Article], list[Article]]:
    """Every row prepared as given, and the first 400 ViMs rows' and every ECB+ row's lede
    (``_short``), read from ``cache`` when it exists and written to it otherwise: the views the
    lexical benchmarks (``events_lexical.py``, ``events_gated.py``) link."""
    if cache.exists():
        with open(cache, "rb") as fh:
            full, lede = pickle.load(fh)
        return full, lede
    keep = {r["id"] for r in [r for r in rows if r["id"].startswith("vims-")][:400]}
    full = prepare(rows)
    lede = prepare([{**r, "text": _short(r["text"])} for r in rows if r["id"] in keep or r["id"][:4] == "ecb-"])
    with open(cache, "wb") as fh:
        pickle.dump((full, lede), fh)
    return full, lede


def link(arts: Sequence[Article], cfg: LinkConfig) -> dict[str, str]:
    lk = Linker(cfg)
    lk.add(list(arts))
    return {a.article_id: a.event for a in lk.assignments()}


def fit(arts: Sequence[Article], gold: dict[str, str]) -> tuple[tuple[str, float], ...]:
    """The shipped design's weights (centred cosine + entities) fitted on ``arts``, as
    ``benchmarks/events.py`` fits them (30 nearest neighbours, logistic, C=10)."""
    from sklearn.linear_model import LogisticRegression

    feats = [features(a) for a in arts]
    v = np.stack([a.vector for a in arts])  # type: ignore[misc]
    s = v @ v.T
    np.fill_diagonal(s, -1)
    pairs = {(min(i, int(j)), max(i, int(j))) for i in range(len(arts)) for j in np.argsort(-s[i])[:30]}
    xs, ys = [], []
    for i, j in sorted(pairs):
        sig = signals(feats[i], feats[j])
        xs.append([sig["centred"] or 0.0, sig["entities"] or 0.0])
        ys.append(gold[arts[i].id] == gold[arts[j].id])
    lr = LogisticRegression(C=10.0, max_iter=2000).fit(np.array(xs), np.array(ys))
    return (
        ("bias", round(float(lr.intercept_[0]), 2)),
        ("centred", round(float(lr.coef_[0][0]), 2)),
        ("entities", round(float(lr.coef_[0][1]), 2)),
        ("crosslingual", dict(LinkConfig().weights).get("crosslingual", 0.0)),
    )


def agglomerative(arts: Sequence[Article], alpha: float, t: float) -> dict[str, int]:
    from sklearn.cluster import AgglomerativeClustering

    v = np.stack([a.vector for a in arts])  # type: ignore[misc]
    x = tfidf_matrix(arts)
    sim = alpha * (v @ v.T) + (1 - alpha) * (x @ x.T).toarray()
    lab = AgglomerativeClustering(
        n_clusters=None, metric="precomputed", linkage="average", distance_threshold=1.0 - t
    ).fit_predict(np.clip(1.0 - sim, 0.0, 2.0))
    return {a.id: int(x) for a, x in zip(arts, lab, strict=True)}


def tune(arts: Sequence[Article], gold: dict[str, str]) -> tuple[float, float]:
    best = (-1.0, 0.0, 0.0)
    for alpha in (0.3, 0.5, 0.7):
        for t in [x / 100 for x in range(30, 95, 5)]:
            f = ev.bcubed(agglomerative(arts, alpha, t), gold).f1
            if f > best[0]:
                best = (f, alpha, t)
    return best[1], best[2]


# --- main --------------------------------------------------------------------------------------
def rows_of(data: Path) -> tuple[list[Row], dict[str, str]]:
    with open(data / "events/articles.jsonl", encoding="utf-8") as fh:
        rows = [json.loads(x) for x in fh if x.strip()]
    with open(data / "events/gold.jsonl", encoding="utf-8") as fh:
        gold = {g["id"]: g["event"] for g in map(json.loads, fh)}
    return rows, gold


def three_each(rows: Sequence[Row], gold: dict[str, str]) -> list[Row]:
    """Each gold event cut to three of its articles (KTLAB's events: 160 of 199 hold three)."""
    seen: Counter[str] = Counter()
    out = []
    for r in sorted(rows, key=lambda r: zlib.crc32(r["id"].encode())):
        if seen[gold[r["id"]]] < 3:
            seen[gold[r["id"]]] += 1
            out.append(r)
    return out


# --- the Vietnamese mean: fitted on ViMs itself ---------------------------------------------------
@contextlib.contextmanager
def vi_mean(mean: np.ndarray | None) -> Iterator[None]:
    """The centred cosine with ``mean`` as the Vietnamese language mean (None: no Vietnamese mean,
    the plain-cosine line), for the run only."""
    import storyline.link.relatedness as rel

    saved = rel.packaged
    cal = saved()
    means = {k: v for k, v in cal.means.items() if k != "vi"}
    if mean is not None:
        means["vi"] = np.asarray(mean, dtype=np.float32)
    rel.packaged = lambda: dataclasses.replace(cal, means=means)  # type: ignore[assignment]
    try:
        yield
    finally:
        rel.packaged = saved  # type: ignore[assignment]


def mean_check(vims: Sequence[Article], gold: dict[str, str], loso: LinkConfig) -> None:
    """The shipped Vietnamese mean is ViMs's own (``benchmarks/similarity.py`` takes it from the
    events dev set), so the ViMs figures, leave-one-source-out or not, read a centring fitted on
    the very articles they link. Each group linked alone with: the shipped mean; the mean of the
    other half's articles (events never seen); the mean of a quarter of the events (a narrower slice
    of news); the mean of the group itself (what a stream could learn); none (the plain-cosine line)."""
    mean = lambda arts: np.mean([a.vector for a in arts], axis=0)  # noqa: E731
    quarter = lambda a, k: zlib.crc32(gold[a.id].encode()) % 4 == k  # noqa: E731
    print("\nVietnamese mean (each group linked alone; LOSO weights / shipped weights; BCubed F1)")
    for name, test, fitted in (
        ("half 0", [a for a in vims if half(gold[a.id]) == 0], [a for a in vims if half(gold[a.id]) == 1]),
        ("half 1", [a for a in vims if half(gold[a.id]) == 1], [a for a in vims if half(gold[a.id]) == 0]),
        *((f"quarters but {k}", [a for a in vims if not quarter(a, k)], [a for a in vims if quarter(a, k)])
          for k in range(4)),
    ):
        g = {a.id: gold[a.id] for a in test}
        cells = []
        for label, m in (("shipped", "shipped"), ("from the rest", mean(fitted)), ("own", mean(test)), ("none", None)):
            with contextlib.nullcontext() if isinstance(m, str) else vi_mean(m):
                f_loso, f_ship = ev.bcubed(link(test, loso), g).f1, ev.bcubed(link(test, LinkConfig()), g).f1
            cells.append(f"{label} {f_loso:.3f} / {f_ship:.3f}")
        print(f"  {name:<16} n={len(test):<4} " + "; ".join(cells), flush=True)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--data", type=Path, default=ROOT.parent / "shared/data")
    ap.add_argument("--sample", type=int, default=1, help="keep ViMs events in 1 of N crc32 buckets")
    ap.add_argument("--only", nargs="*", default=None, help="variant names (default: all)")
    ap.add_argument("--no-fix", action="store_true", help="clean without clean.as_words (main's reading)")
    ap.add_argument("--means", action="store_true", help="only the Vietnamese-mean check (mean_check)")
    ap.add_argument("--both", action="store_true", help="each variant with the fix, then without it")
    args = ap.parse_args()
    rows, gold = rows_of(args.data)
    vims_all = [r for r in rows if r["id"].startswith("vims-")]
    seg = Segmenter([f"{r.get('title') or ''}\n{r['text']}" for r in vims_all])
    t0 = time.perf_counter()
    if args.means:
        vims = prepare(vims_all)
        loso = dataclasses.replace(LinkConfig(), weights=LOSO_WEIGHTS)
        mean_check(vims, gold, loso)
        return
    # Fitted once, on the pipeline's view of the dev rows as given: LOSO weights and baselines.
    dev = prepare(rows)
    ecb = [a for a in dev if a.id.startswith("ecb-")]
    loso = dataclasses.replace(LinkConfig(), weights=fit(ecb, {a.id: gold[a.id] for a in ecb}))
    calib = [a for a in dev if half(gold[a.id]) == 0]
    base_dev = tune(calib, {a.id: gold[a.id] for a in calib})
    base_loso = tune(ecb, {a.id: gold[a.id] for a in ecb})
    print(f"ViMs rows {len(vims_all)} (default sample 1/{args.sample}); segmenter lexicon "
          f"{len(seg.score)} bigrams")
    print(f"LOSO weights (fitted on ECB+): {dict(loso.weights)}; baseline dev (alpha, t) {base_dev}, "
          f"LOSO {base_loso}  ({time.perf_counter() - t0:.0f} s)")
    print(f"{'variant':<38} {'n':>4} {'fix':>3}  {'shipped':>7} {'LOSO':>6}  {'base dev':>8} {'base LOSO':>9}  "
          f"{'LOSO-base':>9}  words joined")
    fixes = (True, False) if args.both else (not args.no_fix,)
    # "NAME@N" in --only: that variant on its own sample of 1 in N events.
    wanted = [(x.rpartition("@")[0], int(x.rpartition("@")[2])) if "@" in x else (x, args.sample)
              for x in args.only or variants(vims_all, seg)]
    for name, n in wanted:
        fn = variants(vims_all, seg)[name]
        vims = [r for r in vims_all if zlib.crc32(gold[r["id"]].encode()) % n == 0]
        src = three_each(vims, gold) if name == "events of three articles" else vims
        changed = [fn(dict(r)) for r in src]
        joined = [w for r in changed for w in f"{r.get('title') or ''} {r['text']}".split()]
        share = sum(1 for w in joined if "_" in w) / max(len(joined), 1)
        for fix in fixes if share else fixes[:1]:  # without underscores the fix changes nothing
            t = time.perf_counter()
            with contextlib.nullcontext() if fix else without_fix():
                arts = prepare(changed, in_order=name == "aggregator furniture")
            g = {a.id: gold[a.id] for a in arts}
            f_ship = ev.bcubed(link(arts, LinkConfig()), g).f1
            f_loso = ev.bcubed(link(arts, loso), g).f1
            b_dev = ev.bcubed(agglomerative(arts, *base_dev), g).f1
            b_loso = ev.bcubed(agglomerative(arts, *base_loso), g).f1
            label = name if n == args.sample else f"{name} @1/{n}"
            print(f"{label:<38} {len(arts):>4} {'yes' if fix else 'no':>3}  {f_ship:>7.3f} {f_loso:>6.3f}  "
                  f"{b_dev:>8.3f} {b_loso:>9.3f}  {f_loso - max(b_dev, b_loso):>+9.3f}  {share:.1%}  "
                  f"({time.perf_counter() - t:.0f} s)", flush=True)
    print(f"done {dt.datetime.now(dt.UTC):%H:%M} UTC")


if __name__ == "__main__":
    main()
