"""``indication_prior``: a weakly decided adverse effect that is a known use of its substance
becomes a CONDITION the substance is used for (:mod:`pipeline.extract.indications`). It decides
from the whole document (:class:`pipeline.document_state.DocumentState`): it needs the subject
and every mention's substance."""

from pathlib import Path
from typing import Iterable, List, Optional

from spacy.language import Language
from spacy.tokens import Doc

from pipeline.components.files import FileTables
from pipeline.document_state import DocumentState
from pipeline.extract.indications import IndicationTable, apply_indications

#: the table shipped with the package (built by ``python -m pipeline.train_indications``)
INDICATIONS = Path(__file__).resolve().parent.parent / "models" / "indications" / "indications.tsv"


@Language.factory(
    "indication_prior",
    default_config={"indications": None, "weak_evidence": ["default", "personal", "personal-section"]},
    assigns=["doc._.mentions"],
    requires=["doc._.mentions", "doc._.subject"],
)
def make_indication_prior(
    nlp: Language, name: str, indications: Optional[str], weak_evidence: List[str]
) -> "IndicationPrior":
    return IndicationPrior(name, Path(indications) if indications else INDICATIONS, weak_evidence)


class IndicationPrior(FileTables):
    """Settings: ``indications``, a table in the format of ``models/indications/indications.tsv``
    (null: the shipped one); ``weak_evidence``, the evidence of ``mention_context`` decisions
    that the text leaves open (the default decision, and a first-person report of a state),
    which a known use overrides. ``to_disk`` copies the table into the saved pipeline."""

    def __init__(self, name: str = "indication_prior", indications: Path = INDICATIONS, weak_evidence: Iterable[str] = ("default", "personal", "personal-section")) -> None:
        self.name = name
        self.files = {"indications": Path(indications)}
        self.readers = {"indications": IndicationTable.from_tsv}
        self.weak_evidence = tuple(weak_evidence)

    @property
    def indications(self) -> IndicationTable:
        return self.table("indications")

    def __call__(self, doc: Doc) -> Doc:
        return self.process(DocumentState.of(doc)).into(doc)

    def process(self, state: DocumentState) -> DocumentState:
        if state.mentions:
            subject_id = state.subject.concept_id if state.subject is not None else None
            apply_indications(state.mentions, subject_id, self.indications, self.weak_evidence)
        return state
