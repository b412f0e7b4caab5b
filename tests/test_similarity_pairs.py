"""``similarity`` on real SemEval-2022 dev pairs (fixture: tests/data/similarity23, see its README)."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from storyline.link.similarity import combine, event_part, features, signals, similarity
from storyline.models import Article, Entity

DATA = Path(__file__).resolve().parent / "data" / "similarity23" / "pairs.jsonl"


def _article(x: dict) -> Article:  # type: ignore[type-arg]
    return Article(
        id=x["id"],
        title=x["title"],
        body=x["body"],
        lang=x["lang"],
        published=None,
        entities=tuple(Entity(k, kind, text) for k, kind, text in x["entities"]),
        numbers=tuple(x["numbers"]),
        vector=np.asarray(x["vector"], dtype=np.float32),
    )


def _pairs() -> dict[str, tuple[Article, Article]]:
    rows = [json.loads(line) for line in DATA.read_text(encoding="utf-8").splitlines() if line.strip()]
    return {r["pair_id"]: (_article(r["a"]), _article(r["b"])) for r in rows}


def test_shared_entities_within_a_language_do_not_lift_another_happening() -> None:
    """Issue 17, session 23: two items on one film (gold "very dissimilar", 4 shared entity keys)
    scored above one story told twice (gold "very similar", 1 shared key), because the same-event
    share weighed the shared entities within one language too. Within a language the share now
    reads the centred cosine alone."""
    pairs = _pairs()
    film = pairs["1546436608_1537314287"]
    weed = pairs["1517421409_1483931131"]
    assert similarity(*weed) > similarity(*film)
    sig = signals(features(film[0]), features(film[1]))
    assert sig["entities"] is not None and sig["entities"] > 0.25 and not sig["crosslingual"]
    assert event_part(sig) < combine(sig)  # the entities are what lifted it
