"""Write ``storyline/data/regions.tsv``: the first-level subdivisions of every country (ISO 3166-2
as pycountry ships it) that the gazetteer may read as places (issue 17, session 21).

    python benchmarks/build_regions.py

Which names are safe is decided here, once, with the language lexicons (simplemma), so that a
run does not load ten languages' dictionaries (1 GB and 12 s) to build its gazetteer: one word
that is a stopword, a given name ("Victoria", "Georgia"), a common word of a main language
("Central", "Centre", "Capital"), an ambiguous city word, or shorter than four letters is left
out; so are several words that are all English stopwords or common words of a main language
("Eastern Province", "Long An", French "Nord-Ouest"; not every language's stopwords: Vietnamese
"gia" of "Gia Lai" is one). Municipalities, parishes and local councils are left out (Slovenia's
212, Malta's 68: names of villages that read as surnames, "Kuzma", "Lenart"). Whether the
gazetteer already holds a name (a city or country named alike keeps its key) is decided when it
is built (``gazetteer._add_subdivisions``).
"""

from __future__ import annotations

import sys
from pathlib import Path

import pycountry
import simplemma
import stopwordsiso

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from storyline.enrich.gazetteer import AMBIGUOUS_CITY, given_names, low, norm_tokens, stop_words

OUT = Path(__file__).resolve().parent.parent / "storyline" / "data" / "regions.tsv"

# Languages whose lexicon says whether a subdivision's word is a common word.
LEXICON_LANGS = ("en", "fr", "es", "de", "it", "pt", "tr", "ru", "pl", "nl")

# Subdivision types that are towns, villages or islands rather than regions.
MUNICIPAL = frozenset({"Municipality", "Local council", "Urban municipality", "Commune", "Parish", "Rayon",
                       "City", "City with county rights", "Quarter", "Administrative atoll", "Island council",
                       "Town council", "Special municipality", "Metropolitan city", "State city"})


# Where iso-codes spells a subdivision otherwise than its country does, the country's spelling too
# (Vietnam's Kiên Giang province is "Kiến Giang" in iso-codes, a tone mark off).
SPELLINGS = {"VN-47": "Kiên Giang"}


def common_words(words: set[str]) -> set[str]:
    """Those of ``words`` some main language's lexicon knows with a lower-case base form
    ("central", "capital", "centre", "mayo"). One language at a time: simplemma keeps only a few
    languages' dictionaries loaded at once."""
    out: set[str] = set()
    for lang in LEXICON_LANGS:
        for w in words - out:
            try:
                if simplemma.is_known(w, lang=lang) and simplemma.lemmatize(w, lang=lang)[:1].islower():
                    out.add(w)
            except (ValueError, KeyError):
                break
    return out


def regions() -> list[tuple[str, str]]:
    stops, given = stop_words(), given_names()
    subs = [(sub, toks) for sub in pycountry.subdivisions
            if sub.parent_code is None and sub.type not in MUNICIPAL and (toks := norm_tokens(sub.name))]
    common = common_words({w for _, toks in subs for w in toks})
    en_stops = {low(w) for w in stopwordsiso.stopwords("en")}
    kept = []
    for sub, toks in subs:
        if len(toks) == 1:
            w = toks[0]
            if len(w) < 4 or w in stops or w in given or w in AMBIGUOUS_CITY or w in common:
                continue
        elif all(w in en_stops or w in common for w in toks):
            continue
        kept.append((sub.name, sub.code))
        if sub.code in SPELLINGS:
            kept.append((SPELLINGS[sub.code], sub.code))
    return kept


def main() -> None:
    rows = regions()
    from importlib.metadata import version

    head = (
        "# First-level subdivisions of every country that storyline.enrich.gazetteer reads as places, keyed\n"
        f"# place:<ISO 3166-2 code>. Source: ISO 3166-2 as shipped by pycountry {version('pycountry')}\n"
        "# (https://pypi.org/project/pycountry/, LGPL-2.1; data from Debian's iso-codes), filtered by\n"
        "# benchmarks/build_regions.py (names that read as common words, given names or stopwords left out).\n"
        "# name<TAB>code, in pycountry's order.\n"
    )
    OUT.write_text(head + "".join(f"{n}\t{c}\n" for n, c in rows), encoding="utf-8")
    print(f"{OUT}: {len(rows)} regions")


if __name__ == "__main__":
    main()
