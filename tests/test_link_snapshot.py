"""The linker saved to the local link cache (``storyline.link.snapshot``): vectors and bands frozen
to memory-mapped files, the rest pickled, loaded by the next start-up instead of a restore from
every stored article. A cache, never the truth: it must link exactly as a restore from the store
does, and a stale or broken one is rebuilt with a message, never a crash."""

from __future__ import annotations

import dataclasses
import datetime as dt
import gc
import logging
import os
import shutil
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pytest

from storyline import Pipeline, link, open_store
from storyline.link import LinkConfig, Linker, events, keys, snapshot, storylines
from storyline.link.similarity import Features
from storyline.models import Article, Rejected
from storyline.pipeline import _LinkState, _recent_pages, link_cache

GATE = Path(__file__).parent / "data" / "gate"
# A store of the first 24 gate articles (``_split``) and its link cache, saved by the code of commit
# 63933dc: snapshot format 2, which named its files by absolute path, under a directory since deleted.


@pytest.fixture(scope="module")
def gate_articles() -> list[Article]:
    from hash_encoder import HashEncoder

    from storyline.sources import read_inputs

    raws = [r for r in read_inputs([GATE / "events" / "articles.jsonl"]) if not isinstance(r, Rejected)]
    return [a for a in Pipeline(encoder=HashEncoder()).prepare(raws) if isinstance(a, Article)]


def _link(st: object, arts: Sequence[Article], links: _LinkState | None = None) -> _LinkState:
    links = links or _LinkState.from_store(st)  # type: ignore[arg-type]
    for i in range(0, len(arts), 16):
        links.add(arts[i : i + 16], st)  # type: ignore[arg-type]
        links.change = st.last_change()  # type: ignore[attr-defined]
    return links


def _parts(st: object) -> tuple[set[frozenset[str]], set[frozenset[str]], dict[str, tuple[str, str]]]:
    ev: dict[str, set[str]] = {}
    sl: dict[str, set[str]] = {}
    where = {}
    for a in st.assignments():  # type: ignore[attr-defined]
        ev.setdefault(a.event, set()).add(a.article_id)
        sl.setdefault(a.storyline, set()).add(a.article_id)
        where[a.article_id] = (a.event, a.storyline)
    return {frozenset(x) for x in ev.values()}, {frozenset(x) for x in sl.values()}, where


def _split(arts: list[Article]) -> tuple[list[Article], list[Article]]:
    """Most articles stored first; then late arrivals: re-posts of stored ones under new ids (so
    they belong to old events, found through the frozen bands and vectors), and the rest."""
    first, rest = arts[: len(arts) * 3 // 4], arts[len(arts) * 3 // 4 :]
    reposts = [dataclasses.replace(a, id=f"late-{a.id}") for a in first[::9]]
    return first, reposts + rest


@pytest.fixture
def small_snapshots(monkeypatch: pytest.MonkeyPatch) -> None:
    from storyline import pipeline

    monkeypatch.setattr(pipeline, "SAVE_INDEX_FROM", 1)
    monkeypatch.setattr(pipeline, "SNAPSHOT_MIN", 1)
    monkeypatch.setattr(events, "SEGMENT_SIZE", 16)  # several segments by date, as at a million
    # The storyline candidate index in use (not a scan of every storyline), with keys common
    # enough to be left out of the postings, and postings compacted in memory as they grow.
    monkeypatch.setattr(storylines._Candidates, "SCAN", 2)
    monkeypatch.setattr(storylines._Candidates, "POSTINGS", 3)
    monkeypatch.setattr(storylines._Candidates, "COMMON", 2)
    monkeypatch.setattr(keys.Postings, "COMPACT", 8)


@pytest.mark.parametrize("saves", [1, 4])
def test_a_linker_from_the_snapshot_links_late_articles_to_old_events_as_a_restore_does(
    gate_articles: list[Article], db: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, small_snapshots: None,
    saves: int,
) -> None:
    """``saves`` > 1: the snapshot saved after each part, so later saves merge the small segments
    earlier ones left (``EventIndex._compact``) into what the restart loads."""
    first, late = _split(gate_articles)
    # The same store twice: one restarted from its snapshot, the other (no cache) from the store.
    plain_db = tmp_path / "plain.db"
    results = []
    for name, where in (("snapshot", db), ("plain", str(plain_db))):
        if name == "plain":
            monkeypatch.setenv("STORYLINE_LINK_CACHE", "off")
        st = open_store(where)
        links = None
        for part in np.array_split(np.arange(len(first)), saves):
            links = _link(st, [first[i] for i in part], links)
            links.save_index()
        st.close()
        st = open_store(where)
        links = _LinkState.from_store(st)
        if name == "snapshot":
            ev = links.linker._events
            assert links.snapshot_count == len(first) and len(ev._segments) > 2 and ev._frozen_n == len(first)
            held = np.concatenate([np.asarray(s.index.keys) for s in ev._segments])
            assert sorted(held.tolist()) == list(range(len(first)))  # each article's vector, once
            assert sum(s.count < events.SEGMENT_SIZE for s in ev._segments) <= 2  # one of each kind at most
            assert len(ev._index) == 0 and not any(ev._dups._tables)  # nothing of the old articles in memory
            sl = links.linker._storylines
            post = sl._candidates.postings
            assert sl.keys.files() and post.files() and not sl.keys._new and not post._over  # memory-mapped
            assert all(not g.ed for g in sl.groups.values())
        else:
            assert links.snapshot_count == 0 and not links.linker._events._segments
        _link(st, late, links)
        results.append(_parts(st))
        st.close()
    (ev_a, sl_a, where_a), (ev_b, sl_b, where_b) = results
    assert ev_a == ev_b and sl_a == sl_b and where_a == where_b
    # The re-posts joined the old events of the articles they copy.
    reposts = [a.id for a in late if a.id.startswith("late-")]
    assert reposts and all(where_a[r][0] == where_a[r.removeprefix("late-")][0] for r in reposts)


def test_a_restore_from_the_store_streams_into_frozen_files_and_links_as_one_unbroken_run(
    gate_articles: list[Article], db: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, small_snapshots: None
) -> None:
    """A restore from the store (no snapshot, or one of other code: what every big store meets once
    after such an upgrade) holds nothing of the stored articles' vectors and bands in memory: they
    go to files a chunk of rows at a time (``events.RESTORE_CHUNK``) and are frozen at its end into
    the date segments and band file a save of an in-memory restore writes (the same vectors, the
    same band array). It then links late articles exactly as one unbroken run and as a restore in
    memory (no link cache) do, and its save makes a snapshot of the cache's own files."""
    monkeypatch.setattr(events, "RESTORE_CHUNK", 5, raising=False)  # many chunks of rows
    monkeypatch.setattr(link, "RESTORE_FREEZE", 7, raising=False)  # keys and postings frozen many times
    first, late = _split(gate_articles)
    results, kept = [], {}
    for name, where in (("unbroken", str(tmp_path / "one.db")), ("bounded", db), ("memory", str(tmp_path / "m.db"))):
        if name == "memory":
            monkeypatch.setenv("STORYLINE_LINK_CACHE", "off")
        st = open_store(where)
        links = _link(st, first)  # no save: nothing in the link cache
        if name != "unbroken":
            st.close()
            st = open_store(where)
            links = _LinkState.from_store(st)
            ev = links.linker._events
            assert links.snapshot_count == 0 and ev.indexed() == len(first)
            keys = np.arange(len(first), dtype=np.uint64)
            if name == "bounded":
                assert len(ev._index) == 0 and not any(ev._dups._tables) and len(ev._dups)
                assert len(ev._segments) > 2 and ev._frozen_n == len(first)
                held = np.concatenate([np.asarray(s.index.keys) for s in ev._segments])
                assert sorted(held.tolist()) == list(range(len(first)))  # each article's vector, once
                spilt = ev._segments[0].path.parent
                # Only the files it reads: the spill files and the keys and postings frozen before are gone.
                assert set(spilt.iterdir()) == set(links.linker.files())
                sl = links.linker._storylines
                assert not sl.keys._new and not sl._candidates.postings._over and not any(sl._candidates.dirty.values())
                kept["vectors"] = np.concatenate([
                    np.asarray(s.index.get(np.asarray(s.index.keys)), dtype=np.float32).reshape(-1, ev.dim)
                    for s in ev._segments])[np.argsort(held)]
                (bands,) = ev._dups._frozen
                kept["bands"] = np.asarray(bands.data)
            else:  # in memory: its vectors and the band file its save would write are the same
                assert len(ev._index) == len(first) and not ev._segments
                got = np.asarray(ev._index.get(keys), dtype=np.float32).reshape(-1, ev.dim)
                assert np.array_equal(got, kept["vectors"])
                ev._dups.freeze(tmp_path, {aid: i for i, aid in enumerate(ev._keys)})
                assert np.array_equal(np.asarray(ev._dups._frozen[0].data), kept["bands"])  # (searched alike)
        _link(st, late, links)
        results.append(_parts(st))
        if name == "bounded":
            links.save_index()  # the restore's files linked into the cache directory
            cache = link_cache(st, create=False)
            assert cache is not None
            again = _LinkState.from_store(st)
            assert again.snapshot_count == len(first) + len(late)
            assert all(p.parent == cache for p in again.linker.files())
        st.close()
    assert results[0] == results[1] == results[2]


def test_a_restore_that_cannot_write_its_files_restores_in_memory_with_a_message(
    gate_articles: list[Article], db: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture, small_snapshots: None,
) -> None:
    """A disk that fills up (or fails) during a bounded restore costs the bounded memory, never the
    start-up: the linker is restored in memory instead, said on the log, and links as one run."""
    first, late = _split(gate_articles)
    results = []
    for name, where in (("unbroken", str(tmp_path / "one.db")), ("full disk", db)):
        st = open_store(where)
        links = _link(st, first)
        if name == "full disk":
            st.close()
            st = open_store(where)

            def full(*a: object, **k: object) -> None:
                raise OSError(28, "No space left on device")

            monkeypatch.setattr(events._Spill, "add", full)
            caplog.set_level(logging.WARNING, logger="storyline.link")
            links = _LinkState.from_store(st)
            assert "restoring it in memory" in caplog.text and "No space left" in caplog.text
            ev = links.linker._events
            assert len(ev._index) == len(first) and not ev._segments and len(links.where) == len(first)
            cache = link_cache(st, create=False)
            assert cache is not None and not list(cache.parent.glob("*.restore-*"))  # what it wrote is gone
        _link(st, late, links)
        results.append(_parts(st))
        st.close()
    assert results[0] == results[1]


def test_a_snapshot_catches_up_on_what_another_writer_stored(
    gate_articles: list[Article], db: str, small_snapshots: None
) -> None:
    """Written at change N; another writer then adds articles: the next start-up loads the
    snapshot and catches up on those only, and links as a restore from the store would."""
    first, late = _split(gate_articles)
    st = open_store(db)
    _link(st, first[:60]).save_index()
    _link(st, first[60:])  # another writer: its batches, and no snapshot saved
    links = _LinkState.from_store(st)
    assert links.snapshot_count == 60 and links.linker.indexed() == len(first)
    # The catch-up summed the events it touched from their members' start-up fields only
    # (``Linker.catch_up``), reading no features: held, a 1% lag at a million stored took ~650 MB
    # for the whole run, and decoded and freed, their words and shingles slowed what followed.
    feats = links.linker._events.feats
    assert feats.loads == 0 and not feats._held
    # The outlets' recent pages: the snapshot's, and the other writer's since, as the store has them.
    memory, titles = _recent_pages(st)
    assert links.pages_cached and memory.pages and titles.pages
    assert links.memory.pages == memory.pages and links.titles.pages == titles.pages
    _link(st, late, links)
    got = _parts(st)
    st.close()
    assert got[2].keys() == {a.id for a in first + late}
    reposts = [a.id for a in late if a.id.startswith("late-")]
    assert all(got[2][r][0] == got[2][r.removeprefix("late-")][0] for r in reposts)


def _sums(links: _LinkState) -> dict[str, tuple[object, ...]]:
    """Every storyline's sums, bit for bit."""
    out = {}
    for sid, g in links.linker._storylines.groups.items():
        ek, ev = g.entities()
        out[sid] = (g.vsum.tobytes(), g.n, g.nvec, g.nent, dict(g.langs), ek.tobytes(), ev.tobytes())
    return out


def test_a_catch_up_sums_from_the_start_up_fields_exactly_as_from_the_features(
    gate_articles: list[Article], db: str, small_snapshots: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The catch-up sums the events it touched again from each member's vector, entities and
    language: from the rows caught up on and, for older members, from their stored start-up
    fields (``_LinkState._heads``), not from their whole features as before. Same sums bit for
    bit, same links after."""
    first, late = _split(gate_articles)
    st = open_store(db)
    _link(st, first[:60]).save_index()
    _link(st, first[60:])  # another writer, no snapshot saved: the next start-up catches up
    read: list[str] = []
    heads = _LinkState._heads

    def counted(self: _LinkState, ids: Sequence[str]) -> dict[str, tuple[object, str, str]]:
        read.extend(ids)
        return heads(self, ids)  # type: ignore[return-value]

    monkeypatch.setattr(_LinkState, "_heads", counted)
    now = _LinkState.from_store(st)
    assert read and set(read) <= {a.id for a in first[:60]}  # older members of events that grew
    catch_up = Linker.catch_up
    monkeypatch.setattr(Linker, "catch_up", lambda self, stored, rank, heads=None: catch_up(self, stored, rank))
    before = _LinkState.from_store(st)  # the whole features, through the feature cache
    assert before.linker._events.feats.loads > 0 and now.linker._events.feats.loads == 0
    assert _sums(now) == _sums(before)
    got = [now.linker.add(late[i : i + 16]) for i in range(0, len(late), 16)]
    want = [before.linker.add(late[i : i + 16]) for i in range(0, len(late), 16)]
    assert got == want
    st.close()


def test_the_per_article_maps_stay_frozen_after_a_catch_up_that_ran_a_full_collection(
    gate_articles: list[Article], db: str, small_snapshots: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A full collection during a start-up's catch-up (its allocations run one at a million
    stored) untracks the maps of article -> (event, storyline), whose values are then all
    untracked tuples; ``gc.freeze`` left them out, and the first new article's entry tracked
    each again in the youngest generation, where young collections walked them (two dicts of a
    million entries). They are tracked before the freeze now, and stay frozen."""
    first, late = _split(gate_articles)
    st = open_store(db)
    _link(st, first[:60]).save_index()
    _link(st, first[60:])
    catch_up = _LinkState.catch_up

    def then_collect(self: _LinkState, store: object) -> _LinkState:
        out = catch_up(self, store)  # type: ignore[arg-type]
        gc.collect()
        return out

    monkeypatch.setattr(_LinkState, "catch_up", then_collect)
    try:
        links = _LinkState.from_store(st)
        maps = [links.where, *links.linker.per_article_maps()]
        assert all(len(m) == len(first) for m in maps)
        links.add(late[:16], st)  # new entries: new tuples, tracked
        young = {id(o) for g in range(3) for o in gc.get_objects(generation=g)}
        assert all(gc.is_tracked(m) and id(m) not in young for m in maps)
        assert all(len(m) == len(first) + 16 and "\0track" not in m for m in maps)
    finally:
        gc.unfreeze()
        st.close()


def test_the_outlets_pages_are_pickled_after_the_linker_and_a_snapshot_without_them_still_loads(
    gate_articles: list[Article], db: str, small_snapshots: None
) -> None:
    """``save`` reads the outlets' recent pages only once the linker is pickled and pickles them
    after it (``late``: at a million stored they are 0.5 GB, which held through the freezing took a
    save past 3 GB). A snapshot holding the linker alone (as saves before this wrote no second
    object, or one taken while another writer stored) loads, and the pages come from the store."""

    first, late = _split(gate_articles)
    st = open_store(db)
    _link(st, first[:60]).save_index()
    where = link_cache(st, create=False)
    assert where is not None
    with open(where / snapshot.STATE, "rb") as fh:
        payload = snapshot._Unpickler(fh, where).load()  # its files are named relative to ``where``
        linker_alone = fh.tell()
        pages = snapshot._load_late(fh)  # in parts since session 20 (``snapshot._dump_late``)
    assert "pages" not in payload["extra"] and set(pages) == {"pages"}
    memory, titles = _recent_pages(st)
    assert pages["pages"] == (memory.pages, titles.pages) and memory.pages
    links = _LinkState.from_store(st)
    assert links.pages_cached and links.memory.pages == memory.pages
    os.truncate(where / snapshot.STATE, linker_alone)  # the linker alone, as older saves wrote it
    again = _LinkState.from_store(st)
    assert again.snapshot_count == 60 and not again.pages_cached
    assert again.memory.pages == memory.pages and again.titles.pages == titles.pages
    _link(st, late, again)
    st.close()


@pytest.mark.parametrize("damage", ["truncated", "segment missing", "bands missing", "other state", "other settings"])
def test_a_broken_or_stale_snapshot_is_rebuilt_with_a_message(
    gate_articles: list[Article], tmp_path: Path, caplog: pytest.LogCaptureFixture, small_snapshots: None, damage: str
) -> None:
    first, late = _split(gate_articles)
    db = tmp_path / "s.db"
    st = open_store(db)
    linked = _link(st, first)
    if damage == "other settings":  # saved by a version whose linking settings differ (session 21: linkage)
        object.__setattr__(linked.linker.config, "linkage", "mean")
    linked.save_index()
    where = link_cache(st, create=False)
    assert where is not None and (where / snapshot.STATE).exists()
    if damage == "other settings":
        said = "other link settings"
    elif damage == "truncated":
        state = where / snapshot.STATE
        state.write_bytes(state.read_bytes()[:1000])
        said = "unreadable snapshot"
    elif damage == "segment missing":
        next(where.glob("vectors-*")).unlink()
        said = "vectors-"
    elif damage == "bands missing":
        next(where.glob("bands-*")).unlink()
        said = "bands-"
    else:  # the store went back (a restored backup): the snapshot holds articles it does not
        st.close()
        db.unlink()
        for p in tmp_path.glob("s.db-*"):
            p.unlink()
        st = open_store(db)
        _link(st, first[:50])
        st.put_link_index("cache-token", st.link_index("cache-token") or _token(where))
        said = "another state of this store"
    caplog.set_level(logging.WARNING, logger="storyline.link")
    links = _LinkState.from_store(st)
    assert said in caplog.text and "restoring the linker from the store" in caplog.text
    # Restored from the store, its vectors frozen into a directory of its own, not the cache's.
    assert links.snapshot_count == 0 and links.linker._events._segments
    assert all(p.parent != where for p in links.linker.files())
    links.save_index()  # and a good snapshot replaces the broken one
    again = _LinkState.from_store(st)
    assert again.snapshot_count == links.linker.indexed() and again.linker._events._segments
    _link(st, late, again)
    st.close()


def _token(where: Path) -> object:
    from storyline.store.base import SavedIndex

    return SavedIndex("token", 0, where.name, b"")


def test_freezing_again_merges_small_segments_and_keeps_every_vector_once(tmp_path: Path) -> None:
    """Each save freezes what was linked since into new segments; ``freeze`` merges segments
    below the size with them (per kind: dated, undated), so a store saved many times still has
    about one segment per ``size`` articles of each kind. Every vector stays, exactly once, with
    its stored value; a dated segment covers the days of its members; full segments are not
    rewritten; and the neighbours are still the exact ones (segments this small are searched
    whole)."""
    rng = np.random.default_rng(7)
    ev = events.EventIndex(LinkConfig(), dim=8, loader=lambda ids: {})
    size, day0 = 16, dt.date(2021, 3, 1)
    stored: dict[int, np.ndarray] = {}
    day_of: dict[int, int | None] = {}
    full: dict[Path, int] = {}
    for count in (40, 7, 30, 3, 0, 52):
        before = {s.path for s in ev._segments}
        for _ in range(count):
            n = len(stored)
            v = rng.normal(size=8).astype(np.float32)
            when = None if n % 4 == 0 else day0 + dt.timedelta(days=int(rng.integers(0, 90)))
            ev.restore_stored(f"a{n}", f"e{n}", v / np.linalg.norm(v), None, when)
            stored[n] = np.asarray(ev._index.get(n), dtype=np.float32).ravel()  # as the index keeps it
            day_of[n] = None if when is None else when.toordinal()
        ev.freeze(tmp_path, size=size)
        segs = ev._segments
        keys = np.concatenate([np.asarray(s.index.keys) for s in segs])
        assert sorted(keys.tolist()) == list(range(len(stored)))  # every vector, exactly once
        for s in segs:
            ks = np.asarray(s.index.keys)
            assert s.count == len(ks) <= size
            assert np.array_equal(np.asarray(s.index.get(ks), dtype=np.float32).reshape(len(ks), -1),
                                  np.stack([stored[int(k)] for k in ks]))
            days = [day_of[int(k)] for k in ks]
            if s.lo is None:
                assert all(d is None for d in days)
            else:
                assert all(d is not None and s.lo <= d <= s.hi for d in days)
        for dated in (False, True):
            kind = [s for s in segs if (s.lo is not None) == dated]
            assert sum(s.count < size for s in kind) <= 1
            assert len(kind) == -(-sum(s.count for s in kind) // size)
        assert all(p in {s.path for s in segs} for p in full)  # full segments are kept as they are
        full = {s.path: s.count for s in segs if s.count == size}
        if count == 0:
            assert {s.path for s in segs} == before  # nothing new: nothing rewritten
        assert len(ev._index) == 0 and ev._frozen_n == len(stored)
    # Segments of 16 are searched whole (k = 30), so the neighbours are exactly the nearest (the
    # queries are stored vectors: exactly as the index holds them, so no rounding reorders them).
    every = np.stack([stored[k] for k in range(len(stored))])
    k = LinkConfig().neighbours
    for q in every[rng.choice(len(every), 5, replace=False)]:
        f = Features("q", "en", None, q, frozenset(), frozenset(), frozenset(), {}, 0.0, frozenset())
        assert sorted(ev._nearest(f, k)) == sorted(np.argsort(-(every @ q), kind="stable")[:k].tolist())


class _Killed(BaseException):
    """The process dying mid-save (not an error the save would catch and log)."""


def test_a_save_killed_after_merging_segments_leaves_the_last_snapshot_to_resume_from(
    gate_articles: list[Article], db: str, monkeypatch: pytest.MonkeyPatch, small_snapshots: None
) -> None:
    """A save that dies after ``freeze`` wrote the merged segments but before the new state
    replaced the old: the next start-up loads the last good snapshot (its files are still
    there), catches up on the rest from the store, holds every article's vector exactly once,
    links on, and its own save removes the dead save's files."""
    first, late = _split(gate_articles)
    st = open_store(db)
    links = _link(st, first[:40])
    links.save_index()
    links = _link(st, first[40:], links)
    with monkeypatch.context() as m:
        def die(*a: object, **k: object) -> None:
            raise _Killed

        m.setattr(snapshot.os, "replace", die)
        with pytest.raises(_Killed):
            links.save_index()
    cache = link_cache(st, create=False)
    assert cache is not None
    (dead,) = cache.glob("*.tmp")  # the dead save's state, named by its process: another one's
    dead.rename(cache / f"{snapshot.STATE}.1.tmp")
    again = _LinkState.from_store(st)
    ev = again.linker._events
    assert again.snapshot_count == 40 and again.linker.indexed() == len(first)
    frozen = np.concatenate([np.asarray(s.index.keys) for s in ev._segments]).tolist()
    live = np.asarray(ev._index.keys).tolist()
    assert sorted(frozen + live) == list(range(len(first)))  # each article once: frozen or caught up
    _link(st, late, again)
    where = _parts(st)[2]
    assert where.keys() == {a.id for a in first + late}
    reposts = [a.id for a in late if a.id.startswith("late-")]
    assert reposts and all(where[r][0] == where[r.removeprefix("late-")][0] for r in reposts)
    again.save_index()
    named = {p.name for p in again.linker.files()} | {snapshot.STATE, snapshot.LOCK}
    assert {p.name for p in cache.iterdir()} == named  # the dead save's segments and state are gone
    st.close()


def _restarted(db: Path, first: list[Article], late: list[Article], monkeypatch: pytest.MonkeyPatch) -> object:
    """What a store without a link cache assigns: ``first`` linked, a restart (a restore from the
    store), then ``late``."""
    with monkeypatch.context() as m:
        m.setenv("STORYLINE_LINK_CACHE", "off")
        st = open_store(db)
        if first:
            _link(st, first).save_index()
            st.close()
            st = open_store(db)
        links = _LinkState.from_store(st)
        assert links.snapshot_count == 0
        _link(st, late, links)
        got = _parts(st)
        st.close()
    return got


def _only_named(cache: Path, links: _LinkState) -> None:
    """The cache holds the files its snapshot names, each there, and nothing else; the snapshot
    names them by name alone (no path of this machine in it)."""
    named = {p.name for p in links.linker.files()}
    assert {p.name for p in cache.iterdir()} == named | {snapshot.STATE, snapshot.LOCK}
    raw = (cache / snapshot.STATE).read_bytes()
    assert b"pathlib" not in raw and str(cache.parent.parent).encode() not in raw
    assert snapshot.code_version().encode() in raw


@pytest.mark.parametrize("how", ["moved", "copied", "symlink"])
def test_a_cache_directory_moved_copied_or_reached_through_a_symlink_loads_its_snapshot(
    gate_articles: list[Article], tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture,
    small_snapshots: None, how: str,
) -> None:
    """The snapshot names its files relative to itself: moved, copied or reached through another
    path, the cache loads (no restore from the store) and links late articles as a restore
    does. "symlink": loaded through the link and saved through the real path, whose stale-file
    cleanup keeps every file the linker reads."""
    first, late = _split(gate_articles)
    want = _restarted(tmp_path / "plain.db", first, late, monkeypatch)
    old, new, real = tmp_path / "old", tmp_path / "new", tmp_path / "real"
    monkeypatch.setenv("STORYLINE_LINK_CACHE", str(old))
    st = open_store(tmp_path / "s.db")
    _link(st, first).save_index()
    cache = link_cache(st, create=False)
    assert cache is not None
    st.close()
    if how == "moved":
        old.rename(new)
    elif how == "copied":
        shutil.copytree(old, new)
    else:
        old.rename(real)
        new.symlink_to(real)
    monkeypatch.setenv("STORYLINE_LINK_CACHE", str(new))
    caplog.set_level(logging.WARNING, logger="storyline.link")
    st = open_store(tmp_path / "s.db")
    links = _LinkState.from_store(st)
    assert links.snapshot_count == len(first) and links.linker._events._segments  # from the snapshot
    assert "restoring" not in caplog.text
    assert {p.parent for p in links.linker.files()} == {new / cache.name}  # none of the old directory's
    _link(st, late, links)
    assert _parts(st) == want
    if how == "symlink":
        monkeypatch.setenv("STORYLINE_LINK_CACHE", str(real))
    links.save_index()
    where = link_cache(st, create=False)
    assert where == (real if how == "symlink" else new) / cache.name
    _only_named(where, links)
    assert all(p.exists() for p in links.linker.files())
    again = _LinkState.from_store(st)
    assert again.snapshot_count == len(first) + len(late) and "restoring" not in caplog.text
    st.close()


def test_a_long_run_saves_the_linker_as_it_goes_not_only_at_its_end(
    db: str, monkeypatch: pytest.MonkeyPatch, small_snapshots: None
) -> None:
    """A back-fill adds many times the 1% a snapshot is due at: saved only at the end, the lag
    grew with the run (a 37k-article lag at a million stored took the save to 3.24 GB) and a
    killed run resumed from the snapshot before it. It is saved after the batch that makes it due."""
    from hash_encoder import HashEncoder

    from storyline import pipeline
    from storyline.config import Settings

    monkeypatch.setattr(pipeline, "SNAPSHOT_MIN", 20)
    st = open_store(db)
    seen: list[tuple[int, int]] = []  # (articles stored, articles in the last snapshot) after each batch

    def progress(done: int) -> None:
        where = link_cache(st, create=False)
        seen.append((st.counts()["articles"], snapshot_articles(where) if where else 0))

    def snapshot_articles(where: Path) -> int:
        if not (where / snapshot.STATE).exists():
            return 0
        with open(where / snapshot.STATE, "rb") as fh:
            return len(snapshot._Unpickler(fh, where).load()["extra"]["where"])

    Pipeline(Settings(batch_size=8), encoder=HashEncoder()).run([GATE / "events" / "articles.jsonl"], st,
                                                                 progress=progress)
    assert len({n for _, n in seen} - {0}) >= 2, seen  # saved more than once during the run
    assert all(stored - n < 20 + 8 for stored, n in seen if n), seen  # never lagging the share + a batch
    st.close()


def test_a_snapshot_is_due_at_a_bound_in_articles_whatever_the_share(
    db: str, monkeypatch: pytest.MonkeyPatch, small_snapshots: None
) -> None:
    """At a million stored the 1% share let a start-up catch up on ~10,000 articles, each held in
    memory unfrozen until the next save (the process passed 3 GB from ~8,000): a snapshot is due
    ``SNAPSHOT_MAX`` articles past the last one even where the share is not reached yet. Here the
    share asks for half the store again, and the bound for 12 articles; a run never lags more
    than the bound and a batch, and saves more often than the share would."""
    from hash_encoder import HashEncoder

    from storyline import pipeline
    from storyline.config import Settings

    monkeypatch.setattr(pipeline, "SNAPSHOT_SHARE", 0.5)
    monkeypatch.setattr(pipeline, "SNAPSHOT_MAX", 12, raising=False)
    st = open_store(db)
    seen: list[tuple[int, int]] = []  # (articles stored, articles in the last snapshot) after each batch

    def progress(done: int) -> None:
        where = link_cache(st, create=False)
        seen.append((st.counts()["articles"], _snapshot_articles(where) if where else 0))

    Pipeline(Settings(batch_size=4), encoder=HashEncoder()).run([GATE / "events" / "articles.jsonl"], st,
                                                                 progress=progress)
    assert seen[-1][0] > 60, seen  # enough articles that the share (half of ~30) and the bound differ
    assert all(stored - n < 12 + 4 for stored, n in seen if n), seen
    assert pipeline.snapshot_due(10) == 5 and pipeline.snapshot_due(1_000) == 12
    st.close()


def _snapshot_articles(where: Path) -> int:
    if not (where / snapshot.STATE).exists():
        return 0
    with open(where / snapshot.STATE, "rb") as fh:
        return len(snapshot._Unpickler(fh, where).load()["extra"]["where"])
