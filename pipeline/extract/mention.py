"""The in-memory mention record shared by every extractor and by the row builder.

Mentions carry character offsets rather than token indices: a dose such as "60mg/vial" or a
model span may not fall on token boundaries, and the output tables are character-based.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from spacy.tokens import Doc


@dataclass
class Mention:
    """One CONDITION, ADVERSE_EFFECT, DOSE or SUBSTANCE mention in a document.

    ``substance_id``/``substance_name`` name the substance the statement is about (set by the
    ``substance_attribution`` component; a SUBSTANCE mention names itself)."""

    start: int
    end: int
    label: str
    method: str
    concept_id: str | None = None
    concept_name: str | None = None
    negated: bool = False
    uncertain: bool = False
    role: str | None = None
    dose: Any = None  # pipeline.extract.doses.Dose for DOSE mentions
    condition_concept_ids: list[str] = field(default_factory=list)
    #: what decided label and role (pipeline.extract.context.Decision.evidence), for review
    evidence: str | None = None
    substance_id: str | None = None
    substance_name: str | None = None
    #: the start of the first item of the list the mention is an item of ("insomnia, dizziness,
    #: anxiety": the start of "insomnia"), None when it stands alone; a list shares one label
    list_start: int | None = None


#: ``method`` of consumer words that name a condition only in a patient's own words ("gas").
LAY_METHOD = "curated:lay"
#: ``method`` of patients' wordings learnt from annotated reviews ("vivid dreams", "brain zaps";
#: :mod:`pipeline.extract.learned_terms`), and of those of one word ("sweats", "temperature")
LEARNED_METHOD = "learned"
LEARNED_WORD_METHOD = "learned:word"
#: the methods of words that name a condition only in a patient's report or a list of
#: complaints ("gas", "temperature", "sensitivity": elsewhere they are physics or test results)
CONSUMER_METHODS = frozenset({LAY_METHOD, LEARNED_WORD_METHOD})
#: ``method`` suffix of an adjective of a condition that describes no person in its sentence
#: ("I'd rather be depressed", "still anxious"): in a text written in the first person it is the
#: writer's state; elsewhere it is dropped ("depressed NO synthase expression")
PERSONAL_SUFFIX = ":personal"


def doc_text(doc: Doc) -> str:
    """``doc.text``, computed once per document: spaCy rebuilds it from the tokens on every
    access, and every component needs it."""
    text = doc.user_data.get("text")
    if text is None:
        text = doc.user_data["text"] = doc.text
    return text
