"""DOSE mentions in the pipeline: structured rows and the conditions a dose is stated for."""

from __future__ import annotations

import pytest

from pipeline.nlp import get_nlp


@pytest.fixture(scope="module")
def doc_and_text():
    text = (
        "Traumatic brain injury (TBI) and stroke are common.\n"
        "Dosing:\n"
        "- Stroke/TBI: 20-50 mL/day IV for 7-21 days.\n"
        "- For Alzheimer's disease: 10 mg twice daily.\n"
        "- 60mg/vial*6vials\n"
        "In 208 patients, creatinine clearance was 30 mL/min at 25 °C.\n"
    )
    return get_nlp()(text), text


def _doses(doc, text):
    return {text[m.start : m.end]: m for m in doc._.mentions if m.label == "DOSE"}


def test_doses_are_structured_and_linked_to_their_conditions(doc_and_text):
    doc, text = doc_and_text
    doses = _doses(doc, text)
    assert set(doses) == {"20-50 mL/day IV for 7-21 days", "10 mg twice daily", "60mg/vial"}
    stroke_tbi = doses["20-50 mL/day IV for 7-21 days"]
    assert (stroke_tbi.dose.low, stroke_tbi.dose.high, stroke_tbi.dose.unit, stroke_tbi.dose.per) == (20, 50, "mL", "day")
    assert (stroke_tbi.dose.route, stroke_tbi.dose.duration_days_low, stroke_tbi.dose.duration_days_high) == ("IV", 7, 21)
    conditions = {text[m.start : m.end]: m.concept_id for m in doc._.mentions if m.label != "DOSE"}
    assert set(stroke_tbi.condition_concept_ids) == {conditions["Stroke"], conditions["Traumatic brain injury"]}
    alzheimer = doses["10 mg twice daily"]
    assert alzheimer.dose.times_per_day == 2
    assert alzheimer.condition_concept_ids == [conditions["Alzheimer's disease"]]
    assert doses["60mg/vial"].condition_concept_ids == []
    assert doses["60mg/vial"].dose.amount_base_low == 60 and doses["60mg/vial"].dose.base_unit == "mg"


def test_dose_mentions_are_never_negated_and_have_no_concept(doc_and_text):
    doc, text = doc_and_text
    for mention in doc._.mentions:
        if mention.label == "DOSE":
            assert mention.negated is False and mention.concept_id is None and mention.role is None


def test_no_doses_in_page_furniture_or_pack_columns():
    """ANNOTATION.md v2, Conventions 2 and 7: amounts in link lists, cross-sell blocks,
    breadcrumbs and pack-size or price columns are not doses; a dose in the body is."""
    text = (
        "Home › Nootropics › Semax 0.1% 3 ml\n"
        "Pack size | Price\n"
        "30 tablets | $59.00\n"
        "60 tablets | $99.00\n"
        "\n"
        "Take 2 drops in each nostril twice daily.\n"
        "\n"
        "Frequently bought together: Noopept 10 mg · Melatonin 3 mg\n"
    )
    doc = get_nlp()(text)
    assert set(_doses(doc, text)) == {"2 drops in each nostril twice daily"}
