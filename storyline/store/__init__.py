"""Where results live. SQLite (one file) by default, PostgreSQL for a ``postgresql://`` URL;
the interface is in ``base``."""

from __future__ import annotations

import re
from pathlib import Path

from storyline.store.base import Store


def is_url(location: str | Path) -> bool:
    """True for a PostgreSQL URL (``postgresql://`` or ``postgres://``), False for a file path."""
    return str(location).startswith(("postgresql://", "postgres://"))


def shown(location: str | Path) -> str:
    """A store's location as it may be printed: a URL's password masked."""
    return re.sub(r"(://[^:/@]+):[^@/]*@", r"\1:***@", str(location))


def open_store(path: str | Path = "storyline.db", *, readonly: bool = False) -> Store:
    """Open (creating if needed) the store at ``path``: a SQLite file, or a PostgreSQL database
    given as a ``postgresql://`` URL (needs ``pip install 'storyline[postgres]'``)."""
    if is_url(path):
        from storyline.store.postgres import PostgresStore

        return PostgresStore(str(path), readonly=readonly)
    from storyline.store.sqlite import SQLiteStore

    return SQLiteStore(path, readonly=readonly)


__all__ = ["Store", "is_url", "open_store", "shown"]
