"""Events: every article reporting the same happening, grouped as a feed delivers them.

Incremental on purpose: a news stream never ends, so an arriving article is compared only with
its nearest earlier articles (a usearch vector index, filtered by a publish-time window where
both dates exist) and with earlier near-duplicates (MinHash LSH), never with everything.

An article joins the event it links to best when the mixed score clears ``event_threshold``.
When it also links strongly (``merge_threshold``) to a second event, the two are one happening
reported in two halves that had not met yet, so they merge and the older id survives. With
``linkage="max"`` and merge_threshold == event_threshold this is exactly single-link clustering,
which does not depend on arrival order; a higher merge bar trades a little order-independence for
protection against chaining.

An event's link is its best-matching member near the article (``linkage="max"``, since session
21), not the mean over those members: a report often matches one earlier member of its event well
and another poorly (three ledes of one ViMs event: 0.61 and 0.09, tests/test_events_linkage.py),
and the mean let the poor match outvote the good one, so the article stayed alone (what ViMs
ledes lost was recall, not precision: 0.99 at recall 0.90). Leave-one-source-out, ViMs fitted on
ECB+ 0.981 -> 0.992 and ECB+ fitted on ViMs 0.918 -> 0.928; halves 0.975 / 0.977 -> 0.977 /
0.978; on 400-character ledes ViMs 0.942 -> 0.947 and ECB+ 0.823 -> 0.838 (docs/benchmarks.md,
"Session 21"; no fitted knob changed).

Joining is greedy, so an event can still swallow a twin: ECB+ pairs two happenings of one kind
(two earthquakes in Indonesia, two Chargers arrested for drunk driving) whose reports link strongly
pair by pair. So each time an event grows past a power of ``event_split_growth`` members, it is
cut in two where its members differ most once what they all share is removed (the leading
direction of their vectors less the event's mean vector), and the two halves become two events
when their average mixed score, over every pair across the cut, falls below ``event_threshold``:
the same average-link bar an article meets to join. The half holding the first member keeps the
id. On the events dev set this took BCubed F1 0.952 -> 0.963 (ECB+ 0.897 -> 0.906, Vietnamese
0.980 -> 0.991) with the bar at ``event_threshold`` as it was, not a newly tuned one.

Twins reported alike still average above that bar across the cut (two Chargers players arrested
for drunk driving: 0.68), because everything but the actor is shared. What gives them away is an
entity each half keeps to itself: most members of one half name Jackson and no member of the
other does, and the other way round with Williams. So when both halves have such an entity (named
by ``twin_entity_share`` of their members, by none of the other half), the bar is
``twin_link_bar`` instead: F1 0.963 -> 0.972, ECB+ 0.906 -> 0.936, Vietnamese 0.991 unchanged,
both halves of the gold clusters as good or better (0.970 -> 0.972, 0.983 -> 0.984), four
shuffled orders 0.965-0.972 (0.958-0.961 before). Neighbouring settings give the same (share
0.5-0.7, bar 0.6-0.75: F1 0.972-0.973, ECB+ 0.936-0.937); a bar of 0.55 splits none of the twins.

A later article that links strongly to both halves may still merge them again; refusing such
merges when the two events' average link is below the bar cost recall instead (F1 0.954).
"""

from __future__ import annotations

import ctypes
import hashlib
import math
import os
import sys
import uuid
import zlib
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np
from usearch.index import BatchMatches, Index

from storyline.link.duplicates import DuplicateIndex
from storyline.link.similarity import Features, LinkConfig, combine, head_decides, signals
from storyline.link.state import FeatureCache, Loader
from storyline.link.state import signature as signature_of

# Events are checked for a twin from this many members (fewer cannot show two sides), cutting by
# at most SPLIT_MEMBERS of them (a bigger event is an established happening, and the cut costs
# reading every member's features), and averaging at most SPLIT_PAIRS pairs across the cut.
SPLIT_FROM = 4
SPLIT_MEMBERS = 256
SPLIT_PAIRS = 256
# An entity marks a twin half only when at least this many of its members name it: in two or three
# articles an entity the rest never mention is common, and no pattern: without this, the CI
# sample's 11 reports of one Turkmen election were cut apart (gate F1 0.991 -> 0.942).
TWIN_MIN_NAMING = 3


# A batch's answers from the frozen segments (``EventIndex.search_ahead``): article id -> (its
# features, the k searched for, (distance, key) pairs from every segment its window reaches).
Ahead = dict[str, tuple[Features, int, list[tuple[float, int]]]]

SEGMENT_SIZE = 262_144
"""Frozen article vectors (``EventIndex.freeze``) go into segments of at most this many articles, by
publish date (undated ones apart), so a dated article searches only the segments its time window
reaches, and an undated one searches them all. Why 2^18 and not the 2^16 it was: at a million
stored, 16 segments of 64k cost an undated article 2.56 ms per search of them all and found 0.931
of the exact top 30; 4 of 256k cost 1.14 ms and found 0.955 (benchmarks/segments.py on the 1M
snapshot's own vectors). One index of a million is cheaper still but finds fewer (0.834 at
usearch's default expansion), so segments stay bounded. ``freeze`` merges segments below this size
(each snapshot save would otherwise add small ones), so there are about N / SEGMENT_SIZE of each
kind, dated and undated."""
# Days of slack when deciding a segment is out of an article's window (dates are compared as days;
# the window check itself is exact and still runs on every candidate).
SEGMENT_SLACK = 2


# Drop the pages of a segment's memory map from the process once a batch's searches of it are done
# (``EventIndex.search_ahead``). The pages are clean and stay in the page cache, so the next search
# maps them back without reading the disk; what changes is that they stop counting in the process's
# resident set. Why: at a million stored an undated article searches every segment, and the pages a
# run's searches touch stayed mapped, ~0.74-1.0 GB of a 3.14-3.23 GB peak RSS (docs/scale.md,
# session 18); dropped after each segment's search, at most one segment's touched pages are mapped
# besides those ``SEGMENT_PAGES_KEPT`` keeps. False: every page stays mapped (as before session 18).
DROP_SEGMENT_PAGES = True
# Bytes of segment files whose pages a batch leaves mapped (``EventIndex.search_ahead``): the
# segments most of the batch searched, largest first, while their file sizes fit; every other
# segment's pages are dropped after its search. Why: mapping dropped pages back is what the drop
# costs (kernel CPU, ~0.3 us a page), and a segment most of a batch searches is touched almost
# whole by every batch (at a million stored, 217-229 MB of a 229 MB file by 12-32 queries, with
# the kernel's fault-around), so dropping it costs a whole file's pages each batch. Largest first,
# because a segment that is not kept is mapped whole again during its search: the peak is what is
# kept plus the largest of the others, and keeping the largest hot one lowers that largest.
# 256 MB keeps one full segment (240 MB): at a million stored, -0.34 ms of kernel CPU per new
# article (1.55 -> 1.21, 10 paired runs) for ~+100 MB of peak, 2.74 GB median (docs/scale.md,
# session 19); a store whose segments all fit (up to ~250k articles) drops nothing.
SEGMENT_PAGES_KEPT = 256 << 20
_MADV_DONTNEED = 4
_madvise: Any = None


def _segment_mappings(wanted: Callable[[str], bool]) -> dict[str, list[tuple[int, int]]]:
    """The address ranges of this process's read-only mappings of the files ``wanted`` accepts,
    by file (Linux; {} elsewhere)."""
    out: dict[str, list[tuple[int, int]]] = {}
    if not sys.platform.startswith("linux"):
        return out
    try:
        text = Path("/proc/self/maps").read_text()
    except OSError:
        return out
    for line in text.splitlines():
        f = line.split(maxsplit=5)
        if len(f) == 6 and "w" not in f[1] and wanted(f[5]):
            lo, hi = (int(x, 16) for x in f[0].split("-"))
            out.setdefault(f[5], []).append((lo, hi))
    return out


def _drop_pages(ranges: list[tuple[int, int]]) -> None:
    """``madvise(MADV_DONTNEED)`` on read-only file mappings: their pages leave the resident set and
    are mapped again from the page cache (the file is unchanged) when next touched."""
    global _madvise
    if _madvise is None:
        libc = ctypes.CDLL(None, use_errno=True)
        _madvise = libc.madvise
        _madvise.argtypes = [ctypes.c_void_p, ctypes.c_size_t, ctypes.c_int]
        _madvise.restype = ctypes.c_int
    for lo, hi in ranges:
        _madvise(lo, hi - lo, _MADV_DONTNEED)


def drop_mapped_pages(directory: Path) -> None:
    """Drop the pages of every read-only mapping of a file in ``directory`` (the snapshot's
    segments, bands and key tables) from the process, as ``search_ahead`` does for a segment:
    exact (they come back from the page cache when next read), used by ``snapshot.save`` before
    it reads the outlets' pages, the save's top."""
    if DROP_SEGMENT_PAGES:
        under = os.path.join(os.path.realpath(directory), "")
        for ranges in _segment_mappings(lambda path: path.startswith(under)).values():
            _drop_pages(ranges)


class _Segment:
    """Article vectors frozen into a saved usearch index that is memory-mapped (``view``): only
    the pages a search touches are read. ``lo``/``hi``: the day ordinals of its oldest and newest
    publish dates (None: its articles are undated, so every search must look at it)."""

    def __init__(self, path: Path, lo: int | None, hi: int | None, count: int) -> None:
        self.path, self.lo, self.hi, self.count = path, lo, hi, count
        self._open()

    @classmethod
    def write(cls, directory: Path, index: Index, days: np.ndarray | None) -> _Segment:
        """``index`` saved as a new segment file in ``directory``; ``days``: its articles' publish
        days (None: an undated segment)."""
        path = directory / f"vectors-{uuid.uuid4().hex}.usearch"
        index.save(str(path))
        lo, hi = (None, None) if days is None else (int(days.min()), int(days.max()))
        return cls(path, lo, hi, len(index))

    def _open(self) -> None:
        # Set here, not in __init__: a change there changes the snapshot's code version.
        self.mapped_as = os.path.realpath(self.path)  # its name in /proc/self/maps
        try:
            index = Index.restore(str(self.path), view=True)
            self.size = os.path.getsize(self.mapped_as)  # the most its pages can hold mapped
        except (RuntimeError, ValueError, OSError) as e:
            raise ValueError(f"{self.path}: unreadable article index segment ({e})") from e
        if index is None or len(index) != self.count:
            raise ValueError(f"{self.path}: article index segment holds {0 if index is None else len(index)}"
                             f" vectors, {self.count} expected")
        self.index: Index = index

    def reaches(self, day: int | None, window: int) -> bool:
        """Could an article published on ``day`` link to one of these within ``window`` days?"""
        if day is None or self.lo is None or self.hi is None:
            return True
        return self.lo - window - SEGMENT_SLACK <= day <= self.hi + window + SEGMENT_SLACK

    def __getstate__(self) -> dict[str, Any]:
        return {"path": self.path, "lo": self.lo, "hi": self.hi, "count": self.count}

    def __setstate__(self, st: dict[str, Any]) -> None:
        self.__init__(st["path"], st["lo"], st["hi"], st["count"])  # type: ignore[misc]


RESTORE_CHUNK = 8192
"""Rows a bounded restore (``EventIndex.spill``) holds before writing them to its files: the vectors
of this many articles (12 MB at 384 dimensions) and their bands; then they go to disk."""
SPILL_READ = 16_384  # vectors read back from the spill file at once (``_Spill.finish``): 24 MB and their pages
_UNDATED = np.iinfo(np.int64).min  # a spilt article's day when it has no publish date


class _Spill:
    """A restore from the store in bounded memory (``EventIndex.spill``): each restored article's
    index vector, publish day and MinHash bands go to files in ``directory`` a chunk of rows at a
    time (``RESTORE_CHUNK``), not into the in-memory vector index and band tables; ``finish``
    then writes the date segments and the band file a ``freeze`` of those articles writes, one
    segment at a time. Why: at a million stored, the in-memory index and band dicts of every stored
    article, then the segments and sorted bands built from them by the first save, took a restore's
    peak to 6.4-7.1 GB (the bound is 3 GB), and every vector was inserted twice (the whole index,
    then the segments) (docs/scale.md, session 23)."""

    def __init__(self, directory: Path, dim: int, first: int, dups: DuplicateIndex) -> None:
        directory.mkdir(parents=True, exist_ok=True)
        self.directory, self.dim, self.first, self.dups = directory, dim, first, dups
        self.vectors_path = directory / f"restore-{uuid.uuid4().hex}.f32"
        self.bands_path = directory / f"restore-{uuid.uuid4().hex}.u64"
        self._vectors = open(self.vectors_path, "wb")  # noqa: SIM115 - closed by ``finish``
        self._bands = open(self.bands_path, "wb")  # noqa: SIM115 - closed by ``finish``
        self.days = np.zeros(0, dtype=np.int64)
        self._rows: list[np.ndarray] = []
        self._days: list[int] = []
        self._sigs: list[np.ndarray] = []
        self._sig_keys: list[int] = []
        self.n = 0
        self.banded = 0

    def add(self, key: int, vector: np.ndarray, signature: np.ndarray | None, day: int | None) -> None:
        self._rows.append(vector)
        self._days.append(_UNDATED if day is None else day)
        if signature is not None:
            self._sigs.append(signature)
            self._sig_keys.append(key)
        if len(self._rows) >= RESTORE_CHUNK:
            self._flush()

    def _flush(self) -> None:
        if self._rows:
            np.asarray(self._rows, dtype="<f4").reshape(-1, self.dim).tofile(self._vectors)
            self.days = np.concatenate([self.days, np.asarray(self._days, dtype=np.int64)])
            self.n += len(self._rows)
        if self._sigs:
            salted = self.dups.salted_many(np.asarray(self._sigs))  # (rows, bands)
            pos = np.repeat(np.asarray(self._sig_keys, dtype=np.uint64), salted.shape[1])
            np.stack([salted.reshape(-1), pos]).T.astype("<u8").tofile(self._bands)
            self.banded += salted.size
        self._rows, self._days, self._sigs, self._sig_keys = [], [], [], []

    def finish(self, size: int, new_segment: Callable[[Index, np.ndarray | None], None]) -> None:
        """Write the date segments (``new_segment`` of each filled index and the days of its
        articles, None for undated ones) and the sorted band file (``DuplicateIndex.add_frozen``),
        then remove the spill files. The segments are ``EventIndex._compact``'s for these articles with nothing frozen
        before: dated ones in (day, key) order, undated ones in key order, ``size`` a segment;
        the bands are ``DuplicateIndex.freeze``'s (salted keys, sorted stably, positions beside)."""
        self._flush()
        self._vectors.close()
        self._bands.close()
        try:
            if self.n:
                keys_all = np.arange(self.first, self.first + self.n, dtype=np.uint64)
                for dated in (False, True):
                    sel = (self.days != _UNDATED) if dated else (self.days == _UNDATED)
                    keys = keys_all[sel]
                    days = self.days[sel] if dated else np.zeros(len(keys), dtype=np.int64)
                    order = np.lexsort((keys, days))
                    for j in range(0, len(order), size):
                        chunk = order[j : j + size]
                        index = Index(ndim=self.dim, metric="ip")
                        ks = keys[chunk]
                        rows = np.empty((len(ks), self.dim), dtype=np.float32)
                        for a in range(0, len(ks), SPILL_READ):
                            # A part's vectors through a map of the file made for it and let go
                            # after it: its pages stop counting in the process's memory (one map
                            # kept for them all was 1.5 GB of resident pages at a million).
                            part = ks[a : a + SPILL_READ]
                            vectors = np.memmap(self.vectors_path, dtype="<f4", mode="r", shape=(self.n, self.dim))
                            rows[a : a + len(part)] = vectors[(part - self.first).astype(np.int64)]
                            del vectors
                        # One call for the whole segment, as ``_compact`` does: a graph built in
                        # calls of 16,384 cost its searches ~0.3 ms more kernel time per new article
                        # at a million stored (docs/scale.md, session 23).
                        index.add(ks, rows)
                        del rows
                        new_segment(index, days[chunk] if dated else None)
                        del index
            if self.banded:
                pairs = np.fromfile(self.bands_path, dtype="<u8").reshape(-1, 2)
                self.dups.add_frozen(self.directory, pairs[:, 0], pairs[:, 1])
        finally:
            self.vectors_path.unlink(missing_ok=True)
            self.bands_path.unlink(missing_ok=True)


def _day(d: object) -> int | None:
    return d.toordinal() if hasattr(d, "toordinal") else None


def make_id(prefix: str, first_member: str) -> str:
    """Stable opaque id: the same first member gives the same id on every re-run."""
    return f"{prefix}-{hashlib.sha1(first_member.encode()).hexdigest()[:10]}"


def hashed_vector(f: Features, dim: int) -> np.ndarray:
    """A stand-in for an article without an e5 vector: its words hashed into ``dim`` buckets, so
    the index still offers lexical neighbours instead of failing."""
    v = np.zeros(dim, dtype=np.float32)
    for w, x in f.words.items():
        v[zlib.crc32(w.encode()) % dim] += x
    n = float(np.linalg.norm(v))
    return v / n if n else v


def _average_link(a: list[Features], b: list[Features], cfg: LinkConfig) -> float:
    """Mean mixed score over the pairs across two groups (at most SPLIT_PAIRS of them, evenly
    strided: deterministic, and spread over both groups)."""
    pairs = [(x, y) for x in a for y in b]
    if len(pairs) > SPLIT_PAIRS:
        pairs = [pairs[k * len(pairs) // SPLIT_PAIRS] for k in range(SPLIT_PAIRS)]
    return sum(combine(signals(x, y, cfg), cfg) for x, y in pairs) / max(len(pairs), 1)


def _signature(a: list[Features], b: list[Features], share: float) -> bool:
    """Does group ``a`` have an entity (a name or place) that at least ``share`` of its members,
    and at least TWIN_MIN_NAMING of them, name and no member of ``b`` names? Twins differ in who or
    where: the other Charger, the other province."""
    if not a:
        return False
    theirs = set().union(*(f.entities for f in b))
    counts: dict[str, int] = {}
    for f in a:
        for k in f.entities - theirs:
            counts[k] = counts.get(k, 0) + 1
    need = max(share * len(a), TWIN_MIN_NAMING)
    return any(c >= need for c in counts.values())


# One BLAS thread for the cut: its matrices are small (at most SPLIT_MEMBERS x 384), and OpenBLAS's
# threads fighting other work for two loaded cores made a 256 x 384 SVD take 79 ms against 21 ms
# on one thread. The controller is made on first use, after scipy.linalg (which brings its own
# OpenBLAS) is loaded, so it limits both; the limit is process-wide for the few ms of a cut.
_blas: Any = None


def _one_blas_thread() -> Any:
    global _blas
    if _blas is None:
        import scipy.linalg  # noqa: F401  (its BLAS must be loaded before the controller looks)
        from threadpoolctl import ThreadpoolController

        _blas = ThreadpoolController()
    return _blas.limit(limits=1, user_api="blas")


def _leading_side(c: np.ndarray) -> np.ndarray:
    """Which rows of ``c`` lie on the positive side of its leading right singular vector ``v``.

    The SVD this stands for computes every singular vector of an n x 384 matrix; only the leading
    one is needed, and it is the top eigenvector of the smaller Gram matrix: of ``c.T @ c`` it is
    ``v`` itself, of ``c @ c.T`` it is ``u`` with ``c.T @ u`` along ``v``. The side is then
    ``c @ v > 0`` computed as before, so a row exactly at the mean (all zeros) stays on the
    negative side, as it did. ``v``'s sign is arbitrary (LAPACK's choice, here as in the SVD):
    ``EventIndex.split`` makes it canonical by the first member's side."""
    from scipy.linalg import eigh

    n, d = c.shape
    if n <= d:
        u = eigh(c @ c.T, subset_by_index=[n - 1, n - 1])[1][:, 0]
        v = c.T @ u
    else:
        v = eigh(c.T @ c, subset_by_index=[d - 1, d - 1])[1][:, 0]
    side: np.ndarray = (c @ v) > 0
    return side


def _cut(vectors: np.ndarray) -> np.ndarray | None:
    """Two sides of a group of vectors, by what is left once their mean (the story they share) is
    removed: the sign on the leading direction of the rest, refined by 2-means on cosine. None when
    one side would be empty."""
    with _one_blas_thread():
        c = vectors - vectors.mean(0)
        c /= np.maximum(np.linalg.norm(c, axis=1, keepdims=True), 1e-9)
        side = _leading_side(c)
        for _ in range(20):
            if side.all() or not side.any():
                return None
            a, b = c[side].mean(0), c[~side].mean(0)
            new = (c @ (a / max(np.linalg.norm(a), 1e-9))) > (c @ (b / max(np.linalg.norm(b), 1e-9)))
            if (new == side).all():
                break
            side = new
        return None if side.all() or not side.any() else side


class EventIndex:
    """Articles → events, one article at a time."""

    # A restore in bounded memory under way (``spill``); a class default, not set in ``__init__``:
    # no snapshot ever holds one (``finish_restore`` ends it), and ``__init__``'s source is hashed
    # into the snapshot's code version.
    _spill: _Spill | None = None

    def __init__(self, config: LinkConfig, dim: int = 384, loader: Loader | None = None) -> None:
        self.cfg = config
        self.dim = dim
        # Every indexed article's features; with a loader only recent ones stay in memory.
        self.feats = FeatureCache(loader)
        self.event_of: dict[str, str] = {}
        self.members: dict[str, list[str]] = {}
        self.order: dict[str, int] = {}  # event id -> creation rank, so "older" is well defined
        self._ranks = 0  # next rank: never reused, unlike len(order) after merges
        self._keys: list[str] = []
        self._keys_hash = hashlib.sha1()  # of ``_keys`` in order: identifies a saved index's articles
        # A saved index adopted for a restore (``adopt_index``), and the vectors it stands in for
        # until the restore has shown it holds the same articles.
        self._adopted: tuple[Index, int, str] | None = None
        self._held: list[np.ndarray] = []
        # Publish date per indexed article, so the time window is checked before a stored
        # article's features are read back.
        self.published: dict[str, object] = {}
        self._index = Index(ndim=dim, metric="ip")
        # Vectors frozen to disk (``freeze``): keys below ``_frozen_n`` live in ``_segments``.
        self._segments: list[_Segment] = []
        self._frozen_n = 0
        self._dups = DuplicateIndex(config.duplicate_jaccard, config.minhash_perm)
        self._dups.names = self._keys
        # Signatures of articles linked since last taken (only when backed by a store).
        self.signatures: dict[str, np.ndarray | None] = {}

    # --- state ------------------------------------------------------------------------------
    def _vector(self, f: Features) -> np.ndarray:
        if f.vector is not None and f.vector.shape == (self.dim,):
            return f.vector
        return hashed_vector(f, self.dim)

    def _index_article(self, f: Features) -> None:
        self.feats[f.id] = f
        self.published[f.id] = f.published
        sig = signature_of(f, self.cfg.minhash_perm)
        self._index_stored(f.id, self._vector(f), sig)
        if self.feats.loader is not None:  # backed by a store, which keeps the signature
            self.signatures[f.id] = sig

    def _index_stored(self, article_id: str, vector: np.ndarray, signature: np.ndarray | None) -> None:
        """Into the vector index and (from its MinHash signature) the near-duplicate index; the
        same as ``DuplicateIndex.add`` on the shingles, without needing them."""
        key = len(self._keys)
        if self._spill is not None:
            self._spill_stored(key, article_id, vector, signature)
            return
        if self._adopted is not None and key == self._adopted[1]:
            self._settle_adopted()
        if self._adopted is not None:
            self._held.append(vector)
        else:
            self._index.add(key, vector)
        self._keys.append(article_id)
        self._keys_hash.update(article_id.encode() + b"\0")
        if signature is not None:
            self._dups.add_signature(article_id, signature)

    # --- a saved vector index --------------------------------------------------------------
    def saved_index(self) -> tuple[int, str, bytes] | None:
        """The article vector index as bytes, with how many articles it holds and the hash of
        their ids in order: a restart that restores the same articles first can load it
        (``adopt_index``) instead of inserting every vector again, the slowest part of start-up.
        None once part of it is frozen to disk (``freeze``): a snapshot holds it then."""
        if self._segments:
            return None
        data = self._index.save()
        assert data is not None  # no path given: usearch returns the bytes
        return len(self._keys), self._keys_hash.hexdigest(), bytes(data)

    def adopt_index(self, count: int, ids_hash: str, data: bytes) -> None:
        """Before a restore: use a saved index (``saved_index``) for the first ``count`` articles
        restored, if they turn out to be the ones it was saved with; otherwise it is dropped and
        their vectors are indexed as usual (``finish_restore``)."""
        if self._keys or count <= 0:
            return
        index = Index(ndim=self.dim, metric="ip")
        try:
            index.load(data)
        except (RuntimeError, ValueError):
            return  # unreadable: index as usual
        if len(index) == count and index.ndim == self.dim:
            self._adopted = (index, count, ids_hash)

    def _spill_stored(self, key: int, article_id: str, vector: np.ndarray, signature: np.ndarray | None) -> None:
        """``_index_stored`` during a bounded restore: to the spill files, not into memory."""
        spill = self._spill
        assert spill is not None
        dups = self._dups
        if signature is not None and article_id in dups._seen:  # as ``add_signature``: bands once
            signature = None
        spill.add(key, vector, signature, _day(self.published.get(article_id)))
        self._keys.append(article_id)
        self._keys_hash.update(article_id.encode() + b"\0")
        if signature is not None:
            dups._seen.add(article_id)

    def spill(self, directory: Path) -> None:
        """Restore the stored articles that follow (``restore_stored``, on an empty index) in
        bounded memory: their vectors and bands go to files in ``directory`` as they come
        (``_Spill``), and ``finish_restore`` freezes them there, segment by segment, as a
        ``freeze`` into ``directory`` would have; the linker then searches them memory-mapped,
        as after a snapshot load."""
        if self._keys or self._adopted is not None:
            raise ValueError("EventIndex.spill: only a restore into an empty index spills")
        self._spill = _Spill(directory, self.dim, len(self._keys), self._dups)

    def finish_restore(self) -> None:
        self._settle_adopted()
        spill, self._spill = self._spill, None
        if spill is None:
            return
        made: list[_Segment] = []
        spill.finish(SEGMENT_SIZE, lambda index, days: made.append(_Segment.write(spill.directory, index, days)))
        self._segments += made
        self._frozen_n = len(self._keys)

    # --- vectors and bands frozen to disk ------------------------------------------------------
    def freeze(self, directory: Path, size: int | None = None) -> None:
        """Move the vectors and near-duplicate bands held in memory to files in ``directory``,
        memory-mapped from then on (``_Segment``; ``DuplicateIndex.freeze``). Vectors are grouped
        by publish date (undated ones apart), so a dated article searches only the segments
        within its window. The vectors are the index's own (same precision), and the segments are
        searched beside the in-memory index, which starts empty again.

        Segments below ``size`` (``SEGMENT_SIZE``) are merged with the new vectors of their kind
        (dated or undated; ``_compact``): every save freezes what was linked since, and without
        this the segments every undated article searches would grow in number with the saves,
        not with the store. Full segments are never rewritten. The old files are left for
        ``snapshot.save`` to remove once the new snapshot names the new ones."""
        self._settle_adopted()
        size = size or SEGMENT_SIZE
        fresh = np.arange(self._frozen_n, len(self._keys), dtype=np.uint64)
        fresh_days = [_day(self.published.get(self._keys[int(k)])) for k in fresh]
        segments = [s for s in self._segments if s.count >= size]
        for dated in (False, True):
            keys = np.asarray([k for k, d in zip(fresh, fresh_days, strict=True) if (d is not None) == dated],
                              dtype=np.uint64)
            small = [s for s in self._segments if s.count < size and (s.lo is not None) == dated]
            segments += self._compact(directory, small, keys, size, dated)
        self._segments = segments
        self._frozen_n = len(self._keys)
        self._index = Index(ndim=self.dim, metric="ip")
        self._dups.freeze(directory, {aid: i for i, aid in enumerate(self._keys)})

    def _compact(
        self, directory: Path, small: list[_Segment], fresh: np.ndarray, size: int, dated: bool
    ) -> list[_Segment]:
        """The segments holding ``small``'s vectors and the in-memory index's ``fresh`` ones (all
        of one kind, dated or undated), at most ``size`` each: every vector exactly once, dated
        ones in publish-date order so each segment covers a short range of days.

        The largest small segment is extended in place of being rebuilt when it holds at least
        half of what is merged (the usual save: the open segment plus what was linked since), so
        a save costs inserting what is new, not rebuilding a segment of up to ``size``; otherwise
        (the first saves, or segments left small by a smaller ``SEGMENT_SIZE``) everything is
        inserted anew in date order."""
        if not len(fresh) and len(small) <= 1:
            return small
        sources: list[Index] = [self._index, *(s.index for s in small)]
        parts = [fresh, *(np.asarray(s.index.keys, dtype=np.uint64) for s in small)]
        keys = np.concatenate(parts)
        src = np.concatenate([np.full(len(p), i, dtype=np.int32) for i, p in enumerate(parts)])
        days = np.asarray([_day(self.published.get(self._keys[int(k)])) or 0 for k in keys], dtype=np.int64)
        base = max(small, key=lambda s: s.count) if small else None
        if base is not None and 2 * base.count < len(keys):
            base = None  # most of it is new to the base: insert all of it in date order
        if base is not None:  # its own vectors stay where they are; the rest follow in date order
            own = src == 1 + small.index(base)
            rest = np.flatnonzero(~own)
            order = np.concatenate([np.flatnonzero(own), rest[np.lexsort((keys[rest], days[rest]))]])
        else:
            order = np.lexsort((keys, days))
        out = []
        for j in range(0, len(order), size):
            chunk = order[j : j + size]
            if base is not None and j == 0:
                index = Index.restore(str(base.path))  # a copy in memory, not the mapped file
                if index is None:
                    raise ValueError(f"{base.path}: unreadable article index segment")
                chunk_new = chunk[base.count :]
            else:
                index, chunk_new = Index(ndim=self.dim, metric="ip"), chunk
            if len(chunk_new):
                index.add(keys[chunk_new], self._vectors_of(sources, src[chunk_new], keys[chunk_new]))
            out.append(_Segment.write(directory, index, days[chunk] if dated else None))
        return out

    def _vectors_of(self, sources: list[Index], src: np.ndarray, keys: np.ndarray) -> np.ndarray:
        """The stored vectors of ``keys``, each read from its index (``sources[src[i]]``), in order."""
        vecs = np.empty((len(keys), self.dim), dtype=np.float32)
        for i in np.unique(src):
            rows = np.flatnonzero(src == i)
            for j in range(0, len(rows), 8192):
                r = rows[j : j + 8192]
                vecs[r] = np.asarray(sources[int(i)].get(keys[r]), dtype=np.float32).reshape(-1, self.dim)
        return vecs

    def files(self) -> list[Path]:
        """Files this index reads from (segments and frozen bands)."""
        return [s.path for s in self._segments] + self._dups.files()

    def __getstate__(self) -> dict[str, Any]:
        """For a snapshot (``storyline.link.snapshot``): taken after ``freeze``, so the
        in-memory index holds what was linked since (saved as bytes); the features held in
        memory are a cache and are not kept (``FeatureCache.__getstate__``)."""
        if self._adopted is not None:
            raise ValueError("EventIndex: cannot snapshot during a restore")
        st = dict(self.__dict__)
        data = self._index.save() if len(self._index) else None
        st["_index"] = None if data is None else bytes(data)
        st["_keys_hash"] = None  # a running sha1 cannot be pickled; only ``saved_index`` used it
        return st

    def __setstate__(self, st: dict[str, Any]) -> None:
        data = st.pop("_index")
        self.__dict__.update(st)
        self._index = Index(ndim=self.dim, metric="ip")
        if data is not None:
            self._index.load(data)
        self._keys_hash = hashlib.sha1()

    def indexed(self) -> int:
        """Articles in the vector index."""
        return len(self._keys)

    def _settle_adopted(self) -> None:
        """Keep the adopted index if the articles restored so far are the ones it was saved
        with (same ids, same order), else index their held vectors now."""
        if self._adopted is None:
            return
        index, count, ids_hash = self._adopted
        self._adopted = None
        held, self._held = self._held, []
        if len(self._keys) == count and self._keys_hash.hexdigest() == ids_hash:
            self._index = index
        elif held:
            self._index.add(np.arange(len(held), dtype=np.uint64), np.stack(held), threads=1)

    def _new_event(self, article_id: str) -> str:
        eid = make_id("ev", article_id)
        while eid in self.members:  # a re-used article id: keep ids unique, still deterministic
            eid = make_id("ev", eid)
        self.members[eid] = []
        self.order[eid] = self._next_rank()
        return eid

    def _next_rank(self) -> int:
        self._ranks += 1
        return self._ranks - 1

    def restore(self, f: Features, event_id: str) -> None:
        """Put back an article with its stored event, without re-linking (``Linker.load``)."""
        self._restore_member(f.id, event_id)
        self._index_article(f)
        self.signatures.pop(f.id, None)

    def restore_stored(
        self,
        article_id: str,
        event_id: str,
        vector: np.ndarray,
        signature: np.ndarray | None,
        published: object = None,
    ) -> None:
        """Like ``restore`` from what the store keeps (``Linker.restore``): the index vector (see
        ``index_vector``), the MinHash signature and the publish date; the features stay in the
        store until the article comes up as a candidate inside the time window."""
        self._restore_member(article_id, event_id)
        self.feats.know(article_id)
        self.published[article_id] = published
        self._index_stored(article_id, vector, signature)

    def index_vector(self, vector: np.ndarray | None, f: Features | None = None) -> np.ndarray | None:
        """The vector an article is indexed under: its own, else (given its features) hashed words."""
        if vector is not None and vector.shape == (self.dim,):
            return vector
        return None if f is None else hashed_vector(f, self.dim)

    def _restore_member(self, article_id: str, event_id: str) -> None:
        if event_id not in self.members:
            self.members[event_id] = []
            self.order[event_id] = self._next_rank()
        self.members[event_id].append(article_id)
        self.event_of[article_id] = event_id

    def move(self, article_id: str, event_id: str) -> str | None:
        """Put a known article into ``event_id`` as another writer stored it (``Linker.catch_up``);
        returns the event it left (None: it was there already). An event left empty is gone."""
        old = self.event_of[article_id]
        if old == event_id:
            return None
        self.members[old].remove(article_id)
        if not self.members[old]:
            del self.members[old]
            self.order.pop(old, None)
        self._restore_member(article_id, event_id)
        return old

    def take_signatures(self) -> dict[str, np.ndarray | None]:
        """MinHash signatures of the articles linked since the last call (for the store)."""
        out, self.signatures = self.signatures, {}
        return out

    # --- linking ----------------------------------------------------------------------------
    def candidates(self, f: Features, ahead: Ahead | None = None) -> dict[str, float]:
        """Earlier articles worth comparing, with their mixed score.

        A near-duplicate is a pair the LSH index returns (``dups``) whose exact shingle Jaccard
        confirms it; a vector neighbour the LSH index did not return is scored on the other signals
        alone. With weights on none of the signals the stored head lacks (title, words, numbers:
        ``head_decides``) that score needs only the head (language, date, vector, entities), so such
        a neighbour's ~65 KB of word bags and shingles is not read back (``FeatureCache.heads``).
        Until session 16 every neighbour's Jaccard counted, so an LSH miss (a pair of Jaccard >= 0.6
        the bands did not return, more likely the nearer the pair is to 0.6) found by the vector
        search scored 1.0; now it scores as any pair of its cosine and entities would."""
        found: set[str] = set()
        if len(self._keys):
            k = min(self.cfg.neighbours, len(self._keys))
            found.update(self._keys[key] for key in self._nearest(f, k, ahead))
        dups = {d for d in self._dups.query(f.shingles) if d in self.feats}
        found |= dups
        within = [cid for cid in found if cid in dups or self._in_window(f.published, cid)]
        rest = [cid for cid in within if cid not in dups]
        if not head_decides(self.cfg):
            self.feats.prefetch(within)  # the ones not held: one store read, not one per neighbour
            heads = {cid: self.feats[cid] for cid in rest}
        else:
            self.feats.prefetch([cid for cid in within if cid in dups])
            heads = self.feats.heads(rest)
        out = {}
        for cid in within:
            if cid in dups:
                out[cid] = combine(signals(f, self.feats[cid], self.cfg), self.cfg)
            else:
                sig = signals(f, heads[cid], self.cfg)
                sig["duplicate"] = None
                out[cid] = combine(sig, self.cfg)
        return out

    def _in_window(self, published: object, cid: str) -> bool:
        """Whether an indexed article may link to one published on ``published`` (always, when
        either date is unknown): decided on the dates held in memory, before any features are read."""
        when = self.published.get(cid)
        if published is None or when is None:
            return True
        return abs((published - when).days) <= self.cfg.window_days  # type: ignore[operator]

    def _nearest(self, f: Features, k: int, ahead: Ahead | None = None) -> list[int]:
        """Keys of the ``k`` nearest indexed articles: from the in-memory index and from the
        frozen segments the article's time window reaches, nearest first. ``ahead``: the
        segments' answers for a batch, searched before it was linked (``search_ahead``); used for
        ``f`` when they were searched for this very article with this ``k``, else the segments
        are searched now."""
        vec = self._vector(f)
        if not self._segments:
            return [int(key) for key in self._index.search(vec, k).keys]
        found: list[tuple[float, int]] = []
        if len(self._index):
            hits = self._index.search(vec, k)
            found.extend(zip(hits.distances.tolist(), hits.keys.tolist(), strict=True))
        got = None if ahead is None else ahead.get(f.id)
        if got is not None and got[0] is f and got[1] == k:
            found.extend(got[2])
        else:
            day = _day(f.published)
            for seg in self._segments:
                if seg.reaches(day, self.cfg.window_days):
                    hits = seg.index.search(vec, min(k, seg.count))
                    found.extend(zip(hits.distances.tolist(), hits.keys.tolist(), strict=True))
        found.sort()
        return [int(key) for _, key in found[:k]]

    def search_ahead(self, batch: Sequence[Features]) -> Ahead:
        """The frozen segments' nearest for every article of ``batch``, searched with one usearch
        call per segment (each article's rows only in the segments its window reaches, as
        ``_nearest`` would search them), to be passed to ``add`` as the batch is linked.

        Exact: the segments do not change while a batch is linked (only ``freeze`` changes them,
        and it runs between batches), each query of a batch search runs the same HNSW search as a
        single one (checked: the same keys and distances), and ``_nearest`` merges the answers
        with the in-memory index's, searched at link time as before, and sorts them the same way.
        What it saves is usearch's per-call cost, not the search itself: at a million stored a
        dated new article searches three indexes where a small store's searches one."""
        if not self._segments or not batch:
            return {}
        k = min(self.cfg.neighbours, len(self._keys))
        vecs = [self._vector(f) for f in batch]
        days = [_day(f.published) for f in batch]
        found: list[list[tuple[float, int]]] = [[] for _ in batch]
        window = self.cfg.window_days
        rows_of = [[i for i, day in enumerate(days) if seg.reaches(day, window)] for seg in self._segments]
        maps = _segment_mappings({s.mapped_as for s in self._segments}.__contains__) if DROP_SEGMENT_PAGES else {}
        kept = self._kept(rows_of)
        for j, (seg, rows) in enumerate(zip(self._segments, rows_of, strict=True)):
            if rows:
                self._search_segment(seg, rows, vecs, k, found)
            if j not in kept:  # also one kept by an earlier batch and not by this one
                # Every segment is alive (self._segments holds its index) while its ranges are dropped.
                _drop_pages(maps.get(seg.mapped_as, []))
        return {f.id: (f, k, hits_of) for f, hits_of in zip(batch, found, strict=True)}

    def drop_pages(self) -> None:
        """Drop every frozen segment's mapped pages from the process (those ``search_ahead`` kept
        too); exact, as there: they come back from the page cache when next searched."""
        if DROP_SEGMENT_PAGES and self._segments:
            for ranges in _segment_mappings({s.mapped_as for s in self._segments}.__contains__).values():
                _drop_pages(ranges)

    def _kept(self, rows_of: list[list[int]]) -> set[int]:
        """The segments (positions in ``_segments``) whose pages stay mapped after this batch
        (``SEGMENT_PAGES_KEPT``): those the most of the batch's articles search, the largest first
        among equals, as long as their file sizes fit; a segment nobody searched is never kept."""
        segs = self._segments
        if not DROP_SEGMENT_PAGES:
            return set(range(len(segs)))
        kept: set[int] = set()
        room = SEGMENT_PAGES_KEPT
        for j in sorted(range(len(segs)), key=lambda j: (-len(rows_of[j]), -segs[j].size, j)):
            if rows_of[j] and segs[j].size <= room:
                kept.add(j)
                room -= segs[j].size
        return kept

    @staticmethod
    def _search_segment(
        seg: _Segment, rows: list[int], vecs: list[np.ndarray], k: int, found: list[list[tuple[float, int]]]
    ) -> None:
        """One segment's nearest for the batch's ``rows`` (one usearch call), into ``found``."""
        if len(rows) == 1:  # usearch answers a single query with its own matches, not a batch
            one = seg.index.search(vecs[rows[0]], min(k, seg.count))
            found[rows[0]].extend(zip(one.distances.tolist(), one.keys.tolist(), strict=True))
            return
        hits = seg.index.search(np.stack([vecs[i] for i in rows]), min(k, seg.count), threads=1)
        assert isinstance(hits, BatchMatches)  # two queries or more
        counts = hits.counts.tolist()
        keys, dists = hits.keys.tolist(), hits.distances.tolist()
        for j, i in enumerate(rows):
            n = counts[j]
            found[i].extend(zip(dists[j][:n], keys[j][:n], strict=True))

    def event_scores(self, scores: dict[str, float]) -> dict[str, float]:
        per: dict[str, list[float]] = {}
        for cid, s in scores.items():
            per.setdefault(self.event_of[cid], []).append(s)
        if self.cfg.linkage == "mean":
            # Average over the event's members near the article, counting the rest as unseen
            # (not as zeros): big events are not punished for members the index did not return.
            # Shipped until session 21 ("max" since: see the module docstring).
            return {e: float(np.mean(v)) for e, v in per.items()}
        if self.cfg.linkage == "min":
            return {e: min(v) for e, v in per.items()}
        return {e: max(v) for e, v in per.items()}

    def add(self, f: Features, ahead: Ahead | None = None) -> tuple[str, list[tuple[str, str]]]:
        """Link one article; returns its event and the merges ``(absorbed, kept)`` it caused.
        ``grown`` then says whether the event should be checked for a twin (``split``).
        ``ahead``: the frozen segments' answers for its batch (``search_ahead``)."""
        self.grown = None
        if f.id in self.event_of:
            return self.event_of[f.id], []
        ev = self.event_scores(self.candidates(f, ahead))
        ranked = sorted(ev.items(), key=lambda kv: (-kv[1], self.order[kv[0]]))
        merges: list[tuple[str, str]] = []
        before = 0
        if ranked and ranked[0][1] >= self.cfg.event_threshold:
            strong = [e for e, s in ranked if s >= self.cfg.merge_threshold]
            target = ranked[0][0]
            group = sorted({target, *strong}, key=self.order.__getitem__)
            keep = group[0]
            before = len(self.members[keep])
            for other in group[1:]:
                self._merge(other, keep)
                merges.append((other, keep))
            eid = keep
        else:
            eid = self._new_event(f.id)
        self.members[eid].append(f.id)
        self.event_of[f.id] = eid
        self._index_article(f)
        if self._crossed(before, len(self.members[eid])):
            self.grown = eid
        return eid, merges

    # --- twins ------------------------------------------------------------------------------
    grown: str | None = None

    def _crossed(self, before: int, after: int) -> bool:
        """Whether an event's size passed a power of ``event_split_growth`` (sizes only, so a
        restarted index checks exactly when an unbroken run does)."""
        g = self.cfg.event_split_growth
        if g is None or after < SPLIT_FROM or after > SPLIT_MEMBERS:
            return False
        return before < 1 or math.floor(math.log(after, g)) > math.floor(math.log(before, g))

    def split(self, event_id: str) -> list[tuple[str, str, list[str]]]:
        """Cut an event in two where its members differ most, and keep the cut when the halves'
        average link (mean mixed score over pairs across the cut) is below ``event_threshold``,
        or below ``twin_link_bar`` when each half has an entity most of its members name and no
        member of the other half does; each half is checked again. Returns the splits made, in
        order, as ``(event cut, new event, articles moved to it)``; the half with the first member
        keeps the id."""
        ids = self.members.get(event_id, [])
        if len(ids) < SPLIT_FROM:
            return []
        feats = [self.feats[i] for i in ids]
        side = _cut(np.stack([self._vector(f) for f in feats]).astype(np.float64))
        if side is None:
            return []
        if side[0]:
            side = ~side
        keep = [f for f, s in zip(feats, side, strict=True) if not s]
        move = [f for f, s in zip(feats, side, strict=True) if s]
        link = _average_link(keep, move, self.cfg)
        if link >= self.cfg.event_threshold and not (
            link < self.cfg.twin_link_bar
            and _signature(keep, move, self.cfg.twin_entity_share)
            and _signature(move, keep, self.cfg.twin_entity_share)
        ):
            return []
        return self._part(event_id, keep, move)

    def _part(
        self, event_id: str, keep: Sequence[Features], move: Sequence[Features]
    ) -> list[tuple[str, str, list[str]]]:
        """Move ``move``'s members out of ``event_id`` into a new event, then check each half
        again (``split``); the splits made, in order."""
        new = self._new_event(move[0].id)
        self.members[event_id] = [f.id for f in keep]
        self.members[new] = [f.id for f in move]
        for f in move:
            self.event_of[f.id] = new
        return [(event_id, new, self.members[new][:]), *self.split(event_id), *self.split(new)]

    def _merge(self, absorbed: str, kept: str) -> None:
        for aid in self.members.pop(absorbed):
            self.event_of[aid] = kept
            self.members[kept].append(aid)
        self.order.pop(absorbed, None)
