"""The helpers of ``benchmarks/timeline_dates.py`` (issue 17, session 18). Its figures are only as
good as three things these tests hold: the rows' common vote with no hook is main's vote exactly
(else every gain it reports is partly a reimplementation's drift), a knob chosen "leaving out the
topic" never sees any task of that topic (Timeline17's outlets of one story share its days), and the
paired bootstrap's interval is an interval of the mean gain. The benchmark needs the Timeline17 and
Crisis tasks; these do not."""

from __future__ import annotations

import datetime as dt
from types import ModuleType, SimpleNamespace
from typing import Any

import pytest
from bench_module import load

from storyline import timeline as tl
from storyline.models import Article

D = dt.date


@pytest.fixture(scope="module")
def bench() -> ModuleType:
    pytest.importorskip("tilse", reason="tilse is in the [test] extra")
    return load("timeline_dates.py", "bench_timeline_dates")


def art(i: str, published: dt.date, body: str) -> Article:
    return Article(id=i, title="", body=body, lang="en", published=published)


# Four reports of a small story: a landmark (3 March) three of them recall, one of them a week on;
# a day only one report names; a repeated furniture line that names a day; a plan for a later day.
REPORTS = [
    art("a1", D(2011, 3, 3), "Rebels took Brega on Thursday after heavy fighting. Talks will resume on 20 March."),
    art("a2", D(2011, 3, 4), "The fall of Brega on 3 March changed the war. Aid arrived in the port on 1 March."),
    art("a3", D(2011, 3, 10), "A week after rebels took Brega on 3 March, the front is still. Subscribe on 2 March."),
    art("a4", D(2011, 3, 10), "Since 3 March the rebels hold Brega, officials said. Subscribe on 2 March."),
    art("a5", D(2011, 3, 11), "Officials met in Benghazi on Thursday to plan the next weeks. Subscribe on 2 March."),
]


def task(bench: ModuleType, articles: list[Article], name: str = "t17-x_a", n_dates: int = 2) -> Any:
    return SimpleNamespace(name=name, articles=articles, evidence=tl._gather(articles), refs=[set()], n_dates=n_dates)


def test_the_common_vote_with_no_hook_is_mains_vote(bench: ModuleType) -> None:
    t = task(bench, REPORTS)
    shipped = tl._date_scores(t.evidence, t.articles)
    assert bench._vote(t) == pytest.approx(dict(shipped))
    assert max(shipped, key=lambda d: shipped[d]) == D(2011, 3, 3)  # the landmark, three witnesses
    assert D(2011, 3, 2) not in shipped or shipped[D(2011, 3, 2)] == 0  # furniture repeated three times: no vote
    # A hook does move it: every article's votes doubled doubles every day's score.
    doubled = bench._vote(t, art_w=[2.0] * len(REPORTS))
    assert doubled == pytest.approx({d: 2 * v for d, v in shipped.items()})
    # ... and main_rank at the shipped witnesses is the shipped ranking.
    assert bench.main_rank(t, tl.WITNESSES) == tl.ranked_days(shipped)


def test_a_knob_left_out_by_topic_is_chosen_without_any_task_of_that_topic(bench: ModuleType) -> None:
    # Topic "a" (three Timeline17 outlets) finds its reference day only with knob 0, topic "b" (two)
    # only with knob 1. Leaving out one task, a task of "a" would still see its two sister outlets,
    # tie "b" and get its own knob 0; leaving out the topic it must get "b"'s knob 1 and miss.
    good, bad = [D(2020, 1, 1)], [D(2020, 1, 2)]

    def make(name: str, prefers: int) -> Any:
        return SimpleNamespace(name=name, refs=[set(good)], n_dates=1, prefers=prefers)

    def rank(t: Any, knob: float) -> list[dt.date]:
        return good if int(knob) == t.prefers else bad

    tasks = [make("t17-a_x", 0), make("t17-a_y", 0), make("t17-a_z", 0), make("t17-b_x", 1), make("t17-b_y", 1)]
    got = bench.left_out(tasks, rank, (0, 1))
    assert [got[t.name]["k_topic"] for t in tasks] == [1, 1, 1, 0, 0]
    assert [got[t.name]["topic"] for t in tasks] == [0.0] * 5
    assert [got[t.name]["in"] for t in tasks] == [1.0, 1.0, 1.0, 0.0, 0.0]  # in-sample: the majority's knob

    # Across datasets: a Crisis task preferring knob 1 gets Timeline17's choice, and the reverse.
    tasks.append(make("crisis-es-c", 1))
    got = bench.left_out(tasks, rank, (0, 1))
    assert got["crisis-es-c"]["k_cross"] == 0 and got["crisis-es-c"]["cross"] == 0.0
    assert got["t17-a_x"]["k_cross"] == 1 and got["t17-b_x"]["cross"] == 1.0


def test_the_bootstrap_brackets_the_mean_gain(bench: ModuleType) -> None:
    assert bench.boot([0.1] * 8, 2000) == pytest.approx((0.1, 0.1))
    gains = [0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.5]
    lo, hi = bench.boot(gains, 4000)
    assert lo == 0.0 and lo < sum(gains) / len(gains) < hi <= 0.5


def test_a_month_quota_shares_the_budget_out_by_votes(bench: ModuleType) -> None:
    # Beta 0: every month gets a day before any gets a second; the months' own best days first.
    t = task(bench, REPORTS)
    t.articles = [*t.articles, art("b1", D(2011, 5, 2), "Nothing dated here at all, only talk of the war.")]
    t.evidence = tl._gather(t.articles)
    order = bench.month_quota(t, 0.0)
    assert {order[0].month, order[1].month} == {3, 5}
    assert order[0] == D(2011, 3, 3)
    # Beta large: the month with the votes takes its days first.
    assert [d.month for d in bench.month_quota(t, 3.0)[:3]] == [3, 3, 3]


def test_the_session_23_rows_are_mains_order_at_their_neutral_value_and_move_it_otherwise(bench: ModuleType) -> None:
    t = task(bench, REPORTS)
    shipped = tl.ranked_days(tl._date_scores(t.evidence, t.articles))
    assert bench.early(t, 0.0) == shipped and bench.burst(t, 0.0) == shipped and bench.burst_after(t, 0.0) == shipped
    # The early prior: 10 March (three votes, late in the 3-11 March span) falls behind 4 March
    # (one vote, early) at gamma 2: 3 x (1.5 - 7/9)^2 < 1 x (1.5 - 1/9)^2.
    assert shipped.index(D(2011, 3, 10)) < shipped.index(D(2011, 3, 4))
    ranked = bench.early(t, 2.0)
    assert ranked.index(D(2011, 3, 4)) < ranked.index(D(2011, 3, 10))
    # The burst after a day: one more report, printed on 12 March and dating nothing, follows
    # 11 March; 11 March and 4 March have one vote each (main: the earlier first), no report
    # follows 4 March in the next three days, so 11 March moves ahead.
    t = task(bench, [*REPORTS, art("a6", D(2011, 3, 12), "Nothing dated here, only the war's talk.")])
    shipped = tl.ranked_days(tl._date_scores(t.evidence, t.articles))
    assert shipped.index(D(2011, 3, 4)) < shipped.index(D(2011, 3, 11))
    ranked = bench.burst_after(t, 1.0)
    assert ranked.index(D(2011, 3, 11)) < ranked.index(D(2011, 3, 4))
