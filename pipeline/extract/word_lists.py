"""Word lists shared by the rules, each defined once in ``data/word_lists.tsv`` (columns
``list``, ``word``, ``note``): a rule that needs one reads it by name, so adding a word to a
list is an edit of that file (and a test)."""

from __future__ import annotations

import csv
from functools import lru_cache
from pathlib import Path

WORD_LISTS = Path(__file__).parent / "data" / "word_lists.tsv"


@lru_cache(maxsize=1)
def _read() -> dict[str, frozenset[str]]:
    lists: dict[str, set[str]] = {}
    with WORD_LISTS.open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle, delimiter="\t", quoting=csv.QUOTE_NONE):
            if row["list"].strip():
                lists.setdefault(row["list"].strip(), set()).add(row["word"].strip().lower())
    return {name: frozenset(words) for name, words in lists.items()}


def word_list(name: str) -> frozenset[str]:
    """The lower-cased words of list ``name`` (KeyError for a list the file does not have)."""
    return _read()[name]
