"""Main text and metadata of a whole HTML page.

trafilatura finds the article in the page's markup far better than any line heuristic can, so it
does the first cut, twice: once favouring precision (its best single setting on news pages) and
once favouring recall without fallbacks. The precise cut is taken unless the two hold different
text (a reprint notice in one, the story in the other), and then the story wins. What is left
after the cut is the same furniture the plain-text cleaner knows (sign-up boxes, "read also"
lines, credits, comment sections), so the short paragraphs go through that cleaner's phrase filter
and its comment/related-stories stop too; a paragraph of article length is never dropped for a
stock phrase inside it. Last, what the page's markup shows to be a box after the story (a comment
thread, a related list, an advert or newsletter box, a block of links beside the story) goes.

Measured on three public page sets never used for tuning (``benchmarks/html_ablation.py``), two
earlier rules lost to trafilatura alone and were dropped: taking the broad cut whenever the
precise one was 1.2 times longer (it won only on the dev pages; on Readability's test pages the
broad cut, having no fallback, lost the article), and judging whole paragraphs by a stock phrase
anywhere in them (old pages come out of the cut as one 250-word paragraph that ends "All rights
reserved": the story went with it).

A page with no article on it (an error page, a section front, a list of links) is told apart
here, so the caller can say which it is instead of turning it into a fake article.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Callable
from copy import deepcopy
from dataclasses import dataclass
from functools import cache
from html.parser import HTMLParser
from importlib import resources

import trafilatura
from lxml.html import HtmlElement
from trafilatura.baseline import basic_cleaning
from trafilatura.external import try_justext, try_readability
from trafilatura.utils import load_html

from storyline.clean.text import _UNSPACED, Cleaned, is_boilerplate_phrase, is_date_line, is_tail_stop, n_words

# Markdown table rules trafilatura prints for tables ("|---|---|") and cell-only rows.
_TABLE_RULE = re.compile(r"^[|\s:-]*$")
# Credits, contact lines and house adverts that close news stories, in stock phrasing.
_CREDIT = re.compile(
    r"""(?ix)^\W*(?:
    (?:additional\ )?reporting\ by\b|editing\ by\b|compiled\ by\b|
    [\w.'’\- ,]{2,200}\ contributed\ (?:reporting|to\ this\ (?:report|story|article))|
    (?:source|sources|quelle|fuente|fonte|źródło)\s*:\s*\S.{0,40}$|
    (?:e-?mail|reach|contact)\ [\w.'’\- ]{2,40}\ at\ \S+@|
    [\w.'’\- ]{2,40}\ (?:may|can)\ be\ reached\ at\b|have\ a\ tip\b|
    follow\ (?:us|him|her|them|[\w.'’\- ]{2,40})\ on\ (?:twitter|facebook|instagram)|
    (?:mit\ material\ von|mit\ agenturmaterial)\b
    )"""
)
# A date line's shape: a word (month, weekday, "am", "updated"), a d/m/y triple or a clock time.
_DATE_SHAPE = re.compile(r"\d{1,4}[./-]\d{1,2}[./-]\d{2,4}|\d{1,2}:\d{2}|[^\W\d_]")
# A row of a data table: numbers on both sides of a column rule ("2020-08-01 18:00 │ 200 │ 4084", a
# log table in a technical article). It is data in the story, not a dateline, whatever its first cell.
_DATA_ROW = re.compile(r"\d\s*[│┃|]\s*\d")
# Tabloid teaser links inside the story: "Plague fears: holidaymakers die [INSIGHT]".
_TEASER_TAG = re.compile(r"^.{10,200}\[[A-Z][A-Z ]{2,15}\]\W*$")
# A page footer's copyright line: "© 2008 owned by or licensed to ...", "Copyright 2008 Times
# Newspapers Ltd.", "(c) 2007 ...": a short line that opens with the sign and names a year, or opens
# with the word and the year (a paragraph "Copyright holders won in 2019 ..." is a story's).
_COPYRIGHT = re.compile(
    r"(?i)^[^\w©(]*(?:\(?©(?=.*\b(?:19|20)\d\d\b)|\(?(?:copyright|\(c\))\s*(?:©|\(c\))?\s*(?:19|20)\d\d\b)"
)
_MAIL_OR_HANDLE_ONLY = re.compile(r"^\S+@\S+\.\w+$|^(?:https?://)?(?:www\.)?twitter\.com/\S+$")

# Error pages say so in their title or first heading. A phrase is strong evidence; a bare status
# code or the word "error" is weak (a headline can say "403 jobs cut" or "Error blamed for crash").
_ERROR_PAGE = re.compile(
    r"""(?ix)page\ not\ found|\bnot\ found\b|no\ longer\ available|
    seite\ nicht\ gefunden|nicht\ gefunden|page\ introuvable|página\ no\ encontrada|pagina\ non\ trovata|
    strona\ nie\ (?:została\ znaleziona|istnieje)|страница\ не\ найдена|không\ tìm\ thấy|
    ^\W*(?:error\ )?(?:40[0134]|410|50[023])\b"""
)
_WEAK_ERROR = re.compile(r"(?i)\b(?:40[0134]|410|50[023])\b|\berror\b|\bfehler\b|\berreur\b")
_ERROR_WORDS = 150  # an error page says so in a few sentences
_WEAK_ERROR_WORDS = 50
# An unlinked paragraph this long is article text, not a teaser under a link.
_ARTICLE_PARAGRAPH = 60


@dataclass(frozen=True)
class Page:
    """What a page yields: its main text split into kept/removed paragraphs, and metadata.

    ``kind`` is ``"article"``, or why the page is not one (``"error page"``, ``"index page"``);
    ``reason`` says it in words a user can act on. ``doubt`` is set on a page kept as an article
    although it looks a little like one of the others: it is said, never used to drop the page."""

    cleaned: Cleaned
    title: str | None
    published: dt.date | None
    lang: str | None
    kind: str = "article"
    reason: str = ""
    doubt: str = ""


_EMPTY = Page(Cleaned((), (), None), None, None, None, "empty", "the HTML has no readable content")


def _extract(
    tree: HtmlElement, url: str | None, summary: Callable[[], HtmlElement], guess_dates: bool = True
) -> tuple[str, trafilatura.settings.Document | None]:
    precise = trafilatura.bare_extraction(
        deepcopy(tree),
        url=url,
        favor_precision=True,
        include_comments=False,
        with_metadata=True,
        date_extraction_params=trafilatura.settings.set_date_params(extensive=guess_dates),
    )
    broad = trafilatura.extract(deepcopy(tree), url=url, favor_recall=True, fast=True, include_comments=False) or ""
    doc = precise if isinstance(precise, trafilatura.settings.Document) else None
    text = (doc.text or "") if doc else ""
    return choose_cut(text, broad, referee=lambda: readability_text(tree, summary())), doc


def choose_cut(precise: str, broad: str, referee: Callable[[], str] | None = None) -> str:
    """The precise cut, unless the two cuts hold different text (each mostly words the other
    lacks): they picked different parts of the page, say a reprint notice in an ``article-body``
    box and the story in a paywall section beside it. Then the story wins, and a third extractor
    of another design says which cut holds it: ``referee`` gives its text (readability's
    algorithm, called only for such a page). The broad cut is taken when the referee holds less
    than half of the precise cut's words and more of the broad cut's; otherwise the precise cut
    stands. Without a referee's text, the cut with more running text after the furniture filter.

    Running words alone picked the broad cut on short blog posts whose broad cut was a blogroll
    or a recipe menu (Dragnet R163, R769: F1 0.97 and 0.84 with the precise cut, 0.01 and 0.12
    with the broad); the referee holds the post and not the list (Dragnet 0.889 -> 0.898 on 400
    pages, nothing else moved on four sets; ``benchmarks/html_ablation.py``).

    A precise cut much longer than a broad one that it holds is kept too: an earlier rule took the
    broad cut then (trafilatura's fallback having taken most of the page), which won on the dev
    pages only; on pages never tuned on the broad cut, without fallbacks, had lost the article
    (Readability's test pages 0.915 against 0.931 without the rule, ``html_ablation.py``).
    """
    if not precise.strip():
        return broad
    if not broad.strip():
        return precise
    pw, bw = _vocab(precise), _vocab(broad)
    shared = len(pw & bw)
    disjoint = shared < _DISJOINT * min(len(pw), len(bw))
    if not disjoint:
        return precise
    ref = referee() if referee is not None else ""
    if ref.strip():
        rw = _vocab(ref)
        held_p, held_b = _held(pw, rw), _held(bw, rw)
        return broad if held_p < _DISJOINT and held_b > held_p else precise
    return precise if _running_words(precise) >= _running_words(broad) else broad


_DISJOINT = 0.5  # two cuts sharing fewer than half the words of the smaller one picked different text


def readability_text(tree: HtmlElement, summary: HtmlElement | None = None) -> str:
    """The article as readability's algorithm finds it (trafilatura's fork of readability-lxml):
    scores of paragraph containers, another design than trafilatura's own, so a second opinion
    where trafilatura's two settings disagree. ``summary``: its output for this page if already
    made (``readability_summary``), so one page pays for one readability pass."""
    if summary is None:
        summary = readability_summary(tree)
    return "\n".join(" ".join(t.split()) for t in summary.itertext() if t.strip())


def readability_summary(tree: HtmlElement) -> HtmlElement:
    """readability's article element for the page (a copy of the tree is read)."""
    return try_readability(deepcopy(tree))


_EDGE = "\ue000"  # a private-use character marks block edges (lxml takes no control characters)


def readability_paragraphs(summary: HtmlElement) -> str:
    """readability's article as text, one block element a line (as ``page_text`` splits a page),
    so it can stand in for a cut: the furniture filter judges paragraphs, not inline fragments."""
    summary = deepcopy(summary)
    for el in summary.iter(*_BLOCKS):  # a mark at each block's edges; the source's own line breaks are spaces
        el.text = _EDGE + (el.text or "")
        el.tail = _EDGE + (el.tail or "")
    lines = (" ".join(x.split()) for x in summary.text_content().split(_EDGE))
    return "\n".join(x for x in lines if x)


def justext_text(tree: HtmlElement, lang: str | None) -> str:
    """The paragraphs jusText keeps (stop-word density and link density, per paragraph, with the
    page's language's stop words when known, else all of them): a third design."""
    body = try_justext(basic_cleaning(deepcopy(tree)), None, lang)
    return "\n".join(" ".join(p.itertext()).strip() for p in body.iter("p"))


def _vocab(text: str) -> set[str]:
    return set(re.findall(r"\w+", text.lower()))


def _running_words(text: str) -> int:
    """Words of the paragraphs the furniture filter keeps: what the cut holds as article."""
    kept, _ = filter_paragraphs([p.strip() for p in text.split("\n") if p.strip()])
    return sum(n_words(p) for p in kept)


# A title holds text only: a tag inside it means its end tag was lost (a page spliced or cut short),
# and the parser would read the rest of the page as the title's text.
_TITLE = re.compile(r"(?is)<title\b[^>]*>(.*?)(?:</title\s*>|$)")
_TITLE_MARKUP = re.compile(r"(?i)<(?:/?(?:script|style|link|meta|head|body|div|table|form|iframe|noscript)\b|!--)")
_ANY_TAG = re.compile(r"<[a-zA-Z][^>]*>")
_DOC_END = re.compile(r"(?i)</(?:html|body)\s*>")
_BODY_START = re.compile(r"(?i)<body\b")


def repair_markup(html: str) -> str:
    """The page with two breaks mended that hide its article from the parser (``parse_html``): a
    ``<title>`` whose end tag was lost is closed at its first tag, and when another document
    follows the page's ``</html>`` (a ``<body>`` after it: pages glued together by a server), the
    ``</body>`` and ``</html>`` end tags go, so what follows is read as part of the body, as a
    browser shows it. Any other page is returned as it is."""
    m = _TITLE.search(html)
    if m and _TITLE_MARKUP.search(m.group(1)):
        cut = m.start(1) + m.group(1).index("<")
        html = html[:cut] + "</title>" + html[cut:]
    end = _DOC_END.search(html)
    if end and _BODY_START.search(html, end.end()):
        html = _DOC_END.sub("", html)
    return html


def parse_html(html: str) -> HtmlElement | None:
    """The page's tree as trafilatura parses it, repaired where broken markup would hide the page.

    Three breaks lose a whole article although every word of it is in the markup (session 20, five
    of the 400 L3S-GN1 pages read, five sites: the BBC, Computerworld Australia, OregonLive, CJAD,
    WVVA): a ``<title>`` whose end tag was lost (``<title>BBC SPORTi library-->``, ``...cases
    </titavaScript" src=...``): HTML reads a title as text to its end tag, so the page was one
    title and no body, and every extractor returned nothing; a page whose opening was cut
    (``<!DOCTYPE htm`` then the first ``<div>``), which trafilatura's parser refuses as "not HTML"
    for want of the word html in its first 50 characters and of a head; and three documents glued
    into one page, the story in the second, after the first ``</html>``, where libxml2 stops
    reading. ``repair_markup`` mends the first and the last; a page the parser refuses but which
    holds tags is read again inside ``<html><body>``. A page parsed as it is changes in nothing."""
    html = repair_markup(html)
    tree = load_html(html)
    if tree is None and _ANY_TAG.search(html):
        tree = load_html(f"<html><body>{html}</body></html>")
    return tree


def extract_html(html: str, url: str | None = None, *, guess_dates: bool = True) -> Page:
    """Cut the article out of the page, then drop the boilerplate lines trafilatura kept.

    ``guess_dates=False`` takes the page's date only from its markup (meta tags, structured data,
    the URL), not from any date in its text: for a page whose fetch or archive date is known,
    which is a better last resort than a year mentioned in a photo caption."""
    tree = parse_html(html)
    if tree is None:
        return _EMPTY
    summary = cache(lambda: readability_summary(tree))  # one readability pass a page, if any
    text, doc = _extract(tree, url, summary, guess_dates)
    title = ((doc.title or "").strip() or None) if doc else None
    published = _iso_date(doc.date) if doc and doc.date else None
    lang = (doc.language or None) if doc else None
    anchors = link_labels(tree)
    kept, removed = _article(text, title, anchors)
    if sum(n_words(p) for p in kept) < _SHORT_CUT:
        kept, removed = rescue_short_cut(kept, removed, tree, url, title, anchors, summary)
    kept, removed = drop_boxes_after(kept, removed, tree)
    kept = restore_embedded_posts(kept, tree)
    cleaned = Cleaned(tuple(kept), tuple(removed), title)
    kind, reason = page_kind(tree, title, kept, anchors)
    if kind == "article" and reason:
        return Page(cleaned, title, published, lang, doubt=reason)
    return Page(cleaned, title, published, lang, kind, reason)


def link_labels(tree: HtmlElement) -> frozenset[str]:
    """The page's link labels, case and spacing folded: what a menu or a list of links is made of."""
    return frozenset(x for x in (_fold(a.text_content()) for a in tree.iter("a")) if x)


def _article(text: str, title: str | None, anchors: frozenset[str] = frozenset()) -> tuple[list[str], list[str]]:
    """A cut's paragraphs through the furniture filter, the headline line taken off the top."""
    kept, removed = filter_paragraphs([p.strip() for p in text.split("\n") if p.strip()], anchors)
    if title and kept and kept[0].strip().lower() == title.lower():
        removed.append(kept.pop(0))
    return kept, removed


# A cut shorter than this (after the furniture filter) may have missed the story: the recall cut is
# asked. The bound of a short news item, as for error pages (``_ERROR_WORDS``).
_SHORT_CUT = 150


def rescue_short_cut(
    kept: list[str], removed: list[str], tree: HtmlElement, url: str | None, title: str | None,
    anchors: frozenset[str] = frozenset(), summary: Callable[[], HtmlElement] | None = None,
) -> tuple[list[str], list[str]]:
    """A short precise cut is replaced by trafilatura's recall cut (fallbacks on) when all of
    these hold: the recall cut has at least twice the words, it holds the precise cut (80% of its
    words, or the precise cut is empty), and jusText, a third design, holds at least half of the
    recall cut's words. Otherwise the precise cut stands.

    Why: trafilatura's precise setting sometimes keeps a standfirst, a photo caption or nothing
    of a story every other extractor finds whole (Dragnet 9: 0 words against 435; Engadget in
    Readability's pages: 111 against 1,863). The bounds say "it holds what we had, and much more",
    and jusText's agreement keeps out the comment threads and blogrolls the recall cut can add; a
    cut of article length is never replaced (on Dragnet the recall cut of a long post holds its
    comments: R567, T16). On the four page sets, 400 pages each: L3S-GN1 0.912 -> 0.916, Dragnet
    0.898 -> 0.903, Readability 0.931 -> 0.939, the Zyte dev pages unchanged (3 of them have so
    short a cut; the rescue takes none).

    When the recall cut is no better (trafilatura's settings all miss the story the same way: a
    page whose body sits in a box trafilatura takes for a share bar), readability's article, made
    lazily (``summary``, shared with ``choose_cut``'s referee), is asked on the same three bounds.
    It changes 5 of 998 pages, all gains (Dragnet R716 0.51 -> 0.87; four of Readability's test
    pages, e.g. social-buttons 0.33 -> 0.99), none on Zyte or L3S-GN1; readability runs on the 16%
    of pages whose cut stays short (session 16, ``docs/benchmarks.md``)."""
    recall = trafilatura.extract(deepcopy(tree), url=url, favor_recall=True, include_comments=False) or ""
    alt, alt_removed = _article(recall, title, anchors)
    justext = cache(lambda: justext_text(tree, None))
    dropped = sum(n_words(p) for p in removed if not title or p.strip().lower() != title.lower())
    if prefers_recall(kept, alt, justext, dropped):
        return alt, alt_removed
    # Neither trafilatura cut holds the story: readability's article, on the same bounds.
    summary = summary or (lambda: readability_summary(tree))
    ref, ref_removed = _article(readability_paragraphs(summary()), title, anchors)
    if prefers_recall(kept, ref, justext, dropped):
        return ref, ref_removed
    if notice_only(kept, dropped):
        alt, alt_removed = _article(justext(), title, anchors)
        if sum(n_words(p) for p in alt) >= 2 * max(1, _story_words(kept)):
            return alt, alt_removed
    return kept, removed


def notice_only(kept: list[str], dropped: int) -> bool:
    """The cut was a notice and nothing else (the furniture filter dropped it, and at most the
    article's address is left): when neither the recall cut nor readability holds a story either,
    jusText's paragraphs, through the same filter, are asked. A story of one paragraph under a
    reprint notice is too short for readability (it returns nothing), and both trafilatura cuts
    take the notice's box (session 20; stories of two paragraphs and more were won back in session
    19). Not when the filter left any other line: the wider form (the filter dropped at least as
    many words as it kept) also won back a one-paragraph story under a subscription pitch, but on a
    blog page whose cut was its navigation (Dragnet R917: "Next Up: Pumpkin Pie" kept, "Newer Post",
    "Older Post" ... dropped) it took jusText's comment thread (F1 0.53 -> 0.03)."""
    return dropped > 0 and not _story_words(kept)


def _story_words(kept: list[str]) -> int:
    return sum(n_words(p) for p in kept if not _WEB_ADDRESS.match(p))


def prefers_recall(kept: list[str], alt: list[str], justext: Callable[[], str], dropped: int = 0) -> bool:
    """``rescue_short_cut``'s decision on the two cuts' kept paragraphs (``justext``: jusText's
    text, asked only when the other two bounds hold); ``benchmarks/html_ablation.py`` replays it.

    A recall cut made of the precise cut's own paragraphs again is no rescue: the page holds the
    article twice (WSJ's pages of 2012: a preview and its copy), so it "has twice the words" and
    holds nothing more (session 18: 8 pages of 2,117 unseen, all WSJ, 0.65-0.68 -> 0.85-0.95,
    none lower; one of them among 481 Dragnet pages no round had read; paragraphs compared with
    their spacing folded). A single paragraph is exempt: Readability's test pages repeat one
    lorem-ipsum paragraph and their gold keeps it.

    A kept line that is only a web address is no story the rescue must hold: a Dow Jones page
    whose precise cut is its reprint notice (filtered out) and the article's address under it
    kept that address as the whole article, because readability's story did not hold it
    (session 19, ``tests/test_clean_scripts.py``: the story wins on a short paywalled page too).
    And a cut the furniture filter took mostly for furniture (``dropped``: the words it removed,
    the headline not counted, at least those it kept) need not be held either: what is left of it
    is the rest of a notice (a subscription pitch in the ``article-body`` box, the story beside
    it). It moves one page of the 2,200 (an L3S-GN1 page, 0.019 -> 0.173)."""
    own = {_fold(p) for p in kept}
    if len(own) >= 2 and {_fold(p) for p in alt} <= own:  # the same paragraphs again: the article twice
        return False
    kept = [p for p in kept if not _WEB_ADDRESS.match(p)]  # no story to hold (session 19, below)
    had, got = sum(n_words(p) for p in kept), sum(n_words(p) for p in alt)
    if got < 2 * max(1, had):
        return False
    alt_words = _vocab("\n".join(alt))
    if kept and dropped < had and _held(_vocab("\n".join(kept)), alt_words) < 0.8:
        return False
    return _held(alt_words, _vocab(justext())) >= 0.5


_WEB_ADDRESS = re.compile(r"^\s*(?:https?://|www\.)\S+\s*$")


def _held(words: set[str], other: set[str]) -> float:
    return len(words & other) / len(words) if words else 0.0


# A word of text, for finding a cut's paragraphs on the page: a run of letters and digits, or one
# character of a script written without spaces (a Chinese paragraph is found by its characters).
_WORD = re.compile(rf"{_UNSPACED.pattern}|[^\W{_UNSPACED.pattern[1:-1]}]+")
# The words of class and id names that CMSs give the boxes after a story (comment, related, advert,
# sidebar, footer, newsletter, share, author, popular ...), the generic words a box's name may hold
# beside them (box, container, list, left, top ...), and the landmark roles of furniture: data, not
# code, in ``storyline/data/html_boxes.json`` (read from readability's and trafilatura's own lists,
# not from the benchmark pages), loaded once. A class or id is a box's name only when all its words
# are of the two lists ("readerComments", "AdColList", "comments-list-container"): WordPress marks
# the story's own element "author-jane" and "tag-buying-in-bulk", and headings' anchors make ids
# like "sharing-with-a-single-developer".
BOXES_FILE = "html_boxes.json"


@dataclass(frozen=True)
class _BoxLists:
    words: frozenset[str]
    generic: frozenset[str]
    roles: frozenset[str]


@cache
def _box_lists() -> _BoxLists:
    data = json.loads(resources.files("storyline").joinpath("data", BOXES_FILE).read_text(encoding="utf-8"))
    return _BoxLists(*(frozenset(w.lower() for w in data[k]) for k in ("box_words", "generic_words", "roles")))


# Block containers only: an inline element (a ``span.byline-author`` a blogger pasted the post into)
# is no box.
_BOX_BLOCKS = frozenset(("div", "section", "aside", "footer", "nav", "ul", "ol", "dl", "li", "table", "tbody", "tr",
                         "td", "form", "article"))
_BOX_TAGS = frozenset(("aside", "footer", "nav"))
_NAME_WORD = re.compile(r"[A-Z]?[a-z]+|[A-Z]+(?![a-z])")
_BOX_SHARE = 0.8  # a box holding more of the cut than this is (or holds) the story
_BOX_STORY = 50  # words the cut must keep outside the box: the story stays
_BOX_LINKS = 0.5  # a block whose words are half link labels or more is a list of links


def drop_boxes_after(kept: list[str], removed: list[str], tree: HtmlElement) -> tuple[list[str], list[str]]:
    """The kept paragraphs that sit, on the page, inside a box of furniture after the story go: a
    comment thread, a "related" or "popular" list, an advert block, a sidebar, a footer, an author
    or newsletter box that the cut took in with the story. A box is a block element that is named
    as furniture (``_is_box``: an ``aside``, ``footer`` or ``nav``, a landmark role, ``itemprop``
    comment, or a class or id all of whose words are furniture or generic words) or a block of
    links beside the story (``_is_link_box``), or on a WordPress single-post page another post's
    element (``_is_other_post``, session 18), or a table layout's column beside the story's that
    holds no paragraph of article length (``_is_side_column``, session 21). It goes only when all
    of these hold: some of the cut's text lies outside it and before it (the story comes first),
    at least ``_BOX_STORY`` words of the cut lie outside it (the story stays), and it holds at most
    ``_BOX_SHARE`` of the cut (a box holding nearly all of it wraps the story). Each paragraph is placed on the page by
    its words (``_locate``); one not placed is kept. Language plays no part: the evidence is the
    page's markup, whose class names are English in every language's pages.

    trafilatura prunes most such boxes by their names itself; what reaches the cut are the names
    its lists miss ("readerComments", "AdColList", "classifieds-long", "piFoot", "bSideBar",
    "Newsletter") and text its fallbacks take from beyond the article's element. Over the path
    without it (``benchmarks/html_ablation.py``, session 17): L3S-GN1 0.922 -> 0.929, Dragnet and
    Readability level, the Zyte dev pages 0.9730 -> 0.9734 with none lower; on 721 pages no round
    had read +0.0029 [+0.0017, +0.0043] (90%); ``docs/extraction-fit.md``, round 8."""
    if len(kept) < 2:
        return kept, removed
    words, owners = _page_words(tree)
    chains = [_ancestors(e) if e is not None else [] for e in _locate(kept, words, owners)]
    sizes = [n_words(p) for p in kept]
    total = sum(sizes)
    mass: dict[HtmlElement, int] = {}
    depth: dict[HtmlElement, int] = {}
    for size, chain in zip(sizes, chains, strict=True):
        for n, el in enumerate(chain):
            mass[el] = mass.get(el, 0) + size
            depth[el] = n
    drop: set[int] = set()
    core = max((el for el, held in mass.items() if held >= 0.5 * total), key=lambda el: depth[el], default=None)
    own = _own_post(tree)
    for box, held in mass.items():
        if box.tag in ("html", "body") or held > _BOX_SHARE * total or total - held < _BOX_STORY:
            continue
        side = not (_is_box(box) or _is_link_box(box, core) or _is_other_post(box, own))
        if side and not _is_side_column(box, core):
            continue
        inside = [n for n, chain in enumerate(chains) if box in chain]
        if side and max(sizes[n] for n in inside) > _ARTICLE_PARAGRAPH:
            continue
        before = [n for n, chain in enumerate(chains) if chain and box not in chain and n < inside[0]]
        if before:
            drop.update(inside)
    if not drop:
        return kept, removed
    return [p for n, p in enumerate(kept) if n not in drop], removed + [kept[n] for n in sorted(drop)]


def _page_words(tree: HtmlElement) -> tuple[list[str], list[HtmlElement]]:
    """The page's words (``_WORD``) in page order, and the element whose text or tail holds each."""
    words: list[str] = []
    owners: list[HtmlElement] = []
    for el in tree.iter():
        if not isinstance(el.tag, str) or el.tag in _SKIP:
            continue
        for text in [el.text, *(child.tail for child in el)]:
            if text and not text.isspace():
                found = _WORD.findall(text.lower())
                words.extend(found)
                owners.extend([el] * len(found))
    return words, owners


def restore_embedded_posts(kept: list[str], tree: HtmlElement) -> list[str]:
    """Posts embedded in the story (Twitter's ``blockquote.twitter-tweet``) that the cut left out
    go back where they stand: after the kept paragraph before them on the page, when kept
    paragraphs stand both before and after them (the post is in the story's run, not in a
    sidebar's feed) and the cut does not hold the post's first line. A post is its paragraphs, then its
    attribution line ("— Name (@handle) November 18, 2019"), as the page shows it. trafilatura
    drops these quotes whole; a story that quotes posts loses them (session 18)."""
    quotes = [q for q in tree.iter("blockquote") if "twitter-tweet" in (q.get("class") or "").split()]
    if not quotes or len(kept) < 2:
        return kept
    words, owners = _page_words(tree)
    order = {el: n for n, el in enumerate(tree.iter())}
    places = _locate(kept, words, owners)
    have = _fold(" ".join(kept))
    after_paragraph: dict[int, list[str]] = {}
    for quote in quotes:
        lines = _post_lines(quote)
        if not lines or _fold(lines[0]) in have:
            continue
        start, end = order[quote], order[quote] + sum(1 for _ in quote.iter())
        outer = set(quote.iterancestors())
        before = [(order[el], n) for n, el in enumerate(places) if el is not None and el not in outer
                  and order[el] < start]
        if before and any(el is not None and order[el] >= end for el in places):
            after_paragraph.setdefault(max(before)[1], []).extend(lines)
    if not after_paragraph:
        return kept
    return [x for n, p in enumerate(kept) for x in (p, *after_paragraph.get(n, ()))]


def _post_lines(quote: HtmlElement) -> list[str]:
    """An embedded post's paragraphs, then the rest of its text (the attribution) as one line."""
    paragraphs = [" ".join(p.text_content().split()) for p in quote.iter("p")]
    rest = [quote.text or ""]
    for child in quote:
        if isinstance(child.tag, str) and child.tag not in _SKIP and child.tag != "p":
            rest.append(child.text_content())
        rest.append(child.tail or "")
    return [x for x in (*paragraphs, " ".join(" ".join(rest).split())) if x]


def _is_link_box(el: HtmlElement, core: HtmlElement | None) -> bool:
    """A block of links beside the story, not in it: at least ``_BOX_LINKS`` of its words are link
    labels, and it neither lies inside nor holds the story's core (the deepest element holding
    half the cut). A list of links inside the story (a blog's list of sources, a Wikipedia
    infobox) is the story's. Words are counted in any script (``n_words``, as every count of this
    step): counted by spaces, a Chinese list of headline links, each with its date and time, read
    as one linked chunk in three, and a story's block opening with a linked agency name as two
    linked chunks in three (session 18)."""
    if el.tag not in _BOX_BLOCKS or core is None or core in _ancestors(el) or el in _ancestors(core):
        return False
    words = n_words(" ".join(el.itertext()))
    linked = sum(n_words(" ".join(a.itertext())) for a in el.iter("a"))
    return bool(words) and linked >= _BOX_LINKS * words


def _is_side_column(el: HtmlElement, core: HtmlElement | None) -> bool:
    """A column of a table layout beside the story's: a ``td`` of the row one of whose other cells
    holds the story's core (the deepest element holding half the cut), the ``td`` neither holding
    it nor lying in it. Pages laid out in tables (L3S-GN1's of 2008) put their sidebars in such a
    column, with no class or id to read: "EDITOR'S CHOICE", feature teasers ("Mr Food Get the
    latest recipes ..."), other headlines. ``drop_boxes_after`` drops it under its own bounds, and
    only when it holds no paragraph of article length (``_ARTICLE_PARAGRAPH``): on NY1's page the
    dated headlines beside a one-paragraph story held more of the cut than the story, so the
    story's own cell was the side column (session 21)."""
    if el.tag != "td" or core is None or core in _ancestors(el) or el in _ancestors(core):
        return False
    row = el.getparent()
    return row is not None and row.tag == "tr" and row in _ancestors(core)


# WordPress marks a single post's page with its post's number ("postid-1806" on the body) and every
# post's element with its own ("post-1806", "post-7816").
_POST_ID = re.compile(r"^postid-(\d+)$")
_POST_CLASS = re.compile(r"^post-(\d+)$")


def _own_post(tree: HtmlElement) -> str | None:
    """The number of the post a WordPress single-post page shows (its body's ``postid-N``), or None."""
    for body in tree.iter("body"):
        for name in (body.get("class") or "").split():
            if m := _POST_ID.match(name):
                return m.group(1)
    return None


def _is_other_post(el: HtmlElement, own: str | None) -> bool:
    """An element of another post than the page's own on a WordPress single-post page: a teaser of
    another post (class ``post-M``, M not the page's ``postid``), whatever the theme names its box."""
    if own is None or el.tag not in _BOX_BLOCKS:
        return False
    return any((m := _POST_CLASS.match(name)) and m.group(1) != own for name in (el.get("class") or "").split())


def _is_box(el: HtmlElement) -> bool:
    if el.tag not in _BOX_BLOCKS:
        return False
    if el.tag in _BOX_TAGS or (el.get("role") or "").lower() in _box_lists().roles:
        return True
    if "comment" in (el.get("itemprop") or "").lower():
        return True
    return any(_is_box_name(name) for name in f"{el.get('id') or ''} {el.get('class') or ''}".split())


def _is_box_name(name: str) -> bool:
    """A class or id word of furniture: one of its words names a box, and every other is generic
    (words of one or two letters, a site's prefix as in "piFoot", count as generic)."""
    words = [w.lower() for w in _NAME_WORD.findall(name)]
    lists = _box_lists()
    return any(w in lists.words for w in words) and all(
        w in lists.words or w in lists.generic or len(w) <= 2 for w in words
    )


def _locate(paragraphs: list[str], words: list[str], owners: list[HtmlElement]) -> list[HtmlElement | None]:
    """Each paragraph's element on the page (``words`` and their ``owners``, in page order): the
    common ancestor of the elements holding its first three words and its last three, placed by
    whichever of the two the page holds once (teaser rows open alike: "| 3 days ago | ..."). None
    for a paragraph not found (under three words, or text the cut rewrote) or whose opening and
    closing words the page both holds more than once (a hidden second copy of the article)."""
    tokens = [_WORD.findall(p.lower()) for p in paragraphs]
    wanted = {tuple(ws[:3]) for ws in tokens} | {tuple(ws[-3:]) for ws in tokens}
    index: dict[tuple[str, ...], list[int]] = {}
    for i, gram in enumerate(zip(words, words[1:], words[2:], strict=False)):
        if gram in wanted:
            index.setdefault(gram, []).append(i)
    out: list[HtmlElement | None] = []
    for ws in tokens:
        if len(ws) < 3:
            out.append(None)
            continue
        opens, closes = index.get(tuple(ws[:3]), []), index.get(tuple(ws[-3:]), [])
        span = 4 * len(ws) + 20
        if len(opens) == 1:
            start = opens[0]
            after = [h + 2 for h in closes if h >= start]
            end = after[0] if after and after[0] - start < span else start + 2
        elif len(closes) == 1:  # a repeated opening ("| 3 days ago | ...", a date), a unique end
            end = closes[0] + 2
            before = [h for h in opens if h <= closes[0]]
            start = before[-1] if before and end - before[-1] < span else closes[0]
        else:  # not found, or the page has it twice (a hidden copy): where is unknown
            out.append(None)
            continue
        out.append(_common(owners[start], owners[end]))
    return out



def _ancestors(el: HtmlElement) -> list[HtmlElement]:
    """The element and its ancestors, the root first."""
    out = []
    node: HtmlElement | None = el
    while node is not None:
        out.append(node)
        node = node.getparent()
    return out[::-1]


def _common(a: HtmlElement, b: HtmlElement) -> HtmlElement:
    ca, cb = _ancestors(a), _ancestors(b)
    n = 0
    while n < min(len(ca), len(cb)) and ca[n] is cb[n]:
        n += 1
    return ca[max(0, n - 1)]


def site_name(html: str) -> str | None:
    """The outlet's own name for itself (``og:site_name``), for a page uploaded or read without
    an outlet given: "Reuters" rather than nothing. Only the meta tag, never a guess from the
    address, so a name shown is always one the site chose."""
    tree = parse_html(html)
    if tree is None:
        return None
    for value in tree.xpath('//meta[@property="og:site_name" or @name="og:site_name"]/@content'):
        name = " ".join(str(value).split())
        if 0 < len(name) <= 80:
            return name
    return None


_BLOCKS = ("title", "p", "div", "li", "h1", "h2", "h3", "h4", "h5", "h6", "br", "tr", "section", "article", "header",
           "footer", "blockquote", "pre", "td", "dd", "dt", "figcaption", "main", "aside", "nav", "ul", "ol")


# libxml2 stops building the tree 256 elements deep (without XML_PARSE_HUGE) and drops the rest.
LIBXML_DEPTH = 255
_TAG = re.compile(r"<(/?)([a-zA-Z][\w:-]*)[^>]*?(/?)>")
# Void elements open no level; nor do those whose end tag HTML lets a page omit (they close themselves).
_FLAT = frozenset(["area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "param", "source",
                   "track", "wbr", "p", "li", "dt", "dd", "option", "tr", "td", "th", "tbody", "thead", "colgroup"])
_SKIP = frozenset(("script", "style", "noscript", "template"))


def nesting_depth(html: str) -> int:
    """How deep the page's elements nest, counted from its tags (void elements, ``<x/>`` and those
    whose end tag may be left out do not open a level; another unclosed tag counts)."""
    depth = deepest = 0
    for m in _TAG.finditer(html):
        closing, name, selfclosing = m.group(1), m.group(2).lower(), m.group(3)
        if name in _FLAT or selfclosing:
            continue
        depth = max(0, depth - 1) if closing else depth + 1
        deepest = max(deepest, depth)
    return deepest


class _Text(HTMLParser):
    """Visible text with a line break at each block element, at any nesting depth (a streaming
    parser keeps no tree)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.skipping = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _SKIP:
            self.skipping += 1
        elif tag in _BLOCKS:
            self.parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in _SKIP:
            self.skipping = max(0, self.skipping - 1)
        elif tag in _BLOCKS:
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        if not self.skipping:
            self.parts.append(data)


def page_text(html: str) -> str:
    """The page's visible text, one block element a line (scripts and styles out): what the
    plain-text cleaner reads when trafilatura found nothing, so a page it cannot parse is still
    judged line by line instead of refused. A page nested deeper than libxml2 builds (a trick
    against parsers, or a broken generator) is read by a streaming parser instead of losing the
    text below that depth."""
    if nesting_depth(html) > LIBXML_DEPTH:
        reader = _Text()
        reader.feed(html)
        reader.close()
        lines = (" ".join(x.split()) for x in "".join(reader.parts).splitlines())
        return "\n".join(x for x in lines if x)
    tree = parse_html(html)
    if tree is None:
        return ""
    for bad in list(tree.iter("script", "style", "noscript", "template")):
        bad.drop_tree()
    for el in tree.iter(*_BLOCKS):
        el.tail = "\n" + (el.tail or "")
    lines = (" ".join(x.split()) for x in tree.text_content().splitlines())
    return "\n".join(x for x in lines if x)


def filter_paragraphs(
    paragraphs: list[str], anchors: frozenset[str] = frozenset()
) -> tuple[list[str], list[str]]:
    """Furniture out of the extracted paragraphs; everything after a comment/related heading
    that comes once most of the article has been read goes too. A stock phrase condemns a short
    paragraph only: one of article length that holds "All rights reserved" or "sign up for" is a
    story the cut left in one block with its footer (L3S-GN1 0.883 -> 0.904 with this bound).

    ``anchors`` (the page's link labels, ``link_labels``) take out table rows made of links
    alone: old pages lay their menus out in tables, and trafilatura prints them as
    "| Wine | | Old Town |" rows inside the cut (L3S-GN1 0.916 -> 0.920; no dev page has one).
    A row of numbers is not a date line: a line the date pattern matches must have a date's
    shape (a month or weekday word, "12/08/2019", "14:05"), so a data table's "2, 3, 5, 12" or
    "4.3333" rows stay. Menu bars off a table go too ("Print this story | E-mail this story |
    Back to top", each item a link label; ``_is_link_row``), and so do short copyright lines
    ("© 2008 owned by or licensed to ...")."""
    kept: list[str] = []
    removed: list[str] = []
    total = sum(n_words(p) for p in paragraphs)
    seen = 0
    thread = comment_thread_start(paragraphs)
    for n, p in enumerate(paragraphs):
        if n == thread or (seen >= 0.5 * total and is_tail_stop(p)):
            removed.extend(paragraphs[n:])
            break
        seen += n_words(p)
        if (
            (n_words(p) <= _ARTICLE_PARAGRAPH and is_boilerplate_phrase(p, sentence_ok=True))
            or _TEASER_TAG.search(p)
            or (is_date_line(p) and _DATE_SHAPE.search(p) and not _DATA_ROW.search(p))
            or _TABLE_RULE.match(p)
            or _is_link_row(p, anchors)
            or _is_teaser_row(p, anchors)
            or (n_words(p) <= 60 and _CREDIT.match(p))
            or (n_words(p) <= 40 and _COPYRIGHT.match(p))
            or _MAIL_OR_HANDLE_ONLY.match(p)
        ):
            removed.append(p)
        else:
            kept.append(p)
    return kept, removed


# A blog's attribution lines: "Posted by James Hamilton at October 28, 2012 01:23 PM" under the post,
# "Posted by: matt wilbert at October 28, 2012 02:30 PM" / "Posted by: Reed Hedges | Apr 6, 2007"
# under each comment (the colon form of TypePad's, Movable Type's and News Ltd's comment templates).
_POSTED_BY = re.compile(r"(?i)^(?:posted|submitted|written)\s+by\b(:?).{1,60}?(?:\d{1,2}:\d{2}|\b(?:19|20)\d\d\b)")
_POSTED_BY_WORDS = 30


def comment_thread_start(paragraphs: list[str]) -> int | None:
    """Where a blog's comment thread begins in a cut: at the post's own dated attribution line
    ("Posted by NAME at DATE"; the last one before the first comment's, so a live blog's entries,
    each signed so, stay), or without one at the first comment's attribution, when the cut holds
    two comment attributions or more ("Posted by: NAME | DATE") and at least ``_BOX_STORY`` words
    before the cut's end (the story stays). trafilatura takes such threads in with the post when the page's markup does
    not name them (Movable Type, TypePad and News Ltd pages: the post, then dozens of comments,
    each followed by its attribution). None when there is no thread (session 21)."""
    hits = [(n, m.group(1)) for n, p in enumerate(paragraphs)
            if n_words(p) <= _POSTED_BY_WORDS and (m := _POSTED_BY.match(p))]
    comments = [n for n, colon in hits if colon]
    if len(comments) < 2:
        return None
    own = [n for n, colon in hits if not colon and n < comments[0]]
    start = own[-1] if own else comments[0]
    return start if sum(n_words(p) for p in paragraphs[:start]) >= _BOX_STORY else None


# What separates the items of a menu bar: table cell rules, the escaped "\|" trafilatura prints for
# a literal bar between links ("Top \| Back \| E-mail to a friend"), middle dots and bullets.
_BAR_SEP = re.compile(r"\\\||[|·•]")


def _is_link_row(p: str, anchors: frozenset[str]) -> bool:
    """A menu bar: a table row ("| a | b |") whose every filled cell is one of the page's link
    labels, or any line of three or more items between bars or dots ("Print | E-mail to a friend |
    Back to top", "Home · News · Sport"), each a link label. Items are also split at the escaped
    bars trafilatura prints inside a cell. Three items, not two, off a table: a line of two links
    ("More information | Download gadget") can be a story's own (Dragnet's gold keeps one)."""
    if not anchors:
        return False
    row = p.startswith("|") and p.endswith("|")
    items = [c for c in (_fold(x) for x in _BAR_SEP.split(p)) if c and re.search(r"\w", c)]
    return bool(items) and (row or len(items) >= 3) and all(c in anchors for c in items)


# An age instead of a date in a list of other stories: "3 days ago", "15 hrs ago".
_AGO = re.compile(r"(?i)^\d+\s+(?:secs?|seconds?|mins?|minutes?|hrs?|hours?|days?|weeks?|months?|years?)\s+ago$")
_HEADLINE_LINK = 3  # words of a link label that reads as a headline, not a menu item


def _is_teaser_row(p: str, anchors: frozenset[str]) -> bool:
    """A table row of another story's teaser: its filled cells are link labels and dates ("| 3
    days ago | | Park realizes win at Oracle |", "| January 15, 2008  Police Make Arrest ... |", the
    date and the link in one cell), at least one a dated headline link of ``_HEADLINE_LINK`` words
    or more. Old pages list their other headlines in such rows beside or under the story, with no
    class or id to read (session 21). A date is a date line with a date's shape or an age ("3 days
    ago"); a row of numbers (``_DATA_ROW``) is data, not a teaser."""
    if not anchors or not (p.startswith("|") and p.endswith("|")) or _DATA_ROW.search(p):
        return False
    cells = [c.strip() for c in p.strip("|").split("|") if re.search(r"\w", c)]
    dated = headline = False
    for cell in cells:
        if _is_dated(cell):
            dated = True
            continue
        words = cell.split()
        for k in range(min(len(words), 7)):
            if _fold(" ".join(words[k:])) in anchors and (k == 0 or _is_dated(" ".join(words[:k]))):
                dated = dated or k > 0
                headline = headline or n_words(" ".join(words[k:])) >= _HEADLINE_LINK
                break
        else:
            return False
    return dated and headline


def _is_dated(text: str) -> bool:
    return bool(_AGO.match(text) or (is_date_line(text) and _DATE_SHAPE.search(text)))


def page_kind(
    tree: HtmlElement, title: str | None, kept: list[str], anchors: frozenset[str] | None = None
) -> tuple[str, str]:
    """Whether the page is an article, and if not, why not. Words are counted in any script
    (``n_words``). A page is refused only on strong evidence; when the signs are mixed it is kept
    as ``("article", doubt)``, the doubt said in words, because losing an article costs more than
    keeping a stray index page (which links as a singleton).

    Strong evidence: an error phrase in the title or first heading over a short text; a text that
    is mostly the page's own link labels with no paragraph of article length left over; fewer
    running words than a stub on a page of many links."""
    words = sum(n_words(p) for p in kept)
    heading = _first_heading(tree)
    for label in (title or "", heading):
        if label and _ERROR_PAGE.search(label) and words < _ERROR_WORDS:
            return "error page", f"an error page ('{label[:60]}'), not an article"
    weak = next((x for x in (title or "", heading) if x and _WEAK_ERROR.search(x)), "")
    if weak and words < _WEAK_ERROR_WORDS:
        return "error page", f"an error page ('{weak[:60]}', {words} words of text), not an article"
    if anchors is None:
        anchors = link_labels(tree)
    linked = sum(n_words(p) for p in kept if _fold(p) in anchors)
    n_links = len(anchors)
    if words and linked >= 0.5 * words and sum(_fold(p) in anchors for p in kept) >= 5:
        prose = [p for p in kept if _fold(p) not in anchors and n_words(p) >= _ARTICLE_PARAGRAPH]
        if not prose:
            return "index page", (
                f"an index page: its text is mostly links to other pages ({n_links} links), "
                "not an article; pass the article page itself"
            )
        return "article", (
            f"kept, but half of its text is links to other pages ({n_links} links): "
            "an index page with an article on it?"
        )
    if words < 20 and n_links >= 20:
        return "index page", (
            f"an index or navigation page ({n_links} links, {words} words of running text); "
            "pass the article page itself"
        )
    if weak and words < _ERROR_WORDS:
        return "article", f"kept, but its title reads like an error page ('{weak[:60]}')"
    return "article", ""


def _first_heading(tree: HtmlElement) -> str:
    for h in tree.iter("h1"):
        text = " ".join(h.text_content().split())
        if text:
            return text
    return ""


def _fold(text: str) -> str:
    return " ".join(text.lower().split())


def _iso_date(value: str) -> dt.date | None:
    try:
        return dt.date.fromisoformat(value[:10])
    except ValueError:
        return None
