"""``pipeline run``: extract every source under a corpus folder into the output tables.

Stages, each a plain function over one source: :func:`pipeline.ingest.load` (bytes -> text),
the spaCy Language from :mod:`pipeline.nlp` (text -> Doc with segments and mentions; a text too
long for one pass goes through :mod:`pipeline.pieces`), and :func:`pipeline.rows.document_tables`
(Doc -> Arrow). :func:`extract_sources` chains them and is what worker processes run; the parent
streams results in source order into :class:`pipeline.store.StagedTables`, copying the rows of
unchanged sources from the previous set, then aggregates ``concepts``, appends to ``runs`` and
commits the new set (:mod:`pipeline.versions`). The whole run holds the output folder's lock
(:mod:`pipeline.lock`): one run at a time per output folder.
"""

from __future__ import annotations

import os
import sys
import time
import traceback
import uuid
from collections import Counter, deque
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass, replace
from datetime import datetime, timezone
from pathlib import Path

import pyarrow as pa

from pipeline import schema, store, versions
from pipeline.ingest import DEFAULT_MAX_BYTES, Document, Source, find_sources, load, source_sha256
from pipeline.lock import RunLock
from pipeline.version import pipeline_version


#: Documents per ``nlp.pipe`` batch (and per task sent to a worker process).
PIPE_BATCH = 16
#: Characters per ``nlp.pipe`` call at most: the Language's memory grows with the characters it
#: holds at once, so a batch of long documents is passed in smaller groups (same rows).
PIPE_CHARS = 500_000


@dataclass(frozen=True)
class RunSummary:
    run_id: str
    n_sources: int
    n_processed: int
    n_skipped: int
    n_failed: int
    n_empty: int
    seconds: float
    out_dir: Path

    def line(self) -> str:
        return (
            f"{self.n_sources} sources: {self.n_processed} processed, {self.n_skipped} skipped "
            f"(unchanged), {self.n_failed} failed, {self.n_empty} empty in {self.seconds:.1f} s "
            f"-> {self.out_dir}"
        )


@dataclass(frozen=True)
class _Job:
    source: Source
    max_bytes: int
    pipeline_version: str
    extracted_at: datetime


def current_vocabulary_version() -> str:
    from pipeline.vocab import vocabulary_version

    return vocabulary_version()


def extract_sources(jobs: list[_Job]) -> list[dict[str, pa.Table]]:
    """Per-document rows of a batch of sources, through ``nlp.pipe``. Never raises for a bad
    document: it becomes an error row, and the rest of the batch is still extracted."""
    # spaCy and the row builders are imported here, not at the top: a run that finds its output
    # folder busy exits at once, without loading them
    from pipeline.nlp import get_nlp, make_doc
    from pipeline.pieces import PIECE_CHARS, document_tables_in_pieces
    from pipeline.rows import document_tables

    nlp = get_nlp()  # outside any try: a pipeline that cannot be built fails the run
    documents = [load(job.source, job.max_bytes) for job in jobs]
    results: dict[int, dict[str, pa.Table]] = {}
    short = [i for i, d in enumerate(documents) if d.status == "ok" and len(d.text) <= PIECE_CHARS]
    for i, document in enumerate(documents):
        if document.status == "ok" and len(document.text) > PIECE_CHARS:
            job = jobs[i]
            try:
                results[i] = document_tables_in_pieces(nlp, document, job.pipeline_version, job.extracted_at)
            except Exception as error:
                documents[i] = _extraction_failed(document, error)
    docs: dict[int, object] = {}
    for group in _char_groups(short, documents):
        try:
            tokenized = (make_doc(nlp, documents[i].text, documents[i].title, documents[i].source) for i in group)
            for i, doc in zip(group, nlp.pipe(tokenized, batch_size=PIPE_BATCH)):
                docs[i] = doc
        except Exception:  # find the document at fault: redo the group one by one
            for i in group:
                try:
                    docs[i] = nlp(make_doc(nlp, documents[i].text, documents[i].title, documents[i].source))
                except Exception as error:
                    documents[i] = _extraction_failed(documents[i], error)
    return [
        results[i] if i in results else document_tables(document, docs.get(i), job.pipeline_version, job.extracted_at)
        for i, (job, document) in enumerate(zip(jobs, documents))
    ]


def _char_groups(indices: list[int], documents: list[Document]) -> list[list[int]]:
    """Consecutive groups of documents holding at most PIPE_CHARS characters (or one document)."""
    groups: list[list[int]] = []
    size = 0
    for i in indices:
        length = len(documents[i].text)
        if not groups or size + length > PIPE_CHARS:
            groups.append([])
            size = 0
        groups[-1].append(i)
        size += length
    return groups


def _extraction_failed(document: Document, error: BaseException) -> Document:
    """An error row for a document the Language failed on; the details (a library's wording)
    go to stderr only with PIPELINE_DEBUG=1."""
    if os.environ.get("PIPELINE_DEBUG"):
        traceback.print_exception(error, file=sys.stderr)
    return replace(
        document,
        status="error",
        error="extraction failed: an internal error in the language pipeline on this document "
        "(the other sources were processed; set PIPELINE_DEBUG=1 to see the details)",
    )


def _warm_up() -> None:
    from pipeline.nlp import get_nlp

    get_nlp()


def _chunks(jobs: list[_Job], size: int) -> list[list[_Job]]:
    return [jobs[i : i + size] for i in range(0, len(jobs), size)]


def _ordered_results(jobs: list[_Job], workers: int) -> Iterator[dict[str, pa.Table]]:
    """Results in job order; with workers > 1 a bounded window of batches runs in a pool."""
    batches = _chunks(jobs, PIPE_BATCH)
    if workers <= 1 or len(batches) <= 1:
        for batch in batches:
            yield from extract_sources(batch)
        return
    with ProcessPoolExecutor(max_workers=workers, initializer=_warm_up) as pool:
        window: deque[Future] = deque()
        pending = iter(batches)
        for batch in pending:
            window.append(pool.submit(extract_sources, batch))
            if len(window) >= workers * 2:
                break
        while window:
            results = window.popleft().result()
            nxt = next(pending, None)
            if nxt is not None:
                window.append(pool.submit(extract_sources, nxt))
            yield from results


def run(
    corpus: Path,
    out_dir: Path,
    full: bool = False,
    workers: int = 1,
    max_bytes: int = DEFAULT_MAX_BYTES,
    on_source: Callable[[str, str], None] | None = None,
    on_plan: Callable[[int], None] | None = None,
    follow_symlinks: bool = False,
    wait: bool = False,
    on_wait: Callable[[str], None] | None = None,
    on_notice: Callable[[str], None] | None = None,
) -> RunSummary:
    """Extract ``corpus`` into ``out_dir``; returns counts for the summary line.

    ``on_plan(n)`` is called once with the number of sources, ``on_source(doc_id, action)``
    after each source ("processed", "skipped", "failed", "empty") for a progress display.
    Only one run at a time writes to ``out_dir``: when another holds it, this raises
    :class:`pipeline.lock.OutputBusy`, or with ``wait`` waits for it (``on_wait(holder)`` is
    called first). ``on_notice(message)`` tells of a previous run that was interrupted.
    """
    if not corpus.is_dir():
        raise FileNotFoundError(f"corpus folder not found: {corpus}")
    out_dir.mkdir(parents=True, exist_ok=True)
    with RunLock(out_dir, wait=wait, on_wait=on_wait) as lock:
        if lock.interrupted and on_notice:
            on_notice(
                f"the previous run ({lock.interrupted}) did not finish; what it left behind is "
                "removed and its work is done again"
            )
        versions.prepare(out_dir)
        return _run_locked(corpus, out_dir, full, workers, max_bytes, follow_symlinks, on_source, on_plan)


def _run_locked(
    corpus: Path,
    out_dir: Path,
    full: bool,
    workers: int,
    max_bytes: int,
    follow_symlinks: bool,
    on_source: Callable[[str, str], None] | None,
    on_plan: Callable[[int], None] | None,
) -> RunSummary:
    clock = time.monotonic()
    started_at = datetime.now(timezone.utc)
    run_id = f"{started_at:%Y%m%dT%H%M%SZ}-{uuid.uuid4().hex[:8]}"

    sources = find_sources(corpus, follow_symlinks=follow_symlinks)
    if on_plan:
        on_plan(len(sources))
    version = pipeline_version()
    vocabulary = current_vocabulary_version()
    previous_set = versions.snapshot(out_dir)
    previous = store.load_manifest(previous_set)
    reusable = not full and store.tables_current(previous_set)

    keys: dict[str, store.SourceKey] = {}
    keep: set[str] = set()
    for source in sources:
        key = store.SourceKey(source.doc_id, source_sha256(source), version, vocabulary)
        keys[source.relative] = key
        # a source that cannot be read (no digest) is tried again on every run
        if reusable and key.sha256 and previous.get(source.relative) == key:
            keep.add(source.relative)

    rank = {key.doc_id: i for i, (_, key) in enumerate(sorted(previous.items()))}
    jobs = [
        _Job(source, max_bytes, version, started_at) for source in sources if source.relative not in keep
    ]
    staged = store.StagedTables(out_dir, run_id)
    try:
        if reusable and not jobs and set(previous) == set(keys):
            summary = _unchanged_run(run_id, sources, out_dir, clock, on_source)
            for name in schema.TABLES:
                if name != "runs":
                    staged.reuse(name, previous_set)
        else:
            summary = _write_tables(
                staged, run_id, sources, keep, jobs, workers, previous_set, rank, out_dir, clock, on_source
            )
        staged.write("runs", store.read_table(previous_set, "runs"))
        staged.write("runs", _run_row(summary, started_at, datetime.now(timezone.utc), version, vocabulary))
        staged.commit(keys)
    except BaseException:
        staged.abort()
        raise
    return summary


def _write_tables(
    staged: store.StagedTables,
    run_id: str,
    sources: list[Source],
    keep: set[str],
    jobs: list[_Job],
    workers: int,
    previous_set: Path | None,
    rank: dict[str, int],
    out_dir: Path,
    clock: float,
    on_source: Callable[[str, str], None] | None,
) -> RunSummary:
    """Stream every source's rows (extracted, or kept from the previous set) into ``staged``."""
    counts: Counter[str] = Counter()
    concepts = _ConceptCounter()
    previous_rows = {
        name: store.PreviousRows(previous_set / f"{name}.parquet" if previous_set else None, rank)
        for name in schema.PER_DOCUMENT_TABLES
    }
    results = _ordered_results(jobs, workers)
    for source in sources:
        if source.relative in keep:
            tables = {name: previous_rows[name].take(source.doc_id) for name in schema.PER_DOCUMENT_TABLES}
            action = "skipped"
        else:
            tables = next(results)
            status = tables["documents"].column("status")[0].as_py()
            action = {"ok": "processed", "error": "failed", "empty": "empty"}[status]
        counts[action] += 1
        for name, table in tables.items():
            if table is not None:
                staged.write(name, table)
        if tables["mentions"] is not None:
            concepts.add(tables["mentions"])
        if on_source:
            on_source(source.doc_id, action)
    staged.write("concepts", concepts.table())
    n_processed = counts["processed"] + counts["failed"] + counts["empty"]
    return RunSummary(
        run_id, len(sources), n_processed, counts["skipped"], counts["failed"], counts["empty"],
        time.monotonic() - clock, out_dir,
    )


def _unchanged_run(
    run_id: str,
    sources: list[Source],
    out_dir: Path,
    clock: float,
    on_source: Callable[[str, str], None] | None,
) -> RunSummary:
    """Nothing changed: the new set shares the previous set's table files; only ``runs`` gets
    a row."""
    for source in sources:
        if on_source:
            on_source(source.doc_id, "skipped")
    return RunSummary(run_id, len(sources), 0, len(sources), 0, 0, time.monotonic() - clock, out_dir)


def _run_row(
    summary: RunSummary, started_at: datetime, finished_at: datetime, version: str, vocabulary: str
) -> pa.Table:
    row = {
        "run_id": summary.run_id,
        "started_at": started_at,
        "finished_at": finished_at,
        "n_sources": summary.n_sources,
        "n_processed": summary.n_processed,
        "n_skipped": summary.n_skipped,
        "n_failed": summary.n_failed,
        "pipeline_version": version,
        "vocabulary_version": vocabulary,
    }
    return pa.Table.from_pylist([row], schema=schema.with_metadata("runs"))


class _ConceptCounter:
    """Mentions and documents per concept, accumulated while mentions stream past."""

    def __init__(self) -> None:
        self.mentions: Counter[str] = Counter()
        self.docs: Counter[str] = Counter()
        self.last_doc: dict[str, str] = {}
        self.names: dict[str, str] = {}

    def add(self, mentions: pa.Table) -> None:
        """Add one document's mentions (a document's rows always arrive together, so counting
        documents needs only the last one seen per concept: memory stays per concept)."""
        for doc_id, concept_id, name in zip(
            mentions.column("doc_id").to_pylist(),
            mentions.column("concept_id").to_pylist(),
            mentions.column("concept_name").to_pylist(),
        ):
            if concept_id is None:
                continue
            self.mentions[concept_id] += 1
            if self.last_doc.get(concept_id) != doc_id:
                self.last_doc[concept_id] = doc_id
                self.docs[concept_id] += 1
            self.names.setdefault(concept_id, name or concept_id)

    def table(self) -> pa.Table:
        ids = sorted(self.mentions)
        if not ids:
            return schema.empty_table("concepts")
        lookup = _concept_lookup()
        rows = []
        for concept_id in ids:
            concept = lookup.get(concept_id)
            rows.append(
                {
                    "concept_id": concept_id,
                    "name": concept.name if concept else self.names[concept_id],
                    "vocabulary": concept.vocabulary if concept else concept_id.split(":", 1)[0],
                    "xrefs": list(concept.xrefs) if concept else [],
                    "n_mentions": self.mentions[concept_id],
                    "n_docs": self.docs[concept_id],
                }
            )
        return pa.Table.from_pylist(rows, schema=schema.with_metadata("concepts"))


def _concept_lookup() -> dict:
    from pipeline.vocab import load_vocabulary

    return load_vocabulary().concepts

