"""The README's cluster commands, run as written: `dask scheduler`, `dask worker`, then
`pipeline run --engine dask --scheduler ...`; and a scheduler lost in the middle of a run.

Marked slow (about 20 s: two worker processes start and build the Language); CI runs it
(`make test-slow`). The only changes to the README's commands: the scheduler listens on
127.0.0.1, on a free port, with its dashboard on a free port, and the corpus is the test's.
"""

from __future__ import annotations

import os
import re
import shlex
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest

from conftest import CORPUS, REPO
from test_dask import _corpus, assert_same_tables

from pipeline import schema
from pipeline.run import run

pytestmark = pytest.mark.slow
pytest.importorskip("distributed")

BIN = Path(sys.executable).parent
ENV = {**os.environ, "PYTHONWARNINGS": "ignore"}


def readme_cluster_commands() -> list[str]:
    """The commands of the README's code block that starts a cluster, in order."""
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Running on a cluster", 1)[1].split("\n## ", 1)[0]
    for block in re.findall(r"```sh\n(.*?)```", section, flags=re.S):
        if "dask scheduler" in block:
            return [line.split("  #", 1)[0].strip() for line in block.splitlines() if line.split("  #", 1)[0].strip()]
    raise AssertionError("no code block with `dask scheduler` in README 'Running on a cluster'")


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _localise(command: str, port: int, corpus: Path) -> list[str]:
    command = command.replace("SCHEDULER", "127.0.0.1").replace("8786", str(port)).replace("/shared/corpus", str(corpus))
    argv = shlex.split(command)
    if argv[:2] == ["dask", "scheduler"]:
        argv += ["--host", "127.0.0.1", "--dashboard-address", "127.0.0.1:0"]
    argv[0] = str(BIN / argv[0])
    return argv


@pytest.fixture(scope="module")
def readme_cluster(tmp_path_factory):
    """Scheduler and workers started with the README's commands; the `pipeline run` command."""
    base = tmp_path_factory.mktemp("cluster")
    corpus = _corpus(base)
    out = base / "outputs"
    port = _free_port()
    env = dict(ENV)
    scheduler_cmd, worker_cmd, run_cmd = (_localise(c, port, corpus) for c in readme_cluster_commands())
    assert scheduler_cmd[1] == "scheduler" and worker_cmd[1] == "worker" and run_cmd[1:4] == ["run", "--engine", "dask"]
    started: list[subprocess.Popen] = []

    def start(argv: list[str]) -> subprocess.Popen:
        process = subprocess.Popen(
            argv, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True
        )
        started.append(process)
        return process

    scheduler = start(scheduler_cmd)
    deadline = time.monotonic() + 60
    while True:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            break
        except OSError:
            assert scheduler.poll() is None and time.monotonic() < deadline, "the scheduler did not start"
            time.sleep(0.2)
    start(worker_cmd)
    try:
        yield {
            "corpus": corpus, "out": out, "run": run_cmd, "scheduler": scheduler, "port": port, "base": base,
            "env": env,
        }
    finally:
        for process in started:  # each started in its own session: its group is its workers
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGKILL)
            process.wait()


def test_readme_commands_write_the_tables_of_a_local_run(readme_cluster):
    corpus, out = readme_cluster["corpus"], readme_cluster["out"]
    done = subprocess.run(
        readme_cluster["run"], env=readme_cluster["env"], cwd=readme_cluster["base"], capture_output=True, text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    assert re.match(r"8 sources: 8 processed, 0 skipped \(unchanged\), 1 failed, 1 empty in [\d.]+ s -> ", done.stdout)
    reference = readme_cluster["base"] / "local"
    run(corpus, reference)
    assert_same_tables(out, reference)
    # `dask worker` started its processes with Dask's MALLOC_TRIM_THRESHOLD_; the tasks reset
    # glibc's thresholds in each (BENCHMARKS.md: 15-25% faster)
    from distributed import Client

    def allocator() -> tuple[str | None, str | None]:
        import pipeline.engines.dask

        return os.environ.get("MALLOC_TRIM_THRESHOLD_"), pipeline.engines.dask.ALLOCATOR

    with Client(f"tcp://127.0.0.1:{readme_cluster['port']}", set_as_default=False) as client:
        states = list(client.run(allocator).values())
    # (a worker that got no task has nothing to tune yet)
    assert ("65536", "tuned") in states and set(states) <= {("65536", "tuned"), ("65536", None)}


def test_a_lost_scheduler_ends_the_run_with_exit_2_and_the_previous_tables(readme_cluster):
    base = readme_cluster["base"]
    corpus = base / "lost" / "corpus"
    corpus.mkdir(parents=True)
    for article in sorted(CORPUS.glob("*.txt")):
        shutil.copy(article, corpus / article.name)
    out = base / "lost" / "outputs"
    run(corpus, out)
    before = {name: pd.read_parquet(out / f"{name}.parquet") for name in schema.TABLES}
    for i in range(150):  # enough work for the run to be in the middle of it when the scheduler dies
        article = sorted(CORPUS.glob("*.txt"))[i % 5]
        (corpus / f"copy{i:03d}.txt").write_text(article.read_text(encoding="utf-8") + f"\nCopy {i}.\n", encoding="utf-8")
    argv = [str(BIN / "pipeline"), "run", "--engine", "dask", "--scheduler", f"tcp://127.0.0.1:{readme_cluster['port']}",
            "--corpus", str(corpus), "--out", str(out)]
    process = subprocess.Popen(argv, env=ENV, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 120
    while not any(p.name.startswith(".staging-") for p in (out / "versions").iterdir()):
        assert process.poll() is None, "the run ended before the scheduler could be lost"
        assert time.monotonic() < deadline
        time.sleep(0.02)
    time.sleep(1.0)
    assert process.poll() is None, "the run ended before the scheduler could be lost"
    readme_cluster["scheduler"].send_signal(signal.SIGKILL)
    stdout, stderr = process.communicate(timeout=60)
    assert process.returncode == 2, stderr
    message = " ".join(stderr.split())  # the console folds long lines
    assert message.startswith("error: the run could not complete: lost the connection to the Dask scheduler at tcp://127.0.0.1:")
    assert message.endswith("The previous tables are unchanged. Set PIPELINE_DEBUG=1 to see the details.")
    assert len(stderr.splitlines()) <= 4 and "Traceback" not in stderr and not stdout
    for name, frame in before.items():
        pd.testing.assert_frame_equal(pd.read_parquet(out / f"{name}.parquet"), frame, obj=name)
    assert not [p.name for p in (out / "versions").iterdir() if p.name.startswith(".")]


def test_ctrl_c_ends_a_local_cluster_run_with_one_message(tmp_path):
    """Ctrl-C in a terminal signals the whole process group: the run and its local cluster's
    workers. The run ends with exit 2 and its one line, no process of the group is left, the
    previous tables stay. (Workers ignore the signal, pipeline/engines/dask_worker.py: without
    that, one sometimes printed a traceback on its way out; not reproduced on demand.)"""
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    articles = sorted(CORPUS.glob("*.txt"))
    for article in articles:
        shutil.copy(article, corpus / article.name)
    out = tmp_path / "outputs"
    run(corpus, out)
    before = {name: pd.read_parquet(out / f"{name}.parquet") for name in schema.TABLES}
    for i in range(150):
        (corpus / f"copy{i:03d}.txt").write_text(articles[i % 5].read_text(encoding="utf-8") + f"\n{i}\n", encoding="utf-8")
    argv = [str(BIN / "pipeline"), "run", "--engine", "dask", "--workers", "2", "--corpus", str(corpus), "--out", str(out)]
    process = subprocess.Popen(argv, env=ENV, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True)
    import psutil

    deadline = time.monotonic() + 120
    while len([p for p in psutil.Process(process.pid).children() if "spawn_main" in " ".join(p.cmdline())]) < 2:
        assert process.poll() is None and time.monotonic() < deadline, "the local cluster did not start"
        time.sleep(0.05)
    time.sleep(3.0)  # the workers are extracting (they build the Language first)
    assert process.poll() is None, "the run ended before Ctrl-C"
    os.killpg(process.pid, signal.SIGINT)
    stdout, stderr = process.communicate(timeout=60)
    assert process.returncode == 2, stderr
    assert " ".join(stderr.split()) == (
        "error: the run could not complete: interrupted The previous tables are unchanged. "
        "Set PIPELINE_DEBUG=1 to see the details."
    )
    deadline = time.monotonic() + 10  # (multiprocessing's resource tracker ends just after the run)
    while [p for p in psutil.process_iter() if _in_group(p, process.pid)] and time.monotonic() < deadline:
        time.sleep(0.1)
    assert [p.cmdline() for p in psutil.process_iter() if _in_group(p, process.pid)] == []
    for name, frame in before.items():
        pd.testing.assert_frame_equal(pd.read_parquet(out / f"{name}.parquet"), frame, obj=name)


def _in_group(process, group: int) -> bool:
    try:
        return os.getpgid(process.pid) == group
    except (ProcessLookupError, PermissionError):
        return False
