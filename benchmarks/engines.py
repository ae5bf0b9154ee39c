"""Engines compared (issue 20): section 7 of ``benchmarks/speed.py``, and the client's write rate.

Section 7 (:func:`measure_engines`, called by speed.py on its corpora, each run a child process
measured from outside like every other speed figure):

- ``pipeline run --full`` on the main corpus with the local engine in one process, with a local
  pool of 2 processes (``--workers 2``), and on a local Dask cluster of 1 and of 2 workers
  (``--engine dask --workers 1|2``), back to back: Dask 2 vs 1 worker, Dask 1 worker vs the local
  engine, and the pool vs Dask at 2 processes;
- the client's memory: peak RSS of the client process alone (the cluster's workers are its
  children and left out; the local cluster's scheduler lives in it and is counted) for Dask 2
  workers on the 1x, 4x and 16x scaling corpora;
- how fast the client can write rows: :func:`replay_main` (``python benchmarks/engines.py
  _replay``) replays the rows of a finished run through ``pipeline.run.run`` with an engine that
  extracts nothing (each batch's rows pickled once beforehand, unpickled when the run takes
  them, as a Dask client receives them): the run plans, hashes, writes every table, counts
  concepts and commits as a real one does, so rows / seconds is the rate at which one client
  absorbs rows. Divided by the rows one Dask worker produces per second, it is the number of
  workers at which the client would become the limit.
"""

from __future__ import annotations

import argparse
import json
import pickle
import sys
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
PER_DOCUMENT = ("documents", "sentences", "tokens", "mentions", "doses")


# --------------------------------------------------------------------------------------------
# the client's write rate


class ReplayEngine:
    """An engine that hands back pre-extracted rows, batch for batch (the batches it is given
    are drawn from the run's plan, as a real engine draws them, and discarded)."""

    description = "replayed rows"

    def __init__(self, payloads: list[bytes], rows: list[int]) -> None:
        self.payloads = payloads
        self.rows = rows
        self.unpickle_s = 0.0
        #: when the run asked for each batch: between two asks it wrote the previous batch
        self.asked: list[float] = []

    def map(self, fn: Callable[[Any], Any], batches: Iterable[Any]) -> Iterator[Any]:
        for i, _batch in enumerate(batches):
            self.asked.append(time.perf_counter())
            rows = pickle.loads(self.payloads[i])
            self.unpickle_s += time.perf_counter() - self.asked[-1]
            yield rows

    def streaming_rows_per_s(self) -> float:
        """Rows per second of the write loop alone (every batch but the last, from the first
        ask to the last): no planning, vocabulary loading or commit."""
        if len(self.asked) < 2 or self.asked[-1] <= self.asked[0]:
            return float("nan")
        return sum(self.rows[:-1]) / (self.asked[-1] - self.asked[0])

    def close(self) -> None:
        pass


def _per_document_rows(tables_dir: Path) -> list[dict[str, Any]]:
    """Per source, in the order of ``documents``: its rows of every per-document table, each a
    table of its own (as a worker builds it: a slice of a larger table would pickle with all of
    its parent's buffers)."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    from pipeline import schema
    from pipeline.store import _doc_groups

    order = pq.read_table(tables_dir / "documents.parquet", columns=["doc_id"]).column("doc_id").to_pylist()
    groups = {
        name: {doc_id: rows.take(pa.array(range(rows.num_rows))) for doc_id, rows in _doc_groups(tables_dir / f"{name}.parquet")}
        for name in PER_DOCUMENT
    }
    return [
        {name: groups[name].get(doc_id, schema.empty_table(name)) for name in PER_DOCUMENT} for doc_id in order
    ]


def replay_main(argv: Sequence[str]) -> int:
    """Child process: replay the rows of ``--tables`` (a run over ``--corpus``) through a real
    run into ``--out``; writes rows, seconds and rows/s to ``--result``."""
    parser = argparse.ArgumentParser(prog="engines.py _replay")
    parser.add_argument("--corpus", type=Path, required=True)
    parser.add_argument("--tables", type=Path, required=True)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--result", type=Path, required=True)
    args = parser.parse_args(argv)
    sys.path.insert(0, str(REPO))
    from pipeline.run import PIPE_BATCH, run

    documents = _per_document_rows(args.tables)
    rows = sum(table.num_rows for doc in documents for table in doc.values())
    # the run's batches (a tiny corpus in a few smaller ones, so that the write loop is timed)
    size = PIPE_BATCH if len(documents) >= 4 * PIPE_BATCH else max(1, len(documents) // 4)
    batches = [documents[i : i + size] for i in range(0, len(documents), size)]
    payloads = [pickle.dumps(batch, protocol=5) for batch in batches]
    batch_rows = [sum(table.num_rows for doc in batch for table in doc.values()) for batch in batches]
    del documents, batches
    engine = ReplayEngine(payloads, batch_rows)
    start = time.perf_counter()
    summary = run(args.corpus, args.out, full=True, engine=engine, batch_size=size)
    seconds = time.perf_counter() - start
    if summary.n_processed != summary.n_sources:
        print(f"error: {summary.line()}", file=sys.stderr)
        return 1
    args.result.write_text(
        json.dumps(
            {
                "n_docs": summary.n_sources,
                "rows": rows,
                "seconds": seconds,
                "rows_per_s": rows / seconds,
                "streaming_rows_per_s": engine.streaming_rows_per_s(),
                "unpickle_s": engine.unpickle_s,
                "payload_mb": sum(len(p) for p in payloads) / 2**20,
            }
        ),
        encoding="utf-8",
    )
    return 0


def table_rows(tables_dir: Path) -> int:
    """Rows of the per-document tables of a finished run (what its workers produced)."""
    import pyarrow.parquet as pq

    return sum(pq.ParquetFile(tables_dir / f"{name}.parquet").metadata.num_rows for name in PER_DOCUMENT)


# --------------------------------------------------------------------------------------------
# section 7 of speed.py


def measure_engines(
    pipeline_run: Callable[..., dict[str, Any]],
    stable_measure: Callable[..., dict[str, Any]],
    work: Path,
    logs: Path,
    corpus: dict[str, Any],
    interval: float,
    log: Callable[[str], None],
    rounds: int = 1,
) -> dict[str, Any]:
    """Local 1 process, local pool of 2, Dask 1 and 2 workers on the main corpus (``rounds``
    times, alternating; the fastest round of each is reported, every round's time kept); the
    client's memory at 1x, 4x and 16x; the client's write rate (see the module doc)."""
    words = corpus["main"]["words"]
    variants = {
        "local": [],
        "local_pool_2": ["--workers", "2"],
        "dask_1": ["--engine", "dask", "--workers", "1"],
        "dask_2": ["--engine", "dask", "--workers", "2"],
    }
    runs: dict[str, dict[str, Any]] = {}
    rounds_walls: dict[str, list[float]] = {name: [] for name in variants}
    for round_ in range(max(1, rounds)):
        for name, extra in variants.items():  # alternating: each variant sees about the same load
            log(f"engines: {name} on {words:,} words" + (f" (round {round_ + 1} of {rounds})" if rounds > 1 else ""))
            r = pipeline_run(
                work / "corpus", work / f"out_{name}", logs, f"engine_{name}_{round_}", extra=extra, interval=interval
            )
            r["words_per_s"] = words / r["wall_s"]
            rounds_walls[name].append(r["wall_s"])
            if name not in runs or r["wall_s"] < runs[name]["wall_s"]:
                runs[name] = r  # the fastest round: the least disturbed by other work on the machine
    for name, r in runs.items():
        r["rounds_wall_s"] = rounds_walls[name]
    memory = []
    for factor in (1, 4, 16):
        c = corpus[f"scale_{factor}x"]
        log(f"engines: dask_2 client memory on {factor}x ({c['words']:,} words)")
        r = pipeline_run(
            work / f"corpus_{factor}x", work / f"out_dask_{factor}x", logs, f"engine_dask_2_{factor}x",
            extra=variants["dask_2"], interval=interval,
        )
        r.update(factor=factor, words=c["words"], n_docs=c["n_docs"], words_per_s=c["words"] / r["wall_s"])
        memory.append(r)

    log("engines: the client's write rate (rows of the dask_2 run replayed)")
    result_file = logs / "replay.json"
    replay_out = work / "out_replay"

    def prepare() -> None:
        import shutil

        if replay_out.exists():
            shutil.rmtree(replay_out)

    cmd = [
        sys.executable, str(Path(__file__).resolve()), "_replay", "--corpus", str(work / "corpus"),
        "--tables", str(work / "out_dask_2"), "--out", str(replay_out), "--result", str(result_file),
    ]
    replay = stable_measure(cmd, logs, "engine_replay", interval, prepare=prepare)
    replay.update(json.loads(result_file.read_text(encoding="utf-8")))
    rows = table_rows(work / "out_dask_2")
    worker_rows_per_s = rows / runs["dask_1"]["wall_s"]
    return {
        "words": words,
        "rows": rows,
        "runs": runs,
        "dask_2_vs_1": runs["dask_1"]["wall_s"] / runs["dask_2"]["wall_s"],
        "dask_1_vs_local": runs["dask_1"]["wall_s"] / runs["local"]["wall_s"],
        "pool_2_vs_dask_2": runs["local_pool_2"]["wall_s"] / runs["dask_2"]["wall_s"],
        "rounds": max(1, rounds),
        "same_code": len({r.get("code") for r in runs.values()}) == 1,
        "client_memory": {
            "points": memory,
            "client_rss_ratio": memory[-1]["peak_rss_client_mb"] / memory[0]["peak_rss_client_mb"],
        },
        "client_write": {
            **{k: v for k, v in replay.items() if not k.endswith("_tail")},
            "worker_rows_per_s": worker_rows_per_s,
            "workers_at_limit": replay["rows_per_s"] / worker_rows_per_s,
            "workers_at_limit_streaming": replay["streaming_rows_per_s"] / worker_rows_per_s,
        },
    }


def report_engines(e: dict[str, Any], table: Callable[..., str], load: Callable[[dict[str, Any]], str]) -> list[str]:
    """Section 7 of speed.py's report."""
    labels = {
        "local": "--engine local (this process)",
        "local_pool_2": "--engine local --workers 2 (process pool)",
        "dask_1": "--engine dask --workers 1 (local cluster)",
        "dask_2": "--engine dask --workers 2 (local cluster)",
    }
    rows = [
        [labels[name], r["wall_s"], r["words_per_s"], r["peak_rss_mb"], r["peak_rss_client_mb"], r["max_processes"], load(r)]
        for name, r in e["runs"].items()
    ]
    parts = [
        table(
            f"7. Engines on {e['words']:,} words, {e['rows']:,} rows (pipeline run --full, back to back"
            + (f"; fastest of {e['rounds']} alternating rounds)" if e.get("rounds", 1) > 1 else ")"),
            ["", "seconds", "words/s", "peak RSS MB (all)", "client MB", "processes", "load"],
            rows,
        )
        + f"\nDask 2 vs 1 worker: {e['dask_2_vs_1']:.2f}x (target >= 1.6x); Dask 1 worker / local engine time: "
        f"{e['dask_1_vs_local']:.2f} (target <= 1.10); local pool 2 / Dask 2 time: {e['pool_2_vs_dask_2']:.2f}"
        + ("" if e["same_code"] else " (NOTE: the pipeline code changed between these runs)")
    ]
    mem = e["client_memory"]
    parts.append(
        table(
            "   client memory, --engine dask --workers 2",
            ["", "words", "seconds", "words/s", "client peak RSS MB", "all processes MB"],
            [
                [f"{p['factor']}x", p["words"], p["wall_s"], p["words_per_s"], p["peak_rss_client_mb"], p["peak_rss_mb"]]
                for p in mem["points"]
            ],
        )
        + f"\nclient peak RSS 16x / 1x: {mem['client_rss_ratio']:.2f}, 16x / 4x: "
        f"{mem['points'][-1]['peak_rss_client_mb'] / mem['points'][-2]['peak_rss_client_mb']:.2f}"
    )
    w = e["client_write"]
    parts.append(
        f"   client write rate: {w['rows']:,} rows of {w['n_docs']:,} documents replayed through a run in "
        f"{w['seconds']:.1f} s = {w['rows_per_s']:,.0f} rows/s for the whole run (planning, vocabulary, commit "
        f"included), {w['streaming_rows_per_s']:,.0f} rows/s in its write loop (unpickling {w['unpickle_s']:.1f} s "
        f"of {w['payload_mb']:.0f} MB included); one Dask worker produces {w['worker_rows_per_s']:,.0f} rows/s "
        f"(Dask 1 worker run), so one client keeps up with about {w['workers_at_limit_streaming']:.0f} workers "
        f"({w['workers_at_limit']:.0f} counting its fixed costs on this corpus)"
    )
    return parts


if __name__ == "__main__":
    if sys.argv[1:2] == ["_replay"]:
        sys.exit(replay_main(sys.argv[2:]))
    print("usage: section 7 of benchmarks/speed.py (python benchmarks/speed.py --only-engines); "
          "`python benchmarks/engines.py _replay ...` is its child process", file=sys.stderr)
    sys.exit(2)
