"""Web archives (``.warc``, ``.warc.gz``, as Common Crawl News publishes them) → RawArticle.

warcio streams the file record by record (each gzip member on its own), so a multi-gigabyte
archive costs memory for one record at a time; a record over ``MAX_RECORD_BYTES`` is skipped
unread with its reason. Only HTTP responses with status 200 and an HTML body are pages; requests,
metadata, redirects, images and PDFs are the archive's business, not articles, and are passed
over silently (``WarcCounts`` says how many)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from warcio.archiveiterator import ArchiveIterator
from warcio.exceptions import ArchiveLoadFailed

from storyline.errors import InputError
from storyline.models import RawArticle, Rejected
from storyline.sources.pages import is_html, page_article

MAX_RECORD_BYTES = 10 * 1024 * 1024
_CUT = "the archive is cut short (an interrupted download?)"


def is_warc(path: Path) -> bool:
    name = path.name.lower()
    return name.endswith(".warc") or name.endswith(".warc.gz")


class _Records(ArchiveIterator):
    """warcio's iterator, noting whether the file ended inside a gzip member (a cut download)."""

    truncated = False

    def close(self) -> None:
        reader = self.reader
        if reader is not None and getattr(reader, "decompressor", None) is not None:
            self.truncated = not getattr(reader.decompressor, "eof", True)
        super().close()


@dataclass
class WarcCounts:
    pages: int = 0
    passed_over: int = 0  # records that are not HTML responses


def read_warc(
    path: Path, counts: WarcCounts | None = None, max_bytes: int | None = None
) -> Iterator[RawArticle | Rejected]:
    """Every HTML response in the archive as a RawArticle (URL from ``WARC-Target-URI``; the
    page's own date, else ``WARC-Date`` as the date of last resort)."""
    counts = counts if counts is not None else WarcCounts()
    max_bytes = max_bytes or MAX_RECORD_BYTES
    origin = str(path)
    n = 0
    try:
        with path.open("rb") as fh:
            records = _Records(fh)
            cut_short = False
            for n, record in enumerate(records, start=1):
                if record.rec_type != "response" or record.http_headers is None:
                    counts.passed_over += 1
                    continue
                uri = (record.rec_headers.get_header("WARC-Target-URI") or "").strip()
                where = f"{origin}#{n} {uri}" if uri else f"{origin}#{n}"
                status = record.http_headers.get_statuscode()
                ctype = record.http_headers.get_header("Content-Type")
                if status != "200" or not is_html(ctype) or not uri:
                    counts.passed_over += 1
                    continue
                data = record.content_stream().read(max_bytes + 1)
                if len(data) > max_bytes:
                    yield Rejected(where, f"record is larger than {max_bytes // 1_048_576} MiB; skipped")
                    continue
                if getattr(record.raw_stream, "limit", 0) > 0:  # the file ends inside this record
                    cut_short = True
                    yield Rejected(where, f"{_CUT}; records before it were kept")
                    continue
                try:
                    yield page_article(
                        uri,
                        data,
                        content_type=ctype,
                        origin=where,
                        fetched=record.rec_headers.get_header("WARC-Date"),
                    )
                    counts.pages += 1
                except InputError as e:
                    yield Rejected(e.origin, e.reason)
            if records.truncated and not cut_short:
                yield Rejected(f"{origin}#{n + 1}", f"{_CUT} (after record {n}); records before it were kept")
    except OSError as e:
        yield Rejected(origin, f"cannot read the file ({e.strerror or e})")
    except (ArchiveLoadFailed, EOFError, ValueError) as e:
        where = f"{origin}#{n + 1}"
        yield Rejected(where, f"not a readable WARC record ({e}); records before it were kept")
