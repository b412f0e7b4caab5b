"""The extractor vote of benchmarks/html_ensemble.py (issue 17h): a member votes for the page's
words its output holds, table and list marks do not break a run, a page that repeats its article
gets one copy voted, and the story wins over a vote that keeps far less. Checked on the Engadget
review page of Mozilla Readability's test set with the members the project already depends on."""

from __future__ import annotations

from pathlib import Path
from types import ModuleType

from bench_module import load

from storyline import eval as E
from storyline.clean import html as H

DATA = Path(__file__).parent / "data" / "clean"


def _module() -> ModuleType:
    return load("html_ensemble.py", "html_ensemble")


ens = _module()

ARTICLE = "The council voted on Tuesday to close the old bridge for repairs until next spring"


def test_a_member_votes_for_the_page_words_its_output_holds() -> None:
    page = ["Home News Sport", ARTICLE, "Share this story"]
    counts = ens.votes(page, [ARTICLE, ARTICLE + " Share this story"])
    assert counts[0] == [0, 0, 0]
    assert all(c == 2 for c in counts[1])
    assert counts[2] == [1, 1, 1]
    assert ens.by_lines(page, counts, ens.at_least(2)) == ARTICLE


def test_table_and_list_marks_do_not_break_a_run() -> None:
    page = ["Pos Player Plays % Stats", "DE Myles Garrett 58 100% 2 sacks"]
    answer = "| Pos | Player | Plays | % | Stats |\n\n| DE | Myles Garrett | 58 | 100% | 2 sacks |"
    counts = ens.votes(page, [answer])
    assert all(c == 1 for cs in counts for c in cs)
    # The paper's matching of whole white-space tokens finds none of it.
    assert all(c == 0 for cs in ens.votes(page, [answer], paper=True) for c in cs)


def test_an_article_the_page_repeats_is_voted_once() -> None:
    page = [ARTICLE, "Related", ARTICLE]
    counts = ens.votes(page, [ARTICLE])
    assert all(c == 1 for c in counts[0]) and all(c == 0 for c in counts[2])
    assert all(c == 1 for c in ens.votes(page, [ARTICLE], paper=True)[2])


def test_the_story_wins_over_a_vote_that_keeps_far_less() -> None:
    story = " ".join([ARTICLE] * 5)
    assert ens.guarded("Share this story", story) == story
    assert ens.guarded(story[: len(story) * 2 // 3], story) == story[: len(story) * 2 // 3]


def test_on_the_engadget_review_the_vote_loses_the_story_and_the_guard_keeps_it() -> None:
    """trafilatura's precise cut keeps the standfirst (111 words) and readability's a part; the
    shipped path's rescue and jusText have the whole review (about 1,850 words). Three votes of
    four keep about a quarter of it: the guard gives the shipped text back."""
    html = (DATA / "engadget-xbox-review.html").read_text(encoding="utf-8")
    row = {m: ens.MEMBERS[m](html) for m in ("shipped", "traf-precise", "readability-traf", "justext", "page")}
    page = [ln for ln in row["page"].split("\n") if ln.strip()]
    counts = ens.votes(page, [row["shipped"], row["traf-precise"], row["readability-traf"], row["justext"]])
    voted = ens.by_lines(page, counts, ens.at_least(ens.majority(4)))
    assert H.n_words(row["shipped"]) > 1500
    assert E.bag_of_words(voted, row["shipped"]).r < 0.5  # the vote lost most of the review
    assert ens.guarded(voted, row["shipped"]) == row["shipped"]
    # Two votes of four (the shipped path and jusText) keep it.
    two = ens.by_lines(page, counts, ens.at_least(2))
    assert E.bag_of_words(two, row["shipped"]).r > 0.9
