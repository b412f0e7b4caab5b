"""The Dask engine: ``prepare_job`` (clean + enrich, the whole per-article cost) on Dask workers.

Jobs are split into tasks of a few articles, submitted up to ``window`` tasks ahead of the
linker, and their results are taken back in submission order (a bounded reorder buffer: a task
that finishes early waits for the ones before it), so the linker sees batches exactly as a plain
run does; ``Pipeline._settle`` redoes the rare article whose outlet's furniture changed while its
job was in flight.

Threads: a worker runs one task at a time (``threads_per_worker=1``) and its encoder uses one
OpenMP thread (``OMP_NUM_THREADS=1``, also MKL/OpenBLAS), so N workers use N cores and never
oversubscribe them; on a real cluster start ``dask worker --nworkers C --nthreads 1`` per host of
C cores with the same variables (docs/scale-out.md).
"""

from __future__ import annotations

import collections
import dataclasses
import os
from collections.abc import Iterable, Iterator
from typing import Any

from storyline.errors import MissingDependency, UsageError
from storyline.models import Article, Rejected
from storyline.pipeline import PrepareJob, prepare_job

INSTALL_HINT = "pip install 'storyline[dask]'   (or: pip install 'dask[distributed]')"
ONE_THREAD = {"OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1"}


def _import() -> Any:
    try:
        import distributed
    except ImportError as e:
        raise MissingDependency("dask[distributed] (for --engine dask)", INSTALL_HINT) from e
    return distributed


class DaskEngine:
    """Prepare batches on a Dask cluster: the one at ``scheduler`` (``tcp://HOST:PORT``), or a
    local one of ``workers`` processes × 1 thread (default: one per core, at most 2 on a
    2-core machine)."""

    def __init__(
        self,
        scheduler: str | None = None,
        workers: int | None = None,
        window: int | None = None,
        client: Any = None,
        chunk: int = 8,
    ) -> None:
        """``client``: a ``distributed.Client`` already connected (its cluster is the caller's)."""
        distributed = _import()
        self._cluster = None
        if client is not None:
            self.client = client
        elif scheduler:
            try:
                self.client = distributed.Client(scheduler, timeout="20s")
            except OSError as e:
                raise UsageError(f"--scheduler {scheduler}: cannot reach a Dask scheduler there ({e})") from e
        else:
            n = workers or max(1, os.cpu_count() or 1)
            import dask

            # The workers' environment is set before their processes start, so the encoder's
            # OpenMP pool is created with one thread.
            with dask.config.set({"distributed.nanny.pre-spawn-environ": ONE_THREAD}):
                self._cluster = distributed.LocalCluster(
                    n_workers=n, threads_per_worker=1, processes=True, dashboard_address=None,
                    env=ONE_THREAD,
                )
            self.client = distributed.Client(self._cluster)
        cores = sum(self.client.nthreads().values()) or 1
        self.chunk = chunk
        # Tasks in flight: enough to keep every worker busy while the linker works, and bounded
        # (each holds ``chunk`` pages and their vectors).
        self.window = window or 3 * cores

    def prepare(self, jobs: Iterable[PrepareJob]) -> Iterator[tuple[PrepareJob, list[Article | Rejected]]]:
        """Each job is split into tasks of ``chunk`` articles (a batch of 32 as one task would
        leave workers idle at the end of a run and between batches); cleaning and encoding are
        per article (the encoder's output does not depend on what it is batched with), so the
        parts put back together are what the whole job would give."""
        pending: collections.deque[tuple[PrepareJob, list[Any]]] = collections.deque()
        in_flight = 0
        it = iter(jobs)
        more = True
        while more or pending:
            while more and (in_flight < self.window or not pending):
                job = next(it, None)
                if job is None:
                    more = False
                    break
                parts = [
                    dataclasses.replace(job, raws=job.raws[i : i + self.chunk])
                    for i in range(0, len(job.raws), self.chunk)
                ]
                futs = [self.client.submit(prepare_job, part, pure=False) for part in parts]
                pending.append((job, futs))
                in_flight += len(futs)
            if pending:
                job, futs = pending.popleft()
                in_flight -= len(futs)
                yield job, [a for f in futs for a in f.result()]

    def close(self) -> None:
        self.client.close()
        if self._cluster is not None:
            self._cluster.close()

    def __enter__(self) -> DaskEngine:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
