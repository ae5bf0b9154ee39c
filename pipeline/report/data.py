"""What the report shows, computed from the Parquet tables alone.

The report reads one committed set (``pipeline.versions.snapshot``, resolved once, so a run
committing meanwhile cannot mix two sets) and aggregates it with pandas and pyarrow, one table at
a time. It never holds every document text at once: the per-source pages stream ``documents``
(:func:`iter_documents`), and evidence snippets come from the ``sentences`` rows that hold a
statement only (:func:`statement_sentences`).

Vocabulary of this module:

- a *statement* is a CONDITION, ADVERSE_EFFECT or DOSE mention (SUBSTANCE rows name substances,
  they state nothing about one);
- its *kind* is ``use`` (CONDITION studied), ``contraindication``, ``condition`` (any other
  CONDITION), ``effect`` (ADVERSE_EFFECT) or ``dose``;
- its *class* is ``negated`` (the text says it is absent), else ``hedged`` (uncertain), else
  ``reported``: the three are disjoint, so the counts of a row add up;
- its *group* is the concept (``concept_id``, or the lower-cased text when a span has none) for
  conditions and effects, the route for doses;
- its *substance* is ``mentions.substance_id`` (the document's subject unless the text ties the
  statement to another substance); statements about no substance belong to "no subject".

A substance section exists for every document subject (and "no subject" when a document has
none) and for every substance that statements are about; sections are sorted by the number of
sources whose subject the substance is, then by the number of sources making statements about
it. Each statement is counted in exactly one section, one kind and one group.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from pipeline import schema
from pipeline.versions import snapshot

KINDS = ("use", "contraindication", "condition", "effect", "dose")
KIND_TITLES = {
    "use": "Uses (conditions studied)",
    "contraindication": "Contraindications",
    "condition": "Other conditions named",
    "effect": "Adverse effects",
    "dose": "Doses",
}
CLASSES = ("reported", "hedged", "negated")
NO_SUBJECT = "no subject"
#: Key of the section of statements about no substance (and of documents without a subject).
NO_SUBJECT_KEY = ""
STATEMENT_LABELS = ("CONDITION", "ADVERSE_EFFECT", "DOSE")
_DOCUMENT_COLUMNS = [
    "doc_id", "source", "media_type", "title", "n_chars", "n_sentences", "status", "error",
    "warning", "pipeline_version", "extracted_at", "subject_id", "subject_name",
]


class ReportError(Exception):
    """The report cannot be built from this folder (no committed tables, another schema)."""


@dataclass(frozen=True)
class Snapshot:
    """One committed set of tables: every read of a report goes through the same folder."""

    base: Path

    def path(self, table: str) -> Path:
        return self.base / f"{table}.parquet"


def open_snapshot(out_dir: Path) -> Snapshot:
    """The committed set of ``out_dir``, resolved once; refuse tables of another schema version."""
    base = snapshot(Path(out_dir))
    if base is None:
        raise ReportError(f"no tables in {out_dir}: run `pipeline run --out {out_dir}` first")
    found = Snapshot(base)
    for table in ("documents", "mentions", "doses", "sentences"):
        path = found.path(table)
        if not path.is_file():
            raise ReportError(f"{path} is missing: run `pipeline run --out {out_dir}` again")
        metadata = pq.read_schema(path).metadata or {}
        version = metadata.get(b"schema_version", b"?").decode()
        if version != schema.SCHEMA_VERSION:
            raise ReportError(
                f"{path} has schema version {version}, this report reads {schema.SCHEMA_VERSION}: "
                f"run `pipeline run --out {out_dir}` to extract again"
            )
    return found


def slug(value: str, prefix: str = "") -> str:
    """A file name for an id: its safe characters, then a short hash of the whole id so two ids
    that differ only in unsafe characters (``a/b`` and ``a_b``) never share a file."""
    safe = re.sub(r"[^A-Za-z0-9._-]+", "_", value).strip("._")[:60] or "x"
    digest = hashlib.sha1(value.encode("utf-8")).hexdigest()[:8]
    return f"{prefix}{safe}-{digest}"


def short_id(value: str) -> str:
    """12 hex digits of the SHA-1 of ``value``: an anchor that is unique in practice."""
    return hashlib.sha1(value.encode("utf-8")).hexdigest()[:12]


# --------------------------------------------------------------------------- reading tables


def read_documents(snap: Snapshot) -> pd.DataFrame:
    """Every documents row without its text (the per-source pages stream the texts)."""
    frame = pq.read_table(snap.path("documents"), columns=_DOCUMENT_COLUMNS).to_pandas()
    frame = frame.sort_values("doc_id", kind="stable").reset_index(drop=True)
    frame["subject_key"] = frame["subject_id"].fillna(NO_SUBJECT_KEY)
    frame["display"] = frame["title"].where(frame["title"].notna() & (frame["title"] != ""), frame["doc_id"])
    return frame


def read_statements(snap: Snapshot) -> pd.DataFrame:
    """The CONDITION, ADVERSE_EFFECT and DOSE rows of ``mentions`` with their kind, class, group
    and substance key (see the module docstring), DOSE rows joined with their ``doses`` row."""
    table = pq.read_table(snap.path("mentions"), filters=[("label", "in", list(STATEMENT_LABELS))])
    frame = table.to_pandas()
    label, role = frame["label"], frame["role"]
    frame["kind"] = np.select(
        [
            (label == "CONDITION") & (role == "studied"),
            (label == "CONDITION") & (role == "contraindication"),
            label == "CONDITION",
            label == "ADVERSE_EFFECT",
        ],
        ["use", "contraindication", "condition", "effect"],
        default="dose",
    )
    frame["cls"] = np.where(frame["negated"], "negated", np.where(frame["uncertain"], "hedged", "reported"))
    frame["substance_key"] = frame["substance_id"].fillna(NO_SUBJECT_KEY)

    dose_columns = [name for name in schema.DOSES.names if name not in ("doc_id", "condition_concept_ids")]
    doses = pq.read_table(snap.path("doses"), columns=dose_columns).to_pandas()
    frame = frame.merge(doses, on="mention_id", how="left", validate="one_to_one")
    del doses

    text_key = "text:" + frame["text"].str.lower()
    concept_key = frame["concept_id"].where(frame["concept_id"].notna(), text_key)
    concept_name = frame["concept_name"].where(frame["concept_name"].notna(), frame["text"])
    is_dose = frame["kind"] == "dose"
    route = frame["route"].fillna("")
    frame["group_key"] = np.where(is_dose, "route:" + route, concept_key)
    frame["group_name"] = np.where(is_dose, route.replace("", "route not stated"), concept_name)
    # doses of a route are listed by amount in the evidence pages: equal doses side by side
    frame["_amount"] = frame["amount_base_low"].fillna(frame["low"]).where(is_dose)
    frame["_amount_high"] = frame["amount_base_high"].fillna(frame["high"]).where(is_dose)
    order = ["substance_key", "kind", "group_key", "_amount", "_amount_high", "unit", "per", "doc_id", "start"]
    frame = frame.sort_values(order, kind="stable", na_position="first").reset_index(drop=True)
    return frame.drop(columns=["_amount", "_amount_high"])


def statement_sentences(snap: Snapshot, statements: pd.DataFrame, batch_size: int = 65_536) -> pd.DataFrame:
    """``doc_id, sentence_id, sentence_start, sentence_text`` of the sentences that hold a
    statement, read batch by batch so the other sentences are never kept."""
    unique = statements[["doc_id", "sentence_id"]].drop_duplicates()
    keys = pa.table(
        {
            "doc_id": pa.array(unique["doc_id"].tolist(), pa.string()),
            "sentence_id": pa.array(unique["sentence_id"].tolist(), pa.int64()),
        }
    )
    parts: list[pa.Table] = []
    parquet = pq.ParquetFile(snap.path("sentences"))
    for batch in parquet.iter_batches(batch_size=batch_size, columns=["doc_id", "sentence_id", "start", "text"]):
        parts.append(pa.Table.from_batches([batch]).join(keys, ["doc_id", "sentence_id"], join_type="inner"))
    if not parts:
        return pd.DataFrame(columns=["doc_id", "sentence_id", "sentence_start", "sentence_text"])
    found = pa.concat_tables(parts).to_pandas()
    return found.rename(columns={"start": "sentence_start", "text": "sentence_text"})


def iter_documents(snap: Snapshot, batch_size: int = 16) -> Iterator[tuple[dict, list[dict]]]:
    """Each document row (with its text) and its mentions sorted by offset, one at a time.

    The mentions table (without texts of documents) is held as one Arrow table sorted by
    document; documents are read in small batches, so at most ``batch_size`` texts are in
    memory."""
    columns = [name for name in schema.MENTIONS.names if name not in ("sentence_id", "text")]
    mentions = pq.read_table(snap.path("mentions"), columns=columns)
    order = pc.sort_indices(
        mentions, sort_keys=[("doc_id", "ascending"), ("start", "ascending"), ("end", "descending"), ("label", "ascending")]
    )
    mentions = mentions.take(order)
    spans = _doc_slices(mentions.column("doc_id"))
    parquet = pq.ParquetFile(snap.path("documents"))
    for batch in parquet.iter_batches(batch_size=batch_size):
        for row in batch.to_pylist():
            offset, length = spans.get(row["doc_id"], (0, 0))
            yield row, mentions.slice(offset, length).to_pylist()


def _doc_slices(doc_ids: pa.ChunkedArray) -> dict[str, tuple[int, int]]:
    """For a column sorted by document: each document's (offset, length)."""
    if len(doc_ids) == 0:
        return {}
    encoded = pc.dictionary_encode(doc_ids).combine_chunks()
    codes = encoded.indices.to_numpy(zero_copy_only=False)
    starts = np.concatenate([[0], np.flatnonzero(np.diff(codes)) + 1])
    ends = np.append(starts[1:], len(codes))
    names = encoded.dictionary.to_pylist()
    return {names[codes[s]]: (int(s), int(e - s)) for s, e in zip(starts, ends)}


# --------------------------------------------------------------------------- aggregation


@dataclass
class GroupRow:
    """One line of a concept list (or one route of the dose summary): counts per class.

    ``sources[c]`` and ``mentions[c]`` count the sources and mentions of class ``c``; every
    count links to the evidence page of the group (``href``), class by class."""

    kind: str
    key: str
    name: str
    concept_id: str | None
    sources: dict[str, int]
    mentions: dict[str, int]
    n_sources: int
    n_mentions: int
    href: str = ""
    anchor: str = ""
    class_href: dict[str, str] = field(default_factory=dict)


@dataclass
class DoseRange:
    """Doses of one route in one canonical unit and ``per``: how many, and their range."""

    route: str
    unit: str
    per: str
    low: float | None
    high: float | None
    n_doses: int
    n_sources: int
    route_key: str


@dataclass
class Substance:
    """One section of the report: the statements about one substance (or about none)."""

    key: str
    substance_id: str | None
    name: str
    slug: str
    n_subject_sources: int
    n_statement_sources: int
    n_statements: int
    groups: dict[str, list[GroupRow]] = field(default_factory=dict)
    dose_ranges: list[DoseRange] = field(default_factory=list)
    n_doses: int = 0
    href: str = ""

    @property
    def n_sources(self) -> int:
        return max(self.n_subject_sources, self.n_statement_sources)


def substances(documents: pd.DataFrame, statements: pd.DataFrame) -> list[Substance]:
    """The sections: every subject and every substance of a statement, sorted by the number of
    sources about it, then of sources with statements about it, then by name."""
    subject = documents.groupby("subject_key").agg(
        n_subject_sources=("doc_id", "size"), subject_name=("subject_name", "first")
    )
    stated = statements.groupby("substance_key").agg(
        n_statement_sources=("doc_id", "nunique"),
        n_statements=("mention_id", "size"),
        stated_name=("substance_name", "first"),
    )
    both = subject.join(stated, how="outer")
    both[["n_subject_sources", "n_statement_sources", "n_statements"]] = (
        both[["n_subject_sources", "n_statement_sources", "n_statements"]].fillna(0).astype(int)
    )
    found: list[Substance] = []
    for key, row in both.iterrows():
        name = row["subject_name"] if isinstance(row["subject_name"], str) else row["stated_name"]
        if key == NO_SUBJECT_KEY:
            name = NO_SUBJECT
        found.append(
            Substance(
                key=key,
                substance_id=key or None,
                name=name if isinstance(name, str) and name else key,
                slug=slug(key or "no-subject"),
                n_subject_sources=int(row["n_subject_sources"]),
                n_statement_sources=int(row["n_statement_sources"]),
                n_statements=int(row["n_statements"]),
            )
        )
    found.sort(key=lambda s: (-s.n_subject_sources, -s.n_statement_sources, s.name.casefold(), s.key))
    return found


def group_rows(statements: pd.DataFrame) -> dict[tuple[str, str], list[GroupRow]]:
    """For each (substance key, kind): its groups with counts per class, ranked by the sources
    that report them, then the sources that hedge them, then the sources that negate them."""
    counts = statements.groupby(["substance_key", "kind", "group_key", "cls"], sort=False).agg(
        sources=("doc_id", "nunique"), mentions=("mention_id", "size")
    )
    totals = statements.groupby(["substance_key", "kind", "group_key"], sort=False).agg(
        n_sources=("doc_id", "nunique"),
        n_mentions=("mention_id", "size"),
        name=("group_name", "first"),
        concept_id=("concept_id", "first"),
    )
    wide = counts.unstack("cls", fill_value=0)
    wide.columns = [f"{what}_{cls}" for what, cls in wide.columns]
    frame = totals.join(wide, how="left")
    for cls in CLASSES:
        for what in ("sources", "mentions"):
            column = f"{what}_{cls}"
            frame[column] = frame[column].fillna(0).astype(int) if column in frame.columns else 0
    frame = frame.reset_index()
    frame["_name"] = frame["name"].str.casefold()
    frame = frame.sort_values(
        ["substance_key", "kind", "sources_reported", "sources_hedged", "sources_negated", "n_mentions", "_name", "group_key"],
        ascending=[True, True, False, False, False, False, True, True],
        kind="stable",
    )
    found: dict[tuple[str, str], list[GroupRow]] = {}
    for values in frame.to_dict("records"):
        row = GroupRow(
            kind=values["kind"],
            key=values["group_key"],
            name=values["name"],
            concept_id=_none(values["concept_id"]),
            sources={cls: int(values[f"sources_{cls}"]) for cls in CLASSES},
            mentions={cls: int(values[f"mentions_{cls}"]) for cls in CLASSES},
            n_sources=int(values["n_sources"]),
            n_mentions=int(values["n_mentions"]),
        )
        found.setdefault((values["substance_key"], row.kind), []).append(row)
    return found


def dose_ranges(statements: pd.DataFrame) -> dict[str, list[DoseRange]]:
    """Per substance key: the doses by route, canonical unit (``base_unit``: mg or mL, else the
    stated unit) and ``per``, with the lowest and highest amount in that unit."""
    doses = dose_rows(statements)
    if doses.empty:
        return {}
    grouped = doses.groupby(["substance_key", "route_name", "canonical_unit", "per_name"], sort=True).agg(
        low=("amount_low", "min"),
        high=("amount_high", "max"),
        n_doses=("mention_id", "size"),
        n_sources=("doc_id", "nunique"),
        route_key=("group_key", "first"),
    )
    found: dict[str, list[DoseRange]] = {}
    for (key, route, unit, per), row in grouped.iterrows():
        found.setdefault(key, []).append(
            DoseRange(
                route=route, unit=unit, per=per,
                low=_float(row["low"]), high=_float(row["high"]),
                n_doses=int(row["n_doses"]), n_sources=int(row["n_sources"]), route_key=row["route_key"],
            )
        )
    return found


def dose_rows(statements: pd.DataFrame) -> pd.DataFrame:
    """The DOSE statements with their amounts in canonical units: ``amount_low``/``amount_high``
    in ``canonical_unit`` (``base_unit`` when the unit converts to mg or mL, else the stated
    unit and amounts); an open bound takes the other bound for charting, never for the table."""
    doses = statements[statements["kind"] == "dose"].copy()
    has_base = doses["base_unit"].notna()
    doses["canonical_unit"] = doses["base_unit"].where(has_base, doses["unit"]).fillna("?")
    doses["amount_low"] = doses["amount_base_low"].where(has_base, doses["low"])
    doses["amount_high"] = doses["amount_base_high"].where(has_base, doses["high"])
    doses["route_name"] = doses["route"].fillna("route not stated")
    doses["per_name"] = doses["per"].fillna("")
    return doses.sort_values(["substance_key", "route_name", "canonical_unit", "amount_low", "doc_id", "start"], kind="stable")


def _none(value):
    return None if value is None or (isinstance(value, float) and np.isnan(value)) or value is pd.NA else value


def _float(value) -> float | None:
    value = _none(value)
    return None if value is None else float(value)
