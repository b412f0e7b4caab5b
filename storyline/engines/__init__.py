"""Engines: where the batches of a run are cleaned and enriched (``Pipeline.run(engine=…)``).

``local`` prepares each batch in this process, one after another (the default). ``dask``
prepares them on Dask workers, a bounded number ahead, and hands them back in input order to
the one linker, which writes to the store: results never depend on the engine.
"""

from __future__ import annotations

from storyline.errors import UsageError
from storyline.pipeline import Engine, LocalEngine

ENGINES = ("local", "dask")


def get_engine(name: str = "local", *, scheduler: str | None = None, workers: int | None = None) -> Engine:
    """The engine called ``name``; ``scheduler`` (``tcp://HOST:PORT``) and ``workers`` (of a local
    cluster) only mean something for ``dask``."""
    if name == "local":
        if scheduler:
            raise UsageError("--scheduler needs --engine dask")
        return LocalEngine()
    if name == "dask":
        from storyline.engines.dask import DaskEngine

        return DaskEngine(scheduler=scheduler, workers=workers)
    raise UsageError(f"unknown engine {name!r}; known: {', '.join(ENGINES)}")


__all__ = ["ENGINES", "Engine", "LocalEngine", "get_engine"]
