"""Normalized keys for words, so that spelling variants of a term meet in one key.

The same function is applied to vocabulary terms and to document text, so a key only has to be
consistent, not a real word. It folds:

- case and typographic apostrophes / dashes ("Alzheimer’s" -> "alzheimer's");
- British and American spelling (haemorrhage/hemorrhage, anaemia/anemia, oedema/edema,
  diarrhoea/diarrhea, tumour/tumor, paediatric/pediatric, hospitalisation/hospitalization);
- regular plural inflection (injuries/injury, diseases/disease, reactions/reaction), in the
  manner of a light S-stemmer (Harman 1991), which is safe because both sides are folded alike;
  the Greek plural of nosology's -osis nouns (psychoses/psychosis, stenoses/stenosis), which the
  S-stemmer would turn into "psychose".

:func:`pieces` splits a text into word pieces with character offsets; hyphens inside words
("injection-site") separate pieces and are dropped, slashes ("Stroke/TBI") are kept as a
separator piece so that a term never runs across them.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import NamedTuple

_APOSTROPHES = str.maketrans({"’": "'", "‘": "'", "ʼ": "'", "`": "'", "–": "-", "—": "-", "‐": "-", "‑": "-"})

_SPELLING = [
    (re.compile(r"(?<=[^aeiou\W])ae(?=[a-z])"), "e"),  # haem, anaem, ischaem, leukaem, paed, faec
    (re.compile(r"^oe(?=[ds])"), "e"),  # oedema, oesophagus
    (re.compile(r"(?<=rrh|.pn)oe(?=a)"), "e"),  # diarrhoea, amenorrhoea, dyspnoea
    (re.compile(r"^foet"), "fet"),
    (re.compile(r"(?<=[a-z]{3})our(?=s?$)"), "or"),  # tumour, behaviour (not four/hour/your)
    (re.compile(r"(?<=[a-z]{3})is(ation|ations|ed|ing)$"), r"iz\1"),
    (re.compile(r"(?<=[a-z]{3})tre(s?)$"), r"ter\1"),  # centre, fibre, litre
]
_NO_PLURAL = re.compile(r"(ss|us|is|ous|ics|ps|[^a-z]s)$")
#: English words in -oses that are not plurals of -osis: (over)doses, purposes, discloses.
_NOT_GREEK_OSES = ("doses", "poses", "closes")
_KEEP_AS_IS = frozenset({"diabetes", "herpes", "rabies", "scabies", "rickets", "measles", "mumps", "series", "species", "aids", "news"})


class Piece(NamedTuple):
    """A word piece: ``text[start:end]`` and its normalized key."""

    start: int
    end: int
    key: str


@lru_cache(maxsize=200_000)
def word_key(word: str) -> str:
    """The normalized key of one word (idempotent: ``word_key(word_key(w)) == word_key(w)``)."""
    key = word.translate(_APOSTROPHES).lower()
    if not key.isalpha():
        return key
    for pattern, replacement in _SPELLING:
        key = pattern.sub(replacement, key)
    return singular(key)


def singular(word: str) -> str:
    """A conservative English singular for regular plurals; other words unchanged."""
    if len(word) <= 3 or not word.endswith("s") or word in _KEEP_AS_IS or _NO_PLURAL.search(word):
        return word
    if word.endswith("oses") and len(word) > 6 and not word.endswith(_NOT_GREEK_OSES):
        return word[:-4] + "osis"
    if word.endswith("ies") and len(word) > 4:
        return word[:-3] + "y"
    if word.endswith(("sses", "xes", "ches", "shes", "zzes")) and not word.endswith("aches"):
        return word[:-2]  # "-aches" is "-ache" + s: headaches, backaches
    return word[:-1]


_PIECE = re.compile(r"[^\W_]+(?:['’]s\b)?|[^\w\s]")


def pieces(text: str, offset: int = 0) -> list[Piece]:
    """Word pieces of ``text`` with offsets (plus ``offset``); hyphens are dropped.

    A possessive stays on its word with the key "<word>'s" ("Alzheimer’s" -> "alzheimer's"), so
    "Alzheimer's" alone can be told from "Alzheimer"; punctuation other than hyphens is kept as
    a piece so terms do not match across it.
    """
    result: list[Piece] = []
    for match in _PIECE.finditer(text):
        piece = match.group()
        start = offset + match.start()
        if piece in "-‐‑–—" and len(piece) == 1:
            continue
        if len(piece) > 2 and piece[-2] in "'’" and piece[-1] in "sS" and piece[0].isalnum():
            result.append(Piece(start, start + len(piece), word_key(piece[:-2]) + "'s"))
            continue
        result.append(Piece(start, start + len(piece), word_key(piece)))
    return result


def text_key(text: str) -> tuple[str, ...]:
    """The key sequence of a whole term, e.g. ``("alzheimer's", "disease")``."""
    return tuple(p.key for p in pieces(text))
