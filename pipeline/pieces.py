"""Documents too long for one spaCy pass: processed in pieces cut along sections, rows merged.

spaCy refuses a text longer than ``nlp.max_length`` (1,000,000 characters), and raising the
limit is no answer: this pipeline's memory grows by about 1.6 GB per million characters of one
Doc (measured with the NER model), so a 5 MB article would need 8 GB. A document longer than
:data:`PIECE_CHARS` is therefore cut into pieces of at most that many characters, each piece goes
through the Language alone, and the rows of the pieces are merged with their offsets, sentence
and token numbers shifted so that they point into the whole ``documents.text``: the tables cannot
tell a document processed in pieces from one processed whole, and memory stays that of one piece.

Only the components that read tokens (segmentation, vocabulary, NER, doses) run piece by piece;
their segments and mentions are moved into the whole text, and the components that decide from
the whole document (context, span conventions, substances) run once over all of it, so labels,
roles and the subject do not depend on the cuts. Where a piece is cut still matters for what the
token-level components see: cuts are chosen, in this order of preference, at the start of a
heading that is not a subsection of an outline (the piece then starts its own section, exactly
as in the whole text), a subsection heading, a paragraph break (blank line), a sentence start, a
line start, whitespace, and only as a last resort anywhere. Within the preferred kind the cut is
the furthest one that fits, so pieces are as long as allowed. After a cut that is not at a
heading, the sentences before the piece's first heading get the section in force at the end of
the previous piece. What crosses a cut is not seen across it by the token-level components: an
abbreviation defined before the cut and used after it, a sentence cut in two as a last resort.
"""

from __future__ import annotations

import bisect
import dataclasses
import re
from datetime import datetime

from typing import TYPE_CHECKING

import pyarrow as pa
import pyarrow.compute as pc

from pipeline import rows, schema
from pipeline.document_state import DocumentState
from pipeline.ingest import Document
from pipeline.segment import segment

if TYPE_CHECKING:
    from spacy.language import Language

#: Longest text processed in one spaCy pass (peak memory about 0.35 GB above the base).
PIECE_CHARS = 200_000

_PARAGRAPH_BREAK = re.compile(r"(?:\r\n|\r|\n)[ \t]*(?:\r\n|\r|\n)")
_LINE_BREAK = re.compile(r"\r\n|\r|\n")
_WHITESPACE = re.compile(r"\s")


def cut(text: str, limit: int = PIECE_CHARS) -> list[tuple[int, int]]:
    """``(start, end)`` of the pieces of ``text``, each at most ``limit`` characters, covering
    the text in order (a text within the limit is one piece)."""
    if len(text) <= limit:
        return [(0, len(text))]
    segments = segment(text)
    preferences = [
        [s.start for s in segments if s.is_heading and s.outer_section is None],
        [s.start for s in segments if s.is_heading and s.outer_section is not None],
        [m.end() for m in _PARAGRAPH_BREAK.finditer(text)],
        [s.start for s in segments if not s.is_heading],
        [m.end() for m in _LINE_BREAK.finditer(text)],
    ]
    pieces: list[tuple[int, int]] = []
    start = 0
    while len(text) - start > limit:
        end = _furthest(preferences, start, start + limit) or _whitespace_cut(text, start, start + limit)
        pieces.append((start, end))
        start = end
    pieces.append((start, len(text)))
    return pieces


def _furthest(preferences: list[list[int]], start: int, stop: int) -> int | None:
    """The furthest cut of the most preferred kind in ``(start, stop]``."""
    for offsets in preferences:
        i = bisect.bisect_right(offsets, stop) - 1
        if i >= 0 and offsets[i] > start:
            return offsets[i]
    return None


def _whitespace_cut(text: str, start: int, stop: int) -> int:
    """After the last whitespace in the second half of the window, else at ``stop``."""
    floor = start + (stop - start) // 2
    last = None
    for last in _WHITESPACE.finditer(text, floor, stop):
        pass
    return last.end() if last is not None else stop


def document_tables_in_pieces(
    nlp: Language,
    document: Document,
    pipeline_version: str,
    extracted_at: datetime,
    limit: int = PIECE_CHARS,
) -> dict[str, pa.Table]:
    """The rows of every per-document table for ``document``, its text processed in pieces.

    Each piece goes through the components that read tokens; their segments and mentions are
    moved into the whole text, and the document-wide components (context, span conventions,
    substances: ``pipeline.components.DOCUMENT_COMPONENTS``) then run once over the whole
    document (:class:`pipeline.document_state.DocumentState`)."""
    from pipeline.components import DOCUMENT_COMPONENTS

    doc_id = document.doc_id
    text = document.text
    per_piece = [name for name in nlp.pipe_names if name not in DOCUMENT_COMPONENTS]
    token_parts: list[pa.Table] = []
    state = DocumentState(text, [], [], title=document.title, source=document.source)
    n_sentences = n_tokens = 0
    section: str | None = None  # the section in force at the end of the pieces so far
    for start, end in cut(text, limit):
        with nlp.select_pipes(enable=per_piece):
            doc = nlp(text[start:end])
        segments = doc._.segments or []
        first_heading = next((i for i, s in enumerate(segments) if s.section is not None), len(segments))
        state.segments.extend(
            dataclasses.replace(
                s,
                start=s.start + start,
                end=s.end + start,
                section=section if i < first_heading and section is not None else s.section,
            )
            for i, s in enumerate(segments)
        )
        state.mentions.extend(
            dataclasses.replace(m, start=m.start + start, end=m.end + start) for m in doc._.mentions or []
        )
        tokens = rows.token_table(doc_id, doc)
        del doc
        token_parts.append(_shift(tokens, start, n_sentences, n_tokens))
        if segments:
            section = state.segments[-1].section
        n_sentences += len(segments)
        n_tokens += tokens.num_rows
    for name in DOCUMENT_COMPONENTS:
        if name in nlp.pipe_names:
            state = nlp.get_pipe(name).process(state)
    tables = {
        "sentences": rows.sentence_table(doc_id, text, state.segments),
        "tokens": pa.concat_tables(token_parts) if token_parts else schema.empty_table("tokens"),
        "mentions": rows.mention_table(doc_id, text, state.segments, state.mentions),
        "doses": rows.dose_table(doc_id, state.mentions),
    }
    tables["documents"] = rows.documents_table(
        document, n_sentences, n_tokens, pipeline_version, extracted_at, state.subject
    )
    return {name: tables[name] for name in schema.PER_DOCUMENT_TABLES}


def _shift(table: pa.Table, offset: int, sentence_base: int, token_base: int) -> pa.Table:
    """Offsets, sentence ids and token ids of one piece's rows moved into the whole text."""
    for name, delta in (("start", offset), ("end", offset), ("sentence_id", sentence_base), ("token_id", token_base)):
        if name in table.column_names and delta:
            i = table.schema.get_field_index(name)
            table = table.set_column(i, table.schema.field(i), pc.add(table.column(name), delta))
    return table
