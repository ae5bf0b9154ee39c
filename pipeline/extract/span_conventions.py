"""Span conventions of ANNOTATION.md (version 2) applied once the labels are known.

- An adverse effect's span leaves out the frequency and intensity words that are not part of a
  name ("constant headache" gives "headache", "transient hypotension" gives "hypotension"),
  while a condition keeps its severity ("severe renal impairment"). The condition finder cannot
  know the label when it grows a span over such words, so this step runs after
  :mod:`pipeline.extract.context` and takes them off the effects again, unless the whole span is
  a name of the vocabulary ("severe combined immunodeficiency").
- "Hypersensitivity" or "allergy" to the substance: the object ("to lecanemab") is outside the
  span, whatever the label (Convention 5).
- What Convention 7 does not annotate: a condition word inside a user name or handle
  ("sciatica_sue", "@migraine_mom"), inside the name of an organisation or a journal
  ("American Headache Society", "Pain Physician. 2016"), a word that only modifies the next one
  through a hyphen ("pain-dampening pathways"), and a desired result named as what the
  substance is taken for ("for weight loss", ``data/desired_results.tsv``). Names never run
  across a line break.

The grading words are data: ``data/effect_grading_words.tsv``, one per row with a note; the
journal, modifier-compound, desired-result and allergy patterns are ``data/span_convention_rules.tsv``.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Callable, Iterable
from pathlib import Path

from pipeline.extract.mention import Mention
from pipeline.extract.pattern_tables import read_patterns
from pipeline.extract.word_lists import word_list

GRADING_WORDS = Path(__file__).parent / "data" / "effect_grading_words.tsv"
DESIRED_RESULTS = Path(__file__).parent / "data" / "desired_results.tsv"
SPAN_CONVENTION_RULES = Path(__file__).parent / "data" / "span_convention_rules.tsv"
#: nouns that end the name of an organisation or a journal ("American Headache Society")
_INSTITUTION_NOUNS = word_list("institution_nouns")
_CONNECTORS = word_list("connectors")
#: an institution's name runs on this many words after the condition word at most
_INSTITUTION_WORDS = 5
#: the journal, compound, desired-result and allergy patterns (a note on each row)
_RULES = read_patterns(SPAN_CONVENTION_RULES)
_NEXT_WORDS = re.compile(r"\s*(&|[\w'’-]+)")
#: words that join two grading words ("mild to moderate", "mild-to-moderate")
_LINKS = word_list("links")


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
        match = _RULES["allergy_object"].search(text, mention.start, mention.end)
        if match is not None and match.end() < mention.end:
            mention.end = match.end()


def load_desired_results(path: Path = DESIRED_RESULTS) -> frozenset[str]:
    with Path(path).open(encoding="utf-8") as handle:
        return frozenset(row["term"].strip().lower() for row in csv.DictReader(handle, delimiter="\t"))


def drop_not_annotated(text: str, mentions: list[Mention], desired_results: frozenset[str]) -> list[Mention]:
    """``mentions`` without the condition words Convention 7 leaves out (module docstring)."""
    kept = []
    for m in mentions:
        if m.label in ("CONDITION", "ADVERSE_EFFECT") and _not_annotated(text, m, desired_results):
            continue
        kept.append(m)
    return kept


def _not_annotated(text: str, mention: Mention, desired_results: frozenset[str]) -> bool:
    surface = text[mention.start : mention.end]
    before = text[mention.start - 1] if mention.start > 0 else " "
    after = text[mention.end] if mention.end < len(text) else " "
    if "\n" in surface or "\r" in surface:
        return True
    if before in "_@" or after == "_":  # "sciatica_steve", "@migraine_mom"
        return True
    if after == "-" and _RULES["modifier_compound"].match(text, mention.end):
        return True  # "pain-dampening pathways": the word only modifies the next one
    if surface[:1].isupper() and (_names_an_institution(text, mention.end) or _RULES["journal"].match(text, mention.end)):
        return True
    return (
        mention.label == "CONDITION"
        and surface.lower() in desired_results
        and _RULES["for_before"].search(text, max(0, mention.start - 8), mention.start) is not None
    )


def _names_an_institution(text: str, end: int) -> bool:
    """The capitalised words after ``end`` end in an institution noun ("... Headache Society",
    "... Headache & Neurology Center"): a scan of at most a few words, linear in them."""
    position = end
    for _ in range(_INSTITUTION_WORDS):
        match = _NEXT_WORDS.match(text, position)
        if match is None or "\n" in text[position : match.start(1)]:
            return False
        word = match.group(1)
        if word.lower() in _INSTITUTION_NOUNS and word[:1].isupper():
            return True
        if word.lower() not in _CONNECTORS and not word[:1].isupper():
            return False
        position = match.end()
    return False


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
