"""Every unreadable, vanished or forbidden source becomes an error row and the batch goes on.

The permission cases run `pipeline run` with root's override capabilities dropped
(CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH, via `setpriv --bounding-set`), so a file or folder without
read permission is met as a normal user meets it, even though the tests run as root.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pandas as pd

from pipeline.ingest import find_sources
from pipeline.run import run

from conftest import CORPUS

AS_A_USER = ["setpriv", "--bounding-set", "-dac_override,-dac_read_search", "--"]
ENV = {**os.environ, "PYTHONWARNINGS": "ignore"}


def _bad_corpus(base: Path) -> Path:
    """One good article and one of each kind of bad source."""
    corpus = base / "corpus"
    corpus.mkdir()
    shutil.copy(sorted(CORPUS.glob("*.txt"))[0], corpus / "good.txt")
    (corpus / "locked.txt").write_text("Headache.\n", encoding="utf-8")
    (corpus / "locked.txt").chmod(0)
    (corpus / "closed").mkdir()
    (corpus / "closed" / "inside.txt").write_text("Nausea.\n", encoding="utf-8")
    (corpus / "closed").chmod(0)
    os.mkfifo(corpus / "pipe.txt")
    (corpus / "dangling.txt").symlink_to(base / "nowhere.txt")
    (corpus / "loop-a.txt").symlink_to(corpus / "loop-b.txt")
    (corpus / "loop-b.txt").symlink_to(corpus / "loop-a.txt")
    (corpus / "sub").mkdir()
    (corpus / "sub" / "up").symlink_to(corpus, target_is_directory=True)
    (base / "secret.txt").write_text("root:x:0:0:not for the corpus\n", encoding="utf-8")
    (corpus / "outside.txt").symlink_to(base / "secret.txt")
    (corpus / "inside.txt").symlink_to(corpus / "good.txt")
    (corpus / "paper.txt").write_bytes(b"%PDF-1.4\n1 0 obj << >> endobj\n%%EOF\n")
    damaged = "Cerebrolysin’s side effects: headache and dizziness.\n".encode("utf-8") * 20
    (corpus / "damaged.txt").write_bytes(damaged + b"caf\xe9\n" + damaged)
    return corpus


EXPECTED_ERRORS = {
    "locked": "the file cannot be read: permission denied",
    "closed/": "the folder cannot be read: permission denied; the files in it were not processed",
    "pipe": "not a regular file but a named pipe: not read",
    "dangling": "broken symbolic link: its target does not exist",
    "loop-a": "symbolic link loop: the link leads back to itself",
    "loop-b": "symbolic link loop: the link leads back to itself",
    "sub/up": "symbolic link loop: it points to a folder that contains it",
    "outside": "symbolic link to a path outside the corpus folder: not followed "
    "(run with --follow-symlinks to read such links)",
}


def test_bad_sources_are_error_rows_for_a_normal_user(tmp_path):
    corpus = _bad_corpus(tmp_path)
    locked = corpus / "locked.txt"
    probe = subprocess.run([*AS_A_USER, sys.executable, "-c", f"open({str(locked)!r})"], capture_output=True)
    assert probe.returncode != 0, "setpriv did not drop root's override: the test would prove nothing"

    out = tmp_path / "outputs"
    result = subprocess.run(
        [*AS_A_USER, sys.executable, "-m", "pipeline", "run", "--corpus", str(corpus), "--out", str(out)],
        capture_output=True, text=True, env=ENV, timeout=600,
    )
    (corpus / "closed").chmod(0o755)
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr + result.stdout
    assert "12 sources: 12 processed, 0 skipped (unchanged), 9 failed" in result.stdout
    documents = pd.read_parquet(out / "documents.parquet").set_index("doc_id")
    for doc_id, message in EXPECTED_ERRORS.items():
        assert documents.loc[doc_id].status == "error", doc_id
        assert documents.loc[doc_id].error == message, doc_id
        assert documents.loc[doc_id].text == ""
    assert documents.loc["closed/"].media_type == "inode/directory"
    assert documents.loc["paper"].error == "the PDF is damaged: its structure cannot be read"
    assert documents.loc["good"].status == "ok" and documents.loc["inside"].status == "ok"
    damaged = documents.loc["damaged"]
    assert damaged.status == "ok" and "Cerebrolysin’s" in damaged.text and "caf\ufffd" in damaged.text
    assert damaged.warning.startswith("1 byte not valid in UTF-8 replaced by U+FFFD")
    assert documents.drop(index="damaged").warning.isna().all()
    assert documents.loc["inside"].text == documents.loc["good"].text  # a link inside is followed
    assert not documents.text.str.contains("not for the corpus").any()
    assert len(pd.read_parquet(out / "tokens.parquet").query("doc_id == 'good'")) > 100


def test_an_unreadable_corpus_or_output_folder_is_a_plain_run_failure(tmp_path):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "a.txt").write_text("Headache.\n", encoding="utf-8")
    readonly = tmp_path / "readonly"
    readonly.mkdir()
    readonly.chmod(0o555)
    result = subprocess.run(
        [*AS_A_USER, sys.executable, "-m", "pipeline", "run", "--corpus", str(corpus), "--out", str(readonly / "out")],
        capture_output=True, text=True, env=ENV, timeout=600,
    )
    assert result.returncode == 2
    assert "permission denied" in result.stderr and "Traceback" not in result.stderr
    corpus.chmod(0)
    result = subprocess.run(
        [*AS_A_USER, sys.executable, "-m", "pipeline", "run", "--corpus", str(corpus), "--out", str(tmp_path / "out")],
        capture_output=True, text=True, env={**ENV, "COLUMNS": "400"}, timeout=600,
    )
    corpus.chmod(0o755)
    assert result.returncode == 2
    assert "is not readable" in result.stderr and "Traceback" not in result.stderr


def test_follow_symlinks_reads_links_out_of_the_corpus(tmp_path):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    shared = tmp_path / "elsewhere"
    shared.mkdir()
    (shared / "label.txt").write_text("Dizziness was reported in 2% of patients.\n", encoding="utf-8")
    (corpus / "label.txt").symlink_to(shared / "label.txt")
    (corpus / "more").symlink_to(shared, target_is_directory=True)
    out = tmp_path / "outputs"
    run(corpus, out)
    documents = pd.read_parquet(out / "documents.parquet").set_index("doc_id")
    assert list(documents.index) == ["label", "more"]  # a link to a folder outside: one row, not walked
    assert (documents.status == "error").all() and documents.error.str.contains("--follow-symlinks").all()

    run(corpus, out, follow_symlinks=True)
    documents = pd.read_parquet(out / "documents.parquet").set_index("doc_id")
    assert list(documents.index) == ["label", "more/label"]
    assert (documents.status == "ok").all()
    assert documents.loc["label"].text.startswith("Dizziness")


def test_the_walk_lists_problems_in_source_order(tmp_path):
    (tmp_path / "b.txt").write_text("x", encoding="utf-8")
    (tmp_path / "a").mkdir()
    (tmp_path / "a" / "c.txt").write_text("x", encoding="utf-8")
    (tmp_path / "a.txt").symlink_to(tmp_path / "missing")
    (tmp_path / ".hidden").symlink_to(tmp_path / "missing")  # hidden entries stay ignored
    sources = find_sources(tmp_path)
    assert [(s.relative, s.doc_id, s.problem is None) for s in sources] == [
        ("a.txt", "a", False),
        ("a/c.txt", "a/c", True),
        ("b.txt", "b", True),
    ]


def test_sockets_are_not_opened(tmp_path):
    import socket

    server = socket.socket(socket.AF_UNIX)
    server.bind(str(tmp_path / "s.txt"))
    try:
        (source,) = find_sources(tmp_path)
        assert source.problem == "not a regular file but a socket: not read"
        assert source.media_type == "inode/socket"
    finally:
        server.close()
