"""The helpers of ``benchmarks/timeline_summaries.py`` (issue 17, session 24). Its rows change only
how many sentences a day gets, so its figures mean something only if the row "shipped" is
``build_timeline`` exactly (the hook neutral), the shipped selector is back in place after a row,
and the vote share keeps the timeline's N x K sentences. The benchmark needs the Timeline17 and
Crisis tasks; these tests read 32 of crisis-es-egypt's articles (``tests/data/timeline20``, from
../shared/data/timelines, texts untouched)."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from types import ModuleType, SimpleNamespace

import pytest
from bench_module import load

from storyline import timeline as tl
from storyline.models import Article

D = dt.date


@pytest.fixture(scope="module")
def bench() -> ModuleType:
    pytest.importorskip("tilse", reason="tilse is in the [test] extra")
    return load("timeline_summaries.py", "bench_timeline_summaries")


@pytest.fixture(scope="module")
def egypt() -> SimpleNamespace:
    path = Path(__file__).parent / "data" / "timeline20" / "es-egypt.jsonl"
    rows = [json.loads(x) for x in path.open(encoding="utf-8")]
    arts = [
        Article(id=r["id"], title="", body=r["text"], lang="es", published=D.fromisoformat(r["published"][:10]))
        for r in rows
    ]
    return SimpleNamespace(name="crisis-es-egypt-sample", articles=arts, n_dates=6, n_sents=2)


def test_the_vote_share_keeps_the_budget_and_favours_the_landmarks(bench: ModuleType) -> None:
    votes = {D(2011, 1, 25): 30.0, D(2011, 1, 28): 12.0, D(2011, 2, 1): 3.0, D(2011, 2, 11): 1.0}
    alloc = bench.by_vote(votes, 3)
    assert sum(alloc.values()) == 4 * 3
    assert all(1 <= k <= 6 for k in alloc.values())
    assert alloc[D(2011, 1, 25)] == 6 and alloc[D(2011, 2, 11)] == 1
    capped = bench.by_vote(votes, 3, cap=4)
    assert max(capped.values()) == 4 and sum(capped.values()) == 12
    # within the budget: never more than K, never fewer than one
    assert bench.upto_vote(votes, 3) == {D(2011, 1, 25): 3, D(2011, 1, 28): 3, D(2011, 2, 1): 1, D(2011, 2, 11): 1}


def test_the_shipped_row_is_build_timeline_and_the_selector_is_back(bench: ModuleType, egypt: SimpleNamespace) -> None:
    want = tl.build_timeline(egypt.articles, n_dates=egypt.n_dates, n_sentences=egypt.n_sents)
    got = bench.build(egypt, "shipped")
    assert [(e.date, e.summary) for e in got] == [(e.date, e.summary) for e in want]
    shared = bench.build(egypt, "by-vote")
    assert tl._select is bench._SHIPPED_SELECT
    counts = [len(e.summary) for e in shared]
    assert sum(counts) <= egypt.n_dates * egypt.n_sents
    assert max(counts) > egypt.n_sents  # a landmark day shows more than K: outside the contract
    assert {e.date for e in shared} == {e.date for e in want}
