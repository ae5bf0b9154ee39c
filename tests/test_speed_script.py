"""Smoke test of benchmarks/speed.py: a tiny run against ../shared produces every section.

Why: the speed figures are produced by one command (``make bench-speed``); this checks that the
command still runs end to end against the real benchmark files and writes a complete JSON. It is
not a timed test: nothing here asserts on speed, only that each measurement exists and is a
positive number. Skips cleanly when ../shared/benchmarks is absent.

The end-to-end run takes most of a minute (every measurement is a fresh process that loads the
pipeline): it is marked slow. The default suite runs the script's own steps in process
(corpus, child measurement) in about a second.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"
SCRIPT = REPO / "benchmarks" / "speed.py"


def positive(value: object) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and value > 0


@pytest.fixture(scope="module")
def report(tmp_path_factory: pytest.TempPathFactory) -> dict:
    if not (SHARED / "benchmarks").is_dir():
        pytest.skip(f"{SHARED / 'benchmarks'} is not available")
    tmp = tmp_path_factory.mktemp("speed")
    out = tmp / "speed.json"
    proc = subprocess.run(
        [
            sys.executable, str(SCRIPT), "--shared", str(SHARED), "--work", str(tmp / "work"),
            "--words", "3000", "--repeats", "1", "--json", str(out),
            "--profile", "--profile-words", "1000", "--no-engines",
        ],
        cwd=REPO, capture_output=True, text=True, timeout=900,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    for heading in ("Machine", "1. Throughput", "2. Cold start", "3. Scaling", "4. Re-run", "5. Workers", "6. Profile"):
        assert heading in proc.stdout
    return json.loads(out.read_text(encoding="utf-8"))


@pytest.mark.slow
def test_machine_and_corpus(report: dict) -> None:
    machine = report["machine"]
    assert machine["cpu_model"] and positive(machine["logical_cores"]) and positive(machine["ram_gb"])
    assert machine["python"] and machine["spacy"]
    assert len(machine["loadavg_start"]) == 3
    corpus = report["corpus"]
    assert corpus["main"]["words"] >= 3000 and positive(corpus["main"]["n_docs"])
    assert corpus["one_doc"]["n_docs"] == 1
    base = corpus["scale_1x"]
    for factor in (4, 16):
        scaled = corpus[f"scale_{factor}x"]
        assert scaled["n_docs"] == factor * base["n_docs"]
        assert scaled["words"] == factor * base["words"]


@pytest.mark.slow
def test_throughput(report: dict) -> None:
    t = report["throughput"]
    for part in ("pipeline", "tokenizer_scispacy", "tokenizer_default"):
        assert positive(t[part]["words_per_s"]), part
        assert positive(t[part]["wall_s"]) and positive(t[part]["peak_rss_mb"]), part
    assert t["tokenizer_scispacy"]["words"] == t["words"] == t["tokenizer_default"]["words"]
    assert positive(t["ratio"]) and positive(t["ratio_default"])
    assert t["pipeline"]["n_processed"] == report["corpus"]["main"]["n_docs"]


@pytest.mark.slow
def test_cold_start(report: dict) -> None:
    cold = report["cold_start"]
    for key in ("python", "import_spacy", "get_nlp", "one_doc_run"):
        assert positive(cold[key]["median_s"]) and positive(cold[key]["peak_rss_mb"]), key
        assert len(cold[key]["runs"]) == 1


@pytest.mark.slow
def test_scaling(report: dict) -> None:
    scaling = report["scaling"]
    assert [p["factor"] for p in scaling["points"]] == [1, 4, 16]
    for point in scaling["points"]:
        assert positive(point["wall_s"]) and positive(point["peak_rss_mb"]) and positive(point["words_per_s"])
        assert point["n_processed"] == point["n_docs"]
    assert positive(scaling["time_ratio_max"]) and positive(scaling["rss_ratio_max"])


@pytest.mark.slow
def test_rerun(report: dict) -> None:
    rerun = report["rerun"]
    assert positive(rerun["wall_s"]) and positive(rerun["first_wall_s"]) and positive(rerun["ratio"])
    assert rerun["n_processed"] == 0
    assert rerun["n_skipped"] == report["corpus"]["main"]["n_docs"]


@pytest.mark.slow
def test_workers(report: dict) -> None:
    workers = report["workers"]
    for n in ("1", "2"):
        run = workers["runs"][n]
        assert positive(run["wall_s"]) and positive(run["peak_rss_mb"]) and positive(run["words_per_s"])
    assert workers["runs"]["2"]["max_processes"] >= 1  # (a tiny corpus may not need the pool)
    assert positive(workers["speedup"])


@pytest.mark.slow
def test_profile(report: dict) -> None:
    profile = report["profile"]
    assert Path(profile["prof_file"]).is_file()
    assert len(profile["top_cumulative"]) == 15
    assert all(positive(row["cumtime_s"]) for row in profile["top_cumulative"])
    assert positive(profile["tottime_by_module"][0]["tottime_s"])


def test_the_script_builds_its_corpus_and_measures_a_child_process(tmp_path: Path) -> None:
    """The speed script's steps without the pipeline runs: the corpus from the benchmark texts
    (3,000 words, and the scaling copies), one child process measured from outside."""
    import importlib.util
    import random

    if not (SHARED / "benchmarks").is_dir():
        pytest.skip(f"{SHARED / 'benchmarks'} is not available")
    spec = importlib.util.spec_from_file_location("speed_script", SCRIPT)
    speed = importlib.util.module_from_spec(spec)
    sys.modules["speed_script"] = speed  # dataclasses look their module up
    try:
        spec.loader.exec_module(speed)
        docs = speed.pack_documents(speed.source_units(SHARED), random.Random(speed.SEED))
        main = speed.select(docs, 3000)
        corpus = speed.write_corpus(tmp_path / "main", main)
        scaled = speed.write_corpus(tmp_path / "scaled", speed.replicate(main, 4))
        measured = speed.measure([sys.executable, "-c", "pass"], tmp_path / "logs", "python")
    finally:
        del sys.modules["speed_script"]
    assert corpus["words"] >= 3000 and corpus["n_docs"] == len(main) == len(list((tmp_path / "main").glob("*.txt")))
    assert scaled["n_docs"] == 4 * corpus["n_docs"] and scaled["words"] == 4 * corpus["words"]
    assert measured["returncode"] == 0
    assert positive(measured["wall_s"]) and positive(measured["peak_rss_single_process_mb"])


@pytest.mark.slow
def test_engines_section(tmp_path: Path) -> None:
    """Section 7 (benchmarks/engines.py): the four engine runs, the client's memory at 1x and
    16x, the client's write rate; every figure present and positive, the replayed run's rows
    those of the Dask run."""
    if not (SHARED / "benchmarks").is_dir():
        pytest.skip(f"{SHARED / 'benchmarks'} is not available")
    pytest.importorskip("psutil")
    out = tmp_path / "speed.json"
    proc = subprocess.run(
        [sys.executable, str(SCRIPT), "--shared", str(SHARED), "--work", str(tmp_path / "work"),
         "--words", "3000", "--json", str(out), "--only-engines", "--engine-rounds", "2"],
        cwd=REPO, capture_output=True, text=True, timeout=900,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert "7. Engines" in proc.stdout and "client write rate" in proc.stdout
    assert "1. Throughput" not in proc.stdout
    engines = json.loads(out.read_text(encoding="utf-8"))["engines"]
    n_docs = json.loads(out.read_text(encoding="utf-8"))["corpus"]["main"]["n_docs"]
    for name in ("local", "local_pool_2", "dask_1", "dask_2"):
        run = engines["runs"][name]
        assert positive(run["wall_s"]) and positive(run["peak_rss_client_mb"]) and positive(run["words_per_s"])
        assert run["n_processed"] == n_docs, name
        assert len(run["rounds_wall_s"]) == 2 and run["wall_s"] == min(run["rounds_wall_s"])
    assert engines["runs"]["dask_2"]["max_processes"] >= 3  # the client and two workers
    for key in ("dask_2_vs_1", "dask_1_vs_local", "pool_2_vs_dask_2"):
        assert positive(engines[key]), key
    assert [p["factor"] for p in engines["client_memory"]["points"]] == [1, 4, 16]
    assert positive(engines["client_memory"]["client_rss_ratio"])
    write = engines["client_write"]
    assert write["rows"] == engines["rows"] > 0 and write["n_docs"] == n_docs
    assert positive(write["rows_per_s"]) and positive(write["workers_at_limit"])
    assert write["streaming_rows_per_s"] > write["rows_per_s"] and positive(write["workers_at_limit_streaming"])


def test_missing_shared_is_reported(tmp_path: Path) -> None:
    proc = subprocess.run(
        [sys.executable, str(SCRIPT), "--shared", str(tmp_path / "nowhere"), "--work", str(tmp_path / "work")],
        cwd=REPO, capture_output=True, text=True, timeout=120,
    )
    assert proc.returncode == 2
    assert "benchmarks" in proc.stderr and "not found" in proc.stderr
    assert not (tmp_path / "work").exists()


@pytest.mark.slow
def test_component_timings_cover_every_stage(tmp_path: Path) -> None:
    """benchmarks/components.py times the tokenizer and each pipeline component (not a timed
    test: only that every stage is measured and the report names it)."""
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "a.txt").write_text("Headache and nausea were reported after 10 mg daily.\n", encoding="utf-8")
    (corpus / "b.txt").write_text("Patients with Parkinson's disease received the drug.\n", encoding="utf-8")
    sys.path.insert(0, str(REPO / "benchmarks"))
    try:
        import components
    finally:
        sys.path.remove(str(REPO / "benchmarks"))
    from pipeline.nlp import get_nlp

    times = components.component_times(["Headache was reported.", "No nausea."], batch_size=2)
    assert list(times) == ["tokenizer"] + get_nlp().pipe_names
    assert all(positive(seconds) for seconds in times.values())
    run = subprocess.run(
        [sys.executable, str(REPO / "benchmarks" / "components.py"), "--corpus", str(corpus)],
        capture_output=True, text=True, cwd=REPO, check=True,
    )
    assert "2 documents" in run.stdout and "disease_ner" in run.stdout and "all stages" in run.stdout
