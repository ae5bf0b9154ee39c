"""Which substance each statement is about: ``substance_id``/``substance_name`` on every mention.

ANNOTATION.md (Convention 1): a statement is about the document's subject unless the text ties
it to another substance ("lithium may cause tremor", "warfarin 5 mg/day", a comparison
article's second drug). The ties read here, in order, are those of a rule-based
drug-attribute linker (the nearest-drug heuristics of the n2c2 2018 medication-extraction
systems, Henry et al. 2020, JAMIA 27:3):

1. a SUBSTANCE mention is about itself;
2. a dose written right after a substance name ("aspirin 325 mg/day", "erenumab (Aimovig)
   140 mg", "glipizide (e.g. 5 mg", "levothyroxine to 75 mcg") or right before "of <name>"
   ("100 mg/day of ginkgo", "a single 2 mg dose of pimozide") is that substance's;
3. in a table, the cell's own substance, else its column header's ("| Pregabalin | Duloxetine"),
   else its row label's;
4. the nearest substance named before it in the same sentence (list item, table cell);
5. the substance the paragraph is on: the last one that an earlier sentence of the same
   paragraph starts with ("Duloxetine is simpler: 60 mg once daily. Many prescribers begin
   with 30 mg"); a list introduced by a line ending in ":" belongs to that line's paragraph;
6. otherwise the subject (None when the document has none).

Some names tie nothing: names in link lists and cross-sell blocks
(:mod:`pipeline.extract.links`) outside their block, a lone counter-ion ("citrate", "oxide":
a form of the substance named beside it, see ``SubstanceLexicon.counter_ions``), and a form of
the subject is
the subject ("magnesium oxide" on a magnesium page, "Ginkgo biloba extract"). A column header
ties its column only in a comparison table, whose header names two or more substances. A drug
class ("antibiotics gave me diarrhea") ties effects and conditions, never a dose or a paragraph.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from pathlib import Path

from pipeline.extract.links import inside
from pipeline.extract.mention import Mention
from pipeline.extract.normalize import word_key
from pipeline.extract.pattern_tables import read_patterns
from pipeline.extract.substance_lexicon import Substance, is_class
from pipeline.segment import Segment

SUBSTANCE = "SUBSTANCE"
DOSE = "DOSE"
#: what ties a substance's name to a dose or a sentence's topic ("X 50 mg", "a dose of X",
#: "The X group"): one pattern per row of ``data/substance_attribution_rules.tsv``
SUBSTANCE_ATTRIBUTION_RULES = Path(__file__).parent / "data" / "substance_attribution_rules.tsv"
_CUES = read_patterns(SUBSTANCE_ATTRIBUTION_RULES)

#: a sentence that names a topic has at least this many words
_TOPIC_MIN_WORDS = 3


def attribute(
    text: str,
    segments: list[Segment],
    mentions: list[Mention],
    subject: Substance | None,
    furniture: list[tuple[int, int]],
    counter_ions: frozenset[str] | set[str] = frozenset(),
) -> None:
    """Set ``substance_id``/``substance_name`` on every mention, in place (rules above);
    ``counter_ions`` are the lexicon's one-word ion names (word keys)."""
    names = sorted((m for m in mentions if m.label == SUBSTANCE), key=lambda m: m.start)
    for name in names:
        name.substance_id, name.substance_name = name.concept_id, name.concept_name
    names = [_as_subject(text, n, subject) for n in names if word_key(text[n.start : n.end]) not in counter_ions]
    statements = sorted((m for m in mentions if m.label != SUBSTANCE), key=lambda m: m.start)
    if not segments:
        for mention in statements:
            _set(mention, subject)
        return
    starts = [s.start for s in segments]
    by_segment: dict[int, list[Mention]] = {}
    for mention in statements:
        by_segment.setdefault(max(0, bisect_right(starts, mention.start) - 1), []).append(mention)
    names_by_segment: dict[int, list[Mention]] = {}
    for name in names:
        names_by_segment.setdefault(max(0, bisect_right(starts, name.start) - 1), []).append(name)

    tables = _table_headers(text, segments, names_by_segment)
    focus: Substance | None = None
    for index, segment in enumerate(segments):
        if index == 0 or _new_paragraph(text, segments[index - 1], segment):
            focus = None
        own_names = [n for n in names_by_segment.get(index, []) if not inside(furniture, n.start)]
        for mention in by_segment.get(index, []):
            _set(mention, _tied(text, mention, own_names, tables.get(index)) or focus or subject)
        topic = _topic(text, segment, own_names)
        if topic is not None:
            focus = topic


def _topic(text: str, segment: Segment, names: list[Mention]) -> Substance | None:
    """The substance a sentence starts with ("Duloxetine is simpler: ..."), if any."""
    if segment.is_heading or not names or len(text[segment.start : segment.end].split()) < _TOPIC_MIN_WORDS:
        return None
    first = names[0]
    if is_class(first.concept_id) or not _CUES["topic_lead"].match(text[segment.start : first.start]):
        return None
    return _substance(first)


def _as_subject(text: str, name: Mention, subject: Substance | None) -> Mention:
    """A copy of a name that is a form of the subject ("magnesium oxide", "Ginkgo biloba
    extract": it contains the subject's name) carrying the subject's id, else the name."""
    if subject is None or name.concept_id == subject.concept_id:
        return name
    words = set(re.findall(r"[a-z0-9]+", text[name.start : name.end].lower()))
    subject_words = set(re.findall(r"[a-z0-9]+", subject.name.lower()))
    if subject_words and subject_words <= words:
        return Mention(name.start, name.end, name.label, name.method, subject.concept_id, subject.name)
    return name


def _set(mention: Mention, substance: Substance | None) -> None:
    mention.substance_id = substance.concept_id if substance else None
    mention.substance_name = substance.name if substance else None


def _substance(name: Mention) -> Substance:
    return Substance(name.concept_id or "", name.concept_name or "")


def _new_paragraph(text: str, previous: Segment, segment: Segment) -> bool:
    """A line break starts a paragraph, except after a lead-in line ending in ":" (a list)."""
    if previous.is_heading or segment.is_heading:
        return True
    if "\n" not in text[previous.end : segment.start]:
        return False
    return not text[previous.start : previous.end].rstrip().endswith(":")


def _tied(
    text: str,
    mention: Mention,
    names: list[Mention],
    table: tuple[list[tuple[int, int]], dict[int, Substance], Substance | None] | None,
) -> Substance | None:
    """The substance the text ties ``mention`` to within its sentence (rules 2-4), or None."""
    scope = names
    if table is not None:
        cells, column_substances, row_label = table
        column = _cell_of(cells, mention.start)
        if column is not None:
            cell_start, cell_end = cells[column]
            scope = [n for n in names if cell_start <= n.start < cell_end]
    if mention.label == DOSE:
        scope = [n for n in scope if not is_class(n.concept_id)]  # a dose is of a substance
        for name in reversed(scope):
            if name.end <= mention.start and _CUES["name_to_dose"].match(text[name.end : mention.start]):
                return _substance(name)
        for name in scope:
            if name.start >= mention.end and _CUES["dose_of_name"].match(text[mention.end : name.start]):
                return _substance(name)
    before = [n for n in scope if n.end <= mention.start]
    if before:
        return _substance(before[-1])
    if table is not None:
        cells, column_substances, row_label = table
        column = _cell_of(cells, mention.start)
        if column is not None and column in column_substances:
            return column_substances[column]
        if row_label is not None:
            return row_label
    return None


_CELL_RE = re.compile(r"[^|]+")


def _cells(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """(start, end) of each ``|``-separated cell of a table line (empty cells included)."""
    cells = []
    position = start
    for part in text[start:end].split("|"):
        cells.append((position, position + len(part)))
        position += len(part) + 1
    return cells


def _cell_of(cells: list[tuple[int, int]], offset: int) -> int | None:
    for k, (start, end) in enumerate(cells):
        if start <= offset <= end:
            return k
    return None


def _table_headers(
    text: str, segments: list[Segment], names_by_segment: dict[int, list[Mention]]
) -> dict[int, tuple[list[tuple[int, int]], dict[int, Substance], Substance | None]]:
    """For each table-row segment: its cells, the substances its column headers name, and the
    substance its row label (first cell) names."""
    rows: dict[int, tuple[list[tuple[int, int]], dict[int, Substance], Substance | None]] = {}
    header: dict[int, Substance] = {}
    previous_line_end = -1
    for index, segment in enumerate(segments):
        line = text[segment.start : segment.end]
        if "|" not in line:
            header, previous_line_end = {}, -1
            continue
        cells = _cells(text, segment.start, segment.end)
        names = names_by_segment.get(index, [])
        continues = previous_line_end >= 0 and text[previous_line_end : segment.start].count("\n") == 1
        if not continues:  # the first line of a table is its header
            header = {}
            for k, (start, end) in enumerate(cells):
                inside_cell = [n for n in names if start <= n.start < end]
                if inside_cell:
                    header[k] = _substance(inside_cell[0])
            if len({s.concept_id for s in header.values()}) < 2:
                header = {}  # not a comparison table: its first row is a row like the others
            rows[index] = (cells, {}, None)
        else:
            label = [n for n in names if cells[0][0] <= n.start < cells[0][1]]
            rows[index] = (cells, header, _substance(label[0]) if label else None)
        previous_line_end = segment.end
    return rows
