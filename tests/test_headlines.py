"""Titles a reader can trust (issue 16): a headline, never a dateline, byline, timestamp, markup
or tokeniser escape; the masthead's "today" is not a publish date."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from storyline.clean import clean
from storyline.clean.meta import headline, junk_title, publish_date, undo_ptb
from storyline.models import RawArticle
from storyline.pipeline import Pipeline

SEEDS = Path(__file__).resolve().parents[1] / "examples/seeds"


@pytest.mark.parametrize(
    ("found", "want"),
    [
        # Timeline17's tokenised Reuters copy: headline before the place | timestamp
        (
            "Gulf oil spill threat widens , BP shares drop VENICE , La. | Mon May 31 , 2010 11:12 pm IST VENICE , La. "
            "-LRB- Reuters -RRB- - Oil from BP 's out-of-control Gulf leak spread .",
            "Gulf oil spill threat widens, BP shares drop",
        ),
        (
            "BERLIN , March 6 | Sun Mar 6 , 2011 11:25 am EST BERLIN , March 6 -LRB- Reuters -RRB- - "
            "The United Nations "
            "security council should launch fresh sanctions .",
            "The United Nations security council should launch fresh sanctions",
        ),
        (
            "Zoo animal placed in quarantine over swine flu fears Wednesday 6 May 2009 15.16 BST It was lonely.",
            "Zoo animal placed in quarantine over swine flu fears",
        ),
        (
            "Page last updated at 05:27 GMT, Tuesday, 27 September 2011 06:27 UK "
            "The trial opened today in Los Angeles.",
            "The trial opened today in Los Angeles",
        ),
        (
            "-LRB- Update 3 p.m. Cairo , 8 a.m. ET -RRB- Turkey has sent two planes to Egypt .",
            "Turkey has sent two planes to Egypt",
        ),
        (
            "By the CNN Wire Staff Among the missing in Libya are "
            "`` those suspected of being rebels , '' says Amnesty .",
            'Among the missing in Libya are "those suspected of being rebels," says Amnesty',
        ),
        ("Syria<br />Assad under fire", "Syria Assad under fire"),
        (
            "Mr. Smith went to Washington to meet Rep. Jones at the Capitol on a cold Monday in March 2011 "
            "when nobody expected him and nobody was there to greet him or even see him arrive there. More.",
            "Mr. Smith went to Washington to meet Rep. Jones at the Capitol on a cold Monday in March 2011 when…",
        ),
    ],
)
def test_headline_from_what_was_found(found: str, want: str) -> None:
    got = headline(found, found)
    assert got == want
    assert junk_title(got) is None


@pytest.mark.parametrize(
    "junk",
    [
        ".alogo{display: block;text-indent: -1000px;}",
        "Sat Feb 26, 2011 4:36 pm EST",
        "WASHINGTON",
        "Mr",
        "http://www.bbc.co.uk/news",
        "TAWARGHA, Libya",
    ],
)
def test_junk_is_never_a_headline(junk: str) -> None:
    assert junk_title(junk) is not None
    body = "Rebels took the town of Zawiya on Monday after a week of fighting, witnesses said. More text."
    assert headline(junk, body) == "Rebels took the town of Zawiya on Monday after a week of fighting, witnesses said"


def test_undo_ptb_only_touches_tokenised_text() -> None:
    assert undo_ptb("I have n't seen -LRB- any -RRB- action , '' he said") == "I haven't seen (any) action,\" he said"
    assert undo_ptb("Hollande à Macron : «C'est pas trop dur ?»") == "Hollande à Macron : «C'est pas trop dur ?»"


def test_masthead_today_is_not_the_publish_date() -> None:
    text = (SEEDS / "003_78df242a86dafe5a.txt").read_text(encoding="utf-8")
    art = clean(RawArticle(id="003", origin="003.txt", text=text))
    assert art.title == "Turkey and Russia confirm arms deal, in Nato headache"
    # The masthead says Thursday 21st Jan 2021 (the day the page was saved); the lede's "on Tuesday
    # (29 December)" dates the story.
    assert art.published == dt.date(2020, 12, 29)


def test_a_dateline_is_a_publish_date() -> None:
    text = "Tuesday 3 May 2005 19.30 BST The 2005 general election campaign has been a defective event ."
    assert publish_date(text, None, "en") == dt.date(2005, 5, 3)
    assert (
        publish_date(
            "Monday\n2nd Feb 2015\nA headline here today\nNo dates in this lede at all.",
            "A headline here today",
            "en",
        )
        is None
    )


def test_a_teaser_on_many_pages_is_not_their_title() -> None:
    teaser = "U.S. Northeast digs out from blizzard , tornado strikes in South ."
    stories = [
        "Rebels advanced on Brega on Monday as government forces pulled back east .",
        "The central bank raised rates by a quarter point , its first rise in two years .",
        "Floods cut off three villages in the north after a week of heavy rain .",
        "The team won the final in extra time after a goal from its captain .",
    ]
    raws = [
        RawArticle(
            id=str(i),
            origin=f"x.jsonl:{i}",
            text=f"{teaser}\n{s} " * 1 + " ".join(["More words in the story ."] * 8),
            source="wire",
        )
        for i, s in enumerate(stories)
    ]
    titles = [a.title for a in Pipeline().clean_in_order(raws)]  # type: ignore[union-attr]
    assert sum("blizzard" in t for t in titles) <= 2
    assert titles[-1].startswith("The team won the final")


def test_a_lede_fragment_or_a_dateline_never_names_a_storyline() -> None:
    """Titles made from a lede can be a fragment ("in Ajdabiya, …") or a bare dateline
    ("KATHMANDU (Reuters Life!)"); both named dev storylines before. The editor's headline wins even
    when the fragment's article is the more central one."""
    import numpy as np

    from storyline.describe import storyline_name
    from storyline.models import Article

    v = np.ones(384, dtype=np.float32) / np.sqrt(384)
    body = "Rebels entered Ajdabiya on Tuesday as government forces pulled back towards Sirte, witnesses said."
    frag = Article("a", "in Ajdabiya, south west of Benghazi", body, "en", None, vector=v)  # type: ignore[arg-type]
    line = Article("b", "KATHMANDU (Reuters Life!)", body, "en", None, vector=v)  # type: ignore[arg-type]
    real = Article("c", "Rebels retake Ajdabiya as Gaddafi forces pull back", body, "en", None,
                   vector=v)  # type: ignore[arg-type]
    name = storyline_name([frag, line, real])
    assert "Rebels retake Ajdabiya" in name and "south west" not in name and "KATHMANDU" not in name
