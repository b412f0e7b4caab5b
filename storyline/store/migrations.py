"""Versioned schema migrations, applied when a store is opened for writing.

Each store keeps a ``schema_migrations`` table (version, name, applied_at) and a short ordered
list of ``Migration``s in its own SQL dialect. Opening a store for writing takes the store's
writer lock, applies every migration newer than the highest recorded one, and records each in the
same transaction as its change: a crash leaves either the old schema or the new one, and two
processes opening one database at once cannot both apply a step. A read-only opening applies
nothing and refuses a database newer than the code (``check_version``).

Why not Alembic or yoyo: the schema is a handful of tables owned by one package, migrations must
run on both SQLite and PostgreSQL from the same ``open_store`` call, without a config file or a
second command, and they are a few lines each; a forty-line runner with a test per step is less to
deploy and to trust than a tool (see docs/scale-out.md).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from storyline.errors import StoreError


@dataclass(frozen=True)
class Migration:
    """One step of the schema: ``apply`` gets the store's open cursor/connection inside the
    migration's transaction and must be safe to run on a database that already has the change
    (databases from before the table of migrations existed are brought in through it)."""

    version: int
    name: str
    apply: Callable[[Any], None]


def latest(migrations: Sequence[Migration]) -> int:
    return max((m.version for m in migrations), default=0)


def pending(migrations: Sequence[Migration], applied: int) -> list[Migration]:
    """The steps after ``applied``, in order; versions must be unique and increasing."""
    versions = [m.version for m in migrations]
    if versions != sorted(set(versions)):
        raise ValueError(f"migration versions must be unique and increasing: {versions}")
    return [m for m in migrations if m.version > applied]


def check_version(where: str, applied: int, migrations: Sequence[Migration]) -> None:
    """A database written by a newer storyline may hold what this code cannot read: say so."""
    if applied > latest(migrations):
        raise StoreError(
            f"{where}: the database schema is version {applied}, newer than this storyline knows "
            f"({latest(migrations)}); upgrade storyline (pip install -U storyline) to open it"
        )
