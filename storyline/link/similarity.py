"""How alike two articles are: separate signals, then one calibrated mix.

No single signal decides "same happening". e5 cosine puts translations of one report at 0.86-0.90
but different stories on the same subject (two S-400 stories a day apart) almost as high, so
``signals`` measures what e5 blurs too: shared entity keys (language-independent), shared numbers,
publish-time distance, title words and body words (same language only), and a near-duplicate
check as the certain case. ``explain`` shows them all.

The same-event score (``combine``) weighs only two of them: the e5 cosine after removing each
language's mean vector (``centred``) and shared entities, in a logistic model fitted on the events
dev set (``benchmarks/events.py --calibrate``, weights in ``storyline/data/event_weights.json``).
It must hold on sources nobody fitted it to, and the other signals did not: a source's style
decides whether they can be measured at all (ECB+ has no dates and no given headlines, ViMs has
both) and at what level (Vietnamese syllables share more "words" than English words do), so their
weights learned the source. Leave-one-source-out on the dev events, BCubed F1 (baseline: e5+TF-IDF
average-link tuned on the other source): six signals with "missing" weights, ViMs fitted on ECB+
0.016 and ECB+ fitted on ViMs 0.466; centred cosine and entities 0.983 and 0.915 (baseline 0.944
and 0.692); adding words 0.985 / 0.881, dates 0.823 / 0.702, numbers 0.977 / 0.917; the plain cosine in
place of the centred one 0.983 / 0.805: its level moves with the language (unrelated Vietnamese
pairs sit at 0.87, English at 0.84), and the bar with it.

A signal that cannot be measured is None, not zero; a weight named "<signal>_missing" (none
shipped) would apply then.
"""

from __future__ import annotations

import json
import math
import re
import unicodedata
import zlib
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

import numpy as np

from storyline.link.relatedness import Calibration, centred_cosine, raw_to_centred
from storyline.link.relatedness import score as relatedness_score
from storyline.models import Article

_WORD = re.compile(r"\w+", re.UNICODE)
_NUM = re.compile(r"\d+(?:[.,]\d+)*")
# Numbers that carry no identity (days of the month, small counts, list numbering).
_MIN_NUMBER_LEN = 2
SHINGLE = 5

# Logistic-regression weights over the signals, in ``storyline/data/event_weights.json`` (written by
# ``benchmarks/events.py --write-weights``, which also says what they were fitted on). Names ending
# in "_missing" (none shipped now) apply when the signal cannot be measured for the pair.
WEIGHTS_FILE = "event_weights.json"


def _load_weights() -> tuple[tuple[str, float], ...]:
    text = resources.files("storyline").joinpath("data", WEIGHTS_FILE).read_text(encoding="utf-8")
    data = json.loads(text)
    return tuple((str(k), float(v)) for k, v in data["weights"].items())


DEFAULT_WEIGHTS: tuple[tuple[str, float], ...] = _load_weights()

_LEXICAL = ("title", "words")
SIGNALS = ("cosine", "centred", "entities", "numbers", "time", "title", "words", "duplicate", "crosslingual")
# Signals a weight may name (every one in [0, 1] or, for "centred", on the centred-cosine scale).
WEIGHTED = ("cosine", "centred", "entities", "numbers", "time", "title", "words")


@dataclass(frozen=True)
class LinkConfig:
    """Thresholds and weights of the linking stage; the defaults are calibrated on dev data.

    ``event_threshold`` is on the mixed score (a probability); ``merge_threshold`` is the bar for
    a new article to fuse two existing events (higher, so one ambiguous article cannot chain
    two stories). ``storyline_*`` act on average link between an event's articles and a storyline's
    (``storylines.average_link``): e5 cosine, lifted by ``crosslingual_cosine_shift`` across
    languages, plus ``storyline_entity_weight`` times the entity-key cosine. An event joins the best
    storyline at ``storyline_threshold``; two storylines merge when their average link reaches
    ``storyline_merge_threshold`` (None: never, storylines then merge only when events do).
    Each time a storyline's article count passes a power of ``storyline_recheck_growth``, its events
    are weighed again and move to another storyline they are now closer to by more than
    ``storyline_move_margin`` (None: never).
    """

    weights: tuple[tuple[str, float], ...] = DEFAULT_WEIGHTS
    # e5 puts a translation about this much lower than a same-language retelling of the same
    # report (SemEval-2022 dev pairs, every band of gold similarity: 0.037-0.052).
    crosslingual_cosine_shift: float = 0.045
    time_scale_days: float = 3.0
    duplicate_jaccard: float = 0.6
    # A rule, not a fitted knob: "more likely the same event than not" on the calibrated score. With
    # the centred cosine the fitted probability keeps its meaning across sources, so the bar does too
    # (leave-one-source-out, see the module docstring).
    event_threshold: float = 0.5
    merge_threshold: float = 0.7
    # An event is checked for a twin each time its size passes a power of this (None: never),
    # see ``events.EventIndex.split``.
    event_split_growth: float | None = 1.5
    # ...and split under this bar instead when each half has an entity that this share of its
    # members name and no member of the other half does (a twin: another actor, another place).
    twin_link_bar: float = 0.65
    twin_entity_share: float = 0.6
    # How an article is weighed against an event: its best-matching member near it ("max"), or
    # the "mean" over those members (shipped until session 21; "min" also exists). See events.py.
    linkage: str = "max"
    neighbours: int = 30
    window_days: int = 14
    # Storylines: calibrated on the storylines calibration half (benchmarks/events.py --calibrate).
    storyline_threshold: float = 0.91
    storyline_entity_weight: float = 0.8
    storyline_crosslingual_bonus: float = 0.0
    storyline_merge_threshold: float | None = 0.92
    storyline_recheck_growth: float | None = 1.5
    storyline_move_margin: float = 0.0
    minhash_perm: int = 64
    # ``similarity`` only (not the event or storyline links): the share of the score that publish
    # dates far apart take away (see ``time_factor``), on the ``time`` signal's own scale
    # (``time_scale_days``). Fitted on the SemEval dev pairs (``benchmarks/similarity.py --write``).
    similarity_time_weight: float = 0.28

    def weight_map(self) -> dict[str, float]:
        return dict(self.weights)


@lru_cache(maxsize=64)
def _stopwords(lang: str) -> frozenset[str]:
    try:
        import stopwordsiso

        return frozenset(stopwordsiso.stopwords(lang) or ())
    except Exception:  # unknown language or package absent: fall back to length filtering only
        return frozenset()


def _norm(text: str) -> str:
    return unicodedata.normalize("NFC", text or "").lower()


def tokens(text: str, lang: str) -> list[str]:
    """Content words: lower-cased, stop words and one-letter tokens out."""
    stop = _stopwords(lang or "")
    return [t for t in _WORD.findall(_norm(text)) if len(t) > 1 and t not in stop]


def numbers_of(a: Article) -> frozenset[str]:
    """Numbers the enrich stage found, else a quick regex over title and body head. Years and
    days stay in: on dev data they separate recurring stories (ECB+'s 2008 vs 2013 events)."""
    found = a.numbers or tuple(
        n.replace(",", ".") for n in _NUM.findall(f"{a.title}\n{a.body[:3000]}") if len(n) >= _MIN_NUMBER_LEN
    )
    return frozenset(found)


@dataclass(frozen=True, eq=False)
class Features:
    """What the signals need from one article, computed once (the linker keeps these)."""

    id: str
    lang: str
    published: object
    vector: np.ndarray | None
    entities: frozenset[str]
    numbers: frozenset[str]
    title: frozenset[str]
    words: Mapping[str, float]
    words_norm: float
    shingles: frozenset[int]


GIVEN_TITLES = ("feed", "page")


def features(a: Article) -> Features:
    """A title an editor gave (feed or page metadata) is its own signal: outlets reporting one
    happening choose alike headlines. A title the cleaner found in the text (a headline line, or
    the first words) is only as good as the guess, so it is compared as text, with the words: on
    the dev pairs a found-title signal carried no evidence (fitted weight 2.3, the same as its
    "missing" weight) and cost ECB+ F1 0.16 when weighted like a given one."""
    given = a.title_source in GIVEN_TITLES
    text = a.body if given or a.title.strip() in a.body[:1500] else f"{a.title}\n\n{a.body}"
    toks = tokens(text[:6000], a.lang)
    bag = Counter(toks)
    words = {w: 1.0 + math.log(c) for w, c in bag.items()}
    shingles = frozenset(
        zlib.crc32(" ".join(toks[i : i + SHINGLE]).encode()) for i in range(max(0, len(toks) - SHINGLE + 1))
    )
    vec = None if a.vector is None else np.asarray(a.vector, dtype=np.float32)
    return Features(
        id=a.id,
        lang=(a.lang or "").lower(),
        published=a.published,
        vector=vec,
        entities=a.entity_keys(),
        numbers=numbers_of(a),
        title=frozenset(tokens(a.title or "", a.lang)) if given else frozenset(),
        words=words,
        words_norm=math.sqrt(sum(v * v for v in words.values())) or 1.0,
        shingles=shingles,
    )


def _jaccard(x: frozenset, y: frozenset) -> float | None:
    if not x or not y:
        return None
    return len(x & y) / len(x | y)


def _same_lang(fa: Features, fb: Features) -> bool:
    return bool(fa.lang) and fa.lang == fb.lang


def signals(fa: Features, fb: Features, config: LinkConfig | None = None) -> dict[str, float | None]:
    """Each signal in [0, 1], or None when it cannot be measured for this pair."""
    cfg = config or LinkConfig()
    out: dict[str, float | None] = dict.fromkeys(SIGNALS)
    if fa.vector is not None and fb.vector is not None:
        cos = float(np.clip(np.dot(fa.vector, fb.vector), 0.0, 1.0))
        out["cosine"] = cos
        out["centred"] = centred_scale(fa, fb, cos, cfg)
    out["entities"] = _jaccard(fa.entities, fb.entities)
    out["numbers"] = _jaccard(fa.numbers, fb.numbers)
    if fa.published is not None and fb.published is not None:
        days = abs((fa.published - fb.published).days)  # type: ignore[operator]
        out["time"] = math.exp(-days / cfg.time_scale_days)
    out["crosslingual"] = 0.0 if _same_lang(fa, fb) or not (fa.lang and fb.lang) else 1.0
    if _same_lang(fa, fb):
        out["title"] = _jaccard(fa.title, fb.title)
        if fa.words and fb.words:
            small, big = (fa.words, fb.words) if len(fa.words) < len(fb.words) else (fb.words, fa.words)
            dot = sum(v * big.get(w, 0.0) for w, v in small.items())
            out["words"] = dot / (fa.words_norm * fb.words_norm)
        out["duplicate"] = _jaccard(fa.shingles, fb.shingles)
    return out


def centred_scale(fa: Features, fb: Features, cos: float, cfg: LinkConfig) -> float:
    """The e5 cosine after each vector loses its language's mean (``relatedness.centred_cosine``),
    or, for a language without a shipped mean, the plain cosine (lifted across languages) put on
    that scale by the fitted line. Unlike the plain cosine its level does not move with the
    language: unrelated Vietnamese news sits at plain cosine 0.87, unrelated English at 0.84."""
    cen = centred_cosine(fa.vector, fa.lang, fb.vector, fb.lang)
    if cen is not None:
        return cen
    shift = cfg.crosslingual_cosine_shift if fa.lang and fb.lang and fa.lang != fb.lang else 0.0
    return raw_to_centred(cos + shift)


def combine(sig: Mapping[str, float | None], config: LinkConfig | None = None) -> float:
    """The mixed score in [0, 1]: a logistic model over the signals; a near-duplicate is certain."""
    cfg = config or LinkConfig()
    dup = sig.get("duplicate")
    if dup is not None and dup >= cfg.duplicate_jaccard:
        return 1.0
    w = cfg.weight_map()
    z = w.get("bias", 0.0)
    cross = bool(sig.get("crosslingual"))
    for name in WEIGHTED:
        if name not in w and name + "_missing" not in w:
            continue
        v = sig.get(name)
        if v is not None:
            z += w.get(name, 0.0) * v
        elif not (cross and name in _LEXICAL):
            z += w.get(name + "_missing", 0.0)
    if cross:
        # Across languages the word signals are unmeasurable for a reason unlike "no title", and
        # e5 puts translations lower than paraphrases: one weight, fitted so that cross-lingual
        # pairs score like same-language pairs of the same gold similarity, stands in for both.
        z += w.get("crosslingual", 0.0)
    return 1.0 / (1.0 + math.exp(-max(-50.0, min(50.0, z))))


def head_decides(config: LinkConfig | None = None) -> bool:
    """Whether ``combine`` scores a pair that is not a near-duplicate from the fields a stored
    article's head holds (``state.HEAD``: language, date, vector, entities) alone: no weight, nor
    weight for its absence, on the title words, the word bags or the numbers. The shipped weights
    (centred cosine, entities, cross-lingual, bias) need nothing more."""
    w = (config or LinkConfig()).weight_map()
    return not any(w.get(n) or w.get(n + "_missing") for n in ("title", "words", "numbers"))


def relatedness(
    sig: Mapping[str, float | None],
    config: LinkConfig | None = None,
    centred: float | None = None,
    calibration: Calibration | None = None,
) -> float:
    """Graded closeness in [0, 1] (how much two articles are about the same thing), as opposed
    to ``combine``'s yes/no "same event" probability, which saturates and so ranks badly.

    It is the e5 cosine after removing each language's mean vector (``centred``, from
    ``relatedness.centred_cosine``), floored and mapped onto [0, 1]; without it, the plain cosine
    lifted across languages by the gap e5 shows between a translation and a same-language retelling,
    put on the same scale (see ``storyline/link/relatedness.py`` for the figures). On the SemEval
    dev pairs no linear or monotone-boosted mix with entities, numbers, words or chunk cosines
    beat this on a held-out half, so none is added."""
    cfg = config or LinkConfig()
    cos = sig.get("cosine")
    if cos is None:
        return float(sig.get("words") or 0.0)
    if sig.get("crosslingual"):
        cos += cfg.crosslingual_cosine_shift
    return relatedness_score(cos, centred, calibration)


# Share of the same-event probability in ``similarity``, sharpened to p**EVENT_POWER so that only a
# confident "same event" lifts a pair: relatedness alone ranks a translation of one report (seeds
# 000/001, en-vi) below two English reports of different S-400 happenings (003/004). SemEval dev,
# calibration fitted on the other half: 0.773 / de-en 0.803 with no share, 0.774 / 0.800 with 0.1*p,
# 0.773 / 0.797 with 0.15*p**4, 0.767 / 0.780 with the 0.3*p a linear share would need for the seeds.
# Within one language the probability is taken without the shared entities (``event_part``).
EVENT_SHARE = 0.15
EVENT_POWER = 4


def event_part(sig: Mapping[str, float | None], config: LinkConfig | None = None) -> float:
    """The same-event probability ``similarity`` adds a share of: ``combine`` across languages,
    and within one language ``combine`` without the shared entities (the centred cosine alone, or
    a near-duplicate's certainty).

    Why (issue 17, session 23): across languages the entity keys are what a translation shares
    that e5-small blurs (the seeds 000/001, en-vi, share 12 keys); within one language two texts
    already meet in e5, and the entities they share mark the subject, not the happening: the pairs
    the score overrates most there are one actor or place in two happenings (session 20's worst
    pairs). SemEval-2022 dev, cross-fitted as ``benchmarks/similarity.py --shares`` prints: 0.798 ->
    0.807 (halves 0.792 / 0.804 -> 0.803 / 0.812; 90% paired bootstrap interval of the gain
    +0.006..+0.014; leave-one-language-pair-out 0.796 -> 0.806; every pair in one of its languages
    left out 0.795 -> 0.805), de-en unchanged at 0.842; without the share at all (0.804) de-en loses
    0.005 and the seeds' translation ranks below 003/004."""
    if sig.get("crosslingual"):
        return combine(sig, config)
    return combine({**sig, "entities": None}, config)


def similarity(
    a: Article, b: Article, config: LinkConfig | None = None, calibration: Calibration | None = None
) -> float:
    """How alike two articles are, in [0, 1]: graded relatedness (e5 cosine after removing each
    language's mean), plus a sharpened share of the same-event probability (``event_part``) so
    that reports of one happening rank above related reports of others, times what their publish
    dates leave (``time_factor``: 1 without both dates). SemEval-2022 T8 dev, Pearson with
    5 - overall, with the calibration fitted on the other half (session 23): 0.807 (de-en 0.842)
    without dates, 0.826 with the dates the story ids stand for, against 0.737 for plain e5 cosine
    on the same cleaned texts, see ``benchmarks/similarity.py``. ``calibration``: another than the
    shipped one (the benchmark's cross-fit)."""
    fa, fb = features(a), features(b)
    return _graded_pair(fa, fb, signals(fa, fb, config), config, calibration)


def _graded_pair(
    fa: Features, fb: Features, sig: Mapping[str, float | None], config: LinkConfig | None, cal: Calibration | None
) -> float:
    """``graded`` with the centred cosine of the pair's own vectors."""
    return graded(sig, config, centred_cosine(fa.vector, fa.lang, fb.vector, fb.lang, cal), cal)


def graded(
    sig: Mapping[str, float | None],
    config: LinkConfig | None = None,
    centred: float | None = None,
    calibration: Calibration | None = None,
) -> float:
    """``similarity`` from signals (and the centred cosine, when the vectors allow one)."""
    rel = relatedness(sig, config, centred, calibration)
    score = min(1.0, (1.0 - EVENT_SHARE) * rel + EVENT_SHARE * event_part(sig, config) ** EVENT_POWER)
    return score * time_factor(sig, config)


def time_factor(sig: Mapping[str, float | None], config: LinkConfig | None = None) -> float:
    """What publish dates leave of the score: 1 when either date is unknown (no evidence either
    way) or the text is a near-duplicate (the same text whenever it ran), else
    ``1 - w * (1 - time)``: two reports a day apart keep 92% (w = 0.28), a month apart 72%.

    Why (issue 17): the e5 cosine cannot see *when*. Of the SemEval-2022 gold's aspects the score
    follows time least (Pearson 0.32, against 0.78 with the entities aspect), and the days between
    the two articles carry what it misses, where entity, place and name overlap carry nothing more
    (``benchmarks/similarity.py --aspects``). The dev pairs give no dates, but their ids are Media
    Cloud story ids, numbered as the stories were collected: fitted on the dates the texts state
    (117 of 176 within 5 days of one line), an id counts 1.10 days per million, so the benchmark
    can give each article its day. Cross-fitted (the weight and the calibration fitted on the other
    half): Pearson 0.803 -> 0.820, both halves gaining (0.818 / 0.822), 90% bootstrap interval of
    the gain +0.009..+0.025, leave-one-language-pair-out 0.818; German 0.755 -> 0.783. A pair
    without both dates, as in the SemEval files themselves, scores exactly as before. The event
    and storyline links do not read this factor."""
    cfg = config or LinkConfig()
    near = sig.get("time")
    dup = sig.get("duplicate")
    if near is None or (dup is not None and dup >= cfg.duplicate_jaccard):
        return 1.0
    return 1.0 - cfg.similarity_time_weight * (1.0 - near)


def decide(score: float, storyline_score: float, config: LinkConfig | None = None) -> str:
    cfg = config or LinkConfig()
    if score >= cfg.event_threshold:
        return "same event"
    if storyline_score >= cfg.storyline_threshold:
        return "same storyline"
    return "unrelated"


def storyline_score(
    cos: float | None, entity_cos: float | None, crosslingual: float, config: LinkConfig | None = None
) -> float:
    """Topical closeness of articles (or the mean over two groups of them): e5 cosine, lifted by
    ``crosslingual_cosine_shift`` for a language change (``crosslingual`` is 1 for a pair in two
    languages, or the share of such pairs between two groups), plus weighted shared entities."""
    cfg = config or LinkConfig()
    s = cos or 0.0
    if cos is not None:
        s += cfg.crosslingual_cosine_shift * crosslingual
    if entity_cos is not None:
        s += cfg.storyline_entity_weight * entity_cos
    return s + cfg.storyline_crosslingual_bonus * crosslingual


def storyline_entities(entities: frozenset[str]) -> dict[str, float]:
    """Entity keys as a unit vector for the storyline layer, each key as the text names it.

    A city does not also count its country (it did until session 16): in a stream of unrelated
    news, two stories in one country share that key and little else, and with e5's ~0.8 cosine
    between any two news articles one shared key of ~8 was enough to make them one storyline
    (audit 15: a Taylor Swift report and a Bloomington murder, through ``place:US``). Linked among
    the other dev articles (``benchmarks/storyline_mix.py``), the stories' precision rises
    0.261 -> 0.338 with the storylines' own F1 unchanged, and over ten arrival orders of the
    storylines set alone the held-out half reads 0.832 against 0.822 (``docs/storyline-chaining.md``)."""
    keys = set(entities)
    if not keys:
        return {}
    w = 1.0 / math.sqrt(len(keys))
    return dict.fromkeys(keys, w)


def storyline_entity_cos(a: frozenset[str], b: frozenset[str]) -> float | None:
    va, vb = storyline_entities(a), storyline_entities(b)
    if not va or not vb:
        return None
    return sum(v * vb.get(k, 0.0) for k, v in va.items())


def explain(a: Article, b: Article, config: LinkConfig | None = None) -> dict:
    """Every signal, the mixed score, the thresholds and the decision, as plain JSON values."""
    cfg = config or LinkConfig()
    fa, fb = features(a), features(b)
    sig = signals(fa, fb, cfg)
    score = combine(sig, cfg)
    ent = storyline_entity_cos(fa.entities, fb.entities)
    sl = storyline_score(sig["cosine"], ent, float(bool(sig["crosslingual"])), cfg)
    return {
        "a": a.id,
        "b": b.id,
        "signals": {k: (None if v is None else round(v, 4)) for k, v in sig.items()},
        "score": round(score, 4),
        "similarity": round(_graded_pair(fa, fb, sig, cfg, None), 4),
        "event_threshold": cfg.event_threshold,
        "storyline_score": round(sl, 4),
        "storyline_threshold": cfg.storyline_threshold,
        "decision": decide(score, sl, cfg),
        "shared_entities": sorted(fa.entities & fb.entities),
        "shared_numbers": sorted(fa.numbers & fb.numbers),
    }
