"""The stores (SQLite, and PostgreSQL when STORYLINE_TEST_PG names one): round trips, one
transaction per batch, read-only opening, migrations, several writers at once."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from storyline.errors import NotFound, StoreError
from storyline.models import Article, Assignment, Entity, Event, Storyline
from storyline.store import open_store
from storyline.store.base import ArticleFilter


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


def test_round_trip_and_idempotent_writes(db: str) -> None:
    st = open_store(db)
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


def test_a_failing_batch_leaves_nothing_behind(db: str) -> None:
    st = open_store(db)
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


def test_link_features_round_trip_every_field(db: str) -> None:
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

    st = open_store(db)
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
    con.execute("DROP TABLE schema_migrations")  # as a database from before it had migrations
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


# --- several writers, migrations, PostgreSQL specifics ----------------------------------------

TOPICS = [
    ("Turkey", "Ankara S-400 missile deal Russia defence ministry Erdogan Washington sanctions F-35"),
    ("Flood", "Heavy rain flood river Danube Budapest evacuation rescue water level bridges"),
    ("Election", "Election vote ballot parliament coalition turnout polling stations candidates"),
    ("Quake", "Earthquake magnitude tremor epicentre province collapsed buildings rescuers aftershock"),
]


def _inputs(n: int) -> list[dict]:  # type: ignore[type-arg]
    rows = []
    for i in range(n):
        name, words = TOPICS[i % len(TOPICS)]
        body = " ".join(f"{words} report {i // len(TOPICS)} sentence {k}." for k in range(5))
        rows.append({"id": f"w{i:03d}", "title": f"{name} news {i}", "text": body, "source": f"outlet{i % 3}"})
    return rows


def test_two_writers_at_once_lose_and_double_nothing(db: str, tmp_path: Path) -> None:
    """Two processes run the pipeline on overlapping inputs into one store at the same time:
    every article is stored once, assigned once, and listed by exactly one event whose
    storyline lists that event."""
    import json
    import os
    import subprocess
    import sys

    rows = _inputs(40)
    a, b = tmp_path / "a.jsonl", tmp_path / "b.jsonl"
    a.write_text("".join(json.dumps(r) + "\n" for r in rows[:30]), encoding="utf-8")
    b.write_text("".join(json.dumps(r) + "\n" for r in reversed(rows[10:])), encoding="utf-8")
    open_store(db).close()  # created (and migrated) once, so both start on a ready store
    here = Path(__file__).resolve().parent
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(here.parent), os.environ.get("PYTHONPATH", "")])}
    procs = [
        subprocess.Popen(
            [sys.executable, str(here / "writer_proc.py"), db, str(src)],
            env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        )
        for src in (a, b)
    ]
    outs = [p.communicate(timeout=600) for p in procs]
    for p, (_, err) in zip(procs, outs, strict=True):
        assert p.returncode == 0, err
    added = [int(out.split()[0]) for out, _ in outs]
    assert sum(added) == 40, outs  # each article added by exactly one of them
    st = open_store(db)
    ids = [x.id for x in st.articles(with_body=False)]
    assert sorted(ids) == sorted(r["id"] for r in rows) and len(ids) == len(set(ids))
    asg = {x.article_id: x for x in st.assignments()}
    assert set(asg) == set(ids)
    listed = [i for e in st.events() for i in e.article_ids]
    assert sorted(listed) == sorted(ids)  # every article in exactly one event
    for e in st.events():
        assert all(asg[i].event == e.id and asg[i].storyline == e.storyline for i in e.article_ids)
        assert e.id in st.storyline(e.storyline).event_ids
    assert sum(s.article_count for s in st.storylines()) == 40
    # The same articles linked by one writer in the order the two stored them: the same events
    # and storylines (each writer caught up on the other's batches, ``_LinkState.catch_up``).
    by_id = {r["id"]: r for r in rows}
    order = [x.id for x in st.articles(with_body=False)]
    got = _partition(st)
    st.close()
    one = tmp_path / "one.jsonl"
    one.write_text("".join(json.dumps(by_id[i]) + "\n" for i in order), encoding="utf-8")
    single = str(tmp_path / "single.db")
    from hash_encoder import HashEncoder

    from storyline import Pipeline, Settings

    Pipeline(Settings(db=single, batch_size=3), encoder=HashEncoder()).run([str(one)])
    st = open_store(single)
    assert _partition(st) == got
    st.close()


def _partition(st: object) -> tuple[set[frozenset[str]], set[frozenset[str]]]:
    """Events and storylines as sets of article ids (ids of events and storylines aside)."""
    ev: dict[str, set[str]] = {}
    sl: dict[str, set[str]] = {}
    for a in st.assignments():  # type: ignore[attr-defined]
        ev.setdefault(a.event, set()).add(a.article_id)
        sl.setdefault(a.storyline, set()).add(a.article_id)
    return {frozenset(x) for x in ev.values()}, {frozenset(x) for x in sl.values()}


def test_a_writer_catches_up_on_what_changed_only(db: str) -> None:
    """Two writers take turns on one store; each, finding the store moved, reads only the rows
    the other's batches inserted or re-assigned and ends in the state a full restore from the
    store gives: same events (members in arrival order), storylines and storyline sums."""
    from hash_encoder import HashEncoder

    from storyline.enrich import enrich
    from storyline.models import RawArticle
    from storyline.pipeline import Pipeline, RunSummary, _LinkState

    pipe = Pipeline(encoder=HashEncoder())
    raws = [
        RawArticle(id=r["id"], origin=r["id"], text=r["text"], title=r["title"], source=r["source"])
        for r in _inputs(36)
    ]
    arts = enrich([pipe._clean_one(r) for r in raws], HashEncoder())  # type: ignore[arg-type]
    stores = [open_store(db), open_store(db)]
    states = [_LinkState.from_store(s) for s in stores]
    full = 0
    real = _LinkState.from_store

    def counted(store: object) -> _LinkState:
        nonlocal full
        full += 1
        return real(store)  # type: ignore[arg-type]

    _LinkState.from_store = staticmethod(counted)  # type: ignore[method-assign,assignment]
    try:
        for k in range(0, len(arts), 4):
            w = (k // 4) % 3 % 2  # turns: A, B, A, A, B, A, ...
            states[w] = Pipeline._link(arts[k : k + 4], stores[w], states[w], RunSummary())
    finally:
        _LinkState.from_store = real  # type: ignore[method-assign]
    assert full == 0  # no full reload: each caught up incrementally
    seen = states[1]
    Pipeline._link([], stores[1], seen, RunSummary())  # B catches up on A's last batches
    fresh = _LinkState.from_store(stores[1])
    a, b = seen.linker, fresh.linker
    assert {x.article_id: (x.event, x.storyline) for x in a.assignments()} == {
        x.article_id: (x.event, x.storyline) for x in b.assignments()
    }
    assert a._events.members == b._events.members
    sa, sb = a._storylines, b._storylines
    assert set(sa.groups) == set(sb.groups) and sa.storyline_of == sb.storyline_of
    for sid, g in sb.groups.items():
        assert sorted(sa.event_ids[sid]) == sorted(sb.event_ids[sid])
        assert sa.groups[sid].n == g.n and np.allclose(sa.groups[sid].vsum, g.vsum)
    for s in stores:
        s.close()


def test_schema_is_versioned_and_a_newer_one_is_refused(db: str) -> None:
    from storyline.store import postgres, sqlite
    from storyline.store.migrations import latest

    st = open_store(db)
    want = latest(postgres.MIGRATIONS if "://" in db else sqlite.MIGRATIONS)
    assert st.schema_version() == want
    st.close()
    st = open_store(db)  # opening again applies nothing
    assert st.schema_version() == want
    st._db.execute("INSERT INTO schema_migrations (version, name) VALUES (999, 'from the future')")  # type: ignore[attr-defined]
    st.close()
    for ro in (False, True):
        with pytest.raises(StoreError, match="newer than this storyline knows"):
            open_store(db, readonly=ro)


def test_the_encoder_input_key_is_stored_and_finds_its_vector(db: str) -> None:
    """Migration 8: each article's encoder input key is stored (indexed) with its vector, so a
    repost's input finds the stored vector; the step runs again on a database that has it."""
    from storyline.store import postgres, sqlite

    st = open_store(db)
    step = next(m for m in (postgres.MIGRATIONS if "://" in db else sqlite.MIGRATIONS) if m.version == 8)
    with st.writer():
        step.apply(st._db)  # type: ignore[attr-defined]
    vec = np.array([0.6, 0.8, 0.0, 0.0], dtype=np.float32)
    st.write_batch([replace(_article("a", vec), input_key="k-a"), replace(_article("b"), input_key=None)], [], [], [])
    found = st.stored_vectors(["k-a", "k-none"])
    assert list(found) == ["k-a"] and found["k-a"].tobytes() == vec.tobytes()
    assert st.stored_vectors([]) == {}
    assert [a.input_key for a in st.articles()] == ["k-a", None]
    st.close()


def test_search_and_browsing_answer_alike_on_every_store(db: str) -> None:
    """The web shell's questions: full-text search across languages with folded diacritics,
    phrases and OR, filters, facets, entity tops, pages of storylines and events."""
    st = open_store(db)
    vi = replace(_article("v"), title="Thổ Nhĩ Kỳ muốn trả lại S-400", body="Thổ Nhĩ Kỳ và Nga đàm phán.", lang="vi",
                 source="VnExpress", published=dt.date(2021, 1, 21))
    en = replace(_article("e"), title="Turkey and the S-400", body="Ankara talks with Moscow about missiles.",
                 published=dt.date(2020, 12, 30))
    ru = replace(_article("r"), title="Турция и С-400", body="Турция ведёт переговоры.", lang="ru", source="TASS",
                 published=None, entities=(Entity("place:TR", "place", "Турция"),))
    sl = Storyline("s1", "Turkey S-400", ("e1",), 3, ("en", "ru", "vi"), dt.date(2020, 12, 30), dt.date(2021, 1, 21))
    asg = [Assignment(i, "e1", "s1") for i in "ver"]
    st.write_batch([vi, en, ru], asg, [_event("e1", "s1", ("v", "e", "r"))], [sl])
    assert st.search_index_stale()
    assert st.refresh_search_index() == 3 and not st.search_index_stale()
    find = st.find_articles
    assert [h.id for h in find(ArticleFilter(query="tho nhi ky"))[0]] == ["v"]  # diacritics folded
    assert [h.id for h in find(ArticleFilter(query="Турция"))[0]] == ["r"]
    assert {h.id for h in find(ArticleFilter(query="Ankara OR nga"))[0]} == {"e", "v"}
    assert find(ArticleFilter(query='"talks with Moscow"'))[1] == 1
    assert find(ArticleFilter(query='"Moscow with talks"'))[1] == 0
    assert [h.id for h in find(ArticleFilter(query="400", lang="ru"))[0]] == ["r"]
    hits, total = find(ArticleFilter(query="missiles"))
    assert total == 1 and "\x02missiles\x03" in hits[0].snippet
    assert find(ArticleFilter(query='"" OR ((('))[1] == 0  # nothing typed is syntax
    assert [h.id for h in find(ArticleFilter(), order="newest")[0]] == ["v", "e", "r"]
    assert [h.id for h in find(ArticleFilter(), order="oldest")[0]] == ["e", "v", "r"]
    assert [h.id for h in find(ArticleFilter(entity="place:TR", date_from=dt.date(2021, 1, 1)))[0]] == ["v"]
    assert {h.id for h in find(ArticleFilter(entity="турция"))[0]} == set()  # lower() folds ASCII only, as SQLite's
    assert [h.id for h in find(ArticleFilter(entity="Turkey"))[0]] == ["v", "e"]
    assert st.facet_counts(ArticleFilter(), "lang") == [("en", 1), ("ru", 1), ("vi", 1)]
    assert st.facet_counts(ArticleFilter(), "month") == [("2020-12", 1), ("2021-01", 1)]
    assert st.facet_counts(ArticleFilter(query="400"), "source") == [("AP", 1), ("TASS", 1), ("VnExpress", 1)]
    assert st.coverage("s1") == [
        (None, "ru", "TASS", 1),
        ("2020-12-30", "en", "AP", 1),
        ("2021-01-21", "vi", "VnExpress", 1),
    ]
    assert [tuple(e[:4]) for e in st.top_entities(storyline="s1")] == [("place:TR", "place", "Turkey", 3)]
    assert st.top_entities(storyline="s1")[0].variants == ("Турция",)  # one chip, every spelling
    page, n = st.storyline_page(lang="ru")
    assert n == 1 and page[0].id == "s1" and st.storyline_page(lang="de") == ([], 0)
    assert st.storyline_page(name="s-400")[1] == 1
    assert st.outlets_of(["s1", "zz"]) == {"s1": ["AP", "TASS", "VnExpress"], "zz": []}
    assert [e.id for e in st.event_page(storyline="s1")[0]] == ["e1"]
    st.close()


def test_storylines_list_in_every_order_on_every_store(db: str) -> None:
    """Home's orders and size filter (issue 16): biggest, latest, most languages; ties never
    repeat a storyline across pages."""
    st = open_store(db)
    arts, asg, evs, sls = [], [], [], []
    shape = {"big": (3, ("en",), dt.date(2010, 5, 1)), "new": (1, ("en",), dt.date(2024, 1, 1)),
             "multi": (2, ("en", "fr", "vi"), dt.date(2015, 1, 1))}
    for sid, (n, langs, day) in shape.items():
        ids = tuple(f"{sid}{i}" for i in range(n))
        arts += [replace(_article(i), published=day) for i in ids]
        asg += [Assignment(i, f"e-{sid}", sid) for i in ids]
        evs.append(_event(f"e-{sid}", sid, ids))
        sls.append(Storyline(sid, sid, (f"e-{sid}",), n, langs, day, day))
    st.write_batch(arts, asg, evs, sls)
    order = {k: [s.id for s in st.storyline_page(sort=k)[0]] for k in ("size", "recent", "languages")}
    assert order == {"size": ["big", "multi", "new"], "recent": ["new", "multi", "big"],
                     "languages": ["multi", "big", "new"]}
    assert [s.id for s in st.storyline_page(min_articles=2, sort="recent")[0]] == ["multi", "big"]
    assert st.storyline_page(min_articles=2)[1] == 2
    pages = [st.storyline_page(sort="size", limit=1, offset=i)[0][0].id for i in range(3)]
    assert pages == order["size"]
    with pytest.raises(ValueError, match="unknown storyline order"):
        st.storyline_page(sort="bogus")
    st.close()


def test_postgres_without_psycopg_names_the_install(monkeypatch: pytest.MonkeyPatch) -> None:
    from storyline.errors import MissingDependency
    from storyline.store import postgres

    monkeypatch.setattr(postgres, "psycopg", None)
    with pytest.raises(MissingDependency, match=r"pip install 'storyline\[postgres\]'"):
        open_store("postgresql://nobody@127.0.0.1:1/none")


def test_postgres_unreachable_or_empty_is_a_clear_store_error(db: str) -> None:
    if "://" not in db:
        pytest.skip("PostgreSQL only")
    with pytest.raises(StoreError, match="cannot connect to PostgreSQL"):
        open_store("postgresql://nobody:secret@127.0.0.1:1/none")
    with pytest.raises(StoreError, match="no storyline database there"):
        open_store(db, readonly=True)
    try:
        open_store("postgresql://nobody:secret@127.0.0.1:1/none")
    except StoreError as e:
        assert "secret" not in str(e)  # the password is never shown


def test_changes_since_reads_through_the_changed_index(tmp_path: Path) -> None:
    """A writer catching up reads only the changed rows: SQLite's plan for the changes query
    searches the ``articles_changed`` index instead of walking every article in ``seq`` order
    (which took 4.2 s for 600 changed rows at a million stored)."""
    from storyline.store.base import changes_sql

    st = open_store(str(tmp_path / "s.db"))
    try:
        plan = " ".join(str(r[-1]) for r in st._db.execute("EXPLAIN QUERY PLAN " + changes_sql("?"), (7,)))  # type: ignore[attr-defined]
    finally:
        st.close()
    assert "articles_changed" in plan and "SCAN a" not in plan, plan
