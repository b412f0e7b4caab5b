"""The helpers of ``benchmarks/similarity.py``'s issue-17 checks (``--shape``, ``--tail``, ``--align``):
the sentences a text is aligned by, what the tail cleaning takes out, and the refit that scores an
added signal. The checks themselves need the SemEval dev pairs and the encoder; these do not."""

from __future__ import annotations

from types import ModuleType

import numpy as np
import pytest
from bench_module import load


@pytest.fixture(scope="module")
def bench() -> ModuleType:
    return load("similarity.py", "bench_similarity")


def test_sentences_split_every_script_and_keep_short_pieces_with_their_sentence(bench: ModuleType) -> None:
    text = ("Headline of the story\nThe minister resigned on Monday. Reklama. A new vote follows in May.\n"
            "قال الوزير في بيان رسمي إنه سيستقيل من منصبه. هل ستجرى انتخابات جديدة في البلاد هذا العام؟ "
            "نعم ستجرى قريبا جدا في البلاد.\n"
            "東京で地震があった。被害は小さいと発表された。")
    got = bench.text_sentences(text)
    assert got[:3] == ["Headline of the story", "The minister resigned on Monday. Reklama.",
                       "A new vote follows in May."]
    assert got[3] == "قال الوزير في بيان رسمي إنه سيستقيل من منصبه."
    assert got[4] == "هل ستجرى انتخابات جديدة في البلاد هذا العام؟"
    # Japanese splits at 。; sentences this short (in characters) join the one before them.
    assert got[5].endswith("被害は小さいと発表された。") and "東京で地震があった。 " in got[5]
    assert len(bench.text_sentences(text, most=2)) == 2


def test_tail_cleaning_takes_furniture_out_of_the_tail_only(bench: ModuleType) -> None:
    body = "Subscribe today. " + "The council met for hours and agreed on the budget for next year. " * 8
    text = body + "\nSubscribe today"
    got = bench.cleaned_tail(text)
    assert got.startswith("Subscribe today. ")  # the head is never touched
    assert not got.rstrip().endswith("Subscribe today")
    plain = "The council met for hours and agreed on the budget for next year. " * 8
    assert bench.cleaned_tail(plain) == plain


def test_refit_adds_a_signal_only_through_the_other_groups_fit(bench: ModuleType) -> None:
    rng = np.random.default_rng(0)
    base, signal = rng.normal(size=200), rng.normal(size=200)
    keys = np.arange(200) % 2
    t = base + 0.5 * signal + rng.normal(scale=0.1, size=200)
    got = bench._refit(base, signal, keys, t)
    assert np.corrcoef(got, t)[0, 1] > 0.99 > np.corrcoef(base, t)[0, 1]
    flat = bench._refit(base, np.zeros(200), keys, t)  # nothing added: a line of the base in each group
    for k in (0, 1):
        assert abs(np.corrcoef(flat[keys == k], base[keys == k])[0, 1] - 1) < 1e-9


def _loaded(bench: ModuleType, days_per_million: float = 1.1) -> object:
    """A tiny stand-in for the dev pairs: ids numbered as if collected at ``days_per_million``, each
    text stating its own day; one text states a stray day far off the line."""
    import datetime as dt

    from storyline.models import Article

    start, first = dt.date(2020, 1, 1), 1_484_000_000
    pairs, arts = [], []
    for k in range(12):
        ids = (first + k * 9_000_000, first + k * 9_000_000 + 2_000_000)
        pairs.append({"pair_id": f"{ids[0]}_{ids[1]}", "a": {"id": str(ids[0])}, "b": {"id": str(ids[1])}})
        for i in ids:
            day = start + dt.timedelta(days=round((i - first) / 1e6 * days_per_million))
            if k == 5 and i == ids[0]:
                day = dt.date(2019, 6, 1)  # a text naming an old day: RANSAC leaves it out
            arts.append(Article(id=str(i), title="", body=f"The vote was held on {day:%B} {day.day}, {day.year}.",
                                lang="en", published=None))
    return bench.Loaded(pairs, [1.0] * 12, ["en-en"] * 12, arts[0::2], arts[1::2], [False] * 12, frozenset())


def test_story_ids_become_days_on_the_line_the_texts_state(bench: ModuleType) -> None:
    import datetime as dt

    loaded = _loaded(bench)
    line = bench.id_days(loaded)
    assert line.dated == 24 and line.inliers == 23
    assert line.slope * 1e6 == pytest.approx(1.1, abs=0.02)
    dated = bench.with_dates(loaded, line)
    for x in dated.a + dated.b:  # each day read from its own id, whatever its text says
        assert x.published is not None
        assert abs((x.published - dt.date(2020, 1, 1)).days - (int(x.id) - 1_484_000_000) / 1e6 * 1.1) <= 1
    gap = [(z.published - x.published).days for x, z in zip(dated.a, dated.b, strict=True)]
    assert all(abs(g - 2.2) <= 1 for g in gap)  # 2M ids apart: about two days


def test_time_weight_is_found_where_the_gold_follows_the_dates_and_not_elsewhere(bench: ModuleType) -> None:
    import dataclasses
    import datetime as dt

    from storyline.link.similarity import LinkConfig, features, signals, time_factor
    from storyline.models import Article

    rng = np.random.default_rng(3)
    n, d0 = 60, dt.date(2020, 3, 1)
    a, b = [], []
    for i in range(n):
        u = rng.normal(size=384)
        va, vb = u + rng.normal(scale=rng.uniform(0.3, 3), size=384), u + rng.normal(scale=1.0, size=384)
        gap = int(rng.choice([0, 1, 3, 10, 40]))
        a.append(Article(id=f"a{i}", title="", body=f"first text {i}", lang="en", published=d0,
                         vector=(va / np.linalg.norm(va)).astype(np.float32)))
        b.append(Article(id=f"b{i}", title="", body=f"second text {i}", lang="en",
                         published=d0 + dt.timedelta(days=gap), vector=(vb / np.linalg.norm(vb)).astype(np.float32)))
    off = LinkConfig(similarity_time_weight=0.0)
    s0 = np.asarray(bench.scores(a, b, [False] * n, None, off))
    w = dataclasses.replace(off, similarity_time_weight=0.4)
    follows = s0 * np.array([time_factor(signals(features(x), features(z)), w) for x, z in zip(a, b, strict=True)])
    idx = list(range(n))
    for gold, want in ((follows, 0.4), (s0, 0.0)):
        loaded = bench.Loaded([{}] * n, list(gold), ["en-en"] * n, a, b, [False] * n, frozenset())
        assert bench.fit_time_weight(loaded, idx) == pytest.approx(want, abs=0.02)
