"""PostgreSQL store: the same tables and answers as the SQLite one, for a team's shared database.

Several writers (a ``run``, a ``watch``, the API's uploads, on one or several hosts) share one
database: each batch is linked and written inside ``writer()``, one transaction holding a
transaction-level advisory lock, so arrival ranks are handed out once and a batch sees every
article committed before it (unique keys and ``ON CONFLICT`` make a repeated article a no-op).
Readers never wait for it.

Full-text search works in any language the way SQLite's FTS5 ``unicode61 remove_diacritics``
does: text is split on word boundaries (``to_tsvector('simple', …)``: no stemming, so no
language is favoured) after case and diacritics are folded in Python (``fold``), so "Tho Nhi Ky"
finds "Thổ Nhĩ Kỳ" without the ``unaccent`` extension (which needs a superuser on older servers).
Titles weigh more than bodies (``setweight 'A'``), as in SQLite's bm25 weights.

Text columns use the "C" collation so that ordering and ``lower()`` behave as in SQLite (binary
order, ASCII case folding): results never depend on the store.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import re
import unicodedata
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import Any

import numpy as np

from storyline.errors import MissingDependency, NotFound, StoreError
from storyline.models import Article, Assignment, Event, Storyline
from storyline.store import shown
from storyline.store.base import (
    _TERM,
    ArticleFilter,
    ArticleHit,
    EntityRow,
    LinkRow,
    SavedIndex,
    changes_sql,
    coverage_rows,
    entity_rows,
    filter_sql,
    merge_entity_rows,
    ranked_outlets,
    read_entities,
    storyline_order,
)
from storyline.store.migrations import Migration, check_version, pending
from storyline.store.watchstate import PG_SCHEMA

try:
    import psycopg
    from psycopg.rows import dict_row
    from psycopg.types.json import Jsonb
except ImportError:  # pragma: no cover - exercised by test_store's missing-package test
    psycopg = None  # type: ignore[assignment]

INSTALL_HINT = "pip install 'storyline[postgres]'   (or: pip install 'psycopg[binary]>=3.1')"
COUNT_CAP = 10_000  # as in the SQLite store
FACET_SAMPLE = 5_000
PAGE = 1_000  # rows per round trip when walking every article
LOCK_CLASS = 0x5354  # first key of the writer's advisory lock; the second is the schema's hash
MAX_INDEXED_CHARS = 200_000  # a tsvector holds at most 1 MB; longer bodies are indexed by their start

_T = 'TEXT COLLATE "C"'
SCHEMA = f"""
CREATE TABLE IF NOT EXISTS meta (key {_T} PRIMARY KEY, value TEXT);
CREATE TABLE IF NOT EXISTS articles (
    id {_T} PRIMARY KEY,
    seq BIGINT NOT NULL UNIQUE,
    title {_T} NOT NULL,
    title_source {_T} NOT NULL DEFAULT 'text',
    body {_T} NOT NULL,
    lang {_T} NOT NULL,
    published {_T},
    source {_T},
    url {_T},
    origin {_T},
    content_hash {_T},
    removed JSONB NOT NULL DEFAULT '[]',
    entities JSONB NOT NULL DEFAULT '[]',
    dates_mentioned JSONB NOT NULL DEFAULT '[]',
    numbers JSONB NOT NULL DEFAULT '[]',
    vector BYTEA,
    event {_T},
    storyline {_T}
);
CREATE INDEX IF NOT EXISTS articles_event ON articles(event);
CREATE INDEX IF NOT EXISTS articles_storyline ON articles(storyline);
CREATE INDEX IF NOT EXISTS articles_assignment ON articles(seq, id, event, storyline);
CREATE TABLE IF NOT EXISTS events (
    id {_T} PRIMARY KEY,
    storyline {_T} NOT NULL,
    headline {_T} NOT NULL,
    lang {_T} NOT NULL,
    article_ids JSONB NOT NULL,
    languages JSONB NOT NULL,
    sources JSONB NOT NULL,
    first {_T},
    last {_T}
);
CREATE INDEX IF NOT EXISTS events_storyline ON events(storyline);
CREATE TABLE IF NOT EXISTS storylines (
    id {_T} PRIMARY KEY,
    name {_T} NOT NULL,
    event_ids JSONB NOT NULL,
    article_count INTEGER NOT NULL,
    languages JSONB NOT NULL,
    first {_T},
    last {_T}
);
CREATE TABLE IF NOT EXISTS link_features (
    seq BIGINT PRIMARY KEY,
    id {_T} NOT NULL UNIQUE,
    outlet {_T} NOT NULL DEFAULT '',
    signature BYTEA,
    head BYTEA NOT NULL,
    rest BYTEA NOT NULL
);
CREATE INDEX IF NOT EXISTS link_features_outlet ON link_features(outlet, seq);
CREATE TABLE IF NOT EXISTS link_index (
    name {_T} PRIMARY KEY,
    version {_T} NOT NULL,
    count BIGINT NOT NULL,
    ids_hash {_T} NOT NULL,
    data BYTEA NOT NULL
)
"""

SET_META = "INSERT INTO meta VALUES (%s, %s) ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value"

SEARCH = """
CREATE TABLE IF NOT EXISTS articles_search (seq BIGINT PRIMARY KEY, tsv TSVECTOR NOT NULL);
CREATE INDEX IF NOT EXISTS articles_search_tsv ON articles_search USING gin (tsv)
"""


def _run_all(sql: str) -> Any:
    def apply(db: Any) -> None:
        for stmt in sql.split(";"):
            if stmt.strip():
                db.execute(stmt)

    return apply


MIGRATIONS = [
    Migration(1, "articles, events, storylines, link features and index", _run_all(SCHEMA)),
    Migration(2, "full-text search table (folded words, GIN index)", _run_all(SEARCH)),
    # The newest articles first without sorting the table (``find_articles``' default order).
    Migration(
        3,
        "index for newest-first pages",
        _run_all(
            "CREATE INDEX IF NOT EXISTS articles_newest ON articles ((published IS NULL), published DESC, seq DESC)"
        ),
    ),
    # How the input's bytes were read when not plain UTF-8 (a guessed code page, replaced bytes).
    Migration(4, "articles.encoding", _run_all(f"ALTER TABLE articles ADD COLUMN IF NOT EXISTS encoding {_T}")),
    # Event headlines and storyline names in each language they have a real headline in (issue 16).
    Migration(5, "events.headlines, storylines.names", _run_all(
        "ALTER TABLE events ADD COLUMN IF NOT EXISTS headlines JSONB NOT NULL DEFAULT '{}'::jsonb;"
        "ALTER TABLE storylines ADD COLUMN IF NOT EXISTS names JSONB NOT NULL DEFAULT '{}'::jsonb")),
    # What ``storyline watch`` remembers (sources, listings and their validators, the frontier of
    # seen pages, the error log), beside the articles as in a SQLite file (``store.watchstate``).
    Migration(6, "watch state: sources, listings, pages, log", _run_all(PG_SCHEMA)),
    # Several writers: every row a batch inserts or re-assigns carries the batch's change number,
    # so a writer that finds the store moved reads only what changed since it last looked.
    Migration(
        7,
        "articles.changed (change numbers for incremental catch-up)",
        _run_all(
            "ALTER TABLE articles ADD COLUMN IF NOT EXISTS changed BIGINT NOT NULL DEFAULT 0;"
            " CREATE INDEX IF NOT EXISTS articles_changed ON articles (changed, seq)"
        ),
    ),
    # Reposts across processes: the key of each article's encoder input (``vectors.input_key``),
    # indexed, so an input already stored takes the stored vector instead of being encoded again.
    Migration(
        8,
        "articles.input_key (encoder input hash, for reusing stored vectors)",
        _run_all(
            f"ALTER TABLE articles ADD COLUMN IF NOT EXISTS input_key {_T};"
            " CREATE INDEX IF NOT EXISTS articles_input_key ON articles (input_key)"
        ),
    ),
]


_NOT_WORD = re.compile(r"[\W_]+")


def fold(text: str) -> str:
    """Lower case words without diacritics (NFKD, combining marks dropped; đ/Đ → d), as FTS5's
    ``unicode61 remove_diacritics`` reads text: both the indexed text and the query go through it."""
    text = text.replace("đ", "d").replace("Đ", "D")
    text = "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c)).lower()
    # Every run of letters and digits is a word, as for FTS5's unicode61 (PostgreSQL's parser would
    # read "с-400" as a word and the number -400, an e-mail address as one token, and so on).
    return _NOT_WORD.sub(" ", text)


def search_groups(text: str) -> list[list[str]]:
    """A user's search text as AND-ed groups of OR-ed terms (words or "quoted phrases"), read as
    ``base.fts_query`` reads it: nothing typed is syntax, so no input can make the query fail."""
    groups: list[list[str]] = []
    joined = False
    for m in _TERM.finditer(text[:500]):
        phrase, word = m.group(1), m.group(2)
        if word == "OR" and groups and not joined:
            joined = True
            continue
        term = (phrase if phrase is not None else word).strip()
        if not (term and re.search(r"\w", term)):
            continue
        if joined:
            groups[-1].append(term)
        else:
            groups.append([term])
        joined = False
    return groups


def _tsquery(text: str, variants: Callable[[str], Sequence[str]] | None = None) -> tuple[str, list[Any]]:
    """SQL for the tsquery of a user's search text (with its arguments); ("", []) when it holds
    no word. As ``base.fts_query``: a word ending in ``*`` is a prefix, and ``variants`` gives a
    word's other spellings and names in other languages, any of which matches."""
    groups = search_groups(text)
    if not groups:
        return "", []
    sql: list[str] = []
    args: list[Any] = []
    for g in groups:
        alts: list[str] = []
        for term in g:
            folded = fold(term.rstrip("*")).split()
            if term.endswith("*") and len(folded) == 1 and len(folded[0]) >= 2:
                alts.append("to_tsquery('simple', %s)")
                args.append(folded[0] + ":*")
                continue
            for t in [term, *[x for x in (variants(term) if variants else ()) if x.lower() != term.lower()][:30]]:
                alts.append("phraseto_tsquery('simple', %s)")
                args.append(fold(t))
        sql.append("(" + " || ".join(alts) + ")")
    return " && ".join(sql), args


def _date(s: str | None) -> dt.date | None:
    return dt.date.fromisoformat(s) if s else None


def _iso(d: dt.date | None) -> str | None:
    return d.isoformat() if d else None


class PostgresStore:
    """A PostgreSQL database as the store (``open_store("postgresql://…")``)."""

    def __init__(self, url: str, *, readonly: bool = False) -> None:
        if psycopg is None:
            raise MissingDependency("psycopg (for PostgreSQL stores)", INSTALL_HINT)
        self.path = shown(url)  # for messages: the password masked
        self.url = url  # where it is (``storyline watch`` keeps its state beside the articles)
        self._depth = 0
        try:
            self._db = psycopg.connect(url, autocommit=True)
        except psycopg.Error as e:
            raise StoreError(f"{self.path}: cannot connect to PostgreSQL ({str(e).strip()})") from e
        try:
            if readonly:
                self._db.execute("SET default_transaction_read_only = on")
                if self._one("SELECT to_regclass('articles')") is None:
                    raise StoreError(
                        f"{self.path}: no storyline database there; run `storyline run INPUT --db URL` first"
                    )
                if self._one("SELECT to_regclass('schema_migrations')") is not None:
                    check_version(self.path, self._applied(), MIGRATIONS)
            else:
                self._migrate()
        except psycopg.Error as e:
            self._db.close()
            raise StoreError(f"{self.path}: cannot open the database ({str(e).strip()})") from e

    # --- transactions and migrations ----------------------------------------------------

    def _applied(self) -> int:
        return int(self._one("SELECT coalesce(max(version), 0) FROM schema_migrations"))

    def _migrate(self) -> None:
        with self._tx():  # the writer's lock: two processes opening at once migrate once
            self._db.execute(
                "CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL,"
                " applied_at TIMESTAMPTZ NOT NULL DEFAULT now())"
            )
            applied = self._applied()
            check_version(self.path, applied, MIGRATIONS)
            for m in pending(MIGRATIONS, applied):
                m.apply(self._db)
                self._db.execute("INSERT INTO schema_migrations (version, name) VALUES (%s, %s)", (m.version, m.name))

    def schema_version(self) -> int:
        return self._applied()

    @contextlib.contextmanager
    def _tx(self) -> Iterator[None]:
        """A transaction holding the writer's advisory lock (outermost) or a savepoint (nested)."""
        if self._depth:
            self._depth += 1
            try:
                with self._db.transaction():
                    yield
            finally:
                self._depth -= 1
            return
        self._depth = 1
        try:
            with self._db.transaction():
                self._db.execute("SELECT pg_advisory_xact_lock(%s, hashtext(current_schema()))", (LOCK_CLASS,))
                yield
        finally:
            self._depth = 0

    @contextlib.contextmanager
    def writer(self) -> Iterator[None]:
        try:
            with self._tx():
                yield
        except psycopg.Error as e:
            raise StoreError(f"{self.path}: the write failed ({str(e).strip()}); nothing of it was kept") from e

    def _one(self, sql: str, args: Sequence[Any] = ()) -> Any:
        row = self._db.execute(sql, args).fetchone()
        return None if row is None else row[0]

    def _rows(self, sql: str, args: Sequence[Any] = ()) -> list[dict[str, Any]]:
        with self._db.cursor(row_factory=dict_row) as cur:
            return cur.execute(sql, args).fetchall()

    def last_seq(self) -> int:
        return int(self._one("SELECT coalesce(max(seq), 0) FROM articles"))

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
            with self._tx(), self._db.cursor() as cur:
                seq = self.last_seq()
                change = self.last_change() + 1
                stored = self.known_ids(a.id for a in articles)
                new = list({a.id: a for a in articles if a.id not in stored}.values())
                cur.executemany(
                    "INSERT INTO articles (id, seq, title, body, lang, published, source, url, origin,"
                    " content_hash, removed, entities, dates_mentioned, numbers, vector, title_source, encoding,"
                    " input_key, changed) VALUES (%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s)"
                    " ON CONFLICT (id) DO NOTHING",
                    [(*self._article_row(a, seq + i + 1), change) for i, a in enumerate(new)],
                )
                cur.executemany(
                    "UPDATE articles SET event = %s, storyline = %s, changed = %s WHERE id = %s",
                    [(a.event, a.storyline, change, a.article_id) for a in assignments],
                )
                cur.executemany("DELETE FROM events WHERE id = %s", [(i,) for i in drop_events])
                cur.executemany("DELETE FROM storylines WHERE id = %s", [(i,) for i in drop_storylines])
                cur.executemany(
                    "INSERT INTO events (id, storyline, headline, lang, article_ids, languages, sources, first,"
                    " last, headlines) VALUES (%s,%s,%s,%s,%s,%s,%s,%s,%s,%s) ON CONFLICT (id) DO UPDATE SET"
                    " storyline = EXCLUDED.storyline, headline = EXCLUDED.headline, lang = EXCLUDED.lang,"
                    " article_ids = EXCLUDED.article_ids, languages = EXCLUDED.languages,"
                    " sources = EXCLUDED.sources, first = EXCLUDED.first, last = EXCLUDED.last,"
                    " headlines = EXCLUDED.headlines",
                    [
                        (
                            e.id,
                            e.storyline,
                            e.headline,
                            e.lang,
                            Jsonb(list(e.article_ids)),
                            Jsonb(list(e.languages)),
                            Jsonb(list(e.sources)),
                            _iso(e.first),
                            _iso(e.last),
                            Jsonb(dict(e.headlines)),
                        )
                        for e in events
                    ],
                )
                cur.executemany(
                    "INSERT INTO storylines (id, name, event_ids, article_count, languages, first, last, names)"
                    " VALUES (%s,%s,%s,%s,%s,%s,%s,%s) ON CONFLICT (id) DO UPDATE SET"
                    " name = EXCLUDED.name, event_ids = EXCLUDED.event_ids,"
                    " article_count = EXCLUDED.article_count, languages = EXCLUDED.languages,"
                    " first = EXCLUDED.first, last = EXCLUDED.last, names = EXCLUDED.names",
                    [
                        (
                            s.id,
                            s.name,
                            Jsonb(list(s.event_ids)),
                            s.article_count,
                            Jsonb(list(s.languages)),
                            _iso(s.first),
                            _iso(s.last),
                            Jsonb(dict(s.names)),
                        )
                        for s in storylines
                    ],
                )
                self._put_link_rows(cur, link_rows)
        except (psycopg.Error, TypeError, ValueError) as e:
            raise StoreError(
                f"{self.path}: could not write the batch ({str(e).strip()}); nothing of it was kept"
            ) from e

    @staticmethod
    def _put_link_rows(cur: Any, rows: Sequence[LinkRow]) -> None:
        cur.executemany(
            "INSERT INTO link_features (seq, id, outlet, signature, head, rest)"
            " SELECT seq, %s, %s, %s, %s, %s FROM articles WHERE id = %s ON CONFLICT (id) DO UPDATE SET"
            " outlet = EXCLUDED.outlet, signature = EXCLUDED.signature, head = EXCLUDED.head, rest = EXCLUDED.rest",
            [(i, outlet, sig, head, rest, i) for i, outlet, sig, head, rest in rows],
        )

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
            Jsonb(list(a.removed)),
            Jsonb(entity_rows(a.entities)),
            Jsonb([d.isoformat() for d in a.dates_mentioned]),
            Jsonb(list(a.numbers)),
            None if a.vector is None else np.asarray(a.vector, dtype=np.float32).tobytes(),
            a.title_source,
            a.encoding,
            a.input_key,
        )

    # --- the linker's state ---------------------------------------------------------------

    def link_features_version(self) -> str | None:
        return self._one("SELECT value FROM meta WHERE key = 'link_features'")

    def reset_link_features(self, version: str) -> None:
        try:
            with self._tx():
                self._db.execute("DELETE FROM link_features")
                self._db.execute(SET_META, ("link_features", version))
        except psycopg.Error as e:
            raise StoreError(f"{self.path}: could not reset the link features ({str(e).strip()})") from e

    def put_link_features(self, rows: Sequence[LinkRow]) -> None:
        try:
            with self._tx(), self._db.cursor() as cur:
                self._put_link_rows(cur, rows)
        except psycopg.Error as e:
            raise StoreError(f"{self.path}: could not write link features ({str(e).strip()})") from e

    def without_link_features(self) -> list[str]:
        rows = self._db.execute(
            "SELECT a.id FROM articles a WHERE NOT EXISTS (SELECT 1 FROM link_features f WHERE f.id = a.id)"
            " ORDER BY a.seq"
        ).fetchall()
        return [r[0] for r in rows]

    def unassigned(self) -> list[str]:
        return [r[0] for r in self._db.execute("SELECT id FROM articles WHERE event IS NULL ORDER BY seq").fetchall()]

    def last_change(self) -> int:
        """The change number of the last batch written (``changes_since``)."""
        return int(self._one("SELECT coalesce(max(changed), 0) FROM articles"))

    def changes_since(self, change: int) -> Iterator[tuple[str, str, str, bytes | None, bytes]]:
        """``link_state`` of the articles a batch inserted or re-assigned after ``change``."""
        rows = self._db.execute(
            changes_sql("%s"), (change,),
        ).fetchall()
        for aid, event, storyline, sig, head in rows:
            yield aid, event, storyline, None if sig is None else bytes(sig), bytes(head)

    def link_state(self) -> Iterator[tuple[str, str, str, bytes | None, bytes]]:
        """As in SQLite, read a page of rows at a time (keyset on ``seq``), so memory stays flat."""
        last = 0
        while True:
            rows = self._db.execute(
                "SELECT a.seq, a.id, a.event, a.storyline, f.signature, f.head FROM articles a"
                " JOIN link_features f ON f.seq = a.seq AND f.id = a.id"
                " WHERE a.event IS NOT NULL AND a.seq > %s ORDER BY a.seq LIMIT %s",
                (last, PAGE),
            ).fetchall()
            for seq, aid, event, storyline, sig, head in rows:
                last = seq
                yield aid, event, storyline, None if sig is None else bytes(sig), bytes(head)
            if len(rows) < PAGE:
                return

    def link_index(self, name: str) -> SavedIndex | None:
        q = "SELECT version, count, ids_hash, data FROM link_index WHERE name = %s"
        r = self._db.execute(q, (name,)).fetchone()
        return None if r is None else SavedIndex(r[0], int(r[1]), r[2], bytes(r[3]))

    def put_link_index(self, name: str, saved: SavedIndex) -> None:
        try:
            with self._tx():
                self._db.execute(
                    "INSERT INTO link_index VALUES (%s, %s, %s, %s, %s) ON CONFLICT (name) DO UPDATE SET"
                    " version = EXCLUDED.version, count = EXCLUDED.count, ids_hash = EXCLUDED.ids_hash,"
                    " data = EXCLUDED.data",
                    (name, saved.version, saved.count, saved.ids_hash, saved.data),
                )
        except psycopg.Error as e:
            raise StoreError(f"{self.path}: could not save the article index ({str(e).strip()})") from e

    def link_features(self, ids: Sequence[str], *, rest: bool = True) -> dict[str, tuple[bytes, bytes]]:
        if not rest:  # the rest stays in its TOAST table, unread
            rows = self._db.execute("SELECT id, head FROM link_features WHERE id = ANY(%s)", (list(ids),))
            return {r[0]: (bytes(r[1]), b"") for r in rows}
        rows = self._db.execute("SELECT id, head, rest FROM link_features WHERE id = ANY(%s)", (list(ids),))
        return {r[0]: (bytes(r[1]), bytes(r[2])) for r in rows}

    def recent_pages(self, per_outlet: int) -> Iterator[Article]:
        seqs = [
            r[0]
            for r in self._db.execute(
                "SELECT seq FROM (SELECT seq, row_number() OVER (PARTITION BY outlet ORDER BY seq DESC) AS rn"
                " FROM link_features WHERE outlet != '') t WHERE rn <= %s ORDER BY seq",
                (per_outlet,),
            ).fetchall()
        ]
        for i in range(0, len(seqs), PAGE):
            for r in self._rows("SELECT * FROM articles WHERE seq = ANY(%s) ORDER BY seq", (seqs[i : i + PAGE],)):
                yield self._article(r)

    # --- reading -------------------------------------------------------------------------

    def known_ids(self, ids: Iterable[str]) -> set[str]:
        ids = list(ids)
        if not ids:
            return set()
        return {r[0] for r in self._db.execute("SELECT id FROM articles WHERE id = ANY(%s)", (ids,))}

    def stored_vectors(self, keys: Sequence[str]) -> dict[str, np.ndarray]:
        """The stored vector of each encoder input key (``vectors.input_key``) some article has."""
        if not keys:
            return {}
        rows = self._db.execute(
            "SELECT input_key, vector FROM articles WHERE input_key = ANY(%s) AND vector IS NOT NULL", (list(keys),)
        )
        return {k: np.frombuffer(bytes(v), dtype=np.float32).copy() for k, v in rows}

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
                "id, seq, title, '' AS body, lang, published, source, url, origin, content_hash,"
                " '[]'::jsonb AS removed, entities, dates_mentioned, numbers, vector, event, storyline, title_source,"
                " encoding"
            )
        )
        where: list[str] = ["seq > %s"]
        args: list[Any] = []
        if ids is not None:
            where.append("id = ANY(%s)")
            args.append(list(ids))
        if event is not None:
            where.append("event = %s")
            args.append(event)
        if storyline is not None:
            where.append("storyline = %s")
            args.append(storyline)
        last = 0
        while True:  # a page at a time: exporting a million articles holds one page in memory
            rows = self._rows(
                f"SELECT {cols} FROM articles WHERE {' AND '.join(where)} ORDER BY seq LIMIT {PAGE}", [last, *args]
            )
            for r in rows:
                last = r["seq"]
                yield self._article(r)
            if len(rows) < PAGE:
                return

    @staticmethod
    def _article(r: dict[str, Any]) -> Article:
        vec = None if r["vector"] is None else np.frombuffer(bytes(r["vector"]), dtype=np.float32).copy()
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
            removed=tuple(r["removed"]),
            entities=read_entities(r["entities"]),
            dates_mentioned=tuple(dt.date.fromisoformat(d) for d in r["dates_mentioned"]),
            numbers=tuple(r["numbers"]),
            vector=vec,
            title_source=r["title_source"],
            encoding=r.get("encoding"),
            input_key=r.get("input_key"),
        )

    def assignments(self) -> list[Assignment]:
        rows = self._db.execute("SELECT id, event, storyline FROM articles WHERE event IS NOT NULL ORDER BY seq")
        return [Assignment(r[0], r[1], r[2]) for r in rows.fetchall()]

    def assignment(self, article_id: str) -> Assignment:
        r = self._db.execute("SELECT id, event, storyline FROM articles WHERE id = %s", (article_id,)).fetchone()
        if r is None:
            raise NotFound(f"no article {article_id!r} in {self.path}")
        return Assignment(r[0], r[1], r[2])

    @staticmethod
    def _event(r: dict[str, Any]) -> Event:
        return Event(
            id=r["id"],
            storyline=r["storyline"],
            headline=r["headline"],
            lang=r["lang"],
            article_ids=tuple(r["article_ids"]),
            languages=tuple(r["languages"]),
            sources=tuple(r["sources"]),
            first=_date(r["first"]),
            last=_date(r["last"]),
            headlines=tuple(sorted((r.get("headlines") or {}).items())),
        )

    @staticmethod
    def _storyline(r: dict[str, Any]) -> Storyline:
        return Storyline(
            id=r["id"],
            name=r["name"],
            event_ids=tuple(r["event_ids"]),
            article_count=r["article_count"],
            languages=tuple(r["languages"]),
            first=_date(r["first"]),
            last=_date(r["last"]),
            names=tuple(sorted((r.get("names") or {}).items())),
        )

    def events(self, *, storyline: str | None = None, ids: Sequence[str] | None = None) -> list[Event]:
        if ids is not None:
            rows = self._rows("SELECT * FROM events WHERE id = ANY(%s)", (list(ids),))
        elif storyline is not None:
            rows = self._rows("SELECT * FROM events WHERE storyline = %s", (storyline,))
        else:
            rows = self._rows("SELECT * FROM events")
        return sorted((self._event(r) for r in rows), key=lambda e: (e.first or dt.date.max, e.id))

    def event(self, ident: str) -> Event:
        rows = self._rows("SELECT * FROM events WHERE id = %s", (ident,))
        if not rows:
            raise NotFound(f"no event {ident!r} in {self.path}")
        return self._event(rows[0])

    def storylines(self) -> list[Storyline]:
        sls = [self._storyline(r) for r in self._rows("SELECT * FROM storylines")]
        return sorted(sls, key=lambda s: (-s.article_count, s.id))

    def storyline(self, ident: str) -> Storyline:
        rows = self._rows("SELECT * FROM storylines WHERE id = %s", (ident,))
        if not rows:
            raise NotFound(f"no storyline {ident!r} in {self.path}")
        return self._storyline(rows[0])

    def counts(self) -> dict[str, int]:
        return {t: int(self._one(f"SELECT count(*) FROM {t}")) for t in ("articles", "events", "storylines")}

    # --- browsing and search ----------------------------------------------------------------

    def _fts_seq(self) -> int:
        v = self._one("SELECT value FROM meta WHERE key = 'fts_seq'")
        return int(v) if v else 0

    def search_index_stale(self) -> bool:
        return self.last_seq() > self._fts_seq()

    def entity_names(self) -> list[tuple[str, str, str, int]]:
        """Every entity surface form in the store with its key and kind, and in how many
        articles: what search expands a query's names and places to (``Gadafi``, ``Kadhafi``…)."""
        rows = self._db.execute(
            "SELECT e->>0, e->>1, e->>2, count(DISTINCT a.seq) FROM articles a,"
            " jsonb_array_elements(a.entities) e GROUP BY 1, 2, 3"
        ).fetchall()
        return [(r[0], r[1], r[2], int(r[3])) for r in rows]

    def has_search_index(self) -> bool:
        """The search table is part of the schema (migration 2): always there, maybe behind."""
        return True

    def refresh_search_index(self) -> int:
        """Index the articles added since the last refresh (articles are only ever inserted, so
        the index follows ``seq``), their text folded in Python (``fold``)."""
        added = 0
        try:
            while True:
                with self._tx(), self._db.cursor() as cur:
                    done = self._fts_seq()
                    rows = cur.execute(
                        "SELECT seq, title, body FROM articles WHERE seq > %s ORDER BY seq LIMIT %s", (done, PAGE)
                    ).fetchall()
                    if not rows:
                        return added
                    cur.executemany(
                        "INSERT INTO articles_search VALUES (%s, setweight(to_tsvector('simple', %s), 'A')"
                        " || to_tsvector('simple', %s)) ON CONFLICT (seq) DO UPDATE SET tsv = EXCLUDED.tsv",
                        [(seq, fold(title), fold(body[:MAX_INDEXED_CHARS])) for seq, title, body in rows],
                    )
                    cur.execute(SET_META, ("fts_seq", str(rows[-1][0])))
                    added += len(rows)
        except psycopg.Error as e:
            raise StoreError(f"{self.path}: could not build the search index ({str(e).strip()})") from e

    @staticmethod
    def _filters(f: ArticleFilter) -> tuple[list[str], list[Any]]:
        return filter_sql(f, "%s", (
            "EXISTS (SELECT 1 FROM jsonb_array_elements(a.entities) j WHERE j->>0 = %s"
            ' OR lower((j->>2) COLLATE "C") = lower(%s COLLATE "C"))'
        ))

    def find_articles(
        self, f: ArticleFilter, *, limit: int = 20, offset: int = 0, order: str = "relevance"
    ) -> tuple[list[ArticleHit], int]:
        where, args = self._filters(f)
        pre: list[Any] = []
        fts = f.query is not None and f.query.strip() != ""
        if fts:
            tsq, qargs = _tsquery(f.query or "", f.variants)
            if not tsq:
                return [], 0
            src = f"articles_search s JOIN articles a ON a.seq = s.seq, (SELECT {tsq} AS q) q"
            pre = qargs
            where.insert(0, "s.tsv @@ q.q")
            snip = (
                "ts_headline('simple', left(a.body, 20000), q.q, 'StartSel=\"\x02\", StopSel=\"\x03\","
                " MaxWords=28, MinWords=12, MaxFragments=1, FragmentDelimiter=…')"
            )
            rank = "ts_rank(s.tsv, q.q) DESC"
        else:
            src = "articles a"
            snip = "substr(a.body, 1, 240)"
            rank = ""
        cond = ("WHERE " + " AND ".join(where)) if where else ""
        orders = {
            "relevance": f"{rank}, a.published DESC NULLS LAST"
            if fts
            else "a.published IS NULL, a.published DESC, a.seq DESC",
            "newest": "a.published IS NULL, a.published DESC, a.seq DESC",
            "oldest": "a.published IS NULL, a.published, a.seq",
        }
        try:
            total = self._one(
                f"SELECT count(*) FROM (SELECT 1 FROM {src} {cond} LIMIT {COUNT_CAP + 1}) t", [*pre, *args]
            )
            rows = self._db.execute(
                f"SELECT a.id, a.title, a.lang, a.published, a.source, a.event, a.storyline, {snip} AS snip, a.url"
                f" FROM {src} {cond} ORDER BY {orders.get(order, orders['relevance'])} LIMIT %s OFFSET %s",
                [*pre, *args, int(limit), int(offset)],
            ).fetchall()
        except psycopg.Error as e:
            raise StoreError(f"{self.path}: search failed ({str(e).strip()})") from e
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

    def facet_counts(self, f: ArticleFilter, field: str, limit: int = 50) -> list[tuple[str, int]]:
        exprs = {"lang": "a.lang", "source": "a.source", "month": "substr(a.published, 1, 7)", "day": "a.published"}
        if field not in exprs:
            raise ValueError(f"unknown facet {field!r}")
        where, args = self._filters(f)
        src, sample = "articles a", ""
        pre: list[Any] = []
        if f.query and f.query.strip():
            tsq, pre = _tsquery(f.query, f.variants)
            if not tsq:
                return []
            src = f"articles_search s JOIN articles a ON a.seq = s.seq, (SELECT {tsq} AS q) q"
            where.insert(0, "s.tsv @@ q.q")
            sample = f" LIMIT {FACET_SAMPLE}"
        where.append(f"{exprs[field]} IS NOT NULL")
        order = "k" if field in ("month", "day") else "n DESC, k"
        rows = self._db.execute(
            f"SELECT k, count(*) AS n FROM (SELECT {exprs[field]} AS k FROM {src} WHERE {' AND '.join(where)}"
            f"{sample}) t GROUP BY k ORDER BY {order} LIMIT %s",
            [*pre, *args, int(limit)],
        ).fetchall()
        return [(r[0], int(r[1])) for r in rows]

    def coverage(self, storyline: str) -> list[tuple[str | None, str, str | None, int]]:
        rows = self._db.execute(
            "SELECT published, lang, source, NULL, count(*) FROM articles WHERE storyline = %s"
            " AND source IS NOT NULL AND source != '' GROUP BY published, lang, source"
            " UNION ALL SELECT published, lang, NULL, url, 1 FROM articles WHERE storyline = %s"
            " AND (source IS NULL OR source = '')",
            (storyline, storyline),
        ).fetchall()
        return coverage_rows(tuple(r) for r in rows)

    def top_entities(
        self, *, storyline: str | None = None, event: str | None = None, limit: int = 30
    ) -> list[EntityRow]:
        col, val = ("storyline", storyline) if storyline is not None else ("event", event)
        rows = self._db.execute(
            "SELECT j->>0 AS k, j->>1 AS kind, j->>2 AS label, count(DISTINCT a.id) AS n"
            f" FROM articles a, jsonb_array_elements(a.entities) j WHERE a.{col} = %s"
            " AND jsonb_array_length(j) < 4 GROUP BY k, kind, label",  # shown chips only
            (val,),
        ).fetchall()
        return merge_entity_rows([(r[0], r[1], r[2], int(r[3])) for r in rows], limit)

    def storyline_page(
        self, *, lang: str | None = None, name: str | None = None, limit: int = 20, offset: int = 0,
        sort: str = "recent", min_articles: int = 1,
    ) -> tuple[list[Storyline], int]:
        where: list[str] = []
        args: list[Any] = []
        if lang is not None:
            where.append("s.languages @> jsonb_build_array(%s::text)")
            args.append(lang)
        if name:
            where.append("strpos(lower(s.name), lower(%s)) > 0")
            args.append(name)
        if min_articles > 1:
            where.append("s.article_count >= %s")
            args.append(int(min_articles))
        order = storyline_order(sort, "jsonb_array_length(s.languages)")
        cond = ("WHERE " + " AND ".join(where)) if where else ""
        total = self._one(f"SELECT count(*) FROM storylines s {cond}", args)
        rows = self._rows(
            f"SELECT * FROM storylines s {cond} ORDER BY {order}"
            " LIMIT %s OFFSET %s",
            [*args, int(limit), int(offset)],
        )
        return [self._storyline(r) for r in rows], int(total)

    def outlets_of(self, storylines: Sequence[str]) -> dict[str, list[str]]:
        rows = self._db.execute(
            "SELECT storyline, source, NULL, count(*) FROM articles WHERE storyline = ANY(%s)"
            " AND source IS NOT NULL AND source != '' GROUP BY storyline, source"
            " UNION ALL SELECT storyline, NULL, url, 1 FROM articles WHERE storyline = ANY(%s)"
            " AND (source IS NULL OR source = '') AND url IS NOT NULL AND url != ''",
            (list(storylines), list(storylines)),
        ).fetchall()
        return ranked_outlets([tuple(r) for r in rows], storylines)

    def event_page(self, *, storyline: str | None = None, limit: int = 50, offset: int = 0) -> tuple[list[Event], int]:
        cond, args = ("WHERE storyline = %s", [storyline]) if storyline is not None else ("", [])
        order = "first IS NULL, first, id" if storyline is not None else "last IS NULL, last DESC, id"
        total = self._one(f"SELECT count(*) FROM events {cond}", args)
        rows = self._rows(
            f"SELECT * FROM events {cond} ORDER BY {order} LIMIT %s OFFSET %s", [*args, int(limit), int(offset)]
        )
        return [self._event(r) for r in rows], int(total)

    def close(self) -> None:
        self._db.close()


__all__ = ["INSTALL_HINT", "PostgresStore", "fold", "search_groups"]
