"""Human-readable summaries of events and storylines, derived from their member articles.

An event reads as a happening (its most central headline, in that article's language, with the
languages and outlets that covered it), a storyline as its main actors and places."""

from __future__ import annotations

import collections
import datetime as dt
from collections.abc import Sequence

import numpy as np

from storyline.models import Article, Event, Storyline


def _span(articles: Sequence[Article]) -> tuple[dt.date | None, dt.date | None]:
    dates = [a.published for a in articles if a.published]
    return (min(dates), max(dates)) if dates else (None, None)


def _central(articles: Sequence[Article]) -> Article:
    """The member closest to the centroid: the article that best stands for the whole group."""
    with_vec = [a for a in articles if a.vector is not None and a.title]
    if not with_vec:
        return next((a for a in articles if a.title), articles[0])
    m = np.stack([a.vector for a in with_vec])  # type: ignore[misc]
    centroid = m.mean(axis=0)
    return with_vec[int(np.argmax(m @ centroid))]


def _ordered_unique(items: Sequence[str]) -> tuple[str, ...]:
    return tuple(k for k, _ in collections.Counter(i for i in items if i).most_common())


def describe_event(ident: str, storyline: str, members: Sequence[Article]) -> Event:
    rep = _central(members)
    first, last = _span(members)
    return Event(
        id=ident,
        storyline=storyline,
        headline=rep.title or rep.body[:120],
        lang=rep.lang,
        article_ids=tuple(a.id for a in members),
        languages=_ordered_unique([a.lang for a in members]),
        sources=_ordered_unique([a.source or "" for a in members]),
        first=first,
        last=last,
    )


def storyline_name(members: Sequence[Article], top: int = 3) -> str:
    """The names most articles of the storyline share (document frequency), e.g.
    "Turkey · Russia · S-400"; falls back to the most central headline."""
    df: collections.Counter[str] = collections.Counter()
    label: dict[str, collections.Counter[str]] = collections.defaultdict(collections.Counter)
    for a in members:
        keys = set()
        for e in a.entities:
            if e.kind in ("place", "person", "org") or e.key.startswith("name:"):
                keys.add(e.key)
                label[e.key][e.text] += 1 + (a.lang == "en")
        df.update(keys)
    if not df:
        return _central(members).title
    names = [label[k].most_common(1)[0][0] for k, n in df.most_common(top) if n >= min(2, len(members))]
    return " · ".join(names) or _central(members).title


def describe_storyline(ident: str, events: Sequence[Event], members: Sequence[Article]) -> Storyline:
    first, last = _span(members)
    return Storyline(
        id=ident,
        name=storyline_name(members),
        event_ids=tuple(e.id for e in sorted(events, key=lambda e: (e.first or dt.date.max, e.id))),
        article_count=len(members),
        languages=_ordered_unique([a.lang for a in members]),
        first=first,
        last=last,
    )
