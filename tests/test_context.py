"""Label in context, role, negation and hedging (ConText-style rules)."""

from __future__ import annotations

import pytest

from pipeline.nlp import get_nlp


@pytest.fixture(scope="module")
def nlp():
    return get_nlp()


def _find(nlp, text: str, surface: str):
    doc = nlp(text)
    matches = [m for m in doc._.mentions if text[m.start : m.end] == surface]
    assert matches, f"{surface!r} not found in {text!r}: {[text[m.start:m.end] for m in doc._.mentions]}"
    return matches[0]


@pytest.mark.parametrize(
    ("text", "surface", "label", "role"),
    [
        ("Cerebrolysin is used for insomnia in older adults.", "insomnia", "CONDITION", "studied"),
        ("Side effects include insomnia and agitation.", "insomnia", "ADVERSE_EFFECT", None),
        ("Common side effects are headache, nausea and insomnia.", "insomnia", "ADVERSE_EFFECT", None),
        ("A trial of 40 patients with insomnia found a benefit.", "insomnia", "CONDITION", "studied"),
        ("Patients with epilepsy should not take this drug.", "epilepsy", "CONDITION", "contraindication"),
        ("Insomnia was reported in two patients.", "Insomnia", "ADVERSE_EFFECT", None),
        ("Insomnia is a sleep disorder characterized by difficulty falling asleep.", "Insomnia", "CONDITION", "other"),
    ],
)
def test_label_and_role_follow_the_context(nlp, text, surface, label, role):
    mention = _find(nlp, text, surface)
    assert (mention.label, mention.role) == (label, role)


def test_section_headings_set_the_default_label():
    nlp = get_nlp()
    text = "Side Effects\nHeadache\nDizziness\n\nUses\nHeadache\n"
    doc = nlp(text)
    labels = [(text[m.start : m.end], m.label) for m in doc._.mentions]
    assert labels == [("Headache", "ADVERSE_EFFECT"), ("Dizziness", "ADVERSE_EFFECT"), ("Headache", "CONDITION")]


def test_list_items_share_the_cue_before_the_list(nlp):
    text = "Some side effects include diarrhea, fatigue, elevated or lowered blood pressure, tremor, depression and cough."
    doc = nlp(text)
    assert {m.label for m in doc._.mentions} == {"ADVERSE_EFFECT"}
    assert len(doc._.mentions) >= 5


def test_bullets_inherit_their_lead_in(nlp):
    text = "Commonly reported side effects:\n• Headaches\n• Nausea\n"
    doc = nlp(text)
    assert [m.label for m in doc._.mentions] == ["ADVERSE_EFFECT", "ADVERSE_EFFECT"]


@pytest.mark.parametrize(
    ("text", "surface", "negated"),
    [
        ("No seizures were reported during the study.", "seizures", True),
        ("There was no significant increase in serious adverse events or mortality.", "mortality", True),
        ("The patient denied headache.", "headache", True),
        ("Seizures were not observed in any patient.", "Seizures", True),
        ("It did not reduce the risk of death after brain injury.", "death", False),
        ("There was no benefit in patients with stroke.", "stroke", False),
        ("No headache was seen, but nausea occurred in two patients.", "nausea", False),
        ("Headache occurred in 5% of patients.", "Headache", False),
        ("It is not approved for the treatment of dementia.", "dementia", False),
    ],
)
def test_negation(nlp, text, surface, negated):
    assert _find(nlp, text, surface).negated is negated


def test_hedged_mentions_are_uncertain(nlp):
    assert _find(nlp, "Cerebrolysin may cause headache.", "headache").uncertain is True
    assert _find(nlp, "Cerebrolysin caused headache in two patients.", "headache").uncertain is False


def test_headings_that_name_a_condition_are_studied(nlp):
    text = "Uses of the drug\n1) Stroke\nTrials in stroke patients were mixed.\n"
    mention = _find(nlp, text, "Stroke")
    assert (mention.label, mention.role) == ("CONDITION", "studied")


def test_a_label_subsection_is_read_under_its_numbered_section(nlp):
    text = (
        "6 ADVERSE REACTIONS\n\nThe following reactions are discussed elsewhere.\n\n"
        "6.1 Clinical Trials Experience\n\nIn trials, 10% of patients had headache and dizziness.\n\n"
        "1 INDICATIONS AND USAGE\n\nSomething is indicated.\n\n1.1 Hypertension\n\nIt lowers blood pressure in hypertension.\n"
    )
    found = {text[m.start : m.end]: m for m in nlp(text)._.mentions}
    assert found["headache"].label == found["dizziness"].label == "ADVERSE_EFFECT"  # not a use: "clinical"
    assert found["hypertension"].label == "CONDITION" and found["hypertension"].role == "studied"


def test_a_warnings_section_names_risks_and_the_states_that_call_for_caution(nlp):
    text = (
        "5 WARNINGS AND PRECAUTIONS\n\n5.1 Hepatotoxicity\n\n"
        "Cases of hepatitis have been seen. Use in patients with cirrhosis only after weighing the risks.\n\n"
        "5.2 Hypersensitivity Reactions\n\n"
        "Anaphylaxis can occur. Patients with a history of asthma may be at higher risk.\n\n"
        "5.3 Pancreatitis\n\nStop the drug if pancreatitis is suspected.\n"
    )
    found = {text[m.start : m.end]: m for m in nlp(text)._.mentions}
    for risk in ("hepatitis", "Anaphylaxis", "pancreatitis", "Pancreatitis"):
        assert found[risk].label == "ADVERSE_EFFECT", risk
    for state in ("cirrhosis", "asthma"):
        assert (found[state].label, found[state].role) == ("CONDITION", "contraindication"), state


def test_a_contraindications_section_still_labels_every_condition_a_contraindication(nlp):
    text = "4 CONTRAINDICATIONS\n\nSevere hepatic impairment. Known epilepsy.\n"
    found = {text[m.start : m.end]: m for m in nlp(text)._.mentions}
    assert found and all(m.role == "contraindication" for m in found.values())


def test_patients_treated_with_the_drug_are_not_treated_for_the_effect(nlp):
    text = "6 ADVERSE REACTIONS\n\nThe most common reactions in patients treated with the drug were anemia and diarrhea.\n"
    mention = _find(nlp, text, "anemia")
    assert mention.label == "ADVERSE_EFFECT"


def test_a_use_cue_does_not_reach_past_a_copula(nlp):
    text = "6 ADVERSE REACTIONS\n\nAdverse reactions reported by patients with gout were nausea and rash.\n"
    found = {text[m.start : m.end]: m for m in nlp(text)._.mentions}
    assert (found["gout"].label, found["gout"].role) == ("CONDITION", "studied")
    assert found["nausea"].label == "ADVERSE_EFFECT"


@pytest.mark.parametrize(
    ("text", "surface"),
    [
        ("Precautions\n\n- Pregnancy\n- Epilepsy\n- Severe kidney disease\n", "Epilepsy"),
        ("Precautions\n\n- Pregnancy\n- Epilepsy\n", "Pregnancy"),
        ("Precautions\n\nThe drug should be used carefully in epilepsy.\n", "epilepsy"),
        ("Warnings\n\nSeizures have been reported. Avoid in pregnancy.\n", "pregnancy"),
    ],
)
def test_under_a_warning_bare_list_items_cautions_and_pregnancy_are_states(nlp, text, surface):
    mention = _find(nlp, text, surface)
    assert (mention.label, mention.role) == ("CONDITION", "contraindication")
