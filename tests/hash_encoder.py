"""A deterministic stand-in for the e5 encoder, for tests about the shells (server, readers,
abuse) rather than about linking: word-hash vectors, fast and the same on every machine."""

from __future__ import annotations

import zlib
from typing import Any

import numpy as np

TEXT = ("Ankara and Moscow agreed on Tuesday to extend the grain corridor for another sixty days, "
        "officials in both capitals said, after talks that lasted into the night.")


class HashEncoder:
    name = "hash"
    dim = 384

    def encode(self, texts: Any) -> Any:
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        for i, t in enumerate(texts):
            for w in t.lower().split():
                out[i, zlib.crc32(w.encode()) % self.dim] += 1.0
            out[i] /= max(1e-9, float(np.linalg.norm(out[i])))
        return out
