"""spaCy components of the pipeline, registered with ``@Language.factory``.

Each component is a thin adapter: the work is done by pure functions in :mod:`pipeline.segment`
and :mod:`pipeline.extract`, which is what the tests exercise directly. (This module must not use
``from __future__ import annotations``: spaCy validates factory signatures at run time.)
"""

from pathlib import Path
from typing import Iterable, Optional

import numpy as np
from spacy.attrs import IDX, SENT_START
from spacy.language import Language
from spacy.tokens import Doc

from pipeline.document_state import DocumentState
from pipeline.extract.attribution import attribute
from pipeline.extract.conditions import ConditionFinder
from pipeline.extract.context import RULES, ContextRules, apply_context
from pipeline.extract.dose_mentions import dose_mentions
from pipeline.extract.links import inside, link_lists, overlaps
from pipeline.extract.mention import Mention, doc_text
from pipeline.extract.normalize import pieces
from pipeline.extract.model_mentions import (
    merge_model_spans,
    propagate_abbreviations,
    resolve_acronyms,
    trim_span,
    widen_short_forms,
)
from pipeline.extract.substance_lexicon import SubstanceLexicon, load_lexicon
from pipeline.extract.span_conventions import (
    GRADING_WORDS,
    drop_allergy_objects,
    drop_not_annotated,
    load_desired_results,
    load_grading_words,
    trim_effects,
)
from pipeline.extract.substances import SubjectSettings, choose_subject, names_before_doses
from pipeline.segment import segment

#: the components that decide from the whole document (:mod:`pipeline.document_state`), in
#: pipeline order; a document processed in pieces runs them once over all pieces
DOCUMENT_COMPONENTS = ("mention_context", "span_conventions", "substance_finder", "substance_attribution")


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


@Language.factory("dose_finder", assigns=["doc._.mentions", "doc._.link_lists"])
def make_dose_finder(nlp: Language, name: str) -> "DoseFinder":
    return DoseFinder()


class DoseFinder:
    """Adds DOSE mentions (with their structured dose) to ``Doc._.mentions``; the page's link
    lists (no doses there) go to ``Doc._.link_lists`` for the substance components."""

    def __call__(self, doc: Doc) -> Doc:
        mentions = list(doc._.mentions or [])
        text = doc_text(doc)
        doc._.link_lists = link_lists(text)
        doses = dose_mentions(text, doc._.segments or [], mentions, doc._.link_lists)
        doc._.mentions = sorted(mentions + doses, key=lambda m: (m.start, m.end, m.label))
        return doc


@Language.factory(
    "mention_context",
    default_config={"rules": None},
    assigns=["doc._.mentions"],
    requires=["doc._.segments"],
)
def make_mention_context(nlp: Language, name: str, rules: Optional[str]) -> "MentionContext":
    return MentionContext(name, Path(rules) if rules else RULES)


class MentionContext:
    """CONDITION vs ADVERSE_EFFECT, role, negation and hedging for ``Doc._.mentions``
    (:mod:`pipeline.extract.context`). ``rules``: a cue table in the format of
    ``extract/data/context_rules.tsv`` (the packaged one by default); it is saved with the
    pipeline by ``nlp.to_disk``."""

    FILE = "context_rules.tsv"

    def __init__(self, name: str = "mention_context", rules: Path = RULES) -> None:
        self.name = name
        self.path = rules
        self._rules: ContextRules | None = None  # read on first use, or set by from_disk

    @property
    def rules(self) -> ContextRules:
        if self._rules is None:
            self._rules = ContextRules.from_tsv(self.path)
        return self._rules

    def __call__(self, doc: Doc) -> Doc:
        return self.process(DocumentState.of(doc)).into(doc)

    def process(self, state: DocumentState) -> DocumentState:
        if state.mentions and state.segments:
            apply_context(state.text, state.segments, state.mentions, self.rules, state.link_lists)
        return state

    def to_disk(self, path: Path, exclude: Iterable[str] = ()) -> None:
        path = Path(path)
        path.mkdir(parents=True, exist_ok=True)
        self.rules.to_tsv(path / self.FILE)

    def from_disk(self, path: Path, exclude: Iterable[str] = ()) -> "MentionContext":
        self._rules = ContextRules.from_tsv(Path(path) / self.FILE)
        return self


@Language.factory(
    "span_conventions",
    default_config={"grading_words": None},
    assigns=["doc._.mentions"],
    requires=["doc._.mentions"],
)
def make_span_conventions(nlp: Language, name: str, grading_words: Optional[str]) -> "SpanConventions":
    return SpanConventions(name, Path(grading_words) if grading_words else GRADING_WORDS)


class SpanConventions:
    """The span conventions that need the label (:mod:`pipeline.extract.span_conventions`):
    frequency and intensity words off the start of ADVERSE_EFFECT spans (vocabulary names kept
    whole), an allergy's object outside its span; runs after ``mention_context``."""

    FILE = "effect_grading_words.tsv"

    def __init__(self, name: str = "span_conventions", grading_words: Path = GRADING_WORDS) -> None:
        self.name = name
        self.path = grading_words
        self._words: frozenset[str] | None = None  # read on first use, or set by from_disk
        self._desired: frozenset[str] | None = None

    @property
    def words(self) -> frozenset[str]:
        if self._words is None:
            self._words = load_grading_words(self.path)
        return self._words

    @property
    def desired_results(self) -> frozenset[str]:
        if self._desired is None:
            self._desired = load_desired_results()
        return self._desired

    def _is_name(self, span_text: str) -> bool:
        return tuple(p.key for p in pieces(span_text)) in ConditionFinder.shared().gazetteer.entries

    def __call__(self, doc: Doc) -> Doc:
        return self.process(DocumentState.of(doc)).into(doc)

    def process(self, state: DocumentState) -> DocumentState:
        if state.mentions:
            trim_effects(state.text, state.mentions, self.words, self._is_name)
            drop_allergy_objects(state.text, state.mentions)
            state.mentions = drop_not_annotated(state.text, state.mentions, self.desired_results)
            state.mentions.sort(key=lambda m: (m.start, m.end, m.label))
        return state

    def to_disk(self, path: Path, exclude: Iterable[str] = ()) -> None:
        path = Path(path)
        path.mkdir(parents=True, exist_ok=True)
        lines = ["word\tnote", *(f"{word}\t" for word in sorted(self.words))]
        (path / self.FILE).write_text("\n".join(lines) + "\n", encoding="utf-8")

    def from_disk(self, path: Path, exclude: Iterable[str] = ()) -> "SpanConventions":
        self._words = load_grading_words(Path(path) / self.FILE)
        return self

@Language.factory(
    "substance_finder",
    default_config={
        "title_weight": 6.0,
        "other_weight": 2.0,
        "heading_weight": 1.0,
        "body_only_min_count": 4,
        "body_only_min_share": 0.6,
        "use_source_name": True,
    },
    assigns=["doc._.mentions", "doc._.subject", "doc._.link_lists"],
)
def make_substance_finder(
    nlp: Language,
    name: str,
    title_weight: float,
    other_weight: float,
    heading_weight: float,
    body_only_min_count: int,
    body_only_min_share: float,
    use_source_name: bool,
) -> "SubstanceFinder":
    settings = SubjectSettings(
        title_weight, other_weight, heading_weight, body_only_min_count, body_only_min_share, use_source_name
    )
    return SubstanceFinder(settings)


class SubstanceFinder:
    """SUBSTANCE mentions (:mod:`pipeline.extract.substances`) and the document's subject
    (``Doc._.subject``). Runs after ``mention_context``: the context rules see only conditions
    and doses. The lexicon is built from the vocabulary on first use; ``to_disk``/``from_disk``
    store it with the pipeline."""

    def __init__(self, settings: SubjectSettings = SubjectSettings()) -> None:
        self.settings = settings
        self._lexicon: SubstanceLexicon | None = None

    @property
    def lexicon(self) -> SubstanceLexicon:
        if self._lexicon is None:
            self._lexicon = load_lexicon()
        return self._lexicon

    def initialize(self, get_examples=None, *, nlp: Language | None = None) -> None:
        self._lexicon = load_lexicon()

    def __call__(self, doc: Doc) -> Doc:
        return self.process(DocumentState.of(doc)).into(doc)

    def process(self, state: DocumentState) -> DocumentState:
        text, segments, mentions = state.text, state.segments, state.mentions
        furniture = state.link_lists if state.link_lists is not None else link_lists(text)
        state.link_lists = furniture
        taken = sorted((m.start, m.end) for m in mentions if m.label in ("CONDITION", "ADVERSE_EFFECT"))
        found = [f for s in segments for f in self.lexicon.find(text, s.start, s.end) if not overlaps(taken, f.start, f.end)]
        subject, extra = choose_subject(
            text, segments, found, self.lexicon, state.title, state.source, self.settings, taken
        )
        found = found + [f for f in extra if not overlaps(taken, f.start, f.end)]
        doses = [m.start for m in mentions if m.label == "DOSE" and not inside(furniture, m.start)]
        found += names_before_doses(text, doses, found, taken)
        state.subject = subject
        added = [
            Mention(
                start=f.start,
                end=f.end,
                label="SUBSTANCE",
                method=f.method,
                concept_id=f.substance.concept_id,
                concept_name=f.substance.name,
            )
            for f in found
        ]
        state.mentions = sorted(mentions + added, key=lambda m: (m.start, m.end, m.label))
        return state

    def to_bytes(self, *, exclude=tuple()) -> bytes:
        return self.lexicon.to_bytes()

    def from_bytes(self, data: bytes, *, exclude=tuple()) -> "SubstanceFinder":
        self._lexicon = SubstanceLexicon.from_bytes(data)
        return self

    def to_disk(self, path, *, exclude=tuple()) -> None:
        from pathlib import Path

        path = Path(path)
        path.mkdir(parents=True, exist_ok=True)
        (path / "lexicon.msgpack").write_bytes(self.to_bytes())

    def from_disk(self, path, *, exclude=tuple()) -> "SubstanceFinder":
        from pathlib import Path

        return self.from_bytes((Path(path) / "lexicon.msgpack").read_bytes())


@Language.factory("substance_attribution", assigns=["doc._.mentions"])
def make_substance_attribution(nlp: Language, name: str) -> "SubstanceAttribution":
    return SubstanceAttribution()


class SubstanceAttribution:
    """``substance_id``/``substance_name`` on every mention: the subject unless the text ties
    the statement to another substance (:mod:`pipeline.extract.attribution`)."""

    def __call__(self, doc: Doc) -> Doc:
        return self.process(DocumentState.of(doc)).into(doc)

    def process(self, state: DocumentState) -> DocumentState:
        if state.mentions:
            furniture = state.link_lists if state.link_lists is not None else link_lists(state.text)
            attribute(state.text, state.segments, state.mentions, state.subject, furniture, load_lexicon().counter_ions)
        return state
