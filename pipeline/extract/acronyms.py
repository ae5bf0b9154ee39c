"""What an acronym looks like, defined once.

An acronym is one word with two capitals or more: "IDDM", "vWS", "McArdle" (the shape the
abbreviation rules read in running text). A vocabulary synonym may also hold hyphens and plus
signs ("AML-M5", "HIV+"): the same shape once they are taken out. A vocabulary term is matched
case-sensitively only when it is written in capitals, two to six of them, starting with a letter
("ADHD", "HIV1"): mixed-case terms ("McArdle") are names, matched like words.
"""

from __future__ import annotations

import re

#: one word with two capitals or more (no word boundaries: callers add their own)
ACRONYM_WORD = r"[A-Za-z0-9]*[A-Z][A-Za-z0-9]*[A-Z][A-Za-z0-9]*"
_ACRONYM = re.compile(ACRONYM_WORD)
_CAPITALS_TERM = re.compile(r"[A-Z][A-Z0-9]{1,5}")


def is_acronym(text: str) -> bool:
    """One word with two capitals or more: "IDDM", "vWS", "McArdle"."""
    return _ACRONYM.fullmatch(text) is not None


def is_acronym_synonym(text: str) -> bool:
    """An acronym with hyphens or plus signs in it: "GERD", "AML-M5", "CyN", "HIV+"."""
    return is_acronym(text.replace("-", "").replace("+", ""))


def is_capitals_term(text: str) -> bool:
    """A vocabulary term matched case-sensitively: two to six capitals or digits, the first a
    capital ("ADHD", "HIV1"), so that it does not fire on ordinary words ("aids", "ms")."""
    return _CAPITALS_TERM.fullmatch(text) is not None
