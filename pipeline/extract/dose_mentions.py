"""DOSE mentions for a document: doses per sentence, linked to the conditions they are for.

:func:`pipeline.extract.doses.find_doses` structures each dose; when
:func:`pipeline.extract.dose_purpose.stated_for` finds the part of the sentence that says what the
dose is for ("Stroke/TBI: 20-50 mL/day"), the condition mentions inside that part give the
dose's ``condition_concept_ids``.

Not doses, from the page's layout (ANNOTATION.md Conventions 2 and 7): amounts in link lists,
cross-sell blocks, breadcrumbs and menu bars (:mod:`pipeline.extract.links`), and the cells of
a table column headed as a pack size or price ("Pack size | Price" over "30 tablets | $59"; the
headers are data, ``data/pack_headers.tsv``).
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterable
from functools import lru_cache
from pathlib import Path

from pipeline.extract.dose_purpose import stated_for
from pipeline.extract.doses import find_doses
from pipeline.extract.links import inside
from pipeline.extract.mention import Mention
from pipeline.segment import Segment

#: table column headers whose cells count packs or give prices, not doses
PACK_HEADERS = Path(__file__).parent / "data" / "pack_headers.tsv"


def read_pack_headers(path: Path = PACK_HEADERS) -> tuple[str, ...]:
    """The lower-cased headers of a header list in the format of ``data/pack_headers.tsv``."""
    with Path(path).open(encoding="utf-8", newline="") as handle:
        rows = csv.DictReader(handle, delimiter="\t")
        return tuple(row["header"].strip().lower() for row in rows if row["header"].strip())


@lru_cache(maxsize=4)
def pack_header_pattern(headers: Iterable[str]) -> re.Pattern[str]:
    """A table cell that is one of ``headers`` (any case, any spacing between words)."""
    words = "|".join(re.escape(header).replace(r"\ ", r"\s+") for header in headers)
    return re.compile(rf"(?i)^\s*(?:{words})\s*$")


def dose_mentions(
    text: str,
    segments: list[Segment],
    conditions: list[Mention],
    furniture: list[tuple[int, int]] = (),
    pack_headers: tuple[str, ...] | None = None,
) -> list[Mention]:
    """DOSE mentions of every segment, with the concepts of the conditions they are stated for;
    ``furniture`` are the page's link lists (no doses there), ``pack_headers`` the table column
    headers whose cells are no doses (``data/pack_headers.tsv`` by default)."""
    found: list[Mention] = []
    furniture = list(furniture)
    pack_cells = _pack_cells(text, pack_header_pattern(pack_headers if pack_headers is not None else _packaged_headers()))
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


@lru_cache(maxsize=1)
def _packaged_headers() -> tuple[str, ...]:
    return read_pack_headers(PACK_HEADERS)


def _pack_cells(text: str, header_re: re.Pattern[str]) -> list[tuple[int, int]]:
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
                header = [bool(header_re.match(part)) for part in parts]
            else:
                offset = position
                for k, part in enumerate(parts):
                    if k < len(header) and header[k]:
                        cells.append((offset, offset + len(part)))
                    offset += len(part) + 1
        position += len(line)
    return cells
