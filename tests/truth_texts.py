"""Labelled dev texts of the truth tests (tests/data/truth*/ and tests/data/entities/), read once
per file list, and the entities the extractor finds in one of them by its id."""

from __future__ import annotations

import functools
import json
from pathlib import Path

from storyline.enrich.entities import extract_entities
from storyline.models import Entity

DATA = Path(__file__).resolve().parent / "data"


@functools.cache
def rows(*files: str) -> dict[str, dict]:
    """Every row of ``files`` (paths under tests/data) by its id."""
    out = [json.loads(x) for f in files for x in (DATA / f).read_text(encoding="utf-8").splitlines() if x.strip()]
    return {r["id"]: r for r in out}


def entities(files: tuple[str, ...], ident: str) -> tuple[Entity, ...]:
    r = rows(*files)[ident]
    return extract_entities(r["text"], r["lang"])
