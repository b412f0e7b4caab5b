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
from collections.abc import Sequence
from itertools import chain

from storyline.clean.notes import meta_note, opens_with_credit, strip_notes, unglue_kicker
from storyline.clean.text import n_words

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


def parse_date(
    raw: str | None, lang: str | None = None, reference: dt.date | None = None, runs: bool = True
) -> dt.date | None:
    """The date a raw date string states, or None when it states none or is ambiguous.

    A day and month without a year ("22/05 07:18") is dated only with a ``reference`` (the
    fetch date, or the latest date of the batch the string came with): it is the last such day
    on or before the reference (a few days' slack for clocks and time zones). ``runs``: when the
    whole string defeats the parser, read a day-month-year run inside it (``_WORDED``)."""
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
    got = _words(text, lang, runs)
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


def _words(text: str, lang: str | None, runs: bool = True) -> dt.date | None:
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
    # A stamp with more than the date in it ("Page last updated at 05:27 GMT, Tuesday, 27 September
    # 2011 06:27 UK", "PUBLISHED FRIDAY, MARCH 8, 2013 AT 12:46 PM / UPDATED AT 12:48 PM"): the
    # words around it defeat dateparser, so the day-month-year run alone is read last (audit 22).
    found = (m.group() for m in _WORDED.finditer(text)) if runs else ()
    for t in chain(texts, found):
        for langs in tries:
            try:
                got = dateparser.parse(t, languages=langs, settings=settings)
            except Exception:  # dateparser raises on unknown locales; a date is optional
                continue
            if got and _MIN_YEAR <= got.year <= _MAX_YEAR:
                return got.date()
    return None


# A day, a month's name and a year, either way round ("27 September 2011", "MARCH 8, 2013",
# "22 de abril de 2022"), in any script that has letters.
_WORDED = re.compile(
    r"(?<![\w])(?:\d{1,2}(?:st|nd|rd|th)?\.?\s+(?:de\s+)?[^\W\d_]{3,12}\.?,?\s+(?:de\s+)?\d{4}"
    r"|[^\W\d_]{3,12}\.?\s+\d{1,2}(?:st|nd|rd|th)?\s*,?\s+\d{4})(?!\d)"
)
_SPACE_BEFORE = re.compile(r"\s+([,.:;])")
_SPACED_COLON = re.compile(r"(\d)\s*:\s*(\d)")
_LABEL = re.compile(r"^[^\W\d_]+(?:\s+[^\W\d_]+)?\s*[:|\u2013-]?\s+(?=[^\W_])")


def date_from_lines(lines: list[str], lang: str | None) -> dt.date | None:
    """A publish date stated on its own short line near the top (a dateline), never one
    mentioned inside a sentence."""
    for line in lines[:15]:
        if len(line) > 60 or not any(ch.isdigit() for ch in line):
            continue
        if line.rstrip().endswith((".", "!", "?")) and n_words(line) > 6:
            continue
        got = parse_date(line, lang)
        if got is not None:
            return got
    return None


# --- headlines ---------------------------------------------------------------------------------
# What a title must never be, and what is cut from the start of a lede before it can stand as one.
# Penn-Treebank bracket escapes (corpora such as Timeline17 ship tokenised text).
_PTB_BRACKETS = {"-LRB-": "(", "-RRB-": ")", "-LSB-": "[", "-RSB-": "]", "-LCB-": "{", "-RCB-": "}"}
# Signs of tokenised text; French spacing before ":;?!" is not one (a space before "," or a final
# "." is).
_PTB_MARK = re.compile(r"-[LR][RSC]B-|``|''|\s(?:n't|'s|'re|'ll|'ve|'m|'d)\b|\w\s[,.](?:\s|$)")
_MARKUP = re.compile(r"<\s*/?\s*[a-zA-Z][^<>]{0,200}>|&(?:[a-z]{2,8}|#\d{1,6});")
# Stylesheet or script text: "{display: block;", "function(", "var x =".
_CODE = re.compile(r"[{}]|;\s*\}|\b(?:function\s*\(|var\s+\w+\s*=|display\s*:|font-|margin\s*:|px;)")
_URL = re.compile(r"https?://|www\.|\.(?:com|net|org|co\.uk|html?|php)\b/?", re.I)
# A clock time ("4:36 pm", "19.30 BST", "11:33 p.m."), with or without a zone.
_CLOCK = re.compile(
    r"\b\d{1,2}[:.]\d{2}\s*(?:[ap]\.?\s?m\.?|gmt|bst|cet|cest|edt|est|cdt|pdt|utc|ist)\b|\b\d{1,2}:\d{2}\b", re.I
)
_WIRES = r"Reuters|AP|AFP|CNN|EFE|ANSA|dpa|DPA|Xinhua|Bloomberg|UPI|Europa Press|AGI|ATS|PA|BBC"
# "TAWARGHA, Libya (Reuters) -", "El Cairo, 30 may (EFE).-", "BOOTHVILLE, La. (AP) --", "(CNN) --":
# a place and a wire credit opening the lede.
_WIRE_DATELINE = re.compile(rf"^[^()\n]{{0,70}}?\((?:{_WIRES})\)\s*[.,:]?\s*(?:[-–—]+|\.-)\s*")
_WIRE_MARK = re.compile(rf"\((?:{_WIRES})\)\s*[.,:]?\s*(?:--|—|–|-|\.-)\s*")
# A place (or outlet) in capitals opening the lede: "BOOTHVILLE, La. --", "FORTUNE —".
_CAPS_DATELINE = re.compile(r"^[A-Z][A-Z.'’ ]{2,30}(?:,\s*[A-Z][\w.]*(?:\s[A-Z][\w.]*)?)?\s*(?:--|—|–|-)\s+")
# A place in capitals as datelines print it: "WASHINGTON", "BOISE, Idaho", "BERLIN, March 6".
_CAPS_PLACE = re.compile(r"(?:[A-Z][A-Z.'’ -]{2,40})(?:,\s*[A-Z][\w. ]{1,25})?")
_TRAILING_PLACE = re.compile(r"\s+[A-Z][A-Z.'’-]{2,}(?:\s[A-Z][A-Z.'’-]+)*(?:,\s*[A-Z][\w.]*(?:\s[A-Z][\w.]*)?)?$")
# Bylines and credits: "By the CNN Wire Staff", "From Dugald McConnell and Brian Todd, CNN".
_BYLINE = re.compile(
    r"^(?:By|From|Par|Por|Di|Da)\s+(?:the\s+)?(?:[A-Z][\w.'’-]*\s*(?:,|and|y|et|e)?\s*){1,8}?"
    r"(?:Wire Staff|Staff|Correspondent|CNN|Reuters|AP|AFP|reporter)\b[,.]?\s*"
)
# A time stamp: a run of weekday / date / clock pieces, as pages print when a story was filed or
# updated ("Page last updated at 05:27 GMT, Tuesday, 27 September 2011", "Thu Sep 29, 2011 12:15
# pm BST", "Friday, September 19, 2008; 1:00 PM", "Wednesday 6 May 2009 15.16 BST").
_WEEKDAY = r"(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun)[a-z]*\.?"
_DATE = (
    r"(?:\d{1,2}(?:st|nd|rd|th)?\s+[A-Za-z]{3,9}\.?,?\s+\d{4}|[A-Z][a-z]{2,8}\.?\s+\d{1,2}(?:st|nd|rd|th)?"
    r"(?:\s*,\s*|\s+)\d{4})"
)
_CLOCK_T = (
    r"(?:(?<![\d.])\d{1,2}[:.]\d{2}(?![.]\d)(?::\d{2})?\s*(?:[AaPp]\.?\s?[Mm]\.?)?(?:\s*(?:GMT|BST|UTC|EST|EDT|ET|PT|CET|CEST|IST|UK"
    r"(?:\s+time)?))?)"
)
_STAMP_WORDS = r"(?:(?:Page\s+)?[Ll]ast\s+updated(?:\s+at)?|[Uu]pdated|Posted|Published|Help)"
# Pieces are apart by spaces, commas, bars, dashes or slashes ("November 19, 2019 / 12:21 AM /
# Updated 14 hours ago", Reuters).
_STAMP = re.compile(
    rf"(?:(?:{_WEEKDAY}|{_DATE}|{_CLOCK_T}|{_STAMP_WORDS})(?![\w])[\s,;:|/–-]*)*"
    rf"(?:{_DATE}|{_CLOCK_T})(?![\w])(?:[\s,;:|/–-]*(?:{_WEEKDAY}|{_DATE}|{_CLOCK_T}|{_STAMP_WORDS})(?![\w]))*[\s,;:|/–-]*"
)
# A web server's message where a page part failed to load (Apache SSI), printed in the page:
# "[an error occurred while processing this directive]" (BBC pages of the 2000s; any SSI site).
_SSI_ERROR = re.compile(r"^[\[(]?\s*an error occurred while processing this directive\s*[\])]?\s*", re.I)
_UPDATE = re.compile(r"^\(\s*(?:Update|Updated|Adds|Recasts|Corrects|Writes through)[^)]{0,80}\)\s*", re.I)
_LABEL_START = re.compile(r"^(?:Full Article|Page last updated|Last updated|Updated|Posted|Published)\b\s*:?\s*", re.I)
# Short words that end in a full stop without ending a sentence ("Mr.", "Rep.", "a.m.", "U.S.").
_ABBREV = re.compile(r"(?:\b[A-Z][a-z]{0,3}|\b[a-zA-Z](?:\.[a-zA-Z])+|\bp|\ba|\bNo|\bSt|\bvs)\.$")
_HEADLINE_WORDS = 20  # a lede sentence longer than this is cut to its first clause


def undo_ptb(text: str) -> str:
    """Text as a reader writes it: Penn-Treebank escapes (``-LRB-``, ````` `` ````` …) undone and
    the tokeniser's spaces before punctuation removed (Timeline17 ships tokenised articles).
    Text that shows no sign of tokenisation is returned as it is (French writes "Paris : 3")."""
    if not text or not _PTB_MARK.search(text):
        return text
    from nltk.tokenize.treebank import TreebankWordDetokenizer  # pure Python; loads no data files

    for esc, ch in _PTB_BRACKETS.items():
        text = text.replace(esc, ch)
    text = text.replace("\\/", "/").replace("\\*", "*")
    lines = []
    for line in text.split("\n"):
        toks = ["—" if t == "--" else t for t in line.split()]
        out = TreebankWordDetokenizer().detokenize(toks)
        lines.append(re.sub(r"\s*—\s*", " — ", out) if "—" in out else out)
    return "\n".join(lines)


def strip_markup(text: str) -> str:
    """Tags and character references out of a title (``Syria<br />Assad`` → "Syria Assad")."""
    if "<" not in text and "&" not in text:
        return text
    import html

    return " ".join(html.unescape(re.sub(r"<[^<>]{0,200}>", " ", text)).split())


def _is_label(text: str) -> bool:
    """What precedes a time stamp without being a headline: a byline ("Fergus Walsh |", "By
    Shelley DuBois, reporter"), an "updated" label, or too little to be one."""
    text = text.strip()
    words = re.findall(r"[^\W_]+", text)
    return (
        len(words) < 3
        or bool(_BYLINE.match(text + " "))
        or (text.endswith("|") and len(words) <= 4)
        or bool(_LABEL_START.fullmatch(text))
        or bool(_CAPS_PLACE.fullmatch(text.rstrip(" |,-")))
    )


def strip_lede(text: str) -> str:
    """The lede without what opens it in wire copy: the place and timestamp, the wire credit, the
    byline, an "(Update …)" note (``BERLIN, March 6 | Sun Mar 6, 2011 11:25 am EST BERLIN, March 6
    (Reuters) - The United Nations…`` → "The United Nations…")."""
    prev = None
    while prev != text:
        prev = text
        if (m := _STAMP.search(text[:200])) and m.end() > m.start() and _is_label(text[: m.start()]):
            text = text[m.end() :]
        for pat in (_WIRE_DATELINE, _BYLINE, _UPDATE, _CAPS_DATELINE, _LABEL_START):
            text = pat.sub("", text, count=1)
        text = text.lstrip(" -–—|:;,")
    return text


def junk_title(text: str) -> str | None:
    """Why a string cannot stand as a headline (markup, code, a web address, a bare timestamp or
    dateline, a byline, under three words), or None when it can."""
    if not text or not text.strip():
        return "empty"
    if _CODE.search(text) or _MARKUP.search(text):
        return "markup or code"
    if _URL.search(text):
        return "a web address"
    if re.search(r"-[LR][RSC]B-|``", text):
        return "tokeniser escapes"
    if _CLOCK.search(text):
        return "a timestamp"
    if _BYLINE.match(text):
        return "a byline"
    words = re.findall(r"[^\W_]+", text)
    if len(words) < 3:
        return "under three words"
    if _CAPS_PLACE.fullmatch(text.strip()) or (parse_date(text) is not None and len(words) <= 6):
        return "a dateline"
    return None


# Display rules only (the encoder's title keeps its plain form, so no vector moves):
# a contributor's byline "By James M. Lindsay - Special to CNN", "By Micah L. Sifry, Special to CNN".
_SPECIAL_BYLINE = re.compile(r"^(?:By|Par|Por|Di|Von)\s+[^\n]{3,60}?\s*[-–—,]\s*"
                             r"(?:Special|Spécial|Especial|Speciale)\s+(?:to|for|pour|para|per)\s+(?:the\s+)?\S+\s*")
# Decoration before a headline: "›› OPAL: …", "• Syria: …", "► …" (a quote glued to a word stays).
_DECORATION = re.compile(r"^(?:[\u2022\u25b6\u25ba\u25a0\u25aa\u2023\u2219\u00b7*#]+\s*|[\u203a\u00bb>]+\s+)+")


# A numeric date before a headline, as a page's <title> can print it ("23.01.2022 - Dorothea
# Wierer darf …"): the date is shown beside the headline, not in it.
_DATE_PREFIX = re.compile(r"^\d{1,2}[./]\d{1,2}[./](?:\d{4}|\d{2})\s*[-–—|:]?\s+(?=[^\W\d_])")


# A page's date and clock stamp run into the text after its headline (a scrape that lost the
# line break): "Denizli'nin … sızan'ı 16.01.2020 17:02 |Son Güncelleme: 16.01.2020 17:30 …".
_RUN_ON_STAMP = re.compile(
    r"\s+\d{1,2}[./]\d{1,2}[./]\d{4},?\s+\d{1,2}:\d{2}(?!\d).*$"
    # The Guardian's "Tuesday 19 July 2005 00.53 BST" after its headline and standfirst (Timeline17
    # lost the line breaks): "Labor losing battle to convince public Tuesday 19 July 2005 …".
    rf"|\s+{_WEEKDAY},?\s+{_DATE},?\s+{_CLOCK_T}(?![\w]).*$",
    re.S,
)


# A web address opening a line, as tokenised corpora print it ("http : / / nypost . com / 2013 /
# 04 / 12 / video - of - …", ECB+): ``junk_title``'s web-address test wants "http://" unbroken.
_SPACED_URL = re.compile(r"^\s*(?:https?\s*:\s*/\s*/|www\s*\.\s*[^\W_])", re.I)


def reader_tidy(text: str) -> str:
    """A headline as a reader sees it: without decoration or a date before it, a contributor's
    byline, or a web server's error text (``_SSI_ERROR``)."""
    return _DATE_PREFIX.sub("", _DECORATION.sub("", _SPECIAL_BYLINE.sub("", _SSI_ERROR.sub("", text)))).strip()


# A line that is only a byline: "Par Barbara Stiegler", "Von Julian Hirsch", "Por Rodolfo Costa"
# (two to four capitalised words after the word for "by"; "Por qué …", "Von der Leyen warnt" are
# headlines).
_BYLINE_ONLY = re.compile(
    r"^(?:By|Par|Por|Von|Di|Door|Av|Przez|Від|От|Автор)\s+(?:[A-ZÀ-ÞА-ЯЁ][\w'’.-]*\s*){2,4}$"
)
# A photo caption with its credit ("… Mikaela Shiffrin. © AFP / JEFF PACHOUD", "(Foto: dpa)").
_CAPTION_CREDIT = re.compile(
    r"©\s*\w|\((?:Foto|Photo|Bild|Fotó|Zdjęcie)\s*:[^)]*\)\s*$|\b(?:Foto|Photo|Bild):\s*\S+\s*$"
)


def reader_rejects(text: str) -> bool:
    """Display rules for a headline line: a byline alone, or a photo caption with its credit, is
    never the headline shown (the encoder's plain title keeps them: no vector moves)."""
    return bool(_BYLINE_ONLY.match(text.strip()) or _CAPTION_CREDIT.search(text))


_LIST_SEP = re.compile(r"\s+[|•·]\s+")


def tag_list(text: str) -> bool:
    """Whether a line is a list of tags or menu items ("Bashar Assad | Onu | Farnesina | Robert
    Mood | Medio Oriente | …"): four or more short items between bars or bullets. It shares all
    its names with the body, so it can look like the headline to the line finder."""
    items = _LIST_SEP.split(text.strip(" |•·"))
    return len(items) >= 4 and all(len(re.findall(r"[^\W_]+", x)) <= 4 for x in items)


# A headline run into its text on one line, with two spaces or more between them: how scrapers and
# data sets join a title and its body ("Gobierno hondureño ordena uso de cubrebocas obligatorio
# Tegucigalpa El gobierno…"; 364 of the 1,412 SemEval-2022 dev texts). One space is a sentence's own.
_GLUED = re.compile(r"(?<=\S) {2,}(?=\S)")


def glued_headline(text: str) -> str | None:
    """The headline before the first run of two spaces or more on the text's first line, when it
    can be one (three to thirty words, not a sentence ended by a full stop) and the text runs on
    after it (eight words or more, not opening in lower case); else None. Two spaces inside a
    sentence ("Alberto Tedesco: babele di ordinanze che  invece di …", "Europei contro  Assad",
    Crisis texts) are a typing slip, not a break."""
    first = text.lstrip().split("\n", 1)[0]
    m = _GLUED.search(first[:400])
    if m is None:
        return None
    head, rest = first[: m.start()].strip(), first[m.end() :]
    if not 3 <= n_words(head) <= 30 or head.endswith((".", ",", ";", "[", "(")) or junk_title(head):
        return None
    if n_words(rest) < 8 or rest[0].islower():
        return None
    return head


# A headline printed twice at the start of a text, the second copy running into the story ("Kars'ta
# bilet izdihamı Kars'ta bilet izdihamı Kars'ta…"): a scraper joining a page's <title> and <h1>.
_DOUBLED = re.compile(r"\s*(\S.{10,300}?)\s+\1(?=\s|$)")


def stated_headline(text: str) -> str | None:
    """The headline a plain text states at its start by how it is joined to the story: printed
    twice ("MALTEPE MERKEZ CAMİİ'NDE SOSYAL MESAFELİ CUMA NAMAZI MALTEPE MERKEZ CAMİİ'NDE …
    Koronavirüs tedbirleri…", 72 of the 1,412 SemEval-2022 dev texts), or run into its text after
    two spaces (``glued_headline``). Three to thirty words, no junk; else None. The line finder,
    which reads sentences, can take the first sentence of a two-sentence headline alone ("Sukces
    CD Projektu" of "Sukces CD Projektu. Właśnie prześcignął Orlen i goni PZU  Ponownie…", audit
    23) or the doubled headline with its story run on: what the text states wins for the reader."""
    first = text.lstrip().split("\n", 1)[0]
    if (m := _DOUBLED.match(first[:700])) is not None:
        head = m[1].strip()
        if 3 <= n_words(head) <= 30 and not head.endswith((",", ";", "(", "[")) and not junk_title(head):
            return head
    return glued_headline(first)


def first_sentence(text: str) -> str:
    """The text up to its first full stop that ends a sentence (not "Mr.", "a.m.", "U.S.")."""
    for m in re.finditer(r"[.!?][\"”»’')]*\s+(?=[\"“«‘(]?[A-Z0-9À-Ý])", text):
        head = text[: m.start() + 1]
        if _ABBREV.search(head) or len(head.split()) < 4:
            continue
        return text[: m.end()].strip()
    return text.strip()


def lede_headline(
    body: str, max_words: int = _HEADLINE_WORDS, skip: frozenset[str] = frozenset(), notes: bool = True
) -> str:
    """A headline from the article's own first sentence, for pages that carry none: the lede's
    opening clause, whole words, never a cut mid-phrase without saying so ("…"). ``skip``: the
    paragraphs (as ``title_key``) not to use, lines the outlet prints on other pages.

    What the page says about the article is never its headline (``notes``): a paragraph that
    a photo credit follows is a caption, and a series note, a correction or an editor's note
    opening the lede is passed over for the next sentence. ``notes=False`` gives the plain
    opening clause the encoder reads (``encoder_title``), which these display rules never move."""
    paras = [p for p in body.split("\n") if p.strip()]
    if not notes:
        return _plain_lede(paras, max_words, skip)
    # Wire copy starts at its dateline ("GENEVA (Reuters) -", "(CNN) --"): what the page prints
    # above it (a photo caption, a teaser, a related-story line) is not the lede.
    for k, para in enumerate(paras[:4]):
        if (m := _WIRE_MARK.search(text := undo_ptb(para))) and (k or m.start()):
            paras = [text[m.end() :], *paras[k + 1 :]]
            break
    after_correction = False
    for n, para in enumerate(paras):
        if after_correction:  # "… incorrectly said A." is followed by "In fact, B.": the notice's
            after_correction = False  # own second line, not the story
            continue
        if n + 1 < len(paras) and opens_with_credit(undo_ptb(paras[n + 1].strip())):
            continue  # "Tony Blair at a Labour poster launch" above "Photograph: …/Getty"
        if _SPACED_URL.match(para) or junk_title(para) == "a dateline":
            continue  # the page's address or a date line printed above the story (ECB+)
        if n == 0 and (glued := glued_headline(para)) is not None:
            head = reader_tidy(unglue_kicker(_unmarked(glued)))
            if n_words(head) >= 3 and not junk_title(head) and not meta_note(head):
                return head
        text = _unmarked(para)
        while text and (kind := meta_note(first := first_sentence(text))):
            if kind == "correction":
                text, after_correction = "", True
            text = strip_lede(strip_notes(text[len(first) :].strip())).strip()
        text = reader_tidy(unglue_kicker(text))
        if (m := _RUN_ON_STAMP.search(text)) and len(text[: m.start()].split()) >= 3:
            text = text[: m.start()]  # "… sızan'ı 16.01.2020 17:02 |Son Güncelleme: …": the headline ends there
        if (got := _clause(text, para, max_words, skip, unspaced=True)) is not None:
            return got
    return " ".join(body.split()[:12])


def _unmarked(para: str) -> str:
    """A paragraph without the lede's markers and notes around it (treebank escapes undone)."""
    return strip_lede(strip_notes(strip_lede(undo_ptb(para.strip())))).strip()


_CJK_CHAR = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff]")
_CJK_STOP = re.compile(r"[。！？](?:[」』”’）)]*)")
_CJK_COMMA = "，、；：,;:"
_CJK_CAPTION = re.compile(r"^\W*(?:图|圖)(?:为|為|片|：|:)")  # "图为…" ("pictured:"), "图片来源", "图：": a caption


def _cjk_clause(first: str, max_words: int) -> str | None:
    """A Chinese or Japanese lede's first sentence (to its first "。", "！" or "？" after a few
    characters), cut like a spaced one beyond ``max_words``: at its last comma within them, else
    at the limit, with "…". None for a line under eight words (a dateline, "TNW中文站 10月14日报道")."""
    for m in _CJK_STOP.finditer(first):
        if len(_CJK_CHAR.findall(first[: m.start()])) >= 6:
            first = first[: m.start()] + m.group(0)[1:]  # the stop goes, a closing quote stays
            break
    first = first.strip().rstrip(" .;:,，、；：")
    if n_words(first) < 8 or junk_title(first) in ("markup or code", "a web address"):
        return None
    if _CJK_CAPTION.match(first):  # "图为…": a photo caption
        return None
    if n_words(first) <= max_words:
        return first
    head = ""
    for ch in first:  # the longest head within max_words words as ``n_words`` counts them
        if n_words(head + ch) > max_words:
            break
        head += ch
    cut = max(head.rfind(c) for c in _CJK_COMMA)
    if cut > 0 and n_words(head[:cut]) >= 8:  # a clause, not a dateline ("トレンドマイクロは3月9日、")
        return head[:cut] + "…"
    return head.rstrip(" ,;:，、；：") + "…"


def _plain_lede(paras: list[str], max_words: int, skip: frozenset[str]) -> str:
    """The lede's opening clause with no note, caption or kicker passed over: what the encoder
    reads beside the body when the source gave no title (the measured input; see
    ``encoder_title``)."""
    for para in paras:
        if (got := _clause(strip_lede(undo_ptb(para.strip())), para, max_words, skip)) is not None:
            return got
    return " ".join(" ".join(paras).split()[:12])


def _clause(text: str, para: str, max_words: int, skip: frozenset[str], unspaced: bool = False) -> str | None:
    """``text``'s first sentence as a headline (cut at its last clause boundary within
    ``max_words``), or None when it cannot be one (too short, code, a web address, skipped).
    ``unspaced``: a Chinese or Japanese lede is cut at its first "。" and, beyond ``max_words``
    (counted as ``n_words`` counts them), at its last "，" within them (the displayed headline; the
    encoder's ``_plain_lede`` reads the lede as before)."""
    if unspaced and _CJK_CHAR.search(text):
        if skip and title_key(para) in skip:
            return None
        return _cjk_clause(text, max_words)
    if len(re.findall(r"[^\W_]+", text)) < 4 or junk_title(text) in ("markup or code", "a web address"):
        return None
    first = first_sentence(text)
    if skip and (title_key(first) in skip or title_key(para) in skip):
        return None
    words = first.split()
    if len(words) <= max_words:
        return first.rstrip(" .;:,")
    # Cut at the last clause boundary within the limit, else at the limit with an ellipsis.
    head = " ".join(words[:max_words])
    cut = max(head.rfind(", "), head.rfind("; "), head.rfind(" — "), head.rfind(": "))
    if cut >= len(" ".join(words[:8])):
        return head[:cut].rstrip(" ,;:—") + "…"
    return head.rstrip(" ,;:—") + "…"


_NOT_ALNUM = re.compile(r"[\W_]+")


def title_key(text: str) -> str:
    """A line or title as compared across pages: letters and digits only, lower case, so that a
    tokenised line ("blizzard , tornado") and its tidied headline ("blizzard, tornado") agree."""
    # ``[\W_]`` is exactly "not str.isalnum()" (re's Unicode \w is isalnum() or "_"); one regex
    # pass instead of a Python loop per character (a restart keys every line of 23k recent pages).
    return _NOT_ALNUM.sub("", text.lower())


def tidy_title(title: str) -> str:
    """A title as shown: markup and tokeniser escapes undone; a time stamp with what follows it
    (a standfirst, the lede) cut off when a headline stands before it, else the stamp and the
    dateline, wire credit or byline in front of the text removed."""
    text = strip_markup(undo_ptb(title)).strip()
    for _ in range(3):
        m = _STAMP.search(text[:250])
        if not m or m.end() == m.start():
            break
        before = _LABEL_START.sub("", text[: m.start()]).strip(" |,;:-–—")
        before = _TRAILING_PLACE.sub("", before).strip(" |,;:-–—")  # "… shares drop VENICE, La."
        if not _is_label(text[: m.start()]) and not junk_title(before):
            return before
        text = text[m.end() :]
    text = strip_lede(text)
    return " ".join(text.split()).strip(" |-–—")


def headline(
    candidate: str | None,
    body: str,
    skip: frozenset[str] = frozenset(),
    given: bool = False,
    notes: bool = True,
    glued: bool = True,
) -> str:
    """The headline to show: the candidate tidied when it can stand as one, else one made from
    the lede (wire copy in corpora often has no headline line at all). A ``given`` title (the
    input's metadata: what the publisher meant) is only tidied, and replaced only when it is
    markup or code. A headline line found on the page loses a kicker glued to it and is passed
    over when it is a note about the article (``notes.meta_note``), not news; ``notes=False``
    leaves those display rules out (``plain_headline``). ``glued``: the candidate is a line of
    plain text, where two spaces can join a headline to its text (``glued_headline``); an HTML
    page's <title> has spaces of its markup instead."""
    if candidate and given:
        text = " ".join(strip_markup(undo_ptb(candidate)).split())
        if text and not _CODE.search(text):
            return text
    if candidate and notes and glued and (head := glued_headline(candidate)) is not None:
        candidate = head
    if candidate:
        text = reader_tidy(unglue_kicker(tidy_title(candidate))) if notes else tidy_title(candidate)
        shown_rules = notes and (meta_note(text) or tag_list(text) or reader_rejects(text)
                                 or _SPACED_URL.match(text))  # readers only
        if not junk_title(text) and title_key(text) not in skip and not shown_rules:
            if len(text.split()) > _HEADLINE_WORDS + 5:
                return lede_headline(text, notes=notes)
            return text[:-1] if text.endswith(".") and not _ABBREV.search(text) else text
    return lede_headline(body, skip=skip, notes=notes)


def plain_headline(
    candidate: str | None, body: str, skip: frozenset[str] = frozenset(), given: bool = False
) -> str:
    """The title the encoder reads beside the body (``Article.encoder_title``): the source's
    title tidied, or else the lede's opening clause, by the plain rules, without the display
    rules (notes, captions, wire preambles, kickers) that ``headline`` adds for readers. So a
    better headline for people moves no vector, no event and no storyline.

    Why a title at all when the source gave none (the lede's clause is then read twice, as the
    title and as the body's start): reading the body alone instead, or the found headline line
    alone, took dev storylines on the held-out half from 0.829 / 0.723 to 0.762 / 0.604 with
    the shipped settings (``docs/benchmarks.md``)."""
    return headline(candidate, body, skip, given, notes=False)


# --- publish dates from the page text --------------------------------------------------------
_MASTHEAD_SLACK = 45  # days: a story dated from its own mentions lies this close before the masthead


def stamp_date(line: str, lang: str | None) -> dt.date | None:
    """The date of a time stamp opening a line ("TAWARGHA, Libya | Thu Sep 29, 2011 12:15 pm
    BST …", "Tuesday 3 May 2005 19.30 BST The …"), or of a short line that is only a date."""
    line = undo_ptb(line)
    if len(line) <= 100 and _PUBLISHED_LABEL.match(line) and (got := parse_date(line, lang)) is not None:
        return got  # "PUBLISHED FRIDAY, MARCH 8, 2013 AT 12:46 PM / UPDATED AT 12:48 PM": labelled
    m = _STAMP.search(line[:250])
    # At the start, after a place or byline, or (with a clock time: a filing stamp, not a date in
    # a caption) after the headline it stamps.
    if m and m.end() > m.start() and (
        m.start() == 0 or _is_label(line[: m.start()]) or (m.start() < 120 and _CLOCK.search(m.group()))
    ):
        got = parse_date(m.group().strip(" |,;:-–"), lang)
        if got is not None:
            return got
    sentence = line.rstrip().endswith(".") and n_words(line) > 6
    if len(line) <= 60 and any(ch.isdigit() for ch in line) and not sentence:
        # A date run inside the line counts only on a line that is little else: "An MSC cargo ship
        # leaves PortMiami, on Aug. 31, 2019. (AP)" is a caption under the headline.
        # Nor is an "updated" stamp read this way ("Mise à jour du 31 août 2013, à 13h30"): the
        # page changed then; it did not appear then (``_UPDATED``).
        loose = _few_words(line) and not _UPDATED.search(re.split(r"\d", line, maxsplit=1)[0])
        return parse_date(line, lang, runs=False) or (parse_date(line, lang) if loose else None)
    return None


def _few_words(line: str) -> bool:
    """At most three words of letters besides a date's own, a stamp's words ("Updated", a weekday,
    a time zone) not counted."""
    if (m := _STAMP.match(line)) and m.end() > 0:
        line = line[m.end() :]
    line = _STAMP_LABEL.sub(" ", _ZONE_OR_DAY.sub(" ", line))
    return len(re.findall(r"[^\W\d_]{3,}", re.sub(r"\d+", " ", line))) <= 3


_COPIES_WITHIN = 150  # lines: where a page's headline is printed again above its story
# An outlet's name after the headline in a page's <title>: "Headline | Outlet", "Headline - Outlet",
# "标题-新华网" (a CJK title's hyphen has no spaces), "Headline › Outlet", "Headline » Outlet" (WordPress
# themes' breadcrumb marks, between spaces: audit 23).
_TITLE_SEP = re.compile(r"\s+[|–—·›»-]\s+|\s*[|｜]\s*|(?<=[\u3000-\u30ff\u4e00-\u9fff\uff01-\uff1f])[-_－]")
_SUFFIX_WORDS = 6  # an outlet's name, a section and a name at most ("Wintersport Mix", "AOC media - Analyse …")


def without_suffix(title: str, min_words: int = 3) -> str | None:
    """The title without what follows its last separator, when that is short enough to be an
    outlet's or section's name and ``min_words`` words at least stand before it; else None."""
    seps = list(_TITLE_SEP.finditer(title))
    if not seps:
        return None
    m = seps[-1]
    head, tail = title[: m.start()].strip(), title[m.end() :].strip()
    if not tail or n_words(tail) > _SUFFIX_WORDS or n_words(head) < min_words:
        return None
    return head


def without_outlet(title: str, names: Sequence[str]) -> str | None:
    """The title without the outlet's own name after its last separator ("World Community Lashes
    Out at US … | Al Bawaba", "… - The GiveWell Blog", "… - 9to5Mac"), when what follows the
    separator is one of ``names`` (the page's ``og:site_name``, the input's source, the URL's host
    without "www." and its suffix), letters and digits compared; else None. A separator before
    anything else ("… – 'The plague is coming'", "| Editorial") is the headline's own."""
    keys = {k for n in names if n and len(k := title_key(n)) >= 3}
    seps = list(_TITLE_SEP.finditer(title))
    if not keys or not seps:
        return None
    for m in reversed(seps[-3:]):  # a name with a separator of its own: "Remember 80/90 - Memorabilia …"
        head, tail = title[: m.start()].strip(), title[m.end() :].strip()
        if title_key(tail) in keys and n_words(head) >= 3:
            return head
    return None


def title_forms(title: str, min_words: int = 3) -> list[str]:
    """A page title and the same without one or two names after it ("Headline - Section |
    Outlet" → "Headline - Section" → "Headline")."""
    forms = [title]
    for _ in range(2):
        if (head := without_suffix(forms[-1], min_words)) is None:
            break
        forms.append(head)
    return forms


# A stamp saying when the page was changed, not when it appeared, by its label before the date
# ("Aktualisiert am 19.02.2020"; "19.2.2020 16:20 päivitetty 19.2.2020 16:20" is the publish date):
# "zuletzt bearbeitet:", "päivitetty", "Mis à jour le", "Actualizado", "Son Güncelleme", "Last Modified").
_UPDATED = re.compile(
    r"(?i)\b(?:aktualisiert|zuletzt\s+bearbeitet|updated?|last\s+modified|modifi[ée]|mise?\s+à\s+jour|actualizad[oa]|"
    r"atualizad[oa]|aggiornat[oa]|päivitetty|güncelleme|zaktualizowano|обновлено)"
)


def _headline_copies(lines: list[str], title: str, first: int) -> list[int]:
    """Lines after ``first`` that repeat the headline: the whole of it, or all of it but an
    outlet's name after it (the <title> "Headline | Outlet" above, the bare "Headline" below). A
    teaser card's cut copy ("Studie zeigt: … gegen soziale Ängste h") is not one."""
    keys = {k for f in title_forms(title, min_words=1) if len(k := title_key(f)) >= 12}
    return [i for i in range(first + 1, min(len(lines), _COPIES_WITHIN)) if title_key(lines[i]) in keys]


_TITLE_REPEAT_WITHIN = 400  # lines: where a page prints its headline again above the story
_WHOLE_TITLE_WORDS = 6  # a first line repeated whole is a headline from this many words up


def repeated_title(text: str, body: str) -> str | None:
    """The headline a page text states twice: its first line (the HTML <title>, "Headline |
    Outlet - Section") printed again without the outlet's name as a line above the story (the
    <h1>). Both saying it is stronger evidence than any one line's look, so it stands over what
    the line finder took (a photo caption, the standfirst, a teaser). None when the first line
    never recurs, or recurs sharing no words with the body."""
    lines = [x.strip() for x in text.splitlines()[: 3 * _TITLE_REPEAT_WITHIN] if x.strip()]
    if len(lines) < 2:
        return None
    # Only a first line with an outlet's name after it ("Headline | Outlet") reads as a <title>: a
    # line merely repeated (a series note, "BBC News Navigation") is the page's furniture.
    keys = {title_key(f) for f in title_forms(lines[0])[1:] if n_words(f) >= 3 and len(title_key(f)) >= 12}
    whole = title_key(lines[0])
    if not (n_words(lines[0]) >= _WHOLE_TITLE_WORDS and not lines[0].endswith((".", ":", ","))
            and (m := re.search(r"[^\W\d_]", lines[0])) is not None and m[0].isupper() and whole not in keys):
        whole = ""
    if not keys and not whole:
        return None
    words = {w.lower() for w in re.findall(r"[^\W\d_]+", body[:3000])}
    paras = {title_key(p) for p in body.split("\n") if n_words(p) >= 8}
    for k, line in enumerate(lines[1:_TITLE_REPEAT_WITHIN], 1):
        key = title_key(line)
        if whole and key == whole and any(title_key(x) in paras for x in lines[k + 1 : k + 5]):
            # A <title> without an outlet's name after it ("„Ziemniaki na szóstej, surówka na
            # dziesiątej". Jak pomagać, żeby nie zaszkodzić? [PORADNIK W PIGUŁCE]", gazeta.pl) is
            # the headline too when printed again whole right above the story (a paragraph of the
            # body within four lines under the copy: not a "most read" box's teaser), long enough
            # not to be the site's furniture, opening in capitals (not a kicker: "le vittime
            # sono…"). As written in the first line: a copy can carry marks ("[...] … [...]").
            # Audit 23: the line finder had taken a row of politicians' names.
            return lines[0]
        if key in keys:
            ws = [w.lower() for w in re.findall(r"[^\W\d_]+", line)]
            if ws and (sum(w in words for w in ws) / len(ws) >= 0.3 or n_words(line) > 2 * len(ws)):
                return line
    return None


# "Published", "Posted" and their like, opening a line (a label, not a sentence about publishing).
_PUBLISHED_LABEL = re.compile(
    r"(?i)^\W*(?:published|posted|publi[ée]e?|publicad[oa]|pubblicat[oa]|ver[öo]ffentlicht|opublikowano|"
    r"yay[ıi]nlanma|опубликовано|gepubliceerd|publicerad|julkaistu|erschienen)\b(?:\s+(?:on|at|le|el|il|am|em))?\s*:?"
)
_ZONE_OR_DAY = re.compile(rf"\b(?:{_WEEKDAY}|GMT|BST|UTC|EST|EDT|CET|CEST|PST|PDT|CST|CDT|IST|UK)(?!\w)")
# A stamp's label after its date ("16 September 2013 Last updated at 12:42 GMT", BBC).
_STAMP_LABEL = re.compile(r"(?i)\b(?:last\s+updated|updated|published|posted)\b")
_MASTHEAD_LINES = 10  # a date this far below the <title> line is by the story, not the masthead
_NEAR_TOP = 40  # lines: where a headline is looked for as a part of a longer line
_BY_LINE = re.compile(r"^(?:By|Von|Par|Por|Di|Da|De|Door|Av|Przez|Autor(?:in)?:?)\s+[^\W\d_]")
_URL_LINE = re.compile(r"^(?:https?://|www\.)\S+$")


def _date_only(line: str, lang: str | None) -> bool:
    """A short line that says a date and little else ("15 августа 2016, 13:43", "Freitag,
    04.02.2022 | 11:38 Uhr"): at most two words besides the date's own."""
    if len(line) > 60 or parse_date(line, lang) is None:
        return False
    return _few_words(line)  # the stamp's own words ("Updated") are the date's


def publish_date(text: str, title: str | None, lang: str | None, stated: bool = False) -> dt.date | None:
    """The publish date the page text itself states: a dateline or time stamp on the headline's
    line or in the lines just below it. A date standing on its own line above the headline is the
    site's masthead ("Thursday / 21st Jan 2021": the day the page was saved), never a publish
    date; with only that, the latest day the lede mentions within ``_MASTHEAD_SLACK`` days before
    it is taken ("said on Tuesday (29 December)"), else None. ``stated``: ``title`` is the page's
    <title> line found again above the story (``repeated_title``)."""
    lines = [x.strip() for x in text.splitlines() if x.strip()]
    if not lines:
        return None
    key = title_key(title or "")
    at = next((i for i, x in enumerate(lines[:_NEAR_TOP]) if key and key in title_key(x)), None)
    if at is None and len(key) >= 12:
        # A page as text under a long menu prints its headline deep down (Billboard's at line 108,
        # skispringen.com's at 51), its dateline under it ("11/19/2019 by Lars Brandle", "1. Februar
        # 2022 Luis Holuch 6"). Deep down, only the headline's own line, whole, counts (a teaser
        # may hold its words), and only the stamp under it: what stands above is the page's menus
        # and teasers, never a masthead (audit 23).
        deep = next((i for i, x in enumerate(lines[:_COPIES_WITHIN]) if title_key(x) == key), None)
        under = lines[deep + 1 : deep + 4] if deep is not None else []
        if (got := next((d for x in under if not _UPDATED.search(re.split(r"\d", x, maxsplit=1)[0])
                         and (d := stamp_date(x, lang)) is not None), None)) is not None:
            return got
    start = at if at is not None else 0
    # A page as text opens with its <title> ("Headline | Outlet") and prints the headline again
    # above the story, with its dateline under it ("So nah kam … / 06. November 2023"): the
    # dateline by a later copy of the headline is the page's own statement too. What follows the
    # <title> line itself is the site's header ("Mittwoch, 08. Juli 2020": the day it was saved).
    copies = _headline_copies(lines, title or "", at) if at is not None else []
    # ``stated``: the title is the <title> line that ``repeated_title`` found printed again whole
    # above the story (audit 23): what follows it is the site's header too (Newsweek's "Wed, Nov
    # 20, 2019", the day the page was saved). Otherwise a first line that is the headline itself
    # may have its dateline under it (a Crisis it page's "martedì 22 marzo 2011").
    header = at == 0 and bool(copies) and key in {title_key(f) for f in title_forms(lines[0], 1)[0 if stated else 1 :]}
    for line in [] if header else lines[start : start + 4]:
        if (got := stamp_date(line, lang)) is not None:
            return got
    if at is None:
        return None
    for i in copies:
        # Under the copy, or on the line just above it when that line is only a date (a dateline
        # over the headline: "Германия / 15 августа 2016, 13:43 / Подольски завершил …"); the
        # site's masthead stands at the top, near the <title>, not deep in the page by the story.
        above = [lines[i - 1]] if i - at >= _MASTHEAD_LINES and _date_only(lines[i - 1], lang) else []
        # Two lines further down, only a line that is a date and little else: the standfirst, a
        # caption and the byline can stand between the headline and its stamp (POLITICO: "By ALLY
        # MUTNICK" / "12/30/2019 05:03 AM EST", the fourth line under it; audit 23).
        # Only after a byline or a publish label ("Erschienen am"): a date four lines down after a
        # teaser's headline is the teaser's (herrpfleger.de: "New Balance: …" / "vor 4 Monaten" /
        # "Musik" / "Faszination Loopstation-Battle" / "18. Januar 2019"). A copy with a web address under it is a
        # teaser card of the story itself, its date line not the story's (starsinsider.com).
        if i + 1 < len(lines) and _URL_LINE.match(lines[i + 1]):
            continue
        below = [x for k, x in enumerate(lines[i + 4 : i + 6], i + 4)
                 if (_BY_LINE.match(lines[k - 1]) or _PUBLISHED_LABEL.match(lines[k - 1]))
                 and n_words(lines[k - 1]) <= 6 and _date_only(x, lang)]
        for line in [*lines[i + 1 : i + 4], *above, *below]:
            if not _UPDATED.search(re.split(r"\d", line, maxsplit=1)[0]) and (got := stamp_date(line, lang)):
                return got
    for x in lines[max(0, at - 3) : at]:
        # A stamp above the headline that says it is the publish date ("PUBLISHED FRIDAY, MARCH 8,
        # 2013 AT 12:46 PM", "Veröffentlicht am 02.11.2021") is the story's, not the masthead's.
        labelled = _PUBLISHED_LABEL.match(x) or (len(x) <= 80 and _STAMP_LABEL.search(x) and _few_words(x))
        if labelled and (got := parse_date(x, lang)) is not None:
            return got
    masthead = next((d for x in lines[:at] if (d := stamp_date(x, lang)) is not None), None)
    if masthead is None and at > 0:  # a weekday on one line, the date on the next
        joined = " ".join(lines[max(0, at - 3) : at])
        masthead = parse_date(joined, lang) if len(joined) <= 60 else None
    if masthead is None:
        return None
    from storyline.dates import dates_mentioned

    lede = "\n".join(lines[at + 1 : at + 5])
    near = [d for d in dates_mentioned(lede, masthead, lang or "en")
            if dt.timedelta(0) <= masthead - d <= dt.timedelta(days=_MASTHEAD_SLACK)]
    return max(near) if near else None
