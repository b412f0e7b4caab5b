"""Byte-bounded reading of input files, compressed or not.

A reader must cost the same memory whatever the file holds: a 1 MB ``.jsonl.gz`` can expand to
gigabytes, and to one single line. So the decompressed stream is read in pieces of at most the
per-record limit (a longer line is skipped chunk by chunk, never held whole), and the whole file's
decompressed size is counted as it is read and stops at the per-file limit. Nothing here parses
meaning; it only hands out byte lines, each with its line number, or says which limit was hit.
"""

from __future__ import annotations

import gzip
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO

MIB = 1_048_576
# One article (one JSONL line) larger than this is a dump or an attack, not an article.
MAX_RECORD_BYTES = 20 * MIB
# What one input file may expand to. Far above a real news archive per file (~100 MB for 20k
# articles), far below what would fill a disk or take an hour to scan.
MAX_FILE_BYTES = 2048 * MIB
_SKIP_CHUNK = MIB


class FileTooLarge(Exception):
    """The file's (decompressed) content passed the per-file limit."""


@dataclass(frozen=True)
class Line:
    """One line of the file: its number, and its bytes, or None when it was longer than the
    per-record limit (``size`` then says how long it was, as far as it was read)."""

    number: int
    data: bytes | None
    size: int


class _Counted:
    """A binary stream that counts the bytes read through it and stops at ``limit``."""

    def __init__(self, fh: IO[bytes], limit: int) -> None:
        self.fh, self.limit, self.read_bytes = fh, limit, 0

    def readline(self, size: int) -> bytes:
        chunk = self.fh.readline(size)
        self.read_bytes += len(chunk)
        if self.read_bytes > self.limit:
            raise FileTooLarge(f"the content is larger than {self.limit // MIB} MiB"
                               f"{' once decompressed' if isinstance(self.fh, gzip.GzipFile) else ''}")
        return chunk


def is_compressed(path: Path) -> bool:
    return path.name.lower().endswith(".gz")


def open_binary(path: Path) -> IO[bytes]:
    """The file's bytes, decompressed on the fly for ``.gz`` (gzip streams; never all at once)."""
    if is_compressed(path):
        return gzip.GzipFile(filename=str(path), mode="rb")  # type: ignore[return-value]
    return path.open("rb")


def lines(
    fh: IO[bytes], *, max_record: int = MAX_RECORD_BYTES, max_file: int = MAX_FILE_BYTES
) -> Iterator[Line]:
    """Every line of ``fh`` (newline stripped), each read with at most ``max_record`` + 1 bytes in
    memory. Raises ``FileTooLarge`` past ``max_file`` bytes, and the stream's own errors
    (``OSError``, ``EOFError``, ``zlib.error``) for a damaged file; lines already yielded stand."""
    src = _Counted(fh, max_file)
    n = 0
    while True:
        chunk = src.readline(max_record + 1)
        if not chunk:
            return
        n += 1
        if chunk.endswith(b"\n") or len(chunk) <= max_record:
            yield Line(n, chunk.rstrip(b"\r\n"), len(chunk))
            continue
        # Longer than a record may be: drop it piece by piece up to its end.
        size = len(chunk)
        del chunk
        while True:
            rest = src.readline(_SKIP_CHUNK)
            size += len(rest)
            if not rest or rest.endswith(b"\n"):
                break
        yield Line(n, None, size)


def read_limited(path: Path, limit: int) -> bytes:
    """The whole (decompressed) content of a small file, refusing more than ``limit`` bytes
    without ever reading more than ``limit`` + 1."""
    with open_binary(path) as fh:
        data = fh.read(limit + 1)
    if len(data) > limit:
        raise FileTooLarge(f"the content is larger than {limit // MIB} MiB")
    return data


READ_ERRORS = (OSError, EOFError, zlib.error)
