"""Feeds, sitemaps and home pages → the addresses of articles to fetch, with what the listing says
about each (title, publish date, language).

RSS 0.9x/1.0/2.0 and Atom are read by feedparser (the well-kept parser that copes with the feeds
real sites serve); sitemaps (``urlset``, ``sitemapindex``, Google News' ``news:`` extension) by lxml
with entities and network access off; a home page is searched for its feeds
(``<link rel="alternate">``), and when it names none the watcher tries ``COMMON_PATHS``.
No fetching here: bytes in, a ``Listing`` out.
"""

from __future__ import annotations

import calendar
import datetime as dt
import email.utils
import gzip
import io
import re
import zlib
from dataclasses import dataclass, field
from typing import Any

import feedparser
from lxml import etree
from lxml import html as lxml_html

from storyline import urls
from storyline.errors import InputError

FEED_TYPES = (
    "application/rss+xml",
    "application/atom+xml",
    "application/rdf+xml",
    "application/xml",
    "text/xml",
    "application/x-rss+xml",
    "text/rss+xml",
    "text/html",
    "application/xhtml+xml",
    "application/gzip",
    "application/x-gzip",
    "application/octet-stream",
    "text/plain",
)
# Tried in order on a home page that names no feed in its <head>.
COMMON_PATHS = (
    "/feed",
    "/rss",
    "/rss.xml",
    "/feed.xml",
    "/atom.xml",
    "/index.xml",
    "/news-sitemap.xml",
    "/sitemap_news.xml",
    "/sitemap.xml",
)
MAX_ITEMS = 50_000  # the sitemap protocol's own limit per file
MAX_XML_BYTES = 50 * 1024 * 1024
_SM = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
_NEWS = "{http://www.google.com/schemas/sitemap-news/0.9}"
_ALTERNATE = {"application/rss+xml", "application/atom+xml", "application/rdf+xml"}


@dataclass(frozen=True)
class Item:
    url: str
    title: str | None = None
    published: str | None = None  # ISO 8601, as the listing states it (local date kept)
    lang: str | None = None


@dataclass(frozen=True)
class Listing:
    """What one fetched source lists. ``kind``: rss, atom, sitemap, sitemapindex or html."""

    kind: str
    items: tuple[Item, ...] = ()
    sitemaps: tuple[str, ...] = ()  # a sitemap index's sitemaps
    feeds: tuple[str, ...] = ()  # feeds a home page names
    title: str | None = None
    note: str | None = None  # a recoverable problem (feedparser read a broken feed as far as it could)
    extra: dict[str, Any] = field(default_factory=dict)


def _unzip(data: bytes, origin: str) -> bytes:
    if data[:2] != b"\x1f\x8b":
        return data
    try:
        with gzip.GzipFile(fileobj=io.BytesIO(data)) as fh:
            out = fh.read(MAX_XML_BYTES + 1)
    except (OSError, EOFError, zlib.error) as e:
        raise InputError(origin, f"a gzip file that cannot be read ({e})") from e
    if len(out) > MAX_XML_BYTES:
        raise InputError(origin, f"unzips to more than {MAX_XML_BYTES // 1_048_576} MiB")
    return out


_ROOT = re.compile(rb"<\s*([A-Za-z_][\w.-]*:)?([A-Za-z_][\w.-]*)")


def _root_name(data: bytes) -> str:
    """The local name of the document's first element, skipping the prolog and comments."""
    text = re.sub(rb"<\?.*?\?>|<!--.*?-->|<!DOCTYPE[^>]*>", b"", data[:8192], flags=re.DOTALL)
    m = _ROOT.search(text)
    return m.group(2).decode("ascii", "replace").lower() if m else ""


def parse_listing(data: bytes, url: str, content_type: str | None = None) -> Listing:
    """A feed, sitemap or home page fetched from ``url``; InputError when it is none of them or
    cannot be read."""
    data = _unzip(data, url)
    if not data.strip():
        raise InputError(url, "the listing is empty")
    root = _root_name(data)
    media = (content_type or "").split(";")[0].strip().lower()
    if root in ("urlset", "sitemapindex"):
        return parse_sitemap(data, url)
    if root in ("rss", "feed", "rdf"):
        return parse_feed(data, url)
    if root == "html" or media in ("text/html", "application/xhtml+xml"):
        return Listing("html", feeds=tuple(discover(data, url)))
    raise InputError(url, f"not a feed, sitemap or HTML page (root element <{root or '?'}>, {media or 'no type'})")


def _iso(raw: str | None, parsed: Any) -> str | None:
    """A listing's date as ISO 8601 in the publisher's own time zone (its local date is the
    story's date); feedparser's UTC tuple only when the string itself cannot be read."""
    if raw:
        raw = raw.strip()
        if re.match(r"\d{4}-\d{2}-\d{2}", raw):
            return raw
        try:
            return email.utils.parsedate_to_datetime(raw).isoformat()
        except (TypeError, ValueError, IndexError):
            pass
    if parsed:
        return dt.datetime.fromtimestamp(calendar.timegm(parsed), dt.UTC).isoformat()
    return None


def parse_feed(data: bytes, url: str) -> Listing:
    d = feedparser.parse(data, sanitize_html=False, resolve_relative_uris=False)
    version = d.get("version") or ""
    problem = d.get("bozo_exception") if d.get("bozo") else None
    if isinstance(problem, feedparser.CharacterEncodingOverride):
        problem = None  # a wrong charset label that feedparser read past
    lang = (d.feed.get("language") or "").split("-")[0].lower() or None
    items = []
    for e in d.entries[:MAX_ITEMS]:
        link = e.get("link") or next((x.get("href") for x in e.get("links", []) if x.get("href")), None)
        where = urls.normalise(link, url) if link and link.strip() else None
        if not where or urls.key(where) == urls.key(url):
            continue
        published = _iso(e.get("published") or e.get("updated"), e.get("published_parsed") or e.get("updated_parsed"))
        items.append(Item(where, (e.get("title") or "").strip() or None, published, lang))
    if problem is not None and not items:
        raise InputError(url, f"broken feed XML ({problem})")
    if not version and not items:
        raise InputError(url, "not an RSS or Atom feed")
    kind = "atom" if version.startswith("atom") else "rss"
    note = f"broken feed XML, read as far as possible ({problem})" if problem is not None else None
    return Listing(kind, tuple(items), title=(d.feed.get("title") or "").strip() or None, note=note)


def _parser() -> etree.XMLParser:
    return etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False, recover=False)


def _text(el: Any, path: str) -> str | None:
    found = el.find(path)
    return (found.text or "").strip() or None if found is not None else None


def parse_sitemap(data: bytes, url: str) -> Listing:
    try:
        root = etree.fromstring(data, _parser())
    except etree.XMLSyntaxError as e:
        raise InputError(url, f"broken sitemap XML ({e})") from e
    name = etree.QName(root).localname
    if name == "sitemapindex":
        maps = []
        for sm in root.iter(f"{_SM}sitemap", "sitemap"):
            loc = urls.normalise(_text(sm, f"{_SM}loc") or _text(sm, "loc") or "", url)
            if loc:
                maps.append(loc)
        return Listing("sitemapindex", sitemaps=tuple(maps[:MAX_ITEMS]))
    items = []
    for u in root.iter(f"{_SM}url", "url"):
        loc = urls.normalise(_text(u, f"{_SM}loc") or _text(u, "loc") or "", url)
        if not loc:
            continue
        news = u.find(f"{_NEWS}news")
        title = published = lang = None
        if news is not None:
            title = _text(news, f"{_NEWS}title")
            published = _text(news, f"{_NEWS}publication_date")
            lang = _text(news, f"{_NEWS}publication/{_NEWS}language")
        items.append(Item(loc, title, published, (lang or "").split("-")[0].lower() or None))
        if len(items) >= MAX_ITEMS:
            break
    return Listing("sitemap", tuple(items))


def discover(data: bytes | str, base: str) -> list[str]:
    """The feeds a page names in its head (``<link rel="alternate" type="application/rss+xml">``)."""
    try:
        doc = lxml_html.fromstring(data[:500_000])
    except (ValueError, TypeError, etree.ParserError):
        return []
    found: list[str] = []
    for el in doc.iter("link"):
        rel = (el.get("rel") or "").lower().split()
        kind = (el.get("type") or "").lower().strip()
        if "alternate" in rel and kind in _ALTERNATE and el.get("href"):
            where = urls.normalise(el.get("href", ""), base)
            if where and where not in found:
                found.append(where)
    return found
