"""The web pages in a real headless Chromium (Debian's `chromium`), driven by Playwright against
a real server on loopback over the seeds' store. Screenshots go to test-artifacts/.

Skipped, with the reason, only when no chromium binary is found (or the Playwright package is
missing). CI: `apt-get install -y chromium` (see .ci/run)."""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("fastapi", reason="install the project: pip install -e '.[test]'")
CHROMIUM = os.environ.get("STORYLINE_CHROMIUM") or next(
    (p for p in (shutil.which(n) for n in ("chromium", "chromium-browser", "google-chrome")) if p), None)
if CHROMIUM is None:
    pytest.skip("no chromium binary found (apt-get install -y chromium, or set STORYLINE_CHROMIUM)",
                allow_module_level=True)
sync_api = pytest.importorskip("playwright.sync_api", reason="the test extra: pip install playwright")
import uvicorn  # noqa: E402
from test_api import EN, SEEDS, VI, build_seeds_db, copy_db, pipeline  # noqa: E402

from storyline.app import create_app  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
SHOTS = ROOT / "test-artifacts"
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
         "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-dev-shm-usage"]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextlib.contextmanager
def live(app: Any) -> Iterator[str]:
    """``app`` served by a real uvicorn on a free loopback port, in a thread, for the browser."""
    port = _free_port()
    srv = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    th = threading.Thread(target=srv.run, daemon=True)
    th.start()
    for _ in range(200):
        if srv.started:
            break
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        srv.should_exit = True
        th.join(10)


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    db = copy_db(build_seeds_db(tmp_path_factory.getbasetemp()), tmp_path_factory.mktemp("web"))
    with live(create_app(db, pipeline=pipeline())) as base:
        yield base


@pytest.fixture(scope="module")
def browser(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    profile = tmp_path_factory.mktemp("chromium-profile")
    with sync_api.sync_playwright() as p:
        ctx = p.chromium.launch_persistent_context(
            str(profile), executable_path=CHROMIUM, headless=True, args=FLAGS,
            viewport={"width": 1280, "height": 900},
        )
        yield ctx
        ctx.close()


def watch_tab(pg: Any, server: str) -> tuple[list[str], list[str]]:
    """Let the tab talk only to our server (anything else, a CDN or a font host, is aborted and
    listed) and collect its script errors: (outside requests, console errors), for the test to
    assert empty at the end."""
    outside: list[str] = []
    errors: list[str] = []

    def guard(route: Any) -> None:
        if route.request.url.startswith(server) or route.request.url.startswith("data:"):
            route.continue_()
        else:
            outside.append(route.request.url)
            route.abort()

    pg.route("**/*", guard)
    pg.on("pageerror", lambda e: errors.append(str(e)))
    pg.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    return outside, errors


@pytest.fixture()
def page(browser: Any, server: str) -> Iterator[Any]:
    """A tab that may only talk to our server: anything else (a CDN, a font host) fails the test."""
    pg = browser.new_page()
    outside, errors = watch_tab(pg, server)
    yield pg
    pg.close()
    assert not outside, f"pages fetched from outside the package: {outside}"
    assert not errors, f"errors in the browser console: {errors}"


def shot(page: Any, name: str) -> None:
    SHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def test_home_storyline_timeline(page: Any, server: str) -> None:
    page.goto(server + "/")
    cards = page.locator(".storyline-card")
    assert cards.count() >= 1
    first = cards.first
    assert "article" in first.inner_text() and first.locator(".lang").count() >= 1
    shot(page, "01-home")
    first.locator(".card-title").click()
    page.wait_for_selector(".tl-entry")
    assert page.locator(".tl-entry").count() >= 1
    assert page.locator(".tl-entry time").first.inner_text().strip()
    assert page.locator(".tl-entry .tl-body p").first.inner_text().strip()
    assert page.locator(".tl-axis svg.wide circle.dot").count() >= 1  # the axis is drawn on the server
    assert page.locator(".event-row").count() >= 1
    assert page.locator(".entities .chip").count() >= 3
    shot(page, "02-storyline")
    page.locator(".entities .chip").first.click()
    page.wait_for_selector(".filtering")
    assert page.locator(".event-row").count() >= 1


def test_event_of_000_shows_its_languages(page: Any, server: str) -> None:
    api = page.request.get(f"{server}/api/articles/{EN}").json()
    expected = page.request.get(f"{server}/api/events/{api['event']}").json()["languages"]
    page.goto(f"{server}/articles/{EN}")
    shot(page, "04-article")
    page.locator(".facts a[href^='/events/']").click()
    page.wait_for_selector(".event-langs")
    shown = [x.strip() for x in page.locator(".event-langs .lang").all_inner_texts()]
    assert [s.lower() for s in shown] == expected
    assert "en" in [s.lower() for s in shown]
    if VI in [a["id"] for a in page.request.get(f"{server}/api/events/{api['event']}").json()["articles"]]:
        assert {"en", "vi"} <= {s.lower() for s in shown}
    groups = page.locator(".group").evaluate_all("els => els.map(e => e.dataset.lang)")
    assert sorted(groups) == sorted(expected)
    # the "why one event" explanation is shown for a representative pair before anything is pressed
    assert page.locator(".verdict").count() == 1
    page.click(".compare button")
    page.wait_for_selector(".verdict")
    assert page.locator(".signals tbody tr").count() >= 3
    shot(page, "03-event")


def test_article_page_shows_text_and_removed_boilerplate(page: Any, server: str) -> None:
    page.goto(f"{server}/articles/{VI}")
    assert len(page.locator(".article .body").inner_text()) > 200
    if page.locator("details.removed").count():
        page.locator("details.removed summary").click()
    assert page.locator(".side .entities .chip").count() >= 1


def test_search_s400(page: Any, server: str) -> None:
    page.goto(server + "/")
    page.fill(".searchbox input[name=q]", "S-400")
    page.press(".searchbox input[name=q]", "Enter")
    page.wait_for_selector("#results")
    hits = page.locator("#results .hit")
    assert hits.count() >= 3
    assert page.locator("#results mark").count() >= 1
    langs = {x.strip().lower() for x in page.locator("#results .hit .lang").all_inner_texts()}
    assert {"en", "vi"} <= langs
    shot(page, "05-search")
    page.locator(".facets a", has_text="Vietnamese").click()
    page.wait_for_selector("#results")
    assert page.locator("#results .hit").count() == 1


def test_upload_a_file_and_see_it_appear(page: Any, server: str, tmp_path: Path) -> None:
    f = tmp_path / "uploaded_s400_story.txt"
    f.write_bytes((SEEDS / "003_78df242a86dafe5a.txt").read_bytes())
    page.goto(server + "/add")
    shot(page, "06-add")
    page.set_input_files("input[type=file]", str(f))
    page.click("button.primary")
    page.wait_for_url("**/jobs/**")
    page.wait_for_selector(".job[data-state=done]", timeout=180_000)
    shot(page, "07-job-done")
    assert "1 added" in page.inner_text(".job")
    placed = page.inner_text(".placed")
    assert "uploaded_s400_story" not in placed  # the article's title, not its file name
    assert "new event" in placed.lower() or "joined an event" in placed.lower()
    page.locator(".placed a[href='/articles/uploaded_s400_story']").click()
    page.wait_for_selector(".article .body")
    page.locator(".facts a[href^='/storylines/']").click()
    page.wait_for_selector(".event-row")
    body = page.request.get(f"{server}/api/articles/uploaded_s400_story").json()["body"]
    word = max(body.split(), key=lambda w: (len(w.strip(".,;:'\"()")) if w.isascii() else 0))
    page.goto(server + "/search?q=" + word.strip(".,;:'\"()"))
    ids = page.locator("#results .hit-title").evaluate_all("els => els.map(e => e.getAttribute('href'))")
    assert "/articles/uploaded_s400_story" in ids


def test_api_docs_render_offline(page: Any, server: str) -> None:
    page.goto(server + "/docs")
    page.wait_for_selector(".swagger-ui .opblock", timeout=30_000)
    assert page.locator(".opblock").count() >= 8
    shot(page, "08-docs")
