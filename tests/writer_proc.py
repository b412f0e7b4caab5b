"""One writer of the concurrent-writers test (``test_store``): ``python writer_proc.py DB INPUT``
runs the pipeline on INPUT into DB with a deterministic stand-in encoder (word hashes, the same in
every process), in small batches so that two such writers interleave."""

from __future__ import annotations

import sys
import zlib

import numpy as np

from storyline import Pipeline, Settings


class HashEncoder:
    name = "crc"
    dim = 384

    def encode(self, texts):  # type: ignore[no-untyped-def]
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        for i, t in enumerate(texts):
            for w in t.lower().split():
                out[i, zlib.crc32(w.encode()) % self.dim] += 1.0
            out[i] /= max(1e-9, float(np.linalg.norm(out[i])))
        return out


if __name__ == "__main__":
    db, src = sys.argv[1], sys.argv[2]
    s = Pipeline(Settings(db=db, batch_size=3), encoder=HashEncoder()).run([src])
    print(s.added, s.skipped, len(s.rejected))
