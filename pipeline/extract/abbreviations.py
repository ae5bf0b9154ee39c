"""Abbreviations defined in a document: "traumatic brain injury (TBI)".

Candidates are found on the text ("<words> (<short form>)" inside one sentence), because the
tokenizer may glue the closing parenthesis to what follows ("(TBI):" gives the token "):"),
which defeats a token pattern. Each candidate is checked with scispaCy's implementation of
Schwartz & Hearst (2003), "A simple algorithm for identifying abbreviation definitions in
biomedical text": the short form's characters must appear in order in the long form, the first
one at the start of a word.

Acronyms used without any definition are tied to a condition mention of the same document only
when their letters are that mention's word initials (:func:`undefined_acronyms`: "IDDM" after
"insulin-dependent diabetes mellitus").
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from scispacy.abbreviation import find_abbreviation
from spacy.tokens import Doc

from pipeline.extract.acronyms import ACRONYM_WORD
from pipeline.extract.mention import doc_text
from pipeline.extract.word_lists import word_list
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


#: An acronym standing as a word (hyphenated acronyms are matched by parts).
_CAPITALS = re.compile(rf"(?<![\w-]){ACRONYM_WORD}(?![\w-])")
_WORD_STARTS = re.compile(r"[A-Za-z]+")
#: Two-letter acronyms ("AS", "MC", "DM") have too many expansions to read without a definition.
MIN_UNDEFINED_LENGTH, MAX_UNDEFINED_LENGTH = 3, 8
#: Zipf frequency (wordfreq) from which an acronym has a general sense of its own ("FDA", "NIH",
#: "TEN"): never read as a condition without a definition.
COMMON_ACRONYM_ZIPF = 3.3


@lru_cache(maxsize=4096)
def is_common(acronym: str) -> bool:
    """The acronym is common in general English (wordfreq): "FDA", "NIH", "TEN"."""
    from wordfreq import zipf_frequency

    return zipf_frequency(acronym.lower(), "en") >= COMMON_ACRONYM_ZIPF


def may_stand_undefined(acronym: str) -> bool:
    """The acronym may be read without a definition: three to eight characters, not common
    English."""
    return MIN_UNDEFINED_LENGTH <= len(acronym) <= MAX_UNDEFINED_LENGTH and not is_common(acronym)


#: Prefixes that start a word of their own in an acronym: "OAB" for "overactive bladder".
_INITIAL_PREFIXES = ("over", "under", "hyper", "hypo", "inter", "intra", "super", "non", "anti", "multi", "poly")


def word_initials(word: str) -> list[str]:
    """The initials one word may give: its first letter, and with a prefix that acronyms split
    off ("overactive" -> o, a) both letters."""
    word = word.lower()
    prefix = next((p for p in _INITIAL_PREFIXES if word.startswith(p) and len(word) - len(p) >= 3), None)
    return [word[0]] + ([word[len(prefix)]] if prefix else [])


@lru_cache(maxsize=65536)
def spells_initials(short: str, long_form: str) -> bool:
    """``short`` is the initials of every word of ``long_form`` (hyphenated parts count as
    words, a prefix such as "over-" may count as one), or of all but a generic head: "IDDM" for
    "insulin-dependent diabetes mellitus", "OAB" for "overactive bladder", "VHL" for "von
    Hippel-Lindau disease"."""
    letters = "".join(ch.lower() for ch in short if ch.isalpha())
    if len(letters) != len(short.replace("-", "")) or len(letters) < MIN_UNDEFINED_LENGTH:
        return False  # digits or other marks: not plain initials
    words = _WORD_STARTS.findall(long_form)
    if not words or words[0][0].lower() != letters[0] or not len(words) - 1 <= len(letters) <= 2 * len(words):
        return False
    candidates = [words]
    if len(words) > 1 and words[-1].lower() in word_list("generic_heads"):  # "VHL": von Hippel-Lindau disease
        candidates.append(words[:-1])
    return any(letters in _spellings(tuple(w.lower() for w in ws)) for ws in candidates)


def _spellings(words: tuple[str, ...]) -> set[str]:
    """Every initials string the words can give (one or two letters per word)."""
    spellings = {""}
    for word in words:
        options = word_initials(word)
        spellings = {s + options[0] for s in spellings} | (
            {s + options[0] + options[1] for s in spellings} if len(options) > 1 else set()
        )
    return spellings


def undefined_acronyms(text: str, long_forms: list[tuple[int, int, str | None]], defined: set[str]) -> list[tuple[int, int, int]]:
    """Acronyms the text uses without defining them whose letters are the initials of a
    condition mention of the same document ("IDDM" after "insulin-dependent diabetes mellitus"):
    ``(start, end, index of the long form)`` for each occurrence. ``long_forms`` are condition
    mentions as ``(start, end, concept_id)``; acronyms in ``defined`` (the document defines them,
    possibly as something else) are left alone. Stricter than Schwartz & Hearst's letter match,
    since no parenthesis says the two belong together."""
    by_initial: dict[str, list[int]] = {}
    for i, (start, end, concept) in enumerate(long_forms):
        if concept is not None and text[start:end][:1].isalpha():
            by_initial.setdefault(text[start].lower(), []).append(i)
    by_short: dict[str, int | None] = {}
    found: list[tuple[int, int, int]] = []
    for match in _CAPITALS.finditer(text):
        short = match.group()
        if short not in by_short:
            if short in defined or not may_stand_undefined(short):
                by_short[short] = None
            else:
                by_short[short] = next(
                    (i for i in by_initial.get(short[0].lower(), ())
                     if spells_initials(short, text[long_forms[i][0] : long_forms[i][1]])),
                    None,
                )
        if by_short[short] is not None:
            found.append((match.start(), match.end(), by_short[short]))
    return found
