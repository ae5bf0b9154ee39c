"""What a dose is stated for: the part of its sentence that names the condition ("Stroke/TBI:
20-50 mL/day", "In patients with epilepsy, 10 mg/kg", "1 mg/kg/day for cystic acne"), where
:mod:`pipeline.extract.dose_mentions` looks for the condition mentions that link the dose to
their concepts."""

from __future__ import annotations

import re
from pathlib import Path

from pipeline.extract.dose_grammar import NUMBER_WORD_PATTERN
from pipeline.extract.doses import Dose
from pipeline.extract.pattern_tables import read_patterns

def stated_for(text: str, dose: Dose, offset: int = 0) -> tuple[int, int] | None:
    """Return the range of `text` (plus `offset`) that says what `dose` is for, or None.

    Reads a label before a colon on the dose's line ("Stroke/TBI: 20-50 mL/day"), the first cell
    of the table row the dose is in ("Fever | 200-400 mg every 4 to 6 hours", a dosing table by
    indication), a leading clause ("In patients with epilepsy, 10 mg/kg ...", "For the treatment
    of X, ...") and a purpose right after the dose ("1 mg/kg/day for cystic acne", "2 mg/day to
    treat aggression"). The range is where another component should look for condition
    mentions.
    """
    start = dose.start - offset
    end = dose.end - offset
    if not 0 <= start <= end <= len(text):
        return None
    for finder in (_label_before_colon, _first_cell_of_row, _clause_before, _purpose_after):
        found = finder(text, start, end)
        if found is not None:
            return found[0] + offset, found[1] + offset
    return None


#: where a dose's purpose is written (a label before it, a clause before or after it): one
#: pattern per row of ``data/dose_purpose_rules.tsv``, the dose grammar's number words as
#: ``{{number_words}}``
DOSE_PURPOSE_RULES = Path(__file__).parent / "data" / "dose_purpose_rules.tsv"
_PURPOSE = read_patterns(DOSE_PURPOSE_RULES, {"number_words": NUMBER_WORD_PATTERN})
_SENTENCE_BREAK_RE = re.compile(r"[.!?;](?=\s)|\n")
_MAX_LABEL_CHARS = 60
_MAX_LABEL_WORDS = 8


def _label_before_colon(text: str, start: int, end: int) -> tuple[int, int] | None:
    """'Stroke/TBI: 20-50 mL/day' -> the range of 'Stroke/TBI'."""
    line_start = text.rfind("\n", 0, start) + 1
    line = text[line_start:start]
    colon = max(line.rfind(": "), line.rfind(":\t"))
    if colon < 0 and line.endswith(":"):
        colon = len(line) - 1
    if colon < 0:
        return None
    between = line[colon + 1 :]
    if len(between) > _MAX_LABEL_CHARS or _SENTENCE_BREAK_RE.search(between):
        return None
    label = line[:colon]
    sentence_start = max((m.end() for m in _SENTENCE_BREAK_RE.finditer(label)), default=0)
    label_start = sentence_start + _PURPOSE["label_lead"].match(label[sentence_start:]).end()
    core = label[label_start:].rstrip()
    if (
        not re.search(r"[A-Za-z]", core)
        or len(core) > _MAX_LABEL_CHARS
        or len(core.split()) > _MAX_LABEL_WORDS
        or _PURPOSE["stop_labels"].match(core)
    ):
        return None
    return line_start + label_start, line_start + label_start + len(core)


def _first_cell_of_row(text: str, start: int, end: int) -> tuple[int, int] | None:
    """'Fever | 200-400 mg every 4 to 6 hours' -> the range of 'Fever': in a table row, what the
    first cell names is what the doses of the other cells are for."""
    line_start = text.rfind("\n", 0, start) + 1
    first_bar = text.find("|", line_start, start)
    if first_bar < 0:
        return None
    cell = text[line_start:first_bar]
    if not cell.strip():  # a row written "| Fever | 200 mg |"
        line_start, first_bar = first_bar + 1, text.find("|", first_bar + 1, start)
        if first_bar < 0:
            return None
        cell = text[line_start:first_bar]
    if not re.search(r"[A-Za-z]", cell) or len(cell.strip()) > _MAX_LABEL_CHARS:
        return None
    core_start = line_start + len(cell) - len(cell.lstrip())
    return core_start, core_start + len(cell.strip())


def _clause_before(text: str, start: int, end: int) -> tuple[int, int] | None:
    """'In patients with epilepsy, 10 mg/kg' -> the range of 'epilepsy'."""
    sentence_start = 0
    for found in _SENTENCE_BREAK_RE.finditer(text, 0, start):
        sentence_start = found.end()
    match = _PURPOSE["clause_before"].match(text[sentence_start:start])
    if match is None:
        return None
    return sentence_start + match.start("x"), sentence_start + match.end("x")


def _purpose_after(text: str, start: int, end: int) -> tuple[int, int] | None:
    """'1 mg/kg/day for cystic acne' -> the range of 'cystic acne'."""
    match = _PURPOSE["purpose_after"].match(text[end : end + 160])
    if match is None:
        return None
    purpose = _PURPOSE["trailing_function_words"].sub("", match["x"])
    return end + match.start("x"), end + match.start("x") + len(purpose)
