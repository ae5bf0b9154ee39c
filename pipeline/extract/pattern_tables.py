"""Named regular expressions kept in a data file, so that a rule is changed by editing the file
(and its test), not the code.

A pattern table is a TSV with the columns ``name``, ``pattern`` and ``note`` (what the pattern
is for; every row has one). A pattern may use another row as a fragment, written
``{{name}}``: a word list two patterns share is then written once ("lab_words" in
``data/dose_context_rules.tsv``); the caller may add fragments that code defines (the number
grammar of the dose rules). Patterns are compiled without flags; a pattern that needs one says
so inline (``(?i:...)``).
"""

from __future__ import annotations

import csv
import re
from collections.abc import Mapping
from pathlib import Path

_FRAGMENT = re.compile(r"\{\{(\w+)\}\}")


def read_patterns(path: Path, fragments: Mapping[str, str] | None = None) -> dict[str, re.Pattern[str]]:
    """Every row of the table at ``path``, its fragments expanded (rows of the table, or
    ``fragments`` given by the caller), compiled by name."""
    with Path(path).open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle, delimiter="\t", quoting=csv.QUOTE_NONE))
    raw = {row["name"]: row["pattern"] for row in rows}
    if len(raw) != len(rows):
        raise ValueError(f"{path}: a pattern name is used twice")

    def expand(name: str, seen: tuple[str, ...] = ()) -> str:
        if name in seen:
            raise ValueError(f"{path}: the fragment {name!r} refers to itself")
        if name not in raw:
            if fragments and name in fragments:
                return fragments[name]
            raise KeyError(f"{path}: no pattern named {name!r}")
        return _FRAGMENT.sub(lambda ref: expand(ref.group(1), (*seen, name)), raw[name])

    return {name: re.compile(expand(name)) for name in raw}
