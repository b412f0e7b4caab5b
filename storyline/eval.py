"""Metrics for labelled data, the same as the reference scorer used for acceptance.

Kept dependency-free and formula-for-formula identical to ``shared/eval/score.py`` so that a
benchmark here and an outside check agree to the third decimal (a test pins this).
"""

from __future__ import annotations

import collections
import datetime as dt
import math
import re
import unicodedata
from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any


@dataclass(frozen=True)
class PRF:
    p: float
    r: float
    f1: float


def _f(p: float, r: float) -> float:
    return 2 * p * r / (p + r) if p + r else 0.0


def _labels(pred: Mapping[str, Hashable], gold: Mapping[str, Hashable]) -> dict[str, Hashable]:
    # A missing prediction is its own singleton.
    return {i: pred.get(i, ("__missing__", i)) for i in gold}


def bcubed(pred: Mapping[str, Hashable], gold: Mapping[str, Hashable]) -> PRF:
    """BCubed precision/recall/F1 over the gold ids."""
    pl = _labels(pred, gold)
    gc: dict[Hashable, set[str]] = collections.defaultdict(set)
    pc: dict[Hashable, set[str]] = collections.defaultdict(set)
    for i in gold:
        gc[gold[i]].add(i)
        pc[pl[i]].add(i)
    p = r = 0.0
    for i in gold:
        inter = len(gc[gold[i]] & pc[pl[i]])
        p += inter / len(pc[pl[i]])
        r += inter / len(gc[gold[i]])
    n = len(gold) or 1
    return PRF(p / n, r / n, _f(p / n, r / n))


def pairwise(pred: Mapping[str, Hashable], gold: Mapping[str, Hashable]) -> PRF:
    """Precision/recall/F1 over same-cluster pairs."""
    pl = _labels(pred, gold)

    def pairs(counts: Iterable[int]) -> int:
        return sum(n * (n - 1) // 2 for n in counts)

    tp = pairs(collections.Counter((gold[i], pl[i]) for i in gold).values())
    pp = pairs(collections.Counter(pl.values()).values())
    gp = pairs(collections.Counter(gold.values()).values())
    p = tp / pp if pp else 0.0
    r = tp / gp if gp else 0.0
    return PRF(p, r, _f(p, r))


def crosslingual_recall(
    pred: Mapping[str, Hashable], gold: Mapping[str, Hashable], lang: Mapping[str, str | None]
) -> tuple[float, int]:
    """Of the gold same-cluster pairs in two different languages, the share predicted together."""
    by: dict[Hashable, list[str]] = collections.defaultdict(list)
    for i, s in gold.items():
        by[s].append(i)
    tot = hit = 0
    for ids in by.values():
        for x in range(len(ids)):
            for y in range(x + 1, len(ids)):
                a, b = ids[x], ids[y]
                la, lb = lang.get(a), lang.get(b)
                if la and lb and la != lb:
                    tot += 1
                    hit += pred.get(a) is not None and pred.get(a) == pred.get(b)
    return (hit / tot if tot else 0.0), tot


def pearson(x: Sequence[float], y: Sequence[float]) -> float:
    n = len(x)
    if n == 0:
        return 0.0
    mx, my = sum(x) / n, sum(y) / n
    sx = math.sqrt(sum((a - mx) ** 2 for a in x))
    sy = math.sqrt(sum((b - my) ** 2 for b in y))
    return sum((a - mx) * (b - my) for a, b in zip(x, y, strict=True)) / (sx * sy) if sx and sy else 0.0


_TOK = re.compile(r"\w+", re.UNICODE)


def _bag(s: str | None) -> collections.Counter[str]:
    return collections.Counter(t.lower() for t in _TOK.findall(s or ""))


def bag_of_words(pred: str | None, gold: str | None) -> PRF:
    """Token-bag precision/recall/F1 of one extracted body against the gold body."""
    gt, pt = _bag(gold), _bag(pred)
    inter = sum((gt & pt).values())
    p = inter / sum(pt.values()) if pt else 0.0
    r = inter / sum(gt.values()) if gt else 0.0
    return PRF(p, r, _f(p, r))


def extraction(pred: Mapping[str, str], gold: Mapping[str, str]) -> PRF:
    """Bag-of-words P/R/F1 averaged over the gold pages (a missing page scores 0)."""
    scores = [bag_of_words(pred.get(i, ""), g) for i, g in gold.items()]
    n = len(scores) or 1
    return PRF(sum(s.p for s in scores) / n, sum(s.r for s in scores) / n, sum(s.f1 for s in scores) / n)


def _norm(s: str | None) -> str:
    return " ".join(unicodedata.normalize("NFC", s or "").lower().split())


def snippets(pred: Mapping[str, str], gold: Sequence[Mapping[str, object]]) -> PRF:
    """trafilatura's evaluation: a kept 'with' segment is a true positive, a kept 'without'
    segment a false positive; micro-averaged over all segments."""
    tp = fn = fp = 0
    for g in gold:
        body = _norm(pred.get(str(g["id"]), ""))
        for seg in g["with"]:  # type: ignore[attr-defined]
            if _norm(seg) in body:
                tp += 1
            else:
                fn += 1
        for seg in g["without"]:  # type: ignore[attr-defined]
            fp += _norm(seg) in body
    p = tp / (tp + fp) if tp + fp else 0.0
    r = tp / (tp + fn) if tp + fn else 0.0
    return PRF(p, r, _f(p, r))


# --- timelines (tilse, as the reference scorer uses it) ----------------------------------------


def parse_timeline(text: str) -> dict[dt.date, list[str]]:
    """tilse format: a YYYY-MM-DD line, sentences, a line of dashes. Malformed dates are skipped
    and repeated dates merged (public references have both)."""
    d2s: dict[dt.date, list[str]] = collections.defaultdict(list)
    for block in re.split(r"\n-{5,}\s*\n?", text):
        lines = [x.strip() for x in block.strip().splitlines() if x.strip()]
        if not lines:
            continue
        try:
            d = dt.date.fromisoformat(lines[0][:10])
        except ValueError:
            continue
        d2s[d] += lines[1:]
    return dict(d2s)


def read_references(refdir: str | Path) -> list[dict[dt.date, list[str]]]:
    return [
        parse_timeline(p.read_text(encoding="utf-8", errors="replace")) for p in sorted(Path(refdir).glob("*.txt"))
    ]


def reference_shape(refdir: str | Path) -> tuple[int, int]:
    """Dates and mean sentences per date of the first reference: the news-tls budget."""
    ref = read_references(refdir)[0]
    n = len(ref)
    sents = sum(len(v) for v in ref.values()) / max(1, n)
    return n, max(1, round(sents))


def timeline_scores(entries: Sequence[Any], refdir: str | Path) -> dict[str, float]:
    """Alignment ROUGE-1/2 F (many-to-one, date-content costs) and date F1, averaged over the
    references; ``entries`` are TimelineEntry-like (``date``, ``summary``). Needs ``tilse``."""
    from tilse.data import timelines
    from tilse.evaluation import dates as tdates
    from tilse.evaluation import rouge

    d2s: dict[dt.date, list[str]] = collections.defaultdict(list)
    for e in entries:
        d2s[e.date] += list(e.summary)
    if not d2s:
        return {"ar1_f": 0.0, "ar2_f": 0.0, "date_f1": 0.0}
    pred = timelines.Timeline(dict(d2s))
    evaluator = rouge.TimelineRougeEvaluator(measures=["rouge_1", "rouge_2"], rouge_computation="reimpl")
    ar1, ar2, df = [], [], []
    for ref in read_references(refdir):
        gt = timelines.GroundTruth([timelines.Timeline(ref)])
        al = evaluator.evaluate_align_date_content_costs_many_to_one(pred, gt)
        ar1.append(al["rouge_1"]["f_score"])
        ar2.append(al["rouge_2"]["f_score"])
        df.append(tdates.evaluate_dates(pred, gt)["f_score"])
    k = len(ar1) or 1
    return {"ar1_f": sum(ar1) / k, "ar2_f": sum(ar2) / k, "date_f1": sum(df) / k}
