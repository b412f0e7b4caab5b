"""What a reader meets on the pages of a big store, measured in Chromium: this checkout beside
another (``--against DIR``, e.g. /work/main) serving the *same* store, at 1,400 px and 360 px.

    python benchmarks/page_views.py --db STORE.db [--against /work/main]

Build the store once from the dev storylines (``storyline run ../shared/data/storylines/articles.jsonl
--db dev.db``); both checkouts serve it read-only, each from its own code. Measured per checkout:

- where the biggest storyline sits on the home page as first opened (page, position);
- the biggest storyline's page: its height, event rows shown at once, the share of the
  storyline's span the timeline axis covers, "source N" links, year labels on the axis;
- for home, that storyline, its biggest event, an article and a search: junk a reader sees
  (PTB escapes, raw entity keys, "1 storylines") and sideways overflow at 360 px.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
JUNK = re.compile(r"-[LR]RB-|``|\bsource \d\b|\b(?:name|place|org|person):[A-Za-z]"
                  r"|\b1 (?:storylines|events|articles)\b")


def serve(checkout: Path, db: Path) -> tuple[subprocess.Popen[bytes], str]:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    code = (f"import uvicorn; from storyline.app import create_app; "
            f"uvicorn.run(create_app({str(db)!r}, read_only=True), host='127.0.0.1', port={port}, log_level='warning')")
    env = {**os.environ, "PYTHONPATH": str(checkout)}
    proc = subprocess.Popen([sys.executable, "-c", code], env=env, cwd=str(checkout))
    base = f"http://127.0.0.1:{port}"
    for _ in range(240):
        try:
            urllib.request.urlopen(base + "/api/stats", timeout=2)
            return proc, base
        except OSError:
            time.sleep(0.5)
    proc.kill()
    raise SystemExit(f"{checkout}: the server never answered")


def measure(browser: Any, base: str, width: int) -> dict[str, Any]:
    def get(path: str) -> Any:
        return json.load(urllib.request.urlopen(base + path, timeout=60))

    items = get("/api/storylines?limit=200")["items"]
    big = max(items, key=lambda s: s["article_count"])
    out: dict[str, Any] = {}
    pg = browser.new_page(viewport={"width": width, "height": 900})
    junk: list[str] = []
    over: list[str] = []

    def visit(name: str, path: str) -> str:
        pg.goto(base + path, timeout=120_000)
        text = pg.inner_text("body")
        junk.extend(f"{name}: {m}" for m in JUNK.findall(text))
        if pg.evaluate("document.documentElement.scrollWidth") > width:
            over.append(name)
        return str(text)

    visit("home", "/")
    where = "not on page 1"
    hrefs = pg.locator("a.card-title").evaluate_all("els => els.map(e => e.getAttribute('href'))")
    if f"/storylines/{big['id']}" in hrefs:
        where = f"page 1, #{hrefs.index('/storylines/' + big['id']) + 1}"
    out["biggest storyline on home"] = where
    visit("storyline", f"/storylines/{big['id']}")
    out["storyline page height px"] = pg.evaluate("document.documentElement.scrollHeight")
    out["event rows shown"] = pg.locator(".event-row").evaluate_all(
        "els => els.filter(e => e.checkVisibility()).length")
    out["'source N' links"] = pg.locator("a", has_text=re.compile(r"^source \d+$")).count()
    texts = pg.locator(".tl-axis svg text").evaluate_all(
        "els => els.filter(e => e.getBoundingClientRect().width > 0).map(e => e.textContent)")
    out["years labelled on the axis"] = " ".join(sorted({t for t in texts if re.fullmatch(r"\d{4}", t or "")}))
    entries = pg.locator(".tl-entry").evaluate_all("els => els.map(e => e.dataset.date)")
    first, last = big["first"], big["last"]
    if entries and first and last:
        full = (dt.date.fromisoformat(last) - dt.date.fromisoformat(first)).days or 1
        if pg.locator(".tl-svg").count():  # the server-drawn axis spans the storyline's articles
            shown = full
        else:  # the script-drawn axis spans the timeline's entries
            shown = (dt.date.fromisoformat(max(entries)) - dt.date.fromisoformat(min(entries))).days
        out["axis covers the storyline's span"] = f"{shown / full:.0%}"
    ev = max(get(f"/api/storylines/{big['id']}")["events"], key=lambda e: e["article_count"])
    visit("event", f"/events/{ev['id']}")
    art = get(f"/api/events/{ev['id']}")["articles"][0]["id"]
    visit("article", f"/articles/{urllib.request.quote(art, safe='')}")
    visit("search", "/search?q=Gaddafi")
    visit("home ?page=0", "/?page=0")
    visit("home ?page=99", "/?page=99")
    out["?page=99 says 'No storylines yet'"] = "No storylines yet" in pg.inner_text("body")
    out["junk seen"] = len(junk)
    out["pages wider than the window"] = ", ".join(over) or "none"
    pg.close()
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--db", type=Path, required=True)
    ap.add_argument("--against", type=Path, help="another checkout to measure beside this one")
    args = ap.parse_args()
    from playwright.sync_api import sync_playwright

    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    runs = [("this checkout", ROOT)] + ([("against", args.against)] if args.against else [])
    results: dict[str, dict[str, dict[str, Any]]] = {}
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium, args=["--no-sandbox", "--disable-gpu"])
        for name, checkout in runs:
            proc, base = serve(checkout, args.db.resolve())
            try:
                results[name] = {f"{w}px": measure(browser, base, w) for w in (1400, 360)}
            finally:
                proc.terminate()
                proc.wait(20)
        browser.close()
    for width in ("1400px", "360px"):
        print(f"\n| {width} | " + " | ".join(n for n, _ in runs) + " |")
        print("|---|" + "---|" * len(runs))
        for key in results["this checkout"][width]:
            print(f"| {key} | " + " | ".join(str(results[n][width].get(key, "—")) for n, _ in runs) + " |")


if __name__ == "__main__":
    main()
