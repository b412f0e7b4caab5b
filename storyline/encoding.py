"""Bytes → text, whatever the codec. Lives at the ground floor because readers (sources) and the
clean stage both need it and stages must not import one another."""

from __future__ import annotations

import unicodedata

from storyline.errors import InputError

_BOMS = (
    (b"\xef\xbb\xbf", "utf-8"),
    (b"\xff\xfe", "utf-16-le"),
    (b"\xfe\xff", "utf-16-be"),
)


def _looks_binary(data: bytes) -> bool:
    head = data[:8192]
    if b"\x00" in head:
        return True
    ctrl = sum(1 for b in head if b < 9 or 13 < b < 32)
    return ctrl > len(head) * 0.05


# Single-byte code pages that real news pages still arrive in, in order of preference when two
# decodings look equally plausible (short texts are ambiguous: "à" in cp1252 is "ŕ" in cp1250).
_CODEPAGES = ("cp1252", "cp1250", "cp1251", "cp1254", "cp1257", "cp1253", "cp1256", "cp1255", "koi8_r")
_OK_PUNCT = set("“”‘’„‚–—…«»°§©®™·•€£¥¢¿¡")


def _script(ch: str) -> str:
    try:
        return unicodedata.name(ch).split(" ")[0]
    except ValueError:
        return "?"


def _implausibility(text: str) -> int:
    """How much a decoding looks like mojibake: stray symbols and controls, words that mix
    scripts, and Latin words made mostly of accented letters ("Ïðèâåò" is cp1251 read as cp1252)."""
    bad = 0
    for ch in text:
        # Icelandic letters in news are almost always cp1254 Turkish misread as cp1252.
        stray = ord(ch) > 127 and not ch.isalpha() and not ch.isspace() and ch not in _OK_PUNCT
        if ch in "ðþÐÞ" or stray:
            bad += 1
        elif unicodedata.category(ch) in ("Cc", "Co", "Cn") and ch not in "\n\r\t":
            bad += 2
    for word in text.split():
        letters = [c for c in word if c.isalpha()]
        if len(letters) < 3:
            continue
        scripts = {_script(c) for c in letters}
        accented = sum(ord(c) > 127 for c in letters)
        if len(scripts) > 1 or (scripts == {"LATIN"} and accented * 4 >= len(letters) * 3):
            bad += 1
    return bad


def _guess(data: bytes) -> str | None:
    """The most plausible decoding among common code pages and charset-normalizer's guess."""
    from charset_normalizer import from_bytes

    candidates: list[str] = []
    best = from_bytes(data).best()
    # On a long text charset-normalizer's language model is reliable and breaks ties (Greek vs
    # Cyrillic code pages); on a short one it is a coin toss and the preference order decides.
    trust = best is not None and sum(b > 127 for b in data) >= 200
    if best is not None and trust:
        candidates.append(str(best))
    for codec in _CODEPAGES:
        try:
            candidates.append(data.decode(codec))
        except UnicodeDecodeError:
            continue
    if best is not None and not trust:
        candidates.append(str(best))
    if not candidates:
        return None
    return min(candidates, key=_implausibility)  # min() keeps the first of equals


def decode_bytes(data: bytes, origin: str) -> str:
    """Decode with UTF-8 first (by far the most common), a BOM when there is one, then the codec
    charset-normalizer finds; binary data is refused rather than turned into noise."""
    for bom, codec in _BOMS:
        if data.startswith(bom):
            return unicodedata.normalize("NFC", data[len(bom) :].decode(codec, errors="replace"))
    if _looks_binary(data):
        raise InputError(origin, "this is a binary file, not text (NUL or control bytes)")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        guessed = _guess(data)
        if guessed is None:
            raise InputError(origin, "cannot tell the text encoding; save the file as UTF-8") from None
        text = guessed
    if text.count("\ufffd") > max(3, len(text) // 20):
        raise InputError(origin, "the bytes are not text in any known encoding; save the file as UTF-8")
    return unicodedata.normalize("NFC", text)
