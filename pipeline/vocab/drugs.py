"""Drug concepts and names from the dictionary of the ``drug-named-entity-recognition`` package.

Source: ``drug_ner_dictionary.pkl.bz2`` shipped in ``drug_named_entity_recognition`` (Fast Data
Science, MIT licence), compiled from MeSH, DrugBank, Wikipedia, MedlinePlus and the NHS. It maps
lower-cased name variants (generic, brand, misspelling) to a canonical drug whose record holds a
display name and MeSH / DrugBank ids. We read the pickle directly: importing the package loads the
same file and also sets up network helpers (PubChem, OMOP) that this pipeline does not use.

Rules:

* concept id ``DRUGBANK:<id>`` when the drug has one, else ``MESHTREE:<tree number>`` (its first
  MeSH tree number), else ``MEDLINEPLUS:<id>`` (the MedlinePlus drug monograph: newer biologics
  such as OnabotulinumtoxinA, brand Botox, have no DrugBank or MeSH id in the package). The record's ``mesh_id`` field is not used: it holds the id of another
  descriptor, mostly a pharmacological action, not the drug's own (Aspirin and Acetaminophen
  both carry D058633, Antipyretics; Ibuprofen D018712, Analgesics, Non-Narcotic), so keying
  concepts on it merged unrelated drugs into one. Records with none of the three are skipped,
  since they cannot be linked to anything;
* a biologic named with the FDA's four-letter distinguishing suffix ("Erenumab-aooe", brand
  Aimovig; FDA guidance "Nonproprietary Naming of Biological Products", 2017) is the concept of
  its core name when the dictionary knows that name ("erenumab", DB14039): the suffix only tells
  manufacturers apart;
* MeSH-only records whose every tree number lies in D08 (enzymes), D12 (amino acids, peptides,
  proteins), D13 (nucleic acids) or D23 (biological factors) are skipped: those branches are
  mostly endogenous molecules and lab reagents ("janus kinase 2", "mrna", "vegf"), not drugs.
  Records with a DrugBank id are always kept, so protein drugs (antibodies, insulins) stay;
* the package's own stop-word list (general words, company and country names) removes variants,
  and so do MeSH entry terms carrying coding jargon ("gelatin, unspecified");
* a fixed-dose combination the package names by its ingredients but gives no id of its own
  ("diclofenac/misoprostol", brand Arthrotec; "fluticasone and salmeterol", brand Advair) is
  the concept ``<id>+<id>`` of its ingredients, in the order named, when each ingredient is a
  drug with an id (the ``+`` convention of RxNorm's multi-ingredient names): its brands then
  name a known concept whose uses are those of its ingredients, not a ``LOCAL:`` name.
"""

from __future__ import annotations

import bz2
import importlib.util
import pickle
import re
from functools import lru_cache
from importlib.metadata import version
from pathlib import Path
from typing import Any

from . import packages
from .model import DRUG, MEDLINE_PLUS_PREFIX, MESH_TREE_PREFIX, Concept, SourceTable, Term

SOURCE = "drug"
DISTRIBUTION = "drug-named-entity-recognition"
MODULE = "drug_named_entity_recognition"
_NON_DRUG_MESH_BRANCHES = ("D08", "D12", "D13", "D23")
_CODING_JARGON_RE = re.compile(r"\bunspecified\b|\bNOS\b", re.IGNORECASE)
#: "erenumab-aooe": a core name and the FDA's four-letter suffix for biologics
_FDA_SUFFIX_RE = re.compile(r"^(?P<core>[a-z]{4,})-[a-z]{4}$")
#: between the ingredients of a combination's name ("diclofenac/misoprostol", "naltrexone and bupropion")
_INGREDIENT_SEPARATOR_RE = re.compile(r"\s*/\s*|\s+and\s+")
#: joins the ingredient ids of a combination ("DRUGBANK:DB00586+DRUGBANK:DB00929")
COMBINATION_JOINER = "+"


def package_dir() -> Path:
    """Folder of the installed package, found without importing it."""
    return packages.package_dir(MODULE)


def drugs_version() -> str:
    return version(DISTRIBUTION)


def _load_dictionary() -> dict[str, Any]:
    with bz2.open(package_dir() / "drug_ner_dictionary.pkl.bz2", "rb") as handle:
        return pickle.load(handle)


@lru_cache(maxsize=1)
def package_stopwords() -> frozenset[str]:
    """The package's ``util.stopwords`` set, loaded from its file without the package __init__."""
    path = package_dir() / "util.py"
    spec = importlib.util.spec_from_file_location("_drug_ner_util", path)
    if spec is None or spec.loader is None:
        return frozenset()
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return frozenset(getattr(module, "stopwords", ()))


def _concept_id(record: dict[str, Any]) -> tuple[str, str] | None:
    """(concept id, vocabulary) of a drug record, or None."""
    drugbank_id = record.get("drugbank_id")
    if drugbank_id:
        return f"DRUGBANK:{drugbank_id}", "DRUGBANK"
    trees = sorted(record.get("mesh_tree") or [])
    if trees:
        return f"{MESH_TREE_PREFIX}{trees[0]}", "MESH"
    medline_plus_id = record.get("medline_plus_id")
    if medline_plus_id:
        return f"{MEDLINE_PLUS_PREFIX}{medline_plus_id}", "MEDLINEPLUS"
    return None


def _core_name_id(
    canonical: str, variant_to_canonical: dict[str, list[str]], canonical_to_data: dict[str, dict[str, Any]]
) -> tuple[str, str] | None:
    """The concept of a suffixed biologic's core name ("erenumab-aooe" -> erenumab), if known
    with a DrugBank or MeSH id."""
    suffixed = _FDA_SUFFIX_RE.match(canonical)
    if suffixed is None:
        return None
    for core in variant_to_canonical.get(suffixed["core"], []):
        record = canonical_to_data.get(core)
        if record and (record.get("drugbank_id") or record.get("mesh_tree")):
            return _concept_id(record)
    return None


def _combination_id(canonical: str, variant_to_canonical: dict[str, list[str]], canonical_ids: dict[str, str]) -> str | None:
    """``<id>+<id>`` of a combination named by two or more ingredients that each name exactly
    one drug with an id; None otherwise ("novo nordisk a/s compound" names no ingredients)."""
    parts = [part for part in _INGREDIENT_SEPARATOR_RE.split(canonical) if part]
    if len(parts) < 2:
        return None
    ids: list[str] = []
    for part in parts:
        found = {canonical_ids[c] for c in variant_to_canonical.get(part, ()) if c in canonical_ids}
        if len(found) != 1:
            return None
        ids.append(found.pop())
    if len(set(ids)) != len(ids):
        return None
    return COMBINATION_JOINER.join(ids)


def ingredients(concept_id: str) -> tuple[str, ...]:
    """The ingredient ids of a combination concept (the id itself for a single drug)."""
    return tuple(concept_id.split(COMBINATION_JOINER))


def _display_name(record: dict[str, Any], canonical: str) -> str:
    """The record's name with its whitespace collapsed, else the canonical key."""
    return " ".join(str(record.get("name") or canonical).split())


def _is_drug_record(record: dict[str, Any]) -> bool:
    if record.get("drugbank_id"):
        return True
    trees = record.get("mesh_tree") or []
    return not trees or not all(tree.startswith(_NON_DRUG_MESH_BRANCHES) for tree in trees)


def load_drugs() -> SourceTable:
    """Drug concepts keyed by DrugBank id or MeSH tree number, with canonical names and name
    variants."""
    data = _load_dictionary()
    canonical_to_data: dict[str, dict[str, Any]] = data["drug_canonical_to_data"]
    variant_to_canonical: dict[str, list[str]] = data["drug_variant_to_canonical"]
    stopwords = package_stopwords()

    table = SourceTable()
    canonical_ids: dict[str, str] = {}
    for canonical in sorted(canonical_to_data):
        record = canonical_to_data[canonical]
        if not _is_drug_record(record):
            continue
        ids = _core_name_id(canonical, variant_to_canonical, canonical_to_data) or _concept_id(record)
        if ids is None:
            continue
        concept_id, vocabulary = ids
        canonical_ids[canonical] = concept_id
        if concept_id not in table.concepts:
            table.concepts[concept_id] = Concept(concept_id, _display_name(record, canonical), vocabulary, DRUG, ())

    for canonical in sorted(canonical_to_data):
        if canonical in canonical_ids:
            continue
        combination = _combination_id(canonical, variant_to_canonical, canonical_ids)
        if combination is not None:
            canonical_ids[canonical] = combination
            if combination not in table.concepts:
                # the vocabulary of its first ingredient, whose concept the loop above added
                vocabulary = table.concepts[ingredients(combination)[0]].vocabulary
                name = _display_name(canonical_to_data[canonical], canonical)
                table.concepts[combination] = Concept(combination, name, vocabulary, DRUG, ())

    seen: set[tuple[str, str]] = set()

    def add(text: str, concept_id: str) -> None:
        text = " ".join(text.split())
        lowered = text.lower()
        if len(text) < 3 or lowered in stopwords or not any(char.isalpha() for char in text):
            return
        if _CODING_JARGON_RE.search(text):  # MeSH entry terms such as "gelatin, unspecified"
            return
        if (lowered, concept_id) in seen:
            return
        seen.add((lowered, concept_id))
        table.terms.append(Term(text=text, concept_id=concept_id, source=SOURCE))

    for concept_id, concept in table.concepts.items():
        add(concept.name, concept_id)
    for variant in sorted(variant_to_canonical):
        for canonical in variant_to_canonical[variant]:
            concept_id = canonical_ids.get(canonical)
            if concept_id is not None:
                add(variant, concept_id)
    return table
