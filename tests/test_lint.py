"""One command lints and type-checks: ruff and mypy run as part of the test suite, so CI
enforces them. Skipped only where the tools are not installed (they are in the [test] extra)."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.skipif(shutil.which("ruff") is None, reason="ruff is in the [test] extra")
def test_ruff_clean() -> None:
    proc = subprocess.run(
        ["ruff", "check", "storyline", "tests", "benchmarks"], cwd=ROOT, capture_output=True, text=True
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_mypy_clean() -> None:
    pytest.importorskip("mypy", reason="mypy is in the [test] extra")
    proc = subprocess.run([sys.executable, "-m", "mypy"], cwd=ROOT, capture_output=True, text=True)
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_imports_point_one_way() -> None:
    """Stages never import one another, nor the pipeline, store or shells."""
    stages = ["sources", "clean", "enrich", "link", "timeline", "describe"]
    upper = ["storyline.pipeline", "storyline.store", "storyline.cli", "storyline.render"]
    for stage in stages:
        files = list((ROOT / "storyline" / stage).rglob("*.py")) or [ROOT / "storyline" / f"{stage}.py"]
        for f in files:
            text = f.read_text(encoding="utf-8")
            for other in stages:
                if other != stage:
                    assert f"storyline.{other}" not in text, f"{f.relative_to(ROOT)} imports stage {other}"
            for up in upper:
                assert up not in text, f"{f.relative_to(ROOT)} imports {up}"
