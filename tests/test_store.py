"""The SQLite store: round trips, one transaction per batch, read-only opening."""

from __future__ import annotations

import datetime as dt
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
