"""SQLite store: one file, WAL journal, one transaction per batch."""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from storyline.errors import NotFound, StoreError
from storyline.models import Article, Assignment, Entity, Event, Storyline

SCHEMA_VERSION = 1

SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT);
CREATE TABLE IF NOT EXISTS articles (
    id TEXT PRIMARY KEY,
    seq INTEGER NOT NULL,
    title TEXT NOT NULL,
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
    storyline TEXT
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
"""


def _date(s: str | None) -> dt.date | None:
    return dt.date.fromisoformat(s) if s else None


def _iso(d: dt.date | None) -> str | None:
    return d.isoformat() if d else None


class SQLiteStore:
    def __init__(self, path: str | Path, *, readonly: bool = False) -> None:
        self.path = str(path)
        try:
            if readonly:
                if not Path(path).exists():
                    raise StoreError(f"{path}: no such database; run `storyline run INPUT --db {path}` first")
                self._db = sqlite3.connect(f"file:{path}?mode=ro", uri=True, check_same_thread=False)
            else:
                Path(path).parent.mkdir(parents=True, exist_ok=True)
                self._db = sqlite3.connect(str(path), check_same_thread=False)
                self._db.execute("PRAGMA journal_mode=WAL")
                self._db.execute("PRAGMA synchronous=NORMAL")
                self._db.executescript(SCHEMA)
                self._db.execute(
                    "INSERT OR IGNORE INTO meta VALUES ('schema_version', ?)", (str(SCHEMA_VERSION),)
                )
                self._db.commit()
            self._db.row_factory = sqlite3.Row
            self._db.execute("SELECT count(*) FROM articles").fetchone()
        except sqlite3.DatabaseError as e:
            raise StoreError(f"{path}: cannot open the database ({e}); is it a storyline database?") from e

    # --- writing -------------------------------------------------------------------------

    def write_batch(
        self,
        articles: Sequence[Article],
        assignments: Sequence[Assignment],
        events: Sequence[Event],
        storylines: Sequence[Storyline],
        drop_events: Sequence[str] = (),
        drop_storylines: Sequence[str] = (),
    ) -> None:
        try:
            with self._db:  # one transaction: all of it or none of it
                seq = self._db.execute("SELECT coalesce(max(seq), 0) FROM articles").fetchone()[0]
                self._db.executemany(
                    "INSERT OR IGNORE INTO articles (id, seq, title, body, lang, published, source, url, origin,"
                    " content_hash, removed, entities, dates_mentioned, numbers, vector)"
                    " VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
                    [self._article_row(a, seq + i + 1) for i, a in enumerate(articles)],
                )
                self._db.executemany(
                    "UPDATE articles SET event = ?, storyline = ? WHERE id = ?",
                    [(a.event, a.storyline, a.article_id) for a in assignments],
                )
                self._db.executemany("DELETE FROM events WHERE id = ?", [(i,) for i in drop_events])
                self._db.executemany("DELETE FROM storylines WHERE id = ?", [(i,) for i in drop_storylines])
                self._db.executemany(
                    "INSERT OR REPLACE INTO events VALUES (?,?,?,?,?,?,?,?,?)",
                    [
                        (e.id, e.storyline, e.headline, e.lang, json.dumps(e.article_ids),
                         json.dumps(e.languages), json.dumps(e.sources), _iso(e.first), _iso(e.last))
                        for e in events
                    ],
                )
                self._db.executemany(
                    "INSERT OR REPLACE INTO storylines VALUES (?,?,?,?,?,?,?)",
                    [
                        (s.id, s.name, json.dumps(s.event_ids), s.article_count, json.dumps(s.languages),
                         _iso(s.first), _iso(s.last))
                        for s in storylines
                    ],
                )
        except sqlite3.DatabaseError as e:
            raise StoreError(f"{self.path}: could not write the batch ({e}); nothing of it was kept") from e

    @staticmethod
    def _article_row(a: Article, seq: int) -> tuple[Any, ...]:
        return (
            a.id, seq, a.title, a.body, a.lang, _iso(a.published), a.source, a.url, a.origin,
            a.content_hash, json.dumps(list(a.removed), ensure_ascii=False),
            json.dumps([[e.key, e.kind, e.text] for e in a.entities], ensure_ascii=False),
            json.dumps([d.isoformat() for d in a.dates_mentioned]),
            json.dumps(list(a.numbers)),
            None if a.vector is None else np.asarray(a.vector, dtype=np.float32).tobytes(),
        )

    # --- reading -------------------------------------------------------------------------

    def known_ids(self, ids: Iterable[str]) -> set[str]:
        ids = list(ids)
        found: set[str] = set()
        for i in range(0, len(ids), 500):
            chunk = ids[i : i + 500]
            q = f"SELECT id FROM articles WHERE id IN ({','.join('?' * len(chunk))})"
            found.update(r[0] for r in self._db.execute(q, chunk))
        return found

    def articles(
        self,
        *,
        ids: Sequence[str] | None = None,
        event: str | None = None,
        storyline: str | None = None,
        with_body: bool = True,
    ) -> Iterator[Article]:
        cols = "*" if with_body else (
            "id, seq, title, '' AS body, lang, published, source, url, origin, content_hash, '[]' AS removed,"
            " entities, dates_mentioned, numbers, vector, event, storyline"
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
            id=r["id"], title=r["title"], body=r["body"], lang=r["lang"], published=_date(r["published"]),
            source=r["source"], url=r["url"], origin=r["origin"] or "", content_hash=r["content_hash"] or "",
            removed=tuple(json.loads(r["removed"])),
            entities=tuple(Entity(k, kind, t) for k, kind, t in json.loads(r["entities"])),
            dates_mentioned=tuple(dt.date.fromisoformat(d) for d in json.loads(r["dates_mentioned"])),
            numbers=tuple(json.loads(r["numbers"])),
            vector=vec,
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
            id=r["id"], storyline=r["storyline"], headline=r["headline"], lang=r["lang"],
            article_ids=tuple(json.loads(r["article_ids"])), languages=tuple(json.loads(r["languages"])),
            sources=tuple(json.loads(r["sources"])), first=_date(r["first"]), last=_date(r["last"]),
        )

    @staticmethod
    def _storyline(r: sqlite3.Row) -> Storyline:
        return Storyline(
            id=r["id"], name=r["name"], event_ids=tuple(json.loads(r["event_ids"])),
            article_count=r["article_count"], languages=tuple(json.loads(r["languages"])),
            first=_date(r["first"]), last=_date(r["last"]),
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

    def close(self) -> None:
        self._db.close()
