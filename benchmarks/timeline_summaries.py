"""The summary side of the timelines' AR1-F (issue 17, session 24): how long our days are against
the reference's, where the matched words come from, and rules for how many sentences a day gets.

    python benchmarks/timeline_summaries.py [--clean --clean-cache FILE] [--left-out] [--decompose]
                                            [--only PREFIX] [--rows NAME ...]

tilse's AR1-F (``score.py timeline``) is micro: every day we show is aligned to one reference day
(many to one, by date distance and content), its clipped unigram matches weighted by 1 / (1 + the
days between), over all our words (precision) and all the reference's (recall). So F = 2M / (our
words + the reference's words) when the two alignments agree, and a sentence added anywhere raises
F only if its weighted share of matched words beats F / 2. Words are split on spaces, lower-cased,
Porter-stemmed, and only English stop words and . , ; : `` '' - " are dropped: on es/fr/it the
language's function words count, both ours and the reference's.

``--decompose`` (the default): per task, for main's built timeline (the shipped knob), our counted
words and the reference's, per day, and the share of each from function words (the language's
stopwordsiso list), other punctuation tokens (« » ( ) ? ! ...), numbers and content words; the
matched words of the precision alignment by the same classes, on days the reference has (right)
and days it has not (false, matched at a distance); the mean number of sentences per day.

``--rows``: timelines built with the shipped days and each day's sentences chosen as shipped, only
how many a day gets changes (every rule knob-free or a constant named in the row):
  shipped     the budget's n on every day
  first-k     every day cut to its first k of the shipped picks (k = 1 .. n - 1; fewer words)
  by-vote     the same total (days x n) shared by the days' votes, D'Hondt, each day at least one,
              at most 2n (the reference gives its landmark days more sentences). A day may then
              show more than n: outside CONTRACT.md ("at most N dates, K sentences each"), so
              measured only, as the other by-vote rows:
  by-vote-voted  the same, but a day filled from the reports after it (no vote) keeps n
  by-vote-cap+1 / by-vote-nocap / by-vote-sqrt  at most n + 1 / no cap / shared by sqrt(vote)
  oracle-alloc   a ceiling, in-sample: the shown reference days share the spare sentences (at most
              2n each), every other day gets one
  upto-vote   n x the day's vote over the shown days' mean vote, rounded, between 1 and n
              (a weak day, likelier a false day, shows less; never more than the budget)
  words-20    sentences by the shipped order while the day's words stay within n x 20 (the
              references' sentences: median 17-26 words), at least one
  long-strong / short-weak / length-by-vote  within the budget, a length prior by the day's
              confidence: on days voted at least the shown days' median the shipped score x
              sqrt(words / 20) (long-strong), on the others x sqrt(20 / words) (short-weak), both
              (length-by-vote); short-weak-1: x 20 / words; short-weak-third: the lowest third of
              the shown days by vote; short-all: x sqrt(20 / words) on every day
and beside them the busiest-days baseline (``timelines.baseline``). Gains over shipped with a 95%
paired bootstrap over tasks and over topics. ``--left-out``: the vote's knob (witnesses) chosen
for each task leaving out its topic, as ``timeline_dates.py`` chooses it (the H1N1 folds take 6);
otherwise the shipped 3. The Crisis column "own stop words out" scores again with the task
language's stop words dropped too (what a gain by function words alone cannot pass).
"""

from __future__ import annotations

import argparse
import collections
import contextlib
import datetime as dt
import re
import statistics as st
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

import timeline_dates as td  # noqa: E402
import timeline_selectors as ts  # noqa: E402
import timelines as bench  # noqa: E402

from storyline import timeline as tl  # noqa: E402
from storyline.models import TimelineEntry  # noqa: E402

_SHIPPED_SELECT = tl._select
_ALLOC: dict[dt.date, int] = {}  # sentences per day for the row being built
_WORD_CAP: list[int] = []  # a day's word budget (words-20)
_LENGTH: dict[dt.date, int] = {}  # a day's length prior: +1 longer sentences, -1 shorter
REF_SENTENCE_WORDS = 20
_HAS_WORD = re.compile(r"\w")
_NUMBER = re.compile(r"^\d[\d.,]*$")


def _alloc_select(cands: list[int], ev: Any, mat: Any, whole: Any, n: int, taken: list[int]) -> list[int]:
    """The shipped choice, with the day's count from ``_ALLOC`` (``ts.day_known`` says the day), and
    with ``_LENGTH`` a length prior of the day's sign s: x (words / 20) ** (s / 2)."""
    n = _ALLOC.get(ts._DAY[0], n) if ts._DAY else n
    sign = _LENGTH.get(ts._DAY[0], 0) if ts._DAY else 0
    if sign and cands:
        score = ts._penalised(cands, ev, ts._shipped_score(cands, mat, whole))
        score *= np.asarray([(ev.sentences[i].words / REF_SENTENCE_WORDS) ** (0.5 * sign) for i in cands])
        return ts._pick(cands, mat, score, n, taken)
    got = _SHIPPED_SELECT(cands, ev, mat, whole, n, taken)
    if not _WORD_CAP or not got:
        return got
    out, words = [got[0]], ev.sentences[got[0]].words
    for i in got[1:]:
        if words + ev.sentences[i].words > _WORD_CAP[0]:
            break
        out.append(i)
        words += ev.sentences[i].words
    return out


def _shown_days(articles: list[Any], k: int) -> tuple[list[dt.date], dict[dt.date, float]]:
    """The first ``k`` days ``build_timeline`` tries, and their votes (0 for a day filled from the
    reports after it)."""
    ev = tl._gather(articles)
    scores = tl._date_scores(ev, articles)
    days = [d for d, _ in tl._days(scores, ev, k)][:k]
    return days, {d: scores.get(d, 0.0) for d in days}


def by_vote(votes: dict[dt.date, float], n: int, cap: int | None = None, power: float = 1.0) -> dict[dt.date, int]:
    """len(votes) x n sentences shared by vote**power (D'Hondt), each day at least 1, at most
    ``cap`` (2n)."""
    cap = 2 * n if cap is None else cap
    votes = {d: v**power for d, v in votes.items()}
    alloc = dict.fromkeys(votes, 1)
    for _ in range(len(votes) * n - len(votes)):
        open_ = [d for d in votes if alloc[d] < cap]
        if not open_:
            break
        best = max(open_, key=lambda d: (votes[d] / (alloc[d] + 1), -d.toordinal()))
        alloc[best] += 1
    return alloc


def upto_vote(votes: dict[dt.date, float], n: int) -> dict[dt.date, int]:
    mean = sum(votes.values()) / max(1, len(votes))
    return {d: max(1, min(n, round(n * v / mean))) if mean else n for d, v in votes.items()}


@contextlib.contextmanager
def counts_per_day(alloc: dict[dt.date, int], cap: int | None = None,
                   length: dict[dt.date, int] | None = None) -> Iterator[None]:
    _ALLOC.clear()
    _ALLOC.update(alloc)
    _LENGTH.clear()
    _LENGTH.update(length or {})
    _WORD_CAP[:] = [cap] if cap else []
    try:
        with ts.selector(_alloc_select):
            yield
    finally:
        _ALLOC.clear()
        _WORD_CAP.clear()
        _LENGTH.clear()


_BUILT: dict[tuple[str, str], list[TimelineEntry]] = {}
_DUMP: list[str] = []  # --dump FILE: every row's per-task scores, written as each row ends
_WITNESSES: dict[str, float] = {}  # --left-out: the vote's knob chosen leaving out the task's topic


def build(t: bench.Task, row: str) -> list[TimelineEntry]:
    """Task ``t``'s timeline under ``row`` (see the module's doc), built once per run."""
    if (t.name, row) not in _BUILT:
        with bench.knobs_set({"WITNESSES": _WITNESSES.get(t.name, tl.WITNESSES)}):
            _BUILT[t.name, row] = _build(t, row)
    return _BUILT[t.name, row]


def _build(t: bench.Task, row: str) -> list[TimelineEntry]:
    if row == "busiest days":
        return bench.baseline(t.articles, t.n_dates, t.n_sents)
    if row.startswith("first-"):
        k = int(row.split("-")[1])
        return [TimelineEntry(date=e.date, summary=e.summary[:k]) for e in build(t, "shipped")]
    alloc: dict[dt.date, int] = {}
    length: dict[dt.date, int] = {}
    cap = None
    if row.startswith(("by-vote", "upto-vote")):
        _, votes = _shown_days(t.articles, t.n_dates)
        n = t.n_sents
        if row == "by-vote-voted":  # a day filled from the reports after it keeps n; the rest shared
            voted = {d: v for d, v in votes.items() if v > 0}
            alloc = {**dict.fromkeys(votes, n), **by_vote(voted, n)}
        else:
            alloc = {
                "by-vote": lambda: by_vote(votes, n),
                "by-vote-cap+1": lambda: by_vote(votes, n, cap=n + 1),
                "by-vote-nocap": lambda: by_vote(votes, n, cap=len(votes) * n),
                "by-vote-sqrt": lambda: by_vote(votes, n, power=0.5),
                "upto-vote": lambda: upto_vote(votes, n),
            }[row]()
    elif row == "oracle-alloc":  # a ceiling, in-sample: the shown reference days share the spare sentences
        # (at most 2n each), the other days get one
        ref = set().union(*t.refs)
        days, votes = _shown_days(t.articles, t.n_dates)
        right = [d for d in days if d in ref]
        spare = len(days) * t.n_sents - len(days)
        alloc = dict.fromkeys(days, 1)
        for d in right:
            alloc[d] = 1 + min(2 * t.n_sents - 1, spare // max(1, len(right)))
    elif row in ("long-strong", "short-weak", "length-by-vote", "short-weak-1", "short-weak-third", "short-all"):
        _, votes = _shown_days(t.articles, t.n_dates)
        bar = st.median(votes.values())
        if row == "short-weak-third":
            bar = st.quantiles(votes.values(), n=3)[0] if len(votes) > 2 else bar
        strong = +1 if row in ("long-strong", "length-by-vote") else 0
        weak = 0 if row == "long-strong" else -2 if row == "short-weak-1" else -1
        length = {d: strong if v >= bar and row != "short-all" else weak for d, v in votes.items()}
    elif row == "words-20":
        cap = t.n_sents * REF_SENTENCE_WORDS
    elif row != "shipped":
        raise SystemExit(f"unknown row {row}")
    with ts.day_known(t.articles), counts_per_day(alloc, cap, length):
        return tl.build_timeline(t.articles, n_dates=t.n_dates, n_sentences=t.n_sents)


# ---- the decomposition ----------------------------------------------------------------------


def _kind(tok: str, stop: frozenset[str]) -> str:
    if not _HAS_WORD.search(tok):
        return "punct"
    if _NUMBER.match(tok):
        return "number"
    return "function" if tok in stop else "content"


def decompose(score: Any, t: bench.Task, entries: list[TimelineEntry]) -> dict[str, Any]:
    """Counted words ours / the reference's by kind, and the precision alignment's weighted matches
    by kind, on right and false days (tilse's own alignment and token filter)."""
    from tilse.data import timelines
    from tilse.evaluation import rouge

    lang = t.name.split("-")[1] if t.name.startswith("crisis-") else "en"
    stop = tl._stopwords(lang)
    ref = score.read_refs(str(t.path / "reference"))[0]
    pred = timelines.Timeline({e.date: list(e.summary) for e in entries})
    gt = timelines.GroundTruth([ref])
    ev = rouge.TimelineRougeEvaluator(measures=["rouge_1"], rouge_computation="reimpl")
    r = ev.rouge
    ignore = r.stopwords.union([".", ",", ";", ":", "``", "''", "-", '"'])

    def toks(sents: list[str]) -> list[tuple[str, str]]:
        return [(r.stem_function(w.lower()), _kind(w.lower(), stop)) for s in sents for w in s.split()
                if w.lower() not in ignore]

    pdates, rdates = sorted(pred.get_dates()), sorted(gt.get_dates())
    costs = ev._get_date_content_costs(pdates, rdates, pred, gt, axis=0)
    rows, cols = ev._assign_to_min_cost(costs)
    out: dict[str, Any] = collections.defaultdict(float)
    for d in rdates:
        for _, kind in toks(ref[d]):
            out["ref:" + kind] += 1
    for row, col in zip(rows, cols, strict=True):
        pd_, rd = pdates[row], rdates[col]
        ours = toks(pred[pd_])
        theirs = collections.Counter(s for s, _ in toks(ref[rd]))
        side = "right" if pd_ in ref.get_dates() else "false"
        w = 1 / (abs(pd_.toordinal() - rd.toordinal()) + 1)
        kinds: dict[str, str] = {}
        for s, kind in ours:
            kinds.setdefault(s, kind)
            out["ours:" + kind] += 1
            out[f"words:{side}"] += 1
        for s, c in collections.Counter(s for s, _ in ours).items():
            m = min(c, theirs[s]) * w
            out[f"match:{kinds[s]}"] += m
            out[f"match:{side}"] += m
    out["days"] = len(pdates)
    out["ref_days"] = len(rdates)
    out["sents"] = sum(len(e.summary) for e in entries) / max(1, len(entries))
    out["ref_sents"] = sum(len(ref[d]) for d in rdates) / max(1, len(rdates))
    out["right_days"] = sum(1 for d in pdates if d in ref.get_dates())
    return out


KINDS = ("content", "function", "number", "punct")


def decompose_report(score: Any, tasks: list[bench.Task]) -> None:
    print("counted words (tilse's filter) per day ours / the reference's; our words and the matched words"
          " by kind (share);\nweighted match rate of our words on right / false days; F/2 is what a"
          " sentence added must beat")
    head = (f"{'task':26} {'AR1-F':>6} {'F/2':>5} {'days':>7} {'sents/day':>9} {'words/day':>9}  "
            + " ".join(f"{k[:5]:>11}" for k in KINDS) + f" {'rate right':>10} {'rate false':>10}")
    print(head)
    for t in tasks:
        entries = build(t, "shipped")
        f = bench.score_entries(score, entries, t.path / "reference")["ar1_f"]
        c = decompose(score, t, entries)
        ours = sum(c["ours:" + k] for k in KINDS)
        theirs = sum(c["ref:" + k] for k in KINDS)
        match = sum(c["match:" + k] for k in KINDS)
        cells = " ".join(f"{c['ours:' + k] / ours:5.2f}/{c['match:' + k] / max(match, 1e-9):5.2f}" for k in KINDS)
        print(
            f"{t.name:26} {f:6.3f} {f / 2:5.3f} {c['right_days']:3.0f}/{c['days']:3.0f}"
            f" {c['sents']:4.1f}/{c['ref_sents']:4.1f} {ours / c['days']:4.0f}/{theirs / c['ref_days']:4.0f}  {cells}"
            f" {c['match:right'] / max(1, c['words:right']):10.3f} {c['match:false'] / max(1, c['words:false']):10.3f}"
        )
        ref = score.read_refs(str(t.path / "reference"))[0]
        _, votes = _shown_days(t.articles, t.n_dates)
        right = [d for d in votes if d in ref.get_dates()]
        rho = _spearman([votes[d] for d in right], [len(ref[d]) for d in right])
        print(f"{'':26} reference words by kind: "
              + " ".join(f"{k} {c['ref:' + k] / theirs:.2f}" for k in KINDS)
              + f"; Spearman of the reference's sentences on a right day with its vote {rho:+.2f}", flush=True)


def _spearman(x: list[float], y: list[float]) -> float:
    from scipy.stats import spearmanr

    return float(spearmanr(x, y).statistic) if len(x) > 2 else float("nan")


def rows_report(score: Any, tasks: list[bench.Task], rows: list[str], draws: int) -> None:
    got: dict[str, dict[str, dict[str, float]]] = {}
    print(f"\n{'row':13} {'Timeline17 AR1-F / date F1':>27} {'Crisis':>15} {'Crisis, own stop words out':>27}")
    for row in rows:
        got[row] = {}
        for t in tasks:
            if row.startswith("first-") and int(row.split("-")[1]) >= t.n_sents:
                got[row][t.name] = got["shipped"][t.name]
                continue
            entries = build(t, row)
            got[row][t.name] = bench.score_entries(score, entries, t.path / "reference")
            got[row][t.name]["words"] = sum(len(s.split()) for e in entries for s in e.summary) / max(1, len(entries))
            if t.name.startswith("crisis-"):
                with ts.stop_words_out(t.name.split("-")[1]):
                    got[row][t.name]["own"] = bench.score_entries(score, entries, t.path / "reference")["ar1_f"]
        cells = []
        for group in ("t17", "crisis"):
            sel = [v for n, v in got[row].items() if n.startswith(group)]
            cells.append(f"{st.mean(v['ar1_f'] for v in sel):.4f} / {st.mean(v['date_f1'] for v in sel):.3f}"
                         if sel else "-")
        if _DUMP:
            import json

            Path(_DUMP[0]).write_text(json.dumps(got, indent=0))
        own = [v["own"] for v in got[row].values() if "own" in v]
        print(f"{row:13} {cells[0]:>27} {cells[1]:>15} {st.mean(own) if own else float('nan'):27.4f}", flush=True)
    if "shipped" not in got:
        return
    print("\nAR1-F gain over shipped, per dataset: mean [95% tasks] [95% topics]")
    for row in rows:
        if row == "shipped":
            continue
        cells = []
        for group in ("t17", "crisis"):
            gain = {n: got[row][n]["ar1_f"] - got["shipped"][n]["ar1_f"] for n in got[row] if n.startswith(group)}
            if gain:
                a, b = td.boot(list(gain.values()), draws)
                c, e = td.boot_topics(gain, draws)
                cells.append(f"{group} {st.mean(gain.values()):+.4f} [{a:+.4f}, {b:+.4f}] [{c:+.4f}, {e:+.4f}]")
        print(f"{row:13} " + "  ".join(cells))
    print(f"\n{'task':26} " + " ".join(f"{r[:13]:>13}" for r in rows) + "   (AR1-F; words per day)")
    for n in got["shipped"]:
        print(f"{n:26} " + " ".join(f"{got[r][n]['ar1_f']:7.4f}/{got[r][n].get('words', 0):5.0f}" for r in rows))


def _memoised() -> None:
    """Each task's evidence and TF-IDF matrix computed once for every row (the rows differ only
    after them; both are pure functions of the articles)."""
    gather, vectorise = tl._gather, tl._vectorise
    seen: dict[Any, Any] = {}

    def g(articles: Any) -> Any:
        key = ("g", tuple(a.id for a in articles))
        if key not in seen:
            seen[key] = gather(articles)
        return seen[key]

    def v(texts: list[str], lang: str) -> Any:
        key = ("v", lang, tuple(texts))
        if key not in seen:
            seen[key] = vectorise(texts, lang)
        return seen[key]

    tl._gather, tl._vectorise = g, v  # type: ignore[assignment]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", type=Path, default=ROOT.parent / "shared" / "data")
    ap.add_argument("--only", default="", help="run only tasks whose name starts with this")
    ap.add_argument("--clean", action="store_true", help="the tasks through the pipeline's cleaning, as acceptance")
    ap.add_argument("--clean-cache", type=Path, default=None, help="pickle of the cleaned articles")
    ap.add_argument("--decompose", action="store_true", help="where main's words and matches come from")
    ap.add_argument("--rows", nargs="*", default=None, help="rows to build and score")
    ap.add_argument("--left-out", action="store_true",
                    help="each task's vote knob chosen leaving out its topic (timeline_dates' main row)")
    ap.add_argument("--dump", default="", help="write every row's per-task scores to this JSON file")
    ap.add_argument("--thin", type=float, default=0.0, help="keep this share of each task's articles (random)")
    ap.add_argument("--seed", type=int, default=0, help="the draw of --thin")
    ap.add_argument("--boot", type=int, default=10000, help="bootstrap draws")
    args = ap.parse_args()
    score = bench.load_score(args.data)
    paths = sorted(p for p in (args.data / "timelines").iterdir() if p.is_dir() and p.name.startswith(args.only))
    tasks = [bench.Task(score, p) for p in paths]
    if args.clean:
        td.cleaned(tasks, args.clean_cache)
    _memoised()
    _DUMP[:] = [args.dump] if args.dump else []
    if args.thin:
        import random

        rng = random.Random(args.seed)
        for t in tasks:
            keep = sorted(rng.sample(range(len(t.articles)), max(8, round(args.thin * len(t.articles)))))
            t.articles = [t.articles[i] for i in keep]
    if args.left_out:
        chosen = td.left_out(tasks, *td.RULES["main"])
        _WITNESSES.update({n: v["k_topic"] for n, v in chosen.items()})
        print("witnesses chosen leaving out the topic:", dict(sorted(_WITNESSES.items())))
    if args.decompose or args.rows is None:
        decompose_report(score, tasks)
    if args.rows is not None:
        rows = args.rows or ["shipped", "first-1", "first-2", "by-vote", "upto-vote", "words-20", "busiest days"]
        rows_report(score, tasks, ["shipped", *[r for r in rows if r != "shipped"]], args.boot)


if __name__ == "__main__":
    main()
