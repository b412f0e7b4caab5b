"""The fast variant of benchmarks/faults.py (issue 19): SIGKILL `storyline run` three times at
random moments on a small dev-data sample, then let it finish; the export must equal an
uninterrupted run's (same articles and fields, same event and storyline partitions)."""

from __future__ import annotations

from pathlib import Path

import pytest
from bench_module import load

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT.parent / "shared" / "data"
SAMPLE = ROOT / "tests" / "data" / "faults-sample.jsonl"


def test_killed_runs_end_identical(tmp_path: Path) -> None:
    faults = load("faults.py", "faults")
    if not SAMPLE.exists():
        pytest.skip("tests/data/faults-sample.jsonl is missing")
    result = faults.main(["--input", str(SAMPLE), "--kills", "3", "--batch-size", "4", "--window", "6",
                          "--cache", str(tmp_path / "vectors.sqlite"), "--work", str(tmp_path / "work")])
    assert result["kills"] == 3
    assert result["identical"], result
