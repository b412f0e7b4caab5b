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

The snapshot names its files by their names alone, read back from the directory it is loaded
from: a cache directory moved, copied, restored from a backup or reached through a symlink or
another mount point loads as it is (``_Pickler``, ``_Unpickler``). Snapshots of earlier formats
(format 2 named files by absolute path; 2 and 3 summed a city's country into the storyline
layer's entity keys) are not read: the linker is restored from the store and saved anew.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import inspect
import itertools
import os
import pickle
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path, PurePath
from typing import Any

from storyline.link import Linker
from storyline.link.events import drop_mapped_pages
from storyline.link.state import Loader

FORMAT = 4
# Older formats this code still reads: none. 4: the storyline layer's entity sums no longer count a
# city's country (``similarity.storyline_entities``), so a format-3 snapshot's sums mean something
# else and a linker restored from it would score storylines by the old rule; it is rebuilt from the
# store instead. A FORMAT bump for a layout change the hashed sources do not show must empty this.
READS: tuple[int, ...] = ()
STATE = "state.pkl"
LOCK = "lock"
# A value of ``save``'s ``late`` that is a tuple of dicts (the outlets' recent pages: lines, titles)
# is pickled in parts of this many keys of each dict, each part a pickle of its own after a head
# that names them (``_dump_late``). Why: one pickle of all of it made the pickler's memo hold every
# line and tuple of 51,000 pages at once, the save's top at a million stored (+164-278 MB over the
# pages themselves; 3,010 MB in all at 1.05M stored, docs/scale.md, session 20); a part's memo is
# freed with its pickler. A reader before session 20 reads the head alone: a dict without the
# pages, which it then reads from the store, as for a snapshot saved without them.
LATE_PART = 8
LATE_PARTS = "late_parts"


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


class _Pickler(pickle.Pickler):
    """Pickles each of the snapshot's own files (``names``: its path -> its name) as ``_file``
    of its name, to be found in the directory the snapshot is read from. ``reducer_override``,
    not ``persistent_id``: it is not called for the str, int, tuple and dict objects a million
    articles' state is made of (``persistent_id`` was, +0.5 s CPU per 5M objects)."""

    def __init__(self, fh: Any, names: dict[Path, str]) -> None:
        super().__init__(fh, protocol=pickle.HIGHEST_PROTOCOL)
        self._names = names

    def reducer_override(self, obj: Any) -> Any:
        if isinstance(obj, PurePath) and obj in self._names:
            return _file, (self._names[obj],)
        return NotImplemented


def _file(name: str) -> Path:
    """Stands in a snapshot for one of its files; ``_Unpickler`` resolves it instead."""
    raise SnapshotError(f"{name}: a snapshot's file, read outside snapshot.load")


class _Unpickler(pickle.Unpickler):
    """Reads ``_file`` names from ``directory``, the one the snapshot is read from: the files'
    names are unique (a uuid each) and never rewritten, so that is the same file, moved, copied
    or reached through another path."""

    def __init__(self, fh: Any, directory: Path) -> None:
        super().__init__(fh)
        self._directory = directory

    def find_class(self, module: str, name: str) -> Any:
        if module == __name__ and name == "_file":
            return self._file
        return super().find_class(module, name)

    def _file(self, name: str) -> Path:
        return self._directory / name


def _own(files: list[Path], directory: Path) -> dict[Path, str]:
    """Each of ``files`` by its name in ``directory``: one frozen into another directory (a
    linker loaded from one cache directory and saved to another, or restored from the store into
    a directory of its own: ``Linker.restore``) is linked in first (copied where a hard link cannot
    be made), so that a snapshot names only files of its own directory."""
    for f in files:
        here = directory / f.name
        if not here.exists():
            tmp = directory / f"{f.name}.{os.getpid()}.tmp"
            try:
                os.link(f, tmp)
            except OSError:
                shutil.copyfile(f, tmp)
            os.replace(tmp, here)
    return {f: f.name for f in files}


def code_version() -> str:
    """Changes whenever what is pickled may be laid out differently: the source of the
    ``__init__`` (where attributes are made) and the pickling hooks of every class a snapshot
    holds, and ``FORMAT`` (bump it for a change they do not show). Other methods may change: the
    state they work on is the same. Worked out once, when this module is imported: ``inspect``
    reads source files when asked, so a process asking after the files were replaced (an
    upgrade under a long run) would hash lines of the new files at the old code's places."""
    return _CODE


def _code_version(form: int = FORMAT) -> str:
    from storyline.link import duplicates, events, keys, state, storylines

    h = hashlib.sha1(f"snapshot {form}".encode())
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
    same file (``load`` puts it back into ``extra``), its tuples of dicts in parts (``_dump_late``,
    which empties them). At a million stored the outlets' recent pages
    are ~520 MB read from the store: read first, they were held through the freezing and the
    pickling, whose own peaks (the key table's sort, the pickler's memo of millions of objects)
    came on top, 3.2-3.5 GB in all. An older ``load`` reads the first object only, and a
    snapshot without the second one loads without it."""
    directory.mkdir(parents=True, exist_ok=True)
    with _locked(directory, exclusive=True):
        # Only a save writes ``*.tmp`` files, and saves hold this lock: any found now is what a
        # killed save left (up to a segment's ~400 MB each), so it goes before this save writes.
        for p in directory.glob("*.tmp"):
            p.unlink(missing_ok=True)
        # The segment pages a running linker keeps mapped (``SEGMENT_PAGES_KEPT``) would count
        # under every stage of the save (the key table's and the postings' freezes).
        linker._events.drop_pages()
        linker.freeze(directory)
        _share(linker, extra)
        names = _own(linker.files(), directory)
        loader = linker.detach()
        try:
            payload = {"code": code_version(), "linker": linker, "extra": extra}
            tmp = directory / f"{STATE}.{os.getpid()}.tmp"
            with open(tmp, "wb") as fh:
                _Pickler(fh, names).dump(payload)
                del payload
                if late is not None:  # plain data (pages), no file names in it
                    # Its top (the pages read again and pickled, ~0.7 GB at a million) would
                    # otherwise come on top of what the freeze and pickling touched of the files.
                    drop_mapped_pages(directory)
                    _dump_late(fh, late())
            os.replace(tmp, directory / STATE)
        finally:
            linker.attach(loader)
        # Files the new snapshot does not name (an older one's) go; a process still reading them
        # keeps its mapping (an unlinked file lives on while mapped). By name, as the snapshot
        # names them: a file is kept whichever path the linker reached it by.
        keep = set(names.values()) | {STATE, LOCK}
        for p in directory.iterdir():
            if p.name not in keep and not p.name.endswith(".tmp"):
                p.unlink(missing_ok=True)


def _dump_late(fh: Any, late: dict[str, Any]) -> None:
    """``late`` after the linker: a head (``late`` less its tuples of dicts, and ``LATE_PARTS``: per
    such key, how many parts follow and how many dicts each holds), then each tuple of dicts in
    parts of ``LATE_PART`` keys of each dict, in each dict's own order, one pickle a part.

    The dicts are emptied as their parts are written (``late`` is made for the save: the pages read
    again from the store), so what a part's pickling adds goes with the part. That is most of it:
    pickling a str keeps its UTF-8 form on the str (CPython caches it), and the pages' lines are
    mostly not ASCII, so one pickle of them all held a UTF-8 copy of every line until the end
    (+164 MB for the pages of the 1M store pickled alone, the same in parts while they are kept)."""
    split = {k: v for k, v in late.items()
             if isinstance(v, tuple) and v and all(type(d) is dict for d in v)}
    parts = {k: (max(1, -(-max(len(d) for d in v) // LATE_PART)), len(v)) for k, v in split.items()}
    head = {k: v for k, v in late.items() if k not in split}
    if parts:
        head[LATE_PARTS] = parts
    pickle.dump(head, fh, protocol=pickle.HIGHEST_PROTOCOL)
    for k, (n, _) in parts.items():
        for _ in range(n):
            part = tuple({key: d.pop(key) for key in list(itertools.islice(d, LATE_PART))} for d in split[k])
            pickle.dump(part, fh, protocol=pickle.HIGHEST_PROTOCOL)
            del part


def _load_late(fh: Any) -> Any:
    """What ``_dump_late`` wrote (or, from a save before session 20, one pickle of ``late``)."""
    late = pickle.load(fh)
    if not isinstance(late, dict) or LATE_PARTS not in late:
        return late
    parts = late.pop(LATE_PARTS)
    for k, (n, width) in parts.items():
        whole: list[dict[Any, Any]] = [{} for _ in range(width)]
        for _ in range(n):
            part = pickle.load(fh)
            if not isinstance(part, tuple) or len(part) != width:
                raise ValueError(f"a part of {k!r} holds {type(part).__name__}, not {width} dicts")
            for d, p in zip(whole, part, strict=True):
                d.update(p)
        late[k] = tuple(whole)
    return late


def load(directory: Path, loader: Loader) -> tuple[Linker, dict[str, Any]]:
    """The linker ``save`` wrote to ``directory``, reading features through ``loader``."""
    path = directory / STATE
    try:
        with _locked(directory, exclusive=False), open(path, "rb") as fh:
            payload = _Unpickler(fh, directory).load()  # our own cache file, written by ``save``
            try:
                late = _load_late(fh)  # what ``save`` was given as ``late``, if anything
            except EOFError:
                late = {}
    except FileNotFoundError as e:
        raise SnapshotError(f"{path}: no snapshot") from e
    except ValueError as e:  # a frozen file named in it is missing or unreadable
        raise SnapshotError(str(e)) from e
    except Exception as e:  # truncated or foreign bytes raise anything from unpickling
        raise SnapshotError(f"{path}: unreadable snapshot ({type(e).__name__}: {e})") from e
    if not isinstance(payload, dict) or payload.get("code") not in _READABLE:
        raise SnapshotError(f"{path}: written by other code of storyline.link")
    linker = payload["linker"]
    if not isinstance(linker, Linker):
        raise SnapshotError(f"{path}: holds no linker")
    if not isinstance(late, dict):
        raise SnapshotError(f"{path}: holds {type(late).__name__} after the linker")
    linker.attach(loader)
    return linker, payload["extra"] | late


_CODE = _code_version()
_READABLE = {_CODE, *(_code_version(f) for f in READS)}
