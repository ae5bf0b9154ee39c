"""The curated term lists of the condition rules, read from their TSV files.

Each file has a ``term`` column, an optional ``concept_id`` column and a ``reason`` per row
(``data/not_conditions.tsv``, ``data/state_terms.tsv``, ``data/lay_terms.tsv``). The gazetteer
(:mod:`pipeline.extract.lexicon`) reads the first and the condition rules
(:mod:`pipeline.extract.conditions`) all three, so this module imports neither of them: it is
what keeps the two free of an import cycle.
"""

from __future__ import annotations

import csv
from pathlib import Path

from pipeline.extract.normalize import text_key

DATA = Path(__file__).parent / "data"
#: mechanisms and processes the guideline excludes ("neuroinflammation", "oxidative stress")
NOT_CONDITIONS = DATA / "not_conditions.tsv"
#: adjectives for states ("pregnant", "lactating"), matched like adjectival forms
STATE_TERMS = DATA / "state_terms.tsv"
#: consumer words that name a condition only in a patient's own words ("gas")
LAY_TERMS = DATA / "lay_terms.tsv"


def read_terms(path: Path) -> dict[tuple[str, ...], str]:
    """Key sequence of each row's ``term`` -> its ``concept_id`` ("" where the file has none)."""
    with Path(path).open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle, delimiter="\t"))
    return {text_key(row["term"]): row.get("concept_id", "") for row in rows if row["term"].strip()}


def read_term_keys(path: Path) -> frozenset[tuple[str, ...]]:
    """The key sequences of a term list (``not_conditions.tsv``: what is never a condition)."""
    return frozenset(read_terms(path))
