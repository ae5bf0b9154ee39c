"""The condition rules on a vocabulary of a dozen terms: ``condition_finder`` initialized with a
fixture vocabulary (no vocabulary cache, no NER model), then ``mention_context`` and
``span_conventions`` as the shipped pipeline runs them. Each test says which rule it is about;
a name the fixture vocabulary lacks is never found, so nothing comes from the installed
vocabularies."""

from __future__ import annotations

import pytest
import spacy

import pipeline.components  # noqa: F401  (registers the factories)
from pipeline.vocab import Concept, Term, Vocabulary

NAMES = {
    "HP:0002315": ["Headache"],
    "HP:0002018": ["Nausea"],
    "HP:0002013": ["Vomiting"],
    "HP:0002017": ["Nausea and vomiting"],
    "HP:0002076": ["Migraine"],
    "HP:0100753": ["Schizophrenia"],
    "HP:0001250": ["Epilepsy"],
    "HP:0100786": ["Insomnia"],
    "HP:0000083": ["Renal impairment"],
    "HP:0001410": ["Hepatic impairment"],
    "ICD10CM:S06.9": ["Traumatic brain injury"],
    "HP:0030833": ["Neck pain"],
    "HP:0003418": ["Back pain"],
    "HP:0012531": ["Pain"],
    "HP:0030955": ["Alcoholism"],
}


@pytest.fixture(scope="module")
def vocabulary() -> Vocabulary:
    concepts = {cid: Concept(cid, names[0], cid.split(":")[0].replace("HP", "HPO"), "condition", ()) for cid, names in NAMES.items()}
    terms = [Term(name, cid, "hpo:name") for cid, names in NAMES.items() for name in names]
    return Vocabulary("fixture", concepts, terms)


@pytest.fixture(scope="module")
def nlp(vocabulary: Vocabulary):
    nlp = spacy.blank("en")
    for name in ("web_segmenter", "condition_finder", "mention_context", "span_conventions"):
        nlp.add_pipe(name)
    nlp.get_pipe("condition_finder").initialize(nlp=nlp, vocabulary=vocabulary)
    return nlp


def _found(nlp, text: str) -> dict[str, tuple[str, str | None, str | None]]:
    doc = nlp(text)
    return {text[m.start : m.end]: (m.label, m.concept_id, m.role) for m in doc._.mentions}


def test_only_the_fixture_vocabulary_is_read(nlp):
    found = _found(nlp, "Patients with migraine or cystitis were enrolled.")
    assert found == {"migraine": ("CONDITION", "HP:0002076", "studied")}  # "cystitis" is not in it


def test_severity_belongs_to_a_condition_and_grading_words_leave_an_effect(nlp):
    assert _found(nlp, "It is used for severe migraine.") == {"severe migraine": ("CONDITION", "HP:0002076", "studied")}
    assert _found(nlp, "Side effects include constant headache.") == {"headache": ("ADVERSE_EFFECT", "HP:0002315", None)}


def test_a_term_that_coordinates_two_names_gives_two_mentions(nlp):
    found = _found(nlp, "Side effects include nausea and vomiting.")
    assert found == {"nausea": ("ADVERSE_EFFECT", "HP:0002018", None), "vomiting": ("ADVERSE_EFFECT", "HP:0002013", None)}


def test_an_adjectival_form_counts_next_to_a_person(nlp):
    # "alcoholic" is more frequent in English than "alcoholism": it names the condition only of a person
    assert _found(nlp, "Alcoholic patients were excluded.")["Alcoholic"][1] == "HP:0030955"
    assert _found(nlp, "Avoid alcoholic drinks.") == {}
    # "schizophrenic" is not: a technical adjective names its condition anywhere
    assert _found(nlp, "The schizophrenic style of the novel.")["schizophrenic"][1] == "HP:0100753"


def test_a_defined_abbreviation_names_the_concept_of_its_long_form(nlp):
    found = _found(nlp, "Traumatic brain injury (TBI) is common. Most TBI cases are mild.")
    assert found["TBI"][1] == "ICD10CM:S06.9"


def test_coordinated_modifiers_share_the_head(nlp):
    found = _found(nlp, "Do not use it in patients with renal/hepatic impairment.")
    assert found["renal/hepatic impairment"] == ("CONDITION", "HP:0001410", "contraindication")


def test_sites_after_a_symptom_belong_to_it(nlp):
    found = _found(nlp, "Side effects include pain in the neck or back.")
    assert found == {"pain in the neck or back": ("ADVERSE_EFFECT", "HP:0012531", None)}
