"""The storylines benchmark's arrival orders (``benchmarks/events.py --orders``): plausible orders
a linker may meet an unseen set in, so a storylines figure is not one lucky draw."""

from __future__ import annotations

import datetime as dt
import importlib.util
import sys
from pathlib import Path

import pytest

from storyline.link import LinkConfig
from storyline.models import Article

BENCH = Path(__file__).resolve().parents[1] / "benchmarks"


@pytest.fixture(scope="module")
def bench():  # type: ignore[no-untyped-def]
    sys.path.insert(0, str(BENCH))
    spec = importlib.util.spec_from_file_location("bench_events", BENCH / "events.py")
    assert spec is not None and spec.loader is not None
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def _arts() -> list[Article]:
    out = []
    for i in range(40):
        src = ("bbc", "reuters", None)[i % 3]
        ident = f"crisis-es-syria-ext_{i}" if src is None else f"t17-x_{src}-{i}"
        day = None if i % 13 == 12 else dt.date(2011, 1, 1) + dt.timedelta(days=i // 4)
        out.append(Article(id=ident, title="t", body="b", lang="en", published=day, source=src))
    return out


def test_ties_keep_publish_order_and_shuffle_same_day(bench) -> None:  # type: ignore[no-untyped-def]
    arts = _arts()
    orders = [bench.arrival_order(arts, "ties", s) for s in (1, 2, 3)]
    for o in orders:
        days = [a.published or dt.date.max for a in o]
        assert days == sorted(days)  # publish order kept, undated last
        assert sorted(a.id for a in o) == sorted(a.id for a in arts)
    assert len({tuple(a.id for a in o) for o in orders}) == 3  # ties broken differently per seed
    assert [a.id for a in bench.arrival_order(arts, "ties", 2)] == [a.id for a in orders[1]]  # reproducible


def test_feeds_keep_each_feed_in_its_own_order_but_interleave_them(bench) -> None:  # type: ignore[no-untyped-def]
    arts = _arts()
    seen_out_of_publish_order = False
    for seed in range(1, 6):
        o = bench.arrival_order(arts, "feeds", seed)
        assert sorted(a.id for a in o) == sorted(a.id for a in arts)
        for feed in {bench.stream_of(a) for a in arts}:
            days = [a.published for a in o if bench.stream_of(a) == feed and a.published]
            # publish order, but for the per-article jitter: never ahead of one 2+ days older
            assert all(max(days[: i + 1]) - d <= dt.timedelta(days=2) for i, d in enumerate(days))
        dated = [a.published for a in o if a.published]
        seen_out_of_publish_order |= dated != sorted(dated)
        assert all(a.published is None for a in o[len(dated):])
    assert seen_out_of_publish_order  # feeds lag one another
    assert bench.stream_of(arts[2]) == "crisis-es"


def test_unknown_family_and_bad_settings_are_refused_with_a_reason(bench) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(ValueError, match="unknown order family 'random'"):
        bench.arrival_order(_arts(), "random", 1)
    assert bench.parse_set(["storyline_threshold=0.92"], LinkConfig()).storyline_threshold == 0.92
    assert bench.parse_set(["storyline_merge_threshold=null"], LinkConfig()).storyline_merge_threshold is None
    with pytest.raises(SystemExit, match="not_a_field"):
        bench.parse_set(["not_a_field=1"], LinkConfig())
    with pytest.raises(SystemExit, match="not JSON"):
        bench.parse_set(["storyline_threshold=abc"], LinkConfig())
