"""Find dose statements in text and give them structure.

A dose is an amount of a substance with its unit, and what qualifies that amount in the same
phrase: "20-50 mL/day IV for 7-21 days", "60mg/vial", "≥80 mL/day", "1 mg/kg/day",
"100 mg orally, three times a day" (see ../shared/ANNOTATION.md). The extractor is rule-based
and works on plain strings, so it can run on every sentence of a large corpus without a
tokenizer: it scans for a number followed by a dose unit, reads the qualifiers that follow
(per, frequency, route, duration), and looks at a few characters before the amount for an open
bound ("up to", "≥"), a "between", or context that makes the number something other than a
dose (a catalogue number, a price, a pack count, a lab value).

One module per job: the parts of a dose phrase and how each reads
(:mod:`pipeline.extract.dose_grammar`), what the text around an amount says about it
(:mod:`pipeline.extract.dose_context`), this module, which puts them together and joins ranges
and lists, and what a dose is stated for (:mod:`pipeline.extract.dose_purpose`), which
:mod:`pipeline.extract.dose_mentions` uses to link doses to conditions.

Decisions for ambiguous cases (each is covered by tests/test_doses.py):

- "5 or 10 mg" is one dose with low 5 and high 10; lists with commas or "and" ("30.6 and
  114 g", "3,000, 6,000, or 12,000 U/day") give one dose per number, sharing the unit and
  qualifiers; the listed bare numbers' spans are the numbers alone.
- "from 40 mg to 20 mg" (a change) gives two doses; "5 mg-10 mg" and "between 5 mg and 10 mg"
  give one range; "from 300 to 600 mg/day" (unit written once) gives one range.
- "150 ± 50 mg" gives the mean (low == high == 150); the spread stays in the span.
- Guideline version 2, Convention 4: "/day", "per day", "a day", a bare "daily", "once daily",
  "every day" (and "every morning") set `per` = day ("weekly", "once weekly": week); "twice
  daily", "b.i.d.", "x3", "every 8 hours", "every other day" set only `times_per_day`, because
  the amount is then per administration. "every 4-6 hours" and "two to three times daily" give
  the highest frequency. "in each nostril" sets per nostril (and the route); "per injection",
  "per spray", "per serving" set per dose; "100 mg/5 mL" per "5 mL".
- Convention 2: the span runs over the frequency, route, time of day, meals, divided doses
  and duration that follow the amount ("10 mg twice daily (morning and afternoon) for 10
  days", "4800 mg on day 1"); a comma ends it. Bound words inside the span set one side ("up
  to", "not exceed", "max."); a labelled bound ("Maximum dose: 200 mg/day") too, outside it.
  A titration step ("add 500mg a week") is the amount alone (Convention 3).
- "infusion" and "drip" mean IV. "injection" alone gives no route: injections are also
  intramuscular, subcutaneous, intrathecal or intravitreal.
- Durations are days, weeks, months and years; "over 3 hours" (an infusion time) is not one.
- Not doses: amounts per dL, L or mol (lab values, molar masses), volumes per minute
  (clearance, "30 mL/min"), ng per mL, amounts right after a lab word ("glucose 5.5 mmol/L",
  "creatinine 1.2 mg"), concentrations per mL in a clause about levels or ranges ("serum
  levels were 43.5 mcg/mL"), molar concentrations (µM is not a dose unit), percentages, "kg"
  (body weight), pack counts, units of blood products, volumes of drained fluid, volumes of a
  diluent or vehicle ("2 mL bacteriostatic water"), infusion rates (per hour or minute) and
  amounts after an excipient label.
  Product strengths per mL ("20 mg/ml", "each ml contains 215.2 mg") are doses, per "mL".
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from pathlib import Path

from pipeline.extract.dose_context import LONG_LOOKBEHIND, LOOKBEHIND, is_excluded, per_from_context, read_amount
from pipeline.extract.dose_grammar import (
    CORE_RE,
    NUMBER,
    NUMBER_RE,
    NUMBER_WORDS,
    PREFILTER_RE,
    Qualifiers,
    Range,
    body_suffix,
    duration_days,
    parse_number,
    per_from_match,
    read_qualifiers,
)
from pipeline.extract.pattern_tables import read_patterns
from pipeline.extract.units import base_conversion, canonical_unit, to_base

#: how amounts combine (steps, ranges, lists, courses): one pattern per row of
#: ``data/dose_series_rules.tsv``, the number grammar of :mod:`pipeline.extract.dose_grammar` as
#: their ``{{number}}``
DOSE_SERIES_RULES = Path(__file__).parent / "data" / "dose_series_rules.tsv"
_SERIES = read_patterns(DOSE_SERIES_RULES, {"number": NUMBER})


@dataclass(frozen=True, slots=True)
class Dose:
    """A dose statement found in text, with the structure read from the phrase.

    Offsets are into the text given to `find_doses`, plus its `offset`. `low == high` for a
    single amount; an open bound ("up to 20 mg", "≥80 mL/day") leaves the other side None.
    `amount_base_*` are the amounts in `base_unit` (mg for mass, mL for volume), else None.
    """

    start: int
    end: int
    text: str
    low: float | None
    high: float | None
    unit: str
    per: str | None = None
    times_per_day: float | None = None
    route: str | None = None
    duration_days_low: float | None = None
    duration_days_high: float | None = None
    amount_base_low: float | None = None
    amount_base_high: float | None = None
    base_unit: str | None = None


def find_doses(text: str, offset: int = 0) -> list[Dose]:
    """Return the dose statements in `text` (typically one sentence), in text order.

    Offsets of the returned doses are `offset` plus the position in `text`, so a caller can
    pass a sentence and the sentence's start in its document.
    """
    if not PREFILTER_RE.search(text):
        return []
    doses: list[Dose] = []
    position = 0
    rejected_end = -1
    while (match := CORE_RE.search(text, position)) is not None:
        position = match.end()
        if rejected_end >= 0 and _SERIES["continuation"].fullmatch(text, rejected_end, match.start()):
            # "excretion increased from 0.008 g/day to 0.475 g/day": both are lab values.
            rejected_end = match.end()
            continue
        dose = _dose_from_match(text, match)
        if dose is None:
            rejected_end = match.end()
            continue
        rejected_end = -1
        if doses and dose.start < doses[-1].end:
            continue
        doses.append(dose)
        position = dose.end
    doses = _inherit_form_per(text, _expand_lists(text, _merge_ranges(text, doses)))
    if offset:
        doses = [replace(d, start=d.start + offset, end=d.end + offset) for d in doses]
    return doses


def _dose_from_match(text: str, match: re.Match[str]) -> Dose | None:
    """Build a Dose from a core match and its context; None when it is not a dose."""
    unit = canonical_unit(match["unit"])
    if unit is None:
        return None
    before = text[max(0, match.start() - LONG_LOOKBEHIND) : match.start()]
    per = per_from_match(match)
    if is_excluded(text, match, unit, per, before):
        return None
    if per is None:
        per = per_from_context(before, text[match.end() : match.end() + 3])
    start, low, high = read_amount(match, before)
    duration: Range = (None, None)
    course = _SERIES["course_before"].search(before)
    if course:
        start = match.start() - len(course.group(0))
        duration = duration_days(course["plo"], course["phi"], course["punit"], None)
    if _SERIES["step_before"].search(before):  # a titration step: the amount only ("add 500mg a week")
        qualifiers = Qualifiers(match.end("body") if match["body"] else match.end("unit"))
        per = None
    else:
        qualifiers = read_qualifiers(text, match.end())
    per = per or qualifiers.per
    if qualifiers.duration != (None, None):
        duration = qualifiers.duration
    dose = Dose(
        start=start,
        end=qualifiers.end,
        text=text[start : qualifiers.end],
        low=low,
        high=high,
        unit=unit + body_suffix(match),
        per=per,
        times_per_day=qualifiers.times_per_day,
        route=qualifiers.route,
        duration_days_low=duration[0],
        duration_days_high=duration[1],
    )
    return _with_amounts(dose, low, high)


def _with_amounts(dose: Dose, low: float | None, high: float | None) -> Dose:
    """Return `dose` with new amounts and the matching base amounts (mg or mL)."""
    conversion = base_conversion(dose.unit)
    if conversion is None:
        return replace(dose, low=low, high=high)
    return replace(
        dose,
        low=low,
        high=high,
        amount_base_low=to_base(low, dose.unit),
        amount_base_high=to_base(high, dose.unit),
        base_unit=conversion[1],
    )


def _merge_ranges(text: str, doses: list[Dose]) -> list[Dose]:
    """Join "5 mg-10 mg", "5 mg to 10 mg" and "between 5 mg and 10 mg" into one range."""
    merged: list[Dose] = []
    for dose in doses:
        start = _range_start(text, merged[-1], dose) if merged else None
        if start is None:
            merged.append(dose)
            continue
        first = merged[-1]
        spanned = replace(dose, start=start, text=text[start : dose.end])
        merged[-1] = _with_amounts(spanned, min(first.low, dose.low), max(first.high, dose.high))
    return merged


def _range_start(text: str, first: Dose, second: Dose) -> int | None:
    """Where the range made of `first` and `second` starts, or None if they are two doses."""
    if first.unit != second.unit or first.per not in (None, second.per):
        return None
    if first.low is None or first.low != first.high or second.low is None or second.high is None:
        return None
    if first.times_per_day or first.route or first.duration_days_low or first.duration_days_high:
        return None
    gap = text[first.end : second.start]
    before = text[max(0, first.start - LOOKBEHIND) : first.start]
    between = _SERIES["between_before"].search(before)
    if between:
        if _SERIES["and_gap"].fullmatch(gap) is None:
            return None
        return first.start - len(between.group(0))
    if _SERIES["range_gap"].fullmatch(gap) is None:
        return None
    if _SERIES["from_before"].search(before) and not _SERIES["range_from_before"].search(before):
        return None
    return first.start


_FORM_PERS = frozenset({"tablet", "capsule", "vial", "ampoule", "dose", "sachet"})
_PAREN_GAP_RE = re.compile(r"\s*\(\s*")


def _inherit_form_per(text: str, doses: list[Dose]) -> list[Dose]:
    """A parenthetical equivalent of a strength is per the same dosage unit: "25 µg per capsule
    (1,000 IU)" gives 1,000 IU per capsule (ANNOTATION.md Convention 2: its own DOSE)."""
    result: list[Dose] = []
    for dose in doses:
        previous = result[-1] if result else None
        if (
            previous is not None
            and dose.per is None
            and previous.per in _FORM_PERS
            and _PAREN_GAP_RE.fullmatch(text, previous.end, dose.start)
        ):
            dose = replace(dose, per=previous.per)
        result.append(dose)
    return result


def _expand_lists(text: str, doses: list[Dose]) -> list[Dose]:
    """Add a dose for each bare number listed before a dose: "30.6 and 114 g" gives two."""
    expanded: list[Dose] = []
    for dose in doses:
        window_start = max(0, dose.start - LONG_LOOKBEHIND)
        if expanded:
            window_start = max(window_start, expanded[-1].end)
        before = text[window_start : dose.start]
        listed = _SERIES["list_before"].search(before)
        if listed and not _SERIES["list_blocker"].search(before[: listed.start()]):
            items_start = window_start + listed.start("items")
            for number in NUMBER_RE.finditer(listed["items"]):
                if number.group(0).lower() in NUMBER_WORDS:
                    continue  # "two and 5 mg": a word here is rarely an amount
                start, end = items_start + number.start(), items_start + number.end()
                value = parse_number(number.group(0))
                listed_dose = replace(dose, start=start, end=end, text=text[start:end])
                expanded.append(_with_amounts(listed_dose, value, value))
        expanded.append(dose)
    return expanded
