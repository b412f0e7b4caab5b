"""What a page says about an article rather than the news it reports, so that a headline made from
the lede never is one: series and dossier notes ("Ce billet fait partie de notre dossier sur…"),
corrections ("The article incorrectly said that…"), "first published in" notes, calls to click,
photo captions and credits, editor's notes — and a section kicker glued to the headline ("Guerra
SiriaLos dos grandes ejes…").

The wording of such notes is data, not code: ``storyline/data/meta_notes.json`` holds it by kind
and language, so adding a language or an outlet's habit is an edit there.
"""

from __future__ import annotations

import functools
import json
import re
from importlib import resources

NOTES_FILE = "meta_notes.json"
_OPENING = "\"'“‘«[(¿¡ \u00a0"  # what may stand before a note's first word
_BRACKETED = re.compile(r"^\s*[\[(]([^\])\n]{2,80})[\])]\s*")


@functools.cache
def _data() -> dict:
    text = resources.files("storyline").joinpath("data", NOTES_FILE).read_text(encoding="utf-8")
    return json.loads(text)


@functools.cache
def _kinds() -> tuple[tuple[str, re.Pattern[str]], ...]:
    """One pattern per kind, every language's wording in it: the page's language is not known
    when its headline is made, and a note in one language's words is a note on any page."""
    out = []
    for kind, by_lang in _data()["notes"].items():
        alts = [p for pats in by_lang.values() for p in pats]
        try:
            out.append((kind, re.compile("(?:" + "|".join(f"(?:{p})" for p in alts) + ")", re.I)))
        except re.error as err:  # a bad edit of the data file must say where it is
            raise ValueError(f"{NOTES_FILE}: a pattern of kind {kind!r} is not a regular expression: {err}") from err
    return tuple(out)


@functools.cache
def _credit() -> re.Pattern[str]:
    """A photo credit opening a paragraph: "Photograph: Bruno Vincent/Getty", "Foto: EFE"."""
    d = _data()
    words = "|".join(re.escape(w) for w in sorted(d["credit_words"], key=len, reverse=True))
    agencies = "|".join(re.escape(a) for a in sorted(d["agencies"], key=len, reverse=True))
    # Greedy up to the last "/agency" within reach: "Credit: Reuters/Jonathen E. Davis/U.S. Navy
    # photo/Handout By …" is one credit.
    return re.compile(
        rf"^\s*(?:{words})s?\s*:\s*(?:[^\n]{{0,80}}/\s*)?(?:{agencies})\b"
        rf"(?:\s+(?:photo|picture|images?|TV|Wire))?[.,;]?\s*",
        re.I,
    )


def meta_note(sentence: str) -> str | None:
    """The kind of note a sentence is ("series note", "correction", "first published", "click
    here", "photo caption", "editor's note"), or None when it may be news."""
    text = sentence.lstrip(_OPENING)
    for kind, pat in _kinds():
        if pat.match(text):
            return kind
    return None


def opens_with_credit(paragraph: str) -> bool:
    """Whether a paragraph opens with a photo credit: the paragraph before it is then a caption."""
    return bool(_credit().match(paragraph))


def strip_notes(text: str) -> str:
    """The text without the notes that open it and run into the story without a full stop: a
    photo credit ("Photograph: Bruno Vincent/Getty The full 13 pages…") and a bracketed note
    ("[liens en anglais] Les manifestations…")."""
    prev = None
    while prev != text:
        prev = text
        if m := _credit().match(text):
            text = text[m.end() :]
        if (m := _BRACKETED.match(text)) and meta_note(m.group(1)):
            text = text[m.end() :]
    return text


@functools.cache
def _openers() -> frozenset[str]:
    """Short function words a sentence may open with, in the languages of the notes file."""
    import stopwordsiso

    out: set[str] = set()
    for lang in _data()["notes"]["series note"]:
        out |= {w for w in stopwordsiso.stopwords(lang) or () if 2 <= len(w) <= 5}
    return frozenset(out)


def unglue_kicker(text: str) -> str:
    """The headline without a section kicker printed against it with no space ("Guerra
    SiriaLos dos grandes ejes…" → "Los dos grandes ejes…"), as scrapers join a kicker's and a
    headline's elements. Only where a word of the first six turns from lower to upper case at
    a function word ("Siria|Los"), so names such as WikiLeaks, YouTube or McDonald stay whole."""
    for m in re.finditer(r"\S+", text[:80]):
        if m.start() and len(text[: m.start()].split()) >= 6:
            break
        tok = m.group().rstrip(".,;:!?\"'”»)")
        for i in range(2, len(tok) - 1):
            if tok[i].isupper() and tok[i - 1].islower() and tok[i - 2].islower():
                rest = tok[i:]
                if rest.istitle() and rest.lower() in _openers() and len(text[m.start() + i :].split()) >= 3:
                    return text[m.start() + i :]
                break
    return text
