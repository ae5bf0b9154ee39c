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
