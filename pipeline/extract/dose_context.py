"""What the text around an amount says about it: that it is no dose (a catalogue number, a
price, a pack count, a lab value, a diluent, an excipient, an infusion rate), that it is bounded
("up to", "≥", "Maximum dose:"), or what it is per ("each mL contains", "tablet (25 mg; 50 mg)").

Each pattern is matched on a short window that ends at the amount (``LOOKBEHIND``, or
``LONG_LOOKBEHIND`` for a clause) or on the text right after it.
"""

from __future__ import annotations

import re

from pipeline.extract.dose_grammar import canonical_per, parse_number
from pipeline.extract.units import COUNT_UNITS

# Context before the amount: each is matched on a short window that ends at the amount.
LOOKBEHIND = 60
LONG_LOOKBEHIND = 160
_BOUND_RE = re.compile(
    r"""(?<![A-Za-z])(?i:
        (?P<upper>up\s*to|≤|=<|<=|<|less\s+than|lower\s+than|fewer\s+than|below|under
            |no\s+more\s+than|not\s+more\s+than|not\s+(?:to\s+)?exceed(?:ing)?|at\s+most
            |(?:a\s+)?max(?:imum|\.)?(?:\s+(?:daily\s+|total\s+|single\s+)?dose)?(?:\s+of)?)
      | (?P<lower>≥|>=|=>|>|at\s+least|more\s+than|greater\s+than|in\s+excess\s+of|exceeding
            |over|above|(?:a\s+)?min(?:imum|\.)?(?:\s+(?:daily\s+)?dose)?(?:\s+of)?)
    )[ \t\u00a0]*\Z""",
    re.VERBOSE,
)
# "Maximum dose: 200 mg/day": a labelled bound sets one side, the label stays out of the span
_LABEL_BOUND_RE = re.compile(
    r"""(?i:\b(?:(?P<upper>max(?:imum|\.)?|highest|top)|(?P<lower>min(?:imum|\.)?|lowest))\s+
        (?:(?:daily|total|single|recommended|usual)\s+)?dose\s*:[ \t\u00a0]*)\Z""",
    re.VERBOSE,
)
_CONTAINS_BEFORE_RE = re.compile(
    r"""(?i:\b(?:each|every|per|one|1|a)\s+
        (?P<per>ml|millilit(?:er|re)|tablet|tab|capsule|cap|vial|ampoule|ampule|ampul|dose)s?\s+
        (?:contains?|provides?|delivers?|has|holds|is\s+equivalent\s+to)\s+
        (?:approximately\s+|about\s+|~\s*)?)\Z""",
    re.VERBOSE,
)
_REFERENCE_BEFORE_RE = re.compile(
    r"""(?i:\b(?:sku|cat(?:alog(?:ue)?)?|item|lot|batch|model|part|ref|code|no|nos|number
        |fig(?:ure)?s?|tables?|panels?|product)\.?\s*(?:no\.?|number|\#)?\s*[:\#]?\s*)\Z
      | [\#$€£¥]\s*\Z""",
    re.VERBOSE,
)
_PRICE_PER_BEFORE_RE = re.compile(
    r"[$€£¥]\s*\d[\d.,]*\s*(?:/|(?i:per|for|a))\s*(?:(?i:an?)\s+)?\Z"
)
# strengths listed after their dosage form: "oral tablet (25 mg; 50 mg; 100 mg)"
_FORM_LIST_BEFORE_RE = re.compile(
    r"(?i:\b(?P<per>tablet|capsule|vial|ampoule)s?\s*\((?:\s*[\d.,]+\s*[a-zA-Zµμ]+\s*[;,]\s*)*)\Z"
)
_STRENGTH_LIST_END_RE = re.compile(r"\s*[;,)]")
# amounts listed after an excipient label ("Excipients: glycine – 12 mg, lactose 90 mg") are
# not doses (ANNOTATION.md)
_EXCIPIENTS_BEFORE_RE = re.compile(
    r"""(?i:\b(?:excipients?|inactive\s+ingredients?|other\s+ingredients?|auxiliary\s+substances?
        |non-?medicinal\s+ingredients?|inert\s+ingredients?)\s*[:|][^.:\n]*)\Z""",
    re.VERBOSE,
)
# the volume of a solvent or vehicle, not a dose ("2 mL bacteriostatic water", "a cup (240 mL)
# of milk", "dissolved in 100 mL"): ANNOTATION.md, excipients, diluents and solvents
_VEHICLE_AFTER_RE = re.compile(
    r"""(?i:\s*\)?\s*(?:of\s+)?(?:(?:sterile|bacteriostatic|normal|physiological|isotonic|plain|warm|cold
        |hot|distilled|boiled|\d+(?:\.\d+)?\s*%)\s+)*
        (?:water|saline|nacl|sodium\s+chloride|dextrose|diluent|solvent|milk|juice)\b(?!\s+of\b))""",
    re.VERBOSE,
)
_VEHICLE_BEFORE_RE = re.compile(
    r"(?i:\b(?:dissolved|diluted|reconstituted|mixed|suspended|made\s+up)\s+(?:in|with|into|to)\s+(?:about\s+)?)\Z"
)
_PACK_BEFORE_RE = re.compile(
    r"""(?:(?:[×*]|(?:^|(?<=[\s\d(]))x)\s*
      | (?i:\b(?:packs?|box(?:es)?|cartons?|blisters?|bottles?|strips?|packages?|packets?|kits?
            |cases?|sets?)\s+(?:of|with|containing|contains?)\s+)
      | (?i:\b(?:pack(?:age)?\s+size|packaging|supplied\s+(?:as|in)|available\s+in|comes\s+in)
            \s*:?\s*)
      | (?i:\b(?:pack|package|quantity|qty|count|contents|(?<!serving\s)size|in\s+stock)\s*[:|]\s*)
    )\Z""",
    re.VERBOSE,
)
_PACK_AFTER_RE = re.compile(
    r"(?i:\s*(?:/|per|in\s+(?:a|each|one|the)|a)\s*"
    r"(?:pack|box|carton|package|bottle|blister|strip|kit))"
)
# "3 units of packed red blood cells" and "1400 mL of blood-stained fluid" are not doses.
_NOT_A_DOSE_AFTER_RE = re.compile(
    r"""(?i:\s+(?:of\s+)?(?:[\w-]+\s+){0,2}?
        (?:packed|red\s+(?:blood\s+)?cells?|rbcs?|prbcs?|whole\s+blood|platelets?|ffp|fresh\s+frozen
          |blood|fluid|urine|pus|ascit\w*|effusion|exudate|drainage|serous))""",
    re.VERBOSE,
)
_LAB_WORDS = r"""(?:levels?|concentrations?|conc|clearance|crcl|e?gfr|serum|plasma|blood|urine
    |urinary|trough|peak|cmax|cmin|auc|glucose|creatinine|cholesterol|ldl|hdl|triglycerides?
    |hba1c|h(?:a)?emoglobin|hb|albumin|bilirubin|titers?|titres?|excretion|output|secretion
    |vd|cl|clt|half-life|t1/2|distribution|proteinuria|albuminuria|weigh(?:s|ed|ing|t)?)"""
_LAB_NEAR_BEFORE_RE = re.compile(
    rf"""(?i:\b{_LAB_WORDS}\b
        (?:\s+(?:was|were|is|had|has|have|been|also|increased|decreased|declined|dropped|elevated
            |raised|reduced|of|at|to|from|reached|rose|fell|up|about|approximately|only
            |still)){{0,4}}
        [\s:=(]*(?:[<>≤≥]\s*)?)\Z""",
    re.VERBOSE,
)
# A period inside a number ("43.5 mcg/mL, 46.5 mcg/mL") does not end the clause.
_LAB_CLAUSE_BEFORE_RE = re.compile(
    rf"(?i:\b(?:{_LAB_WORDS}|range)\b(?:[^.;:!?]|\.(?=\d))*)\Z", re.VERBOSE
)
# Per litre, per decilitre and per mole are sample concentrations (lab values) or molar masses.
_LAB_PER = frozenset({"dL", "L", "mol"})
_VOLUME_UNITS = frozenset({"mL", "L", "µL"})
_CONCENTRATION_PER = frozenset({"mL", "hour", "minute"})
_LAB_LIKE_UNITS = frozenset({"ng", "mmol", "µmol", "mEq"})
_RATE_PER = frozenset({"hour", "minute"})


def is_excluded(text: str, match: re.Match[str], unit: str, per: str | None, before: str) -> bool:
    """True when the context shows the amount is not a dose (see the module docstring)."""
    near = before[-LOOKBEHIND:]
    if _REFERENCE_BEFORE_RE.search(near) or _PRICE_PER_BEFORE_RE.search(near):
        return True
    if unit in COUNT_UNITS and (
        match["body"] or _PACK_BEFORE_RE.search(near) or _PACK_AFTER_RE.match(text, match.end())
    ):
        return True
    if _NOT_A_DOSE_AFTER_RE.match(text, match.end()) and (unit == "IU" or unit in _VOLUME_UNITS):
        return True
    if unit in _VOLUME_UNITS and per is None and (
        _VEHICLE_AFTER_RE.match(text, match.end()) or _VEHICLE_BEFORE_RE.search(near)
    ):
        return True
    if per in _RATE_PER:  # an infusion rate ("1 g per hour", "2 ml/min"), not a dose
        return True
    if _EXCIPIENTS_BEFORE_RE.search(before):
        return True
    return _is_lab_value(unit, per, before)


def _is_lab_value(unit: str, per: str | None, before: str) -> bool:
    """True when the amount reads as a measured value (a lab result), not a dose."""
    if per in _LAB_PER:
        return True
    if unit in _VOLUME_UNITS and per == "minute":
        return True
    if unit in _LAB_LIKE_UNITS and per in _CONCENTRATION_PER:
        return True
    if _LAB_NEAR_BEFORE_RE.search(before[-LOOKBEHIND:]):
        return True
    concentration_like = per in _CONCENTRATION_PER or unit in _LAB_LIKE_UNITS
    return concentration_like and _LAB_CLAUSE_BEFORE_RE.search(before) is not None


def read_amount(match: re.Match[str], before: str) -> tuple[int, float | None, float | None]:
    """Return (span start, low, high), applying an open bound written before the amount."""
    first = parse_number(match["n1"])
    second = parse_number(match["n2"]) if match["n2"] else first
    low, high = min(first, second), max(first, second)
    if match["between"] and not match["n2"]:
        return match.start("n1"), low, high  # a dangling "between" is not part of the dose
    bound = None if match["between"] or match["sd"] else _BOUND_RE.search(before)
    if bound is None:
        label = None if match["between"] or match["sd"] else _LABEL_BOUND_RE.search(before)
        if label is not None:  # "Maximum dose: 200 mg/day"
            return (match.start(), None, high) if label["upper"] else (match.start(), low, None)
        return match.start(), low, high
    start = match.start() - len(bound.group(0))
    return (start, None, high) if bound["upper"] else (start, low, None)


def per_from_context(before: str, after: str = "") -> str | None:
    """'Each ml contains 215.2 mg' -> 'mL'; 'oral tablet (25 mg; 50 mg; 100 mg)' -> 'tablet'
    (a list of strengths: each amount ends at ';', ',' or ')', ``after`` is the text after it)."""
    contains = _CONTAINS_BEFORE_RE.search(before)
    if contains is None and _STRENGTH_LIST_END_RE.match(after):
        contains = _FORM_LIST_BEFORE_RE.search(before)
    return canonical_per(contains["per"]) if contains else None
