"""``pipeline run``: extract every source under a corpus folder into the output tables.

Stages, each a plain function over one source: :func:`pipeline.ingest.load` (bytes -> text),
the spaCy Language from :mod:`pipeline.nlp` (text -> Doc with segments and mentions), and
:func:`pipeline.rows.document_tables` (Doc -> Arrow). :func:`extract_source` chains them and is
what worker processes run; the parent streams results in source order into
:class:`pipeline.store.StagedTables`, copying the rows of unchanged sources from the previous
tables, then aggregates ``concepts`` and appends to ``runs``.
"""

from __future__ import annotations

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

from pipeline import schema, store
from pipeline.ingest import DEFAULT_MAX_BYTES, Source, file_sha256, find_sources, load
from pipeline.rows import document_tables
from pipeline.version import pipeline_version


#: Documents per ``nlp.pipe`` batch (and per task sent to a worker process).
PIPE_BATCH = 16


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
    from pipeline.nlp import get_nlp, make_doc

    nlp = get_nlp()  # outside any try: a pipeline that cannot be built fails the run
    documents = [load(job.source, job.max_bytes) for job in jobs]
    ready = [i for i, document in enumerate(documents) if document.status == "ok"]

    def tokenized(i: int):
        return make_doc(nlp, documents[i].text, documents[i].title, documents[i].source)

    docs: dict[int, object] = {}
    try:
        for i, doc in zip(ready, nlp.pipe((tokenized(i) for i in ready), batch_size=PIPE_BATCH)):
            docs[i] = doc
    except Exception:  # find the document at fault: redo the batch one by one
        docs = {}
        for i in ready:
            try:
                docs[i] = nlp(tokenized(i))
            except Exception as error:
                detail = traceback.format_exception_only(type(error), error)[-1].strip()
                documents[i] = replace(documents[i], status="error", error=f"extraction failed: {detail}")
    return [
        document_tables(document, docs.get(i), job.pipeline_version, job.extracted_at)
        for i, (job, document) in enumerate(zip(jobs, documents))
    ]


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
) -> RunSummary:
    """Extract ``corpus`` into ``out_dir``; returns counts for the summary line.

    ``on_plan(n)`` is called once with the number of sources, ``on_source(doc_id, action)``
    after each source ("processed", "skipped", "failed", "empty") for a progress display.
    """
    if not corpus.is_dir():
        raise FileNotFoundError(f"corpus folder not found: {corpus}")
    clock = time.monotonic()
    started_at = datetime.now(timezone.utc)
    run_id = f"{started_at:%Y%m%dT%H%M%SZ}-{uuid.uuid4().hex[:8]}"
    store.remove_stale_staging(out_dir)

    sources = find_sources(corpus)
    if on_plan:
        on_plan(len(sources))
    version = pipeline_version()
    vocabulary = current_vocabulary_version()
    previous = store.load_manifest(out_dir)
    reusable = not full and store.tables_current(out_dir)

    keys: dict[str, store.SourceKey] = {}
    keep: set[str] = set()
    for source in sources:
        key = store.SourceKey(source.doc_id, file_sha256(source.path), version, vocabulary)
        keys[source.relative] = key
        if reusable and previous.get(source.relative) == key:
            keep.add(source.relative)

    rank = {key.doc_id: i for i, (_, key) in enumerate(sorted(previous.items()))}
    jobs = [
        _Job(source, max_bytes, version, started_at) for source in sources if source.relative not in keep
    ]
    if reusable and not jobs and set(previous) == set(keys):
        return _record_unchanged_run(run_id, sources, out_dir, started_at, clock, version, vocabulary, on_source)
    staged = store.StagedTables(out_dir)
    counts: Counter[str] = Counter()
    concepts = _ConceptCounter()
    try:
        previous_rows = {
            name: store.PreviousRows(out_dir / f"{name}.parquet", rank)
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
        finished_at = datetime.now(timezone.utc)
        n_processed = counts["processed"] + counts["failed"] + counts["empty"]
        summary = RunSummary(
            run_id, len(sources), n_processed, counts["skipped"], counts["failed"], counts["empty"],
            time.monotonic() - clock, out_dir,
        )
        staged.write("runs", store.read_table(out_dir, "runs"))
        staged.write("runs", _run_row(summary, started_at, finished_at, version, vocabulary))
        staged.commit(keys)
    except BaseException:
        staged.abort()
        raise
    return summary


def _record_unchanged_run(
    run_id: str,
    sources: list[Source],
    out_dir: Path,
    started_at: datetime,
    clock: float,
    version: str,
    vocabulary: str,
    on_source: Callable[[str, str], None] | None,
) -> RunSummary:
    """Nothing changed: the tables stay as they are; only ``runs`` gets a row."""
    for source in sources:
        if on_source:
            on_source(source.doc_id, "skipped")
    summary = RunSummary(run_id, len(sources), 0, len(sources), 0, 0, time.monotonic() - clock, out_dir)
    row = _run_row(summary, started_at, datetime.now(timezone.utc), version, vocabulary)
    store.replace_table(out_dir, "runs", pa.concat_tables([store.read_table(out_dir, "runs"), row]))
    return summary


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

