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
