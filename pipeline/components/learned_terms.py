"""``learned_term_finder``: condition mentions from the lay wordings learnt from annotated
patient reviews (:mod:`pipeline.extract.learned_terms`, built by :mod:`pipeline.train_terms`)."""

from pathlib import Path
from typing import Optional

from spacy.language import Language
from spacy.tokens import Doc

import pipeline.document_state  # noqa: F401  (registers the Doc extensions)
from pipeline.components.conditions import condition_tables_of
from pipeline.components.files import FileTables
from pipeline.extract.learned_terms import TermTable, learned_mentions

#: the table shipped with the package (built by ``python -m pipeline.train_terms``)
LEARNED_TERMS = Path(__file__).resolve().parent.parent / "models" / "learned_terms" / "terms.tsv"


@Language.factory(
    "learned_term_finder",
    default_config={"terms": None, "condition_finder": "condition_finder"},
    assigns=["doc._.mentions"],
    requires=["doc._.mentions"],
)
def make_learned_term_finder(nlp: Language, name: str, terms: Optional[str], condition_finder: str) -> "LearnedTermFinder":
    return LearnedTermFinder(nlp, name, Path(terms) if terms else LEARNED_TERMS, condition_finder)


class LearnedTermFinder(FileTables):
    """Adds a CONDITION mention for each learnt wording where nothing before found a condition.
    Settings: ``terms``, a table in the format of ``models/learned_terms/terms.tsv`` (null: the
    shipped one); ``condition_finder``, the component whose vocabulary gives the concepts.
    ``to_disk`` copies the table into the saved pipeline."""

    def __init__(self, nlp: Language, name: str = "learned_term_finder", terms: Path = LEARNED_TERMS, condition_finder: str = "condition_finder") -> None:
        self.nlp = nlp
        self.name = name
        self.files = {"terms": Path(terms)}
        self.readers = {"terms": TermTable.from_tsv}
        self.condition_finder = condition_finder

    @property
    def terms(self) -> TermTable:
        return self.table("terms")

    def __call__(self, doc: Doc) -> Doc:
        if self.terms.keys:
            doc._.mentions = learned_mentions(doc, self.terms, condition_tables_of(self.nlp, self.condition_finder))
        return doc
