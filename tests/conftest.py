"""Fixtures shared by several test modules."""

import pytest
from store_params import db  # noqa: F401 - every store-dependent test runs on SQLite and PostgreSQL


@pytest.fixture(autouse=True)
def _link_cache(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    """Linker snapshots (``storyline.pipeline.link_cache``) go to a temporary folder, never to the
    home directory of whoever runs the tests."""
    monkeypatch.setenv("STORYLINE_LINK_CACHE", str(tmp_path_factory.mktemp("link-cache")))
