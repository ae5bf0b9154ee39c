"""Is an output folder one complete, consistent set? The checks of the kill harness and tests.

:func:`problems` reads every table through the documented paths (``outputs/<table>.parquet``)
and returns what is wrong, in plain sentences (an empty list: all is well):

- every documented path and the manifest resolve into the same version folder (one set, not a
  mix of two runs' files);
- every table is readable and has its contract schema;
- ``documents`` holds exactly the manifest's sources, with the manifest's digests;
- the rows of ``sentences``, ``tokens``, ``mentions`` and ``doses`` belong to those documents,
  in the numbers ``documents`` states, and every dose is a mention;
- ``concepts`` counts exactly the mentions there are;
- the last ``runs`` row describes this set (its source count).

Used by ``benchmarks/kills.py`` after each kill and by the tests; cheap enough for a few MB of
tables.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pyarrow.parquet as pq

from pipeline import schema
from pipeline.versions import MANIFEST, SET_FILES


def problems(out_dir: Path) -> list[str]:
    """What makes ``out_dir`` not one complete, consistent set (empty when it is)."""
    found: list[str] = []
    folders = {os.path.dirname(os.path.realpath(out_dir / name)) for name in SET_FILES}
    if len(folders) != 1:
        return [f"the documented paths point into {len(folders)} different folders: {sorted(folders)}"]
    tables = {}
    for name, expected in schema.TABLES.items():
        try:
            table = pq.read_table(out_dir / f"{name}.parquet")
        except Exception as error:  # a check reports, it does not stop at the first problem
            found.append(f"{name}: unreadable ({type(error).__name__}: {error})")
            continue
        if table.schema.names != expected.names:
            found.append(f"{name}: columns {table.schema.names} are not the contract's")
        tables[name] = table.to_pandas()
    try:
        manifest = json.loads((out_dir / MANIFEST).read_text(encoding="utf-8"))["sources"]
    except Exception as error:
        return found + [f"manifest unreadable ({type(error).__name__})"]
    if found:
        return found
    return _consistency(tables, manifest)


def _consistency(tables: dict, manifest: dict) -> list[str]:
    found: list[str] = []
    documents = tables["documents"]
    expected = {entry["doc_id"]: entry["sha256"] for entry in manifest.values()}
    actual = dict(zip(documents.doc_id, documents.sha256))
    if set(actual) != set(expected) or len(documents) != len(expected):
        found.append(
            f"documents has {len(documents)} rows for {len(expected)} sources in the manifest "
            f"(missing {sorted(set(expected) - set(actual))[:3]}, extra {sorted(set(actual) - set(expected))[:3]})"
        )
    wrong = [doc_id for doc_id, digest in expected.items() if doc_id in actual and actual[doc_id] != digest]
    if wrong:
        found.append(f"documents of another run than the manifest's: {wrong[:3]}")
    counts = documents.set_index("doc_id")
    for name, column in (("sentences", "n_sentences"), ("tokens", "n_tokens")):
        per_doc = tables[name].groupby("doc_id").size().to_dict()
        stated = {doc_id: n for doc_id, n in counts[column].items() if n > 0}
        if per_doc != stated:
            found.append(f"{name}: rows per document differ from documents.{column}")
    for name in ("sentences", "tokens", "mentions", "doses"):
        orphans = set(tables[name].doc_id) - set(documents.doc_id)
        if orphans:
            found.append(f"{name}: rows of documents not in documents: {sorted(orphans)[:3]}")
    if not set(tables["doses"].mention_id) <= set(tables["mentions"].mention_id):
        found.append("doses: rows without their DOSE mention")
    mentions = tables["mentions"].dropna(subset=["concept_id"])
    expected_concepts = mentions.groupby("concept_id").size().to_dict()
    stated_concepts = dict(zip(tables["concepts"].concept_id, tables["concepts"].n_mentions))
    if expected_concepts != stated_concepts:
        found.append("concepts: counts differ from the mentions")
    runs = tables["runs"]
    if runs.empty or int(runs.n_sources.iloc[-1]) != len(manifest):
        found.append("runs: the last row is not the run that wrote this set")
    return found
