"""Tests for the substance of each statement (pipeline.extract.attribution) through the pipeline.

Each text is a small page written for the test; the first line is its title, so the subject is
known, and the test reads which substance the mentions at given words get.
"""

from __future__ import annotations

import pytest

from pipeline.nlp import get_nlp, make_doc


@pytest.fixture(scope="module")
def nlp():
    return get_nlp()


def substance_at(nlp, text: str, words: str, label: str | None = None) -> str | None:
    """substance_name of the mention (of ``label``, not SUBSTANCE) that starts at ``words``."""
    doc = nlp(make_doc(nlp, text))
    start = text.index(words)
    found = [
        m
        for m in doc._.mentions
        if m.start == start and m.label != "SUBSTANCE" and (label is None or m.label == label)
    ]
    assert found, [(text[m.start : m.end], m.label) for m in doc._.mentions]
    return found[0].substance_name


PAGE = "Cerebrolysin: uses, dosing and safety\n\n"


def test_statements_default_to_the_subject(nlp) -> None:
    text = PAGE + "Cerebrolysin is given at 10 mL/day IV for 20 days. Headache was reported.\n"
    assert substance_at(nlp, text, "10 mL/day") == "Cerebrolysin"
    assert substance_at(nlp, text, "Headache") == "Cerebrolysin"


@pytest.mark.parametrize(
    "sentence,dose,substance",
    [
        ("Patients on warfarin 5 mg/day had no change in INR.", "5 mg/day", "Warfarin"),
        ("Patients also took 100 mg/day of aspirin.", "100 mg/day", "Aspirin"),
        ("A single 2 mg dose of pimozide was given.", "2 mg", "Pimozide"),
        ("Those on stable warfarin (typically 2.5–7.5 mg/day), 100 mg/day of ginkgo did nothing.", "100 mg/day", "Ginkgo biloba"),
        ("Those on stable warfarin (typically 2.5–7.5 mg/day) were included.", "2.5–7.5 mg/day", "Warfarin"),
        ("She took erenumab (Aimovig) 140 mg SC every month.", "140 mg SC", "Erenumab"),
        ("They took ginkgo 120 mg twice daily, acetazolamide 250 mg twice daily, or both.", "250 mg", "Acetazolamide"),
        ("In the evening I added Selank 250 mcg to calm down.", "250 mcg", "Selank"),
    ],
)
def test_a_name_before_or_after_a_dose_ties_it(nlp, sentence: str, dose: str, substance: str) -> None:
    assert substance_at(nlp, PAGE + sentence + "\n", dose, "DOSE") == substance


def test_a_paragraph_about_another_drug(nlp) -> None:
    text = (
        PAGE
        + "Cerebrolysin is dosed at 10 mL/day.\n\n"
        + "Donepezil is simpler: 5 mg once daily at bedtime. Many doctors raise it to 10 mg/day after a month.\n\n"
        + "Most trials gave 30 mL/day.\n"
    )
    assert substance_at(nlp, text, "5 mg once daily") == "Donepezil"
    assert substance_at(nlp, text, "10 mg/day") == "Donepezil"  # the paragraph's topic
    assert substance_at(nlp, text, "30 mL/day") == "Cerebrolysin"  # a new paragraph


def test_a_name_in_the_middle_of_a_sentence_is_no_topic(nlp) -> None:
    text = PAGE + "The extract is rich in glucose and amino acids. Most trials used 10 mL/day.\n"
    assert substance_at(nlp, text, "10 mL/day") == "Cerebrolysin"


def test_comparison_table_columns(nlp) -> None:
    text = (
        "Pregabalin vs. duloxetine\n\n"
        "At a glance\n"
        " | Pregabalin (Lyrica) | Duloxetine (Cymbalta)\n"
        "Usual dose | 150–300 mg/day | 60 mg once daily\n"
        "Common side effects | dizziness | nausea\n"
    )
    assert substance_at(nlp, text, "150–300 mg/day") == "Pregabalin"
    assert substance_at(nlp, text, "60 mg once daily") == "Duloxetine"
    assert substance_at(nlp, text, "nausea") == "Duloxetine"


def test_a_key_value_table_has_no_column_substances(nlp) -> None:
    text = "BPC-157 5mg\n\nSequence | Gly-Glu-Pro-Val\nContent | 5 mg per vial\n"
    assert substance_at(nlp, text, "5 mg per vial") == "BPC-157"


def test_effects_follow_the_nearest_name_before_them(nlp) -> None:
    text = PAGE + "Lithium may cause tremor. Cerebrolysin rarely causes dizziness.\n"
    assert substance_at(nlp, text, "tremor") == "Lithium"
    assert substance_at(nlp, text, "dizziness") == "Cerebrolysin"


def test_classes_ions_and_forms(nlp) -> None:
    # a class ties an effect but never a dose; a lone ion and a salt of the subject are the subject
    text = (
        "Magnesium supplements explained\n\n"
        "Antibiotics gave me diarrhea. Antacids often hold 400 mg per tablet.\n"
        "A bottle holds 296 mL of citrate solution.\n"
        "In a trial, magnesium oxide 1.5 g/day relieved constipation.\n"
    )
    assert substance_at(nlp, text, "diarrhea") == "Anti-Bacterial Agents"
    assert substance_at(nlp, text, "400 mg per tablet") == "Magnesium"
    assert substance_at(nlp, text, "296 mL") == "Magnesium"
    assert substance_at(nlp, text, "1.5 g/day") == "Magnesium"


def test_no_subject_and_no_tie_is_null(nlp) -> None:
    text = "Ten habits for better sleep\n\nMost adults sleep 7 hours. A low dose of 0.5 mg may help.\n"
    assert substance_at(nlp, text, "0.5 mg") is None


def test_substance_mentions_are_their_own_substance(nlp) -> None:
    text = PAGE + "Unlike Zoloft, it needs an injection.\n"
    doc = nlp(make_doc(nlp, text))
    zoloft = next(m for m in doc._.mentions if m.label == "SUBSTANCE" and text[m.start : m.end] == "Zoloft")
    assert (zoloft.concept_id, zoloft.substance_id, zoloft.substance_name) == (
        "DRUGBANK:DB01104",
        "DRUGBANK:DB01104",
        "Sertraline",
    )
