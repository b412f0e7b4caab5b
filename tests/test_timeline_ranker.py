"""The helpers of ``benchmarks/timeline_ranker.py`` (issue 17, session 19): the learned date ranker
is judged only as well as its features say what they claim (counted per article, the repeated
furniture and the days named ahead kept apart as the vote keeps them), its fit never sees the
left-out task, and a model of the vote alone ranks as the vote does (else its gain or loss is
partly a reordering of ties). The benchmark needs the Timeline17 and Crisis tasks; these do not."""

from __future__ import annotations

import datetime as dt
from types import ModuleType, SimpleNamespace
from typing import Any

import numpy as np
import pytest
from bench_module import load

from storyline import timeline as tl
from storyline.models import Article

D = dt.date


@pytest.fixture(scope="module")
def bench() -> ModuleType:
    pytest.importorskip("tilse", reason="tilse is in the [test] extra")
    return load("timeline_ranker.py", "bench_timeline_ranker")


def art(i: str, published: dt.date, body: str) -> Article:
    return Article(id=i, title="", body=body, lang="en", published=published)


REPORTS = [
    art("a1", D(2011, 3, 3), "Rebels took Brega on Thursday after heavy fighting. Talks will resume on 20 March."),
    art("a2", D(2011, 3, 4), "The fall of Brega on 3 March changed the war. Aid arrived in the port on 1 March."),
    art("a3", D(2011, 3, 10), "Tanks moved. Guns fired. A week after rebels took Brega on 3 March, the front is still. "
        "Subscribe on 2 March."),
    art("a4", D(2011, 3, 10), "Since 3 March the rebels hold Brega, officials said. Subscribe on 2 March."),
    art("a5", D(2011, 3, 11), "Officials met in Benghazi on Thursday to plan the next weeks. Subscribe on 2 March."),
    art("a6", D(2011, 3, 25), "The talks held on 20 March came to nothing, diplomats said on Friday."),
]


def task(articles: list[Article], refs: set[dt.date], name: str = "t17-x_a", n_dates: int = 2) -> Any:
    return SimpleNamespace(name=name, articles=articles, evidence=tl._gather(articles), refs=[refs], n_dates=n_dates)


def raw(bench: ModuleType, t: Any) -> dict[dt.date, dict[str, float]]:
    """The features before standardising, by day (the counts back from log(1 + n))."""
    saved = bench.STANDARDISED
    bench.STANDARDISED = ()
    try:
        days, x, _ = bench.features(t)
    finally:
        bench.STANDARDISED = saved
    return {d: dict(zip(bench.FEATURES, row.tolist(), strict=True)) for d, row in zip(days, x, strict=True)}


def test_features_count_articles_and_keep_furniture_and_plans_apart(bench: ModuleType) -> None:
    t = task(REPORTS, {D(2011, 3, 3)})
    f = raw(bench, t)
    days, _, y = bench.features(t)
    assert days == tl.ranked_days(tl._date_scores(t.evidence, t.articles))  # the vote's days, its order
    assert y.tolist() == [d == D(2011, 3, 3) for d in days]
    landmark = f[D(2011, 3, 3)]
    # a1 ("Thursday"), a2, a3, a4 look back on 3 March; a3's mention is its third sentence, a lede's.
    assert round(np.expm1(landmark["mention"])) == 4
    assert round(np.expm1(landmark["lead"])) == 4
    assert round(np.expm1(landmark["recall"])) == 2  # a3 and a4, a week on
    assert round(np.expm1(landmark["lag"])) == 7
    assert landmark["written"] == pytest.approx(3 / 4)  # a1's "Thursday" is relative
    assert landmark["recency"] == 0.0  # the first report's day
    # "Subscribe on 2 March" is furniture (three copies): no mention, and the day is not a candidate
    # unless something else votes for it.
    assert D(2011, 3, 2) not in f
    # 20 March: named ahead by a1, looked back on by a6.
    plan = f[D(2011, 3, 20)]
    assert round(np.expm1(plan["ahead"])) == 1 and round(np.expm1(plan["mention"])) == 1
    # a burst: the two reports of 10 March and the one of 11 March around 10 March.
    assert f[D(2011, 3, 10)]["burst"] > f[D(2011, 3, 25)]["burst"]
    assert f[days[0]]["place"] == 0.0 and f[days[-1]]["place"] == min(3.0, (len(days) - 1) / t.n_dates)


def test_a_model_of_the_vote_alone_ranks_as_the_vote(bench: ModuleType) -> None:
    a = task(REPORTS, {D(2011, 3, 3), D(2011, 3, 10)}, "t17-a_x")
    b = task(REPORTS[:4], {D(2011, 3, 3)}, "t17-b_x")
    data = {t.name: bench.features(t) for t in (a, b)}
    order = bench.fit_rank(data, ["t17-b_x"], "t17-a_x", ("vote",), 1.0)
    scores = tl._date_scores(a.evidence, a.articles)
    assert [scores[d] for d in order] == sorted(scores.values(), reverse=True)


def test_the_fit_never_sees_the_left_out_task(bench: ModuleType) -> None:
    # Train on a task whose reference is the day of the most reports published; a left-out task
    # whose reference is elsewhere must not change what the model ranks first.
    a = task(REPORTS, {D(2011, 3, 10)}, "t17-a_x")
    b = task(REPORTS, {D(2011, 3, 3)}, "t17-b_x")
    data = {t.name: bench.features(t) for t in (a, b)}
    cols = ("pub", "mention")
    first = bench.fit_rank(data, ["t17-a_x"], "t17-b_x", cols, 1.0)[0]
    assert first == D(2011, 3, 10)  # learnt on a alone: publish days count, b's own day does not decide
    data["t17-b_x"] = (data["t17-b_x"][0], data["t17-b_x"][1], 1.0 - data["t17-b_x"][2])  # b's labels flipped
    assert bench.fit_rank(data, ["t17-a_x"], "t17-b_x", cols, 1.0)[0] == first


def test_the_topic_bootstrap_draws_a_topics_tasks_together(bench: ModuleType) -> None:
    gain = {"t17-a_x": 0.2, "t17-a_y": 0.2, "t17-b_x": 0.0, "crisis-es-c": 0.0}
    lo, hi = bench.tdates.boot_topics(gain, 4000, seed=19)
    assert lo == 0.0 and hi == pytest.approx(0.2)  # all-"a" draws give 0.2, none give 0
