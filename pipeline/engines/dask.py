"""The Dask engine: batches as tasks on a Dask cluster (dask.distributed).

- With a scheduler address (``tcp://HOST:8786``) the run uses that cluster: its workers must have
  this package installed, in the same version (the task checks it), and must see the corpus at
  the same absolute path (a shared file system; the task checks the folder is there).
- Without one, a local cluster (``LocalCluster``) of N worker processes, one thread each, is
  started for the run and stopped after it; its processes end with the run, however it ends.

Each batch is one task (:func:`on_worker`), submitted with ``retries`` (an exception in a task
is tried again) and ``pure=False`` (two runs never share a task). A worker process that dies has
its tasks rescheduled by the scheduler on the others (its nanny starts a new one); a task that
kills ``distributed.scheduler.allowed-failures`` + 1 workers fails the run. Each worker process
builds the Language once, on its first task, and keeps it (the extraction function's
per-process cache), so tasks only carry sources and rows. The client keeps a window of 2 tasks
per worker thread in flight and takes results in order: results wait on the workers, not in the
client, and memory stays flat however large the corpus.

A lost scheduler cancels the client's tasks; the run then ends with :class:`EngineError` (the
run aborts its staged set: the previous tables stay).
"""

from __future__ import annotations

import ctypes
import logging
import os
import sys
import time
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import CancelledError
from typing import TypeVar

from pipeline.engines import EngineError, ordered_window

B = TypeVar("B")
R = TypeVar("R")

#: Attempts after an exception in a task (a worker dying is counted by the scheduler instead:
#: ``distributed.scheduler.allowed-failures``).
RETRIES = 2
#: Seconds to reach a scheduler before the run gives up.
CONNECT_TIMEOUT = 10
#: Tasks in flight per worker thread.
TASKS_PER_THREAD = 2
#: Seconds between two looks at the cluster's size (to widen or narrow the window).
RESIZE_SECONDS = 5.0
#: Dask starts worker processes with ``MALLOC_TRIM_THRESHOLD_=65536`` (to hand freed memory back
#: to the system at once). Any value set that way also stops glibc from adapting its mmap and
#: trim thresholds, and extraction, which allocates and frees a great deal, runs 15-25% slower
#: (BENCHMARKS.md). The local cluster's workers start without it (None unsets it); workers of
#: any other cluster get glibc's adaptive ceilings back on their first task
#: (:func:`_tune_allocator`).
FAST_MALLOC = {"distributed.nanny.pre-spawn-environ.MALLOC_TRIM_THRESHOLD_": None}
#: glibc ``mallopt`` parameters and the values its adaptive thresholds reach at most on 64-bit
_M_TRIM_THRESHOLD, _M_MMAP_THRESHOLD = -1, -3
_MMAP_THRESHOLD_MAX = 32 * 2**20
#: In a worker process: "tuned" once :func:`_tune_allocator` reset glibc's thresholds, "default"
#: when there was nothing to do (or no glibc), None before the first task.
ALLOCATOR: str | None = None


class DaskEngine:
    """A Dask cluster: the one at ``scheduler``, or a local one of ``workers`` processes."""

    def __init__(
        self, scheduler: str | None = None, workers: int = 1, on_notice: Callable[[str], None] | None = None
    ) -> None:
        import dask
        from distributed import Client, LocalCluster

        self._quiet = _QuietLogs()
        self.cluster = None
        try:
            if scheduler:
                self.description = f"the Dask cluster at {scheduler}"
                try:
                    self.client = Client(scheduler, timeout=CONNECT_TIMEOUT, set_as_default=False)
                except (OSError, TimeoutError, ValueError) as error:
                    raise EngineError(
                        f"cannot reach the Dask scheduler at {scheduler} ({_reason(error)}); is `dask scheduler` "
                        "running there, and the address right (tcp://HOST:8786)?"
                    ) from None
            else:
                self.description = f"a local Dask cluster of {workers} worker process{'es' if workers > 1 else ''}"
                with dask.config.set(FAST_MALLOC):
                    self.cluster = LocalCluster(
                        n_workers=max(1, workers),
                        threads_per_worker=1,
                        processes=True,
                        dashboard_address=None,
                        # no dashboard; its HTTP server (health checks) on a free port, not 8787
                        scheduler_kwargs={"dashboard_address": "127.0.0.1:0"},
                        silence_logs=self._quiet.level,
                        preload=["pipeline.engines.dask_worker"],  # Ctrl-C is the client's to handle
                    )
                self.client = Client(self.cluster, set_as_default=False)
        except BaseException:
            self.close()
            raise
        self.scheduler = scheduler
        self._threads = 0
        self._looked = -RESIZE_SECONDS
        if scheduler and self._cluster_threads() == 0 and on_notice:
            on_notice(f"the Dask cluster at {scheduler} has no workers yet: the run waits for some to join")

    def _cluster_threads(self) -> int:
        now = time.monotonic()
        if now - self._looked >= RESIZE_SECONDS:
            self._looked = now
            try:
                self._threads = sum(self.client.nthreads().values())
            except Exception:  # a lost scheduler is reported by the task results
                pass
        return self._threads

    def map(self, fn: Callable[[B], R], batches: Iterable[B]) -> Iterator[R]:
        def submit(batch: B) -> object:
            return self.client.submit(on_worker, fn, batch, retries=RETRIES, pure=False)

        def window() -> int:
            return TASKS_PER_THREAD * max(2, self._cluster_threads())

        return ordered_window(submit, self._result, batches, window)

    def _result(self, future: object) -> R:
        from distributed import KilledWorker

        try:
            return future.result()  # type: ignore[attr-defined]
        except CancelledError:
            where = f"at {self.scheduler}" if self.scheduler else "of the local cluster"
            raise EngineError(f"lost the connection to the Dask scheduler {where}") from None
        except KilledWorker:
            raise EngineError(
                "a batch of sources made several Dask worker processes die in a row (out of memory, or "
                "killed); set PIPELINE_DEBUG=1 and look at the workers' logs"
            ) from None

    def close(self) -> None:
        client = getattr(self, "client", None)
        if client is not None:
            try:
                client.close(timeout=CONNECT_TIMEOUT)
            except Exception:  # closing after a lost scheduler: nothing left to release
                pass
            self.client = None
        if self.cluster is not None:
            try:
                self.cluster.close(timeout=CONNECT_TIMEOUT)
            except Exception:
                pass
            self.cluster = None
        self._quiet.restore()


def on_worker(fn: Callable[[B], R], batch: B) -> R:
    """A task: ``fn(batch)`` in a worker process, its allocator tuned first (once)."""
    if ALLOCATOR is None:
        _tune_allocator()
    return fn(batch)


def _tune_allocator() -> None:
    """Undo ``MALLOC_TRIM_THRESHOLD_`` in this process (see :data:`FAST_MALLOC`): set glibc's
    mmap and trim thresholds to the ceilings its adaptive rule reaches (32 MiB, 64 MiB), so
    memory is handed back to the system in large steps, not after nearly every document."""
    global ALLOCATOR
    ALLOCATOR = "default"
    if "MALLOC_TRIM_THRESHOLD_" not in os.environ or not sys.platform.startswith("linux"):
        return
    try:
        mallopt = ctypes.CDLL(None).mallopt
    except (OSError, AttributeError):  # not glibc
        return
    if mallopt(_M_MMAP_THRESHOLD, _MMAP_THRESHOLD_MAX) == 1 and mallopt(_M_TRIM_THRESHOLD, 2 * _MMAP_THRESHOLD_MAX) == 1:
        ALLOCATOR = "tuned"


class _QuietLogs:
    """Dask's own log lines (a worker restarted, a reconnect that failed, with tracebacks) are
    for debugging: shown only with PIPELINE_DEBUG=1, so a run prints its progress, summary or
    one error. Dask's logging configuration gives some loggers levels of their own, so every
    ``distributed``/``dask`` logger is set (and set back on close)."""

    def __init__(self) -> None:
        self.level = logging.WARNING if os.environ.get("PIPELINE_DEBUG") else logging.CRITICAL
        self._saved: dict[str, int] = {}
        names = [name for name in logging.root.manager.loggerDict if name.split(".")[0] in ("distributed", "dask")]
        for name in {"distributed", "dask", *names}:
            logger = logging.getLogger(name)
            self._saved[name] = logger.level
            logger.setLevel(self.level)

    def restore(self) -> None:
        for name, level in self._saved.items():
            logging.getLogger(name).setLevel(level)
        self._saved = {}


def _reason(error: BaseException) -> str:
    text = str(error).strip()
    if isinstance(error, TimeoutError) or "timed out" in text.lower():
        return f"no answer in {CONNECT_TIMEOUT} s"
    return text.splitlines()[0] if text else type(error).__name__
