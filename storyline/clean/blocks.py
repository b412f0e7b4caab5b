"""Blocks of page furniture whose lines each read like article text: a readers' comment thread
after the story, and a "most read" headline list above it.

Line by line, a comment is prose (a reader writes sentences) and a most-read headline is a
headline, so neither the line rules nor the line model can tell them from the story; what gives
them away is the block. A thread stamps its posts ("May 27 , 2011 at 7:37 pm | Reply", "Posted
by : Bious | April 30 , 2010 5:38 PM | Report abuse", "At 1:33 pm on 18 Jan 2010 , Isabel-II
wrote :"); a headline list is a long run of short lines none of which ends with a full stop, above
the first sentence of the story. Both rules only ever cut *around* running prose they have seen
(a thread only after the story's first ``_STORY_WORDS`` words of prose, a list only above the
story's first sentence, keeping the line that heads the story), so an article is never lost to them.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

# A year and a clock time close together ("May 27 , 2011 at 7:37 pm", "30/04/2010 17:38",
# "12 octobre 2011 à 11h41"): when a post was made.
_YEAR_CLOCK = (
    r"\b(?:19|20)\d{2}\b\W{0,4}(?:[^\W\d_]{1,5}\.?\s*)?\d{1,2}[:.h]\d{2}\b\s*(?:[ap]\.?\s?m\b\.?)?"
    r"|\b\d{1,2}[:.h]\d{2}\s*(?:[ap]\.?\s?m\b\.?)?\W{0,4}(?:[^\W\d_]{1,5}\s+)?"
    r"\d{1,2}\W{0,2}[^\W\d_]{0,12}\W{0,2}(?:19|20)\d{2}\b"
)
# A post's own controls, in the languages of the dev and unseen sets and their neighbours.
_ACTION = (
    r"reply|report\ abuse|report|responder|responde|répondre|signaler(?:\ un\ abus)?|rispondi|segnala|"
    r"antworten|melden|trả\ lời|odpowiedz|zgłoś|ответить|beantwoorden|svara|recommend|permalink"
)
_WROTE = r"wrote|a\ écrit|escribió|ha\ scritto|schrieb|napisał|написал|schreef|skrev|escreveu|viết"
# A post's stamp: a year and a clock time set off by a bar ("2011 at 9:55 pm |"), a post's control
# behind a bar ("| Reply", "| Report abuse"), "Posted by : name |", or "… 1:33 pm … wrote :".
_POST_MARK = re.compile(
    rf"""(?ix)(?:{_YEAR_CLOCK})\s*(?:[A-Z]{{2,4}}\s*)?\||
    \|\s*(?:{_ACTION})\b|
    ^\W*(?:posted|submitted|publicado|publié|pubblicato|gepostet)\ (?:by|par|por|da|von)\s*:?[^|]{{1,60}}\||
    \d{{1,2}}[:.h]\d{{2}}.{{0,80}}\b(?:{_WROTE})\s*:"""
)
# A thread's heading that counts its posts ("Se han publicado 4 comentarios", "26 commenti per
# Servizi Segreti: …", "12 Kommentare", "3 bình luận"): a thread on its own.
_COUNT_HEAD = re.compile(
    r"""(?ix)^\W*(?:[^\W\d_]+\s+){0,3}\d+\s+(?:
    comments?|responses|replies|commenti|commento|comentarios?|comentários?|commentaires?|réactions|
    kommentare?|komentarz\w*|reacties|reakcj\w*|комментари\w*|bình\ luận|yorum\w*
    )\b"""
)
_COUNT_HEAD_WORDS = 25
# Prose the story must have shown before a thread may start (``thread_start``).
_STORY_WORDS = 40
# Marks a thread needs: one stamp can be the article's own byline ("By X | May 27 , 2010 ; 2:08
# PM ET"); two or more past the story's opening are posts.
_THREAD_MARKS = 2


def is_post_mark(text: str) -> bool:
    """Whether a line carries a post's stamp or controls (``_POST_MARK``)."""
    return bool(_POST_MARK.search(text))


def thread_start(texts: Sequence[str], words: Sequence[int], prose: Sequence[bool]) -> int | None:
    """Where a readers' comment thread starts among a page's lines, or None.

    The first line with a post's mark that has at least ``_STORY_WORDS`` words of prose before it
    and ``_THREAD_MARKS`` marked lines from it on, or a heading counting the posts
    (``_COUNT_HEAD``) with as much prose before it. A commenter's text that the page prints before
    its first stamp (CNN and the Washington Post stamp a post under it) stays: nothing on a plain
    text line says where the story ends and that comment begins."""
    marks = [i for i, t in enumerate(texts) if is_post_mark(t)]
    seen = 0
    m = 0
    for i in range(len(texts)):
        if seen >= _STORY_WORDS and words[i] <= _COUNT_HEAD_WORDS and _COUNT_HEAD.match(texts[i]):
            return i
        if m < len(marks) and marks[m] == i:
            if seen >= _STORY_WORDS and len(marks) - m >= _THREAD_MARKS:
                return i
            m += 1
        if prose[i]:
            seen += words[i]
    return None


# A line that ends a sentence with a full stop (any script's), the sign of running prose. A
# headline may end with "?" or "!" or a closing quote, never with a full stop.
_FULL_STOP = re.compile(r"""[.。।۔]["'”’»)\]]*$""")
# A most-read list: this many headline-like lines or more above the story's first sentence ...
_LIST_MIN = 8
# ... making up this share of the lines there (the rest: a section label, "Services Le Monde").
_LIST_SHARE = 0.75
_HEADLINE_WORDS = (3, 30)


def _headline_like(text: str, words: int, bp: bool) -> bool:
    lo, hi = _HEADLINE_WORDS
    return not bp and lo <= words <= hi and not _FULL_STOP.search(text)


_CONTENT = re.compile(r"[^\W\d_]{4,}")
# A line sharing this share of its content words (4+ letters) with the story's opening is the
# story's own (headline, standfirst, a label of it), never an item of a list of other stories.
_SHARED = 0.25


def _content(text: str) -> set[str]:
    return {w.lower() for w in _CONTENT.findall(text)}


def headline_list_end(texts: Sequence[str], words: Sequence[int], bp: Sequence[bool]) -> int:
    """How many leading lines of a page are, or sit above, a headline list over the story (0: none).

    The story's first sentence is the first line ending with a full stop that has 10 words or
    more. Above it, a run of ``_LIST_MIN`` or more headline-like lines (3-30 words, no full stop,
    a few short labels between them allowed) that share almost no words with the story's opening
    (``_SHARED``) is a list of other stories ("most read", "à la une", "más leídas"): the lines up
    to its end are returned. The lines after the run (the story's own headline, standfirst and
    byline) stay. Never on hard-wrapped text (lines that go on in lower case), and the story below
    must hold at least as many words as what is cut, so a page made mostly of such lines stays."""
    first = next(
        (i for i, (t, w) in enumerate(zip(texts, words, strict=True)) if w >= 10 and _FULL_STOP.search(t)), None
    )
    if first is None or first < _LIST_MIN:
        return 0
    if sum(1 for t in texts[1 : first + 1] if t[:1].islower()) > 1:  # hard-wrapped prose
        return 0
    story = _content(" ".join(texts[first : first + 5]))
    run_end, heads = None, 0
    for i in range(first - 1, -1, -1):
        own = _content(texts[i])
        if own and len(own & story) >= _SHARED * len(own):
            if heads:  # the run of other headlines ended above this story line
                break
            continue
        if _headline_like(texts[i], words[i], bp[i]):
            heads += 1
            run_end = i + 1 if run_end is None else run_end
        elif words[i] > 3 or bp[i]:
            break
    if run_end is None or heads < _LIST_MIN or sum(words[:run_end]) > sum(words[first:]):
        return 0
    return run_end
