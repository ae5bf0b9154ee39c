"""Turn one processed document into Arrow tables with the exact schemas of :mod:`pipeline.schema`.

Columns are built from whole-document arrays (``Doc.to_array``) where possible rather than
token by token, because this runs on every token of the corpus.
"""

from __future__ import annotations

from datetime import datetime

import numpy as np
import pyarrow as pa
from spacy.attrs import IDX, IS_ALPHA, IS_PUNCT, IS_SPACE, LIKE_NUM
from spacy.tokens import Doc

from pipeline import schema
from pipeline.extract.mention import Mention, doc_text
from pipeline.extract.normalize import word_key
from pipeline.extract.substance_lexicon import Substance
from pipeline.ingest import Document
from pipeline.segment import Segment, sentence_of

#: The structured dose columns, in schema order: attributes of pipeline.extract.doses.Dose.
_DOSE_FIELDS = tuple(
    name for name in schema.DOSES.names if name not in ("mention_id", "doc_id", "condition_concept_ids")
)


def document_tables(
    document: Document, doc: Doc | None, pipeline_version: str, extracted_at: datetime
) -> dict[str, pa.Table]:
    """Rows of every per-document table for one source (``doc`` is None when it has no text)."""
    if doc is None:
        tables = {name: schema.empty_table(name) for name in schema.PER_DOCUMENT_TABLES}
        tables["documents"] = documents_table(document, 0, 0, pipeline_version, extracted_at)
        return tables
    sentences = sentence_table(document.doc_id, doc_text(doc), doc._.segments or [])
    tokens = token_table(document.doc_id, doc)
    mentions = doc._.mentions or []
    return {
        "documents": documents_table(
            document, sentences.num_rows, tokens.num_rows, pipeline_version, extracted_at, doc._.subject
        ),
        "sentences": sentences,
        "tokens": tokens,
        "mentions": mention_table(document.doc_id, doc_text(doc), doc._.segments or [], mentions),
        "doses": dose_table(document.doc_id, mentions),
    }


def documents_table(
    document: Document,
    n_sentences: int,
    n_tokens: int,
    pipeline_version: str,
    extracted_at: datetime,
    subject: Substance | None = None,
) -> pa.Table:
    """The one ``documents`` row of a source."""
    row = {
        "doc_id": document.doc_id,
        "source": document.source,
        "media_type": document.media_type,
        "sha256": document.sha256,
        "title": document.title,
        "text": document.text,
        "n_chars": len(document.text),
        "n_sentences": n_sentences,
        "n_tokens": n_tokens,
        "status": document.status,
        "error": document.error,
        "warning": document.warning,
        "pipeline_version": pipeline_version,
        "extracted_at": extracted_at,
        "subject_id": subject.concept_id if subject else None,
        "subject_name": subject.name if subject else None,
    }
    return pa.Table.from_pylist([row], schema=schema.with_metadata("documents"))


def sentence_table(doc_id: str, text: str, segments: list[Segment]) -> pa.Table:
    """One row per segment (sentence, list item or heading)."""
    return pa.Table.from_pydict(
        {
            "doc_id": [doc_id] * len(segments),
            "sentence_id": list(range(len(segments))),
            "start": [s.start for s in segments],
            "end": [s.end for s in segments],
            "section": [s.section for s in segments],
            "text": [text[s.start : s.end] for s in segments],
        },
        schema=schema.with_metadata("sentences"),
    )


def token_table(doc_id: str, doc: Doc) -> pa.Table:
    """Non-whitespace tokens, numbered 0.. in document order."""
    if len(doc) == 0:
        return schema.empty_table("tokens")
    attrs = doc.to_array([IDX, IS_SPACE, IS_ALPHA, IS_PUNCT, LIKE_NUM])
    keep = np.flatnonzero(attrs[:, 1] == 0)
    starts = attrs[keep, 0].astype(np.int64)
    texts = [doc[i].text for i in keep.tolist()]
    norms = [word_key(t) for t in texts]
    ends = starts + np.fromiter((len(t) for t in texts), dtype=np.int64, count=len(texts))
    sentence_ids = sentence_of(doc._.segments or [], starts) if doc._.segments else np.zeros(len(keep), dtype=np.int64)
    return pa.Table.from_pydict(
        {
            "doc_id": [doc_id] * len(keep),
            "sentence_id": sentence_ids.astype(np.int64),
            "token_id": np.arange(len(keep), dtype=np.int64),
            "start": starts,
            "end": ends,
            "text": texts,
            "norm": norms,
            "is_alpha": attrs[keep, 2].astype(bool),
            "is_punct": attrs[keep, 3].astype(bool),
            "like_num": attrs[keep, 4].astype(bool),
        },
        schema=schema.with_metadata("tokens"),
    )


def mention_id(doc_id: str, mention: Mention) -> str:
    return f"{doc_id}:{mention.start}-{mention.end}:{mention.label}"


def mention_table(doc_id: str, text: str, segments: list[Segment], mentions: list[Mention]) -> pa.Table:
    """One row per mention; ``segments`` give sentence ids and sections."""
    if not mentions:
        return schema.empty_table("mentions")
    starts = np.fromiter((m.start for m in mentions), dtype=np.int64, count=len(mentions))
    sentence_ids = sentence_of(segments, starts) if segments else np.zeros(len(mentions), dtype=np.int64)
    return pa.Table.from_pydict(
        {
            "mention_id": [mention_id(doc_id, m) for m in mentions],
            "doc_id": [doc_id] * len(mentions),
            "sentence_id": sentence_ids.astype(np.int64),
            "start": starts,
            "end": [m.end for m in mentions],
            "text": [text[m.start : m.end] for m in mentions],
            "label": [m.label for m in mentions],
            "concept_id": [m.concept_id for m in mentions],
            "concept_name": [m.concept_name for m in mentions],
            "negated": [m.negated for m in mentions],
            "uncertain": [m.uncertain for m in mentions],
            "role": [m.role for m in mentions],
            "section": [segments[i].section if segments else None for i in sentence_ids.tolist()],
            "method": [m.method for m in mentions],
            "substance_id": [m.substance_id for m in mentions],
            "substance_name": [m.substance_name for m in mentions],
        },
        schema=schema.with_metadata("mentions"),
    )


def dose_table(doc_id: str, mentions: list[Mention]) -> pa.Table:
    doses = [m for m in mentions if m.label == "DOSE" and m.dose is not None]
    if not doses:
        return schema.empty_table("doses")
    columns: dict[str, list] = {
        "mention_id": [mention_id(doc_id, m) for m in doses],
        "doc_id": [doc_id] * len(doses),
    }
    for name in _DOSE_FIELDS:
        columns[name] = [getattr(m.dose, name) for m in doses]
    columns["condition_concept_ids"] = [list(m.condition_concept_ids) for m in doses]
    return pa.Table.from_pydict(columns, schema=schema.with_metadata("doses"))
