"""Kill harness: SIGKILL runs at random instants and inside the commit, check every table after.

Each round forks a run (the parent has the Language loaded, so a child starts working at once)
over one of three corpus states, and SIGKILLs it:

- ``random``: at a uniformly random instant of a whole run (0 .. 1.3x the measured run time);
- ``commit``: inside the commit; the child pauses ``--pause`` seconds after each commit step
  (``PIPELINE_TEST_COMMIT_PAUSE``), the parent waits until the staged set is complete (its
  manifest written) and kills at a random instant of the next 5 pauses.

While the child runs, a reader thread keeps reading every table, once from the resolved
``current`` folder (must always be one consistent set) and once through the documented paths
(must be consistent unless ``current`` moved while it read). After each kill:

- :func:`pipeline.verify.problems` on the output folder (one set, readable, consistent with its
  manifest), which must equal the set before the run or the complete set of the new state, with
  ``runs`` holding only committed runs;
- a next run (not killed) must complete and equal a clean ``--full`` run of its corpus state,
  and leave no staging folder or temporary file.

Usage: ``python benchmarks/kills.py [--kills 100] [--seed 1]``; prints a JSON summary (the
numbers in BENCHMARKS.md, "Kill harness").
"""

from __future__ import annotations

import argparse
import hashlib
import json
import multiprocessing
import os
import random
import shutil
import signal
import sys
import threading
import time
from pathlib import Path

import pandas as pd

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from pipeline import schema, verify, versions  # noqa: E402
from pipeline.run import run  # noqa: E402

STEPS = 5  # commit pauses: staged, renamed, switched, cleaned (one per old set)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--kills", type=int, default=100)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--pause", type=float, default=0.02, help="seconds after each commit step (commit kills)")
    parser.add_argument("--work", type=Path, default=REPO / "benchmarks" / "work" / "kills")
    args = parser.parse_args()
    rng = random.Random(args.seed)
    shutil.rmtree(args.work, ignore_errors=True)
    states = _corpus_states(args.work)
    references = {}
    for name, corpus in states.items():  # also loads the Language before any fork
        references[name] = _fingerprint(_clean_run(corpus, args.work / f"reference-{name}"))
    out = args.work / "outputs"
    run(states["a"], out)
    run_seconds = _calibrate(states, out)

    counts = {
        "kills": 0, "killed_live": 0, "finished_before_kill": 0, "random": 0, "random_killed_live": 0,
        "commit": 0, "commit_killed_live": 0, "random_old_set": 0, "random_new_set": 0,
        "commit_old_set": 0, "commit_new_set": 0,
        "old_set_after_kill": 0, "new_set_after_kill": 0, "mixed": 0, "unreadable_or_inconsistent": 0,
        "uncommitted_run_rows": 0, "failed_next_runs": 0, "next_run_differs_from_full": 0,
        "leftovers_after_next_run": 0, "reader_views": 0, "reader_mixed_views": 0,
    }
    failures: list[str] = []
    started = time.monotonic()
    state = "a"
    for round_ in range(args.kills):
        before = _fingerprint(out)
        runs_before = len(pd.read_parquet(out / "runs.parquet"))
        state = rng.choice([s for s in states if s != state])
        mode = "commit" if round_ % 5 in (1, 3) else "random"
        counts[mode] += 1
        reader = _Reader(out)
        live = _kill_one(states[state], out, mode, rng, run_seconds, args.pause, reader)
        reader.stop()
        counts["kills"] += 1
        counts["killed_live" if live else "finished_before_kill"] += 1
        counts[f"{mode}_killed_live"] += live
        counts["reader_views"] += reader.views
        counts["reader_mixed_views"] += reader.mixed
        failures += reader.failures

        found = verify.problems(out)
        if found:
            counts["unreadable_or_inconsistent"] += 1
            failures.append(f"round {round_} ({mode}): {found}")
        else:
            now = _fingerprint(out)
            runs_now = len(pd.read_parquet(out / "runs.parquet"))
            if now == before and runs_now == runs_before:
                counts["old_set_after_kill"] += 1
                counts[f"{mode}_old_set"] += 1
            elif now == references[state] and runs_now == runs_before + 1:
                counts["new_set_after_kill"] += 1
                counts[f"{mode}_new_set"] += 1
            elif now in (before, references[state]):
                counts["uncommitted_run_rows"] += 1
                failures.append(f"round {round_}: runs has {runs_now} rows after {runs_before}")
            else:
                counts["mixed"] += 1
                failures.append(f"round {round_} ({mode}): neither the previous nor the new set")
        try:
            run(states[state], out)
        except Exception as error:  # counted, and the harness goes on
            counts["failed_next_runs"] += 1
            failures.append(f"round {round_}: next run failed: {error!r}")
            continue
        if verify.problems(out) or _fingerprint(out) != references[state]:
            counts["next_run_differs_from_full"] += 1
            failures.append(f"round {round_}: next run differs from a clean --full run")
        if _leftovers(out):
            counts["leftovers_after_next_run"] += 1
            failures.append(f"round {round_}: leftovers {_leftovers(out)}")
    counts["seconds"] = round(time.monotonic() - started, 1)
    counts["run_seconds"] = round(run_seconds, 2)
    print(json.dumps({"counts": counts, "failures": failures[:20]}, indent=1))
    sys.exit(1 if failures else 0)


def _corpus_states(work: Path) -> dict[str, Path]:
    """Three corpora: six article excerpts; one changed and one added; one removed and a bad
    source added. Every change between two states makes a run extract something."""
    articles = sorted((REPO / "corpus").glob("*.txt"))
    texts = [a.read_text(encoding="utf-8") for a in articles]
    base = {f"{i:02d}.txt": texts[i % len(texts)][(i // len(texts)) * 2000 :][:3000] for i in range(6)}
    b = dict(base)
    b["01.txt"] = base["01.txt"] + "\nNausea and headache were reported.\n"
    b["added.md"] = "# Added\n\nDizziness after 10 mL daily.\n"
    c = {k: v for k, v in base.items() if k != "02.txt"}
    c["bad.txt"] = "\x00\x01binary"
    states = {}
    for name, files in (("a", base), ("b", b), ("c", c)):
        folder = work / f"corpus-{name}"
        folder.mkdir(parents=True)
        for file, text in files.items():
            (folder / file).write_text(text, encoding="utf-8")
        states[name] = folder
    return states


def _clean_run(corpus: Path, out: Path) -> Path:
    run(corpus, out, full=True)
    return out


def _fingerprint(out: Path) -> str:
    """A digest of every table's rows except ``runs`` and the volatile ``extracted_at``."""
    digest = hashlib.sha256()
    for name in schema.TABLES:
        if name == "runs":
            continue
        frame = pd.read_parquet(out / f"{name}.parquet")
        frame = frame.drop(columns=[c for c in ("extracted_at",) if c in frame.columns])
        digest.update(pd.util.hash_pandas_object(frame.astype(str), index=False).values.tobytes())
    return digest.hexdigest()


def _calibrate(states: dict[str, Path], out: Path) -> float:
    """Mean wall time of a forked run from state to state (fork to exit), a reader running."""
    times = []
    for state in ("b", "c", "a") * 2:
        clock = time.monotonic()
        process = _fork_run(states[state], out, {})
        reader = _Reader(out)  # as in the rounds: a reader competes for the CPU
        reader.start()
        process.join()
        times.append(time.monotonic() - clock)
        reader.stop()
    return sum(times) / len(times)


def _fork_run(corpus: Path, out: Path, env: dict[str, str]) -> multiprocessing.Process:
    def child() -> None:
        os.environ.update(env)
        run(corpus, out)
        os._exit(0)

    process = multiprocessing.get_context("fork").Process(target=child)
    process.start()
    return process


def _kill_one(
    corpus: Path, out: Path, mode: str, rng: random.Random, run_seconds: float, pause: float, reader: _Reader
) -> bool:
    """Run and SIGKILL; True when the run was still alive at the kill. The reader starts after
    the fork (a thread running at fork time could leave a lock held in the child)."""
    env = {"PIPELINE_TEST_COMMIT_PAUSE": str(pause)} if mode == "commit" else {}
    process = _fork_run(corpus, out, env)
    reader.start()
    if mode == "random":
        time.sleep(rng.uniform(0, 1.3 * run_seconds))
    else:
        deadline = time.monotonic() + 60
        while process.is_alive() and time.monotonic() < deadline and not any(
            (p / versions.MANIFEST).exists() for p in (out / versions.VERSIONS).glob(f"{versions.STAGING_PREFIX}*")
        ):
            time.sleep(0.001)
        time.sleep(rng.uniform(0, STEPS * pause))
    live = process.is_alive()
    if live:
        os.kill(process.pid, signal.SIGKILL)
    process.join()
    return live


class _Reader(threading.Thread):
    """Reads every table while a run goes on, as an analyst's script would."""

    def __init__(self, out: Path) -> None:
        super().__init__(daemon=True)
        self.out = out
        self.views = self.mixed = 0
        self.failures: list[str] = []
        self._halt = threading.Event()

    def stop(self) -> None:
        self._halt.set()
        self.join()

    def run(self) -> None:
        while not self._halt.is_set():
            snapshot = versions.snapshot(self.out)
            if snapshot is None:
                continue
            before = os.readlink(self.out / versions.CURRENT)
            try:
                via_snapshot = verify.problems(snapshot)
                via_paths = verify.problems(self.out)
            except FileNotFoundError as error:  # a set deleted two commits after it was resolved
                self.failures.append(f"reader: {error}")
                continue
            moved = os.readlink(self.out / versions.CURRENT) != before
            self.views += 1
            if via_snapshot or (via_paths and not moved):
                self.mixed += 1
                self.failures.append(f"reader: {via_snapshot or via_paths}")
            time.sleep(0.01)


def _leftovers(out: Path) -> list[str]:
    names = [p.name for p in out.iterdir() if p.name.endswith(".tmp") or p.name.startswith(".staging")]
    names += [p.name for p in (out / versions.VERSIONS).iterdir() if p.name.startswith(".")]
    return names


if __name__ == "__main__":
    main()
