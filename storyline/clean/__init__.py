"""The clean stage: a raw page (text or HTML, any language) → an ``Article`` without boilerplate,
with its headline, publish date and language.

Metadata the input gives wins over anything guessed from the page: a feed's title and date are
what the publisher meant; the page only fills the gaps.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import re
import unicodedata
from collections import Counter
from collections.abc import Sequence

from storyline.clean.encoding import repair_text
from storyline.clean.html import LIBXML_DEPTH, extract_html, nesting_depth, page_text, site_name
from storyline.clean.language import detect_language
from storyline.clean.meta import (
    headline,
    lede_headline,
    parse_date,
    plain_headline,
    publish_date,
    repeated_title,
    stated_headline,
    title_key,
    without_outlet,
)
from storyline.clean.segmented import join_segmented
from storyline.clean.text import Cleaned, clean_text, lead_over_wall, n_words, normalise_line
from storyline.errors import NotAnArticle
from storyline.models import Article, RawArticle
from storyline.urls import host

__all__ = ["as_is", "as_words", "clean", "content_hash", "lede_title", "normalise_line", "recurring_lines"]

log = logging.getLogger("storyline.clean")  # pages kept in doubt are said here (stderr by default)

_MIN_WORDS = 20  # fewer words than this after cleaning is a stub, an index or an error page
_SHORT_ARTICLE = 60  # a plain text shorter than this is a brief, kept whole
_RESCUE_WORDS = 2 * _MIN_WORDS  # a page whose extractor cut holds no article is kept on this much of its own


def word_count(text: str) -> int:
    """Words in any script (``text.n_words``): a Chinese, Japanese or Thai article written without
    spaces is counted by its characters, not taken for a one-word stub."""
    return n_words(text)


def content_hash(body: str) -> str:
    """sha1 of the whitespace-folded, NFC, lower-cased body: equal for the same text re-scraped."""
    norm = " ".join(unicodedata.normalize("NFC", body).lower().split())
    return hashlib.sha1(norm.encode("utf-8")).hexdigest()


def _cleaned(raw: RawArticle, known: frozenset[str]) -> tuple[Cleaned, str | None, str | None]:
    """Paragraphs kept/removed, page title and the page's own publish string/date."""
    if raw.html and raw.html.strip():
        page = extract_html(repair_text(raw.html), raw.url, guess_dates=not raw.fetched)
        if page.kind == "index page" or (page.kind != "error page" and not page.cleaned.paragraphs):
            # An index page is judged on trafilatura's cut, which can miss a story the markup hides
            # (a story inside a "comments" box): the page's own lines get the last word, and only
            # when they hold no article either is the page refused.
            rescued = clean_text(repair_text(page_text(raw.html)), known, lang=raw.lang or None)
            if word_count("\n".join(rescued.paragraphs)) >= _RESCUE_WORDS:
                why = page.reason or ("its HTML nests deeper than the parser builds; read as a stream"
                                      if nesting_depth(raw.html) > LIBXML_DEPTH else "its cut was empty")
                log.warning("%s: kept, although the extractor found no article on it (%s)", raw.origin, why)
                return rescued, page.title, page.published.isoformat() if page.published else None
        if page.kind != "article":
            raise NotAnArticle(raw.origin, page.reason)
        if page.doubt:
            log.warning("%s: %s", raw.origin, page.doubt)
        if page.cleaned.paragraphs:
            published = page.published.isoformat() if page.published else None
            cleaned = page.cleaned
            if known:
                kept = tuple(p for p in cleaned.paragraphs if normalise_line(p) not in known)
                gone = tuple(p for p in cleaned.paragraphs if normalise_line(p) in known)
                cleaned = Cleaned(kept, cleaned.removed + gone, cleaned.title)
            return cleaned, page.title, published
    # No text given, and trafilatura found nothing on the page: the page's own lines, judged by
    # the plain-text cleaner, rather than a refusal.
    text = repair_text(raw.text or (page_text(raw.html) if raw.html else ""))
    cleaned = clean_text(text, known, lang=raw.lang or None)
    if word_count("\n".join(cleaned.paragraphs)) >= _MIN_WORDS:
        return cleaned, None, None
    lead = None if cleaned.paragraphs or cleaned.title else lead_over_wall(text)
    if lead:
        # A headline run into a consent wall on one line: the wall took the line, the headline is
        # what is left of the story (as for a headline over a wall on its own line).
        return Cleaned((lead,), (), lead), None, None
    lines = tuple(x.strip() for x in text.splitlines() if x.strip())
    if word_count(text) < _SHORT_ARTICLE and _reads_as_prose(lines):
        # A brief (a wire flash, a one-line item from a feed) is all article: nothing to strip.
        return Cleaned(lines, (), lines[0]), None, None
    unwrapped = unwrap(text)
    if unwrapped != text:  # text hard-wrapped at a fixed width (PDF, e-mail, print copy)
        return clean_text(unwrapped, known, lang=raw.lang or None), None, None
    return cleaned, None, None


def _goes_on(part: str, whole: str) -> bool:
    """``whole`` is ``part`` and more, going on after a sentence end ("Sukces CD Projektu" /
    "Sukces CD Projektu. Właśnie prześcignął Orlen i goni PZU"); not a headline run on into what
    follows it ("… zurecht - News" / "… zurecht - News Cookie-InformationenDieses Seite …")."""
    part = part.rstrip(" .")
    if not whole.startswith(part):
        return False
    rest = whole[len(part) :]
    ends = part.endswith(("!", "?", "…")) or re.match(r"\s?[.!?…]", rest)  # tokenised: "» .. أول"
    return bool(ends and re.match(r"\s?[.!?…]*[\"”»’)]*\s+\S", rest))


def _reads_as_prose(lines: tuple[str, ...]) -> bool:
    """A sentence or two, not a column of menu words: few lines, averaging five words or more."""
    return bool(lines) and len(lines) <= 6 and sum(n_words(x) for x in lines) >= 5 * len(lines)


def unwrap(text: str) -> str:
    """Join hard-wrapped lines back into paragraphs. A block is hard-wrapped when most of its
    lines stop mid-sentence at a similar width; line-by-line boilerplate rules would otherwise see
    a column of short fragments and drop the whole article."""
    out = []
    for block in text.split("\n\n"):
        lines = [x.strip() for x in block.splitlines() if x.strip()]
        if len(lines) >= 4:
            mid = sum(1 for x in lines[:-1] if x[-1] not in '.!?:;»"”)') / (len(lines) - 1)
            widths = sorted(len(x) for x in lines)
            typical = widths[len(widths) // 2]
            if mid >= 0.6 and 20 <= typical <= 90:
                out.append(" ".join(lines))
                continue
        out.append(block)
    return "\n\n".join(out)


def clean(raw: RawArticle, known_boilerplate: frozenset[str] = frozenset()) -> Article:
    """Clean one raw article; raises ``NotAnArticle`` when nothing article-like is left.

    ``known_boilerplate`` holds lines (normalised with ``normalise_line``) that recur on many
    pages of the same source, as ``recurring_lines`` finds them: they are removed wherever they
    stand, even when they read like prose (a standing disclaimer, an "about us" paragraph)."""
    if raw.empty:
        raise NotAnArticle(raw.origin, "the input is empty (no text or html)")
    raw = as_words(raw)
    cleaned, page_title, page_date = _cleaned(raw, known_boilerplate)
    body = "\n\n".join(cleaned.paragraphs)
    brief = not raw.html and word_count(raw.text or "") < _SHORT_ARTICLE and bool(body.strip())
    if word_count(body) < _MIN_WORDS and not brief:
        raise NotAnArticle(
            raw.origin,
            "no article text found after removing menus and boilerplate "
            "(an index, error or empty page?); pass the article page itself",
        )
    lang = raw.lang or detect_language(body)
    # The headline as a reader would see it: tidied (markup, tokeniser escapes, a dateline or wire
    # credit in front undone), or made from the lede when what was found cannot stand as one.
    found = (raw.title or "").strip() or page_title or cleaned.title
    given = bool((raw.title or "").strip())
    title = headline(repair_text(found) if found else None, body, given=given, glued=not raw.html)
    stated = None if given or raw.html else repeated_title(repair_text(raw.text or ""), body)
    if stated:
        # The page's <title> printed again above the story: the headline as the page states it
        # twice, over the line the finder took (a caption, the standfirst). Display only: the
        # encoder keeps reading ``found`` by the plain rules.
        shown = headline(stated, body)
        title = shown if title_key(shown) in title_key(stated) else title  # never a lede instead
    elif not given and not raw.html and (whole := stated_headline(repair_text(raw.text or ""))):
        # The headline as the text states it, printed twice or run into the story after two
        # spaces, when the finder took a part of it (a two-sentence headline's first sentence) or
        # it with more (its second copy and the story): display only, like the rules above.
        shown, key = headline(whole, body), title_key(title)
        if key and (new := title_key(shown)) != key and (key.startswith(new) or _goes_on(title, shown)):
            title = shown
    outlet_name = raw.source or (site_name(raw.html) if raw.html else None)  # one parse of the page for it
    if raw.html and not given and page_title:
        # The outlet's name after the page's <title> ("… | Al Bawaba") is shown as the outlet,
        # not in the headline. Display only, like the rules above.
        title = without_outlet(title, [outlet_name or "", _site_label(raw.url)]) or title
    source = "feed" if (raw.title or "").strip() else "page" if page_title else "text"
    return Article(
        id=raw.id,
        title=title,
        title_source=source,
        encoder_title=plain_headline(repair_text(found) if found else None, body, given=given),
        body=body,
        lang=lang,
        published=_published(raw, page_date, cleaned, lang, stated),
        source=outlet_name,
        url=raw.url,
        origin=raw.origin,
        content_hash=content_hash(body),
        removed=cleaned.removed,
        encoding=raw.encoding,
    )


def as_words(raw: RawArticle) -> RawArticle:
    """``raw`` with a word-segmented title or text (syllables joined by underscores, as Vietnamese
    segmenters write them: "đối_lập") read as words (``segmented.join_segmented``), each judged on
    its own: an aggregator may give segmented headlines over raw bodies. Otherwise ``raw`` itself."""
    title, text = join_segmented(raw.title), join_segmented(raw.text)
    if title is raw.title and text is raw.text:
        return raw
    import dataclasses

    return dataclasses.replace(raw, title=title, text=text)


def _site_label(url: str | None) -> str:
    """The name a URL's host gives its site: "albawaba" for www.albawaba.com, "telegraph" for
    www.telegraph.co.uk; "" without a URL."""
    labels = host(url).split(".") if url else []
    if len(labels) > 2 and labels[-2] in ("co", "com", "org", "net", "gov", "ac", "gob", "edu"):
        labels = labels[:-1]
    return labels[-2] if len(labels) >= 2 else ""


_SAME_STORY = 0.6  # pages whose line sets overlap more than this (Jaccard) are copies of one story


def recurring_lines(pages: Sequence[Sequence[str]], min_pages: int = 3) -> frozenset[str]:
    """Lines (normalised) that recur on at least ``min_pages`` different stories of one source:
    its furniture, learned from the store. ``pages`` holds, per page, its lines (an article's
    paragraphs plus the lines the cleaner removed, or the raw page text split into lines).

    Copies of one story (re-scrapes, updates, syndication) count once: otherwise three copies
    of an article would make its own paragraphs "recurring". Blank and one-character lines
    are never returned."""
    stories: list[set[str]] = []
    counts: Counter[str] = Counter()
    for page in pages:
        lines = {normalise_line(x) for x in page}
        lines = {x for x in lines if len(x) > 1}
        if not lines:
            continue
        story = next((s for s in stories if len(lines & s) > _SAME_STORY * len(lines | s)), None)
        if story is None:
            stories.append(set(lines))
            counts.update(lines)
        else:
            counts.update(lines - story)  # a line new to this copy of the story counts once
            story |= lines
    return frozenset(x for x, n in counts.items() if n >= min_pages)


def _published(
    raw: RawArticle, page_date: str | None, cleaned: Cleaned, lang: str, stated: str | None = None
) -> dt.date | None:
    """Metadata first (the input's date, the HTML page's own), then a dateline or time stamp the
    page text states by its headline (``meta.publish_date``: never the masthead's "today"): the
    headline the page states twice (``stated``, its <title> and <h1>) first, else the line the
    finder took."""
    if raw.published:
        return parse_date(raw.published, lang)
    if page_date:
        return parse_date(page_date, lang)
    # A dateline or stamp by the headline (never the masthead's "today"); else when the page was
    # fetched or archived: a news page is read the day it appears.
    text = repair_text(raw.text or "")
    by_stated = publish_date(text, stated, lang, stated=True) if stated else None
    return by_stated or publish_date(text, cleaned.title, lang) or parse_date(raw.fetched, lang)


def as_is(raw: RawArticle, known_boilerplate: frozenset[str] = frozenset()) -> Article:
    """The article with its text kept whole: for inputs the cleaner rejects but a caller still
    wants to compare (pairs, timelines). Never raises.

    One exception: a headline over nothing but furniture (a consent notice, a sign-up box, share
    buttons: the page a scraper gets when the story sits behind a wall) is kept as the headline
    alone. Whole, two such pages of one outlet compare as their shared notice: on the SemEval-2022
    dev pairs two unrelated German stories behind one cookie notice scored 0.60, and two
    "Once registered, you can: ..." pages scored 1.0."""
    raw = as_words(raw)
    text = repair_text(raw.text or "")
    if not text.strip() and raw.html:
        text = "\n\n".join(extract_html(repair_text(raw.html), raw.url).cleaned.paragraphs)
    elif text.strip():
        walled = clean_text(text, known_boilerplate, lang=raw.lang or None)
        if walled.title and not walled.paragraphs:
            text = walled.title
    lang = raw.lang or detect_language(text)
    return Article(
        id=raw.id,
        title=headline((raw.title or "").strip() or None, text, given=True),
        title_source="feed" if (raw.title or "").strip() else "text",
        encoder_title=plain_headline((raw.title or "").strip() or None, text, given=True),
        body=text,
        lang=lang,
        published=parse_date(raw.published, lang),
        source=raw.source,
        url=raw.url,
        origin=raw.origin,
        content_hash=content_hash(text),
        encoding=raw.encoding,
    )


def lede_title(article: Article, skip: frozenset[str] = frozenset()) -> Article:
    """The article titled from its own lede: what stands when the headline found on the page
    turns out to be a line the outlet prints on many pages (a teaser, a sidebar). The encoder
    reads the lede's plain clause instead of that line (``meta.plain_headline``)."""
    import dataclasses

    return dataclasses.replace(
        article,
        title=lede_headline(article.body, skip=skip),
        title_source="text",
        encoder_title=lede_headline(article.body, skip=skip, notes=False),
    )
