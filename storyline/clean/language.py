"""Which language an article is written in (ISO 639-1).

lingua is accurate on short and mixed text, knows Vietnamese and runs offline. Measured here on
all 75 of its languages: with every model preloaded it takes 23 s and 1.3 GB to start, while its
low-accuracy mode (trigrams only) takes 90 MB and gets the same 1,114/1,118 right on news
articles, so that mode is used. (The full models would help on very short texts, but loading
them lazily still cost 0.9 GB here.) Built once, lazily.
"""

from __future__ import annotations

import re
from functools import lru_cache

from lingua import LanguageDetector, LanguageDetectorBuilder

from storyline.clean.text import n_words

UNDETERMINED = "und"
_MAX_CHARS = 800  # a few hundred words decide as well as a whole article, and time grows with length
_LETTER = re.compile(r"[^\W\d_]", re.UNICODE)


@lru_cache(maxsize=1)
def _detector() -> LanguageDetector:
    # All 75 languages: restricting the set would turn an unknown language into a confident wrong one.
    return LanguageDetectorBuilder.from_all_languages().with_low_accuracy_mode().build()


def detect_language(text: str) -> str:
    """ISO 639-1 code of the text's language, or ``"und"`` when there are no letters to judge.

    A long text is judged on its sentences (lines of eight words or more that end like one, not
    in capitals): a page head can be in another language than the article (an English photo
    caption or agency note on a French story, script comments in a page's tail)."""
    sample = _sample(text)
    if len(_LETTER.findall(sample)) < 3:
        return UNDETERMINED
    lang = _detector().detect_language_of(sample)
    if lang is None:
        return UNDETERMINED
    return lang.iso_code_639_1.name.lower()


_SENTENCE_END = re.compile(r"""[.!?…。！？]["'”’»)\]]*$""")
_MIN_SAMPLE = 200  # characters of sentences needed; fewer and the text's head is used as it is


def _sample(text: str) -> str:
    if len(text) <= _MAX_CHARS:
        return text
    picked: list[str] = []
    size = 0
    for raw in text.splitlines():
        line = raw.strip()
        if n_words(line) >= 8 and _SENTENCE_END.search(line) and not line.isupper():
            picked.append(line)
            size += len(line) + 1
            if size >= _MAX_CHARS:
                break
    sample = "\n".join(picked)[:_MAX_CHARS]
    return sample if len(sample) >= _MIN_SAMPLE else text[:_MAX_CHARS]
