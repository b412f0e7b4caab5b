"""Entity keys must agree across languages: that is what the linker relies on."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from storyline.enrich.entities import extract_entities, extract_numbers

SEEDS = Path(__file__).resolve().parent.parent / "examples" / "seeds"


def keys(text: str, lang: str, title: str = "") -> set[str]:
    return {e.key for e in extract_entities(text, lang, title)}


def seed(prefix: str) -> str:
    [path] = SEEDS.glob(f"{prefix}_*.txt")
    return path.read_text(encoding="utf-8")


@pytest.mark.parametrize(
    ("text", "lang"),
    [
        ("Talks were held in Turkey yesterday.", "en"),
        ("Des pourparlers ont eu lieu en Turquie hier.", "fr"),
        ("Las conversaciones se celebraron en Turquía.", "es"),
        ("I colloqui si sono svolti in Turchia.", "it"),
        ("Die Gespräche fanden in der Türkei statt.", "de"),
        ("Переговоры прошли в Турции.", "ru"),
        ("Переговоры: Турция и НАТО.", "ru"),
        ("جرت المحادثات في تركيا أمس.", "ar"),
        ("Cuộc đàm phán diễn ra tại Thổ Nhĩ Kỳ.", "vi"),
        ("Görüşmeler Türkiye'de yapıldı.", "tr"),
        ("Rozmowy odbyły się w Turcji.", "pl"),
    ],
)
def test_turkey_in_many_languages(text: str, lang: str) -> None:
    assert "place:TR" in keys(text, lang)


def test_same_key_for_capitals_and_countries_across_languages() -> None:
    en = keys("Officials in Moscow and Ankara met envoys from the United States and Russia.", "en")
    vi = keys("Các quan chức ở Mát-xcơ-va và Ankara gặp đặc phái viên Hoa Kỳ và Nga.", "vi")
    es = keys("Funcionarios en Moscú y Ankara se reunieron con Estados Unidos y Rusia.", "es")
    fr = keys("Des responsables à Moscou et Ankara ont rencontré les États-Unis et la Russie.", "fr")
    ru = keys("Чиновники в Москва и Анкара встретились с США и Россия.", "ru")
    for other in (vi, es, fr, ru):
        assert {"place:US", "place:RU", "place:RU/moscow", "place:TR/ankara"} <= other, other
    assert {"place:US", "place:RU", "place:RU/moscow", "place:TR/ankara"} <= en


def test_people_share_a_surname_key_across_spellings_and_scripts() -> None:
    a = keys("President Recep Tayyip Erdoğan spoke to Mevlüt Çavuşoğlu.", "en")
    b = keys("Ông Erdogan nói chuyện với Ngoại trưởng Mevlut Cavusoglu.", "vi")
    c = keys("Президент Реджеп Тайип Эрдоган и Мевлют Чавушоглу.", "ru")
    assert {"name:erdogan", "name:cavusoglu"} <= a
    assert {"name:erdogan", "name:cavusoglu"} <= b
    assert "name:erdogan" in c


def test_acronyms_codes_and_org_aliases() -> None:
    en = keys("NATO worries about the S-400 system and F-35 jets; the EU agrees.", "en")
    fr = keys("L'OTAN s'inquiète du système S-400 et des F-35, l'UE aussi.", "fr")
    vi = keys("Tổ chức Hiệp ước Bắc Đại Tây Dương lo ngại về S-400; Liên minh châu Âu đồng ý.", "vi")
    for k in (en, fr):
        assert {"name:nato", "name:s-400", "name:f-35", "name:eu"} <= k
    assert {"name:nato", "name:s-400", "name:eu"} <= vi
    assert "name:s-400" in keys("Turkey bought S-400s from Russia.", "en")


def test_demonyms_map_to_countries() -> None:
    assert "place:RU" in keys("The Turkish minister criticised Russian radars.", "en")
    assert "place:TR" in keys("The Turkish minister criticised Russian radars.", "en")
    assert "place:RU" in keys("Die russischen Raketen wurden geliefert.", "de")
    assert "place:US" in keys("Le gouvernement américain a réagi.", "fr")


def test_common_words_are_not_entities() -> None:
    k = keys("The weather was nice. Reading the news, he saw a turkey. Then they left on Tuesday.", "en")
    assert not any(key.startswith("place:") for key in k), k
    assert "name:then" not in k and "name:tuesday" not in k


def test_person_name_is_not_a_place() -> None:
    k = keys("Talks with Vladimir Putin ended while Michael Jordan watched.", "en")
    assert "name:putin" in k
    assert "place:RU/vladimir" not in k
    assert not any(key.startswith("place:JO") for key in k)


def test_entities_are_ordered_by_mentions() -> None:
    ents = extract_entities("Turkey and Russia. Turkey again. Turkey wins.", "en")
    assert ents[0].key == "place:TR"
    assert ents[0].kind == "place"


def test_unknown_language_still_finds_global_names() -> None:
    assert {"place:RU/moscow", "name:nato"} <= keys("Moscow and NATO.", "")
    assert {"place:RU/moscow"} <= keys("Moscow.", "xx")


def test_seed_translations_share_anchors() -> None:
    en = keys(seed("000"), "en")
    vi = keys(seed("001"), "vi")
    shared = {"place:TR", "place:RU", "place:US", "place:TR/ankara", "place:RU/moscow",
              "name:nato", "name:eu", "name:biden", "name:erdogan"}
    assert shared <= en, shared - en
    assert shared <= vi, shared - vi
    assert {"name:s-400", "place:US/washington", "name:cavusoglu", "name:putin"} <= vi


def test_seed_same_story_in_english() -> None:
    for prefix in ("002", "003", "004"):
        k = keys(seed(prefix), "en")
        assert {"place:TR", "place:RU", "place:US", "name:s-400"} <= k, (prefix, k)
    assert {"name:cavusoglu", "name:lavrov", "place:RU/sochi"} <= keys(seed("003"), "en")
    assert {"name:caatsa", "name:cavusoglu", "name:biden"} <= keys(seed("004"), "en")
    assert {"name:erdogan", "name:putin", "name:f-35", "name:kremlin"} <= keys(seed("002"), "en")


def test_title_is_used() -> None:
    assert "name:s-400" in keys("", "en", title="Erdogan wants to return S-400 to Russia")
    assert "place:RU" in keys("", "en", title="Erdogan wants to return S-400 to Russia")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("They bought 135 jets for 5,000 dollars.", {"135", "5000"}),
        ("Sie kauften 5.000 Stück.", {"5000"}),
        ("Il a coûté 5 000 euros.", {"5000"}),
        ("Turnout was 70% and 70 %.", {"70%"}),
        ("a 52-year-old man", {"52"}),
        ("in 2020 the figure was 2,5 triệu", {"2020", "2500000"}),
        ("It cost 3 million.", {"3000000"}),
        ("٢٠٢٠", {"2020"}),
    ],
)
def test_numbers(text: str, expected: set[str]) -> None:
    assert expected <= set(extract_numbers(text))


def test_numbers_skip_small_codes_and_times() -> None:
    nums = extract_numbers("At 11:03 on 20/05/2016, 3 S-400 and MH17 items.")
    assert "3" not in nums and "400" not in nums and "17" not in nums
    assert "11" not in nums and "03" not in nums


@settings(max_examples=60, deadline=None)
@given(st.text(max_size=300), st.sampled_from(["en", "vi", "de", "ar", "ru", "", "zz"]))
def test_never_crashes(text: str, lang: str) -> None:
    for e in extract_entities(text, lang, title=text[:20]):
        assert e.key.startswith(("place:", "name:"))
        assert e.kind in ("place", "person", "org", "other")
    for n in extract_numbers(text):
        assert n
