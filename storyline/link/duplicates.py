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
    """Shingle sets in, ids of earlier near-duplicates out."""

    def __init__(self, threshold: float = 0.6, num_perm: int = 64) -> None:
        self.num_perm = num_perm
        self._lsh = MinHashLSH(threshold=threshold, num_perm=num_perm)
        self._seen: set[str] = set()

    def _minhash(self, shingles: Iterable[int]) -> MinHash:
        m = MinHash(num_perm=self.num_perm, seed=1)
        m.update_batch([struct.pack("<I", s & 0xFFFFFFFF) for s in shingles])
        return m

    def query(self, shingles: frozenset[int]) -> list[str]:
        """Ids already indexed whose shingle sets probably overlap ``shingles`` strongly."""
        if not shingles or not self._seen:
            return []
        return [str(k) for k in self._lsh.query(self._minhash(shingles))]

    def add(self, key: str, shingles: frozenset[int]) -> None:
        if shingles and key not in self._seen:
            self._lsh.insert(key, self._minhash(shingles))
            self._seen.add(key)

    def __len__(self) -> int:
        return len(self._seen)


def minhash_signature(shingles: Iterable[int], num_perm: int = 64) -> np.ndarray:
    """The raw MinHash signature (for callers that store or compare signatures themselves)."""
    m = MinHash(num_perm=num_perm, seed=1)
    m.update_batch([struct.pack("<I", s & 0xFFFFFFFF) for s in shingles])
    return np.asarray(m.hashvalues)
