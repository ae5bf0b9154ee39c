"""Parquet output of a run: table writers, the manifest that makes runs incremental, and the
rows of the previous set.

A run writes every table into a staging folder in row groups of bounded size, with the manifest
beside them, and :mod:`pipeline.versions` publishes the set with one atomic switch; a run killed
at any point leaves the previous set in place, and its staging folder is removed by the next run
(under the run lock), which redoes the work because the manifest still describes the previous
set.

The manifest (``_manifest.json``, :mod:`pipeline.manifest`) records, per source, the SHA-256 of
its bytes and the pipeline and vocabulary versions that produced its rows. A source whose key is
unchanged is not extracted again: its rows are copied from the previous set by a forward-only
merge over files that are ordered by source, so memory stays flat however large the corpus
grows.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from pipeline import schema, versions
from pipeline.manifest import ManifestError, SourceKey, iter_manifest

__all__ = ["PreviousRows", "SourceKey", "StagedTables", "TableWriter", "load_manifest", "read_table", "tables_present"]

MANIFEST = versions.MANIFEST
ROW_GROUP_ROWS = 128_000
#: A row group is also written once its rows hold this many bytes: a ``documents`` row carries
#: the whole text, and 128,000 of them would hold a large corpus's text in memory.
ROW_GROUP_BYTES = 32 * 2**20
#: Per-document tables held before they are copied into one (see :class:`TableWriter`).
COMPACT_TABLES = 256


def load_manifest(set_dir: Path | None) -> dict[str, SourceKey]:
    """Source relative path -> key of its current rows ({} when there is no usable manifest).
    The whole manifest in memory: for tools and tests; a run streams it (:mod:`pipeline.plan`)."""
    if set_dir is None:
        return {}
    try:
        return dict(iter_manifest(set_dir / MANIFEST))
    except (OSError, ManifestError):
        return {}


def tables_present(set_dir: Path | None) -> bool:
    return set_dir is not None and all((set_dir / f"{name}.parquet").is_file() for name in schema.TABLES)


def tables_current(set_dir: Path | None) -> bool:
    """Every table of the set is present and written with this ``schema.SCHEMA_VERSION``: rows
    of tables of another version (version 1 had no subject or substance columns) cannot be
    reused."""
    if set_dir is None or not tables_present(set_dir):
        return False
    for name in schema.TABLES:
        try:
            metadata = pq.read_schema(set_dir / f"{name}.parquet").metadata or {}
        except Exception:  # an unreadable table is not current
            return False
        if metadata.get(b"schema_version") != schema.SCHEMA_VERSION.encode():
            return False
    return True


class TableWriter:
    """Streams Arrow tables into one Parquet file in row groups of about ROW_GROUP_ROWS rows or
    ROW_GROUP_BYTES bytes, whichever comes first: memory is bounded per table.

    Tables arrive one per document, a few rows each for ``mentions`` or ``doses``, and each
    costs far more in objects than in data: every COMPACT_TABLES of them are copied into one
    contiguous table while the row group fills, so what is held is about the data."""

    def __init__(self, path: Path, table_name: str) -> None:
        self.schema = schema.with_metadata(table_name)
        self._writer = pq.ParquetWriter(path, self.schema, compression="zstd")
        self._pieces: list[pa.Table] = []
        self._chunks: list[pa.Table] = []
        self._buffered_rows = 0
        self._buffered_bytes = 0
        self.rows = 0

    def write(self, table: pa.Table) -> None:
        if table.num_rows == 0:
            return
        self._pieces.append(table.cast(self.schema) if table.schema != self.schema else table)
        self._buffered_rows += table.num_rows
        self._buffered_bytes += table.nbytes
        if self._buffered_rows >= ROW_GROUP_ROWS or self._buffered_bytes >= ROW_GROUP_BYTES:
            self._flush()
        elif len(self._pieces) >= COMPACT_TABLES:
            self._compact()

    def _compact(self) -> None:
        if self._pieces:
            self._chunks.append(pa.concat_tables(self._pieces).combine_chunks())
            self._pieces = []

    def _flush(self) -> None:
        self._compact()
        if self._chunks:
            combined = pa.concat_tables(self._chunks)
            self._writer.write_table(combined, row_group_size=max(combined.num_rows, 1))
            self.rows += combined.num_rows
            self._chunks, self._buffered_rows, self._buffered_bytes = [], 0, 0

    def close(self) -> None:
        self._flush()
        self._writer.close()


class StagedTables:
    """One writer per table in a staging folder; ``commit`` publishes them as the new set."""

    def __init__(self, out_dir: Path, run_id: str) -> None:
        self.out_dir = out_dir
        self.run_id = run_id
        self.staging = versions.new_staging(out_dir, run_id)
        self.writers: dict[str, TableWriter] = {}

    def write(self, table_name: str, table: pa.Table) -> None:
        if table_name not in self.writers:
            self.writers[table_name] = TableWriter(self.staging / f"{table_name}.parquet", table_name)
        self.writers[table_name].write(table)

    def reuse(self, table_name: str, previous_set: Path) -> None:
        """Take a table unchanged from the previous set (no rewrite)."""
        versions.link_or_copy(previous_set / f"{table_name}.parquet", self.staging / f"{table_name}.parquet")

    def commit(self, manifest: Path) -> Path:
        """Close every table (an unwritten one gets zero rows), put the manifest in place (a
        complete file written beside the tables under another name: it is the set's last
        file), publish."""
        for name in schema.TABLES:
            if name not in self.writers and not (self.staging / f"{name}.parquet").exists():
                self.writers[name] = TableWriter(self.staging / f"{name}.parquet", name)
        for writer in self.writers.values():
            writer.close()
        os.replace(manifest, self.staging / MANIFEST)
        return versions.commit(self.out_dir, self.staging, self.run_id)

    def abort(self) -> None:
        for writer in self.writers.values():
            try:
                writer.close()
            except Exception:  # the run is failing already; cleaning up must not mask why
                pass
        shutil.rmtree(self.staging, ignore_errors=True)


class PreviousRows:
    """Rows of the previous set's per-document tables, handed out per document, forward only.

    ``order`` yields the previous set's doc_ids in the order its tables were written (its
    manifest's order, :func:`pipeline.plan.previous_doc_ids`): every table holds a document's
    rows together and in that order, and a document with no rows in a table is absent from it.
    :meth:`take` walks ``order`` up to the wanted document, dropping on the way the rows of the
    documents it passes (removed or changed sources), so one document's rows per table are held
    at a time, however large the set.
    """

    def __init__(self, set_dir: Path | None, order: Iterator[str], tables: tuple[str, ...] = schema.PER_DOCUMENT_TABLES) -> None:
        self._order = order
        self._groups: dict[str, Iterator[tuple[str, pa.Table]]] = {}
        for name in tables:
            path = set_dir / f"{name}.parquet" if set_dir is not None else None
            self._groups[name] = _doc_groups(path) if path is not None and path.is_file() else iter(())
        self._pending: dict[str, tuple[str, pa.Table] | None] = dict.fromkeys(tables)

    def take(self, doc_id: str) -> dict[str, pa.Table | None]:
        """The rows of ``doc_id`` per table (None where it has none)."""
        for current in self._order:
            if current == doc_id:
                break
            for name in self._groups:
                self._pop(name, current)
        else:
            raise ValueError(f"{doc_id!r} is not in the previous set (or was asked for out of order)")
        return {name: self._pop(name, doc_id) for name in self._groups}

    def _pop(self, name: str, doc_id: str) -> pa.Table | None:
        pending = self._pending[name]
        if pending is None:
            pending = self._pending[name] = next(self._groups[name], None)
        if pending is not None and pending[0] == doc_id:
            self._pending[name] = None
            return pending[1]
        return None


def _doc_groups(path: Path) -> Iterator[tuple[str, pa.Table]]:
    """Consecutive runs of equal doc_id in a Parquet file, read batch by batch."""
    parquet = pq.ParquetFile(path)
    carry: pa.Table | None = None
    for batch in parquet.iter_batches(batch_size=65_536):
        table = pa.Table.from_batches([batch])
        if carry is not None:
            table = pa.concat_tables([carry, table])
            carry = None
        doc_ids = table.column("doc_id")
        boundaries = _run_starts(doc_ids)
        for k, start in enumerate(boundaries):
            stop = boundaries[k + 1] if k + 1 < len(boundaries) else table.num_rows
            if stop == table.num_rows:
                carry = table.slice(start)
            else:
                yield doc_ids[start].as_py(), table.slice(start, stop - start)
    if carry is not None and carry.num_rows:
        yield carry.column("doc_id")[0].as_py(), carry


def _run_starts(column: pa.ChunkedArray) -> list[int]:
    values = column.combine_chunks()
    if len(values) == 0:
        return []
    changed = pc.not_equal(values.slice(1), values.slice(0, len(values) - 1))
    indices = pc.indices_nonzero(changed).to_pylist()
    return [0] + [i + 1 for i in indices]


def read_table(set_dir: Path | None, table_name: str) -> pa.Table:
    """A whole table of a committed set (an empty one when there is none)."""
    path = set_dir / f"{table_name}.parquet" if set_dir is not None else None
    return pq.read_table(path) if path is not None and path.is_file() else schema.empty_table(table_name)
