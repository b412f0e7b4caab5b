"""The stores every store-dependent test runs against: a SQLite file, and a real PostgreSQL when
``STORYLINE_TEST_PG`` names one (``.ci/run`` starts a server and sets it).
Each PostgreSQL test gets a schema of its own, dropped afterwards, so tests never see each other."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote

import pytest

PG_ENV = "STORYLINE_TEST_PG"
NO_PG = (
    f"{PG_ENV} is not set: no PostgreSQL to test against (CI sets it; locally start one as "
    ".ci/run does and export the URL)"
)


def pg_url() -> str | None:
    return os.environ.get(PG_ENV) or None


def fresh_schema(url: str) -> tuple[str, str]:
    """A new empty schema in the test database: (its name, a URL whose connections use it)."""
    import psycopg

    name = "t_" + uuid.uuid4().hex[:12]
    with psycopg.connect(url, autocommit=True) as c:
        c.execute(f"CREATE SCHEMA {name}")
    sep = "&" if "?" in url else "?"
    return name, f"{url}{sep}options={quote(f'-csearch_path={name}')}"


def drop_schema(url: str, name: str) -> None:
    import psycopg

    with psycopg.connect(url, autocommit=True) as c:
        c.execute(f"DROP SCHEMA {name} CASCADE")


@pytest.fixture(params=["sqlite", "postgres"])
def db(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """Where a store lives: a SQLite file path, or a PostgreSQL URL with a schema of its own."""
    if request.param == "sqlite":
        yield str(tmp_path / "s.db")
        return
    url = pg_url()
    if url is None:
        if os.environ.get("CI") == "true":  # .ci/run starts PostgreSQL: a skip there hides a broken setup
            pytest.fail(NO_PG)
        pytest.skip(NO_PG)
    name, scoped = fresh_schema(url)
    try:
        yield scoped
    finally:
        drop_schema(url, name)
