"""Merge the sources into one term table and cache it on disk, keyed by a version string.

Merging rules (one concept per meaning, one concept per surface form):

1. Entries of ``data/excluded_terms.tsv`` are removed from every vocabulary.
2. An ICD-10-CM term whose normalised text (see :func:`model.normalize_key`) equals an HPO name
   or EXACT synonym is moved onto that HPO concept. When it is the code's own (cleaned)
   description, the code becomes an ``ICD10CM:`` xref of the HPO concept and the code's other
   terms follow (E87.6 "Hypokalemia" takes "Potassium deficiency" along), so a code is never
   both an xref and a concept. A match through an inclusion term only moves that surface form:
   inclusion terms are often broader or narrower than their code (N08 "Glomerular disorders"
   includes "Nephritis" and "Nephropathy"), so they make no xref. HPO is the primary vocabulary;
   ICD-10-CM only adds what HPO does not name.
3. Curated rows are added (new ``CURATED:`` concepts are created on the fly).
4. MeSH (a fallback vocabulary, :mod:`.mesh`) follows rule 2 against the condition terms so
   far: a descriptor whose heading is already a term there, or whose entry terms known there
   (two or more) all name one concept, is that concept (the descriptor becomes a ``MESHTREE:``
   xref and its entry terms follow: "cephalalgia" goes with "Headache" to HPO); otherwise an
   entry term that is already a term elsewhere moves alone, and the rest stay with the
   ``MESHTREE:`` concept. MeSH terms keep their ``mesh:`` source, so the matcher can keep them
   to their fallback role.
5. Texts that still name more than one concept keep one, chosen by: curated row first, then
   anything but a MeSH term, then anything but an HPO RELATED synonym, then a term that is its
   concept's preferred name, then vocabulary (HPO, ICD10CM, CURATED, MESH, DRUGBANK,
   MEDLINEPLUS), then the
   smaller concept id.
6. Concepts left without terms are dropped.

The result is pickled under ``<cache root>/vocab/`` with an atomic write (temp file +
``os.replace``). The cache root is the ``cache_dir`` argument, else ``$PIPELINE_CACHE_DIR``, else
``platformdirs.user_cache_dir("drug-text-pipeline")``. The file name carries a hash of
:func:`vocabulary_version`, which changes with any package release or data-file edit, and with
any edit of the code that builds it (a hash of ``pipeline/vocab/*.py``).
"""

from __future__ import annotations

import gc
import hashlib
import logging
import os
import pickle
import tempfile
from collections import defaultdict
from functools import lru_cache
from pathlib import Path

from pipeline.cache import CACHE_ENV, cache_root  # noqa: F401 (CACHE_ENV named here for callers)

from . import curated, drugs, hpo, icd10cm, mesh
from .model import CONDITION, Concept, SourceTable, Term, Vocabulary, normalize_key

logger = logging.getLogger(__name__)

#: the code that builds the vocabulary: an edit of any of these files is a new vocabulary
BUILDER_FILES = tuple(sorted(Path(__file__).parent.glob("*.py")))
CACHE_SUBDIR = "vocab"

_VOCABULARY_RANK = {"HPO": 0, "ICD10CM": 1, "CURATED": 2, "MESH": 3, "DRUGBANK": 4, "MEDLINEPLUS": 5}
_SOURCE_RANK = {
    curated.SOURCE: 0,
    hpo.SOURCE_NAME: 1,
    hpo.SOURCE_SYNONYM: 2,
    icd10cm.SOURCE_DESCRIPTION: 3,
    icd10cm.SOURCE_INCLUSION: 4,
    hpo.SOURCE_RELATED: 5,
    mesh.SOURCE_HEADING: 6,
    mesh.SOURCE_ENTRY: 7,
    drugs.SOURCE: 8,
}


def vocabulary_version() -> str:
    """Cheap identity of the vocabulary that :func:`load_vocabulary` would return.

    Reads package versions, the HPO release from the OBO header and a hash of the curated data
    files; never builds anything.
    """
    return (
        f"hpo={hpo.hpo_release()};icd10cm={icd10cm.icd10cm_version()};drugs={drugs.drugs_version()};"
        f"mesh={mesh.mesh_version()};"
        f"curated={curated.data_fingerprint()};builder={curated.data_fingerprint(BUILDER_FILES)}"
    )


def default_cache_root() -> Path:
    return cache_root()


def cache_path(cache_root: Path, version: str) -> Path:
    digest = hashlib.sha256(version.encode()).hexdigest()[:16]
    return cache_root / CACHE_SUBDIR / f"vocabulary-{digest}.pkl"


def _term_rank(term: Term, concepts: dict[str, Concept]) -> tuple:
    concept = concepts[term.concept_id]
    return (
        term.source != curated.SOURCE,
        is_fallback(term),
        term.source == hpo.SOURCE_RELATED,
        term.text.casefold() != concept.name.casefold(),
        _VOCABULARY_RANK[concept.vocabulary],
        term.concept_id,
        _SOURCE_RANK[term.source],
        term.text,
    )


def merge_sources(
    hpo_table: SourceTable,
    icd_table: SourceTable,
    mesh_table: SourceTable,
    drug_table: SourceTable,
    curated_rows: list[curated.CuratedTerm],
    excluded_rows: list[curated.ExcludedTerm],
) -> tuple[dict[str, Concept], list[Term]]:
    """Apply the merging rules of this module; returns (concepts, terms) in table order."""
    excluded = {normalize_key(row.term) for row in excluded_rows}
    concepts: dict[str, Concept] = {
        **hpo_table.concepts,
        **icd_table.concepts,
        **mesh_table.concepts,
        **drug_table.concepts,
    }

    def kept(terms: list[Term]) -> list[Term]:
        return [term for term in terms if normalize_key(term.text) and normalize_key(term.text) not in excluded]

    hpo_terms = kept(hpo_table.terms)
    hpo_by_key = _equivalents_by_key(hpo_terms, concepts)

    candidates: list[Term] = list(hpo_terms)
    icd_xrefs: dict[str, set[str]] = defaultdict(set)
    for term in kept(icd_table.terms):
        same_code = hpo_by_key.get(normalize_key(concepts[term.concept_id].name))
        if same_code is not None:  # the code's own name is an HPO term: the code is that concept
            icd_xrefs[same_code.concept_id].add(term.concept_id)
        target = hpo_by_key.get(normalize_key(term.text)) or same_code
        if target is None:
            candidates.append(term)
        else:
            candidates.append(Term(text=term.text, concept_id=target.concept_id, source=term.source))
    candidates.extend(kept(drug_table.terms))

    for row in curated_rows:
        if row.concept_id not in concepts:
            if not row.concept_id.startswith(curated.CURATED_PREFIX):
                raise ValueError(f"curated term {row.term!r} points to unknown concept {row.concept_id}")
            concepts[row.concept_id] = Concept(row.concept_id, row.term, "CURATED", CONDITION, ())
        candidates.append(Term(text=row.term, concept_id=row.concept_id, source=curated.SOURCE))
    mesh_xrefs = _attach_fallback(kept(mesh_table.terms), candidates, concepts)

    for concept_id, codes in [*icd_xrefs.items(), *mesh_xrefs.items()]:
        concept = concepts[concept_id]
        xrefs = tuple(sorted(set(concept.xrefs) | codes))
        concepts[concept_id] = Concept(concept_id, concept.name, concept.vocabulary, concept.kind, xrefs)

    by_key: dict[str, list[Term]] = defaultdict(list)
    for term in candidates:
        by_key[normalize_key(term.text)].append(term)
    chosen: dict[tuple[str, str], Term] = {}
    for group in by_key.values():
        group.sort(key=lambda t: _term_rank(t, concepts))
        winner = group[0].concept_id
        for term in group:
            if term.concept_id == winner:
                chosen.setdefault((term.text.casefold(), winner), term)

    used = {term.concept_id for term in chosen.values()}
    ordered_concepts = sorted(used, key=lambda cid: (_VOCABULARY_RANK[concepts[cid].vocabulary], cid))
    final_concepts = {cid: concepts[cid] for cid in ordered_concepts}
    position = {cid: index for index, cid in enumerate(ordered_concepts)}
    terms = sorted(chosen.values(), key=lambda t: (position[t.concept_id], _SOURCE_RANK[t.source], t.text))
    return final_concepts, terms


def _equivalents_by_key(terms: list[Term], concepts: dict[str, Concept]) -> dict[str, Term]:
    """Normalised text -> the best-ranked condition term with that text. HPO RELATED synonyms
    are left out: they are not equivalents, so they never attract another vocabulary's codes."""
    by_key: dict[str, Term] = {}
    for term in sorted(terms, key=lambda t: _term_rank(t, concepts)):
        if term.source != hpo.SOURCE_RELATED and concepts[term.concept_id].kind == CONDITION:
            by_key.setdefault(normalize_key(term.text), term)
    return by_key


def is_fallback(term: Term) -> bool:
    """A term of the fallback vocabulary (MeSH), matched only where no other term matches."""
    return term.source in (mesh.SOURCE_HEADING, mesh.SOURCE_ENTRY)


def _attach_fallback(
    fallback_terms: list[Term], candidates: list[Term], concepts: dict[str, Concept]
) -> dict[str, set[str]]:
    """Rule 4: add MeSH terms to ``candidates``, on an HPO / ICD-10-CM / curated concept when
    the descriptor's heading (or else all its known entry terms, two or more), or else the term
    itself, is already one of its terms. Returns the ``MESHTREE:`` xrefs to add per concept."""
    known = {key: term.concept_id for key, term in _equivalents_by_key(candidates, concepts).items()}
    by_descriptor: dict[str, list[Term]] = defaultdict(list)
    for term in fallback_terms:
        by_descriptor[term.concept_id].append(term)
    xrefs: dict[str, set[str]] = defaultdict(set)
    for descriptor, terms in by_descriptor.items():
        target = known.get(normalize_key(concepts[descriptor].name))
        if target is None:  # two or more entry terms known elsewhere, all naming one concept
            known_keys = {key for key in (normalize_key(t.text) for t in terms) if key in known}
            named = {known[key] for key in known_keys}
            target = named.pop() if len(named) == 1 and len(known_keys) >= 2 else None
        if target is not None:
            xrefs[target].add(descriptor)
        for term in terms:
            concept_id = target or known.get(normalize_key(term.text), descriptor)
            candidates.append(Term(text=term.text, concept_id=concept_id, source=term.source))
    return xrefs


def build_vocabulary(version: str | None = None) -> Vocabulary:
    """Build the merged vocabulary from the installed packages and data files (a few seconds)."""
    concepts, terms = merge_sources(
        hpo.load_hpo(),
        icd10cm.load_icd10cm(),
        mesh.load_mesh(),
        drugs.load_drugs(),
        curated.load_curated_terms(),
        curated.load_excluded_terms(),
    )
    return Vocabulary(version=version or vocabulary_version(), concepts=concepts, terms=terms)


def _to_payload(vocabulary: Vocabulary) -> dict:
    return {
        "version": vocabulary.version,
        "concepts": [
            (c.concept_id, c.name, c.vocabulary, c.kind, c.xrefs) for c in vocabulary.concepts.values()
        ],
        "terms": [(t.text, t.concept_id, t.source) for t in vocabulary.terms],
    }


def _from_payload(payload: dict) -> Vocabulary:
    gc_was_enabled = gc.isenabled()
    gc.disable()  # ~150k small objects: generational GC passes would double the load time
    try:
        concepts = {row[0]: Concept(*row) for row in payload["concepts"]}
        terms = [Term(*row) for row in payload["terms"]]
    finally:
        if gc_was_enabled:
            gc.enable()
    return Vocabulary(version=payload["version"], concepts=concepts, terms=terms)


def write_cache(vocabulary: Vocabulary, path: Path) -> None:
    """Pickle ``vocabulary`` to ``path`` atomically."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle = tempfile.NamedTemporaryFile(dir=path.parent, prefix=path.name + ".", suffix=".tmp", delete=False)
    try:
        with handle:
            pickle.dump(_to_payload(vocabulary), handle, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(handle.name, path)
    except BaseException:
        Path(handle.name).unlink(missing_ok=True)
        raise


def read_cache(path: Path, version: str) -> Vocabulary | None:
    """The cached vocabulary at ``path`` if it exists, is readable and has ``version``."""
    try:
        with open(path, "rb") as handle:
            payload = pickle.load(handle)
    except FileNotFoundError:
        return None
    except Exception as error:  # a truncated or foreign file: rebuild
        logger.warning("ignoring unreadable vocabulary cache %s: %s", path, error)
        return None
    if not isinstance(payload, dict) or payload.get("version") != version:
        return None
    return _from_payload(payload)


@lru_cache(maxsize=4)
def _load(cache_root: str, version: str) -> Vocabulary:
    path = cache_path(Path(cache_root), version)
    vocabulary = read_cache(path, version)
    if vocabulary is None:
        logger.info("building vocabulary %s", version)
        vocabulary = build_vocabulary(version)
        try:
            write_cache(vocabulary, path)
        except OSError as error:
            logger.warning("could not write vocabulary cache %s: %s", path, error)
    return vocabulary


def load_vocabulary(cache_dir: Path | None = None) -> Vocabulary:
    """The merged vocabulary: memoised in-process, cached on disk, built on first use."""
    root = Path(cache_dir).expanduser() if cache_dir is not None else default_cache_root()
    return _load(str(root.resolve()), vocabulary_version())
