"""Inputs as ``storyline run`` takes them: files and directories (``sources.read_inputs``) and
``http(s)://`` addresses, each fetched politely as one page."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from pathlib import Path

from storyline import urls
from storyline.errors import InputError
from storyline.fetch.client import Fetcher, FetchOptions
from storyline.models import RawArticle, Rejected
from storyline.sources import read_inputs as read_files
from storyline.sources.pages import HTML_TYPES, page_article


def fetch_page(fetcher: Fetcher, url: str) -> RawArticle:
    """One web page as a RawArticle (its final, canonical address; the outlet is its host)."""
    r = fetcher.get(url, accept=HTML_TYPES)
    return page_article(r.final_url, r.content, content_type=r.content_type, origin=url)


def read_inputs(inputs: Iterable[str | Path], options: FetchOptions | None = None) -> Iterator[RawArticle | Rejected]:
    """Every article of ``inputs`` in the order given; a page that cannot be fetched is Rejected
    with the reason. The fetcher is made only when an address is given."""
    fetcher: Fetcher | None = None
    try:
        for given in inputs:
            if isinstance(given, str) and urls.is_url(given):
                fetcher = fetcher or Fetcher(options)
                try:
                    yield fetch_page(fetcher, given.strip())
                except InputError as e:
                    yield Rejected(e.origin, e.reason)
            else:
                yield from read_files([given])
    finally:
        if fetcher is not None:
            fetcher.close()
