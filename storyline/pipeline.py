"""The one pipeline: read → clean → enrich → link → describe → store.

Stages take records and return records; this module is the only writer to the store, one
transaction per batch, so a killed run keeps what it committed and a re-run skips it.
"""

from __future__ import annotations

import collections
import dataclasses
import gc
import logging
import os
import shutil
import time
import uuid
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NamedTuple, Protocol
from urllib.parse import urlsplit

import numpy as np

from storyline.clean import as_is, as_words, clean, lede_title, normalise_line, recurring_lines
from storyline.clean.meta import title_key
from storyline.clean.templates import Templates
from storyline.config import Settings
from storyline.describe import describe_event, describe_storyline
from storyline.encoding import encoding_note
from storyline.enrich import enrich
from storyline.enrich.vectors import Encoder, StoredVectors, get_encoder, reusing
from storyline.errors import InputError, NotFound, StoreError
from storyline.fetch.pages import read_inputs
from storyline.link import LinkConfig, Linker, StoredLink, explain, similarity, snapshot, state
from storyline.link.relatedness import Calibration, adapted, batch_means, packaged
from storyline.link.similarity import Features, features
from storyline.models import Article, RawArticle, Rejected, TimelineEntry
from storyline.store import Store, open_store
from storyline.store.base import LinkRow, SavedIndex
from storyline.timeline import build_timeline

Progress = Callable[[int], None]

# The linker's article vector index is saved with the store (``_LinkState.save_index``) from this
# many articles (below it, rebuilding takes under two seconds), and again each time it has grown
# by this factor (saving writes the whole index: ~170 MB at 100k articles).
INDEX_NAME = "articles"
SAVE_INDEX_FROM = 5_000
SAVE_INDEX_GROWTH = 1.2
# From SAVE_INDEX_FROM articles on, a run that ends having added at least this share of them (or
# SNAPSHOT_MIN) since the last snapshot saves the linker to the local link cache instead
# (``storyline.link.snapshot``; docs/scale.md): the next start-up loads it and catches up on what
# the store gained since, and the article vectors and bands stay on disk. The store keeps a random
# token (a ``link_index`` row) that names its cache directory, so copies of a store find it and
# two stores never share one. STORYLINE_LINK_CACHE: the cache root, or "off".
#
# And at most SNAPSHOT_MAX articles apart, whatever the share: a start-up catches up on what the
# store gained since the snapshot, ~0.9 ms CPU and 5-14 KB of heap per article (measured at a
# million stored), so under a share alone both grew with the store (100,000 articles at ten
# million). At a million the bound is the 1% (a save there costs ~30-40 s CPU, so ~4 ms per
# article between saves); a lower bound measured no lower peak there (docs/scale.md, session 18).
SNAPSHOT_SHARE = 0.01
SNAPSHOT_MIN = 1_000
SNAPSHOT_MAX = 10_000
CACHE_TOKEN = "cache-token"
log = logging.getLogger("storyline.link")


def snapshot_due(saved: int) -> int:
    """How many articles past a snapshot of ``saved`` articles the next one is due: the share,
    at least ``SNAPSHOT_MIN``, at most ``SNAPSHOT_MAX``."""
    return int(min(SNAPSHOT_MAX, max(SNAPSHOT_MIN, SNAPSHOT_SHARE * saved)))


def link_cache(store: Store, *, create: bool) -> Path | None:
    """The local directory of ``store``'s linker snapshot (None: switched off, or the store has
    no cache token yet and ``create`` is false)."""
    root = os.environ.get("STORYLINE_LINK_CACHE", "")
    if root.strip().lower() in ("off", "0", "no", "none", "false"):
        return None
    cache = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    base = Path(root) if root else cache / "storyline" / "link"
    token = store.link_index(CACHE_TOKEN)
    if token is None:
        if not create:
            return None
        store.put_link_index(CACHE_TOKEN, SavedIndex("token", 0, uuid.uuid4().hex, b""))
        token = store.link_index(CACHE_TOKEN)
        if token is None:
            return None
    return base / token.ids_hash


def restore_directory(store: Store) -> Path | None:
    """Where a restore from the store writes the vectors and bands it freezes (``Linker.restore``'s
    ``directory``): a directory of this process beside the store's link cache directory, so no
    other process's save (which removes the files its snapshot does not name) touches them; the
    save links them into the cache directory (``snapshot._own``). None (restore in memory, as
    before): no link cache (switched off, a read-only store) or fewer than ``SAVE_INDEX_FROM``
    stored articles, below which no snapshot is saved. Directories such restores left behind by
    processes that are gone are removed first."""
    try:
        if store.counts()["articles"] < SAVE_INDEX_FROM:
            return None
        where = link_cache(store, create=True)  # the token the save would make, made now
        if where is None:
            return None
        where.parent.mkdir(parents=True, exist_ok=True)
        _remove_stale_restores(where)
        return where.parent / f"{where.name}.restore-{os.getpid()}-{uuid.uuid4().hex[:8]}"
    except (OSError, StoreError) as e:
        log.warning("no directory to restore the linker into (%s); restoring it in memory", e)
        return None


def _remove_stale_restores(where: Path) -> None:
    """Remove the restore directories (``restore_directory``) of ``where`` whose process is gone."""
    for d in where.parent.glob(f"{where.name}.restore-*"):
        try:
            pid = int(d.name.rsplit(".restore-", 1)[1].split("-")[0])
            os.kill(pid, 0)
        except ProcessLookupError:
            shutil.rmtree(d, ignore_errors=True)
        except (ValueError, IndexError, PermissionError, OSError):
            continue


# What ``pair_similarity`` says when a side has no article to compare: the middle, "unknown".
UNKNOWN_SIMILARITY = 0.5


class PairScore(NamedTuple):
    similarity: float
    note: str | None = None


# ``pair_batch`` learns a file's language means from its first this many distinct inputs, and keeps
# them prepared for their pairs, so that no text is cleaned or encoded twice and memory stays bounded.
BATCH_SAMPLE = 4_000


@dataclass(frozen=True)
class PairBatch:
    """What a file of pairs tells about each of its pairs (``Pipeline.pair_batch``): the furniture
    its pages share (``Templates``), the calibration with the file's own language means
    (``relatedness.adapted``; None: the shipped one), and the inputs already prepared to learn them."""

    templates: Templates = field(default_factory=Templates)
    calibration: Calibration | None = None
    prepared: Mapping[RawArticle, Article] = field(default_factory=dict)

    def article(self, raw: RawArticle) -> Article | None:
        """The input as already prepared, if it was among the sample."""
        return self.prepared.get(_as_key(raw))


@dataclass(frozen=True)
class PrepareJob:
    """One batch to clean and enrich, self-contained so that it can run in another process or on
    another host: the inputs not stored yet, each outlet's furniture lines as known when the job
    was handed out (``SourceMemory.known``), what to encode with, and how many inputs the batch
    had (for progress)."""

    raws: tuple[RawArticle, ...]
    known: Mapping[str, frozenset[str]]
    encoder: Any  # an Encoder, or (name, cache path, characters read) to build one with get_encoder
    size: int


_WORKER_ENCODERS: dict[tuple[str, str | None, int], Encoder] = {}


def prepare_job(job: PrepareJob) -> list[Article | Rejected]:
    """Clean and enrich one batch: the stage functions, nothing else (no store, no linker), so
    any engine can run it anywhere. An encoder given by name is built once per process."""
    cleaned: list[Article | Rejected] = []
    for raw in job.raws:
        try:
            cleaned.append(clean(raw, job.known.get(source_of(raw), frozenset())))
        except InputError as e:
            cleaned.append(Rejected(e.origin, e.reason))
    enc = job.encoder
    if isinstance(enc, tuple):
        if enc not in _WORKER_ENCODERS:
            _WORKER_ENCODERS[enc] = reusing(get_encoder(enc[0], cache=enc[1], max_chars=enc[2]))
        enc = _WORKER_ENCODERS[enc]
    arts = [a for a in cleaned if isinstance(a, Article)]
    it = iter(enrich(arts, enc) if arts else [])
    return [a if isinstance(a, Rejected) else next(it) for a in cleaned]


def _same_cleaning(a: Article, b: Article) -> bool:
    """Whether two preparations of one input cleaned it alike (``enrich`` only adds entities,
    numbers, dates and the vector, all computed from what is compared here)."""
    return (a.title, a.body, a.lang, a.published, a.removed, a.title_source, a.encoder_title) == (
        b.title, b.body, b.lang, b.published, b.removed, b.title_source, b.encoder_title,
    )


class Engine(Protocol):
    """Runs ``prepare_job`` over the jobs and gives back (job, result) in the jobs' order; it may
    run a bounded number ahead (``storyline.engines``)."""

    def prepare(self, jobs: Iterable[PrepareJob]) -> Iterator[tuple[PrepareJob, list[Article | Rejected]]]: ...


class LocalEngine:
    """In this process, one job at a time: the default."""

    def prepare(self, jobs: Iterable[PrepareJob]) -> Iterator[tuple[PrepareJob, list[Article | Rejected]]]:
        for job in jobs:
            yield job, prepare_job(job)


@dataclass
class RunSummary:
    added: int = 0
    skipped: int = 0
    rejected: list[Rejected] = field(default_factory=list)
    events: int = 0
    storylines: int = 0
    seconds: float = 0.0
    warnings: list[str] = field(default_factory=list)


def _save_linker(state: _LinkState, summary: RunSummary) -> None:
    """``state.save_index`` when due (it decides); a store that refuses it costs only the next
    start-up's shortcut, said once in the run's warnings."""
    try:
        state.save_index()
    except StoreError as e:  # every batch is committed; only the next start-up's shortcut is lost
        warning = (
            f"{e}; every article and assignment is stored, and the next run rebuilds the index "
            "from the stored vectors (a slower start)"
        )
        if warning not in summary.warnings:
            summary.warnings.append(warning)


def _batched(items: Iterable[Any], n: int) -> Iterator[list[Any]]:
    batch: list[Any] = []
    for it in items:
        batch.append(it)
        if len(batch) >= n:
            yield batch
            batch = []
    if batch:
        yield batch


class Pipeline:
    """Everything the CLI does, as a library: ``Pipeline().run(["examples/seeds"])``."""

    def __init__(self, settings: Settings | None = None, *, encoder: Encoder | None = None) -> None:
        self.settings = settings or Settings()
        # Every encoder encodes each distinct input once (a repost reuses its original's vector).
        self._encoder = reusing(encoder) if encoder is not None else None

    @property
    def encoder(self) -> Encoder:
        if self._encoder is None:
            s = self.settings
            self._encoder = reusing(get_encoder(s.encoder, cache=s.vector_cache, max_chars=s.encode_chars))
        return self._encoder

    def open_store(self, db: str | Path | None = None, *, readonly: bool = False) -> Store:
        return open_store(db or self.settings.db, readonly=readonly)

    # --- cleaning alone ------------------------------------------------------------------

    def clean(self, inputs: Iterable[str | Path]) -> Iterator[Article | Rejected]:
        """Clean every input; no database. Unusable inputs come out as ``Rejected``."""
        for raw in read_inputs(inputs):
            yield raw if isinstance(raw, Rejected) else self._clean_one(raw)

    @staticmethod
    def _clean_one(raw: RawArticle, known: frozenset[str] = frozenset()) -> Article | Rejected:
        try:
            return clean(raw, known)
        except InputError as e:
            return Rejected(e.origin, e.reason)

    # --- the main job --------------------------------------------------------------------

    def run(
        self,
        inputs: Iterable[str | Path],
        store: Store | None = None,
        *,
        progress: Progress | None = None,
        on_reject: Callable[[Rejected], None] | None = None,
        engine: Engine | None = None,
        on_note: Callable[[str], None] | None = None,
        reading: Progress | None = None,
    ) -> RunSummary:
        """Ingest, clean, enrich and link ``inputs`` into ``store`` (the settings' database when
        none is given). Re-running the same input adds nothing. ``engine`` prepares (cleans and
        enriches) the batches: in this process by default, or on a cluster
        (``storyline.engines.dask``); the linking and writing stay here, in input order.
        ``progress(n)`` is called after each committed batch (n inputs done); ``reading(n)`` also as
        each input is handed to the engine, for a display that should move smoothly. ``on_note``
        hears what is worth saying about an input that was kept (an encoding that was guessed or
        repaired)."""
        t0 = time.perf_counter()
        own = store is None
        st = store or self.open_store()
        try:
            summary, _ = self._run(read_inputs(inputs), st, progress, on_reject, engine,
                                   on_note=on_note, reading=reading)
        finally:
            if own:
                st.close()
        summary.seconds = time.perf_counter() - t0
        return summary

    def _run(
        self,
        stream: Iterable[RawArticle | Rejected],
        store: Store,
        progress: Progress | None,
        on_reject: Callable[[Rejected], None] | None,
        engine: Engine | None = None,
        links: _LinkState | None = None,
        on_note: Callable[[str], None] | None = None,
        reading: Progress | None = None,
    ) -> tuple[RunSummary, _LinkState]:
        """Prepare, link and store the stream; returns the summary and the linker state to go on
        with (``follow`` keeps it between passes; a writer that found the store moved has a new one)."""
        summary = RunSummary()
        state = links or _LinkState.from_store(store)
        seen: set[str] = set()
        done = handed = 0

        def reject(r: Rejected) -> None:
            summary.rejected.append(r)
            if on_reject:
                on_reject(r)

        def jobs() -> Iterator[PrepareJob]:
            """Batches to prepare, in input order; each carries the outlets' furniture as known
            when it is handed out (an engine may hand out a few before the earlier ones are linked)."""
            nonlocal handed
            for batch in _batched(stream, self.settings.batch_size):
                raws = []
                for item in batch:
                    if isinstance(item, Rejected):
                        reject(item)
                    else:
                        raws.append(item)
                known = store.known_ids(r.id for r in raws)
                fresh: list[RawArticle] = []
                for i, raw in enumerate(raws):
                    if reading and i:
                        reading(handed + i)
                    if raw.id in known or raw.id in seen:
                        summary.skipped += 1
                        continue
                    seen.add(raw.id)
                    if raw.encoding and on_note:
                        on_note(f"{raw.origin}: {encoding_note(raw.encoding)}")
                    fresh.append(raw)
                handed += len(batch)
                lines = {src: state.memory.known(src) for src in {source_of(r) for r in fresh}}
                # In this process the pipeline's own encoder (loaded once, when first needed, and
                # shared with the other questions a Library asks), taking the vector of an input
                # the store already holds (a repost stored by an earlier run) instead of encoding
                # it; elsewhere, what a worker can build one from.
                spec: Any = None
                if fresh:
                    spec = StoredVectors(self.encoder, store.stored_vectors) if local else self._encoder_spec()
                yield PrepareJob(tuple(fresh), lines, spec, len(batch))

        eng = engine or LocalEngine()
        local = isinstance(eng, LocalEngine)
        for job, prepared in eng.prepare(jobs()):
            fresh = []
            for got in self._retitled(job, self._settle(job, prepared, state.memory), state):
                if isinstance(got, Rejected):
                    reject(got)
                else:
                    fresh.append(got)
            if fresh:
                state = self._link(fresh, store, state, summary)
                # Mid-run too, not only at the end: a back-fill of 37k articles at a million
                # stored ended with a save peaking at 3.24 GB (2.97 GB at the 1% it is due at),
                # and a killed run resumes from a snapshot at most a batch past that share.
                _save_linker(state, summary)
            done += job.size
            if progress:
                progress(done)
        _save_linker(state, summary)
        counts = store.counts()
        summary.events, summary.storylines = counts["events"], counts["storylines"]
        return summary, state

    def follow(self, store: Store) -> Follower:
        """An ingester that keeps the linker between calls: ``storyline watch`` hands it each
        pass's new pages, and the store is read once, not once per pass."""
        return Follower(self, store)

    def _encoder_spec(self) -> Encoder | tuple[str, str | None, int]:
        """What a worker builds its encoder from: the encoder given to the Pipeline (it must then
        pickle), else the settings' name and cache, built once per worker process."""
        if self._encoder is not None:
            return self._encoder
        return (self.settings.encoder, self.settings.vector_cache, self.settings.encode_chars)

    def _settle(
        self, job: PrepareJob, prepared: Sequence[Article | Rejected], memory: SourceMemory
    ) -> list[Article | Rejected]:
        """The job's articles as a plain run prepares them now: where an outlet's furniture
        changed after the job was handed out (an earlier batch linked meanwhile), the article is
        cleaned again here, and encoded again only if its cleaned text differs. So results never
        depend on the engine or on how many batches were in flight."""
        out: list[Article | Rejected] = []
        redo: list[int] = []
        for i, (raw, got) in enumerate(zip(job.raws, prepared, strict=True)):
            src = source_of(raw)
            now = memory.known(src)
            if now == job.known.get(src, frozenset()):
                out.append(got)
                continue
            again = self._clean_one(raw, now)
            if isinstance(got, Article) and isinstance(again, Article) and _same_cleaning(got, again):
                out.append(got)
            else:
                out.append(again)
                if isinstance(again, Article):
                    redo.append(i)
        return self._enrich_again(out, redo)

    @staticmethod
    def _link(enriched: list[Article], store: Store, links: _LinkState, summary: RunSummary) -> _LinkState:
        """Link and write one enriched batch under the store's writer lock, so several writers
        (processes or hosts) never lose or double an article: what another writer stored since
        the batch was checked is skipped, and when another writer added anything since this
        linker last looked, the linker is restored from the store first (its state is the
        store's: only what changed since is read, ``_LinkState.catch_up``). Returns the linker
        state to go on with."""
        with store.writer():
            stored = store.known_ids(a.id for a in enriched)
            if stored:
                summary.skipped += len(stored)
                enriched = [a for a in enriched if a.id not in stored]
            if store.last_change() != links.change:
                links = links.catch_up(store)
            if enriched:
                links.add(enriched, store)
                links.change = store.last_change()
                summary.added += len(enriched)
        return links

    def _clean_in_run(self, raw: RawArticle, memory: SourceMemory, titles: TitleMemory) -> Article | Rejected:
        """Clean one article of a run, with what the run knows of its outlet: the lines it
        prints on many pages (removed from the body) and the lines that would make a furniture
        title (``_fix_title``)."""
        known = memory.known(source_of(raw))
        return self._fix_title(raw, self._clean_one(raw, known), known, titles)

    def _fix_title(
        self, raw: RawArticle, got: Article | Rejected, known: frozenset[str], titles: TitleMemory
    ) -> Article | Rejected:
        """A title that is a teaser or sidebar headline found on other stories' pages is no
        title: the article is cleaned again without that line, else titled from its own lede.
        Returns ``got`` itself when its title stands (and remembers it for the next articles)."""
        if isinstance(got, Article) and title_key(got.title) in (furniture := titles.furniture(got)):
            lines = {normalise_line(x) for x in (as_words(raw).text or "").splitlines() if title_key(x) in furniture}
            again = self._clean_one(raw, known | lines) if lines else got
            if isinstance(again, Article) and title_key(again.title) not in titles.furniture(again):
                got = again
            else:
                got = lede_title(got, furniture)
        if isinstance(got, Article):
            titles.add(got)
        return got

    def _enrich_again(self, out: list[Article | Rejected], redo: list[int]) -> list[Article | Rejected]:
        """``out`` with the articles at ``redo`` (cleaned again here, so bare) enriched."""
        if redo:
            for i, art in zip(redo, enrich([out[i] for i in redo], self.encoder), strict=True):  # type: ignore[misc]
                out[i] = art
        return out

    def _retitled(
        self, job: PrepareJob, prepared: list[Article | Rejected], state: _LinkState
    ) -> list[Article | Rejected]:
        """The prepared batch with furniture titles fixed, in input order, here in the one linker
        (so that every engine gives the same titles); an article whose title changed is enriched
        again (cleaned again, its body may differ; its vector reads its encoder title, which a
        furniture line no longer is)."""
        out = list(prepared)
        redo: list[int] = []
        for i, (raw, got) in enumerate(zip(job.raws, prepared, strict=True)):
            fixed = self._fix_title(raw, got, state.memory.known(source_of(raw)), state.titles)
            if fixed is not got:
                out[i] = fixed
                if isinstance(fixed, Article):
                    redo.append(i)
        return self._enrich_again(out, redo)

    def clean_in_order(self, inputs: Iterable[RawArticle]) -> Iterator[Article | Rejected]:
        """Clean inputs one after another as ``run`` does (learning each outlet's furniture and
        furniture titles as it goes), without enriching or storing: what a run would store as
        titles, dates and bodies (benchmarks/pages.py measures titles through this)."""
        memory, titles = SourceMemory(), TitleMemory()
        for raw in inputs:
            got = self._clean_in_run(raw, memory, titles)
            if isinstance(got, Article):
                memory.add(got)
            yield got

    # --- questions about articles --------------------------------------------------------

    def prepare(
        self, raws: Sequence[RawArticle], *, vectors: bool = True, known: frozenset[str] = frozenset()
    ) -> list[Article]:
        """Clean and enrich articles given in memory (pairs, timelines); an article the cleaner
        rejects is kept as it came (``as_is``), because here the user vouches that it is an article.
        ``known``: lines to remove as boilerplate (a batch's furniture, ``Templates.lines``)."""
        cleaned = []
        for raw in raws:
            c = self._clean_one(raw, known)
            cleaned.append(as_is(raw, known) if isinstance(c, Rejected) else c)
        return enrich(cleaned, self.encoder if vectors else None)

    def similarity(self, a: RawArticle, b: RawArticle) -> float:
        return self.pair_similarity(a, b).similarity

    def pair_batch(self, inputs: Iterable[RawArticle], sample: int = BATCH_SAMPLE) -> PairBatch:
        """Read a file's inputs once for what they share: the pages' furniture (``Templates``) and
        the file's own language means, from its first ``sample`` distinct inputs that are not
        templates, which stay prepared for their pairs."""
        head: dict[RawArticle, RawArticle] = {}

        def texts() -> Iterator[RawArticle]:
            for raw in inputs:
                if len(head) < sample:
                    head.setdefault(_as_key(raw), raw)
                yield raw

        templates = Templates.of_inputs(texts())
        keep = {k: r for k, r in head.items() if not templates.holds(r)}
        arts = self.prepare(list(keep.values()), known=templates.lines)
        means = batch_means((x.id, x.lang, x.vector) for x in arts)
        return PairBatch(templates, adapted(packaged(), means), dict(zip(keep, arts, strict=True)))

    def pair_similarity(self, a: RawArticle, b: RawArticle, batch: PairBatch | None = None) -> PairScore:
        """``similarity`` of two inputs, knowing the batch they came in (``pair_batch``): a side
        that is a page template (``Templates.holds``) has no article to compare, so the pair
        gets ``UNKNOWN_SIMILARITY`` and a note naming it, instead of a score that means nothing."""
        ctx = batch or PairBatch()
        shells = [side for side, r in (("a", a), ("b", b)) if ctx.templates.holds(r)]
        if shells:
            return PairScore(
                UNKNOWN_SIMILARITY,
                f"side {' and '.join(shells)}: a page template (a block page, consent wall or site shell other "
                f"inputs share word for word, or a block page naming the reader's IP address), not an article; "
                f"similarity {UNKNOWN_SIMILARITY} (unknown)",
            )
        found = [ctx.article(r) for r in (a, b)]
        todo = [r for r, f in zip((a, b), found, strict=True) if f is None]
        fresh = iter(self.prepare(todo, known=ctx.templates.lines))
        x, y = (f if f is not None else next(fresh) for f in found)
        return PairScore(similarity(x, y, calibration=ctx.calibration))

    def explain(self, store: Store, a_id: str, b_id: str) -> dict[str, Any]:
        found = {a.id: a for a in store.articles(ids=[a_id, b_id])}
        for i in (a_id, b_id):
            if i not in found:
                raise NotFound(f"no article {i!r} in {store.path}")
        out = explain(found[a_id], found[b_id])
        out["stored"] = {}
        for i in (a_id, b_id):
            where = store.assignment(i)
            out["stored"][i] = {"event": where.event, "storyline": where.storyline}
        return agree_with_store(out, store.assignment(a_id), store.assignment(b_id))

    def timeline(
        self, articles: Sequence[Article], n_dates: int | None = None, n_sentences: int = 2
    ) -> list[TimelineEntry]:
        return build_timeline(articles, n_dates=n_dates, n_sentences=n_sentences)

    def timeline_of_inputs(
        self, inputs: Iterable[str | Path], n_dates: int | None, n_sentences: int
    ) -> tuple[list[TimelineEntry], list[Rejected]]:
        raws: list[RawArticle] = []
        rejected: list[Rejected] = []
        for item in read_inputs(inputs):
            if isinstance(item, Rejected):
                rejected.append(item)
            else:
                raws.append(item)
        articles: list[Article] = []
        for raw in raws:
            c = self._clean_one(raw)
            if isinstance(c, Rejected):
                rejected.append(c)
            else:
                articles.append(c)
        enriched = enrich(articles, None)
        return self.timeline(enriched, n_dates, n_sentences), rejected

    def timeline_of_storyline(
        self, store: Store, storyline: str, n_dates: int | None, n_sentences: int
    ) -> list[TimelineEntry]:
        store.storyline(storyline)  # NotFound when unknown
        return self.timeline(list(store.articles(storyline=storyline)), n_dates, n_sentences)


class Follower:
    """``Pipeline.run`` over articles given in memory, again and again, into one store."""

    def __init__(self, pipe: Pipeline, store: Store) -> None:
        self.pipe = pipe
        self.store = store
        self.links = _LinkState.from_store(store)

    def add(
        self, items: Iterable[RawArticle | Rejected], on_reject: Callable[[Rejected], None] | None = None
    ) -> RunSummary:
        t0 = time.perf_counter()
        summary, self.links = self.pipe._run(items, self.store, None, on_reject, links=self.links)
        summary.seconds = time.perf_counter() - t0
        return summary


def agree_with_store(out: dict[str, Any], a: Any, b: Any) -> dict[str, Any]:
    """The explanation's decision is what the store holds (two articles stored in one event are
    "same event", always); the pair's own scores are kept as ``pair_decision``, and ``because``
    says in words how the two agree or why the store differs (events grow by chains: each article
    joins the event of the article it is closest to, so two members need not be close to each
    other directly)."""
    pair = out["decision"]
    if a.event and a.event == b.event:
        decision = "same event"
    elif a.storyline and a.storyline == b.storyline:
        decision = "same storyline"
    elif a.event is None or b.event is None:
        decision = pair  # not linked yet: the pair's own answer is all there is
    else:
        decision = "unrelated"
    out["pair_decision"] = pair
    out["decision"] = decision
    if decision == pair:
        out["because"] = f"the two articles are close enough on their own: {decision}"
    elif decision == "same event":
        out["because"] = (
            "stored in one event through other articles of it: each joined the event by the member it is "
            f"closest to; compared directly this pair scores {out['score']} (an event needs {out['event_threshold']})"
        )
    elif decision == "same storyline":
        out["because"] = "stored in one storyline: their events continue one story, through other events of it"
    else:
        out["because"] = "stored apart: each sits with articles closer to it than this pair is to each other"
    return out


def _as_key(raw: RawArticle) -> RawArticle:
    """An input as its content: the same article read from another line of the file is equal."""
    return dataclasses.replace(raw, origin="")


def source_of(item: RawArticle | Article) -> str:
    """The outlet an article belongs to: its ``source``, else its URL's host, else unknown ("")."""
    if item.source:
        return item.source.strip().lower()
    if item.url:
        return urlsplit(item.url).netloc.lower().removeprefix("www.")
    return ""


class SourceMemory:
    """Lines seen on the recent pages of each outlet. A line that recurs across many different
    stories of one outlet is its furniture (an "about us" paragraph, a standing disclaimer) even
    when it reads like prose, and the cleaner removes it from the next page of that outlet."""

    PAGES = 300  # recent pages kept per outlet

    def __init__(self) -> None:
        self.pages: dict[str, collections.deque[tuple[str, ...]]] = {}
        self._known: dict[str, frozenset[str]] = {}

    def add(self, a: Article) -> None:
        src = source_of(a)
        if not src:
            return
        lines = tuple(a.body.split("\n\n")) + a.removed
        self.pages.setdefault(src, collections.deque(maxlen=self.PAGES)).append(lines)
        self._known.pop(src, None)

    def known(self, source: str) -> frozenset[str]:
        if not source or source not in self.pages:
            return frozenset()
        if source not in self._known:
            pages = self.pages[source]
            # At least 4 stories, and 1 in 20 of the outlet's pages: a background sentence that
            # two reports repeat is content; one that every twentieth page carries is furniture.
            self._known[source] = recurring_lines(list(pages), min_pages=max(4, len(pages) // 20))
        return self._known[source]


class TitleMemory:
    """Titles and lines of the recent pages of each outlet (or, for articles without one, of
    each input file). A headline found on a page that two other stories' pages also carry is the
    outlet's furniture (a teaser, "most read", a sidebar), not this article's headline: on the
    dev storylines a Reuters teaser titled 5 articles and named the Libya storyline."""

    PAGES = 300
    OTHERS = 2  # other stories carrying the line: two are a pattern, one may be a related story

    def __init__(self) -> None:
        # per outlet or file: each recent page's lines (body, removed furniture, title) and its body
        self.pages: dict[str, collections.deque[tuple[frozenset[str], frozenset[str]]]] = {}

    @staticmethod
    def _where(a: Article) -> str:
        if src := source_of(a):
            return src
        origin = a.origin or ""
        return "file:" + origin.rsplit(":", 1)[0] if ":" in origin else ""

    @staticmethod
    def _lines(a: Article) -> tuple[frozenset[str], frozenset[str]]:
        body = frozenset(k for x in a.body.split("\n\n") if len(k := title_key(x)) > 3)
        rest = {title_key(x) for x in (*a.removed, a.title)}
        return body | {k for k in rest if len(k) > 3}, body

    def furniture(self, a: Article) -> frozenset[str]:
        """The article's title and opening lines (as ``title_key``) that the pages of at least
        ``OTHERS`` other stories of its outlet or file also carry."""
        where = self._where(a)
        if not where or where not in self.pages:
            return frozenset()
        mine, body = self._lines(a)
        own = {title_key(a.title), *(title_key(x) for x in a.body.split("\n\n")[:8])} & mine
        counts: collections.Counter[str] = collections.Counter()
        for page, text in self.pages[where]:
            shared = own & page
            if shared and len(text & body) <= 0.6 * len(text | body):  # not a copy of this story
                counts.update(shared)
        return frozenset(k for k, n in counts.items() if n >= self.OTHERS)

    def add(self, a: Article) -> None:
        if where := self._where(a):
            self.pages.setdefault(where, collections.deque(maxlen=self.PAGES)).append(self._lines(a))


def _recent_pages(store: Store) -> tuple[SourceMemory, TitleMemory]:
    """What a start-up knows of the outlets: the recent pages the store holds of each (at a
    million stored, 23k pages read and keyed, which the link cache's snapshot keeps instead)."""
    memory, titles = SourceMemory(), TitleMemory()
    for a in store.recent_pages(SourceMemory.PAGES):
        memory.add(a)
        titles.add(a)
    return memory, titles


_TRACK = "\0track"  # a key no article id is: put in and taken out again (``_freeze_state``)


def _freeze_state(maps: Sequence[dict[str, Any]]) -> None:
    """``gc.freeze()``, with each of ``maps`` tracked by the collector first, so it is frozen too.

    A full collection untracks a dict whose values are all untracked (tuples of strings are
    untracked once a collection has seen them), and a catch-up at start-up allocates enough to
    run one: it did so for the two maps of article -> (event, storyline), 1.07 million entries
    each at a million stored. Untracked, the freeze left them out; the first new article's entry
    (a new, tracked tuple) tracked each again, in the youngest generation, so young collections
    walked two million-entry dicts until they reached the oldest one, where every later full
    collection walks them. Measured at a million stored with a snapshot lagging 10,500 articles:
    young collections 0.19 ms per new article against 0.09 from a fresh snapshot, the two dicts
    in them (``gc.get_objects``), and from neither once they are tracked before the freeze.
    Tracking them changes nothing else: a container value put in tracks the dict, taking it out
    leaves it tracked, and the key is gone again (the order of the others is unchanged)."""
    for m in maps:
        if not gc.is_tracked(m):
            m[_TRACK] = []
            del m[_TRACK]
    gc.freeze()


class _StoredFeatures:
    """The linker's reader of stored features (``state.FeatureCache``'s loader): called, the whole
    features of some articles; ``heads``, their head fields only (``state.HEAD``), for scores that
    weigh nothing else (``EventIndex.candidates``), without reading the ~65 KB rest. The last
    ``HEADS_HELD`` heads read stay decoded (~2 KB each, a stored article's head never changes): a
    small store's articles come up as neighbours again and again, and reading each head anew cost
    the 1k store more than the whole features it held before."""

    HEADS_HELD = 10_000

    def __init__(self, store: Store) -> None:
        self.store = store
        self._heads: collections.OrderedDict[str, Features] = collections.OrderedDict()

    def __call__(self, ids: Sequence[str]) -> dict[str, Features]:
        return {i: state.decode(head, rest) for i, (head, rest) in self.store.link_features(ids).items()}

    def heads(self, ids: Sequence[str]) -> dict[str, Features]:
        out = {}
        for i in ids:
            f = self._heads.get(i)
            if f is not None:
                self._heads.move_to_end(i)
                out[i] = f
        missing = [i for i in ids if i not in out]
        if missing:
            for i, (h, _) in self.store.link_features(missing, rest=False).items():
                out[i] = self._heads[i] = state.decode_head_features(h)
            while len(self._heads) > self.HEADS_HELD:
                self._heads.popitem(last=False)
        return out


class _LinkState:
    """The linker, restored from what the store keeps per article (link features: no bodies, no
    re-computation), the recent pages of each outlet, and where every article sits. The events and
    storylines a batch touches are re-described from their members, found through the linker's
    event and storyline indexes and read from the store by id: the work per batch follows the size
    of what it touched, not of the store."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self.stored_features = _StoredFeatures(store)
        self.linker = Linker(loader=self.stored_features)
        self.memory = SourceMemory()
        self.titles = TitleMemory()
        self.where: dict[str, tuple[str, str]] = {}  # article -> (event, storyline) as stored
        self.rank: dict[str, int] = {}  # article -> arrival rank: members are listed in this order
        self.saved_count = 0  # articles in the store's saved vector index (``save_index``)
        self.snapshot_count = 0  # articles indexed when the linker was last saved to the link cache
        self.change = 0  # the store's last change number this state holds (``Store.last_change``)
        self.pages_cached = False  # the outlets' recent pages came with the link cache's snapshot

    def _load(self, ids: Sequence[str]) -> dict[str, Features]:
        return self.stored_features(ids)

    def _heads(self, ids: Sequence[str]) -> dict[str, tuple[np.ndarray | None, frozenset[str], str]]:
        """Vector, entities and language of stored articles (``Linker.catch_up``), decoding only
        the start-up fields of their features."""
        out = {}
        for i, (head, _) in self.store.link_features(ids, rest=False).items():
            h = state.decode_head(head)
            out[i] = (h["vector"], h["entities"], h["lang"])
        return out

    def _link_row(self, a: Article, f: Features, sig: np.ndarray | None) -> LinkRow:
        head, rest = state.encode(f)
        return a.id, source_of(a), None if sig is None else np.asarray(sig, dtype="<u8").tobytes(), head, rest

    @classmethod
    def from_store(cls, store: Store) -> _LinkState:
        gc.unfreeze()  # a state this one replaces (``catch_up``) may be collected again
        s = cls(store)
        # Taken first: anything another writer writes while this reads shows up as a newer
        # change, and the next batch catches up on it (``Pipeline._link``).
        s.change = store.last_change()
        version = state.version()
        if store.link_features_version() != version:  # none yet, or computed by other code
            store.reset_link_features(version)
        perm = s.linker.config.minhash_perm
        for chunk in _batched(store.without_link_features(), 500):  # once per database
            rows = []
            for a in store.articles(ids=chunk):
                f = features(a)
                rows.append(s._link_row(a, f, state.signature(f, perm)))
            store.put_link_features(rows)
        if not s._from_snapshot():
            spill = restore_directory(store)
            if spill is not None:  # bounded memory: vectors and bands to files as they come
                try:
                    s.linker.restore(s._stored(), directory=spill)
                except OSError as e:  # a full or failing disk: the restore in memory still works
                    log.warning("could not restore the linker into %s (%s); restoring it in memory", spill, e)
                    shutil.rmtree(spill, ignore_errors=True)
                    s, s.change, spill = cls(store), s.change, None
            if spill is None:
                saved = store.link_index(INDEX_NAME)
                if saved is not None and saved.version != version:  # computed from other features: unusable
                    saved = None
                s.saved_count = saved.count if saved else 0
                s.linker.restore(s._stored(), (saved.count, saved.ids_hash, saved.data) if saved else None)
                del saved  # its bytes (~90 MB at 100k articles) are in the loaded index now
        pending = store.unassigned()  # only from an older version's crash: linked, as before
        if pending:
            s.linker.add(list(store.articles(ids=pending)))
            for aid in pending:
                s.rank.setdefault(aid, len(s.rank))
        if not s.pages_cached:
            s.memory, s.titles = _recent_pages(store)
        # The linker's state lives as long as the process: over a million objects at a million
        # stored articles, which every full garbage collection walked (0.5 s each there; one
        # falling among 300 new articles cost 1.6 ms per article, 0.06 s at 1k). Frozen, the
        # collector skips them; they are freed as usual when unreferenced (a cycle among them
        # waits for ``unfreeze``, which the next start-up calls).
        _freeze_state([s.where, *s.linker.per_article_maps()])
        return s

    def _from_snapshot(self) -> bool:
        """Take the linker from the store's local link cache (``save_index``) and catch up on
        what the store gained since; False (the caller restores from the store) when there is
        none or it is unusable, said on the ``storyline.link`` log with the reason."""
        store = self.store
        try:
            where = link_cache(store, create=False)
        except StoreError:
            return False
        if where is None or not (where / snapshot.STATE).exists():
            return False
        try:
            linker, extra = snapshot.load(where, self.stored_features)
        except snapshot.SnapshotError as e:
            log.warning("%s; restoring the linker from the store instead (a slower start; the next run saves a new"
                        " snapshot)", e)
            return False
        if linker.config != LinkConfig():
            # Linking settings live in the code, and a snapshot pickles the ones it was linked
            # with: restored as saved, an upgraded linker would go on deciding by the old ones.
            log.warning("%s: the linker snapshot was saved with other link settings (another version of"
                        " storyline); restoring the linker from the store instead", where)
            return False
        change, last = extra.get("change", -1), extra.get("last")
        now = store.last_change()
        if extra.get("version") != state.version() or change > now or (
            last is not None and not store.known_ids([last])
        ):
            log.warning("%s: the linker snapshot is of another state of this store (change %s, the store is at %s);"
                        " restoring the linker from the store instead", where, change, now)
            return False
        self.linker, self.where, self.rank = linker, extra["where"], extra["rank"]
        self.change = change
        if "pages" in extra:  # the outlets' recent pages at ``change``; catch_up adds those since
            self.memory.pages, self.titles.pages = extra["pages"]
            self.pages_cached = True
        self.snapshot_count = linker.indexed()
        if now != change:
            self.catch_up(store)
        self.linker.warm()  # as a restore from the store ends: start-up pays, not the first article
        return True

    def _save_snapshot(self, n: int) -> bool:
        """Save the linker to the local link cache when it grew enough since the last time;
        False when there is no cache to save to (switched off, read-only store, disk error)."""
        if self.snapshot_count and n - self.snapshot_count < snapshot_due(self.snapshot_count):
            return True
        try:
            where = link_cache(self.store, create=True)
            if where is None:
                return False
            last = max(self.rank, key=self.rank.__getitem__) if self.rank else None
            extra = {"version": state.version(), "change": self.change, "last": last, "where": self.where,
                     "rank": self.rank}

            def pages() -> dict[str, Any]:
                # Read once the linker is frozen and pickled (``snapshot.save``: 0.5 GB at a
                # million stored, which held through the freezing took the save past 3 GB).
                if self.store.last_change() != self.change:  # another writer's pages in the store's
                    return {}
                memory, titles = _recent_pages(self.store)
                return {"pages": (memory.pages, titles.pages)}

            snapshot.save(self.linker, where, extra, late=pages)
            _remove_stale_restores(where)
        except (OSError, StoreError) as e:
            log.warning("could not save the linker snapshot (%s); the next start-up restores it from the store", e)
            return False
        self.snapshot_count = n
        return True

    def save_index(self) -> None:
        """Save the linker once it is big enough to be slow to restore (``SAVE_INDEX_FROM``
        articles): to the local link cache (``_save_snapshot``), or where there is none, its
        article vector index with the store each time it has grown by ``SAVE_INDEX_GROWTH``: at
        100k stored articles, re-inserting every vector took about half of a 45 s start-up,
        loading the saved index takes a second or two."""
        n = self.linker.indexed()
        if n < SAVE_INDEX_FROM or self._save_snapshot(n) or n < SAVE_INDEX_GROWTH * self.saved_count:
            return
        saved = self.linker.saved_index()
        if saved is None:
            return
        count, ids_hash, data = saved
        self.store.put_link_index(INDEX_NAME, SavedIndex(state.version(), count, ids_hash, data))
        self.saved_count = count

    def _stored(self, rows: Iterable[tuple[str, str, str, bytes | None, bytes]] | None = None) -> Iterator[StoredLink]:
        """What the store keeps per article as the linker restores it (``Store.link_state`` rows,
        or ``rows``), noting where each article sits and its arrival rank. Each event and
        storyline id, (event, storyline) pair and publish date is one object however many rows
        name it (as ``snapshot._share`` leaves them): a row's own copies, kept by the maps, cost
        ~0.3 KB per article (docs/scale.md, session 23)."""
        shared: dict[object, Any] = {}
        for aid, ev, sl, sig, head in self.store.link_state() if rows is None else rows:
            event, storyline = shared.setdefault(ev, ev), shared.setdefault(sl, sl)
            h = state.decode_head(head)
            vec = h["vector"]
            iv = self.linker.index_vector(vec)
            if iv is None:  # no vector of its own: indexed under its hashed words
                iv = self.linker.index_vector(None, self._load([aid])[aid])
            pair = (event, storyline)
            self.where[aid] = shared.setdefault(pair, pair)
            day = h["published"]
            if day is not None:
                day = shared.setdefault(("day", day), day)
            self.rank.setdefault(aid, len(self.rank))
            yield StoredLink(
                aid,
                event,
                storyline,
                vec,
                h["entities"],
                h["lang"],
                iv,  # type: ignore[arg-type]
                None if sig is None else np.frombuffer(sig, dtype="<u8"),
                day,
            )

    def catch_up(self, store: Store) -> _LinkState:
        """This state brought to what another writer stored since it last looked (called under
        the writer lock): only the articles the other batches inserted or re-assigned are read
        (``Store.changes_since``), so the cost follows what changed, not the store's size (a
        full restore was 17-23 s at 100k stored). Link features computed by other code (another
        version of storyline writing meanwhile) mean a full restore instead."""
        if store.link_features_version() != state.version():
            return _LinkState.from_store(store)
        change = store.last_change()
        rows = list(store.changes_since(self.change))
        new = [r[0] for r in rows if r[0] not in self.where]
        self.linker.catch_up(list(self._stored(rows)), self.rank.__getitem__, self._heads)
        for chunk in _batched(new, 500):  # the other writer's pages teach this one its outlets' furniture
            for a in store.articles(ids=chunk):
                if source_of(a):
                    self.memory.add(a)
                    self.titles.add(a)
        self.change = change
        return self

    def add(self, batch: Sequence[Article], store: Store) -> None:
        lk = self.linker
        changed = lk.add(batch)
        touched_events: set[str] = set()
        touched_storylines: set[str] = set()
        for a in changed:
            old = self.where.get(a.article_id)
            if old:
                touched_events.add(old[0])
                touched_storylines.add(old[1])
            touched_events.add(a.event)
            touched_storylines.add(a.storyline)
            self.where[a.article_id] = (a.event, a.storyline)
            self.rank.setdefault(a.article_id, len(self.rank))
        light = {art.id: dataclasses.replace(art, body="", removed=()) for art in batch}
        for art in batch:
            self.memory.add(art)
        rank = self.rank.__getitem__
        ev_members = {e: sorted(lk.event_members(e), key=rank) for e in touched_events}
        sl_events = {sl: lk.storyline_events(sl) for sl in touched_storylines}
        for evs in sl_events.values():
            for e in evs:
                if e not in ev_members:
                    ev_members[e] = sorted(lk.event_members(e), key=rank)
        need = [i for m in ev_members.values() for i in m if i not in light]
        arts = light | self._light(need)
        events = {
            e: describe_event(e, lk.storyline_of(e), [arts[i] for i in ev_members[e]])
            for e in touched_events
            if ev_members[e]
        }
        storylines = []
        for sl, evs in sl_events.items():
            members = sorted((i for e in evs for i in ev_members[e]), key=rank)
            if not members:
                continue
            # Storylines whose events did not change still list them all (only id and dates count).
            listed = [events.get(e) or describe_event(e, sl, [arts[i] for i in ev_members[e]]) for e in evs]
            storylines.append(describe_storyline(sl, listed, [arts[i] for i in members]))
        linked = lk.linked()
        arts.update(self._light([f.id for f, _ in linked if f.id not in arts]))
        store.write_batch(
            batch,
            changed,
            list(events.values()),
            storylines,
            drop_events=sorted(touched_events - set(events)),
            drop_storylines=sorted(touched_storylines - {s.id for s in storylines}),
            link_rows=[self._link_row(arts[f.id], f, sig) for f, sig in linked],
        )

    def _light(self, ids: Sequence[str]) -> dict[str, Article]:
        """Stored articles without their bodies, by id."""
        out: dict[str, Article] = {}
        for chunk in _batched(dict.fromkeys(ids), 500):
            out.update((a.id, a) for a in self.store.articles(ids=chunk, with_body=False))
        return out
