"""What the pages say, fourth audit (docs/audit-22.md): headlines and publish dates, checked on
named dev inputs.

Fixtures (``tests/data/audit22/texts.jsonl``, each row naming the file or set it comes from): a
Reuters page of Zyte's article-extraction benchmark as plain text, two Timeline17 BBC texts, an
ECB+ text and four SemEval-2022 Task 8 dev texts. Every test but the three guards fails on main at
e2643d4."""

from __future__ import annotations

import datetime as dt
import functools
from pathlib import Path

from truth_texts import rows

from storyline.clean import clean
from storyline.clean.meta import parse_date
from storyline.models import Article, RawArticle

SEEDS = Path(__file__).resolve().parents[1] / "examples" / "seeds"


def _texts() -> dict[str, str]:
    return {k: r["text"] for k, r in rows("audit22/texts.jsonl").items()}


@functools.cache
def _clean(ident: str) -> Article:
    return clean(RawArticle(id=ident, origin=f"texts.jsonl:{ident}", text=_texts()[ident]))


# --- publish dates ---------------------------------------------------------------------------


def test_stamp_with_label_and_clock_is_read() -> None:
    """"Page last updated at 05:27 GMT , Tuesday , 27 September 2011 06:27 UK" (t17-MJ_bbc-782):
    the stamp was found (and cut from the headline) but its date not read, the label and clocks
    around it defeating the parser; the article showed no date."""
    assert _clean("t17-MJ_bbc-782").published == dt.date(2011, 9, 27)


def test_stamp_with_slashes_above_the_headline_copy() -> None:
    """Reuters prints "November 19, 2019 / 12:21 AM / Updated 14 hours ago" above its headline (the
    page as text, Zyte t-57d46c9d751e3fd3): the slashes split the stamp, and "Updated … hours ago"
    made the line more than a date; the article showed no date."""
    assert _clean("t-57d46c9d751e3fd3").published == dt.date(2019, 11, 19)


def test_labelled_publish_stamp_above_the_headline() -> None:
    """"PUBLISHED FRIDAY , MARCH 8 , 2013 AT 12 : 46 PM / UPDATED AT 12 : 48 PM" above the headline
    (ECB+ ecb-31_1ecbplus, sports.omaha.com): capitals and the label defeated the parser, and a date
    above the headline was taken for the masthead; a "Published" label says it is the story's."""
    assert _clean("ecb-31_1ecbplus").published == dt.date(2013, 3, 8)


def test_worded_date_inside_a_longer_string() -> None:
    """The day-month-year run alone is read when the words around it defeat the parser, in any
    language; nothing is read where no day, month name and year stand together."""
    published = "PUBLISHED FRIDAY, MARCH 8, 2013 AT 12:46 PM / UPDATED AT 12:48 PM"
    assert parse_date(published, "en") == dt.date(2013, 3, 8)
    updated = "Page last updated at 05:27 GMT, Tuesday, 27 September 2011 06:27 UK"
    assert parse_date(updated, "en") == dt.date(2011, 9, 27)
    assert parse_date("Actualizado: viernes 22 de abril de 2022 a las 10:31 h", "es") == dt.date(2022, 4, 22)
    assert parse_date("Teil 49 2021", "de") is None
    assert parse_date("Mehr 5, 2019 Leute", "de") is None


def test_masthead_date_is_still_no_publish_date() -> None:
    """Guard: the seeds' EUobserver page opens with its masthead ("Thursday / 21st Jan 2021", the
    day it was saved): the story is still dated by what its lede says (29 December 2020)."""
    text = (SEEDS / "003_78df242a86dafe5a.txt").read_text(encoding="utf-8")
    assert clean(RawArticle(id="003", origin="seed", text=text)).published == dt.date(2020, 12, 29)


# --- headlines -------------------------------------------------------------------------------


def test_server_error_text_is_no_headline() -> None:
    """"(an error occurred while processing this directive) The Black Eyed Peas have joined …"
    (t17-MJ_bbc-782): a web server's message printed in the page opened the headline."""
    title = _clean("t17-MJ_bbc-782").title
    assert title.startswith("The Black Eyed Peas have joined the line-up")


def test_headline_glued_to_its_text_by_two_spaces() -> None:
    """A headline run into its text with two spaces between them (SemEval-2022 dev texts in de, es,
    fr) is shown alone, not with the text's first words."""
    assert _clean("sem-de-1596592619").title == "Erster Mai: Polizist soll Journalistin geschlagen haben"
    es = "Proteger la identidad de niñas, niños y adolescentes en tiempos de COVID-19"
    assert _clean("sem-es-1646217966").title == es
    assert _clean("sem-fr-1571124734").title == "Les villes de l'est s'isolent pour empêcher la propagation"


def test_glued_headline_moves_no_encoder_title() -> None:
    """Guard: the rule is for readers; the encoder still reads the text's opening clause."""
    a = _clean("sem-de-1596592619")
    assert a.encoder_title.startswith("Erster Mai: Polizist soll Journalistin geschlagen haben  Ein")


def test_headline_on_its_own_line_and_undated_text_unchanged() -> None:
    """Guards: a headline on its own line stays whole (sem-tr-1635640253), and a Timeline17 text
    that states no date still shows none (t17-haiti_bbc-491)."""
    assert _clean("sem-tr-1635640253").title == "'Çavuşoğlu ülkenin cihan pusulasıdır'"
    assert _clean("t17-haiti_bbc-491").published is None
