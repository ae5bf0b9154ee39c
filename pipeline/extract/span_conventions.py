"""Span conventions of ANNOTATION.md (version 2) applied once the labels are known.

- An adverse effect's span leaves out the frequency and intensity words that are not part of a
  name ("constant headache" gives "headache", "transient hypotension" gives "hypotension"),
  while a condition keeps its severity ("severe renal impairment"). The condition finder cannot
  know the label when it grows a span over such words, so this step runs after
  :mod:`pipeline.extract.context` and takes them off the effects again, unless the whole span is
  a name of the vocabulary ("severe combined immunodeficiency").
- "Hypersensitivity" or "allergy" to the substance: the object ("to lecanemab") is outside the
  span, whatever the label (Convention 5).

The grading words are data: ``data/effect_grading_words.tsv``, one per row with a note.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Callable, Iterable
from pathlib import Path

from pipeline.extract.mention import Mention

GRADING_WORDS = Path(__file__).parent / "data" / "effect_grading_words.tsv"
#: words that join two grading words ("mild to moderate", "mild-to-moderate")
_LINKS = frozenset({"to", "or", "and", "-"})
#: an allergy and its object: "serious hypersensitivity to lecanemab", "allergy to an ingredient"
_ALLERGY_OBJECT = re.compile(
    r"\b(?:hypersensitivity|hypersensitivities|allerg(?:y|ies)|allergic reactions?|intolerance)(?=\s+to\b)", re.IGNORECASE
)


def load_grading_words(path: Path = GRADING_WORDS) -> frozenset[str]:
    with Path(path).open(encoding="utf-8") as handle:
        return frozenset(row["word"].strip().lower() for row in csv.DictReader(handle, delimiter="\t"))


def trim_effects(text: str, mentions: Iterable[Mention], grading: frozenset[str], is_name: Callable[[str], bool]) -> None:
    """Move the start of every ADVERSE_EFFECT mention past its leading grading words, in place.

    ``is_name(span_text)`` tells a vocabulary name, which is kept whole."""
    for mention in mentions:
        if mention.label != "ADVERSE_EFFECT" or is_name(text[mention.start : mention.end]):
            continue
        start = _after_grading_words(text, mention.start, mention.end, grading)
        if start < mention.end:
            mention.start = start


def drop_allergy_objects(text: str, mentions: Iterable[Mention]) -> None:
    """End every condition or effect mention that names an allergy before its object, in place
    ("hypersensitivity to porcine proteins" gives "hypersensitivity")."""
    for mention in mentions:
        if mention.label == "DOSE":
            continue
        match = _ALLERGY_OBJECT.search(text, mention.start, mention.end)
        if match is not None and match.end() < mention.end:
            mention.end = match.end()


def _after_grading_words(text: str, start: int, end: int, grading: frozenset[str]) -> int:
    """The offset of the first word of ``text[start:end]`` that is neither a grading word nor a
    link between two of them; ``start`` when the span does not begin with a grading word."""
    position = start
    seen_grading = False
    while position < end:
        word_end = position
        while word_end < end and (text[word_end].isalpha() or text[word_end] == "-" and word_end == position):
            word_end += 1
        word = text[position:word_end].lower()
        if word in grading:
            seen_grading = True
        elif not (seen_grading and word in _LINKS):
            break
        if word_end >= end:
            return start  # nothing but grading words: keep the span
        position = word_end
        while position < end and (text[position].isspace() or text[position] == "-"):
            position += 1
    return position if seen_grading else start
