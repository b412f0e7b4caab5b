"""Word-segmented input (issue 17, session 19): syllables a Vietnamese segmenter joined with
underscores ("đối_lập") are read as the words they are, for matching, encoding and display.

The articles are the quality gate's ViMs events (dev data), segmented the way
``benchmarks/events_sources.py`` simulates a segmenter: syllable bigrams that recur in those texts
joined with "_". The held-out Vietnamese source writes its titles that way over raw bodies."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from bench_module import load

from storyline.clean import as_is, clean
from storyline.clean.segmented import join_segmented, segmented_share
from storyline.enrich.entities import extract_entities
from storyline.enrich.vectors import encoder_input
from storyline.models import RawArticle
from storyline.sources.jsonl import parse_record

GATE = Path(__file__).parent / "data" / "gate" / "events" / "articles.jsonl"


def _vims() -> list[dict]:
    with open(GATE, encoding="utf-8") as fh:
        return [r for r in map(json.loads, fh) if r["id"].startswith("vims-")]


@pytest.fixture(scope="module")
def segmented() -> tuple[list[dict], object]:
    rows = _vims()
    seg = load("events_sources.py", "events_sources_for_tests").Segmenter(
        [f"{r['title']}\n{r['text']}" for r in rows]
    )
    return rows, seg


def _raw(row: dict) -> RawArticle:
    return parse_record(row, f"articles.jsonl:{row['id']}")


def test_the_simulated_segmenter_joins_words(segmented) -> None:
    """Not a vacuous input: a third or so of the titles' words come out joined, and splitting
    at the underscores gives every title back."""
    rows, seg = segmented
    titles = [seg(r["title"]) for r in rows]
    assert sum(segmented_share(t) for t in titles) / len(titles) > 0.15
    assert sum(join_segmented(t) == r["title"] for t, r in zip(titles, rows, strict=True)) == len(rows)


def test_segmented_titles_over_raw_bodies_clean_as_the_raw_article(segmented) -> None:
    """The held-out source's form (a segmented headline, a raw body): the headline shown, and what
    the encoder reads, are those of the unsegmented article. On main the headline kept its
    underscores (shown to readers, read by the encoder)."""
    rows, seg = segmented
    for r in rows:
        plain = clean(_raw(r))
        got = clean(_raw({**r, "title": seg(r["title"])}))
        assert got.title == plain.title, r["id"]
        assert "_" not in got.title
        assert encoder_input(got) == encoder_input(plain), r["id"]


def test_segmented_bodies_keep_their_entities(segmented) -> None:
    """Title and body segmented: the body, and the places and people found in it, are those of the
    raw article (on main "Hà_Nội" or "Ai_Cập" was no place the gazetteer knows)."""
    rows, seg = segmented
    lost = 0
    for r in rows:
        plain = clean(_raw(r))
        got = clean(_raw({**r, "title": seg(r["title"]), "text": seg(r["text"])}))
        assert got.body == plain.body, r["id"]
        keys = {e.key for e in extract_entities(got.body, got.lang, title=got.title)}
        lost += keys != {e.key for e in extract_entities(plain.body, plain.lang, title=plain.title)}
    assert lost == 0


def test_as_is_reads_segmented_text_as_words(segmented) -> None:
    """Pairs and timelines take a rejected input as it is: its words too."""
    rows, seg = segmented
    r = rows[0]
    got = as_is(_raw({**r, "title": seg(r["title"]), "text": seg(r["text"])}))
    assert got.title == as_is(_raw(r)).title
    assert got.body == as_is(_raw(r)).body


def test_stray_identifiers_and_addresses_keep_their_underscores() -> None:
    """A handle, a script's identifier or an address in an ordinary text is no segmenter's output:
    a gate ECB+ article with such a paragraph keeps it as written (this passes on main too: it is
    the guard of the fix, not the fix)."""
    with open(GATE, encoding="utf-8") as fh:
        row = next(r for r in map(json.loads, fh) if r["id"].startswith("ecb-"))
    extra = (
        "Lucy_Skywalker, a reader who asked to be named by her forum handle, told the paper she saw the "
        "crash from her window on Tuesday (see http://example.org/a_b; var date_CERT)."
    )
    text = f"{row['text']}\n\n{extra}"
    assert join_segmented(text) == text
    assert clean(_raw({**row, "text": text})).body.endswith(extra)


@pytest.mark.parametrize(
    ("text", "want"),
    [
        ("Fire in New_York kills 3", "Fire in New York kills 3"),  # a tokenised corpus's multiword name
        ("(Hồ_Chí_Minh), hôm_nay.", "(Hồ Chí Minh), hôm nay."),
        ("write to me@x_y.com or @lucy_sky #tag_x", "write to me@x_y.com or @lucy_sky #tag_x"),
        ("__init__ and foo_ stay", "__init__ and foo_ stay"),
        ("Phe đối_lập Campuchia\r\nbiểu_tình", "Phe đối lập Campuchia\r\nbiểu tình"),
    ],
)
def test_join_segmented(text: str, want: str) -> None:
    assert join_segmented(text) == want
