"""Following the news (issue 18): the fetch overhead, latency, politeness costs, restarts and WARC,
measured against a fixture news site on 127.0.0.1 (tests/newsite.py), from one run.

    nice python benchmarks/watch.py [--data ../shared/data] [--feeds 50] [--articles 100] [--warc-mb 1024]

Rows:
- articles/minute followed from the fixture site (``watch --once``, default politeness: 1 s per
  host, 8 hosts at once) beside ``storyline run`` on the same pages as .html files;
- requests per new article, and the share of 304s when the feeds are polled again unchanged;
- time from an item appearing in a feed to its article being stored and linked (median, p95),
  with a 10 s poll interval (at the default 15 min interval add about half the interval);
- duplicates stored after three restarts, one of them kill -9 (must be 0);
- WARC: pages/s read and peak memory on a ``--warc-mb`` archive made from the dev data, and
  articles/s through the whole pipeline on its first pages.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import random
import resource
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))

from newsite import NewsSite, Story, page_html  # noqa: E402

from storyline import Pipeline, Settings, open_store  # noqa: E402
from storyline.watch import Watcher  # noqa: E402


def load(p: Path) -> list[dict[str, Any]]:
    return [json.loads(x) for x in p.read_text(encoding="utf-8").splitlines() if x.strip()]


def title_of(text: str) -> str:
    return text.split("\n")[0][:80].strip()


def build_site(arts: list[dict[str, Any]], feeds: int) -> NewsSite:
    site = NewsSite()
    for i in range(feeds):
        site.outlet(f"o{i}", f"Outlet {i}", "en")
    outs = list(site.outlets.values())
    for j, a in enumerate(arts):
        o = outs[j % feeds]
        o.publish(Story(f"a{j}", title_of(a["text"]), a["text"], a["published"], a.get("lang") or "en"))
    return site


def sources_file(site: NewsSite, path: Path, interval: str = "15m", extra: str = "") -> Path:
    lines = []
    for i, o in enumerate(site.outlets.values()):
        feed = "/feed.rss" if i % 2 == 0 else "/atom.xml"
        lines.append(f'[[source]]\nurl = "{o.url(feed)}"\nname = "{o.name}"\ninterval = "{interval}"\n')
    path.write_text("\n".join(lines) + extra, encoding="utf-8")
    return path


def throughput(arts: list[dict[str, Any]], feeds: int, tmp: Path) -> list[tuple[str, str, str]]:
    rows = []
    site = build_site(arts, feeds)
    try:
        src = sources_file(site, tmp / "s.toml")
        pipe = Pipeline(Settings(db=str(tmp / "watch.db")))
        pipe.encoder  # noqa: B018  (load the model outside the timings, for both sides)
        t0 = time.perf_counter()
        with Watcher(pipe, src) as w:
            first = w.run_pass()
            watch_s = time.perf_counter() - t0
            n0 = len(site.log)
            second = w.run_pass(force=True)
        again = site.log[n0:]
        listing_hits = [h for h in again if h.path in ("/feed.rss", "/atom.xml")]
        share304 = sum(1 for h in listing_hits if h.status == 304) / max(1, len(listing_hits))
        # the same pages as files
        pages = tmp / "pages"
        pages.mkdir()
        for o in site.outlets.values():
            for s in o.stories:
                (pages / f"{o.name.replace(' ', '_')}-{s.slug}.html").write_text(o.story_page(s.slug) or "", "utf-8")
        pipe2 = Pipeline(Settings(db=str(tmp / "files.db")))
        pipe2._encoder = pipe.encoder
        t1 = time.perf_counter()
        summary = pipe2.run([pages])
        run_s = time.perf_counter() - t1
        rows.append(("articles/minute, watch --once vs run on files",
                     f"{first.added / watch_s * 60:.1f} ({first.added} in {watch_s:.1f} s, {feeds} feeds)",
                     f"{summary.added / run_s * 60:.1f} ({summary.added} in {run_s:.1f} s)"))
        rows.append(("requests per new article (robots + feeds + pages)", f"{first.requests / max(1, first.added):.2f}",
                     "1 page + 2 per host"))
        rows.append(("304 share on unchanged feeds (second pass)", f"{share304:.0%} of {len(listing_hits)}",
                     f"{second.added} added"))
    finally:
        site.close()
    return rows


def latency(arts: list[dict[str, Any]], tmp: Path, n: int = 8) -> tuple[str, str, str]:
    site = build_site(arts[:4], 4)
    try:
        src = sources_file(site, tmp / "lat.toml", interval="10s")
        pipe = Pipeline(Settings(db=str(tmp / "lat.db")))
        stop = threading.Event()
        w = Watcher(pipe, src, stop=stop)
        w.run_pass()  # the backlog
        th = threading.Thread(target=w.run, daemon=True)
        th.start()
        outs = list(site.outlets.values())
        appeared: dict[str, float] = {}
        rnd = random.Random(7)
        extra = arts[4 : 4 + n]
        for k, a in enumerate(extra):
            time.sleep(rnd.uniform(0.5, 4.0))
            o = outs[k % len(outs)]
            o.publish(Story(f"late{k}", title_of(a["text"]), a["text"], a["published"], "en"))
            appeared[o.url(f"/articles/late{k}.html")] = time.monotonic()
        seen: dict[str, float] = {}
        store = open_store(tmp / "lat.db", readonly=True)
        deadline = time.monotonic() + 120
        while len(seen) < len(appeared) and time.monotonic() < deadline:
            urls = {a.url for a in store.articles(with_body=False)}
            for u in appeared:
                if u in urls and u not in seen:
                    seen[u] = time.monotonic()
            time.sleep(0.2)
        stop.set()
        th.join(timeout=60)
        w.close()
        lat = sorted(seen[u] - appeared[u] for u in seen)
        p95 = lat[min(len(lat) - 1, round(0.95 * (len(lat) - 1)))] if lat else float("nan")
        return ("item in feed → article stored and linked (10 s interval)",
                f"median {statistics.median(lat):.1f} s, p95 {p95:.1f} s ({len(lat)}/{n})",
                "≈ interval/2 + fetch + pipeline")
    finally:
        site.close()


def restarts(arts: list[dict[str, Any]], tmp: Path) -> tuple[str, str, str]:
    site = build_site(arts[:30], 3)
    try:
        src = sources_file(site, tmp / "r.toml", interval="5s", extra="\n[watch]\ndelay = 0.3\n")
        cmd = [sys.executable, "-m", "storyline", "watch", str(src), "--db", "r.db"]
        env = {**os.environ, "PYTHONPATH": str(ROOT)}

        def fetched() -> int:
            return len([h for h in site.log if "/articles/" in h.path])

        def start_until(k: int) -> subprocess.Popen[bytes]:
            p = subprocess.Popen(cmd, cwd=tmp, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            deadline = time.monotonic() + 180
            while fetched() < k and p.poll() is None and time.monotonic() < deadline:
                time.sleep(0.05)
            return p

        p = start_until(8)
        p.send_signal(signal.SIGKILL)
        p.wait()
        p = start_until(16)
        p.send_signal(signal.SIGTERM)
        p.wait(timeout=120)
        p = start_until(24)
        p.send_signal(signal.SIGINT)
        p.wait(timeout=120)
        subprocess.run([*cmd, "--once"], cwd=tmp, env=env, capture_output=True, timeout=600)
        st = open_store(tmp / "r.db", readonly=True)
        got = list(st.articles(with_body=False))
        urls = [a.url for a in got]
        dups = len(urls) - len(set(urls))
        twice = fetched() - len(set(h.path for h in site.log if "/articles/" in h.path))
        return ("duplicates stored after 3 restarts (kill -9, SIGTERM, Ctrl-C)",
                f"{dups} ({len(got)}/30 stored; {twice} page(s) fetched twice)", "0")
    finally:
        site.close()


def warc_rows(arts: list[dict[str, Any]], tmp: Path, mb: int) -> list[tuple[str, str, str]]:
    from warcio.statusandheaders import StatusAndHeaders
    from warcio.warcwriter import WARCWriter

    path = tmp / "big.warc.gz"
    t0 = time.perf_counter()
    written = 0
    k = 0
    with path.open("wb") as fh:
        w = WARCWriter(fh, gzip=True)
        while path.stat().st_size < mb * 1024 * 1024:
            a = arts[k % len(arts)]
            body = page_html(title_of(a["text"]), a["text"], published=a["published"]).encode("utf-8")
            http = StatusAndHeaders("200 OK", [("Content-Type", "text/html; charset=utf-8")], protocol="HTTP/1.1")
            rec = w.create_warc_record(f"https://news.example/{k}.html", "response", payload=io.BytesIO(body),
                                       http_headers=http)
            w.write_record(rec)
            written += 1
            k += 1
            if k % 2000 == 0:
                fh.flush()
    made = time.perf_counter() - t0
    size = path.stat().st_size / 1024 / 1024
    code = (
        "import sys,time,resource\n"
        "from pathlib import Path\n"
        "from storyline.sources.warc import read_warc\n"
        "base=resource.getrusage(resource.RUSAGE_SELF).ru_maxrss\n"
        "t=time.perf_counter(); n=sum(1 for _ in read_warc(Path(sys.argv[1])))\n"
        "s=time.perf_counter()-t\n"
        "print(n, s, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, base)\n"
    )
    out = subprocess.run([sys.executable, "-c", code, str(path)], capture_output=True, text=True,
                         env={**os.environ, "PYTHONPATH": str(ROOT)}, check=True).stdout.split()
    n, secs, rss, base = int(out[0]), float(out[1]), int(out[2]) / 1024, int(out[3]) / 1024
    # the whole pipeline on a small archive of the same pages
    small = tmp / "small.warc.gz"
    with small.open("wb") as fh:
        w = WARCWriter(fh, gzip=True)
        for j, a in enumerate(arts[:60]):
            body = page_html(title_of(a["text"]), a["text"], published=a["published"]).encode("utf-8")
            http = StatusAndHeaders("200 OK", [("Content-Type", "text/html")], protocol="HTTP/1.1")
            w.write_record(w.create_warc_record(f"https://news.example/s{j}.html", "response",
                                                payload=io.BytesIO(body), http_headers=http))
    pipe = Pipeline(Settings(db=str(tmp / "warc.db")))
    pipe.encoder  # noqa: B018
    t1 = time.perf_counter()
    s = pipe.run([small])
    ps = time.perf_counter() - t1
    return [
        (f"WARC read: pages/s on a {size:.0f} MB .warc.gz ({written} pages, made in {made:.0f} s)",
         f"{n / secs:.0f} pages/s ({secs:.0f} s)", f"peak RSS {rss:.0f} MB ({base:.0f} MB after imports)"),
        ("WARC through the whole pipeline (60 pages)", f"{s.added / ps:.2f} articles/s", "encoder-bound"),
    ]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data", type=Path, default=ROOT.parent / "shared" / "data")
    ap.add_argument("--feeds", type=int, default=50)
    ap.add_argument("--articles", type=int, default=100)
    ap.add_argument("--warc-mb", type=int, default=1024)
    ap.add_argument("--skip", nargs="*", default=[], help="throughput latency restarts warc")
    args = ap.parse_args()
    arts = [a for a in load(args.data / "storylines" / "articles.jsonl") if a.get("text")]
    random.Random(1).shuffle(arts)
    rows: list[tuple[str, str, str]] = []
    with tempfile.TemporaryDirectory() as d:
        tmp = Path(d)
        steps = {
            "throughput": lambda: throughput(arts[: args.articles], args.feeds, tmp / "t"),
            "latency": lambda: [latency(arts[200:], tmp / "l")],
            "restarts": lambda: [restarts(arts[400:], tmp / "r")],
            "warc": lambda: warc_rows(arts, tmp / "w", args.warc_mb),
        }
        for name, step in steps.items():
            if name in args.skip:
                continue
            (tmp / name[0]).mkdir(exist_ok=True)
            t = time.perf_counter()
            got = step()
            rows.extend(got)
            print(f"  {name}: {time.perf_counter() - t:.0f} s", file=sys.stderr, flush=True)
    width = max(len(r[0]) for r in rows)
    print(f"{'measure':<{width}}  project  |  baseline / note")
    for m, p, b in rows:
        print(f"{m:<{width}}  {p}  |  {b}")
    print(f"(peak RSS of this process {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB)")


if __name__ == "__main__":
    main()
