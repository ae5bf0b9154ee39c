"""spaCy components of the pipeline, registered with ``@Language.factory``.

Each component is a thin adapter in the manner of spaCy's own (``span_ruler``) and scispaCy's
(``abbreviation_detector``): its data files and thresholds are config settings
(``default_config``), it says what it reads and writes (``requires``, ``assigns``), its tables
are read on first use or by ``initialize()``, and a component that holds data writes it with
``nlp.to_disk`` and reads it back in ``spacy.load``. The rules themselves are pure functions in
:mod:`pipeline.segment` and :mod:`pipeline.extract`. The whole pipeline is described by
``pipeline/config.cfg`` (:mod:`pipeline.nlp` assembles it).

A component that looks up another one's tables names it in its config (``condition_finder``,
``substance_finder``), as spaCy's listeners name their ``tok2vec``: a pipeline loaded from disk
then shares one copy, and a pipeline without that component uses the packaged tables.

(These modules must not use ``from __future__ import annotations``: spaCy validates factory
signatures at run time.)
"""

from pipeline.components import tokenizer  # noqa: F401  (registers the tokenizer)
from pipeline.components.conditions import ConditionFinder, LexiconFeatures, ModelMerger
from pipeline.components.context import MentionContext, SpanConventions
from pipeline.components.doses import DoseFinder
from pipeline.components.indications import IndicationPrior
from pipeline.components.learned_terms import LearnedTermFinder
from pipeline.components.segmenter import WebSegmenter
from pipeline.components.substances import SubstanceAttribution, SubstanceFinder

__all__ = [
    "ConditionFinder",
    "DoseFinder",
    "IndicationPrior",
    "LearnedTermFinder",
    "LexiconFeatures",
    "MentionContext",
    "ModelMerger",
    "SpanConventions",
    "SubstanceAttribution",
    "SubstanceFinder",
    "WebSegmenter",
    "DOCUMENT_COMPONENTS",
]

#: the components that decide from the whole document (:mod:`pipeline.document_state`), in
#: pipeline order; a document processed in pieces runs them once over all pieces
DOCUMENT_COMPONENTS = (
    "mention_context", "span_conventions", "substance_finder", "substance_attribution", "indication_prior",
)
