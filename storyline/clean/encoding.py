"""Bytes → clean Unicode text, and mojibake repair for text that arrived already decoded.

Codec detection itself lives in ``storyline.encoding`` (readers need it too); this adds what the
clean stage needs on top: ftfy's repair of text that was decoded with the wrong codec somewhere
upstream ("EichstÃ¤tt" → "Eichstätt"), which no codec choice here can undo, and NFC so the same
word always compares equal.
"""

from __future__ import annotations

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


def repair_text(text: str) -> str:
    """Undo mojibake and normalise to NFC."""
    return unicodedata.normalize("NFC", ftfy.fix_text(text, _FTFY))


def decode_bytes(data: bytes, origin: str) -> str:
    """Decode bytes in whatever codec they use, repair mojibake, NFC. Binary or undecodable data
    raises ``InputError`` with a reason the user can act on."""
    if not data.strip():
        raise InputError(origin, "the file is empty")
    return repair_text(_decode(data, origin))  # _decode refuses binary and undecodable bytes
