"""What the tool shows a reader, checked on real dev articles (docs/audit-14.md): a series note is
never a headline, a storyline is not named after a name its one article happens to mention first,
and a headline that names the storyline's subject in its own language gets no prefix."""

from __future__ import annotations

import functools
from pathlib import Path

from storyline.clean import clean
from storyline.describe import _actors, storyline_name
from storyline.enrich import enrich
from storyline.models import Article, RawArticle
from storyline.sources import read_inputs

SAMPLE = Path(__file__).parent / "data" / "audit14" / "crisis-sample.jsonl"


@functools.cache
def _articles() -> dict[str, Article]:
    """Six Crisis articles (es, fr, it), two BBC ones on Syria and a CNN one, cleaned and enriched as a run
    does, without vectors."""
    got = [clean(r) for r in read_inputs([SAMPLE]) if isinstance(r, RawArticle)]
    return {a.id: a for a in enrich(got)}


def test_a_spanish_series_note_is_not_the_headline() -> None:
    """Global Voices in Spanish opens with "Esta publicación es parte de nuestra cobertura
    especial Levantamiento en Libia 2011." — the page's note, not its news."""
    title = _articles()["crisis-es-libya-gv_8"].title
    assert not title.lower().startswith("esta publicación"), title
    assert title.startswith("Los revolucionarios libios"), title


def test_a_one_article_storyline_is_named_by_its_headline_alone() -> None:
    """With one article every name ties, and the first written led the name ("Roma: Il generale
    Torres…" for an interview that merely mentions Rome)."""
    a = _articles()["crisis-it-egypt-ext_2"]
    assert storyline_name([a]) == a.title


def _syria() -> list[Article]:
    arts = _articles()
    return [arts[i] for i in ("crisis-fr-syria-ext_36", "t17-SyrianCrisis_bbc-156", "t17-SyrianCrisis_bbc-179")]


def test_a_headline_naming_the_subject_in_its_own_language_gets_no_prefix() -> None:
    """Named in English (two of three articles are), with the French headline as the only editor's
    one: "Main Baas sur la Syrie" names Syria as "Syrie", and "Syrian: Main Baas sur la Syrie"
    said it twice."""
    members = _syria()
    assert storyline_name(members) == "Main Baas sur la Syrie"


def test_a_country_leads_by_its_name_not_its_adjective() -> None:
    """The articles write "Syrian" as often as "Syria"; the label is the country's name."""
    labels = dict(_actors(_syria(), "en", 2))
    assert labels.get("place:SY") == "Syria", labels


def test_show_names_a_timeline_entrys_outlet_as_written(tmp_path: Path) -> None:
    """The timeline line of ``storyline show`` said "an ninh thủ đô" (the outlet's grouping key)
    where the event line above it said "An Ninh Thủ Đô"."""
    from typer.testing import CliRunner

    from storyline.cli import app

    db = str(tmp_path / "vi.db")
    runner = CliRunner()
    ran = runner.invoke(app, ["run", str(SAMPLE.with_name("vims-outlet.jsonl")), "--db", db])
    assert ran.exit_code == 0, ran.output
    shown = runner.invoke(app, ["show", "--db", db], env={"COLUMNS": "400"})
    assert shown.exit_code == 0, shown.output
    timeline = shown.output.split("Timeline", 1)[1]
    assert "(An Ninh Thủ Đô · vi)" in timeline, timeline


def test_an_entity_chip_names_a_country_not_its_adjective() -> None:
    """The storyline page's chips read "French", "British", "italiana" (the most written spelling);
    a country is shown by a name the articles write ("Siria" is one, though Spanish also writes
    it for "Syrian"), else by its English name."""
    from storyline.store.base import merge_entity_rows

    per_spelling: dict[tuple[str, str, str], int] = {}
    for a in _articles().values():
        for key, kind, text in {(e.key, e.kind, e.text) for e in a.entities}:
            per_spelling[key, kind, text] = per_spelling.get((key, kind, text), 0) + 1
    rows = merge_entity_rows([(k, kind, t, n) for (k, kind, t), n in per_spelling.items()], 100)
    labels = {r.key: r.label for r in rows}
    assert labels["place:FR"] == "France", labels["place:FR"]
    assert labels["place:IT"] == "Italy", labels["place:IT"]
    assert labels["place:GB"] == "United Kingdom", labels["place:GB"]
    assert labels["place:SY"] in ("Siria", "Syria", "Syrie"), labels["place:SY"]
    french = next(r for r in rows if r.key == "place:FR")
    assert "French" in french.variants and "France" not in french.variants


def test_a_line_of_tags_is_not_the_headline() -> None:
    """Il Sole 24 Ore prints the article's tags under its headline; the line finder took
    "Bashar Assad | Onu | Farnesina | Robert Mood | …" for the headline, as it shares every name
    with the body. The encoder's title (``encoder_title``) is left as it was."""
    a = _articles()["crisis-it-syria-ext_10"]
    assert "|" not in a.title and "Farnesina" not in a.title, a.title
    assert a.encoder_title.startswith("Bashar Assad | Onu"), a.encoder_title


def test_a_headline_has_no_contributors_byline_or_decoration_before_it() -> None:
    """CNN's "By James M. Lindsay - Special to CNN More than two months…" and OPAL's
    "›› OPAL: …" were shown so; the encoder's titles keep their plain form."""
    arts = _articles()
    cnn, opal = arts["t17-LibyaWar_cnn-54"], arts["crisis-it-egypt-ext_42"]
    assert cnn.title.startswith("More than two months of bombing"), cnn.title
    assert opal.title.startswith('OPAL: "Ministro Bonino'), opal.title
    assert cnn.encoder_title.startswith("By James M. Lindsay"), cnn.encoder_title
