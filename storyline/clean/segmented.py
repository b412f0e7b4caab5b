"""Word-segmented text read as words: "Phe đối_lập Campuchia lại biểu_tình" -> "Phe đối lập Campuchia
lại biểu tình".

Vietnamese word segmenters (VnCoreNLP, pyvi, the KTLAB and VLSP corpora) join the syllables of one
word with underscores, and other tokenised corpora join multiword names the same way ("New_York").
Left as is, a joined word matches nothing in another article's text (one outlet's headline is
segmented, the next outlet's body is not), the entity finder cannot see "Hà_Nội" or "Hun_Sen", the
encoder reads the underscores as pieces of their own, and readers see them in the headline.

A text shows the habit when at least ``SHARE`` of its words are letters joined by single underscores
("đối_lập", "Hồ_Chí_Minh"); then each such word is split back at its underscores. Segmented
Vietnamese holds them at 20-40% of its words. Anything else keeps its underscores: a text with a
stray identifier or user name ("date_CERT", "Lucy_Skywalker": a scraped page's script, a forum
handle) is far under the share, and addresses, e-mail, @handles and #tags are never touched.
"""

from __future__ import annotations

import re

__all__ = ["SHARE", "join_segmented", "segmented_share"]

SHARE = 0.05

# A whitespace token: optional opening punctuation, letters-or-digits parts joined by single
# underscores (at least one letter part), optional closing punctuation.
_PART = r"[^\W_]+"
_JOINED = re.compile(rf"^([(\[{{\"'“‘«]*)({_PART}(?:_{_PART})+)([)\]}}\"'”’».,:;!?…]*)$")
_LETTER = re.compile(r"[^\W\d_]")
_ADDRESS = re.compile(r"://|www\.|@|^#|\.\w+/|/", re.IGNORECASE)


def _joined(token: str) -> re.Match[str] | None:
    if _ADDRESS.search(token):
        return None
    m = _JOINED.match(token)
    if m is None or not _LETTER.search(m[2]):
        return None
    return m


def segmented_share(text: str) -> float:
    """The share of ``text``'s words (whitespace tokens holding a letter) that are
    underscore-joined syllables."""
    words = [t for t in text.split() if _LETTER.search(t)]
    if not words:
        return 0.0
    return sum(1 for t in words if _joined(t)) / len(words)


_TOKEN = re.compile(r"\S+")


def join_segmented(text: str | None) -> str | None:
    """``text`` with underscore-joined syllables split back into words when the text shows the
    segmenter's habit (``SHARE``), else ``text`` unchanged. Whitespace and line breaks are kept."""
    if not text or "_" not in text or segmented_share(text) < SHARE:
        return text

    def fix(m: re.Match[str]) -> str:
        token = m[0]
        return token.replace("_", " ") if _joined(token) else token

    return _TOKEN.sub(fix, text)
