"""The HTTP client and the listing parsers against the fixture news site (127.0.0.1 only):
robots.txt, politeness seen in the server's own log, conditional GET, retries, limits, and every
error named with its reason."""

from __future__ import annotations

import itertools
import threading
import time
from collections.abc import Iterator

import pytest
from newsite import (
    NewsSite,
    Outlet,
    Story,
    busy_then,
    endless,
    page_html,
    raw,
    redirect,
    sample_articles,
    slow,
    status,
)

from storyline.errors import FetchError, InputError
from storyline.fetch import Fetcher, FetchOptions
from storyline.fetch.client import retry_after
from storyline.sources.feeds import FEED_TYPES, parse_listing
from storyline.sources.pages import HTML_TYPES, page_article

FAST = FetchOptions(delay=0.2, timeout=0.5, total_timeout=2.0, retries=1, backoff=0.05, max_bytes=1024 * 1024)


@pytest.fixture
def site() -> Iterator[tuple[NewsSite, Outlet]]:
    s = NewsSite()
    o = s.outlet("en", "The Fixture Times", "en")
    for i, a in enumerate(sample_articles()[:3]):
        o.publish(Story(f"story-{i}", a["text"].split("\n")[0][:60], a["text"], a["published"], "en"))
    yield s, o
    s.close()


def test_robots_txt_is_obeyed_and_the_user_agent_says_who_we_are(site: tuple[NewsSite, Outlet]) -> None:
    s, o = site
    with Fetcher(FAST) as f:
        with pytest.raises(FetchError, match=r"robots\.txt disallows") as e:
            f.get(o.url("/private/secret.html"))
        assert e.value.kind == "robots"
        r = f.get(o.url("/articles/story-0.html"), accept=HTML_TYPES)
        assert r.status == 200 and b"<article>" in r.content
    assert not s.hits(o, "/private/secret.html")
    assert len(s.hits(o, "/robots.txt")) == 1  # read once, cached
    assert all(h.user_agent.startswith("storyline/") for h in s.log)


def test_an_unchanged_feed_costs_a_304(site: tuple[NewsSite, Outlet]) -> None:
    s, o = site
    with Fetcher(FAST) as f:
        first = f.get(o.url("/feed.rss"), accept=FEED_TYPES)
        again = f.get(o.url("/feed.rss"), accept=FEED_TYPES, etag=first.etag)
        assert first.status == 200 and first.etag and again.not_modified and again.content == b""
        o.publish(Story("new", "A new story", "Text " * 50, "2026-01-02", "en"))
        changed = f.get(o.url("/feed.rss"), accept=FEED_TYPES, etag=first.etag)
        assert changed.status == 200 and b"A new story" in changed.content
    assert [h.status for h in s.hits(o, "/feed.rss")] == [200, 304, 200]
    assert s.hits(o, "/feed.rss")[1].if_none_match == first.etag


def test_one_request_at_a_time_per_host_with_the_delay_between(site: tuple[NewsSite, Outlet]) -> None:
    s, o = site
    other = s.outlet("es", "El Diario", "es")
    other.publish(Story("uno", "Uno", "Texto " * 50, "2026-01-02", "es"))
    with Fetcher(FAST) as f:
        jobs = [o.url(f"/articles/story-{i % 3}.html") for i in range(6)] + [other.url("/articles/uno.html")] * 3
        threads = [threading.Thread(target=f.get, args=(u,)) for u in jobs]
        t0 = time.monotonic()
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        took = time.monotonic() - t0
    for outlet in (o, other):
        hits = sorted(s.hits(outlet), key=lambda h: h.start)
        for a, b in itertools.pairwise(hits):
            assert b.start >= a.end, "two requests at once to one host"
            assert b.start - a.start >= FAST.delay * 0.95, "less than the delay between two requests"
    # the two hosts were served side by side: 7 requests to one host take ~6 delays, not 11
    assert took < FAST.delay * 9


def test_429_is_retried_after_the_time_the_site_asks(site: tuple[NewsSite, Outlet]) -> None:
    s, o = site
    o.routes["/busy.html"] = busy_then(page_html("Busy", "Finally here. " * 30), retry_after=1)
    with Fetcher(FAST) as f:
        r = f.get(o.url("/busy.html"))
    assert r.status == 200 and r.requests == 2
    first, second = s.hits(o, "/busy.html")
    assert first.status == 429 and second.start - first.end >= 0.95
    assert retry_after("120") == 120.0 and retry_after("Wed, 21 Oct 2015 07:28:00 GMT", now=1445412470.0) == 10.0


def test_errors_are_named_and_bounded(site: tuple[NewsSite, Outlet]) -> None:
    s, o = site
    o.routes.update(
        {
            "/500.html": status(500),
            "/busy-long.html": status(503, {"Retry-After": "86400"}),
            "/loop-a": redirect("/loop-b"),
            "/loop-b": redirect("/loop-a"),
            "/moved.html": redirect("/articles/story-1.html?utm_campaign=x"),
            "/huge.html": endless(),
            "/huge-declared.html": endless(declared=50 * 1024 * 1024),
            "/slow.html": slow(1.5),
            "/report.pdf": raw(b"%PDF-1.4\n" + b"0" * 2000, "application/pdf"),
            "/gone.xml": status(404),
        }
    )
    want = {
        "/500.html": ("server", "HTTP 500"),
        "/busy-long.html": ("busy", "come back in 86400 s"),
        "/loop-a": ("redirect", "redirect loop"),
        "/huge.html": ("size", "larger than 1 MiB"),
        "/huge-declared.html": ("size", "page is 50 MiB"),
        "/slow.html": ("timeout", "no answer within 0.5 s"),
        "/report.pdf": ("type", "Content-Type application/pdf"),
        "/gone.xml": ("http", "HTTP 404"),
    }
    with Fetcher(FAST) as f:
        for path, (kind, reason) in want.items():
            t0 = time.monotonic()
            with pytest.raises(FetchError) as e:
                f.get(o.url(path), accept=HTML_TYPES)
            assert e.value.kind == kind and reason in e.value.reason, (path, e.value.reason)
            assert time.monotonic() - t0 < 5, f"{path} took too long to give up"
        moved = f.get(o.url("/moved.html"), accept=HTML_TYPES)
    assert moved.final_url == o.url("/articles/story-1.html") and moved.requests == 2
    assert len(s.hits(o, "/500.html")) == 2  # one retry
    assert len(s.hits(o, "/busy-long.html")) == 1  # not retried: the site asked for a day
    assert len(s.hits(o, "/loop-a")) == 1 and len(s.hits(o, "/loop-b")) == 1


def test_robots_txt_answering_5xx_means_nothing_is_fetched() -> None:
    s = NewsSite()
    o = s.outlet("x", "Down", "en")
    o.routes["/robots.txt"] = status(503)
    try:
        with Fetcher(FAST) as f, pytest.raises(FetchError, match=r"robots\.txt answers HTTP 503"):
            f.get(o.url("/articles/a.html"))
        assert not s.hits(o, "/articles/a.html")
    finally:
        s.close()


def test_a_page_in_the_wrong_charset_is_read_right() -> None:
    text = "Le président a déclaré à Damas que la répression continuerait. " * 5
    data = page_html("Damas", text, lang="fr", charset="utf-8").encode("latin-1")
    raw_article = page_article("http://127.0.0.1:1/a.html", data, content_type="text/html; charset=utf-8")
    assert raw_article.html and "président a déclaré à Damas" in raw_article.html
    bogus = page_article("http://127.0.0.1:1/b.html", text.encode("utf-8"), content_type="text/html; charset=x-klingon")
    assert bogus.html == text


def test_listings_rss_atom_sitemaps_and_discovery(site: tuple[NewsSite, Outlet]) -> None:
    _, o = site
    rss = parse_listing(o.rss().encode(), o.url("/feed.rss"))
    assert rss.kind == "rss" and rss.title == "The Fixture Times" and len(rss.items) == 3
    first = rss.items[-1]
    assert first.url == o.url("/articles/story-0.html")  # tracking parameters dropped
    assert first.published and first.published.startswith(sample_articles()[0]["published"])
    atom = parse_listing(o.atom().encode(), o.url("/atom.xml"))
    assert atom.kind == "atom" and atom.items[-1].url == o.url("/articles/story-0.html")  # fragment dropped
    assert atom.items[-1].published.startswith(sample_articles()[0]["published"])  # type: ignore[union-attr]
    sm = parse_listing(o.news_sitemap().encode(), o.url("/news-sitemap.xml"))
    assert sm.kind == "sitemap" and sm.items[0].lang == "en" and sm.items[0].title
    idx = parse_listing(o.sitemap_index().encode(), o.url("/sitemap-index.xml"))
    assert idx.kind == "sitemapindex" and idx.sitemaps == (o.url("/news-sitemap.xml"),)
    home = parse_listing(o.home().encode(), o.url("/"), "text/html")
    assert home.kind == "html" and home.feeds == (o.url("/feed.rss"),)
    for bad, reason in (
        (b'<?xml version="1.0"?><rss version="2.0"><channel><item><title>x</ti', "broken feed XML"),
        (b'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"><url><loc>x</url>', "broken sitemap XML"),
        (b'{"json": true}', "not a feed, sitemap or HTML page"),
        (b"", "empty"),
    ):
        with pytest.raises(InputError, match=reason):
            parse_listing(bad, o.url("/bad.xml"))
