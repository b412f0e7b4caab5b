"""Scaling: cost per new article as the store grows (1k, 10k, 100k stored articles).

    python benchmarks/scale.py [--sizes 1000,10000,100000] [--measure 300] [--real 10000]

What is synthetic (printed with the table too):

* The texts are the real development articles of ../shared/data/events and ../shared/data/storylines
  (2,500 of them, in one fixed shuffled order), each cleaned and enriched once by the real pipeline
  (vectors from the shared cache ``benchmarks/.cache/vectors.sqlite``).
* A store of N articles holds N / 2,500 "epochs" of that pool. Epoch k (k >= 1) is a copy with
  fresh ids, publish dates (and mentioned dates) shifted by k times the pool's date span, every
  content word and title word suffixed with an epoch marker (so no words, shingles or
  near-duplicates are shared across epochs), entity keys and numbers tagged with the epoch, and
  vectors turned by a random rotation per epoch that keeps the span of the packaged language means
  fixed (``Epochs.rotation``): it keeps every cosine *and every centred cosine* within an epoch
  exactly, and across epochs leaves the part all news shares (plain cosine ~0.7) and turns the rest
  (centred cosine ~0), as for unrelated text. So each epoch links like the real data, and epochs do
  not link to each other, as unrelated years of news would not. (Until session 15 the rotation
  turned the means too: cross-epoch cosines were ~0, and *within* an epoch past 0 the centred
  cosine of unrelated articles was ~0.87 instead of ~0.19, so each new epoch's 300 articles linked
  into one event of ~255; ``--full-rotation`` gives that again, and stores built before hold it.)
* Stores up to ``--real`` articles are built through the real linking path (``_LinkState.add``:
  linker, event and storyline descriptions, one store transaction per batch of 32). Beyond that,
  building through it takes hours (see the StorylineIndex note printed below), so the remaining
  epochs are *copies of epoch 0's stored result* (its assignments, events, storylines and link
  features, ids mapped), written in bulk through ``Store.write_batch``, one per epoch, with the
  link features derived from epoch 0's stored ones rather than computed again (``replicate``).
  The check printed below compares the epochs the real path built with epoch 0, to show a copy
  is what the real path would store. New articles come from epoch ``NEW_EPOCH``, after every
  stored one up to a million. Epochs past the year 9999 (577 on for the dev pool) are dated back
  from epoch 0, and epochs past those (714 on) are co-dated with epoch 0: unrelated news on the
  same days (``Epochs``; in-place runs from session 16 on use them, and their figures are not
  comparable one to one with earlier ones, whose new articles met no stored article's days).
* Measured: the same 300 new articles (the first 300 of a further epoch) added through the real
  linking path to a copy of each store, in a fresh process per store, in ``--rounds`` rounds that
  each measure every store in turn (the table gives the median and the range): start-up
  (restoring the linker from the store, which loads the article index the build saved, as the
  next ``storyline run`` would), ms per article for linking + store write, and memory.
  Cleaning, enrichment and encoding do not touch the store; they are timed once, separately.
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime as dt
import gc
import json
import os
import pickle
import random
import re
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

# The builder's one big matrix operation per epoch (a 384x384 QR) took 1.5 s with BLAS threads
# fighting other jobs for two cores, 0.04 s on one thread; the measured child keeps the default
# (``_child_env``: until issue 20's fourth round it inherited this one thread by mistake).
if "--child" not in sys.argv and "OPENBLAS_NUM_THREADS" not in os.environ:
    os.environ["OPENBLAS_NUM_THREADS"] = "1"
    os.environ["STORYLINE_SCALE_SET_BLAS"] = "1"  # so the children are spared it
import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from storyline import Pipeline, Settings, open_store  # noqa: E402
from storyline.enrich import enrich  # noqa: E402
from storyline.link.similarity import _norm, _stopwords  # noqa: E402
from storyline.models import Article, Entity, Rejected  # noqa: E402
from storyline.pipeline import _LinkState, source_of  # noqa: E402
from storyline.sources import read_inputs  # noqa: E402

DATA = ROOT.parent / "shared" / "data"
CACHE = ROOT / "benchmarks" / ".cache"
POOL = 2500
BATCH = 32
NEW_EPOCH = 500  # the epoch new articles come from: after every stored one (1M = 400 epochs), before year 9999
_WORD = re.compile(r"\w+", re.UNICODE)


# --- the pool of real articles, cleaned and enriched once ---------------------------------------
def pool(data: Path) -> list[Article]:
    files = [data / "events" / "articles.jsonl", data / "storylines" / "articles.jsonl"]
    key = "-".join(str(f.stat().st_size) for f in files)
    path = CACHE / f"scale_pool_{key}.pkl"
    if path.exists():
        with open(path, "rb") as fh:
            return pickle.load(fh)  # our own cache file
    pipe = Pipeline(Settings(vector_cache=str(CACHE / "vectors.sqlite")))
    raws = [r for r in read_inputs([str(f) for f in files]) if not isinstance(r, Rejected)]
    random.Random(3).shuffle(raws)
    t = time.perf_counter()
    cleaned = [c for c in (pipe._clean_one(r) for r in raws) if not isinstance(c, Rejected)][:POOL]
    t_clean = (time.perf_counter() - t) / len(raws)
    t = time.perf_counter()
    arts = enrich(cleaned, None)
    t_enrich = (time.perf_counter() - t) / len(cleaned)
    arts = enrich(arts, pipe.encoder)  # vectors (cached)
    CACHE.mkdir(parents=True, exist_ok=True)
    with open(path, "wb") as fh:
        pickle.dump(arts, fh)
    (CACHE / "scale_stages.json").write_text(json.dumps({"clean_ms": t_clean * 1e3, "enrich_ms": t_enrich * 1e3}))
    return arts


def encode_ms(arts: Sequence[Article], n: int = 48) -> float:
    """e5 encoding per article, uncached (a constant: it never looks at the store)."""
    from storyline.enrich.vectors import E5Encoder, article_text

    enc = E5Encoder()
    enc.encode(["warm up"])
    texts = [article_text(a.title, a.body) + " " for a in arts[:n]]  # a trailing space: no cache
    t = time.perf_counter()
    enc.encode(texts)
    return (time.perf_counter() - t) / n * 1e3


# --- epochs ---------------------------------------------------------------------------------------
def _letters(k: int) -> str:
    s = ""
    while True:
        k, r = divmod(k, 26)
        s = chr(97 + r) + s
        if k == 0:
            return s


class Epochs:
    """Epoch k of the pool: its own ids, words, entity keys and vectors, and its own stretch of time
    (``days``). Epochs 0..``forward`` follow each other (epoch k ``k * shift`` days after epoch 0);
    past that their dates would pass the year 9999 (``datetime.date.max``), so the later ones go
    back in time from epoch 0 instead: epoch ``forward + j`` is dated ``j * shift`` days *before*
    it, ending 60 days before epoch 0 begins, like a gap between two forward epochs. The dates of
    epochs 0..``forward`` are what they always were (the stored ones keep theirs), and no two
    epochs share a day, so an epoch past ``forward`` is as fresh as an unused forward one: nothing
    stored is in its articles' time window. One difference for the stores measured: a backward
    epoch's dated articles lie before every stored date, so a snapshot's dated segments are out of
    their window (``_Segment.reaches``) and only the undated segments and the in-memory index are
    searched, where a forward epoch inside the stored range also searches the dated segment whose
    date range spans it (about 0.15 ms per dated article at 1M, 2% of its cost).

    Past the last backward epoch (``forward + backward``, 713 for the dev pool) the years 1-9999
    hold no fresh stretch of time, so an epoch from there on is *co-dated* with epoch 0 (``days``
    is zero): the same days as epoch 0's articles, but fresh ids, its own word, entity and number
    tags and its own rotation, i.e. unrelated news on the same days, as a real store holds many
    unrelated articles a day. Both the 1k and the 1M store hold epoch 0, so a co-dated epoch meets
    the same dated neighbours in both (the 1M store also the co-dated epochs stored before it).
    Since session 16 in-place runs use these (``CODATED``); their figures are not comparable one to
    one with those of the earlier forward or backward epochs, which met no stored article's days."""

    def __init__(self, arts: Sequence[Article]) -> None:
        self.arts = list(arts)
        dates = [a.published for a in arts if a.published]
        self.shift = (max(dates) - min(dates)).days + 60 if dates else 3650
        every = dates + [d for a in arts for d in a.dates_mentioned]
        # The last epoch whose dates (published and mentioned) fit before the year 9999, and how
        # many fit before the year 1 going back from epoch 0.
        self.forward = (dt.date.max - max(every)).days // self.shift if every else 10**6
        self.backward = (min(every) - dt.date.min).days // self.shift if every else 0
        self._rot: dict[int, np.ndarray] = {}

    @property
    def codated(self) -> int:
        """The first epoch co-dated with epoch 0 (see the class docstring)."""
        return self.forward + self.backward + 1

    def days(self, k: int) -> dt.timedelta:
        """How far epoch ``k``'s dates lie from epoch 0's (see the class docstring)."""
        if k < 0:
            raise ValueError(f"epoch {k}: epochs are numbered from 0")
        if k >= self.codated:
            return dt.timedelta(0)  # co-dated with epoch 0: same days, its own ids, tags and rotation
        j = k if k <= self.forward else self.forward - k
        return dt.timedelta(days=j * self.shift)

    def rotation(self, k: int) -> np.ndarray:
        """Epoch ``k``'s rotation of the vectors: the identity on the span of the packaged language
        means (``relatedness.packaged().means``), a random rotation on the rest. The linker scores
        the *centred* cosine (each vector less ``LANGUAGE_MEAN_WEIGHT`` times its language's mean),
        and a rotation that also turned the means left every rotated vector carrying the unturned
        mean's opposite: unrelated articles of one epoch scored centred cosine ~0.87 and all linked
        (``--full-rotation``, or ``STORYLINE_SCALE_ROTATION=full``, gives that rotation, with which
        the stores of sessions 10-14 were built)."""
        if k not in self._rot:
            rng = np.random.default_rng(1000 + k)
            if os.environ.get("STORYLINE_SCALE_ROTATION") == "full":
                q, r = np.linalg.qr(rng.standard_normal((384, 384)))
                self._rot[k] = (q * np.sign(np.diag(r))).astype(np.float32)
            else:
                from storyline.link.relatedness import packaged

                means = np.stack([np.asarray(m, dtype=np.float64) for _, m in sorted(packaged().means.items())])
                basis, _ = np.linalg.qr(means.T, mode="complete")
                fixed, rest = basis[:, : len(means)], basis[:, len(means) :]
                q, r = np.linalg.qr(rng.standard_normal((rest.shape[1], rest.shape[1])))
                turn = q * np.sign(np.diag(r))
                self._rot[k] = (fixed @ fixed.T + rest @ turn @ rest.T).astype(np.float32)
        return self._rot[k]

    @staticmethod
    def aid(k: int, a: Article) -> str:
        return f"e{k}-{a.id}"

    def article(self, k: int, a: Article) -> Article:
        days = self.days(k)
        if k == 0:
            return dataclasses.replace(a, id=self.aid(0, a))
        suf = "zq" + _letters(k)
        stop = _stopwords(a.lang or "")

        def mark(text: str) -> str:
            def one(m: re.Match[str]) -> str:
                w = m.group()
                return w + suf if len(w) > 1 and _norm(w) not in stop else w

            return _WORD.sub(one, text)

        def key(x: str) -> str:
            head, sep, tail = x.partition("/")
            return f"{head}#{k}{sep}{tail}"

        vec = None
        if a.vector is not None:
            v = self.rotation(k) @ np.asarray(a.vector, dtype=np.float32)
            vec = (v / np.linalg.norm(v)).astype(np.float32)
        return dataclasses.replace(
            a,
            id=self.aid(k, a),
            title=mark(a.title),
            body=mark(a.body),
            published=a.published + days if a.published else None,
            dates_mentioned=tuple(d + days for d in a.dates_mentioned),
            entities=tuple(Entity(key(e.key), e.kind, e.text) for e in a.entities),
            numbers=tuple(f"{n}#{k}" for n in a.numbers),
            vector=vec,
        )

    def stream(self, n: int, start_epoch: int = 0) -> Iterator[Article]:
        for i in range(n):
            k, j = divmod(i, len(self.arts))
            yield self.article(start_epoch + k, self.arts[j])


def _batches(items: Sequence[Any], n: int) -> Iterator[Sequence[Any]]:
    for i in range(0, len(items), n):
        yield items[i : i + n]


# --- building stores ------------------------------------------------------------------------------
def build_real(db: Path, epochs: Epochs, n: int) -> float:
    """n articles through the real linking path; returns seconds."""
    for p in db.parent.glob(db.name + "*"):
        p.unlink()
    st = open_store(db)
    t = time.perf_counter()
    links = _LinkState.from_store(st)
    arts = list(epochs.stream(n))
    for b in _batches(arts, BATCH):
        links.add(b, st)
    links.save_index()  # as ``storyline run`` does when it ends
    secs = time.perf_counter() - t
    st.close()
    return secs


def save_index(db: Path, force: bool = False) -> float:
    """What the next ``storyline run`` would find after copies were written: a restart (from
    the store alone) that ends by saving the article vector index; returns seconds. ``force``:
    save the linker snapshot even though the store grew less than ``SNAPSHOT_SHARE`` since the
    last one (``--save-snapshot``: in-place runs add 300 articles each, which every later
    start-up catches up on and holds in memory until a snapshot is saved again)."""
    st = open_store(db)
    t = time.perf_counter()
    links = _LinkState.from_store(st)
    if force:
        links.snapshot_count = 0
    links.save_index()
    secs = time.perf_counter() - t
    st.close()
    return secs


def _epoch_mask(k: int) -> np.ndarray:
    """A per-epoch value XORed into every MinHash signature of epoch ``k``: near-duplicate bands
    then collide within an epoch exactly as in epoch 0, never across epochs."""
    return np.random.default_rng(5000 + k).integers(0, 2**63, size=256, dtype=np.uint64)


def _bulk(st: Any) -> None:
    """Settings for a bulk build only (a store nobody else writes while it is built): commits do
    not wait for the disk (a crash mid-build leaves a store to build again, not a wrong one) and
    the page cache is large, so the indexes of a million rows stay in memory while they grow."""
    db = getattr(st, "_db", None)
    if db is not None and hasattr(db, "execute") and st.__class__.__name__ == "SQLiteStore":
        db.execute("PRAGMA synchronous=OFF")
        db.execute("PRAGMA cache_size=-1000000")  # KiB: 1 GB


def _tag(parts: tuple[str, str, str], k: int) -> str:
    """An entity key tagged with epoch ``k`` (``head#k/tail``), from its ``partition('/')``."""
    return f"{parts[0]}#{k}{parts[1]}{parts[2]}"


def replicate(db: Path, epochs: Epochs, first: int, last: int, progress: bool = False) -> float:
    """Append epochs first..last-1 as copies of epoch 0's stored result (ids mapped), in bulk: one
    ``write_batch`` (one transaction) per epoch, link features derived from epoch 0's stored ones
    (vectors rotated, dates shifted, entity keys tagged, signatures masked) instead of computing
    them again, everything that does not depend on the epoch worked out once, and the store's
    commits not waiting for the disk (``_bulk``), so a million rows take minutes. Titles and
    bodies are epoch 0's (unmarked): nothing measured reads them (the link features are what
    linking reads; ``feature loads`` in the table counts the stored features read back, which the
    time window keeps to the new epoch)."""
    from storyline.link import state

    st = open_store(db)
    _bulk(st)
    t = time.perf_counter()
    base = {a.id: a for a in epochs.arts}
    zero = [a for a in st.assignments() if a.article_id.startswith("e0-")]
    ev0 = [e for e in st.events() if all(i.startswith("e0-") for i in e.article_ids)]
    sl_ids = {a.storyline for a in zero}
    sl0 = [s for s in st.storylines() if s.id in sl_ids]
    ids0 = [a.article_id for a in zero]
    feats0 = st.link_features(ids0)
    sigs0 = {aid: sig for aid, _, _, sig, _ in st.link_state() if aid.startswith("e0-")}
    outlet = {a.id: source_of(a) for a in epochs.arts}
    heads0 = [state.decode_head(feats0[i][0]) for i in ids0]
    vecs0 = np.stack([np.asarray(h["vector"], dtype=np.float32) for h in heads0])
    # Worked out once: what every epoch's copy shares with epoch 0.
    arts0 = [base[aid[3:]] for aid in ids0]
    ents0 = [[(e.key.partition("/"), e.kind, e.text) for e in a.entities] for a in arts0]
    hents0 = [[x.partition("/") for x in h["entities"]] for h in heads0]
    rests0 = [feats0[aid][1] for aid in ids0]
    sigs = [None if sigs0.get(aid) is None else np.frombuffer(sigs0[aid], dtype="<u8") for aid in ids0]
    outs0 = [outlet[aid[3:]] for aid in ids0]
    for k in range(first, last):

        def m(i: str, k: int = k) -> str:
            return f"e{k}-" + i[3:] if i.startswith("e0-") else f"{i}~{k}"

        days = epochs.days(k)
        rot = vecs0 @ epochs.rotation(k).T
        rot /= np.linalg.norm(rot, axis=1, keepdims=True)
        mask = _epoch_mask(k)
        arts, rows = [], []
        for j, aid in enumerate(ids0):
            a = arts0[j]
            vec = rot[j].astype(np.float32)
            new_id = m(aid)
            h = dict(heads0[j])
            h.update(
                id=new_id,
                published=h["published"] + days if h["published"] else None,
                vector=vec,
                entities=frozenset(_tag(p, k) for p in hents0[j]),
            )
            arts.append(
                dataclasses.replace(
                    a,
                    id=new_id,
                    published=a.published + days if a.published else None,
                    dates_mentioned=tuple(d + days for d in a.dates_mentioned),
                    entities=tuple(Entity(_tag(p, k), kind, text) for p, kind, text in ents0[j]),
                    numbers=tuple(f"{n}#{k}" for n in a.numbers),
                    vector=vec,
                )
            )
            s0 = sigs[j]
            sig = None if s0 is None else (s0 ^ mask[: len(s0)]).astype("<u8").tobytes()
            rows.append((new_id, outs0[j], sig, state._pack(list(h.items())), rests0[j]))
        asg = [
            dataclasses.replace(a, article_id=m(a.article_id), event=m(a.event), storyline=m(a.storyline)) for a in zero
        ]
        evs = [
            dataclasses.replace(e, id=m(e.id), storyline=m(e.storyline), article_ids=tuple(m(i) for i in e.article_ids))
            for e in ev0
        ]
        sls = [dataclasses.replace(s, id=m(s.id), event_ids=tuple(m(i) for i in s.event_ids)) for s in sl0]
        st.write_batch(arts, asg, evs, sls, link_rows=rows)
        if progress and k % 20 == 0:
            print(f"  epoch {k}: {(k - first + 1) * len(ids0):,} copied in {time.perf_counter() - t:.0f} s", flush=True)
    secs = time.perf_counter() - t
    st.close()
    return secs


def partition_check(db: Path, epochs: int) -> str:
    """Do the epochs the real path built link exactly like epoch 0?"""
    st = open_store(db)
    by: dict[int, set[frozenset[str]]] = {}
    sl: dict[int, set[frozenset[str]]] = {}
    groups: dict[tuple[int, str], set[str]] = {}
    sgroups: dict[tuple[int, str], set[str]] = {}
    for a in st.assignments():
        k, rest = a.article_id.split("-", 1)
        groups.setdefault((int(k[1:]), a.event), set()).add(rest)
        sgroups.setdefault((int(k[1:]), a.storyline), set()).add(rest)
    st.close()
    for (k, _), g in groups.items():
        by.setdefault(k, set()).add(frozenset(g))
    for (k, _), g in sgroups.items():
        sl.setdefault(k, set()).add(frozenset(g))
    out = []
    for k in range(1, epochs):
        if k in by:
            out.append(
                f"epoch {k}: events {'identical' if by[k] == by[0] else 'DIFFER'} to epoch 0"
                f" ({len(by[k])} vs {len(by[0])}), storylines {'identical' if sl[k] == sl[0] else 'DIFFER'}"
                f" ({len(sl[k])} vs {len(sl[0])})"
            )
    return "; ".join(out) or "no full epoch besides epoch 0"


# --- measuring (in a fresh process per store) -----------------------------------------------------
def rss_mb() -> tuple[float, float]:
    vals = _status_mb()
    return vals.get("VmRSS", float("nan")), vals.get("VmHWM", float("nan"))


def _status_mb() -> dict[str, float]:
    vals = {}
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(("VmRSS", "VmHWM", "RssAnon", "RssFile")):
            k, v = line.split(":")
            vals[k] = int(v.split()[0]) / 1024
    return vals


def _reset_peak() -> bool:
    """Start VmHWM again from the current RSS (Linux ``clear_refs``); False where it cannot."""
    try:
        Path("/proc/self/clear_refs").write_text("5")
    except OSError:
        return False
    return True


def _child_env() -> dict[str, str]:
    """The environment of a measured child: BLAS threads as a user's run would have them."""
    env = dict(os.environ)
    if env.pop("STORYLINE_SCALE_SET_BLAS", None):
        env.pop("OPENBLAS_NUM_THREADS", None)
    return env


def measure(
    db: str, n: int, data: str, new_epoch: int = NEW_EPOCH, save: bool = False, batch: int = BATCH
) -> dict[str, Any]:
    """One measured child: start-up, then ``n`` new articles linked and written, ``batch`` a
    transaction (the ``batch_size`` setting of a run). ``save``: then end as ``storyline run``
    does, saving the linker snapshot when it is due (``save_index``), timed apart from the loop,
    with its own peak."""
    from threadpoolctl import threadpool_info

    from storyline.link import events as evmod
    from storyline.link import storylines as slmod

    spent = {"storyline_best": 0.0, "split": 0.0, "splits": 0.0}
    split = evmod.EventIndex.split

    def timed_split(self: Any, *a: Any, **kw: Any) -> Any:
        t = time.perf_counter()
        try:
            return split(self, *a, **kw)
        finally:
            spent["split"] += time.perf_counter() - t
            spent["splits"] += 1

    evmod.EventIndex.split = timed_split  # type: ignore[method-assign]
    orig = getattr(slmod.StorylineIndex, "_best", None)

    def timed(self: Any, *a: Any, **kw: Any) -> Any:
        t = time.perf_counter()
        try:
            return orig(self, *a, **kw)  # type: ignore[misc]
        finally:
            spent["storyline_best"] += time.perf_counter() - t

    if hasattr(slmod.StorylineIndex, "_best"):  # its loop over every storyline, timed apart
        slmod.StorylineIndex._best = timed  # type: ignore[method-assign]
    arts = pool(Path(data))
    ep = Epochs(arts)
    t = time.perf_counter()
    new = list(ep.stream(n, start_epoch=new_epoch))  # the same for every store, in a time of its own
    # The same pure-Python work in every child, before its store is opened: how fast the machine
    # let this process run just then (a yardstick for the load, whatever the store's size).
    yardstick = (time.perf_counter() - t) / len(new) * 1e3
    st = open_store(db)
    used = st.known_ids([a.id for a in new])
    if used:  # a slice of a partly stored epoch links to its stored events: not a fresh workload
        st.close()
        raise SystemExit(
            f"--new-epoch {new_epoch}: {len(used)} of its first {n} articles are already in {db}"
            f" (an in-place run stored them); choose an epoch no run used, e.g. one from {ep.codated} on"
        )
    rss0, _ = rss_mb()
    t = time.perf_counter()
    links = _LinkState.from_store(st)
    startup = time.perf_counter() - t
    lag = st.counts()["articles"] - links.snapshot_count if links.snapshot_count else -1
    rss1, _ = rss_mb()
    spent["storyline_best"] = 0.0
    feats = links.linker._events.feats
    loads0 = getattr(feats, "loads", 0)
    held0 = len(getattr(feats, "_held", ()))
    # CPU time (this thread's) of the linker and of the store's write, apart from the rest of a
    # batch (describing the touched events and storylines, reading their articles).
    parts = {"link": 0.0, "write": 0.0}

    def cpu_of(fn: Any, part: str) -> Any:
        def run(*a: Any, **kw: Any) -> Any:
            c = time.thread_time()
            try:
                return fn(*a, **kw)
            finally:
                parts[part] += time.thread_time() - c

        return run

    links.linker.add = cpu_of(links.linker.add, "link")  # type: ignore[method-assign]
    st.write_batch = cpu_of(st.write_batch, "write")  # type: ignore[method-assign]
    # Garbage collections during the loop, per generation: a full one walks every object not
    # frozen at start-up (``gc.freeze``), 0.5 s at 1M stored when the state was not frozen.
    collections = {0: [0, 0.0], 1: [0, 0.0], 2: [0, 0.0]}
    gc_start = [0.0]

    def on_gc(phase: str, info: dict[str, Any]) -> None:
        if phase == "start":
            gc_start[0] = time.process_time()
        else:
            c = collections[info["generation"]]
            c[0] += 1
            c[1] += time.process_time() - gc_start[0]

    gc.callbacks.append(on_gc)
    t, cpu, t0 = time.perf_counter(), time.process_time(), os.times()
    for b in _batches(new, batch):
        links.add(b, st)
    gc.callbacks.remove(on_gc)
    per = (time.perf_counter() - t) / len(new) * 1e3
    cpu_per = (time.process_time() - cpu) / len(new) * 1e3
    sys_per = (os.times().system - t0.system) / len(new) * 1e3
    rss2, hwm = rss_mb()
    after = _status_mb()
    saved: dict[str, Any] = {}
    if save:
        del links.linker.add  # the timed wrapper above (a local function: a snapshot cannot pickle it)
        before = links.snapshot_count
        reset = _reset_peak()
        t, cpu = time.perf_counter(), time.process_time()
        links.save_index()  # as ``storyline run`` ends: the snapshot when due (``_save_snapshot``)
        saved = {
            "saved": links.snapshot_count != before,
            "save_s": time.perf_counter() - t,
            "save_cpu_s": time.process_time() - cpu,
            "save_peak_mb": rss_mb()[1] if reset else float("nan"),
        }
    segments = len(links.linker._events._segments)
    stored = st.counts()
    st.close()
    return {
        "articles": stored["articles"] - len(new),
        "events": stored["events"],
        "storylines": stored["storylines"],
        "startup_s": startup,
        "ms_per_article": per,
        "storyline_best_ms": spent["storyline_best"] / len(new) * 1e3,
        "cpu_ms_per_article": cpu_per,  # this process's CPU time (all its threads) over the same loop
        "sys_ms_per_article": sys_per,  # of which in the kernel (page faults, file reads and writes)
        "link_cpu_ms": parts["link"] / len(new) * 1e3,  # of which the linker (``Linker.add``)
        "write_cpu_ms": parts["write"] / len(new) * 1e3,  # of which the store's ``write_batch``
        "yardstick_ms": yardstick,
        "split_ms": spent["split"] / len(new) * 1e3,  # the event split checks (recursive calls included)
        "split_calls": int(spent["splits"]),
        "blas_threads": max((i["num_threads"] for i in threadpool_info() if i["user_api"] == "blas"), default=0),
        "feature_loads": getattr(feats, "loads", 0) - loads0,
        "gc_full": collections[2][0],  # full collections during the loop, and their CPU ms per new article
        "gc_full_ms": collections[2][1] / len(new) * 1e3,
        "gc_young_ms": (collections[0][1] + collections[1][1]) / len(new) * 1e3,
        "held_features_at_start": held0,  # features the feature cache held when the loop began
        "rss_before_mb": rss0,
        "rss_after_start_mb": rss1,
        "rss_after_mb": rss2,
        "peak_mb": hwm,
        "anon_mb_after": after.get("RssAnon", float("nan")),  # of the RSS after the loop: the heap ...
        "file_mb_after": after.get("RssFile", float("nan")),  # ... and pages of mapped files (the snapshot's)
        "batch": batch,
        "lag": lag,  # articles the store held beyond the snapshot the start-up loaded (-1: none loaded)
        **saved,
        "from_snapshot": segments > 0,
        "load": os.getloadavg()[0],
    }


def _save_note(n: int, r: dict[str, Any]) -> str:
    lag = r.get("lag", -1)
    out = f"{n:,}: lag {lag:,}" if lag >= 0 else f"{n:,}: no snapshot"
    out += f", {r.get('anon_mb_after', float('nan')):.0f} / {r.get('file_mb_after', float('nan')):.0f} MB"
    if "saved" in r:
        out += (f", saved in {r['save_s']:.1f} s ({r['save_cpu_s']:.1f} s CPU), peak {r['save_peak_mb']:.0f} MB"
                if r["saved"] else ", not due")
    return out


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--sizes", default="1000,10000,100000")
    ap.add_argument("--measure", type=int, default=300)
    ap.add_argument("--rounds", type=int, default=3, help="measure each store this many times (median, range)")
    ap.add_argument("--real", type=int, default=10_000, help="build up to this many through the real path")
    ap.add_argument("--data", default=str(DATA))
    ap.add_argument("--work", default=None, help="folder for the stores (default: a temporary one)")
    ap.add_argument("--reuse", action="store_true", help="measure the stores already built in --work")
    ap.add_argument("--in-place", default="", type=lambda v: {int(x) for x in v.split(",") if x},
                    help="sizes measured on the built store itself, not a copy (one round only)")
    ap.add_argument("--skip-encode", action="store_true", help="do not time the encoder (it never touches the store)")
    ap.add_argument("--build-only", action="store_true", help="build the stores in --work, measure nothing")
    ap.add_argument("--no-restart", dest="restart", action="store_false",
                    help="after copying epochs, skip the restart that saves the article index")
    ap.add_argument("--new-epoch", type=int, default=NEW_EPOCH,
                    help="the epoch new articles come from (another one for a store measured in place before;"
                         " one that no run stored any article of: a slice of a partly stored epoch links to"
                         " its stored events)")
    ap.add_argument("--save-snapshot", action="store_true",
                    help="with --reuse: restart each --in-place store and save its linker snapshot before measuring")
    ap.add_argument("--full-rotation", action="store_true",
                    help="turn the language means too, as stores built before session 15 did (Epochs.rotation)")
    ap.add_argument("--save-as-run", action="store_true",
                    help="each measured child ends as `storyline run` does, saving the linker snapshot when it is due"
                         " (timed apart; without it in-place rounds never save, and the snapshot lags 300 more a run)")
    ap.add_argument("--batch-size", type=int, default=BATCH,
                    help="articles per transaction in the measured children (a run's batch_size setting)")
    ap.add_argument("--child", nargs=2, metavar=("DB", "N"), help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.full_rotation:
        os.environ["STORYLINE_SCALE_ROTATION"] = "full"  # the children inherit it
    if args.child:
        print(json.dumps(measure(args.child[0], int(args.child[1]), args.data, args.new_epoch, args.save_as_run,
                                 args.batch_size)))
        return
    t_all = time.perf_counter()
    arts = pool(Path(args.data))
    epochs = Epochs(arts)
    stages = json.loads((CACHE / "scale_stages.json").read_text()) if (CACHE / "scale_stages.json").exists() else {}
    if not args.skip_encode:
        stages["encode_ms"] = encode_ms(arts)
    work = Path(args.work or tempfile.mkdtemp(prefix="storyline-scale-"))
    work.mkdir(parents=True, exist_ok=True)
    # The linker snapshots the restarts save (and the measured children load) stay with the stores.
    os.environ.setdefault("STORYLINE_LINK_CACHE", str(work / "link-cache"))
    sizes = [int(s) for s in args.sizes.split(",")]
    notes = []
    dbs: dict[int, Path] = {}
    real_db: Path | None = None
    for n in sizes:
        db = work / f"s{n}.db"
        if args.reuse and db.exists():
            notes.append(f"{n:>7,}: store reused from {db} (built by an earlier run)")
            if args.save_snapshot and n in args.in_place:
                notes.append(f"{n:>7,}: linker snapshot saved again by a restart in {save_index(db, force=True):.0f} s")
        elif n <= args.real:
            secs = build_real(db, epochs, n)
            notes.append(f"{n:>7,}: built through the real linking path in {secs:.0f} s")
            real_db = db
        else:
            if real_db is None or (int(real_db.stem[1:]) % POOL) or int(real_db.stem[1:]) < POOL:
                base_n = max(POOL, (args.real // POOL) * POOL)
                real_db = work / f"s{base_n}.db"
                if args.reuse and real_db.exists():
                    notes.append(f"{base_n:>7,}: store reused from {real_db} (built by an earlier run)")
                else:
                    secs = build_real(real_db, epochs, base_n)
                    notes.append(f"{base_n:>7,}: built through the real linking path in {secs:.0f} s")
            base_n = int(real_db.stem[1:])
            # Grow from the biggest copied store this run already has (1M = 100k + 360 epochs).
            grown = [m for m in dbs if base_n < m < n and m % POOL == 0 and m > args.real]
            src = dbs[max(grown)] if grown else real_db
            src_n = max(grown) if grown else base_n
            for p in work.glob(db.name + "*"):
                p.unlink()
            shutil.copy(src, db)
            k0, k1 = src_n // POOL, -(-n // POOL)
            secs = replicate(db, epochs, k0, k1, progress=True)
            saved = f"{save_index(db):.0f} s" if args.restart else "(not done: --no-restart)"
            notes.append(
                f"{k1 * POOL:>7,}: {base_n:,} through the real path, epochs {k0}-{k1 - 1} copied from epoch 0"
                f" in {secs:.0f} s (onto the {src_n:,} store); article index saved by a restart in {saved}"
            )
            print(notes[-1], flush=True)
            notes.append("    check: " + partition_check(real_db, base_n // POOL))
        dbs[n] = db
    if args.build_only:
        print("\n".join(notes))
        return
    if args.in_place and args.rounds != 1:
        ap.error("--in-place needs --rounds 1: the first round adds the new articles to the store")
    runs: dict[int, list[dict[str, Any]]] = {n: [] for n in sizes}
    for _ in range(args.rounds):  # rounds interleave the stores, so load on the machine hits all alike
        for n in sizes:
            tmp = work / f"m{n}.db"
            in_place = n in args.in_place
            if in_place:  # measured where it was built (copying 18 GB at 1M costs minutes); used up then
                tmp = dbs[n]
            else:
                for p in work.glob(tmp.name + "*"):
                    p.unlink()
                shutil.copy(dbs[n], tmp)
            os.sync()  # else the copy's dirty pages are flushed by the child's first commit (~1 s at 100k)
            out = subprocess.run(
                [sys.executable, __file__, "--child", str(tmp), str(args.measure), "--data", args.data,
                 "--new-epoch", str(args.new_epoch), "--batch-size", str(args.batch_size),
                 *(["--save-as-run"] if args.save_as_run else [])],
                capture_output=True,
                text=True,
                env=_child_env(),
            )
            if out.returncode:
                sys.exit(f"the measured child of {tmp} failed:\n{out.stderr.strip()[-2000:]}")
            runs[n].append(json.loads(out.stdout.strip().splitlines()[-1]))
            if in_place:
                notes.append(f"{n:>7,}: measured in place ({dbs[n]} now holds the {args.measure} new articles too)")
                continue
            for p in work.glob(tmp.name + "*"):
                p.unlink()
    print("Scaling (synthetic store, see benchmarks/scale.py docstring: real dev texts re-used in epochs with")
    print("fresh ids, shifted dates, epoch-marked words/entities/numbers and rotated vectors)")
    for line in notes:
        print("  " + line)

    def med(rs: list[dict[str, Any]], key: str) -> float:
        return float(np.median([r[key] for r in rs]))

    def spread(rs: list[dict[str, Any]], key: str) -> str:
        vals = sorted(r[key] for r in rs)
        return f"{med(rs, key):.1f} ({vals[0]:.1f}-{vals[-1]:.1f})"

    print(
        f"\n{'stored':>8} {'events':>7} {'storylines':>10} {'start s':>8} {'link+write ms/art':>20}"
        f" {'of which StorylineIndex._best':>30} {'feature loads':>13} {'RSS MB':>7} {'peak MB':>8} {'load':>5}"
    )
    for n in sizes:
        rs = runs[n]
        r = rs[0]
        print(
            f"{r['articles']:>8,} {r['events']:>7,} {r['storylines']:>10,} {med(rs, 'startup_s'):>8.1f}"
            f" {spread(rs, 'ms_per_article'):>20} {spread(rs, 'storyline_best_ms'):>30} {r['feature_loads']:>13}"
            f" {med(rs, 'rss_after_mb'):>7.0f} {med(rs, 'peak_mb'):>8.0f} {med(rs, 'load'):>5.1f}"
        )
    first, big = runs[sizes[0]], runs[sizes[-1]]
    ratio = med(big, "ms_per_article") / med(first, "ms_per_article")
    rest = (med(big, "ms_per_article") - med(big, "storyline_best_ms")) / (
        med(first, "ms_per_article") - med(first, "storyline_best_ms")
    )
    startup = med(big, "startup_s") / max(1e-9, med(first, "startup_s"))
    print(
        f"\nratio {sizes[-1]:,}/{sizes[0]:,} (medians): link+write {ratio:.2f}x,"
        f" without StorylineIndex._best {rest:.2f}x, start-up {startup:.1f}x"
    )
    print(
        "constant per article (never touches the store): "
        + ", ".join(f"{k.removesuffix('_ms')} {v:.1f} ms" for k, v in stages.items())
    )
    print(
        f"{args.measure} new articles per store, in a fresh process per store; median (min-max) of {args.rounds}"
        " rounds, each round measuring every store in turn, so load from elsewhere falls on all of them alike."
    )
    print("event split checks (ms per article, calls), BLAS threads in the child: " + ", ".join(
        f"{n:,} {med(runs[n], 'split_ms'):.2f} ms, {runs[n][0].get('split_calls')}, {runs[n][0].get('blas_threads')}"
        for n in sizes if "split_ms" in runs[n][0]))
    print("CPU ms per new article (this process's, all threads) and the yardstick (ms per article to make the"
          " new articles, the same work in every child): " + ", ".join(
        f"{n:,} {med(runs[n], 'cpu_ms_per_article'):.1f} / {med(runs[n], 'yardstick_ms'):.2f} ms"
        for n in sizes if "cpu_ms_per_article" in runs[n][0]))
    print("of the CPU ms per new article: linker / store write / in the kernel: " + ", ".join(
        f"{n:,} {med(runs[n], 'link_cpu_ms'):.2f} / {med(runs[n], 'write_cpu_ms'):.2f} /"
        f" {med(runs[n], 'sys_ms_per_article'):.2f} ms" for n in sizes if "link_cpu_ms" in runs[n][0]))
    print("garbage collections in the loop: full ones (count, CPU ms per article) / younger (CPU ms per article);"
          " features held at the loop's start: " + ", ".join(
        f"{n:,} {med(runs[n], 'gc_full'):.0f}, {med(runs[n], 'gc_full_ms'):.2f} / {med(runs[n], 'gc_young_ms'):.2f} ms;"
        f" {runs[n][0].get('held_features_at_start')}" for n in sizes if "gc_full" in runs[n][0]))
    print("started from a linker snapshot: " + ", ".join(
        f"{n:,} {'yes' if runs[n][0].get('from_snapshot') else 'no'}" for n in sizes))
    print("snapshot lag at start-up, RSS after the loop (heap / mapped files), the save at the end (--save-as-run): "
          + "; ".join(_save_note(n, runs[n][0]) for n in sizes))
    print(f"articles per transaction in the measured children (--batch-size): {args.batch_size}")
    print(f"load average at the end: {os.getloadavg()[0]:.1f} (1 min), {os.getloadavg()[2]:.1f} (15 min)")
    print(f"total {time.perf_counter() - t_all:.0f} s; stores in {work}")
    if not args.work:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
    main()
