"""What ``storyline watch`` remembers between passes and across restarts, kept in the same SQLite
file as the articles (its own tables, its own connection).

- ``watch_sources``: each source of the sources file, its feeds found on its home page, and its
  record (last poll, last new article, articles, errors and the last error's reason).
- ``watch_listings``: each feed or sitemap polled, with its validators (ETag, Last-Modified), so an
  unchanged one costs a 304.
- ``watch_pages``: the URL frontier and the URLs seen, by normalised key (``urls.key``). A page is
  ``queued`` when a listing names it, ``fetched`` once its bytes are here, ``done`` once the
  pipeline has stored it (or said why not), ``failed`` when it cannot be fetched. The bytes are
  kept until the page is ``done``, so a kill between fetching and storing loses nothing and
  fetches nothing again; a listing's new items and its validators are written in one transaction,
  so a kill never skips an item.
- ``watch_log``: every fetch that went wrong, with its reason, by source.
"""

from __future__ import annotations

import json
import sqlite3
import threading
import time
import zlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from storyline.errors import StoreError, UsageError

SCHEMA = """
CREATE TABLE IF NOT EXISTS watch_sources (
    url TEXT PRIMARY KEY,
    name TEXT,
    lang TEXT,
    interval REAL NOT NULL,
    kind TEXT,
    feeds TEXT NOT NULL DEFAULT '[]',
    next_poll REAL NOT NULL DEFAULT 0,
    first_poll REAL,
    last_poll REAL,
    last_ok REAL,
    last_new REAL,
    articles INTEGER NOT NULL DEFAULT 0,
    errors INTEGER NOT NULL DEFAULT 0,
    last_error TEXT
);
CREATE TABLE IF NOT EXISTS watch_listings (
    url TEXT PRIMARY KEY,
    source TEXT NOT NULL,
    kind TEXT,
    etag TEXT,
    last_modified TEXT,
    last_fetch REAL,
    last_status TEXT
);
CREATE TABLE IF NOT EXISTS watch_pages (
    key TEXT PRIMARY KEY,
    url TEXT NOT NULL,
    source TEXT NOT NULL,
    title TEXT,
    published TEXT,
    lang TEXT,
    state TEXT NOT NULL,
    added REAL NOT NULL,
    updated REAL NOT NULL,
    tries INTEGER NOT NULL DEFAULT 0,
    reason TEXT,
    final_url TEXT,
    content_type TEXT,
    body BLOB,
    fetched TEXT,
    article_id TEXT
);
CREATE INDEX IF NOT EXISTS watch_pages_state ON watch_pages(state, added);
CREATE TABLE IF NOT EXISTS watch_log (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    at REAL NOT NULL,
    source TEXT NOT NULL,
    url TEXT NOT NULL,
    outcome TEXT NOT NULL,
    reason TEXT
);
CREATE INDEX IF NOT EXISTS watch_log_source ON watch_log(source, seq);
"""


@dataclass(frozen=True)
class Page:
    """A page of the frontier, as stored."""

    key: str
    url: str
    source: str
    title: str | None
    published: str | None
    lang: str | None
    state: str
    tries: int = 0
    final_url: str | None = None
    content_type: str | None = None
    body: bytes | None = None
    fetched: str | None = None


@dataclass(frozen=True)
class SourceState:
    url: str
    name: str | None
    lang: str | None
    interval: float
    kind: str | None
    feeds: tuple[str, ...]
    next_poll: float
    first_poll: float | None
    last_poll: float | None
    last_ok: float | None
    last_new: float | None
    articles: int
    errors: int
    last_error: str | None


class WatchState:
    """Thread-safe (one connection, one lock): fetch threads record pages as they come."""

    def __init__(self, path: str | Path) -> None:
        if str(path).startswith(("postgresql://", "postgres://")):
            raise UsageError("watch keeps its state in a SQLite file for now; pass --db PATH.db")
        self.path = str(path)
        self._lock = threading.Lock()
        try:
            Path(path).parent.mkdir(parents=True, exist_ok=True)
            self._db = sqlite3.connect(str(path), check_same_thread=False, timeout=60)
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute("PRAGMA synchronous=NORMAL")
            self._db.executescript(SCHEMA)
            self._db.commit()
        except sqlite3.DatabaseError as e:
            raise StoreError(f"{path}: cannot open the database ({e}); is it a storyline database?") from e
        self._db.row_factory = sqlite3.Row

    def close(self) -> None:
        with self._lock:
            self._db.close()

    def _write(self, sql: str, args: Sequence[Any] = ()) -> None:
        with self._lock, self._db:
            self._db.execute(sql, args)

    # --- sources ----------------------------------------------------------------------------

    def put_source(self, url: str, name: str | None, lang: str | None, interval: float) -> None:
        """A source as the sources file says now (a changed interval takes effect at once)."""
        with self._lock, self._db:
            old = self._db.execute("SELECT interval, next_poll FROM watch_sources WHERE url = ?", (url,)).fetchone()
            if old is None:
                self._db.execute(
                    "INSERT INTO watch_sources (url, name, lang, interval) VALUES (?, ?, ?, ?)",
                    (url, name, lang, interval),
                )
            else:
                nxt = min(old["next_poll"], time.time() + interval) if interval != old["interval"] else old["next_poll"]
                self._db.execute(
                    "UPDATE watch_sources SET name = ?, lang = ?, interval = ?, next_poll = ? WHERE url = ?",
                    (name, lang, interval, nxt, url),
                )

    def sources(self, urls: Iterable[str] | None = None) -> list[SourceState]:
        with self._lock:
            rows = self._db.execute("SELECT * FROM watch_sources ORDER BY url").fetchall()
        wanted = set(urls) if urls is not None else None
        return [
            SourceState(
                r["url"],
                r["name"],
                r["lang"],
                r["interval"],
                r["kind"],
                tuple(json.loads(r["feeds"])),
                r["next_poll"],
                r["first_poll"],
                r["last_poll"],
                r["last_ok"],
                r["last_new"],
                r["articles"],
                r["errors"],
                r["last_error"],
            )
            for r in rows
            if wanted is None or r["url"] in wanted
        ]

    def polled(
        self, url: str, *, ok: bool, error: str | None, kind: str | None, feeds: Sequence[str] | None, next_poll: float
    ) -> None:
        now = time.time()
        with self._lock, self._db:
            self._db.execute(
                "UPDATE watch_sources SET first_poll = coalesce(first_poll, ?), last_poll = ?, next_poll = ?,"
                " last_ok = CASE WHEN ? THEN ? ELSE last_ok END,"
                " kind = coalesce(?, kind), feeds = coalesce(?, feeds),"
                " errors = errors + ?, last_error = CASE WHEN ? IS NULL THEN last_error ELSE ? END WHERE url = ?",
                (
                    now,
                    now,
                    next_poll,
                    ok,
                    now,
                    kind,
                    None if feeds is None else json.dumps(list(feeds)),
                    1 if error else 0,
                    error,
                    error,
                    url,
                ),
            )

    def source_error(self, source: str, url: str, outcome: str, reason: str) -> None:
        """An error against a source, with its reason (the source's record and the log)."""
        with self._lock, self._db:
            self._db.execute(
                "INSERT INTO watch_log (at, source, url, outcome, reason) VALUES (?, ?, ?, ?, ?)",
                (time.time(), source, url, outcome, reason),
            )
            self._db.execute(
                "UPDATE watch_sources SET errors = errors + 1, last_error = ? WHERE url = ?",
                (f"{url}: {reason}", source),
            )

    def log(self, source: str | None = None, limit: int = 100) -> list[dict[str, Any]]:
        where, args = ("WHERE source = ?", [source]) if source else ("", [])
        with self._lock:
            rows = self._db.execute(
                f"SELECT at, source, url, outcome, reason FROM watch_log {where} ORDER BY seq DESC LIMIT ?",
                [*args, limit],
            ).fetchall()
        return [dict(r) for r in rows]

    # --- listings -----------------------------------------------------------------------------

    def validators(self, url: str) -> tuple[str | None, str | None]:
        with self._lock:
            r = self._db.execute("SELECT etag, last_modified FROM watch_listings WHERE url = ?", (url,)).fetchone()
        return (r["etag"], r["last_modified"]) if r else (None, None)

    def listed(
        self,
        url: str,
        source: str,
        kind: str | None,
        status: str,
        etag: str | None,
        last_modified: str | None,
        items: Sequence[tuple[str, str, str | None, str | None, str | None]] = (),
    ) -> int:
        """A listing was read: its new items (key, url, title, published, lang) join the frontier
        and its validators are kept, in one transaction. Returns how many items were new."""
        now = time.time()
        with self._lock, self._db:
            before = self._db.total_changes
            self._db.executemany(
                "INSERT OR IGNORE INTO watch_pages (key, url, source, title, published, lang, state, added, updated)"
                " VALUES (?, ?, ?, ?, ?, ?, 'queued', ?, ?)",
                [(k, u, source, t, p, lg, now, now) for k, u, t, p, lg in items],
            )
            new = self._db.total_changes - before
            self._db.execute(
                "INSERT INTO watch_listings (url, source, kind, etag, last_modified, last_fetch, last_status)"
                " VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT(url) DO UPDATE SET source = excluded.source,"
                " kind = coalesce(excluded.kind, kind), etag = coalesce(excluded.etag, etag),"
                " last_modified = coalesce(excluded.last_modified, last_modified),"
                " last_fetch = excluded.last_fetch, last_status = excluded.last_status",
                (url, source, kind, etag, last_modified, now, status),
            )
        return new

    # --- pages --------------------------------------------------------------------------------

    @staticmethod
    def _page(r: sqlite3.Row) -> Page:
        body = r["body"]
        return Page(
            r["key"],
            r["url"],
            r["source"],
            r["title"],
            r["published"],
            r["lang"],
            r["state"],
            r["tries"],
            r["final_url"],
            r["content_type"],
            zlib.decompress(body) if body else None,
            r["fetched"],
        )

    def pages(self, state: str, limit: int = 100_000, with_body: bool = False) -> list[Page]:
        cols = (
            "*"
            if with_body
            else "key, url, source, title, published, lang, state, tries, final_url,"
            " content_type, NULL AS body, fetched"
        )
        with self._lock:
            rows = self._db.execute(
                f"SELECT {cols} FROM watch_pages WHERE state = ? ORDER BY added, key LIMIT ?", (state, limit)
            ).fetchall()
        return [self._page(r) for r in rows]

    def state_of(self, key: str) -> str | None:
        with self._lock:
            r = self._db.execute("SELECT state FROM watch_pages WHERE key = ?", (key,)).fetchone()
        return r[0] if r else None

    def fetched(self, key: str, final_url: str, content_type: str | None, body: bytes, when: str) -> None:
        self._write(
            "UPDATE watch_pages SET state = 'fetched', final_url = ?, content_type = ?, body = ?, fetched = ?,"
            " tries = tries + 1, updated = ? WHERE key = ?",
            (final_url, content_type, zlib.compress(body, 6), when, time.time(), key),
        )

    def failed(self, key: str, reason: str, *, again: bool) -> None:
        """A page could not be fetched; ``again``: the reason may pass (a timeout, a 503), so it
        stays queued for the next pass."""
        self._write(
            "UPDATE watch_pages SET state = ?, reason = ?, tries = tries + 1, updated = ? WHERE key = ?",
            ("queued" if again else "failed", reason, time.time(), key),
        )

    def done(self, key: str, article_id: str | None, reason: str | None, aliases: Sequence[str] = ()) -> None:
        """The pipeline has the page (``article_id``) or said why not (``reason``); its bytes go.
        ``aliases``: other keys of the same page (its canonical address), seen from now on."""
        now = time.time()
        with self._lock, self._db:
            self._db.execute(
                "UPDATE watch_pages SET state = 'done', body = NULL, article_id = ?, reason = ?, updated = ?"
                " WHERE key = ?",
                (article_id, reason, now, key),
            )
            row = self._db.execute("SELECT url, source FROM watch_pages WHERE key = ?", (key,)).fetchone()
            for alias in aliases:
                self._db.execute(
                    "UPDATE watch_pages SET state = 'done', body = NULL, article_id = ?, reason = ?, updated = ?"
                    " WHERE key = ? AND state = 'queued'",
                    (article_id, f"the same page as {key}", now, alias),
                )
                self._db.execute(
                    "INSERT OR IGNORE INTO watch_pages (key, url, source, state, added, updated, article_id, reason)"
                    " VALUES (?, ?, ?, 'done', ?, ?, ?, ?)",
                    (alias, alias, row["source"] if row else "", now, now, article_id, f"the same page as {key}"),
                )

    def credit(self, source: str, articles: int) -> None:
        if articles:
            self._write(
                "UPDATE watch_sources SET articles = articles + ?, last_new = ? WHERE url = ?",
                (articles, time.time(), source),
            )

    def stored_per_source(self, since: float) -> dict[str, int]:
        """Articles stored per source since ``since`` (a Unix time)."""
        with self._lock:
            rows = self._db.execute(
                "SELECT source, count(*) FROM watch_pages WHERE state = 'done' AND article_id IS NOT NULL"
                " AND reason IS NULL AND updated >= ? GROUP BY source",
                (since,),
            ).fetchall()
        return {r[0]: r[1] for r in rows}

    def new_since(self, since: float, limit: int = 20) -> tuple[list[tuple[str, str, float]], int]:
        """Articles the watcher stored after ``since`` (a Unix time), newest first, as
        (article id, source, stored at), and how many there are."""
        where = "state = 'done' AND article_id IS NOT NULL AND reason IS NULL AND updated > ?"
        with self._lock:
            total = self._db.execute(f"SELECT count(*) FROM watch_pages WHERE {where}", (since,)).fetchone()[0]
            rows = self._db.execute(
                f"SELECT article_id, source, updated FROM watch_pages WHERE {where} ORDER BY updated DESC LIMIT ?",
                (since, limit),
            ).fetchall()
        return [(r[0], r[1], r[2]) for r in rows], total

    def counts(self) -> dict[str, int]:
        with self._lock:
            rows = self._db.execute("SELECT state, count(*) FROM watch_pages GROUP BY state").fetchall()
        return {r[0]: r[1] for r in rows}
