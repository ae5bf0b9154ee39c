"""DOSE mentions for a document: doses per sentence, linked to the conditions they are for.

:func:`pipeline.extract.doses.find_doses` structures each dose; when
:func:`pipeline.extract.doses.stated_for` finds the part of the sentence that says what the
dose is for ("Stroke/TBI: 20-50 mL/day"), the condition mentions inside that part give the
dose's ``condition_concept_ids``.

Not doses, from the page's layout (ANNOTATION.md Conventions 2 and 7): amounts in link lists,
cross-sell blocks, breadcrumbs and menu bars (:mod:`pipeline.extract.links`), and the cells of
a table column headed as a pack size or price ("Pack size | Price" over "30 tablets | $59").
"""

from __future__ import annotations

import re

from pipeline.extract.doses import find_doses, stated_for
from pipeline.extract.links import inside
from pipeline.extract.mention import Mention
from pipeline.segment import Segment

#: table column headers whose cells count packs or give prices, not doses
_PACK_HEADER_RE = re.compile(
    r"(?i)^\s*(?:pack(?:age)?(?:\s+size)?|pack\s+of|quantity|qty|count|box|bottle\s+size|price|cost|you\s+save)\s*$"
)


def dose_mentions(
    text: str, segments: list[Segment], conditions: list[Mention], furniture: list[tuple[int, int]] = ()
) -> list[Mention]:
    """DOSE mentions of every segment, with the concepts of the conditions they are stated for;
    ``furniture`` are the page's link lists (no doses there)."""
    found: list[Mention] = []
    furniture = list(furniture)
    pack_cells = _pack_cells(text)
    for segment in segments:
        sentence = text[segment.start : segment.end]
        for dose in find_doses(sentence, segment.start):
            if inside(furniture, dose.start) or inside(pack_cells, dose.start):
                continue
            scope = stated_for(sentence, dose, segment.start)
            concept_ids: list[str] = []
            if scope is not None:
                for condition in conditions:
                    if scope[0] <= condition.start and condition.end <= scope[1] and condition.concept_id:
                        if condition.concept_id not in concept_ids:
                            concept_ids.append(condition.concept_id)
            found.append(
                Mention(
                    start=dose.start,
                    end=dose.end,
                    label="DOSE",
                    method="rule:dose",
                    dose=dose,
                    condition_concept_ids=concept_ids,
                )
            )
    return found


def _pack_cells(text: str) -> list[tuple[int, int]]:
    """Sorted ranges of the table cells under a pack-size or price header."""
    cells: list[tuple[int, int]] = []
    header: list[bool] | None = None
    position = 0
    for line in text.splitlines(keepends=True):
        stripped = line.rstrip("\r\n")
        if "|" not in stripped:
            header = None
        else:
            parts = stripped.split("|")
            if header is None:
                header = [bool(_PACK_HEADER_RE.match(part)) for part in parts]
            else:
                offset = position
                for k, part in enumerate(parts):
                    if k < len(header) and header[k]:
                        cells.append((offset, offset + len(part)))
                    offset += len(part) + 1
        position += len(line)
    return cells
