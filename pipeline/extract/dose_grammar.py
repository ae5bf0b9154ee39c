"""The parts of a dose phrase and how each reads (:mod:`pipeline.extract.doses` puts them together).

An amount is a number (digits, thousands separators, a decimal comma, or a number word) and a
dose unit, with a per-body-weight or per-area part and a "per" ("20 mg/kg/day", "100 mg/5 mL");
after it come qualifiers in any order, each at most once: a frequency ("twice daily", "q8h",
"every other day"), a route (``data/routes.tsv``: one table for the forms matched and the route
they name), a duration ("for 7-21 days") and times of day or meals, which only extend the span.
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path

from pipeline.extract.pattern_tables import read_patterns

#: number words, what an amount is per, abbreviated frequencies, frequency adverbs and "every X",
#: each with its value (``data/dose_words.tsv``)
DOSE_WORDS = Path(__file__).parent / "data" / "dose_words.tsv"


def read_dose_words(path: Path = DOSE_WORDS) -> dict[str, dict[str, tuple[str, str | None]]]:
    """kind -> word -> (value, per) of a dose-word table, in file order (``per`` None where empty)."""
    table: dict[str, dict[str, tuple[str, str | None]]] = {}
    with Path(path).open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle, delimiter="\t", quoting=csv.QUOTE_NONE):
            table.setdefault(row["kind"], {})[row["word"]] = (row["value"], row["per"] or None)
    return table


def _times(value: str) -> float:
    """A value of the table: an integer, a decimal or a fraction ("1/7")."""
    return float(Fraction(value))


_DOSE_WORDS = read_dose_words()
NUMBER_WORDS = {word: _times(value) for word, (value, _) in _DOSE_WORDS["number"].items()}
NUMBER_WORD_PATTERN = "|".join(sorted(NUMBER_WORDS, key=len, reverse=True))

# Thousands separators first ("1,200"), then plain decimals, then a decimal comma ("2,5").
NUMBER = (
    rf"(?:\d{{1,3}}(?:,\d{{3}})+(?!\d)(?:\.\d+)?|\d+(?:\.\d+)?|\d+,\d{{1,2}}(?!\d)"
    rf"|(?<![A-Za-z]-)(?i:{NUMBER_WORD_PATTERN})\b)"
)
NUMBER_RE = re.compile(NUMBER)
_THOUSANDS_RE = re.compile(r"^\d{1,3}(?:,\d{3})+(?:\.\d+)?$")

#: the route table: each row's forms (regular expressions, any case) and the route they name
ROUTES = Path(__file__).parent / "data" / "routes.tsv"


def read_routes(path: Path = ROUTES) -> tuple[tuple[str, str], ...]:
    """(route, forms) of every row of a route table, in order (an earlier row wins)."""
    with Path(path).open(encoding="utf-8", newline="") as handle:
        rows = csv.DictReader(handle, delimiter="\t", quoting=csv.QUOTE_NONE)
        return tuple((row["route"], row["forms"]) for row in rows if row["route"])


_ROUTE_TABLE = read_routes()

#: the amount with its unit (``core``: numbers, unit, body weight or area, what it is per),
#: frequency, route, duration, time of day and "each nostril": one pattern per row of
#: ``data/dose_grammar_rules.tsv`` (the numbers above as its ``{{number}}`` and ``{{number_words}}``,
#: the route table's forms as ``{{route_forms}}``, one named group per row)
DOSE_GRAMMAR_RULES = Path(__file__).parent / "data" / "dose_grammar_rules.tsv"
_GRAMMAR = read_patterns(
    DOSE_GRAMMAR_RULES,
    {
        "number": NUMBER,
        "number_words": NUMBER_WORD_PATTERN,
        "route_forms": "|".join(f"(?P<route{i}>{forms})" for i, (_, forms) in enumerate(_ROUTE_TABLE)),
    },
)
CORE_RE = _GRAMMAR["core"]
_ROUTE_RE = _GRAMMAR["route"]

PREFILTER_RE = re.compile(rf"\d|\b(?:{NUMBER_WORD_PATTERN})\b", re.IGNORECASE)

# The separator before a qualifier: spaces (a comma ends the span, ANNOTATION.md Convention 2).
_QUALIFIER_GAP_RE = re.compile(r"[ \t\u00a0]*")

_PER_CANONICAL = {word: value for word, (value, _) in _DOSE_WORDS["per"].items()}
_ABBREVIATED_FREQUENCIES = {word: _times(value) for word, (value, _) in _DOSE_WORDS["abbreviated_frequency"].items()}
# Adverb -> (times per day, per); "every X" -> (times per day, per).
_ADVERBS = {word: (_times(value), per) for word, (value, per) in _DOSE_WORDS["adverb"].items()}
_EVERY = {word: (_times(value), per) for word, (value, per) in _DOSE_WORDS["every"].items()}
_DAYS_PER_UNIT = {"d": 1.0, "w": 7.0, "m": 30.0, "y": 365.0}
_HOURS_PER_UNIT = {"h": 1.0, "d": 24.0, "w": 168.0, "m": 720.0}

Range = tuple[float | None, float | None]


@dataclass(frozen=True, slots=True)
class Qualifiers:
    """What follows an amount inside the dose phrase, and where the phrase ends."""

    end: int
    per: str | None = None
    times_per_day: float | None = None
    route: str | None = None
    duration: Range = (None, None)


def parse_number(written: str) -> float:
    """Parse "1,200", "2,5", "0.25" or a number word into a float."""
    cleaned = written.strip().lower()
    if cleaned in NUMBER_WORDS:
        return NUMBER_WORDS[cleaned]
    if "," in cleaned:
        cleaned = cleaned.replace(",", "" if _THOUSANDS_RE.match(cleaned) else ".")
    return float(cleaned)


def body_suffix(match: re.Match[str]) -> str:
    if match["kg"] or match["kg_exp"]:
        return "/kg"
    if match["m2"] or match["m2_exp"]:
        return "/m2"
    return ""


def per_from_match(match: re.Match[str]) -> str | None:
    if match["per_volume"]:  # "100 mg/5 mL": a strength per volume (ANNOTATION.md: per "5 mL")
        volume = parse_number(match["per_volume"])
        return "mL" if volume == 1 else f"{volume:g} mL"
    for group in ("per_slash", "per_word", "per_time", "per_exp", "per_form"):
        if match[group]:
            return canonical_per(match[group])
    return None


def canonical_per(written: str) -> str | None:
    key = re.sub(r"\s+", "", written.lower())
    if key in _PER_CANONICAL:
        return _PER_CANONICAL[key]
    return _PER_CANONICAL.get(key.removesuffix("s"))


def read_qualifiers(text: str, position: int) -> Qualifiers:
    """Read frequency, route and duration after the amount, in any order, each at most once."""
    end = position
    per: str | None = None
    times_per_day: float | None = None
    route: str | None = None
    duration: Range = (None, None)
    nostril = False
    pending = {
        "frequency": _GRAMMAR["frequency"],
        "route": _ROUTE_RE,
        "duration": _GRAMMAR["duration"],
        "timing": _GRAMMAR["timing"],
        "when": _GRAMMAR["timing"],
    }
    while pending:
        at = _QUALIFIER_GAP_RE.match(text, end).end()
        if at == end and at < len(text) and text[at].isalnum():
            break  # a qualifier must be separated from the amount or the previous qualifier
        for kind, pattern in pending.items():
            qualifier = pattern.match(text, at)
            if qualifier is not None:
                break
        else:
            break
        del pending[kind]
        end = qualifier.end()
        if kind == "frequency":
            times_per_day, per = _frequency(qualifier)
        elif kind == "route":
            route = _route(qualifier)
            if _GRAMMAR["each_nostril"].search(qualifier["route"]):
                nostril = True  # "2 drops in each nostril": per nostril (ANNOTATION.md)
        elif kind == "duration":
            duration = _duration_from_match(qualifier)
        # "timing" and "when" (a second time phrase) only extend the span
    return Qualifiers(end, "nostril" if nostril else per, times_per_day, route, duration)


def _frequency(match: re.Match[str]) -> tuple[float | None, str | None]:
    """Return (times per day, per) for a frequency qualifier."""
    if match["mult"]:
        period = match["fper"].lower()
        days = 7 if period.startswith("w") else 30 if period.startswith("m") else 1
        times = _multiplier(match["mult"])
        # "once daily", "once weekly": the amount is per day (week), ANNOTATION.md Convention 4
        per = {1: "day", 7: "week", 30: "month"}[days] if times == 1 else None
        return times / days, per
    if match["abbr"]:
        return _ABBREVIATED_FREQUENCIES.get(match["abbr"].lower().replace(".", "")), None
    if match["qh"]:
        return 24 / float(match["qh"]), None
    if match["qw"]:
        return 1 / (7 * float(match["qw"])), None
    if match["every_n"]:
        hours = parse_number(match["every_n"]) * _HOURS_PER_UNIT[match["every_unit"][0].lower()]
        return 24 / hours, None
    if match["other"]:
        return (0.5 if match["other"].lower().startswith("day") else 1 / 14), None
    if match["every1"]:
        return _EVERY.get(match["every1"].lower(), (1.0, None))
    if match["div"]:
        return parse_number(match["div_high"] or match["div"]), None
    if match["times"]:
        return float(match["times"]), None
    if match["single"]:
        return None, None
    if match["adverb"]:
        return _ADVERBS[match["adverb"].lower()]
    return 1.0, None  # "at bedtime", "at night"


_MULTIPLIER_WORDS = {"once": 1.0, "twice": 2.0, "thrice": 3.0}


def _multiplier(written: str) -> float:
    """Times per period; "once or twice", "two to three times": the highest frequency, as for
    "every 4-6 hours"."""
    counts = [value for word, value in _MULTIPLIER_WORDS.items() if re.search(rf"\b{word}\b", written.lower())]
    counts += [parse_number(number) for number in NUMBER_RE.findall(written.lower())]
    return max(counts)


def _route(match: re.Match[str]) -> str:
    """The route of the row of the route table whose forms ``match`` (of ``_ROUTE_RE``) found."""
    return next(route for i, (route, _) in enumerate(_ROUTE_TABLE) if match[f"route{i}"] is not None)


def _duration_from_match(match: re.Match[str]) -> Range:
    if match["clo"]:
        return duration_days(match["clo"], match["chi"], match["cunit"], None)
    return duration_days(match["dlo"], match["dhi"], match["dunit"], match["dbound"])


def duration_days(low: str, high: str | None, unit: str, bound: str | None) -> Range:
    """Convert a written duration to days (1 week = 7, 1 month = 30, 1 year = 365)."""
    days = _DAYS_PER_UNIT[unit[0].lower()]
    first = 1.0 if low.lower() in ("a", "an") else parse_number(low)
    second = parse_number(high) if high else first
    shortest, longest = min(first, second) * days, max(first, second) * days
    bound = (bound or "").lower()
    if bound.startswith(("up", "less", "<", "≤")):
        return None, longest
    if bound.startswith(("at", "more", "over", ">", "≥")):
        return shortest, None
    return shortest, longest
