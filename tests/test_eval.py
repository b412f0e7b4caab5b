"""Our metrics agree with the reference scorer (shared/eval/score.py) to the third decimal."""

from __future__ import annotations

import importlib.util
import json
import random
from pathlib import Path

import pytest

from storyline import eval as ev

SCORER = Path(__file__).resolve().parents[2] / "shared" / "eval" / "score.py"


def test_bcubed_and_pairwise_by_hand() -> None:
    gold = {"a": 1, "b": 1, "c": 2, "d": 2}
    pred = {"a": "x", "b": "x", "c": "x"}  # d missing: its own singleton
    b = ev.bcubed(pred, gold)
    # precision: a,b,c each 1/3 or 2/3 correct: a=2/3, b=2/3, c=1/3, d=1 → 8/12
    assert b.p == pytest.approx((2 / 3 + 2 / 3 + 1 / 3 + 1) / 4)
    assert b.r == pytest.approx((1 + 1 + 0.5 + 0.5) / 4)
    pw = ev.pairwise(pred, gold)
    assert pw.p == pytest.approx(1 / 3) and pw.r == pytest.approx(1 / 2)


def test_extraction_snippets_pearson_by_hand() -> None:
    assert ev.bag_of_words("the cat sat", "the cat").f1 == pytest.approx(0.8)
    assert ev.extraction({"p": "a b"}, {"p": "a b", "q": "c"}).f1 == pytest.approx(0.5)
    s = ev.snippets({"1": "Hello   World here"}, [{"id": "1", "with": ["hello world"], "without": ["here", "gone"]}])
    assert (s.p, s.r) == (0.5, 1.0)
    assert ev.pearson([1, 2, 3], [2, 4, 6]) == pytest.approx(1.0)
    xl, n = ev.crosslingual_recall(
        {"a": 1, "b": 1, "c": 2}, {"a": 0, "b": 0, "c": 0}, {"a": "en", "b": "fr", "c": "it"}
    )
    assert n == 3 and xl == pytest.approx(1 / 3)


@pytest.mark.skipif(not SCORER.exists(), reason="the reference scorer lives in ../shared, beside the clone")
def test_agrees_with_reference_scorer(tmp_path: Path) -> None:
    spec = importlib.util.spec_from_file_location("score", SCORER)
    assert spec and spec.loader
    score = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(score)
    rng = random.Random(7)
    ids = [f"a{i}" for i in range(300)]
    gold = {i: rng.randrange(30) for i in ids}
    pred = {i: rng.randrange(40) for i in ids if rng.random() < 0.9}
    g, p = tmp_path / "g.jsonl", tmp_path / "p.jsonl"
    g.write_text("".join(json.dumps({"id": i, "event": e}) + "\n" for i, e in gold.items()))
    p.write_text("".join(json.dumps({"id": i, "event": e}) + "\n" for i, e in pred.items()))
    ref = score.events(str(p), str(g))
    assert round(ev.bcubed(pred, gold).f1, 3) == round(ref["bcubed_f1"], 3)
    assert round(ev.pairwise(pred, gold).f1, 3) == round(ref["pair_f1"], 3)
    words = ["alpha", "beta", "gamma", "delta", "epsilon", "zeta"]
    gb = {i: " ".join(rng.choices(words, k=20)) for i in ids[:50]}
    pb = {i: " ".join(rng.choices(words, k=15)) for i in ids[:45]}
    g.write_text("".join(json.dumps({"id": i, "body": b}) + "\n" for i, b in gb.items()))
    p.write_text("".join(json.dumps({"id": i, "body": b}) + "\n" for i, b in pb.items()))
    assert round(ev.extraction(pb, gb).f1, 3) == round(score.extraction(str(p), str(g))["f1"], 3)
