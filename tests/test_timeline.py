"""A timeline must put the days the story talks about in order, each with a few sentences that
really come from the articles and do not repeat each other."""

from __future__ import annotations

import dataclasses
import datetime as dt

from storyline.models import Article
from storyline.timeline import build_timeline, readable, split_sentences

D = dt.date


def art(i: str, published: dt.date | None, body: str, lang: str = "en") -> Article:
    return Article(id=i, title="", body=body, lang=lang, published=published)


# A small storyline: a quake on 12 January, rescue on 14 January, a donor conference on 25 January.
# Later reports look back on the quake; one sidebar line is repeated on every page.
SIDEBAR = "Sign up for our newsletter on 3 March 2009 to get the best stories every morning."
STORY = [
    art(
        "a1",
        D(2010, 1, 13),
        f"A powerful earthquake struck Haiti on Tuesday, flattening much of the capital Port-au-Prince. "
        f"Thousands of buildings collapsed in the city.\n{SIDEBAR}",
    ),
    art(
        "a2",
        D(2010, 1, 13),
        "The earthquake on Tuesday had a magnitude of 7.0 and its epicentre was near Leogane. "
        "Aid agencies said they were sending teams.",
    ),
    art(
        "a3",
        D(2010, 1, 15),
        f"Rescue teams pulled survivors from the rubble on Thursday as aid flights landed at the airport. "
        f"The quake of 12 January destroyed the presidential palace.\n{SIDEBAR}",
    ),
    art(
        "a4",
        D(2010, 1, 20),
        "A week after the 12 January earthquake, the death toll passed 70,000 people in Haiti. "
        "Rescue teams said hope was fading for survivors.",
    ),
    art(
        "a5",
        D(2010, 1, 26),
        f"Donors met in Montreal on Monday to plan the reconstruction of Haiti after the earthquake "
        f"of 12 January. Ministers promised long-term support for the rebuilding.\n{SIDEBAR}",
    ),
    art(
        "a6",
        D(2010, 1, 26),
        "The Montreal conference on Monday agreed that Haiti's government must lead the "
        "reconstruction after the earthquake. A larger donor meeting will be held on 31 March.",
    ),
]


def test_days_chosen_by_evidence_and_in_order() -> None:
    tl = build_timeline(STORY, n_dates=3, n_sentences=2)
    days = [e.date for e in tl]
    assert days == sorted(days)
    assert D(2010, 1, 12) in days  # mentioned by every article, published by none
    assert D(2009, 3, 3) not in days  # page furniture repeated on every page
    assert D(2010, 3, 31) not in days  # a plan, after every article


def test_budget_is_respected() -> None:
    tl = build_timeline(STORY, n_dates=2, n_sentences=1)
    assert len(tl) == 2
    assert all(len(e.summary) == 1 for e in tl)
    assert build_timeline(STORY, n_dates=0) == []
    assert build_timeline([], n_dates=3) == []


def test_summaries_are_extractive_and_cite_their_articles() -> None:
    tl = build_timeline(STORY, n_dates=4, n_sentences=2)
    by_id = {a.id: a for a in STORY}
    for e in tl:
        assert e.summary
        assert e.article_ids
        for s in e.summary:  # copied word for word (the summary sets punctuation apart)
            assert any(_squashed(s) in _squashed(by_id[i].body) for i in e.article_ids)
            assert SIDEBAR not in s


def _squashed(text: str) -> str:
    return "".join(text.split())


def test_quake_day_summary_is_about_the_quake() -> None:
    [quake] = [e for e in build_timeline(STORY, n_dates=3, n_sentences=2) if e.date == D(2010, 1, 12)]
    assert any("earthquake" in s.lower() or "quake" in s.lower() for s in quake.summary)


def test_no_redundant_sentences() -> None:
    same = "Protesters filled Tahrir Square in Cairo on Tuesday demanding that President Mubarak resign."
    arts = [art(f"c{i}", D(2011, 1, 26), same) for i in range(2)] + [
        art("c9", D(2011, 1, 26), "Police fired tear gas at crowds near the parliament building on Tuesday evening."),
    ]
    [entry] = build_timeline(arts, n_dates=1, n_sentences=2)
    assert entry.date == D(2011, 1, 25)
    assert len(set(entry.summary)) == len(entry.summary)


def test_default_number_of_dates_follows_the_evidence() -> None:
    tl = build_timeline(STORY)
    assert 1 <= len(tl) <= 6
    assert D(2010, 1, 12) in {e.date for e in tl}


def test_other_language() -> None:
    arts = [
        art("e1", D(2011, 1, 26), "Miles de manifestantes se reunieron ayer en la plaza Tahrir de El Cairo.", "es"),
        art(
            "e2",
            D(2011, 1, 27),
            "El 25 de enero comenzaron las protestas contra el presidente Mubarak en Egipto.",
            "es",
        ),
        art("e3", D(2011, 2, 12), "Mubarak dimitió ayer tras dieciocho días de protestas en todo Egipto.", "es"),
    ]
    tl = build_timeline(arts, n_dates=2, n_sentences=1)
    assert [e.date for e in tl] == [D(2011, 1, 25), D(2011, 2, 11)]


def test_split_sentences() -> None:
    text = "Mr. Obama met U.S. officials on Jan. 5 in Washington. They agreed! Then what?\nA new line here"
    assert split_sentences(text) == [
        "Mr. Obama met U.S. officials on Jan. 5 in Washington.",
        "They agreed!",
        "Then what?",
        "A new line here",
    ]


def test_split_keeps_dotted_abbreviations_inside() -> None:
    text = "Officials of the U.N. Security Council met. The vote failed."
    assert split_sentences(text) == ["Officials of the U.N. Security Council met.", "The vote failed."]


def test_without_publish_dates_only_absolute_dates_count() -> None:
    arts = [
        art("n1", None, "On 25 January 2011 protesters filled Tahrir Square in Cairo against Mubarak."),
        art("n2", None, "Mubarak resigned on 11 February 2011 after weeks of protests in Egypt."),
        art("n3", None, "On Tuesday the police fired tear gas at the crowds in central Cairo."),
    ]
    tl = build_timeline(arts, n_dates=5, n_sentences=1)
    assert [e.date for e in tl] == [D(2011, 1, 25), D(2011, 2, 11)]


def test_a_day_recalled_long_after_outvotes_a_busier_morning_after() -> None:
    """Four reports saying "yesterday" date a day its own news cycle covered; three articles still
    recalling 12 January a month later make it a landmark of the story, and the one-date timeline
    follows them. A written-out date counts as a relative one: the recall decides, not the form."""
    arts = [
        art("r1", D(2010, 1, 21), "Officials said yesterday that rescue work would go on for many more days."),
        art("r2", D(2010, 1, 21), "Aid workers said yesterday that more water was reaching the camps in the city."),
        art("r3", D(2010, 1, 21), "The government said yesterday that schools would stay closed for a month."),
        art("r4", D(2010, 1, 21), "Doctors said yesterday that the field hospitals were full of the injured."),
        art("w1", D(2010, 2, 12), "The earthquake of 12 January destroyed much of the capital and its port."),
        art("w2", D(2010, 2, 12), "On 12 January a powerful earthquake struck near the capital of Haiti."),
        art("w3", D(2010, 2, 13), "Rescuers still search the rubble left by the earthquake of 12 January in Haiti."),
    ]
    [entry] = build_timeline(arts, n_dates=1, n_sentences=1)
    assert entry.date == D(2010, 1, 12)
    # Recalled the next day instead, the same three are outvoted by the four reports.
    soon = [a if a.id.startswith("r") else dataclasses.replace(a, published=D(2010, 1, 13)) for a in arts]
    [entry] = build_timeline(soon, n_dates=1, n_sentences=1)
    assert entry.date == D(2010, 1, 20)


def test_one_look_back_is_not_a_landmark() -> None:
    """A day only one or two articles mention gets one plain vote each, however long after and
    however precisely they name it: one blog post's chronology does not outvote a day that two
    reports covered as it happened."""
    arts = [
        art("h1", D(2012, 3, 1), "Protesters marched through Sanaa again today against the president."),
        art("h2", D(2012, 3, 1), "Thousands of protesters gathered in the capital Sanaa today."),
        art("old", D(2012, 3, 20), "A local blogger in Sanaa first wrote about the strike on 5 March 2012."),
    ]
    [entry] = build_timeline(arts, n_dates=1, n_sentences=1)
    assert entry.date == D(2012, 3, 1)


# Junk that reached timelines on the dev storylines (issue 16): a tweet, a page's update stamp, a
# sentence cut in two, a wire credit, a photo caption, a headline run into its lede, a lead-in.
JUNK = [
    "@monasosh: La revolución egipcia es genial! #Jan25 :) http://yfrog.com/h7tl5bj",
    "Hosni Mubarak ha hecho que los niños en EE UU hablen árabe y pidan su destitución #Egypt #Jan25.",
    "What we attempted last night did n't work . ''",
    "On Tuesday, Marie Colvin said the bombardment of Baba Amr had",
    "vis-à-vis de la police et de l'opinion publique, le gouvernement a reculé.",
    "(Reporting by Maria Golovnina; Editing by Jon Hemming)",
    "Charities given Haiti funds boost An international effort is under way to help those affected.",
    "Las protestas empezaron pacíficamente como lo muestra este vídeo publicado por ramzyam quien comenta:",
]


def test_readable_refuses_tweets_stamps_fragments_and_credits() -> None:
    for text in JUNK:
        assert readable(text) is None, text


def test_readable_undoes_escapes_and_cuts_the_dateline() -> None:
    assert readable("TRIPOLI , Libya -LRB- CNN -RRB- -- Libyan rebels took the airport on Tuesday .") == (
        "Libyan rebels took the airport on Tuesday."
    )
    said = readable("He called the move `` useless '' , Reuters reported .")
    assert said == 'He called the move "useless", Reuters reported.'
    assert readable("-LRB- Updated : 11:33 p.m. -RRB- Rebels said they had taken the town .") == (
        "Rebels said they had taken the town."
    )
    assert readable("Photograph: Ho/Reuters Shares in BP plunged as much as 20% at one stage this morning.") == (
        "Shares in BP plunged as much as 20% at one stage this morning."
    )
    item = "- 23 nov: YEMEN - Le président Ali Abdallah Saleh signe un accord élaboré par les monarchies du Golfe."
    assert readable(item) == "Le président Ali Abdallah Saleh signe un accord élaboré par les monarchies du Golfe."
    blog = "-LRB- Updated : 1:38 a.m. Monday , Libya ; 6:38 p.m. Sunday ET -RRB- : Libya 's army was told to act ."
    assert readable(blog) == "Libya's army was told to act."
    assert readable("February 21 , 2011 | By Tom Watkins , CNN During his 42 years in power , Gadhafi ruled .") == (
        "During his 42 years in power, Gadhafi ruled."
    )
    assert readable("February 21 , 2011 at 12:12 am | Report abuse | I find it disgusting how they talk .") is None
    stamped = "Thursday 6 May 2010 19.41 BST The oil spill containment box was lowered onto the well."
    assert readable(stamped) == "The oil spill containment box was lowered onto the well."
    # A date opening a sentence is the sentence's, not a dateline.
    kept = "On 25 January 2011 protesters filled Tahrir Square in Cairo against Mubarak."
    assert readable(kept) == kept
    assert readable("« Nous ne partirons pas », a déclaré le porte-parole des manifestants à Sanaa.") is not None
    # A live blog's clock time opening the entry is cut; a figure opening a sentence is not a clock.
    assert readable("10.12. Los opositores al régimen se cuentan ya por miles en la plaza Tahrir.") == (
        "Los opositores al régimen se cuentan ya por miles en la plaza Tahrir."
    )
    assert readable("10:29 p.m. local : Libyan leader Moammar Gadhafi still is in Libya , a source told CNN .") == (
        "Libyan leader Moammar Gadhafi still is in Libya, a source told CNN."
    )
    figure = "10.5 million people were displaced by the floods in the region last year."
    assert readable(figure) == figure


def test_a_day_is_told_in_the_third_person() -> None:
    """A commenter's or blogger's first person ("I", "we", "nuestra cobertura") loses to a report of
    the day; words inside quote marks are the quote's, and "US" is not "us"."""
    from storyline.timeline import _voiced

    assert _voiced("I do believe our allies may be able to enforce a no-fly zone over Libya.", "en")
    assert _voiced("Esta publicación es parte de nuestra cobertura especial de Protestas en Egipto 2011.", "es")
    assert _voiced("J'ai vu la foule place Tahrir.", "fr") and _voiced("Il nostro inviato racconta la piazza.", "it")
    assert not _voiced("The US sent aid to Haiti on Friday.", "en")
    assert not _voiced('He said "we will fight" in a speech on Monday.', "en")
    assert not _voiced("Aujourd'hui la foule a envahi la place Tahrir.", "fr")
    day = D(2011, 2, 28)
    arts = [
        art("c1", day, "I do believe our allies may be able to join us to enforce a no-fly zone over Libya today."),
        art("c2", day, "The European Union banned the sale of arms to Libya and froze the assets of Gadhafi today."),
    ]
    [entry] = build_timeline(arts, n_dates=1, n_sentences=1)
    assert entry.article_ids == ("c2",)


def test_entries_carry_language_and_outlet_and_no_junk() -> None:
    arts = [
        Article(id="t1", title="", lang="en", published=D(2012, 2, 23), source="Reuters", url="https://r.example/1",
                body="On Tuesday, Marie Colvin said the bombardment of Baba Amr had\n"
                     "@activist: Homs is burning #Syria http://t.co/x\n"
                     "Government forces shelled the Baba Amr district of Homs on 22 February, killing two "
                     "journalists."),
        Article(id="t2", title="", lang="fr", published=D(2012, 2, 23), source="Le Monde",
                body="Les forces gouvernementales ont bombardé le quartier de Baba Amr à Homs le 22 février dernier."),
    ]
    [entry] = build_timeline(arts, n_dates=1, n_sentences=2)
    assert entry.date == D(2012, 2, 22)
    assert len(entry.sentences) == len(entry.summary) == 2
    tags = {(s.article_id, s.lang, s.source) for s in entry.sentences}
    assert tags == {("t1", "en", "Reuters"), ("t2", "fr", "Le Monde")}
    assert all("@" not in s and "http" not in s and s.endswith(".") for s in entry.summary)
    # A reader's language: the day is told from the French report alone.
    [fr] = build_timeline(arts, n_dates=1, n_sentences=2, lang="fr")
    assert [s.lang for s in fr.sentences] == ["fr"]


def test_tokenised_text_keeps_its_spacing_in_the_summary_only() -> None:
    """A tokenised corpus (Timeline17) is summed up in its own spacing, as its reference timelines
    are scored word by word; the page shows the sentence as a reader writes it."""
    body = "Syrian forces began shelling the restive city of Homs on 3 February , in a month-long bombardment ."
    [entry] = build_timeline([art("k1", D(2012, 2, 4), body)], n_dates=1, n_sentences=1)
    assert entry.summary == (body,)
    assert entry.sentences[0].text == (
        "Syrian forces began shelling the restive city of Homs on 3 February, in a month-long bombardment."
    )


def test_a_budget_beyond_the_dated_days_takes_the_days_before_the_reports() -> None:
    """Asked for more days than the articles date, the timeline adds the day before each report
    (the news a paper prints the next morning), told from that report's undated sentences; with
    no budget, only the dated days."""
    arts = [
        art("y1", D(2011, 3, 19), "Security forces opened fire on protesters at Sanaa University, killing dozens. "
            "President Saleh declared a state of emergency across the country after the shooting."),
        art("y2", D(2011, 3, 22), "Yesterday General Ali Mohsen said his troops would protect protesters."),
    ]
    dated = build_timeline(arts)
    assert {e.date for e in dated} == {D(2011, 3, 19), D(2011, 3, 21)}
    more = build_timeline(arts, n_dates=5, n_sentences=1)
    days = [e.date for e in more]
    assert D(2011, 3, 18) in days  # the day before the first report, told by it
    assert days == sorted(days) and len(days) == len(set(days)) <= 5
    [before] = [e for e in more if e.date == D(2011, 3, 18)]
    assert before.article_ids == ("y1",)
    said = [s for e in more for s in e.summary]
    assert len(said) == len(set(said))  # no sentence told twice under two days


def test_the_summary_sets_punctuation_apart_and_the_sentence_reads_as_written() -> None:
    """The summary is the token form timeline references are written and scored in (tilse splits on
    spaces: "Saná," is not the word "Saná"); numbers keep their separators, an elided article in
    French or Italian is a word; the entry's sentences keep the article's wording for a reader."""
    body = "Saleh, herido en el ataque (el 3 de junio), viajó a Riad con 2.926 heridos a las 17,00 horas."
    [entry] = build_timeline([art("s1", D(2011, 6, 4), body, "es")], n_dates=1, n_sentences=1)
    assert entry.summary == (
        "Saleh , herido en el ataque ( el 3 de junio ) , viajó a Riad con 2.926 heridos a las 17,00 horas .",
    )
    assert entry.sentences[0].text == body
    fr = "Des milliers de manifestants ont répondu à l’appel « nous sommes tous Khaled Saïd » au Caire."
    [entry] = build_timeline([art("f1", D(2011, 1, 26), fr, "fr")], n_dates=1, n_sentences=1)
    assert entry.summary == (
        "Des milliers de manifestants ont répondu à l’ appel « nous sommes tous Khaled Saïd » au Caire .",
    )


def test_a_comment_stamp_is_no_vote() -> None:
    """A comment thread stamps each post with its date and time ("March 24 , 2011 at 9:55 pm |"):
    that dates a reader's post, not a day of the story, so five pages of comments do not outvote
    the day four reports told."""
    reports = [
        art(f"r{i}", D(2011, 3, 20), f"Rebels said yesterday that they had taken {town} after heavy fighting.")
        for i, town in enumerate(("Ajdabiya", "Brega", "Ras Lanuf", "Bin Jawad"))
    ]
    comments = [
        art(f"c{i}", D(2011, 3, 26), f"March 24 , 2011 at 9:5{i} pm | Reply I think we should stay out of this war .")
        for i in range(5)
    ]
    [entry] = build_timeline(reports + comments, n_dates=1, n_sentences=1)
    assert entry.date == D(2011, 3, 19)


def _task_sample(name: str, lang: str) -> list[Article]:
    """Articles of a dev timeline task as its ``articles.jsonl`` gives them (``tests/data/timeline20``:
    40 of t17-haiti_bbc's, 32 of crisis-es-egypt's, from ../shared/data/timelines, texts untouched)."""
    import json
    from pathlib import Path

    rows = [json.loads(x) for x in (Path(__file__).parent / "data" / "timeline20" / f"{name}.jsonl").open()]
    return [art(r["id"], dt.date.fromisoformat(r["published"][:10]), r["text"], lang) for r in rows]


def test_a_headline_run_into_the_lede_is_not_shown() -> None:
    """The BBC pages of Timeline17 run the headline and the photo caption into the lede with no
    stop ("Haiti devastated by massive quake Thousands of people are feared dead …"); a reader is
    shown the lede. A word this storyline capitalises only to open a sentence ("Thousands",
    "There"), after a lower-case word and before another, marks the lost stop."""
    from storyline.timeline import _gather

    arts = _task_sample("haiti", "en")
    ev = _gather(arts)
    first = {a.id: ev.readable(ev.by_article[k].start) for k, a in enumerate(arts)}
    assert first["t17-haiti_bbc-1003"] == (
        "Thousands of people are feared dead after a powerful earthquake hit the Caribbean nation of Haiti ,"
        " devastating the country 's capital ."
    )
    assert first["t17-haiti_bbc-1072"] == (
        "Thousands of people in Haiti have spent a second night sleeping in the open after a huge earthquake there ."
    )
    assert first["t17-haiti_bbc-1544"] == (
        "There are mounting security concerns in Haiti 's earthquake-hit capital as distribution problems"
        " continue to hamper getting aid to survivors ."
    )
    shown = {s.text for e in build_timeline(arts, n_dates=11, n_sentences=8) for s in e.sentences}
    assert "Thousands of people are feared dead after a powerful earthquake hit the Caribbean nation of Haiti," \
        " devastating the country's capital." in shown
    assert not any(s.startswith(("Haiti devastated by", "Haiti survivors sleep on streets")) for s in shown)


def test_a_title_or_name_inside_a_sentence_is_not_a_lost_stop() -> None:
    """Spanish capitalises titles and bodies inside a sentence ("el Presidente egipcio Hosni
    Mubarak", "su Ministro del Interior"): words that seldom open a sentence are no sign of a lost
    stop (crisis-es-egypt, 32 of its articles)."""
    from storyline.timeline import _gather

    arts = _task_sample("es-egypt", "es")
    ev = _gather(arts)
    said = [ev.readable(i) for i in range(len(ev.sentences)) if "Presidente egipcio" in ev.sentences[i].text]
    assert said and all(s and s.startswith("En respuesta a las protestas masivas") for s in said)
    said = [ev.readable(i) for i in range(len(ev.sentences)) if "su Ministro del Interior" in ev.sentences[i].text]
    assert said and all(s and s.startswith("El mundo ha mirado") for s in said)


def test_a_clock_after_a_page_stamp_is_cut_too() -> None:
    """A live blog's entry stamped twice (t17-LibyaWar_cnn-13: "LIBYA , 3:29 p.m. ET , 10:29 p.m.
    local : …"): the stamp is cut, and so is the local clock after it."""
    text = (
        "LIBYA , 3:29 p.m. ET , 10:29 p.m. local : Libyan leader Moammar Gadhafi still is in Libya ,"
        " a Libyan diplomatic source told CNN ."
    )
    assert readable(text) == "Libyan leader Moammar Gadhafi still is in Libya, a Libyan diplomatic source told CNN."


def test_readable_cuts_a_bracketed_note_that_opens_the_sentence() -> None:
    # Session 21, a reader's look at the dev timelines (shared/data/timelines, through the pipeline):
    # a place as a dateline in brackets (La Presse, crisis-fr-egypt-ext_18) and a live blog's clocks
    # (t17-LibyaWar_cnn-376) opened the sentences shown; a press release that lost its subject to the
    # brackets (t17-H1N1_reuters-427) was shown as "(MSD) confirmed today that …".
    rio = (
        "(Rio de Janeiro) Le Brésil a enregistré mercredi une explosion des nouvelles contaminations du coronavirus,"
        " avec 67\xa0860\xa0cas enregistrés au cours des dernières 24\xa0heures, a annoncé le ministère de la Santé,"
        " un chiffre record."
    )
    assert readable(rio) == " ".join(rio.split()).removeprefix("(Rio de Janeiro) ")  # no-break spaces as spaces
    clocks = (
        "-LRB- 12:34 a.m. Monday ET , 6:34 a.m. Monday in Libya -RRB- A coalition military official has confirmed"
        " that Libyan leader Moammar Gadhafi 's compound was targeted by airstrikes Sunday night ."
    )
    assert readable(clocks) == (
        "A coalition military official has confirmed that Libyan leader Moammar Gadhafi's compound was targeted"
        " by airstrikes Sunday night."
    )
    msd = (
        "-LRB- MSD -RRB- confirmed today that its investigational influenza test was used in detecting the first"
        " identified case of infection with the 2009 A -LRB- H1N1 -RRB- swine flu ."
    )
    assert readable(msd) is None
    # A whole sentence in brackets, and a wire credit in brackets after the place, stay as they were.
    whole = "(The figures were revised later , officials said .)"
    assert readable(whole) == "(The figures were revised later, officials said.)"
    assert readable("TRIPOLI , Libya -LRB- CNN -RRB- -- Rebels took the town on Monday , officials said .") == (
        "Rebels took the town on Monday, officials said."
    )
