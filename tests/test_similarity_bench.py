"""The helpers of ``benchmarks/similarity.py``'s issue-17 checks (``--shape``, ``--tail``, ``--align``):
the sentences a text is aligned by, what the tail cleaning takes out, and the refit that scores an
added signal. The checks themselves need the SemEval dev pairs and the encoder; these do not."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def bench() -> ModuleType:
    sys.path.insert(0, str(ROOT / "benchmarks"))  # the benchmark imports its sibling ``common``
    try:
        spec = importlib.util.spec_from_file_location("bench_similarity", ROOT / "benchmarks" / "similarity.py")
        assert spec is not None and spec.loader is not None
        mod = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(mod)
        return mod
    finally:
        sys.path.remove(str(ROOT / "benchmarks"))


def test_sentences_split_every_script_and_keep_short_pieces_with_their_sentence(bench: ModuleType) -> None:
    text = ("Headline of the story\nThe minister resigned on Monday. Reklama. A new vote follows in May.\n"
            "قال الوزير في بيان رسمي إنه سيستقيل من منصبه. هل ستجرى انتخابات جديدة في البلاد هذا العام؟ "
            "نعم ستجرى قريبا جدا في البلاد.\n"
            "東京で地震があった。被害は小さいと発表された。")
    got = bench.text_sentences(text)
    assert got[:3] == ["Headline of the story", "The minister resigned on Monday. Reklama.",
                       "A new vote follows in May."]
    assert got[3] == "قال الوزير في بيان رسمي إنه سيستقيل من منصبه."
    assert got[4] == "هل ستجرى انتخابات جديدة في البلاد هذا العام؟"
    # Japanese splits at 。; sentences this short (in characters) join the one before them.
    assert got[5].endswith("被害は小さいと発表された。") and "東京で地震があった。 " in got[5]
    assert len(bench.text_sentences(text, most=2)) == 2


def test_tail_cleaning_takes_furniture_out_of_the_tail_only(bench: ModuleType) -> None:
    body = "Subscribe today. " + "The council met for hours and agreed on the budget for next year. " * 8
    text = body + "\nSubscribe today"
    got = bench.cleaned_tail(text)
    assert got.startswith("Subscribe today. ")  # the head is never touched
    assert not got.rstrip().endswith("Subscribe today")
    plain = "The council met for hours and agreed on the budget for next year. " * 8
    assert bench.cleaned_tail(plain) == plain


def test_refit_adds_a_signal_only_through_the_other_groups_fit(bench: ModuleType) -> None:
    rng = np.random.default_rng(0)
    base, signal = rng.normal(size=200), rng.normal(size=200)
    keys = np.arange(200) % 2
    t = base + 0.5 * signal + rng.normal(scale=0.1, size=200)
    got = bench._refit(base, signal, keys, t)
    assert np.corrcoef(got, t)[0, 1] > 0.99 > np.corrcoef(base, t)[0, 1]
    flat = bench._refit(base, np.zeros(200), keys, t)  # nothing added: a line of the base in each group
    for k in (0, 1):
        assert abs(np.corrcoef(flat[keys == k], base[keys == k])[0, 1] - 1) < 1e-9
