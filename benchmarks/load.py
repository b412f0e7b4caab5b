"""A bounded load test of `storyline serve` on loopback: N concurrent clients for T seconds, reads
and uploads mixed, reporting requests served, errors (must be 0), and p50/p95 latency per kind.

    python benchmarks/load.py [--clients 50] [--seconds 60] [--upload-share 0.1] [--db STORE]

Without --db it builds a store from a dev-data sample first (vectors from benchmarks/.cache).
The server is a real `storyline serve` subprocess on 127.0.0.1 and a free port; the clients are
httpx2 async. Reads cover the API (lists, a storyline with its timeline, events, articles, search,
stats) and the pages; an upload is a small new article posted as a .txt file (202, queued for the
pipeline's single ingest worker, which also runs during the test). Any status >= 400 other than
the expected ones, and any transport error, counts as an error.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

import httpx2
from servers import free_port, status_mib, wait_healthy

ROOT = Path(__file__).resolve().parents[1]
CACHE = ROOT / "benchmarks" / ".cache" / "vectors.sqlite"
WORDS = ["Ankara", "Moscow", "grain", "corridor", "talks", "Tuesday", "officials", "ministers", "agreed",
         "extend", "shipments", "port", "Odesa", "ceasefire", "sanctions", "summit", "delegation", "statement"]


def build_store(data: Path, n: int, db: Path) -> None:
    src = db.with_suffix(".jsonl")
    with (data / "events" / "articles.jsonl").open(encoding="utf-8") as fh, src.open("w", encoding="utf-8") as out:
        for i, line in enumerate(fh):
            if i >= n:
                break
            out.write(line)
    env = {**os.environ, "PYTHONPATH": str(ROOT), "STORYLINE_VECTOR_CACHE": str(CACHE)}
    subprocess.run([sys.executable, "-m", "storyline", "run", str(src), "--db", str(db)], env=env, check=True, cwd=ROOT,
                   capture_output=True)


class Stats:
    def __init__(self) -> None:
        self.lat: dict[str, list[float]] = defaultdict(list)
        self.errors: dict[str, int] = defaultdict(int)
        self.samples: list[str] = []

    def add(self, kind: str, seconds: float, ok: bool, why: str = "") -> None:
        self.lat[kind].append(seconds)
        if not ok:
            self.errors[kind] += 1
            if len(self.samples) < 5:
                self.samples.append(f"{kind}: {why}")


async def one_client(c: httpx2.AsyncClient, rng: random.Random, stop: float, st: Stats, ids: dict[str, list[str]],
                     upload_share: float, n: int) -> None:
    k = 0
    while time.monotonic() < stop:
        k += 1
        roll = rng.random()
        if roll < upload_share:
            kind = "upload"
            words = " ".join(rng.choice(WORDS) for _ in range(60))
            files = {"files": (f"load-{n}-{k}.txt", f"Load test article {n}-{k}. {words}.".encode(), "text/plain")}
            req = c.post("/api/uploads", files=files)
            want = {202}
        else:
            kind, url = rng.choice([
                ("api:storylines", "/api/storylines?limit=20"),
                ("api:storyline", "/api/storylines/{sl}"),
                ("api:timeline", "/api/storylines/{sl}/timeline"),
                ("api:event", "/api/events/{ev}"),
                ("api:article", "/api/articles/{art}"),
                ("api:search", "/api/search?q={q}"),
                ("api:stats", "/api/stats"),
                ("page:home", "/"),
                ("page:storyline", "/storylines/{sl}"),
                ("page:article", "/articles/{art}"),
            ])
            url = url.format(sl=rng.choice(ids["sl"]), ev=rng.choice(ids["ev"]), art=rng.choice(ids["art"]),
                             q=rng.choice(WORDS))
            req = c.get(url)
            want = {200}
        t0 = time.perf_counter()
        try:
            r = await req
            st.add(kind, time.perf_counter() - t0, r.status_code in want, f"{r.status_code} {r.text[:120]}")
        except httpx2.HTTPError as e:
            st.add(kind, time.perf_counter() - t0, False, f"{type(e).__name__}: {e}")


async def drive(base: str, clients: int, seconds: float, upload_share: float, seed: int) -> Stats:
    st = Stats()
    limits = httpx2.Limits(max_connections=clients, max_keepalive_connections=clients)
    async with httpx2.AsyncClient(base_url=base, timeout=60, limits=limits) as c:
        sls = (await c.get("/api/storylines?limit=200")).json()["items"]
        evs = (await c.get("/api/events?limit=200")).json()["items"]
        arts = (await c.get("/api/articles?limit=200")).json()["items"]
        ids = {"sl": [s["id"] for s in sls], "ev": [e["id"] for e in evs], "art": [a["id"] for a in arts]}
        stop = time.monotonic() + seconds
        await asyncio.gather(*(one_client(c, random.Random(seed + i), stop, st, ids, upload_share, i)
                               for i in range(clients)))
    return st


def pct(xs: list[float], p: float) -> float:
    if not xs:
        return float("nan")
    xs = sorted(xs)
    return xs[min(len(xs) - 1, round(p / 100 * (len(xs) - 1)))] * 1000


def main(argv: list[str] | None = None) -> dict[str, Any]:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--clients", type=int, default=50)
    ap.add_argument("--seconds", type=float, default=60)
    ap.add_argument("--upload-share", type=float, default=0.1)
    ap.add_argument("--db", type=Path, help="A store to serve (copied first; never written)")
    ap.add_argument("--articles", type=int, default=200, help="Sample size when building a store")
    ap.add_argument("--data", type=Path, default=ROOT.parent / "shared" / "data")
    ap.add_argument("--seed", type=int, default=19)
    a = ap.parse_args(argv)
    work = Path(tempfile.mkdtemp(prefix="storyline-load-"))
    db = work / "load.db"
    if a.db:
        shutil.copy(a.db, db)
    else:
        print(f"building a store from {a.articles} dev-data articles…", file=sys.stderr)
        build_store(a.data, a.articles, db)
    port = free_port()
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    server = subprocess.Popen([sys.executable, "-m", "storyline", "serve", "--db", str(db), "--port", str(port)],
                              env=env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    base = f"http://127.0.0.1:{port}"
    try:
        wait_healthy(base, server)
        t0 = time.perf_counter()
        st = asyncio.run(drive(base, a.clients, a.seconds, a.upload_share, a.seed))
        wall = time.perf_counter() - t0
        rss = status_mib(server.pid, "VmHWM")
        alive = server.poll() is None
    finally:
        server.terminate()
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
        shutil.rmtree(work, ignore_errors=True)
    every = [x for xs in st.lat.values() for x in xs]
    errors = sum(st.errors.values())
    print("| kind | requests | errors | p50 ms | p95 ms |\n|---|---|---|---|---|")
    for kind in sorted(st.lat):
        xs = st.lat[kind]
        print(f"| {kind} | {len(xs)} | {st.errors.get(kind, 0)} | {pct(xs, 50):.0f} | {pct(xs, 95):.0f} |")
    print(f"| **all** | {len(every)} | {errors} | {pct(every, 50):.0f} | {pct(every, 95):.0f} |")
    print(f"\n{a.clients} clients for {wall:.0f} s: {len(every) / wall:.1f} requests/s; server peak RSS "
          f"{rss:.0f} MiB; server alive at the end: {alive}")
    for s in st.samples:
        print("error sample:", s)
    out = {"requests": len(every), "errors": errors, "p50_ms": pct(every, 50), "p95_ms": pct(every, 95),
           "rps": len(every) / wall, "rss_mib": rss, "alive": alive}
    print(json.dumps(out))
    return out


if __name__ == "__main__":
    res = main()
    sys.exit(0 if res["errors"] == 0 and res["alive"] else 1)
