"""The records that pass between stages.

Every stage takes records and returns records; none of them touches storage or the terminal.
They are frozen so a stage cannot quietly change what an earlier stage produced: a stage that
adds information returns a new record (``dataclasses.replace``).
"""

from __future__ import annotations

import datetime as dt
import unicodedata
from dataclasses import dataclass, field
from typing import Literal

import numpy as np
import numpy.typing as npt

Vector = npt.NDArray[np.float32]

EntityKind = Literal["place", "person", "org", "other"]


MAX_ID_CHARS = 300


def id_problem(ident: str) -> str | None:
    """Why ``ident`` cannot be an article id, or None. Ids are opaque text: any printable
    characters, ``/`` ``?`` ``#`` ``%`` and spaces included, reach every page and API route
    percent-encoded and come back unchanged. What cannot round-trip is refused at input: control
    characters (invisible, and cut by terminals and some URL parsers), ``.`` and ``..`` (a URL
    path segment that browsers resolve away), and ids too long for a URL or a query."""
    if not ident.strip():
        return "the id is empty"
    if ident in (".", ".."):
        return f"the id {ident!r} cannot be used in a URL; choose another"
    if len(ident) > MAX_ID_CHARS:
        return f"the id is {len(ident)} characters long; at most {MAX_ID_CHARS}"
    bad = next((c for c in ident if unicodedata.category(c) in ("Cc", "Cs", "Zl", "Zp")), None)
    if bad is not None:
        return f"the id contains the control character U+{ord(bad):04X}; ids must be printable text"
    return None


@dataclass(frozen=True)
class RawArticle:
    """One input article exactly as a reader found it: nothing is parsed for meaning yet.

    ``origin`` names where it came from (``path`` or ``path:line``) so every later message
    about this article can point the user at the file.
    """

    id: str
    origin: str
    text: str | None = None
    html: str | None = None
    title: str | None = None
    published: str | None = None
    lang: str | None = None
    source: str | None = None
    url: str | None = None
    # When the page was fetched or archived (a WARC-Date, an HTTP fetch): the publish date of
    # last resort, for a page that states none, and the reference for a day without a year.
    fetched: str | None = None
    # How the bytes were read when that was not plain UTF-8 ("cp1251 (guessed)", "utf-8, 2 bad
    # bytes replaced"); None for clean UTF-8. Kept on the article so a guess is never silent.
    encoding: str | None = None

    @property
    def empty(self) -> bool:
        """Neither text nor HTML has anything but whitespace: nothing to read."""
        return not (self.text or "").strip() and not (self.html or "").strip()


@dataclass(frozen=True)
class Entity:
    """A name found in an article. ``key`` is language-independent (e.g. ``place:TR`` or a
    transliterated, lower-cased surname) so the same thing matches across languages and scripts."""

    key: str
    kind: EntityKind
    text: str
    # Whether a page or the API shows it as a chip. False for a word the connector rule reads as
    # part of a longer name ("Heads" of "EU Heads of State and Government"): a display rule only,
    # the key stays for linking (docs/entities.md "Session 19 - display chips"). Not compared.
    shown: bool = field(default=True, compare=False)


@dataclass(frozen=True, eq=False)
class Article:
    """A cleaned article, then enriched. Fields after ``removed`` are filled by the enrich stage."""

    id: str
    title: str
    body: str
    lang: str
    published: dt.date | None
    source: str | None = None
    url: str | None = None
    origin: str = ""
    content_hash: str = ""
    removed: tuple[str, ...] = ()
    # Where the title came from: "feed" (the input's metadata), "page" (the HTML page's own
    # title), "text" (found in the page text: a headline line, or the first words). Linking trusts
    # only a title an editor gave ("feed"/"page"); a found one is compared as part of the text.
    title_source: str = "text"
    # The title the encoder reads beside the body (``meta.plain_headline``): the source's title
    # tidied, or the lede's opening clause, by the plain rules; never the headline shown, whose
    # display rules (notes, captions, kickers passed over) may change without moving a vector.
    # None: not known (an article built by hand, or read back from a store): ``title`` stands in.
    encoder_title: str | None = None
    encoding: str | None = None  # RawArticle.encoding, carried to the store and shown
    # --- enrich ---
    entities: tuple[Entity, ...] = ()
    dates_mentioned: tuple[dt.date, ...] = ()
    numbers: tuple[str, ...] = ()
    vector: Vector | None = field(default=None, repr=False)
    # The key of the text the vector was read from (``vectors.input_key``: model, length, text),
    # stored with it so that a repost with the same input takes the stored vector.
    input_key: str | None = field(default=None, repr=False)

    def entity_keys(self, kind: EntityKind | None = None) -> frozenset[str]:
        return frozenset(e.key for e in self.entities if kind is None or e.kind == kind)


@dataclass(frozen=True)
class Rejected:
    """An input that could not be used, with the reason a user can act on."""

    origin: str
    reason: str


@dataclass(frozen=True)
class Assignment:
    """Where an article sits in the map of what happened."""

    article_id: str
    event: str
    storyline: str


@dataclass(frozen=True)
class Event:
    id: str
    storyline: str
    headline: str
    lang: str
    article_ids: tuple[str, ...]
    languages: tuple[str, ...]
    sources: tuple[str, ...]
    first: dt.date | None
    last: dt.date | None
    # The headline in each other language the event was reported in ((lang, headline), ...), so a
    # reader who prefers Spanish reads a real Spanish headline where there is one.
    headlines: tuple[tuple[str, str], ...] = ()

    def headline_in(self, lang: str | None) -> str:
        return dict(self.headlines).get(lang or "", self.headline)


@dataclass(frozen=True)
class Storyline:
    id: str
    name: str
    event_ids: tuple[str, ...]
    article_count: int
    languages: tuple[str, ...]
    first: dt.date | None
    last: dt.date | None
    # The name in each other language of the storyline ((lang, name), ...), as for Event.headlines.
    names: tuple[tuple[str, str], ...] = ()

    def name_in(self, lang: str | None) -> str:
        return dict(self.names).get(lang or "", self.name)


@dataclass(frozen=True)
class TimelineSentence:
    """One sentence of a timeline entry with where it comes from, so a page can tag it with its
    language and outlet and link it to its article."""

    text: str
    article_id: str
    lang: str
    source: str | None = None
    url: str | None = None
    published: dt.date | None = None


@dataclass(frozen=True)
class TimelineEntry:
    date: dt.date
    summary: tuple[str, ...]
    article_ids: tuple[str, ...] = ()
    # The summary's sentences one by one, in the same order, each with its article, language and outlet.
    sentences: tuple[TimelineSentence, ...] = ()
