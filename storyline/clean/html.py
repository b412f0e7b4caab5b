"""Main text and metadata of a whole HTML page.

trafilatura finds the article in the page's markup far better than any line heuristic can, so it
does the first cut (with recall favoured: its precise mode drops real paragraphs). What it lets
through is the same furniture the plain-text cleaner knows (sign-up boxes, "read also" lines,
trailing teasers), so its paragraphs go through that cleaner's phrase filter too.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import trafilatura

from storyline.clean.text import Cleaned, is_boilerplate_phrase, is_date_line


@dataclass(frozen=True)
class Page:
    """What a page yields: its main text split into kept/removed paragraphs, and metadata."""

    cleaned: Cleaned
    title: str | None
    published: dt.date | None
    lang: str | None


def extract_html(html: str, url: str | None = None) -> Page:
    """Run trafilatura on the page, then drop the boilerplate lines it kept."""
    text = trafilatura.extract(
        html, url=url, favor_recall=True, include_comments=False
    )
    meta = trafilatura.extract_metadata(html, default_url=url)
    title = (meta.title or "").strip() or None if meta else None
    published = _iso_date(meta.date) if meta and meta.date else None
    lang = None
    paragraphs = [p.strip() for p in (text or "").split("\n") if p.strip()]
    kept: list[str] = []
    removed: list[str] = []
    for p in paragraphs:
        (removed if is_boilerplate_phrase(p) or is_date_line(p) else kept).append(p)
    if title and kept and kept[0].strip().lower() == title.lower():
        removed.append(kept.pop(0))
    return Page(Cleaned(tuple(kept), tuple(removed), title), title, published, lang)


def _iso_date(value: str) -> dt.date | None:
    try:
        return dt.date.fromisoformat(value[:10])
    except ValueError:
        return None
