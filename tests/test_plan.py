"""Planning as a stream: the lazy walk, the manifest written and read entry by entry, the merge
of the corpus with the previous manifest, and previous rows taken without an index."""

from __future__ import annotations

import json
import subprocess
import sys
import tracemalloc
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from pipeline import manifest, schema
from pipeline.manifest import ManifestError, ManifestWriter, SourceKey, iter_manifest
from pipeline.plan import make_plan
from pipeline.store import PreviousRows
from pipeline.walk import find_sources, iter_sources


def _key(i: int, sha: str = "ab") -> SourceKey:
    return SourceKey(f"doc{i}", sha * 32, "0.1.0+abcd", "hpo=2025;curated=1")


def _write(path: Path, keys: dict[str, SourceKey]) -> None:
    writer = ManifestWriter(path)
    for relative in sorted(keys):
        writer.add(relative, keys[relative])
    writer.close()


@pytest.mark.parametrize("n", [0, 1, 3, 500])
def test_manifest_written_entry_by_entry_is_the_json_of_the_whole(tmp_path, n, monkeypatch):
    # tiny read chunks: entries, strings and numbers cut at every possible place
    monkeypatch.setattr(manifest, "_CHUNK", 7)
    keys = {f"d{i:04d}/é \"q\" {i}.txt": _key(i, "" if i % 5 == 0 else "ab") for i in range(n)}
    _write(tmp_path / "m.json", keys)
    payload = {"schema_version": schema.SCHEMA_VERSION, "sources": {k: v.__dict__ for k, v in keys.items()}}
    assert (tmp_path / "m.json").read_text(encoding="utf-8") == json.dumps(payload, indent=1, sort_keys=True)
    assert list(iter_manifest(tmp_path / "m.json")) == sorted(keys.items())


@pytest.mark.parametrize(
    "text",
    [
        "",
        "not json",
        '{"schema_version": "1.0", "sources": {"a.txt": {"doc_id": "a"',  # truncated
        '{"schema_version": "1.0"}',  # no sources
        '{"sources": {"b.txt": %s, "a.txt": %s}}',  # out of order
        '{"sources": {"a.txt": {"doc_id": "a", "colour": "red"}}}',  # not a key
    ],
)
def test_a_broken_manifest_is_reported_not_half_read(tmp_path, text):
    entry = json.dumps(_key(1).__dict__)
    (tmp_path / "m.json").write_text(text.replace("%s", entry), encoding="utf-8")
    with pytest.raises(ManifestError):
        list(iter_manifest(tmp_path / "m.json"))


def test_writer_refuses_entries_out_of_order(tmp_path):
    writer = ManifestWriter(tmp_path / "m.json")
    writer.add("b.txt", _key(1))
    with pytest.raises(ValueError):
        writer.add("a.txt", _key(2))
    writer.abort()


def test_the_walk_is_lazy_and_in_relative_path_order(tmp_path):
    corpus = tmp_path / "corpus"
    for relative in ["a/b.txt", "a-c.txt", "a/z/d.txt", "a0.txt", "b.txt", "z/y.txt"]:
        (corpus / relative).parent.mkdir(parents=True, exist_ok=True)
        (corpus / relative).write_text("x", encoding="utf-8")
    walk = iter_sources(corpus)
    first = next(walk)
    assert first.relative == "a-c.txt"
    # a folder is listed when the walk reaches it, not before: a file added to a later folder
    # now is found, which a walk that listed everything first would miss
    (corpus / "z" / "late.txt").write_text("x", encoding="utf-8")
    rest = [source.relative for source in walk]
    assert [first.relative, *rest] == ["a-c.txt", "a/b.txt", "a/z/d.txt", "a0.txt", "b.txt", "z/late.txt", "z/y.txt"]
    assert [s.relative for s in find_sources(corpus)] == sorted([first.relative, *rest])


def test_the_walk_holds_one_folder_at_a_time(tmp_path):
    """Memory while walking 20 folders of 200 files is that of about one folder's listing."""
    corpus = tmp_path / "corpus"
    for f in range(20):
        (corpus / f"f{f:02d}").mkdir(parents=True)
        for i in range(200):
            (corpus / f"f{f:02d}" / f"{i:04d}.txt").write_bytes(b"")
    tracemalloc.start()
    count = sum(1 for _ in iter_sources(corpus))
    _, walk_peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    tracemalloc.start()
    everything = find_sources(corpus)
    _, list_peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert count == len(everything) == 4000
    assert walk_peak < list_peak / 5


def test_plan_merges_the_corpus_with_the_previous_manifest(tmp_path):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    for name in ("a.txt", "b.txt", "c.txt", "e.txt"):
        (corpus / name).write_text(f"text of {name}\n", encoding="utf-8")
    staging = tmp_path / "staging"
    staging.mkdir()
    first = make_plan(corpus, staging, None, "v1", "voc1")
    assert (first.n_sources, first.n_keep, first.n_removed, first.reusable) == (4, 0, 0, False)
    previous = tmp_path / "previous.json"
    first.manifest.rename(previous)
    # d.txt and f.txt are new, c.txt changed, e.txt removed, an entry "b0.txt" only in the manifest
    (corpus / "c.txt").write_text("changed\n", encoding="utf-8")
    (corpus / "e.txt").unlink()
    (corpus / "d.txt").write_text("new\n", encoding="utf-8")
    (corpus / "f.txt").write_text("new\n", encoding="utf-8")
    entries = dict(iter_manifest(previous))
    entries["b0.txt"] = SourceKey("b0", "cd" * 32, "v1", "voc1")
    _write(previous, entries)
    plan = make_plan(corpus, staging, previous, "v1", "voc1")
    steps = list(plan.steps())
    assert [(s.source.relative, s.keep) for s in steps] == [
        ("a.txt", True), ("b.txt", True), ("c.txt", False), ("d.txt", False), ("f.txt", False)
    ]
    assert (plan.n_sources, plan.n_keep, plan.n_extract, plan.n_removed) == (5, 2, 3, 2)
    assert not plan.unchanged
    assert [relative for relative, _ in iter_manifest(plan.manifest)] == [s.source.relative for s in steps]
    # another pipeline version: nothing is kept
    assert make_plan(corpus, staging, previous, "v2", "voc1").n_keep == 0


def test_plan_with_an_unreadable_previous_manifest_extracts_everything(tmp_path):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "a.txt").write_text("a\n", encoding="utf-8")
    staging = tmp_path / "staging"
    staging.mkdir()
    broken = tmp_path / "broken.json"
    broken.write_text('{"sources": {"a.txt": {"doc_id"', encoding="utf-8")
    plan = make_plan(corpus, staging, broken, "v1", "voc1")
    assert (plan.n_sources, plan.n_keep, plan.reusable) == (1, 0, False)


def test_previous_rows_follow_the_manifest_order(tmp_path):
    """Documents with no rows in a table, removed documents and doc_ids whose order differs from
    the relative paths' ("a.txt" sorts after "a-b.txt", "a" before "a-b")."""
    order = ["a-b", "a", "b", "c", "d"]
    rows = {"a-b": 2, "a": 0, "b": 3, "c": 1, "d": 0}
    table = pa.table({"doc_id": [d for d in order for _ in range(rows[d])], "n": list(range(sum(rows.values())))})
    pq.write_table(table, tmp_path / "sentences.parquet")
    previous = PreviousRows(tmp_path, iter(order), tables=("sentences",))
    assert previous.take("a-b")["sentences"].column("n").to_pylist() == [0, 1]
    assert previous.take("a")["sentences"] is None
    # "b" was removed or changed: skipped on the way to "c"
    assert previous.take("c")["sentences"].column("n").to_pylist() == [5]
    assert previous.take("d")["sentences"] is None
    with pytest.raises(ValueError):
        previous.take("a")  # forward only


def _nested_corpus(base: Path, folders: int, files: int = 100) -> Path:
    corpus = base / f"corpus{folders}"
    for f in range(folders):
        (corpus / f"f{f:03d}").mkdir(parents=True)
        for i in range(files):
            (corpus / f"f{f:03d}" / f"{i:04d}.txt").write_text(f"text {f} {i}\n", encoding="utf-8")
    return corpus


PEAK_SCRIPT = """
import sys, tracemalloc
from pathlib import Path
from pipeline.plan import make_plan
corpus, staging = Path(sys.argv[1]), Path(sys.argv[2])
first = make_plan(corpus, staging, None, "v1", "voc1")
previous = staging.parent / (staging.name + "-previous.json")
first.manifest.rename(previous)
(corpus / "f000" / "0000.txt").write_text("changed\\n", encoding="utf-8")
tracemalloc.start()
plan = make_plan(corpus, staging, previous, "v1", "voc1")
assert plan.n_keep == plan.n_sources - 1
print(tracemalloc.get_traced_memory()[1])
"""


def test_planning_memory_does_not_grow_with_the_corpus(tmp_path):
    """Planning 8,000 sources against a manifest of 8,000 takes about the memory of planning
    400 (one folder listing, one manifest entry, one plan line at a time). Measured in a fresh
    interpreter (threads left by other tests would allocate during the measurement); the slack
    is the interpreter's table of interned strings, which pathlib fills and empties as it goes
    and which is reallocated (about 1 MB here) at points that depend on the names. A walk that
    lists every source first takes about 5 MB more."""

    def peak(corpus: Path) -> int:
        staging = tmp_path / f"staging-{corpus.name}"
        staging.mkdir()
        done = subprocess.run(
            [sys.executable, "-c", PEAK_SCRIPT, str(corpus), str(staging)],
            capture_output=True, text=True, check=True, timeout=120,
        )
        return int(done.stdout.split()[-1])

    small, large = peak(_nested_corpus(tmp_path, 4)), peak(_nested_corpus(tmp_path, 80))
    assert large - small < 1_500_000, (small, large)
