"""Enumeration completion (pipeline.extract.enumerations): the members of a list of conditions
that nothing else found, on texts whose other members are given as mentions (no model, no
vocabulary), and in the shipped pipeline."""

from __future__ import annotations

import re

import pytest

from pipeline.extract.enumerations import METHOD, EnumerationSettings, complete_enumerations
from pipeline.extract.mention import Mention


def _known(text: str, *names: str) -> list[Mention]:
    mentions = []
    for name in names:
        for match in re.finditer(re.escape(name), text):
            mentions.append(Mention(match.start(), match.end(), "CONDITION", "vocabulary"))
    return mentions


def _added(text: str, *names: str, settings: EnumerationSettings = EnumerationSettings()) -> list[str]:
    completed = complete_enumerations(text, _known(text, *names), settings)
    return [text[m.start : m.end] for m in completed if m.method == METHOD]


def test_a_series_gets_its_unknown_members_up_to_its_conjunct() -> None:
    text = "Infusion reactions — fever, chills, body aches, vomiting and swings in blood pressure, mostly with the first dose."
    assert _added(text, "fever", "chills", "vomiting") == ["body aches", "swings in blood pressure"]


def test_the_first_item_keeps_its_lead_in_and_is_never_added() -> None:
    text = "Signs include low blood pressure, facial flushing, nausea, vomiting, urine retention and lethargy."
    assert _added(text, "nausea", "vomiting", "lethargy") == ["facial flushing", "urine retention"]


def test_a_bulleted_list_item_is_its_name_up_to_punctuation_and_or_splits_it() -> None:
    text = (
        "Parents report:\n– morning grogginess\n– headaches\n– dizziness\n– bedwetting\n"
        "– nightmares or unusually vivid dreams\n– irritability\n\nResearchers have more."
    )
    added = _added(text, "headaches", "dizziness", "irritability")
    assert added == ["morning grogginess", "bedwetting", "nightmares", "unusually vivid dreams"]
    text = "Common:\n• headache\n• drooping eyelid (ptosis), about 4%\n• neck pain\n"
    assert _added(text, "headache", "neck pain") == ["drooping eyelid"]


def test_a_list_mostly_unknown_is_not_taken_for_one_of_conditions() -> None:
    text = "Take it with water, juice, milk, tea, soup or yogurt and watch for nausea, rash."
    assert _added(text, "nausea") == []
    text = "Ask about fatigue, pain, income, housing, transport and diet."
    assert _added(text, "fatigue", "pain") == []  # 2 of 6 known: under the share of 0.4


def test_unknown_members_must_be_short_noun_phrases() -> None:
    text = "It may cause headache, nausea, the usual things people complain about, and dizziness."
    assert _added(text, "headache", "nausea", "dizziness") == []
    text = "Avoid it in people with diabetes, kidney disease, children and the elderly."
    assert _added(text, "diabetes", "kidney disease") == []  # persons are not conditions
    text = "Reported: headache, nausea, Eisai Pharma and dizziness."
    assert _added(text, "headache", "nausea", "dizziness") == []  # a name inside a sentence
    text = "Reported: headache, nausea, 12% of users and dizziness."
    assert _added(text, "headache", "nausea", "dizziness") == []


def test_settings_change_what_counts_as_a_list() -> None:
    text = "She had headache, nausea and brain zaps."
    assert _added(text, "headache", "nausea") == ["brain zaps"]
    assert _added(text, "headache", "nausea", settings=EnumerationSettings(min_items=4)) == []
    text = "She had headache, nausea and very strange electric brain zaps."
    assert _added(text, "headache", "nausea") == []
    assert _added(text, "headache", "nausea", settings=EnumerationSettings(max_words=5)) == []  # 'very' opens it
    text = "She had headache, nausea and strange electric brain zaps."
    assert _added(text, "headache", "nausea", settings=EnumerationSettings(max_words=5)) == ["strange electric brain zaps"]


@pytest.mark.slow
def test_the_shipped_pipeline_labels_the_completed_members() -> None:
    from pipeline.nlp import get_nlp

    text = (
        "Side effects of lecanemab include headache, confusion, changes in vision, dizziness and nausea. "
        "Tell your doctor if they get worse."
    )
    doc = get_nlp()(text)
    found = {text[m.start : m.end]: m for m in doc._.mentions if m.label != "DOSE" and m.label != "SUBSTANCE"}
    assert found["changes in vision"].method == METHOD
    assert found["changes in vision"].label == found["headache"].label == "ADVERSE_EFFECT"
    assert found["changes in vision"].concept_id is None


def test_a_coordinated_name_is_not_split_into_members() -> None:
    text = "Avoid it if you have:\n• heart disease\n• alcohol or drug abuse\n• tendon and ligament injuries\n• glaucoma\n"
    assert _added(text, "heart disease", "drug abuse", "ligament injuries", "glaucoma") == []
    text = "Reported: fatigue, headache, loss of appetite and weight, sensitivity to light and sound."
    assert _added(text, "fatigue", "headache", "loss of appetite", "sensitivity to light") == []
    text = "Reported: fatigue, headache, elevated or lowered blood pressure, tremor."
    assert _added(text, "fatigue", "headache", "lowered blood pressure", "tremor") == []


def test_closers_adverbs_modals_and_clauses_are_not_members() -> None:
    text = "I had nausea, dizziness, fatigue, etc. Then it stopped."
    assert _added(text, "nausea", "dizziness", "fatigue") == []
    text = "Digestive: diarrhea, nausea and abdominal cramping, mostly with oxide and citrate."
    assert _added(text, "diarrhea", "nausea", "abdominal cramping") == []
    text = "Yawning, spaciness, dizziness, insomnia, affected my impulse control, headache."
    assert _added(text, "Yawning", "dizziness", "insomnia", "headache") == ["spaciness"]


def test_pieces_that_share_a_head_are_one_member() -> None:
    text = "Studied in:\n• tendon and ligament injuries\n• gastric ulcers\n• colitis\n"
    assert _added(text, "gastric ulcers", "colitis") == ["tendon and ligament injuries"]
    text = "Reported: fatigue, tremor, elevated or lowered blood pressure."
    assert _added(text, "fatigue", "tremor") == ["elevated or lowered blood pressure"]
    text = "Reported: fatigue, tremor, nightmares or vivid dreams."
    assert _added(text, "fatigue", "tremor") == ["nightmares", "vivid dreams"]


def test_the_component_is_configured_and_survives_save_and_reload(tmp_path) -> None:
    import spacy

    import pipeline.components  # noqa: F401  (registers the factories)

    text = "She had headache, nausea and brain zaps."
    nlp = spacy.blank("en")
    nlp.add_pipe("enumeration_completion", config={"min_items": 4})

    def run(language) -> list[str]:
        doc = language.make_doc(text)
        doc._.mentions = _known(text, "headache", "nausea")
        for _, component in language.pipeline:
            doc = component(doc)
        return [text[m.start : m.end] for m in doc._.mentions if m.method == METHOD]

    assert run(nlp) == []  # three items: under min_items = 4
    nlp.to_disk(tmp_path / "nlp")
    loaded = spacy.load(tmp_path / "nlp")
    assert loaded.get_pipe("enumeration_completion").settings == EnumerationSettings(min_items=4)
    assert run(loaded) == []
    default = spacy.blank("en")
    default.add_pipe("enumeration_completion")
    assert run(default) == ["brain zaps"]
