"""Entity chips a reader would call wrong, session 20 (issue 17; docs/entities.md "Session 20"):
a sentence's first word read as another language's name of a city ("Dabei", Dubai), German
noun runs and a name's genitive before a noun read as people ("Korona Krise", "Trumps
Auftritt"), Polish full names in the genitive keyed apart from their nominative ("Andrzeja
Dudy"), real people hidden by the display rule ("di Guido Olimpio", "Arc de Marc Aurèle",
"Maria del Rosario Marquez") and a sentence's common first word kept in a name ("Spotkanie
Trumpa").

Texts: dev texts, whole or the paragraph named (``tests/data/truth20/texts.jsonl``, source per
line), the labelled samples (``tests/data/entities/unseen.jsonl``, ``fresh.jsonl``,
``fresh20.jsonl``). The first five tests fail on main at 16c699e; the Slavic opener test and the
guard pass on both (main's path reads that text right by another rule)."""

from __future__ import annotations

from truth_texts import entities

from storyline.models import Entity

FILES = ("truth20/texts.jsonl", "entities/unseen.jsonl", "entities/fresh.jsonl", "entities/fresh20.jsonl")


def _ents(ident: str) -> tuple[Entity, ...]:
    return entities(FILES, ident)


def _chips(ident: str) -> dict[str, tuple[str, str]]:
    """text → (key, kind) of the chips a page shows."""
    return {e.text: (e.key, e.kind) for e in _ents(ident) if e.shown}


def test_a_sentences_first_word_is_not_another_languages_city_name() -> None:
    """"Dabei gibt es Gemeinden, die praktisch schuldenfrei sind" ("yet there are towns that are
    practically free of debt"): "Dabei" is an alternate name of Dubai in the gazetteer's other
    languages; opening a sentence and a German stopword, it names no city. A second text
    ("Dabei kamen vier oder fünf Personen zu Schaden") is a guard: main's path already drops it there."""
    assert "place:AE/dubai" not in {e.key for e in _ents("sem-de-1484159213")}
    keys = {e.key for e in _ents("sem-de-1521779533")}
    assert "place:AE/dubai" not in keys
    assert "place:DE/berlin" in keys  # guard: the city the text is about


def test_german_nouns_are_no_person() -> None:
    """"wie in der Korona Krise gehen": two nouns, no given name, no office: no person chip (the key
    stays the linker's). Guard: "Laschet" stays a chip."""
    ents = _ents("sem-de-1591941289")
    shown = {e.text: e for e in ents if e.shown}
    assert "Korona Krise" not in shown
    assert any(e.text == "Korona Krise" for e in ents)  # the key is kept, not shown
    assert "Laschet" in shown


def test_a_names_genitive_before_a_noun_is_that_name() -> None:
    """"Während Trumps Auftritt im Rosengarten": the chip was a person keyed `name:auftrit`; it is
    Trump's genitive before a noun."""
    ents = _ents("sem-de-1622934394")
    assert not any(e.key == "name:auftrit" for e in ents)
    assert any(e.key == "name:trump" and e.kind == "person" for e in ents)


def test_a_polish_full_name_in_the_genitive_keys_as_its_nominative() -> None:
    """"dymisję prezydenta Andrzeja Dudy" was `name:dudy`, "Andrzej Duda" `name:duda`: one person,
    two keys within one article and across articles."""
    one = {e.key for e in _ents("sem-pl-1597013708")}
    assert "name:duda" in one and "name:dudy" not in one
    other = _chips("sem-pl-1596106217")
    assert other["Andrzeja Dudy"] == ("name:duda", "person")


def test_a_given_name_after_de_or_di_is_a_person_shown() -> None:
    """The display rule hid a person read from a run opening with a common word after "de"/"di";
    "Guido" (a form of "guidare"), "Marc" (marc) and "Rosario" (rosary) are given names."""
    assert _chips("crisis-it-egypt-ext_56")["Guido Olimpio"] == ("name:olimpio", "person")
    assert _chips("crisis-fr-libya-gv_6")["Marc Aurèle"] == ("name:aurele", "person")
    assert "Rosario Marquez" in _chips("crisis-it-egypt-ext_33")


def test_a_common_word_opening_the_sentence_is_not_part_of_the_name() -> None:
    """"Dymisja Andrzeja Dudy sposobem na wybory?" ("Andrzej Duda's dismissal a way to elections?"):
    the chip read "Dymisja Andrzeja Dudy"."""
    chips = _chips("sem-pl-1596106217")
    assert not any(t.startswith("Dymisja") for t in chips)


def test_guard_two_common_words_stay_one_name() -> None:
    """Guard: a run of two common words at a sentence's start is not cut ("Casa Presidencial",
    Tegucigalpa's seat of government, in the fourth sample's Honduran text)."""
    assert "Casa Presidencial" in _chips("sem-es-1513254776")
