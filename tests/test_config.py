"""Settings: defaults < storyline.toml < environment < command line."""

from __future__ import annotations

from pathlib import Path

import pytest

from storyline.config import load_settings
from storyline.errors import UsageError


def test_layers_in_order(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("STORYLINE_DB", raising=False)
    assert load_settings().db == "storyline.db"
    (tmp_path / "storyline.toml").write_text('[storyline]\ndb = "file.db"\nbatch_size = 8\n')
    assert load_settings().db == "file.db" and load_settings().batch_size == 8
    monkeypatch.setenv("STORYLINE_DB", "env.db")
    assert load_settings().db == "env.db"
    assert load_settings(db="cli.db").db == "cli.db"


def test_bad_settings_are_usage_errors(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "storyline.toml").write_text('[storyline]\ncolour = "red"\n')
    with pytest.raises(UsageError, match="unknown setting 'colour'"):
        load_settings()
    with pytest.raises(UsageError, match="no such settings file"):
        load_settings(tmp_path / "nope.toml")
    (tmp_path / "storyline.toml").write_text("[storyline]\nbatch_size = 0\n")
    with pytest.raises(UsageError, match="batch_size"):
        load_settings()
