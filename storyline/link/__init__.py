"""Linking: near-duplicates → events (same happening, any language) → storylines (events over time).

The pipeline owns one ``Linker``: ``load`` it with what the store holds, then ``add`` articles as
they arrive. ``add`` returns assignments for the new articles and for every earlier article whose
event or storyline changed (a bridging article can merge two events, and so two storylines; an
event that grew can split off a twin), so the store only rewrites what moved.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from storyline.link.events import Ahead, EventIndex, make_id
from storyline.link.similarity import Features, LinkConfig, explain, features, similarity
from storyline.link.state import Loader
from storyline.link.storylines import StorylineIndex
from storyline.models import Article, Assignment

__all__ = ["Heads", "LinkConfig", "Linker", "StoredLink", "explain", "make_id", "similarity"]

AHEAD = 128
"""Articles whose features are made, and whose frozen-segment neighbours are searched, at once
(``Linker.add``): a batch of the pipeline (``batch_size``, 32 by default, up to 128) is one step; a
restore's thousands of unassigned articles are many, so their features are never all in memory
together. Why 128 and not the 64 it was: each step maps again the pages of the frozen segments
that ``events.SEGMENT_PAGES_KEPT`` does not keep, at much the same cost whatever the step's size, so
at a million stored a run with ``batch_size`` 128 paid that twice a batch; as one step, the kernel CPU
per new article is 0.49-0.53 ms against 0.66 at 64 and 1.05-1.19 at 32 (link only, 300 articles;
the whole measured child 0.67 against 1.33 ms at 32: docs/scale.md, session 20). The features of 128
articles are ~8 MB."""

RESTORE_FREEZE = 131_072
"""A restore in bounded memory (``Linker.restore`` with a directory) moves the entity keys and
storyline postings it gathered to files every this many rows (``StorylineIndex.freeze_restored``):
each time ~1 million keys at the 1M store's rate, against ~7 million held to the end otherwise."""

# Reads stored articles' vector, entities and language (their start-up fields), by id.
Heads = Callable[[Sequence[str]], Mapping[str, tuple[np.ndarray | None, frozenset[str], str]]]


@dataclass(frozen=True)
class StoredLink:
    """One stored article as a restart needs it: its assignment, the start-up fields of its
    features (``state.HEAD``: vector, entities, lang, published), the vector it is indexed under and
    its MinHash signature (None without shingles)."""

    article_id: str
    event: str
    storyline: str
    vector: np.ndarray | None
    entities: frozenset[str]
    lang: str
    index_vector: np.ndarray
    signature: np.ndarray | None
    published: object = None


class Linker:
    """Incremental events and storylines over a stream of enriched articles."""

    def __init__(self, config: LinkConfig | None = None, dim: int = 384, *, loader: Loader | None = None) -> None:
        """``loader`` reads stored features back (``state.FeatureCache``); without one every
        article's features stay in memory."""
        self.config = config or LinkConfig()
        self._events = EventIndex(self.config, dim, loader)
        # Backed by a store, event sums are summed again from it when needed (bounded memory).
        self._storylines = StorylineIndex(self.config, dim, self._event_articles if loader is not None else None)
        self._reported: dict[str, tuple[str, str]] = {}  # last assignment handed out, per article

    def load(self, articles: Sequence[Article], assignments: Sequence[Assignment]) -> None:
        """Restore state from the store without re-clustering; articles without an assignment
        are linked as new ones would be."""
        where = {a.article_id: a for a in assignments}
        pending = []
        for art in articles:
            asg = where.get(art.id)
            if asg is None:
                pending.append(art)
                continue
            f = features(art)
            self._events.restore(f, asg.event)
            self._storylines.add_article(asg.event, f.vector, f.entities, f.lang)
            self._storylines.restore(asg.event, asg.storyline)
            self._reported[art.id] = (asg.event, asg.storyline)
        self._storylines.warm()
        if pending:
            self.add(pending)

    def restore(
        self,
        stored: Iterable[StoredLink],
        saved_index: tuple[int, str, bytes] | None = None,
        directory: Path | None = None,
    ) -> None:
        """``load`` from what the store keeps per article (no bodies, no word bags): the same state,
        in the same order, with features read back only when an article becomes a candidate.
        ``saved_index``: ``saved_index()`` of an earlier run, loaded instead of re-inserting the
        vectors of the articles it holds when the restore brings the same ones first.
        ``directory``: restore in bounded memory instead, the vectors and near-duplicate bands
        written there as the rows come and frozen there at the end (``EventIndex.spill``), as a
        ``freeze`` into it right after an in-memory restore would have them.

        Each row goes to every part of the state in turn (the event index, the storyline layer,
        the last reported assignments); a further piece of state rebuilt from the stored rows is
        one more call in this loop, and, if it grows with the rows, one more beside
        ``freeze_restored`` to move what it gathered to ``directory`` every ``RESTORE_FREEZE`` rows."""
        if directory is not None:
            self._events.spill(directory)
        elif saved_index is not None:
            self._events.adopt_index(*saved_index)
        lazy = self._storylines.events.lazy
        pairs: dict[tuple[str, str], tuple[str, str]] = {}  # one (event, storyline) tuple each
        for n, s in enumerate(stored, 1):
            if directory is not None and n % RESTORE_FREEZE == 0:
                self._storylines.freeze_restored(directory)
            self._events.restore_stored(s.article_id, s.event, s.index_vector, s.signature, s.published)
            if lazy:
                self._storylines.restore_article(s.event, s.storyline, s.vector, s.entities, s.lang)
            else:
                self._storylines.add_article(s.event, s.vector, s.entities, s.lang)
                self._storylines.restore(s.event, s.storyline)
            pair = (s.event, s.storyline)
            self._reported[s.article_id] = pairs.setdefault(pair, pair)
        del pairs
        self._events.finish_restore()
        if directory is not None:
            self._storylines.freeze_restored(directory)
        self._storylines.warm()

    def catch_up(
        self, stored: Sequence[StoredLink], rank: Callable[[str], int], heads: Heads | None = None
    ) -> None:
        """Bring the state to what another writer stored since this linker last looked, from the
        rows its batches inserted or re-assigned (``Store.changes_since``, in arrival order): new
        articles are restored as at start-up, known ones moved to their stored event and
        storyline, and every event and storyline that gained or lost an article is summed again
        from its members (listed in arrival order, ``rank``), as a restore from the whole store
        would have them. Costs what changed, not what is stored.

        The sums need each member's vector, entities and language only: the start-up fields
        (``state.HEAD``) that ``stored`` carries for the articles caught up on, and that
        ``heads`` reads for the other members (without it, their whole features are read). Not
        decoding the word bags and shingles of every member matters beyond the reading: at a
        million stored, a 1% lag made millions of small objects (~65 KB of words and shingles an
        article) that were freed again before the first new article, and the process linked
        measurably slower after them (``docs/scale.md``, session 14)."""
        ev = self._events
        touched: set[str] = set()
        placed: dict[str, str] = {}
        for s in stored:
            if s.article_id in ev.event_of:
                left = ev.move(s.article_id, s.event)
                if left is not None:
                    touched.add(left)
            else:
                ev.restore_stored(s.article_id, s.event, s.index_vector, s.signature, s.published)
            touched.add(s.event)
            placed[s.event] = s.storyline
            self._reported[s.article_id] = (s.event, s.storyline)
        ev.finish_restore()
        members: dict[str, list[tuple[np.ndarray | None, frozenset[str], str]]] = {}
        group: list[str] = []

        # What the storyline layer sums per member; the caught-up articles' own from their rows.
        summed: dict[str, tuple[np.ndarray | None, frozenset[str], str]] = {
            s.article_id: (s.vector, s.entities, s.lang) for s in stored
        }

        def sum_group() -> None:
            # The other members a few hundred at a time, keeping only what the storyline layer
            # sums: their start-up fields (``heads``), or their features (``FeatureCache.peek``:
            # not held, so the catch-up leaves the cache as it was). The stored values either way.
            need = [i for e in group for i in ev.members[e] if i not in summed]
            if need and heads is not None:
                got = heads(need)
            else:
                got = {i: (f.vector, f.entities, f.lang) for i, f in ev.feats.peek(need).items()} if need else {}
            for e in group:
                members[e] = [summed[i] if i in summed else got[i] for i in ev.members[e]]
            group.clear()

        held = 0
        for e in touched:
            if e not in ev.members:
                continue
            ev.members[e].sort(key=rank)
            group.append(e)
            held += len(ev.members[e])
            if held >= 500:
                sum_group()
                held = 0
            if e not in placed:  # lost an article, kept its storyline
                placed[e] = self._storylines.storyline_of[e]
        sum_group()
        self._storylines.reload(members, placed, [e for e in touched if e not in ev.members])

    def _event_articles(self, event_id: str) -> list[tuple[np.ndarray | None, frozenset[str], str]]:
        """An event's articles as the storyline layer sums them, read through the feature cache."""
        feats = self._events.feats
        return [(f.vector, f.entities, f.lang) for f in (feats[i] for i in self._events.members.get(event_id, ()))]

    def warm(self) -> None:
        """Bring the storyline candidate index up to date now (``StorylineIndex.warm``), as the
        end of a restore does: a start-up from a snapshot calls it after its catch-up, so the
        start-up pays for the storylines the snapshot and the catch-up left changed (their rows,
        and the HNSW inserts of those that spill from the fresh set), not the first new article."""
        self._storylines.warm()

    def saved_index(self) -> tuple[int, str, bytes] | None:
        """The article vector index as bytes (``restore``): (articles held, hash of their ids,
        bytes); None once it is partly frozen to disk (``freeze``)."""
        return self._events.saved_index()

    def freeze(self, directory: Path) -> None:
        """Move the article vectors and near-duplicate bands held in memory to files in
        ``directory``, memory-mapped from then on (``storyline.link.snapshot``)."""
        self._events.freeze(directory)
        self._storylines.freeze(directory)

    def files(self) -> list[Path]:
        """The frozen files this linker reads."""
        return self._events.files() + self._storylines.files()

    def detach(self) -> Loader | None:
        """Let go of the store reader (before pickling a snapshot); returns it for ``attach``."""
        loader = self._events.feats.loader
        self._events.feats.loader = None
        self._storylines.events.articles = None
        self._storylines.events.on_evict = None
        return loader

    def attach(self, loader: Loader | None) -> None:
        """Read stored features through ``loader`` again (after ``detach`` or a snapshot load)."""
        self._events.feats.loader = loader
        if loader is not None:
            self._storylines.events.articles = self._event_articles
        self._storylines.events.on_evict = self._storylines._evicted

    def indexed(self) -> int:
        """Articles in the vector index."""
        return self._events.indexed()

    def per_article_maps(self) -> list[dict[str, tuple[str, str]]]:
        """The maps with an entry per article whose values are containers (tuples): every new
        article adds one. For ``pipeline._freeze_state``, which must keep them tracked by the
        garbage collector when it freezes the state."""
        return [self._reported]

    def index_vector(self, vector: np.ndarray | None, f: Features | None = None) -> np.ndarray | None:
        """The vector an article is indexed under (``StoredLink.index_vector``); None when it has
        none of its own and ``f`` is not given."""
        return self._events.index_vector(vector, f)

    def linked(self) -> list[tuple[Features, np.ndarray | None]]:
        """Features and MinHash signature of every article linked since the last call, for the
        store to keep (only when the linker has a loader)."""
        sigs = self._events.take_signatures()
        return [(self._events.feats[aid], sig) for aid, sig in sigs.items()]

    def event_members(self, event_id: str) -> list[str]:
        """Articles of an event (empty when it does not exist, e.g. merged away)."""
        return list(self._events.members.get(event_id, ()))

    def storyline_events(self, storyline_id: str) -> list[str]:
        """Events of a storyline (empty when it does not exist)."""
        return list(self._storylines.event_ids.get(storyline_id, ()))

    def storyline_of(self, event_id: str) -> str:
        return self._storylines.storyline_of[event_id]

    def add(self, articles: Sequence[Article]) -> list[Assignment]:
        """Assign articles in the order given; report them and every earlier article that moved."""
        ev, sl = self._events, self._storylines
        order: list[str] = []
        touched: set[str] = set()  # events whose members may have moved (merges)
        feats: dict[str, Features] = {}
        ahead: Ahead = {}
        known: dict[str, int | None] = {}
        for n, art in enumerate(articles):
            order.append(art.id)
            if art.id in ev.event_of:  # already linked: report where it is, change nothing
                continue
            if art.id not in feats:
                # The features of the next AHEAD articles, and the frozen segments searched for
                # them in one call each (``EventIndex.search_ahead``): segments do not change
                # while articles are linked.
                feats = {}
                for a in articles[n : n + AHEAD]:
                    if a.id not in ev.event_of and a.id not in feats:  # the first of an id is linked
                        feats[a.id] = features(a)
                ahead = ev.search_ahead(list(feats.values()))
                known = sl.keys.look_up(k for g in feats.values() for k in g.entities)
            f = feats.pop(art.id)
            eid, merges = ev.add(f, ahead)
            for absorbed, kept in merges:
                touched.add(kept)
                if sl.merge_events(absorbed, kept) is not None:
                    touched.update(sl.event_ids[sl.storyline_of[kept]])
            sl.add_article(eid, f.vector, f.entities, f.lang, known)
            if eid not in sl.storyline_of:
                sl.place(eid, art.id)
            if ev.grown is not None:
                for cut, part_id, moved in ev.split(ev.grown):
                    part = [ev.feats[m] for m in moved]
                    sl.split_event(cut, part_id, [(m.vector, m.entities, m.lang) for m in part])
                    touched.update((cut, part_id))
            for _, kept in sl.take_absorbed():  # storylines this event (or merge) joined up
                touched.update(sl.event_ids.get(kept, ()))
        for e in sorted(touched, key=lambda x: ev.order.get(x, 0)):
            order.extend(ev.members.get(e, []))
        given = {a.id for a in articles}
        out: list[Assignment] = []
        new: set[str] = set()
        for aid in order:
            if aid in new:
                continue
            new.add(aid)
            now = self.assignment(aid)
            if aid in given or self._reported.get(aid) != (now.event, now.storyline):
                out.append(now)
            self._reported[aid] = (now.event, now.storyline)
        return out

    def assignment(self, article_id: str) -> Assignment:
        eid = self._events.event_of[article_id]
        return Assignment(article_id, eid, self._storylines.storyline_of[eid])

    def assignments(self) -> list[Assignment]:
        """Where every known article sits now."""
        return [self.assignment(a) for a in self._events.event_of]
