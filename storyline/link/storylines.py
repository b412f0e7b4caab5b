"""Storylines: events that continue one story over weeks or years, in any language.

A layer above events rather than a looser event threshold: a storyline joins *events* by what
they are about (their e5 centroid and the entity keys they share, both language-independent),
with no time window, because the next chapter of a story may come years later. Publish time is
deliberately not a signal here.

An event is placed once, when it is created, against the storylines that exist then (stable ids
for users); it moves only when its event merges with an event of another storyline, and then the
two storylines merge and the older id survives.
"""

from __future__ import annotations

import math
from collections import Counter

import numpy as np

from storyline.link.events import make_id
from storyline.link.similarity import LinkConfig, storyline_score


def _entity_cos(a: Counter[str], b: Counter[str]) -> float | None:
    if not a or not b:
        return None
    wa = {k: 1.0 + math.log(v) for k, v in a.items()}
    wb = {k: 1.0 + math.log(v) for k, v in b.items()}
    dot = sum(v * wb.get(k, 0.0) for k, v in wa.items())
    na = math.sqrt(sum(v * v for v in wa.values()))
    nb = math.sqrt(sum(v * v for v in wb.values()))
    return dot / (na * nb)


class _Group:
    """Running sums of a set of articles: enough to compare groups without revisiting members."""

    __slots__ = ("entities", "langs", "n", "vsum")

    def __init__(self, dim: int) -> None:
        self.vsum = np.zeros(dim, dtype=np.float64)
        self.n = 0
        self.entities: Counter[str] = Counter()
        self.langs: Counter[str] = Counter()

    def add(self, vector: np.ndarray | None, entities: frozenset[str], lang: str) -> None:
        if vector is not None and vector.shape == self.vsum.shape:
            self.vsum += vector
        self.n += 1
        self.entities.update(entities)
        if lang:
            self.langs[lang] += 1

    def absorb(self, other: _Group) -> None:
        self.vsum += other.vsum
        self.n += other.n
        self.entities.update(other.entities)
        self.langs.update(other.langs)

    def centroid(self) -> np.ndarray:
        n = float(np.linalg.norm(self.vsum))
        return self.vsum / n if n else self.vsum


class StorylineIndex:
    """Events → storylines."""

    def __init__(self, config: LinkConfig, dim: int = 384) -> None:
        self.cfg = config
        self.dim = dim
        self.events: dict[str, _Group] = {}
        self.storyline_of: dict[str, str] = {}  # event -> storyline
        self.groups: dict[str, _Group] = {}  # storyline -> sums over its articles
        self.event_ids: dict[str, list[str]] = {}  # storyline -> events
        self.order: dict[str, int] = {}

    def add_article(self, event_id: str, vector: np.ndarray | None, entities: frozenset[str], lang: str) -> None:
        """Count an article into its event and, if the event is placed, into its storyline."""
        self.events.setdefault(event_id, _Group(self.dim)).add(vector, entities, lang)
        sl = self.storyline_of.get(event_id)
        if sl is not None:
            self.groups[sl].add(vector, entities, lang)

    def score(self, event_id: str, storyline_id: str) -> float:
        ev, sl = self.events[event_id], self.groups[storyline_id]
        cos = float(np.dot(ev.centroid(), sl.centroid()))
        crosslingual = bool(ev.langs) and not (set(ev.langs) & set(sl.langs))
        return storyline_score(cos, _entity_cos(ev.entities, sl.entities), crosslingual, self.cfg)

    def place(self, event_id: str, first_article: str) -> str:
        """Put a new event into the best storyline, or start one."""
        if event_id in self.storyline_of:
            return self.storyline_of[event_id]
        best, best_s = None, -1.0
        for sid in self.groups:
            s = self.score(event_id, sid)
            if s > best_s or (s == best_s and best is not None and self.order[sid] < self.order[best]):
                best, best_s = sid, s
        if best is None or best_s < self.cfg.storyline_threshold:
            best = make_id("sl", first_article)
            while best in self.groups:
                best = make_id("sl", best)
            self.groups[best] = _Group(self.dim)
            self.event_ids[best] = []
            self.order[best] = len(self.order)
        self._attach(event_id, best)
        return best

    def _attach(self, event_id: str, storyline_id: str) -> None:
        self.storyline_of[event_id] = storyline_id
        self.event_ids[storyline_id].append(event_id)
        self.groups[storyline_id].absorb(self.events[event_id])

    def restore(self, event_id: str, storyline_id: str) -> None:
        """Re-attach a stored event to its stored storyline (``Linker.load``)."""
        if storyline_id not in self.groups:
            self.groups[storyline_id] = _Group(self.dim)
            self.event_ids[storyline_id] = []
            self.order[storyline_id] = len(self.order)
        if event_id not in self.storyline_of:
            self._attach(event_id, storyline_id)

    def merge_events(self, absorbed: str, kept: str) -> str | None:
        """Two events became one; returns a storyline that was absorbed as a consequence."""
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
        for e in self.event_ids.pop(new):
            self.storyline_of[e] = old
            self.event_ids[old].append(e)
        self.groups[old].absorb(self.groups.pop(new))
        self.order.pop(new)
        return new
