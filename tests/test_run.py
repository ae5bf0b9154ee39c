"""End to end: `pipeline run` writes the contract's tables; incremental runs; bad sources; kills."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import pandas as pd
import polars as pl
import pyarrow.parquet as pq
import pytest

from pipeline import schema
from pipeline.run import run

VOLATILE = ["extracted_at"]


def _read(out: Path, table: str) -> pd.DataFrame:
    return pd.read_parquet(out / f"{table}.parquet")


def _leftovers(out: Path) -> list[str]:
    """Anything in the output folder besides the documented layout (README, "Output folder")."""
    expected = {f"{name}.parquet" for name in schema.TABLES} | {"_manifest.json", "current", "versions", ".lock"}
    extra = [p.name for p in out.iterdir() if p.name not in expected]
    extra += [p.name for p in (out / "versions").iterdir() if p.name.startswith(".")]
    return extra


def _stable(out: Path, table: str) -> pd.DataFrame:
    frame = _read(out, table)
    return frame.drop(columns=[c for c in VOLATILE if c in frame.columns])


@pytest.fixture(scope="module")
def first_run(tmp_path_factory) -> tuple[Path, Path]:
    from conftest import CORPUS

    base = tmp_path_factory.mktemp("run")
    corpus = base / "corpus"
    shutil.copytree(CORPUS, corpus)
    out = base / "outputs"
    summary = run(corpus, out)
    assert summary.n_processed == 5 and summary.n_failed == 0
    return corpus, out


def test_every_table_has_the_contract_schema(first_run):
    _, out = first_run
    for name, expected in schema.TABLES.items():
        parquet = pq.ParquetFile(out / f"{name}.parquet")
        arrow_schema = parquet.schema_arrow
        assert arrow_schema.names == expected.names, name
        assert [f.type for f in arrow_schema] == [f.type for f in expected], name
        metadata = parquet.metadata.metadata
        assert metadata[b"schema_version"] == schema.SCHEMA_VERSION.encode()
        assert metadata[b"table"] == name.encode()
    assert _leftovers(out) == []


def test_documents_match_the_files_exactly(first_run):
    corpus, out = first_run
    documents = _read(out, "documents")
    assert sorted(documents.doc_id) == sorted(p.stem for p in corpus.glob("*.txt"))
    for row in documents.itertuples():
        raw = (corpus / row.source).read_bytes()
        assert row.text == raw.decode("utf-8-sig")
        assert row.n_chars == len(row.text)
        assert row.status == "ok" and pd.isna(row.error)
        assert row.media_type == "text/plain"
        assert len(row.sha256) == 64


def test_sentence_and_token_offsets_point_into_the_text(first_run):
    _, out = first_run
    texts = dict(_read(out, "documents")[["doc_id", "text"]].itertuples(index=False))
    sentences = _read(out, "sentences")
    tokens = _read(out, "tokens")
    assert len(sentences) > 300 and len(tokens) > 5000
    for row in sentences.itertuples():
        assert texts[row.doc_id][row.start : row.end] == row.text
    for row in tokens.itertuples():
        assert texts[row.doc_id][row.start : row.end] == row.text
    # tokens fall inside their sentence, ids are dense and ordered
    merged = tokens.merge(sentences, on=["doc_id", "sentence_id"], suffixes=("", "_s"))
    assert len(merged) == len(tokens)
    assert ((merged.start >= merged.start_s) & (merged.end <= merged.end_s)).all()
    for _, group in tokens.groupby("doc_id"):
        assert group.token_id.tolist() == list(range(len(group)))
    counts = sentences.groupby("doc_id").size()
    documents = _read(out, "documents").set_index("doc_id")
    assert (documents.n_sentences == counts.reindex(documents.index)).all()


def test_sections_come_from_headings(first_run):
    _, out = first_run
    sentences = _read(out, "sentences")
    stroke = sentences[(sentences.doc_id == "003_dce35bb14e90a520") & (sentences.section == "Stroke")]
    assert len(stroke) >= 3
    assert stroke.iloc[0].text == "1) Stroke"


def test_tables_load_in_duckdb_and_polars(first_run):
    _, out = first_run
    for name in schema.TABLES:
        path = (out / f"{name}.parquet").as_posix()
        n_duck = duckdb.sql(f"select count(*) from read_parquet('{path}')").fetchall()[0][0]
        assert n_duck == pl.read_parquet(path).height == len(_read(out, name))
    punctuation = duckdb.sql(
        f"select count(*) from read_parquet('{(out / 'tokens.parquet').as_posix()}') where is_punct"
    ).fetchall()[0][0]
    assert punctuation > 100


def test_rerun_processes_nothing_and_keeps_rows(first_run, tmp_path):
    corpus, first_out = first_run
    out = tmp_path / "outputs"
    shutil.copytree(first_out, out)
    before = {name: _read(out, name) for name in schema.PER_DOCUMENT_TABLES}
    summary = run(corpus, out)
    assert (summary.n_processed, summary.n_skipped) == (0, 5)
    for name, frame in before.items():
        pd.testing.assert_frame_equal(_read(out, name), frame)
    runs = _read(out, "runs")
    assert len(runs) == 2 and runs.iloc[-1].n_skipped == 5 and runs.iloc[-1].n_processed == 0


def test_tables_of_schema_version_1_are_extracted_again(first_run, tmp_path):
    """Rows of version-1 tables (no subject or substance columns) are not reused."""
    corpus, first_out = first_run
    out = tmp_path / "outputs"
    shutil.copytree(first_out, out)
    version_1 = {
        "documents": ["subject_id", "subject_name"],
        "mentions": ["substance_id", "substance_name"],
    }
    for name in schema.TABLES:
        table = pq.read_table(out / f"{name}.parquet").drop_columns(version_1.get(name, []))
        metadata = {**(table.schema.metadata or {}), b"schema_version": b"1.0"}
        pq.write_table(table.replace_schema_metadata(metadata), out / f"{name}.parquet")
    summary = run(corpus, out)
    assert (summary.n_processed, summary.n_skipped) == (5, 0)
    for name in schema.TABLES:
        assert pq.read_schema(out / f"{name}.parquet").names == schema.TABLES[name].names
    pd.testing.assert_frame_equal(_stable(out, "mentions"), _stable(first_out, "mentions"))


def test_subjects_and_substances_of_the_five_articles(first_run):
    _, out = first_run
    documents = _read(out, "documents")
    assert set(documents.subject_name) == {"Cerebrolysin"}
    mentions = _read(out, "mentions")
    statements = mentions[mentions.label != "SUBSTANCE"]
    assert statements.substance_name.notna().all()
    names = mentions[mentions.label == "SUBSTANCE"]
    assert (names.substance_id == names.concept_id).all() and len(names) > 50


def test_changed_added_removed_and_bad_sources(first_run, tmp_path):
    corpus_src, first_out = first_run
    corpus = tmp_path / "corpus"
    shutil.copytree(corpus_src, corpus)
    out = tmp_path / "outputs"
    shutil.copytree(first_out, out)
    before = _stable(out, "documents").set_index("doc_id")

    changed = corpus / "001_8dd5d6bfa448473a.txt"
    changed.write_text(changed.read_text(encoding="utf-8") + "\nHeadache was reported.\n", encoding="utf-8")
    (corpus / "004_368ad7c6bb233b33.txt").unlink()
    (corpus / "binary.txt").write_bytes(b"\x00\x01\x02\x03" * 100)
    latin = "Réaction allergique sévère et céphalée après l'injection du médicament.\n" * 2
    (corpus / "latin.txt").write_bytes(latin.encode("latin-1"))

    summary = run(corpus, out)
    assert (summary.n_sources, summary.n_processed, summary.n_skipped, summary.n_failed) == (6, 3, 3, 1)
    documents = _stable(out, "documents").set_index("doc_id")
    assert "004_368ad7c6bb233b33" not in documents.index
    assert not (_read(out, "sentences").doc_id == "004_368ad7c6bb233b33").any()
    assert documents.loc["binary"].status == "error" and "binary" in documents.loc["binary"].error
    assert documents.loc["latin"].status == "ok" and documents.loc["latin"].text == latin
    assert documents.loc["001_8dd5d6bfa448473a"].text.endswith("Headache was reported.\n")
    for kept in ("000_0abf5aafb2a03cb7", "002_8b6e0ff55daab5de", "003_dce35bb14e90a520"):
        assert documents.loc[kept].equals(before.loc[kept])
    # the error row has no sentences and the batch still completed every other table
    assert not (_read(out, "tokens").doc_id == "binary").any()
    assert (_read(out, "tokens").doc_id == "latin").any()

    summary = run(corpus, out)
    assert summary.n_processed == 0 and summary.n_skipped == 6


def test_full_rerun_is_deterministic(first_run, tmp_path):
    corpus, first_out = first_run
    out = tmp_path / "outputs"
    shutil.copytree(first_out, out)
    summary = run(corpus, out, full=True)
    assert summary.n_processed == 5
    for name in ("documents", "sentences", "tokens", "mentions", "doses", "concepts"):
        pd.testing.assert_frame_equal(_stable(out, name), _stable(first_out, name), obj=name)


def test_two_workers_give_the_same_rows(first_run, tmp_path):
    corpus, first_out = first_run
    out = tmp_path / "outputs"
    run(corpus, out, workers=2)
    for name in ("documents", "sentences", "tokens", "mentions", "doses", "concepts"):
        pd.testing.assert_frame_equal(_stable(out, name), _stable(first_out, name), obj=name)


def test_killed_run_leaves_previous_tables_and_next_run_completes(first_run, tmp_path):
    corpus_src, first_out = first_run
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    articles = sorted(corpus_src.glob("*.txt"))
    for i in range(40):
        article = articles[i % len(articles)]
        (corpus / f"{i:03d}_{article.name}").write_text(
            article.read_text(encoding="utf-8") + f"\nCopy {i}.\n", encoding="utf-8"
        )
    out = tmp_path / "outputs"
    shutil.copytree(first_out, out)
    before = {name: _read(out, name) for name in schema.TABLES}

    env = {**os.environ, "PYTHONWARNINGS": "ignore"}
    process = subprocess.Popen(
        [sys.executable, "-m", "pipeline", "run", "--corpus", str(corpus), "--out", str(out)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 120
    while not any(p.name.startswith(".staging-") for p in (out / "versions").iterdir()):
        assert process.poll() is None, "the run ended before it could be killed"
        assert time.monotonic() < deadline
        time.sleep(0.02)
    time.sleep(0.5)
    assert process.poll() is None, "the run ended before it could be killed"
    process.send_signal(signal.SIGKILL)
    process.wait()

    for name, frame in before.items():
        pd.testing.assert_frame_equal(_read(out, name), frame, obj=name)

    summary = run(corpus, out)
    assert summary.n_processed == 40 and summary.n_sources == 40
    assert sorted(_read(out, "documents").doc_id) == sorted(p.stem for p in corpus.glob("*.txt"))
    assert _leftovers(out) == []


def test_incremental_run_keeps_rows_in_nested_folders(tmp_path):
    from conftest import CORPUS

    articles = sorted(CORPUS.glob("*.txt"))
    corpus = tmp_path / "corpus"
    # "a-c" sorts before "a/" as a string but after it by path parts
    for i, relative in enumerate(["a/b.txt", "a-c.txt", "a/z/d.txt", "b.txt"]):
        target = corpus / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(articles[i].read_text(encoding="utf-8"), encoding="utf-8")
    out = tmp_path / "outputs"
    run(corpus, out)
    before = _read(out, "sentences")
    (corpus / "b.txt").write_text("Headache was reported.\n", encoding="utf-8")
    summary = run(corpus, out)
    assert (summary.n_processed, summary.n_skipped) == (1, 3)
    after = _read(out, "sentences")
    for doc_id in ("a/b", "a-c", "a/z/d"):
        pd.testing.assert_frame_equal(
            after[after.doc_id == doc_id].reset_index(drop=True), before[before.doc_id == doc_id].reset_index(drop=True)
        )


def test_concepts_count_the_mentions_and_documents(first_run):
    _, out = first_run
    mentions = _read(out, "mentions").dropna(subset=["concept_id"])
    concepts = _read(out, "concepts").set_index("concept_id")
    expected = mentions.groupby("concept_id").agg(n_mentions=("mention_id", "size"), n_docs=("doc_id", "nunique"))
    assert len(concepts) == len(expected) > 20
    assert (concepts.loc[expected.index, "n_mentions"] == expected.n_mentions).all()
    assert (concepts.loc[expected.index, "n_docs"] == expected.n_docs).all()
    assert concepts.loc["HP:0002315", "vocabulary"] == "HPO"  # headache
    assert "UMLS:C0018681" in list(concepts.loc["HP:0002315", "xrefs"])
