"""One run of the cross-process repost test (``test_vectors``): ``python repost_proc.py DB INPUT
CHARS`` runs the pipeline on INPUT into DB, in its own process (so nothing is remembered from an
earlier run but what the store holds), with the deterministic stand-in encoder reading CHARS
characters, and prints how many texts the encoder was handed and how many were added."""

from __future__ import annotations

import sys
from collections.abc import Sequence
from typing import Any

from hash_encoder import HashEncoder  # beside this script, so on its path

from storyline import Pipeline, Settings


class Counting(HashEncoder):
    def __init__(self, max_chars: int) -> None:
        self.max_chars = max_chars
        self.texts = 0

    def encode(self, texts: Sequence[str]) -> Any:
        self.texts += len(texts)
        return super().encode([t[: self.max_chars] for t in texts])


if __name__ == "__main__":
    db, src, chars = sys.argv[1], sys.argv[2], int(sys.argv[3])
    enc = Counting(chars)
    s = Pipeline(Settings(db=db, batch_size=3), encoder=enc).run([src])
    print(enc.texts, s.added)
