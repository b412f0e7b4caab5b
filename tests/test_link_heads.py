"""A stored neighbour scored from its head (issue 20, session 16).

With the shipped weights the mixed score of a pair that is not a near-duplicate uses the centred
cosine, the entity overlap and the cross-lingual term: language, vector and entities, all in a
stored article's head (``state.HEAD``, ~2 KB). A near-duplicate is a pair the LSH bands return and
the exact shingle Jaccard confirms; every other vector neighbour is scored from its head, and its
~65 KB of word bags and shingles stays in the store. At a million stored articles the neighbours of
a new article are mostly articles no later step needs, whose whole features were read (405-450 per
300 new articles, against 210-240 at 1k) and dropped again."""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pytest

from storyline import Pipeline, open_store
from storyline.link import LinkConfig, events, state
from storyline.link.similarity import Features, combine, features, head_decides, signals
from storyline.models import Article, Rejected
from storyline.pipeline import _LinkState

GATE = Path(__file__).parent / "data" / "gate"


@pytest.fixture(scope="module")
def gate_articles() -> list[Article]:
    from hash_encoder import HashEncoder

    from storyline.sources import read_inputs

    raws = [r for r in read_inputs([GATE / "events" / "articles.jsonl"]) if not isinstance(r, Rejected)]
    return [a for a in Pipeline(encoder=HashEncoder()).prepare(raws) if isinstance(a, Article)]


def _link_all(links: _LinkState, arts: Sequence[Article]) -> list[object]:
    return [links.linker.add(arts[i : i + 16]) for i in range(0, len(arts), 16)]


def test_stored_neighbours_are_scored_from_their_heads_with_the_same_links(
    gate_articles: list[Article], db: str
) -> None:
    """Two start-ups from one store link the same late articles (nothing written): one reads the
    neighbours' heads, the other (a loader without ``heads``) their whole features, as main did.
    Same assignments; the first reads fewer whole features and some heads."""
    first = gate_articles[: len(gate_articles) * 3 // 4]
    late = [dataclasses.replace(a, id=f"late-{a.id}") for a in first[::9]] + gate_articles[len(first) :]
    st = open_store(db)
    built = _LinkState.from_store(st)
    for i in range(0, len(first), 16):
        built.add(first[i : i + 16], st)
    heads, whole = _LinkState.from_store(st), _LinkState.from_store(st)
    whole.stored_features.heads = None  # type: ignore[assignment,method-assign]  # as a loader that cannot
    got, want = _link_all(heads, late), _link_all(whole, late)
    st.close()
    assert got == want
    fh, fw = heads.linker._events.feats, whole.linker._events.feats
    assert fh.head_loads > 0 and fw.head_loads == 0
    assert fh.loads < fw.loads


def test_a_store_reads_heads_without_the_rest(gate_articles: list[Article], db: str) -> None:
    st = open_store(db)
    links = _LinkState.from_store(st)
    links.add(gate_articles[:8], st)
    ids = [a.id for a in gate_articles[:8]]
    whole = st.link_features(ids)
    only = st.link_features(ids, rest=False)
    st.close()
    assert set(only) == set(whole) == set(ids)
    for i in ids:
        assert only[i] == (whole[i][0], b"")
        f, h = state.decode(*whole[i]), state.decode_head_features(only[i][0])
        assert (h.id, h.lang, h.published, h.entities) == (f.id, f.lang, f.published, f.entities)
        assert np.array_equal(h.vector, f.vector) and not h.words and not h.shingles


def test_a_neighbour_the_bands_did_not_return_is_no_near_duplicate(
    gate_articles: list[Article], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The same pair, a re-post (Jaccard 1): 1.0 when the LSH bands return it, else the score of
    its cosine and entities (the rule since session 16; before, the vector search finding it made
    it a near-duplicate too)."""
    cfg = LinkConfig()
    a = gate_articles[0]
    fa, fb = features(a), features(dataclasses.replace(a, id="copy"))
    idx = events.EventIndex(cfg)
    idx.add(fa)
    assert idx.candidates(fb) == {a.id: 1.0}
    monkeypatch.setattr(idx._dups, "query", lambda shingles: [])  # an LSH miss
    sig = signals(fb, fa, cfg)
    assert sig["duplicate"] == 1.0
    sig["duplicate"] = None
    assert idx.candidates(fb) == {a.id: combine(sig, cfg)} and cfg.event_threshold < combine(sig, cfg) < 1.0


def test_the_head_decides_only_while_no_weight_needs_the_rest() -> None:
    assert head_decides(LinkConfig())  # the shipped weights
    for name in ("title", "words", "numbers", "title_missing"):
        cfg = LinkConfig(weights=(*LinkConfig().weights, (name, 0.5)))
        assert not head_decides(cfg)


def test_with_a_weight_on_words_the_whole_features_are_read(gate_articles: list[Article], db: str) -> None:
    """A configuration weighing the word bags scores every neighbour from its whole features."""
    cfg = LinkConfig(weights=(*LinkConfig().weights, ("words", 0.5)))
    st = open_store(db)
    links = _LinkState.from_store(st)
    links.add(gate_articles[:40], st)
    again = _LinkState.from_store(st)
    idx = again.linker._events
    object.__setattr__(idx, "cfg", cfg)
    f = features(gate_articles[40])
    scores = idx.candidates(f)
    st.close()
    assert scores and idx.feats.head_loads == 0 and idx.feats.loads > 0
    held: dict[str, Features] = {k: idx.feats[k] for k in scores}
    assert scores == {k: combine(signals(f, g, cfg) | {"duplicate": None}, cfg) if k not in idx._dups.query(f.shingles)
                      else combine(signals(f, g, cfg), cfg) for k, g in held.items()}
