"""Engines: where the batches of a run are extracted, behind one small interface.

A run (:mod:`pipeline.run`) plans its sources, cuts the ones to extract into batches, and hands
them to an engine, which maps the extraction function over the batches and yields the results
**in submission order** with at most a bounded window of batches in flight: the run writes rows
in source order (the output files are ordered by source), and neither the client's memory nor
the cluster's grows with the corpus.

- ``local`` (:mod:`pipeline.engines.local`): in this process, or a process pool of N workers;
- ``dask`` (:mod:`pipeline.engines.dask`): a Dask cluster, an existing one by its scheduler
  address or a local one of N worker processes started for the run.

Engines never write: the run holds the output folder's lock and commits the new set itself, so
a failing or killed engine leaves the previous tables in place, whatever the engine.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Iterable, Iterator
from typing import Protocol, TypeVar

B = TypeVar("B")
R = TypeVar("R")

ENGINES = ("local", "dask")
_END = object()


class EngineError(Exception):
    """The engine cannot go on (a lost scheduler, a worker that cannot see the corpus or runs
    another pipeline version); the message is a sentence for the user."""


class Engine(Protocol):
    """Maps a function over batches; results in submission order, a bounded window in flight."""

    #: a short description for messages ("2 local processes", "Dask cluster at tcp://...")
    description: str

    def map(self, fn: Callable[[B], R], batches: Iterable[B]) -> Iterator[R]: ...

    def close(self) -> None: ...


def open_engine(
    name: str,
    workers: int = 1,
    scheduler: str | None = None,
    warm_up: Callable[[], None] | None = None,
    on_notice: Callable[[str], None] | None = None,
) -> Engine:
    """The engine ``name`` ("local" or "dask"). ``warm_up`` is run once in each local worker
    process when it starts; Dask workers build what they need on their first task (and keep it:
    a per-process cache). Dask is imported only for the Dask engine."""
    if name == "local":
        from pipeline.engines.local import LocalEngine

        return LocalEngine(workers, warm_up)
    if name == "dask":
        from pipeline.engines.dask import DaskEngine

        return DaskEngine(scheduler, workers, on_notice)
    raise ValueError(f"unknown engine {name!r} (one of {', '.join(ENGINES)})")


def ordered_window(
    submit: Callable[[B], object],
    result: Callable[[object], R],
    batches: Iterable[B],
    window: Callable[[], int],
) -> Iterator[R]:
    """Results of ``submit(batch)`` for every batch, in order, with at most ``window()``
    submitted and not yet consumed (``window`` is asked again before each submission, so an
    engine whose cluster grows can widen it). Batches are drawn from ``batches`` only as
    results are consumed: a lazy source of batches is never read ahead of the window."""
    pending = iter(batches)
    in_flight: deque[object] = deque()
    exhausted = False
    while True:
        while not exhausted and len(in_flight) < max(1, window()):
            batch = next(pending, _END)
            if batch is _END:
                exhausted = True
            else:
                in_flight.append(submit(batch))
        if not in_flight:
            return
        handle = in_flight.popleft()
        value = result(handle)
        del handle  # a Dask future released here frees its result on the cluster
        yield value
