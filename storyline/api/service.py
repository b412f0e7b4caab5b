"""The one path from the HTTP shell to the data: the API routes and the web pages both call
``Library``, which calls the public library (``Pipeline``, the store). Nothing here parses meaning
or touches a stage.

Reads use one read-only SQLite connection per worker thread (WAL lets them run beside a write);
writes (ingest, the search index) go through one writable store behind a lock, because the
pipeline is the store's only writer and links one batch at a time.
"""

from __future__ import annotations

import collections
import contextlib
import contextvars
import dataclasses
import datetime as dt
import json
import re
import shutil
import tempfile
import threading
import time
import uuid
from collections.abc import Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from storyline.api.schemas import (
    ArticleBrief,
    ArticleOut,
    CoverageOut,
    CoveragePoint,
    EntityCount,
    EntityOut,
    EventDetail,
    EventOut,
    Facet,
    InputArticle,
    JobOut,
    NewArticle,
    NewOut,
    Page,
    Placed,
    RejectedOut,
    SearchOut,
    SourceErrorOut,
    SourceOut,
    SourcesOut,
    StatsOut,
    StorylineDetail,
    StorylineOut,
    TimelineEntryOut,
    TimelineOut,
    TimelineSentenceOut,
)
from storyline.clean.meta import undo_ptb
from storyline.enrich.entities import spellings
from storyline.errors import NotFound, StorylineError, UsageError
from storyline.models import Event, RawArticle, Rejected, Storyline
from storyline.pipeline import Pipeline
from storyline.sources.jsonl import read_lines
from storyline.store import Store, open_store
from storyline.store.base import STORYLINE_SORTS, ArticleFilter, ArticleHit
from storyline.urls import outlet

UPLOAD_SUFFIXES = (".jsonl.gz", ".jsonl", ".txt", ".html", ".htm")
MAX_PAGE = 200


# The reader's language for this request (``?hl=``, the ``hl`` cookie, else the ``lang`` setting),
# set by the application's middleware: names and headlines come from a real headline in it where
# the storyline or event has one.
READER_LANG: contextvars.ContextVar[str | None] = contextvars.ContextVar("reader_lang", default=None)

class TooLarge(StorylineError):
    """A request body or an upload over the server's limit."""


class Unavailable(StorylineError):
    """Something this server cannot do as started (e.g. build the search index when read-only)."""


def safe_name(filename: str, n: int) -> tuple[str, str]:
    """An uploaded file's name reduced to a harmless base name (the id of a .txt article is its
    stem, so keep what we can); the user's path never reaches the file system. Returns the name
    and its suffix; raises ``UsageError`` for a kind of file storyline does not read."""
    base = re.split(r"[\\/]", filename or "")[-1]
    lower = base.lower()
    suffix = next((s for s in UPLOAD_SUFFIXES if lower.endswith(s)), None)
    if suffix is None:
        raise UsageError(f"{base or 'unnamed file'}: not a .txt, .html, .htm, .jsonl or .jsonl.gz file")
    stem = base[: len(base) - len(suffix)]
    stem = re.sub(r"[^\w.\-]+", "_", stem, flags=re.UNICODE).strip("._")[:120] or f"upload-{n}"
    return stem + suffix, suffix


@dataclass
class Job:
    id: str
    inputs: list[str]
    total: int
    state: str = "queued"
    done: int = 0
    added: int = 0
    skipped: int = 0
    rejected: list[RejectedOut] = field(default_factory=list)
    articles: list[Placed] = field(default_factory=list)
    error: str | None = None
    created: dt.datetime = field(default_factory=lambda: dt.datetime.now(dt.UTC))
    seconds: float = 0.0
    future: Future[None] | None = None

    def out(self) -> JobOut:
        return JobOut(
            id=self.id, state=self.state,  # type: ignore[arg-type]
            inputs=self.inputs, total=max(self.total, self.done), done=self.done, added=self.added,
            skipped=self.skipped, rejected=list(self.rejected), articles=list(self.articles),
            error=self.error, created=self.created, seconds=round(self.seconds, 2),
        )


class Library:
    """What the shell may ask of storyline, answered with the API's schemas."""

    def __init__(self, db: str | Path, pipeline: Pipeline | None = None, *, read_only: bool = False) -> None:
        self.db = str(db)
        self.pipeline = pipeline or Pipeline()
        self.read_only = read_only
        # Read-only: no writable connection at all, so nothing can write (and a store on read-only
        # media opens); otherwise the one writer, which creates an empty store on first use.
        self._writer: Store | None = None if read_only else open_store(self.db)
        self._write_lock = threading.Lock()
        self._local = threading.local()
        self._jobs: dict[str, Job] = {}
        self._jobs_order: collections.deque[str] = collections.deque()
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="storyline-ingest")
        self._closed = False
        self._timelines: collections.OrderedDict[tuple[Any, ...], list[TimelineEntryOut]] = (
            collections.OrderedDict()
        )
        self._timelines_lock = threading.Lock()
        self._stats: tuple[float, StatsOut] | None = None
        self._names: tuple[float, list[tuple[str, str, str, int]]] | None = None
        if read_only:
            self.store  # noqa: B018 - open now, so a missing or unreadable store fails at start-up
        else:
            self.refresh_index()

    # --- plumbing ------------------------------------------------------------------------

    @property
    def store(self) -> Store:
        """This thread's read-only view of the store."""
        st = getattr(self._local, "store", None)
        if st is None:
            st = open_store(self.db, readonly=True)
            self._local.store = st
        return st

    def refresh_index(self) -> int:
        if self._writer is None:
            return 0  # read-only: search uses the index as it was last built
        with self._write_lock:
            return self._writer.refresh_search_index()

    def start(self) -> None:
        """(Re)open what ``close`` closed: an ASGI server may run the app's lifespan more than once
        (in-process test clients run it per connection)."""
        if self._closed:
            self._closed = False
            self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="storyline-ingest")
            if not self.read_only:
                self._writer = open_store(self.db)

    def close(self) -> None:
        self._closed = True
        self._executor.shutdown(wait=True, cancel_futures=True)
        if self._writer is not None:
            self._writer.close()
            self._writer = None

    # --- following sources (serve --watch) ------------------------------------------------

    @property
    def writer(self) -> Store:
        """The one writable store; write to it only holding ``write_lock``."""
        if self._writer is None:
            raise Unavailable("this server opened its store read-only: it cannot follow sources")
        return self._writer

    @property
    def write_lock(self) -> threading.Lock:
        return self._write_lock

    def stored(self, added: int = 0) -> None:
        """Articles were written by someone else (the watcher): refresh search and counts."""
        self.refresh_index()
        self._stats = None

    def new_articles(self, since: float, limit: int = 20) -> NewOut:
        """Articles the watcher stored after ``since`` (Unix time), newest first."""
        from storyline.store.watchstate import WatchState

        now = time.time()
        state = WatchState(self.db)
        try:
            rows, total = state.new_since(since, limit=max(1, min(int(limit), MAX_PAGE)))
        finally:
            state.close()
        found = {a.id: a for a in self.store.articles(ids=[r[0] for r in rows], with_body=False)} if rows else {}
        items = [
            NewArticle(id=a.id, title=a.title, lang=a.lang, published=a.published, source=a.source, url=a.url,
                       stored=dt.datetime.fromtimestamp(at, dt.UTC))
            for aid, _src, at in rows
            if (a := found.get(aid)) is not None
        ]
        return NewOut(since=since, now=now, total=total, items=items)

    def sources(self) -> SourcesOut:
        """The followed sources with their record, from the watcher's state in the same file."""
        from storyline.store.watchstate import WatchState

        def at(t: float | None) -> dt.datetime | None:
            return dt.datetime.fromtimestamp(t, dt.UTC) if t else None

        state = WatchState(self.db)
        try:
            now = time.time()
            day, week = state.stored_per_source(now - 86400), state.stored_per_source(now - 7 * 86400)
            items = []
            for s in state.sources():
                days = max(1.0, min(7.0, (now - (s.first_poll or now)) / 86400))
                errs = [
                    SourceErrorOut(at=at(e["at"]) or dt.datetime.now(dt.UTC), url=e["url"], kind=e["outcome"],
                                   reason=e["reason"])
                    for e in state.log(s.url, limit=10)
                ]
                items.append(SourceOut(
                    url=s.url, name=s.name, lang=s.lang, interval_seconds=s.interval, kind=s.kind, feeds=list(s.feeds),
                    last_poll=at(s.last_poll), last_ok=at(s.last_ok), last_new=at(s.last_new),
                    next_poll=at(s.next_poll), articles=s.articles, articles_last_day=day.get(s.url, 0),
                    articles_per_day=round(week.get(s.url, 0) / days, 2), errors=s.errors, last_error=s.last_error,
                    recent_errors=errs,
                ))
            return SourcesOut(items=items, total=len(items), pages=state.counts())
        finally:
            state.close()

    @staticmethod
    def _page(limit: int, offset: int) -> tuple[int, int]:
        return max(1, min(int(limit), MAX_PAGE)), max(0, int(offset))

    # --- storylines ----------------------------------------------------------------------

    def _storyline_out(self, s: Storyline, outlets: list[str]) -> StorylineOut:
        return StorylineOut(
            id=s.id, name=s.name_in(READER_LANG.get()), first=s.first, last=s.last, event_count=len(s.event_ids),
            article_count=s.article_count, languages=list(s.languages), outlets=outlets,
        )

    def storylines(
        self, *, lang: str | None = None, name: str | None = None, limit: int = 20, offset: int = 0,
        sort: str = "recent", min_articles: int = 1,
    ) -> Page[StorylineOut]:
        limit, offset = self._page(limit, offset)
        if sort not in STORYLINE_SORTS:
            raise UsageError(f"unknown sort {sort!r}: use one of {', '.join(STORYLINE_SORTS)}")
        sls, total = self.store.storyline_page(lang=lang, name=name, limit=limit, offset=offset, sort=sort,
                                               min_articles=max(1, int(min_articles)))
        outlets = self.store.outlets_of([s.id for s in sls])
        items = [self._storyline_out(s, outlets.get(s.id, [])) for s in sls]
        return Page[StorylineOut](items=items, total=total, limit=limit, offset=offset)

    def storyline(self, ident: str, *, entity: str | None = None) -> StorylineDetail:
        s = self.store.storyline(ident)
        events = self.store.events(storyline=ident)
        if entity:
            keep = {h.event for h in self.store.find_articles(
                ArticleFilter(storyline=ident, entity=entity), limit=10_000)[0]}
            events = [e for e in events if e.id in keep]
        outlets = self.store.outlets_of([ident]).get(ident, [])
        entities = [EntityCount(key=e.key, kind=e.kind, label=e.label, articles=e.articles,
                                variants=list(e.variants))
                    for e in self.store.top_entities(storyline=ident, limit=24)]
        base = self._storyline_out(s, outlets)
        return StorylineDetail(**base.model_dump(), events=[self._event_out(e) for e in events], entities=entities)

    def storyline_articles(self, ident: str, entity: str | None = None) -> list[ArticleHit]:
        """A storyline's articles, without bodies; with ``entity`` (a key, or a name in any
        spelling) only those that mention it: what every panel of a filtered storyline page draws
        from."""
        hits, _ = self.store.find_articles(ArticleFilter(storyline=ident, entity=entity or None), limit=100_000)
        return hits

    def entity_articles(self, ident: str, entity: str) -> set[str]:
        return {h.id for h in self.storyline_articles(ident, entity)}

    def timeline(self, ident: str, *, dates: int | None = None, sentences: int = 2,
                 entity: str | None = None) -> TimelineOut:
        s = self.store.storyline(ident)
        key = (ident, s.article_count, s.event_ids, s.last, dates, sentences, entity)
        with self._timelines_lock:
            hit = self._timelines.get(key)
        if hit is None:
            if entity:
                keep = self.entity_articles(ident, entity)
                arts = [a for a in self.store.articles(storyline=ident) if a.id in keep]
                entries = self.pipeline.timeline(arts, dates, sentences) if arts else []
            else:
                entries = self.pipeline.timeline_of_storyline(self.store, ident, dates, sentences)
            hit = [TimelineEntryOut(date=e.date, summary=list(e.summary), article_ids=list(e.article_ids),
                                    sentences=[TimelineSentenceOut(text=x.text, article_id=x.article_id, lang=x.lang,
                                                                   source=x.source, url=x.url) for x in e.sentences])
                   for e in entries]
            with self._timelines_lock:
                self._timelines[key] = hit
                while len(self._timelines) > 128:
                    self._timelines.popitem(last=False)
        return TimelineOut(storyline=ident, entries=hit)

    def coverage(self, ident: str, *, entity: str | None = None) -> CoverageOut:
        self.store.storyline(ident)
        if entity:  # counted from the matching articles, as the store counts them all
            hits = self.storyline_articles(ident, entity)
            counts = collections.Counter(
                (h.published.isoformat() if h.published else None, h.lang, outlet(h.source, h.url) or None)
                for h in hits)
            rows = [(d, lang, src, n) for (d, lang, src), n in sorted(counts.items(), key=lambda kv: kv[0][0] or "")]
        else:
            rows = self.store.coverage(ident)
        pts = [CoveragePoint(date=dt.date.fromisoformat(d) if d else None, lang=lang, source=src, articles=n)
               for d, lang, src, n in rows]
        return CoverageOut(storyline=ident, points=pts)

    # --- events --------------------------------------------------------------------------

    @staticmethod
    def _event_out(e: Event) -> EventOut:
        reader = READER_LANG.get()
        own = reader is not None and reader in dict(e.headlines)  # a headline in the reader's language
        return EventOut(
            id=e.id, storyline=e.storyline, headline=e.headline_in(reader),
            lang=reader if own and reader else e.lang, first=e.first, last=e.last,
            article_count=len(e.article_ids), languages=list(e.languages),
            outlets=[s for s in e.sources if s],
        )

    def events(self, *, storyline: str | None = None, limit: int = 50, offset: int = 0) -> Page[EventOut]:
        limit, offset = self._page(limit, offset)
        evs, total = self.store.event_page(storyline=storyline, limit=limit, offset=offset)
        return Page[EventOut](items=[self._event_out(e) for e in evs], total=total, limit=limit, offset=offset)

    def event(self, ident: str) -> EventDetail:
        e = self.store.event(ident)
        hits, _ = self.store.find_articles(ArticleFilter(event=ident), limit=10_000, order="oldest")
        try:
            sl_name = self.store.storyline(e.storyline).name_in(READER_LANG.get())
        except NotFound:
            sl_name = e.storyline
        return EventDetail(**self._event_out(e).model_dump(), storyline_name=sl_name,
                           articles=[self._brief(h) for h in hits])

    # --- articles and search -------------------------------------------------------------

    @staticmethod
    def _brief(h: Any) -> ArticleBrief:
        # The store marks matched words with \x02 … \x03; clients get plain text and the words.
        marked = h.snippet or ""
        return ArticleBrief(id=h.id, title=undo_ptb(h.title), lang=h.lang, published=h.published, source=h.source,
                            url=getattr(h, "url", None),
                            event=h.event, storyline=h.storyline,
                            snippet=undo_ptb(marked.replace("\x02", "").replace("\x03", "")),
                            matches=sorted(set(re.findall("\x02([^\x03]*)\x03", marked))))

    def article(self, ident: str) -> ArticleOut:
        found = list(self.store.articles(ids=[ident]))
        if not found:
            raise NotFound(f"no article {ident!r}")
        a = found[0]
        asg = self.store.assignment(ident)
        return ArticleOut(
            id=a.id, title=a.title, lang=a.lang, published=a.published, source=a.source, url=a.url, body=a.body,
            removed=list(a.removed),
            entities=[EntityOut(key=e.key, kind=e.kind, text=e.text) for e in a.entities if e.shown],
            dates_mentioned=list(a.dates_mentioned), event=asg.event, storyline=asg.storyline,
            encoding=a.encoding,
        )

    def articles(self, f: ArticleFilter, *, limit: int = 20, offset: int = 0, order: str = "newest"
                 ) -> Page[ArticleBrief]:
        limit, offset = self._page(limit, offset)
        hits, total = self.store.find_articles(f, limit=limit, offset=offset, order=order)
        return Page[ArticleBrief](items=[self._brief(h) for h in hits], total=total, limit=limit, offset=offset)

    def search(self, f: ArticleFilter, *, limit: int = 20, offset: int = 0, order: str = "relevance") -> SearchOut:
        if self.store.search_index_stale():  # articles added by another process (`storyline run`)
            self.refresh_index()
            if self.read_only and f.query and self.store.search_index_stale():
                self._no_index()
        limit, offset = self._page(limit, offset)
        if f.query and not f.alternatives:
            f = dataclasses.replace(f, alternatives=self._alternatives(f.query))
        hits, total = self.store.find_articles(f, limit=limit, offset=offset, order=order)
        facets = {k: [Facet(value=v, count=n) for v, n in self.store.facet_counts(f, k, 30)]
                  for k in ("lang", "source")}
        storylines, events = self._groups(f) if offset == 0 and total else ([], [])
        return SearchOut(items=[self._brief(h) for h in hits], total=total, limit=limit, offset=offset,
                         query=f.query or "", facets=facets, storylines=storylines, events=events)

    _GROUP_POOL = 300  # matching articles looked at to rank storylines and events (bounded cost)

    def _groups(self, f: ArticleFilter, top: int = 5) -> tuple[list[StorylineOut], list[EventOut]]:
        """The storylines and events a search's best matches belong to, most matching articles
        first: a reader looking for "Gaddafi" wants the Libya story before its 137 articles."""
        pool, _ = self.store.find_articles(f, limit=self._GROUP_POOL, offset=0, order="relevance")
        by_sl = collections.Counter(h.storyline for h in pool if h.storyline)
        by_ev = collections.Counter(h.event for h in pool if h.event)
        sl_ids = [k for k, _ in by_sl.most_common(top)]
        outlets = self.store.outlets_of(sl_ids)
        storylines = []
        for ident in sl_ids:
            try:
                storylines.append(self._storyline_out(self.store.storyline(ident), outlets.get(ident, [])))
            except NotFound:
                continue
        ev_ids = [k for k, n in by_ev.most_common(top) if n > 1 or len(by_ev) <= top]
        events = [self._event_out(e) for e in self.store.events(ids=ev_ids)]
        events.sort(key=lambda e: -by_ev[e.id])
        return storylines, events

    def _alternatives(self, query: str) -> tuple[tuple[str, tuple[str, ...]], ...]:
        """Each query word's other spellings among the store's names (``entities.spellings``):
        "Gaddafi" finds Kadhafi, Gheddafi, Gadhafi; "Turkey" finds Thổ Nhĩ Kỳ. The store's names
        are read once a minute at most."""
        hit = self._names
        if hit is None or time.monotonic() - hit[0] > 60:
            hit = (time.monotonic(), self.store.entity_names())
            self._names = hit
        words = [w for w in re.findall(r"[^\W\d_][\w'’-]*", query) if w != "OR"]
        return tuple((w, alts) for w in words if (alts := spellings(w, hit[1])))

    def stats(self) -> StatsOut:
        """Whole-store counts: a few full scans, so kept for a few seconds (and dropped on ingest)."""
        hit = self._stats
        if hit is not None and time.monotonic() - hit[0] < 10:
            return hit[1]
        out = self._stats_now()
        self._stats = (time.monotonic(), out)
        return out

    def _stats_now(self) -> StatsOut:
        c = self.store.counts()
        f = ArticleFilter()
        return StatsOut(
            articles=c["articles"], events=c["events"], storylines=c["storylines"],
            languages=[Facet(value=v, count=n) for v, n in self.store.facet_counts(f, "lang", 100)],
            outlets=[Facet(value=v, count=n) for v, n in self.store.facet_counts(f, "source", 100)],
            months=[Facet(value=v, count=n) for v, n in self.store.facet_counts(f, "month", 1000)],
        )

    def explain(self, a: str, b: str) -> dict[str, Any]:
        return self.pipeline.explain(self.store, a, b)

    def similarity(self, a: InputArticle, b: InputArticle) -> float:
        def raw(x: InputArticle) -> RawArticle:
            return RawArticle(origin=f"request:{x.id}", **x.model_dump())

        return self.pipeline.similarity(raw(a), raw(b))

    def _no_index(self) -> None:
        if not self.store.has_search_index():
            raise Unavailable("full-text search needs the search index, which this read-only server cannot "
                              "build; run `storyline serve` once without --read-only on this database")

    # --- ingest --------------------------------------------------------------------------

    def submit(self, files: Sequence[tuple[str, bytes]] = (), records: Sequence[InputArticle] = ()) -> Job:
        """Queue uploaded files and/or posted articles for the pipeline. They are written under a
        fresh temporary directory, under names we choose, and read from there by ``Pipeline.run``
        exactly as `storyline run` would read them."""
        tmp = Path(tempfile.mkdtemp(prefix="storyline-upload-"))
        try:
            inputs, total = [], 0
            for n, (filename, data) in enumerate(files, 1):
                name, suffix = safe_name(filename, n)
                d = tmp / f"{n:04d}"
                d.mkdir()
                (d / name).write_bytes(data)
                inputs.append(name)
                total += self._count(data, suffix)
            if records:
                lines = [json.dumps(r.model_dump(exclude_none=True), ensure_ascii=False) for r in records]
                (tmp / "posted.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
                inputs.append(f"{len(records)} posted article(s)")
                total += len(records)
            if not inputs:
                raise UsageError("nothing to add: upload a .txt, .html or .jsonl file, or paste a text")
        except BaseException:
            shutil.rmtree(tmp, ignore_errors=True)
            raise
        job = Job(id=uuid.uuid4().hex[:12], inputs=inputs, total=total)
        self._jobs[job.id] = job
        self._jobs_order.append(job.id)
        while len(self._jobs_order) > 200:
            self._jobs.pop(self._jobs_order.popleft(), None)
        job.future = self._executor.submit(self._run_job, job, tmp)
        return job

    @staticmethod
    def _count(data: bytes, suffix: str) -> int:
        """Articles in an upload, for the job's progress: lines of a plain JSONL (already in
        memory, within the body limit); a compressed one is not expanded here (a small file can
        expand to gigabytes) and counts as one until the job has read it."""
        if suffix == ".jsonl":
            return max(1, sum(1 for line in data.splitlines() if line.strip()))
        return 1

    def job(self, ident: str) -> Job:
        job = self._jobs.get(ident)
        if job is None:
            raise NotFound(f"no ingest job {ident!r} (jobs are kept in memory while the server runs)")
        return job

    def _run_job(self, job: Job, tmp: Path) -> None:
        t0 = time.perf_counter()
        job.state = "running"
        prefix = str(tmp) + "/"

        def progress(n: int) -> None:
            job.done = n

        def rejected(r: Rejected) -> None:
            origin = re.sub(r"^\d{4}/", "", r.origin.removeprefix(prefix))
            job.rejected.append(RejectedOut(input=origin, reason=r.reason))

        try:
            writer = self._writer
            if writer is None:
                raise UsageError("this server is read-only")
            ids = self._ids_in(tmp)
            before = self.store.known_ids(ids)
            with self._write_lock:
                summary = self.pipeline.run([tmp], writer, progress=progress, reading=progress, on_reject=rejected)
                writer.refresh_search_index()
            job.added, job.skipped = summary.added, summary.skipped
            self._stats = None
            self._names = None
            job.articles = self._placed(ids, before)
            job.done = max(job.done, job.total)
            job.state = "done"
        except Exception as e:  # reported on the job, never lost in a thread
            job.error = str(e) if isinstance(e, StorylineError) else f"{type(e).__name__}: {e}"
            job.state = "failed"
        finally:
            job.seconds = time.perf_counter() - t0
            shutil.rmtree(tmp, ignore_errors=True)

    def _placed(self, ids: Sequence[str], before: set[str] | frozenset[str]) -> list[Placed]:
        """Where each article of an upload sits, in words: its title, its event's headline and
        storyline's name, and whether it started an event (no article stored before the upload
        shares it), joined one, or was there already."""
        found = self.store.known_ids(ids)
        mine = set(ids) - set(before)
        briefs = {h.id: h for h in self.store.articles(ids=[i for i in ids if i in found], with_body=False)}
        asgs = {i: self.store.assignment(i) for i in ids if i in found}
        mine_in = collections.Counter(a.storyline for i, a in asgs.items() if i in mine)
        placed = []
        for i, asg in asgs.items():
            p = Placed(id=i, event=asg.event, storyline=asg.storyline, title=getattr(briefs.get(i), "title", "") or "")
            if i in before:
                p.outcome = "already stored"
            if asg.event:
                with contextlib.suppress(NotFound):
                    ev = self.store.event(asg.event)
                    p.event_headline = ev.headline
                    if i not in before:
                        p.outcome = "joined event" if set(ev.article_ids) - mine else "new event"
            if asg.storyline:
                with contextlib.suppress(NotFound):
                    sl = self.store.storyline(asg.storyline)
                    p.storyline_name = sl.name
                    p.new_storyline = i in mine and sl.article_count <= mine_in[asg.storyline]
            placed.append(p)
        return placed

    @staticmethod
    def _ids_in(tmp: Path) -> list[str]:
        """The ids the upload carries, in order (txt/html: the file stem; jsonl: each line's id),
        read as the pipeline reads them: streamed, with the same per-line and per-file limits."""
        ids: list[str] = []
        for p in sorted(tmp.rglob("*")):
            if not p.is_file():
                continue
            name = p.name.lower()
            if name.endswith((".jsonl", ".jsonl.gz")):
                for rec in read_lines(p):
                    obj = rec.value
                    if isinstance(obj, dict) and obj.get("id") is not None:
                        ids.append(str(obj["id"]).strip())
            else:
                ids.append(p.name.rsplit(".", 1)[0])
        return list(dict.fromkeys(ids))
