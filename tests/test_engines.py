"""Engines: a run prepared on Dask workers stores exactly what a plain run stores."""

from __future__ import annotations

import itertools
import json
import sys
from pathlib import Path

import pytest

from storyline import Pipeline, Settings, open_store
from storyline.errors import MissingDependency, UsageError

ROOT = Path(__file__).resolve().parents[1]
SEEDS = ROOT / "examples" / "seeds"
DEV = ROOT / "tests" / "data" / "gate" / "events" / "articles.jsonl"

distributed = pytest.importorskip("distributed", reason="dask[distributed] is in the [test] extra")


def _export(db: Path) -> list[dict]:  # type: ignore[type-arg]
    st = open_store(db, readonly=True)
    try:
        return [
            {"id": a.id, "lang": a.lang, "title": a.title, "body": a.body, "event": w.event, "storyline": w.storyline}
            for a in st.articles()
            for w in [st.assignment(a.id)]
        ]
    finally:
        st.close()


def test_a_local_dask_cluster_stores_what_a_plain_run_stores(tmp_path: Path) -> None:
    """Seeds and a small dev sample (20 ViMs/ECB+ articles), the real encoder, 2 workers × 1
    thread, each batch of 8 split into tasks of 3: the exports are identical, article for article."""
    from storyline.engines.dask import DaskEngine

    sample = tmp_path / "dev.jsonl"
    with DEV.open(encoding="utf-8") as f:
        sample.write_text("".join(itertools.islice(f, 20)), encoding="utf-8")
    inputs = [SEEDS, sample]
    plain, dask = tmp_path / "plain.db", tmp_path / "dask.db"
    a = Pipeline(Settings(db=str(plain), batch_size=8)).run(inputs)
    with DaskEngine(workers=2, chunk=3) as eng:
        assert sum(eng.client.nthreads().values()) == 2
        b = Pipeline(Settings(db=str(dask), batch_size=8)).run(inputs, engine=eng)
    assert (a.added, a.events, a.storylines) == (b.added, b.events, b.storylines) and a.added == 25
    assert _export(plain) == _export(dask)


class WordHash:
    """Deterministic stand-in vectors (the test is about order and furniture, not meaning)."""

    name, dim = "wordhash", 64

    def encode(self, texts):  # type: ignore[no-untyped-def]
        import zlib

        import numpy as np

        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        for i, t in enumerate(texts):
            for w in t.lower().split():
                out[i, zlib.crc32(w.encode()) % self.dim] += 1.0
            out[i] /= max(1e-9, float(np.linalg.norm(out[i])))
        return out


def test_jobs_in_flight_are_settled_against_the_furniture_learned_meanwhile(tmp_path: Path) -> None:
    """One outlet's pages in batches of one, six jobs in flight: the later pages were cleaned
    before the outlet's standing paragraph was learned, so the linker's side cleans them again
    (and encodes again where the text changed) -- the store ends as in a plain run."""
    from storyline.engines.dask import DaskEngine

    about = "Ascom is a global solutions provider with subsidiaries in 18 countries and 1,300 employees."
    rows = []
    for i in range(9):
        body = " ".join(f"Ascom announced item number {i} today, sentence {k} with more detail." for k in range(6))
        rows.append({"id": f"p{i}", "source": "Ascom", "text": f"Ascom news {i}\n\n{body}\n\n{about}"})
    src = tmp_path / "pages.jsonl"
    src.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    plain, dask = tmp_path / "plain.db", tmp_path / "dask.db"
    Pipeline(Settings(db=str(plain), batch_size=1), encoder=WordHash()).run([src])
    with distributed.Client(processes=False, n_workers=2, threads_per_worker=1, dashboard_address=None) as client:
        eng = DaskEngine(client=client, window=6)
        Pipeline(Settings(db=str(dask), batch_size=1), encoder=WordHash()).run([src], engine=eng)
    got = _export(dask)
    assert got == _export(plain)
    assert about in got[0]["body"] and about not in got[-1]["body"]  # learned on the way


def test_engine_choice_and_missing_package(monkeypatch: pytest.MonkeyPatch) -> None:
    from storyline.engines import get_engine

    with pytest.raises(UsageError, match="unknown engine 'spark'"):
        get_engine("spark")
    with pytest.raises(UsageError, match="--scheduler needs --engine dask"):
        get_engine("local", scheduler="tcp://127.0.0.1:8786")
    monkeypatch.setitem(sys.modules, "distributed", None)  # as if not installed
    with pytest.raises(MissingDependency, match=r"pip install 'storyline\[dask\]'"):
        get_engine("dask")
