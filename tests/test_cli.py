"""The command line: help, summary line, exit codes, `python -m pipeline`."""

from __future__ import annotations

import os
import subprocess
import sys

import pandas as pd
import pytest

ENV = {**os.environ, "PYTHONWARNINGS": "ignore"}


def _pipeline(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "pipeline", *args], capture_output=True, text=True, env=ENV, timeout=600
    )


def test_help_explains_every_option():
    result = _pipeline("run", "--help")
    assert result.returncode == 0
    for option in ("--corpus", "--out", "--full", "--workers", "--max-bytes", "--follow-symlinks", "--wait"):
        assert option in result.stdout
    result = _pipeline("evaluate", "--help")
    for option in ("--gold", "--out", "--json"):
        assert option in result.stdout


@pytest.mark.slow
def test_run_prints_a_summary_line_and_evaluate_works(corpus_copy, tmp_path):
    out = tmp_path / "outputs"
    (corpus_copy / "junk.bin").write_bytes(b"\x00\xff" * 10)
    result = _pipeline("run", "--corpus", str(corpus_copy), "--out", str(out))
    assert result.returncode == 0, result.stderr
    assert "6 sources: 6 processed, 0 skipped (unchanged), 1 failed" in result.stdout
    documents = pd.read_parquet(out / "documents.parquet")
    assert documents.set_index("doc_id").loc["junk"].status == "error"

    gold = tmp_path / "gold.jsonl"
    gold.write_text(
        '{"doc": "000_0abf5aafb2a03cb7", "start": 928, "end": 954, "text": "neurodegenerative diseases", '
        '"label": "CONDITION", "concept": "neurodegenerative disease", "negated": false, "role": "studied"}\n',
        encoding="utf-8",
    )
    result = _pipeline("evaluate", "--gold", str(gold), "--out", str(out), "--json")
    assert result.returncode == 0, result.stderr
    assert "CONDITION" in result.stdout


def test_missing_corpus_is_a_run_failure(tmp_path):
    result = _pipeline("run", "--corpus", str(tmp_path / "nope"), "--out", str(tmp_path / "out"))
    assert result.returncode == 2
    assert "corpus folder not found" in result.stderr
    assert not (tmp_path / "out").exists()


@pytest.mark.slow
def test_evaluate_reports_a_malformed_gold_file_clearly(corpus_copy, tmp_path):
    out = tmp_path / "outputs"
    assert _pipeline("run", "--corpus", str(corpus_copy), "--out", str(out)).returncode == 0
    gold = tmp_path / "gold.jsonl"
    gold.write_text('{"doc": "000_0abf5aafb2a03cb7", "start": 1\nnot json\n', encoding="utf-8")
    result = _pipeline("evaluate", "--gold", str(gold), "--out", str(out))
    assert result.returncode == 2
    assert "gold.jsonl:1" in result.stderr and "Traceback" not in result.stderr
