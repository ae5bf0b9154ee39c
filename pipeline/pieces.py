"""Documents too long for one spaCy pass: processed in pieces cut along sections, rows merged.

spaCy refuses a text longer than ``nlp.max_length`` (1,000,000 characters), and raising the
limit is no answer: this pipeline's memory grows by about 1.6 GB per million characters of one
Doc (measured with the NER model), so a 5 MB article would need 8 GB. A document longer than
:data:`PIECE_CHARS` is therefore cut into pieces of at most that many characters, each piece goes
through the Language alone, and the rows of the pieces are merged with their offsets, sentence
and token numbers shifted so that they point into the whole ``documents.text``: the tables cannot
tell a document processed in pieces from one processed whole, and memory stays that of one piece.

Where a piece is cut matters, because rules read context: the section heading in force decides
roles and labels, list items read their lead-in. Cuts are chosen, in this order of preference,
at the start of a heading that is not a subsection of an outline (the piece then starts its own
section, exactly as in the whole text), a subsection heading, a paragraph break (blank line), a
sentence start, a line start, whitespace, and only as a last resort anywhere. Within the
preferred kind the cut is the furthest one that fits, so pieces are as long as allowed. After a
cut that is not at a heading, the sentences before the piece's first heading get the section in
force at the end of the previous piece. What crosses a cut is not seen across it: an abbreviation
defined before the cut and used after it, a list lead-in just before a paragraph cut.
"""

from __future__ import annotations

import bisect
import re
from datetime import datetime

from typing import TYPE_CHECKING

import pyarrow as pa
import pyarrow.compute as pc

from pipeline import rows, schema
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
    """The rows of every per-document table for ``document``, its text processed in pieces."""
    doc_id = document.doc_id
    parts: dict[str, list[pa.Table]] = {name: [] for name in ("sentences", "tokens", "mentions", "doses")}
    n_sentences = n_tokens = 0
    section: str | None = None  # the section in force at the end of the pieces so far
    for start, end in cut(document.text, limit):
        doc = nlp(document.text[start:end])
        sentences = rows.sentence_table(doc_id, doc)
        tokens = rows.token_table(doc_id, doc)
        mentions = doc._.mentions or []
        mention_rows = rows.mention_table(doc_id, doc, mentions)
        dose_rows = rows.dose_table(doc_id, mentions)
        del doc
        first_heading = _first_section_row(sentences)
        sentences = _shift(sentences, start, n_sentences, 0)
        sentences = _fill_section(sentences, sentences.column("sentence_id"), n_sentences + first_heading, section)
        tokens = _shift(tokens, start, n_sentences, n_tokens)
        mention_rows, renamed = _shift_mentions(doc_id, mention_rows, start, n_sentences)
        mention_rows = _fill_section(
            mention_rows, mention_rows.column("sentence_id"), n_sentences + first_heading, section
        )
        dose_rows = _rename_doses(dose_rows, renamed)
        if sentences.num_rows:
            section = sentences.column("section")[-1].as_py()
        n_sentences += sentences.num_rows
        n_tokens += tokens.num_rows
        for name, table in (("sentences", sentences), ("tokens", tokens), ("mentions", mention_rows), ("doses", dose_rows)):
            parts[name].append(table)
    tables = {
        name: pa.concat_tables(tables) if tables else schema.empty_table(name) for name, tables in parts.items()
    }
    tables["documents"] = rows.documents_table(document, n_sentences, n_tokens, pipeline_version, extracted_at)
    return {name: tables[name] for name in schema.PER_DOCUMENT_TABLES}


def _first_section_row(sentences: pa.Table) -> int:
    """Index of the piece's first sentence with a section (its row count when none has one)."""
    valid = pc.is_valid(sentences.column("section")).to_pylist()
    return next((i for i, ok in enumerate(valid) if ok), len(valid))


def _shift(table: pa.Table, offset: int, sentence_base: int, token_base: int) -> pa.Table:
    """Offsets, sentence ids and token ids of one piece's rows moved into the whole text."""
    for name, delta in (("start", offset), ("end", offset), ("sentence_id", sentence_base), ("token_id", token_base)):
        if name in table.column_names and delta:
            i = table.schema.get_field_index(name)
            table = table.set_column(i, table.schema.field(i), pc.add(table.column(name), delta))
    return table


def _fill_section(table: pa.Table, sentence_ids: pa.ChunkedArray, before: int, section: str | None) -> pa.Table:
    """Rows in sentences before ``before`` (the piece's first heading) get ``section``."""
    if section is None or table.num_rows == 0:
        return table
    i = table.schema.get_field_index("section")
    filled = pc.if_else(pc.less(sentence_ids, before), pa.scalar(section), table.column("section"))
    return table.set_column(i, table.schema.field(i), filled)


def _shift_mentions(doc_id: str, mentions: pa.Table, offset: int, sentence_base: int) -> tuple[pa.Table, dict[str, str]]:
    """Mentions moved into the whole text, with their ids rebuilt; old id -> new id."""
    if mentions.num_rows == 0 or (offset == 0 and sentence_base == 0):
        return mentions, {}
    old_ids = mentions.column("mention_id").to_pylist()
    mentions = _shift(mentions, offset, sentence_base, 0)
    new_ids = [
        f"{doc_id}:{start}-{end}:{label}"
        for start, end, label in zip(
            mentions.column("start").to_pylist(), mentions.column("end").to_pylist(), mentions.column("label").to_pylist()
        )
    ]
    i = mentions.schema.get_field_index("mention_id")
    mentions = mentions.set_column(i, mentions.schema.field(i), pa.array(new_ids, pa.string()))
    return mentions, dict(zip(old_ids, new_ids))


def _rename_doses(doses: pa.Table, renamed: dict[str, str]) -> pa.Table:
    if doses.num_rows == 0 or not renamed:
        return doses
    i = doses.schema.get_field_index("mention_id")
    ids = [renamed[m] for m in doses.column("mention_id").to_pylist()]
    return doses.set_column(i, doses.schema.field(i), pa.array(ids, pa.string()))
