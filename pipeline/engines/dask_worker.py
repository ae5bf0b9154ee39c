"""Set-up of each worker process of the local cluster that ``--engine dask`` starts (a Dask
preload, run in the worker process when it starts).

Ctrl-C in a terminal reaches the whole process group: the run (the client) handles it, closes
the cluster and exits with its one-line message; the worker processes ignore it, so that they
do not each print a traceback on their way out. Workers of a cluster started with `dask worker`
are not in the client's process group and are left alone.
"""

from __future__ import annotations

import signal


def dask_setup(worker: object) -> None:
    """Called by Dask in the worker process, on its main thread, before any task."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
