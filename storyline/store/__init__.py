"""Where results live. SQLite (one file) by default; the interface is in ``base``."""

from __future__ import annotations

from pathlib import Path

from storyline.store.base import Store


def open_store(path: str | Path = "storyline.db", *, readonly: bool = False) -> Store:
    """Open (creating if needed) the store at ``path``."""
    from storyline.store.sqlite import SQLiteStore

    return SQLiteStore(path, readonly=readonly)


__all__ = ["Store", "open_store"]
