"""Every state a page can be in, through the real app (TestClient) on small real stores: counts
in the singular, empty and out-of-range pages, error pages on page routes and JSON on /api,
the upload form's own validation, what an upload did, the storyline list's orders, and the
timeline axis drawn on the server. The stores link with the word-hash encoder (fast; these
tests are about the pages, not about linking)."""

from __future__ import annotations

import datetime as dt
import json
import re
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("fastapi", reason="install the project: pip install -e '.[test]'")
from fastapi.testclient import TestClient
from hash_encoder import TEXT, HashEncoder

from storyline import Pipeline, Settings
from storyline.app import create_app
from storyline.clean import clean
from storyline.models import RawArticle
from storyline.store import open_store
from storyline.web import pages
from storyline.web.charts import timeline_axis

LOCAL = "http://localhost"
OTHER = ("Floods in the north of the country forced thousands of families from their homes on Sunday, and "
         "rescue teams worked through the night to reach villages cut off by the water, officials said.")
THIRD = ("The central bank kept its main interest rate unchanged on Thursday, saying inflation had eased "
         "but that the labour market remained tight, and signalled no cut before the summer.")


def build(db: Path, rows: list[dict[str, Any]]) -> Pipeline:
    pipe = Pipeline(Settings(db=str(db)), encoder=HashEncoder())
    st = open_store(db)
    src = db.with_suffix(".jsonl")
    src.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    pipe.run([src], st)
    st.refresh_search_index()
    st.close()
    return pipe


@pytest.fixture()
def one(tmp_path: Path) -> Iterator[TestClient]:
    """A store with exactly one article: one storyline, one event, one language."""
    db = tmp_path / "one.db"
    pipe = build(db, [{"id": "grain", "text": TEXT, "title": "Grain corridor extended for sixty days",
                       "lang": "en", "published": "2023-05-16", "source": "Wire"}])
    with TestClient(create_app(db, pipeline=pipe), base_url=LOCAL) as c:
        yield c


@pytest.fixture()
def three(tmp_path: Path) -> Iterator[TestClient]:
    """Three unrelated stories: the oldest is the biggest (two reports of one grain deal)."""
    db = tmp_path / "three.db"
    rows = [
        {"id": "grain-1", "text": TEXT, "title": "Grain corridor extended", "lang": "en", "published": "2020-01-02"},
        {"id": "grain-2", "text": TEXT + " The deal was welcomed in Kyiv.", "title": "Grain deal extended again",
         "lang": "en", "published": "2020-01-03"},
        {"id": "floods", "text": OTHER, "title": "Floods force thousands from their homes", "lang": "en",
         "published": "2023-03-05"},
        {"id": "rates", "text": THIRD, "title": "Central bank holds rates", "lang": "fr", "published": "2024-06-06"},
    ]
    pipe = build(db, rows)
    with TestClient(create_app(db, pipeline=pipe), base_url=LOCAL) as c:
        yield c


def test_counts_are_singular_when_one(one: TestClient) -> None:
    home = one.get("/").text
    assert "1 storyline · 1 event · 1 article in 1 language" in home
    assert not re.search(r"\b1 (storylines|events|articles|languages)\b", home)
    sl = one.get("/api/storylines").json()["items"][0]
    page = one.get(f"/storylines/{sl['id']}").text
    assert not re.search(r"\b1 (storylines|events|articles|languages)\b", page)


def test_out_of_range_and_unknown_filters_say_what_happened(three: TestClient) -> None:
    for url in ("/?page=0", "/?page=-3"):
        r = three.get(url)
        assert r.status_code == 200 and "storyline-card" in r.text, url  # page 1, not a 422
    r = three.get("/?page=99")
    assert r.status_code == 200 and "There is no page 99" in r.text and "No storylines yet" not in r.text
    assert 'href="/?page=1"' in r.text  # a way to the last page
    r = three.get("/?lang=xx")
    assert "No storylines match" in r.text and "No storylines yet" not in r.text
    assert "None of the 3 storylines is in xx" in r.text


def test_page_routes_answer_errors_with_pages_and_the_api_with_json(three: TestClient) -> None:
    r = three.get("/storylines/sl-nope")  # curl's */*: a page route gives a page
    assert r.status_code == 404 and r.headers["content-type"].startswith("text/html")
    assert "no storyline" in r.text and "Back to storylines" in r.text
    r = three.get("/?page=abc")
    assert r.status_code == 422 and r.headers["content-type"].startswith("text/html") and "page" in r.text
    r = three.get("/storylines/sl-nope", headers={"Accept": "application/json"})
    assert r.status_code == 404 and r.json()["error"]["code"] == "not_found"
    r = three.get("/api/storylines/sl-nope", headers={"Accept": "text/html"})
    assert r.status_code == 404 and r.json()["error"]["code"] == "not_found"
    assert three.get("/api/storylines?sort=bogus").json()["error"]["status"] == 422


def test_home_orders_by_size_by_default_and_by_recency_on_request(three: TestClient) -> None:
    by_size = three.get("/api/storylines?sort=size").json()["items"]
    assert [s["article_count"] for s in by_size] == sorted((s["article_count"] for s in by_size), reverse=True)
    assert by_size[0]["article_count"] == 2
    recent = three.get("/api/storylines").json()["items"]  # the API's default is unchanged
    assert recent[0]["last"] == "2024-06-06"
    home = three.get("/").text
    first = re.search(r'class="card-title" href="/storylines/([^"]+)"', home)
    assert first and first.group(1) == by_size[0]["id"]
    home = three.get("/?sort=recent").text
    first = re.search(r'class="card-title" href="/storylines/([^"]+)"', home)
    assert first and first.group(1) == recent[0]["id"]
    big = three.get("/?min=2").text
    assert big.count("storyline-card") == 1
    assert three.get("/api/storylines?min_articles=2").json()["total"] == 1
    fr = three.get("/?lang=fr&sort=recent").text
    assert fr.count("storyline-card") == 1 and "sort=recent" in fr  # the filter links keep the order


def test_upload_form_keeps_what_was_typed_when_refused(three: TestClient) -> None:
    form = three.get("/add").text
    token = re.search(r'name="csrf" value="([^"]+)"', form)
    assert token
    headers = {"Origin": LOCAL}
    r = three.post("/add", data={"csrf": token.group(1), "title": "My title", "source": "Le Monde"}, headers=headers)
    assert r.status_code == 400 and 'role="alert"' in r.text and "Nothing to add yet" in r.text
    assert 'value="My title"' in r.text and 'value="Le Monde"' in r.text and "<form" in r.text
    r = three.post("/add", data={"csrf": token.group(1), "text": OTHER, "lang": "english"}, headers=headers)
    assert r.status_code == 400 and "is not a language code" in r.text and OTHER in r.text
    r = three.post("/add", data={"csrf": token.group(1)}, files={"files": ("empty.txt", b"")}, headers=headers)
    assert r.status_code == 400 and "empty" in r.text


def test_upload_results_say_what_each_article_did(three: TestClient) -> None:
    body = [{"id": "floods-again", "text": OTHER, "title": "Thousands flee floods", "lang": "en",
             "published": "2023-03-05"},
            {"id": "volcano", "text": "A volcano erupted on the island overnight, sending ash twelve kilometres "
             "into the sky and closing the airport for two days, the civil protection agency said.",
             "title": "Volcano erupts, airport closed", "lang": "en", "published": "2025-01-01"}]
    job = three.post("/api/articles", json=body, headers={"Origin": LOCAL}).json()
    for _ in range(600):
        job = three.get(f"/api/jobs/{job['id']}").json()
        if job["state"] in ("done", "failed"):
            break
        time.sleep(0.1)
    assert job["state"] == "done", job
    placed = {p["id"]: p for p in job["articles"]}
    assert placed["floods-again"]["outcome"] == "joined event" and not placed["floods-again"]["new_storyline"]
    assert placed["volcano"]["outcome"] == "new event" and placed["volcano"]["new_storyline"]
    assert placed["volcano"]["title"] == "Volcano erupts, airport closed"
    page = three.get(f"/jobs/{job['id']}").text
    assert "Volcano erupts, airport closed" in page and "New event" in page and "Joined an event" in page
    assert "in a new storyline" in page


def test_html_upload_takes_its_outlet_from_og_site_name() -> None:
    html = ('<html><head><title>Quake hits coast</title><meta property="og:site_name" content="Daily Planet">'
            '</head><body><article><h1>Quake hits coast</h1>' + "".join(f"<p>{OTHER}</p>" for _ in range(4))
            + "</article></body></html>")
    art = clean(RawArticle(id="q", origin="q.html", html=html))
    assert art.source == "Daily Planet"
    assert clean(RawArticle(id="q", origin="q.html", html=html, source="Given")).source == "Given"


def test_docs_lead_back_to_the_app(three: TestClient) -> None:
    html = three.get("/docs").text
    assert 'href="/"' in html and "back to the storylines" in html


def test_event_pages_past_the_end_are_clamped(three: TestClient, monkeypatch: pytest.MonkeyPatch) -> None:
    sl = three.get("/api/storylines?sort=size").json()["items"][0]
    monkeypatch.setattr(pages, "FOLD_FROM", 0)
    monkeypatch.setattr(pages, "EVENTS_PER_PAGE", 1)
    page = three.get(f"/storylines/{sl['id']}").text
    n_events = sl["event_count"]
    if n_events > 1:
        assert "Page 1 of" in page
    assert three.get(f"/storylines/{sl['id']}?page=999").status_code == 200  # clamped to the last page


def test_timeline_axis_labels_years_and_sizes_dots() -> None:
    days = [(dt.date(2011, 2, 21), 9), (dt.date(2011, 2, 22), 4), (dt.date(2011, 8, 1), 1), (dt.date(2014, 11, 5), 1)]
    svg = str(timeline_axis(days, [dt.date(2011, 2, 22)], first=dt.date(2011, 2, 21), last=dt.date(2014, 11, 5),
                            slots=40, max_labels=12))
    labels = re.findall(r"<text[^>]*>([^<]+)</text>", svg)
    assert labels[0] == "2011" and "2014" in labels  # a year even though the span has no 1 January at its start
    radii = sorted(float(r) for r in re.findall(r' r="([\d.]+)"', svg))
    assert len(radii) == 3 and radii[-1] > radii[0]  # 21 and 22 Feb are one dot, the biggest
    assert 'href="#d-2011-02-22"' in svg and "13 articles" in svg
    short = str(timeline_axis([(dt.date(2011, 2, 21), 1), (dt.date(2011, 6, 2), 1)], [], first=dt.date(2011, 2, 21),
                              last=dt.date(2011, 6, 2), slots=40, max_labels=12))
    assert "Feb 2011" in short and "Mar" in short


def test_search_pages_out_of_range_are_pages_not_errors(three: TestClient) -> None:
    """`?page=0` on search was a 422 error; a page past the last says so and links back."""
    zero = three.get("/search?q=grain&page=0")
    assert zero.status_code == 200 and "Grain corridor extended" in zero.text
    far = three.get("/search?q=grain&page=99")
    assert far.status_code == 200 and "There is no page 99" in far.text and "page=1" in far.text
