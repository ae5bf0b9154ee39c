"""``pipeline run``: extract every source under a corpus folder into the output tables.

Stages, each a plain function over one source: :func:`pipeline.ingest.load` (bytes -> text),
the spaCy Language from :mod:`pipeline.nlp` (text -> Doc with segments and mentions; a text too
long for one pass goes through :mod:`pipeline.pieces`), and :func:`pipeline.rows.document_tables`
(Doc -> Arrow). :func:`extract_sources` chains them; :func:`extract_batch` (a batch of sources,
checked against the worker) is what an engine runs (:mod:`pipeline.engines`: this process, a
process pool, or a Dask cluster). The run plans its sources as a stream (:mod:`pipeline.plan`:
lazy walk, digests, merge with the previous manifest), streams results in source order into
:class:`pipeline.store.StagedTables`, copying the rows of unchanged sources from the previous
set, then aggregates ``concepts``, appends to ``runs`` and commits the new set
(:mod:`pipeline.versions`). The whole run holds the output folder's lock (:mod:`pipeline.lock`):
one run at a time per output folder, whatever the engine (workers never write to it).
"""

from __future__ import annotations

import os
import socket
import sys
import threading
import time
import traceback
import uuid
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from datetime import datetime, timezone
from functools import lru_cache
from pathlib import Path

import pyarrow as pa

from pipeline import schema, store, versions
from pipeline.engines import ENGINES, Engine, EngineError, open_engine
from pipeline.ingest import DEFAULT_MAX_BYTES, Document, Source, load
from pipeline.lock import RunLock
from pipeline.plan import Plan, Step, make_plan, previous_doc_ids
from pipeline.version import pipeline_version


#: Documents per ``nlp.pipe`` batch (and per task sent to a worker process or Dask worker).
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


@dataclass(frozen=True)
class _Batch:
    """One task: a batch of sources, and what the worker must match to extract them."""

    jobs: list[_Job]
    corpus: str
    pipeline_version: str
    vocabulary_version: str


#: One batch at a time per process: a Dask worker with several threads shares one Language.
_EXTRACTING = threading.Lock()


def extract_batch(batch: _Batch) -> list[dict[str, pa.Table]]:
    """What a worker runs, in whichever engine: checks that it sees the corpus and runs the
    client's pipeline and vocabulary versions (a worker that does not would write rows the
    manifest does not describe, or error rows for sources it cannot see), then
    :func:`extract_sources`. The Language is built on the first batch of a process and kept."""
    _check_worker(batch.corpus, batch.pipeline_version, batch.vocabulary_version)
    with _EXTRACTING:
        return extract_sources(batch.jobs)


class WorkerMismatch(EngineError):
    """A worker cannot extract the client's batches the way the client would."""


@lru_cache(maxsize=1)
def _worker_versions() -> tuple[str, str]:
    return pipeline_version(), current_vocabulary_version()


def _check_worker(corpus: str, version: str, vocabulary: str) -> None:
    host = socket.gethostname()
    if not os.path.isdir(corpus):
        raise WorkerMismatch(
            f"a worker (on {host}) cannot see the corpus folder {corpus}: every worker must reach the "
            "corpus at the same path (a shared file system)"
        )
    worker_version, worker_vocabulary = _worker_versions()
    if (worker_version, worker_vocabulary) != (version, vocabulary):
        what = "pipeline" if worker_version != version else "vocabulary"
        mine, theirs = (version, worker_version) if what == "pipeline" else (vocabulary, worker_vocabulary)
        raise WorkerMismatch(
            f"a worker (on {host}) runs {what} version {theirs}, this run {mine}: install the same "
            "version of drug-text-pipeline on every worker and the client"
        )


def _batches(plan: Plan, job: Callable[[Step], _Job], size: int, corpus: str) -> Iterator[_Batch]:
    """The sources to extract, in plan order, in batches of ``size``, read lazily."""
    jobs: list[_Job] = []
    version, vocabulary = _worker_versions()
    for step in plan.steps():
        if not step.keep:
            jobs.append(job(step))
            if len(jobs) == size:
                yield _Batch(jobs, corpus, version, vocabulary)
                jobs = []
    if jobs:
        yield _Batch(jobs, corpus, version, vocabulary)


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
    engine: str | Engine = "local",
    scheduler: str | None = None,
    batch_size: int = PIPE_BATCH,
    on_planning: Callable[[int], None] | None = None,
) -> RunSummary:
    """Extract ``corpus`` into ``out_dir``; returns counts for the summary line.

    ``engine`` "local" extracts in this process (``workers`` 1) or a pool of ``workers``
    processes; "dask" on the Dask cluster at ``scheduler``, or on a local Dask cluster of
    ``workers`` processes started for the run (:mod:`pipeline.engines`); an engine object is
    used as it is (and not closed). Every engine writes the same tables. Sources go to the
    engine in batches of ``batch_size``.

    ``on_planning(n)`` is told every 1000 sources how many were planned (walked and hashed) so
    far, ``on_plan(n)`` is called once with the number of sources, ``on_source(doc_id, action)``
    after each source ("processed", "skipped", "failed", "empty") for a progress display.
    Only one run at a time writes to ``out_dir``: when another holds it, this raises
    :class:`pipeline.lock.OutputBusy`, or with ``wait`` waits for it (``on_wait(holder)`` is
    called first). ``on_notice(message)`` tells of a previous run that was interrupted, or of a
    cluster without workers. A failing engine raises :class:`pipeline.engines.EngineError`.
    """
    if isinstance(engine, str) and engine not in ENGINES:
        raise ValueError(f"unknown engine {engine!r} (one of {', '.join(ENGINES)})")
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
        settings = _Settings(
            engine, workers, scheduler, max(1, batch_size), max_bytes, follow_symlinks, on_notice, on_planning
        )
        # absolute: workers (other processes, other machines) open the sources by this path
        return _run_locked(corpus.absolute(), out_dir, full, settings, on_source, on_plan)


@dataclass(frozen=True)
class _Settings:
    engine: str | Engine
    workers: int
    scheduler: str | None
    batch_size: int
    max_bytes: int
    follow_symlinks: bool
    on_notice: Callable[[str], None] | None
    on_planning: Callable[[int], None] | None


def _run_locked(
    corpus: Path,
    out_dir: Path,
    full: bool,
    settings: _Settings,
    on_source: Callable[[str, str], None] | None,
    on_plan: Callable[[int], None] | None,
) -> RunSummary:
    clock = time.monotonic()
    started_at = datetime.now(timezone.utc)
    run_id = f"{started_at:%Y%m%dT%H%M%SZ}-{uuid.uuid4().hex[:8]}"

    version = pipeline_version()
    vocabulary = current_vocabulary_version()
    previous_set = versions.snapshot(out_dir)
    reusable = not full and store.tables_current(previous_set)

    staged = store.StagedTables(out_dir, run_id)
    try:
        previous_manifest = previous_set / versions.MANIFEST if reusable and previous_set is not None else None
        plan = make_plan(
            corpus, staged.staging, previous_manifest, version, vocabulary, settings.follow_symlinks, settings.on_planning
        )
        if on_plan:
            on_plan(plan.n_sources)
        if plan.unchanged:
            summary = _unchanged_run(run_id, plan, out_dir, clock, on_source)
            for name in schema.TABLES:
                if name != "runs":
                    staged.reuse(name, previous_set)
        else:
            summary = _write_tables(staged, run_id, corpus, plan, settings, started_at, previous_set, out_dir, clock, on_source)
        plan.discard()
        staged.write("runs", store.read_table(previous_set, "runs"))
        staged.write("runs", _run_row(summary, started_at, datetime.now(timezone.utc), version, vocabulary))
        staged.commit(plan.manifest)
    except BaseException:
        staged.abort()
        raise
    return summary


def _write_tables(
    staged: store.StagedTables,
    run_id: str,
    corpus: Path,
    plan: Plan,
    settings: _Settings,
    started_at: datetime,
    previous_set: Path | None,
    out_dir: Path,
    clock: float,
    on_source: Callable[[str, str], None] | None,
) -> RunSummary:
    """Stream every source's rows (extracted, or kept from the previous set) into ``staged``,
    in plan order: the plan is read twice at once, lazily, by the batches sent to the engine
    (at most its window ahead) and by this loop."""
    counts: Counter[str] = Counter()
    concepts = _ConceptCounter()
    previous_rows = store.PreviousRows(
        previous_set if plan.n_keep else None,
        previous_doc_ids(previous_set / versions.MANIFEST) if plan.n_keep and previous_set is not None else iter(()),
    )

    def job(step: Step) -> _Job:
        return _Job(step.source, settings.max_bytes, step.key.pipeline_version, started_at)

    results: Iterator[dict[str, pa.Table]] = iter(())
    opened = None
    prefetch: threading.Thread | None = None
    try:
        if plan.n_extract:
            if settings.engine != "local" or settings.workers > 1:
                # the extraction runs elsewhere: load the vocabulary for ``concepts`` meanwhile
                prefetch = threading.Thread(target=_prefetch_concepts, name="concepts", daemon=True)
                prefetch.start()
            if isinstance(settings.engine, str):
                # one batch or less: no process is worth starting for it (Dask is used when asked for)
                workers = settings.workers if plan.n_extract > settings.batch_size or settings.engine != "local" else 1
                opened = open_engine(settings.engine, workers, settings.scheduler, _warm_up, settings.on_notice)
            engine = opened if opened is not None else settings.engine
            batches = engine.map(extract_batch, _batches(plan, job, settings.batch_size, str(corpus)))
            results = (tables for batch in batches for tables in batch)
        for step in plan.steps():
            if step.keep:
                tables = previous_rows.take(step.key.doc_id)
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
                on_source(step.source.doc_id, action)
    finally:
        if opened is not None:
            opened.close()
        if prefetch is not None:
            prefetch.join()
    staged.write("concepts", concepts.table())
    n_processed = counts["processed"] + counts["failed"] + counts["empty"]
    return RunSummary(
        run_id, plan.n_sources, n_processed, counts["skipped"], counts["failed"], counts["empty"],
        time.monotonic() - clock, out_dir,
    )


def _unchanged_run(
    run_id: str,
    plan: Plan,
    out_dir: Path,
    clock: float,
    on_source: Callable[[str, str], None] | None,
) -> RunSummary:
    """Nothing changed: the new set shares the previous set's table files; only ``runs`` gets
    a row."""
    if on_source:
        for step in plan.steps():
            on_source(step.source.doc_id, "skipped")
    return RunSummary(run_id, plan.n_sources, 0, plan.n_sources, 0, 0, time.monotonic() - clock, out_dir)


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


def _prefetch_concepts() -> None:
    """:func:`_concept_lookup` ahead of time (its failures are met again where it is used)."""
    try:
        _concept_lookup()
    except Exception:
        pass


def _concept_lookup() -> dict:
    from pipeline.vocab import load_vocabulary

    return load_vocabulary().concepts

