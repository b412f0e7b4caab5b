"""Fixtures shared by several test modules."""

from store_params import db  # noqa: F401 - every store-dependent test runs on SQLite and PostgreSQL
