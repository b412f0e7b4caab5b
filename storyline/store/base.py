"""The store interface: the only place that does I/O for results.

A batch is written in one transaction (articles, their assignments, and the event and storyline
summaries they touch), so a run killed half-way keeps every batch it committed and nothing else.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass
from typing import Any, NamedTuple, Protocol

import numpy as np

from storyline.enrich.gazetteer import entity_label
from storyline.models import Article, Assignment, Entity, Event, Storyline
from storyline.urls import outlet


@dataclass(frozen=True)
class ArticleFilter:
    """What a reader is looking for: a full-text query (any language) and/or filters. ``entity``
    is an entity key (``place:TR``) or a name as written (``Erdogan``)."""

    query: str | None = None
    lang: str | None = None
    source: str | None = None
    date_from: dt.date | None = None
    date_to: dt.date | None = None
    entity: str | None = None
    event: str | None = None
    storyline: str | None = None
    # Other spellings of the query's words (word → spellings), as ``enrich.entities.spellings``
    # finds them among the store's names: any of them matches.
    alternatives: tuple[tuple[str, tuple[str, ...]], ...] = ()

    def variants(self, word: str) -> Sequence[str]:
        return next((alts for w, alts in self.alternatives if w.lower() == word.lower()), ())


@dataclass(frozen=True)
class ArticleHit:
    """One article in a result list: enough to show and link it, without its body.
    ``snippet`` marks the matched words with \\x02 … \\x03 (escape, then turn into markup)."""

    id: str
    title: str
    lang: str
    published: dt.date | None
    source: str | None
    event: str | None
    storyline: str | None
    snippet: str = ""
    url: str | None = None  # names the outlet of an article without a source (``urls.outlet``)


_TERM = re.compile(r'"([^"]*)"|(\S+)')


def _quoted(term: str) -> str:
    return '"' + term.replace('"', '""') + '"'


def fts_query(text: str, variants: Callable[[str], Sequence[str]] | None = None) -> str:
    """A user's search text as a safe FTS5 query: every word or "quoted phrase" must occur
    (``OR`` between two terms means either); a word ending in ``*`` matches as a prefix
    (``Gadd*``). ``variants`` gives a word's other spellings and names in other languages
    (``Gaddafi`` → Kadhafi, Gheddafi…; ``Syria`` → Siria, Syrie): any of them matches. Nothing
    the user types is FTS5 syntax, so no input can make the query fail."""
    parts: list[str] = []
    for m in _TERM.finditer(text[:500]):
        phrase, word = m.group(1), m.group(2)
        if word == "OR" and parts and parts[-1] != "OR":
            parts.append("OR")
            continue
        term = (phrase if phrase is not None else word).strip()
        if not term or not re.search(r"\w", term):
            continue
        if phrase is None and term.endswith("*") and re.search(r"\w{2}", term):
            parts.append(_quoted(term.rstrip("*")) + "*")
            continue
        alts = [x for x in (variants(term) if variants else ()) if x.lower() != term.lower()]
        if alts:
            parts.append("(" + " OR ".join(_quoted(x) for x in [term, *alts[:30]]) + ")")
        else:
            parts.append(_quoted(term))
    while parts and parts[-1] == "OR":
        parts.pop()
    return " ".join(parts)



class EntityRow(NamedTuple):
    """One entity of a storyline or event: its most used spelling as the label, every other
    spelling the articles use (``variants``: "Kadhafi", "Gheddafi" under "Gaddafi"), and the most
    specific kind any article gave it."""

    key: str
    kind: str
    label: str
    articles: int
    variants: tuple[str, ...] = ()


_KIND_RANK = {"person": 3, "org": 2, "place": 2, "other": 0}


def entity_rows(entities: Iterable[Entity]) -> list[list[Any]]:
    """Entities as the stores keep them: ``[key, kind, text]``, and a fourth item ``0`` for one
    no page shows (``Entity.shown``; a word of a longer name), so a store written before it reads
    as all shown and ``top_entities`` drops the chips by the list's length."""
    return [[e.key, e.kind, e.text] if e.shown else [e.key, e.kind, e.text, 0] for e in entities]


def read_entities(rows: Iterable[Sequence[Any]]) -> tuple[Entity, ...]:
    """``entity_rows`` read back."""
    return tuple(Entity(r[0], r[1], r[2], len(r) < 4 or bool(r[3])) for r in rows)


def merge_entity_rows(rows: Sequence[tuple[str, str, str, int]], limit: int) -> list[EntityRow]:
    """(key, kind, label, articles) rows, one per spelling, as one row per key: what both stores'
    ``top_entities`` return, so an entity is one chip with its spellings, not one chip each."""
    labels: dict[str, Counter[str]] = {}
    kinds: dict[str, str] = {}
    for k, kind, label, n in sorted(rows, key=lambda r: (r[0], r[2])):
        labels.setdefault(k, Counter())[label] += int(n)
        if _KIND_RANK.get(kind, 0) > _KIND_RANK.get(kinds.get(k, ""), -1):
            kinds[k] = kind
    out = []
    for k, c in labels.items():
        label = entity_label(k, c)
        out.append(EntityRow(k, kinds[k], label, sum(c.values()), tuple(x for x, _ in c.most_common() if x != label)))
    out.sort(key=lambda x: (-x.articles, x.label))
    return out[:limit]


def changes_sql(mark: str) -> str:
    """The rows a batch inserted or re-assigned after a change number (``Store.changes_since``),
    with ``mark`` the dialect's parameter marker (``?`` or ``%s``). ``ORDER BY +a.seq``, not
    ``a.seq``: SQLite cannot tell how few rows a bound change number selects, and to skip a sort
    it walked every article by ``seq`` instead of the ``articles_changed`` index: 4.2 s for 600
    changed rows at a million stored (page cache warm), 0.01 s with the index."""
    return ("SELECT a.id, a.event, a.storyline, f.signature, f.head FROM articles a"
            " JOIN link_features f ON f.seq = a.seq AND f.id = a.id"
            f" WHERE a.changed > {mark} AND a.event IS NOT NULL ORDER BY +a.seq")


def filter_sql(f: ArticleFilter, mark: str, names_entity: str) -> tuple[list[str], list[Any]]:
    """The WHERE conditions of a filter (besides its text query) and their arguments, in a store's
    dialect: ``mark`` is its parameter marker, ``names_entity`` its test that article ``a`` names an
    entity, taking two arguments (the entity key, then a name as written)."""
    where: list[str] = []
    args: list[Any] = []
    for col, val in (("a.lang", f.lang), ("a.source", f.source), ("a.event", f.event), ("a.storyline", f.storyline)):
        if val is not None:
            where.append(f"{col} = {mark}")
            args.append(val)
    if f.date_from is not None:
        where.append(f"a.published >= {mark}")
        args.append(f.date_from.isoformat())
    if f.date_to is not None:
        where.append(f"a.published <= {mark}")
        args.append(f.date_to.isoformat())
    if f.entity is not None:
        where.append(names_entity)
        args.extend([f.entity, f.entity])
    return where, args

# (article id, outlet, MinHash signature, features head, features rest): what the linker keeps
# per article (storyline.link.state), written with the article's batch.
LinkRow = tuple[str, str, bytes | None, bytes, bytes]


@dataclass(frozen=True)
class SavedIndex:
    """A serialised linker index (``Store.put_link_index``): valid for the first ``count`` stored
    articles in arrival order when their ids hash to ``ids_hash`` and the link features are of
    ``version``."""

    version: str
    count: int
    ids_hash: str
    data: bytes


class Store(Protocol):
    path: str

    def writer(self) -> AbstractContextManager[None]:
        """Hold the store's writer lock: one transaction that no other writer (process or host)
        interleaves with. Several writers at once are safe because each links and writes a batch
        inside it (``Pipeline``)."""
        ...

    def last_seq(self) -> int:
        """Arrival rank of the newest stored article (0: none); it moves whenever anyone adds one."""
        ...

    def schema_version(self) -> int: ...

    def last_change(self) -> int:
        """The change number of the last batch written: every article a batch inserts or
        re-assigns carries it, so a writer that finds it moved catches up on ``changes_since``."""
        ...

    def changes_since(self, change: int) -> Iterator[tuple[str, str, str, bytes | None, bytes]]:
        """``link_state`` rows (in arrival order) of the articles inserted or re-assigned by the
        batches after ``change``."""
        ...

    def known_ids(self, ids: Iterable[str]) -> set[str]: ...

    def stored_vectors(self, keys: Sequence[str]) -> dict[str, np.ndarray]:
        """The stored vector of each encoder input key (``vectors.input_key``) some stored article
        was encoded from: a repost takes it instead of being encoded (``vectors.StoredVectors``)."""
        ...

    def write_batch(
        self,
        articles: Sequence[Article],
        assignments: Sequence[Assignment],
        events: Sequence[Event],
        storylines: Sequence[Storyline],
        drop_events: Sequence[str] = (),
        drop_storylines: Sequence[str] = (),
        link_rows: Sequence[LinkRow] = (),
    ) -> None: ...

    # --- the linker's state, so a restart reads no bodies ----------------------------------

    def link_features_version(self) -> str | None: ...

    def reset_link_features(self, version: str) -> None: ...

    def put_link_features(self, rows: Sequence[LinkRow]) -> None: ...

    def without_link_features(self) -> list[str]: ...

    def unassigned(self) -> list[str]: ...

    def link_state(self) -> Iterator[tuple[str, str, str, bytes | None, bytes]]: ...

    def link_features(self, ids: Sequence[str], *, rest: bool = True) -> dict[str, tuple[bytes, bytes]]:
        """(head, rest) per article id; with ``rest=False`` the rest is ``b""`` and not read (the
        head is ~2 KB, the rest, word bags and shingles, ~65 KB)."""
        ...

    def link_index(self, name: str) -> SavedIndex | None: ...

    def put_link_index(self, name: str, saved: SavedIndex) -> None: ...

    def recent_pages(self, per_outlet: int) -> Iterator[Article]: ...

    def articles(
        self,
        *,
        ids: Sequence[str] | None = None,
        event: str | None = None,
        storyline: str | None = None,
        with_body: bool = True,
    ) -> Iterator[Article]: ...

    def assignments(self) -> list[Assignment]: ...

    def events(self, *, storyline: str | None = None, ids: Sequence[str] | None = None) -> list[Event]: ...

    def storylines(self) -> list[Storyline]: ...

    def storyline(self, ident: str) -> Storyline: ...

    def event(self, ident: str) -> Event: ...

    def counts(self) -> dict[str, int]: ...

    # --- browsing and search (used by the web shell) -------------------------------------

    def assignment(self, article_id: str) -> Assignment: ...

    def search_index_stale(self) -> bool: ...

    def has_search_index(self) -> bool: ...

    def refresh_search_index(self) -> int: ...

    def entity_names(self) -> list[tuple[str, str, str, int]]: ...

    def find_articles(
        self, f: ArticleFilter, *, limit: int = 20, offset: int = 0, order: str = "relevance"
    ) -> tuple[list[ArticleHit], int]: ...

    def facet_counts(self, f: ArticleFilter, field: str, limit: int = 50) -> list[tuple[str, int]]: ...

    def coverage(self, storyline: str) -> list[tuple[str | None, str, str | None, int]]: ...

    def top_entities(
        self, *, storyline: str | None = None, event: str | None = None, limit: int = 30
    ) -> list[EntityRow]: ...

    def storyline_page(
        self, *, lang: str | None = None, name: str | None = None, limit: int = 20, offset: int = 0,
        sort: str = "recent", min_articles: int = 1,
    ) -> tuple[list[Storyline], int]: ...

    def outlets_of(self, storylines: Sequence[str]) -> dict[str, list[str]]: ...

    def event_page(
        self, *, storyline: str | None = None, limit: int = 50, offset: int = 0
    ) -> tuple[list[Event], int]: ...

    def close(self) -> None: ...


STORYLINE_SORTS = ("recent", "size", "languages")
"""How a list of storylines may be ordered: latest activity, most articles, most languages."""


def ranked_outlets(
    rows: Iterable[tuple[str, str | None, str | None, int]], storylines: Sequence[str]
) -> dict[str, list[str]]:
    """Each storyline's outlets, most articles first, from (storyline, source, url, articles)
    rows: an article without a ``source`` counts under its URL's host, as its timeline names it,
    so a storyline never lists fewer outlets than its timeline shows."""
    counts: dict[str, Counter[str]] = {s: Counter() for s in storylines}
    for storyline, source, url, n in rows:
        if name := outlet(source, url):
            counts.setdefault(storyline, Counter())[name] += int(n)
    return {s: [name for name, _ in sorted(c.items(), key=lambda kv: (-kv[1], kv[0]))] for s, c in counts.items()}


def coverage_rows(
    rows: Iterable[tuple[Any, str, str | None, str | None, int]],
) -> list[tuple[str | None, str, str | None, int]]:
    """Articles per (publish date, language, outlet), oldest first (undated first), from
    (published, lang, source, url, articles) rows: an article without a source counts under its
    URL's host, as the storyline's outlet list names it; with neither, under None."""
    counts: Counter[tuple[str | None, str, str | None]] = Counter()
    for published, lang, source, url, n in rows:
        day = published.isoformat() if isinstance(published, dt.date) else published
        counts[(day, lang, outlet(source, url) or None)] += int(n)
    order = sorted(counts.items(), key=lambda kv: tuple(x or "" for x in kv[0]))
    return [(d, lang, src, n) for (d, lang, src), n in order]


def storyline_order(sort: str, languages_count: str) -> str:
    """The ORDER BY of a storyline list, shared by the stores (``languages_count`` is each
    dialect's length of the ``languages`` JSON array). Ties fall back to size, recency and id, so
    paging never repeats or skips a storyline."""
    if sort == "size":
        return "s.article_count DESC, s.last IS NULL, s.last DESC, s.id"
    if sort == "languages":
        return f"{languages_count} DESC, s.article_count DESC, s.last IS NULL, s.last DESC, s.id"
    if sort == "recent":
        return "s.last IS NULL, s.last DESC, s.article_count DESC, s.id"
    raise ValueError(f"unknown storyline order {sort!r}; use one of {', '.join(STORYLINE_SORTS)}")
