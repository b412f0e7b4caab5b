"""Web and API latency on big stores: p50/p95 per page and per API call, under a few concurrent
clients on loopback, with 10k and 100k stored articles.

    python benchmarks/web.py [--sizes 10000 100000] [--clients 4] [--requests 60]

The stores are SYNTHETIC, to keep building them fast: the five seed texts, cleaned and enriched
once by the real pipeline, are copied with fresh ids, random publish dates and outlets, RANDOM
vectors and random event/storyline assignments (4 articles per event, 10 events per storyline),
and written straight through the store (no linking). The full-text index is then built the way
`storyline serve` builds it, and the real `storyline serve` answers on 127.0.0.1 only.
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime as dt
import os
import random
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import httpx2
import numpy as np
from servers import free_port, wait_healthy

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from storyline import Pipeline, RawArticle, open_store  # noqa: E402
from storyline.models import Article, Assignment, Event, Storyline  # noqa: E402

OUTLETS = ["Reuters", "AP", "AFP", "BBC", "DW", "VnExpress", "Tuoi Tre", "Anadolu", "TASS", "Le Monde",
           "El País", "Der Spiegel", "NHK", "Al Jazeera", "The Guardian", "Bloomberg", "Kyiv Post", "Hürriyet"]
PER_EVENT, EVENTS_PER_STORYLINE, CHUNK = 4, 10, 2000
QUERIES = ["S-400", "Turkey", "Erdogan", "NATO sanctions", "Thổ Nhĩ Kỳ", "Biden", "Russia air defence", "Ankara"]


def seed_articles() -> list[Article]:
    raws = [RawArticle(id=p.stem, origin=str(p), text=p.read_text(encoding="utf-8"))
            for p in sorted((ROOT / "examples" / "seeds").glob("*.txt"))]
    return Pipeline().prepare(raws, vectors=False)


def build(db: Path, n: int, seeds: list[Article]) -> float:
    t0 = time.perf_counter()
    rng = random.Random(n)
    nrng = np.random.default_rng(n)
    st = open_store(db)
    start = dt.date(2016, 1, 1)
    for lo in range(0, n, CHUNK):
        arts, asg, evs, sls = [], [], [], []
        ev_members: dict[str, list[Article]] = {}
        for i in range(lo, min(n, lo + CHUNK)):
            e, s = i // PER_EVENT, i // (PER_EVENT * EVENTS_PER_STORYLINE)
            base = start + dt.timedelta(days=(s * 7919) % 3000)
            day = base + dt.timedelta(days=(e % EVENTS_PER_STORYLINE) * rng.randint(1, 20))
            vec = nrng.standard_normal(384).astype(np.float32)
            a = dataclasses.replace(seeds[i % len(seeds)], id=f"syn-{i:07d}", published=day,
                                    source=rng.choice(OUTLETS), vector=vec / np.linalg.norm(vec))
            arts.append(a)
            asg.append(Assignment(a.id, f"ev-{e:07d}", f"sl-{s:06d}"))
            ev_members.setdefault(f"ev-{e:07d}", []).append(a)
        sl_events: dict[str, list[Event]] = {}
        for eid, members in ev_members.items():
            sid = f"sl-{int(eid[3:]) // EVENTS_PER_STORYLINE:06d}"
            dates = [m.published for m in members if m.published]
            ev = Event(eid, sid, members[0].title, members[0].lang, tuple(m.id for m in members),
                       tuple(sorted({m.lang for m in members})), tuple(sorted({m.source or "" for m in members})),
                       min(dates), max(dates))
            evs.append(ev)
            sl_events.setdefault(sid, []).append(ev)
        for sid, es in sl_events.items():
            langs = tuple(sorted({lg for e in es for lg in e.languages}))
            sls.append(Storyline(sid, f"Synthetic storyline {sid}", tuple(e.id for e in es),
                                 sum(len(e.article_ids) for e in es), langs,
                                 min(e.first for e in es if e.first), max(e.last for e in es if e.last)))
        st.write_batch(arts, asg, evs, sls)
    st.close()
    return time.perf_counter() - t0


def measure(base: str, n: int, clients: int, requests: int) -> dict[str, list[float]]:
    rng = random.Random(7)
    n_ev, n_sl = n // PER_EVENT, n // (PER_EVENT * EVENTS_PER_STORYLINE)
    targets = {
        "page /": lambda: "/",
        "page /storylines/{id}": lambda: f"/storylines/sl-{rng.randrange(n_sl):06d}",
        "page /events/{id}": lambda: f"/events/ev-{rng.randrange(n_ev):07d}",
        "page /articles/{id}": lambda: f"/articles/syn-{rng.randrange(n):07d}",
        "page /search?q=": lambda: "/search?q=" + rng.choice(QUERIES),
        "api /api/storylines": lambda: f"/api/storylines?offset={rng.randrange(0, 200)}",
        "api /api/storylines/{id}/timeline": lambda: f"/api/storylines/sl-{rng.randrange(n_sl):06d}/timeline",
        "api /api/events/{id}": lambda: f"/api/events/ev-{rng.randrange(n_ev):07d}",
        "api /api/articles/{id}": lambda: f"/api/articles/syn-{rng.randrange(n):07d}",
        "api /api/search?q=": lambda: "/api/search?q=" + rng.choice(QUERIES),
        "api /api/search?q=&lang=&from=": lambda: "/api/search?lang=vi&from=2018-01-01&q=" + rng.choice(QUERIES),
    }
    out: dict[str, list[float]] = {}
    for name, make in targets.items():
        urls = [make() for _ in range(requests)]
        times: list[float] = []
        lock = threading.Lock()

        def worker(part: list[str], times: list[float] = times, lock: threading.Lock = lock) -> None:
            with httpx2.Client(base_url=base, timeout=120) as c:
                for u in part:
                    t0 = time.perf_counter()
                    r = c.get(u)
                    dt_ = time.perf_counter() - t0
                    if r.status_code != 200:
                        raise SystemExit(f"{u}: HTTP {r.status_code} {r.text[:200]}")
                    with lock:
                        times.append(dt_)

        ths = [threading.Thread(target=worker, args=(urls[i::clients],)) for i in range(clients)]
        for t in ths:
            t.start()
        for t in ths:
            t.join()
        out[name] = times
    return out


def pct(xs: list[float], q: float) -> float:
    s = sorted(xs)
    return s[min(len(s) - 1, round(q * (len(s) - 1)))] * 1000


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000])
    ap.add_argument("--clients", type=int, default=4)
    ap.add_argument("--requests", type=int, default=60, help="requests per endpoint")
    ap.add_argument("--workdir", default=None, help="keep the synthetic stores here (reused when present)")
    args = ap.parse_args()
    work = Path(args.workdir or tempfile.mkdtemp(prefix="storyline-webbench-"))
    work.mkdir(parents=True, exist_ok=True)
    print("SYNTHETIC stores: seed texts copied with fresh ids/dates/outlets, random vectors and random "
          f"event/storyline assignments, inserted through the store directly. {args.clients} concurrent "
          f"clients, {args.requests} requests per endpoint, server `storyline serve` on 127.0.0.1.")
    seeds = seed_articles()
    results: dict[int, dict[str, list[float]]] = {}
    for n in args.sizes:
        db = work / f"web-{n}.db"
        if not db.exists():
            secs = build(db, n, seeds)
            print(f"built {n:,} articles in {secs:.1f} s ({db.stat().st_size / 1e6:.0f} MB)")
        port = free_port()
        t0 = time.perf_counter()
        proc = subprocess.Popen([sys.executable, "-m", "storyline", "serve", "--db", str(db), "--host", "127.0.0.1",
                                 "--port", str(port)], cwd=work, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                                env={**os.environ, "COLUMNS": "200"})
        base = f"http://127.0.0.1:{port}"
        try:
            wait_healthy(base, proc, seconds=1800)  # a big store builds its search index first
            print(f"{n:,} articles: server ready in {time.perf_counter() - t0:.1f} s (incl. search index build)")
            measure(base, n, args.clients, 3)  # warm up
            results[n] = measure(base, n, args.clients, args.requests)
        finally:
            proc.terminate()
            proc.wait(10)
    names = list(next(iter(results.values())))
    head = f"| {'endpoint':34} |" + "".join(f" {f'{n // 1000}k p50 ms':>11} | {f'{n // 1000}k p95 ms':>11} |"
                                             for n in results)
    print()
    print(head)
    print("|" + "-" * 36 + "|" + "-------------|" * (2 * len(results)))
    for name in names:
        row = f"| {name:34} |"
        for n in results:
            xs = results[n][name]
            row += f" {pct(xs, 0.5):11.1f} | {pct(xs, 0.95):11.1f} |"
        print(row)
    print("\nmedian of all requests: " + ", ".join(
        f"{n:,}: {statistics.median([x for v in r.values() for x in v]) * 1000:.1f} ms" for n, r in results.items()))


if __name__ == "__main__":
    main()
