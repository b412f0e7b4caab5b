"""A fixture news site for the tests, started by the tests on 127.0.0.1 only.

Pages are built from the seeds and a small sample of the development data
(``tests/data/watch``); the site serves RSS, Atom and news sitemaps, a robots.txt that disallows a
section, and the hostile cases a real crawler meets (slow, 500, 429 with Retry-After, a redirect
loop, a huge page, broken XML, a wrong charset, a PDF). Every request is logged, so a test can check
what was fetched, when, and with which validators.
"""

from __future__ import annotations

import datetime as dt
import email.utils
import hashlib
import html
import json
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
SEEDS = ROOT / "examples" / "seeds"
SAMPLE = Path(__file__).resolve().parent / "data" / "watch" / "articles.jsonl"


def page_html(
    title: str,
    text: str,
    *,
    published: str | None = None,
    canonical: str | None = None,
    lang: str = "en",
    charset: str = "utf-8",
) -> str:
    """An article page as a news site writes it: a header menu, the story in paragraphs, a footer."""
    paras = [p.strip() for p in text.split("\n") if p.strip()]
    meta = f'<meta charset="{charset}">'
    if published:
        meta += f'<meta property="article:published_time" content="{published}">'
    if canonical:
        meta += f'<link rel="canonical" href="{html.escape(canonical)}">'
    body = "\n".join(f"<p>{html.escape(p)}</p>" for p in paras)
    return (
        f'<!DOCTYPE html><html lang="{lang}"><head>{meta}<title>{html.escape(title)}</title></head><body>'
        '<nav><a href="/">Home</a> <a href="/world/">World</a> <a href="/sport/">Sport</a></nav>'
        f"<article><h1>{html.escape(title)}</h1>{body}</article>"
        "<footer>© The Fixture Times. All rights reserved.</footer></body></html>"
    )


def sample_articles() -> list[dict[str, Any]]:
    return [json.loads(x) for x in SAMPLE.read_text(encoding="utf-8").splitlines() if x.strip()]


def seed_text(prefix: str) -> tuple[str, str]:
    """(title, text) of seed ``prefix`` ("000"…"004"): its first line is the headline."""
    path = next(SEEDS.glob(f"{prefix}_*.txt"))
    text = path.read_text(encoding="utf-8")
    return text.splitlines()[0].strip(), text


def seed_html(prefix: str) -> str:
    title, text = seed_text(prefix)
    return page_html(title, text)


# --- the site ------------------------------------------------------------------------------------


@dataclass
class Hit:
    """One request the site answered (its own log: what a crawler really did)."""

    outlet: str
    path: str
    start: float
    end: float
    status: int
    if_none_match: str | None
    if_modified_since: str | None
    user_agent: str


@dataclass
class Story:
    slug: str
    title: str
    text: str
    published: str  # ISO date or date-time
    lang: str
    in_page_date: bool = False


def _http_date(iso: str) -> str:
    d = dt.datetime.fromisoformat(iso if "T" in iso else iso + "T08:00:00+00:00")
    if d.tzinfo is None:
        d = d.replace(tzinfo=dt.UTC)
    return email.utils.format_datetime(d, usegmt=False)


Route = Callable[["_Handler"], None]


class Outlet:
    """One news site on its own 127.0.0.1 port (its own host, as far as politeness goes)."""

    def __init__(self, site: NewsSite, name: str, lang: str, robots: str = "User-agent: *\nDisallow: /private/\n"):
        self.site = site
        self.name = name
        self.lang = lang
        self.stories: list[Story] = []
        self.routes: dict[str, Route] = {}
        self.robots = robots
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
        self.server.daemon_threads = True
        self.server.outlet = self  # type: ignore[attr-defined]
        self.base = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)

    def url(self, path: str) -> str:
        return self.base + path

    def publish(self, story: Story) -> None:
        self.stories.append(story)

    # feeds: every story is listed, newest first
    def rss(self) -> str:
        items = "".join(
            f"<item><title>{html.escape(s.title)}</title><link>{self.url('/articles/' + s.slug + '.html')}"
            f"?utm_source=rss&amp;utm_medium=feed</link><guid>{s.slug}</guid>"
            f"<pubDate>{_http_date(s.published)}</pubDate></item>"
            for s in reversed(self.stories)
        )
        return (
            f'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>{html.escape(self.name)}'
            f"</title><link>{self.base}/</link><language>{self.lang}</language>{items}</channel></rss>"
        )

    def atom(self) -> str:
        entries = "".join(
            f"<entry><title>{html.escape(s.title)}</title>"
            f'<link rel="alternate" href="{self.url("/articles/" + s.slug + ".html")}#comments"/>'
            f"<id>urn:{s.slug}</id><published>{s.published if 'T' in s.published else s.published + 'T09:00:00+01:00'}"
            f"</published><updated>2026-01-01T00:00:00Z</updated></entry>"
            for s in reversed(self.stories)
        )
        return (
            f'<?xml version="1.0" encoding="utf-8"?><feed xmlns="http://www.w3.org/2005/Atom" xml:lang="{self.lang}">'
            f"<title>{html.escape(self.name)}</title><id>urn:{self.name}</id><updated>2026-01-01T00:00:00Z</updated>"
            f"{entries}</feed>"
        )

    def news_sitemap(self) -> str:
        urls = "".join(
            f"<url><loc>{self.url('/articles/' + s.slug + '.html')}</loc><news:news><news:publication>"
            f"<news:name>{html.escape(self.name)}</news:name><news:language>{self.lang}</news:language>"
            f"</news:publication><news:publication_date>{s.published}</news:publication_date>"
            f"<news:title>{html.escape(s.title)}</news:title></news:news></url>"
            for s in self.stories
        )
        return (
            '<?xml version="1.0" encoding="UTF-8"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" '
            f'xmlns:news="http://www.google.com/schemas/sitemap-news/0.9">{urls}</urlset>'
        )

    def sitemap_index(self) -> str:
        return (
            '<?xml version="1.0" encoding="UTF-8"?><sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
            f"<sitemap><loc>{self.url('/news-sitemap.xml')}</loc></sitemap></sitemapindex>"
        )

    def home(self) -> str:
        return (
            f'<html><head><title>{html.escape(self.name)}</title><link rel="alternate" type="application/rss+xml" '
            f'href="/feed.rss"></head><body><h1>{html.escape(self.name)}</h1></body></html>'
        )

    def story_page(self, slug: str) -> str | None:
        for s in self.stories:
            if s.slug == slug:
                return page_html(
                    s.title,
                    s.text,
                    published=s.published if s.in_page_date else None,
                    lang=s.lang,
                    canonical=self.url(f"/articles/{slug}.html"),
                )
        return None


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: ThreadingHTTPServer

    def log_message(self, format: str, *args: Any) -> None:  # quiet
        return

    @property
    def outlet(self) -> Outlet:
        return self.server.outlet  # type: ignore[attr-defined,no-any-return]

    def do_GET(self) -> None:
        start = time.monotonic()
        self.status = 0
        site = self.outlet.site
        with site.idle:
            site.busy += 1
        path = self.path.split("?")[0].split("#")[0]
        try:
            self._route(path)
        except (BrokenPipeError, ConnectionResetError):
            pass
        finally:
            o = self.outlet
            o.site.log.append(
                Hit(
                    o.name,
                    self.path,
                    start,
                    time.monotonic(),
                    self.status,
                    self.headers.get("If-None-Match"),
                    self.headers.get("If-Modified-Since"),
                    self.headers.get("User-Agent", ""),
                )
            )
            with site.idle:
                site.busy -= 1
                site.idle.notify_all()

    def send(
        self,
        status: int,
        body: bytes | str,
        ctype: str = "text/html; charset=utf-8",
        headers: dict[str, str] | None = None,
        validators: bool = False,
    ) -> None:
        data = body.encode("utf-8") if isinstance(body, str) else body
        extra = dict(headers or {})
        if validators and status == 200:
            tag = '"' + hashlib.sha1(data).hexdigest()[:16] + '"'
            extra["ETag"] = tag
            if self.headers.get("If-None-Match") == tag:
                status, data = 304, b""
        self.status = status
        self.send_response(status)
        if status != 304:
            self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(data)))
        for k, v in extra.items():
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(data)

    def _route(self, path: str) -> None:
        o = self.outlet
        if path in o.routes:
            o.routes[path](self)
            return
        if path == "/robots.txt":
            self.send(200, o.robots, "text/plain")
        elif path == "/":
            self.send(200, o.home())
        elif path == "/feed.rss":
            self.send(200, o.rss(), "application/rss+xml; charset=utf-8", validators=True)
        elif path == "/atom.xml":
            self.send(200, o.atom(), "application/atom+xml", validators=True)
        elif path == "/news-sitemap.xml":
            self.send(200, o.news_sitemap(), "application/xml", validators=True)
        elif path == "/sitemap-index.xml":
            self.send(200, o.sitemap_index(), "application/xml", validators=True)
        elif path.startswith("/articles/") and path.endswith(".html"):
            page = o.story_page(path[len("/articles/") : -len(".html")])
            if page is None:
                self.send(404, "<html><body>Not found</body></html>")
            else:
                self.send(200, page)
        else:
            self.send(404, "<html><body>Not found</body></html>")


class NewsSite:
    """Outlets started together; ``log`` holds every request any of them answered."""

    def __init__(self) -> None:
        self.log: list[Hit] = []
        self.outlets: dict[str, Outlet] = {}
        # A request is logged after its response is sent, so a client can read the answer before
        # the log has it: ``hits`` waits until no request is being handled.
        self.busy = 0
        self.idle = threading.Condition()

    def outlet(self, key: str, name: str, lang: str, **kw: Any) -> Outlet:
        o = Outlet(self, name, lang, **kw)
        self.outlets[key] = o
        o.thread.start()
        return o

    def hits(self, outlet: Outlet | None = None, path: str | None = None) -> list[Hit]:
        with self.idle:
            self.idle.wait_for(lambda: self.busy == 0, timeout=10)
        return [
            h
            for h in self.log
            if (outlet is None or h.outlet == outlet.name) and (path is None or h.path.split("?")[0] == path)
        ]

    def close(self) -> None:
        for o in self.outlets.values():
            o.server.shutdown()
            o.server.server_close()


# --- hostile routes -------------------------------------------------------------------------------


def slow(seconds: float) -> Route:
    def route(h: _Handler) -> None:
        time.sleep(seconds)
        h.send(200, page_html("Slow", "Too late. " * 40))

    return route


def status(code: int, headers: dict[str, str] | None = None) -> Route:
    def route(h: _Handler) -> None:
        h.send(code, "<html><body>error</body></html>", headers=headers)

    return route


def busy_then(page: str, retry_after: int = 1) -> Route:
    """429 with Retry-After the first time, the page after that."""
    state = {"n": 0}

    def route(h: _Handler) -> None:
        state["n"] += 1
        if state["n"] == 1:
            h.send(429, "slow down", "text/plain", headers={"Retry-After": str(retry_after)})
        else:
            h.send(200, page)

    return route


def redirect(to: str, code: int = 301) -> Route:
    def route(h: _Handler) -> None:
        h.send(code, "", headers={"Location": to})

    return route


def endless(declared: int | None = None) -> Route:
    """A page that never ends (or says it is ``declared`` bytes long): the client must stop it."""

    def route(h: _Handler) -> None:
        h.status = 200
        h.send_response(200)
        h.send_header("Content-Type", "text/html; charset=utf-8")
        if declared:
            h.send_header("Content-Length", str(declared))
        h.send_header("Connection", "close")
        h.end_headers()
        h.close_connection = True
        chunk = b"<p>" + b"lorem ipsum " * 5000 + b"</p>"
        sent = 0
        while sent < (declared or 50 * 1024 * 1024):
            h.wfile.write(chunk)
            sent += len(chunk)

    return route


def raw(body: bytes, ctype: str) -> Route:
    def route(h: _Handler) -> None:
        h.send(200, body, ctype)

    return route
