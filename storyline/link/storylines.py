"""Storylines: events that continue one story over weeks or years, in any language.

A layer above events rather than a looser event threshold: a storyline joins *events* by what
they are about (their e5 vectors and the entity keys they share, both language-independent),
with no time window, because the next chapter of a story may come years later. Publish time is
deliberately not a signal here.

The closeness of an event to a storyline is *average link* over their articles: the mean, over
every (event article, storyline article) pair, of e5 cosine (lifted by
``crosslingual_cosine_shift`` when the two are in different languages, since e5 puts a translation
lower than a same-language retelling) plus ``storyline_entity_weight`` times the cosine of their
entity-key sets. Every term is linear in per-article vectors, so running sums per storyline give
the exact mean in O(dim) whatever the storyline's size; unlike one normalised centroid, it does not
favour a diffuse storyline that has drifted over years, and it lets a storyline's many languages
each count for their own share.

An event is placed once, when it is created, against the storylines that exist then (stable ids
for users). A storyline that grows may then come within ``storyline_merge_threshold`` of another
(average link between the two); they merge, the older id surviving. That is incremental
average-link clustering: a story first seen in two places (two languages, two angles) joins up
once an event bridges it. Storylines also merge when their events merge.

Placing an event once is greedy: the first event of a new story joins whatever storyline is
closest at the time (on dev data the first Libya reports of 2011 joined the Iraq-war storyline of
2005, the only Middle-East war there was), and the story then grows inside the wrong storyline.
So each time a storyline grows past a power of ``storyline_recheck_growth`` articles, each of its
events is weighed again against the storyline without it and against every other storyline, and
moves where it is now closer (``_recheck``); the trigger depends on sizes only, so amortised cost
stays near linear and a restarted linker behaves as an unbroken run. On the storylines dev set
this took BCubed F1 0.79 -> 0.84 (held-out half 0.79 -> 0.85) and cross-lingual recall 0.64 -> 0.71.
Events are re-weighed oldest first, so which events move never depends on merge history.

"Every other storyline" is not a scan: average link is a sum of inner products of per-group
means, so a usearch index over storylines' mean vectors, an inverted index of their entity keys and
the few storylines changed most recently (``_Candidates``) return the few worth scoring exactly.
A recheck remembers an event's best scores, so asking the same unchanged event again weighs it
only against the storylines changed since (``StorylineIndex._recall``). The cost of placing an
event then stays near flat as the store grows (``benchmarks/scale.py``).
"""

from __future__ import annotations

import heapq
import itertools
import math
import weakref
import zlib
from collections import Counter, deque
from collections.abc import Callable, Iterable, Mapping
from operator import itemgetter
from pathlib import Path
from typing import Any

import numpy as np
from usearch.index import Index

from storyline.link.events import make_id
from storyline.link.keys import KeyTable, Postings
from storyline.link.similarity import LinkConfig, storyline_score

LANGUAGE_SLOTS = 16
MEMO_WINDOW = 4096  # storyline changes remembered for re-asking an unchanged event (``StorylineIndex._best``)
_weight = itemgetter(1)
DRIFT = 0.1  # a storyline's indexed vector is renewed once its size has moved by more than this share
# What the storyline candidate index's HNSW search answered, per index object: a query's bytes ->
# the node keys found (``_Candidates._nearest``). An index changes only by ``add`` (``_insert``,
# which empties its entry) or by being replaced (a rebuild, a snapshot load: a new object), and a
# search of an unchanged index for the same vector returns the same nodes, so answering a repeated
# query from here is exact. Held beside the index, not in ``_Candidates``, so no snapshot holds it.
_NEAREST: weakref.WeakKeyDictionary[Index, dict[bytes, list[int]]] = weakref.WeakKeyDictionary()
NEAREST_HELD = 1024  # queries remembered per index at most (emptied when full)


def _slot(key: str, slots: int) -> int:
    """A stable (across processes, unlike ``hash``) slot for a key."""
    return zlib.crc32(key.encode("utf-8")) % slots


_NO_KEYS = np.zeros(0, dtype=np.int32)
_NO_VALUES = np.zeros(0, dtype=np.float64)
_LOOSE = KeyTable()  # numbers the keys of groups made outside a ``StorylineIndex`` (tests)


def _matched(ak: np.ndarray, bk: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Positions in ``bk`` (sorted) of the keys of ``ak`` it holds, and which of ``ak`` those are."""
    pos = np.searchsorted(bk, ak)
    np.minimum(pos, len(bk) - 1, out=pos)
    hit = bk[pos] == ak
    return pos[hit], hit


class _Group:
    """Running sums of a set of articles: enough for average link without revisiting members.

    The sum of unit entity vectors is two sorted arrays, entity key number (``keys.KeyTable``)
    and value (12 bytes a key, against ~100 for a Counter of strings), and a dict of the keys
    changed since they were last merged (holding each key's whole current value, so every value
    is the same sum, added in the same order, as a Counter's: exact). Arrays are never written in
    place (a snapshot's may be shared or read-only)."""

    __slots__ = ("ed", "ek", "ev", "langs", "n", "nent", "nvec", "vsum")

    def __init__(self, dim: int) -> None:
        self.vsum = np.zeros(dim, dtype=np.float64)
        self.n = 0  # articles
        self.nvec = 0  # articles with a vector
        self.nent = 0  # articles with entity keys
        self.ek = _NO_KEYS  # sum of unit entity vectors: key numbers, ascending ...
        self.ev = _NO_VALUES  # ... and their values
        self.ed: dict[int, float] = {}  # ... and the keys changed since, with their current values
        self.langs: Counter[str] = Counter()

    def add(self, vector: np.ndarray | None, entities: frozenset[str], lang: str, keys: KeyTable | None = None) -> None:
        """``keys``: the table of the index the group belongs to."""
        nums, w = (_LOOSE if keys is None else keys).vector(entities)
        self.add_keys(vector, nums, w, lang)

    def add_keys(self, vector: np.ndarray | None, nums: list[int], w: float, lang: str) -> None:
        """``add`` with the entity keys already numbered (``KeyTable.vector``)."""
        if vector is not None and vector.shape == self.vsum.shape:
            self.vsum += vector
            self.nvec += 1
        self.n += 1
        self.nent += bool(nums)
        if nums:
            ed = self.ed
            base: dict[int, float] = {}
            if len(self.ek):
                missing = [k for k in nums if k not in ed]
                if missing:
                    pos, hit = _matched(np.asarray(missing, dtype=np.int32), self.ek)
                    base = dict(zip(np.asarray(missing)[hit].tolist(), self.ev[pos].tolist(), strict=True))
            for k in nums:
                cur = ed.get(k)
                ed[k] = (base.get(k, 0.0) if cur is None else cur) + w
            if len(ed) > max(32, len(self.ek) >> 3):
                self._merge()
        self.langs[lang or ""] += 1

    def _merge(self) -> None:
        """Fold the changed keys into the arrays."""
        ed = self.ed
        if not ed:
            return
        dk = np.fromiter(ed, dtype=np.int32, count=len(ed))
        dv = np.fromiter(ed.values(), dtype=np.float64, count=len(ed))
        if len(self.ek):
            keys = np.union1d(self.ek, dk)
            vals = np.zeros(len(keys), dtype=np.float64)
            vals[np.searchsorted(keys, self.ek)] = self.ev
            vals[np.searchsorted(keys, dk)] = dv
        else:
            order = np.argsort(dk)
            keys, vals = dk[order], dv[order]
        self.ek, self.ev, self.ed = keys, vals, {}

    def entities(self) -> tuple[np.ndarray, np.ndarray]:
        """The entity sums as (key numbers ascending, values)."""
        self._merge()
        return self.ek, self.ev

    def entity_keys(self) -> list[int]:
        return self.entities()[0].tolist()

    def values_at(self, keys: np.ndarray) -> np.ndarray:
        """The sums of ``keys`` (0.0 where not named)."""
        ek, ev = self.entities()
        out = np.zeros(len(keys), dtype=np.float64)
        if len(ek):
            pos, hit = _matched(keys, ek)
            out[hit] = ev[pos]
        return out

    def absorb(self, other: _Group) -> None:
        self.vsum += other.vsum
        self.n += other.n
        self.nvec += other.nvec
        self.nent += other.nent
        ok, ov = other.entities()
        if len(ok):
            sk, sv = self.entities()
            if len(sk):
                keys = np.union1d(sk, ok)
                vals = np.zeros(len(keys), dtype=np.float64)
                vals[np.searchsorted(keys, sk)] = sv
                vals[np.searchsorted(keys, ok)] += ov  # each shared key: one addition, as a Counter's update
                self.ek, self.ev = keys, vals
            else:
                self.ek, self.ev = ok, ov
        self.langs.update(other.langs)

    def without(self, other: _Group) -> _Group:
        """These sums less a subset's (an event leaving its storyline)."""
        g = _Group(len(self.vsum))
        g.vsum = self.vsum - other.vsum
        g.n, g.nvec, g.nent = self.n - other.n, self.nvec - other.nvec, self.nent - other.nent
        sk, sv = self.entities()
        ok, ov = other.entities()
        if len(ok) and len(sk):
            vals = sv.copy()
            pos, hit = _matched(sk, ok)
            vals[hit] -= ov[pos]
            keep = vals > 1e-9
            g.ek, g.ev = sk[keep], vals[keep]
        else:
            keep = sv > 1e-9
            g.ek, g.ev = sk[keep], sv[keep]
        g.langs = self.langs - other.langs
        return g


def entity_dot(a: _Group, b: _Group) -> float:
    """The inner product of two groups' entity sums, exactly rounded (``math.fsum``), so it does
    not hang on the order keys are met in."""
    ak, av = a.entities()
    bk, bv = b.entities()
    if len(ak) > len(bk):
        ak, av, bk, bv = bk, bv, ak, av
    if not len(ak):
        return 0.0
    pos, hit = _matched(ak, bk)
    return math.fsum((av[hit] * bv[pos]).tolist())


def average_link(a: _Group, b: _Group, config: LinkConfig) -> float:
    """Mean pairwise closeness of the articles of ``a`` and ``b`` (see the module doc)."""
    cos = float(np.dot(a.vsum, b.vsum)) / (a.nvec * b.nvec) if a.nvec and b.nvec else None
    if a.n and b.n:
        ent: float | None = entity_dot(a, b) / (a.n * b.n)
        same = sum(c * b.langs.get(lang, 0) for lang, c in a.langs.items() if lang)
        known = (a.n - a.langs.get("", 0)) * (b.n - b.langs.get("", 0))
        crosslingual = (known - same) / (a.n * b.n)  # share of pairs in two known languages
    else:
        ent, crosslingual = None, 0.0
    return storyline_score(cos, ent, crosslingual, config)


def cohesion(g: _Group, config: LinkConfig) -> float | None:
    """Mean closeness over the distinct article pairs within ``g`` (None below two articles):
    the running sums' self-product less each article's pair with itself."""
    if g.n < 2:
        return None
    pairs = g.n * (g.n - 1)
    cos = (float(np.dot(g.vsum, g.vsum)) - g.nvec) / (g.nvec * (g.nvec - 1)) if g.nvec >= 2 else None
    ev = g.entities()[1]
    ent = (math.fsum((ev * ev).tolist()) - g.nent) / pairs
    known = g.n - g.langs.get("", 0)
    same = sum(c * c for lang, c in g.langs.items() if lang) - known
    crosslingual = (known * (known - 1) - same) / pairs
    return storyline_score(cos, ent, crosslingual, config)


class _Candidates:
    """Candidate storylines for a group of articles, so finding the closest storyline does not
    score every storyline as the store grows.

    Average link is a sum of inner products of per-group means: of the mean e5 vectors, of the
    mean entity vectors (times ``storyline_entity_weight``), and of the language shares (the share
    of cross-language pairs is ``known_a * known_b - langs_a . langs_b``). Candidates come from

    * a usearch (HNSW) index over each storyline's ``[mean vector | known-language share |
      language shares]``, queried with ``[mean vector | c * known | -c * language shares]``: the
      storylines closest in what they are about, in any language;
    * an inverted index from entity key to the storylines whose articles name it: every storyline
      sharing a key with the query, except through keys shared by more than ``POSTINGS``
      storylines (a key that common tells storylines apart too little to be worth the walk; its
      share still counts when candidates are scored);
    * the ``FRESH`` storylines changed most recently, which may be far from their indexed vector.

    All of them are ranked on current sums by that inner product (a matrix of current vectors,
    one row per storyline, so no candidate is ranked on a stale vector), and the best
    ``CANDIDATES`` are scored exactly. The HNSW index is only ever added to: usearch's ``remove``
    left nodes unreachable (a storyline re-indexed many times was missing from searches that an
    exact search over the same index returned), so a storyline that drifts gets a new node, the
    old one stays as a stale node for the same storyline, and the index is rebuilt from current
    vectors once stale nodes outnumber live ones. A storyline is re-indexed only when it leaves
    the fresh set having moved by more than ``DRIFT`` of its size since its last node: an HNSW
    insert costs more than a search, and one more article barely moves a big storyline."""

    SCAN = 32  # up to this many storylines, all are scored exactly (no index)
    CANDIDATES = 4  # scored exactly
    NEIGHBOURS = 32  # asked of the HNSW index
    FRESH = 32  # recently changed storylines kept out of the HNSW index, ranked on current sums
    POSTINGS = 64  # an entity key shared by more storylines than this proposes no candidates
    COMMON = 16  # of the query's too common keys, the heaviest this many count in ranking candidates
    REBUILD = 1024  # stale HNSW nodes tolerated before a rebuild, at least

    def __init__(self, config: LinkConfig, dim: int) -> None:
        self.cfg = config
        self.dim = dim
        self.ndim = dim + 1 + LANGUAGE_SLOTS
        self.index = self._new_index()
        self.sid_of: dict[int, str] = {}  # HNSW key (one per indexed version) -> storyline
        self.next_key = 0
        self.indexed_n: dict[str, int] = {}  # articles a storyline had at its newest HNSW node
        self.fresh: dict[str, None] = {}  # not (closely enough) in the HNSW index; least recent first
        self.row_of: dict[str, int] = {}
        self.rows = np.zeros((64, self.ndim), dtype=np.float32)  # current index vectors
        self.free: list[int] = []
        self.sid_at: dict[int, str] = {}  # row -> storyline
        self.postings = Postings()  # entity key number -> rows of the storylines naming it
        self.lang_slot: dict[str, int] = {}  # a slot of its own per language, hashed past LANGUAGE_SLOTS
        self.dirty: dict[str, set[int]] = {}  # changed storylines -> entity keys they may have gained

    def _new_index(self) -> Index:
        return Index(ndim=self.ndim, metric="ip", dtype="f16")

    def __getstate__(self) -> dict[str, Any]:
        """For a snapshot (``storyline.link.snapshot``): the HNSW index as its bytes."""
        st = dict(self.__dict__)
        data = self.index.save() if len(self.index) else None
        st["index"] = None if data is None else bytes(data)
        return st

    def __setstate__(self, st: dict[str, Any]) -> None:
        data = st.pop("index")
        self.__dict__.update(st)
        self.index = self._new_index()
        if data is not None:
            self.index.load(data)

    def _vector(self, g: _Group, known_weight: float, lang_weight: float) -> np.ndarray:
        """``[mean vector | known_weight * known-language share | lang_weight * language shares]``."""
        out = np.zeros(self.ndim, dtype=np.float32)
        if g.nvec:
            out[: self.dim] = g.vsum / g.nvec
        if g.n:
            base = self.dim + 1
            for lang, c in g.langs.items():
                if lang:
                    slot = self.lang_slot.get(lang)
                    if slot is None:
                        n = len(self.lang_slot)
                        slot = self.lang_slot[lang] = n if n < LANGUAGE_SLOTS else _slot(lang, LANGUAGE_SLOTS)
                    out[base + slot] += lang_weight * c / g.n
            out[self.dim] = known_weight * (g.n - g.langs.get("", 0)) / g.n
        return out

    def stored(self, g: _Group) -> np.ndarray:
        return self._vector(g, 1.0, 1.0)

    def query(self, g: _Group) -> np.ndarray:
        c = self.cfg.crosslingual_cosine_shift + self.cfg.storyline_crosslingual_bonus
        return self._vector(g, c, -c)

    def touch(self, storyline_id: str, keys: Iterable[int] = ()) -> None:
        """A storyline changed; ``keys``: entity keys it may have gained."""
        pending = self.dirty.get(storyline_id)
        if pending is None:
            pending = self.dirty[storyline_id] = set()
        pending.update(keys)

    def search(
        self, g: _Group, groups: dict[str, _Group], order: dict[str, int], exclude: str | None
    ) -> tuple[list[str], float]:
        """The storylines most likely closest to ``g`` (never ``exclude``), best first, and the
        ranking score of the best one left out; ``order`` gives each storyline a unique, stable
        rank (ties, and the order of index inserts)."""
        self.flush(groups, order)
        q = self.query(g)
        found = dict.fromkeys(self.fresh)
        if len(self.index):
            sid_of = self.sid_of
            found.update(dict.fromkeys([sid_of[key] for key in self._nearest(q)]))
        shared, common = self._shared(g, groups)
        found.update(shared)
        if exclude is not None:
            found.pop(exclude, None)
        sids = [sid for sid in found if sid in groups]
        if not sids:
            return [], -math.inf
        row_of = self.row_of
        score = (self.rows[[row_of[sid] for sid in sids]] @ q).astype(np.float64)
        if g.n and (shared or common):
            w = self.cfg.storyline_entity_weight / g.n
            ckeys = np.asarray([key for key, _ in common], dtype=np.int32)
            cvals = np.asarray([v for _, v in common], dtype=np.float64)
            for i, sid in enumerate(sids):
                e = shared.get(sid)
                if common:
                    e = (e or 0.0) + math.fsum((cvals * groups[sid].values_at(ckeys)).tolist())
                if e:
                    score[i] += w * e / groups[sid].n
        return self._top(sids, score, order)

    def _nearest(self, q: np.ndarray) -> list[int]:
        """The HNSW index's ``NEIGHBOURS`` nearest node keys to ``q``, a query asked again of the
        unchanged index answered from ``_NEAREST``: a recheck re-asks an unchanged event its
        remembered scores could not settle (``StorylineIndex._recall``) with the very vector it
        was placed or last rechecked with, 129 of 664 searches for 300 new articles, at 1k and
        at 1M stored alike, where one costs ~0.4-0.7 ms (60k nodes; docs/scale.md, session 21)."""
        index = self.index
        held = _NEAREST.get(index)
        if held is None:
            held = _NEAREST[index] = {}
        key = q.tobytes()
        keys = held.get(key)
        if keys is None:
            keys = index.search(q, min(self.NEIGHBOURS, len(index))).keys.tolist()
            if len(held) >= NEAREST_HELD:
                held.clear()
            if NEAREST_HELD:
                held[key] = keys
        return keys

    def _top(self, sids: list[str], score: np.ndarray, order: dict[str, int]) -> tuple[list[str], float]:
        """The ``CANDIDATES`` best of ``sids`` by ``score`` (ties: older first), and the best score
        left out (-inf: none)."""
        ranked = np.lexsort((np.array([order[sid] for sid in sids]), -score)).tolist()
        rest = float(score[ranked[self.CANDIDATES]]) if len(ranked) > self.CANDIDATES else -math.inf
        return [sids[i] for i in ranked[: self.CANDIDATES]], rest

    def rank(
        self, g: _Group, sids: list[str], groups: dict[str, _Group], order: dict[str, int]
    ) -> tuple[list[str], float]:
        """Like ``search``, among ``sids`` (live storylines, few) only; the entity term in full."""
        if len(sids) <= self.CANDIDATES:
            return sids, -math.inf
        self.flush(groups, order)
        score = (self.rows[[self.row_of[sid] for sid in sids]] @ self.query(g)).astype(np.float64)
        if g.n and len(g.entities()[0]):
            w = self.cfg.storyline_entity_weight / g.n
            for i, sid in enumerate(sids):
                other = groups[sid]
                score[i] += w * entity_dot(g, other) / other.n
        return self._top(sids, score, order)

    def _shared(self, g: _Group, groups: dict[str, _Group]) -> tuple[dict[str, float], list[tuple[int, float]]]:
        """Storylines sharing an entity key with ``g`` through keys not too common, with the inner
        product of their entity sums and ``g``'s over those keys (exactly rounded, whatever the
        order keys are met in); and ``g``'s too common keys (the ``COMMON`` heaviest, ties by key
        number), whose share is added for every candidate."""
        parts: dict[str, list[int]] = {}  # storyline -> positions in g's keys it shares
        common: list[tuple[int, float]] = []
        cap = self.POSTINGS
        postings, sid_at = self.postings, self.sid_at
        ek, ev = g.entities()
        for i, key in enumerate(ek.tolist()):
            n = postings.count(key)
            if not n:
                continue
            if n > cap:
                common.append((key, float(ev[i])))
                continue
            for row in postings.rows(key):
                sid = sid_at[row]
                part = parts.get(sid)
                if part is None:
                    part = parts[sid] = []
                part.append(i)
        if len(common) > self.COMMON:
            common = heapq.nlargest(self.COMMON, common, key=_weight)
        out: dict[str, float] = {}
        for sid, part in parts.items():
            at = np.asarray(part, dtype=np.intp)
            out[sid] = math.fsum((ev[at] * groups[sid].values_at(ek[at])).tolist())
        return out, common

    def flush(self, groups: dict[str, _Group], order: dict[str, int]) -> None:
        """Bring the changed storylines' current vectors and entity keys in (all of them after a
        restart); storylines that moved enough go to the fresh set, the least recently changed
        of which go into the HNSW index once it is full."""
        for sid in sorted(self.dirty, key=lambda x: (order.get(x, -1), x)):
            g = groups.get(sid)
            if g is None:
                self._drop(sid)
                continue
            row = self.row_of.get(sid)
            if row is None:
                row = self.row_of[sid] = self._row()
                self.sid_at[row] = sid
            self.rows[row] = self.stored(g)
            postings = self.postings
            postings.add_missing(row, self.dirty[sid])
            postings.tidy()
            n0 = self.indexed_n.get(sid)
            if n0 is None or abs(g.n - n0) > DRIFT * n0:
                self.fresh.pop(sid, None)
                self.fresh[sid] = None
        self.dirty.clear()
        if len(self.index) - len(self.indexed_n) > max(self.REBUILD, len(self.indexed_n)):
            self._rebuild(groups, order)
        elif len(self.fresh) > self.FRESH:
            spill = list(self.fresh)[: len(self.fresh) - self.FRESH // 2]
            for sid in spill:
                del self.fresh[sid]
            self._insert(spill, groups)

    def apply_keys(self, groups: dict[str, _Group]) -> None:
        """The postings part of ``flush``, now, for the changed storylines that live: their new
        entity keys go into the postings (a storyline new since the last flush gets its row
        number first), and everything else ``flush`` does (row vectors, the fresh set, the HNSW
        index) waits for it as before; the storyline stays in ``dirty``, so no search sees its
        row before ``flush`` has written it. A catch-up calls this, so start-up pays for the keys
        of what another writer stored (72k keys at 5,400 caught-up articles: 80 ms that the
        first new article paid), and so does a snapshot save (``StorylineIndex.freeze``), so the
        keys go into the frozen postings: a snapshot saved right after a catch-up held 240 new
        storylines' 96k keys, which every start-up from it added again at its first search
        (0.36 s of CPU, profiled). Exact: postings are sets, the same ones whenever a key goes
        in, no ranking depends on their order, and rows number storylines without ranking them
        (ties go by ``order``).

        A changed storyline that no longer lives (merged into another) leaves the postings here
        too, as ``flush`` would drop it: a snapshot saved before the next flush otherwise froze its
        row, and every start-up from it dropped the row again into the postings' overlay."""
        for sid in [s for s in self.dirty if s not in groups]:
            self._drop(sid)
            del self.dirty[sid]
        for sid, keys in self.dirty.items():
            if not keys:
                continue
            row = self.row_of.get(sid)
            if row is None:
                row = self.row_of[sid] = self._row()
                self.sid_at[row] = sid
            self.postings.add_missing(row, keys)
            keys.clear()
            self.postings.tidy()

    def _insert(self, sids: list[str], groups: dict[str, _Group]) -> None:
        if not sids:
            return
        keys = np.arange(self.next_key, self.next_key + len(sids), dtype=np.uint64)
        self.next_key += len(sids)
        for key, sid in zip(keys.tolist(), sids, strict=True):
            self.sid_of[key] = sid
            self.indexed_n[sid] = groups[sid].n
        rows = np.fromiter((self.row_of[sid] for sid in sids), dtype=np.intp, count=len(sids))
        _NEAREST.pop(self.index, None)  # its answers may change
        self.index.add(keys, self.rows[rows], threads=1)  # one call: a restart indexes thousands

    def _rebuild(self, groups: dict[str, _Group], order: dict[str, int]) -> None:
        """A new HNSW index of every storyline's current vector (stale nodes dropped)."""
        self.index = self._new_index()
        self.sid_of.clear()
        self.indexed_n.clear()
        keep = list(self.fresh)[-self.FRESH // 2 :]
        self.fresh = dict.fromkeys(keep)
        self._insert(sorted((sid for sid in self.row_of if sid not in self.fresh), key=order.__getitem__), groups)

    def _row(self) -> int:
        if self.free:
            return self.free.pop()
        n = len(self.row_of)
        if n >= len(self.rows):
            self.rows = np.concatenate([self.rows, np.zeros_like(self.rows)])
        return n

    def _drop(self, sid: str) -> None:
        """A storyline that no longer exists (merged into another); its HNSW nodes go stale."""
        row = self.row_of.pop(sid, None)
        if row is not None:
            self.postings.drop(row)
            del self.sid_at[row]
            self.free.append(row)
        self.indexed_n.pop(sid, None)
        self.fresh.pop(sid, None)


EventArticles = Callable[[str], list[tuple[np.ndarray | None, frozenset[str], str]]]
HELD_EVENTS = 20_000  # event sums kept in memory when they can be summed again from the store


class _EventSums(dict[str, _Group]):
    """Event id -> its sums (``_Group``). Without a reader, a plain dict. With one (``articles``:
    an event's articles as (vector, entities, language), read through the linker's feature cache
    from the store), at most ``capacity`` sums stay in memory, least recently used go first, and a
    missing one is summed again from its articles when asked for: an event's sums always equal
    the sum over its current members, so nothing is lost, and a store of a million articles does
    not keep 400k event sums (3.3 KB per stored article at 12.5k) for the few events new articles
    touch. ``forget`` drops a sum that a merge or split made stale."""

    # Class-level defaults: unpickling a dict subclass sets its items before its attributes.
    articles: EventArticles | None = None
    key_table: KeyTable | None = None
    capacity: int = 0
    on_evict: Callable[[str], None] | None = None

    def __init__(self, articles: EventArticles | None = None, capacity: int | None = None,
                 on_evict: Callable[[str], None] | None = None, dim: int = 384,
                 key_table: KeyTable | None = None) -> None:
        super().__init__()
        self.key_table = key_table
        self.articles = articles
        self.capacity = HELD_EVENTS if capacity is None else capacity
        self.on_evict = on_evict
        self.dim = dim
        self.loads = 0

    @property
    def lazy(self) -> bool:
        return self.articles is not None

    def __missing__(self, key: str) -> _Group:
        if self.articles is None:
            raise KeyError(key)
        g = _Group(self.dim)
        for vector, entities, lang in self.articles(key):
            g.add(vector, entities, lang, self.key_table)
        self.loads += 1
        self[key] = g
        return g

    def __getitem__(self, key: str) -> _Group:
        g = super().get(key)
        if g is None:
            return self.__missing__(key)
        if self.articles is not None:  # most recently used last
            super().__delitem__(key)
            super().__setitem__(key, g)
        return g

    def __setitem__(self, key: str, g: _Group) -> None:
        super().pop(key, None)
        super().__setitem__(key, g)
        if self.articles is not None and len(self) > self.capacity:
            for old in list(itertools.islice(iter(self), len(self) - self.capacity)):
                super().__delitem__(old)
                if self.on_evict is not None:
                    self.on_evict(old)

    def forget(self, key: str) -> None:
        super().pop(key, None)


class StorylineIndex:
    """Events → storylines."""

    def __init__(self, config: LinkConfig, dim: int = 384, event_articles: EventArticles | None = None) -> None:
        """``event_articles``: reads an event's articles back (from the store), so that only a
        bounded number of event sums stay in memory (``_EventSums``)."""
        self.cfg = config
        self.dim = dim
        self.keys = KeyTable()  # entity key -> number, for every group of this index
        self.events = _EventSums(event_articles, on_evict=self._evicted, dim=dim, key_table=self.keys)
        self.storyline_of: dict[str, str] = {}  # event -> storyline
        self.groups: dict[str, _Group] = {}  # storyline -> sums over its articles
        self.event_ids: dict[str, list[str]] = {}  # storyline -> events
        self.order: dict[str, int] = {}
        self.absorbed: list[tuple[str, str]] = []  # storyline merges (absorbed, kept) not yet reported
        self.merged_into: dict[str, str] = {}
        self.event_rank: dict[str, int] = {}  # event -> first-seen rank
        self._ranks = 0  # next creation rank (``order``): never reused, unlike len(order) after merges
        self._candidates = _Candidates(config, dim)
        # Storylines changed, most recent last (``_best`` re-asks an unchanged event about these only).
        self._changes: deque[str] = deque(maxlen=MEMO_WINDOW)
        self._nchanges = 0
        # event -> (its sums, their size, exclude, changes then, best scores then, bound on the rest)
        self._memo: dict[str, tuple[_Group, int, str | None, int, dict[str, float], float]] = {}

    def _evicted(self, event_id: str) -> None:
        self._memo.pop(event_id, None)  # it holds the sums: let them go

    def _touch(self, storyline_id: str, keys: Iterable[int] = ()) -> None:
        """Every change to a storyline's sums (or its birth or death) goes through here."""
        self._changes.append(storyline_id)
        self._nchanges += 1
        self._candidates.touch(storyline_id, keys)

    def _new(self, storyline_id: str) -> None:
        self.groups[storyline_id] = _Group(self.dim)
        self.event_ids[storyline_id] = []
        self.order[storyline_id] = self._ranks
        self._ranks += 1
        self._touch(storyline_id)

    def add_article(
        self,
        event_id: str,
        vector: np.ndarray | None,
        entities: frozenset[str],
        lang: str,
        known: Mapping[str, int | None] | None = None,
    ) -> None:
        """Count an article into its event and, if the event is placed, into its storyline.
        ``known``: frozen entity key numbers looked up ahead (``KeyTable.look_up``)."""
        ents, w = self.keys.vector(entities, known)
        if self.events.lazy:
            # The article is already a member of the event (``EventIndex`` added it first): a
            # sum not in memory is summed from the members, this one included.
            if event_id not in self.event_rank:
                self.event_rank[event_id] = len(self.event_rank)
            if event_id in self.events:
                self.events[event_id].add_keys(vector, ents, w, lang)
            else:
                _ = self.events[event_id]  # summed from its members (this one included), held
        else:
            if event_id not in self.events:
                self.event_rank[event_id] = len(self.event_rank)
                self.events[event_id] = _Group(self.dim)
            self.events[event_id].add_keys(vector, ents, w, lang)
        sl = self.storyline_of.get(event_id)
        if sl is not None:
            self.groups[sl].add_keys(vector, ents, w, lang)
            self._touch(sl, ents)

    def score(self, event_id: str, storyline_id: str) -> float:
        return average_link(self.events[event_id], self.groups[storyline_id], self.cfg)

    def _best(self, group: _Group, exclude: str | None = None, memo: str | None = None) -> tuple[str | None, float]:
        """The storyline closest to ``group`` by average link: among all of them while they are
        few, else among the index's candidates (``_Candidates``). With ``memo`` (an event id) the
        best few are remembered, so that the same unchanged event asked again with the same
        ``exclude`` (a recheck) is weighed only against the storylines changed since (``_recall``)."""
        found = self._recall(memo, group, exclude) if memo is not None else None
        if found is None:
            if len(self.groups) <= _Candidates.SCAN:
                pool, bound = list(self.groups), -math.inf
            else:
                pool, bound = self._candidates.search(group, self.groups, self.order, exclude)
            scores = {sid: average_link(group, self.groups[sid], self.cfg) for sid in pool if sid != exclude}
        else:
            scores, bound = found
        ranked = sorted(scores, key=lambda sid: (-scores[sid], self.order[sid]))
        if memo is not None:
            keep = _Candidates.CANDIDATES
            if len(ranked) > keep:
                bound = max(bound, scores[ranked[keep]])
            self._memo[memo] = (group, group.n, exclude, self._nchanges, {s: scores[s] for s in ranked[:keep]}, bound)
        return (ranked[0], scores[ranked[0]]) if ranked else (None, -math.inf)

    def _recall(self, memo: str, group: _Group, exclude: str | None) -> tuple[dict[str, float], float] | None:
        """Scores for ``_best`` from what it remembered of the same unchanged group: the storylines
        that scored best then and have not changed since keep their scores, every other unchanged
        one still scores at most the remembered bound, and the changed ones are ranked afresh.
        None when that is not enough (forgotten, changed, or something unscored may be best)."""
        m = self._memo.get(memo)
        if m is None or m[0] is not group or m[1] != group.n or m[2] != exclude:
            return None
        since = self._nchanges - m[3]
        if since > len(self._changes):
            return None
        changed = set(itertools.islice(self._changes, len(self._changes) - since, None))
        scores = {sid: s for sid, s in m[4].items() if sid not in changed}
        pool = sorted((sid for sid in changed if sid in self.groups and sid != exclude), key=self.order.__getitem__)
        top, rest = self._candidates.rank(group, pool, self.groups, self.order)
        for sid in top:
            scores[sid] = average_link(group, self.groups[sid], self.cfg)
        bound = max(m[5], rest)
        if bound > -math.inf and (max(scores.values()) if scores else -math.inf) <= bound:
            return None
        return scores, bound

    def place(self, event_id: str, first_article: str) -> str:
        """Put a new event into the best storyline, or start one; then merge storylines it bridges."""
        if event_id in self.storyline_of:
            return self.storyline_of[event_id]
        best, best_s = self._best(self.events[event_id])
        if best is None or best_s < self.cfg.storyline_threshold:
            best = make_id("sl", first_article)
            while best in self.groups:
                best = make_id("sl", best)
            self._new(best)
            self._attach(event_id, best)
            return best
        before = self.groups[best].n
        self._attach(event_id, best)
        return self._recheck(self._settle(best), before)

    def _settle(self, storyline_id: str) -> str:
        """Merge the grown storyline with any other now within the merge bar, until none is."""
        bar = self.cfg.storyline_merge_threshold
        while bar is not None:
            other, s = self._best(self.groups[storyline_id], exclude=storyline_id)
            if other is None or s < bar:
                break
            storyline_id = self._merge(storyline_id, other)
        return storyline_id

    def _recheck(self, storyline_id: str, before: int) -> str:
        """Each time a storyline grows past a power of ``storyline_recheck_growth`` articles (from
        ``before``), move each of its events that is now closer (average link, itself left out)
        to another storyline: an early event that seeded a storyline the story then drifted away
        from, or that joined the only storyline there was, goes where it now belongs. The trigger
        depends on sizes only, so a restarted linker rechecks exactly when an unbroken run does."""
        growth = self.cfg.storyline_recheck_growth
        g = self.groups[storyline_id]
        if growth is None or math.floor(math.log(g.n, growth)) <= math.floor(math.log(max(before, 1), growth)):
            return storyline_id
        moved: dict[str, str] = {}
        # Oldest event first, whatever order merges left the list in: which events get to move
        # must not hang on which storyline's id survived a merge (on the storylines dev set that
        # arbitrary order swung BCubed F1 between 0.78 and 0.84).
        evs = sorted(self.event_ids[storyline_id], key=self.event_rank.__getitem__)
        for e in evs:
            ev = self.events[e]
            rest = self.groups[storyline_id].without(ev)
            if rest.n == 0:
                break
            own = average_link(ev, rest, self.cfg)
            other, s = self._best(ev, exclude=storyline_id, memo=e)
            if other is None or s < self.cfg.storyline_threshold or s < own + self.cfg.storyline_move_margin:
                continue
            self.event_ids[storyline_id].remove(e)
            self.groups[storyline_id] = rest
            self._touch(storyline_id)  # keys only lost
            self._attach(e, other)
            moved[e] = other
        for other in dict.fromkeys(moved.values()):
            self.absorbed.append((storyline_id, other))
        for other in dict.fromkeys(moved.values()):  # a storyline that gained may now meet another
            if other in self.groups:
                self._settle(other)
        return self._alive(storyline_id)

    def _alive(self, storyline_id: str) -> str:
        """Where a storyline went: itself, or the storyline a merge folded it into."""
        while storyline_id not in self.groups:
            storyline_id = self.merged_into[storyline_id]
        return storyline_id

    def _attach(self, event_id: str, storyline_id: str) -> None:
        self.storyline_of[event_id] = storyline_id
        self.event_ids[storyline_id].append(event_id)
        self.groups[storyline_id].absorb(self.events[event_id])
        self._touch(storyline_id, self.events[event_id].entity_keys())

    def _merge(self, a: str, b: str) -> str:
        """Merge two storylines; the older id survives and is returned."""
        old, new = sorted((a, b), key=self.order.__getitem__)
        for e in self.event_ids.pop(new):
            self.storyline_of[e] = old
            self.event_ids[old].append(e)
        gone = self.groups.pop(new)
        self.groups[old].absorb(gone)
        self._touch(old, gone.entity_keys())
        self._touch(new)
        self.order.pop(new)
        self.merged_into[new] = old
        self.absorbed.append((new, old))
        return old

    def warm(self) -> None:
        """Build the candidate index after a restore, so start-up pays for it, not the first article."""
        if len(self.groups) > _Candidates.SCAN:
            self._candidates.flush(self.groups, self.order)

    def freeze(self, directory: Path) -> None:
        """Move the entity key table and the postings into files in ``directory``, memory-mapped
        from then on, and merge every storyline's changed entity sums into its arrays
        (``storyline.link.snapshot``). The changed storylines' new keys go into the postings
        first (``_Candidates.apply_keys``), so they are frozen with the rest instead of being
        added again by every start-up from this snapshot."""
        self.keys.freeze(directory)
        self._candidates.apply_keys(self.groups)
        self._candidates.postings.compact(directory)
        for g in self.groups.values():
            g.entities()

    def files(self) -> list[Path]:
        return self.keys.files() + self._candidates.postings.files()

    def freeze_restored(self, directory: Path) -> None:
        """During a restore in bounded memory (``Linker.restore``): the entity keys numbered so far
        and the restored storylines' keys (``_Candidates.apply_keys``) into files in ``directory``,
        replacing the ones an earlier call wrote there. The same key numbers and postings as one
        ``freeze`` at the end (both are exact whenever they run), but the key dict and the key sets
        the storylines gathered never hold more than a part of the rows: at a million stored,
        ~7 million keys and ~10 million (storyline, key) pairs in dicts and sets were ~2 GB at the
        end of a restore, and more while the first save froze them (docs/scale.md, session 23)."""
        old = set(self.files())
        self._candidates.apply_keys(self.groups)
        self.keys.freeze(directory)
        self._candidates.postings.compact(directory)
        for p in old - set(self.files()):
            if p.parent == directory:
                p.unlink(missing_ok=True)

    def restore(self, event_id: str, storyline_id: str) -> None:
        """Re-attach a stored event to its stored storyline (``Linker.load``)."""
        if storyline_id not in self.groups:
            self._new(storyline_id)
        if event_id not in self.storyline_of:
            self._attach(event_id, storyline_id)

    def restore_article(
        self, event_id: str, storyline_id: str, vector: np.ndarray | None, entities: frozenset[str], lang: str
    ) -> None:
        """A stored article in its stored event and storyline, counted into the storyline's sums
        only: the event's own sums are summed from the store when first needed (``_EventSums``),
        so a restart holds one sum per storyline, not one per event."""
        if storyline_id not in self.groups:
            self._new(storyline_id)
        if event_id not in self.event_rank:
            self.event_rank[event_id] = len(self.event_rank)
        if event_id not in self.storyline_of:
            self.storyline_of[event_id] = storyline_id
            self.event_ids[storyline_id].append(event_id)
        ents, w = self.keys.vector(entities)
        self.groups[storyline_id].add_keys(vector, ents, w, lang)
        self._touch(storyline_id, ents)

    def merge_events(self, absorbed: str, kept: str) -> str | None:
        """Two events became one; returns a storyline that was absorbed as a consequence."""
        self._memo.pop(absorbed, None)  # what a recheck remembered of it can never be asked again
        if self.events.lazy:  # both summed again from the members when next needed
            self.events.forget(absorbed)
            self.events.forget(kept)
        else:
            gone = self.events.pop(absorbed)
            self.events[kept].absorb(gone)
        s_gone, s_kept = self.storyline_of.pop(absorbed, None), self.storyline_of.get(kept)
        if s_gone is not None:
            self.event_ids[s_gone].remove(absorbed)
        if s_gone is None or s_kept is None:
            return None
        if s_gone == s_kept:
            return None
        old, new = sorted((s_gone, s_kept), key=self.order.__getitem__)
        self._merge(old, new)
        return new

    def split_event(
        self, event_id: str, new_id: str, moved: list[tuple[np.ndarray | None, frozenset[str], str]]
    ) -> None:
        """Some articles (vector, entities, language) of an event became event ``new_id``
        (``events.EventIndex.split``); it stays in the same storyline, whose sums do not change."""
        if self.events.lazy:  # both summed again from the members when next needed
            self.events.forget(event_id)
        else:
            part = _Group(self.dim)
            for vector, entities, lang in moved:
                part.add(vector, entities, lang, self.keys)
            self.events[event_id] = self.events[event_id].without(part)
            self.events[new_id] = part
        self.event_rank[new_id] = len(self.event_rank)
        sl = self.storyline_of.get(event_id)
        if sl is not None:
            self.storyline_of[new_id] = sl
            self.event_ids[sl].append(new_id)

    def reload(
        self,
        members: dict[str, list[tuple[np.ndarray | None, frozenset[str], str]]],
        storyline_of: dict[str, str],
        gone: Iterable[str] = (),
    ) -> None:
        """Bring events to what another writer stored (``Linker.catch_up``): each event in
        ``members`` gets its sums afresh from its articles (vector, entities, language) and sits
        in ``storyline_of[event]``; events in ``gone`` no longer exist. Every storyline that lost
        or gained an event is summed again from its events, oldest first, as a restore sums it."""
        touched: set[str] = set()
        for e in gone:
            self.events.pop(e, None)
            self._memo.pop(e, None)
            sl = self.storyline_of.pop(e, None)
            if sl is not None:
                self.event_ids[sl].remove(e)
                touched.add(sl)
        for e, arts in members.items():
            g = _Group(self.dim)
            for vector, entities, lang in arts:
                g.add(vector, entities, lang, self.keys)
            if e not in self.event_rank:
                self.event_rank[e] = len(self.event_rank)
            self.events[e] = g
            self._memo.pop(e, None)
            old, new = self.storyline_of.get(e), storyline_of[e]
            if old is not None:
                touched.add(old)
                if old != new:
                    self.event_ids[old].remove(e)
            if old != new:
                if new not in self.groups:
                    self._new(new)
                self.storyline_of[e] = new
                self.event_ids[new].append(e)
            touched.add(new)
        for sl in sorted(touched, key=lambda x: self.order.get(x, -1)):
            if sl not in self.groups:
                continue
            evs = sorted(self.event_ids[sl], key=self.event_rank.__getitem__)
            if not evs:
                del self.groups[sl], self.event_ids[sl], self.order[sl]
                self._touch(sl)
                continue
            g = _Group(self.dim)
            for e in evs:
                g.absorb(self.events[e])
            self.groups[sl] = g
            self.event_ids[sl] = evs
            self._touch(sl, g.entity_keys())
        self.absorbed.clear()
        self._candidates.apply_keys(self.groups)

    def take_absorbed(self) -> list[tuple[str, str]]:
        """Storyline merges since the last call, as ``(absorbed, kept)``."""
        out, self.absorbed = self.absorbed, []
        return out
