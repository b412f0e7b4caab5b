"""Files and directories as CONTRACT.md defines them: ``.txt`` is one article (id = file stem),
``.html``/``.htm`` one page, ``.jsonl``/``.jsonl.gz`` one article per line, ``.warc``/``.warc.gz``
every HTML response in it; a directory is every
such file in it, recursively, in a stable (sorted) order so two runs see the same stream."""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator
from pathlib import Path

from storyline.encoding import decode_text
from storyline.errors import InputError
from storyline.models import RawArticle, Rejected, id_problem
from storyline.sources import bounded
from storyline.sources.bounded import FileTooLarge, read_limited
from storyline.sources.jsonl import read_jsonl
from storyline.sources.warc import is_warc, read_warc
from storyline.urls import is_url

TEXT_SUFFIXES = {".txt"}
HTML_SUFFIXES = {".html", ".htm"}
# A single article page larger than this is not an article but a dump or a mistake; reading it
# whole would only cost memory. JSONL files are streamed line by line and have a per-line cap.
MAX_FILE_BYTES = 20 * 1024 * 1024
KINDS = ".txt, .html, .htm, .jsonl, .jsonl.gz, .warc or .warc.gz"


def kind_of(path: Path) -> str | None:
    name = path.name.lower()
    if name.endswith(".jsonl") or name.endswith(".jsonl.gz"):
        return "jsonl"
    if is_warc(path):
        return "warc"
    if path.suffix.lower() in TEXT_SUFFIXES:
        return "text"
    if path.suffix.lower() in HTML_SUFFIXES:
        return "html"
    return None


def _walk(root: Path) -> Iterator[Path | Rejected]:
    """Every input file below ``root`` in sorted order; unreadable sub-directories are named."""
    errors: list[OSError] = []
    found: list[Path] = []
    for d, dirs, files in os.walk(root, onerror=errors.append):
        dirs.sort()
        found.extend(Path(d) / f for f in sorted(files) if kind_of(Path(f)))
    for e in errors:
        yield Rejected(str(e.filename or root), f"cannot read this directory ({e.strerror or e})")
    yield from found


def _read_file(path: Path, kind: str) -> RawArticle:
    origin = str(path)
    problem = id_problem(path.stem)
    if problem:
        raise InputError(origin, f"the file name is the article's id, and {problem}; rename the file")
    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            raise InputError(origin, f"file is {size // 1_048_576} MiB; an article page is at most "
                             f"{MAX_FILE_BYTES // 1_048_576} MiB (split it, or pass it as JSONL)")
        data = read_limited(path, MAX_FILE_BYTES)  # the file may have grown since stat()
    except FileTooLarge as e:
        raise InputError(origin, f"{e}; an article page is at most {MAX_FILE_BYTES // 1_048_576} MiB") from e
    except OSError as e:
        raise InputError(origin, f"cannot read the file ({e.strerror or e})") from e
    if not data.strip():
        raise InputError(origin, "the file is empty")
    dec = decode_text(data, origin)
    if kind == "html":
        return RawArticle(id=path.stem, origin=origin, html=dec.text, encoding=dec.encoding)
    return RawArticle(id=path.stem, origin=origin, text=dec.text, encoding=dec.encoding)


def missing_paths(paths: Iterable[str | Path]) -> list[str]:
    """The given paths that do not exist (a usage error, named before any work starts); web
    addresses are fetched, not looked for on disk."""
    return [str(p) for p in paths if not is_url(str(p)) and not Path(p).exists()]


def count_inputs(paths: Iterable[str | Path], max_bytes: int = 512 * 1_048_576) -> int | None:
    """How many inputs ``read_inputs`` will yield, where that is cheap to know: one per page file,
    one per non-blank line of a plain ``.jsonl`` (newlines counted, nothing parsed). None when it
    is not (a compressed file, or more than ``max_bytes`` of JSONL to scan): the progress display
    then counts without a total."""
    total, scanned = 0, 0
    for given in paths:
        if is_url(str(given)):
            total += 1
            continue
        path = Path(given)
        files = [f for f in _walk(path) if isinstance(f, Path)] if path.is_dir() else [path]
        for f in files:
            kind = kind_of(f)
            if kind == "warc":  # a web archive's pages are known only by reading it
                return None
            if kind != "jsonl":
                total += 1
                continue
            if bounded.is_compressed(f):
                return None
            try:
                scanned += f.stat().st_size
                if scanned > max_bytes:
                    return None
                with f.open("rb") as fh:
                    for line in bounded.lines(fh, max_record=1_048_576):
                        total += 1 if line.data is None or line.data.strip() else 0
            except (OSError, bounded.FileTooLarge):
                return None
    return total


def read_inputs(paths: Iterable[str | Path]) -> Iterator[RawArticle | Rejected]:
    """Yield every article found under ``paths``; unusable inputs come out as ``Rejected`` so the
    caller can name them and go on."""
    for given in paths:
        path = Path(given)
        if not path.exists():
            yield Rejected(str(path), "no such file or directory")
            continue
        if path.is_dir():
            found = False
            for item in _walk(path):
                if isinstance(item, Rejected):
                    yield item
                    continue
                found = True
                yield from _read_one(item)
            if not found:
                yield Rejected(str(path), f"no {KINDS} files in this directory")
            continue
        if kind_of(path) is None:
            yield Rejected(str(path), f"unknown file type (expected {KINDS})")
            continue
        yield from _read_one(path)


def _read_one(path: Path) -> Iterator[RawArticle | Rejected]:
    kind = kind_of(path)
    if kind == "jsonl":
        yield from read_jsonl(path)
        return
    if kind == "warc":
        yield from read_warc(path)
        return
    try:
        yield _read_file(path, kind or "text")
    except InputError as e:
        yield Rejected(e.origin, e.reason)
