"""What the pages say, fifth audit (docs/audit-23.md): headlines and publish dates, checked on
named dev inputs.

Fixtures (``tests/data/audit23/texts.jsonl``, each row naming the file or set it comes from): four
SemEval-2022 Task 8 dev texts, a Billboard page of Zyte's article-extraction benchmark as plain
text and four pages of trafilatura's evaluation set as plain text. Every test but the guards
fails on main at 3244f1c."""

from __future__ import annotations

import datetime as dt
import functools

from truth_texts import rows

from storyline.clean import clean
from storyline.clean.meta import stated_headline, without_suffix
from storyline.models import Article, RawArticle


def _text(ident: str) -> str:
    return str(rows("audit23/texts.jsonl")[ident]["text"])


@functools.cache
def _clean(ident: str) -> Article:
    return clean(RawArticle(id=ident, origin=f"texts.jsonl:{ident}", text=_text(ident)))


# --- headlines as the text states them ---------------------------------------------------------


def test_two_sentence_headline_glued_to_its_text_is_shown_whole() -> None:
    """"Sukces CD Projektu. Właśnie prześcignął Orlen i goni PZU  Ponownie…" (SemEval pl
    1525602847) and "Seine et Marne. Municipales à Coulommiers : Laurence Picard : « C'est une
    situation atypique »  L.p.b. : …" (fr 1529901019): the line finder reads sentences and took
    the headline's first sentence alone ("Sukces CD Projektu", "Seine et Marne")."""
    assert _clean("sem-pl-1525602847").title == "Sukces CD Projektu. Właśnie prześcignął Orlen i goni PZU"
    assert _clean("sem-fr-1529901019").title == (
        "Seine et Marne. Municipales à Coulommiers : Laurence Picard : « C'est une situation atypique »"
    )


def test_headline_printed_twice_is_shown_once() -> None:
    """" MALTEPE MERKEZ CAMİİ'NDE SOSYAL MESAFELİ CUMA NAMAZI MALTEPE MERKEZ CAMİİ'NDE SOSYAL
    MESAFELİ CUMA NAMAZI Koronavirüs tedbirleri…" (SemEval tr 1619948304): a scraper joined the
    page's <title> and <h1>; the headline shown was both copies and the lede's first clause."""
    assert _clean("sem-tr-1619948304").title == "MALTEPE MERKEZ CAMİİ'NDE SOSYAL MESAFELİ CUMA NAMAZI"


def test_stated_headline_moves_no_encoder_title() -> None:
    """Guard: the display rule leaves the title the encoder reads (and so every vector, event and
    storyline) as it was, and a glued headline that the finder already took whole unchanged."""
    got = _clean("sem-pl-1525602847")
    assert got.encoder_title == "Sukces CD Projektu"
    assert _clean("sem-fr-1559201705").title == (
        "Clarenceville : Alexandre et Ilana Dupont n'iront pas aux Jeux paralympiques"
    )
    assert stated_headline("Kars'ta bilet izdihamı Kars'ta bilet izdihamı Kars'ta otobüs biletleri") == (
        "Kars'ta bilet izdihamı"
    )
    assert stated_headline("Der Text beginnt einfach so, ohne eine Überschrift davor, und läuft weiter.") is None


def test_page_title_printed_again_whole_is_the_headline() -> None:
    """gazeta.pl as text (snippets d618a904cff8e4f8): its <title> has no outlet's name after it, and
    is printed again twice above the story; the line finder took a row of politicians' names (a
    tag menu) for the headline, and missed the dateline under the copy ("red. 27.04.2021 14:51")."""
    got = _clean("s-d618a904cff8e4f8")
    assert got.title.startswith('"Ziemniaki na sz')
    assert got.title.endswith("[PORADNIK W PIGU\ufffdCE]")
    assert got.published == dt.date(2021, 4, 27)


def test_breadcrumb_mark_before_the_site_name() -> None:
    """"Grundeinkommen ist ein Menschenrecht! › Piratenpartei Mecklenburg-Vorpommern" (snippets
    60f53fb8358015a1, a WordPress theme): "›" between spaces separates the site's name like "|"."""
    assert _clean("s-60f53fb8358015a1").title == "Grundeinkommen ist ein Menschenrecht!"
    assert without_suffix("Titel › Blog des Vereins") is None  # too short a head: kept
    assert without_suffix("Ein «Zitat» im Titel bleibt hier ganz") is None  # quotes are no separator


# --- publish dates -----------------------------------------------------------------------------


def test_dateline_under_a_headline_deep_in_the_page() -> None:
    """Pages as text open with long menus and print the headline below line 40: Billboard's at
    line 108 with "11/19/2019 by Lars Brandle" under it (Zyte t-9cb8224b660f36c9), skispringen.com's
    at line 51 with "1. Februar 2022 Luis Holuch 6". The headline was looked for in the first 40
    lines only; both showed no date."""
    assert _clean("t-9cb8224b660f36c9").published == dt.date(2019, 11, 19)
    assert _clean("s-9a3222847124575d").published == dt.date(2022, 2, 1)


def test_stamp_four_lines_under_the_headline_copy() -> None:
    """POLITICO as text (snippets 59b6b734f5562b4c): headline, standfirst, photo caption, "By ALLY
    MUTNICK", then "12/30/2019 05:03 AM EST", one line further down than the stamp was looked for."""
    assert _clean("s-59b6b734f5562b4c").published == dt.date(2019, 12, 30)


def test_teaser_date_four_lines_down_is_not_the_story_date() -> None:
    """Guard: herrpfleger.de as text (snippets 08c8227258a8f699) prints under its headline "vor 4
    Monaten", then the next teaser's section, headline and date ("18. Januar 2019"; the URL says
    2019/10): a date line that far down counts only after a byline or a publish label."""
    assert _clean("s-08c8227258a8f699").published is None
