"""What a dose is stated for: the part of its sentence that names the condition ("Stroke/TBI:
20-50 mL/day", "In patients with epilepsy, 10 mg/kg", "1 mg/kg/day for cystic acne"), where
:mod:`pipeline.extract.dose_mentions` looks for the condition mentions that link the dose to
their concepts."""

from __future__ import annotations

import re

from pipeline.extract.dose_grammar import NUMBER_WORD_PATTERN
from pipeline.extract.doses import Dose

def stated_for(text: str, dose: Dose, offset: int = 0) -> tuple[int, int] | None:
    """Return the range of `text` (plus `offset`) that says what `dose` is for, or None.

    Reads a label before a colon on the dose's line ("Stroke/TBI: 20-50 mL/day"), a leading
    clause ("In patients with epilepsy, 10 mg/kg ...", "For the treatment of X, ...") and a
    purpose right after the dose ("1 mg/kg/day for cystic acne", "2 mg/day to treat
    aggression"). The range is where another component should look for condition mentions.
    """
    start = dose.start - offset
    end = dose.end - offset
    if not 0 <= start <= end <= len(text):
        return None
    for finder in (_label_before_colon, _clause_before, _purpose_after):
        found = finder(text, start, end)
        if found is not None:
            return found[0] + offset, found[1] + offset
    return None


# Labels that name a section, not what a dose is for ("Dosing: ...", "CASE REPORT: ...").
_STOP_LABELS_RE = re.compile(
    r"""(?i)^(?:(?:typical|usual|recommended|standard|initial|starting|maintenance|maximum|max
        |daily|total|adult|pediatric)\s+)*
        (?:doses?|dosing|dosages?|regimens?|protocols?|route|routes|administration|frequency
        |duration|cycling|storage|side\s+effects|adverse\s+(?:effects|events|reactions)|safety
        |contraindications?|warnings?|precautions?|interactions?|notes?|examples?|e\.g|i\.e
        |mechanism(?:\s+of\s+action)?|composition|ingredients?|strengths?|packaging|package
        |specifications?|price|cost|forms?|formulations?|presentations?|overdoses?|sku
        |description|summary|conclusions?|results?|methods?|background|purpose|objectives?|aims?
        |case(?:\s+(?:summary|report|presentation|description))?|interventions?|outcomes?
        |treatment(?:\s+and\s+outcome)?|discussion|introduction|design|setting|participants
        |patients|main\s+outcome\s+measures?|measurements|data\s+(?:synthesis|sources)|findings
        |interpretation|context|importance|observations?|evidence|study\s+selection|abstract)$""",
    re.VERBOSE,
)
_CONDITION_LEAD = r"""(?:
        (?:for|in)\s+(?:the\s+)?(?:treatment|management|prevention|prophylaxis|therapy|control)\s+of
      | (?:in|for)\s+(?:adult\s+|adults\s+|pediatric\s+|paediatric\s+|elderly\s+|older\s+)?
        (?:patients|adults|children|people|subjects|individuals|persons|those|infants|women|men)\s+
        (?:with|who\s+have|suffering\s+from|diagnosed\s+with)
      | to\s+(?:treat|prevent|control|manage)
    )"""
# A bare "for" introduces a purpose unless it introduces a time, a count or an idiom.
_BARE_FOR = rf"""for(?=\s)(?!\s+(?:
        (?:the\s+)?(?:first|next|last|following|same|rest|subsequent|remaining|duration|period
            |time|moment|example|instance|comparison|this|that|these|those|each|every|all|most
            |some|several|few|many|more|less|over|another|better|further|longer|shorter|up|at
            |about|a|an|life|{NUMBER_WORD_PATTERN})\b
      | [\d<>≤≥~]))"""
_LABEL_LEAD_RE = re.compile(
    rf"^[\s\-–—•*·>]*(?:\d+[.)]\s*)?(?i:(?:{_CONDITION_LEAD}|for|in)\s+)?", re.VERBOSE
)
_SENTENCE_BREAK_RE = re.compile(r"[.!?;](?=\s)|\n")
_CLAUSE_BEFORE_RE = re.compile(
    rf"^[\s\-–—•*·>]*(?i:{_CONDITION_LEAD}|{_BARE_FOR})\s+(?P<x>[^,;:\d\n]{{2,80}}?)\s*,",
    re.VERBOSE,
)
# The purpose ends at punctuation or at a word that starts another clause or qualifier.
_PURPOSE_AFTER_RE = re.compile(
    rf"""^\s*\)?\s*(?:\([^()\n]{{0,60}}\)\s*)?,?\s*(?i:
        (?:(?:is|are|was|were|being)\s+)?
        (?:(?:used|given|recommended|indicated|prescribed|administered)\s+)?
        (?:{_CONDITION_LEAD}|{_BARE_FOR})\s+)
    (?P<x>[^,;:.()\[\]\n]{{2,80}}?)
    (?=\s*(?:[,;:.()\[\]\n]|$)
      |\s+(?i:who|which|that|was|were|is|are|has|have|had|because|when|after|before|until|but
        |while|developed|complained|resulted|led|may|can|could|should|for|without|with|during
        |since|prior|over|from|at|on|and\s+(?:was|were|had|developed|with))\b
      |\s+\d)""",
    re.VERBOSE,
)
_TRAILING_FUNCTION_WORDS_RE = re.compile(r"(?:\s+(?i:and|or|and/or|the|a|an|of))+\Z")
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
    label_start = sentence_start + _LABEL_LEAD_RE.match(label[sentence_start:]).end()
    core = label[label_start:].rstrip()
    if (
        not re.search(r"[A-Za-z]", core)
        or len(core) > _MAX_LABEL_CHARS
        or len(core.split()) > _MAX_LABEL_WORDS
        or _STOP_LABELS_RE.match(core)
    ):
        return None
    return line_start + label_start, line_start + label_start + len(core)


def _clause_before(text: str, start: int, end: int) -> tuple[int, int] | None:
    """'In patients with epilepsy, 10 mg/kg' -> the range of 'epilepsy'."""
    sentence_start = 0
    for found in _SENTENCE_BREAK_RE.finditer(text, 0, start):
        sentence_start = found.end()
    match = _CLAUSE_BEFORE_RE.match(text[sentence_start:start])
    if match is None:
        return None
    return sentence_start + match.start("x"), sentence_start + match.end("x")


def _purpose_after(text: str, start: int, end: int) -> tuple[int, int] | None:
    """'1 mg/kg/day for cystic acne' -> the range of 'cystic acne'."""
    match = _PURPOSE_AFTER_RE.match(text[end : end + 160])
    if match is None:
        return None
    purpose = _TRAILING_FUNCTION_WORDS_RE.sub("", match["x"])
    return end + match.start("x"), end + match.start("x") + len(purpose)
