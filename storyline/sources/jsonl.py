"""JSONL input (``.jsonl`` and ``.jsonl.gz``), one JSON object per line, streamed so a file of
any size costs memory for one line at a time. A bad line is rejected with its line number; the
rest of the file is read."""

from __future__ import annotations

import gzip
import json
import zlib
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

from storyline.encoding import decode_bytes
from storyline.errors import InputError
from storyline.models import RawArticle, Rejected

MAX_LINE_BYTES = 20 * 1024 * 1024
FIELDS = ("title", "published", "lang", "source", "url")


def _open(path: Path) -> IO[bytes]:
    if path.name.lower().endswith(".gz"):
        return gzip.open(path, "rb")  # type: ignore[return-value]
    return path.open("rb")


def parse_record(obj: Any, origin: str) -> RawArticle:
    """One decoded JSON value → RawArticle, or InputError saying what is missing."""
    if not isinstance(obj, dict):
        raise InputError(origin, f"expected a JSON object, found {type(obj).__name__}")
    ident = obj.get("id")
    if ident is None or (isinstance(ident, str) and not ident.strip()):
        raise InputError(origin, 'missing "id"')
    if not isinstance(ident, (str, int)) or isinstance(ident, bool):
        raise InputError(origin, '"id" must be a string or a number')
    text, html = obj.get("text"), obj.get("html")
    if not isinstance(text, str) and not isinstance(html, str):
        raise InputError(origin, 'needs a "text" or an "html" string')
    extra: dict[str, str | None] = {}
    for f in FIELDS:
        v = obj.get(f)
        extra[f] = None if v is None or v == "" else str(v)
    return RawArticle(
        id=str(ident).strip(),
        origin=origin,
        text=text if isinstance(text, str) else None,
        html=html if isinstance(html, str) else None,
        **extra,
    )


def read_lines(path: Path) -> Iterator[tuple[str, Any]]:
    """(``path:line``, decoded JSON value or Rejected) for every non-blank line."""
    origin = str(path)
    n = 0
    seen_any = False
    try:
        with _open(path) as fh:
            for n, line in enumerate(fh, start=1):
                where = f"{origin}:{n}"
                if not line.strip():
                    continue
                seen_any = True
                if len(line) > MAX_LINE_BYTES:
                    yield where, Rejected(where, f"line is longer than {MAX_LINE_BYTES // 1_048_576} MiB")
                    continue
                try:
                    yield where, json.loads(decode_bytes(line, where))
                except InputError as e:
                    yield where, Rejected(e.origin, e.reason)
                except json.JSONDecodeError as e:
                    yield where, Rejected(where, f"not valid JSON ({e.msg} at column {e.colno})")
    except (OSError, EOFError, zlib.error) as e:
        where = f"{origin}:{n + 1}" if n else origin
        reason = getattr(e, "strerror", None) or str(e) or type(e).__name__
        yield where, Rejected(where, f"cannot read the rest of the file ({reason}); earlier lines were kept")
        return
    if not seen_any:
        yield origin, Rejected(origin, "the file is empty")


def read_jsonl(path: Path) -> Iterator[RawArticle | Rejected]:
    for where, obj in read_lines(path):
        if isinstance(obj, Rejected):
            yield obj
            continue
        try:
            yield parse_record(obj, where)
        except InputError as e:
            yield Rejected(e.origin, e.reason)
