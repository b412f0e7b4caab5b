"""How much of an article to encode: quality and speed for the title + the first N characters.

    nice -n 10 python benchmarks/encoding.py [--data DIR] [--settings 1500:title,600:title,...]
                                             [--events-share 0.12] [--storylines-share 0.1] [--pairs 80]

The encoder is the whole per-article cost of a run, so what it reads is the one lever left on a
machine. For each length (the encoder input, ``title\\nbody``, cut at N characters: today 1500) and
each title rule (``title``: the title is encoded with the body, as today; ``no-found-title``: a
title the cleaner found in the text, often the lede's own first words, is left out and the body
alone is encoded), this prints:

- articles/s per core: articles per CPU-second of the encoder alone, on a fixed sample of event
  articles encoded without the cache (CPU time, so other processes on the machine do not move it);
- events BCubed F1, cross-fitted: the six signals' weights and the event threshold fitted on one
  half of the gold events and scored on the other, both ways (as benchmarks/events.py), mean of
  the two halves; beside it leave-one-source-out (ViMs fit on ECB+ and back), mean of the two;
- storylines BCubed F1 and cross-lingual recall on the held-out half, shipped settings (as
  benchmarks/events.py reports them; those settings were calibrated on the other half);
- similarity Pearson, cross-fitted (the calibration fitted on the other half of the pairs, as
  benchmarks/similarity.py).

Every setting sees the same seeded sample (its sizes are printed): whole gold events, storyline
articles, SemEval pairs. New encodings go to the shared vector cache, so a second run is fast.
This script re-scores the events and similarity benchmarks' own measures, so it imports their
functions rather than copying them.
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime as dt
import json
import random
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path

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


class Counting:
    """The encoder, counting the texts it actually encodes (the cache's misses)."""

    def __init__(self, inner: E5Encoder) -> None:
        self.inner, self.name, self.dim, self.max_chars, self.texts = inner, inner.name, inner.dim, inner.max_chars, 0

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        self.texts += len(texts)
        return self.inner.encode(texts)


def prepared(path: Path, keep: Callable[[dict], bool]) -> list[Article]:
    """The pipeline's clean + enrich, without vectors (each setting encodes its own)."""
    with open(path, encoding="utf-8") as fh:
        rows = [r for r in (json.loads(x) for x in fh if x.strip()) if keep(r)]
    pipe = Pipeline(Settings(db=":memory:"))
    return pipe.prepare([parse_record(r, f"{path.name}:{r['id']}") for r in rows], vectors=False)


def sampled_pairs(data: Path, n: int, rng: random.Random) -> tuple[simb.Loaded, int]:
    """A seeded sample of the SemEval dev pairs, loaded as ``storyline similarity`` reads a file
    of them (``similarity.load`` on a copy holding only the sample), and how many pairs there are."""
    import tempfile

    lines = (data / "similarity/pairs.jsonl").read_text(encoding="utf-8").splitlines()
    keep = {json.loads(x)["pair_id"] for x in rng.sample([x for x in lines if x.strip()], n)}
    with tempfile.TemporaryDirectory() as tmp:
        (Path(tmp) / "similarity").mkdir()
        for name in ("pairs.jsonl", "gold.jsonl"):
            rows = (data / "similarity" / name).read_text(encoding="utf-8").splitlines()
            picked = [x for x in rows if x.strip() and json.loads(x)["pair_id"] in keep]
            (Path(tmp) / "similarity" / name).write_text("\n".join(picked) + "\n", encoding="utf-8")
        return simb.load(Path(tmp)), len(lines)


def with_vectors(arts: Sequence[Article], enc: CachedEncoder, rule: str) -> list[Article]:
    texts = [encoder_input(a, found_title=rule == "title") for a in arts]
    vecs = enc.encode(texts)
    return [dataclasses.replace(a, vector=v) for a, v in zip(arts, vecs, strict=True)]


def events_scores(arts: Sequence[Article], gold: dict[str, str], cfg: LinkConfig) -> tuple[float, float]:
    """Cross-fitted BCubed F1 (halves by gold event) and leave-one-source-out, each a mean of two."""
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
            c = dataclasses.replace(cfg, weights=evb.fit_weights(train, gr, quiet=True) + keep)
            c = evb._fit_threshold(train, gr, c)
            f1s.append(ev.bcubed(evb.run_linker(test, c)[0], gt).f1)
        out.append(float(np.mean(f1s)))
    return out[0], out[1]


def storyline_scores(arts: Sequence[Article], gold: dict[str, str], langs: dict[str, str]) -> tuple[float, float]:
    arts = sorted(arts, key=lambda a: (a.published or dt.date.max, a.id))
    _, pred, _ = evb.run_linker(arts, LinkConfig())
    g = {i: s for i, s in gold.items() if half(i) == 1}
    return ev.bcubed(pred, g).f1, ev.crosslingual_recall(pred, g, langs)[0]


def speed(texts: Sequence[str], chars: int) -> float:
    """Articles per CPU-second of the encoder alone (no cache), this process's CPU time."""
    enc = E5Encoder(max_chars=chars)
    enc.encode(texts[:2])  # load and warm up
    t = time.process_time()
    enc.encode(texts)
    return len(texts) / max(time.process_time() - t, 1e-9)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--data", type=Path, default=ROOT.parent / "shared/data")
    ap.add_argument(
        "--settings",
        default="1500:title,1500:no-found-title,600:title,1000:title,300:title,600:no-found-title",
        help="LENGTH:RULE,... in the order run (rules: title, no-found-title)",
    )
    ap.add_argument("--events-share", type=float, default=0.12, help="share of gold events sampled (whole events)")
    ap.add_argument("--storylines-share", type=float, default=0.1, help="share of storyline articles sampled")
    ap.add_argument("--pairs", type=int, default=80, help="SemEval dev pairs sampled")
    ap.add_argument("--speed-sample", type=int, default=16, help="texts timed per length, without the cache")
    ap.add_argument("--seed", type=int, default=20)
    args = ap.parse_args()
    plan = [(int(x.split(":")[0]), x.split(":")[1]) for x in args.settings.split(",")]
    if bad := [r for _, r in plan if r not in RULES]:
        ap.error(f"unknown title rule {bad[0]!r}; known: {', '.join(RULES)}")
    rng = random.Random(args.seed)

    # --- the samples, the same for every setting --------------------------------------------
    egold = {g["id"]: g["event"] for g in evb.read_gold(args.data / "events/gold.jsonl")}
    names = sorted(set(egold.values()))
    chosen = set(rng.sample(names, round(len(names) * args.events_share)))
    earts = prepared(args.data / "events/articles.jsonl", lambda r: egold.get(r["id"]) in chosen)
    egold = {a.id: egold[a.id] for a in earts}
    sg = evb.read_gold(args.data / "storylines/gold.jsonl")
    sids = sorted(g["id"] for g in sg)
    skeep = set(rng.sample(sids, round(len(sids) * args.storylines_share)))
    sgold = {g["id"]: g["storyline"] for g in sg if g["id"] in skeep}
    slangs = {g["id"]: g["lang"] for g in sg}
    sarts = prepared(args.data / "storylines/articles.jsonl", lambda r: r["id"] in skeep)
    sub, total = sampled_pairs(args.data, args.pairs, rng)
    found = lambda xs: sum(a.title_source == "text" for a in xs)  # noqa: E731
    print(
        f"sample (seed {args.seed}): events {len(earts)} articles in {len(chosen)} of {len(names)} gold events; "
        f"storylines {len(sarts)} of {len(sids)} articles ({sum(half(i) == 1 for i in sgold)} held out); "
        f"similarity {len(sub.pairs)} of {total} pairs.\n"
        f"titles found in the text (what no-found-title leaves out): events {found(earts)}, "
        f"storylines {found(sarts)}, pair sides {found(sub.a) + found(sub.b)}",
        flush=True,
    )
    timed = [encoder_input(a) for a in rng.sample(earts, args.speed_sample)]

    rows = []
    for chars, rule in plan:
        enc = Counting(E5Encoder(max_chars=chars))
        cached = CachedEncoder(enc, CACHE)
        t = time.perf_counter()
        e = with_vectors(earts, cached, rule)
        s = with_vectors(sarts, cached, rule)
        a = with_vectors(sub.a, cached, rule)
        b = with_vectors(sub.b, cached, rule)
        secs = time.perf_counter() - t
        ef, el = events_scores(e, egold, LinkConfig())
        sf, sx = storyline_scores(s, sgold, slangs)
        sim = ev.pearson(simb.crossfitted(sub._replace(a=a, b=b)), sub.y)
        rate = speed(timed, chars) if rule == "title" else float("nan")
        rows.append((chars, rule, rate, ef, el, sf, sx, sim))
        print(
            f"  done {chars} {rule}: {enc.texts} new encodings in {secs:.0f} s; "
            f"events {ef:.3f}/{el:.3f} storylines {sf:.3f}/{sx:.3f} similarity {sim:.3f}",
            flush=True,
        )

    print("\nENCODING LENGTH  (title + body cut at N characters; * = today's setting)")
    print("  events F1: cross-fitted halves / leave-one-source-out; storylines: held-out half, shipped settings;")
    print("  similarity: Pearson, calibration cross-fitted; speed: encoder alone, articles per CPU-second")
    print(f"  {'length':>7} {'title rule':<15} {'art/s/core':>10}  {'events F1':>15}  {'storylines F1 / xl-recall':>25}"
          f"  {'similarity r':>12}")
    for chars, rule, rate, ef, el, sf, sx, sim in rows:
        mark = "*" if chars == MAX_CHARS and rule == "title" else " "
        sp = "" if rate != rate else f"{rate:.2f}"
        print(f"  {chars:>6}{mark} {rule:<15} {sp:>10}  {ef:>7.3f} / {el:.3f}  {sf:>15.3f} / {sx:.3f}  {sim:>12.3f}")


if __name__ == "__main__":
    main()
