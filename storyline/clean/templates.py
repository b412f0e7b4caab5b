"""Page templates that a batch of inputs shares: block pages, consent walls, site shells.

A scraper that was refused gets the same "we noticed unusual traffic from your IP" page for every
article of that site, and some sites answer with their shell (name, motto, "donate") instead of the
story. Such a text is not the article, whatever its id says, and scoring it as one puts two
unrelated stories at similarity 1 (two copies of the block page) or a same-event pair at 0.

The sign is in the batch, not in any one page: lines that the texts of several *different* articles
carry word for word are the batch's furniture (as ``recurring_lines`` finds a source's furniture in
a run), and a short text made almost only of furniture words is a template. On the SemEval-2022
dev pairs this finds 12 texts (a Polish block page and its variants, an Arabic site's shell), whose
words are 83-100% furniture; no article text there is above 16%. Syndicated copies of one long
article share their lines too, so a template must also be short: block pages and shells are.

A block page that comes once in a file has no copies to give it away, so one sign of its own is
read too (``block_page``): a short text that tells the reader their IP address ("Your IP:
203.0.113.7", "Twój adres IP: ...", "Ihre IP-Adresse ..."). The acronym and the dotted address read
the same in every language and on every site; an article has no reason to print its reader's
address, and the dev texts (6,346) that print an address and the word "IP" at all are the six Polish block
pages and four long technical texts (491-4,619 words).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from storyline.clean.text import normalise_line
from storyline.models import RawArticle

_WORD = re.compile(r"\w+", re.UNICODE)
# A line is furniture when the texts of this many different articles carry it.
MIN_ARTICLES = 3
# A text is a template when at least this share of its words come from furniture lines...
TEMPLATE_SHARE = 0.5
# ...and it is no longer than this (a syndicated article is longer than a block page).
TEMPLATE_MAX_WORDS = 120
_IP_WORD = re.compile(r"\bIP\b")
_IPV4 = re.compile(r"(?<![\d.])(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})(?!\.?\d)")


def block_page(text: str) -> bool:
    """True for a short text (at most ``TEMPLATE_MAX_WORDS`` words) that names "IP" and gives an
    IPv4 address (four numbers of 0-255, the first not 0): a block or robot-check page telling the
    reader the address it refused, on its own, with no copies in the batch. "15.5.9.9" in a Turkish
    table of rates is not one (no "IP"), nor "185.500.000.000" (not an address)."""
    words = _WORD.findall(text or "")
    if not words or len(words) > TEMPLATE_MAX_WORDS or not _IP_WORD.search(text):
        return False
    return any(
        int(m.group(1)) > 0 and all(int(g) <= 255 for g in m.groups()) for m in _IPV4.finditer(text)
    )


@dataclass(frozen=True)
class Templates:
    """The furniture of one batch: its lines (normalised, to remove as known boilerplate) and the
    words they are made of (to recognise a text that is little else)."""

    lines: frozenset[str] = frozenset()
    words: frozenset[str] = frozenset()

    @classmethod
    def of(cls, texts: Iterable[tuple[str, str]], min_articles: int = MIN_ARTICLES) -> Templates:
        """Furniture of ``texts``, given as (article id, page text); one id counts once however
        often it comes (an article paired with several others)."""
        seen: dict[str, set[str]] = {}
        for art_id, text in texts:
            for line in {normalise_line(x) for x in (text or "").splitlines()}:
                if len(line) > 1:
                    ids = seen.setdefault(line, set())
                    if len(ids) < min_articles:
                        ids.add(art_id)
        lines = frozenset(line for line, ids in seen.items() if len(ids) >= min_articles)
        return cls(lines, frozenset(w for x in lines for w in _WORD.findall(x)))

    @classmethod
    def of_inputs(cls, raws: Iterable[RawArticle]) -> Templates:
        """Furniture of input articles' plain texts (``of``)."""
        return cls.of((r.id, r.text or "") for r in raws)

    def holds(self, raw: RawArticle) -> bool:
        """True for an input whose plain text is a template (``is_template``) or a block page on its
        own (``block_page``); an HTML page goes through extraction instead."""
        return not raw.html and (self.is_template(raw.text or "") or block_page(raw.text or ""))

    def is_template(self, text: str) -> bool:
        """True for a short text made mostly of the batch's furniture words."""
        if not self.lines:
            return False
        words = _WORD.findall(normalise_line(text or ""))
        if not words or len(words) > TEMPLATE_MAX_WORDS:
            return False
        return sum(w in self.words for w in words) >= TEMPLATE_SHARE * len(words)
