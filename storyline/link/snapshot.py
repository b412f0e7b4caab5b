"""A linker saved to a local directory, so a restart with a million stored articles neither reads
every one of them back nor holds their vectors and near-duplicate bands in memory.

``save`` first freezes what the linker holds in memory of its article vector index and MinHash
bands into files (``EventIndex.freeze``: usearch segments by publish date, sorted band arrays),
which every later process memory-maps: only the pages a search touches are read, so they cost
disk, not memory. The rest of the state (events, storyline sums, the ids and small maps) is
pickled beside them, with whatever the caller adds (``extra``). ``load`` gives back the same
linker, its store reader attached again.

A snapshot is a cache, never the truth: the store is. The caller keys it by the store and checks
it against the store's change number; ``load`` raises ``SnapshotError`` (naming the file and why)
for a snapshot written by other code, or a missing, truncated or unreadable file, and the caller
then restores from the store as before and writes a new one. Files not named by the newest
snapshot are removed when the next one is written.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import inspect
import os
import pickle
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from storyline.link import Linker
from storyline.link.state import Loader

FORMAT = 2
STATE = "state.pkl"
LOCK = "lock"


@contextlib.contextmanager
def _locked(directory: Path, exclusive: bool) -> Iterator[None]:
    """Several processes may share a cache directory (two writers on one store): one saves at a
    time, and no load reads a snapshot whose files a save is replacing."""
    with open(directory / LOCK, "a+b") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX if exclusive else fcntl.LOCK_SH)
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


class SnapshotError(Exception):
    """A snapshot that cannot be used (the message names the file and the reason)."""


def code_version() -> str:
    """Changes whenever what is pickled may be laid out differently: the source of the
    ``__init__`` (where attributes are made) and the pickling hooks of every class a snapshot
    holds, and ``FORMAT`` (bump it for a change they do not show). Other methods may change: the
    state they work on is the same. Worked out once, when this module is imported: ``inspect``
    reads source files when asked, so a process asking after the files were replaced (an
    upgrade under a long run) would hash lines of the new files at the old code's places."""
    return _CODE


def _code_version() -> str:
    from storyline.link import duplicates, events, keys, state, storylines

    h = hashlib.sha1(f"snapshot {FORMAT}".encode())
    classes = (Linker, events.EventIndex, events._Segment, duplicates.DuplicateIndex, duplicates._Frozen,
               state.FeatureCache, storylines.StorylineIndex, storylines._Candidates, storylines._Group,
               storylines._EventSums, keys.KeyTable, keys.Postings)
    for cls in classes:
        for name in ("__init__", "__getstate__", "__setstate__", "__slots__"):
            obj = cls.__dict__.get(name)
            if obj is not None:
                h.update(f"{cls.__name__}.{name}:".encode())
                h.update((inspect.getsource(obj) if callable(obj) else repr(obj)).encode())
    return h.hexdigest()[:16]


def _share(linker: Linker, extra: dict[str, Any]) -> None:
    """One string object per event and storyline id, and one (event, storyline) tuple per
    article where two maps hold equal ones: a restore reads each article's ids from its own row,
    so without this every article carried copies of both (pickling keeps sharing as it finds it)."""
    ev, sl = linker._events, linker._storylines
    events = {e: e for e in ev.members}
    lines = {s: s for s in sl.groups}
    pairs: dict[tuple[str, str], tuple[str, str]] = {}

    def pair(p: tuple[str, str]) -> tuple[str, str]:
        e, s = p
        key = (events.get(e, e), lines.get(s, s))
        return pairs.setdefault(key, key)

    for m in (extra.get("where"), linker._reported):
        if isinstance(m, dict):
            for aid, p in m.items():
                m[aid] = pair(p)
    for aid, e in ev.event_of.items():
        ev.event_of[aid] = events.get(e, e)
    for e, s in sl.storyline_of.items():
        sl.storyline_of[e] = lines.get(s, s)
    days: dict[object, object] = {}
    for aid, d in ev.published.items():
        ev.published[aid] = days.setdefault(d, d)


def save(
    linker: Linker, directory: Path, extra: dict[str, Any], late: Callable[[], dict[str, Any]] | None = None
) -> None:
    """Freeze the linker's vectors and bands into ``directory`` and pickle the rest there (written
    to a temporary file and renamed: a reader never sees half of one). The linker goes on working
    on the frozen files.

    ``late``: more of ``extra``, made only once the linker is pickled, and pickled after it in the
    same file (``load`` puts it back into ``extra``). At a million stored the outlets' recent pages
    are ~520 MB read from the store: read first, they were held through the freezing and the
    pickling, whose own peaks (the key table's sort, the pickler's memo of millions of objects)
    came on top, 3.2-3.5 GB in all. An older ``load`` reads the first object only, and a
    snapshot without the second one loads without it."""
    directory.mkdir(parents=True, exist_ok=True)
    with _locked(directory, exclusive=True):
        linker.freeze(directory)
        _share(linker, extra)
        loader = linker.detach()
        try:
            payload = {"code": code_version(), "linker": linker, "extra": extra}
            tmp = directory / f"{STATE}.{os.getpid()}.tmp"
            with open(tmp, "wb") as fh:
                pickle.dump(payload, fh, protocol=pickle.HIGHEST_PROTOCOL)
                del payload
                if late is not None:
                    pickle.dump(late(), fh, protocol=pickle.HIGHEST_PROTOCOL)
            os.replace(tmp, directory / STATE)
        finally:
            linker.attach(loader)
        # Files the new snapshot does not name (an older one's) go; a process still reading them
        # keeps its mapping (an unlinked file lives on while mapped).
        keep = {p.name for p in linker.files()} | {STATE, LOCK}
        for p in directory.iterdir():
            if p.name not in keep and not p.name.endswith(".tmp"):
                p.unlink(missing_ok=True)


def load(directory: Path, loader: Loader) -> tuple[Linker, dict[str, Any]]:
    """The linker ``save`` wrote to ``directory``, reading features through ``loader``."""
    path = directory / STATE
    try:
        with _locked(directory, exclusive=False), open(path, "rb") as fh:
            payload = pickle.load(fh)  # our own cache file, written by ``save``
            try:
                late = pickle.load(fh)  # what ``save`` was given as ``late``, if anything
            except EOFError:
                late = {}
    except FileNotFoundError as e:
        raise SnapshotError(f"{path}: no snapshot") from e
    except ValueError as e:  # a frozen file named in it is missing or unreadable
        raise SnapshotError(str(e)) from e
    except Exception as e:  # truncated or foreign bytes raise anything from unpickling
        raise SnapshotError(f"{path}: unreadable snapshot ({type(e).__name__}: {e})") from e
    if not isinstance(payload, dict) or payload.get("code") != code_version():
        raise SnapshotError(f"{path}: written by other code of storyline.link")
    linker = payload["linker"]
    if not isinstance(linker, Linker):
        raise SnapshotError(f"{path}: holds no linker")
    if not isinstance(late, dict):
        raise SnapshotError(f"{path}: holds {type(late).__name__} after the linker")
    linker.attach(loader)
    return linker, payload["extra"] | late


_CODE = _code_version()
