"""One run at a time per output folder: concurrent CLI runs, --wait, stale locks of killed runs."""

from __future__ import annotations

import json
import multiprocessing
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest

from pipeline import verify
from pipeline.lock import OutputBusy, RunLock
from pipeline.run import run

from conftest import CORPUS

ENV = {**os.environ, "PYTHONWARNINGS": "ignore", "COLUMNS": "400"}


def _cli(*args: str, env: dict | None = None) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "pipeline", "run", *args],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env or ENV,
    )


@pytest.mark.slow
def test_concurrent_runs_never_overlap(tmp_path):
    corpus = tmp_path / "corpus"
    shutil.copytree(CORPUS, corpus)
    out = tmp_path / "outputs"
    # the first run holds the lock 1.5 s longer (a pause at each commit step)
    first = _cli("--corpus", str(corpus), "--out", str(out), env={**ENV, "PIPELINE_TEST_COMMIT_PAUSE": "0.5"})
    deadline = time.monotonic() + 120
    while not ((out / ".lock").is_file() and (out / ".lock").read_text().strip()):
        assert first.poll() is None and time.monotonic() < deadline, first.stderr.read() if first.poll() else ""
        time.sleep(0.05)
    holder = json.loads((out / ".lock").read_text())
    assert holder["pid"] == first.pid

    busy = _cli("--corpus", str(corpus), "--out", str(out))
    waiting = _cli("--corpus", str(corpus), "--out", str(out), "--wait", "--full")
    busy_out, busy_err = busy.communicate(timeout=120)
    assert first.poll() is None, "the first run ended before the second was refused: no overlap tested"
    assert busy.returncode == 3
    assert f"another run (pid {first.pid} on" in busy_err and "--wait" in busy_err
    assert "Traceback" not in busy_err and busy_out == ""

    first_out, first_err = first.communicate(timeout=300)
    wait_out, wait_err = waiting.communicate(timeout=300)
    assert first.returncode == 0, first_err
    assert waiting.returncode == 0, wait_err
    assert f"waiting: another run (pid {first.pid}" in wait_err
    assert "5 processed" in first_out and "5 processed" in wait_out

    runs = pd.read_parquet(out / "runs.parquet")
    assert len(runs) == 2  # the refused run left no row
    assert runs.started_at.iloc[1] > runs.finished_at.iloc[0]  # one extracts at a time
    assert verify.problems(out) == []
    assert (out / ".lock").read_text() == ""  # both ended normally


def test_a_killed_runs_lock_is_taken_over_and_reported(tmp_path):
    out = tmp_path / "outputs"
    out.mkdir()

    def holder() -> None:
        RunLock(out).acquire()
        os.kill(os.getpid(), 9)

    process = multiprocessing.get_context("fork").Process(target=holder)
    process.start()
    process.join(30)
    assert process.exitcode == -9
    assert json.loads((out / ".lock").read_text())["pid"] == process.pid  # it died holding the lock

    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "a.txt").write_text("Headache was reported.\n", encoding="utf-8")
    notices: list[str] = []
    summary = run(corpus, out, on_notice=notices.append)
    assert summary.n_processed == 1
    assert len(notices) == 1 and f"the previous run (pid {process.pid} on" in notices[0]
    assert "did not finish" in notices[0]


def test_a_second_run_in_the_same_process_is_refused(tmp_path):
    with RunLock(tmp_path):
        with pytest.raises(OutputBusy, match="another run in this process"):
            RunLock(tmp_path).acquire()
    with RunLock(tmp_path):  # released: free again
        pass


def test_the_lock_is_not_held_by_forked_children(tmp_path):
    """Record locks belong to a process: a worker forked by a run that is then killed does not
    keep the folder locked."""
    read, write = os.pipe()

    def parent() -> None:
        RunLock(tmp_path).acquire()
        if os.fork() == 0:  # an orphan that lives on after its parent is killed
            os.close(write)
            os.read(read, 1)
            os._exit(0)
        os.kill(os.getpid(), 9)

    process = multiprocessing.get_context("fork").Process(target=parent)
    process.start()
    deadline = time.monotonic() + 30
    while process.is_alive() and time.monotonic() < deadline:  # join() would wait for the orphan
        time.sleep(0.02)
    assert process.exitcode == -9
    try:
        with RunLock(tmp_path) as lock:
            assert lock.interrupted is not None
    finally:
        os.close(read)
        os.close(write)  # lets the orphan end
