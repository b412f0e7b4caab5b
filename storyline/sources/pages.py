"""A fetched or archived web page → RawArticle: the bytes decoded with the charset the server
declared (when it is right), the page's own canonical address, and the feed's metadata carried
along. No parsing of meaning here: the clean stage reads the page."""

from __future__ import annotations

import codecs
import re

from lxml import html as lxml_html

from storyline import urls
from storyline.encoding import decode_bytes
from storyline.errors import InputError
from storyline.models import RawArticle

HTML_TYPES = ("text/html", "application/xhtml+xml")
_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.IGNORECASE)


def is_html(content_type: str | None) -> bool:
    """The media type names an HTML page (parameters such as ``charset`` ignored)."""
    return (content_type or "").split(";")[0].strip().lower() in HTML_TYPES


def charset_of(content_type: str | None) -> str | None:
    m = re.search(r"charset\s*=\s*[\"']?([^\"';\s]+)", content_type or "", re.IGNORECASE)
    return m.group(1) if m else None


def decode_page(data: bytes, declared: str | None, origin: str) -> str:
    """The page as text. The charset the server declared, else the page's ``<meta charset>``, is
    used when the bytes really are in it; servers often lie (a Latin-1 page sent as UTF-8), so a
    declared charset the bytes do not fit, or one that does not exist, falls back to detection."""
    head = _META_CHARSET.search(data[:4096])
    for label in (declared, head.group(1).decode("ascii", "replace") if head else None):
        if not label:
            continue
        try:
            codec = codecs.lookup(label).name
        except LookupError:
            continue
        try:
            return data.decode(codec)
        except UnicodeDecodeError:
            continue
    return decode_bytes(data, origin)


def canonical(html: str, base: str) -> str | None:
    """The page's ``<link rel="canonical">`` address, absolute and normalised, on the same site
    (a canonical pointing at another site is a syndication credit, not this page's address)."""
    try:
        doc = lxml_html.fromstring(html[:200_000])
    except (ValueError, TypeError, lxml_html.etree.ParserError):
        return None
    for el in doc.iter("link"):
        rel = (el.get("rel") or "").lower().split()
        if "canonical" in rel and el.get("href"):
            found = urls.normalise(el.get("href", ""), base)
            if found and urls.host(found).removeprefix("www.") == urls.host(base).removeprefix("www."):
                return found
            return None
    return None


def page_article(
    url: str,
    data: bytes,
    *,
    content_type: str | None,
    origin: str | None = None,
    title: str | None = None,
    published: str | None = None,
    fetched: str | None = None,
    source: str | None = None,
    lang: str | None = None,
) -> RawArticle:
    """One HTML page as a RawArticle whose id follows its (canonical) address (``urls.page_id``).
    ``published`` is what a feed or sitemap said (it wins over the page's own date in the clean
    stage); ``fetched`` is when the page was fetched or archived, the date of last resort. The
    outlet is ``source`` when a sources file names it, else the site's host."""
    where = origin or url
    if not is_html(content_type):
        raise InputError(where, f"not an HTML page (Content-Type {content_type or 'missing'})")
    if not data.strip():
        raise InputError(where, "the page is empty")
    text = decode_page(data, charset_of(content_type), where)
    address = canonical(text, url) or urls.normalise(url) or url
    return RawArticle(
        id=urls.page_id(address),
        origin=where,
        html=text,
        title=title or None,
        published=published or None,
        lang=lang or None,
        source=source or urls.host(address).removeprefix("www.") or None,
        url=address,
        fetched=fetched or None,
    )
