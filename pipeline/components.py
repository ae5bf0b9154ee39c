"""spaCy components of the pipeline, registered with ``@Language.factory``.

Each component is a thin adapter: the work is done by pure functions in :mod:`pipeline.segment`
and :mod:`pipeline.extract`, which is what the tests exercise directly. (This module must not use
``from __future__ import annotations``: spaCy validates factory signatures at run time.)
"""

import numpy as np
from spacy.attrs import IDX, SENT_START
from spacy.language import Language
from spacy.tokens import Doc

from pipeline.extract.conditions import ConditionFinder
from pipeline.extract.context import apply_context
from pipeline.extract.dose_mentions import dose_mentions
from pipeline.extract.mention import doc_text
from pipeline.extract.model_mentions import (
    merge_model_spans,
    propagate_abbreviations,
    resolve_acronyms,
    trim_span,
    widen_short_forms,
)
from pipeline.segment import segment

for _name in ("segments", "mentions"):
    if not Doc.has_extension(_name):
        Doc.set_extension(_name, default=None)


@Language.factory("web_segmenter")
def make_web_segmenter(nlp: Language, name: str) -> "WebSegmenter":
    return WebSegmenter()


class WebSegmenter:
    """Sets ``Doc._.segments`` and sentence starts from :func:`pipeline.segment.segment`."""

    def __call__(self, doc: Doc) -> Doc:
        segments = segment(doc_text(doc))
        doc._.segments = segments
        if len(doc) == 0:
            return doc
        token_starts = doc.to_array(IDX).astype(np.int64)
        sent_starts = np.full((len(doc), 1), -1, dtype=np.int64)
        sent_starts[0] = 1
        first_tokens = np.searchsorted(token_starts, [s.start for s in segments], side="right") - 1
        sent_starts[np.clip(first_tokens, 0, None)] = 1
        # spaCy reads attribute arrays as uint64: -1 (not a start) must be cast, not truncated
        doc.from_array([SENT_START], sent_starts.astype(np.uint64))
        return doc


@Language.factory("model_merger")
def make_model_merger(nlp: Language, name: str) -> "ModelMerger":
    return ModelMerger()


class ModelMerger:
    """Merges the NER model's entities (``Doc.ents``) into ``Doc._.mentions``."""

    def __init__(self) -> None:
        self.finder = ConditionFinder.shared()

    def __call__(self, doc: Doc) -> Doc:
        text = doc_text(doc)
        spans = [span for ent in doc.ents if (span := trim_span(text, ent.start_char, ent.end_char))[0] < span[1]]
        if spans:
            mentions = merge_model_spans(
                text,
                list(doc._.mentions or []),
                spans,
                self.finder.gazetteer,
                self.finder.excluded,
                self.finder.concepts,
            )
            definitions = doc.user_data.get("abbreviations", [])
            mentions = resolve_acronyms(doc, mentions, spans, definitions)
            mentions = propagate_abbreviations(text, mentions, definitions)
            doc._.mentions = widen_short_forms(text, mentions, spans)
        return doc


@Language.factory("condition_finder")
def make_condition_finder(nlp: Language, name: str) -> ConditionFinder:
    return ConditionFinder.shared()


@Language.factory("lexicon_features")
def make_lexicon_features(nlp: Language, name: str) -> "LexiconFeatures":
    return LexiconFeatures()


class LexiconFeatures:
    """Marks the tokens of the vocabulary's condition mentions in ``Token.tag_`` ("B-LEX",
    "I-LEX"; the pipeline has no tagger) so the NER model reads them as a gazetteer feature
    (Ratinov & Roth 2009, "Design challenges and misconceptions in named entity recognition")."""

    def __call__(self, doc: Doc) -> Doc:
        for mention in doc._.mentions or []:
            if mention.label == "DOSE":
                continue
            span = doc.char_span(mention.start, mention.end, alignment_mode="expand")
            for i, token in enumerate(span or ()):
                token.tag_ = "I-LEX" if i else "B-LEX"
        return doc


@Language.factory("dose_finder")
def make_dose_finder(nlp: Language, name: str) -> "DoseFinder":
    return DoseFinder()


class DoseFinder:
    """Adds DOSE mentions (with their structured dose) to ``Doc._.mentions``."""

    def __call__(self, doc: Doc) -> Doc:
        mentions = list(doc._.mentions or [])
        doses = dose_mentions(doc_text(doc), doc._.segments or [], mentions)
        doc._.mentions = sorted(mentions + doses, key=lambda m: (m.start, m.end, m.label))
        return doc


@Language.factory("mention_context")
def make_mention_context(nlp: Language, name: str) -> "MentionContext":
    return MentionContext()


class MentionContext:
    """CONDITION vs ADVERSE_EFFECT, role, negation and hedging for ``Doc._.mentions``."""

    def __call__(self, doc: Doc) -> Doc:
        if doc._.mentions and doc._.segments:
            apply_context(doc_text(doc), doc._.segments, doc._.mentions)
        return doc
