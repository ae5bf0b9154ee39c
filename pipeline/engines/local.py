"""The local engine: batches in this process, or in a pool of worker processes.

With one worker the batches run here, one after the other (nothing is started: the cheapest
way for small corpora and the reference for every other engine). With N > 1 a
``ProcessPoolExecutor`` of N processes runs them, each process warmed up once when it starts
(the Language is built per process and cached, never per batch), with a window of 2N batches
in flight.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from typing import TypeVar

from pipeline.engines import ordered_window

B = TypeVar("B")
R = TypeVar("R")


class LocalEngine:
    """``workers`` processes on this machine (1: this process)."""

    def __init__(self, workers: int = 1, warm_up: Callable[[], None] | None = None) -> None:
        self.workers = max(1, workers)
        self.description = "this process" if self.workers == 1 else f"{self.workers} local processes"
        self._warm_up = warm_up
        self._pool: ProcessPoolExecutor | None = None

    def map(self, fn: Callable[[B], R], batches: Iterable[B]) -> Iterator[R]:
        if self.workers == 1:
            return (fn(batch) for batch in batches)
        if self._pool is None:
            self._pool = ProcessPoolExecutor(max_workers=self.workers, initializer=self._warm_up)
        pool = self._pool

        def submit(batch: B) -> Future:
            return pool.submit(fn, batch)

        return ordered_window(submit, lambda future: future.result(), batches, lambda: 2 * self.workers)

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None
