"""Reposts cost nothing to encode: a feed-like input with verbatim reposts, run with and without
reusing the vector of an identical input, with the real encoder (no vector cache).

    nice -n 10 python benchmarks/reposts.py [--data DIR] [--articles 16] [--reposts 6] [--new 6]

A seeded sample of the storylines dev articles (dated, several outlets) stands for a day's feed;
``--reposts`` of them come again under other ids and outlets (an aggregator reposting wire copy),
some in the same batch as their original and some later. Printed: articles stored, texts the
encoder was handed, CPU seconds of the whole run, and events formed, for both runs (the events
must be the same: a reused vector is the one the model gives). Also: how many articles of the dev
sets repeat another's text exactly (how common verbatim copies are in collected news).

Then across processes ("the next day"): the feed's articles are stored by one run; a later run
with a new pipeline (nothing in memory, as after a restart) gets ``--reposts`` of them again under
other ids plus ``--new`` articles not seen before, once with the store's vectors taken for inputs
it already holds (``vectors.StoredVectors``) and once without. Printed as above, and whether the
two stores end with the same assignments.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import random
import shutil
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import storyline.pipeline as pipeline_module  # noqa: E402
from storyline import Pipeline, Settings  # noqa: E402
from storyline.enrich.vectors import E5Encoder  # noqa: E402
from storyline.store import open_store  # noqa: E402


class Counting:
    """The real encoder, counting the texts it is handed."""

    def __init__(self) -> None:
        self.inner = E5Encoder()
        self.name, self.dim, self.max_chars, self.texts = self.inner.name, self.inner.dim, self.inner.max_chars, 0

    def encode(self, texts: Any) -> Any:
        self.texts += len(texts)
        return self.inner.encode(texts)


@contextlib.contextmanager
def no_store_vectors() -> Iterator[None]:
    """Runs inside take no vector from the store: every input not in memory is encoded."""
    real = pipeline_module.StoredVectors
    pipeline_module.StoredVectors = lambda inner, lookup: inner  # type: ignore[assignment,misc,return-value]
    try:
        yield
    finally:
        pipeline_module.StoredVectors = real  # type: ignore[misc]


def run(path: Path, db: Path, reuse: bool) -> tuple[int, int, float, int]:
    enc = Counting()
    pipe = Pipeline(Settings(db=str(db), batch_size=8), encoder=enc)
    t = time.process_time()
    if reuse:
        s = pipe.run([path])
    else:
        pipe._encoder = enc  # type: ignore[assignment]  # the bare encoder: every input encoded, as before
        with no_store_vectors():
            s = pipe.run([path])
    return s.added, enc.texts, time.process_time() - t, s.events


def write(path: Path, rows: list[dict[str, Any]]) -> Path:
    path.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in rows) + "\n", encoding="utf-8")
    return path


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--data", type=Path, default=ROOT.parent / "shared/data")
    ap.add_argument("--articles", type=int, default=16)
    ap.add_argument("--reposts", type=int, default=6)
    ap.add_argument("--new", type=int, default=6, help="articles not seen before in the later run")
    ap.add_argument("--seed", type=int, default=20)
    args = ap.parse_args()
    rng = random.Random(args.seed)

    for name in ("events", "storylines"):
        with open(args.data / name / "articles.jsonl", encoding="utf-8") as fh:
            texts = Counter(" ".join(json.loads(x)["text"].split()) for x in fh if x.strip())
        total = sum(texts.values())
        print(f"{name} dev set: {total - len(texts)} of {total} articles repeat another's text exactly")

    with open(args.data / "storylines/articles.jsonl", encoding="utf-8") as fh:
        rows = [json.loads(x) for x in fh if x.strip()]
    picked = rng.sample(rows, args.articles + args.new)
    feed, fresh = picked[: args.articles], picked[args.articles :]
    originals = list(feed)
    copies = [{**r, "id": f"repost-{r['id']}", "source": "Aggregator"} for r in rng.sample(feed, args.reposts)]
    for c in copies:  # each repost lands a little after its original (same batch or a later one)
        feed.insert(min(len(feed), feed.index(next(r for r in feed if r["id"] == c["id"][7:])) + rng.randint(1, 12)), c)
    with tempfile.TemporaryDirectory() as tmp:
        path = write(Path(tmp) / "feed.jsonl", feed)
        print(f"\nREPOSTS  feed of {len(feed)} articles ({args.reposts} verbatim reposts), batches of 8, no cache")
        print(f"  {'':<22} {'stored':>6} {'encoded':>8} {'CPU s':>7} {'events':>7}")
        # A first run loads what any run loads once (language models, gazetteer): not counted.
        warm = Path(tmp) / "warm.jsonl"
        warm.write_text(json.dumps({**feed[0], "id": "warm-up"}, ensure_ascii=False) + "\n", encoding="utf-8")
        run(warm, Path(tmp) / "warm.db", True)
        got = {}
        for reuse in (False, True):
            got[reuse] = run(path, Path(tmp) / f"{reuse}.db", reuse)
            added, enc, cpu, events = got[reuse]
            label = "reuse identical input" if reuse else "encode every article"
            print(f"  {label:<22} {added:>6} {enc:>8} {cpu:>7.1f} {events:>7}")
        saved = 1 - got[True][2] / got[False][2]
        print(f"  CPU saved: {saved:.0%} (reposts are {args.reposts / len(feed):.0%} of the feed); "
              f"events identical: {got[True][3] == got[False][3]}")

        # The next day, in a new pipeline (a restart): reposts of stored articles, and new ones.
        day1 = Path(tmp) / "day1.db"
        run(write(Path(tmp) / "day1.jsonl", originals), day1, True)
        reposted = rng.sample(originals, args.reposts)
        again = [{**r, "id": f"next-day-{r['id']}", "source": "Aggregator"} for r in reposted]
        day2 = again + fresh
        rng.shuffle(day2)
        path2 = write(Path(tmp) / "day2.jsonl", day2)
        print(f"\nNEXT DAY, NEW PROCESS  {len(originals)} articles stored; {len(day2)} arrive: {args.reposts} "
              f"reposts of stored ones, {args.new} new")
        print(f"  {'':<22} {'stored':>6} {'encoded':>8} {'CPU s':>7} {'events':>7}")
        later = {}
        for reuse in (False, True):
            db = Path(tmp) / f"day2-{reuse}.db"
            shutil.copy(day1, db)
            later[reuse] = run(path2, db, reuse)
            added, enc, cpu, events = later[reuse]
            label = "take stored vectors" if reuse else "encode every article"
            print(f"  {label:<22} {added:>6} {enc:>8} {cpu:>7.1f} {events:>7}")
        same = []
        for reuse in (False, True):
            st = open_store(str(Path(tmp) / f"day2-{reuse}.db"), readonly=True)
            same.append(st.assignments())
            st.close()
        print(f"  CPU saved: {1 - later[True][2] / later[False][2]:.0%} (reposts are {args.reposts / len(day2):.0%} "
              f"of the day's articles); assignments identical: {same[0] == same[1]}")


if __name__ == "__main__":
    main()
