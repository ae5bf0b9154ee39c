"""Shared fixtures: paths to ../shared (tests that need it skip cleanly without it) and runs."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"
CORPUS = REPO / "corpus"


def shared_path(*parts: str) -> Path:
    """A path under ../shared, or skip the test when it is not there."""
    path = SHARED.joinpath(*parts)
    if not path.exists():
        pytest.skip(f"{path} is not available")
    return path


@pytest.fixture()
def corpus_copy(tmp_path: Path) -> Path:
    """A writable copy of the five articles."""
    target = tmp_path / "corpus"
    shutil.copytree(CORPUS, target)
    return target


#: Sources added to the seed corpus for the report's tests: one whose text holds markup that
#: must never run, one empty file and one PDF (a source that fails).
REPORT_EXTRA_SOURCES = {
    "xss_forum.txt": (
        "Forum: my experience\n\n"
        "Posted by <script>alert(1)</script> on a forum about aspirin.\n"
        "I took aspirin 500 mg for my headache and had nausea afterwards. <img src=x onerror=alert(2)>\n"
        "It did not cause dizziness. It may cause stomach bleeding.\n"
    ).encode("utf-8"),
    "empty.txt": b"",
    "scan.pdf": b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n",
}


@pytest.fixture(scope="session")
def report_run(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The output folder of one real `pipeline run` on the five seed articles plus
    ``REPORT_EXTRA_SOURCES`` (shared by the report tests: the run takes about 10 s)."""
    from pipeline.run import run

    base = tmp_path_factory.mktemp("report-run")
    corpus = base / "corpus"
    shutil.copytree(CORPUS, corpus)
    for name, data in REPORT_EXTRA_SOURCES.items():
        (corpus / name).write_bytes(data)
    out = base / "outputs"
    summary = run(corpus, out)
    assert summary.n_processed == 5 + len(REPORT_EXTRA_SOURCES)
    return out
