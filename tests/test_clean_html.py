"""Whole HTML pages: trafilatura's cut plus the boilerplate it lets through, and page metadata."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from storyline.clean import clean
from storyline.models import RawArticle

PAGE = Path(__file__).resolve().parent / "data" / "clean" / "page.html"


def test_html_page() -> None:
    a = clean(RawArticle(id="p", origin=str(PAGE), html=PAGE.read_text(encoding="utf-8")))
    assert a.title == "Flood closes bridge in river town"
    assert a.published == dt.date(2021, 3, 4)
    assert a.lang == "en"
    assert "closed on Wednesday" in a.body and "thirty families" in a.body
    assert "newsletter" not in a.body.lower()
    assert "Home" not in a.body and "rights reserved" not in a.body


def test_given_metadata_wins() -> None:
    html = PAGE.read_text(encoding="utf-8")
    a = clean(RawArticle(id="p", origin="p", html=html, title="Given", published="05/03/2021", lang="vi"))
    assert (a.title, a.published, a.lang) == ("Given", dt.date(2021, 3, 5), "vi")


def test_a_page_nested_past_the_parsers_depth_keeps_its_text() -> None:
    """libxml2 stops building a tree 256 elements deep and drops what is below: a page nested 400
    deep (a trick against parsers, or a broken generator) lost its whole article before."""
    body = " ".join(f"Officials in Ankara said on day {i} that talks with Moscow over grain corridor {i * 7} "
                    "would go on." for i in range(25))
    html = "<html><head><title>Deep page</title></head><body>" + "<div>" * 400 + f"<p>{body}</p>" + "</div>" * 400
    a = clean(RawArticle(id="deep", origin="deep.html", html=html + "</body></html>"))
    assert "talks with Moscow over grain corridor 168" in a.body and "on day 0 " in a.body
