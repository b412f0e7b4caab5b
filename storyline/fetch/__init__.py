"""The HTTP client: robots.txt, per-host politeness, conditional GET, retries and limits.

Fetching is I/O, so it stays out of the stages: ``fetch`` returns pages (bytes and headers),
``sources`` turns them into ``RawArticle``s, the Pipeline does the rest as for files."""

from storyline.fetch.client import Fetcher, FetchOptions, Response

__all__ = ["FetchOptions", "Fetcher", "Response"]
