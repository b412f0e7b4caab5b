"""The SQLite store: round trips, one transaction per batch, read-only opening."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from storyline.errors import NotFound, StoreError
from storyline.models import Article, Assignment, Entity, Event, Storyline
from storyline.store import open_store


def _article(i: str, vec: object = None) -> Article:
    return Article(
        id=i,
        title=f"Title {i}",
        body=f"Body of {i}.",
        lang="en",
        published=dt.date(2020, 12, 30),
        source="AP",
        entities=(Entity("place:TR", "place", "Turkey"),),
        dates_mentioned=(dt.date(2020, 12, 29),),
        numbers=("135",),
        removed=("Subscribe now",),
        vector=np.arange(4, dtype=np.float32) if vec is None else vec,  # type: ignore[arg-type]
    )


def _event(eid: str, sl: str, ids: tuple[str, ...]) -> Event:
    return Event(eid, sl, "Headline", "en", ids, ("en",), ("AP",), dt.date(2020, 12, 30), dt.date(2020, 12, 30))


def test_round_trip_and_idempotent_writes(tmp_path: Path) -> None:
    st = open_store(tmp_path / "s.db")
    a, b = _article("a"), _article("b")
    asg = [Assignment("a", "e1", "s1"), Assignment("b", "e1", "s1")]
    sl = Storyline("s1", "Turkey", ("e1",), 2, ("en",), None, None)
    st.write_batch([a, b], asg, [_event("e1", "s1", ("a", "b"))], [sl])
    st.write_batch([a], [], [], [])  # the same article again adds nothing
    assert st.counts() == {"articles": 2, "events": 1, "storylines": 1}
    got = list(st.articles())
    assert [x.id for x in got] == ["a", "b"]
    assert got[0].entities == a.entities and got[0].dates_mentioned == a.dates_mentioned
    assert got[0].removed == ("Subscribe now",) and got[0].numbers == ("135",)
    assert np.array_equal(got[0].vector, a.vector)  # type: ignore[arg-type]
    assert [x.body for x in st.articles(with_body=False)] == ["", ""]
    assert st.known_ids(["a", "zz"]) == {"a"}
    assert st.event("e1").article_ids == ("a", "b")
    assert st.storyline("s1").name == "Turkey"
    assert [x.id for x in st.articles(event="e1")] == ["a", "b"]
    with pytest.raises(NotFound):
        st.event("nope")
    # an event merged away is dropped in the same transaction
    st.write_batch([], [Assignment("b", "e2", "s1")], [_event("e2", "s1", ("b",))], [], drop_events=["e1"])
    assert {e.id for e in st.events()} == {"e2"}
    st.close()


def test_a_failing_batch_leaves_nothing_behind(tmp_path: Path) -> None:
    st = open_store(tmp_path / "s.db")
    st.write_batch([_article("a")], [Assignment("a", "e1", "s1")], [], [])
    with pytest.raises(Exception):  # noqa: B017 - any failure inside the batch must roll back
        st.write_batch([_article("b"), _article("c", vec=object())], [Assignment("a", "e9", "s9")], [], [])
    assert [x.id for x in st.articles()] == ["a"]
    assert st.assignments() == [Assignment("a", "e1", "s1")]


def test_readonly_and_bad_files(tmp_path: Path) -> None:
    with pytest.raises(StoreError, match="no such database"):
        open_store(tmp_path / "missing.db", readonly=True)
    junk = tmp_path / "junk.db"
    junk.write_bytes(b"this is not sqlite" * 100)
    with pytest.raises(StoreError, match="cannot open"):
        open_store(junk)


def test_link_features_round_trip_every_field(tmp_path: Path) -> None:
    """Stored features come back equal field for field, whatever fields Features has, and the
    start-up part alone is enough for a restart."""
    import dataclasses

    from storyline.link import state
    from storyline.link.similarity import features

    f = features(_article("a"))
    head, rest = state.encode(f)
    g = state.decode(head, rest)
    for fld in dataclasses.fields(f):
        x, y = getattr(f, fld.name), getattr(g, fld.name)
        if isinstance(x, np.ndarray):
            assert x.dtype == y.dtype and np.array_equal(x, y), fld.name
        else:
            assert type(x) is type(y) and x == y, fld.name
    assert list(g.words) == list(f.words)  # order kept: sums over the bag stay bit-identical
    assert set(state.decode_head(head)) == set(state.HEAD)
    with pytest.raises(TypeError, match=r"cannot store Features\.words"):
        state.encode(dataclasses.replace(f, words={"x": object()}))  # type: ignore[dict-item]

    st = open_store(tmp_path / "s.db")
    st.write_batch([_article("a")], [Assignment("a", "e1", "s1")], [], [], link_rows=[("a", "ap", None, head, rest)])
    st.write_batch([_article("b")], [Assignment("b", "e1", "s1")], [], [])
    assert st.link_features(["a", "b"]) == {"a": (head, rest)}
    assert st.without_link_features() == ["b"]
    assert [(r[0], r[1], r[2]) for r in st.link_state()] == [("a", "e1", "s1")]  # b: no features yet
    assert [a.id for a in st.recent_pages(10)] == ["a"] and next(st.recent_pages(10)).body == "Body of a."
    st.reset_link_features("v2")
    assert st.link_features_version() == "v2" and st.link_features(["a"]) == {}
    st.close()


def test_feature_cache_keeps_a_bounded_number_in_memory() -> None:
    from storyline.link.similarity import features
    from storyline.link.state import FeatureCache

    feats = {i: features(_article(i)) for i in "abc"}
    asked: list[str] = []

    def load(ids):  # type: ignore[no-untyped-def]
        asked.extend(ids)
        return {i: feats[i] for i in ids}

    c = FeatureCache(load, capacity=2)
    for i in "abc":
        c[i] = feats[i]
    c.know("z")
    assert len(c) == 4 and "a" in c and "z" in c and "q" not in c
    assert c["a"] is feats["a"] and asked == ["a"]  # "a" had been evicted: read back
    assert c["c"] is feats["c"] and asked == ["a"]  # still held
    with pytest.raises(KeyError):
        c["q"]


def test_a_database_from_before_title_source_is_upgraded_in_place(tmp_path: Path) -> None:
    """A storyline.db written before articles had ``title_source`` opens, gains the column with
    its default, keeps its rows, and stores the new field from then on."""
    import sqlite3

    db = tmp_path / "old.db"
    st = open_store(db)
    st.write_batch([_article("a")], [Assignment("a", "ev-1", "sl-1")], [], [])
    st.close()
    con = sqlite3.connect(db)
    con.execute("ALTER TABLE articles DROP COLUMN title_source")
    con.commit()
    con.close()
    ro = open_store(db, readonly=True)  # read-only: no upgrade, still readable
    assert [a.title_source for a in ro.articles()] == ["text"]
    ro.close()
    st = open_store(db)
    assert [a.id for a in st.articles()] == ["a"]
    st.write_batch([replace(_article("b"), title_source="feed")], [Assignment("b", "ev-2", "sl-1")], [], [])
    assert {a.id: a.title_source for a in st.articles()} == {"a": "text", "b": "feed"}
    st.close()
