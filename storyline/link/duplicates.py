"""Near-duplicates: the certain case of "same event" (syndicated copies, re-posts, light edits).

MinHash over word 5-shingles with an LSH index finds them in sub-linear time, whatever the
vector index returns; the exact Jaccard on the shingle sets then confirms, so an LSH false
positive never links two articles by itself.
"""

from __future__ import annotations

import struct
import uuid
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

import numpy as np
from datasketch import MinHash, MinHashLSH

# A band's 64-bit key: its values times fixed odd multipliers, summed (mod 2**64) and mixed. Fixed,
# unlike Python's ``hash`` of bytes (salted per process), so keys saved to disk (``freeze``) match
# the keys a later process computes. ``_SALT`` tells the bands apart in one frozen array.
_MIX = np.random.default_rng(20).integers(1, 2**63, size=256, dtype=np.uint64) | np.uint64(1)
_SALT = np.random.default_rng(21).integers(1, 2**63, size=256, dtype=np.uint64)
BAND_TIERS = 8
"""``DuplicateIndex.freeze`` merges the new bands with every frozen band file holding less than
1/BAND_TIERS of all the frozen entries, so the files a query searches stay about BAND_TIERS however
often the linker was saved (each save used to add one and none was merged: the 1M cache's linker
searched 17 files per new article, 0.079 ms CPU against 0.005 for its largest alone), and a save
rewrites at most what is small next to the whole."""


class DuplicateIndex:
    """Shingle sets (or their MinHash signatures) in, ids of earlier near-duplicates out.

    Banded LSH over the signature: ``bands`` slices of ``rows`` hash values each, one table per
    band, and two articles are candidates when any band matches exactly. The band layout is
    datasketch's ``MinHashLSH`` optimum for ``threshold`` (so candidates are exactly the ones it
    returns); the tables are plain dicts because a restart re-indexes every stored signature, and
    datasketch's insert (byte-swapping and storage layers per band) took 16 s of a 45 s start-up
    at 100k stored articles. A band is filed under the 64-bit hash of its bytes, and a bucket
    holding one id is the id itself, not a list: most buckets hold one article, and bytes keys with
    one-item lists cost 2.2 KB per stored article (10 bands) against about 0.8 KB so; two
    different bands sharing a 64-bit hash would only add a candidate, which the exact Jaccard
    check then drops."""

    def __init__(self, threshold: float = 0.6, num_perm: int = 64) -> None:
        self.num_perm = num_perm
        lsh = MinHashLSH(threshold=threshold, num_perm=num_perm)  # only for its band layout
        self.bands, self.rows = int(lsh.b), int(lsh.r)
        self._tables: list[dict[int, str | list[str]]] = [{} for _ in range(self.bands)]
        self._seen: set[str] = set()
        # Bands saved to disk (``freeze``): per part, band keys (salted per band) sorted, and the
        # position in ``names`` of the article each belongs to, both memory-mapped.
        self._frozen: list[_Frozen] = []
        self.names: Sequence[str] = ()

    def _hashes_many(self, signatures: np.ndarray) -> np.ndarray:
        """The band keys of signatures (rows), unsalted: (rows, bands) ``uint64``."""
        sig = np.ascontiguousarray(signatures[:, : self.bands * self.rows], dtype="<u8")
        sig = sig.reshape(len(sig), self.bands, self.rows)
        with np.errstate(over="ignore"):
            h = (sig * _MIX[: self.rows]).sum(axis=2, dtype=np.uint64)
            h ^= h >> np.uint64(29)
            h *= np.uint64(0xBF58476D1CE4E5B9)
            h ^= h >> np.uint64(32)
        return h

    def _hashes(self, signature: np.ndarray) -> np.ndarray:
        return self._hashes_many(signature[None, :])[0]

    def salted_many(self, signatures: np.ndarray) -> np.ndarray:
        """The band keys of many signatures (rows) at once, salted per band as ``freeze`` files
        them: ``_hashes`` of each row, ``^ _SALT``; (rows, bands) ``uint64``."""
        return self._hashes_many(signatures) ^ _SALT[: self.bands]

    def _keys(self, signature: np.ndarray) -> list[int]:
        return list(self._hashes(signature).tolist())

    def query(self, shingles: frozenset[int]) -> list[str]:
        """Ids already indexed whose shingle sets probably overlap ``shingles`` strongly."""
        if not shingles or not self._seen:
            return []
        found: dict[str, None] = {}
        hashes = self._hashes(minhash_signature(shingles, self.num_perm))
        if self._frozen:
            salted = hashes ^ _SALT[: self.bands]
            for part in self._frozen:
                found.update(dict.fromkeys(self.names[p] for p in part.find(salted)))
        for table, key in zip(self._tables, hashes.tolist(), strict=True):
            hit = table.get(key)
            if isinstance(hit, str):
                found[hit] = None
            elif hit:
                found.update(dict.fromkeys(hit))
        return list(found)

    def freeze(self, directory: Path, position: dict[str, int]) -> None:
        """Move the bands held in memory to a file in ``directory`` (``position``: article id ->
        its position in ``names``), memory-mapped from then on: a million stored articles' bands
        cost their file, not 0.9 KB of dicts each. The frozen files that are small next to the
        whole (``BAND_TIERS``) are merged into it; the files they were in are left for
        ``snapshot.save`` to remove once the new snapshot names the new one."""
        hk: list[np.ndarray] = []
        pos: list[np.ndarray] = []
        for b, table in enumerate(self._tables):
            if not table:
                continue
            keys, ids = [], []
            for key, hit in table.items():
                for aid in (hit,) if isinstance(hit, str) else hit:
                    keys.append(key)
                    ids.append(position[aid])
            hk.append(np.asarray(keys, dtype=np.uint64) ^ _SALT[b])
            pos.append(np.asarray(ids, dtype=np.uint32))
        if not hk:
            return
        k, p = np.concatenate(hk), np.concatenate(pos).astype(np.uint64)
        total = len(k) + sum(f.data.shape[1] for f in self._frozen)
        small = [f for f in self._frozen if f.data.shape[1] * BAND_TIERS < total]
        if small:  # merged with the new bands: the same (key, position) pairs, in one sorted file
            k = np.concatenate([k, *(np.asarray(f.data[0]) for f in small)])
            p = np.concatenate([p, *(np.asarray(f.data[1]) for f in small)])
        merged = {id(f) for f in small}
        self._frozen = [f for f in self._frozen if id(f) not in merged] + [_Frozen.write(directory, k, p)]
        self._tables = [{} for _ in range(self.bands)]

    def add_frozen(self, directory: Path, keys: np.ndarray, positions: np.ndarray) -> None:
        """Band keys already salted (``salted_many``) and the positions of their articles, as a
        frozen part in ``directory``, as ``freeze`` files them (a restore in bounded memory)."""
        self._frozen.append(_Frozen.write(directory, keys, positions))

    def files(self) -> list[Path]:
        """The files of the frozen bands (a snapshot keeps them)."""
        return [f.path for f in self._frozen]

    def add(self, key: str, shingles: frozenset[int]) -> None:
        if shingles:
            self.add_signature(key, minhash_signature(shingles, self.num_perm))

    def add_signature(self, key: str, signature: np.ndarray) -> None:
        """``add`` from a stored signature (``minhash_signature``), without the shingles."""
        if key in self._seen:
            return
        for table, band in zip(self._tables, self._keys(signature), strict=True):
            hit = table.get(band)
            if hit is None:
                table[band] = key
            elif isinstance(hit, str):
                table[band] = [hit, key]
            else:
                hit.append(key)
        self._seen.add(key)

    def __len__(self) -> int:
        return len(self._seen)


class _Frozen:
    """One frozen part of the bands: row 0 the salted band keys, sorted; row 1 the article
    positions. Memory-mapped, so a lookup reads the few pages a binary search touches."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._open()

    @classmethod
    def write(cls, directory: Path, keys: np.ndarray, positions: np.ndarray) -> _Frozen:
        """Salted band keys and their article positions, sorted by key (stably), to a new file."""
        order = np.argsort(keys, kind="stable")
        path = directory / f"bands-{uuid.uuid4().hex}.npy"
        np.save(path, np.stack([keys[order], positions[order]]))
        return cls(path)

    def _open(self) -> None:
        try:
            self.data = np.load(self.path, mmap_mode="r")
        except (OSError, ValueError) as e:
            raise ValueError(f"{self.path}: unreadable near-duplicate bands ({e})") from e
        if self.data.ndim != 2 or self.data.shape[0] != 2 or self.data.dtype != np.uint64:
            raise ValueError(f"{self.path}: not a near-duplicate band file (shape {self.data.shape})")

    def find(self, salted: np.ndarray) -> list[int]:
        keys = self.data[0]
        lo = np.searchsorted(keys, salted, side="left")
        hi = np.searchsorted(keys, salted, side="right")
        out: list[int] = []
        for a, b in zip(lo.tolist(), hi.tolist(), strict=True):
            if b > a:
                out.extend(self.data[1, a:b].tolist())
        return out

    def __getstate__(self) -> dict[str, Any]:
        return {"path": self.path}

    def __setstate__(self, st: dict[str, Any]) -> None:
        self.path = st["path"]
        self._open()


def minhash_signature(shingles: Iterable[int], num_perm: int = 64) -> np.ndarray:
    """The raw MinHash signature (for callers that store or compare signatures themselves)."""
    m = MinHash(num_perm=num_perm, seed=1)
    m.update_batch([struct.pack("<I", s & 0xFFFFFFFF) for s in shingles])
    return np.asarray(m.hashvalues)
