"""Lay wordings of conditions and effects learnt from annotated patient reviews.

Patients name their complaints in words no open vocabulary carries ("vivid dreams", "brain
zaps", "no sex drive", "jaw clenching"): HPO, MeSH and ICD-10-CM are written for clinicians,
and the Consumer Health Vocabulary that would bridge them is not available here. The table of
this module is a gazetteer learnt from annotated reviews by :mod:`pipeline.train_terms` (a
wording becomes a term when annotators marked it, a single word in two reviews at least, and
rarely left it unmarked where it occurs): the supervised dictionary construction of, e.g.,
Nikfarjam et al. 2015 ("Pharmacovigilance from social media: mining adverse drug reaction mentions using sequence
labeling with word embedding cluster features", JAMIA 22:671) for their ADR lexicon.

A term is matched on the keys of :mod:`pipeline.extract.normalize` (case, spelling and plural
folded, as the vocabulary is matched), the longest first, and adds a CONDITION mention
(relabelled by ``mention_context`` like any other) only where no other source found a
condition. Its concept is the vocabulary's, found from its head words or from the clinician's
word of change ("loss of libido" is "Decreased libido"), else one of the table's own
(``LEARNED:vivid-dreams``): analysts group by concept, and a wording then always has one. A
wording of one word is, like the curated consumer words, kept only where a patient speaks
(``mention_context``): "temperature" or "GAD" in an abstract is no complaint, while "delayed
orgasm" in a leaflet is the effect it is in a review.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Collection
from dataclasses import dataclass
from pathlib import Path

from spacy.tokens import Doc

from pipeline.extract.conditions import ConditionTables
from pipeline.extract.mention import LEARNED_METHOD, LEARNED_WORD_METHOD, Mention, doc_text
from pipeline.extract.lexicon import Entry
from pipeline.extract.model_mentions import before_drug_noun, concept_for_span
from pipeline.extract.word_lists import word_list
from pipeline.extract.normalize import Piece, pieces, text_key

#: the prefix of the concept of a wording the vocabulary has no name for
LEARNED_PREFIX = "LEARNED:"
COLUMNS = ("term", "documents", "occurrences", "annotated", "precision", "effect_share")


def term_key(words: list[Piece]) -> tuple[str, ...]:
    """What a learnt term is matched on: the keys of its words."""
    return tuple(w.key for w in words)


@dataclass(frozen=True)
class LearnedTerm:
    """A wording (its commonest spelling in lower case) annotated in ``documents`` reviews; of
    its ``occurrences`` in the training reviews ``annotated`` were marked as it (``precision``
    is their share), ``effect_share`` of those as an adverse effect rather than the condition."""

    term: str
    documents: int
    occurrences: int
    annotated: int
    precision: float
    effect_share: float


class TermTable:
    """The learnt terms by their keys (:func:`pipeline.extract.normalize.text_key`)."""

    def __init__(self, terms: list[LearnedTerm]) -> None:
        self.terms = sorted(terms, key=lambda t: t.term)
        self.keys = {text_key(t.term): t for t in self.terms}
        self.longest = max((len(key) for key in self.keys), default=0)
        self.first_keys = frozenset(key[0] for key in self.keys)

    def __len__(self) -> int:
        return len(self.terms)

    @classmethod
    def from_tsv(cls, path: Path) -> "TermTable":
        with Path(path).open(encoding="utf-8", newline="") as handle:
            rows = list(csv.DictReader(handle, delimiter="\t"))
        return cls([
            LearnedTerm(r["term"], int(r["documents"]), int(r["occurrences"]), int(r["annotated"]),
                        float(r["precision"]), float(r["effect_share"]))
            for r in rows
        ])

    def to_tsv(self, path: Path) -> None:
        with Path(path).open("w", encoding="utf-8", newline="") as handle:
            writer = csv.writer(handle, delimiter="\t", lineterminator="\n")
            writer.writerow(COLUMNS)
            for t in self.terms:
                writer.writerow([t.term, t.documents, t.occurrences, t.annotated, f"{t.precision:.3f}", f"{t.effect_share:.3f}"])

    def find(self, text: str) -> list[tuple[int, int]]:
        """Character spans of the terms in ``text`` (:func:`longest_matches`)."""
        return longest_matches(text, self.keys.keys(), self.longest, self.first_keys)


def longest_matches(text: str, keys, longest: int, first_keys: Collection[str] | None = None) -> list[tuple[int, int]]:
    """Character spans of the key sequences of ``keys`` (a container of key tuples of at most
    ``longest`` keys; ``first_keys``, their first keys, if known) in ``text``, left to right,
    the longest at each position, none overlapping another or running across a line break."""
    first_keys = {key[0] for key in keys} if first_keys is None else first_keys
    found: list[tuple[int, int]] = []
    offset = 0
    for line in text.split("\n"):
        words = pieces(line, offset)
        word_keys = term_key(words)
        i = 0
        while i < len(words):
            if word_keys[i] not in first_keys:
                i += 1
                continue
            for n in range(min(longest, len(words) - i), 0, -1):
                if word_keys[i : i + n] in keys:
                    found.append((words[i].start, words[i + n - 1].end))
                    i += n
                    break
            else:
                i += 1
        offset += len(line) + 1
    return found


def learned_mentions(doc: Doc, table: TermTable, tables: ConditionTables) -> list[Mention]:
    """``Doc._.mentions`` plus a CONDITION mention for every learnt term in the text that
    overlaps no condition found before, is no excluded term and names no class of drugs ("weight
    loss drug"), with its concept (:func:`term_concept`)."""
    mentions = list(doc._.mentions or [])
    text = doc_text(doc)
    taken = [(m.start, m.end) for m in mentions if m.label != "DOSE"]
    added: list[Mention] = []
    for start, end in table.find(text):
        if any(a < end and start < b for a, b in taken):
            continue
        key = text_key(text[start:end])
        if key in tables.excluded or before_drug_noun(text, end):  # "a weight loss drug": a class of drugs
            continue
        entry, how = concept_for_span(text[start:end], tables.gazetteer, tables.excluded)
        if how == "rejected":
            continue
        concept_id, name = term_concept(table.keys[key], key, entry, tables)
        method = LEARNED_WORD_METHOD if len(key) == 1 else LEARNED_METHOD
        added.append(Mention(start, end, "CONDITION", method, concept_id, name))
    if not added:
        return mentions
    return sorted(mentions + added, key=lambda m: (m.start, m.end, m.label))


#: the words of change a patient puts before what changed ("loss of libido", "more appetite"),
#: by the one the vocabulary writes them with ("Decreased libido", "Increased appetite"), as keys
_CHANGES = tuple(
    (direction, tuple(text_key(wording) for wording in sorted(word_list(name))))
    for direction, name in (("decreased", "decrease_wordings"), ("increased", "increase_wordings"))
)


def _change_entry(key: tuple[str, ...], tables: ConditionTables) -> Entry | None:
    """The vocabulary's name of ``key`` written with the clinician's word of change: "loss of
    libido", "no libido" and "low libido" are "Decreased libido"."""
    for direction, leads in _CHANGES:
        for lead in leads:
            if len(key) > len(lead) and key[: len(lead)] == lead:
                entry = tables.gazetteer.lookup((direction,) + key[len(lead) :])
                if entry is not None:
                    return entry
    return None


def term_concept(term: LearnedTerm, key: tuple[str, ...], entry: Entry | None, tables: ConditionTables) -> tuple[str, str]:
    """The concept of a learnt wording: the vocabulary's for its head words (``entry``), else
    for its word of change (:func:`_change_entry`), else a concept of the table's own,
    ``LEARNED:<wording>``, so that every mention of one wording shares one id."""
    entry = entry or _change_entry(key, tables)
    if entry is not None:
        concept = tables.concepts.get(entry.concept_id)
        return entry.concept_id, concept.name if concept else entry.concept_id
    return LEARNED_PREFIX + re.sub(r"[^a-z0-9]+", "-", term.term.lower()).strip("-"), term.term
