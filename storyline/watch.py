"""``storyline watch``: follow feeds, sitemaps and sites, and hand each new page to the Pipeline.

A shell-level driver: it reads the sources file, asks ``fetch`` for listings and pages, asks
``sources`` to read them, keeps its memory in ``store.watchstate`` and lets ``Pipeline.follow``
do the rest exactly as for files. One pass:

1. pages fetched before a crash but not yet stored are stored (nothing lost);
2. every source that is due is polled: its feed or sitemap with the validators of the last poll
   (an unchanged one costs a 304), a sitemap index through its sitemaps, a home page through the
   feeds it names (or the common feed paths); new items join the frontier with their validators
   in one transaction;
3. the frontier is fetched, one thread per host (politeness is the fetcher's), and every page is
   stored in batches as it arrives, with the listing's title, date and language and the source's
   name.

Errors (a dead feed, a 404, broken XML, a slow or huge page, a redirect loop, a PDF) are recorded
against their source with the reason, and the pass goes on.
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import re
import threading
import time
import tomllib
from collections import defaultdict
from collections.abc import Callable, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from storyline import urls
from storyline.errors import FetchError, InputError, UsageError
from storyline.fetch import Fetcher, FetchOptions
from storyline.models import RawArticle, Rejected
from storyline.pipeline import Follower, Pipeline
from storyline.sources.feeds import COMMON_PATHS, FEED_TYPES, Listing, parse_listing
from storyline.sources.pages import HTML_TYPES, page_article
from storyline.store import Store
from storyline.store.watchstate import Page, SourceState, WatchState

DEFAULT_INTERVAL = 15 * 60.0
MAX_TRIES = 3  # a page that failed for a passing reason (timeout, 5xx, 429) is tried this often
MAX_SITEMAPS = 100  # sitemaps of one index polled per pass
RETRYABLE = {"timeout", "connection", "busy", "slow", "server"}
# While following, a pass stops fetching pages after this long and polls the sources that came
# due: a sitemap of 50,000 pages at one request a second must not keep a feed from its poll.
PASS_BUDGET = 300.0
_DURATION = re.compile(
    r"(?i)^\s*(?:(\d+(?:\.\d+)?)\s*d)?\s*(?:(\d+(?:\.\d+)?)\s*h)?\s*(?:(\d+(?:\.\d+)?)\s*m)?"
    r"\s*(?:(\d+(?:\.\d+)?)\s*s)?\s*$"
)


@dataclass(frozen=True)
class Source:
    url: str
    name: str | None = None
    lang: str | None = None
    interval: float = DEFAULT_INTERVAL


@dataclass(frozen=True)
class WatchConfig:
    sources: tuple[Source, ...]
    fetch: FetchOptions = field(default_factory=FetchOptions)
    concurrency: int = 8  # hosts fetched at once


def parse_interval(value: Any, where: str) -> float:
    """``"15m"``, ``"1h30m"``, ``"90s"``, ``"1d"`` or a number of seconds."""
    if isinstance(value, bool):
        raise UsageError(f'{where}: interval must be a duration such as "15m", not {value!r}')
    if isinstance(value, int | float):
        seconds = float(value)
    else:
        m = _DURATION.match(str(value))
        if not m or not any(m.groups()):
            raise UsageError(f'{where}: interval {value!r} is not a duration (write "90s", "15m", "1h" or "1d")')
        d, h, mi, s = (float(x) if x else 0.0 for x in m.groups())
        seconds = d * 86400 + h * 3600 + mi * 60 + s
    if seconds < 1:
        raise UsageError(f"{where}: interval must be at least 1 s")
    return seconds


_SOURCE_KEYS = {"url", "name", "lang", "interval"}
_WATCH_KEYS = {f.name for f in dataclasses.fields(FetchOptions)} | {"concurrency", "max_page_mb"}


def load_sources(path: str | Path) -> WatchConfig:
    """The sources file (CONTRACT.md): ``[[source]]`` tables, and an optional ``[watch]`` table
    of fetch settings (``delay``, ``timeout``, ``user_agent``, ``max_page_mb``, ``concurrency``…).
    Every mistake is a UsageError naming the file, the source and the fix."""
    p = Path(path)
    try:
        data = tomllib.loads(p.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise UsageError(f"{p}: no such sources file") from None
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as e:
        raise UsageError(f"{p}: cannot read the sources file ({e})") from e
    unknown = set(data) - {"source", "watch"}
    if unknown:
        raise UsageError(f"{p}: unknown table {sorted(unknown)[0]!r}; expected [[source]] and optionally [watch]")
    raw_sources = data.get("source", [])
    if not isinstance(raw_sources, list) or not raw_sources:
        raise UsageError(f'{p}: no sources; add [[source]] tables with url = "https://…"')
    sources: dict[str, Source] = {}
    for i, s in enumerate(raw_sources, start=1):
        where = f"{p}: source {i}"
        if not isinstance(s, dict):
            raise UsageError(f"{where}: expected a [[source]] table")
        bad = set(s) - _SOURCE_KEYS
        if bad:
            raise UsageError(f"{where}: unknown key {sorted(bad)[0]!r}; known: url, name, lang, interval")
        url = urls.normalise(str(s.get("url", "")))
        if not url:
            raise UsageError(f"{where}: url must be an http:// or https:// address, not {s.get('url')!r}")
        name = str(s["name"]).strip() if s.get("name") else None
        lang = str(s["lang"]).strip().lower() if s.get("lang") else None
        interval = parse_interval(s.get("interval", DEFAULT_INTERVAL), where)
        sources[url] = Source(url, name, lang, interval)
    opts = data.get("watch", {})
    if not isinstance(opts, dict):
        raise UsageError(f"{p}: [watch] must be a table")
    bad = set(opts) - _WATCH_KEYS
    if bad:
        raise UsageError(f"{p}: [watch] unknown setting {sorted(bad)[0]!r}; known: {', '.join(sorted(_WATCH_KEYS))}")
    kw = dict(opts)
    concurrency = int(kw.pop("concurrency", 8))
    if "max_page_mb" in kw:
        kw["max_bytes"] = int(float(kw.pop("max_page_mb")) * 1024 * 1024)
    try:
        fetch = FetchOptions(**kw)
    except TypeError as e:
        raise UsageError(f"{p}: [watch] {e}") from e
    if fetch.delay < 0 or concurrency < 1:
        raise UsageError(f"{p}: [watch] delay must be ≥ 0 and concurrency ≥ 1")
    return WatchConfig(tuple(sources.values()), fetch, concurrency)


@dataclass
class PassSummary:
    polled: int = 0
    unchanged: int = 0  # listings answered 304
    new_pages: int = 0
    fetched: int = 0
    added: int = 0
    skipped: int = 0  # pages already stored (the same page under another address)
    rejected: int = 0  # pages that are not articles
    errors: list[str] = field(default_factory=list)
    requests: int = 0
    seconds: float = 0.0
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False, compare=False)

    def add(self, name: str, n: int = 1) -> None:
        """Count from any of the pass's threads."""
        with self._lock:
            setattr(self, name, getattr(self, name) + n)


def _now_iso() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")


class Watcher:
    """Follows the sources of one file into one store. ``run_pass`` is one pass; ``run`` polls
    until ``stop`` is set, re-reading the sources file when it changes."""

    def __init__(
        self,
        pipeline: Pipeline,
        sources_file: str | Path,
        *,
        store: Store | None = None,
        say: Callable[[str], None] | None = None,
        stop: threading.Event | None = None,
        write_lock: threading.Lock | None = None,
        on_stored: Callable[[int], None] | None = None,
    ) -> None:
        """``write_lock``: the lock of a store others write too (``serve --watch``); then the
        linker is read from the store for every batch, since others may have added articles.
        ``on_stored``: called with the number of articles added after each batch."""
        self.pipe = pipeline
        self.sources_file = Path(sources_file)
        self.config = load_sources(self.sources_file)
        self._mtime = self._stat()
        self.store = store or pipeline.open_store()
        self._own_store = store is None
        # Beside the articles: the SQLite file, or the PostgreSQL database (its real URL).
        self.state = WatchState(getattr(self.store, "url", self.store.path))
        self.say = say or (lambda _m: None)
        self.stop = stop or threading.Event()
        self.fetcher = Fetcher(self.config.fetch)
        self._follower: Follower | None = None
        self.write_lock = write_lock
        self.on_stored = on_stored
        self._deadline: float | None = None
        self._failed_sources: set[str] = set()  # sources with an error in this poll (any thread)
        self._sync_sources()

    def close(self) -> None:
        self.fetcher.close()
        self.state.close()
        if self._own_store:
            self.store.close()

    def __enter__(self) -> Watcher:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # --- the sources file --------------------------------------------------------------------

    def _stat(self) -> float:
        try:
            return self.sources_file.stat().st_mtime
        except OSError:
            return 0.0

    def _sync_sources(self) -> None:
        for s in self.config.sources:
            self.state.put_source(s.url, s.name, s.lang, s.interval)

    def reload_if_changed(self) -> bool:
        """Re-read the sources file when it changed; a file broken mid-edit keeps the sources
        followed so far (and says why)."""
        mtime = self._stat()
        if mtime == self._mtime:
            return False
        self._mtime = mtime
        try:
            config = load_sources(self.sources_file)
        except UsageError as e:
            self.say(f"sources file not re-read: {e}; following the previous sources")
            return False
        if config.fetch != self.config.fetch:
            self.fetcher.close()
            self.fetcher = Fetcher(config.fetch)
        self.config = config
        self._sync_sources()
        self.say(f"sources file re-read: {len(config.sources)} sources")
        return True

    # --- a pass --------------------------------------------------------------------------------

    def run(self, once: bool = False, *, resilient: bool = False) -> list[PassSummary]:
        """Poll until stopped (or once). Returns the summaries of the passes made.
        ``resilient``: a pass that fails unexpectedly is reported and the next one tried a
        minute later (a server's follower must not die silently in its thread)."""
        done: list[PassSummary] = []
        while not self.stop.is_set():
            self.reload_if_changed()
            try:
                summary = self.run_pass(budget=None if once else PASS_BUDGET)
            except Exception as e:
                if not resilient or once:
                    raise
                self.say(f"pass failed: {type(e).__name__}: {e}; trying again in a minute")
                self.stop.wait(60)
                continue
            done.append(summary)
            self.say(f"pass {len(done)}: {describe(summary)}")
            for problem in summary.errors:
                self.say(f"error {problem}")
            if once:
                break
            self.stop.wait(self.until_due())
        return done

    def until_due(self) -> float:
        """Seconds to sleep: until the next source is due, waking at least every 5 s to notice
        an edited sources file or a stop."""
        wanted = {s.url for s in self.config.sources}
        due = [s.next_poll for s in self.state.sources(wanted)]
        return max(0.2, min(5.0, (min(due) if due else time.time() + 5) - time.time()))

    def run_pass(self, *, force: bool = False, budget: float | None = None) -> PassSummary:
        """One pass. ``force``: poll every source, due or not. ``budget``: seconds after which no
        new page fetch starts (the rest stays queued for the next pass); None: fetch them all."""
        t0 = time.perf_counter()
        self._deadline = None if budget is None else time.monotonic() + budget
        req0 = self.fetcher.requests
        summary = PassSummary()
        self._ingest(summary)  # pages fetched before a stop or a crash
        now = time.time()
        wanted = {s.url for s in self.config.sources}
        due = [s for s in self.state.sources(wanted) if force or s.next_poll <= now]
        with ThreadPoolExecutor(max_workers=self.config.concurrency) as pool:
            for fut in [pool.submit(self._poll, s, summary) for s in due]:
                fut.result()
            summary.polled = len(due)
            self._fetch_frontier(pool, summary)
        self._ingest(summary)
        summary.requests = self.fetcher.requests - req0
        summary.seconds = time.perf_counter() - t0
        return summary

    # --- polling listings -----------------------------------------------------------------------

    def _error(self, summary: PassSummary, source: str, url: str, e: InputError) -> None:
        kind = getattr(e, "kind", "listing")
        self.state.source_error(source, url, kind, e.reason)
        with summary._lock:
            summary.errors.append(f"{url}: {e.reason}")
        self._failed_sources.add(source)

    def _read_listing(self, src: SourceState, url: str, summary: PassSummary) -> Listing | None:
        """Fetch one listing with its validators; None when unchanged (304) or broken (recorded)."""
        etag, modified = self.state.validators(url)
        try:
            r = self.fetcher.get(url, accept=FEED_TYPES, etag=etag, last_modified=modified)
        except FetchError as e:
            self._error(summary, src.url, url, e)
            return None
        if r.not_modified:
            summary.add("unchanged")
            self.state.listed(url, src.url, None, "304", r.etag, r.last_modified)
            return None
        try:
            listing = parse_listing(r.content, r.final_url, r.content_type)
        except InputError as e:
            self._error(summary, src.url, url, InputError(url, e.reason))
            return None
        if listing.note:
            self.state.source_error(src.url, url, "listing", listing.note)
        items = [
            (urls.key(i.url), i.url, i.title, i.published, i.lang) for i in listing.items if not self.stop.is_set()
        ]
        summary.add("new_pages", self.state.listed(url, src.url, listing.kind, "200", r.etag, r.last_modified, items))
        return listing

    def _poll(self, src: SourceState, summary: PassSummary) -> None:
        if self.stop.is_set():
            return
        self._failed_sources.discard(src.url)
        kind, feeds = src.kind, list(src.feeds)
        listing = self._read_listing(src, src.url, summary)
        if listing is not None:
            kind = listing.kind
            if listing.kind == "html":
                feeds = list(listing.feeds) or feeds or self._probe(src, summary)
        to_poll: list[str] = []
        if kind == "html":
            to_poll = feeds
        elif listing is not None and listing.kind == "sitemapindex":
            to_poll = list(listing.sitemaps[:MAX_SITEMAPS])
        elif listing is None and kind == "sitemapindex":
            to_poll = feeds  # the index is unchanged: its sitemaps may not be
        if listing is not None and listing.kind == "sitemapindex":
            feeds = list(listing.sitemaps[:MAX_SITEMAPS])
        for url in to_poll:
            if self.stop.is_set():
                break
            child = self._read_listing(src, url, summary)
            if child is not None and child.kind == "sitemapindex":
                self._error(
                    summary, src.url, url, InputError(url, "a sitemap index inside a sitemap index; not followed")
                )
        ok = src.url not in self._failed_sources
        self.state.polled(src.url, ok=ok, error=None, kind=kind, feeds=feeds, next_poll=time.time() + src.interval)

    def _probe(self, src: SourceState, summary: PassSummary) -> list[str]:
        """A home page that names no feed: the first common feed path that answers with one."""
        for path in COMMON_PATHS:
            url = urls.normalise(path, src.url)
            if url is None or self.stop.is_set():
                continue
            try:
                r = self.fetcher.get(url, accept=FEED_TYPES)
                found = parse_listing(r.content, r.final_url, r.content_type)
            except InputError:
                continue
            if found.kind != "html":
                return [url]
        self._error(
            summary,
            src.url,
            src.url,
            InputError(src.url, "the home page names no feed and no common feed path answers with one"),
        )
        return []

    # --- fetching pages ---------------------------------------------------------------------------

    def _fetch_frontier(self, pool: ThreadPoolExecutor, summary: PassSummary) -> None:
        """Fetch every queued page, one worker per host, storing pages in batches as they come."""
        by_host: dict[str, list[Page]] = defaultdict(list)
        followed = {s.url for s in self.config.sources}
        for page in self.state.pages("queued"):
            if page.source not in followed:  # its source was taken out of the sources file
                continue
            by_host[urlsplit(page.url).netloc].append(page)
        futures: set[Future[None]] = {pool.submit(self._fetch_host, pages, summary) for pages in by_host.values()}
        batch = self.pipe.settings.batch_size
        while futures:
            finished, futures = wait(futures, timeout=2.0, return_when=FIRST_COMPLETED)
            for f in finished:
                f.result()
            if len(self.state.pages("fetched", limit=batch)) >= batch or not futures:
                self._ingest(summary)

    def _fetch_host(self, pages: Sequence[Page], summary: PassSummary) -> None:
        for page in pages:
            if self.stop.is_set() or (self._deadline is not None and time.monotonic() > self._deadline):
                return
            if self.state.state_of(page.key) != "queued":  # seen meanwhile as another page's canonical
                continue
            try:
                r = self.fetcher.get(page.url, accept=HTML_TYPES)
            except FetchError as e:
                again = e.kind in RETRYABLE and page.tries + 1 < MAX_TRIES
                self.state.failed(page.key, e.reason, again=again)
                self._error(summary, page.source, page.url, e)
                continue
            self.state.fetched(page.key, r.final_url, r.content_type, r.content, _now_iso())
            summary.add("fetched")

    # --- storing ----------------------------------------------------------------------------------

    @property
    def follower(self) -> Follower:
        if self._follower is None:
            self._follower = self.pipe.follow(self.store)
        return self._follower

    def _ingest(self, summary: PassSummary) -> None:
        """Every fetched page into the pipeline, then marked done (with its article or the reason)."""
        while True:
            pages = self.state.pages("fetched", limit=self.pipe.settings.batch_size * 4, with_body=True)
            if not pages:
                return
            sources = {s.url: s for s in self.config.sources}
            raws: dict[str, RawArticle] = {}
            rejected: dict[str, str] = {}
            for p in pages:
                src = sources.get(p.source)
                try:
                    raw = page_article(
                        p.final_url or p.url,
                        p.body or b"",
                        content_type=p.content_type,
                        origin=p.key,
                        title=p.title,
                        published=p.published,
                        fetched=p.fetched,
                        source=src.name if src else None,
                        lang=(src.lang if src else None) or p.lang,
                    )
                    raws[p.key] = raw
                except InputError as e:
                    rejected[p.key] = e.reason
            said: list[Rejected] = []
            with self.write_lock or contextlib.nullcontext():
                follower = self.pipe.follow(self.store) if self.write_lock else self.follower
                before = self.store.known_ids(r.id for r in raws.values())
                result = follower.add(raws.values(), on_reject=said.append)
                stored = self.store.known_ids(r.id for r in raws.values())
            rejected.update((r.origin, r.reason) for r in said)
            credit: dict[str, int] = defaultdict(int)
            for p in pages:
                reason = rejected.get(p.key)
                found = raws.get(p.key)
                if reason or found is None:
                    reason = reason or "not stored"
                    self.state.done(p.key, None, reason)
                    self.state.source_error(p.source, p.url, "not an article", reason)
                    summary.rejected += 1
                    continue
                raw = found
                aliases = [k for k in {urls.key(raw.url or p.url)} if k != p.key]
                self.state.done(p.key, raw.id if raw.id in stored else None, None, aliases)
                if raw.id in stored and raw.id not in before:
                    credit[p.source] += 1
                    before.add(raw.id)  # one credit for two addresses of one page
            summary.added += result.added
            summary.skipped += result.skipped
            for src_url, n in credit.items():
                self.state.credit(src_url, n)
            if result.added and self.on_stored:
                self.on_stored(result.added)


def describe(s: PassSummary) -> str:
    """One line per pass for the terminal."""
    parts = [
        f"{s.polled} source(s) polled",
        f"{s.unchanged} unchanged (304)",
        f"{s.new_pages} new page(s) listed",
        f"{s.fetched} fetched",
        f"{s.added} article(s) added",
    ]
    if s.skipped:
        parts.append(f"{s.skipped} already stored")
    if s.rejected:
        parts.append(f"{s.rejected} not articles")
    parts.append(f"{len(s.errors)} error(s)")
    return f"{', '.join(parts)}; {s.requests} request(s) in {s.seconds:.1f} s"
