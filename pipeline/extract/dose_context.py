"""What the text around an amount says about it: that it is no dose (a catalogue number, a
price, a pack count, a lab value, a diluent, an excipient, an infusion rate), that it is bounded
("up to", "≥", "Maximum dose:"), or what it is per ("each mL contains", "tablet (25 mg; 50 mg)").

Each pattern is matched on a short window that ends at the amount (``LOOKBEHIND``, or
``LONG_LOOKBEHIND`` for a clause) or on the text right after it. The patterns are rows of
``data/dose_context_rules.tsv`` (:mod:`pipeline.extract.pattern_tables`).
"""

from __future__ import annotations

import re
from pathlib import Path

from pipeline.extract.dose_grammar import canonical_per, parse_number
from pipeline.extract.pattern_tables import read_patterns
from pipeline.extract.units import COUNT_UNITS

# Context before the amount: each is matched on a short window that ends at the amount.
LOOKBEHIND = 60
LONG_LOOKBEHIND = 160
#: the patterns, one per row of ``data/dose_context_rules.tsv`` (its notes say what each is for)
DOSE_CONTEXT_RULES = Path(__file__).parent / "data" / "dose_context_rules.tsv"
_PATTERNS = read_patterns(DOSE_CONTEXT_RULES)
# Per litre, per decilitre and per mole are sample concentrations (lab values) or molar masses.
_LAB_PER = frozenset({"dL", "L", "mol"})
_VOLUME_UNITS = frozenset({"mL", "L", "µL"})
_CONCENTRATION_PER = frozenset({"mL", "hour", "minute"})
_LAB_LIKE_UNITS = frozenset({"ng", "mmol", "µmol", "mEq"})
_RATE_PER = frozenset({"hour", "minute"})

#: a count of dosage units from which, with nothing saying it is taken, it is a pack: "Turmeric
#: Curcumin - 90 capsules", "60 tablets" (ANNOTATION.md: pack counts are no DOSE)
PACK_COUNT_MIN = 20
#: the units sold by the piece; drops, puffs and sprays are dosed by the score ("30 drops in water")
PACKED_FORMS = COUNT_UNITS - {"drop", "puff", "spray"}


def is_excluded(text: str, match: re.Match[str], unit: str, per: str | None, before: str) -> bool:
    """True when the context shows the amount is not a dose (see the module docstring)."""
    near = before[-LOOKBEHIND:]
    if _PATTERNS["reference_before"].search(near) or _PATTERNS["price_per_before"].search(near):
        return True
    if unit in COUNT_UNITS and (
        match["body"] or _PATTERNS["pack_before"].search(near) or _PATTERNS["pack_after"].match(text, match.end())
    ):
        return True
    if unit in PACKED_FORMS and per is None and _is_pack_count(text, match, near):
        return True
    if _PATTERNS["not_a_dose_after"].match(text, match.end()) and (unit == "IU" or unit in _VOLUME_UNITS):
        return True
    if unit in _VOLUME_UNITS and per is None and (
        _PATTERNS["vehicle_after"].match(text, match.end()) or _PATTERNS["vehicle_before"].search(near)
    ):
        return True
    if per in _RATE_PER:  # an infusion rate ("1 g per hour", "2 ml/min"), not a dose
        return True
    if _PATTERNS["excipients_before"].search(before):
        return True
    return _is_lab_value(unit, per, before)


def _is_pack_count(text: str, match: re.Match[str], near: str) -> bool:
    """A count of tablets, capsules, ... of at least ``PACK_COUNT_MIN`` with no schedule, time
    or route after it and no verb of taking before it: what a pack holds, not what is taken."""
    count = parse_number(match["n2"] or match["n1"])
    return (
        count is not None
        and count >= PACK_COUNT_MIN
        and not _PATTERNS["pack_count_schedule_after"].match(text, match.end())
        and not _PATTERNS["pack_count_taken_before"].search(near)
    )


def _is_lab_value(unit: str, per: str | None, before: str) -> bool:
    """True when the amount reads as a measured value (a lab result), not a dose."""
    if per in _LAB_PER:
        return True
    if unit in _VOLUME_UNITS and per == "minute":
        return True
    if unit in _LAB_LIKE_UNITS and per in _CONCENTRATION_PER:
        return True
    if _PATTERNS["lab_near_before"].search(before[-LOOKBEHIND:]):
        return True
    concentration_like = per in _CONCENTRATION_PER or unit in _LAB_LIKE_UNITS
    return concentration_like and _PATTERNS["lab_clause_before"].search(before) is not None


def read_amount(match: re.Match[str], before: str) -> tuple[int, float | None, float | None]:
    """Return (span start, low, high), applying an open bound written before the amount."""
    first = parse_number(match["n1"])
    second = parse_number(match["n2"]) if match["n2"] else first
    low, high = min(first, second), max(first, second)
    if match["between"] and not match["n2"]:
        return match.start("n1"), low, high  # a dangling "between" is not part of the dose
    bound = None if match["between"] or match["sd"] else _PATTERNS["bound"].search(before)
    if bound is None:
        label = None if match["between"] or match["sd"] else _PATTERNS["label_bound"].search(before)
        if label is not None:  # "Maximum dose: 200 mg/day"
            return (match.start(), None, high) if label["upper"] else (match.start(), low, None)
        return match.start(), low, high
    start = match.start() - len(bound.group(0))
    return (start, None, high) if bound["upper"] else (start, low, None)


def per_from_context(before: str, after: str = "") -> str | None:
    """'Each ml contains 215.2 mg' -> 'mL'; 'oral tablet (25 mg; 50 mg; 100 mg)' -> 'tablet'
    (a list of strengths: each amount ends at ';', ',' or ')', ``after`` is the text after it)."""
    contains = _PATTERNS["contains_before"].search(before)
    if contains is None and _PATTERNS["strength_list_end"].match(after):
        contains = _PATTERNS["form_list_before"].search(before)
    return canonical_per(contains["per"]) if contains else None
