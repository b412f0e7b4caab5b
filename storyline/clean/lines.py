"""A learned second opinion on each line of a page text: keep it or not.

The rule-based cleaner (``text.py``) finds the article's main run and keeps prose and headings in
it. What it gets wrong is systematic: short pieces inside the article (list items, table cells,
short sub-headings, captions) are dropped, and author bios, "about us" boxes and sidebars next to
the article are kept. A small logistic regression over line features (length, punctuation,
stopword ratio in the page's language, link-likeness, where the line sits relative to the main
run, what its neighbours are, and the rule's own verdict) corrects that; a second stage of
boosted shallow trees reads those probabilities in their context (the block a line sits in, how
much article mass lies before and after it) together with the line's own features. Both are fitted
by ``python benchmarks/fit_lines.py`` on one half of the development data and checked on
the other; they live in ``storyline/data/line_weights.json`` (plain numbers, no pickles: the trees
node by node), read once when this module is imported.
"""

from __future__ import annotations

import json
import math
import re
from bisect import bisect_left
from collections import Counter
from collections.abc import Sequence
from functools import lru_cache
from importlib import resources
from typing import Any

import numpy as np
import stopwordsiso


def _load_weights() -> dict[str, Any]:
    text = resources.files("storyline").joinpath("data", "line_weights.json").read_text(encoding="utf-8")
    weights: dict[str, Any] = json.loads(text)
    return weights


WEIGHTS: dict[str, Any] = _load_weights()

_LINKY = re.compile(r"https?://|www\.|\S@\S|\.(?:com|org|net|de|html?)\b|#\w")
_SEPARATORS = re.compile(r"[|•·»›>/]")
_UPPER = re.compile(r"[A-ZÀ-ÞА-Я]")
_LETTER = re.compile(r"[^\W\d_]")
_DIGIT = re.compile(r"\d")
_TOKEN = re.compile(r"\w+")
_COLON_END = re.compile(r":\s*$")
_QUOTE = re.compile(r"[\"“”„«»]")
_COMMA = re.compile(",")

FEATURES = (
    "rule_keep",
    "in_run",
    "log_words",
    "prose",
    "bp",
    "sent_end",
    "list_item",
    "date_line",
    "heading",
    "stop_ratio",
    "stop_rel",
    "digit_ratio",
    "upper_ratio",
    "linky",
    "separators",
    "before_run",
    "after_run",
    "position",
    "after_stop",
    "prev_keep",
    "next_keep",
    "prev_prose",
    "next_prose",
    "prev_log_words",
    "next_log_words",
    "teaser_end",
    "colon_end",
    "repeats",
    "run_share_before",
    "is_title",
    "quote",
    "short",
    "very_short",
    "comma_ratio",
    "win_prose",
    "win_words",
    "win_bp",
    "dist_kept",
    "block",
    "block_rel",
    "bio",
    "after_soft_stop",
    "short_run",
    "unit",
    "topic",
    "topic_known",
)
# A quantity with its unit (ingredients, specifications, results): list lines that belong to the text.
_UNIT = re.compile(
    r"(?i)\d\s?(?:g|kg|mg|ml|cl|dl|l|el|tl|tbsp|tsp|cups?|oz|lbs?|min|mins|std|h|km|m|cm|mm|%|€|\$|£|gb|mb|kw|kwh|ps|"
    r"stück|stk|prise|esslöffel|teelöffel|tablespoons?|teaspoons?)\b|[€$£]\s?\d"
)
_SHORT_LINE = 4  # words: a line this short in a long run of such lines is a menu item
_WIN = 3
# An author's or outlet's self-description: "X ist Redakteur ...", "Jane is a professor at ...".
_BIO = re.compile(
    r"""(?ix)\b(?:ist|is|est|es|è|jest)\s+(?:\w+\s+){0,3}?(?:redakteur\w*|journalist\w*|autor\w*|author|
    editor|reporter|korrespondent\w*|correspondent|professor\w*|co-?founder|founder|gründer\w*|freelance\w*|
    writer|contributor|blogger(?:in)?|columnist|kolumnist\w*|
    freie[rn]?|rédact\w*|periodista|giornalista|dziennikarz\w*)\b|
    \b(?:studierte|arbeitet\ seit|schreibt\ (?:seit|für|über)|writes\ (?:about|for)|has\ written\ for|
    lives\ in\ \w+\ with|about\ the\ author|über\ (?:den|die)\ autor\w*|zur\ person)\b"""
)
# Headings that usually open what comes after the article: further reading, author box, sign-up.
_SOFT_STOP = re.compile(
    r"""(?ix)^\W*(?:about\ (?:the\ )?authors?|über\ (?:den|die)\ autor\w*|über\ uns|about\ us|zur\ person|
    newsletter\w*|weitere\ (?:artikel|beiträge|themen|nachrichten|meldungen|news)|ähnliche\ (?:beiträge|artikel)|
    verwandte\ (?:artikel|beiträge|themen)|das\ könnte\ sie\ auch\ interessieren|auch\ interessant|
    mehr\ (?:zum\ thema|aus|von|zu)\b.{0,30}|empfehlungen\b.{0,20}|related\b.{0,30}|
    you\ (?:may|might)\ also\ (?:like|enjoy)|
    (?:también\ )?(?:te|le)\ puede\ interesar|puedes\ ver|vous\ aimerez\ aussi|à\ lire\ (?:aussi|également)|
    sur\ le\ même\ (?:sujet|thème)|potrebbe\ interessarti|zobacz\ (?:też|także)|share\ this\b.{0,20}|
    teilen\b.{0,20}|tags?|schlagwörter|kategorien?|categories|weiterführende\ links?|quellen?|sources?
    )\W*$"""
)


@lru_cache(maxsize=64)
def stopwords_for(lang: str | None) -> frozenset[str]:
    """stopwordsiso's list for the language; empty when it has none."""
    if not lang or not stopwordsiso.has_lang(lang):
        return frozenset()
    return frozenset(stopwordsiso.stopwords(lang))


def _ratio(pattern: re.Pattern[str], text: str, base: int) -> float:
    return len(pattern.findall(text)) / base if base else 0.0


def features(
    texts: Sequence[str],
    info: Sequence[tuple[int, bool, bool, bool, bool, bool, bool, bool]],
    span: tuple[int, int],
    rule_kept: set[int],
    stop_at: int | None,
    title_at: int | None,
    stopwords: frozenset[str],
    scores: Sequence[float],
) -> list[list[float]]:
    """One feature row per line. ``info`` per line: words, prose, bp, sent_end, list_item,
    date_line, heading, teaser_end (from the rule classifier)."""
    n = len(texts)
    start, end = span
    toks = [[t.lower() for t in _TOKEN.findall(x)] for x in texts]
    stop_ratio = [sum(t in stopwords for t in ts) / len(ts) if ts and stopwords else 0.0 for ts in toks]
    run_stop = [stop_ratio[i] for i in range(start, end) if info[i][1]]
    run_mean = sum(run_stop) / len(run_stop) if run_stop else 0.3
    counts = Counter(" ".join(ts) for ts in toks)
    run_words = sum(info[i][0] for i in range(start, end) if i in rule_kept) or 1
    kept_sorted = sorted(rule_kept)
    # After a "further reading / about the author" heading that follows some article prose.
    soft_at, seen = n, 0
    for i in range(start, n):
        if seen >= 30 and info[i][0] <= 8 and _SOFT_STOP.match(texts[i]):
            soft_at = i
            break
        if info[i][1]:
            seen += info[i][0]
    block = _block_scores(scores)
    top = max(block) if block else 1.0
    short_run = _short_runs([x[0] for x in info])
    topic = _topic(toks, rule_kept, stopwords)
    rows: list[list[float]] = []
    cum = 0
    for i, text in enumerate(texts):
        words, prose, bp, sent_end, list_item, date_line, heading, teaser_end = info[i]
        letters = len(_LETTER.findall(text))
        prev = info[i - 1] if i > 0 else None
        nxt = info[i + 1] if i + 1 < n else None
        rows.append(
            [
                float(i in rule_kept),
                float(start <= i < end),
                math.log1p(words),
                float(prose),
                float(bp),
                float(sent_end),
                float(list_item),
                float(date_line),
                float(heading),
                stop_ratio[i],
                stop_ratio[i] - run_mean if stopwords else 0.0,
                _ratio(_DIGIT, text, len(text)),
                _ratio(_UPPER, text, letters),
                float(bool(_LINKY.search(text))),
                min(3.0, float(len(_SEPARATORS.findall(text)))),
                math.log1p(max(0, start - i)),
                math.log1p(max(0, i - end + 1)),
                i / max(1, n - 1),
                float(stop_at is not None and i >= stop_at),
                float(i - 1 in rule_kept),
                float(i + 1 in rule_kept),
                float(bool(prev and prev[1])),
                float(bool(nxt and nxt[1])),
                math.log1p(prev[0]) if prev else 0.0,
                math.log1p(nxt[0]) if nxt else 0.0,
                float(teaser_end),
                float(bool(_COLON_END.search(text))),
                math.log(counts[" ".join(toks[i])]) if toks[i] else 0.0,
                min(1.0, cum / run_words),
                float(i == title_at),
                float(bool(_QUOTE.search(text))),
                float(words <= 6),
                float(words <= 2),
                _ratio(_COMMA, text, max(1, words)),
                *_window(info, i),
                math.log1p(_distance(kept_sorted, i)),
                math.log1p(max(0.0, block[i])),
                max(0.0, block[i]) / top if top > 0 else 0.0,
                float(bool(_BIO.search(text))),
                float(i > soft_at),
                math.log1p(short_run[i]),
                float(bool(_UNIT.search(text))),
                *topic[i],
            ]
        )
        if i in rule_kept:
            cum += words
    return rows


def _short_runs(words: Sequence[int]) -> list[int]:
    """Per line, the length of the run of consecutive short lines it stands in (0 for a longer
    line): menus and link lists are long such runs, a list inside an article a short one."""
    out = [0] * len(words)
    i = 0
    while i < len(words):
        if words[i] > _SHORT_LINE:
            i += 1
            continue
        j = i
        while j < len(words) and words[j] <= _SHORT_LINE:
            j += 1
        for k in range(i, j):
            out[k] = j - i
        i = j
    return out


def _topic(
    toks: Sequence[Sequence[str]], kept: set[int], stopwords: frozenset[str], cut: int | None = None
) -> list[tuple[float, float]]:
    """Per line, the share of its content words (not stopwords, four letters or more) that the
    article's other lines (the rules' keep set) also use, and whether it has any content word:
    a heading or list item of the article shares its topic, a menu or teaser of another story does not.
    ``cut``: words compared by their first this many letters (``benchmarks/text_rules.py
    --topic-cut``, measured and not kept); whole words as shipped."""
    content = [{t[:cut] for t in ts if len(t) >= 4 and not t.isdigit() and t not in stopwords} for ts in toks]
    seen: Counter[str] = Counter()
    for i in kept:
        seen.update(content[i])
    out = []
    for i, ws in enumerate(content):
        if not ws:
            out.append((0.0, 0.0))
            continue
        own = 1 if i in kept else 0
        out.append((sum(seen[t] - own > 0 for t in ws) / len(ws), 1.0))
    return out


def _window(info: Sequence[tuple[int, bool, bool, bool, bool, bool, bool, bool]], i: int) -> list[float]:
    """Prose share, mean log length and furniture share of the neighbours within ``_WIN`` lines."""
    near = [info[j] for j in range(max(0, i - _WIN), min(len(info), i + _WIN + 1)) if j != i]
    if not near:
        return [0.0, 0.0, 0.0]
    k = len(near)
    return [sum(x[1] for x in near) / k, sum(math.log1p(x[0]) for x in near) / k, sum(x[2] for x in near) / k]


def _block_scores(scores: Sequence[float]) -> list[float]:
    """For each line, the best sum of line scores over a segment that contains it: how strongly
    it sits in a block of prose, whether or not that block is the page's main run."""
    n = len(scores)
    left = [0.0] * n  # best sum of a segment ending at i
    right = [0.0] * n  # best sum of a segment starting at i
    for i in range(n):
        left[i] = scores[i] + max(0.0, left[i - 1] if i else 0.0)
    for i in range(n - 1, -1, -1):
        right[i] = scores[i] + max(0.0, right[i + 1] if i + 1 < n else 0.0)
    return [left[i] + right[i] - scores[i] for i in range(n)]


def _distance(sorted_idx: Sequence[int], i: int) -> int:
    """Lines to the nearest rule-kept line (large when there is none)."""
    if not sorted_idx:
        return 1000
    lo = bisect_left(sorted_idx, i)
    best = 1000
    if lo < len(sorted_idx):
        best = sorted_idx[lo] - i
    if lo > 0:
        best = min(best, i - sorted_idx[lo - 1])
    return best


CONTEXT = (
    "p_logit",
    "p_prev",
    "p_next",
    "p_win",
    "p_win_wide",
    "p_block",
    "p_block_rel",
    "p_in_best",
    "p_mass_before",
    "p_mass_after",
    "p_page_mean",
    "lex_mean",
    "lex_min",
    "lex_max",
    "lex_known",
)
_P_WIN, _P_WIDE = 2, 6


def _linear(row: Sequence[float], w: dict[str, Any]) -> float:
    z = w["intercept"] + sum(c * (x - m) / s for x, m, s, c in zip(row, w["mean"], w["scale"], w["coef"], strict=True))
    return 1.0 / (1.0 + math.exp(-max(-30.0, min(30.0, z))))


def keep_probability(row: Sequence[float]) -> float:
    """The first-stage model's probability that the line belongs to the article, from the line
    and its near neighbours alone."""
    return _linear(row, WEIGHTS)


def words_of(text: str) -> list[str]:
    """The line's words as the lexical table counts them: lower case, no digits-only or
    one-letter tokens."""
    return [t for t in (x.lower() for x in _TOKEN.findall(text)) if len(t) > 1 and not t.isdigit()]


def lexical(text: str, table: dict[str, float]) -> list[float]:
    """Mean, lowest and highest fitted log-odds (article vs furniture) of the line's words, and
    the share of its words the table knows: "kommentar", "newsletter", "founder" lean one way,
    however the line is shaped."""
    toks = words_of(text)
    vals = [table[t] for t in toks if t in table]
    if not vals:
        return [0.0, 0.0, 0.0, 0.0]
    return [sum(vals) / len(vals), min(vals), max(vals), len(vals) / len(toks)]


def context(
    probs: Sequence[float], words: Sequence[int], texts: Sequence[str] = (), table: dict[str, float] | None = None
) -> list[list[float]]:
    """Second-stage inputs: what the first stage thinks of the line's surroundings. A line in a
    long stretch of likely article lines is article even when it looks weak itself (a list item,
    a table cell); a prose line in a stretch of furniture is furniture (a sidebar blurb)."""
    n = len(probs)
    if not n:
        return []
    logit = [math.log(max(1e-6, p) / max(1e-6, 1 - p)) for p in probs]
    # Evidence for "article" per line, weighted by length: a long line says more than a short one.
    gain = [(p - 0.5) * math.log1p(w) for p, w in zip(probs, words, strict=True)]
    block = _block_scores(gain)
    top = max(block)
    best = _best_segment(gain)
    mass = [max(0.0, g) for g in gain]
    total = sum(mass) or 1.0
    cum = 0.0
    mean_p = sum(probs) / n
    rows = []
    for i in range(n):
        rows.append(
            [
                logit[i],
                probs[i - 1] if i > 0 else 0.0,
                probs[i + 1] if i + 1 < n else 0.0,
                _mean(probs, i, _P_WIN),
                _mean(probs, i, _P_WIDE),
                math.copysign(math.log1p(abs(block[i])), block[i]),
                block[i] / top if top > 0 else 0.0,
                float(best[0] <= i < best[1]),
                cum / total,
                (total - cum - mass[i]) / total,
                mean_p,
                *lexical(texts[i] if texts else "", table if table is not None else WEIGHTS.get("tokens", {})),
            ]
        )
        cum += mass[i]
    return rows


def _mean(values: Sequence[float], i: int, k: int) -> float:
    near = [values[j] for j in range(max(0, i - k), min(len(values), i + k + 1)) if j != i]
    return sum(near) / len(near) if near else 0.0


def _best_segment(scores: Sequence[float]) -> tuple[int, int]:
    best, span, cur, start = 0.0, (0, 0), 0.0, 0
    for i, s in enumerate(scores):
        if cur <= 0:
            cur, start = 0.0, i
        cur += s
        if cur > best:
            best, span = cur, (start, i + 1)
    return span


_TREE_ARRAYS: dict[int, tuple[dict[str, Any], tuple[np.ndarray, ...]]] = {}


def _tree_arrays(model: dict[str, Any]) -> tuple[np.ndarray, ...]:
    """The trees as (trees x nodes) arrays of feature, threshold, left, right, value (padded)."""
    hit = _TREE_ARRAYS.get(id(model))
    if hit is not None and hit[0] is model:
        return hit[1]
    trees = model["trees"]
    width = max(len(t[0]) for t in trees)

    def col(c: int, fill: float, dtype: type) -> np.ndarray:
        return np.array([[*t[c], *[fill] * (width - len(t[c]))] for t in trees], dtype=dtype)

    arrays = (
        col(0, 0, np.intp),
        col(1, 0.0, np.float64),
        col(2, -1, np.intp),
        col(3, -1, np.intp),
        col(4, 0.0, np.float64),
    )
    _TREE_ARRAYS[id(model)] = (model, arrays)
    return arrays


def _boosted(rows: Sequence[Sequence[float]], model: dict[str, Any]) -> list[float]:
    """Probabilities from a sum of small regression trees (gradient boosting on log-loss), all
    lines and trees at once. Each tree is (feature, threshold, left, right, value) per node; a
    leaf has ``left`` -1 and its value already scaled by the learning rate; an input goes left
    when, in single precision (as the trees were fitted), it is at most the threshold."""
    feature, thresh, left, right, value = _tree_arrays(model)
    x = np.asarray(rows, dtype=np.float32)
    tree = np.arange(feature.shape[0])[None, :]
    line = np.arange(x.shape[0])[:, None]
    node = np.zeros((x.shape[0], feature.shape[0]), dtype=np.intp)
    while True:
        nxt = left[tree, node]
        inner = nxt >= 0
        if not inner.any():
            break
        go_left = x[line, feature[tree, node]] <= thresh[tree, node]
        node = np.where(inner, np.where(go_left, nxt, right[tree, node]), node)
    z = np.clip(float(model["base"]) + value[tree, node].sum(axis=1), -30.0, 30.0)
    return [float(p) for p in 1.0 / (1.0 + np.exp(-z))]


def keep_probabilities(rows: Sequence[Sequence[float]], words: Sequence[int], texts: Sequence[str]) -> list[float]:
    """Final per-line probabilities: the first stage, then the second over its context (when
    fitted). The second stage is boosted trees: "a long prose line far into the page but in a
    weak block" is an interaction a linear model cannot draw."""
    first = [keep_probability(r) for r in rows]
    second = WEIGHTS.get("stage2")
    if (
        not second
        or second.get("n_features", len(second.get("coef", ()))) != len(FEATURES) + len(CONTEXT)
        or max(first, default=0.0) < 0.5
    ):
        return first  # no model, or no line that looks like article text to build a context on
    full = [[*r, *c] for r, c in zip(rows, context(first, words, texts), strict=True)]
    return _boosted(full, second) if "trees" in second else [_linear(r, second) for r in full]


def has_model() -> bool:
    return len(WEIGHTS["coef"]) == len(FEATURES)


def threshold() -> float:
    """Probability from which a line is kept."""
    return float(WEIGHTS["threshold"])


def drop_threshold() -> float:
    """Probability under which a line the rules kept is dropped."""
    return float(WEIGHTS.get("drop_below", WEIGHTS["threshold"]))
