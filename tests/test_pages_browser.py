"""What a reader sees, in a real headless Chromium at 1,400 px and at 360 px, on a store built
once per module from a fixed sample of the dev storylines (tests/data/pages, made by
benchmarks/make_pages_fixture.py: Libya 2011-2014 in en/es/fr/it, the BP oil spill, and small
storylines more recent than both). Each page is checked for what it says (names, headlines, no
junk), that it fits the width (no sideways scrolling at 360 px), and saved as a screenshot in
test-artifacts/pages-*.png.

Skipped, with the reason, only when no chromium binary is found (as tests/test_web.py)."""

from __future__ import annotations

import re
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("fastapi", reason="install the project: pip install -e '.[test]'")
from test_web import CHROMIUM, FLAGS, SHOTS, live, watch_tab

sync_api = pytest.importorskip("playwright.sync_api", reason="the test extra: pip install playwright")

from storyline import Pipeline  # noqa: E402
from storyline.app import create_app  # noqa: E402
from storyline.config import Settings  # noqa: E402
from storyline.enrich.vectors import CachedEncoder, E5Encoder  # noqa: E402
from storyline.store import open_store  # noqa: E402

DATA = Path(__file__).parent / "data" / "pages"
WIDTHS = {"wide": 1400, "phone": 360}
# What must never reach a reader: tokeniser escapes, markup, CSS, raw entity keys, numbered
# "source N" links, unpluralised counts, Python's None.
JUNK = re.compile(
    r"-[LR]RB-|``|<br|\{\s*display|text-indent|\bsource \d\b|\b(?:name|place|org|person):[A-Za-z]"
    r"|\b1 (?:storylines|events|articles|languages)\b"
)


class LazyE5:
    """The real encoder, loaded only if a text is missing from the shipped vectors."""

    name = E5Encoder.name
    dim = E5Encoder.dim

    def __init__(self) -> None:
        self._inner: E5Encoder | None = None

    def encode(self, texts: Any) -> Any:
        if self._inner is None:
            self._inner = E5Encoder()
        return self._inner.encode(texts)


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    tmp = tmp_path_factory.mktemp("pages")
    shutil.copy(DATA / "vectors.sqlite", tmp / "vectors.sqlite")
    pipe = Pipeline(Settings(db=str(tmp / "pages.db")), encoder=CachedEncoder(LazyE5(), tmp / "vectors.sqlite"))
    st = open_store(tmp / "pages.db")
    summary = pipe.run([DATA / "articles.jsonl"], st)
    st.refresh_search_index()
    st.close()
    assert summary.added == 85 and not summary.rejected
    with live(create_app(tmp / "pages.db", pipeline=pipe)) as base:
        yield base


@pytest.fixture(scope="module")
def browser(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    with sync_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=FLAGS)
        yield b
        b.close()


@pytest.fixture(params=list(WIDTHS))
def page(request: pytest.FixtureRequest, browser: Any, server: str) -> Iterator[Any]:
    """A tab of the given width that may only talk to our server."""
    ctx = browser.new_context(viewport={"width": WIDTHS[request.param], "height": 900})
    pg = ctx.new_page()
    outside, errors = watch_tab(pg, server)
    pg.width_name = request.param
    pg.console_errors = errors
    yield pg
    ctx.close()
    assert not outside, f"pages fetched from outside the package: {outside}"
    assert not errors, f"errors in the browser console: {errors}"


def seen(page: Any) -> str:
    """The page's text as a reader sees it, checked against the junk patterns and for width."""
    text: str = page.inner_text("body")
    bad = JUNK.findall(text)
    assert not bad, f"junk on {page.url}: {bad}"
    over = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert over <= 0, f"{page.url} is {over} px wider than the {page.width_name} window"
    return text


def shot(page: Any, name: str) -> None:
    SHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SHOTS / f"pages-{name}-{page.width_name}.png"), full_page=True)


def counts(card_text: str) -> int:
    m = re.search(r"([\d,]+) articles?", card_text)
    assert m, card_text
    return int(m.group(1).replace(",", ""))


def big_storyline(page: Any, server: str) -> dict[str, Any]:
    items = page.request.get(f"{server}/api/storylines?sort=size&limit=1").json()["items"]
    return dict(items[0])


def test_home_puts_the_big_storylines_first_and_sorts_and_filters(page: Any, server: str) -> None:
    page.goto(server + "/")
    text = seen(page)
    assert re.search(r"\d+ storylines · \d+ events · 85 articles in 4 languages", text)
    cards = page.locator(".storyline-card")
    sizes = [counts(t) for t in cards.all_inner_texts()]
    assert sizes == sorted(sizes, reverse=True) and sizes[0] >= 40  # Libya, not a one-article story
    names = page.locator(".card-title").all_inner_texts()
    assert all(len(n.split()) >= 2 for n in names), names
    shot(page, "home")
    page.locator(".sort a", has_text="Latest update").click()
    page.wait_for_url("**sort=recent**")
    lasts = page.locator(".storyline-card .updated").all_inner_texts()
    assert sizes != [counts(t) for t in page.locator(".storyline-card").all_inner_texts()]  # another order
    assert lasts[0].endswith("2014")  # Libya's last article (Nov 2014) is the latest update
    page.locator(".langs-filter a", has_text="French").click()
    page.wait_for_url("**lang=fr**")
    assert "sort=recent" in page.url  # filters keep the order
    for card in page.locator(".storyline-card").all():
        assert "fr" in [x.strip().lower() for x in card.locator(".lang").all_inner_texts()]
    page.goto(server + "/?page=99")
    text = seen(page)
    assert "There is no page 99" in text and "No storylines yet" not in text
    page.locator(".empty a", has_text="Go to page").click()
    assert page.locator(".storyline-card").count() >= 1
    page.goto(server + "/?lang=xx")
    text = seen(page)
    assert "No storylines match" in text and "No storylines yet" not in text


def test_a_big_storyline_reads_over_its_whole_span(page: Any, server: str) -> None:
    big = big_storyline(page, server)
    page.goto(f"{server}/storylines/{big['id']}")
    text = seen(page)
    assert page.locator("h1").inner_text() == big["name"]
    # the axis: the whole span (2011 to 2014) with years labelled, dots sized by articles
    axis = page.locator(".tl-svg.wide" if page.width_name == "wide" else ".tl-svg.narrow")
    assert axis.is_visible()
    labels = axis.locator("text").all_text_contents()
    assert "2011" in labels and "2014" in labels, labels
    radii = {float(r) for r in axis.locator("circle").evaluate_all("cs => cs.map(c => c.getAttribute('r'))")}
    assert len(radii) >= 2  # bigger dots for more articles
    box = axis.bounding_box()
    assert box and box["width"] <= WIDTHS[page.width_name]
    # timeline entries name their outlets and languages, never "source 1"
    srcs = page.locator(".tl-sources a")
    assert srcs.count() >= 3
    assert all(s.locator(".lang").count() == 1 for s in srcs.all()[:10])
    assert "CNN" in text or "cnn" in text or "reuters" in text.lower()
    # one-article events folded, with the many-article events first
    assert page.locator("details.singles").count() == 1
    assert not page.locator("details.singles .event-row").first.is_visible()
    main = [counts(t) for t in page.locator("#event-list .event-row .meta").all_inner_texts()]
    assert main and all(n >= 2 for n in main)
    shot(page, "storyline")
    page.locator("details.singles summary").click()
    assert page.locator("details.singles .event-row").first.is_visible()
    if page.locator("details.singles .pager a[rel=next]").count():
        page.locator("details.singles .pager a[rel=next]").click()
        page.wait_for_url("**singles=2**")
        assert page.locator("details.singles[open] .event-row").count() >= 1


def test_the_entity_filter_applies_to_every_panel(page: Any, server: str) -> None:
    big = big_storyline(page, server)
    page.goto(f"{server}/storylines/{big['id']}")
    all_entries = page.locator(".tl-entry").count()
    all_events = int(page.locator("#events h2 small").inner_text().split()[0])
    chip = page.locator(".entities .chip").nth(3)
    chip_n = int(chip.locator("small").inner_text())
    chip.click()
    page.wait_for_selector(".filtering")
    seen(page)
    assert f"{chip_n} article" in page.locator(".filtering").inner_text()
    legend = page.locator(".tab-language .legend small").all_inner_texts()
    assert sum(int(x) for x in legend) + sum(
        int(x.split()[0]) for x in page.locator(".tab-language .muted.small").all_inner_texts()) == chip_n
    assert page.locator(".tl-entry").count() <= all_entries
    assert int(page.locator("#events h2 small").inner_text().split()[0]) <= all_events
    assert page.locator(".tl-svg circle").count() >= 1


def test_an_event_explains_itself_in_words(page: Any, server: str) -> None:
    big = big_storyline(page, server)
    events = page.request.get(f"{server}/api/storylines/{big['id']}").json()["events"]
    ev = max(events, key=lambda e: e["article_count"])
    page.goto(f"{server}/events/{ev['id']}")
    text = seen(page)
    assert page.locator("h1").inner_text() == ev["headline"]
    assert f"{ev['article_count']} articles" in text
    verdict = page.locator(".verdict").inner_text()
    assert verdict.startswith("Same event")  # the pair shown by default is of this event, as the page says
    labels = page.locator(".signals td:first-child").all_inner_texts()
    assert any(x.startswith("Same meaning") for x in labels) and not any(x.startswith("cosine") for x in labels)
    sel = page.locator(".compare select").first.bounding_box()
    assert sel and sel["x"] + sel["width"] <= WIDTHS[page.width_name]
    shot(page, "event")


def test_an_article_page(page: Any, server: str) -> None:
    hit = page.request.get(f"{server}/api/search?q=Gaddafi&limit=1").json()["items"][0]
    page.goto(f"{server}/articles/{hit['id']}")
    text = seen(page)
    assert page.locator("h1").inner_text() == hit["title"]
    assert len(page.locator(".article .body").inner_text()) > 200
    assert "Storyline" in text and page.locator(".facts a[href^='/storylines/']").count() == 1
    shot(page, "article")


def test_search_across_spellings_and_languages(page: Any, server: str) -> None:
    page.goto(server + "/search?q=Gaddafi")
    text = seen(page)
    assert page.locator("#results .hit").count() >= 5
    langs = {x.strip().lower() for x in page.locator("#results .hit .lang").all_inner_texts()}
    assert len(langs) >= 2, langs  # Gadafi (es), Kadhafi (fr), Gheddafi (it) found by one spelling
    assert re.search(r"[\d,]+ articles for Gaddafi", text)
    shot(page, "search")


def test_an_empty_upload_comes_back_as_the_form_with_the_reason(page: Any, server: str) -> None:
    page.goto(server + "/add")
    page.fill("input[name=title]", "A title I typed")
    page.click("button.primary")
    page.wait_for_selector(".form-error")
    text = seen(page)
    assert "Nothing to add yet" in text
    page.console_errors.remove("Failed to load resource: the server responded with a status of 400 (Bad Request)")
    assert page.input_value("input[name=title]") == "A title I typed"
    shot(page, "add-error")


def test_the_pages_work_without_javascript(browser: Any, server: str) -> None:
    ctx = browser.new_context(java_script_enabled=False, viewport={"width": 1400, "height": 900})
    pg = ctx.new_page()
    pg.goto(server + "/")
    pg.locator(".sort a", has_text="Latest update").click()
    assert "sort=recent" in pg.url
    big = pg.request.get(f"{server}/api/storylines?sort=size&limit=1").json()["items"][0]
    pg.goto(f"{server}/storylines/{big['id']}")
    assert pg.locator(".tl-svg.wide circle").count() >= 3 and pg.locator(".tl-entry").count() >= 3
    pg.locator("details.singles summary").click()
    assert pg.locator("details.singles .event-row").first.is_visible()
    pg.locator(".entities .chip").first.click()
    assert pg.locator(".filtering").count() == 1
    ctx.close()


def test_many_events_are_paged(browser: Any, server: str, monkeypatch: pytest.MonkeyPatch) -> None:
    from storyline.web import pages

    monkeypatch.setattr(pages, "EVENTS_PER_PAGE", 4)  # the server runs in this process
    pg = browser.new_page(viewport={"width": 1400, "height": 900})
    big = pg.request.get(f"{server}/api/storylines?sort=size&limit=1").json()["items"][0]
    pg.goto(f"{server}/storylines/{big['id']}")
    first = pg.locator("#event-list .event-title").all_inner_texts()
    assert len(first) == 4 and "Page 1 of" in pg.locator("#events > .pager").inner_text()
    pg.locator("#events > .pager a[rel=next]").click()
    pg.wait_for_url("**page=2**")
    second = pg.locator("#event-list .event-title").all_inner_texts()
    assert second and not set(first) & set(second)
    pg.close()
