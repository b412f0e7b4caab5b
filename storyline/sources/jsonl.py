"""JSONL input (``.jsonl`` and ``.jsonl.gz``), one JSON object per line, streamed so a file of
any size costs memory for one bounded line at a time. A bad line is rejected with its line number; the
rest of the file is read."""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any, NamedTuple

from storyline.encoding import decode_text
from storyline.errors import InputError
from storyline.models import RawArticle, Rejected, id_problem
from storyline.sources import bounded
from storyline.sources.bounded import MAX_FILE_BYTES, MAX_RECORD_BYTES

MAX_LINE_BYTES = MAX_RECORD_BYTES
FIELDS = ("title", "published", "lang", "source", "url")


def parse_record(obj: Any, origin: str) -> RawArticle:
    """One decoded JSON value → RawArticle, or InputError saying what is missing."""
    if not isinstance(obj, dict):
        raise InputError(origin, f"expected a JSON object, found {type(obj).__name__}")
    ident = obj.get("id")
    if ident is None or (isinstance(ident, str) and not ident.strip()):
        raise InputError(origin, 'missing "id"')
    if not isinstance(ident, (str, int)) or isinstance(ident, bool):
        raise InputError(origin, '"id" must be a string or a number')
    problem = id_problem(str(ident).strip())
    if problem:
        raise InputError(origin, f'bad "id": {problem}')
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


class Record(NamedTuple):
    """One non-blank line: where it is (``path:line``), its JSON value or ``Rejected``, and how its
    bytes were read when that was not plain UTF-8 (``storyline.encoding.Decoded``)."""

    where: str
    value: Any
    encoding: str | None = None


def read_lines(path: Path, *, max_record: int = MAX_RECORD_BYTES, max_file: int = MAX_FILE_BYTES
               ) -> Iterator[Record]:
    """Every non-blank line, streamed with bounded memory (``storyline.sources.bounded``): a line
    over ``max_record`` bytes is rejected without being held, and a file that decompresses past
    ``max_file`` bytes stops there with the lines before it kept."""
    origin = str(path)
    n = 0
    seen_any = False
    try:
        with bounded.open_binary(path) as fh:
            for line in bounded.lines(fh, max_record=max_record, max_file=max_file):
                n = line.number
                where = f"{origin}:{n}"
                if line.data is None:
                    seen_any = True
                    yield Record(where, Rejected(where, f"line is longer than {max_record // bounded.MIB} MiB "
                                                        f"({line.size // bounded.MIB} MiB or more); an article is "
                                                        "at most that"))
                    continue
                if not line.data.strip():
                    continue
                seen_any = True
                try:
                    dec = decode_text(line.data, where)
                    yield Record(where, json.loads(dec.text), dec.encoding)
                except InputError as e:
                    yield Record(where, Rejected(e.origin, e.reason))
                except json.JSONDecodeError as e:
                    yield Record(where, Rejected(where, f"not valid JSON: {e.msg} (column {e.pos + 1})"))
                except RecursionError:
                    yield Record(where, Rejected(where, "not valid JSON: nested too deeply"))
    except bounded.FileTooLarge as e:
        where = f"{origin}:{n + 1}"
        yield Record(where, Rejected(where, f"{e}; the rest of the file was not read, earlier lines were kept"))
        return
    except bounded.READ_ERRORS as e:
        where = f"{origin}:{n + 1}" if n else origin
        reason = getattr(e, "strerror", None) or str(e) or type(e).__name__
        if isinstance(e, FileNotFoundError):
            yield Record(origin, Rejected(origin, "no such file"))
        elif n:
            yield Record(where, Rejected(where, f"cannot read the rest of the file ({reason}); "
                                                "earlier lines were kept"))
        else:
            yield Record(where, Rejected(where, f"cannot read the file ({reason})"))
        return
    if not seen_any:
        yield Record(origin, Rejected(origin, "the file is empty"))


def read_jsonl(path: Path) -> Iterator[RawArticle | Rejected]:
    for rec in read_lines(path):
        if isinstance(rec.value, Rejected):
            yield rec.value
            continue
        try:
            raw = parse_record(rec.value, rec.where)
            yield dataclasses.replace(raw, encoding=rec.encoding) if rec.encoding else raw
        except InputError as e:
            yield Rejected(e.origin, e.reason)
