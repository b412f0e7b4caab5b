"""Dates an article mentions, resolved to calendar days against its publish date.

Timelines are built from the days the news talks about, not only the days it was printed, so
"on Tuesday", "yesterday" or "29 December" must become real dates. ``dateparser.search`` does this
for many languages but costs tens of milliseconds per sentence, far too slow for thousands of
articles, so the common shapes are matched here by regular expressions built from CLDR month and
weekday names (via ``babel``, so most languages work without a hand-written table), plus small
per-language tables for the relative words ("yesterday", "hier", "hôm qua").

Only day-precise dates are returned: "last week" or "in March" name a span, and turning a span into
one day would invent a date. Without a publish date, only dates that carry their own year are kept.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

__all__ = ["dates_mentioned", "sentence_dates", "sentence_mentions"]

_MIN_YEAR, _MAX_YEAR = 1900, 2100

# Relative words per language: word -> day offset from the publish date. Ambiguous words
# ("mañana" is also "morning", "morgen" also "morning" in compounds) are left out on purpose.
_RELATIVE: dict[str, dict[str, int]] = {
    "en": {
        "today": 0,
        "tonight": 0,
        "this morning": 0,
        "this afternoon": 0,
        "this evening": 0,
        "yesterday": -1,
        "last night": -1,
        "tomorrow": 1,
        "the day before yesterday": -2,
    },
    "es": {
        "hoy": 0,
        "esta mañana": 0,
        "esta tarde": 0,
        "esta noche": 0,
        "ayer": -1,
        "anoche": -1,
        "anteayer": -2,
        "antier": -2,
        "pasado mañana": 2,
    },
    "fr": {
        "aujourd'hui": 0,
        "aujourd’hui": 0,
        "ce matin": 0,
        "ce soir": 0,
        "cet après-midi": 0,
        "hier": -1,
        "avant-hier": -2,
        "demain": 1,
        "après-demain": 2,
    },
    "it": {
        "oggi": 0,
        "stamattina": 0,
        "stamane": 0,
        "stasera": 0,
        "ieri": -1,
        "stanotte": -1,
        "l'altro ieri": -2,
        "l’altro ieri": -2,
        "altroieri": -2,
        "domani": 1,
        "dopodomani": 2,
    },
    "de": {"heute": 0, "heute morgen": 0, "gestern": -1, "vorgestern": -2, "übermorgen": 2},
    "pt": {"hoje": 0, "ontem": -1, "anteontem": -2, "amanhã": 1},
    "vi": {
        "hôm nay": 0,
        "sáng nay": 0,
        "chiều nay": 0,
        "tối nay": 0,
        "hôm qua": -1,
        "tối qua": -1,
        "đêm qua": -1,
        "hôm kia": -2,
        "ngày mai": 1,
    },
    "ru": {"сегодня": 0, "вчера": -1, "позавчера": -2, "завтра": 1},
    "nl": {"vandaag": 0, "gisteren": -1, "eergisteren": -2, "morgen": 1},
    "pl": {"dzisiaj": 0, "dziś": 0, "wczoraj": -1, "przedwczoraj": -2, "jutro": 1},
    "tr": {"bugün": 0, "dün": -1, "yarın": 1},
}


@lru_cache(maxsize=64)
def calendar_names(lang: str) -> tuple[str, ...]:
    """Month and weekday names, wide and abbreviated, in ``lang`` and English (CLDR via babel):
    words that are dates, never an actor's name or a story's subject."""
    from babel import Locale

    out: list[str] = []
    for code in {lang, "en"}:
        try:
            loc = Locale.parse(code)
        except Exception:  # an unknown or empty language code
            continue
        for ctx in ("format", "stand-alone"):
            for width in ("wide", "abbreviated"):
                for names in (loc.months[ctx][width], loc.days[ctx][width]):
                    out.extend(names.values())
    return tuple(out)


def _wordset(words: str) -> frozenset[str]:
    return frozenset(words.split())


# Words before a weekday that move it off "the most recent such day".
_NEXT = _wordset("next coming próximo próxima prochain prochaine prossimo prossima nächsten nächster kommenden tới sau")
# "this Saturday" / "este sábado" is the nearest such day, whichever side of the publish date.
_THIS = _wordset("this este esta ce cette questo questa diesen dieser diesem")
_LAST = _wordset("last past pasado dernier scorso scorsa letzten vergangenen trước")

_ORD = r"(?:st|nd|rd|th|er|ème|eme|º|°|\.)?"
_YEAR = r"(1[89]\d\d|20\d\d|2100)"


@dataclass(frozen=True)
class _Patterns:
    day_month: re.Pattern[str] | None
    month_day: re.Pattern[str] | None
    weekday: re.Pattern[str] | None
    relative: re.Pattern[str] | None
    months: dict[str, int]
    weekdays: dict[str, int]
    relatives: dict[str, int]
    capitalised_months: bool


def _bare(word: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFD", word) if not unicodedata.combining(c))


def _alternation(words: list[str]) -> str:
    # Longest first so "Sept" wins over "Sep" and "mars" is not cut short.
    return "|".join(re.escape(w) for w in sorted(set(words), key=len, reverse=True))


@lru_cache(maxsize=64)
def _patterns(lang: str) -> _Patterns:
    """Regexes for one language, built once: month/weekday names come from CLDR via babel."""
    months: dict[str, int] = {}
    weekdays: dict[str, int] = {}
    capitalised = False
    if lang != "vi":  # Vietnamese month names are numbers ("tháng 3"), matched separately.
        try:
            from babel import Locale

            loc = Locale.parse(lang)
        except Exception:  # unknown or malformed code: English names still catch much news
            from babel import Locale

            loc = Locale.parse("en")
        for ctx in ("format", "stand-alone"):
            for width in ("wide", "abbreviated"):
                for num, name in loc.months[ctx][width].items():
                    name = name.strip(".").lower()
                    if len(name) >= 3 and not name.isdigit():
                        months[name] = int(num)
            for num, name in loc.days[ctx]["wide"].items():
                weekdays[name.lower()] = int(num)
        # Writers drop accents ("martedi", "fevrier"): accept the bare forms too.
        months.update({_bare(k): v for k, v in list(months.items())})
        weekdays.update({_bare(k): v for k, v in list(weekdays.items())})
        capitalised = loc.months["format"]["wide"][1][:1].isupper()
        if lang == "en":
            months["sept"] = 9
    rel = _RELATIVE.get(lang, {})
    mon = _alternation(list(months)) if months else ""
    day_month = month_day = None
    if mon:
        day_month = re.compile(
            rf"(?<![\w/.-])(\d{{1,2}}){_ORD}(?:\s*(?:-|–|al|au|to|and|y|et|e|und|bis)\s*(\d{{1,2}}){_ORD})?"
            rf"\s*(?:de\s+|del\s+|di\s+|of\s+)?({mon})\.?(?![\w])(?:\s*,?\s*(?:de\s+|del\s+)?{_YEAR}(?!\d))?",
            re.IGNORECASE,
        )
        month_day = re.compile(
            rf"(?<![\w])({mon})\.?\s+(\d{{1,2}}){_ORD}(?:\s*(?:-|–)\s*(\d{{1,2}}))?(?![\d:])"
            rf"(?:\s*,?\s*{_YEAR}(?!\d))?",
            re.IGNORECASE,
        )
    weekday = None
    if weekdays:
        weekday = re.compile(rf"(?<![\w])(?:(\w+)\s+)?({_alternation(list(weekdays))})(?![\w])", re.IGNORECASE)
    elif lang == "vi":
        weekdays = {"hai": 0, "ba": 1, "tư": 2, "năm": 3, "sáu": 4, "bảy": 5}
        weekdays["chủ nhật"] = 6
        # "thứ Ba" with a capital: lower-case "thứ hai" is also "the second".
        weekday = re.compile(r"(?<![\w])(?:(\w+)\s+)?(?:[Tt]hứ\s+(Hai|Ba|Tư|Năm|Sáu|Bảy)|(Chủ\s+[Nn]hật))(?![\w])")
    relative = re.compile(rf"(?<![\w])({_alternation(list(rel))})(?![\w])", re.IGNORECASE) if rel else None
    return _Patterns(day_month, month_day, weekday, relative, months, weekdays, rel, capitalised)


_ISO = re.compile(r"(?<!\d)(1[89]\d\d|20\d\d)-(\d{1,2})-(\d{1,2})(?![\d])")
_YMD_SLASH = re.compile(r"(?<!\d)(1[89]\d\d|20\d\d)/(\d{1,2})/(\d{1,2})(?!\d)")
_NUM_DMY = re.compile(r"(?<![\d/.])(\d{1,2})([/.])(\d{1,2})\2(1[89]\d\d|20\d\d)(?![\d/])")
# Day/month without a year: common in Vietnamese news ("ngày 23/11", "(23/11)"), and in German as
# "23.11."; elsewhere "1/2" is more often a fraction or a score, so it is not read as a date.
_VI_DM = re.compile(r"(?<![\d/.,])(\d{1,2})\s*/\s*(\d{1,2})(?!\d|/\d|[,.]\d)")
_VI_WORDS = re.compile(r"ngày\s+(\d{1,2})\s+tháng\s+(\d{1,2})(?:\s+năm\s+(\d{4}))?", re.IGNORECASE)
_DE_DM = re.compile(r"(?<![\d.])(\d{1,2})\.(\d{1,2})\.(?![\d])")


def _make(y: int, m: int, d: int) -> dt.date | None:
    if not (_MIN_YEAR <= y <= _MAX_YEAR):
        return None
    try:
        return dt.date(y, m, d)
    except ValueError:
        return None


def _near(m: int, d: int, published: dt.date) -> dt.date | None:
    """The year that puts day-month nearest the publish date, a past reading preferred: news
    mostly reports what happened, so a future reading must be twice as close to win."""
    best: tuple[int, dt.date] | None = None
    for y in (published.year - 1, published.year, published.year + 1):
        cand = _make(y, m, d)
        if cand is None:
            continue
        gap = (published - cand).days
        cost = gap if gap >= 0 else -2 * gap
        if best is None or cost < best[0]:
            best = (cost, cand)
    return best[1] if best else None


def _resolve(y: int | None, m: int, d: int, published: dt.date | None) -> dt.date | None:
    if y is not None:
        return _make(y, m, d)
    if published is None:
        return None
    return _near(m, d, published)


def _month_ok(word: str, pats: _Patterns) -> bool:
    # In English "may"/"march" are also verbs; a lower-case month in a language that capitalises
    # month names is not taken as a month.
    return not pats.capitalised_months or word[:1].isupper()


# A weekday after an indefinite article or "every" names no one day: "un día sábado", "every
# Saturday", "cada lunes", "chaque samedi", "ogni sabato", "jeden Montag", "todo sábado".
_HABITUAL = re.compile(
    r"(?i)(?<!\w)(?:every|each|un|una|une|uno|um|uma|ein|eine|einem|einen|cada|chaque|ogni|jeden|jede|todo|toda)"
    r"\s+(?:(?:día|dia|jour|giorno|day|Tag)\s+(?:de\s+)?)?$"
)
_HABITUAL_EN = re.compile(r"(?i)(?<!\w)an?\s+(?:day\s+)?$")  # "on a Tuesday" (Italian "a sabato" is "to Saturday")
# Spanish weekdays are the same word in the plural: "los viernes" is every Friday ("el viernes" one).
_HABITUAL_ES = re.compile(r"(?i)(?<!\w)(?:los|las)\s+$")
_PAREN_DAY = re.compile(r"\s*\((?:dia\s+|día\s+)?(\d{1,2})\)")


# A weekday a future verb governs is the coming such day: "the oil will make landfall on Thursday",
# "Ban Ki-moon is due to visit Haiti on Sunday", "les résultats doivent être annoncés jeudi". The verb must
# come within FUTURE_WORDS words before the weekday, in its clause (no comma or semicolon between),
# with no reporting verb after it ("will resign, he said on Monday" is Monday past). Set, not fitted
# (session 21's audit: it re-dates 136 dev sentences, of 12,229 mentions; 39 of 40 read right after).
FUTURE_WORDS = 8
_FUTURE: dict[str, re.Pattern[str]] = {
    "en": re.compile(
        r"(?i)(?<![\w'])(?:will|'ll|shall|is\s+to|are\s+to|(?:is|are|was|were)\s+(?:due|set|scheduled|expected)\s+to"
        r"|plans?\s+to|planned\s+for|scheduled(?:\s+for)?|due\s+(?:on|to)|going\s+to)(?!\w)"
    ),
    "es": re.compile(r"(?i)(?<!\w)(?:\w{2,}(?:rá|rán)|va\s+a|van\s+a|prevé|previsto|prevista|está\s+previsto)(?!\w)"),
    "pt": re.compile(r"(?i)(?<!\w)(?:\w{2,}(?:rá|rão)|vai|vão|previsto|prevista)(?!\w)"),
    "fr": re.compile(
        r"(?i)(?<!\w)(?:\w{2,}(?:era|ira|dra|ront)|sera|aura|fera|ira|va|vont|doit|doivent|devrait|devraient"
        r"|prévu|prévue|prévus|prévues)(?!\w)"
    ),
    "it": re.compile(r"(?i)(?<!\w)(?:\w{2,}(?:rà|ranno)|sarà|dovrà|dovranno|previsto|prevista|previsti)(?!\w)"),
    "de": re.compile(r"(?i)(?<!\w)(?:wird|werden|soll|sollen|geplant)(?!\w)"),
}
_REPORTED = re.compile(
    r"(?i)(?<!\w)(?:said|says|told|announced|reported|confirmed|dijo|afirmó|anunció|informó|a\s+déclaré|a\s+annoncé"
    r"|a\s+indiqué|ha\s+detto|ha\s+annunciato|sagte)(?!\w)"
)


def _ahead(before: str, lang: str) -> bool:
    """Whether the words just before a weekday put it ahead of the report: a future verb within
    ``FUTURE_WORDS`` words, in the same clause, no reporting verb after it."""
    pat = _FUTURE.get(lang)
    if pat is None:
        return False
    clause = re.split(r"[,;:()]|--|—|–", before)[-1]
    words = clause.split()[-FUTURE_WORDS:]
    tail = " ".join(words)
    hits = list(pat.finditer(tail))
    return bool(hits) and not _REPORTED.search(tail[hits[-1].end() :])


def _weekday_numbered(day: int, weekday: int, published: dt.date) -> dt.date | None:
    """The ``day`` of this month or one of the two before, on or before ``published`` (a day's
    slack), that falls on ``weekday``; None when none does (then the numbers are not a date)."""
    year, month = published.year, published.month
    for _ in range(3):
        got = _make(year, month, day)
        if got is not None and got <= published + dt.timedelta(days=1) and got.weekday() == weekday:
            return got
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
    return None


def sentence_dates(
    sentence: str, published: dt.date | None, lang: str, anchors: dict[int, dt.date] | None = None
) -> list[dt.date]:
    """Day-precise dates a sentence mentions, in order of appearance (duplicates removed).

    A weekday resolves to the most recent such day on or before ``published`` ("next Friday" to the
    following one, as does a weekday a future verb governs: "leaders are due to meet on Friday"); a
    day-month without a year to the year nearest ``published``. A weekday written next to an
    explicit date ("Tuesday (29 December)") adds nothing of its own, but when ``anchors``
    is given (one dict per article, passed to each of its sentences in order) it pins that weekday:
    a later bare "also on Tuesday" in the same article is that Tuesday, not the one before
    ``published``.
    """
    return [d for d, _ in sentence_mentions(sentence, published, lang, anchors)]


def sentence_mentions(
    sentence: str, published: dt.date | None, lang: str, anchors: dict[int, dt.date] | None = None
) -> list[tuple[dt.date, bool]]:
    """``sentence_dates`` with, for each date, whether it is written out ("29 December",
    "2020-12-29") rather than worked out from the publish date ("yesterday", "on Tuesday"): a
    written date is a writer pointing at a day on purpose, a relative one mostly dates the report."""
    lang = (lang or "en").lower().split("-")[0].split("_")[0]
    pats = _patterns(lang)
    found: list[tuple[int, dt.date, bool]] = []
    spans: list[tuple[int, int]] = []

    def add(pos: int, end: int, date: dt.date | None, written: bool = True) -> None:
        spans.append((pos, end))
        if date is not None:
            found.append((pos, date, written))

    def taken(pos: int, end: int) -> bool:
        return any(pos < e and s < end for s, e in spans)

    for m in _ISO.finditer(sentence):
        add(m.start(), m.end(), _make(int(m.group(1)), int(m.group(2)), int(m.group(3))))
    for m in _YMD_SLASH.finditer(sentence):
        if not taken(m.start(), m.end()):
            add(m.start(), m.end(), _make(int(m.group(1)), int(m.group(2)), int(m.group(3))))
    for m in _NUM_DMY.finditer(sentence):
        if taken(m.start(), m.end()):
            continue
        a, b, full_year = int(m.group(1)), int(m.group(3)), int(m.group(4))
        # English news is mostly US-dated (month first) unless the first number cannot be a month.
        day, mon = (b, a) if lang == "en" and a <= 12 else (a, b)
        add(m.start(), m.end(), _make(full_year, mon, day))
    if lang == "vi":
        for m in _VI_WORDS.finditer(sentence):
            y = int(m.group(3)) if m.group(3) else None
            add(m.start(), m.end(), _resolve(y, int(m.group(2)), int(m.group(1)), published))
        for m in _VI_DM.finditer(sentence):
            if not taken(m.start(), m.end()):
                add(m.start(), m.end(), _resolve(None, int(m.group(2)), int(m.group(1)), published))
    if lang == "de":
        for m in _DE_DM.finditer(sentence):
            if not taken(m.start(), m.end()):
                add(m.start(), m.end(), _resolve(None, int(m.group(2)), int(m.group(1)), published))
    if pats.day_month is not None:
        for m in pats.day_month.finditer(sentence):
            if taken(m.start(), m.end()) or not _month_ok(m.group(3), pats):
                continue
            mon = pats.months[m.group(3).lower().rstrip(".")]
            y = int(m.group(4)) if m.group(4) else None
            add(m.start(), m.end(), _resolve(y, mon, int(m.group(1)), published))
            if m.group(2):
                found.append((m.start() + 1, _resolve(y, mon, int(m.group(2)), published) or dt.date.min, True))
    if pats.month_day is not None:
        for m in pats.month_day.finditer(sentence):
            if taken(m.start(), m.end()) or not _month_ok(m.group(1), pats):
                continue
            mon = pats.months[m.group(1).lower().rstrip(".")]
            y = int(m.group(4)) if m.group(4) else None
            add(m.start(), m.end(), _resolve(y, mon, int(m.group(2)), published))
            if m.group(3):
                found.append((m.start() + 1, _resolve(y, mon, int(m.group(3)), published) or dt.date.min, True))
    if published is not None:
        if pats.weekday is not None:
            for m in pats.weekday.finditer(sentence):
                s, e = m.start(), m.end()
                # Skip a weekday glued to an explicit date: "Tuesday (29 December)", "Sat, 25 April".
                name = next(g for g in m.groups()[1:] if g)
                key = name.lower()
                wd = pats.weekdays.get(key)
                if wd is None:
                    wd = pats.weekdays.get(key.replace("thứ", "").strip(), 6 if "nhật" in key else None)
                lead = sentence[max(0, s - 30) : m.start(2) if m.group(2) else s]
                if (
                    _HABITUAL.search(lead)
                    or (lang == "en" and _HABITUAL_EN.search(lead))
                    or (lang == "es" and _HABITUAL_ES.search(lead))
                ):
                    continue  # "llegaba un día sábado", "every Saturday": no one day
                # "no sábado (23)": the weekday with its day of the month, as Brazilian news writes
                # it; the day, not merely the last such weekday.
                pm = _PAREN_DAY.match(sentence, e) if wd is not None else None
                numbered = _weekday_numbered(int(pm.group(1)), wd, published) if pm and wd is not None else None
                if pm and numbered is not None and not taken(s, pm.end()):
                    add(m.start(2) if m.group(2) else s, pm.end(), numbered, True)
                    continue
                glued = [d for p, d, _ in found if s - 25 < p < e + 25 and d != dt.date.min]
                if any(s - 25 < se and ss < e + 25 for ss, se in spans):
                    if anchors is not None and wd is not None:
                        for d in glued:
                            if d.weekday() == wd and d <= published:
                                anchors[wd] = d
                    continue
                if wd is None:
                    continue
                before = (m.group(1) or "").lower()
                back = (published.weekday() - wd) % 7
                if before in _NEXT:
                    date = published + dt.timedelta(days=(wd - published.weekday()) % 7 or 7)
                elif before in _THIS:
                    ahead = (wd - published.weekday()) % 7
                    date = published + dt.timedelta(days=ahead) if ahead < back else published - dt.timedelta(days=back)
                elif before in _LAST:
                    date = published - dt.timedelta(days=back or 7)
                elif anchors is not None and wd in anchors:
                    date = anchors[wd]  # the Tuesday this article already named
                elif _ahead(sentence[: m.start(2) if m.group(2) else s], lang):
                    date = published + dt.timedelta(days=(wd - published.weekday()) % 7)
                else:
                    date = published - dt.timedelta(days=back)
                add(m.start(2) if m.group(2) else s, e, date, False)
        if pats.relative is not None:
            for m in pats.relative.finditer(sentence):
                if not taken(m.start(), m.end()):
                    off = pats.relatives[m.group(1).lower()]
                    add(m.start(), m.end(), published + dt.timedelta(days=off), False)
    found.sort(key=lambda p: p[0])
    out: dict[dt.date, bool] = {}
    for _, d, written in found:
        if d != dt.date.min:
            out[d] = out.get(d, False) or written
    return list(out.items())


def dates_mentioned(text: str, published: dt.date | None, lang: str) -> tuple[dt.date, ...]:
    """Every day-precise date the text mentions, sorted, each once."""
    return tuple(sorted(set(sentence_dates(text, published, lang, {}))))
