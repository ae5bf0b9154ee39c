"""Plan a run as a stream: which sources to extract, which to keep, the new manifest.

:func:`make_plan` walks the corpus lazily (:func:`pipeline.walk.iter_sources`, relative-path
order), hashes each source, and merges the walk with the previous manifest
(:func:`pipeline.manifest.iter_manifest`, the same order) like two sorted files: a source whose
key is unchanged is kept, any other is extracted, and previous entries that no source matched
are the removed sources. It writes two files into the run's staging folder as it goes, and
holds neither the corpus nor either manifest in memory:

- the new manifest, under a hidden name (:data:`NEW_MANIFEST`) until the commit puts it in place
  as the last file of the set;
- the plan itself (:data:`PLAN_FILE`, one JSON line per source: the source, its digest and
  whether it is kept), read back in order by the run, twice at once: once for the batches it
  sends to the engine and once for the rows it writes. It is removed before the commit.

Planning reads each source once (to hash it) in the client, whatever the engine: the keep
decision needs the digest before anything is sent.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from pipeline import manifest
from pipeline.ingest import Source, source_sha256
from pipeline.manifest import ManifestError, ManifestWriter, SourceKey
from pipeline.walk import iter_sources

PLAN_FILE = ".plan.jsonl"
NEW_MANIFEST = ".manifest.json"


@dataclass(frozen=True)
class Step:
    """One source of the plan, in order: its key and whether its previous rows are kept."""

    source: Source
    key: SourceKey
    keep: bool


@dataclass(frozen=True)
class Plan:
    """The counts of a plan and the files that hold it (see the module doc)."""

    path: Path
    manifest: Path
    n_sources: int
    n_keep: int
    n_removed: int
    #: the previous set's rows may be reused (not --full, a complete previous set and manifest)
    reusable: bool

    @property
    def n_extract(self) -> int:
        return self.n_sources - self.n_keep

    @property
    def unchanged(self) -> bool:
        """Nothing to extract and nothing removed: the previous tables are the new ones."""
        return self.reusable and self.n_extract == 0 and self.n_removed == 0

    def steps(self) -> Iterator[Step]:
        """Every source of the plan, in relative-path order, read from the plan file."""
        with open(self.path, encoding="utf-8") as handle:
            for line in handle:
                relative, path, doc_id, problem, kind, via_link, sha256, keep, pipeline, vocabulary = json.loads(line)
                source = Source(Path(path), relative, doc_id, problem, kind, via_link)
                yield Step(source, SourceKey(doc_id, sha256, pipeline, vocabulary), keep)

    def discard(self) -> None:
        """Remove the plan file (before the commit: it is no part of the set)."""
        self.path.unlink(missing_ok=True)


def make_plan(
    corpus: Path,
    staging: Path,
    previous_manifest: Path | None,
    pipeline_version: str,
    vocabulary_version: str,
    follow_symlinks: bool = False,
    on_source: Callable[[int], None] | None = None,
) -> Plan:
    """Plan the run of ``corpus`` into ``staging``. ``previous_manifest`` is the manifest of the
    previous set when its rows may be reused (None: everything is extracted, e.g. ``--full``);
    one that cannot be read as a manifest is treated as absent. ``on_source(n)`` is told how
    many sources were planned so far, every 1000 sources."""
    try:
        return _plan(corpus, staging, previous_manifest, pipeline_version, vocabulary_version, follow_symlinks, on_source)
    except ManifestError:
        return _plan(corpus, staging, None, pipeline_version, vocabulary_version, follow_symlinks, on_source)


def _plan(
    corpus: Path,
    staging: Path,
    previous_manifest: Path | None,
    pipeline_version: str,
    vocabulary_version: str,
    follow_symlinks: bool,
    on_source: Callable[[int], None] | None,
) -> Plan:
    reusable = previous_manifest is not None and previous_manifest.is_file()
    previous = _previous_entries(previous_manifest if reusable else None)
    pending = next(previous, None)
    n_sources = n_keep = n_removed = 0
    writer = ManifestWriter(staging / NEW_MANIFEST)
    try:
        with open(staging / PLAN_FILE, "w", encoding="utf-8") as plan_file:
            for source in iter_sources(corpus, follow_symlinks=follow_symlinks):
                key = SourceKey(source.doc_id, source_sha256(source), pipeline_version, vocabulary_version)
                while pending is not None and pending[0] < source.relative:
                    n_removed += 1
                    pending = next(previous, None)
                old = None
                if pending is not None and pending[0] == source.relative:
                    old = pending[1]
                    pending = next(previous, None)
                # a source that cannot be read (no digest) is tried again on every run
                keep = reusable and bool(key.sha256) and old == key
                writer.add(source.relative, key)
                plan_file.write(
                    json.dumps(
                        [
                            source.relative, str(source.path), source.doc_id, source.problem, source.kind,
                            source.via_link, key.sha256, keep, pipeline_version, vocabulary_version,
                        ],
                        ensure_ascii=False,
                    )
                    + "\n"
                )
                n_sources += 1
                n_keep += keep
                if on_source and n_sources % 1000 == 0:
                    on_source(n_sources)
            while pending is not None:
                n_removed += 1
                pending = next(previous, None)
    except BaseException:
        writer.abort()
        (staging / PLAN_FILE).unlink(missing_ok=True)
        (staging / NEW_MANIFEST).unlink(missing_ok=True)
        raise
    writer.close()
    return Plan(staging / PLAN_FILE, staging / NEW_MANIFEST, n_sources, n_keep, n_removed, reusable)


def _previous_entries(path: Path | None) -> Iterator[tuple[str, SourceKey]]:
    """The previous manifest's entries; one that cannot be read counts as not a manifest."""
    if path is None:
        return
    try:
        yield from manifest.iter_manifest(path)
    except OSError as error:
        raise ManifestError(f"the manifest cannot be read ({error.strerror})") from None


def previous_doc_ids(previous_manifest: Path) -> Iterator[str]:
    """The doc_ids of the previous set in the order its tables were written."""
    return (key.doc_id for _, key in manifest.iter_manifest(previous_manifest))
