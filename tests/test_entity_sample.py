"""Entity kinds and variant merging on the labelled sample's seed part (issue 16), with floors.

The labels (``tests/data/entities/labelled.tsv``, built by hand, source named in its header) cover
30 dev storylines articles and the five seeds; ``benchmarks/entities.py`` scores all of it beside
today's extractor. The seeds ship with the project, so this test runs everywhere."""

from __future__ import annotations

from pathlib import Path

import pytest
from bench_module import load

ROOT = Path(__file__).resolve().parents[1]


def _bench():  # type: ignore[no-untyped-def]
    return load("entities.py", "bench_entities")


@pytest.fixture(scope="module")
def seeds_scored() -> dict:
    bench = _bench()
    ids, labels = bench.read_labels()
    seeds = [i for i in ids if i.startswith("seed-")]
    assert len(seeds) == 5
    found = bench.extract(bench.sample_articles(seeds, data=ROOT / "missing"))
    return {"found": found, "labels": labels,
            "score": bench.score(found, labels, bench.gold_pool([found], labels))}


def test_seed_kinds_and_merging_keep_their_floors(seeds_scored: dict) -> None:
    s = seeds_scored["score"]
    # measured 0.97 / 1.00 / 1.00 on the seeds; the whole sample, beside today.s code: benchmarks/entities.py
    assert s["kind P"] >= 0.85, s
    assert s["merge P"] >= 0.95, s
    assert s["keys/entity"] <= 1.15, s


def test_seed_noise_and_kinds_from_the_issue(seeds_scored: dict) -> None:
    got = {(e[2], e[1]) for ents in seeds_scored["found"].values() for e in ents}
    surfaces = {s for s, _ in got}
    assert "Alberto Pezzali" not in surfaces  # a photo credit, not a person in the story
    assert ("Nagorno-Karabakh", "place") in got  # as the seeds write it (audit 18: hyphens kept)
    assert ("Erdogan", "person") in got
    assert not any(k == "org" and "Sea" in s for s, k in got)


def test_spellings_are_one_entity() -> None:
    from storyline.enrich.entities import extract_entities

    text = ("Muammar Gaddafi. Kadhafi. Gheddafi. Каддафи. Gadafi. Gadhafi. Bashar al-Assad, "
            "Bachar el-Assad y Assad. Erdoğan y Erdogan. -LRB- Reuters -RRB- Black Sea.")
    ents = extract_entities(text, "es")
    keys = {e.key for e in ents}
    assert {"name:gadafi", "name:asad", "name:erdogan"} <= keys
    assert not any(k in keys for k in ("name:kadhafi", "name:ghedafi", "name:gadhafi", "name:lrb", "name:rrb"))
    kinds = {e.key: e.kind for e in ents}
    assert kinds["name:gadafi"] == kinds["name:asad"] == kinds["name:erdogan"] == "person"
    assert kinds.get("place:black-sea") == "place"
