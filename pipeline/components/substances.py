"""``substance_finder`` and ``substance_attribution``: SUBSTANCE mentions, the document's
subject, and the substance of every mention (:mod:`pipeline.extract.substances`,
:mod:`pipeline.extract.attribution`). Both decide from the whole document
(:class:`pipeline.document_state.DocumentState`)."""

from dataclasses import asdict
from pathlib import Path
from typing import Iterable, Optional

from spacy.language import Language
from spacy.tokens import Doc

from pipeline.components.files import upstream
from pipeline.document_state import DocumentState
from pipeline.extract.attribution import attribute
from pipeline.extract.links import inside, link_lists, overlaps
from pipeline.extract.mention import Mention
from pipeline.extract.substance_lexicon import SubstanceLexicon, load_lexicon
from pipeline.extract.substances import SubjectSettings, choose_subject, names_before_doses

@Language.factory(
    "substance_finder",
    default_config=asdict(SubjectSettings()),
    assigns=["doc._.mentions", "doc._.subject", "doc._.link_lists"],
    requires=["doc._.segments", "doc._.mentions"],
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
    # a config file's floats are parsed by srsly's ujson, which reads 0.6 as 0.6000000000000001
    # (and a body count of 3 in 5 would then fall short of the share): rounded back here
    share = round(body_only_min_share, 12)
    settings = SubjectSettings(title_weight, other_weight, heading_weight, body_only_min_count, share, use_source_name)
    return SubstanceFinder(settings, name)


class SubstanceFinder:
    """SUBSTANCE mentions (:mod:`pipeline.extract.substances`) and the document's subject
    (``Doc._.subject``). Runs after ``mention_context``: the context rules see only conditions
    and doses. The lexicon is built from the vocabulary on first use or by ``initialize``;
    ``to_disk``/``from_disk`` store it with the pipeline."""

    FILE = "lexicon.msgpack"

    def __init__(self, settings: SubjectSettings = SubjectSettings(), name: str = "substance_finder") -> None:
        self.name = name
        self.settings = settings
        self._lexicon: Optional[SubstanceLexicon] = None

    @property
    def lexicon(self) -> SubstanceLexicon:
        if self._lexicon is None:
            self._lexicon = load_lexicon()
        return self._lexicon

    def initialize(self, get_examples=None, *, nlp: Optional[Language] = None) -> None:
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
            text, segments, found, self.lexicon, state.title, state.source, self.settings, taken, furniture
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

    def to_bytes(self, *, exclude: Iterable[str] = ()) -> bytes:
        return self.lexicon.to_bytes()

    def from_bytes(self, data: bytes, *, exclude: Iterable[str] = ()) -> "SubstanceFinder":
        self._lexicon = SubstanceLexicon.from_bytes(data)
        return self

    def to_disk(self, path: Path, *, exclude: Iterable[str] = ()) -> None:
        path = Path(path)
        path.mkdir(parents=True, exist_ok=True)
        (path / self.FILE).write_bytes(self.to_bytes())

    def from_disk(self, path: Path, *, exclude: Iterable[str] = ()) -> "SubstanceFinder":
        return self.from_bytes((Path(path) / self.FILE).read_bytes())


@Language.factory(
    "substance_attribution",
    # the component whose lexicon names the counter-ions of salts (it holds no data of its own)
    default_config={"substance_finder": "substance_finder"},
    assigns=["doc._.mentions"],
    requires=["doc._.mentions", "doc._.subject"],
)
class SubstanceAttribution:
    """``substance_id``/``substance_name`` on every mention: the subject unless the text ties
    the statement to another substance (:mod:`pipeline.extract.attribution`).
    ``substance_finder``: the component whose lexicon names the counter-ions of salts ("sodium"
    in "naproxen sodium" is no substance of its own); it holds no data of its own."""

    def __init__(
        self, nlp: Optional[Language] = None, name: str = "substance_attribution", substance_finder: str = "substance_finder"
    ) -> None:
        self.nlp = nlp
        self.name = name
        self.substance_finder = substance_finder

    def __call__(self, doc: Doc) -> Doc:
        return self.process(DocumentState.of(doc)).into(doc)

    def process(self, state: DocumentState) -> DocumentState:
        if state.mentions:
            furniture = state.link_lists if state.link_lists is not None else link_lists(state.text)
            counter_ions = upstream(self.nlp, self.substance_finder, "lexicon", load_lexicon).counter_ions
            attribute(state.text, state.segments, state.mentions, state.subject, furniture, counter_ions)
        return state
