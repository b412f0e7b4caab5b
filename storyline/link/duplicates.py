"""Near-duplicates: the certain case of "same event" (syndicated copies, re-posts, light edits).

MinHash over word 5-shingles with an LSH index finds them in sub-linear time, whatever the
vector index returns; the exact Jaccard on the shingle sets then confirms, so an LSH false
positive never links two articles by itself.
"""

from __future__ import annotations

import struct
from collections.abc import Iterable

import numpy as np
from datasketch import MinHash, MinHashLSH


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

    def _keys(self, signature: np.ndarray) -> list[int]:
        sig = np.ascontiguousarray(signature[: self.bands * self.rows], dtype="<u8")
        return [hash(band.tobytes()) for band in sig.reshape(self.bands, self.rows)]

    def query(self, shingles: frozenset[int]) -> list[str]:
        """Ids already indexed whose shingle sets probably overlap ``shingles`` strongly."""
        if not shingles or not self._seen:
            return []
        found: dict[str, None] = {}
        for table, key in zip(self._tables, self._keys(minhash_signature(shingles, self.num_perm)), strict=True):
            hit = table.get(key)
            if isinstance(hit, str):
                found[hit] = None
            elif hit:
                found.update(dict.fromkeys(hit))
        return list(found)

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


def minhash_signature(shingles: Iterable[int], num_perm: int = 64) -> np.ndarray:
    """The raw MinHash signature (for callers that store or compare signatures themselves)."""
    m = MinHash(num_perm=num_perm, seed=1)
    m.update_batch([struct.pack("<I", s & 0xFFFFFFFF) for s in shingles])
    return np.asarray(m.hashvalues)
