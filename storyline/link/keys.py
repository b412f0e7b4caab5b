"""Entity keys as numbers, and the postings from key to storyline, in arrays.

The storyline layer sums entity keys per storyline and looks storylines up by key. Held as Python
strings, dicts and sets that cost ~2.3 KB of heap per stored article (a million stored articles
name ~6 million distinct keys), and unpickling those objects was most of a start-up from a
snapshot. Here every distinct key gets one integer (``KeyTable``, in first-seen order), a
storyline's sums become sorted arrays of key number and value (``storylines._Group``), and the
postings a CSR pair of arrays (``Postings``) with a small mutable overlay for what changed since
they were last compacted. Both freeze into ``.npy`` files that a snapshot memory-maps.

Exact: a key's number is found by a 64-bit hash and then confirmed against the key's own bytes
(kept in the frozen table), so two keys never share a number, whatever the hash does.
"""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path
from typing import Any

import numpy as np

from storyline.link.similarity import storyline_entities


def _hash(key: bytes) -> int:
    """A stable (across processes, unlike ``hash``) 64-bit hash of a key's bytes."""
    return int.from_bytes(hashlib.blake2b(key, digest_size=8).digest(), "little")


def _load(path: Path, what: str) -> np.ndarray:
    try:
        return np.load(path, mmap_mode="r")
    except (OSError, ValueError) as e:
        raise ValueError(f"{path}: unreadable {what} ({e})") from e


_CHUNK = 1 << 20


def _data_start(fh: Any) -> tuple[bool, int]:
    """Of an open ``.npy`` file: whether it is in Fortran order, and where its data starts."""
    version = np.lib.format.read_magic(fh)
    read = np.lib.format.read_array_header_1_0 if version == (1, 0) else np.lib.format.read_array_header_2_0
    fortran = bool(read(fh)[1])
    return fortran, fh.tell()


def _write(directory: Path, stem: str, dtype: np.dtype[Any], shape: tuple[int, ...],
           chunks: Iterable[np.ndarray], fortran: bool = False) -> Path:
    """An ``.npy`` file of ``shape`` written from ``chunks`` (the array's items in file order),
    without the whole array in memory."""
    path = directory / f"{stem}-{uuid.uuid4().hex}.npy"
    written = 0
    with open(path, "wb") as fh:
        np.lib.format.write_array_header_1_0(
            fh, {"descr": np.lib.format.dtype_to_descr(dtype), "fortran_order": fortran, "shape": shape})
        for c in chunks:
            c = np.ascontiguousarray(c, dtype=dtype)
            fh.write(c.data)
            written += c.size
    if written != int(np.prod(shape)):
        path.unlink()
        raise ValueError(f"{path}: {written} items written, {int(np.prod(shape))} expected")
    return path


def _save(directory: Path, stem: str, a: np.ndarray) -> Path:
    path = directory / f"{stem}-{uuid.uuid4().hex}.npy"
    np.save(path, a)
    return path


class KeyTable:
    """Entity key -> its number (0, 1, 2, ... in first-seen order), exactly.

    Keys numbered since the last ``freeze`` are in a dict; frozen ones in three arrays: the keys'
    hashes sorted with their numbers beside them, and the keys' bytes by number (offsets and one
    blob), memory-mapped once frozen to files, so a million stored articles' keys cost disk."""

    def __init__(self) -> None:
        self._new: dict[str, int] = {}
        self._count = 0
        self._table = np.zeros((2, 0), dtype=np.uint64)  # [hash, number], sorted by hash
        self._offsets = np.zeros(1, dtype=np.int64)  # key number -> start of its bytes in _blob
        self._blob = np.zeros(0, dtype=np.uint8)
        self._paths: list[Path] = []

    def __len__(self) -> int:
        return self._count

    def __getstate__(self) -> dict[str, Any]:
        st = dict(self.__dict__)
        if self._paths:  # the frozen arrays are in their files
            del st["_table"], st["_offsets"], st["_blob"]
        return st

    def __setstate__(self, st: dict[str, Any]) -> None:
        self.__dict__.update(st)
        if "_table" not in st:
            table, offsets, blob = self._paths
            self._table = _load(table, "entity key table")
            self._offsets = _load(offsets, "entity key offsets")
            self._blob = _load(blob, "entity key names")
            if self._table.ndim != 2 or self._table.shape[0] != 2 or len(self._offsets) != self._table.shape[1] + 1:
                raise ValueError(f"{table}: not an entity key table (shape {self._table.shape})")

    def _frozen(self, keys: list[str]) -> list[int | None]:
        """The frozen numbers of ``keys`` (None: not frozen)."""
        out: list[int | None] = [None] * len(keys)
        hashes, nums = self._table[0], self._table[1]
        if not len(hashes):
            return out
        raw = [k.encode() for k in keys]
        hs = np.fromiter((_hash(b) for b in raw), dtype=np.uint64, count=len(raw))
        pos = np.searchsorted(hashes, hs).tolist()
        offsets, blob, size = self._offsets, self._blob, len(hashes)
        for i, (b, h) in enumerate(zip(raw, hs.tolist(), strict=True)):
            j = pos[i]
            while j < size and int(hashes[j]) == h:
                n = int(nums[j])
                if blob[offsets[n] : offsets[n + 1]].tobytes() == b:
                    out[i] = n
                    break
                j += 1
        return out

    def look_up(self, keys: Iterable[str]) -> dict[str, int | None]:
        """The frozen numbers of those of ``keys`` not numbered since the last freeze (None: not
        frozen), found together: one hash search of the frozen table for all of them. For
        ``numbers``'s ``known``, while nothing is frozen in between (``Linker.add`` looks up the
        keys of the next articles it links; only ``freeze`` changes the frozen table)."""
        new = self._new
        if not self._table.shape[1]:
            return {}
        todo = sorted({k for k in keys if k not in new})
        return dict(zip(todo, self._frozen(todo), strict=True))

    def numbers(self, keys: list[str], known: Mapping[str, int | None] | None = None) -> list[int]:
        """The numbers of ``keys``, numbering the new ones (in the order given). ``known``: the
        frozen numbers of keys looked up before (``look_up``), so they are not searched again."""
        new = self._new
        out = [new.get(k, -1) for k in keys]
        missing = [i for i, n in enumerate(out) if n < 0]
        if missing:
            if known is not None and all(keys[i] in known for i in missing):
                found = [known[keys[i]] for i in missing]
            else:
                found = self._frozen([keys[i] for i in missing])
            for i, n in zip(missing, found, strict=True):
                if n is None:
                    n = new.get(keys[i])  # a key given twice
                    if n is None:
                        n = new[keys[i]] = self._count
                        self._count += 1
                out[i] = n
        return out

    def vector(
        self, entities: frozenset[str], known: Mapping[str, int | None] | None = None
    ) -> tuple[list[int], float]:
        """An article's entity keys as the storyline layer sums them (``storyline_entities``: a
        unit vector, every key the same weight): their numbers, ascending, and that weight. New
        keys are numbered in string order, so numbers follow arrival order whatever the
        process's string hashing. ``known``: as for ``numbers``."""
        d = storyline_entities(entities)
        if not d:
            return [], 0.0
        w = next(iter(d.values()))
        return sorted(self.numbers(sorted(d), known)), w

    def freeze(self, directory: Path) -> None:
        """Move the keys numbered since the last freeze into the frozen arrays, written to
        ``directory`` and memory-mapped from then on.

        The new files are written a chunk at a time (``_write``): the frozen part is read from its
        files in chunks, not through its memory maps, and the new keys' hashes are merged into the
        sorted table, not sorted with it again. The arrays are the ones saving them whole gave (the
        old table and the new keys sorted stably by hash, in the Fortran order that sort left; the
        offsets and names with the new ones after), and so are the numbers; what changes is memory: at a million
        stored (~7 million keys, ~290 MB of arrays) writing them whole held a copy of each array,
        the sort's order and the mapped pages of the old files at once, +600-700 MB at the top of
        every save (docs/scale.md, session 18)."""
        names = list(self._new)  # in number order: numbered one after another since the last freeze
        raw = [k.encode() for k in names]
        lengths = np.fromiter((len(b) for b in raw), dtype=np.int64, count=len(raw))
        first = self._count - len(names)
        hs = np.fromiter((_hash(b) for b in raw), dtype=np.uint64, count=len(raw))
        order = np.argsort(hs, kind="stable")
        new_h, new_n = hs[order], np.arange(first, self._count, dtype=np.uint64)[order]
        old = self._table.shape[1]
        # After the frozen keys of equal hash, as a stable sort of old and new together puts them.
        at = np.searchsorted(self._table[0], new_h, side="right")
        directory.mkdir(parents=True, exist_ok=True)
        src: list[Path | None] = [*self._paths] or [None, None, None]

        def table() -> Iterator[np.ndarray]:  # (hash, number) pairs: the (2, n) table in Fortran order
            pairs = np.stack([new_h, new_n], axis=1)
            for a in range(0, max(old, 1), _CHUNK):
                b = min(a + _CHUNK, old)
                chunk = self._pairs(src[0], a, b)
                lo = int(np.searchsorted(at, a, side="left"))
                hi = len(at) if b >= old else int(np.searchsorted(at, b, side="left"))
                yield np.insert(chunk, at[lo:hi] - a, pairs[lo:hi], axis=0) if hi > lo else chunk

        def offsets() -> Iterator[np.ndarray]:
            n = len(self._offsets)
            for a in range(0, n, _CHUNK):
                yield self._read(src[1], self._offsets, a, min(_CHUNK, n - a))
            yield int(self._offsets[-1]) + np.cumsum(lengths)

        def blob() -> Iterator[np.ndarray]:
            n = len(self._blob)
            for a in range(0, n, 8 * _CHUNK):
                yield self._read(src[2], self._blob, a, min(8 * _CHUNK, n - a))
            yield np.frombuffer(b"".join(raw), dtype=np.uint8)

        self._paths = [_write(directory, "keys", np.dtype(np.uint64), (2, old + len(names)), table(), fortran=True),
                       _write(directory, "keyoffsets", np.dtype(np.int64), (len(self._offsets) + len(names),),
                              offsets()),
                       _write(directory, "keynames", np.dtype(np.uint8), (len(self._blob) + int(lengths.sum()),),
                              blob())]
        self._new = {}
        self.__setstate__(self.__getstate__())  # map the files just written

    def _pairs(self, path: Path | None, a: int, b: int) -> np.ndarray:
        """Columns ``a:b`` of the frozen table as (hash, number) rows: from its file when it has
        one (plain reads, in either order the file was written), else from memory."""
        if path is None or b <= a:
            return np.stack([self._table[0, a:b], self._table[1, a:b]], axis=1).astype(np.uint64)
        n = self._table.shape[1]
        with open(path, "rb") as fh:
            fortran, data = _data_start(fh)
            if fortran:  # pairs side by side
                fh.seek(data + 2 * a * 8)
                return np.fromfile(fh, dtype=np.uint64, count=2 * (b - a)).reshape(-1, 2)
            rows = []
            for r in (0, 1):
                fh.seek(data + (r * n + a) * 8)
                rows.append(np.fromfile(fh, dtype=np.uint64, count=b - a))
        return np.stack(rows, axis=1)

    @staticmethod
    def _read(path: Path | None, a: np.ndarray, start: int, count: int) -> np.ndarray:
        """``count`` items of the frozen 1-D array ``a`` from ``start``: from its file when it has
        one (plain reads: its pages go to the page cache, not into this process), else from memory."""
        if path is None:
            return np.asarray(a[start : start + count])
        with open(path, "rb") as fh:
            fh.seek(_data_start(fh)[1] + start * a.dtype.itemsize)
            return np.fromfile(fh, dtype=a.dtype, count=count)

    def files(self) -> list[Path]:
        return list(self._paths)


_NONE = np.zeros(0, dtype=np.int32)


class Postings:
    """Entity key number -> the rows (storylines, ``storylines._Candidates``) naming it, and row
    -> its keys.

    Frozen part: a CSR pair by key (``_ptr``, ``_rows``) and its transpose by row (``_kptr``,
    ``_keys``, each row's keys sorted), memory-mapped once saved. Overlay: the whole current
    posting of each key changed since (``_over``), the keys each row gained since (``_added``),
    and the rows whose frozen keys no longer hold (``_dead``: dropped, maybe reused). ``compact``
    folds the overlay in; it runs by itself when the overlay outgrows ``COMPACT`` keys or half
    the frozen ones, so the overlay stays small and compaction costs amortise."""

    COMPACT = 1 << 16

    def __init__(self) -> None:
        self._ptr = np.zeros(1, dtype=np.int64)
        self._rows = _NONE
        self._kptr = np.zeros(1, dtype=np.int64)
        self._keys = _NONE
        self._over: dict[int, set[int]] = {}
        self._added: dict[int, set[int]] = {}
        self._dead: set[int] = set()
        self._paths: list[Path] = []

    def __getstate__(self) -> dict[str, Any]:
        st = dict(self.__dict__)
        if self._paths:
            for name in ("_ptr", "_rows", "_kptr", "_keys"):
                del st[name]
        return st

    def __setstate__(self, st: dict[str, Any]) -> None:
        self.__dict__.update(st)
        if "_ptr" not in st:
            ptr, rows, kptr, keys = self._paths
            self._ptr, self._rows = _load(ptr, "postings"), _load(rows, "postings")
            self._kptr, self._keys = _load(kptr, "postings"), _load(keys, "postings")
            if self._ptr[-1] != len(self._rows) or self._kptr[-1] != len(self._keys):
                raise ValueError(f"{ptr}: postings that do not match their offsets")

    def count(self, key: int) -> int:
        s = self._over.get(key)
        if s is not None:
            return len(s)
        if key + 1 < len(self._ptr):
            return int(self._ptr[key + 1] - self._ptr[key])
        return 0

    def rows(self, key: int) -> list[int]:
        s = self._over.get(key)
        if s is not None:
            return list(s)
        if key + 1 < len(self._ptr):
            return self._rows[self._ptr[key] : self._ptr[key + 1]].tolist()
        return []

    def _frozen_keys(self, row: int) -> np.ndarray:
        if row in self._dead or row + 1 >= len(self._kptr):
            return _NONE
        return self._keys[self._kptr[row] : self._kptr[row + 1]]

    def has(self, row: int, key: int) -> bool:
        added = self._added.get(row)
        if added is not None and key in added:
            return True
        keys = self._frozen_keys(row)
        if not len(keys):
            return False
        i = int(np.searchsorted(keys, key))
        return i < len(keys) and int(keys[i]) == key

    def _own(self, key: int) -> set[int]:
        s = self._over.get(key)
        if s is None:
            s = self._over[key] = set(self.rows(key))
        return s

    def add(self, key: int, row: int) -> None:
        self._own(key).add(row)
        added = self._added.get(row)
        if added is None:
            added = self._added[row] = set()
        added.add(key)

    def add_missing(self, row: int, keys: Iterable[int]) -> None:
        """``add(key, row)`` for each of ``keys`` that ``has(row, key)`` denies, with the row's
        frozen keys searched once for all of them (``_Candidates.flush`` brings in a storyline's
        new keys at once: after a catch-up, tens of thousands). The same postings as the loop
        ``if not has(row, key): add(key, row)``: each key is checked against the row's keys as
        they were before any of them was added, and no key is given twice (a set)."""
        added = self._added.get(row)
        todo = [k for k in keys if added is None or k not in added]
        frozen = self._frozen_keys(row)
        if todo and len(frozen):
            want = np.asarray(todo, dtype=np.int64)
            pos = np.minimum(np.searchsorted(frozen, want), len(frozen) - 1)
            todo = want[np.asarray(frozen[pos]) != want].tolist()
        if not todo:
            return
        over = self._over
        frozen_keys = len(self._ptr) - 1  # keys numbered later have no frozen posting
        for key in todo:  # ``add``, inlined: after a catch-up this runs for tens of thousands of keys
            s = over.get(key)
            if s is None:
                s = over[key] = set(self.rows(key)) if key < frozen_keys else set()
            s.add(row)
        if added is None:
            added = self._added[row] = set()
        added.update(todo)

    def keys_of(self, row: int) -> list[int]:
        return self._frozen_keys(row).tolist() + list(self._added.get(row, ()))

    def drop(self, row: int) -> None:
        """A row whose storyline is gone: out of every posting."""
        for key in self.keys_of(row):
            self._own(key).discard(row)
        self._added.pop(row, None)
        self._dead.add(row)

    def tidy(self) -> None:
        if len(self._over) > max(self.COMPACT, (len(self._ptr) - 1) // 2):
            self.compact()

    def compact(self, directory: Path | None = None) -> None:
        """Fold the overlay into the frozen arrays (written to ``directory`` and memory-mapped,
        or kept in memory)."""
        nk = len(self._ptr) - 1
        fkeys = np.repeat(np.arange(nk, dtype=np.int32), np.diff(self._ptr))
        frows = np.asarray(self._rows, dtype=np.int32)
        if self._over:
            changed = np.fromiter(self._over, dtype=np.int32, count=len(self._over))
            keep = ~np.isin(fkeys, changed)
            fkeys, frows = fkeys[keep], frows[keep]
            n = sum(len(s) for s in self._over.values())
            okeys = np.empty(n, dtype=np.int32)
            orows = np.empty(n, dtype=np.int32)
            i = 0
            for key, s in self._over.items():
                okeys[i : i + len(s)] = key
                orows[i : i + len(s)] = list(s)
                i += len(s)
            fkeys, frows = np.concatenate([fkeys, okeys]), np.concatenate([frows, orows])
        by_key = np.lexsort((frows, fkeys))
        nkeys = int(fkeys.max()) + 1 if len(fkeys) else 0
        ptr = np.concatenate([[0], np.cumsum(np.bincount(fkeys, minlength=nkeys))]).astype(np.int64)
        rows = frows[by_key]
        by_row = np.lexsort((fkeys, frows))
        nrows = int(frows.max()) + 1 if len(frows) else 0
        kptr = np.concatenate([[0], np.cumsum(np.bincount(frows, minlength=nrows))]).astype(np.int64)
        keys = fkeys[by_row]
        self._over, self._added, self._dead = {}, {}, set()
        if directory is None:
            self._ptr, self._rows, self._kptr, self._keys, self._paths = ptr, rows, kptr, keys, []
            return
        directory.mkdir(parents=True, exist_ok=True)
        self._paths = [_save(directory, "postptr", ptr), _save(directory, "postrows", rows),
                       _save(directory, "postkptr", kptr), _save(directory, "postkeys", keys)]
        self.__setstate__(self.__getstate__())

    def files(self) -> list[Path]:
        return list(self._paths)

    def snapshot(self) -> dict[int, list[int]]:
        """Every key's rows (tests)."""
        nk = max(len(self._ptr) - 1, max(self._over, default=-1) + 1)
        out = {k: sorted(self.rows(k)) for k in range(nk)}
        return {k: v for k, v in out.items() if v}
