"""Date selection judged on tasks and topics it never saw (issue 17, session 18).

    python benchmarks/timeline_dates.py [--data DIR] [--rows NAME ...] [--boot N] [--worst K]

Only the dates: the date F1 (tilse's, set against set, averaged over a task's references) of the
top-ranked days, as many as the reference has, as the acceptance check asks for them. Each rule
with a knob has it chosen, for each task, on other tasks only, two ways:

- **leaving out the topic**: every task of the story is left out (Timeline17's outlets of one
  story, Crisis's languages of one story), the knob chosen on the rest of both datasets as
  ``timelines.choose`` chooses (the smallest worst shortfall from each dataset's best);
- **across datasets**: fitted on Timeline17 alone and scored on Crisis, and the reverse.

A rule without a knob reads the same in every column. Per dataset the table gives the mean, the
spread over tasks (lowest, highest, standard deviation) and, against main's vote scored the same
way, the mean gain with its 95% paired bootstrap interval over tasks (tasks resampled with
replacement, both rules on the same draw). The worst tasks under main's vote follow with the
reference days missed and the days picked instead, and how many reference days no article dates
or was published on at all (no vote can reach them).

Rows:
  main            the shipped vote (storyline.timeline._date_scores), witnesses fitted (1-6)
  flat            every mention and publish day one vote, nothing fitted
  mentions        DATEWISE-style: distinct articles mentioning a day, no publish-day vote
  busiest         articles published on a day (the benchmark's busiest-days baseline's dates)
  month-quota     the budget shared out among calendar months in proportion to (the month's votes)^beta
                  (beta fitted, 0-1.5; D'Hondt), each month's best days first: the reference's spread
  week-quota      the same by ISO week
  chronology      each article's votes times (1 + days it mentions)^gamma (gamma fitted, -0.5..1):
                  an article that dates many days is a chronology, a timeline some writer made
  near-copies     each article's votes divided by 1 + its near-copies (TF-IDF cosine of the bodies
                  above a bar, fitted 0.5-0.9): a wire story printed in several versions votes once
  lead            a mention in an article's first three sentences (its news) counts twice
  coherence       a day's mention vote times (cosine of its mentioning articles' sentences to their
                  centroid)^gamma (gamma fitted, 0.5-2): a day several reports tell alike is an event,
                  a day whose mentions have nothing in common is a misread weekday or an aside
  span            a day's vote times 1 + ln(1 + days between its first and last mention by a
                  published article): how long the story kept coming back to it
  recall-gap      main's vote plus c x the articles that still mention the day one reference gap
                  after it (the gap: the publishing span over the dates asked, the spacing the
                  reference's budget implies; c fitted, 0-4): a landmark at the timeline's resolution
  plans           main's vote plus w per article naming the day ahead of it ("the vote on 20 March"),
                  which main ignores as plans or forecasts (w fitted, 0-2): a scheduled landmark
  thin-days-out   main's days, but a day under s votes is not shown even when the budget has room
                  (s fitted, 0-5; 0 = main): fewer, better-attested dates (the budget is "at most")
  mmr-time        (session 20) main's days picked greedily, each day's vote times 1 - lam x exp(-g / tau),
                  g the days to the nearest day already picked, tau the spacing the budget implies
                  (the publishing span over the dates asked; lam fitted, 0-0.75): maximal marginal
                  relevance over time, a soft form of the spacing rules that lost
  mmr-content     (session 20) the same with the penalty lam x the cosine between the day's TF-IDF
                  centroid (the sentences that tell it, as ``_candidates`` gathers them) and the
                  nearest picked day's: a day that tells what a picked day told is deferred

``--clean`` reads each task as the acceptance check does, through the pipeline (``storyline timeline``:
cleaned bodies, enriched), instead of the raw task texts; ``--clean-cache FILE`` keeps those
articles in a pickle between runs (cleaning every task takes minutes).

``--grid`` prints each knob value's mean date F1 per dataset (in-sample, every task), so a rule whose
left-out choice is its neutral value shows what its other values did.
"""

from __future__ import annotations

import argparse
import datetime as dt
import math
import random
import sys
import time
from collections import Counter, defaultdict
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

import timelines as bench  # noqa: E402

from storyline import timeline as tl  # noqa: E402

Rank = Callable[[bench.Task, float], list[dt.date]]


def _vote(
    t: bench.Task,
    art_w: list[float] | None = None,
    lead: bool = False,
    day_w: Callable[[dt.date, dict[int, list[int]]], float] | None = None,
    witnesses: int | None = None,
    plans: float = 0.0,
) -> dict[dt.date, float]:
    """``storyline.timeline._date_scores`` with hooks: a weight per article (mention and publish
    votes), the lead's mentions doubled, a multiplier per day from its mentioning sentences by
    article, ``plans`` votes per article naming the day ahead of it. With no hook it gives exactly
    the shipped scores (``test_timeline_dates`` holds it)."""
    ev, articles = t.evidence, t.articles
    need = tl.WITNESSES if witnesses is None else witnesses
    pubs = [a.published for a in articles if a.published is not None]
    lo = min(pubs) - dt.timedelta(days=tl.BACKGROUND_DAYS) if pubs else dt.date.min
    hi = max(pubs) if pubs else dt.date.max
    repeats = Counter(s.text for s in ev.sentences)
    starts = [r.start for r in ev.by_article]
    scores: dict[dt.date, float] = defaultdict(float)
    aw = art_w if art_w is not None else [1.0] * len(articles)
    for d, idxs in ev.mentions.items():
        if not lo <= d <= hi:
            continue
        votes: dict[int, float] = {}
        ahead: set[int] = set()
        said: dict[int, list[int]] = defaultdict(list)
        for i in idxs:
            s = ev.sentences[i]
            if repeats[s.text] >= tl.BOILERPLATE_REPEATS:
                continue
            pub = articles[s.article].published
            if pub is not None and (d - pub).days > 2:
                ahead.add(s.article)
                continue
            lag = (pub - d).days if pub is not None else 0
            w = min(tl.RECALL_CAP, 1.0 + math.log1p(max(lag, 0)))
            if d in s.written:
                w *= tl.WRITTEN_WEIGHT
            if lead and i - starts[s.article] < 3:
                w *= 2.0
            votes[s.article] = max(votes.get(s.article, 0.0), w)
            said[s.article].append(i)
        if votes:
            v = sum(aw[a] * x for a, x in votes.items()) if len(votes) >= need else sum(aw[a] for a in votes)
            scores[d] += v * (day_w(d, said) if day_w else 1.0)
        if plans and ahead - set(votes):
            scores[d] += plans * sum(aw[a] for a in ahead - set(votes))
    for d, ais in ev.published.items():
        scores[d] += tl.PUB_WEIGHT * sum(aw[a] for a in ais)
    return scores


def main_rank(t: bench.Task, witnesses: float) -> list[dt.date]:
    with bench.knobs_set({"WITNESSES": int(witnesses)}):
        return tl.ranked_days(tl._date_scores(t.evidence, t.articles))


def flat_rank(t: bench.Task, _: float) -> list[dt.date]:
    with bench.knobs_set(bench.FLAT):
        return tl.ranked_days(tl._date_scores(t.evidence, t.articles))


def mentions_rank(t: bench.Task, _: float) -> list[dt.date]:
    with bench.knobs_set({**bench.FLAT, "PUB_WEIGHT": 0.0}):
        return tl.ranked_days(tl._date_scores(t.evidence, t.articles))


def busiest_rank(t: bench.Task, _: float) -> list[dt.date]:
    return tl.ranked_days({d: float(len(a)) for d, a in t.evidence.published.items()})


def _quota(t: bench.Task, beta: float, period: Callable[[dt.date], Any]) -> list[dt.date]:
    """Days in the order a D'Hondt count over periods gives them: the next day goes to the period
    whose votes^beta over (days it has + 1) is largest, its best day not yet taken."""
    sc = tl._date_scores(t.evidence, t.articles)
    by: dict[Any, list[dt.date]] = defaultdict(list)
    for d in tl.ranked_days(sc):
        by[period(d)].append(d)
    mass = {p: sum(sc[d] for d in ds) ** beta for p, ds in by.items()}
    out: list[dt.date] = []
    got: Counter[Any] = Counter()
    while len(out) < len(sc):
        p = max((p for p in by if got[p] < len(by[p])), key=lambda p: (mass[p] / (got[p] + 1), -got[p]))
        out.append(by[p][got[p]])
        got[p] += 1
    return out


def month_quota(t: bench.Task, beta: float) -> list[dt.date]:
    return _quota(t, beta, lambda d: (d.year, d.month))


def week_quota(t: bench.Task, beta: float) -> list[dt.date]:
    return _quota(t, beta, lambda d: d.isocalendar()[:2])


def chronology(t: bench.Task, gamma: float) -> list[dt.date]:
    n: Counter[int] = Counter()
    for idxs in t.evidence.mentions.values():
        for a in {t.evidence.sentences[i].article for i in idxs}:
            n[a] += 1
    return tl.ranked_days(_vote(t, art_w=[(1 + n[a]) ** gamma for a in range(len(t.articles))]))


_CACHE: dict[tuple[str, str], Any] = {}


def _bodies(t: bench.Task) -> Any:
    if (t.name, "bodies") not in _CACHE:
        from sklearn.feature_extraction.text import TfidfVectorizer

        x = TfidfVectorizer(sublinear_tf=True).fit_transform([a.body or " " for a in t.articles])
        sim = (x @ x.T).toarray()
        np.fill_diagonal(sim, 0.0)
        _CACHE[(t.name, "bodies")] = sim
    return _CACHE[(t.name, "bodies")]


def near_copies(t: bench.Task, bar: float) -> list[dt.date]:
    sim = _bodies(t)
    return tl.ranked_days(_vote(t, art_w=[1.0 / (1 + int((row > bar).sum())) for row in sim]))


def lead(t: bench.Task, _: float) -> list[dt.date]:
    return tl.ranked_days(_vote(t, lead=True))


def _sentences(t: bench.Task) -> Any:
    if (t.name, "sentences") not in _CACHE:
        lang = Counter(a.lang for a in t.articles).most_common(1)[0][0]
        _CACHE[(t.name, "sentences")] = tl._vectorise([s.text for s in t.evidence.sentences], lang)
    return _CACHE[(t.name, "sentences")]


def coherence(t: bench.Task, gamma: float) -> list[dt.date]:
    mat = _sentences(t)

    def agree(_: dt.date, said: dict[int, list[int]]) -> float:
        if len(said) < 2:
            return 1.0  # nothing to agree with: a lone mention keeps its plain vote
        rows = np.vstack([tl._unit(np.asarray(mat[idx].sum(axis=0)).ravel()) for idx in said.values()])
        total = rows.sum(axis=0)
        sims = [float(r @ tl._unit(total - r)) for r in rows]
        return max(1e-3, sum(sims) / len(sims)) ** gamma

    return tl.ranked_days(_vote(t, day_w=agree))


def span(t: bench.Task, _: float) -> list[dt.date]:
    arts = t.articles

    def spread(_: dt.date, said: dict[int, list[int]]) -> float:
        days = [p for p in (arts[a].published for a in said) if p is not None]
        return 1.0 + math.log1p((max(days) - min(days)).days) if days else 1.0

    return tl.ranked_days(_vote(t, day_w=spread))


def recall_gap(t: bench.Task, c: float) -> list[dt.date]:
    ev, arts = t.evidence, t.articles
    pubs = [a.published for a in arts if a.published is not None]
    gap = max(1.0, (max(pubs) - min(pubs)).days / t.n_dates)
    repeats = Counter(s.text for s in ev.sentences)
    sc = dict(tl._date_scores(ev, arts))
    for d in sc:
        later = set()
        for i in ev.mentions.get(d, []):
            s, p = ev.sentences[i], arts[ev.sentences[i].article].published
            if repeats[s.text] < tl.BOILERPLATE_REPEATS and p is not None and (p - d).days >= gap:
                later.add(s.article)
        sc[d] += c * len(later)
    return tl.ranked_days(sc)


def plans(t: bench.Task, w: float) -> list[dt.date]:
    return tl.ranked_days(_vote(t, plans=w))


def thin_days_out(t: bench.Task, least: float) -> list[dt.date]:
    sc = tl._date_scores(t.evidence, t.articles)
    return [d for d in tl.ranked_days(sc) if sc[d] >= least]


def _mmr(t: bench.Task, lam: float, sims: Callable[[list[dt.date]], np.ndarray]) -> list[dt.date]:
    """Main's days re-ordered greedily: the next day maximises its vote times 1 - lam x its largest
    similarity to a day already taken (``sims``: the days' pairwise similarities). Only the best
    3N + 20 days compete (N the dates asked); the rest follow in main's order."""
    sc = tl._date_scores(t.evidence, t.articles)
    order = tl.ranked_days(sc)
    if not lam:
        return order
    pool, rest = order[: 3 * t.n_dates + 20], order[3 * t.n_dates + 20 :]
    sim = sims(pool)
    vote = np.array([sc[d] for d in pool])
    near = np.zeros(len(pool))
    left = np.ones(len(pool), dtype=bool)
    out: list[dt.date] = []
    for _ in pool:
        gain = np.where(left, vote * (1 - lam * near), -np.inf)
        j = int(np.argmax(gain))  # ties: the earlier in main's order, as main breaks them
        out.append(pool[j])
        left[j] = False
        near = np.maximum(near, sim[j])
    return out + rest


def mmr_time(t: bench.Task, lam: float) -> list[dt.date]:
    pubs = [a.published for a in t.articles if a.published is not None]
    tau = max(1.0, (max(pubs) - min(pubs)).days / t.n_dates) if pubs else 1.0

    def sims(pool: list[dt.date]) -> np.ndarray:
        o = np.array([d.toordinal() for d in pool], dtype=float)
        return np.exp(-np.abs(o[:, None] - o[None, :]) / tau)

    return _mmr(t, lam, sims)


def mmr_content(t: bench.Task, lam: float) -> list[dt.date]:
    mat = _sentences(t)

    def sims(pool: list[dt.date]) -> np.ndarray:
        rows = []
        for d in pool:
            idx = tl._candidates(d, t.evidence, t.articles)
            v = np.asarray(mat[idx].mean(axis=0)).ravel() if idx else np.zeros(mat.shape[1], dtype=np.float32)
            rows.append(tl._unit(v))
        m = np.vstack(rows)
        return m @ m.T

    return _mmr(t, lam, sims)


def _coverage(t: bench.Task, alpha: float, first: int, last: int) -> list[dt.date]:
    """(session 23) main's vote times ((reports printed on days d+first..d+last + 1) / (what the
    task's mean rate prints in as many days + 1))^alpha: a day the outlet's coverage bursts after."""
    scores = tl._date_scores(t.evidence, t.articles)
    pubs = [a.published for a in t.articles if a.published is not None]
    if not pubs or not alpha:
        return tl.ranked_days(scores)
    rate = len(pubs) / ((max(pubs) - min(pubs)).days + 1)
    width = last - first + 1
    got = Counter(pubs)
    out = {}
    for d, v in scores.items():
        n = sum(got.get(d + dt.timedelta(days=k), 0) for k in range(first, last + 1))
        out[d] = v * ((n + 1) / (rate * width + 1)) ** alpha
    return tl.ranked_days(out)


def burst(t: bench.Task, alpha: float) -> list[dt.date]:
    return _coverage(t, alpha, 0, 3)


def burst_after(t: bench.Task, alpha: float) -> list[dt.date]:
    return _coverage(t, alpha, 1, 3)


def early(t: bench.Task, gamma: float) -> list[dt.date]:
    """(session 23) main's vote times (1.5 - the day's place in the publishing span, 0-1)^gamma:
    the reference days sit earlier in the span than the false days main picks."""
    scores = tl._date_scores(t.evidence, t.articles)
    pubs = [a.published for a in t.articles if a.published is not None]
    if not pubs or not gamma:
        return tl.ranked_days(scores)
    lo, span_days = min(pubs), (max(pubs) - min(pubs)).days + 1
    pos = {d: min(1.0, max(0.0, (d - lo).days / span_days)) for d in scores}
    return tl.ranked_days({d: v * (1.5 - pos[d]) ** gamma for d, v in scores.items()})


RULES: dict[str, tuple[Rank, tuple[float, ...]]] = {
    "main": (main_rank, (1, 2, 3, 4, 5, 6)),
    "flat": (flat_rank, (0,)),
    "mentions": (mentions_rank, (0,)),
    "busiest": (busiest_rank, (0,)),
    "month-quota": (month_quota, (0.0, 0.25, 0.5, 0.75, 1.0, 1.5)),
    "week-quota": (week_quota, (0.0, 0.25, 0.5, 0.75, 1.0, 1.5)),
    "chronology": (chronology, (-0.5, -0.25, 0.0, 0.25, 0.5, 1.0)),
    "near-copies": (near_copies, (0.5, 0.7, 0.9, 1.01)),
    "lead": (lead, (0,)),
    "coherence": (coherence, (0.0, 0.5, 1.0, 2.0)),
    "span": (span, (0,)),
    "recall-gap": (recall_gap, (0.0, 0.5, 1.0, 2.0, 4.0)),
    "plans": (plans, (0.0, 0.5, 1.0, 2.0)),
    "thin-days-out": (thin_days_out, (0.0, 2.0, 3.0, 4.0, 5.0)),
    "mmr-time": (mmr_time, (0.0, 0.25, 0.5, 0.75)),
    "mmr-content": (mmr_content, (0.0, 0.25, 0.5, 0.75)),
    "burst": (burst, (0.0, 0.25, 0.5, 1.0)),
    "burst-after": (burst_after, (0.0, 0.25, 0.5, 1.0)),
    "early": (early, (0.0, 0.5, 1.0, 2.0)),
}


def _pick(f1: dict[str, list[float]], train: list[str]) -> int:
    """``timelines.choose``'s criterion: the smallest worst shortfall from each dataset's best."""
    by: dict[str, list[str]] = defaultdict(list)
    for n in train:
        by[bench.dataset_of(n)].append(n)
    k = len(next(iter(f1.values())))
    mean = {d: [sum(f1[n][j] for n in ns) / len(ns) for j in range(k)] for d, ns in by.items()}
    best = {d: max(m) for d, m in mean.items()}
    regret = [max(best[d] - mean[d][j] for d in mean) for j in range(k)]
    return min(range(k), key=lambda j: (round(regret[j], 6), j))


GRID: dict[str, dict[str, list[float]]] = {}


def left_out(tasks: list[bench.Task], rank: Rank, grid: tuple[float, ...]) -> dict[str, dict[str, float]]:
    """Per task: date F1 in-sample (knob chosen on every task), leaving out its topic, and fitted on
    the other dataset alone; and the knob values chosen."""
    f1 = {t.name: [bench._date_f1(set(rank(t, g)[: t.n_dates]), t.refs) for g in grid] for t in tasks}
    names = list(f1)
    by_set: dict[str, list[str]] = defaultdict(list)
    for n in names:
        by_set[bench.dataset_of(n)].append(n)
    GRID[rank.__name__] = {
        d: [sum(f1[n][j] for n in ns) / len(ns) for j in range(len(grid))] for d, ns in by_set.items()
    }
    every = _pick(f1, names)
    out: dict[str, dict[str, float]] = {}
    for n in names:
        topic = _pick(f1, [x for x in names if bench.topic_of(x) != bench.topic_of(n)] or names)
        other = _pick(f1, [x for x in names if bench.dataset_of(x) != bench.dataset_of(n)] or names)
        out[n] = {
            "in": f1[n][every], "topic": f1[n][topic], "cross": f1[n][other],
            "k_topic": grid[topic], "k_cross": grid[other],
        }
    return out


def boot(gain: list[float], draws: int, seed: int = 18) -> tuple[float, float]:
    """95% interval of the mean gain, tasks resampled with replacement."""
    rng = random.Random(seed)
    means = sorted(sum(rng.choice(gain) for _ in gain) / len(gain) for _ in range(draws))
    return means[int(0.025 * draws)], means[int(0.975 * draws) - 1]


def boot_topics(f1: dict[str, float], draws: int, seed: int = 18) -> tuple[float, float]:
    """95% interval of the mean over tasks when whole topics are resampled (a story's outlets share
    its days, so its tasks are not independent draws)."""
    by: dict[str, list[float]] = defaultdict(list)
    for n, v in f1.items():
        by[bench.topic_of(n)].append(v)
    groups = list(by.values())
    rng = random.Random(seed)
    means = []
    for _ in range(draws):
        drawn = [v for _ in groups for v in rng.choice(groups)]
        means.append(sum(drawn) / len(drawn))
    means.sort()
    return means[int(0.025 * draws)], means[int(0.975 * draws) - 1]


def worst(tasks: list[bench.Task], k: int) -> None:
    """The ``k`` lowest tasks under main's vote: what was missed, what came instead, what no vote reaches."""
    rows = []
    for t in tasks:
        days = main_rank(t, tl.WITNESSES)
        rows.append((bench._date_f1(set(days[: t.n_dates]), t.refs), t, days))
    for dataset in ("t17", "crisis"):
        sel = sorted((r for r in rows if r[1].name.startswith(dataset)), key=lambda r: r[0])[:k]
        for f, t, days in sel:
            ref = set().union(*t.refs)
            picked = set(days[: t.n_dates])
            rank = {d: i for i, d in enumerate(days)}
            dated = set(t.evidence.mentions) | set(t.evidence.published)
            missed = sorted(ref - picked)
            unreached = [d for d in missed if d not in rank]
            extra = sorted(picked - ref)
            months = Counter(f"{d:%Y-%m}" for d in extra)
            print(
                f"\n{t.name}: date F1 {f:.3f}; {t.n_dates} dates asked, {len(ref & picked)} found; missed"
                f" {len(missed)} ({len(unreached)} with no vote at all, {len(ref - dated)} no article dates"
                f" or was printed on); missed ranks {sorted(rank[d] for d in missed if d in rank)[:12]}"
            )
            print(f"  picked instead, by month: {dict(sorted(months.items()))}")


def cleaned(tasks: list[bench.Task], cache: Path | None) -> None:
    """Each task's articles replaced by the pipeline's cleaned, enriched ones, as
    ``Pipeline.timeline_of_inputs`` reads them, and its evidence gathered again."""
    import pickle

    from storyline.models import Rejected
    from storyline.pipeline import Pipeline, enrich, read_inputs

    got: dict[str, Any] = {}
    if cache is not None and cache.exists():
        with open(cache, "rb") as f:
            got = pickle.load(f)
    pipe = Pipeline()
    for t in tasks:
        if t.name not in got:
            raws = [x for x in read_inputs([t.path / "articles.jsonl"]) if not isinstance(x, Rejected)]
            kept = [c for c in (pipe._clean_one(r) for r in raws) if not isinstance(c, Rejected)]
            got[t.name] = enrich(kept, None)
        t.articles = list(got[t.name])
        t.evidence = tl._gather(t.articles)
    if cache is not None:
        with open(cache, "wb") as f:
            pickle.dump(got, f)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", type=Path, default=ROOT.parent / "shared" / "data")
    ap.add_argument("--rows", nargs="*", default=None, help="rows to run (default: all)")
    ap.add_argument("--boot", type=int, default=10000, help="bootstrap draws")
    ap.add_argument("--worst", type=int, default=3, help="worst tasks shown per dataset")
    ap.add_argument("--per-task", action="store_true", help="each task's left-out date F1 per row")
    ap.add_argument("--grid", action="store_true", help="each knob value's mean per dataset")
    ap.add_argument("--clean", action="store_true", help="the tasks through the pipeline's cleaning, as acceptance")
    ap.add_argument("--clean-cache", type=Path, default=None, help="pickle of the cleaned articles")
    args = ap.parse_args()
    score = bench.load_score(args.data)
    paths = sorted(p for p in (args.data / "timelines").iterdir() if p.is_dir())
    t0 = time.perf_counter()
    tasks = [bench.Task(score, p) for p in paths]
    if args.clean:
        cleaned(tasks, args.clean_cache)
    rows = args.rows or list(RULES)
    res = {r: left_out(tasks, *RULES[r]) for r in ["main", *[x for x in rows if x != "main"]]}
    print("date F1 of the top-ranked days; knob chosen leaving out the task's topic (LOTO) and on the other")
    print("dataset alone (cross); spread over tasks of LOTO; gain over main (LOTO, task by task) with its")
    print("95% paired bootstrap interval over tasks")
    for dataset in ("t17", "crisis"):
        names = [t.name for t in tasks if t.name.startswith(dataset)]
        print(f"\n{dataset}: {len(names)} tasks")
        print(f"{'row':13} {'in-sample':>9} {'LOTO':>6} {'cross':>6} {'min':>6} {'max':>6} {'sd':>6}"
              f" {'gain LOTO':>10} {'95% interval':>17} {'gain cross':>10}  knob LOTO / cross")
        for r in rows:
            v = res[r]
            lo = [v[n]["topic"] for n in names]
            mean = {c: sum(v[n][c] for n in names) / len(names) for c in ("in", "topic", "cross")}
            gain = [v[n]["topic"] - res["main"][n]["topic"] for n in names]
            gain_x = sum(v[n]["cross"] - res["main"][n]["cross"] for n in names) / len(names)
            a, b = boot(gain, args.boot)
            knobs = sorted({v[n]["k_topic"] for n in names}), sorted({v[n]["k_cross"] for n in names})
            print(
                f"{r:13} {mean['in']:9.3f} {mean['topic']:6.3f} {mean['cross']:6.3f} {min(lo):6.3f} {max(lo):6.3f}"
                f" {float(np.std(lo)):6.3f} {sum(gain) / len(gain):+10.3f} {f'[{a:+.3f}, {b:+.3f}]':>17}"
                f" {gain_x:+10.3f}  {knobs[0]} / {knobs[1]}"
            )
    if args.per_task:
        print(f"\n{'task':26} " + " ".join(f"{r[:11]:>11}" for r in rows))
        for t in tasks:
            print(f"{t.name:26} " + " ".join(f"{res[r][t.name]['topic']:11.3f}" for r in rows))
    if args.grid:
        print("\nmean date F1 per knob value (in-sample), Timeline17 / Crisis")
        for r in rows:
            rank, grid = RULES[r]
            if len(grid) > 1:
                g = GRID[rank.__name__]
                cells = [f"{k:g}: {g['t17'][j]:.3f} / {g['crisis'][j]:.3f}" for j, k in enumerate(grid)]
                print(f"{r:13} " + "; ".join(cells))
    t17 = [t.name for t in tasks if t.name.startswith("t17")]
    a, b = boot([res["main"][n]["topic"] for n in t17], args.boot)
    c, e = boot_topics({n: res["main"][n]["topic"] for n in t17}, args.boot)
    print(f"\nmain's Timeline17 mean over its {len(t17)} dev tasks, 95% bootstrap interval: [{a:.3f}, {b:.3f}]"
          f" resampling tasks, [{c:.3f}, {e:.3f}] resampling topics (a topic's tasks together)")
    worst(tasks, args.worst)
    print(f"\ntime: {time.perf_counter() - t0:.0f}s")


if __name__ == "__main__":
    main()
