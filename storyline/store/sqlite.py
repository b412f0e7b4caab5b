"""SQLite store: one file, WAL journal, one transaction per batch."""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import os
import sqlite3
import urllib.parse
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from storyline.errors import MissingStore, NotFound, StoreError, UsageError
from storyline.models import Article, Assignment, Event, Storyline
from storyline.store.base import (
    ArticleFilter,
    ArticleHit,
    EntityRow,
    LinkRow,
    SavedIndex,
    changes_sql,
    coverage_rows,
    entity_rows,
    filter_sql,
    fts_query,
    merge_entity_rows,
    ranked_outlets,
    read_entities,
    storyline_order,
)
from storyline.store.migrations import Migration, check_version, pending

COUNT_CAP = 10_000  # search totals are exact up to this, then reported as COUNT_CAP + 1
FACET_SAMPLE = 5_000  # text-search facets are counted over this many matches

SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT);
CREATE TABLE IF NOT EXISTS articles (
    id TEXT PRIMARY KEY,
    seq INTEGER NOT NULL,
    title TEXT NOT NULL,
    title_source TEXT NOT NULL DEFAULT 'text',
    body TEXT NOT NULL,
    lang TEXT NOT NULL,
    published TEXT,
    source TEXT,
    url TEXT,
    origin TEXT,
    content_hash TEXT,
    removed TEXT NOT NULL DEFAULT '[]',
    entities TEXT NOT NULL DEFAULT '[]',
    dates_mentioned TEXT NOT NULL DEFAULT '[]',
    numbers TEXT NOT NULL DEFAULT '[]',
    vector BLOB,
    event TEXT,
    storyline TEXT,
    encoding TEXT
);
CREATE INDEX IF NOT EXISTS articles_event ON articles(event);
CREATE INDEX IF NOT EXISTS articles_storyline ON articles(storyline);
CREATE TABLE IF NOT EXISTS events (
    id TEXT PRIMARY KEY,
    storyline TEXT NOT NULL,
    headline TEXT NOT NULL,
    lang TEXT NOT NULL,
    article_ids TEXT NOT NULL,
    languages TEXT NOT NULL,
    sources TEXT NOT NULL,
    first TEXT,
    last TEXT
);
CREATE INDEX IF NOT EXISTS events_storyline ON events(storyline);
CREATE TABLE IF NOT EXISTS storylines (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    event_ids TEXT NOT NULL,
    article_count INTEGER NOT NULL,
    languages TEXT NOT NULL,
    first TEXT,
    last TEXT
);
-- What the linker keeps per article (storyline.link.state), so a restart reads no bodies:
-- the outlet (for the recent pages per outlet), the MinHash signature, and the features as a
-- small start-up part (head) and the rest. seq is the article's.
CREATE TABLE IF NOT EXISTS link_features (
    seq INTEGER PRIMARY KEY,
    id TEXT NOT NULL UNIQUE,
    outlet TEXT NOT NULL DEFAULT '',
    signature BLOB,
    head BLOB NOT NULL,
    rest BLOB NOT NULL
);
CREATE INDEX IF NOT EXISTS link_features_outlet ON link_features(outlet, seq);
-- The linker's vector index of articles, saved now and then (storyline.link.events), so a
-- restart loads it instead of re-inserting every stored vector; valid only for the first
-- ``count`` articles in arrival order, checked by ``ids_hash`` and the features ``version``.
CREATE TABLE IF NOT EXISTS link_index (
    name TEXT PRIMARY KEY,
    version TEXT NOT NULL,
    count INTEGER NOT NULL,
    ids_hash TEXT NOT NULL,
    data BLOB NOT NULL
);
-- Assignments in arrival order without reading article rows (bodies).
CREATE INDEX IF NOT EXISTS articles_assignment ON articles(seq, id, event, storyline);
"""

# How long a writer waits for another one (another process, or host on a shared disk) to commit
# before giving up with a StoreError: a batch holds the lock for the time it takes to link it.
BUSY_SECONDS = 300


def _add_title_source(db: sqlite3.Connection) -> None:
    have = {r[1] for r in db.execute("PRAGMA table_info(articles)")}
    if "title_source" not in have:
        db.execute("ALTER TABLE articles ADD COLUMN title_source TEXT NOT NULL DEFAULT 'text'")


def _add_encoding(db: sqlite3.Connection) -> None:
    have = {r[1] for r in db.execute("PRAGMA table_info(articles)")}
    if "encoding" not in have:
        db.execute("ALTER TABLE articles ADD COLUMN encoding TEXT")


def _add_names(db: sqlite3.Connection) -> None:
    for table, col in (("events", "headlines"), ("storylines", "names")):
        if col not in {r[1] for r in db.execute(f"PRAGMA table_info({table})")}:
            db.execute(f"ALTER TABLE {table} ADD COLUMN {col} TEXT NOT NULL DEFAULT '{{}}'")


def _add_changed(db: sqlite3.Connection) -> None:
    have = {r[1] for r in db.execute("PRAGMA table_info(articles)")}
    if "changed" not in have:
        db.execute("ALTER TABLE articles ADD COLUMN changed INTEGER NOT NULL DEFAULT 0")
    db.execute(CHANGED)


def _add_input_key(db: sqlite3.Connection) -> None:
    if "input_key" not in {r[1] for r in db.execute("PRAGMA table_info(articles)")}:
        db.execute("ALTER TABLE articles ADD COLUMN input_key TEXT")
    db.execute(INPUT_KEY)


def _base(db: sqlite3.Connection) -> None:
    # Not executescript: it commits first, and this runs inside the migration's transaction.
    code = "\n".join(line for line in SCHEMA.splitlines() if not line.lstrip().startswith("--"))
    for stmt in code.split(";"):
        if stmt.strip():
            db.execute(stmt)


UNIQUE_SEQ = "CREATE UNIQUE INDEX IF NOT EXISTS articles_seq_key ON articles(seq)"
CHANGED = "CREATE INDEX IF NOT EXISTS articles_changed ON articles(changed, seq)"
INPUT_KEY = "CREATE INDEX IF NOT EXISTS articles_input_key ON articles(input_key)"
NEWEST = "CREATE INDEX IF NOT EXISTS articles_newest ON articles(published IS NULL, published DESC, seq DESC)"

# The schema's history (storyline.store.migrations); each step is safe on a database that has it.
MIGRATIONS = [
    Migration(1, "articles, events, storylines, link features and index", _base),
    Migration(2, "articles.title_source", _add_title_source),
    # Several writers: the arrival rank must be unique, so two writers can never share one.
    Migration(3, "unique articles.seq", lambda db: db.execute(UNIQUE_SEQ)),
    # The newest articles first (the default page of articles and of a filtered search) without
    # sorting the whole table: an index on exactly the ORDER BY of ``find_articles``.
    Migration(4, "index for newest-first pages", lambda db: db.execute(NEWEST)),
    # How the input's bytes were read when not plain UTF-8 (a guessed code page, replaced bytes).
    Migration(5, "articles.encoding", _add_encoding),
    # Event headlines and storyline names in each language they have a real headline in (issue 16).
    Migration(6, "events.headlines, storylines.names", _add_names),
    # Several writers: every row a batch inserts or re-assigns carries the batch's change number,
    # so a writer that finds the store moved reads only what changed since it last looked.
    Migration(7, "articles.changed (change numbers for incremental catch-up)", _add_changed),
    # Reposts across processes: the key of each article's encoder input (``vectors.input_key``),
    # indexed, so an input already stored takes the stored vector instead of being encoded again.
    Migration(8, "articles.input_key (encoder input hash, for reusing stored vectors)", _add_input_key),
]


def _pairs(r: sqlite3.Row, col: str) -> tuple[tuple[str, str], ...]:
    """A {lang: text} column as sorted pairs; a store opened read-only before migration 6 has none."""
    if col not in r.keys():  # noqa: SIM118 - a Row's "in" looks at values, not column names
        return ()
    return tuple(sorted(json.loads(r[col] or "{}").items()))


def _uri(path: Path, **params: str) -> str:
    """A SQLite URI for ``path`` (any character in the name, ``?`` and ``#`` included)."""
    query = "&".join(f"{k}={v}" for k, v in params.items())
    return f"file:{urllib.parse.quote(str(path.resolve()))}?{query}"


def _open_readonly(path: Path) -> sqlite3.Connection:
    """Open for reading only: no write is ever attempted, so a store on read-only media, in a
    directory we may not write, or owned by someone else, can be shown and exported.

    ``mode=ro`` still needs the WAL's shared-memory file (``-shm``), which SQLite creates next to
    the database; where it cannot (a read-only directory) the database is opened ``immutable``:
    no locks and no shared memory, which is right for a store nobody can be writing to then."""
    if not path.exists():
        raise MissingStore(f"{path}: no such database; run `storyline run INPUT --db {path}` first")
    if not path.is_file():
        raise MissingStore(f"{path}: not a database file")
    writable_dir = os.access(path.parent, os.W_OK)
    shm = path.with_name(path.name + "-shm")
    if writable_dir or shm.exists():
        db = sqlite3.connect(_uri(path, mode="ro"), uri=True, check_same_thread=False)
        try:
            db.execute("SELECT count(*) FROM sqlite_master").fetchone()
            return db
        except sqlite3.OperationalError:
            db.close()
    return sqlite3.connect(_uri(path, mode="ro", immutable="1"), uri=True, check_same_thread=False)


def _date(s: str | None) -> dt.date | None:
    return dt.date.fromisoformat(s) if s else None


def _iso(d: dt.date | None) -> str | None:
    return d.isoformat() if d else None


class SQLiteStore:
    """One file; writers take SQLite's write lock for a whole batch (``writer``), so several
    processes can share the file: each waits up to ``BUSY_SECONDS`` for the others."""

    def __init__(self, path: str | Path, *, readonly: bool = False) -> None:
        self.path = str(path)
        self._depth = 0  # nesting of _tx (savepoints inside the outer transaction)
        try:
            if readonly:
                self._db = _open_readonly(Path(path))
                self._db.isolation_level = None
                has = self._db.execute(
                    "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'schema_migrations'"
                ).fetchone()
                if has:
                    check_version(self.path, self._applied(), MIGRATIONS)
            else:
                parent = Path(path).parent
                if str(path) != ":memory:" and not parent.is_dir():
                    raise UsageError(f"--db {path}: the directory {parent} does not exist; create it first "
                                     "(storyline does not create directories)")
                # isolation_level=None: transactions are ours (BEGIN IMMEDIATE in _tx), not the
                # module's deferred ones, so the write lock is taken before anything is read.
                self._db = sqlite3.connect(
                    str(path), check_same_thread=False, isolation_level=None, timeout=BUSY_SECONDS
                )
                self._db.execute("PRAGMA journal_mode=WAL")
                self._db.execute("PRAGMA synchronous=NORMAL")
                self._migrate()
            self._db.row_factory = sqlite3.Row
            self._db.execute("SELECT count(*) FROM articles").fetchone()
        except sqlite3.DatabaseError as e:
            hint = ("; the file or its directory is not writable: use a read-only command (show, export, "
                    "explain, serve --read-only)" if "readonly" in str(e) else "; is it a storyline database?")
            raise StoreError(f"{path}: cannot open the database ({e}){hint}") from e

    def _applied(self) -> int:
        return int(self._db.execute("SELECT coalesce(max(version), 0) FROM schema_migrations").fetchone()[0])

    def _migrate(self) -> None:
        """Apply the schema steps this database lacks, each recorded in its own transaction."""
        with self._tx():
            self._db.execute(
                "CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL,"
                " applied_at TEXT NOT NULL DEFAULT (datetime('now')))"
            )
            applied = self._applied()
        check_version(self.path, applied, MIGRATIONS)
        for m in pending(MIGRATIONS, applied):
            with self._tx():
                if self._applied() >= m.version:  # another process applied it meanwhile
                    continue
                m.apply(self._db)
                self._db.execute("INSERT INTO schema_migrations (version, name) VALUES (?, ?)", (m.version, m.name))

    def schema_version(self) -> int:
        return self._applied()

    @contextlib.contextmanager
    def _tx(self) -> Iterator[None]:
        """One transaction holding the write lock (BEGIN IMMEDIATE); nested, a savepoint, so an
        inner failure undoes only the inner part when the caller handles it."""
        if self._depth:
            name = f"sp{self._depth}"
            self._db.execute(f"SAVEPOINT {name}")
            self._depth += 1
            try:
                yield
            except BaseException:
                self._db.execute(f"ROLLBACK TO {name}")
                self._db.execute(f"RELEASE {name}")
                raise
            else:
                self._db.execute(f"RELEASE {name}")
            finally:
                self._depth -= 1
            return
        self._db.execute("BEGIN IMMEDIATE")
        self._depth = 1
        try:
            yield
        except BaseException:
            self._depth = 0
            self._db.execute("ROLLBACK")
            raise
        self._depth = 0
        self._db.execute("COMMIT")

    @contextlib.contextmanager
    def writer(self) -> Iterator[None]:
        """Hold the store's write lock: what is read and written inside is one transaction that
        no other writer interleaves with (the pipeline links a batch inside it)."""
        try:
            with self._tx():
                yield
        except sqlite3.OperationalError as e:
            raise StoreError(f"{self.path}: could not take the write lock ({e}); another writer held it "
                             f"for more than {BUSY_SECONDS} s") from e

    def last_seq(self) -> int:
        """The arrival rank of the newest stored article (0: none): it moves when anyone adds one."""
        return int(self._db.execute("SELECT coalesce(max(seq), 0) FROM articles").fetchone()[0])

    # --- writing -------------------------------------------------------------------------

    def write_batch(
        self,
        articles: Sequence[Article],
        assignments: Sequence[Assignment],
        events: Sequence[Event],
        storylines: Sequence[Storyline],
        drop_events: Sequence[str] = (),
        drop_storylines: Sequence[str] = (),
        link_rows: Sequence[LinkRow] = (),
    ) -> None:
        try:
            with self._tx():  # one transaction: all of it or none of it
                # Read inside the write lock: two writers never hand out one arrival rank.
                seq = self.last_seq()
                change = self.last_change() + 1
                stored = self.known_ids(a.id for a in articles)
                new = list({a.id: a for a in articles if a.id not in stored}.values())
                self._db.executemany(
                    "INSERT OR IGNORE INTO articles (id, seq, title, body, lang, published, source, url, origin,"
                    " content_hash, removed, entities, dates_mentioned, numbers, vector, title_source,"
                    " encoding, input_key, changed) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
                    [(*self._article_row(a, seq + i + 1), change) for i, a in enumerate(new)],
                )
                self._db.executemany(
                    "UPDATE articles SET event = ?, storyline = ?, changed = ? WHERE id = ?",
                    [(a.event, a.storyline, change, a.article_id) for a in assignments],
                )
                self._db.executemany("DELETE FROM events WHERE id = ?", [(i,) for i in drop_events])
                self._db.executemany("DELETE FROM storylines WHERE id = ?", [(i,) for i in drop_storylines])
                self._db.executemany(
                    "INSERT OR REPLACE INTO events (id, storyline, headline, lang, article_ids, languages,"
                    " sources, first, last, headlines) VALUES (?,?,?,?,?,?,?,?,?,?)",
                    [
                        (
                            e.id,
                            e.storyline,
                            e.headline,
                            e.lang,
                            json.dumps(e.article_ids),
                            json.dumps(e.languages),
                            json.dumps(e.sources),
                            _iso(e.first),
                            _iso(e.last),
                            json.dumps(dict(e.headlines), ensure_ascii=False),
                        )
                        for e in events
                    ],
                )
                self._db.executemany(
                    "INSERT OR REPLACE INTO storylines (id, name, event_ids, article_count, languages,"
                    " first, last, names) VALUES (?,?,?,?,?,?,?,?)",
                    [
                        (
                            s.id,
                            s.name,
                            json.dumps(s.event_ids),
                            s.article_count,
                            json.dumps(s.languages),
                            _iso(s.first),
                            _iso(s.last),
                            json.dumps(dict(s.names), ensure_ascii=False),
                        )
                        for s in storylines
                    ],
                )
                self._put_link_rows(link_rows)
        except sqlite3.DatabaseError as e:
            raise StoreError(f"{self.path}: could not write the batch ({e}); nothing of it was kept") from e

    def _put_link_rows(self, rows: Sequence[LinkRow]) -> None:
        self._db.executemany(
            "INSERT OR REPLACE INTO link_features (seq, id, outlet, signature, head, rest)"
            " SELECT seq, ?, ?, ?, ?, ? FROM articles WHERE id = ?",
            [(i, outlet, sig, head, rest, i) for i, outlet, sig, head, rest in rows],
        )

    # --- the linker's state (storyline.link.state) ------------------------------------------

    def link_features_version(self) -> str | None:
        r = self._db.execute("SELECT value FROM meta WHERE key = 'link_features'").fetchone()
        return r[0] if r else None

    def reset_link_features(self, version: str) -> None:
        """Forget every stored link feature (they were computed by other code) and mark the
        table as holding ``version`` from now on."""
        try:
            with self._tx():
                self._db.execute("DELETE FROM link_features")
                self._db.execute("INSERT OR REPLACE INTO meta VALUES ('link_features', ?)", (version,))
        except sqlite3.DatabaseError as e:
            raise StoreError(f"{self.path}: could not reset the link features ({e})") from e

    def put_link_features(self, rows: Sequence[LinkRow]) -> None:
        """Store link features of articles already stored (filling in an older database)."""
        try:
            with self._tx():
                self._put_link_rows(rows)
        except sqlite3.DatabaseError as e:
            raise StoreError(f"{self.path}: could not write link features ({e})") from e

    def without_link_features(self) -> list[str]:
        """Stored articles that have no link features yet, in arrival order."""
        rows = self._db.execute(
            "SELECT a.id FROM articles a WHERE NOT EXISTS (SELECT 1 FROM link_features f WHERE f.id = a.id)"
            " ORDER BY a.seq"
        ).fetchall()
        return [r[0] for r in rows]

    def unassigned(self) -> list[str]:
        """Stored articles without an event (none, unless written by an older version)."""
        rows = self._db.execute("SELECT id FROM articles WHERE event IS NULL ORDER BY seq").fetchall()
        return [r[0] for r in rows]

    def link_state(self) -> Iterator[tuple[str, str, str, bytes | None, bytes]]:
        """(id, event, storyline, signature, head) of every assigned article with link features,
        in arrival order, reading neither bodies nor the word bags."""
        feats = self._db.execute("SELECT seq, id, signature, head FROM link_features ORDER BY seq")
        assigned = self._db.execute(
            "SELECT seq, id, event, storyline FROM articles WHERE event IS NOT NULL ORDER BY seq"
        )
        f = feats.fetchone()
        for seq, aid, event, storyline in assigned:
            while f is not None and f[0] < seq:
                f = feats.fetchone()
            if f is not None and f[0] == seq and f[1] == aid:
                yield aid, event, storyline, f[2], f[3]

    def last_change(self) -> int:
        """The change number of the last batch written (``changes_since``)."""
        return int(self._db.execute("SELECT coalesce(max(changed), 0) FROM articles").fetchone()[0])

    def changes_since(self, change: int) -> Iterator[tuple[str, str, str, bytes | None, bytes]]:
        """``link_state`` of the articles a batch inserted or re-assigned after ``change``."""
        rows = self._db.execute(
            changes_sql("?"), (change,),
        )
        yield from rows

    def link_index(self, name: str) -> SavedIndex | None:
        """The saved index ``name`` (``put_link_index``), if any."""
        r = self._db.execute("SELECT version, count, ids_hash, data FROM link_index WHERE name = ?", (name,)).fetchone()
        return None if r is None else SavedIndex(r[0], int(r[1]), r[2], bytes(r[3]))

    def put_link_index(self, name: str, saved: SavedIndex) -> None:
        """Replace the saved index ``name`` in one transaction: on failure the previous one stays
        and the error is raised."""
        try:
            with self._tx():
                self._db.execute(
                    "INSERT OR REPLACE INTO link_index VALUES (?, ?, ?, ?, ?)",
                    (name, saved.version, saved.count, saved.ids_hash, saved.data),
                )
        except sqlite3.DatabaseError as e:
            raise StoreError(f"{self.path}: could not save the article index ({e})") from e

    def _rows_in(self, sql: str, values: Sequence[Any]) -> Iterator[sqlite3.Row]:
        """The rows of ``sql``, whose one ``IN ({})`` takes ``values``, asked 500 at a time:
        SQLite caps the parameters of one statement (999 in older builds)."""
        for i in range(0, len(values), 500):
            chunk = list(values[i : i + 500])
            yield from self._db.execute(sql.format(",".join("?" * len(chunk))), chunk)

    def link_features(self, ids: Sequence[str], *, rest: bool = True) -> dict[str, tuple[bytes, bytes]]:
        """(head, rest) per article id. The head column comes before the rest, so without the rest
        SQLite does not follow the rest's overflow pages."""
        if not rest:
            heads = self._rows_in("SELECT id, head FROM link_features WHERE id IN ({})", ids)
            return {r[0]: (r[1], b"") for r in heads}
        rows = self._rows_in("SELECT id, head, rest FROM link_features WHERE id IN ({})", ids)
        return {r[0]: (r[1], r[2]) for r in rows}

    def recent_pages(self, per_outlet: int) -> Iterator[Article]:
        """The last ``per_outlet`` articles of every outlet (as recorded with the link features),
        with bodies, in arrival order."""
        seqs = [
            r[0]
            for r in self._db.execute(
                "SELECT seq FROM (SELECT seq, row_number() OVER (PARTITION BY outlet ORDER BY seq DESC) AS rn"
                " FROM link_features WHERE outlet != '') WHERE rn <= ? ORDER BY seq",
                (per_outlet,),
            )
        ]
        for r in self._rows_in("SELECT * FROM articles WHERE seq IN ({}) ORDER BY seq", seqs):
            yield self._article(r)

    @staticmethod
    def _article_row(a: Article, seq: int) -> tuple[Any, ...]:
        return (
            a.id,
            seq,
            a.title,
            a.body,
            a.lang,
            _iso(a.published),
            a.source,
            a.url,
            a.origin,
            a.content_hash,
            json.dumps(list(a.removed), ensure_ascii=False),
            json.dumps(entity_rows(a.entities), ensure_ascii=False),
            json.dumps([d.isoformat() for d in a.dates_mentioned]),
            json.dumps(list(a.numbers)),
            None if a.vector is None else np.asarray(a.vector, dtype=np.float32).tobytes(),
            a.title_source,
            a.encoding,
            a.input_key,
        )

    # --- reading -------------------------------------------------------------------------

    def known_ids(self, ids: Iterable[str]) -> set[str]:
        return {r[0] for r in self._rows_in("SELECT id FROM articles WHERE id IN ({})", list(ids))}

    def stored_vectors(self, keys: Sequence[str]) -> dict[str, np.ndarray]:
        """The stored vector of each encoder input key (``vectors.input_key``) some article has."""
        q = "SELECT input_key, vector FROM articles WHERE input_key IN ({}) AND vector IS NOT NULL"
        rows = self._rows_in(q, keys)
        return {k: np.frombuffer(v, dtype=np.float32).copy() for k, v in rows}

    def articles(
        self,
        *,
        ids: Sequence[str] | None = None,
        event: str | None = None,
        storyline: str | None = None,
        with_body: bool = True,
    ) -> Iterator[Article]:
        cols = (
            "*"
            if with_body
            else (
                "id, seq, title, '' AS body, lang, published, source, url, origin, content_hash, '[]' AS removed,"
                " entities, dates_mentioned, numbers, vector, event, storyline, title_source"
            )
        )
        where, args = [], []  # type: ignore[var-annotated]
        if ids is not None:
            where.append(f"id IN ({','.join('?' * len(ids))})")
            args.extend(ids)
        if event is not None:
            where.append("event = ?")
            args.append(event)
        if storyline is not None:
            where.append("storyline = ?")
            args.append(storyline)
        q = f"SELECT {cols} FROM articles {'WHERE ' + ' AND '.join(where) if where else ''} ORDER BY seq"
        for r in self._db.execute(q, args):
            yield self._article(r)

    @staticmethod
    def _article(r: sqlite3.Row) -> Article:
        vec = None if r["vector"] is None else np.frombuffer(r["vector"], dtype=np.float32).copy()
        return Article(
            id=r["id"],
            title=r["title"],
            body=r["body"],
            lang=r["lang"],
            published=_date(r["published"]),
            source=r["source"],
            url=r["url"],
            origin=r["origin"] or "",
            content_hash=r["content_hash"] or "",
            removed=tuple(json.loads(r["removed"])),
            entities=read_entities(json.loads(r["entities"])),
            dates_mentioned=tuple(dt.date.fromisoformat(d) for d in json.loads(r["dates_mentioned"])),
            numbers=tuple(json.loads(r["numbers"])),
            vector=vec,
            # An old database opened read-only has no title_source column (sqlite3.Row's `in`
            # looks at values, hence keys()).
            title_source=r["title_source"] if "title_source" in r.keys() else "text",  # noqa: SIM118
            encoding=r["encoding"] if "encoding" in r.keys() else None,  # noqa: SIM118
            input_key=r["input_key"] if "input_key" in r.keys() else None,  # noqa: SIM118
        )

    def assignments(self) -> list[Assignment]:
        rows = self._db.execute(
            "SELECT id, event, storyline FROM articles WHERE event IS NOT NULL ORDER BY seq"
        ).fetchall()
        return [Assignment(r[0], r[1], r[2]) for r in rows]

    def assignment(self, article_id: str) -> Assignment:
        r = self._db.execute("SELECT id, event, storyline FROM articles WHERE id = ?", (article_id,)).fetchone()
        if r is None:
            raise NotFound(f"no article {article_id!r} in {self.path}")
        return Assignment(r[0], r[1], r[2])

    @staticmethod
    def _event(r: sqlite3.Row) -> Event:
        return Event(
            id=r["id"],
            storyline=r["storyline"],
            headline=r["headline"],
            lang=r["lang"],
            article_ids=tuple(json.loads(r["article_ids"])),
            languages=tuple(json.loads(r["languages"])),
            sources=tuple(json.loads(r["sources"])),
            first=_date(r["first"]),
            last=_date(r["last"]),
            headlines=_pairs(r, "headlines"),
        )

    @staticmethod
    def _storyline(r: sqlite3.Row) -> Storyline:
        return Storyline(
            id=r["id"],
            name=r["name"],
            event_ids=tuple(json.loads(r["event_ids"])),
            article_count=r["article_count"],
            languages=tuple(json.loads(r["languages"])),
            first=_date(r["first"]),
            last=_date(r["last"]),
            names=_pairs(r, "names"),
        )

    def events(self, *, storyline: str | None = None, ids: Sequence[str] | None = None) -> list[Event]:
        if ids is not None:
            q = f"SELECT * FROM events WHERE id IN ({','.join('?' * len(ids))})"
            rows = self._db.execute(q, list(ids)).fetchall()
        elif storyline is not None:
            rows = self._db.execute("SELECT * FROM events WHERE storyline = ?", (storyline,)).fetchall()
        else:
            rows = self._db.execute("SELECT * FROM events").fetchall()
        evs = [self._event(r) for r in rows]
        return sorted(evs, key=lambda e: (e.first or dt.date.max, e.id))

    def event(self, ident: str) -> Event:
        r = self._db.execute("SELECT * FROM events WHERE id = ?", (ident,)).fetchone()
        if r is None:
            raise NotFound(f"no event {ident!r} in {self.path}")
        return self._event(r)

    def storylines(self) -> list[Storyline]:
        rows = self._db.execute("SELECT * FROM storylines").fetchall()
        sls = [self._storyline(r) for r in rows]
        return sorted(sls, key=lambda s: (-s.article_count, s.id))

    def storyline(self, ident: str) -> Storyline:
        r = self._db.execute("SELECT * FROM storylines WHERE id = ?", (ident,)).fetchone()
        if r is None:
            raise NotFound(f"no storyline {ident!r} in {self.path}")
        return self._storyline(r)

    def counts(self) -> dict[str, int]:
        one = self._db.execute
        return {
            "articles": one("SELECT count(*) FROM articles").fetchone()[0],
            "events": one("SELECT count(*) FROM events").fetchone()[0],
            "storylines": one("SELECT count(*) FROM storylines").fetchone()[0],
        }

    # --- browsing and search (the web shell's questions; read-only except the search index) ----

    def search_index_stale(self) -> bool:
        """True when some stored article is not yet in the full-text index (or there is none)."""
        has = self._db.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'articles_fts'").fetchone()
        if not has:
            return True
        top = self._db.execute("SELECT coalesce(max(seq), 0) FROM articles").fetchone()[0]
        return bool(top > self._fts_seq())

    def has_search_index(self) -> bool:
        return bool(self._db.execute(
            "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'articles_fts'").fetchone())

    def _fts_seq(self) -> int:
        r = self._db.execute("SELECT value FROM meta WHERE key = 'fts_seq'").fetchone()
        return int(r[0]) if r else 0

    def refresh_search_index(self) -> int:
        """Bring the FTS5 index up to date with the articles table; returns how many were added.

        Articles are only ever inserted (never rewritten), so the index follows ``seq``: it is an
        external-content FTS5 table over ``articles`` (no second copy of the text). Diacritics are
        folded, so "Tho Nhi Ky" finds "Thổ Nhĩ Kỳ"."""
        try:
            with self._tx():
                self._db.execute("CREATE INDEX IF NOT EXISTS articles_seq ON articles(seq)")
                self._db.execute(
                    "CREATE VIRTUAL TABLE IF NOT EXISTS articles_fts USING fts5(title, body,"
                    " content='articles', content_rowid='seq', tokenize='unicode61 remove_diacritics 2')"
                )
                done = self._fts_seq()
                cur = self._db.execute(
                    "INSERT INTO articles_fts(rowid, title, body) SELECT seq, title, body FROM articles"
                    " WHERE seq > ? ORDER BY seq",
                    (done,),
                )
                added = cur.rowcount
                top = self._db.execute("SELECT coalesce(max(seq), 0) FROM articles").fetchone()[0]
                self._db.execute("INSERT OR REPLACE INTO meta VALUES ('fts_seq', ?)", (str(top),))
            return max(added, 0)
        except sqlite3.DatabaseError as e:
            raise StoreError(f"{self.path}: could not build the search index ({e})") from e

    @staticmethod
    def _filters(f: ArticleFilter) -> tuple[list[str], list[Any]]:
        return filter_sql(f, "?", (
            "EXISTS (SELECT 1 FROM json_each(a.entities) j WHERE json_extract(j.value, '$[0]') = ?"
            " OR lower(json_extract(j.value, '$[2]')) = lower(?))"
        ))

    def find_articles(
        self, f: ArticleFilter, *, limit: int = 20, offset: int = 0, order: str = "relevance"
    ) -> tuple[list[ArticleHit], int]:
        """Articles matching a full-text query (``f.query``, FTS5) and/or filters, one page of
        them and the total. Without a query the newest come first."""
        where, args = self._filters(f)
        fts = f.query is not None and f.query.strip() != ""
        if fts:
            match = fts_query(f.query or "", f.variants)
            if not match:
                return [], 0
            src = "articles_fts JOIN articles a ON a.seq = articles_fts.rowid"
            where.insert(0, "articles_fts MATCH ?")
            args.insert(0, match)
            snip = "snippet(articles_fts, 1, char(2), char(3), '…', 28)"
            rank = "bm25(articles_fts, 4.0, 1.0)"
        else:
            src = "articles a"
            snip = "substr(a.body, 1, 240)"
            rank = "0"
        cond = ("WHERE " + " AND ".join(where)) if where else ""
        orders = {
            "relevance": f"{rank}, a.published DESC" if fts else "a.published IS NULL, a.published DESC, a.seq DESC",
            "newest": "a.published IS NULL, a.published DESC, a.seq DESC",
            "oldest": "a.published IS NULL, a.published, a.seq",
        }
        try:
            # Counting every match of a very common word costs as much as the search itself: count
            # up to COUNT_CAP and report COUNT_CAP + 1 as "more than that".
            total = self._db.execute(
                f"SELECT count(*) FROM (SELECT 1 FROM {src} {cond} LIMIT {COUNT_CAP + 1})", args
            ).fetchone()[0]
            rows = self._db.execute(
                f"SELECT a.id, a.title, a.lang, a.published, a.source, a.event, a.storyline, {snip} AS snip, a.url"
                f" FROM {src} {cond} ORDER BY {orders.get(order, orders['relevance'])} LIMIT ? OFFSET ?",
                [*args, int(limit), int(offset)],
            ).fetchall()
        except sqlite3.OperationalError as e:
            if fts and "no such table" in str(e):
                raise StoreError(f"{self.path}: no search index yet; it is built by `storyline serve`") from e
            raise StoreError(f"{self.path}: search failed ({e})") from e
        hits = [
            ArticleHit(
                id=r[0],
                title=r[1],
                lang=r[2],
                published=_date(r[3]),
                source=r[4],
                event=r[5],
                storyline=r[6],
                snippet=r[7] or "",
                url=r[8],
            )
            for r in rows
        ]
        return hits, int(total)

    def entity_names(self) -> list[tuple[str, str, str, int]]:
        """Every entity surface form in the store with its key and kind, and in how many
        articles: what search expands a query's names and places to (``Gadafi``, ``Kadhafi``…)."""
        try:
            return [
                (k, kind, text, n)
                for k, kind, text, n in self._db.execute(
                    "SELECT json_extract(j.value, '$[0]'), json_extract(j.value, '$[1]'),"
                    " json_extract(j.value, '$[2]'), count(DISTINCT a.seq)"
                    " FROM articles a, json_each(a.entities) j GROUP BY 1, 2, 3"
                )
            ]
        except sqlite3.DatabaseError as e:
            raise StoreError(f"{self.path}: could not read entity names ({e})") from e

    def facet_counts(self, f: ArticleFilter, field: str, limit: int = 50) -> list[tuple[str, int]]:
        """How many matching articles per language, outlet, or publish month (``lang``,
        ``source``, ``month``), most first (months: in order)."""
        exprs = {"lang": "a.lang", "source": "a.source", "month": "substr(a.published, 1, 7)", "day": "a.published"}
        if field not in exprs:
            raise ValueError(f"unknown facet {field!r}")
        where, args = self._filters(f)
        src = "articles a"
        if f.query and f.query.strip():
            match = fts_query(f.query, f.variants)
            if not match:
                return []
            src = "articles_fts JOIN articles a ON a.seq = articles_fts.rowid"
            where.insert(0, "articles_fts MATCH ?")
            args.insert(0, match)
        where.append(f"{exprs[field]} IS NOT NULL")
        order = "k" if field in ("month", "day") else "n DESC, k"
        # With a text query, facets are counted over the first FACET_SAMPLE matches (bounded cost).
        sample = f" LIMIT {FACET_SAMPLE}" if src != "articles a" else ""
        rows = self._db.execute(
            f"SELECT k, count(*) AS n FROM (SELECT {exprs[field]} AS k FROM {src} WHERE {' AND '.join(where)}"
            f"{sample}) GROUP BY k ORDER BY {order} LIMIT ?",
            [*args, int(limit)],
        ).fetchall()
        return [(r[0], int(r[1])) for r in rows]

    def coverage(self, storyline: str) -> list[tuple[str | None, str, str | None, int]]:
        """Articles of a storyline per (publish date, language, outlet)."""
        rows = self._db.execute(
            "SELECT published, lang, source, NULL, count(*) FROM articles WHERE storyline = ?"
            " AND source IS NOT NULL AND source != '' GROUP BY published, lang, source"
            " UNION ALL SELECT published, lang, NULL, url, 1 FROM articles WHERE storyline = ?"
            " AND (source IS NULL OR source = '')",
            (storyline, storyline),
        ).fetchall()
        return coverage_rows(tuple(r) for r in rows)

    def top_entities(
        self, *, storyline: str | None = None, event: str | None = None, limit: int = 30
    ) -> list[EntityRow]:
        """The names most articles of a storyline (or event) mention, one row per entity with its
        spellings (``base.merge_entity_rows``)."""
        col, val = ("storyline", storyline) if storyline is not None else ("event", event)
        rows = self._db.execute(
            "SELECT json_extract(j.value, '$[0]') AS k, json_extract(j.value, '$[1]') AS kind,"
            " json_extract(j.value, '$[2]') AS label, count(DISTINCT a.id) AS n"
            f" FROM articles a, json_each(a.entities) j WHERE a.{col} = ?"
            " AND json_array_length(j.value) < 4 GROUP BY k, kind, label",  # shown chips only
            (val,),
        ).fetchall()
        return merge_entity_rows([(r[0], r[1], r[2], int(r[3])) for r in rows], limit)

    def storyline_page(
        self, *, lang: str | None = None, name: str | None = None, limit: int = 20, offset: int = 0,
        sort: str = "recent", min_articles: int = 1,
    ) -> tuple[list[Storyline], int]:
        """Storylines, latest activity (newest article date) first, then the biggest."""
        where: list[str] = []
        args: list[Any] = []
        if lang is not None:
            where.append("EXISTS (SELECT 1 FROM json_each(s.languages) j WHERE j.value = ?)")
            args.append(lang)
        if name:
            where.append("instr(lower(s.name), lower(?)) > 0")
            args.append(name)
        if min_articles > 1:
            where.append("s.article_count >= ?")
            args.append(int(min_articles))
        order = storyline_order(sort, "json_array_length(s.languages)")
        cond = ("WHERE " + " AND ".join(where)) if where else ""
        total = self._db.execute(f"SELECT count(*) FROM storylines s {cond}", args).fetchone()[0]
        rows = self._db.execute(
            f"SELECT * FROM storylines s {cond} ORDER BY {order}"
            " LIMIT ? OFFSET ?",
            [*args, int(limit), int(offset)],
        ).fetchall()
        return [self._storyline(r) for r in rows], int(total)

    def outlets_of(self, storylines: Sequence[str]) -> dict[str, list[str]]:
        """The outlets that covered each storyline, most articles first (an article without a
        source by its URL's host)."""
        named = self._rows_in(
            "SELECT storyline, source, NULL, count(*) FROM articles WHERE storyline IN ({})"
            " AND source IS NOT NULL AND source != '' GROUP BY storyline, source",
            storylines,
        )
        hosted = self._rows_in(
            "SELECT storyline, NULL, url, 1 FROM articles WHERE storyline IN ({})"
            " AND (source IS NULL OR source = '') AND url IS NOT NULL AND url != ''",
            storylines,
        )
        return ranked_outlets([*(tuple(r) for r in named), *(tuple(r) for r in hosted)], storylines)

    def event_page(self, *, storyline: str | None = None, limit: int = 50, offset: int = 0) -> tuple[list[Event], int]:
        """Events, oldest first within a storyline, newest first across the store."""
        cond, args = ("WHERE storyline = ?", [storyline]) if storyline is not None else ("", [])
        order = "first IS NULL, first, id" if storyline is not None else "last IS NULL, last DESC, id"
        total = self._db.execute(f"SELECT count(*) FROM events {cond}", args).fetchone()[0]
        rows = self._db.execute(
            f"SELECT * FROM events {cond} ORDER BY {order} LIMIT ? OFFSET ?", [*args, int(limit), int(offset)]
        ).fetchall()
        return [self._event(r) for r in rows], int(total)

    def close(self) -> None:
        self._db.close()
