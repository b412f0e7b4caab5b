"""Pages that are not articles are named as such; furniture learned from a source's pages goes."""

from __future__ import annotations

import pytest

from storyline.clean import clean, normalise_line, recurring_lines
from storyline.clean.html import extract_html
from storyline.errors import NotAnArticle
from storyline.models import RawArticle

_PROSE = (
    "The council voted on Tuesday to close the old bridge after engineers found deep cracks in two of its "
    "supporting piers, a decision that will send thousands of drivers on a long detour for months. "
)


def _page(title: str, body: str) -> str:
    return f"<html><head><title>{title}</title></head><body>{body}</body></html>"


def test_404_page_is_not_an_article() -> None:
    html = _page(
        "404 Not Found",
        "<h1>Page not found</h1><p>Sorry, we could not find that page.</p>"
        "<ul>" + "".join(f"<li><a href='/s{i}'>Section {i}</a></li>" for i in range(8)) + "</ul>",
    )
    with pytest.raises(NotAnArticle, match="error page"):
        clean(RawArticle(id="e", origin="404.html", html=html))


def test_index_page_is_not_an_article() -> None:
    teasers = "".join(
        f"<div class='teaser'><h2><a href='/story-{i}'>Storm number {i} hits the coast as towns prepare "
        f"for floods</a></h2></div>"
        for i in range(15)
    )
    html = _page("News front page", f"<nav><a href='/'>Home</a></nav><main>{teasers}</main>")
    with pytest.raises(NotAnArticle, match="index"):
        clean(RawArticle(id="i", origin="index.html", html=html))


def test_article_page_is_an_article() -> None:
    html = _page("Bridge closed", "<article><h1>Bridge closed</h1>" + f"<p>{_PROSE}</p>" * 4 + "</article>")
    assert extract_html(html).kind == "article"
    assert "deep cracks" in clean(RawArticle(id="a", origin="a.html", html=html)).body


def test_recurring_lines_counts_stories_not_copies() -> None:
    furniture = ["Subscribe to the Daily Bugle", "About the Daily Bugle: we report on the city since 1901."]
    pages = [[f"Story {i} first paragraph with its own words.", *furniture] for i in range(3)]
    assert recurring_lines(pages) == frozenset(normalise_line(x) for x in furniture)
    copies = [["The same story paragraph.", "Its second paragraph."]] * 5  # re-scraped five times
    assert recurring_lines(copies) == frozenset()
    assert recurring_lines(pages, min_pages=4) == frozenset()


def test_known_boilerplate_is_removed_from_text_and_html() -> None:
    bio = "Jane Roe has covered city hall for the Daily Bugle since 2004 and lives in Queens with her cat."
    text = "\n".join([_PROSE, _PROSE.replace("Tuesday", "Monday"), bio])
    known = frozenset({normalise_line(bio)})
    assert bio in clean(RawArticle(id="t", origin="t.txt", text=text)).body
    a = clean(RawArticle(id="t", origin="t.txt", text=text), known_boilerplate=known)
    assert bio not in a.body and bio in a.removed
    html = _page("Bridge", "<article>" + f"<p>{_PROSE}</p>" * 3 + f"<p>{bio}</p></article>")
    h = clean(RawArticle(id="h", origin="h.html", html=html), known_boilerplate=known)
    assert bio not in h.body and "deep cracks" in h.body
