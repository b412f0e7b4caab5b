"""Search shows the storylines and events that match before the articles, sorts by relevance or
date, and entity chips are one per entity with its spellings (issue 16)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from test_api import LOCAL, VI, build_seeds_db, pipeline

from storyline.app import create_app


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    db: Path = build_seeds_db(tmp_path_factory.getbasetemp())
    with TestClient(create_app(db, pipeline=pipeline()), base_url=LOCAL) as c:
        yield c


def test_api_search_lists_matching_storylines_and_events(client: TestClient) -> None:
    r = client.get("/api/search", params={"q": "S-400"}).json()
    assert r["items"] and r["storylines"] and r["events"]
    assert r["storylines"][0]["id"] in {h["storyline"] for h in r["items"]}
    assert {e["id"] for e in r["events"]} <= {h["event"] for h in r["items"]}
    # later pages carry articles only; the CONTRACT fields are all still there
    later = client.get("/api/search", params={"q": "S-400", "offset": 1}).json()
    assert later["storylines"] == [] and {"items", "total", "limit", "offset"} <= later.keys()
    assert client.get("/api/search", params={"q": "zzzqqq"}).json()["storylines"] == []


def test_sort_by_date(client: TestClient) -> None:
    a = client.get("/api/search", params={"q": "Turkey", "sort": "newest"}).json()["items"]
    b = client.get("/api/search", params={"q": "Turkey", "order": "newest"}).json()["items"]
    assert [h["id"] for h in a] == [h["id"] for h in b]
    assert client.get("/api/search", params={"q": "Turkey", "sort": "sideways"}).status_code == 422
    page = client.get("/search", params={"q": "Turkey", "sort": "oldest"}).text
    assert '<option value="oldest" selected>' in page


def test_search_page_puts_storylines_and_events_first(client: TestClient) -> None:
    page = client.get("/search", params={"q": "S-400"}).text
    assert page.index(">Storylines<") < page.index(">Events<") < page.index(">Articles<")
    assert page.index(">Articles<") < page.index(VI)
    assert "\x02" not in page and "\x03" not in page


def test_entity_chip_is_one_entity_with_its_spellings(client: TestClient) -> None:
    sl = client.get("/api/storylines").json()["items"][0]["id"]
    ents = client.get(f"/api/storylines/{sl}").json()["entities"]
    tr = [e for e in ents if e["key"] == "place:TR"]
    assert len(tr) == 1 and "Thổ Nhĩ Kỳ" in tr[0]["variants"] + [tr[0]["label"]]
    assert len({e["key"] for e in ents}) == len(ents)
    assert not any(e["label"] in ("LRB", "RRB", "Alberto Pezzali") for e in ents)
    assert "Thổ Nhĩ Kỳ" in client.get(f"/storylines/{sl}").text
