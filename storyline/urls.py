"""Web addresses: one spelling per page, and a stable article id from it.

Lives at the ground floor because readers (WARC, pages), the fetcher and the watcher all need the
same answer to "is this the page I have seen?". courlan (trafilatura's own URL library) knows the
tracking parameters and the normal form; on top of it a page's *key* folds what two spellings of
one page differ in and a server never tells apart: the fragment, http/https, a trailing slash.
"""

from __future__ import annotations

import hashlib
import re
from urllib.parse import urljoin, urlsplit, urlunsplit

from courlan import normalize_url

_SCHEMES = ("http", "https")


def is_url(text: str) -> bool:
    """An ``http://`` or ``https://`` address (what ``storyline run`` fetches instead of reading)."""
    return bool(re.match(r"(?i)https?://[^\s/]+", text.strip()))


def normalise(url: str, base: str | None = None) -> str | None:
    """The address to fetch: absolute, lower-cased host, default port and tracking parameters
    (utm_*, fbclid, gclid, …) dropped, query sorted, no fragment. None when it is not a web address."""
    url = (url or "").strip()
    if base:
        url = urljoin(base, url)
    parts = urlsplit(url)
    if parts.scheme.lower() not in _SCHEMES or not parts.hostname:
        return None
    try:
        clean = normalize_url(url, trailing_slash=True)
    except (ValueError, TypeError):
        return None
    return urlunsplit(urlsplit(clean)._replace(fragment=""))


def key(url: str) -> str:
    """What two spellings of one page share: the normal form with ``https`` and without a
    trailing slash (except the site root). Used to tell a page seen before."""
    norm = normalise(url) or url.strip()
    p = urlsplit(norm)
    path = p.path.rstrip("/") if len(p.path) > 1 else p.path
    return urlunsplit(("https", p.netloc, path or "/", p.query, ""))


def host(url: str) -> str:
    return (urlsplit(url).hostname or "").lower()


def page_id(url: str) -> str:
    """The article id of a web page: its host and a hash of its key, so the same page read from a
    WARC file, fetched by URL or followed in a feed is one article, and the id is safe in a path."""
    k = key(url)
    return f"{host(k).removeprefix('www.')}-{hashlib.sha1(k.encode('utf-8')).hexdigest()[:16]}"


def outlet(source: str | None, url: str | None) -> str:
    """An article's outlet as a reader sees it: its ``source`` as written, else its URL's host
    without "www.", else "" (unknown). The storyline's outlet list, the event's and the timeline's
    all name an outlet this one way, so none lists fewer than another shows."""
    if source and source.strip():
        return source.strip()
    return (urlsplit(url).hostname or "").lower().removeprefix("www.") if url else ""
