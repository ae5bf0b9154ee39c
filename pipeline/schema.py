"""The output tables: one pyarrow schema per table, defined once and used everywhere.

This module is the contract of ``../shared/DESIGN.md`` in code. The writer (``store``), the row
builders (``rows``), the evaluator and the README's table reference all read these definitions;
nothing else spells out a column name or type. Every Parquet file carries ``SCHEMA_VERSION`` and
the table name in its key-value metadata so readers can check what they load.

Offsets (``start``/``end``) are Python string offsets (code points) into ``documents.text``.
"""

from __future__ import annotations

import pyarrow as pa

#: Version 2 added documents.subject_id/subject_name, mentions.substance_id/substance_name and
#: the SUBSTANCE label; tables of another version are re-extracted, not merged.
SCHEMA_VERSION = "2.0"

LABELS = ("CONDITION", "ADVERSE_EFFECT", "DOSE", "SUBSTANCE")
ROLES = ("studied", "contraindication", "other")
STATUSES = ("ok", "empty", "error")

_TIMESTAMP = pa.timestamp("us", tz="UTC")


def _field(name: str, type_: pa.DataType, doc: str, nullable: bool = False) -> pa.Field:
    return pa.field(name, type_, nullable=nullable, metadata={"doc": doc})


DOCUMENTS = pa.schema(
    [
        _field("doc_id", pa.string(), "source path relative to the corpus, no extension, '/' separators"),
        _field("source", pa.string(), "source path relative to the corpus folder"),
        _field("media_type", pa.string(), "text/plain, text/markdown, text/html, ..."),
        _field("sha256", pa.string(), "SHA-256 of the raw bytes"),
        _field("title", pa.string(), "document title when the source has one", nullable=True),
        _field("text", pa.large_string(), "decoded (or extracted main) text; all offsets point here"),
        _field("n_chars", pa.int64(), "len(text) in code points"),
        _field("n_sentences", pa.int64(), "number of rows in sentences"),
        _field("n_tokens", pa.int64(), "number of rows in tokens"),
        _field("status", pa.string(), "ok | empty | error"),
        _field("error", pa.string(), "why the source is empty or failed", nullable=True),
        _field(
            "warning",
            pa.string(),
            "something to know about a source that was read, e.g. invalid UTF-8 bytes replaced",
            nullable=True,
        ),
        _field("pipeline_version", pa.string(), "version of the code that produced the rows"),
        _field("extracted_at", _TIMESTAMP, "when the source was processed (UTC)"),
        _field(
            "subject_id",
            pa.string(),
            "the substance the source is about: DRUGBANK:, MESHTREE:, MEDLINEPLUS: or LOCAL:<name>; a combination joins its ingredients with + (DRUGBANK:DB00586+DRUGBANK:DB00929)",
            nullable=True,
        ),
        _field("subject_name", pa.string(), "name of the subject (ingredient, not brand)", nullable=True),
    ]
)

SENTENCES = pa.schema(
    [
        _field("doc_id", pa.string(), "document id"),
        _field("sentence_id", pa.int64(), "0-based index in the document"),
        _field("start", pa.int64(), "start offset in documents.text"),
        _field("end", pa.int64(), "end offset (exclusive)"),
        _field("section", pa.string(), "heading text in force", nullable=True),
        _field("text", pa.string(), "documents.text[start:end]"),
    ]
)

TOKENS = pa.schema(
    [
        _field("doc_id", pa.string(), "document id"),
        _field("sentence_id", pa.int64(), "sentence holding the token"),
        _field("token_id", pa.int64(), "0-based index in the document (whitespace is not a token)"),
        _field("start", pa.int64(), "start offset in documents.text"),
        _field("end", pa.int64(), "end offset (exclusive)"),
        _field("text", pa.string(), "documents.text[start:end]"),
        _field("norm", pa.string(), "lower-cased normalized form (spelling, quotes, plurals)"),
        _field("is_alpha", pa.bool_(), "all characters alphabetic"),
        _field("is_punct", pa.bool_(), "punctuation"),
        _field("like_num", pa.bool_(), "looks like a number (digits or number word)"),
    ]
)

MENTIONS = pa.schema(
    [
        _field("mention_id", pa.string(), "doc_id:start-end:label"),
        _field("doc_id", pa.string(), "document id"),
        _field("sentence_id", pa.int64(), "sentence holding the mention"),
        _field("start", pa.int64(), "start offset in documents.text"),
        _field("end", pa.int64(), "end offset (exclusive)"),
        _field("text", pa.string(), "documents.text[start:end]"),
        _field("label", pa.string(), "CONDITION | ADVERSE_EFFECT | DOSE | SUBSTANCE"),
        _field("concept_id", pa.string(), "e.g. HP:0002315, ICD10CM:G30.9, DRUGBANK:DB01104; null for DOSE", nullable=True),
        _field("concept_name", pa.string(), "preferred name of concept_id", nullable=True),
        _field("negated", pa.bool_(), "the text says it is absent or did not occur"),
        _field("uncertain", pa.bool_(), "hedged: may, possible, suspected, ..."),
        _field("role", pa.string(), "studied | contraindication | other (CONDITION only)", nullable=True),
        _field("section", pa.string(), "heading text in force", nullable=True),
        _field("method", pa.string(), "which rule, lexicon or model found it"),
        _field(
            "substance_id",
            pa.string(),
            "the substance the statement is about: the subject unless the text ties it to another",
            nullable=True,
        ),
        _field("substance_name", pa.string(), "name of substance_id", nullable=True),
    ]
)

DOSES = pa.schema(
    [
        _field("mention_id", pa.string(), "the DOSE row in mentions"),
        _field("doc_id", pa.string(), "document id"),
        _field("low", pa.float64(), "lower amount (null: open lower bound)", nullable=True),
        _field("high", pa.float64(), "upper amount (null: open upper bound)", nullable=True),
        _field("unit", pa.string(), "mg, g, mcg, mL, L, IU, drop, tablet, capsule, mg/kg, ..."),
        _field("per", pa.string(), "day, week, dose, vial, ampoule, mL, tablet", nullable=True),
        _field("times_per_day", pa.float64(), "administrations per day", nullable=True),
        _field("route", pa.string(), "IV, IM, SC, oral, intranasal, topical, ...", nullable=True),
        _field("duration_days_low", pa.float64(), "course length, lower (days)", nullable=True),
        _field("duration_days_high", pa.float64(), "course length, upper (days)", nullable=True),
        _field("amount_base_low", pa.float64(), "low in base_unit", nullable=True),
        _field("amount_base_high", pa.float64(), "high in base_unit", nullable=True),
        _field("base_unit", pa.string(), "mg for mass, mL for volume, else null", nullable=True),
        _field(
            "condition_concept_ids",
            pa.list_(pa.string()),
            "conditions the text states the dose is for (empty when it does not)",
        ),
    ]
)

CONCEPTS = pa.schema(
    [
        _field("concept_id", pa.string(), "vocabulary-prefixed id"),
        _field("name", pa.string(), "preferred name"),
        _field("vocabulary", pa.string(), "HPO, ICD10CM, MESH, CURATED, ..."),
        _field("xrefs", pa.list_(pa.string()), "equivalent ids in other vocabularies"),
        _field("n_mentions", pa.int64(), "mentions carrying this concept"),
        _field("n_docs", pa.int64(), "documents with at least one such mention"),
    ]
)

RUNS = pa.schema(
    [
        _field("run_id", pa.string(), "unique id of the run"),
        _field("started_at", _TIMESTAMP, "start (UTC)"),
        _field("finished_at", _TIMESTAMP, "end (UTC)"),
        _field("n_sources", pa.int64(), "sources found under the corpus"),
        _field("n_processed", pa.int64(), "sources extracted in this run"),
        _field("n_skipped", pa.int64(), "unchanged sources whose rows were kept"),
        _field("n_failed", pa.int64(), "sources recorded with status error"),
        _field("pipeline_version", pa.string(), "code version"),
        _field("vocabulary_version", pa.string(), "vocabulary version"),
    ]
)

#: Every table, in the order they are written. Per-document tables first.
TABLES: dict[str, pa.Schema] = {
    "documents": DOCUMENTS,
    "sentences": SENTENCES,
    "tokens": TOKENS,
    "mentions": MENTIONS,
    "doses": DOSES,
    "concepts": CONCEPTS,
    "runs": RUNS,
}

#: Tables whose rows belong to one document (kept or replaced per source on incremental runs).
PER_DOCUMENT_TABLES = ("documents", "sentences", "tokens", "mentions", "doses")


def with_metadata(table_name: str) -> pa.Schema:
    """The schema of ``table_name`` with the schema version in its key-value metadata."""
    schema = TABLES[table_name]
    return schema.with_metadata({"schema_version": SCHEMA_VERSION, "table": table_name})


def empty_table(table_name: str) -> pa.Table:
    """A zero-row table with the exact schema of ``table_name``."""
    return with_metadata(table_name).empty_table()
