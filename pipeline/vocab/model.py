"""The term table's data model: concepts, surface terms and the vocabulary that holds them.

A *concept* is one meaning with a stable id from an open vocabulary (HPO, ICD-10-CM, MeSH,
DrugBank) or, for lay wording no vocabulary covers, a ``CURATED:`` id. A *term* is one surface
form that a phrase matcher looks for and the concept it stands for. ``normalize_key`` defines
when two surface forms count as the same text: case-, punctuation- and possessive-insensitive,
so "Alzheimer's disease" and "Alzheimer disease" collide and must name one concept.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

CONDITION = "condition"
DRUG = "drug"
KINDS = (CONDITION, DRUG)

VOCABULARIES = ("HPO", "ICD10CM", "MESH", "DRUGBANK", "MEDLINEPLUS", "CURATED")
#: MeSH concepts are keyed by tree number ("MESHTREE:C18.452.950.932"): the packages' MeSH ids
#: are unreliable (see :mod:`pipeline.vocab.mesh`).
MESH_TREE_PREFIX = "MESHTREE:"
#: Drugs known only by their MedlinePlus monograph id ("MEDLINEPLUS:a608013", OnabotulinumtoxinA).
MEDLINE_PLUS_PREFIX = "MEDLINEPLUS:"

_POSSESSIVE_RE = re.compile(r"(?<=\w)['\u2019]s\b")
_NON_WORD_RE = re.compile(r"[\W_]+")


@dataclass(frozen=True)
class Concept:
    concept_id: str  # "HP:0002315"
    name: str  # preferred name, e.g. "Headache"
    vocabulary: str  # "HPO" | "ICD10CM" | "MESH" | "DRUGBANK" | "CURATED"
    kind: str  # "condition" | "drug"
    xrefs: tuple[str, ...]  # sorted, e.g. ("MEDDRA:10019211", "SNOMEDCT_US:25064002", "UMLS:C0018681")


@dataclass(frozen=True)
class Term:
    text: str  # surface form as written in the vocabulary (cleaned)
    concept_id: str
    source: str  # "hpo:name" | "hpo:synonym" | "hpo:related" | "icd10cm:description" | "icd10cm:inclusion"
    #             | "mesh:heading" | "mesh:entry" | "drug" | "curated"


@dataclass
class SourceTable:
    """What one vocabulary contributes before merging: its concepts and candidate terms."""

    concepts: dict[str, Concept] = field(default_factory=dict)
    terms: list[Term] = field(default_factory=list)


@dataclass
class Vocabulary:
    """The merged term table. Treat it as read-only: loads are memoised and shared."""

    version: str
    concepts: dict[str, Concept]
    terms: list[Term]

    def terms_of_kind(self, kind: str) -> list[Term]:
        """Terms whose concept has ``kind`` ("condition" or "drug"), in table order."""
        if kind not in KINDS:
            raise ValueError(f"unknown kind {kind!r}; expected one of {KINDS}")
        concepts = self.concepts
        return [term for term in self.terms if concepts[term.concept_id].kind == kind]


def normalize_key(text: str) -> str:
    """The comparison key of a surface form.

    Lower-cased, accents folded, possessive "'s" dropped, and every run of punctuation or
    whitespace collapsed to one space: "Alzheimer's disease" -> "alzheimer disease",
    "Gastro-esophageal reflux" -> "gastro esophageal reflux".
    """
    text = unicodedata.normalize("NFKD", text)
    text = "".join(char for char in text if not unicodedata.combining(char))
    text = _POSSESSIVE_RE.sub("", text.lower())
    return _NON_WORD_RE.sub(" ", text).strip()
