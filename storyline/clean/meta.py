"""Publish dates from the strings pages and feeds carry, and the headline of a page.

Dates: news sites print dates in dozens of local shapes ("Thứ 6, 11:03, 20/05/2016",
"03:58pm | 20/05/2016", "16:00 ngày 02 tháng 06 năm 2016", "May 19, 2016"). A wrong date puts an
article in the wrong place on a timeline, which is worse than no date, so the parser answers only
when the string says the day unambiguously: numeric dates are read day-first except where the
language writes month-first (en-US style) and the numbers cannot tell; anything else is None.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata

# ISO 8601 date (optionally with time): unambiguous in every language.
_ISO = re.compile(r"(?<!\d)(\d{4})-(\d{1,2})-(\d{1,2})(?!\d)")
# d/m/y with / - . separators; a 2-digit year is 20yy.
_DMY = re.compile(r"(?<![\d/.-])(\d{1,2})\s?[/.-]\s?(\d{1,2})\s?[/.-]\s?(\d{4}|\d{2})(?![\d/.-])")
# Day and month without a year ("22/05 07:18", a list page's short form): read only against a
# reference date (when the page was fetched, or the dates of the batch it came with).
_DM = re.compile(r"^[\W_]*(\d{1,2})/(\d{1,2})[\W_]*$")
_TIME = re.compile(r"(?<!\d)\d{1,2}[:h]\d{2}(?::\d{2})?(?!\d)")
_YMD = re.compile(r"(?<![\d/.-])(\d{4})[/.](\d{1,2})[/.](\d{1,2})(?![\d/.-])")
# Vietnamese: "ngày 2 tháng 6 năm 2016", "2 Tháng 6, 2016", "31 Tháng năm 2016" (month as a word).
_VI_MONTHS = {
    "một": 1,
    "giêng": 1,
    "hai": 2,
    "ba": 3,
    "tư": 4,
    "bốn": 4,
    "năm": 5,
    "sáu": 6,
    "bảy": 7,
    "tám": 8,
    "chín": 9,
    "mười": 10,
    "mười một": 11,
    "mười hai": 12,
    "chạp": 12,
}
_VI = re.compile(
    r"(\d{1,2})\s*tháng\s*(\d{1,2}|mười hai|mười một|mười|một|giêng|hai|ba|tư|bốn|năm|sáu|bảy|tám|chín|chạp)"
    r"\s*(?:,|năm)?\s*(\d{4})",
    re.IGNORECASE,
)
# Languages that write numeric dates month-first; elsewhere day-first is the rule.
_MONTH_FIRST = {"en"}
_MIN_YEAR, _MAX_YEAR = 1900, 2100


def _make(y: int, m: int, d: int) -> dt.date | None:
    if not _MIN_YEAR <= y <= _MAX_YEAR:
        return None
    try:
        return dt.date(y, m, d)
    except ValueError:
        return None


def _year(text: str) -> int:
    y = int(text)
    return 2000 + y if y < 100 else y


def _numeric(a: int, b: int, year: int, lang: str | None) -> dt.date | None:
    """Day and month from two numbers; None when they could be either way round and the
    language does not settle it."""
    if a > 12 and b <= 12:
        return _make(year, b, a)
    if b > 12 and a <= 12:
        return _make(year, a, b)
    if a == b:
        return _make(year, a, a)
    if lang is None or lang in _MONTH_FIRST:
        return None
    return _make(year, b, a)


def parse_date(raw: str | None, lang: str | None = None, reference: dt.date | None = None) -> dt.date | None:
    """The date a raw date string states, or None when it states none or is ambiguous.

    A day and month without a year ("22/05 07:18") is dated only with a ``reference`` (the
    fetch date, or the latest date of the batch the string came with): it is the last such day
    on or before the reference (a few days' slack for clocks and time zones)."""
    if not raw:
        return None
    text = unicodedata.normalize("NFC", raw).strip()
    if m := _ISO.search(text):
        return _make(int(m[1]), int(m[2]), int(m[3]))
    if m := _YMD.search(text):
        return _make(int(m[1]), int(m[2]), int(m[3]))
    if m := _DMY.search(text):
        # Vietnamese page strings and most of the world write day first.
        return _numeric(int(m[1]), int(m[2]), _year(m[3]), lang or _guess_lang(text))
    if m := _VI.search(text):
        month = m[2].lower()
        mon = int(month) if month.isdigit() else _VI_MONTHS.get(month)
        return _make(int(m[3]), mon, int(m[1])) if mon else None
    got = _words(text, lang)
    if got is None and reference is not None and (m := _DM.match(_TIME.sub(" ", text))):
        return _before(int(m[1]), int(m[2]), reference, lang or _guess_lang(text) or "vi")
    return got


_SLACK = dt.timedelta(days=3)


def _before(a: int, b: int, reference: dt.date, lang: str) -> dt.date | None:
    """The day/month pair's last occurrence on or before ``reference`` (plus slack)."""
    for year in (reference.year, reference.year - 1):
        got = _numeric(a, b, year, lang)
        if got is not None and got <= reference + _SLACK:
            return got
    return None


def _guess_lang(text: str) -> str | None:
    # "Thứ", "ngày", "Chủ nhật", "GMT+7": the string itself says it is Vietnamese (day-first).
    if re.search(r"(?i)thứ|ngày|chủ nhật|gmt\s*\+\s*7|\b(?:sa|ch|sáng|chiều)\b", text):
        return "vi"
    return None


def _words(text: str, lang: str | None) -> dt.date | None:
    """Dates with month names ("May 19, 2016", "19. Mai 2016"): dateparser, year required."""
    if not re.search(r"\d{4}", text) or not re.search(r"[^\W\d_]{3,}", text):
        return None
    import dateparser  # slow to import; only needed for worded dates

    settings = {"REQUIRE_PARTS": ["day", "month", "year"], "PREFER_DAY_OF_MONTH": "first"}
    tries = [[lang], None] if lang and lang != "und" else [None]  # pages mix languages in dates
    # Tokenised text ("May 2 , 2013 12 : 50 PM") spaces out punctuation; a label ("Posted :",
    # "Published on") before the date defeats dateparser, so it is tried without one too.
    text = _SPACED_COLON.sub(r"\1:\2", _SPACE_BEFORE.sub(r"\1", text))
    texts = [text]
    if (m := _LABEL.match(text)) and m.end() < len(text):
        texts.append(text[m.end() :])
    for t in texts:
        for langs in tries:
            try:
                got = dateparser.parse(t, languages=langs, settings=settings)
            except Exception:  # dateparser raises on unknown locales; a date is optional
                continue
            if got and _MIN_YEAR <= got.year <= _MAX_YEAR:
                return got.date()
    return None


_SPACE_BEFORE = re.compile(r"\s+([,.:;])")
_SPACED_COLON = re.compile(r"(\d)\s*:\s*(\d)")
_LABEL = re.compile(r"^[^\W\d_]+(?:\s+[^\W\d_]+)?\s*[:|\u2013-]?\s+(?=[^\W_])")


def date_from_lines(lines: list[str], lang: str | None) -> dt.date | None:
    """A publish date stated on its own short line near the top (a dateline), never one
    mentioned inside a sentence."""
    for line in lines[:15]:
        if len(line) > 60 or not any(ch.isdigit() for ch in line):
            continue
        if line.rstrip().endswith((".", "!", "?")) and len(line.split()) > 6:
            continue
        got = parse_date(line, lang)
        if got is not None:
            return got
    return None
