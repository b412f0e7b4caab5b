"""Sentence selectors tried for the timelines' summaries (issue 17, session 13) and not kept, each
built and scored the way ``benchmarks/timelines.py`` scores the shipped timeline.

    python benchmarks/timeline_selectors.py [--data DIR] [--only PREFIX] [--rows NAME ...]

The dates are the shipped vote's (its knob is chosen as 3 on every fold, so in-sample equals left
out); only which sentences sum up each day changes. Every row is knob-free (a setting given is a
textbook default, named in the row, not fitted), so each figure is already what a task or a dataset
left out would see. The per-day rows replace ``storyline.timeline._select`` for the run only; the
timeline-wide rows first gather each day's candidates exactly as ``build_timeline`` does, then pick
for all days at once. The quote and first-person penalties and the day and timeline redundancy
bars stay as shipped in every row. Nothing here changes the shipped code.

Rows (literature in brackets):
  shipped       cosine to the day's TF-IDF centroid + 0.5 x cosine to the storyline's (DATEWISE)
  lexrank       PageRank over the day's TF-IDF cosine graph, damping 0.85 (Erkan & Radev 2004)
  lexrank-topic the same, its teleport weighted by cosine to the storyline (biased LexRank,
                Otterbacher et al. 2005)
  textrank      PageRank over word overlap / (log len + log len) (Mihalcea & Tarau 2004)
  mbr           the candidate with the highest mean ROUGE-1 F (word sets, every word) against the
                day's other candidates: minimum Bayes risk, the day's reports as pseudo-references
  mbr-stop      the same without the language's stop words
  mbr-others    mbr-stop against other articles' candidates only (what several reports agree on)
  others-centroid  the shipped score with the day's centroid taken over the *other* articles only
  shipped*mbr   the shipped score times mbr-stop's
  coverage      one greedy pick at a time over every day's candidates, each maximising the
                saturated coverage of all candidates of the timeline (Lin & Bilmes 2011, alpha =
                5 / N; Martschat & Markert 2018 with the dates fixed)
  novelty       the shipped score minus the cosine to the other days' candidates (what is new on the day)
  lead-first    (session 19) the shipped score, an article's first three sentences always first
  dated-first   (session 19) the same, sentences naming the day first (before the undated
                sentences of the day's reports)
  dated-lead-first  (session 19) sentences both naming the day and in a lede first
  fresh-first   (session 19) sentences of reports printed on the day or the day after first (the
                day's own news before later looks back)
  undated-first (session 19) the reverse of dated-first: the day's reports' own undated sentences first
  busiest days  the benchmark's baseline (busiest publish days, each day's centroid sentences)

The last column scores Crisis again with the task language's stop words (stopwordsiso) dropped
too: tilse drops English stop words only, so on es/fr/it "de", "la", "que" count as matches, and
a selector can gain by them alone (as ``mbr`` does), which DATEWISE's English Crisis figure,
scored without stop words, cannot.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import sys
import time
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

import timelines as bench  # noqa: E402

from storyline import timeline as tl  # noqa: E402
from storyline.models import Article, TimelineEntry  # noqa: E402

Selector = Callable[[list[int], Any, Any, np.ndarray, int, list[int]], list[int]]
# The largest set of pseudo-references a day's MBR score reads (a stride through the candidates).
MAX_REFS = 2000


def _penalised(cands: list[int], ev: Any, score: np.ndarray) -> np.ndarray:
    """The shipped penalties: a quote and a first-person sentence rank down, as in ``_select``."""
    score = np.asarray(score, dtype=float).copy()
    for j, i in enumerate(cands):
        if tl._QUOTE.search(ev.sentences[i].text):
            score[j] *= tl.QUOTE_PENALTY
        if tl._voiced(ev.sentences[i].text, ev.sentences[i].lang):
            score[j] *= tl.FIRST_PERSON_PENALTY
    return np.where(score > 0, score, 1e-9)  # a selector's zero must not drop the day


def _pick(cands: list[int], mat: Any, score: np.ndarray, n: int, taken: list[int]) -> list[int]:
    """Best first under the shipped redundancy bars (the day's and the timeline's)."""
    sub = mat[cands]
    earlier = mat[taken] if taken else None
    picked: list[int] = []
    for j in np.argsort(-score, kind="stable"):
        if len(picked) >= n:
            break
        row = sub[int(j)]
        if picked and (row @ sub[picked].T).toarray().max() > tl.REDUNDANT:
            continue
        if earlier is not None and (row @ earlier.T).toarray().max() > tl.REPEATED:
            continue
        picked.append(int(j))
    return [cands[j] for j in picked]


def _shipped_score(cands: list[int], mat: Any, whole: np.ndarray) -> np.ndarray:
    sub = mat[cands]
    centre = tl._unit(np.asarray(sub.mean(axis=0)).ravel())
    return np.asarray(sub @ centre).ravel() + tl.TOPIC_WEIGHT * np.asarray(sub @ whole).ravel()


def _pagerank(sim: np.ndarray, teleport: np.ndarray, damping: float = 0.85, steps: int = 60) -> np.ndarray:
    sim = sim.copy()
    np.fill_diagonal(sim, 0.0)
    rows = sim.sum(axis=1, keepdims=True)
    walk = np.where(rows > 0, sim / np.where(rows > 0, rows, 1.0), 1.0 / len(sim))
    rank = np.full(len(sim), 1.0 / len(sim))
    for _ in range(steps):
        rank = (1 - damping) * teleport + damping * (walk.T @ rank)
    return rank


def _lexrank(topic: bool) -> Selector:
    def select(cands: list[int], ev: Any, mat: Any, whole: np.ndarray, n: int, taken: list[int]) -> list[int]:
        if not cands:
            return []
        sub = mat[cands]
        tele = np.asarray(sub @ whole).ravel() + 1e-9 if topic else np.ones(len(cands))
        rank = _pagerank((sub @ sub.T).toarray(), tele / tele.sum())
        return _pick(cands, mat, _penalised(cands, ev, rank), n, taken)

    return select


def textrank(cands: list[int], ev: Any, mat: Any, whole: np.ndarray, n: int, taken: list[int]) -> list[int]:
    if not cands:
        return []
    words = mat[cands].copy()
    words.data[:] = 1.0
    overlap = (words @ words.T).toarray()
    logs = np.log(np.maximum(np.asarray(words.sum(axis=1)).ravel(), 2.0))
    rank = _pagerank(overlap / (logs[:, None] + logs[None, :]), np.full(len(cands), 1.0 / len(cands)))
    return _pick(cands, mat, _penalised(cands, ev, rank), n, taken)


def _mbr_score(cands: list[int], ev: Any, stop: bool, others_only: bool) -> np.ndarray:
    """Mean ROUGE-1 F (as word sets: Dice) of each candidate against the day's other candidates."""
    from sklearn.feature_extraction.text import CountVectorizer

    drop = tl._stopwords(ev.sentences[cands[0]].lang) if stop else frozenset()
    toks = [[t for t in tl._TOKEN.findall((ev.readable(i) or ev.sentences[i].text).lower()) if t not in drop]
            for i in cands]
    try:
        words = CountVectorizer(analyzer=lambda x: x, binary=True).fit_transform(toks).astype(np.float32)
    except ValueError:
        return np.ones(len(cands))
    step = max(1.0, len(cands) / MAX_REFS)
    refs = sorted({int(k * step) for k in range(min(len(cands), MAX_REFS))})
    sizes = np.asarray(words.sum(axis=1)).ravel()
    dice = 2 * (words @ words[refs].T).toarray() / np.maximum(1.0, sizes[:, None] + sizes[refs][None, :])
    weight = np.ones_like(dice)
    weight[refs, np.arange(len(refs))] = 0.0  # not itself
    if others_only:
        arts = np.array([ev.sentences[i].article for i in cands])
        weight *= arts[:, None] != arts[refs][None, :]
    den = weight.sum(axis=1)
    return np.where(den > 0, (dice * weight).sum(axis=1) / np.where(den > 0, den, 1.0), 0.0)


def _mbr(stop: bool, others_only: bool = False, times_shipped: bool = False) -> Selector:
    def select(cands: list[int], ev: Any, mat: Any, whole: np.ndarray, n: int, taken: list[int]) -> list[int]:
        if not cands:
            return []
        score = _mbr_score(cands, ev, stop, others_only)
        if times_shipped:
            score = score * _shipped_score(cands, mat, whole)
        return _pick(cands, mat, _penalised(cands, ev, score), n, taken)

    return select


def others_centroid(cands: list[int], ev: Any, mat: Any, whole: np.ndarray, n: int, taken: list[int]) -> list[int]:
    if not cands:
        return []
    sub = mat[cands]
    arts = np.array([ev.sentences[i].article for i in cands])
    total = np.asarray(sub.sum(axis=0)).ravel()
    own = {a: np.asarray(sub[np.flatnonzero(arts == a)].sum(axis=0)).ravel() for a in set(arts.tolist())}
    centre = np.stack([tl._unit(total - own[a] if (total - own[a]).any() else total) for a in arts])
    score = np.asarray(sub.multiply(centre).sum(axis=1)).ravel() + tl.TOPIC_WEIGHT * np.asarray(sub @ whole).ravel()
    return _pick(cands, mat, _penalised(cands, ev, score), n, taken)


def _first(prefer: Callable[[int, Any], bool]) -> Selector:
    """The shipped score, but a candidate ``prefer`` holds for always before one it does not
    (knob-free: an order, not a weight)."""

    def select(cands: list[int], ev: Any, mat: Any, whole: np.ndarray, n: int, taken: list[int]) -> list[int]:
        if not cands:
            return []
        score = _penalised(cands, ev, _shipped_score(cands, mat, whole))
        score = score + np.asarray([10.0 if prefer(i, ev) else 0.0 for i in cands])
        return _pick(cands, mat, score, n, taken)

    return select


def _in_lead(i: int, ev: Any) -> bool:
    """One of its article's first three sentences (the news of a report, as a lede tells it)."""
    return i - ev.by_article[ev.sentences[i].article].start < 3


def _dated(i: int, ev: Any) -> bool:
    """It names a day (a candidate that names one names the day it stands for)."""
    return bool(ev.sentences[i].dates)


_DAY: list[dt.date] = []  # the day ``_candidates`` was last asked for (``fresh_first`` reads it)


def _fresh(i: int, ev: Any) -> bool:
    """From a report printed on the day or the day after (the day's own news, not a look back)."""
    if not _DAY or not _PUBLISHED[0]:
        return False  # not inside ``day_known``: no day to be fresh for
    pub = _PUBLISHED[0][ev.sentences[i].article]
    return pub is not None and 0 <= (pub - _DAY[-1]).days <= 1


_PUBLISHED: list[list[dt.date | None]] = [[]]


@contextlib.contextmanager
def day_known(articles: list[Article]) -> Iterator[None]:
    """``tl._candidates`` wrapped so a per-day selector knows the day and its reports' dates."""
    saved, saved_after = tl._candidates, tl._reported_after

    def wrapped(d: dt.date, ev: Any, arts: Any) -> list[int]:
        _DAY[:] = [d]
        return saved(d, ev, arts)

    def wrapped_after(d: dt.date, lag: int, ev: Any) -> list[int]:
        _DAY[:] = [d]
        return saved_after(d, lag, ev)

    _PUBLISHED[0] = [a.published for a in articles]
    tl._candidates, tl._reported_after = wrapped, wrapped_after  # type: ignore[assignment]
    try:
        yield
    finally:
        tl._candidates, tl._reported_after = saved, saved_after  # type: ignore[assignment]
        _DAY.clear()
        _PUBLISHED[0] = []


PER_DAY: dict[str, Selector] = {
    "lexrank": _lexrank(topic=False),
    "lexrank-topic": _lexrank(topic=True),
    "textrank": textrank,
    "mbr": _mbr(stop=False),
    "mbr-stop": _mbr(stop=True),
    "mbr-others": _mbr(stop=True, others_only=True),
    "others-centroid": others_centroid,
    "shipped*mbr": _mbr(stop=True, times_shipped=True),
    # session 19
    "lead-first": _first(_in_lead),
    "dated-first": _first(_dated),
    "dated-lead-first": _first(lambda i, ev: _dated(i, ev) and _in_lead(i, ev)),
    "undated-first": _first(lambda i, ev: not _dated(i, ev)),
    "fresh-first": _first(_fresh),
}


@contextlib.contextmanager
def stop_words_out(lang: str) -> Iterator[None]:
    """tilse's ROUGE drops the language's stop words as well as its English ones."""
    import stopwordsiso
    from tilse.evaluation import rouge

    init = rouge.RougeReimplementation.__init__

    def patched(self: Any, *args: Any, **kwargs: Any) -> None:
        init(self, *args, **kwargs)
        self.stopwords = set(self.stopwords) | set(stopwordsiso.stopwords(lang) or ())

    rouge.RougeReimplementation.__init__ = patched  # type: ignore[method-assign]
    try:
        yield
    finally:
        rouge.RougeReimplementation.__init__ = init  # type: ignore[method-assign]


@contextlib.contextmanager
def selector(fn: Selector | None) -> Iterator[None]:
    saved = tl._select
    try:
        if fn is not None:
            tl._select = fn
        yield
    finally:
        tl._select = saved


def _days_and_pools(articles: list[Article], k: int) -> tuple[Any, Any, np.ndarray, list[tuple[dt.date, list[int]]]]:
    """``build_timeline``'s days and candidates, the first ``k`` days that have any."""
    ev = tl._gather(articles)
    scores = tl._date_scores(ev, articles)
    lang = Counter(a.lang for a in articles).most_common(1)[0][0]
    mat = tl._vectorise([s.text for s in ev.sentences], lang)
    whole = tl._unit(np.asarray(mat.mean(axis=0)).ravel())
    repeats = Counter(s.text for s in ev.sentences)
    days: list[tuple[dt.date, list[int]]] = []
    for d, after in tl._days(scores, ev, k):
        if len(days) >= k:
            break
        pool = tl._candidates(d, ev, articles) if after == 0 else tl._reported_after(d, after, ev)
        cands = [i for i in pool if repeats[ev.sentences[i].text] < tl.BOILERPLATE_REPEATS]
        if cands:
            days.append((d, cands))
    return ev, mat, whole, days


def _entries(articles: list[Article], ev: Any, picks: dict[dt.date, list[int]]) -> list[TimelineEntry]:
    out = []
    for d in sorted(picks):
        said = tuple(
            tl._spaced(tl._unescape(ev.readable(r) or ev.sentences[r].text), articles[ev.sentences[r].article].lang)
            for r in picks[d]
        )
        if said:
            out.append(TimelineEntry(date=d, summary=said))
    return out


def coverage(articles: list[Article], k: int, n: int) -> list[TimelineEntry]:
    """Greedy saturated coverage over all days at once (each day up to ``n`` picks)."""
    ev, mat, _, days = _days_and_pools(articles, k)
    every = sorted({i for _, c in days for i in c})
    if not every:
        return []
    at = {i: p for p, i in enumerate(every)}
    sim = (mat[every] @ mat[every].T).toarray().astype(np.float32)
    cap = 5.0 / len(every) * sim.sum(axis=1)
    pen = _penalised(every, ev, np.ones(len(every)))
    covered = np.zeros(len(every), dtype=np.float32)
    picks: dict[dt.date, list[int]] = {d: [] for d, _ in days}
    pools = {d: np.array([at[i] for i in c]) for d, c in days}
    open_days, taken = set(pools), []
    while open_days:
        best: tuple[float, dt.date | None, int] = (-1.0, None, -1)
        for d in sorted(open_days):
            cols = pools[d]
            now = np.minimum(covered, cap)[:, None]
            gain = (np.minimum(covered[:, None] + sim[:, cols], cap[:, None]) - now).sum(axis=0) * pen[cols]
            for j in np.argsort(-gain, kind="stable"):
                p = int(cols[j])
                if every[p] in taken or any(sim[p, at[q]] > tl.REDUNDANT for q in picks[d]):
                    continue
                if any(sim[p, at[q]] > tl.REPEATED for q in taken):
                    continue
                if gain[j] > best[0]:
                    best = (float(gain[j]), d, every[p])
                break
            else:
                open_days.discard(d)
        if best[1] is None:
            break
        day, row = best[1], best[2]
        picks[day].append(row)
        taken.append(row)
        covered += sim[:, at[row]]
        if len(picks[day]) >= n:
            open_days.discard(day)
    return _entries(articles, ev, picks)


def novelty(articles: list[Article], k: int, n: int) -> list[TimelineEntry]:
    """The shipped score minus the cosine to the centroid of the other days' candidates."""
    ev, mat, whole, days = _days_and_pools(articles, k)
    sums = {d: np.asarray(mat[c].sum(axis=0)).ravel() for d, c in days}
    total = np.sum(list(sums.values()), axis=0) if sums else np.zeros(mat.shape[1])
    picks: dict[dt.date, list[int]] = {}
    taken: list[int] = []
    for d, cands in days:
        score = _shipped_score(cands, mat, whole) - np.asarray(mat[cands] @ tl._unit(total - sums[d])).ravel()
        picks[d] = _pick(cands, mat, _penalised(cands, ev, score - score.min() + 1e-6), n, taken)
        taken.extend(picks[d])
    return _entries(articles, ev, picks)


JOINT: dict[str, Callable[[list[Article], int, int], list[TimelineEntry]]] = {
    "coverage": coverage,
    "novelty": novelty,
    "busiest days": bench.baseline,  # the benchmark's baseline, for the last column
}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", type=Path, default=ROOT.parent / "shared" / "data")
    ap.add_argument("--only", default="", help="run only tasks whose name starts with this")
    ap.add_argument("--rows", nargs="*", default=None, help="rows to run (default: all)")
    ap.add_argument("--clean", action="store_true", help="the tasks through the pipeline's cleaning, as acceptance")
    ap.add_argument("--clean-cache", type=Path, default=None, help="pickle of the cleaned articles")
    args = ap.parse_args()
    score = bench.load_score(args.data)
    paths = sorted(p for p in (args.data / "timelines").iterdir() if p.is_dir() and p.name.startswith(args.only))
    tasks = [bench.Task(score, p) for p in paths]
    if args.clean:
        import timeline_dates

        timeline_dates.cleaned(tasks, args.clean_cache)
    rows = args.rows or ["shipped", *PER_DAY, *JOINT]
    print("AR1-F / date F1, mean over tasks; junk: share of sentences shown a reader takes for junk")
    print(f"{'row':16} {'Timeline17':>13} {'Crisis':>13} {'junk':>11} {'Crisis, own stop words out':>27}")
    every: dict[str, dict[str, dict[str, float]]] = {}
    for name in rows:
        t0 = time.perf_counter()
        got: dict[str, dict[str, float]] = {}
        for t in tasks:
            if name in JOINT:
                entries = JOINT[name](t.articles, t.n_dates, t.n_sents)
            else:
                with selector(PER_DAY.get(name)), day_known(t.articles):
                    entries = tl.build_timeline(t.articles, n_dates=t.n_dates, n_sentences=t.n_sents)
            got[t.name] = bench.score_entries(score, entries, t.path / "reference")
            got[t.name]["junk"] = bench.junk_share(entries)
            if t.name.startswith("crisis-"):
                with stop_words_out(t.name.split("-")[1]):
                    got[t.name]["own_stop"] = bench.score_entries(score, entries, t.path / "reference")["ar1_f"]
        cells, junk = [], []
        for group in ("t17", "crisis"):
            sel = [r for n, r in got.items() if n.startswith(group)]
            mean = {k: sum(r[k] for r in sel) / max(1, len(sel)) for k in ("ar1_f", "date_f1", "junk")}
            cells.append(f"{mean['ar1_f']:6.3f}/{mean['date_f1']:.3f}" if sel else "-")
            junk.append(f"{mean['junk']:.1%}" if sel else "-")
        own = [r["own_stop"] for r in got.values() if "own_stop" in r]
        took = time.perf_counter() - t0
        own_cell = f"{sum(own) / len(own):.3f}" if own else "-"
        print(f"{name:16} {cells[0]:>13} {cells[1]:>13} {'/'.join(junk):>11} {own_cell:>27}  ({took:.0f}s)", flush=True)
        every[name] = got
    if "shipped" in every and len(every) > 1:
        import timeline_dates

        print("\nAR1-F gain over the shipped selector, mean per dataset with its 95% paired bootstrap over tasks")
        for name, got in every.items():
            if name == "shipped":
                continue
            cells = []
            for group in ("t17", "crisis"):
                gain = [got[n]["ar1_f"] - every["shipped"][n]["ar1_f"] for n in got if n.startswith(group)]
                if gain:
                    a, b = timeline_dates.boot(gain, 10000)
                    cells.append(f"{group} {sum(gain) / len(gain):+.4f} [{a:+.4f}, {b:+.4f}]")
            print(f"{name:16} " + "  ".join(cells))
        print(f"\n{'task':26} " + " ".join(f"{r[:12]:>12}" for r in every))
        for n in every["shipped"]:
            print(f"{n:26} " + " ".join(f"{every[r][n]['ar1_f']:12.4f}" for r in every))


if __name__ == "__main__":
    main()
