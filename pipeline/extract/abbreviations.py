"""Abbreviations defined in a document: "traumatic brain injury (TBI)".

Candidates are found on the text ("<words> (<short form>)" inside one sentence), because the
tokenizer may glue the closing parenthesis to what follows ("(TBI):" gives the token "):"),
which defeats a token pattern. Each candidate is checked with scispaCy's implementation of
Schwartz & Hearst (2003), "A simple algorithm for identifying abbreviation definitions in
biomedical text": the short form's characters must appear in order in the long form, the first
one at the start of a word.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from scispacy.abbreviation import find_abbreviation
from spacy.tokens import Doc

from pipeline.extract.mention import doc_text
from pipeline.segment import Segment

_SHORT_FORM = re.compile(r"\(\s*([A-Za-z][A-Za-z0-9'’\-]{0,8}[A-Za-z0-9])\s*\)")


@dataclass(frozen=True)
class Abbreviation:
    short: str
    long_start: int
    long_end: int


def find_definitions(doc: Doc, segments: list[Segment]) -> list[Abbreviation]:
    """Every "<long form> (<short form>)" definition in ``doc``, in text order."""
    text = doc_text(doc)
    found: list[Abbreviation] = []
    for segment in segments:
        sentence = text[segment.start : segment.end]
        if "(" not in sentence:
            continue
        for match in _SHORT_FORM.finditer(sentence):
            short = match.group(1)
            if sum(ch.isupper() for ch in short) < 2 and not short.isupper():
                continue
            short_start = segment.start + match.start(1)
            short_span = doc.char_span(short_start, short_start + len(short), alignment_mode="expand")
            before = doc.char_span(segment.start, segment.start + match.start(), alignment_mode="contract")
            if short_span is None or before is None or len(before) == 0:
                continue
            words = min(len(short) + 5, len(short) * 2)
            long_candidate = before[max(len(before) - words, 0) :]
            _, long_form = find_abbreviation(long_candidate, short_span)
            if long_form is not None:
                found.append(Abbreviation(short, long_form.start_char, long_form.end_char))
    return found
