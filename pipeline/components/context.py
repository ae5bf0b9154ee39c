"""``mention_context`` and ``span_conventions``: CONDITION vs ADVERSE_EFFECT, role, negation and
hedging, then the span conventions that need the label (:mod:`pipeline.extract.context`,
:mod:`pipeline.extract.span_conventions`). Both decide from the whole document
(:class:`pipeline.document_state.DocumentState`)."""

from pathlib import Path
from typing import Callable, Iterable, Optional

from spacy.language import Language
from spacy.tokens import Doc

from pipeline.components.conditions import condition_tables_of
from pipeline.components.files import FileTables
from pipeline.document_state import DocumentState
from pipeline.extract.context import RULES, ContextRules, apply_context
from pipeline.extract.normalize import pieces
from pipeline.extract.span_conventions import (
    DESIRED_RESULTS,
    GRADING_WORDS,
    drop_allergy_objects,
    drop_not_annotated,
    load_desired_results,
    load_grading_words,
    trim_effects,
)


@Language.factory(
    "mention_context",
    default_config={"rules": None},
    assigns=["doc._.mentions"],
    requires=["doc._.segments", "doc._.mentions"],
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
        self._rules: Optional[ContextRules] = None  # read on first use, by initialize or by from_disk

    @property
    def rules(self) -> ContextRules:
        if self._rules is None:
            self._rules = ContextRules.from_tsv(self.path)
        return self._rules

    def initialize(self, get_examples=None, *, nlp: Optional[Language] = None) -> None:
        self._rules = ContextRules.from_tsv(self.path)

    def __call__(self, doc: Doc) -> Doc:
        return self.process(DocumentState.of(doc)).into(doc)

    def process(self, state: DocumentState) -> DocumentState:
        if state.mentions and state.segments:
            apply_context(state.text, state.segments, state.mentions, self.rules, state.link_lists)
        return state

    def to_disk(self, path: Path, *, exclude: Iterable[str] = ()) -> None:
        path = Path(path)
        path.mkdir(parents=True, exist_ok=True)
        self.rules.to_tsv(path / self.FILE)

    def from_disk(self, path: Path, *, exclude: Iterable[str] = ()) -> "MentionContext":
        self._rules = ContextRules.from_tsv(Path(path) / self.FILE)
        return self


@Language.factory(
    "span_conventions",
    default_config={"grading_words": None, "desired_results": None, "condition_finder": "condition_finder"},
    assigns=["doc._.mentions"],
    requires=["doc._.mentions"],
)
def make_span_conventions(
    nlp: Language, name: str, grading_words: Optional[str], desired_results: Optional[str], condition_finder: str
) -> "SpanConventions":
    return SpanConventions(
        nlp,
        name,
        grading_words=Path(grading_words) if grading_words else GRADING_WORDS,
        desired_results=Path(desired_results) if desired_results else DESIRED_RESULTS,
        condition_finder=condition_finder,
    )


class SpanConventions(FileTables):
    """The span conventions that need the label (:mod:`pipeline.extract.span_conventions`):
    frequency and intensity words off the start of ADVERSE_EFFECT spans (vocabulary names kept
    whole), an allergy's object outside its span, the condition words Convention 7 leaves out;
    runs after ``mention_context``.

    Settings: ``grading_words`` (``extract/data/effect_grading_words.tsv``) and
    ``desired_results`` (``extract/data/desired_results.tsv``), saved with the pipeline by
    ``nlp.to_disk``; ``condition_finder``, the component whose vocabulary tells a name."""

    readers = {"grading_words": load_grading_words, "desired_results": load_desired_results}

    def __init__(
        self,
        nlp: Optional[Language] = None,
        name: str = "span_conventions",
        *,
        grading_words: Path = GRADING_WORDS,
        desired_results: Path = DESIRED_RESULTS,
        condition_finder: str = "condition_finder",
    ) -> None:
        self.nlp = nlp
        self.name = name
        self.files = {"grading_words": Path(grading_words), "desired_results": Path(desired_results)}
        self.condition_finder = condition_finder

    @property
    def words(self) -> frozenset:
        return self.table("grading_words")

    @property
    def desired_results(self) -> frozenset:
        return self.table("desired_results")

    def _names(self) -> Callable[[str], bool]:
        """Whether a span's text is a name of the vocabulary of the ``condition_finder``."""
        entries = condition_tables_of(self.nlp, self.condition_finder).gazetteer.entries
        return lambda span_text: tuple(p.key for p in pieces(span_text)) in entries

    def __call__(self, doc: Doc) -> Doc:
        return self.process(DocumentState.of(doc)).into(doc)

    def process(self, state: DocumentState) -> DocumentState:
        if state.mentions:
            trim_effects(state.text, state.mentions, self.words, self._names())
            drop_allergy_objects(state.text, state.mentions)
            state.mentions = drop_not_annotated(state.text, state.mentions, self.desired_results)
            state.mentions.sort(key=lambda m: (m.start, m.end, m.label))
        return state
