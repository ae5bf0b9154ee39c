"""``condition_finder``, ``model_merger`` and ``lexicon_features``: condition mentions from the
vocabulary and the rules, and from the trained NER model (:mod:`pipeline.extract.conditions`,
:mod:`pipeline.extract.model_mentions`)."""

from functools import lru_cache
from pathlib import Path
from typing import Iterable, Optional

from spacy.language import Language
from spacy.tokens import Doc

import pipeline.document_state  # noqa: F401  (registers the Doc extensions)
from pipeline.components.files import save_files, saved_files, upstream
from pipeline.extract.conditions import ConditionTables, condition_mentions
from pipeline.extract.enumerations import EnumerationSettings, complete_enumerations
from pipeline.extract.mention import PERSONAL_SUFFIX, doc_text
from pipeline.extract.model_mentions import (
    merge_model_spans,
    propagate_abbreviations,
    resolve_acronyms,
    trim_span,
    widen_short_forms,
)
from pipeline.extract.term_lists import LAY_TERMS, NOT_CONDITIONS, STATE_TERMS
from pipeline.vocab import Vocabulary


@Language.factory(
    "condition_finder",
    default_config={"not_conditions": None, "state_terms": None, "lay_terms": None},
    assigns=["doc._.mentions"],
    requires=["doc._.segments"],
)
def make_condition_finder(
    nlp: Language, name: str, not_conditions: Optional[str], state_terms: Optional[str], lay_terms: Optional[str]
) -> "ConditionFinder":
    return ConditionFinder(
        name,
        not_conditions=Path(not_conditions) if not_conditions else NOT_CONDITIONS,
        state_terms=Path(state_terms) if state_terms else STATE_TERMS,
        lay_terms=Path(lay_terms) if lay_terms else LAY_TERMS,
    )


class ConditionFinder:
    """Adds CONDITION mentions (relabelled later by ``mention_context``) to ``Doc._.mentions``:
    vocabulary matches, abbreviations defined in the text and the rules of
    :mod:`pipeline.extract.conditions`.

    Settings (null: the packaged file): ``not_conditions``, terms that are never conditions;
    ``state_terms``, adjectives for states ("pregnant"); ``lay_terms``, consumer words ("gas");
    all in the format of ``extract/data/not_conditions.tsv``. ``to_disk`` copies the three
    files; the gazetteer and the concept names are built from the installed vocabulary and
    those files (and cached on disk, :mod:`pipeline.cache`), as scispaCy's linker refers to its
    knowledge base rather than carrying it."""

    def __init__(
        self,
        name: str = "condition_finder",
        *,
        not_conditions: Path = NOT_CONDITIONS,
        state_terms: Path = STATE_TERMS,
        lay_terms: Path = LAY_TERMS,
    ) -> None:
        self.name = name
        self.files = {"not_conditions": Path(not_conditions), "state_terms": Path(state_terms), "lay_terms": Path(lay_terms)}
        self._tables: Optional[ConditionTables] = None  # read on first use, by initialize or by from_disk

    @property
    def tables(self) -> ConditionTables:
        if self._tables is None:
            self._tables = ConditionTables.load(**self.files)
        return self._tables

    def initialize(
        self, get_examples=None, *, nlp: Optional[Language] = None, vocabulary: Optional[Vocabulary] = None
    ) -> None:
        """Read the tables now: of the installed vocabulary, or of ``vocabulary`` (a
        :class:`pipeline.vocab.Vocabulary`: a small one makes a component to test the rules on)."""
        if vocabulary is None:
            self._tables = ConditionTables.load(**self.files)
        else:
            self._tables = ConditionTables.build(vocabulary, **self.files)

    def __call__(self, doc: Doc) -> Doc:
        doc._.mentions = condition_mentions(doc, self.tables)
        return doc

    def to_disk(self, path: Path, *, exclude: Iterable[str] = ()) -> None:
        save_files(path, self.files)

    def from_disk(self, path: Path, *, exclude: Iterable[str] = ()) -> "ConditionFinder":
        self.files = saved_files(path, self.files)
        self._tables = ConditionTables.load(**self.files)
        return self


def condition_tables_of(nlp: Optional[Language], name: str) -> ConditionTables:
    """The tables of the pipeline's component ``name`` (a ``condition_finder``), or the
    packaged ones when the pipeline has no such component."""
    return upstream(nlp, name, "tables", _packaged_tables)


_packaged_tables = lru_cache(maxsize=1)(ConditionTables.load)


@Language.factory(
    "model_merger",
    # the component whose vocabulary tables it reads (it holds none of its own)
    default_config={"condition_finder": "condition_finder"},
    requires=["doc.ents", "doc._.mentions"], assigns=["doc._.mentions"],
)
class ModelMerger:
    """Merges the NER model's entities (``Doc.ents``) into ``Doc._.mentions`` and gives them
    concepts (:mod:`pipeline.extract.model_mentions`). ``condition_finder``: the component whose
    vocabulary tables it looks names up in (it holds no data of its own)."""

    def __init__(self, nlp: Language, name: str = "model_merger", condition_finder: str = "condition_finder") -> None:
        self.nlp = nlp
        self.name = name
        self.condition_finder = condition_finder

    @property
    def tables(self) -> ConditionTables:
        return condition_tables_of(self.nlp, self.condition_finder)

    def initialize(self, get_examples=None, *, nlp: Optional[Language] = None) -> None:
        self.tables  # noqa: B018  (loads the tables now)

    def __call__(self, doc: Doc) -> Doc:
        text = doc_text(doc)
        spans = [span for ent in doc.ents if (span := trim_span(text, ent.start_char, ent.end_char))[0] < span[1]]
        if spans:
            tables = self.tables
            # an adjective that describes no person (kept later only in first-person texts) takes
            # no part in the merge: it is added back where the model found nothing
            personal = [m for m in doc._.mentions or [] if PERSONAL_SUFFIX in m.method]
            mentions = [m for m in doc._.mentions or [] if PERSONAL_SUFFIX not in m.method]
            mentions = merge_model_spans(text, mentions, spans, tables.gazetteer, tables.excluded, tables.concepts)
            definitions = doc.user_data.get("abbreviations", [])
            mentions = resolve_acronyms(doc, mentions, spans, definitions)
            mentions = propagate_abbreviations(text, mentions, definitions)
            mentions = widen_short_forms(text, mentions, spans)
            taken = [(m.start, m.end) for m in mentions if m.label != "DOSE"]
            free = [m for m in personal if not any(start < m.end and m.start < end for start, end in taken)]
            doc._.mentions = sorted(mentions + free, key=lambda m: (m.start, m.end, m.label)) if free else mentions
        return doc


@Language.factory("lexicon_features", assigns=["token.tag"], requires=["doc._.mentions"])
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


@Language.factory(
    "enumeration_completion",
    default_config={"min_items": 3, "min_known": 2, "min_known_share": 0.4, "max_words": 4},
    requires=["doc._.mentions"], assigns=["doc._.mentions"],
)
def make_enumeration_completion(
    nlp: Language, name: str, min_items: int, min_known: int, min_known_share: float, max_words: int
) -> "EnumerationCompletion":
    return EnumerationCompletion(EnumerationSettings(min_items, min_known, round(min_known_share, 6), max_words))


class EnumerationCompletion:
    """Adds the members of an enumeration of conditions that nothing else found ("fever, chills,
    body aches and swings in blood pressure"), as CONDITION mentions without a concept
    (:mod:`pipeline.extract.enumerations`). Settings: ``min_items`` in the list, ``min_known``
    of them already mentions (and at least half), ``max_words`` in a new member. No data of
    its own to save: the word lists are the package's."""

    def __init__(self, settings: EnumerationSettings = EnumerationSettings()) -> None:
        self.settings = settings

    def __call__(self, doc: Doc) -> Doc:
        doc._.mentions = complete_enumerations(doc_text(doc), list(doc._.mentions or []), self.settings)
        return doc
