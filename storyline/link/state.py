"""What the linker keeps per article, as bytes for the store, so a restart reads no bodies.

``Features`` is serialised generically, field by field over its dataclass fields, so a field added
later round-trips without touching this module (a value of a new *type* fails loudly in
``encode``). The fields a restart needs for every stored article (``HEAD``) go into one small blob,
the rest (word bags, shingles) into another that is read only when the article comes up as a
candidate. ``version()`` names the field list and the source of the module that computes features:
when either changes, stored features are stale and the pipeline recomputes them once from the
stored bodies.

``FeatureCache`` is the linker's map from article id to ``Features``: every indexed article is
*known*, but only a bounded number of recently used ones are held in memory; the others are read
back through a loader (the store) when a candidate search returns them.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import inspect
import json
import struct
from collections import OrderedDict
from collections.abc import Callable, Iterator, Mapping, MutableMapping, Sequence
from typing import Any

import numpy as np

from storyline.link.duplicates import minhash_signature
from storyline.link.similarity import Features

FORMAT = 1
# Fields every stored article contributes to the linker's state at start-up (vector index,
# storyline sums); the rest is read per candidate.
HEAD = ("id", "lang", "published", "vector", "entities")

Loader = Callable[[Sequence[str]], Mapping[str, Features]]


def version() -> str:
    """Changes whenever stored features may no longer equal ``features(article)``: the field list,
    and the source of ``features`` and of every module-level function, class or constant it uses
    (transitively), so tuning weights or thresholds elsewhere in the module does not void them."""
    from storyline.link import similarity as _  # noqa: F401 - make sure the module is loaded

    module = inspect.getmodule(Features)
    names = ",".join(f.name for f in dataclasses.fields(Features))
    parts: list[str] = []
    seen: set[str] = set()
    todo = ["features", "Features"]
    while todo:
        name = todo.pop()
        if name in seen or not hasattr(module, name):
            continue
        seen.add(name)
        obj = getattr(module, name)
        if inspect.isfunction(obj) or inspect.isclass(obj):
            if inspect.getmodule(obj) is not module:
                continue
            try:
                parts.append(inspect.getsource(obj))
            except (OSError, TypeError):  # no source shipped: the field list is all we can check
                continue
            code = getattr(obj, "__code__", None)
            if code is not None:
                todo.extend(_names(code))
        elif isinstance(obj, (int, float, str, tuple, frozenset)) or hasattr(obj, "pattern"):
            parts.append(f"{name}={getattr(obj, 'pattern', obj)!r}")
    digest = hashlib.sha1("\n".join(sorted(parts)).encode()).hexdigest()[:12]
    return f"{FORMAT}:{names}:{digest}"


def _names(code: Any) -> Iterator[str]:
    yield from code.co_names
    for c in code.co_consts:
        if hasattr(c, "co_names"):  # comprehensions and nested functions
            yield from _names(c)


def signature(f: Features, num_perm: int) -> np.ndarray | None:
    """The MinHash signature the near-duplicate index files an article under (None: no shingles)."""
    return minhash_signature(f.shingles, num_perm) if f.shingles else None


# --- one value <-> (tag, meta, payload) ---------------------------------------------------------
def _enc(name: str, v: Any) -> tuple[str, Any, bytes]:
    if v is None:
        return "none", None, b""
    if isinstance(v, bool):
        return "bool", v, b""
    if isinstance(v, int):
        return "int", v, b""
    if isinstance(v, float):
        return "float", v, b""  # JSON floats round-trip exactly (repr)
    if isinstance(v, str):
        return "str", None, v.encode()
    if isinstance(v, dt.datetime):
        return "datetime", v.isoformat(), b""
    if isinstance(v, dt.date):
        return "date", v.isoformat(), b""
    if isinstance(v, np.ndarray):
        a = np.ascontiguousarray(v)
        return "array", [a.dtype.str, list(a.shape)], a.tobytes()
    if isinstance(v, (frozenset, set, tuple, list)):
        kind = type(v).__name__
        items = list(v)
        ints = items and all(isinstance(x, int) and not isinstance(x, bool) for x in items)
        if ints and all(-(2**63) <= x < 2**63 for x in items):
            return "ints", kind, np.asarray(items, dtype="<i8").tobytes()
        if all(isinstance(x, str) for x in items):
            return "strs", kind, json.dumps(items, ensure_ascii=False).encode()
    if isinstance(v, Mapping) and all(isinstance(k, str) for k in v):
        vals = list(v.values())
        if all(isinstance(x, float) for x in vals):  # a word bag: keys in order, float64 values
            keys = json.dumps(list(v), ensure_ascii=False).encode()
            return "wordbag", len(keys), keys + np.asarray(vals, dtype="<f8").tobytes()
    raise TypeError(
        f"storyline.link.state cannot store Features.{name} of type {type(v).__name__}; teach _enc/_dec this type"
    )


_KINDS: dict[str, Callable[[Any], Any]] = {"frozenset": frozenset, "set": set, "tuple": tuple, "list": list}


def _dec(tag: str, meta: Any, payload: bytes) -> Any:
    if tag == "none":
        return None
    if tag in ("bool", "int", "float"):
        return meta
    if tag == "str":
        return payload.decode()
    if tag == "date":
        return dt.date.fromisoformat(meta)
    if tag == "datetime":
        return dt.datetime.fromisoformat(meta)
    if tag == "array":
        dtype, shape = meta
        return np.frombuffer(payload, dtype=np.dtype(dtype)).reshape(shape).copy()
    if tag == "ints":
        return _KINDS[meta](np.frombuffer(payload, dtype="<i8").tolist())
    if tag == "strs":
        return _KINDS[meta](json.loads(payload))
    if tag == "wordbag":
        keys = json.loads(payload[:meta])
        vals = np.frombuffer(payload[meta:], dtype="<f8").tolist()
        return dict(zip(keys, vals, strict=True))
    raise ValueError(f"unknown stored feature tag {tag!r}")


def _pack(values: Sequence[tuple[str, Any]]) -> bytes:
    header: list[list[Any]] = []
    parts: list[bytes] = []
    for name, v in values:
        tag, meta, payload = _enc(name, v)
        header.append([name, tag, meta, len(payload)])
        parts.append(payload)
    h = json.dumps(header, ensure_ascii=False).encode()
    return struct.pack("<I", len(h)) + h + b"".join(parts)


def _unpack(blob: bytes) -> dict[str, Any]:
    (n,) = struct.unpack_from("<I", blob)
    header = json.loads(blob[4 : 4 + n])
    out: dict[str, Any] = {}
    pos = 4 + n
    for name, tag, meta, size in header:
        out[name] = _dec(tag, meta, blob[pos : pos + size])
        pos += size
    return out


def encode(f: Features) -> tuple[bytes, bytes]:
    """``Features`` as (head, rest) blobs; ``decode(head, rest)`` gives it back field for field."""
    head: list[tuple[str, Any]] = []
    rest: list[tuple[str, Any]] = []
    for fld in dataclasses.fields(f):
        (head if fld.name in HEAD else rest).append((fld.name, getattr(f, fld.name)))
    return _pack(head), _pack(rest)


def decode_head(head: bytes) -> dict[str, Any]:
    """The start-up fields only (``HEAD``), without touching the word bags."""
    return _unpack(head)


# What a ``Features`` built from the head alone holds in the other fields: nothing to compare.
_NO_REST: dict[str, Any] = {"numbers": frozenset(), "title": frozenset(), "words": {}, "words_norm": 0.0,
                            "shingles": frozenset()}


def decode_head_features(head: bytes) -> Features:
    """A ``Features`` from the head blob alone, the word bags, title words, numbers and shingles
    empty: for a score that weighs none of them (``EventIndex.candidates``)."""
    values = _unpack(head) | _NO_REST
    names = {f.name for f in dataclasses.fields(Features)}
    if set(values) != names:
        raise ValueError(f"stored head has fields {sorted(_unpack(head))}, Features has {sorted(names)}")
    return Features(**values)


def decode(head: bytes, rest: bytes) -> Features:
    values = _unpack(head) | _unpack(rest)
    names = {f.name for f in dataclasses.fields(Features)}
    if set(values) != names:
        raise ValueError(f"stored features have fields {sorted(values)}, Features has {sorted(names)}")
    return Features(**values)


# --- the linker's per-article features -----------------------------------------------------------
class FeatureCache(MutableMapping[str, Features]):
    """Article id -> ``Features`` for every indexed article. Without a loader it is a plain dict;
    with one, at most ``capacity`` of them stay in memory (least recently used go first) and the
    others are loaded again on demand."""

    def __init__(self, loader: Loader | None = None, capacity: int = 20_000) -> None:
        self.loader = loader
        self.capacity = capacity
        self._known: set[str] = set()
        self._held: OrderedDict[str, Features] = OrderedDict()
        self.loads = 0  # features read back through the loader (for benchmarks)

    def __getstate__(self) -> dict[str, Any]:
        """For a snapshot: the known ids, not the held features (a cache, read back on demand)
        nor the loader (the process's own store, attached again after loading)."""
        st = dict(self.__dict__)
        st["loader"] = None
        st["_held"] = OrderedDict()
        return st

    def know(self, key: str) -> None:
        """An indexed article whose features stay in the store until needed."""
        if self.loader is None:
            raise ValueError("FeatureCache.know needs a loader")
        self._known.add(key)

    def __contains__(self, key: object) -> bool:
        return key in self._known

    def __getitem__(self, key: str) -> Features:
        f = self._held.get(key)
        if f is not None:
            self._held.move_to_end(key)
            return f
        f = self._load([key])[key]
        self._hold(key, f)
        return f

    def prefetch(self, keys: Sequence[str]) -> None:
        """Read the features of ``keys`` not held in memory with one loader call (one store query
        instead of one per key): a new article's stored neighbours are scored one after another,
        and at a million stored articles most of them are not held. Same features, same count of
        ``loads``; only the least-recently-used order of what is held may differ."""
        if self.loader is None:
            return
        missing = [k for k in dict.fromkeys(keys) if k not in self._held and k in self._known]
        if not missing:
            return
        for k, f in self._load(missing).items():
            self._hold(k, f)

    def peek(self, keys: Sequence[str]) -> dict[str, Features]:
        """The features of ``keys``, those not held read with one loader call and *not* held
        after (nor counted in the least-recently-used order): for a pass over many articles
        that are not about to be scored, e.g. a catch-up summing the events it touched. Held,
        the 10k articles a snapshot lagging 1% at a million stored catches up on took ~650 MB
        (words and shingles, ~65 KB an article) for the whole run."""
        out = {k: f for k in keys if (f := self._held.get(k)) is not None}
        missing = [k for k in dict.fromkeys(keys) if k not in out]
        if missing:
            out.update(self._load(missing))
        return out

    head_loads = 0  # heads read back (``heads``); a class default: ``__init__`` is part of the snapshot's code hash

    def heads(self, keys: Sequence[str]) -> dict[str, Features]:
        """``keys``' features as far as their heads go (``HEAD``: id, language, date, vector,
        entities): the whole ``Features`` where it is held, else one built from the stored head
        alone (``decode_head_features``: no word bags, title words, numbers or shingles), which is
        neither held nor counted in ``loads``. Reading a head is ~2 KB against ~65 KB for the whole;
        a loader that cannot (no ``heads`` attribute) reads and holds the whole, as before."""
        out = {k: f for k in keys if (f := self._held.get(k)) is not None}
        missing = [k for k in dict.fromkeys(keys) if k not in out]
        if not missing:
            return out
        read = getattr(self.loader, "heads", None)
        if read is None:
            self.prefetch(missing)
            out.update((k, self[k]) for k in missing)
            return out
        out.update(self._read(missing, read, "head_loads"))
        return out

    def _load(self, keys: Sequence[str]) -> dict[str, Features]:
        """The features of ``keys`` (none held), read with one loader call and counted in
        ``loads``; an id never indexed, or one the store lost, is a ``KeyError``."""
        return self._read(keys, self.loader, "loads")

    def _read(self, keys: Sequence[str], read: Loader | None, counter: str) -> dict[str, Features]:
        """``keys`` read with one call of ``read`` (the whole features or the heads), each one
        read counted in the attribute ``counter``; an id never indexed, one the store lost, or no
        reader at all is a ``KeyError``."""
        for k in keys:
            if k not in self._known or read is None:
                raise KeyError(k)
        assert read is not None
        got = read(keys)
        out: dict[str, Features] = {}
        try:
            for k in keys:
                f = got.get(k)
                if f is None:
                    raise KeyError(f"{k}: features missing from the store")
                out[k] = f
        finally:
            setattr(self, counter, getattr(self, counter) + len(out))
        return out

    def _hold(self, key: str, f: Features) -> None:
        self._held[key] = f
        self._held.move_to_end(key)
        if self.loader is not None:
            while len(self._held) > self.capacity:
                self._held.popitem(last=False)

    def __setitem__(self, key: str, f: Features) -> None:
        self._known.add(key)
        self._hold(key, f)

    def __delitem__(self, key: str) -> None:
        self._known.discard(key)
        self._held.pop(key, None)

    def __iter__(self) -> Iterator[str]:
        return iter(self._known)

    def __len__(self) -> int:
        return len(self._known)
