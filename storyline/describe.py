"""Human-readable summaries of events and storylines, derived from their member articles.

An event reads as a happening (its most central headline, in that article's language, with the
languages and outlets that covered it), a storyline as its main actors and its subject
("Turkey, Russia: S-400"), from the entities and headlines its articles share."""

from __future__ import annotations

import collections
import datetime as dt
import math
import re
from collections.abc import Callable, Sequence

import numpy as np

from storyline.dates import calendar_names
from storyline.models import Article, Event, Storyline
from storyline.urls import outlet


def _span(articles: Sequence[Article]) -> tuple[dt.date | None, dt.date | None]:
    dates = [a.published for a in articles if a.published]
    return (min(dates), max(dates)) if dates else (None, None)


def _central(articles: Sequence[Article]) -> Article:
    """The member closest to the centroid: the article that best stands for the whole group."""
    with_vec = [a for a in articles if a.vector is not None and a.title]
    if not with_vec:
        return next((a for a in articles if a.title), articles[0])
    m = np.stack([a.vector for a in with_vec])  # type: ignore[misc]
    centroid = m.mean(axis=0)
    return with_vec[int(np.argmax(m @ centroid))]


def _ordered_unique(items: Sequence[str]) -> tuple[str, ...]:
    return tuple(k for k, _ in collections.Counter(i for i in items if i).most_common())


_HEADLINE_MAX = 14  # words: a longer title is a lede made into one, not an editor's headline


def _headline_like(a: Article) -> bool:
    """Short, whole, and starting as a headline does: a title that opens in lower case ("in
    Ajdabiya, south west of Benghazi") is a fragment of a lede, and one that is a place and a
    credit in brackets is a dateline, not an editor's words."""
    words = len(re.sub(r"\([^)]*\)", " ", a.title).split())  # "KATHMANDU (Reuters Life!)" is a dateline
    first = next((c for c in a.title if c.isalpha()), "")
    return bool(a.title) and 3 <= words <= _HEADLINE_MAX and not a.title.endswith("…") and not first.islower()


_EDITORS = ("feed", "page")  # title sources where an editor wrote the headline (not the lede's words)


def _reads_as_news(a: Article, about: Sequence[str] = ()) -> bool:
    """A headline that says something happened to someone: it names what the group is about
    (``about``: the storyline's leading actors and subject; else an actor among the article's
    own entities) and has at least two lower-case words besides, the shape of a verb phrase in
    the languages we read. A lede sentence that fails this ("What this day holds nobody can
    tell", a presenter's aside) is a line of prose, not news; telling verbs apart would need a
    tagger per language for little gain."""
    names = list(about) or [e.text for e in a.entities if e.kind in ("place", "person", "org") and e.shown]
    named = any(_names(a.title, n) for n in names if n)
    lower = [w for w in _WORD.findall(a.title) if w.islower() and len(w) > 2]
    return named and len(lower) >= 2


def _representative(members: Sequence[Article], lang: str | None = None, about: Sequence[str] = ()) -> Article:
    """The member that best stands for the group and has a real headline: the most central one
    whose title reads as an editor's headline (a short one, in ``lang`` when some are), else the
    most central of all. Titles several members share are furniture that slipped through.

    Among those, a title an editor wrote (from the page or the feed) goes before one made from
    the lede, and within that one that reads as news (``_reads_as_news``) before one that does
    not: the lede's first sentence is often a scene, a caption or an aside, and a headline that
    does not name what the group is about cannot stand for it."""
    shared = collections.Counter(a.title for a in members)
    pool = [a for a in members if _headline_like(a) and shared[a.title] < 3]
    if lang:
        pool = [a for a in pool if a.lang == lang] or pool
    pool = [a for a in pool if a.title_source in _EDITORS] or pool
    pool = [a for a in pool if _reads_as_news(a, about)] or pool
    return _central(pool) if pool else _central(members)


def _in_each_language(members: Sequence[Article], main: str, make: Callable[[str], str]) -> tuple[tuple[str, str], ...]:
    """``make(lang)`` for every other language some member has a real headline in: a reader's
    language gets an editor's headline in it, never a translation."""
    langs = sorted({a.lang for a in members if a.lang and a.lang != main and _headline_like(a)})
    return tuple((lang, text) for lang in langs if (text := make(lang)))


def _headline_in(members: Sequence[Article], lang: str) -> str:
    pool = [a for a in members if a.lang == lang and _headline_like(a)]
    return _representative(pool, lang).title if pool else ""


def describe_event(ident: str, storyline: str, members: Sequence[Article]) -> Event:
    rep = _representative(members)
    first, last = _span(members)
    return Event(
        id=ident,
        storyline=storyline,
        headline=rep.title or rep.body[:120],
        lang=rep.lang,
        article_ids=tuple(a.id for a in members),
        languages=_ordered_unique([a.lang for a in members]),
        sources=_ordered_unique([outlet(a.source, a.url) for a in members]),
        first=first,
        last=last,
        headlines=_in_each_language(members, rep.lang, lambda lang: _headline_in(members, lang)),
    )


# Title and byline furniture that says nothing about a story: time zones, wire credits, bracket
# tokens, kinds of piece (in the languages of the data).
_TITLE_NOISE = frozenset(
    [
        "gmt",
        "bst",
        "edt",
        "est",
        "cet",
        "cest",
        "utc",
        "pm",
        "am",
        "et",
        "pt",
        "lrb",
        "rrb",
        "lsb",
        "rsb",
        "reuters",
        "ap",
        "afp",
        "update",
        "updated",
        "live",
        "video",
        "photos",
        "photo",
        "watch",
        "read",
        "comments",
        "say",
        "says",
        "said",
        "news",
        "report",
        "reports",
        "reporter",
        "reporters",
        "correspondent",
        "editor",
        "staff",
        "wire",
        "by",
        "breaking",
        "exclusive",
        "analysis",
        "opinion",
        "editorial",
        "interview",
        "latest",
        "blog",
        "special",
        "coverage",
        "especial",
        "cobertura",
        "directo",
        "última",
        "hora",
        "spécial",
        "direct",
        "dernière",
        "heure",
        "speciale",
        "diretta",
        "notizie",
        "ultime",
    ]
)
# "Bloomberg: …", "Analysis: …", "UPDATE 2-…": who says it or what kind of piece, not the story.
_KICKER = re.compile(r"^\s*(?:[^:\n]{1,25}:|[A-Z]+ \d+-)\s+")
_PLURAL_CODE = re.compile(r"(?<=\d)s$")  # "S-400s" is the S-400
_WORD = re.compile(r"\w+(?:[-'’]\w+)*")


def _naming_lang(members: Sequence[Article]) -> str:
    """English when a fair share of the storyline is English (the widest-read label), else the
    language most of its articles are in."""
    langs = collections.Counter(a.lang for a in members if a.lang)
    if not langs:
        return "en"
    if langs.get("en", 0) * 4 >= sum(langs.values()):
        return "en"
    return langs.most_common(1)[0][0]


def _country_name(key: str, lang: str) -> str | None:
    """``place:EG`` → "Egypt" (or "Egipto" in Spanish); None for anything but a country."""
    code = key.removeprefix("place:")
    if not key.startswith("place:") or len(code) != 2 or not code.isalpha():
        return None
    try:
        from babel import Locale

        return Locale.parse(lang).territories.get(code) or Locale.parse("en").territories.get(code)
    except Exception:  # unknown locale or babel absent
        return None


def _country_names(key: str, langs: set[str]) -> set[str]:
    """Every name of the country ``key`` in ``langs`` and English, lower-cased ("siria", "syrie",
    "syria"): a label outside them is an adjective or a demonym ("Japanese", "syrien")."""
    out = set()
    for lang in {*langs, "en"}:
        if name := _country_name(key, lang):
            out.add(name.lower())
    return out


def _actors(members: Sequence[Article], lang: str, top: int) -> list[tuple[str, str]]:
    """The places, people and organisations most articles mention, as ``(key, label)``: a city
    only when its country is not already named, each at most once."""
    df: collections.Counter[str] = collections.Counter()
    score: collections.Counter[str] = collections.Counter()
    label: dict[str, collections.Counter[str]] = collections.defaultdict(collections.Counter)
    for a in members:
        keys = set()
        title = (a.title or "").lower()
        for e in a.entities:
            if e.kind in ("place", "person", "org") and e.shown:  # no hidden word of a longer name
                if e.key not in keys and e.text.lower() in title:
                    score[e.key] += 1  # in the headline: what the article is about
                keys.add(e.key)
                if e.text[:1].isupper():
                    label[e.key][e.text] += 1 + 2 * (a.lang == lang)
        df.update(keys)
    score.update({k: 2 * n for k, n in df.items()})
    need = max(2, math.ceil(0.2 * len(members))) if len(members) > 2 else 1
    out: list[tuple[str, str]] = []
    last = 0
    for key, sc in score.most_common():
        # A third (or later) actor only when it is as prominent as the one before it.
        if df[key] < need or (len(out) >= top and sc < last) or len(out) > top:
            break
        if key.startswith("place:") and "/" in key and any(k == key.split("/", 1)[0] for k, _ in out):
            continue  # the city of a country already named
        if any(k.startswith(key + "/") for k, _ in out):
            continue
        said = label[key].most_common(1)[0][0] if label[key] else None
        if said and said.lower() in _TITLE_NOISE:
            continue  # "LRB", "BST": tokenizer and dateline leftovers, not actors
        # As the articles write it; else a country by its name in the naming language (adjectives
        # such as "egiziano" are lower-case and never a label).
        # A country goes by its name where the articles write it so: its adjective ("Syrian")
        # is often written more, but "Syrian: …" is no name for what a story is about.
        country = _country_name(key, lang)
        if country and (same := [w for w in label[key] if w.lower() == country.lower()]):
            said = same[0]
        elif country and said and said.lower() not in _country_names(key, {a.lang for a in members if a.lang}):
            said = None  # "Japanese: Losing face…": an adjective, no spelling of the country's name
        name = said or country
        if name and all(name.lower() != x.lower() for _, x in out):
            out.append((key, name))
            last = sc
    return out


def _subject(members: Sequence[Article], lang: str, taken: set[str]) -> str:
    """What the storyline is about, from its headlines: the phrase (one or two words) most of them
    share, leaving out the actors already named, stop words, dates and wire furniture."""
    titles = [a.title for a in members if a.title and a.lang == lang] or [a.title for a in members if a.title]
    if not titles:
        return ""
    try:
        import stopwordsiso

        stop = frozenset(stopwordsiso.stopwords(lang) or ())
    except Exception:
        stop = frozenset()
    stop = stop | {w.lower() for name in calendar_names(lang or "en") for w in _WORD.findall(name)}
    # A subject is said in common words: a word never written lower-case in any headline is a
    # name (a person, a dateline city), unless it is a code like S-400 or H1N1.
    common = {w for t in titles for w in _WORD.findall(t) if w.islower()}
    df: collections.Counter[tuple[str, ...]] = collections.Counter()
    form: dict[tuple[str, ...], collections.Counter[str]] = collections.defaultdict(collections.Counter)
    for t in titles:
        words = [_PLURAL_CODE.sub("", w) for w in _WORD.findall(_KICKER.sub("", t))]
        ok = [
            not (w.lower() in stop or w.lower() in _TITLE_NOISE or w.lower() in taken or w.isdigit() or len(w) < 2)
            and (w.lower() in common or any(c.isdigit() for c in w))
            for w in words
        ]
        grams: set[tuple[str, ...]] = set()
        for i, w in enumerate(words):
            if ok[i]:
                grams.add((w.lower(),))
                form[(w.lower(),)][w] += 1
                if i + 1 < len(words) and ok[i + 1]:
                    g: tuple[str, ...] = (w.lower(), words[i + 1].lower())
                    grams.add(g)
                    form[g][f"{w} {words[i + 1]}"] += 1
        df.update(grams)
    if not df:
        return ""
    need = 2 if len(titles) > 1 else 1
    uni = [(g, n) for g, n in df.most_common() if len(g) == 1 and n >= need]
    bi = [(g, n) for g, n in df.most_common() if len(g) == 2 and n >= need]
    best: tuple[str, ...]
    if bi and (not uni or bi[0][1] * 2 >= uni[0][1]):
        best = bi[0][0]
    elif uni:
        best = uni[0][0]
    else:
        return ""
    text = form[best].most_common(1)[0][0]
    return text if any(c.isupper() for c in text[1:]) or text.isupper() else text[:1].upper() + text[1:]


def storyline_name(members: Sequence[Article], top: int = 2, lang: str | None = None) -> str:
    """A name a person would give the storyline: who or where it is about, then its most
    representative real headline ("Libya: Libya war reaching stalemate, Washington says"), in
    English when a fair share of it is English, else in its main language. The headline is an
    editor's words, so the name reads as news, never as a list of keywords."""
    if not members:
        return ""
    lang = lang or _naming_lang(members)
    actors = _actors(members, lang, top)
    subject = _subject(members, lang, {name.lower() for _, name in actors})
    rep = _representative(members, lang, [name for _, name in actors[:1]] + [subject])
    who = actors[0][1] if actors else ""
    head = rep.title or rep.body[:120]
    # One article is no evidence of what a storyline is about: all its names tie, and the first
    # one written (a dateline's "Roma", a passing "Anh") would lead the name. Its headline says it.
    if len(members) < 2:
        return head
    # A headline that already names a leading actor says who it is about: "US: Turkey and Russia
    # confirm arms deal" would put a side player in front of the story's own subject. It may name
    # it in another spelling or language than the label ("Main Baas sur la Syrie" under "Syria").
    spellings = {key: {name} for key, name in actors[:top]}
    for a in members:
        for e in a.entities:
            if e.key in spellings:
                spellings[e.key].add(e.text)
    if not who or any(_names(head, s) for names in spellings.values() for s in names):
        return head
    return f"{who}: {head}"


def _names(text: str, name: str) -> bool:
    """Whether ``text`` mentions ``name`` as a whole word (any case)."""
    return re.search(rf"(?<!\w){re.escape(name)}(?!\w)", text, re.IGNORECASE) is not None


def describe_storyline(ident: str, events: Sequence[Event], members: Sequence[Article]) -> Storyline:
    first, last = _span(members)
    main = _naming_lang(members)
    return Storyline(
        id=ident,
        name=storyline_name(members),
        names=_in_each_language(members, main, lambda lang: storyline_name(members, lang=lang)),
        event_ids=tuple(e.id for e in sorted(events, key=lambda e: (e.first or dt.date.max, e.id))),
        article_count=len(members),
        languages=_ordered_unique([a.lang for a in members]),
        first=first,
        last=last,
    )
