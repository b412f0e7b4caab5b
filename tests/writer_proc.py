"""One writer of the concurrent-writers test (``test_store``): ``python writer_proc.py DB INPUT``
runs the pipeline on INPUT into DB with a deterministic stand-in encoder (word hashes, the same in
every process), in small batches so that two such writers interleave."""

from __future__ import annotations

import sys

from hash_encoder import HashEncoder  # beside this script, so on its path

from storyline import Pipeline, Settings

if __name__ == "__main__":
    db, src = sys.argv[1], sys.argv[2]
    s = Pipeline(Settings(db=db, batch_size=3), encoder=HashEncoder()).run([src])
    print(s.added, s.skipped, len(s.rejected))
