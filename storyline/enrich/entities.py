"""Entities and figures mentioned in an article, keyed so they match across languages.

Why keys and not names: the linker compares articles written in different languages and
scripts. A place becomes ``place:TR`` (or ``place:TR/ankara`` for a city) whatever the language;
a person becomes ``name:`` + the folded transliteration of the surname (``name:erdogan`` for
"Recep Tayyip Erdoğan", "Erdogan" and "Эрдоган"); acronyms and model codes
(``name:nato``, ``name:s-400``) are strong cross-language anchors.

No NER model is available offline, so this is a gazetteer (built once, lazily, see
:mod:`storyline.enrich.gazetteer`) plus capitalisation heuristics. Matching is a dictionary lookup
over token n-grams, longest first, so an article takes well under a millisecond per kilobyte.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from collections.abc import Sequence
from functools import lru_cache
from typing import Protocol, cast

from storyline.enrich.gazetteer import (
    COUNTRY_PRIO,
    ORG_HEADS,
    TITLES,
    TOKEN_RE,
    Entry,
    Table,
    _ascii_key,
    _without_accents,
    calendar_words,
    demonyms,
    entity_data,
    fold_name,
    given_names,
    global_table,
    known_entities,
    known_folds,
    known_given,
    lang_table,
    low,
    shared_surnames,
    word_set,
)
from storyline.models import Entity, EntityKind

__all__ = ["extract_entities", "extract_numbers"]

# Model-like codes: S-400, F-35, Su-57, MH17, COVID-19, G20, H1N1, С-400.
CODE_RE = re.compile(
    r"(?<![\w-])([A-ZА-Я][A-Za-zА-Яа-я]{0,5})(-?)(\d{1,4})([A-Z]?\d{0,2})(?:s)?(?![\w-])"
)
DOTTED_ACRONYM_RE = re.compile(r"\b((?:[A-Z]\.){2,})")
SENTENCE_BREAK = re.compile(r"[.!?:;\"“”«»•…|\n()\[\]]")
# A dash with a space on each side opens a clause: "KARABÜK - Yeni tip korona virüs" (a dateline),
# "Berlin – Die Regierung": the word after it is capitalised by position, like a sentence's first.
DASH_BREAK = re.compile(r"\s[-–—]\s")
# Acronym-looking words that are not entities.
NOT_ACRONYMS = {"ii", "iii", "iv", "vi", "vii", "viii", "ix", "xi", "xx", "ap", "afp", "tv", "ceo",
                "pm", "am", "ok", "dpa", "photo", "i", "ad", "bc", "gmt", "utc", "faq", "pdf",
                "http", "https", "www", "com", "html"}
# Compass words before a place or demonym ("South Asia", "North African", "Northern Syria"): part
# of the region's name as written, never a name of their own.
COMPASS = frozenset({"north", "south", "east", "west", "northern", "southern", "eastern", "western", "central"})
# Fullwidth Latin letters, digits and signs (U+FF01-FF5E) and the ideographic space, as Japanese and
# Chinese pages set Latin words ("ＮＥＷＳ ＷＥＢ ＥＡＳＹ"): read as their ASCII forms, so a name in
# them is one name, not three acronyms (session 24).
_FULLWIDTH = {c: c - 0xFEE0 for c in range(0xFF01, 0xFF5F)} | {0x3000: 0x20}
# A letter right after a digit in a word with lower-case letters ("Vd8rJhuzeG" of a photo link), or
# five digits or more ("IT7110205", a site code): a code, never a name's word (session 24). Model
# codes ("H1N1", "MH17", "Covid19") are neither.
_CODED = re.compile(r"(?=.*\d[^\W\d_])(?=.*[^\W\d_A-Z])|(?:.*\d){5}")
# A heading segment in capitals: the text between line breaks and the "|" of a page title.
_SEGMENT_RE = re.compile(r"[^\n|]+")
# Languages that capitalise common nouns: a lone capitalised word is usually not a name there.
NOUN_CAPS_LANGS = {"de", "lb"}
# Languages whose place names take case endings ("в Турции", "w Rosji", "Russlands").
INFLECTING_LANGS = {"ru", "uk", "be", "pl", "cs", "sk", "sl", "hr", "sr", "bs", "bg", "lt", "lv",
                    "fi", "et", "hu", "tr", "de", "el"}


class Emit(Protocol):
    """Records one mention: key, kind, the surface as written, and whether a page shows it as a
    chip (False: a word of a longer name, ``Entity.shown``; the key counts all the same)."""

    def __call__(self, key: str, kind: EntityKind, surface: str, shown: bool = True, /) -> None: ...


def _unshown(emit: Emit) -> Emit:
    """``emit`` with every mention marked not shown."""
    def out(key: str, kind: EntityKind, surface: str, shown: bool = True, /) -> None:
        emit(key, kind, surface, False)
    return out

# Penn-Treebank bracket escapes ("-LRB- Reuters -RRB-") and photo credits ("(AP Photo/Alberto
# Pezzali)", "Photo: Jane Doe/Reuters"): names in them are not what the article is about.
PTB_RE = re.compile(r"-[LR][RSC]B-")
CREDIT_RE = re.compile(
    r"\((?:[A-Z][\w.]*\s){0,3}(?:Photo|Foto|Photograph|Picture|Image|Video|Credit|Crédit)s?\b[^()\n]{0,80}\)"
    r"|\b(?:Photo|Foto|Photograph|Picture|Image|Credit|Crédit|Fotografía)s?\s*(?:by|:|/)\s*[^\n.()]{1,60}"
    r"|[^\s/()]+(?:\s[^\s/()]+){0,3}\s?/\s?"
    r"(?:AP|AFP|Reuters|REUTERS|Getty Images|Getty|EPA|Anadolu|Sputnik|TASS|Xinhua)\b"
)


@lru_cache(maxsize=1)
def _agency_re() -> re.Pattern[str]:
    """A pattern from the data file's ``agencies`` and ``source_labels`` (session 23): the credits
    of news agencies and press-release services. A credit names who wrote or sent the copy (a source label and a line's
    rest or an agency: "Kaynak: AA", "Źródło: PAP Autor: Zbigniew Kopeć";
    "(PAP)", "RND/dpa", "bas/ PAP", "Jan. 1, GNA –", "… yer alıyor. İHA", "Original-Content von:
    Polizei Lippe, übermittelt durch news aktuell"), not what the story is about; as keys they
    chained every story of one wire (session 22's join log: 3% of the unrelated joins' entity
    part). An agency named in the text ("told Reuters", "dowiedziała się PAP") stays a key and a
    chip, as session 14 left Reuters: only its credit goes. An agency whose name is also
    something else ("AA" a rating, Turkish "İHA" a drone, "GNA" Libya's government) is a credit
    in parentheses only as a dateline's ("ANKARA (AA) -", not "… National Accord (GNA)")."""
    data = entity_data()["agencies"]
    names = sorted(set(data["always"]) | set(data["credit"]), key=len, reverse=True)
    agency = rf"(?<![\w-])(?:{'|'.join(map(re.escape, names))})(?![\w-])"
    always_names = rf"(?<![\w-])(?:{'|'.join(map(re.escape, sorted(data['always'], key=len, reverse=True)))})(?![\w-])"
    labels = "|".join(map(re.escape, entity_data()["source_labels"]))
    credit = re.compile(
        rf"(?<![\w-])(?:{labels})\s?:[ \t]*(?:[^\n.()]{{1,60}}?[ \t]*$|{agency})"  # "Kaynak: AA", "Źródło: PAP"
        r"|Original-Content von:[^\n]{1,160}?übermittelt durch news aktuell|\bOTS:"
        # a network's footer: "*fr.de ist Teil der bundesweiten Ippen-Digital-Zentralredaktion",
        # "*tz.de und Merkur.de sind Teil des Ippen-Digital-Redaktionsnetzwerks" (session 24)
        r"|\*?[\w.-]+\.de(?: und [\w.-]+\.de)? (?:ist|sind) Teil (?:des|der) [^\n.]{0,80}?"
        r"(?:Redaktionsnetzwerks?|Zentralredaktion|Netzwerks?)\b"
        # "(PAP)", "(dpa/AFP)"; a name that is something else too only as a dateline's ("ANKARA (AA) -"):
        # "Government of National Accord (GNA)" spells out a name
        rf"|\(\s*(?:{always_names}|{agency}(?=(?:\s?[/,]\s?(?:{agency}|[a-z]{{1,5}}))*\s*\)(?:\s?[-–—]\s|[ \t]*$)))"
        rf"(?:\s?[/,]\s?(?:{agency}|[a-z]{{1,5}}))*\s*\)"
        rf"|{agency}(?:\s?/\s?(?:{agency}|[a-z]{{1,5}}\b))+"  # "RND/dpa", "RND/msk/dp"
        rf"|(?<![\w/])[a-z]{{2,5}}\s?/\s?{agency}"  # "bas/ PAP"
        rf"|(?<=,)[ \t]*{agency}(?=\s?[-–—]\s)"  # "Jan. 1, GNA –" (a dateline)
        rf"|(?:(?<=[.!?\"”,])|^)[ \t]*{agency}[ \t]*$",  # "… yer alıyor. İHA", "By Edmund Quaynor, GNA"
        re.MULTILINE)
    return credit


def _uncredited(text: str) -> str:
    """``text`` without its agency credits."""
    return _agency_re().sub(" . ", text)


# When one key is seen with several kinds (a lone "Erdogan" next to "Recep Tayyip Erdogan"), the
# most specific wins: a person or organisation over a bare capitalised word.
KIND_RANK = {"person": 3, "org": 2, "place": 2, "other": 0}


class _Tok:
    __slots__ = ("after_link", "after_org", "end", "hyphen", "initial", "joined", "linked", "low", "possessed",
                 "shout", "start", "text", "used")

    def __init__(self, text: str, start: int, end: int, joined: bool, initial: bool, hyphen: bool = False) -> None:
        self.text = text
        self.hyphen = hyphen  # written right after the previous token with a hyphen between
        self.low = low(text)
        self.start = start
        self.end = end
        self.joined = joined  # only spaces or one hyphen since the previous token
        self.initial = initial  # first word of a sentence, line or heading
        self.used = False
        self.linked = False  # joined to another capitalised word by "of", "de", "ve"... ("Heads of State")
        self.after_link = False  # the capitalised word right after such a connector ("State")
        self.after_org = False  # ... after an organisation's head and a connector ("Universidad de Sana")
        self.shout = False  # a word in capitals in a heading set in capitals ("ORSO MARSICANO: UN ANNO DA RECORD")
        self.possessed = False  # right after a capitalised word's "'s" ("Eve" of "New Year's Eve")


def _tokenize(text: str, heading: bool) -> list[_Tok]:
    toks: list[_Tok] = []
    prev_end = 0
    for m in TOKEN_RE.finditer(text):
        gap = text[prev_end:m.start()]
        joined = bool(toks) and gap.strip(" \t\u00a0") in ("", "-", "‐", "–") and "\n" not in gap
        initial = heading or not toks or bool(SENTENCE_BREAK.search(gap) or DASH_BREAK.search(gap))
        toks.append(_Tok(m.group(), m.start(), m.end(), joined, initial, bool(toks) and gap in ("-", "‐")))
        prev_end = m.end()
    _mark_shouted(toks, text)
    for a, s, t in zip(toks, toks[1:], toks[2:], strict=False):
        # "New Year's Eve", "Valentine's Day": the word after a possessive is the end of a longer name
        t.possessed = (s.text == "s" and text[a.end:s.start] in ("'", "’") and _is_cap(a.text)
                       and t.joined and _is_cap(t.text))
    return toks


def _mark_shouted(toks: list[_Tok], text: str) -> None:
    """Words in capitals inside a segment written in capitals ("ORSO MARSICANO: 2019 UN ANNO DA
    RECORD | Parco Nazionale…"): set so for emphasis, not acronyms (a run's own all-caps rule sees
    only one run, and "UN", "ORSO" stood alone; session 24). Places still match before runs."""
    spans = [m.span() for m in _SEGMENT_RE.finditer(text) if _shouting(m.group())]
    if not spans:
        return
    for t in toks:
        if t.text.isupper() and any(a <= t.start < b for a, b in spans):
            t.shout = True


def _surface(toks: Sequence[_Tok]) -> str:
    """Tokens as the article writes them: "Nagorno-Karabakh", "Royaume-Uni", "Jean-Marc Ayrault"
    keep their hyphens (a name shown as "Royaume Uni" is misspelt); other gaps are one space."""
    return "".join(("-" if t.hyphen else " ") + t.text if k else t.text for k, t in enumerate(toks))


def _uncased(tok: str) -> bool:
    """A word with letters of a script without case (Arabic, Hebrew, CJK, Thai...; "新红旗H7"
    too): its shape says nothing about being a name."""
    return any(c.isalpha() and not c.isupper() and not c.islower() for c in tok)


def _is_cap(tok: str) -> bool:
    """Upper-case first letter, or a script without case (Arabic, CJK), where any word may be a
    name."""
    c = tok[:1]
    return c.isupper() or (c.isalpha() and not c.islower())


# The countries whose towns a German text names as such, even where the name is also a noun
# ("Essen", "Halle", "Hof").
_HOME_PLACES = ("place:DE", "place:AT", "place:CH", "place:LU", "place:LI", "place:BE")
# Languages that write compounds as one word and join a name or a loan word to its head with a
# hyphen ("Corona-Krise", "Trump-Regierung", "Original-Content"): the head is no name.
COMPOUND_LANGS = frozenset({"de", "lb", "nl", "da", "sv", "no", "nb", "nn", "is"})
# A Vietnamese syllable, tones and the hook of "ơ"/"ư" taken off, "đ" as "d": an initial
# consonant, one to three vowels, a final consonant.
_VI_SYLLABLE = re.compile(r"(?:ngh|ng|nh|ch|gh|gi|kh|ph|qu|th|tr|[bcdghklmnprstvx])?[aeiouy]{1,3}(?:ng|nh|ch|[cmnpt])?")

# A city this big keeps its name even where a stopword list holds it (ru "москва"), as in
# ``gazetteer.global_table``.
_BIG_CITY = 1_000_000


def _title_acronym(toks: list[_Tok], i: int, entry: Entry, lang: str) -> bool:
    """An organisation's acronym in title case ("Onu", "Nato", "Otan": Italian, Spanish and German
    papers write acronyms so), one key with its capitals form. Only three letters or more, only an
    organisation the data file knows (never a place's code: "Us" is not the US), never a word of
    the language capitalised by a sentence's start ("Nato a Roma" is "born in Rome"), and never
    next to another capitalised word, where it is part of a name ("Sana Murad" is not SANA)."""
    tok = toks[i]
    t = tok.text
    if entry.kind != "org" or len(t) < 3 or not (t[0].isupper() and t[1:].islower()):
        return False
    nxt = toks[i + 1] if i + 1 < len(toks) else None
    if (nxt is not None and nxt.joined and _is_cap(nxt.text)) or (
            i and tok.joined and not tok.initial and _is_cap(toks[i - 1].text)):
        return False
    return not (tok.initial and _known(tok.low, lang or "en")) and tok.low not in _stops(lang or "en")


def _lookup(toks: list[_Tok], i: int, tables: list[Table], inflecting: bool = False,
            lang: str = "", stops: frozenset[str] = frozenset()) -> tuple[int, Entry] | None:
    best: tuple[int, Entry] | None = None
    for table in tables:
        n_max = min(table.maxlen.get(toks[i].low, 0), len(toks) - i)
        for n in range(n_max, 0, -1):
            if best is not None and n <= best[0]:
                break
            if any(not toks[j].joined for j in range(i + 1, i + n)):
                continue
            entry = table.names.get(tuple(t.low for t in toks[i:i + n]))
            if entry is None:
                continue
            first = toks[i].text
            if entry.upper and not first.isupper() and not (n == 1 and _title_acronym(toks, i, entry, lang)):
                continue
            if entry.cased and not _is_cap(first):
                continue
            if entry.alt and n == 1 and len(first) <= 3 and first.isupper():
                continue  # an acronym, not a city's alternate name ("OEA", the OAS; "Oea" is Tripoli)
            if n == 1 and toks[i].shout and toks[i].low in stops:
                continue  # a word of a heading in capitals ("UN ANNO DA RECORD": Italian "a", not the UN)
            if (n == 1 and entry.kind == "place" and entry.prio < COUNTRY_PRIO and toks[i].low in stops
                    and (entry.prio < _BIG_CITY or len(toks[i].low) < 5)):
                continue  # a town named like a word of this language ("Tanta" in Portuguese)
            if (n == 1 and entry.kind == "place" and entry.prio < COUNTRY_PRIO and toks[i].initial
                    and table is not tables[0] and toks[i].low in stops):
                continue  # a stopword opening the sentence, another language's name of a big city ("Dabei", Dubai)
            if (n == 1 and entry.kind == "place" and entry.prio < _BIG_CITY and lang in NOUN_CAPS_LANGS
                    and not entry.key.startswith(_HOME_PLACES) and _de_noun(toks[i], lang)):
                # a noun of a language that capitalises nouns and a small foreign town's name: one
                # capitalised word is no evidence of the town ("Corona", the virus, in German is
                # not Corona, California; session 22's join log). A big city stays: the lexicon
                # knows "Ankara" with a capitalised base too
                continue
            best = (n, entry)
            break
    if (best is None and inflecting and _is_cap(toks[i].text) and len(toks[i].low) >= 5
            and toks[i].low not in given_names()):
        # a given name is no case form of a place ("Dominik" is not Dominica's "Dominika"; session 24)
        # Case endings: "Турции", "Rosji", "Russlands" against the stems of "Турция" etc.
        stems = tables[0].stems
        w = toks[i].low
        for cut in (1, 2, 3, 0):
            entry = stems.get(w[:-cut] if cut else w)
            if entry is not None:
                return (1, entry)
    return best


@lru_cache(maxsize=200_000)
def _lemma(word: str, lang: str) -> str:
    import simplemma

    try:
        return low(simplemma.lemmatize(word, lang=lang))
    except (ValueError, KeyError):
        return word


@lru_cache(maxsize=32)
def _stops(lang: str) -> frozenset[str]:
    import stopwordsiso

    out: set[str] = set()
    for code in {lang, "en"}:
        if stopwordsiso.has_lang(code):
            out |= {low(w) for w in stopwordsiso.stopwords(code)}
    return frozenset(out) | calendar_words(lang) | frozenset(TITLES)


@lru_cache(maxsize=200_000)
def _known(word: str, lang: str) -> bool:
    import simplemma

    try:
        return bool(simplemma.is_known(word, lang=lang))
    except (ValueError, KeyError):
        return False


def _shouted(word: str, lang: str) -> bool:
    """An ordinary word of five letters or more set in capitals for emphasis ("HYBRID",
    "CORREIO"), not an acronym: acronyms are short or are no word of the language or English."""
    return len(word) >= 5 and (_known(word, lang or "en") or _known(word, "en"))


def _shouting(segment: str) -> bool:
    """Three words in capitals or more, and three of four words with cased letters in capitals
    ("ORSO MARSICANO: 2019 UN ANNO DA RECORD"; a Latin title inside Japanese text, "NEWS WEB
    EASY": words without case do not count). Not a sentence with acronyms ("La OTAN y la ONU,
    según la AGENCIA EFE")."""
    words = [w for w in segment.split() if any(c.isupper() or c.islower() for c in w)]
    caps = sum(not any(c.islower() for c in w) for w in words)
    return caps >= 3 and caps >= 0.75 * len(words)


def _mostly_caps(text: str) -> bool:
    letters = [c for c in text if c.isalpha()]
    return len(letters) > 12 and sum(c.isupper() for c in letters) > 0.6 * len(letters)


def extract_entities(text: str, lang: str, title: str = "") -> tuple[Entity, ...]:
    """Places, people, organisations and codes mentioned in ``title`` and ``text``.

    One :class:`Entity` per distinct key, most-mentioned first (ties: first mention first), so
    callers get salience for free. ``lang`` (ISO 639-1) selects the language's country names
    and stopwords; an unknown or empty ``lang`` still gets the language-independent names.
    """
    lang = (lang or "").split("-")[0].split("_")[0].lower()
    text = unicodedata.normalize("NFC", text or "").translate(_FULLWIDTH)
    title = unicodedata.normalize("NFC", title or "").translate(_FULLWIDTH)
    tables = [lang_table(lang), global_table()] if lang else [global_table()]
    stops = _stops(lang or "en")
    dem = demonyms()
    counts: Counter[str] = Counter()
    first: dict[str, Entity] = {}
    surfaces: dict[str, list[str]] = {}
    shown_keys: set[str] = set()  # keys with a mention a page shows (``Entity.shown``)

    def emit(key: str, kind: EntityKind, surface: str, shown: bool = True, /) -> None:
        if shown:
            shown_keys.add(key)
        counts[key] += 1
        surfaces.setdefault(key, []).append(surface)
        old = first.get(key)
        if old is None:
            first[key] = Entity(key, kind, surface)
        elif KIND_RANK[kind] > KIND_RANK[old.kind]:
            first[key] = Entity(key, kind, old.text if old.kind != "other" else surface)

    parts = [(title, True), (text, False)] if title else [(text, False)]
    docs: list[list[_Tok]] = []
    texts: list[str] = []  # each part as tokenised (``_vi_places`` reads the gaps)
    for part, heading in parts:
        part = _uncredited(CREDIT_RE.sub(" . ", PTB_RE.sub(" ", part)))
        part = DOTTED_ACRONYM_RE.sub(lambda m: m.group(1).replace(".", ""), part)
        for m in CODE_RE.finditer(part):
            letters, hyphen, digits, tail = m.groups()
            if not hyphen and not letters.isupper():
                continue  # "Win10", "Page2": a word glued to a number, not a model code
            key = f"name:{fold_code(letters)}-{digits}{tail.lower()}"
            emit(key, "other", m.group(0))
        docs.append(_tokenize(part, heading))
        texts.append(part)
    connectors = _connectors(lang)
    for toks in docs:
        _mark_linked(toks, connectors, lang)
    body_tokens = docs[-1]
    lower_words = {t.low for t in body_tokens if not _is_cap(t.text)}
    mid_caps = {t.low for t in body_tokens if _is_cap(t.text) and not t.initial}

    for toks, part in zip(docs, texts, strict=True):
        _match_places(toks, tables, dem, lang, stops, lower_words, emit)
        if lang == "vi":
            _vi_places(toks, part, emit)
        _uncased_names(toks, stops, emit)
    full_names: set[str] = set()
    runs: list[list[_Tok]] = []
    for toks in docs:
        runs += _name_runs(toks)
    alone: set[str] = set()  # words also written as a one-word name: a surname's sign
    for run in runs:
        run = _trim(_drop_opener(run, lang), stops, lower_words, lang)
        run = _noun_opener(run, lang)
        if len(run) > 1:
            full_names.add(fold_name(run[-1].text))
        elif run:
            alone.add(run[0].low)
    for run in runs:
        _emit_run(run, stops, lower_words, mid_caps, full_names, lang, emit, alone)
    order = {k: i for i, k in enumerate(first)}
    spelled = key_spellings()
    moves = {k: spelled.get(v, v) for k, v in _case_forms(first, counts, surfaces, lang).items()}
    moves.update({k: spelled[k] for k in first if k in spelled and k not in moves})
    for old, new in moves.items():
        ent, n = first.pop(old), counts.pop(old)
        counts[new] += n
        if old in shown_keys:
            shown_keys.add(new)
        order[new] = min(order.get(new, order[old]), order[old])
        have = first.get(new)
        if have is None:
            first[new] = Entity(new, "place" if new.startswith("place:") else ent.kind, ent.text)
        elif KIND_RANK[ent.kind] > KIND_RANK[have.kind]:
            first[new] = Entity(new, ent.kind, have.text if have.kind != "other" else ent.text)
    for bare, person in shared_surnames().items():
        # "Clinton" beside "Hillary Clinton", "Murray" beside "Dr Conrad Murray": the surname
        # alone is the person the article names in full, not a second chip of kind "other"
        # (only when every mention of it is the bare surname: "Bill Clinton" keeps his own key).
        if bare == person or bare not in first or person not in first:
            continue
        given = {low(w.rstrip(".")) for s in surfaces.get(person, ()) for w in s.split()[:-1]}
        if all(len(s.split()) == 1 for s in surfaces[bare]) and not _other_bearer(
                f"{title}\n{text}", set(surfaces[bare]), given):
            first.pop(bare)
            counts[person] += counts.pop(bare)
            order[person] = min(order[person], order.pop(bare))
            if bare in shown_keys:
                shown_keys.add(person)
    for bare, person in known_given().items():
        # "Barack" beside "Barack Obama": the given name alone is the person the article names
        if (bare in first and person in first and first[bare].kind in ("other", "person")
                and all(len(s.split()) == 1 for s in surfaces[bare])):
            first.pop(bare)
            counts[person] += counts.pop(bare)
            order[person] = min(order[person], order.pop(bare))
            if bare in shown_keys:
                shown_keys.add(person)
    keys = sorted(first, key=lambda k: (-counts[k], order[k]))
    return tuple(Entity(first[k].key, first[k].kind, first[k].text, k in shown_keys) for k in keys)


@lru_cache(maxsize=1)
def key_spellings() -> dict[str, str]:
    """The data file's ``key_spellings``: a key -> the key it folds into ("name:kovid-19",
    "name:coronavirus" -> "name:covid-19")."""
    return {old: new for new, olds in entity_data()["key_spellings"].items() if not new.startswith("_")
            for old in olds}


@lru_cache(maxsize=1)
def known_place_folds() -> dict[str, str]:
    """Folded one-word names of the data file's places → their key ("Sanaa", "Sana'a" → "sana" →
    ``place:YE/sanaa``)."""
    out: dict[str, str] = {}
    for ent in known_entities():
        if ent.kind != "place":
            continue
        for n in ent.names:
            if len(n.split()) == 1 and len(folded := fold_name(n)) >= 4:
                out.setdefault(folded, ent.key)
    return out


def _other_bearer(text: str, bare: set[str], given: set[str]) -> bool:
    """Whether ``text`` names someone else with one of the ``bare`` surnames: a capitalised word
    before it that is neither a title ("Mr", "President") nor a word of the full name the article
    writes (``given``: "Ali Abdalá Saleh", "Mohamed El Baradei"), as "Bill" beside "Hillary
    Clinton" is."""
    for sur in bare:
        for m in re.finditer(rf"([^\W\d_][\w'’.-]*)\s+{re.escape(sur)}\b", text):
            word = m.group(1).rstrip(".")  # "M. Morsi", "Dr. Murray"
            if word[:1].isupper() and low(word) not in TITLES and low(word) not in given:
                return True
    return False


# Case endings a name takes in the languages that inflect names ("Швайнштайгера", "Merkelin",
# "Kesikbaştan", "Bayerns"). Two spellings in one article are one name when they share a stem of
# four letters or more once one ending is cut from each ("Андрея" / "Андрей": "Андре").
@lru_cache(maxsize=1)
def case_endings() -> dict[str, tuple[str, ...]]:
    """The data file's ``case_endings``: language codes -> the endings, each a space-separated list."""
    return {lang: tuple(ends.split()) for langs, ends in entity_data()["case_endings"].items()
            for lang in langs.split()}


def _stems(word: str, ends: tuple[str, ...]) -> set[str]:
    return {word} | {word[:-len(e)] for e in ends if word.endswith(e) and len(word) - len(e) >= 4}


def _proper_lemma(word: str, lang: str) -> str | None:
    """The base form simplemma's lexicon gives a case form of a proper noun ("Krośnie" → "Krosno",
    "Trzaskowskiego" → "Trzaskowski"), so the same town or person keys alike across articles."""
    import simplemma

    if not word[:1].isupper() or not _known(low(word), lang):
        return None
    try:
        lem = simplemma.lemmatize(word, lang=lang)
    except (ValueError, KeyError):
        return None
    return lem if lem[:1].isupper() and low(lem) != low(word) else None


def _case_forms(first: dict[str, Entity], counts: Counter[str], surfaces: dict[str, list[str]],
                lang: str) -> dict[str, str]:
    """Keys to fold into another because they are case forms of one name (audit 15: "Бастиана
    Швайнштайгера" beside "Бастиан Швайнштайгер", "Angela Merkelin" beside "Angela Merkel",
    "Krośnie" for Krosno). Only in a language that inflects names, and only toward a form seen in
    the same article (the shortest spelling of a full name wins; a lone given name in a case form,
    "Андрея", joins the one full name it begins), toward a name the data file knows ("Merkelin"
    alone → Merkel), or toward the base form the lexicon gives a proper noun. Codes, acronyms and
    organisations are left alone."""
    ends = case_endings().get(lang)
    if not ends:
        return {}
    keys = [k for k in first if k.startswith("name:") and first[k].kind in ("person", "other")
            and not any(c.isdigit() for c in k)]
    order = {k: i for i, k in enumerate(first)}
    words = {k: {low(s.split()[-1]) for s in surfaces[k] if s.split()} for k in keys}
    lasts = {k: [s.split()[-1] for s in surfaces[k] if s.split()] for k in keys}
    multi = {k for k in keys if first[k].kind == "person" and any(len(s.split()) > 1 for s in surfaces[k])}
    given = {k: {low(s.split()[0]) for s in surfaces[k] if len(s.split()) > 1} for k in multi}
    stems = {k: set().union(*(_stems(w, ends) for w in words[k])) for k in keys if words[k]}

    def rank(k: str) -> tuple[bool, int, int, int]:
        return (k not in multi, min(len(w) for w in words[k]), -counts[k], order[k])

    known = known_folds()
    out: dict[str, str] = {}
    if lang == "pl":
        # "Dudy" alone: a surname in the genitive whose nominative ("Duda") the article writes or
        # the data file knows; the stems above need four letters and "Dud" has three
        for k in keys:
            if not words[k] or not all(len(s.split()) == 1 for s in surfaces[k]):
                continue
            noms = {n for w in words[k] if (n := _pl_nominative(w)) is not None}
            target = next((k2 for k2 in keys if k2 != k and words[k2] & noms), None)
            if target is None:
                ent = next((known[f] for f in map(fold_name, noms) if f in known), None)
                target = ent.key if ent is not None and ent.kind == "person" else None
            if target is not None:
                out[k] = target
    for k in stems:
        if k in out:
            continue
        partners = [k2 for k2 in stems if k2 != k and stems[k] & stems[k2]]
        best = min(partners, key=rank, default=None)
        if best is not None and rank(best) < rank(k):
            out[k] = best
            continue
        if all(len(s.split()) == 1 for s in surfaces[k]):
            owners = [k2 for k2 in multi if k2 != k and any(stems[k] & _stems(g, ends) for g in given[k2])]
            if len(owners) == 1:
                out[k] = owners[0]
                continue
        if partners:
            continue  # the base of its own group
        folded = k.split(":", 1)[1]
        if folded not in known:
            hit = next((known[f] for f in (fold_name(st) for st in stems[k]) if f in known), None)
            if hit is not None and hit.kind != "place":
                out[k] = hit.key
                continue
        lem = next((x for x in (_proper_lemma(w, lang) for w in lasts[k]) if x), None)
        if lem is None:
            continue
        place = next((e for t in (lang_table(lang), global_table())
                      if (e := t.names.get((low(lem),))) is not None and e.kind == "place"), None)
        if place is not None:
            out[k] = place.key  # "Włoszech" → Włochy, Italy
        elif len(run_key := fold_name(lem)) >= 3 and f"name:{run_key}" != k:
            out[k] = f"name:{run_key}"
    resolved: dict[str, str] = {}
    for k in out:
        seen, new = {k}, out[k]
        while new in out and new not in seen:
            seen.add(new)
            new = out[new]
        if new != k:
            resolved[k] = new
    return resolved


def fold_code(letters: str) -> str:
    from anyascii import anyascii

    return anyascii(letters).lower()


def _match_places(toks: list[_Tok], tables: list[Table], dem: dict[str, str], lang: str,
                  stops: frozenset[str], lower_words: set[str], emit: Emit) -> None:
    i = 0
    inflecting = lang in INFLECTING_LANGS and len(tables) > 1
    while i < len(toks):
        hit = _lookup(toks, i, tables, inflecting, lang, stops)
        if hit is not None:
            n, entry = hit
            nxt = toks[i + n] if i + n < len(toks) else None
            if entry.kind == "place" and nxt is not None and nxt.joined and nxt.low in word_set("virus_words"):
                # a virus named after a place ("Corona virüs", "Marburg virus"): the virus, not
                # the place; its key is the word and "virus" written as one ("name:coronavirus",
                # which the data file's ``key_spellings`` fold as COVID-19)
                surface = _surface(toks[i:i + n + 1])
                emit(f"name:{''.join(fold_name(t.text) for t in toks[i:i + n])}virus", "other", surface)
                for t in toks[i:i + n + 1]:
                    t.used = True
                i += n + 1
                continue
            if not _part_of_name(toks, i, n, entry, stops, lower_words):
                emit(entry.key, cast(EntityKind, entry.kind), _surface(toks[i:i + n]))
                for t in toks[i:i + n]:
                    t.used = True
                i += n
                continue
        t = toks[i]
        if (t.low in COMPASS and _is_cap(t.text) and i + 1 < len(toks) and toks[i + 1].joined
                and (_lookup(toks, i + 1, tables, inflecting, lang, stops) is not None or toks[i + 1].low in dem)):
            t.used = True  # "South Asia", "North African", "Northern Syria": the place, not a name run
            i += 1
            continue
        if i + 1 < len(toks) and (key := dem.get(f"{t.low} {toks[i + 1].low}")) is not None:
            emit(key, "place", f"{t.text} {toks[i + 1].text}")  # "North Korean", "South Koreans"
            t.used = toks[i + 1].used = True
            i += 2
            continue
        key = dem.get(t.low)
        if key is None and lang and not t.text.isupper():
            key = dem.get(_lemma(t.low, lang))
        if key is not None:
            emit(key, "org" if key.startswith("name:") else "place", t.text)
            t.used = True
        i += 1


def _part_of_name(toks: list[_Tok], i: int, n: int, entry: Entry, stops: frozenset[str],
                  lower_words: set[str]) -> bool:
    """A one-word place that is really part of a person's name or an ordinary word:
    "Tuấn Anh", "Michael Jordan" (after a capitalised word), "Vladimir Putin" (a city before a
    capitalised word), "Trang" starting a Vietnamese sentence (also used in lower case)."""
    t = toks[i]
    if n != 1 or entry.kind != "place" or t.text.isupper():
        return False
    prev = toks[i - 1] if i else None
    if (prev is not None and t.joined and not t.initial and not prev.used and _is_cap(prev.text)
            and prev.low not in stops and not prev.initial):
        return True
    if entry.prio >= COUNTRY_PRIO:
        return False
    nxt = toks[i + 1] if i + 1 < len(toks) else None
    if (nxt is not None and nxt.joined and _is_cap(nxt.text) and nxt.low not in stops
            and not nxt.text.isupper()):
        return True
    return t.initial and t.low in lower_words


def _vi_run(toks: list[_Tok], i: int) -> int:
    """The end of the capitalised run of unused words opening at ``toks[i]`` (four at most)."""
    j = i + 1
    while j < len(toks) and j - i < 4 and toks[j].joined and _is_cap(toks[j].text) and not toks[j].used:
        j += 1
    return j


def _vi_places(toks: list[_Tok], part: str, emit: Emit) -> None:
    """Vietnamese places the gazetteer lacks, told by the word before them: an administrative
    word ("xã Tam Thanh", "huyện Lục Yên", "phường Điện Trung", "thị trấn Yên Thế", "TP.Tam Kỳ";
    data file ``vi_place_cues``) or a capitalised head that opens the name ("Biển Đông", "Bản
    Năn", ``vi_place_heads``); a list after a cue word is places too ("các xã Tân Lập, Động Quan,
    Phúc Lợi và Tô Mậu"). Vietnamese names of people and places are the same syllables, so
    without such a word "Quảng Nam" read as a person keyed by the last syllable (``name:nam``).
    Keyed by the whole name (``place:dien-trung``), as the data file's places are; the country is
    not assumed (Vietnamese papers write "tỉnh Idlib" too)."""
    cues, heads = word_set("vi_place_cues"), word_set("vi_place_heads")
    found: set[tuple[str, ...]] = set()
    i = 0
    while i < len(toks):
        t = toks[i]
        nxt = toks[i + 1] if i + 1 < len(toks) else None
        start = None
        if (t.low in cues and nxt is not None and _is_cap(nxt.text) and not nxt.used
                and (part[t.end:nxt.start] == " " or (t.low == "tp" and part[t.end:nxt.start] in (".", ". ")))):
            start = i + 1  # "xã Tam Thanh", "TP.Tam Kỳ" (not "thành phố. Theo đó": a sentence ends)
        elif (t.low in heads and _is_cap(t.text) and not t.used and nxt is not None and nxt.joined
              and _is_cap(nxt.text) and not nxt.used):
            start = i  # "Biển Đông", "Bản Năn"
        if start is None or _uncased(toks[start].text) or toks[start].text.isupper():
            i += 1
            continue
        while True:
            end = _vi_run(toks, start)
            run = toks[start:end]
            found.add(tuple(x.low for x in run))
            emit(f"place:{_ascii_key(_surface(run))}", "place", _surface(run))
            for x in run:
                x.used = True
            # a list: "Tân Lập, Động Quan, Phúc Lợi và Tô Mậu"
            if end < len(toks) and part[toks[end - 1].end:toks[end].start] == ", " and _is_cap(toks[end].text):
                start = end
            elif (end + 1 < len(toks) and toks[end].low == "và" and toks[end + 1].joined
                  and _is_cap(toks[end + 1].text)):
                start = end + 1
            else:
                break
            if toks[start].used or toks[start].text.isupper():
                break
        i = end
    # the same words elsewhere in the part, without a cue ("huyện Lục Yên" … "Lục Yên (Yên Bái)")
    named = {n for n in found if len(n) > 1}
    for k in range(len(toks)):
        if toks[k].used or not _is_cap(toks[k].text):
            continue
        end = _vi_run(toks, k)
        if end - k > 1 and tuple(t.low for t in toks[k:end]) in named:
            emit(f"place:{_ascii_key(_surface(toks[k:end]))}", "place", _surface(toks[k:end]))
            for x in toks[k:end]:
                x.used = True


def _uncased_names(toks: list[_Tok], stops: frozenset[str], emit: Emit) -> None:
    """Names in a script without capitals, where a run of words is no evidence of a name (audit
    15 saw Arabic clauses and Chinese sentences as people): in Arabic the one to three words
    after an honorific ("والدكتور سليمان عبد القادر"), up to an office word, a stopword or
    punctuation. The gazetteer's places and the data file's spellings are matched before this;
    anything else is left out (a lone word's folded consonants match too much: "السداد",
    "repayment", folds as "Assad"). The honorifics (``ar_titles``) and the office words that end
    a name ("… رئيس جامعة أسيوط", "president of Assiut University": ``ar_offices``) are word lists
    of the data file."""
    known = known_folds()
    titles, offices, verbs = word_set("ar_titles"), word_set("ar_offices"), word_set("ar_verbs")
    i = 0
    while i < len(toks):
        t = toks[i]
        if t.used or not _uncased(t.text) or t.text[0].isdigit():
            i += 1
            continue
        bare = t.text[1:] if t.text[:1] in ("و", "ف") and t.text[1:] in titles else t.text
        if bare in titles:
            j = i + 1
            while (j < len(toks) and j - i <= 3 and toks[j].joined and not toks[j].used
                   and _uncased(toks[j].text) and not toks[j].text[0].isdigit()
                   and toks[j].text not in offices and toks[j].text not in titles and toks[j].text not in verbs
                   and toks[j].low not in stops):
                j += 1
            name = toks[i + 1:j]
            if name:
                folded = fold_name(name[-1].text)
                hit = known.get(folded) if len(name) == 1 else None
                if hit is not None:
                    emit(hit.key, cast(EntityKind, hit.kind), name[-1].text)
                elif len(folded) >= 3:
                    emit(f"name:{folded}", "person", " ".join(x.text for x in name))
                for x in name:
                    x.used = True
                i = j
                continue
        i += 1


@lru_cache(maxsize=64)
def _inner_titles(lang: str) -> frozenset[str]:
    return frozenset(low(w) for langs, text in entity_data().get("inner_titles", {}).items()
                     if lang in langs.split() for w in text.split())


def _inner_title(word: str, lang: str) -> bool:
    """An office word (``gazetteer.TITLES`` or the data file's ``inner_titles``)."""
    return word in TITLES or word in _inner_titles(lang)


@lru_cache(maxsize=64)
def _connectors(lang: str) -> frozenset[str]:
    """The data file's ``name_connectors`` of one language ("of", "de", "ve")."""
    return frozenset(w for langs, text in entity_data().get("name_connectors", {}).items()
                     if lang in langs.split() for w in text.split())


def _org_run(toks: list[_Tok], j: int, lang: str) -> bool:
    """The capitalised run opening at ``toks[j]`` is two words or more and ends in an organisation
    head ("Yurtlar Kurumu")."""
    k = j + 1
    while k < len(toks) and toks[k].joined and _is_cap(toks[k].text):
        k += 1
    return k - j > 1 and _org_head(toks[k - 1].low, lang)


def _mark_linked(toks: list[_Tok], connectors: frozenset[str], lang: str) -> None:
    """Mark the capitalised words on each side of a connector (data file ``name_connectors``)
    between two capitalised words: "Heads of State and Government", "Secretaria de Saúde", "Kredi ve Yurtlar
    Kurumu", "Presidency of Defense Industries"). Such a word is one word of a longer name, not a
    name of its own; the mark covers the capitalised words joined to it on its side. "and", "y",
    "ve"... (data file ``name_coordinators``) join one name only after a word already so marked
    ("… of State and Government", "… for Peace and Security") or before an organisation's name
    of two words or more ("Kredi ve Yurtlar Kurumu"); "England and Scotland", "Hamas and Islamic
    Jihad" are two names."""
    coordinators = word_set("name_coordinators")
    for k in range(1, len(toks) - 1):
        c, a, b = toks[k], toks[k - 1], toks[k + 1]
        if (c.text in connectors and c.joined and b.joined and _is_cap(a.text) and _is_cap(b.text)
                and not _uncased(a.text) and not _uncased(b.text)):
            if c.text in coordinators and not a.linked and not _org_run(toks, k + 1, lang):
                continue  # "England and Scotland", "Hamas and Islamic Jihad": two names, not one
            j = k - 1
            while j >= 0 and _is_cap(toks[j].text):
                toks[j].linked = True
                if not toks[j].joined:
                    break
                j -= 1
            b.after_link = True
            b.after_org = _org_head(a.low, lang)
            j = k + 1
            while j < len(toks) and _is_cap(toks[j].text) and (j == k + 1 or toks[j].joined):
                toks[j].linked = True
                j += 1


def _name_runs(toks: list[_Tok]) -> list[list[_Tok]]:
    runs: list[list[_Tok]] = []
    cur: list[_Tok] = []
    for t in toks:
        ok = (not t.used and _is_cap(t.text) and not t.text[0].isdigit() and not _uncased(t.text)
              and not t.shout and not _CODED.match(t.text))
        if ok and cur and t.joined:
            cur.append(t)
            continue
        if cur:
            runs.append(cur)
        cur = [t] if ok else []
    if cur:
        runs.append(cur)
    return runs


def _trim(run: list[_Tok], stops: frozenset[str], lower_words: set[str], lang: str = "") -> list[_Tok]:
    """Drop leading/trailing stopwords, titles, month names, and a sentence-initial first word
    that also occurs in lower case (an ordinary word capitalised by position) or, before a
    name, is a common word of the language ("Spotkanie Trumpa": "meeting of Trump")."""
    while run and (run[0].low in stops or (run[0].initial and len(run) > 1
                                            and (run[0].low in lower_words or _common_opener(run, lang)))):
        run = run[1:]
    if _vi_full_name(run, lang):
        return run  # a Vietnamese name's last syllable ("Phạm Minh Chính", "Trần Thị Mai"; below)
    while run and run[-1].low in stops:
        run = run[:-1]
    return run


def _vi_full_name(run: Sequence[_Tok], lang: str) -> bool:
    """Three capitalised Vietnamese syllables or more: a name whose last syllable is its own even
    when the stopword list holds it. Vietnamese capitalises every syllable of a name and nothing
    else inside a sentence, and its stopword list holds syllables names use ("chính", "thị",
    "nhất"): the trailing trim cut them ("Phạm Minh Chính" keyed `name:fam minh` and shown as
    "Phạm Minh"; "Tân Sơn Nhất" keyed `name:tan son`; session 24)."""
    return lang == "vi" and len(run) >= 3 and all(_vi_syllable(t.low) for t in run)

_SLAVIC = frozenset({"pl", "cs", "sk", "sl", "hr", "sr", "bs", "ru", "uk", "be", "bg"})


def _common_opener(run: list[_Tok], lang: str) -> bool:
    """The sentence's first word is a common word of the language (its base form in lower case;
    not a given name, nor an organisation's or a place's head word) and no other word of the run
    is, or a given name follows it ("Wizyta Andrzeja Dudy": "visit of Andrzej Duda"): "Spotkanie
    Trumpa" is "meeting of Trump"; "Casa Blanca" (two common words) stays whole.
    Only in the Slavic languages: in Italian the rule cut "Palazzo Clerici" and "Roma Farnesina" to
    one word and moved keys the storylines share, in Turkish it cut the given name "Erhan" (the
    lexicon knows it as a word); German has ``_noun_opener``."""
    if lang not in _SLAVIC:
        return False  # es/fr/it open names with common words ("Palazzo Clerici"); tr: "Erhan" is a word
    w = run[0].low
    return (_common(w, lang) and not _name_word(w, lang) and w not in TITLE_ARTICLES
            and (not any(_common(t.low, lang) for t in run[1:])
                 or any(t.low in given_names() or t.low[:-1] in given_names() for t in run[1:-1])))


# Definite articles that, capitalised inside a sentence, open the title of a paper, a channel or
# another organisation ("Le Figaro", "Le Monde", "La Stampa", "Der Spiegel"). Not English "The"
# ("The Mall", "The Netherlands"), nor "El"/"Los"/"Las", which open Arabic names ("El Baradei")
# and places ("Los Angeles") as often as titles.
TITLE_ARTICLES = {"le", "la", "les", "il", "lo", "der", "die", "das"}


def _titled(run: list[_Tok], stops: frozenset[str], full_names: set[str]) -> bool:
    """A capitalised article inside a sentence and one or two names after it: a title ("dopo lo
    scoop de Le Figaro"), not a person. A surname that the article also writes after a given name
    ("Marine Le Pen" … "Le Pen") stays a person's."""
    return (2 <= len(run) <= 3 and run[0].low in TITLE_ARTICLES and not run[0].initial
            and run[0].text[0].isupper() and not run[0].text.isupper()
            and all(t.low not in stops and not t.text.isupper() for t in run[1:])
            and fold_name(run[-1].text) not in full_names)


def _drop_opener(run: list[_Tok], lang: str) -> list[_Tok]:
    """"Laut Der Spiegel" (German, "according to Der Spiegel"): a word capitalised because it opens
    the sentence, then the language's own article capitalised: the title starts at the article.
    German writes "der/die/das" in lower case inside a name ("Walther von der Vogelweide"), so a
    capitalised one there opens a title; "Marine Le Pen" in German text is not touched (not a
    German article)."""
    if (len(run) >= 3 and lang == "de" and run[0].initial and run[1].low in ("der", "die", "das")
            and run[1].text[0].isupper() and not run[1].text.isupper()):
        return run[1:]
    return run


def _opening_title(run: list[_Tok], stops: frozenset[str], full_names: set[str], lang: str,
                   lower_words: set[str]) -> bool:
    """A sentence that opens with a paper's title ("Le Monde rapporte…", "La Stampa scrive…"): the
    article is capitalised by the sentence, but the word after it is a common word of the language
    capitalised mid-run, so the two are a title, not "Monde" of kind other. Not where every noun
    is capitalised (German), not a surname the article writes after a given name, and not a word
    the article also writes in lower case ("La Commissione", "Il Governo" at a sentence's start
    would key every story's government alike; a first measurement cost the storylines 0.04 F1)."""
    return (len(run) == 2 and run[0].initial and run[0].low in TITLE_ARTICLES
            and run[0].text[0].isupper() and not run[0].text.isupper()
            and lang not in NOUN_CAPS_LANGS and not run[1].text.isupper() and run[1].low not in stops
            and run[1].low not in lower_words and _known(run[1].low, lang or "en")
            and fold_name(run[1].text) not in full_names)


def _emit_run(run: list[_Tok], stops: frozenset[str], lower_words: set[str], mid_caps: set[str],
              full_names: set[str], lang: str, emit: Emit, alone: set[str] | None = None) -> None:
    run = _drop_opener(run, lang)
    if _titled(run, stops, full_names) or _opening_title(run, stops, full_names, lang, lower_words):
        emit("name:" + " ".join(fold_name(t.text) for t in run[1:]), "org", _surface(run))
        return
    acronyms = [t for t in run if t.text.isupper() and len(t.text) >= 2]
    caps_line = False
    for t in acronyms:
        if len(t.text) <= 7 and t.low not in NOT_ACRONYMS and not t.text.isdigit():
            caps_line = caps_line or len(acronyms) > 3
    if caps_line:
        return  # an all-caps heading: every word looks like an acronym
    rest: list[_Tok] = []
    for t in run:
        if t.text.isupper() and 2 <= len(t.text) <= 7 and sum(c.isalpha() for c in t.text) >= 2:
            # "HYBRID" is a word set in capitals. A code in capitals ("CO2", "H1N1") keeps this
            # key beside CODE_RE's ("name:co-2"): keying it once cost the storylines 0.014 F1
            # over arrival orders (session 16), so the double chip is left to the display.
            # Vietnamese abbreviations of common nouns and offices ("UBND", the people's
            # committee of any commune; "HLV", coach; "THPT", high school) are no keys (session
            # 23; shown on no page since session 22): "HLV" chained every sports report
            if (t.low not in NOT_ACRONYMS and t.low not in stops and t.low not in word_set("noise")
                    and not _shouted(t.low, lang) and not (lang == "vi" and t.low in word_set("vi_abbreviations"))):
                emit(f"name:{fold_code(t.text)}", "org", t.text)
            if rest:
                _emit_name(_trim(rest, stops, lower_words, lang), stops, lower_words, mid_caps,
                           full_names, lang, emit, alone)
            rest = []
        else:
            rest.append(t)
    if rest:
        _emit_name(_trim(rest, stops, lower_words, lang), stops, lower_words, mid_caps, full_names,
                   lang, emit, alone)


def _emit_name(run: list[_Tok], stops: frozenset[str], lower_words: set[str], mid_caps: set[str],
               full_names: set[str], lang: str, emit: Emit, alone: set[str] | None = None) -> None:
    while len(run) > 1 and _inner_title(run[0].low, lang):
        run = run[1:]  # "Başkanı Muhsin Yazıcıoğlu": an office the stopwords lack, before the name
    run = _noun_opener(run, lang)
    if not run:
        return
    if (lang in COMPOUND_LANGS and len(run) > 1 and run[-1].hyphen and _compound_head(run[-1], lang)
            and not _org_head(run[-1].low, lang) and run[-1].low not in word_set("place_heads")):
        # the head of a hyphen compound is no name ("Corona-Krise", "Virus-Pandemie",
        # "Original-Content": session 22's join log keyed them "name:krise", "name:content" as
        # people): what is left names what the compound is about ("Trump-Regierung" → Trump)
        _emit_name(run[:-1], stops, lower_words, mid_caps, full_names, lang, emit, alone)
        return
    if lang == "vi" and len(run) <= 2 and run[0].low in word_set("vi_org_openers"):
        # "Phòng Cảnh" of "Phòng Cảnh sát" (police department), "Cục Cảnh", "Phó Chánh": an office
        # or a body whose name goes on in lower case, cut to its capitalised syllables; a key of
        # its last syllable chained every police report (session 22's join log)
        return
    cut = next((k for k in range(1, len(run) - 1) if _inner_title(run[k].low, lang)), None)
    if cut is not None:
        # "Silivri Belediye Başkanı Volkan Yılmaz": the office splits the run, the person after it
        # and, when it names one, the organisation before it ("Assistant Director" names none)
        head = _trim(run[:cut], stops, lower_words)
        if len(head) > 1 and any(_org_head(t.low, lang) for t in head):
            _emit_name(head, stops, lower_words, mid_caps, full_names, lang, emit, alone)
        _emit_name(_trim(run[cut + 1:], stops, lower_words), stops, lower_words, mid_caps, full_names, lang,
                   emit, alone)
        return
    if len(run) > 1 and run[0].after_org and (place := known_place_folds().get(fold_name(run[0].text))):
        # "Universidad de Sana Murad al Azani": the university of Sana'a, then the professor
        emit(place, "place", run[0].text)
        _emit_name(run[1:], stops, lower_words, mid_caps, full_names, lang, emit, alone)
        return
    surface = _surface(run)
    whole = " ".join(fold_name(t.text) for t in run)
    if (len(run) > 1 and run[-1].low in word_set("place_heads")) or (
            len(run) > 2 and run[0].low in word_set("place_heads")):
        emit(f"place:{whole.replace(' ', '-')}", "place", surface)  # "Black Sea", "Plaza Tahrir"
        return
    if any(_org_head(t.low, lang) for t in run):
        if len(run) > 1 and whole:
            emit(f"name:{whole}", "org", surface)
        return
    if len(run) > 4:
        return  # a title-cased heading or a list of names: no reliable key
    last = run[-1]
    folded = fold_name(last.text)
    if len(folded) < 3 or (last.low in stops and not _vi_full_name(run, lang)) or last.low in word_set("noise"):
        return
    if len(run) == 1 and last.possessed and last.low in word_set("not_person_last"):
        return  # "Eve" of "New Year's Eve", "Day" of "Valentine's Day": a longer name's last word (session 24)
    known = known_folds().get(folded) if len(run) == 1 else None
    if known is not None and last.initial and last.low not in mid_caps and _known(last.low, lang or "en"):
        known = None  # a word of the language opening a sentence ("Nato a Roma": "born in Rome")
    if known is not None:
        emit(known.key, cast(EntityKind, known.kind), surface)  # a spelling that folds as a known one
        return
    if (len(run) > 1 and run[0].linked and lang not in NOUN_CAPS_LANGS
            and all(_base_common(t.low, lang or "en") or _base_common(t.low, "en") for t in run)):
        # "International Forum" of "… for Peace and Security": common words of a longer name,
        # keyed as before for linking, shown on no page (the connector rule is a display rule)
        emit = _unshown(emit)
    if len(run) > 1 and (run[0].low in word_set("not_person_first")
                         or last.low in word_set("not_person_last")):
        emit(f"name:{whole}", "other", surface)  # "Middle East", "Amnesty International"
        return
    if lang == "vi" and all(_vi_syllable(t.low) for t in run):
        if len(run) == 1:
            return  # a lone syllable ("Trung", "Minh"): a given name or a word, never one person
        # a Vietnamese name keys whole: its last syllable is a given name that thousands share
        # ("Trần Hữu Trung", "Hồ Chí Minh"; session 22's join log)
        folded = whole
    if len(run) == 1:
        if last.initial and last.low not in mid_caps and folded not in full_names:
            return  # first word of a sentence, never seen capitalised elsewhere
        if last.low in lower_words:
            return  # an ordinary word that some writers capitalise
        if lang in NOUN_CAPS_LANGS and folded not in full_names and (
                _known(last.text, lang) or _compound_noun(last.text, lang)):
            return  # a German noun ("Musikprobe", "Mundnasenabdeckung": a known noun at the end), not a name
        if last.low in word_set("place_heads"):
            return  # "Lake" of "Malta Lake" once Malta is matched: a head word alone names nothing
        # "Heads" of "EU Heads of State", "Saúde" of "Secretaria de Saúde": part of a longer name,
        # keyed for linking (the storylines share such keys), shown on no page
        part = last.linked and folded not in full_names and (_known(last.low, lang or "en") or _known(last.low, "en"))
        # a given name alone inside a sentence ("Prof. Carlos", "o Miguel") is a person; the key is
        # the same as before, only the kind says more
        kind: EntityKind = "person" if not last.initial and not part and last.low in given_names() else "other"
        # an ordinary word some writer capitalised ("Pleno", "Wniosek", "Communauté", Vietnamese
        # "Cảng"): keyed for the linker as before, no chip of kind "other" on a page
        plain = kind == "other" and folded not in full_names and _ordinary(last, lang)
        emit(f"name:{folded}", kind, surface, not part and not plain)
        return
    if _nouns_run(run, lang):
        # "Trumps Auftritt": a name's genitive before a noun is that name ("Trump"); other such
        # runs keep their key for the linker, as before, and show no chip ("Korona Krise")
        gen = run[0].text
        stem = fold_name(gen[:-1]) if gen.endswith("s") and len(gen) > 4 else ""
        if stem and (stem in full_names or stem in known_folds()):
            emit(f"name:{stem}", "person" if stem in full_names else "other", gen[:-1])
            return
        emit = _unshown(emit)
    headed = lang in NOUN_CAPS_LANGS or last.low not in (alone or set())
    if headed and _common_head(last, lang, lower_words) and not _vi_full_name(run, lang):
        emit(f"name:{whole}", "other", surface)  # "Segurança Pública", "Denizli Devlet Hastanesi"
        return
    # words after "de"/"of" that open with a common word ("Serviço de Atendimento Domiciliar",
    # "Ministerio de Asuntos Exteriores") name a thing, not a person: no person chip on a page
    # (the key stays the linker's, as before)
    if lang == "pl" and (base := _pl_genitive(run)) is not None:
        folded = fold_name(base)  # "Andrzeja Dudy" is Andrzej Duda: one key with "Andrzej Duda"
    thing = (headed and run[0].after_link and lang not in ("en", "fi", "et", "hu") and _common(run[0].low, lang)
             and run[0].low not in given_names())  # "di Guido Olimpio", "Arc de Marc Aurèle": a person
    # every word an ordinary word and none a given name ("Tar Heels", "Buró Político", "Carta
    # Fundamental"): a team, a body or a phrase, not a person; keyed as before, shown on no page
    nameless = lang not in ("vi", "tr", "fi", "et", "hu") and all(_ordinary(t, lang) for t in run)
    emit(f"name:{folded}", "person", surface, not thing and not nameless)


def _vi_syllable(word: str) -> bool:
    """One Vietnamese syllable ("trung", "minh", "cảnh", "nguyễn"; not "messi", "putin")."""
    plain = _without_accents(word.replace("đ", "d"))
    return _VI_SYLLABLE.fullmatch(plain) is not None


def _compound_head(tok: _Tok, lang: str) -> bool:
    """The last part of a hyphen compound is a common noun: one the lexicon knows with a
    capitalised base, or a compound ending in one, where nouns are capitalised ("Krise",
    "Pandemie", "Content"); a common word elsewhere."""
    if lang in NOUN_CAPS_LANGS:
        return _de_noun(tok, lang)
    return _common(tok.low, lang)


def _ordinary(tok: _Tok, lang: str) -> bool:
    """A word the language's lexicon (or English's, for a word in ASCII letters) knows as a common
    word: known, and its base form, lemmatised as written, in lower case ("Pleno", "Heels" → heel,
    "Político"; not "Assad", nor "Warszawie" → Warszawa), and no given name; in Vietnamese, which
    simplemma lacks, a syllable with the language's diacritics ("Cảng", "Hồi"): names from abroad
    are written without them. (The Turkish, Finnish, Estonian and Hungarian lexicons hold names
    as words too: "Muhsin", "Esat"; the run rule skips them.)"""
    if tok.low in given_names():
        return False
    if lang == "vi":
        return not tok.text.isascii()
    return _plain_word(tok.text, lang or "en") or (lang != "en" and tok.text.isascii() and _plain_word(tok.text, "en"))


@lru_cache(maxsize=50_000)
def _plain_word(word: str, lang: str) -> bool:
    import simplemma

    if lang in NOUN_CAPS_LANGS or not _known(low(word), lang):
        return False
    try:
        return simplemma.lemmatize(word, lang=lang)[:1].islower()
    except (ValueError, KeyError):
        return False


@lru_cache(maxsize=64)
def _org_heads(lang: str) -> tuple[frozenset[str], tuple[str, ...], tuple[str, ...]]:
    """The data file's ``org_heads`` of one language: words, stems ("belediye-") and compound
    tails ("-agentur")."""
    words: set[str] = set()
    stems: list[str] = []
    tails: list[str] = []
    for langs, text in entity_data().get("org_heads", {}).items():
        if lang not in langs.split():
            continue
        for w in (low(x) for x in text.split()):
            if w.endswith("-"):
                stems.append(w[:-1])
            elif w.startswith("-"):
                tails.append(w[1:])
            else:
                words.add(w)
    return frozenset(words), tuple(stems), tuple(tails)


def _org_head(word: str, lang: str) -> bool:
    """A word that makes a capitalised run an organisation: ``gazetteer.ORG_HEADS`` in any
    language, or the language's heads in the data file, in any case form ("Belediyesi",
    "Valiliğinden", "Instytutu", "Министерства") or as a German compound's tail
    ("Bundesregierung")."""
    if word in ORG_HEADS:
        return True
    words, stems, tails = _org_heads(lang)
    return word in words or word.startswith(stems) or word.endswith(tails)


def _pl_genitive(run: list[_Tok]) -> str | None:
    """Polish: a full name in the genitive ("Andrzeja Dudy", "Jarosława Kaczyńskiego", "Donalda
    Trumpa"), told by the given name: its base is a listed given name and it is that base + "a".
    The surname's nominative then follows the genitive's ending: -ego → -i after k/g, else -y
    ("Kaczyńskiego" → "Kaczyński"), -y/-i → -a ("Dudy" → "Duda", "Wałęsy" → "Wałęsa"), -a → cut
    ("Trumpa" → "Trump"). None when the run is no such name."""
    first, last = run[0].low, run[-1].low
    if len(run) < 2 or first in given_names() or not first.endswith("a") or first[:-1] not in given_names():
        return None
    return _pl_nominative(last)


def _pl_nominative(last: str) -> str | None:
    """A Polish surname's nominative from its genitive (see ``_pl_genitive``), lower case; None
    when the word ends in no genitive ending."""
    if last.endswith("ego") and len(last) > 5:
        stem = last[:-3]
        return stem + ("i" if stem.endswith(("k", "g")) else "y")
    if last.endswith(("y", "i")) and len(last) > 3:
        return last[:-1] + "a"
    if last.endswith("a") and len(last) > 3:
        return last[:-1]
    return None


def _compound_noun(word: str, lang: str) -> bool:
    """A German compound the lexicon lacks whose last part is a noun it knows ("Musikprobe",
    "Mundnasenabdeckung", "Altschuldenregelung"): a noun, not a name."""
    if len(word) < 8:
        return False
    for k in range(3, len(word) - 3):
        tail = word[k:]
        if _known(low(tail), lang) and _noun(tail, lang):
            return True
    return False


@lru_cache(maxsize=50_000)
def _common(word: str, lang: str) -> bool:
    """A lower-case ``word`` the lexicon knows as a common word: known, and its base form is not
    capitalised ("forum", "peace", "atendimento"; not "clinton", "tom", nor the unknown
    "hillary"). Outside German, where the lexicon's base form of every noun is capitalised."""
    import simplemma

    if lang in NOUN_CAPS_LANGS or not _known(word, lang):
        return False
    try:
        return not simplemma.lemmatize(word, lang=lang)[:1].isupper()
    except (ValueError, KeyError):
        return False


def _noun_opener(run: list[_Tok], lang: str) -> list[_Tok]:
    """German: the run without the inflected nouns that open it ("Laien Musiker" → "Musiker",
    "Verteidigungsministers Mark Esper" → "Mark Esper", "Bayerns Hobbymusiker" → "Hobbymusiker"):
    a noun's plural or genitive opens no name. Nor does a noun in its base form before a word
    that is no German noun ("Fernsehsender Phoenix" → "Phoenix", "Ausland Trumps" → "Trumps"),
    unless it is a given name ("Thomas Müller"; the lexicon knows given names as words)."""
    while len(run) > 1 and lang in NOUN_CAPS_LANGS and (
            _inflected_noun(run[0].text, lang)
            or (_de_noun(run[0], lang) and not _de_noun(run[1], lang) and not _name_word(run[0].low, lang))):
        run = run[1:]
    return run


def _name_word(word: str, lang: str) -> bool:
    """A word that belongs in a name even where it is also a common word: a given name, or an
    organisation's or a place's head word ("Instytut", "Platz"); neither opener rule drops it."""
    return word in given_names() or _org_head(word, lang) or word in word_set("place_heads")


def _de_noun(tok: _Tok, lang: str) -> bool:
    """A German common noun: one the lexicon knows with a capitalised base ("Krise", "Abstand",
    "Auftritt"), a compound ending in one ("Mediengruppe"), or a hyphenated word whose last part is
    one ("Corona-Patzern")."""
    text = tok.text.split("-")[-1] if "-" in tok.text else tok.text
    if len(text) < 3 or not text[:1].isupper() or text.isupper():
        return False
    return (_known(low(text), lang) and _noun(text, lang)) or _compound_noun(text, lang)


def _nouns_run(run: list[_Tok], lang: str) -> bool:
    """German: a run of two or more capitalised words whose last is a common noun and none a given
    name ("Korona Krise", "Meter Abstand", "Trumps Auftritt"): nouns, or a name and a noun, not
    a person's name; a person is named with a given name ("Thomas Müller") or after an office,
    which the run has lost by now ("Ministerpräsident Armin Laschet")."""
    return (lang in NOUN_CAPS_LANGS and len(run) > 1 and _de_noun(run[-1], lang)
            and not any(t.low in given_names() for t in run))


@lru_cache(maxsize=50_000)
def _inflected_noun(word: str, lang: str) -> bool:
    """A German noun in an inflected form: the lexicon knows it and gives another capitalised base
    ("Laien" → Laie, "Bayerns" → Bayern, "Stadtteile" → Stadtteil). German given names are their own
    base in the lexicon ("Thomas", "Andreas", "Jens"), so this does not read a first name as a noun."""
    import simplemma

    if not _known(low(word), lang):
        return False
    try:
        lem = simplemma.lemmatize(word, lang=lang)
    except (ValueError, KeyError):
        return False
    return lem != word and lem[:1].isupper() and "-" not in word


def _base_common(word: str, lang: str) -> bool:
    """A common word in its base form ("forum", "international"; not "murad", read as a form of
    "murar", nor "exteriores")."""
    return _common(word, lang) and _lemma(word, lang) == word


@lru_cache(maxsize=50_000)
def _noun(word: str, lang: str) -> bool:
    import simplemma

    try:
        return simplemma.lemmatize(word[:1].upper() + word[1:].lower(), lang=lang)[:1].isupper()
    except (ValueError, KeyError):
        return False


def _common_head(tok: _Tok, lang: str, lower_words: set[str]) -> bool:
    """The last word of a capitalised run is an ordinary word, so the run names an institution,
    an event or a thing, not a person (audit 15: "Segurança Pública", "Crime Organizado",
    "Olympischen Spiele", "Prokuratura Okręgowa", two Turkish hospitals keyed as one surname
    "Hastanesi"): the article also writes it in lower case, or the lexicon reads it as an
    inflected form of a common word ("Hastanesi" → "hastane", "Pública" → "público"). Outside
    German (every noun capitalised) asked only of a word the article never writes alone as a
    name (a person is named again by surname: "Lawrence Gonzi" … "Gonzi"). A plural or a verb
    form is no evidence ("Torres", "Woods", Italian "Gonzi", Spanish "Murad" as "murar"), nor
    English (-ing, -s: "Browning", "Hastings"), Finnish, Estonian and Hungarian, whose lexicon
    takes case forms of names for words."""
    import simplemma

    if tok.low in lower_words:
        return True
    if not lang or lang in ("en", "fi", "et", "hu") or not _known(tok.low, lang):
        return False
    try:
        lem = low(simplemma.lemmatize(tok.text, lang=lang))
    except (ValueError, KeyError):
        return False
    if lem == tok.low or tok.low in (lem + "s", lem + "es", lem[:-1] + "i") or not _known(lem, lang):
        return False  # a plural: "Torres", "Woods", Italian "Gonzi", "Rossi"
    if lem.endswith(("ar", "er", "ir")) and not tok.low.endswith(("ado", "ada", "ido", "ida")):
        return False  # a verb form ("Murad" reads as "murar"), unlike a participle ("Organizado")
    return lang in NOUN_CAPS_LANGS or not simplemma.lemmatize(tok.text, lang=lang)[:1].isupper()


_NUM_RE = re.compile(
    r"(?<![\w.,:/-])(\d{1,3}(?:[.,\u00a0 ]\d{3})+|\d+)([.,]\d+)?(?![\d/:])"
    r"(?:\s?(%|percent|per cent|prozent|pour cent|por ciento|per cento|procent|phần trăm|процент\w*|"
    r"yüzde)|[\s-]?(million|millions|millón|millones|milione|milioni|millionen|milyon|triệu|"
    r"миллион\w*|млн|billion|billions|milliard|milliards|miliardo|miliardi|milliarde|milliarden|"
    r"milyar|tỷ|tỉ|миллиард\w*|млрд|mil millones|thousand|nghìn|ngàn|тысяч\w*|bin))?",
    re.IGNORECASE,
)
_SCALE = {"thousand": 1e3, "nghìn": 1e3, "ngàn": 1e3, "bin": 1e3, "million": 1e6, "millions": 1e6,
          "millón": 1e6, "millones": 1e6, "milione": 1e6, "milioni": 1e6, "millionen": 1e6,
          "milyon": 1e6, "triệu": 1e6, "млн": 1e6, "billion": 1e9, "billions": 1e9,
          "milliard": 1e9, "milliards": 1e9, "miliardo": 1e9, "miliardi": 1e9, "milliarde": 1e9,
          "milliarden": 1e9, "milyar": 1e9, "tỷ": 1e9, "tỉ": 1e9, "млрд": 1e9,
          "mil millones": 1e9}
_DIGITS = str.maketrans("٠١٢٣٤٥٦٧٨٩۰۱۲۳۴۵۶۷۸۹", "0123456789" * 2)


def _scale(word: str) -> float:
    w = word.lower()
    if w in _SCALE:
        return _SCALE[w]
    if w.startswith("миллиард"):
        return 1e9
    if w.startswith("тысяч"):
        return 1e3
    return 1e6


def extract_numbers(text: str) -> tuple[str, ...]:
    """Distinct figures in order of first mention, normalised so they match across languages:
    "5,000" / "5.000" / "5 000" → "5000", "70 %" / "70 percent" → "70%", "2,5 triệu" → "2500000".
    Numbers below 10 (too common to link on), clock times and d/m/y dates are left out."""
    text = (text or "").translate(_DIGITS)
    out: dict[str, None] = {}
    for m in _NUM_RE.finditer(text):
        whole, frac, pct, scale = m.group(1), m.group(2), m.group(3), m.group(4)
        start = m.start()
        if start and (text[start - 1].isalpha()):
            continue  # part of a code such as "MH17"; codes are entities
        if start > 1 and text[start - 1] == "-" and text[start - 2].isalpha():
            continue  # "S-400", "COVID-19"
        digits = re.sub(r"[.,\u00a0 ]", "", whole)
        value = float(digits) + (float("0." + frac[1:]) if frac else 0.0)
        if frac and len(frac) == 4 and not scale and not pct and "." not in whole and "," not in whole:
            # "5.000" / "5,000" with a single group: a thousands separator, not a decimal.
            value = float(digits + frac[1:])
        if scale:
            value *= _scale(scale)
        if value < 10 and not pct:
            continue
        s = f"{value:.2f}".rstrip("0").rstrip(".")
        out.setdefault(s + ("%" if pct else ""), None)
    return tuple(out)


def spellings(word: str, names: Sequence[tuple[str, str, str, int]]) -> tuple[str, ...]:
    """The other ways the stored articles write what ``word`` names: every surface form of the
    entity the word is (a place in any language: "Turkey" → "Thổ Nhĩ Kỳ", "Türkiye"; a name's
    key), and the names that sound the same and are spelled close ("Gaddafi" → "Kadhafi",
    "Gheddafi", "Gadhafi"). ``names`` is ``Store.entity_names()``: (key, kind, text, articles)."""
    from storyline.enrich.gazetteer import fold_name, same_name

    w = word.strip()
    if len(w) < 3:
        return ()
    keys = {e.key for e in extract_entities(w[:1].upper() + w[1:], "en")} | {
        e.key for lang in ("es", "fr", "it", "de") for e in extract_entities(w[:1].upper() + w[1:], lang)
        if e.kind == "place"
    }
    keys.add(f"name:{fold_name(w)}")
    out: dict[str, int] = {}
    for key, kind, text, n in names:
        if not text or text.lower() == w.lower():
            continue
        if key in keys or (kind in ("person", "other", "org") and key.startswith("name:")
                           and same_name(w, text.split()[-1])):
            out[text] = out.get(text, 0) + n
    return tuple(t for t, _ in sorted(out.items(), key=lambda x: -x[1]))
