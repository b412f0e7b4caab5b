"""``storyline watch`` against the fixture news site (127.0.0.1 only): what was stored, with which
dates, outlets and URLs; what was not fetched (robots.txt, pages seen before, unchanged feeds);
errors recorded against their source with the reason; politeness in the server's own log; and a
restart that resumes with nothing fetched twice."""

from __future__ import annotations

import itertools
import json
import os
import signal
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from newsite import NewsSite, Outlet, Story, endless, page_html, raw, redirect, sample_articles, seed_text, slow, status

from storyline import urls
from storyline.errors import UsageError
from storyline.pipeline import Pipeline
from storyline.store.watchstate import WatchState
from storyline.watch import Watcher, load_sources, parse_interval

ROOT = Path(__file__).resolve().parents[1]
FAST = """
[watch]
delay = 0.1
timeout = 0.5
total_timeout = 2.0
retries = 1
backoff = 0.05
max_page_mb = 1
"""


@pytest.fixture(scope="module")
def pipe() -> Pipeline:
    return Pipeline()


def _title(text: str) -> str:
    return text.split("\n")[0][:70].strip()


@pytest.fixture
def site() -> Iterator[NewsSite]:
    s = NewsSite()
    arts = sample_articles()
    names = {"en": "The Fixture Times", "es": "El Diario Fixture", "fr": "Le Journal Fixture"}
    for lang in ("en", "es", "fr"):
        o = s.outlet(lang, names[lang], lang)
        for i, a in enumerate(x for x in arts if x["lang"] == lang):
            o.publish(Story(f"{lang}-{i}", _title(a["text"]), a["text"], a["published"], lang))
    h = s.outlet("bad", "The Hostile Herald", "en")
    h.routes.update(
        {
            "/feed.rss": lambda r: r.send(200, _hostile_rss(h), "application/rss+xml"),
            "/slow.html": slow(1.5),
            "/500.html": status(500),
            "/loop-a": redirect("/loop-b"),
            "/loop-b": redirect("/loop-a"),
            "/huge.html": endless(),
            "/report.pdf": raw(b"%PDF-1.4\n" + b"0" * 3000, "application/pdf"),
            "/latin1.html": raw(
                page_html("Damas", _FRENCH, lang="fr", charset="utf-8").encode("latin-1"), "text/html; charset=utf-8"
            ),
            "/moved.html": redirect("/latin1.html"),
            "/broken.xml": raw(b'<?xml version="1.0"?><rss version="2.0"><channel><item><title>x</ti', "text/xml"),
            "/gone.xml": status(404),
        }
    )
    yield s
    s.close()


_FRENCH = (
    "Le président syrien a déclaré à Damas que la répression des manifestations continuerait malgré les "
    "critiques étrangères. Des témoins ont décrit des arrestations dans plusieurs quartiers de la capitale, "
    "où les forces de sécurité ont dispersé des rassemblements après la prière du vendredi.\n"
    "Selon les organisations de défense des droits de l'homme, des centaines de personnes ont été détenues "
    "depuis le début du mois, et plusieurs journalistes étrangers ont été expulsés du pays."
)


def _hostile_rss(h: Outlet) -> str:
    paths = ["/slow.html", "/500.html", "/loop-a", "/huge.html", "/report.pdf", "/moved.html", "/private/secret.html"]
    items = "".join(
        f"<item><title>Item {p}</title><link>{h.url(p)}</link><pubDate>Fri, 15 Apr 2011 10:00:00 +0200</pubDate></item>"
        for p in paths
    )
    return f'<?xml version="1.0"?><rss version="2.0"><channel><title>Hostile</title>{items}</channel></rss>'


def _sources(s: NewsSite, path: Path, extra: str = "") -> Path:
    o = s.outlets
    path.write_text(
        f"""
[[source]]
url = "{o["en"].url("/feed.rss")}"
name = "The Fixture Times"
interval = "1h"

[[source]]
url = "{o["es"].url("/atom.xml")}"
name = "El Diario Fixture"
lang = "es"

[[source]]
url = "{o["fr"].url("/sitemap-index.xml")}"
name = "Le Journal Fixture"

[[source]]
url = "{o["bad"].url("/")}"
name = "The Hostile Herald"

[[source]]
url = "{o["bad"].url("/broken.xml")}"

[[source]]
url = "{o["bad"].url("/gone.xml")}"
{extra}
{FAST}""",
        encoding="utf-8",
    )
    return path


def _export(pipe: Pipeline, db: str | Path) -> dict[str, dict[str, Any]]:
    store = pipe.open_store(db, readonly=True)
    try:
        where = {a.article_id: a for a in store.assignments()}
        return {
            a.url or a.id: {
                "id": a.id,
                "published": a.published,
                "source": a.source,
                "body": a.body,
                "event": where[a.id].event,
                "lang": a.lang,
            }
            for a in store.articles()
        }
    finally:
        store.close()


def test_a_pass_stores_every_article_with_its_date_outlet_and_url(
    pipe: Pipeline, site: NewsSite, tmp_path: Path, db: str
) -> None:
    src = _sources(site, tmp_path / "sources.toml")
    o = site.outlets
    with Watcher(pipe, src, store=pipe.open_store(db)) as w:
        first = w.run_pass()
    rows = _export(pipe, db)
    arts = sample_articles()
    for lang in ("en", "es", "fr"):
        for i, a in enumerate(x for x in arts if x["lang"] == lang):
            url = o[lang].url(f"/articles/{lang}-{i}.html")
            assert url in rows, f"{url} not stored"
            assert rows[url]["published"].isoformat() == a["published"], url  # the feed's date
            assert (
                rows[url]["source"]
                == {"en": "The Fixture Times", "es": "El Diario Fixture", "fr": "Le Journal Fixture"}[lang]
            )
            assert rows[url]["id"] == urls.page_id(url)
    # the wrong-charset page reached through a redirect: stored under its final address, read right
    latin = rows[o["bad"].url("/latin1.html")]
    assert "président syrien a déclaré à Damas" in latin["body"] and latin["published"].isoformat() == "2011-04-15"
    assert first.added == 10 and first.polled == 6

    # robots.txt: the private page was listed but never requested
    assert not site.hits(o["bad"], "/private/secret.html")
    # every error against its source, with its reason
    state = WatchState(db)
    try:
        log = {(e["source"], e["url"]): e["reason"] for e in state.log()}
        byurl = {u: r for (_, u), r in log.items()}
        assert "broken feed XML" in byurl[o["bad"].url("/broken.xml")]
        assert "HTTP 404" in byurl[o["bad"].url("/gone.xml")]
        assert "no answer within 0.5 s" in byurl[o["bad"].url("/slow.html")]
        assert "HTTP 500" in byurl[o["bad"].url("/500.html")]
        assert "redirect loop" in byurl[o["bad"].url("/loop-a")]
        assert "larger than 1 MiB" in byurl[o["bad"].url("/huge.html")]
        assert "application/pdf" in byurl[o["bad"].url("/report.pdf")]
        assert "robots.txt disallows" in byurl[o["bad"].url("/private/secret.html")]
        assert all(
            src == o["bad"].url("/")
            for (src, u) in log
            if u.startswith(o["bad"].base + "/") and not u.endswith((".xml",))
        )
        srcs = {s.url: s for s in state.sources()}
        assert srcs[o["en"].url("/feed.rss")].articles == 3 and srcs[o["en"].url("/feed.rss")].errors == 0
        assert srcs[o["bad"].url("/gone.xml")].last_error and "HTTP 404" in srcs[o["bad"].url("/gone.xml")].last_error
        assert srcs[o["bad"].url("/")].feeds == (o["bad"].url("/feed.rss"),)  # discovered on the home page
    finally:
        state.close()

    # politeness: per outlet, one request at a time and the delay between two
    for outlet in o.values():
        hits = sorted(site.hits(outlet), key=lambda h: h.start)
        for a, b in itertools.pairwise(hits):
            # (a request the client gave up on, /slow.html, ends on the server only when it wakes)
            overlap_ok = a.path == "/slow.html"
            assert overlap_ok or b.start >= a.end - 0.01, (outlet.name, a.path, b.path)
            assert b.start - a.start >= 0.095, (outlet.name, a.path, b.path)
    assert all(h.user_agent.startswith("storyline/") for h in site.log)

    # a new item appears; the next pass fetches only it, and unchanged feeds cost a 304
    o["en"].publish(Story("en-new", "A new story from Damascus", arts[0]["text"], "2011-07-01", "en"))
    before = len(site.log)
    with Watcher(pipe, src, store=pipe.open_store(db)) as w:
        second = w.run_pass(force=True)
    rows = _export(pipe, db)
    assert o["en"].url("/articles/en-new.html") in rows
    assert rows[o["en"].url("/articles/en-new.html")]["published"].isoformat() == "2011-07-01"
    later = site.log[before:]
    article_hits = Counter(h.path.split("?")[0] for h in site.log if "/articles/" in h.path)
    assert set(article_hits.values()) == {1}, "a page was fetched twice"
    assert {h.path for h in later if "/articles/" in h.path} == {"/articles/en-new.html"}
    feeds304 = [h for h in later if h.status == 304]
    assert {h.path for h in feeds304} >= {"/atom.xml", "/sitemap-index.xml", "/news-sitemap.xml"}
    assert second.unchanged >= 3 and second.added == 1
    assert not [h for h in later if h.path in ("/loop-a", "/huge.html", "/report.pdf")], (
        "a page that failed for good was fetched again"
    )
    # a server error or a timeout may pass: tried again on the next pass, up to MAX_TRIES in all
    assert len([h for h in later if h.path == "/500.html"]) == 2  # one attempt and one retry


def test_sources_file_mistakes_are_named(tmp_path: Path) -> None:
    p = tmp_path / "s.toml"
    for text, reason in (
        ("", "no sources"),
        ('[[source]]\nurl = "ftp://x"', "url must be an http"),
        ('[[source]]\nurl = "https://a.example/"\ncolour = "red"', "unknown key 'colour'"),
        ('[[source]]\nurl = "https://a.example/"\ninterval = "soon"', "is not a duration"),
        ('[[source]]\nurl = "https://a.example/"\n[watch]\nspeed = 3', "unknown setting 'speed'"),
        ("[[source]\n", "cannot read the sources file"),
    ):
        p.write_text(text, encoding="utf-8")
        with pytest.raises(UsageError, match=reason):
            load_sources(p)
    assert parse_interval("1h30m", "x") == 5400 and parse_interval("90s", "x") == 90 and parse_interval(60, "x") == 60
    with pytest.raises(UsageError, match="no such sources file"):
        load_sources(tmp_path / "missing.toml")


def test_the_sources_file_is_re_read_when_it_changes(pipe: Pipeline, site: NewsSite, tmp_path: Path) -> None:
    o = site.outlets
    src = tmp_path / "s.toml"
    src.write_text(f'[[source]]\nurl = "{o["en"].url("/feed.rss")}"\n{FAST}', encoding="utf-8")
    said: list[str] = []
    with Watcher(pipe, src, store=pipe.open_store(tmp_path / "r.db"), say=said.append) as w:
        assert w.run_pass().polled == 1
        src.write_text(src.read_text() + f'\n[[source]]\nurl = "{o["es"].url("/atom.xml")}"\n', encoding="utf-8")
        os.utime(src, (time.time() + 5, time.time() + 5))
        assert w.reload_if_changed()
        assert w.run_pass().polled == 1  # the new source (the first is not due for 15 minutes)
        src.write_text("[[source]\n", encoding="utf-8")
        os.utime(src, (time.time() + 10, time.time() + 10))
        assert not w.reload_if_changed() and len(w.config.sources) == 2
    assert any("not re-read" in m for m in said)


# --- through the command line: the seeds with their dates, a single URL, restarts -----------------

SEED_DATES = {"000": "2020-12-04", "002": "2025-12-19", "004": "2020-12-30"}


def cli(*args: str, cwd: Path, check: bool = True) -> subprocess.CompletedProcess[str]:
    proc = subprocess.run(
        [sys.executable, "-m", "storyline", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=600,
        env={**os.environ, "COLUMNS": "200"},
    )
    if check and proc.returncode != 0:
        raise AssertionError(f"storyline {' '.join(args)} exited {proc.returncode}:\n{proc.stderr}")
    return proc


def test_seeds_followed_from_a_feed_carry_their_dates(tmp_path: Path) -> None:
    s = NewsSite()
    try:
        o = s.outlet("seeds", "Seed News", "en", robots="User-agent: *\nAllow: /\n")
        for prefix, day in SEED_DATES.items():
            title, text = seed_text(prefix)
            o.publish(Story(f"seed-{prefix}", title, text, day, "en"))
        src = tmp_path / "seeds.toml"
        src.write_text(f'[[source]]\nurl = "{o.url("/feed.rss")}"\nname = "Seed News"\n{FAST}', encoding="utf-8")
        run = cli("watch", str(src), "--db", "seeds.db", "--once", cwd=tmp_path)
        assert "pass 1:" in run.stdout and "3 article(s) added" in run.stdout
        rows = [
            json.loads(x)
            for x in cli("export", "--db", "seeds.db", "--format", "jsonl", cwd=tmp_path).stdout.splitlines()
        ]
        got = {r["url"].rsplit("-", 1)[-1][:3]: r for r in rows}
        assert {k: r["published"] for k, r in got.items()} == SEED_DATES
        assert all(r["source"] == "Seed News" for r in rows)
        assert got["000"]["event"] != got["002"]["event"]
        # a single page by URL
        one = cli("run", o.url("/articles/seed-004.html"), "--db", "one.db", cwd=tmp_path)
        assert "1" in one.stdout
        row = json.loads(cli("export", "--db", "one.db", "--format", "jsonl", cwd=tmp_path).stdout)
        assert row["url"] == o.url("/articles/seed-004.html") and row["source"] == "127.0.0.1"
        bad = cli("run", o.url("/articles/nope.html"), "--db", "one.db", cwd=tmp_path, check=False)
        assert bad.returncode == 1 and "HTTP 404" in bad.stderr
    finally:
        s.close()


def test_kill_9_and_sigterm_then_resume_with_nothing_fetched_twice(tmp_path: Path, db: str) -> None:
    s = NewsSite()
    try:
        arts = sample_articles()
        o = s.outlet("en", "Restart Daily", "en")
        for i, a in enumerate(arts):  # nine pages, 0.3 s apart: a pass takes about three seconds
            o.publish(Story(f"r-{i}", _title(a["text"]), a["text"], a["published"], a["lang"]))
        src = tmp_path / "s.toml"
        src.write_text(
            f'[[source]]\nurl = "{o.url("/feed.rss")}"\ninterval = "2s"\n' + FAST.replace("delay = 0.1", "delay = 0.3"),
            encoding="utf-8",
        )
        cmd = [sys.executable, "-m", "storyline", "watch", str(src), "--db", db]

        def pages_fetched() -> int:
            return len([h for h in s.log if "/articles/" in h.path])

        def start_and_wait(n: int) -> subprocess.Popen[str]:
            p = subprocess.Popen(cmd, cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
            deadline = time.monotonic() + 120
            while pages_fetched() < n and time.monotonic() < deadline and p.poll() is None:
                time.sleep(0.05)
            return p

        p = start_and_wait(3)
        p.kill()  # kill -9, mid-pass
        p.wait()
        p = start_and_wait(6)
        p.send_signal(signal.SIGTERM)  # a clean stop
        _out, err = p.communicate(timeout=60)
        assert p.returncode == 0, err
        assert "stopping" in err
        cli("watch", str(src), "--db", db, "--once", cwd=tmp_path)
        rows = [
            json.loads(x) for x in cli("export", "--db", db, "--format", "jsonl", cwd=tmp_path).stdout.splitlines()
        ]
        assert len(rows) == len(arts) and len({r["url"] for r in rows}) == len(arts)  # nothing lost, no duplicate
        per_page = Counter(h.path for h in s.log if "/articles/" in h.path)
        # at most the one page in flight at the kill is fetched twice
        assert sum(per_page.values()) <= len(arts) + 1, per_page
    finally:
        s.close()


def test_budget_leaves_the_rest_queued_for_the_next_pass(
    pipe: Pipeline, site: NewsSite, tmp_path: Path, db: str
) -> None:
    o = site.outlets
    src = tmp_path / "s.toml"
    src.write_text(f'[[source]]\nurl = "{o["en"].url("/feed.rss")}"\n{FAST}', encoding="utf-8")
    with Watcher(pipe, src, store=pipe.open_store(db)) as w:
        first = w.run_pass(budget=0)
        assert first.new_pages == 3 and first.fetched == 0 and w.state.counts() == {"queued": 3}
        second = w.run_pass()
        assert second.polled == 0 and second.fetched == 3 and second.added == 3
        assert w.state.counts() == {"done": 3}


def test_one_page_under_two_addresses_is_one_article(
    pipe: Pipeline, site: NewsSite, tmp_path: Path, db: str
) -> None:
    """The canonical address is honoured (a copy naming it is the same article, and the canonical
    address is seen from then on); the same text under an address that names no canonical is a
    second article in the same event (near-duplicate detection)."""
    o = site.outlets["en"]
    story = o.stories[0]
    copy = o.story_page(story.slug) or ""
    mirror = page_html(story.title, story.text)  # no canonical link
    o.routes["/amp/en-0.html"] = raw(copy.encode(), "text/html")
    o.routes["/mirror/en-0.html"] = raw(mirror.encode(), "text/html")
    links = ["/amp/en-0.html", "/mirror/en-0.html"]
    o.routes["/dups.rss"] = lambda r: r.send(
        200,
        '<?xml version="1.0"?><rss version="2.0"><channel><title>D</title>'
        + "".join(f"<item><title>{story.title}</title><link>{o.url(p)}</link></item>" for p in links)
        + "</channel></rss>",
        "application/rss+xml",
    )
    src = tmp_path / "s.toml"
    src.write_text(f'[[source]]\nurl = "{o.url("/dups.rss")}"\n{FAST}', encoding="utf-8")
    with Watcher(pipe, src, store=pipe.open_store(db)) as w:
        w.run_pass()
        links.append("/articles/en-0.html/")  # the feed names the canonical page later
        assert w.run_pass(force=True).new_pages == 0
    rows = _export(pipe, db)
    assert set(rows) == {o.url("/articles/en-0.html"), o.url("/mirror/en-0.html")}
    assert rows[o.url("/articles/en-0.html")]["event"] == rows[o.url("/mirror/en-0.html")]["event"]
    # /articles/en-0.html/ (a trailing slash) is the canonical page seen through the copy: not fetched
    assert not site.hits(o, "/articles/en-0.html/") and not site.hits(o, "/articles/en-0.html")


def test_sources_api_and_page_and_serve_watch(pipe: Pipeline, site: NewsSite, tmp_path: Path, db: str) -> None:
    """``serve --watch``: the watcher follows in a thread through the server's writable store; the
    API (/api/sources) and the Sources page show each source's record and errors."""
    from fastapi.testclient import TestClient

    from storyline.app import create_app
    from storyline.serve import _follow

    o = site.outlets
    src = tmp_path / "s.toml"
    src.write_text(
        f'[[source]]\nurl = "{o["en"].url("/feed.rss")}"\nname = "The Fixture Times"\n'
        f'[[source]]\nurl = "{o["bad"].url("/gone.xml")}"\nname = "Gone Daily"\n{FAST}',
        encoding="utf-8",
    )
    app = create_app(db, pipeline=pipe)
    said: list[str] = []
    with TestClient(app, base_url="http://localhost") as client:  # unknown Hosts are refused
        end = _follow(app.state.library, pipe, str(src), said.append)
        try:
            deadline = time.monotonic() + 120
            while client.get("/api/stats").json()["articles"] < 3 and time.monotonic() < deadline:
                time.sleep(0.2)
            assert client.get("/api/stats").json()["articles"] == 3, said  # search and counts refreshed
            assert client.get("/api/search", params={"q": "Reuters"}).json()["total"] >= 1
        finally:
            end()
        body = client.get("/api/sources").json()
        by_name = {s["name"]: s for s in body["items"]}
        assert body["total"] == 2 and body["pages"] == {"done": 3}
        assert by_name["The Fixture Times"]["articles"] == 3 and by_name["The Fixture Times"]["kind"] == "rss"
        assert by_name["The Fixture Times"]["articles_last_day"] == 3 and by_name["The Fixture Times"]["last_new"]
        gone = by_name["Gone Daily"]
        assert gone["errors"] >= 1 and "HTTP 404" in gone["last_error"]
        assert gone["recent_errors"][0]["reason"].startswith("HTTP 404")
        page = client.get("/sources")
        assert page.status_code == 200 and "Gone Daily" in page.text and "HTTP 404" in page.text
        new = client.get("/api/new", params={"since": 0}).json()
        assert new["total"] == 3 and all(a["title"] and a["source"] == "The Fixture Times" for a in new["items"])
        assert client.get("/api/new", params={"since": new["now"]}).json()["total"] == 0
        assert (
            '<script src="/static/new.js"' in client.get("/").text and client.get("/static/new.js").status_code == 200
        )
        art = client.get("/api/articles", params={"limit": 5}).json()["items"][0]
        full = client.get(f"/api/articles/{art['id']}").json()
        assert full["source"] == "The Fixture Times" and full["url"].startswith(o["en"].base)
    assert any("pass 1:" in m for m in said)


def test_the_watch_state_lives_beside_the_articles_on_either_store(pipe: Pipeline, db: str) -> None:
    """On PostgreSQL the watch tables come with the store's migrations (a database from before
    them gets them when the watch state is first opened); on SQLite the state makes them."""
    pipe.open_store(db).close()
    if "://" in db:
        import psycopg

        with psycopg.connect(db, autocommit=True) as c:  # as a database from before migration 6
            c.execute("DROP TABLE watch_sources, watch_listings, watch_pages, watch_log")
            c.execute("DELETE FROM schema_migrations WHERE version >= 6")
    state = WatchState(db)
    try:
        state.put_source("https://a.example/feed.xml", "A", "en", 900.0)
        n = state.listed("https://a.example/feed.xml", "https://a.example/feed.xml", "rss", "200", '"e1"', None,
                         [("a.example/1", "https://a.example/1", "One", "2024-01-02", "en")] * 2)
        assert n == 1 and state.validators("https://a.example/feed.xml") == ('"e1"', None)
        state.polled("https://a.example/feed.xml", ok=True, error=None, kind="rss", feeds=None, next_poll=1e9)
        src = state.sources()[0]
        assert src.kind == "rss" and src.next_poll == 1e9 and src.last_ok and src.last_error is None
        state.fetched("a.example/1", "https://a.example/1", "text/html", b"<p>x</p>" * 10, "2024-01-02T00:00:00Z")
        assert state.pages("fetched", with_body=True)[0].body == b"<p>x</p>" * 10
        state.done("a.example/1", "art-1", None, aliases=["a.example/one"])
        assert state.counts() == {"done": 2} and state.new_since(0)[1] == 1
    finally:
        state.close()
    if "://" in db:
        store = pipe.open_store(db)
        try:
            assert store.schema_version() >= 6
        finally:
            store.close()
