"""`--engine dask` on a real local cluster (2 worker processes, no mocks): the same tables as a
local run, incremental re-runs, a worker killed mid-run, one Language per worker process.

One cluster serves the module (started once: workers import spaCy and build the Language on
their first task); the test of a cluster started by the run itself is marked slow. Runs go through ``pipeline.run.run`` with the cluster's scheduler address,
as ``pipeline run --engine dask --scheduler ADDRESS`` does; tests/test_dask_cli.py runs the
command itself against `dask scheduler` and `dask worker` processes.
"""

from __future__ import annotations

import os
import shutil
import signal
import time
from pathlib import Path

import pandas as pd
import pytest

from pipeline import schema
from pipeline.run import run

from conftest import CORPUS

#: a real cluster of worker processes for the module (about 25 s): `make test` runs it, plain pytest does not
pytestmark = pytest.mark.slow

distributed = pytest.importorskip("distributed")

TABLES = [name for name in schema.TABLES if name != "runs"]


def _frames(out: Path) -> dict[str, pd.DataFrame]:
    frames = {}
    for name in TABLES:
        frame = pd.read_parquet(out / f"{name}.parquet")
        frames[name] = frame.drop(columns=[c for c in ("extracted_at",) if c in frame.columns])
    return frames


def assert_same_tables(out: Path, reference: Path) -> None:
    """Every table but ``runs``, row for row and column for column (``extracted_at`` aside)."""
    ours, theirs = _frames(out), _frames(reference)
    for name in TABLES:
        pd.testing.assert_frame_equal(ours[name], theirs[name], obj=name)


def _corpus(base: Path, copies: int = 1) -> Path:
    """The five articles (``copies`` times, each copy with a line of its own), a binary file, an
    empty file and a Latin-1 one: ok, error and empty rows."""
    corpus = base / "corpus"
    corpus.mkdir(parents=True)
    for copy in range(copies):
        for article in sorted(CORPUS.glob("*.txt")):
            name = article.name if copies == 1 else f"c{copy:02d}_{article.name}"
            (corpus / name).write_text(article.read_text(encoding="utf-8") + f"\nCopy {copy}.\n", encoding="utf-8")
    (corpus / "binary.txt").write_bytes(b"\x00\x01\x02\x03" * 100)
    (corpus / "empty.txt").write_bytes(b"")
    (corpus / "sub").mkdir()
    (corpus / "sub" / "latin.txt").write_bytes("Céphalée sévère après l'injection.\n".encode("latin-1"))
    return corpus


def _local_cluster(n_workers: int, **kwargs):
    """A LocalCluster set up as the engine sets up its own (the tests' clusters must not leave
    Dask's MALLOC_TRIM_THRESHOLD_ in this process's environment, where later workers would
    inherit it)."""
    import dask
    from distributed import LocalCluster

    from pipeline.engines.dask import FAST_MALLOC

    with dask.config.set(FAST_MALLOC):
        return LocalCluster(
            n_workers=n_workers,
            threads_per_worker=1,
            processes=True,
            dashboard_address=None,
            scheduler_kwargs={"dashboard_address": "127.0.0.1:0"},
            silence_logs=50,
            **kwargs,
        )


@pytest.fixture(scope="module")
def cluster():
    from distributed import Client

    with _local_cluster(2) as local, Client(local, set_as_default=False) as client:
        client.wait_for_workers(2)
        yield local.scheduler_address, client


def _builds(client) -> dict[str, int]:
    """How many times each worker process built the Language (the per-process cache's misses)."""

    def misses() -> int:
        from pipeline.nlp import builds_in_this_process

        return builds_in_this_process()

    return client.run(misses)


def test_dask_run_writes_the_tables_of_a_local_run(cluster, tmp_path):
    address, client = cluster
    corpus = _corpus(tmp_path)
    reference = tmp_path / "local"
    local = run(corpus, reference)
    out = tmp_path / "dask"
    summary = run(corpus, out, engine="dask", scheduler=address, batch_size=2)
    assert (summary.n_sources, summary.n_processed, summary.n_failed, summary.n_empty) == (8, 8, 1, 1)
    assert (local.n_sources, local.n_processed, local.n_failed, local.n_empty) == (8, 8, 1, 1)
    assert_same_tables(out, reference)
    documents = pd.read_parquet(out / "documents.parquet").set_index("doc_id")
    assert documents.loc["binary"].status == "error" and "binary" in documents.loc["binary"].error
    assert documents.loc["sub/latin"].text.startswith("Céphalée")
    # both workers extracted batches; each built the Language once (4 batches of 2 sources)
    assert _builds(client) == {worker: 1 for worker in client.scheduler_info()["workers"]}


def test_incremental_rerun_through_dask(cluster, tmp_path):
    address, _ = cluster
    corpus = _corpus(tmp_path)
    out = tmp_path / "dask"
    run(corpus, out, engine="dask", scheduler=address)
    changed = corpus / "001_8dd5d6bfa448473a.txt"
    changed.write_text(changed.read_text(encoding="utf-8") + "\nHeadache was reported.\n", encoding="utf-8")
    (corpus / "004_368ad7c6bb233b33.txt").unlink()
    (corpus / "sub" / "new.md").write_text("# Side effects\n\nNausea and dizziness.\n", encoding="utf-8")
    summary = run(corpus, out, engine="dask", scheduler=address, batch_size=1)
    assert (summary.n_sources, summary.n_processed, summary.n_skipped) == (8, 2, 6)
    reference = tmp_path / "local"
    run(corpus, reference)
    assert_same_tables(out, reference)
    assert "004_368ad7c6bb233b33" not in set(pd.read_parquet(out / "documents.parquet").doc_id)
    # nothing changed: nothing is sent to the cluster, the tables are the previous set's files
    before = os.path.realpath(out / "current")
    summary = run(corpus, out, engine="dask", scheduler=address)
    assert (summary.n_processed, summary.n_skipped) == (0, 8)
    after = os.path.realpath(out / "current")
    assert after != before
    assert os.stat(Path(after) / "tokens.parquet").st_ino == os.stat(Path(before) / "tokens.parquet").st_ino
    assert_same_tables(out, reference)


def test_a_worker_killed_mid_run_has_its_tasks_retried(cluster, tmp_path):
    """SIGKILL one of the two worker processes while it extracts: the scheduler reschedules its
    tasks, its nanny starts a new process, the run completes with the tables of a local run."""
    address, client = cluster
    corpus = _corpus(tmp_path, copies=5)
    reference = tmp_path / "local"
    run(corpus, reference)
    pids = client.run(os.getpid)
    killed: list[tuple[str, int, int]] = []

    def kill_a_busy_worker(doc_id: str, action: str) -> None:
        if killed:
            return
        processing = client.processing()
        busy = [worker for worker, keys in processing.items() if keys]
        if not busy:
            return
        victim = busy[0]
        os.kill(pids[victim], signal.SIGKILL)
        killed.append((victim, pids[victim], len(processing[victim])))

    out = tmp_path / "dask"
    summary = run(corpus, out, engine="dask", scheduler=address, batch_size=1, on_source=kill_a_busy_worker)
    assert killed, "no worker was busy to be killed"
    victim, pid, n_tasks = killed[0]
    assert n_tasks >= 1
    assert summary.n_sources == summary.n_processed == 28
    assert_same_tables(out, reference)
    # the killed process is gone and a new one took its place
    deadline = time.monotonic() + 30
    while len(client.scheduler_info()["workers"]) < 2 and time.monotonic() < deadline:
        time.sleep(0.1)
    assert pid not in client.run(os.getpid).values()
    with pytest.raises(ProcessLookupError):
        os.kill(pid, 0)


@pytest.mark.slow
def test_the_local_cluster_engine(tmp_path):
    """Without a scheduler address the run starts its own cluster of N processes (and stops it).
    Slow (a second cluster whose workers build the Language: 5-10 s): `make test-slow`."""
    corpus = _corpus(tmp_path)
    reference = tmp_path / "local"
    run(corpus, reference)
    out = tmp_path / "dask"
    notices: list[str] = []
    summary = run(corpus, out, engine="dask", workers=2, batch_size=2, on_notice=notices.append)
    assert summary.n_processed == 8 and not notices
    assert_same_tables(out, reference)


def _allocator(_: object) -> str | None:
    import pipeline.engines.dask

    return pipeline.engines.dask.ALLOCATOR


def test_local_cluster_workers_start_without_malloc_trimming():
    """Dask's default MALLOC_TRIM_THRESHOLD_ makes extraction about 20% slower; the local
    cluster's workers start without it (and this process's environment is left alone)."""
    from pipeline.engines.dask import DaskEngine

    engine = DaskEngine(None, 1)
    try:
        values = engine.client.run(os.environ.get, "MALLOC_TRIM_THRESHOLD_")
        pythonhashseed = engine.client.run(os.environ.get, "PYTHONHASHSEED")
        allocator = list(engine.map(_allocator, [None]))
    finally:
        engine.close()
    assert list(values.values()) == [None]
    assert allocator == ["default"]  # nothing to undo
    assert list(pythonhashseed.values()) != [None]  # Dask's other settings still apply
    assert "MALLOC_TRIM_THRESHOLD_" not in os.environ


def test_a_dask_run_that_fails_leaves_the_previous_tables(cluster, tmp_path):
    """A worker that cannot see the corpus (here: the corpus folder is gone once the plan is
    made) fails the run; the staged set is removed and the previous tables stay."""
    from pipeline.engines import EngineError

    address, _ = cluster
    corpus = _corpus(tmp_path)
    out = tmp_path / "dask"
    run(corpus, out, engine="dask", scheduler=address)
    before = _frames(out)
    moved = tmp_path / "moved"

    def plan_then_move(n: int) -> None:
        corpus.rename(moved)

    with pytest.raises(EngineError, match="cannot see the corpus folder"):
        run(corpus, out, full=True, engine="dask", scheduler=address, on_plan=plan_then_move)
    for name, frame in _frames(out).items():
        pd.testing.assert_frame_equal(frame, before[name], obj=name)
    assert not [p for p in (out / "versions").iterdir() if p.name.startswith(".")]


def test_a_worker_of_another_pipeline_version_fails_the_run(cluster, tmp_path):
    """A worker whose pipeline differs from the client's (here: started with the NER model
    turned off, another pipeline version) would write rows the manifest does not describe: the
    run fails with a message naming both versions, and the previous tables stay."""
    from pipeline.engines import EngineError

    address, _ = cluster
    corpus = _corpus(tmp_path)
    out = tmp_path / "dask"
    run(corpus, out, engine="dask", scheduler=address)
    before = _frames(out)
    with _local_cluster(1, env={"PIPELINE_NER": "off"}) as other:
        with pytest.raises(EngineError, match=r"runs pipeline version \S+\.lexicon, this run \S+: install the same"):
            run(corpus, out, full=True, engine="dask", scheduler=other.scheduler_address)
    for name, frame in _frames(out).items():
        pd.testing.assert_frame_equal(frame, before[name], obj=name)
