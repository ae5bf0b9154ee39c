"""The set of tables changes atomically: version folders, the `current` switch, kills at each
commit step (real SIGKILLs of a forked run), leftovers, adoption of the older plain layout."""

from __future__ import annotations

import multiprocessing
import os
import shutil
from pathlib import Path

import pandas as pd
import pytest

from pipeline import schema, verify, versions
from pipeline.run import run

from conftest import CORPUS

TABLES = list(schema.TABLES)


def _tables(out: Path) -> dict[str, pd.DataFrame]:
    frames = {name: pd.read_parquet(out / f"{name}.parquet") for name in TABLES}
    return {name: f.drop(columns=[c for c in ("extracted_at",) if c in f.columns]) for name, f in frames.items()}


def _same(a: dict[str, pd.DataFrame], b: dict[str, pd.DataFrame], skip: tuple[str, ...] = ("runs",)) -> bool:
    return all(a[name].equals(b[name]) for name in TABLES if name not in skip)


def _killed_run(corpus: Path, out: Path, point: str) -> int:
    """Run in a forked child that SIGKILLs itself after commit step ``point``; its exit code."""
    def child() -> None:
        os.environ["PIPELINE_TEST_KILL_AT"] = point
        run(corpus, out)
        os._exit(0)

    process = multiprocessing.get_context("fork").Process(target=child)
    process.start()
    process.join(120)
    return process.exitcode


@pytest.fixture(scope="module")
def two_states(tmp_path_factory) -> tuple[Path, Path, Path]:
    """A corpus, an output folder holding run 1 of it, and the complete output of state 2
    (one article changed, one removed, one added) from a clean --full run."""
    base = tmp_path_factory.mktemp("commit")
    corpus = base / "corpus"
    articles = sorted(CORPUS.glob("*.txt"))[:3]
    corpus.mkdir()
    for article in articles:
        shutil.copy(article, corpus / article.name)
    out = base / "outputs"
    run(corpus, out)
    state2 = base / "corpus2"
    shutil.copytree(corpus, state2)
    changed = state2 / articles[0].name
    changed.write_text(changed.read_text(encoding="utf-8") + "\nNausea was reported.\n", encoding="utf-8")
    (state2 / articles[1].name).unlink()
    (state2 / "added.md").write_text("# Added\n\nHeadache and dizziness after 10 mL daily.\n", encoding="utf-8")
    reference = base / "reference"
    run(state2, reference, full=True)
    return corpus, out, reference


def test_layout_is_links_into_one_version_folder(two_states):
    _, out, _ = two_states
    current = out / "current"
    assert current.is_symlink() and os.readlink(current).startswith("versions/")
    for name in versions.SET_FILES:
        assert os.readlink(out / name) == f"current/{name}"
    assert verify.problems(out) == []
    assert versions.snapshot(out) == out / os.readlink(current)


@pytest.mark.parametrize("point", ["staged", "renamed", "switched", "cleaned"])
def test_a_run_killed_at_each_commit_step_leaves_one_complete_set(two_states, tmp_path, point):
    corpus1, first_out, reference = two_states
    out = tmp_path / "outputs"
    shutil.copytree(first_out, out, symlinks=True)
    before = _tables(out)
    after = _tables(reference)
    # a third set is needed for the "cleaned" step (two older sets, one of them deleted)
    run(corpus1, out, full=True)
    corpus = tmp_path / "corpus"
    shutil.copytree(reference.parent / "corpus2", corpus)

    assert _killed_run(corpus, out, point) == -9
    assert verify.problems(out) == []
    now = _tables(out)
    if point in ("staged", "renamed"):
        assert _same(now, before), "a run killed before its switch changed the tables"
    else:
        assert _same(now, after), "a run killed after its switch did not publish its set"
    assert len(now["runs"]) == (2 if point in ("staged", "renamed") else 3)  # only committed runs

    summary = run(corpus, out)
    assert verify.problems(out) == []
    assert _same(_tables(out), after)
    assert summary.n_sources == 3
    leftovers = [p.name for p in (out / "versions").iterdir() if p.name.startswith(".")]
    assert leftovers == [] and len(list((out / "versions").iterdir())) == 2
    assert not [p for p in out.iterdir() if p.name.endswith(".tmp")]


def test_an_unchanged_run_commits_a_set_that_shares_the_files(two_states, tmp_path):
    corpus, first_out, _ = two_states
    out = tmp_path / "outputs"
    shutil.copytree(first_out, out, symlinks=True)
    old = versions.snapshot(out)
    summary = run(corpus, out)
    assert (summary.n_processed, summary.n_skipped) == (0, 3)
    new = versions.snapshot(out)
    assert new != old and verify.problems(out) == []
    assert os.path.samefile(new / "tokens.parquet", old / "tokens.parquet")  # hard link, no copy
    assert len(pd.read_parquet(new / "runs.parquet")) == len(pd.read_parquet(old / "runs.parquet")) + 1


def test_the_previous_set_stays_readable_for_one_more_run(two_states, tmp_path):
    corpus, first_out, _ = two_states
    out = tmp_path / "outputs"
    shutil.copytree(first_out, out, symlinks=True)
    first = versions.snapshot(out)
    run(corpus, out)
    second = versions.snapshot(out)
    assert first.is_dir() and (first / "tokens.parquet").is_file()  # a reader that resolved it
    run(corpus, out)
    assert not first.exists() and second.is_dir()


def test_outputs_of_the_older_plain_layout_are_adopted(two_states, tmp_path):
    corpus, first_out, _ = two_states
    out = tmp_path / "outputs"
    out.mkdir()
    for name in versions.SET_FILES:  # plain files, as written before version folders
        shutil.copyfile(first_out / name, out / name)
    (out / "._manifest.json.1234abcd.tmp").write_text("{}")  # what killed runs used to leave
    (out / ".runs.1234abcd.parquet.tmp").write_bytes(b"")
    (out / ".staging-1234abcd").mkdir()
    before = _tables(out)
    summary = run(corpus, out)
    assert summary.n_skipped == 3  # the old manifest was read: nothing extracted again
    assert verify.problems(out) == [] and _same(_tables(out), before)
    assert sorted(p.name for p in out.iterdir() if p.name.startswith(".")) == [".lock"]


def test_a_copy_made_without_symlinks_is_repaired(two_states, tmp_path):
    corpus, first_out, _ = two_states
    out = tmp_path / "outputs"
    shutil.copytree(first_out, out)  # follows the links: plain files and a real `current`
    assert not (out / "current").is_symlink()
    run(corpus, out)
    assert (out / "current").is_symlink() and verify.problems(out) == []


def test_the_check_sees_a_mixed_set(two_states, tmp_path):
    """verify.problems (the kill harness's check) fails on the mix the old commit could leave:
    tokens of one run beside documents of another."""
    corpus, first_out, reference = two_states
    out = tmp_path / "outputs"
    shutil.copytree(first_out, out, symlinks=True)
    old = versions.snapshot(out)
    run(reference.parent / "corpus2", out)
    assert verify.problems(out) == []
    (out / "tokens.parquet").unlink()
    (out / "tokens.parquet").symlink_to(old / "tokens.parquet")
    assert "2 different folders" in verify.problems(out)[0]
    (out / "tokens.parquet").unlink()
    (out / "tokens.parquet").symlink_to("current/tokens.parquet")
    # the old run's tokens inside the new set (what renaming table files one by one could leave)
    shutil.copyfile(old / "tokens.parquet", versions.snapshot(out) / "tokens.parquet")
    assert any(problem.startswith("tokens:") for problem in verify.problems(out))
