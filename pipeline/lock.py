"""One run at a time per output folder: a kernel lock on ``<out>/.lock``.

The lock is a POSIX record lock (``fcntl.lockf``) on the whole file. The kernel drops it when
the process that holds it ends, however it ends (SIGKILL, power loss of the process, OOM
killer), so a lock left by a killed run is never stale: the next run simply gets it. Record
locks belong to a process, not to its children, so worker processes that outlive a killed
parent (a process pool waiting on its queue) do not keep the folder locked either.

The holder writes its pid, host and start time into the file, so a run that finds the folder
busy can say who holds it, and truncates it when it ends normally: a run that gets the lock and
finds the file not empty knows that the previous run was interrupted, and says so.

Record locks are per process: two threads of one process would both get one. A registry of the
folders locked by this process refuses that case too.
"""

from __future__ import annotations

import errno
import fcntl
import json
import os
import socket
import threading
from collections.abc import Callable
from datetime import datetime, timezone
from pathlib import Path

LOCK_NAME = ".lock"

_HELD: set[str] = set()
_HELD_GUARD = threading.Lock()


class OutputBusy(Exception):
    """Another run holds the output folder; the message says which and what to do."""


class RunLock:
    """The lock of one output folder; use as ``with RunLock(out, wait=False) as lock: ...``.

    ``wait=False`` raises :class:`OutputBusy` at once when another run holds the folder;
    ``wait=True`` blocks until it is free, calling ``on_wait(holder)`` first (holder: a short
    description of the run that has it). ``interrupted`` is set, after acquiring, to a
    description of the previous run when that run did not end normally (None otherwise).
    """

    def __init__(self, out_dir: Path, wait: bool = False, on_wait: Callable[[str], None] | None = None) -> None:
        self.path = out_dir / LOCK_NAME
        self.wait = wait
        self.on_wait = on_wait
        self.interrupted: str | None = None
        self._fd: int | None = None
        self._key = os.path.realpath(out_dir)

    def __enter__(self) -> RunLock:
        self.acquire()
        return self

    def __exit__(self, *exc: object) -> None:
        self.release()

    def acquire(self) -> None:
        with _HELD_GUARD:
            if self._key in _HELD:
                raise OutputBusy(f"another run in this process is writing to {self.path.parent}")
            _HELD.add(self._key)
        try:
            self._acquire()
        except BaseException:
            with _HELD_GUARD:
                _HELD.discard(self._key)
            raise

    def _acquire(self) -> None:
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o644)
        try:
            try:
                fcntl.lockf(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except OSError as error:
                if error.errno not in (errno.EACCES, errno.EAGAIN):
                    raise
                holder = _describe(_read(fd))
                if not self.wait:
                    raise OutputBusy(
                        f"another run ({holder}) is writing to {self.path.parent}; this run did not "
                        "start. Run again when it has finished, or pass --wait to wait for it."
                    ) from None
                if self.on_wait:
                    self.on_wait(holder)
                fcntl.lockf(fd, fcntl.LOCK_EX)
            previous = _read(fd)
            if previous.strip():
                self.interrupted = _describe(previous)
            me = {
                "pid": os.getpid(),
                "host": socket.gethostname(),
                "started_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
            }
            os.ftruncate(fd, 0)
            os.pwrite(fd, json.dumps(me).encode() + b"\n", 0)
        except BaseException:
            os.close(fd)  # closing releases the record lock, if it was taken
            raise
        self._fd = fd

    def release(self) -> None:
        """Mark a normal end (empty file) and let the next run in."""
        if self._fd is None:
            return
        try:
            os.ftruncate(self._fd, 0)
        except OSError:
            pass
        os.close(self._fd)  # releases the lock
        self._fd = None
        with _HELD_GUARD:
            _HELD.discard(self._key)


def _read(fd: int) -> str:
    try:
        return os.pread(fd, 4096, 0).decode("utf-8", errors="replace")
    except OSError:
        return ""


def _describe(content: str) -> str:
    """'pid 123 on host, started 2026-11-22T10:00:00+00:00' from the lock file's content."""
    try:
        holder = json.loads(content)
        return f"pid {holder['pid']} on {holder['host']}, started {holder['started_at']}"
    except (ValueError, KeyError, TypeError):
        return "a run whose details are unknown"
