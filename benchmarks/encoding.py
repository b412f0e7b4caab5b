"""How much of an article to encode: quality and speed for the title + the first N characters.

    nice -n 10 python benchmarks/encoding.py [--data DIR] [--settings 1500,600,300,1000]
                                             [--draws 2] [--seed 20] [--speed-sample 32] [--cached-only]

The encoder is the whole per-article cost of a run, so what it reads is the one lever left on a
machine. For each setting (a length N: the encoder input, ``title\\nbody``, cut at N characters,
today 1500; optionally ``N:no-found-title``, where a title the cleaner found in the text, often the
lede's own first words, is left out and the body alone is encoded) this prints:

- articles/s per core: articles per CPU-second of the encoder alone (not cached) on a fixed seeded
  sample of the three sets' texts, timed in this run (CPU time counts every encoder thread, so it
  is per core, and other processes on the machine move it little);
- events BCubed F1, cross-fitted as ``benchmarks/events.py`` does for the shipped design ("refit":
  the shipped signals' weights fitted on one part and the other part linked alone with them):
  the two halves by gold event, both ways, mean; and leave-one-source-out (ViMs fitted on ECB+ and
  back), mean;
- storylines BCubed F1 and cross-lingual recall on the held-out half (every article linked in
  publish order, shipped settings, which were calibrated on the other half), as
  ``benchmarks/events.py`` reports them;
- similarity Pearson, the calibration fitted on the other half of the pairs, both ways
  (``benchmarks/similarity.py``'s cross-fit).

Each is measured on the full dev sets and on ``--draws`` disjoint seeded draws that split them
(whole gold events; storyline articles; SemEval pairs), so the spread between draws shows the
noise a difference must beat. Texts are encoded draw by draw through the shared vector cache in
small committed chunks, and each draw is scored as soon as it is encoded: a run stopped part way
keeps its encodings, and the next run (or ``--cached-only``, which encodes nothing and scores what
the cache holds) starts from them. This script re-scores the events and similarity benchmarks'
own measures, so it imports their functions rather than copying them.
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime as dt
import json
import pickle
import random
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import NamedTuple

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

import events as evb  # noqa: E402  (the events benchmark's own cross-fit)
import similarity as simb  # noqa: E402  (the similarity benchmark's own cross-fit)
from common import CACHE, half  # noqa: E402

from storyline import Pipeline, Settings  # noqa: E402
from storyline import eval as ev  # noqa: E402
from storyline.enrich.vectors import MAX_CHARS, CachedEncoder, E5Encoder, encoder_input  # noqa: E402
from storyline.link import LinkConfig  # noqa: E402
from storyline.models import Article  # noqa: E402
from storyline.sources.jsonl import parse_record  # noqa: E402

RULES = ("title", "no-found-title")
CHUNK = 16  # texts per encoder call: each call's vectors are committed to the cache


class Sets(NamedTuple):
    """One scope (the full dev sets, or one draw): its articles and gold."""

    events: list[Article]
    egold: dict[str, str]
    storylines: list[Article]
    sgold: dict[str, str]
    pairs: simb.Loaded


class Scores(NamedTuple):
    events_halves: float
    events_loso: float
    storylines_f1: float
    storylines_xl: float
    similarity: float


def prepared(path: Path, keep: Callable[[dict], bool]) -> list[Article]:
    """The pipeline's clean + enrich, without vectors (each setting encodes its own)."""
    with open(path, encoding="utf-8") as fh:
        rows = [r for r in (json.loads(x) for x in fh if x.strip()) if keep(r)]
    pipe = Pipeline(Settings(db=":memory:"))
    return pipe.prepare([parse_record(r, f"{path.name}:{r['id']}") for r in rows], vectors=False)


def load_sets(data: Path, keep: Path | None) -> Sets:
    """The full dev sets through the pipeline's clean + enrich (minutes of CPU: thousands of
    articles). With ``keep``, they are read from that file if it exists and written there if
    not, so a resumed run starts at once; the file is only valid for the code and data that
    wrote it (delete it after changing either)."""
    if keep is not None and keep.exists():
        with open(keep, "rb") as fh:
            return Sets(*pickle.load(fh))  # our own file, written below
    egold = {g["id"]: g["event"] for g in evb.read_gold(data / "events/gold.jsonl")}
    earts = prepared(data / "events/articles.jsonl", lambda r: r["id"] in egold)
    sgold = {g["id"]: g["storyline"] for g in evb.read_gold(data / "storylines/gold.jsonl")}
    sarts = prepared(data / "storylines/articles.jsonl", lambda r: r["id"] in sgold)
    full = Sets(earts, {a.id: egold[a.id] for a in earts}, sarts, {a.id: sgold[a.id] for a in sarts}, simb.load(data))
    if keep is not None:
        with open(keep.with_suffix(".tmp"), "wb") as fh:
            pickle.dump(tuple(full), fh)
        keep.with_suffix(".tmp").replace(keep)
    return full


def pair_subset(loaded: simb.Loaded, idx: Sequence[int]) -> simb.Loaded:
    """The pairs at ``idx`` (in order), as if the file held only them."""
    ids = {x.id for i in idx for x in (loaded.a[i], loaded.b[i])}
    return simb.Loaded(
        [loaded.pairs[i] for i in idx],
        [loaded.y[i] for i in idx],
        [loaded.names[i] for i in idx],
        [loaded.a[i] for i in idx],
        [loaded.b[i] for i in idx],
        [loaded.unknown[i] for i in idx],
        frozenset(loaded.templated & ids),
    )


def split(full: Sets, draws: int, rng: random.Random) -> list[Sets]:
    """``draws`` disjoint seeded draws covering the full sets: gold events whole (so each draw's
    events are complete clusters), storyline articles and SemEval pairs one by one."""
    names = sorted(set(full.egold.values()))
    rng.shuffle(names)
    ev_draw = {n: k % draws for k, n in enumerate(names)}
    sids = sorted(full.sgold)
    rng.shuffle(sids)
    sl_draw = {i: k % draws for k, i in enumerate(sids)}
    pix = list(range(len(full.pairs.pairs)))
    rng.shuffle(pix)
    out = []
    for d in range(draws):
        e = [a for a in full.events if ev_draw[full.egold[a.id]] == d]
        s = [a for a in full.storylines if sl_draw[a.id] == d]
        out.append(Sets(
            e, {a.id: full.egold[a.id] for a in e},
            s, {a.id: full.sgold[a.id] for a in s},
            pair_subset(full.pairs, sorted(i for k, i in enumerate(pix) if k % draws == d)),
        ))
    return out


def texts_of(s: Sets, rule: str) -> list[str]:
    found = rule == "title"
    arts = s.events + s.storylines + s.pairs.a + s.pairs.b
    return [encoder_input(a, found_title=found) for a in arts]


def missing(enc: CachedEncoder, texts: Sequence[str]) -> list[str]:
    """The distinct texts the cache has no vector for."""
    keys = [enc._key(t) for t in texts]
    have: set[str] = set()
    for i in range(0, len(keys), 500):
        chunk = keys[i : i + 500]
        q = f"SELECT k FROM vec WHERE k IN ({','.join('?' * len(chunk))})"
        have.update(r[0] for r in enc._db.execute(q, chunk))
    return list({k: t for k, t in zip(keys, texts, strict=True) if k not in have}.values())


def with_vectors(arts: Sequence[Article], enc: CachedEncoder, rule: str) -> list[Article]:
    vecs = enc.encode([encoder_input(a, found_title=rule == "title") for a in arts])
    return [dataclasses.replace(a, vector=v) for a, v in zip(arts, vecs, strict=True)]


def events_scores(arts: Sequence[Article], gold: dict[str, str], cfg: LinkConfig) -> tuple[float, float]:
    """Cross-fitted BCubed F1 of the shipped design (halves by gold event), and
    leave-one-source-out, each a mean of two (``benchmarks/events.py``'s "refit" column)."""
    keep = tuple((k, v) for k, v in cfg.weights if k == "crosslingual")
    out = []
    for groups in (
        (lambda i: half(gold[i]) == 0, lambda i: half(gold[i]) == 1),
        (lambda i: i.startswith("vims-"), lambda i: i.startswith("ecb-")),
    ):
        f1s = []
        for inside in groups:
            test = [a for a in arts if inside(a.id)]
            train = [a for a in arts if not inside(a.id)]
            gt, gr = {a.id: gold[a.id] for a in test}, {a.id: gold[a.id] for a in train}
            w = evb.fit_weights(train, gr, evb.SHIPPED, quiet=True, missing=False)
            c = dataclasses.replace(cfg, weights=w + keep)
            f1s.append(ev.bcubed(evb.run_linker(test, c)[0], gt).f1)
        out.append(float(np.mean(f1s)))
    return out[0], out[1]


def storyline_scores(arts: Sequence[Article], gold: dict[str, str], langs: dict[str, str]) -> tuple[float, float]:
    arts = sorted(arts, key=lambda a: (a.published or dt.date.max, a.id))
    _, pred, _ = evb.run_linker(arts, LinkConfig())
    g = {i: s for i, s in gold.items() if half(i) == 1}
    return ev.bcubed(pred, g).f1, ev.crosslingual_recall(pred, g, langs)[0]


def score(s: Sets, enc: CachedEncoder, rule: str, langs: dict[str, str], cached_only: bool) -> Scores:
    """The scope's scores; with ``cached_only``, a set whose vectors are not all in the cache yet is
    left unscored (nan), so a partial run still reports what it completed."""
    nan = float("nan")
    ef = el = sf = sx = sim = nan

    def ready(arts: Sequence[Article]) -> bool:
        texts = [encoder_input(a, found_title=rule == "title") for a in arts]
        return not cached_only or not missing(enc, texts)

    if ready(s.events):
        ef, el = events_scores(with_vectors(s.events, enc, rule), s.egold, LinkConfig())
    if ready(s.storylines):
        sf, sx = storyline_scores(with_vectors(s.storylines, enc, rule), s.sgold, langs)
    p = s.pairs
    if ready(p.a + p.b):
        p = p._replace(a=with_vectors(p.a, enc, rule), b=with_vectors(p.b, enc, rule))
        sim = ev.pearson(simb.crossfitted(p), p.y)
    return Scores(ef, el, sf, sx, sim)


def speed(texts: Sequence[str], chars: int) -> float:
    """Articles per CPU-second of the encoder alone (no cache), this process's CPU time."""
    enc = E5Encoder(max_chars=chars)
    enc.encode(texts[:2])  # load and warm up
    t = time.process_time()
    for i in range(0, len(texts), CHUNK):
        enc.encode(texts[i : i + CHUNK])
    return len(texts) / max(time.process_time() - t, 1e-9)


def size(s: Sets) -> str:
    held = sum(half(i) == 1 for i in s.sgold)
    return (f"events {len(s.events)} articles / {len(set(s.egold.values()))} gold events, storylines "
            f"{len(s.storylines)} ({held} held out), similarity {len(s.pairs.pairs)} pairs")


def line(label: str, x: Scores) -> str:
    return (f"  {label:<22} events {x.events_halves:.3f} / {x.events_loso:.3f}  storylines "
            f"{x.storylines_f1:.3f} / {x.storylines_xl:.3f}  similarity {x.similarity:.3f}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--data", type=Path, default=ROOT.parent / "shared/data")
    ap.add_argument("--settings", default="1500,600,300,1000",
                    help="LENGTH[:RULE],... in the order run (rules: title, the default; no-found-title)")
    ap.add_argument("--draws", type=int, default=4, help="disjoint draws splitting the full sets (the noise band)")
    ap.add_argument("--speed-sample", type=int, default=32, help="texts timed per length, without the cache")
    ap.add_argument("--cached-only", action="store_true", help="encode nothing; score what the cache holds")
    ap.add_argument("--prepared", type=Path, help="keep the prepared sets in this file (read it if it exists)")
    ap.add_argument("--seed", type=int, default=20)
    args = ap.parse_args()
    plan = [(int(x.split(":")[0]), [*x.split(":"), "title"][1]) for x in args.settings.split(",")]
    if bad := [r for _, r in plan if r not in RULES]:
        ap.error(f"unknown title rule {bad[0]!r}; known: {', '.join(RULES)}")
    if args.draws < 1:
        ap.error(f"--draws {args.draws}: need at least 1")
    rng = random.Random(args.seed)

    t0 = time.perf_counter()
    full = load_sets(args.data, args.prepared)
    langs = {g["id"]: g["lang"] for g in evb.read_gold(args.data / "storylines/gold.jsonl")}
    draws = split(full, args.draws, rng)
    print(f"prepared in {time.perf_counter() - t0:.0f} s. full: {size(full)}", flush=True)
    for d, s in enumerate(draws, 1):
        print(f"  draw {d}: {size(s)}", flush=True)
    timed = rng.sample(texts_of(full, "title"), args.speed_sample)

    table = []
    for chars, rule in plan:
        label = f"{chars}{'' if rule == 'title' else ' ' + rule}"
        rate = float("nan")
        if rule == "title" and not args.cached_only:
            rate = speed(timed, chars)
            print(f"{label}: {rate:.2f} articles per CPU-second ({len(timed)} texts, not cached)", flush=True)
        enc = CachedEncoder(E5Encoder(max_chars=chars), CACHE)
        got: dict[str, Scores] = {}
        for d, s in enumerate([*draws, full], 1):
            name = "full" if d > len(draws) else f"draw {d}"
            todo = missing(enc, texts_of(s, rule))
            if todo and args.cached_only:
                print(f"  {label} {name}: {len(todo)} texts not encoded yet (sets lacking any: nan)", flush=True)
            elif todo:
                t, c = time.perf_counter(), time.process_time()
                for i in range(0, len(todo), CHUNK):
                    enc.encode(todo[i : i + CHUNK])
                print(f"  {label} {name}: encoded {len(todo)} texts in {time.perf_counter() - t:.0f} s "
                      f"({len(todo) / max(time.process_time() - c, 1e-9):.2f} per CPU-second)", flush=True)
            got[name] = score(s, enc, rule, langs, args.cached_only)
            print(line(f"{label} {name}", got[name]), flush=True)
        table.append((label, chars == MAX_CHARS and rule == "title", rate, got))

    print("\nENCODING LENGTH  (title + body cut at N characters; * = today's setting)")
    print("  events: BCubed F1 cross-fitted halves / leave-one-source-out; storylines: held-out half, BCubed F1 /")
    print("  cross-lingual recall; similarity: Pearson, calibration cross-fitted; speed: encoder alone, articles")
    print("  per CPU-second; spread: max - min over the draws")
    for label, star, rate, got in table:
        sp = "" if rate != rate else f"{rate:.2f} art/s/core"
        print(f" {label}{'*' if star else ''} {sp}")
        for name, x in got.items():
            print(line(name, x))
        cols = zip(*[x for n, x in got.items() if n != "full"], strict=True)
        done = [[v for v in col if v == v] for col in cols]  # nan: not scored
        print(line("spread", Scores(*(max(v) - min(v) if len(v) >= 2 else float("nan") for v in done))))


if __name__ == "__main__":
    main()
