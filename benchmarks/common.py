"""What the benchmarks share: the vector cache, the deterministic half split, the pipeline's view of
a JSONL file and the TF-IDF baseline. Every benchmark imports this module; none imports another
benchmark, so the scripts stay independent."""

from __future__ import annotations

import json
import sys
import time
import zlib
from collections.abc import Sequence
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from storyline.models import Article  # noqa: E402

CACHE = ROOT / "benchmarks/.cache/vectors.sqlite"


def half(key: str) -> int:
    """Deterministic split: 0 = calibration half, 1 = held-out half."""
    return zlib.crc32(key.encode()) % 2


def tfidf_matrix(arts: Sequence[Article]) -> np.ndarray:
    from sklearn.feature_extraction.text import TfidfVectorizer

    x = TfidfVectorizer(sublinear_tf=True, min_df=1).fit_transform([f"{a.title}\n{a.body}" for a in arts])
    return x  # type: ignore[return-value]


def pipeline_articles(path: Path) -> tuple[list[Article], float]:
    """The articles exactly as ``storyline run`` links them: the pipeline's clean + enrich
    (titles with their provenance, cleaned bodies, entities, numbers, vectors from the cache)."""
    from storyline import Pipeline, Settings
    from storyline.sources.jsonl import parse_record

    with open(path, encoding="utf-8") as fh:
        rows = [json.loads(x) for x in fh if x.strip()]
    pipe = Pipeline(Settings(db=":memory:", vector_cache=str(CACHE)))
    t = time.perf_counter()
    arts = pipe.prepare([parse_record(r, f"{path.name}:{r['id']}") for r in rows])
    return arts, time.perf_counter() - t
