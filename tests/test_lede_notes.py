"""What a page says about an article is never its headline (issue 16 follow-up): series and dossier
notes, corrections, "first published" notes, calls to click, photo captions and credits, editor's
notes; a section kicker glued to the headline is cut; a storyline is named by an editor's
headline before a lede sentence, and by a lede sentence that reads as news before an aside."""

from __future__ import annotations

import json
import re
from importlib import resources

import numpy as np
import pytest

from storyline.clean.meta import headline, lede_headline
from storyline.clean.notes import meta_note, strip_notes, unglue_kicker
from storyline.describe import storyline_name
from storyline.models import Article, Entity


@pytest.mark.parametrize(
    ("body", "want"),
    [
        (  # Global Voices' series note (fr), its own paragraph
            "Ce billet fait partie de notre dossier sur les manifestations au Yémen.\n\n"
            "Des centaines de manifestants ont défilé dans les rues de Ta'izz mardi contre le président.",
            "Des centaines de manifestants ont défilé dans les rues de Ta'izz mardi contre le président",
        ),
        (  # the same in Spanish, then a real lede
            "Este post es parte de nuestra cobertura especial Protestas en Yemen 2011.\n\n"
            "La capital yemení, Sanaa, se hundió en el caos la tarde del viernes.",
            "La capital yemení, Sanaa, se hundió en el caos la tarde del viernes",
        ),
        (  # a correction and its second line, then the story
            "The article incorrectly said that Sen. Kent Conrad (D-N.D.) chairs the Senate banking committee.\n"
            "Conrad is the chairman of the Budget Committee.\n"
            "Treasury nominee Timothy Geithner faced senators on Tuesday over his unpaid taxes.",
            "Treasury nominee Timothy Geithner faced senators on Tuesday over his unpaid taxes",
        ),
        (  # a photo caption: the paragraph a credit follows; the credit runs into the lede
            "Tony Blair at a Labour poster launch this morning.\n\n"
            "Photograph: Bruno Vincent/Getty The full 13 pages of the attorney general's advice were published today.",
            "The full 13 pages of the attorney general's advice were published today",
        ),
        (  # Reuters' multi-part credit
            "Credit: Reuters/Jonathen E. Davis/U.S. Navy photo/Handout "
            "Crews burned oil off the Louisiana coast on Friday.",
            "Crews burned oil off the Louisiana coast on Friday",
        ),
        (  # "first published" note in the same paragraph as the lede
            "This piece first appeared in The Guardian. Investors dumped bank shares on Monday as losses mounted.",
            "Investors dumped bank shares on Monday as losses mounted",
        ),
        (
            "Questo articolo fa parte del nostro dossier sulla Libia.\nI ribelli hanno ripreso il controllo di Brega.",
            "I ribelli hanno ripreso il controllo di Brega",
        ),
        (
            "Dieser Artikel ist Teil unserer Serie zum Arabischen Frühling.\n"
            "Tausende Menschen demonstrierten am Freitag in Kairo gegen die Regierung.",
            "Tausende Menschen demonstrierten am Freitag in Kairo gegen die Regierung",
        ),
        (
            "Este artigo faz parte da nossa cobertura especial sobre a Síria.\n"
            "O exército sírio bombardeou Homs durante a noite, dizem ativistas.",
            "O exército sírio bombardeou Homs durante a noite, dizem ativistas",
        ),
        (
            "Bài viết nằm trong loạt bài về đại dịch cúm H1N1.\n"
            "Bộ Y tế xác nhận thêm ba ca nhiễm cúm H1N1 tại Hà Nội.",
            "Bộ Y tế xác nhận thêm ba ca nhiễm cúm H1N1 tại Hà Nội",
        ),
        (
            "Editor's note: This story contains graphic descriptions.\n"
            "Syrian forces shelled the Baba Amr district of Homs for a fifth day.",
            "Syrian forces shelled the Baba Amr district of Homs for a fifth day",
        ),
        (  # a bracketed link note glued to the lede
            "[Liens en anglais] Les manifestations se poursuivent dans toute la Syrie malgré la répression.",
            "Les manifestations se poursuivent dans toute la Syrie malgré la répression",
        ),
        (  # a Reuters photo caption above the dateline: the story starts at "(Reuters) -"
            "Tourists wearing masks walk down the street in Osaka May 15, 2009.\n"
            "GENEVA | Mon May 18, 2009 2:07 pm EDT GENEVA (Reuters) - Humanity may be witnessing an influenza "
            "pandemic unfold, the head of the World Health Organization said on Monday.",
            "Humanity may be witnessing an influenza pandemic unfold, the head of the World Health Organization said on"
            " Monday",
        ),
        (  # a sidebar teaser and bullet points above a CNN dateline
            "Helicopter crashes into crane on London tower, kills two\n"
            "* Rebels hold Brega * NATO strikes Tripoli\n"
            "(CNN) -- Libyan rebels pushed west on Sunday, seizing two key cities.",
            "Libyan rebels pushed west on Sunday, seizing two key cities",
        ),
        (
            "[Liens en arabe et anglais] Selon des blogueurs égyptiens, la police a tiré sur la foule au Caire.",
            "Selon des blogueurs égyptiens, la police a tiré sur la foule au Caire",
        ),
        (
            "Click here to follow our live coverage.\n"
            "Rebels entered Ajdabiya on Tuesday as government forces pulled back.",
            "Rebels entered Ajdabiya on Tuesday as government forces pulled back",
        ),
    ],
)
def test_a_note_about_the_article_is_never_its_headline(body: str, want: str) -> None:
    assert lede_headline(body) == want


@pytest.mark.parametrize(
    "news",
    [
        "Photographers were attacked by police in Tahrir Square on Friday",
        "Correctional officers in Texas went on strike",
        "The report blamed BP for the spill",
        "Updated figures show the recession deepened",
        "Dossier sur la table: le gouvernement recule",
        "Fotógrafos denuncian agresiones en El Cairo",
        "Die Redaktion des Magazins wurde durchsucht",
        "Credit markets froze as Lehman collapsed",
    ],
)
def test_news_is_not_a_note(news: str) -> None:
    assert meta_note(news) is None
    assert strip_notes(news) == news


def test_a_kicker_glued_to_the_headline_is_cut() -> None:
    assert unglue_kicker("Guerra SiriaLos dos grandes ejes mundiales miden fuerzas en Siria") == (
        "Los dos grandes ejes mundiales miden fuerzas en Siria"
    )
    assert headline("Guerra SiriaLos dos grandes ejes mundiales miden fuerzas en Siria", "") == (
        "Los dos grandes ejes mundiales miden fuerzas en Siria"
    )
    for name in (
        "WikiLeaks founder Julian Assange arrested in London",
        "YouTube blocks video in Egypt",
        "McDonald's closes restaurants in Cairo",
        "LaGuardia flights cancelled as storm hits",
    ):
        assert unglue_kicker(name) == name


def test_a_found_headline_that_is_a_note_gives_way_to_the_lede() -> None:
    body = "Les forces de sécurité ont tiré sur la foule à Sanaa, faisant des dizaines de morts."
    got = headline("Ce billet fait partie de notre dossier sur les manifestations au Yémen", body)
    assert got == "Les forces de sécurité ont tiré sur la foule à Sanaa, faisant des dizaines de morts"


def test_the_notes_file_covers_every_kind_in_the_dev_languages() -> None:
    data = json.loads(resources.files("storyline").joinpath("data", "meta_notes.json").read_text(encoding="utf-8"))
    for kind, by_lang in data["notes"].items():
        assert {"en", "es", "fr", "it", "de", "vi", "pt"} <= set(by_lang), kind
        for pats in by_lang.values():
            for p in pats:
                re.compile(p)


_V = np.ones(384, dtype=np.float32) / np.sqrt(384)
_EG = Entity(key="place:EG", kind="place", text="Egypt")
_CAIRO = Entity(key="place:EG/cairo", kind="place", text="Cairo")


def _art(i: str, title: str, source: str = "text", ents: tuple[Entity, ...] = (), v: np.ndarray = _V) -> Article:
    return Article(i, title, "Protesters filled Tahrir Square in Cairo on Friday.", "en", None,  # type: ignore[arg-type]
                   vector=v, title_source=source, entities=ents)


def test_an_editors_headline_names_the_storyline_before_a_lede_sentence() -> None:
    off = _V.copy()
    off[:100] = 0
    off /= np.linalg.norm(off)
    aside = _art("a", "What this day holds nobody can tell", ents=(_EG,))
    news = _art("b", "Protesters fill Cairo square as Egypt's army stands by", ents=(_EG, _CAIRO))
    editor = _art("c", "Egypt's army vows not to fire on protesters", source="page", ents=(_EG,), v=off)
    assert "army vows" in storyline_name([aside, news, editor])
    # Without an editor's headline, the lede sentence that reads as news wins over the aside,
    # although the aside's article is as central.
    assert "Protesters fill Cairo" in storyline_name([aside, news])
