"""One person in every spelling (issue 16): search expands a name to the spellings the store
holds, and ``explain`` says what the store holds."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from storyline.enrich.entities import spellings
from storyline.enrich.gazetteer import name_sound, same_name
from storyline.pipeline import agree_with_store
from storyline.store.base import fts_query


@pytest.mark.parametrize("other", ["Kadhafi", "Gheddafi", "Gadhafi", "Gadafi", "Qaddafi", "Каддафи", "Kadafi"])
def test_spellings_of_gaddafi_are_one_name(other: str) -> None:
    assert same_name("Gaddafi", other)


@pytest.mark.parametrize("other", ["Getafe", "Gates", "Kaduna", "Assad", "Bashar"])
def test_different_names_stay_apart(other: str) -> None:
    assert not same_name("Gaddafi", other)


def test_name_sound_ignores_script() -> None:
    assert name_sound("Каддафи") == name_sound("Gaddafi") != ""


def test_spellings_from_store_names() -> None:
    names = [
        ("name:kadhafi", "person", "Mouammar Kadhafi", 39),
        ("name:gadafi", "other", "Gadafi", 85),
        ("name:getafe", "other", "Getafe", 3),
        ("place:SY", "place", "Siria", 40),
        ("place:SY", "place", "Syrie", 20),
        ("place:TR", "place", "Thổ Nhĩ Kỳ", 1),
    ]
    got = spellings("Gaddafi", names)
    assert "Gadafi" in got and "Mouammar Kadhafi" in got and "Getafe" not in got
    assert set(spellings("Syria", names)) == {"Siria", "Syrie"}
    assert spellings("Turkey", names) == ("Thổ Nhĩ Kỳ",)
    q = fts_query("Gaddafi Libya", lambda w: spellings(w, names))
    assert q.startswith('("Gaddafi" OR "Gadafi"') and q.endswith('"Libya"')
    assert fts_query("Turk*") == '"Turk"*'


def _at(event: str | None, storyline: str | None) -> SimpleNamespace:
    return SimpleNamespace(event=event, storyline=storyline)


def test_explain_says_what_the_store_holds() -> None:
    pair = {"decision": "same storyline", "score": 0.26, "event_threshold": 0.5}
    out = agree_with_store(dict(pair), _at("e1", "s1"), _at("e1", "s1"))
    assert out["decision"] == "same event" and out["pair_decision"] == "same storyline"
    assert "0.26" in out["because"]
    assert agree_with_store(dict(pair), _at("e1", "s1"), _at("e2", "s1"))["decision"] == "same storyline"
    assert agree_with_store(dict(pair), _at("e1", "s1"), _at("e2", "s2"))["decision"] == "unrelated"
