"""Bytes → clean Unicode text, and mojibake repair for text that arrived already decoded.

Codec detection itself lives in ``storyline.encoding`` (readers need it too); this adds what the
clean stage needs on top: ftfy's repair of text that was decoded with the wrong codec somewhere
upstream ("EichstÃ¤tt" → "Eichstätt"), which no codec choice here can undo, and NFC so the same
word always compares equal.
"""

from __future__ import annotations

import re
import unicodedata

import ftfy

from storyline.encoding import decode_bytes as _decode
from storyline.errors import InputError

_FTFY = ftfy.TextFixerConfig(
    unescape_html=False,  # "&amp;" in plain text may be meant; HTML is unescaped by the parser
    fix_line_breaks=True,
    uncurl_quotes=False,  # curly quotes are correct text, not damage
    fix_latin_ligatures=False,
    fix_character_width=False,
    explain=False,
)


# Penn Treebank escapes, as tokenized research corpora (Timeline17, ECB+ derivatives) carry them:
# "-LRB- CNN -RRB- --" is "(CNN) --". Left in, they become words ("lrb") that every such article
# shares, in entity keys, word overlap and timeline sentences alike.
_PTB_OPEN = re.compile(r"-L([RSC])B-[ \t]*")
_PTB_CLOSE = re.compile(r"[ \t]*-R([RSC])B-")
_BRACKETS = {"R": "()", "S": "[]", "C": "{}"}
_PTB_QUOTES = ((re.compile(r"``[ \t]*"), '"'), (re.compile(r"[ \t]*''"), '"'))


def unescape_ptb(text: str) -> str:
    """Brackets for -LRB-/-RRB- (and -LSB-, -LCB-...); in such text, double quotes for `` and ''."""
    if "-LRB-" not in text and "-RRB-" not in text and "``" not in text and "-LSB-" not in text:
        return text
    text = _PTB_OPEN.sub(lambda m: _BRACKETS[m.group(1)][0], text)
    text = _PTB_CLOSE.sub(lambda m: _BRACKETS[m.group(1)][1], text)
    for pattern, quote in _PTB_QUOTES:
        text = pattern.sub(quote, text)
    return text


def repair_text(text: str) -> str:
    """Undo mojibake and Penn Treebank escapes, normalise to NFC."""
    return unicodedata.normalize("NFC", unescape_ptb(ftfy.fix_text(text, _FTFY)))


def decode_bytes(data: bytes, origin: str) -> str:
    """Decode bytes in whatever codec they use, repair mojibake, NFC. Binary or undecodable data
    raises ``InputError`` with a reason the user can act on."""
    if not data.strip():
        raise InputError(origin, "the file is empty")
    return repair_text(_decode(data, origin))  # _decode refuses binary and undecodable bytes
