"""Names in the reader's language (issue 16): event headlines and storyline names from a real
headline in that language where the storyline has one, stored on SQLite and PostgreSQL, chosen with
the ``lang`` setting, a page's ``?hl=`` or the ``hl`` cookie."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
from fastapi.testclient import TestClient
from store_params import db  # noqa: F401 - every store-dependent test runs on SQLite and PostgreSQL
from test_api import LOCAL

from storyline.app import create_app
from storyline.config import load_settings
from storyline.describe import describe_event, describe_storyline
from storyline.errors import UsageError
from storyline.models import Article, Assignment, Entity
from storyline.store import open_store

EN = "Libya rebels take Tripoli as Gaddafi flees the capital"
ES = "Los rebeldes libios toman Trípoli y Gadafi huye de la capital"
FR = "Les rebelles libyens prennent Tripoli, Kadhafi en fuite"


def _art(i: str, title: str, lang: str, vec: float) -> Article:
    return Article(id=i, title=title, body=f"{title}. More text.", lang=lang, published=dt.date(2011, 8, 22),
                   source="X", title_source="feed",
                   entities=(Entity("place:LY", "place", "Libya"), Entity("name:gadafi", "person", "Gaddafi")),
                   vector=np.array([1.0 - vec, vec, 0.0, 0.0], dtype=np.float32))


MEMBERS = [_art("a", EN, "en", 0.0), _art("b", EN.replace("flees", "escapes"), "en", 0.0),
           _art("c", ES, "es", 0.2), _art("d", FR, "fr", 0.3)]


def test_each_language_gets_a_real_headline_of_its_own() -> None:
    ev = describe_event("e1", "s1", MEMBERS)
    assert ev.lang == "en" and ev.headline.startswith("Libya rebels")
    assert ev.headline_in("es") == ES and ev.headline_in("fr") == FR
    assert ev.headline_in("de") == ev.headline and ev.headline_in(None) == ev.headline  # none in German
    sl = describe_storyline("s1", [ev], MEMBERS)
    assert ES in sl.name_in("es") and FR in sl.name_in("fr") and sl.name_in("it") == sl.name


def test_names_in_each_language_are_stored(db: str) -> None:  # noqa: F811
    st = open_store(db)
    ev = describe_event("e1", "s1", MEMBERS)
    sl = describe_storyline("s1", [ev], MEMBERS)
    st.write_batch(MEMBERS, [Assignment(a.id, "e1", "s1") for a in MEMBERS], [ev], [sl])
    assert st.event("e1").headlines == ev.headlines and st.storyline("s1").names == sl.names
    st.close()


@pytest.fixture()
def client(tmp_path: Path) -> Iterator[TestClient]:
    path = tmp_path / "l.db"
    st = open_store(path)
    ev = describe_event("e1", "s1", MEMBERS)
    sl = describe_storyline("s1", [ev], MEMBERS)
    st.write_batch(MEMBERS, [Assignment(a.id, "e1", "s1") for a in MEMBERS], [ev], [sl])
    st.close()
    with TestClient(create_app(path, lang="fr"), base_url=LOCAL) as c:
        yield c


def test_reader_language_from_setting_parameter_and_cookie(client: TestClient) -> None:
    assert FR in client.get("/api/events/e1").json()["headline"]  # the `lang` setting
    r = client.get("/api/events/e1", params={"hl": "es"})
    assert r.json()["headline"] == ES and r.json()["lang"] == "es" and r.cookies.get("hl") == "es"
    assert client.get("/api/events/e1").json()["headline"] == ES  # remembered in the cookie
    assert ES in client.get("/api/storylines").json()["items"][0]["name"]
    assert ES in client.get("/storylines/s1").text
    assert client.get("/api/events/e1", params={"hl": "<x>"}).json()["headline"] == FR  # ignored, back to the setting
    assert client.get("/api/events/e1", params={"hl": "de"}).json()["headline"].startswith("Libya rebels")


def test_lang_setting_is_validated(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("STORYLINE_LANG", "ES")
    assert load_settings().lang == "es"
    with pytest.raises(UsageError, match="lang"):
        load_settings(lang="español")
