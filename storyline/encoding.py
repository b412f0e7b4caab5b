"""Bytes → text, whatever the codec. Lives at the ground floor because readers (sources) and the
clean stage both need it and stages must not import one another."""

from __future__ import annotations

import re
import unicodedata
from typing import NamedTuple

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


def _guess(data: bytes) -> tuple[str, str] | None:
    """The most plausible decoding among common code pages and charset-normalizer's guess, with
    the codec's name."""
    from charset_normalizer import from_bytes

    candidates: list[tuple[str, str]] = []
    best = from_bytes(data).best()
    # On a long text charset-normalizer's language model is reliable and breaks ties (Greek vs
    # Cyrillic code pages); on a short one it is a coin toss and the preference order decides.
    trust = best is not None and sum(b > 127 for b in data) >= 200
    if best is not None and trust:
        candidates.append((str(best), best.encoding))
    for codec in _CODEPAGES:
        try:
            candidates.append((data.decode(codec), codec))
        except UnicodeDecodeError:
            continue
    if best is not None and not trust:
        candidates.append((str(best), best.encoding))
    if not candidates:
        return None
    return min(candidates, key=lambda c: _implausibility(c[0]))  # min() keeps the first of equals


class Decoded(NamedTuple):
    """Text, and how it was read when that was not plain UTF-8: ``encoding`` is what an article
    records and shows ("utf-8, 2 bad bytes replaced", "cp1251 (guessed)"), ``None`` for clean UTF-8
    or a BOM (``encoding_note`` says it in a sentence)."""

    text: str
    encoding: str | None = None


_HIGH_RUNS = re.compile(rb"[\x80-\xff]+")


def _utf8_damage(data: bytes) -> tuple[int, int, int]:
    """(bytes that are not UTF-8, of which word-like: in a run next to an ASCII letter or of three
    or more, valid multi-byte characters), in one linear pass over the runs of non-ASCII bytes."""
    bad = touching = valid_mb = 0
    for m in _HIGH_RUNS.finditer(data):
        text = m.group().decode("utf-8", errors="replace")
        n_bad = text.count("\ufffd")
        if not n_bad:
            valid_mb += len(text)
            continue
        valid_mb += len(text) - n_bad
        bad += n_bad
        near = data[max(0, m.start() - 1) : m.start()] + data[m.end() : m.end() + 1]
        # A code page's letters sit inside words ("caf\xe9"), or make whole words of three or
        # more high bytes (Cyrillic, Greek); stray bytes do neither.
        if n_bad >= 3 or any(chr(b).isalpha() for b in near):
            touching += n_bad
    return bad, touching, valid_mb


def _mostly_utf8(data: bytes) -> tuple[bool, int]:
    """Is this UTF-8 with a few damaged bytes, rather than a legacy code page? Either most of its
    non-ASCII characters are valid UTF-8, or it is ASCII text with a few stray bytes standing
    apart from words (a code page's accented letters sit inside words: "caf\xe9")."""
    bad, touching, valid_mb = _utf8_damage(data)
    if valid_mb and bad <= valid_mb:
        return True, bad
    stray = bad * 10 <= len(data) and touching * 2 <= bad
    return stray, bad


def decode_text(data: bytes, origin: str) -> Decoded:
    """Decode with UTF-8 first (by far the most common), a BOM when there is one; text that is
    mostly UTF-8 stays UTF-8 with its bad bytes replaced (U+FFFD) rather than becoming another
    codec's nonsense; otherwise the code page that reads most plausibly, and say it was a guess.
    Binary data is refused rather than turned into noise."""
    for bom, codec in _BOMS:
        if data.startswith(bom):
            return Decoded(unicodedata.normalize("NFC", data[len(bom) :].decode(codec, errors="replace")))
    if _looks_binary(data):
        raise InputError(origin, "this is a binary file, not text (NUL or control bytes)")
    encoding = None
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        mostly, bad = _mostly_utf8(data)
        if mostly:
            text = data.decode("utf-8", errors="replace")
            encoding = f"utf-8, {bad} bad byte{'s' if bad != 1 else ''} replaced"
        else:
            guessed = _guess(data)
            if guessed is None:
                raise InputError(origin, "cannot tell the text encoding; save the file as UTF-8") from None
            text, codec = guessed
            encoding = f"{codec} (guessed)"
    if text.count("\ufffd") > max(3, len(text) // 20):
        raise InputError(origin, "the bytes are not text in any known encoding; save the file as UTF-8")
    return Decoded(unicodedata.normalize("NFC", text), encoding)


def encoding_note(encoding: str) -> str:
    """What to tell the user about an article whose ``encoding`` was recorded (``Decoded``)."""
    if encoding.startswith("utf-8"):
        return (f"read as UTF-8 ({encoding.removeprefix('utf-8, ')}: bytes that are not valid UTF-8 "
                "are shown as \ufffd; re-save the file as UTF-8 to keep them)")
    return f"not UTF-8; read as {encoding} (save the file as UTF-8 to be sure)"


def decode_bytes(data: bytes, origin: str) -> str:
    """``decode_text`` without the account of how."""
    return decode_text(data, origin).text
