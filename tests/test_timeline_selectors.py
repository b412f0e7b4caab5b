"""The helpers of ``benchmarks/timeline_selectors.py`` (issue 17, session 13): its rows must build
real timelines from the articles and leave the shipped selector in place after, and its last column
must score with the language's stop words dropped, or the Crisis figure it reports (0.034 against
the 0.079 tilse gives with English stop words only) would mean nothing. The benchmark itself needs
the Timeline17 and Crisis tasks; these do not."""

from __future__ import annotations

import datetime as dt
from types import ModuleType

import pytest
from bench_module import load

from storyline import timeline as tl
from storyline.models import Article

D = dt.date


@pytest.fixture(scope="module")
def bench() -> ModuleType:
    pytest.importorskip("tilse", reason="tilse is in the [test] extra")
    return load("timeline_selectors.py", "bench_selectors")


def art(i: str, published: dt.date, body: str) -> Article:
    return Article(id=i, title="", body=body, lang="es", published=published)


# A small Spanish storyline (Crisis-like): protests on 25 January, a curfew on 28 January, the
# president's speech on 1 February; each day told by two reports, one of them also by a blog aside.
CAIRO = [
    art(
        "e1",
        D(2011, 1, 25),
        "Miles de manifestantes protestan en las calles de El Cairo contra el presidente Mubarak. "
        "La policía dispersa a los manifestantes con gases lacrimógenos en la plaza Tahrir.",
    ),
    art(
        "e2",
        D(2011, 1, 25),
        "Miles de egipcios protestan en El Cairo y en otras ciudades contra el presidente Mubarak. "
        "Yo nunca había visto tanta gente junta en mi barrio, escribe un bloguero.",
    ),
    art(
        "e3",
        D(2011, 1, 28),
        "El Gobierno decreta el toque de queda en El Cairo, Alejandría y Suez tras las protestas. "
        "Las autoridades cortan el acceso a internet y a los teléfonos móviles en todo el país.",
    ),
    art(
        "e4",
        D(2011, 1, 28),
        "El toque de queda rige desde esta tarde en El Cairo, Alejandría y Suez por las protestas. "
        "El ejército despliega tanques en las calles de la capital egipcia.",
    ),
    art(
        "e5",
        D(2011, 2, 1),
        "Mubarak anuncia en televisión que no se presentará a las próximas elecciones presidenciales. "
        "Cientos de miles de personas exigen su salida en la plaza Tahrir de El Cairo.",
    ),
    art(
        "e6",
        D(2011, 2, 1),
        "El presidente Mubarak anuncia que no se presentará a las elecciones de septiembre. "
        "Los manifestantes de la plaza Tahrir rechazan el anuncio y piden su dimisión inmediata.",
    ),
]


def test_the_last_column_drops_the_languages_stop_words_and_puts_tilse_back(bench: ModuleType) -> None:
    from tilse.evaluation.rouge import RougeReimplementation

    pred = [["La", "policía", "de", "la", "ciudad", "cierra", "el", "puente", "."]]
    ref = {"0": [["La", "oposición", "de", "Egipto", "convoca", "el", "paro", "."]]}

    def matched() -> int:
        return int(RougeReimplementation().score_summary(pred, ref)["rouge_1_h_count"])

    assert matched() >= 3  # "la", "de", "el": tilse drops English stop words only
    with bench.stop_words_out("es"):
        assert matched() == 0
    assert matched() >= 3


def test_every_row_builds_a_timeline_from_the_articles_and_restores_the_selector(bench: ModuleType) -> None:
    shipped = tl._select
    said = {" ".join(s.split()) for a in CAIRO for s in tl.split_sentences(a.body)}
    token_form = {tl._spaced(s, "es") for s in said}
    rows = [*bench.PER_DAY, *bench.JOINT]
    assert {"mbr", "lexrank", "coverage", "busiest days"} <= set(rows)
    for name in rows:
        if name in bench.JOINT:
            entries = bench.JOINT[name](CAIRO, 3, 1)
        else:
            with bench.selector(bench.PER_DAY[name]):
                assert tl._select is bench.PER_DAY[name]
                entries = tl.build_timeline(CAIRO, n_dates=3, n_sentences=1)
        assert tl._select is shipped, name
        days = [e.date for e in entries]
        assert days == sorted(days) and {D(2011, 1, 25), D(2011, 1, 28), D(2011, 2, 1)} == set(days), name
        for e in entries:
            assert len(e.summary) == 1 and e.summary[0] in token_form, (name, e.summary)


def test_the_consensus_pick_is_what_the_days_reports_agree_on_not_the_aside(bench: ModuleType) -> None:
    ev = tl._gather(CAIRO)
    day = [i for i, s in enumerate(ev.sentences) if CAIRO[s.article].published == D(2011, 1, 25)]
    texts = [ev.sentences[i].text for i in day]
    for stop in (False, True):
        score = bench._mbr_score(day, ev, stop, others_only=False)
        best, worst = texts[int(score.argmax())], texts[int(score.argmin())]
        assert best.startswith("Miles de"), (stop, best)
        assert worst.startswith(("Yo nunca", "La policía")), (stop, worst)
    others = bench._mbr_score(day, ev, True, others_only=True)
    assert texts[int(others.argmax())].startswith("Miles de")  # both reports say it; each counts the other's


def test_session_19_orders_put_their_kind_of_sentence_first_and_restore_the_day_hooks(bench: ModuleType) -> None:
    # A look back two weeks on tells 25 January in words closer to the storyline than the day's own
    # reports; fresh-first must still take the day's own report, and lead-first a report's lede.
    later = art(
        "e7",
        D(2011, 2, 10),
        "Desde el 25 de enero miles de manifestantes protestan en las calles de El Cairo y en la plaza Tahrir "
        "contra el presidente Mubarak y la policía.",
    )
    stories = [*CAIRO, later]
    shipped = {e.date: e for e in tl.build_timeline(stories, n_dates=3, n_sentences=1)}
    assert shipped[D(2011, 1, 25)].article_ids == ("e7",)  # the look back is nearest the day's centroid
    candidates, after = tl._candidates, tl._reported_after
    with bench.selector(bench.PER_DAY["fresh-first"]), bench.day_known(stories):
        assert tl._candidates is not candidates
        fresh = {e.date: e for e in tl.build_timeline(stories, n_dates=3, n_sentences=1)}
    assert tl._candidates is candidates and tl._reported_after is after and tl._select is not None
    assert fresh[D(2011, 1, 25)].article_ids[0] in {"e1", "e2"}
    with bench.selector(bench.PER_DAY["dated-first"]):
        dated = {e.date: e for e in tl.build_timeline(stories, n_dates=3, n_sentences=1)}
    assert dated[D(2011, 1, 25)].article_ids == ("e7",)  # only e7 names the day
    ev = tl._gather([*stories, art("e8", D(2011, 2, 11), "Uno. Dos. Tres. Cuatro es la cuarta frase.")])
    assert [bench._in_lead(i, ev) for i in ev.by_article[-1]] == [True, True, True, False]
