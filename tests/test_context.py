"""Label in context, role, negation and hedging (ConText-style rules)."""

from __future__ import annotations

import pytest

from pipeline.nlp import get_nlp


@pytest.fixture(scope="module")
def nlp(rules_nlp):
    return rules_nlp  # no NER model: the rules alone (conftest.py)


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
        # what the substance is said to prevent, in a first-person post too
        ("My doctor said it cut progression to diabetes by 31% in my case.", "diabetes", "CONDITION", "studied"),
        # a risk factor of an effect calls for caution; a cause is background
        ("Lactic acidosis is rare and mostly shows up with dehydration.", "dehydration", "CONDITION", "contraindication"),
        ("I have kidney disease from years of high blood pressure.", "high blood pressure", "CONDITION", "other"),
        # a worsening that follows the substance
        ("Note that anxiety can flare in the first week.", "anxiety", "ADVERSE_EFFECT", None),
        # care, success and weighing in lay words
        ("Be careful of taking this if you have bipolar disorder!", "bipolar disorder", "CONDITION", "contraindication"),
        ("It works well with both the OCD and the panic, but I feel numb.", "OCD", "CONDITION", "studied"),
        ("The risk was outweighed by my extreme mood swings.", "extreme mood swings", "CONDITION", "studied"),
        ("I have to work with pain every day since I started it.", "pain", "ADVERSE_EFFECT", None),
    ],
)
def test_label_and_role_follow_the_context(nlp, text, surface, label, role):
    mention = _find(nlp, text, surface)
    assert (mention.label, mention.role) == (label, role)


def test_section_headings_set_the_default_label(nlp):
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


def _labels(nlp, text: str) -> dict[str, tuple[str, str | None]]:
    """surface -> (label, role) of the condition mentions (last occurrence wins)."""
    return {text[m.start : m.end]: (m.label, m.role) for m in nlp(text)._.mentions if m.label != "DOSE"}


def test_explicit_uses_count_on_a_page_with_first_person_testimonials(nlp):
    text = (
        "Botox for migraine: questions answered\n\n"
        "Since 2010, Botox has been FDA-approved to prevent headaches in adults with chronic migraine.\n\n"
        "What our patients say\n"
        "\"I had my doubts but I love it. My only issue was a droopy eyelid for three weeks.\"\n"
    )
    found = _labels(nlp, text)
    assert found["headaches"] == ("CONDITION", "studied")
    assert found["chronic migraine"][0] == "CONDITION"


@pytest.mark.parametrize(
    ("lead_in", "item", "expected"),
    [
        ("Check with your pediatrician first if your child:", "has epilepsy", ("CONDITION", "contraindication")),
        ("Tell your doctor if you have ever had:", "kidney disease", ("CONDITION", "contraindication")),
        ("Classical texts recommend the root for:", "insomnia in adults", ("CONDITION", "studied")),
        ("It is approved for excessive sleepiness caused by:", "narcolepsy", ("CONDITION", "studied")),
        ("Some children had these side effects:", "vomiting", ("ADVERSE_EFFECT", None)),
    ],
)
def test_a_lead_in_governs_the_items_of_its_list(nlp, lead_in, item, expected):
    text = f"About the product\n\nIt is sold in many shops.\n{lead_in}\n• {item}\n• headache\n"
    found = _labels(nlp, text)
    surface = next(s for s in found if s in item)
    assert found[surface] == expected


def test_table_columns_and_dosing_rows_decide_their_cells(nlp):
    text = (
        "Finding your dose\n"
        "Goal | Typical dose | Form\n"
        "Insomnia | 600 mg in the evening | root extract\n\n"
        "Forms compared\n"
        "Form | Best for | Drawbacks\n"
        "Citrate | constipation | diarrhea at higher doses\n"
    )
    found = _labels(nlp, text)
    assert found["Insomnia"] == ("CONDITION", "studied")
    assert found["constipation"] == ("CONDITION", "studied")
    assert found["diarrhea"] == ("ADVERSE_EFFECT", None)


def test_navigation_lines_name_conditions_in_passing(nlp):
    text = (
        "Home › Forums › Migraine › Medications\n\n"
        "Does it work?\nIt helped my sleep.\n\n"
        "You may also like: Shatavari for insomnia · Triphala for constipation\n"
    )
    found = _labels(nlp, text)
    assert found["Migraine"] == ("CONDITION", "other")
    assert found["constipation"] == ("CONDITION", "other")


def test_overdose_and_withdrawal_symptoms_are_effects(nlp):
    found = _labels(nlp, "Symptoms of overdose include drowsiness, vomiting and confusion.")
    assert found["drowsiness"] == found["vomiting"] == ("ADVERSE_EFFECT", None)
    found = _labels(nlp, "Withdrawal symptoms such as dizziness and insomnia can last weeks.")
    assert found["dizziness"] == ("ADVERSE_EFFECT", None)


def test_a_concept_decided_by_an_explicit_cue_keeps_its_label_in_the_document(nlp):
    text = (
        "Side effects: I felt tired the first week.\n"
        "Comments: I take it for my depression and it works. I had depression for years before. "
        "The depression lifted in a month.\n"
    )
    doc = nlp(text)
    labels = {m.label for m in doc._.mentions if text[m.start : m.end].lower() == "depression"}
    assert labels == {"CONDITION"}


def test_a_semicolon_ends_a_caution_and_a_list():
    text = "It is contraindicated in anyone with a bleeding disorder; anaphylaxis and angioedema have been reported."
    found = _labels(get_nlp(), text)  # "bleeding disorder" is the NER model's span
    assert found["bleeding disorder"] == ("CONDITION", "contraindication")
    assert found["anaphylaxis"] == ("ADVERSE_EFFECT", None)


def test_a_therapeutic_verb_reaches_only_the_words_after_it(nlp):
    text = (
        "6 ADVERSE REACTIONS\n\nLaboratory parameters: bicarbonate decreased, sodium increased, hyperglycemia, "
        "hypokalemia.\n\n1 INDICATIONS AND USAGE\n\nIt reduced the pain of arthritis.\n"
    )
    found = _labels(nlp, text)
    assert found["hyperglycemia"] == ("ADVERSE_EFFECT", None)
    assert found["arthritis"][0] == "CONDITION"


def test_the_population_a_use_is_studied_in_is_background(nlp):
    found = _labels(nlp, "Melatonin is licensed for insomnia in children with autism.")
    assert found["insomnia"] == ("CONDITION", "studied")
    assert found["autism"] == ("CONDITION", "other")


def test_comment_sections_are_personal_reports(nlp):
    text = (
        "Side effects to watch for\nMost children tolerate it.\n\n"
        "Uses\nIt is used for jet lag.\n\n"
        "47 Comments · Sort by: Newest\n"
        "anna_k · 2 days ago\nGave it to my son for two weeks. Headaches every night.\n"
    )
    found = _labels(nlp, text)
    assert found["Headaches"] == ("ADVERSE_EFFECT", None)
    assert found["jet lag"] == ("CONDITION", "studied")


def test_advice_tells_cautions_from_warning_signs(nlp):
    found = _labels(nlp, "Tell your doctor if you have heart failure. Stop taking it if you notice easy bruising.")
    assert found["heart failure"] == ("CONDITION", "contraindication")
    assert found["easy bruising"] == ("ADVERSE_EFFECT", None)  # a vocabulary name stays whole


def test_a_page_title_listing_its_topics_is_not_a_section(nlp):
    text = (
        "Magnesium Supplements: Which Form, How Much, and Who Should Skip Them\n\n"
        "Supplements are mainly meant to correct magnesium deficiency, which is more common in people with "
        "type 2 diabetes.\n"
    )
    found = _labels(nlp, text)
    assert found["type 2 diabetes"] == ("CONDITION", "other")


def test_pregnancy_and_lactation_are_cautions_not_effects(nlp):
    text = (
        "About the supplement\n\nIt is sold in capsules and powders by many brands.\n"
        "Do not take it if you:\n1. are pregnant\n2. are breastfeeding\n"
    )
    found = _labels(nlp, text)
    assert found["pregnant"] == found["breastfeeding"] == ("CONDITION", "contraindication")
    found = _labels(nlp, "Nausea and vomiting are common. Avoid if you are pregnant or breastfeeding.")
    assert found["pregnant"] == ("CONDITION", "contraindication")


def test_a_state_needing_no_adjustment_is_background(nlp):
    text = "Renal impairment: no adjustment recommended.\nModerate hepatic impairment: use a lower dose."
    found = _labels(nlp, text)
    assert found["Renal impairment"] == ("CONDITION", "other")
    assert found["Moderate hepatic impairment"][1] == "contraindication"


def test_urgent_calls_list_warning_signs_and_caution_lists_list_states(nlp):
    text = (
        "Serious side effects\n\nMost people have none of these.\n"
        "Call your doctor at once if you have:\n• blurred vision\n• a seizure\n\n"
        "Before taking it\n\nThe tablets are taken whole.\nTell your doctor if you have:\n• glaucoma\n• epilepsy\n"
    )
    found = _labels(nlp, text)
    assert found["blurred vision"] == found["seizure"] == ("ADVERSE_EFFECT", None)
    assert found["glaucoma"] == found["epilepsy"] == ("CONDITION", "contraindication")


def test_causes_and_consequences(nlp):
    found = _labels(
        nlp,
        "Background\n\nMany people recover fully after an accident, and the outlook is good for most of "
        "them. Helmets, seat belts and safer roads have cut the numbers a great deal over the years.\n\n"
        "Outlook\n\nTraumatic brain injuries often lead to long-term cognitive deficits.",
    )
    assert found["cognitive deficits"] == ("CONDITION", "other")
    found = _labels(nlp, "Warnings\n\nSerious infections leading to hospitalization or death have occurred.")
    assert found["death"] == ("ADVERSE_EFFECT", None)
    found = _labels(nlp, "More people dropped out because of insomnia and headache than on placebo.")
    assert found["insomnia"] == found["headache"] == ("ADVERSE_EFFECT", None)
    found = _labels(nlp, "Don't take it if you have uncontrolled glaucoma or chronic liver disease.")
    assert found["chronic liver disease"] == ("CONDITION", "contraindication")


def test_a_condition_named_as_the_population_of_another_is_background(nlp):
    found = _labels(nlp, "Doctors sometimes prescribe it off-label for fatigue in multiple sclerosis.")
    assert found["fatigue"] == ("CONDITION", "studied")
    assert found["multiple sclerosis"] == ("CONDITION", "other")
    # the list a population opens is the population, all of it
    found = _labels(nlp, "It is licensed for insomnia in children aged 2 to 18 with autism or Smith-Magenis syndrome.")
    assert found["insomnia"] == ("CONDITION", "studied")
    assert found["autism"] == found["Smith-Magenis syndrome"] == ("CONDITION", "other")


def test_a_verb_inside_an_effect_name_is_no_cue(nlp):
    text = "Side effects\n\nThe most common were dry mouth, constipation, reduced appetite and sweating."
    found = _labels(nlp, text)
    assert found["sweating"] == ("ADVERSE_EFFECT", None)


def test_slashes_between_names_are_no_breadcrumb(nlp):
    text = "Dosing\n\nUsual Adult Dose for Panic Disorder / PTSD / Social Phobia:\nInitial dose: 25 mg orally once a day."
    found = _labels(nlp, text)
    assert found["Panic Disorder"] == ("CONDITION", "studied")


def test_a_word_after_a_mention_does_not_make_a_list(nlp):
    text = "Side effects compared\n\nIn migraine trials, dizziness hit 23% of people on the drug versus 5% on placebo."
    found = _labels(nlp, text)
    assert found["dizziness"] == ("ADVERSE_EFFECT", None)
    assert found["migraine"][0] == "CONDITION"


@pytest.mark.parametrize(
    ("text", "surface", "label", "role"),
    [
        # a hyphenated "X-induced Y" names Y's cause, not the substance's effect
        ("# Ondansetron\n\nOndansetron helps with chemotherapy-induced nausea in most adults.", "nausea", "CONDITION", "studied"),
        ("# Cerebrolysin\n\nCerebrolysin was studied in vascular dementia in two trials.", "vascular dementia", "CONDITION", "studied"),
        # the effects of a substance "for X": X is its use; what the effects "include" are effects
        ("# Sertraline\n\nSertraline is an antidepressant of the SSRI class. Side effects of sertraline for anxiety include nausea and insomnia.", "anxiety", "CONDITION", "studied"),
        ("# Sertraline\n\nSertraline is an antidepressant of the SSRI class. Side effects of sertraline for anxiety include nausea and insomnia.", "insomnia", "ADVERSE_EFFECT", None),
        ("# Ginkgo\n\nEfficacy and adverse effects of Ginkgo biloba for vascular dementia: a review.", "vascular dementia", "CONDITION", "studied"),
        # in a review: what the drug did or failed to do for X, a verb with X as its object
        ("Side effects: dry mouth\nComments: It does nothing for the depression anymore.", "depression", "CONDITION", "studied"),
        ("Side effects: weight gain\nComments: it has done a great job at lowering my anxiety.", "anxiety", "CONDITION", "studied"),
        ("Side effects: weight gain\nComments: it reduced my appetite and I got insomnia.", "insomnia", "ADVERSE_EFFECT", None),
    ],
)
def test_research_verbs_hyphenated_causes_and_review_verbs(nlp, text, surface, label, role):
    mention = _find(nlp, text, surface)
    assert (mention.label, mention.role) == (label, role)


def test_for_a_names_a_reason_unless_it_is_a_stretch_of_time():
    """"used it for a torn hamstring" is a reason; "used it for a week" is not."""
    from pipeline.extract.context import RULES, ContextRules

    reason = ContextRules.from_tsv(RULES)["studied_reason"]
    assert reason.search("used it for a torn hamstring") and reason.search("tried it for an ear infection")
    for text in ("used it for a week", "tried it for a few days", "used it for an hour", "used it for a good month"):
        assert not reason.search(text), text


@pytest.mark.parametrize(
    ("text", "surface", "label", "role"),
    [
        # improvement on withdrawal: the drug's effect (Naranjo et al. 1981), also when the
        # stop is told in the sentence before
        ("I stopped taking Lipitor and the muscle pain went away within days.", "muscle pain", "ADVERSE_EFFECT", None),
        ("I stopped the Lipitor myself. The muscle pain stopped within days.", "muscle pain", "ADVERSE_EFFECT", None),
        # a return after stopping: the illness the drug held back
        ("I went off it for a month and my depression came right back.", "depression", "CONDITION", "studied"),
        # a return on re-exposure: the effect again
        ("I started taking it again on Monday and the muscle pain returned.", "muscle pain", "ADVERSE_EFFECT", None),
        # what the drug did or failed to do for X names X as what it is taken for
        ("Effexor solved my depression but I sleep all day.", "depression", "CONDITION", "studied"),
        ("It worked great on my back pain.", "back pain", "CONDITION", "studied"),
        ("Paxil had no significant effect on my depression.", "depression", "CONDITION", "studied"),
        ("I noticed a significant reduction of pain in both knees.", "pain in both knees", "CONDITION", "studied"),
        # the illness weighed against the drug or its effects
        ("Would rather have the elbow pain!", "elbow pain", "CONDITION", "studied"),
        ("If the side effects are worse than the depression, switch.", "depression", "CONDITION", "studied"),
        ("The side effects are not as bad as living with the anxiety.", "anxiety", "CONDITION", "studied"),
        ("The side effects are much worst than the pain itself.", "pain", "CONDITION", "studied"),
        # when X began decides over a reason-like verb before it
        ("I have suffered from leg cramps since beginning Lipitor.", "leg cramps", "ADVERSE_EFFECT", None),
        ("Suffered from depression after taking lipitor but did not realize.", "depression", "ADVERSE_EFFECT", None),
        ("I suffer from depression since my teens.", "depression", "CONDITION", "studied"),
        # the writer's illness ended by the drug, persisting on it, or before it; what persists
        # after a stop is the stopped drug's effect
        ("Comments: I no longer have panic attacks.", "panic attacks", "CONDITION", "studied"),
        ("Two months in, I still have depression some days.", "depression", "CONDITION", "studied"),
        ("Prior to taking it, I was depressed.", "depressed", "CONDITION", "studied"),
        ("I stopped taking it last year and I still have muscle pain.", "muscle pain", "ADVERSE_EFFECT", None),
        ("I feel like a zombie on it. Depression and fatigue still there.", "fatigue", "CONDITION", "studied"),
        ("I have not taken it in a week, yet I am still bleeding.", "bleeding", "ADVERSE_EFFECT", None),
        # a drug stopped, named, with the time since; a drug forgotten
        ("I stopped Zocor three months ago and the leg cramps went away.", "leg cramps", "ADVERSE_EFFECT", None),
        ("She forgot her Zocor for a week and the muscle pain went away.", "muscle pain", "ADVERSE_EFFECT", None),
        ("I used to panic attacks on the bus.", "panic attacks", "CONDITION", "studied"),
        ("On it the panic attacks do not come anymore.", "panic attacks", "CONDITION", "studied"),
        ("After a mild heart attack 2 years ago I was put on 10mg of Lipitor.", "mild heart attack", "CONDITION", "studied"),
        ("Comments: Helpful with anxiety, and my sleep improved.", "anxiety", "CONDITION", "studied"),
        ("Not too bad compared to my previous depression.", "depression", "CONDITION", "studied"),
    ],
)
def test_what_happened_to_x_after_a_drug_was_stopped_or_started(nlp, text, surface, label, role):
    mention = _find(nlp, text, surface)
    assert (mention.label, mention.role) == (label, role)
    assert mention.evidence != "default"  # a cue decided it, not the first-person default


def test_improvement_alone_or_a_test_coming_back_decides_nothing(nlp):
    # "went away" without a stop fits a relieved illness and an effect that wore off: the
    # first-person default stands (a weak effect) ...
    alone = _find(nlp, "After a week my nausea went away.", "nausea")
    assert alone.label == "ADVERSE_EFFECT" and alone.evidence == "default"
    # ... "stopped" needs an object, so "the pain stopped" is no stop of a drug ...
    ended = _find(nlp, "The headache stopped within days. Then my nausea went away.", "nausea")
    assert ended.evidence != "dechallenge"
    # ... and a test that "came back negative" after stopping is no relapse
    test = _find(nlp, "I stopped taking Lipitor. The myositis test came back negative.", "myositis")
    assert test.evidence != "relapse"
    # two effects compared: no illness weighed against the drug
    assert _find(nlp, "I had a headache that was worse than the nausea.", "nausea").label == "ADVERSE_EFFECT"


@pytest.mark.parametrize(
    ("text", "surface"),
    [
        # an illness supposed, blamed or ruled out instead of the drug
        ("I thought I had the flu for the first week.", "flu"),
        ("My Dr suspected that I had Lupus.", "Lupus"),
        ("I was blaming my arthritis for my pain for months.", "arthritis"),
        ("Have been through tests ruling out heart disease, GERD, pneumonia, etc.", "pneumonia"),
        # a long-standing illness of the writer's
        ("I have Rheumatoid Arthritis for 35 yrs and have been on many meds.", "Rheumatoid Arthritis"),
        ("Heart disease runs in my family.", "Heart disease"),
        ("Heart disease runs in my mother's side of the family.", "Heart disease"),
        # a predisposition, and a diagnosis by a doctor
        ("I've always been prone to leg cramps.", "leg cramps"),
        ("My MD diagnosed a rotator cuff injury.", "rotator cuff injury"),
        ("The doctor suspected neuropathy at first.", "neuropathy"),
        # ... with a hedge, a relative clause, a subject left out, a kind named by example
        ("I thought maybe that I was getting bursitis from the gym.", "bursitis"),
        ("My knee hurt, which I thought was gout.", "gout"),
        ("The first doctor said probably had bursitis.", "bursitis"),
        ("I assumed I was relapsing with multiple sclerosis.", "multiple sclerosis"),
        ("I thought I had a serious illness like lupus at first.", "lupus"),
        # the writer's other illnesses listed, an event a drug was started next to, an operation
        ("62 year old man with asthma, gout and psoriasis.", "gout"),
        ("I have other medical conditions (asthma, eczema) as well.", "eczema"),
        ("Was put on it right after a stroke.", "stroke"),
        ("Had surgery on my wrist for carpal tunnel syndrome last year.", "carpal tunnel syndrome"),
    ],
)
def test_the_writers_other_illnesses_are_background(nlp, text, surface):
    mention = _find(nlp, text, surface)
    assert (mention.label, mention.role, mention.evidence) == ("CONDITION", "other", "cue")


def test_a_supposed_illness_does_not_reach_the_complaints_that_follow(nlp):
    text = "First the doc thought I had gastritis from pain in my abdomen, headaches, flushing."
    assert _find(nlp, text, "gastritis").role == "other"
    assert _find(nlp, text, "headaches").label == "ADVERSE_EFFECT"
    # "think" names a supposed illness only with its subject ("I think the nausea is from it")
    assert _find(nlp, "I think the nausea is from the pills.", "nausea").label == "ADVERSE_EFFECT"
    # weeks of a complaint are no long-standing illness
    assert _find(nlp, "I have had headaches for 3 weeks.", "headaches").label == "ADVERSE_EFFECT"


def test_a_stretch_of_time_after_for_names_no_reason(nlp):
    text = "I have been taking Lipitor for two years and have experienced leg pain."
    assert _find(nlp, text, "leg pain").label == "ADVERSE_EFFECT"
    text = "After taking the drug for 7 years, I suddenly developped diarrhea."
    assert _find(nlp, text, "diarrhea").label == "ADVERSE_EFFECT"
    assert _find(nlp, "I was taking it for a migraine.", "migraine").label == "CONDITION"


def test_a_cause_in_a_personal_report_is_the_writers_complaint(nlp):
    # "due to X" names a condition behind another in a text about a disease ...
    text = "Memory decline in older adults is usually due to stroke or small vessel changes, as studies found."
    assert _find(nlp, text, "stroke").label == "CONDITION"
    # ... but the writer's own complaint in a personal report
    text = "I'm finding it difficult to fit into my clothes due to the bloating."
    assert _find(nlp, text, "bloating").label == "ADVERSE_EFFECT"


def test_the_preferred_terms_of_a_label_table_are_no_preference(nlp):
    # "I'd rather have X" weighs an illness against the drug; a MedDRA "preferred term" does not
    text = "Adverse Reactions\n\n1Includes the preferred terms tachycardia and palpitations.\n"
    assert _find(nlp, text, "palpitations").label == "ADVERSE_EFFECT"


def test_without_names_background_only_close_by_and_outside_personal_reports(nlp):
    text = "Response rates were similar in patients without diabetes, as the trial reported."
    assert _find(nlp, text, "diabetes").role == "other"
    # a personal report: what the writer could not do without is the writer's complaint
    assert _find(nlp, "I couldn't talk without stuttering after my dose.", "stuttering").label == "ADVERSE_EFFECT"


@pytest.mark.parametrize(
    ("text", "surface", "role"),
    [
        # the state before the drug is what it is taken for ...
        ("I was suicidal before I started taking it.", "suicidal", "studied"),
        ("Before being prescribed Zoloft I was very depressed and suicidal.", "suicidal", "studied"),
        # ... and one the writer has had since youth, or for long, background
        ("I have had major depression since my early teens.", "major depression", "other"),
        ("I was actually able to overcome a long-standing fear of flying.", "fear of flying", "other"),
    ],
)
def test_the_writers_state_before_the_drug_is_a_condition(nlp, text, surface, role):
    mention = _find(nlp, text, surface)
    assert (mention.label, mention.role, mention.evidence) == ("CONDITION", role, "cue")


@pytest.mark.parametrize(
    ("text", "surface", "label", "role"),
    [
        ("Heart attack Nov 2001, no surgery since.", "Heart attack", "CONDITION", "other"),  # dated: history
        ("The doctor said I probably had arthritis but could not explain it.", "arthritis", "CONDITION", "other"),
        ("This pill works like magic to releive my arthritic pain!", "arthritic pain", "CONDITION", "studied"),
        ("It is cheaper and has the same effect on pain.", "pain", "CONDITION", "studied"),
    ],
)
def test_history_diagnoses_and_relief_in_lay_writing(nlp, text, surface, label, role):
    mention = _find(nlp, text, surface)
    assert (mention.label, mention.role, mention.evidence) == (label, role, "cue")


def test_a_field_label_is_the_section_and_a_worsening_is_an_effect(nlp):
    from pipeline.nlp import make_doc

    def labels(text):
        doc = nlp(make_doc(nlp, text, "Zoloft review", "zoloft_review.txt"))
        return {text[m.start : m.end]: (m.label, m.evidence) for m in doc._.mentions if m.label in ("CONDITION", "ADVERSE_EFFECT")}

    # "Side effects:" opening a review's line decides as a section (weakly, in the first
    # person), not as the cue "side effects" of a sentence
    assert labels("Zoloft review\n\nSide effects: I used to be so depressed, now I am fine.\n")["depressed"][1] != "cue"
    # ... and a worsening told before or after X is an effect (ANNOTATION.md)
    assert labels("Zoloft review\n\nSide effects: increased anxiety was the worst thing for me.\n")["anxiety"] == ("ADVERSE_EFFECT", "cue")
    assert labels("Zoloft review\n\nMy anxiety increased for the first week.\n")["anxiety"] == ("ADVERSE_EFFECT", "cue")
    # a parenthesis is no predicate: '"leaky gut" (increased intestinal permeability)'
    uses = "Zinc is used for:\n\n• colitis\n• \"leaky gut\" (increased intestinal permeability)\n• bone fractures\n"
    assert labels(uses)["leaky gut"][0] == "CONDITION"


def test_results_in_a_population_name_what_was_studied(nlp):
    text = "It has been tried for jet lag. Results in narcolepsy are mixed, as two trials found."
    assert (_find(nlp, text, "narcolepsy").label, _find(nlp, text, "narcolepsy").role) == ("CONDITION", "studied")
    # the verb "results in" names a consequence, not a population
    text = "In overdose the drug results in seizures, as case reports describe."
    assert _find(nlp, text, "seizures").role != "studied"


def test_feeling_more_of_an_illness_on_the_drug_is_an_effect(nlp):
    # ANNOTATION.md: a worsening the substance causes is an effect (PsyTAR files it as the illness)
    for text, surface in [("It made me feel even more anxious than I already was.", "anxious"), ("I had more anxiety attacks.", "anxiety")]:
        mention = _find(nlp, text, surface)
        assert (mention.label, mention.evidence) == ("ADVERSE_EFFECT", "cue")


def test_the_illness_when_the_drug_was_started_or_back_when_it_stopped_working(nlp):
    mention = _find(nlp, "I was very suicidal when put on Lexapro and it helped me relax.", "suicidal")
    assert (mention.label, mention.role, mention.evidence) == ("CONDITION", "studied", "cue")
    text = "I feel like Zoloft has stopped working...i have great social anxiety again, lots of self-doubt."
    mention = _find(nlp, text, "social anxiety")
    assert (mention.label, mention.evidence) == ("CONDITION", "relapse")


def test_a_disease_named_as_the_cause_of_a_complaint_is_the_writers_illness(nlp):
    text = "This drug helped with the pain in my hip from bursitis. I had nausea from the pain."
    bursitis = _find(nlp, text, "bursitis")
    assert (bursitis.label, bursitis.role) == ("CONDITION", "studied")
    assert _find(nlp, text, "pain in my hip").label == "CONDITION"
    # a complaint caused by another complaint is no illness behind it
    assert _find(nlp, text, "pain").label == "ADVERSE_EFFECT"
    # only where a patient speaks: in a label the disease a death was due to is a reaction
    label = "Adverse reactions. Deaths due to acute respiratory failure (0.7%) and infection (0.7%) were seen."
    assert _find(nlp, label, "acute respiratory failure").label == "ADVERSE_EFFECT"


def test_a_line_that_only_names_complaints_is_a_report_of_them(nlp):
    # a review in notes, with no first-person word: a line naming a complaint and nothing
    # else is a complaint, the line after it what the drug did
    assert _find(nlp, "Dizzy. Lowered the cholesterol.", "Dizzy").label == "ADVERSE_EFFECT"
    assert _find(nlp, "Severe dizziness. Lowered the cholesterol.", "dizziness").label == "ADVERSE_EFFECT"
    # a line saying more than the complaint is no such line
    assert _find(nlp, "Dizziness in older adults. Lowered the cholesterol.", "Dizziness").label == "CONDITION"


def test_a_drug_name_with_an_apostrophe_does_not_hide_the_reason_after_it(nlp):
    text = "I took Lipitor. Also I was taking St John's Wort for depression."
    depression = _find(nlp, text, "depression")
    assert (depression.label, depression.role, depression.evidence) == ("CONDITION", "studied", "cue")


@pytest.mark.parametrize(
    ("text", "surface"),
    [
        ("Not recommended during pregnancy or breastfeeding.", "pregnancy"),
        ("Not for use during pregnancy.", "pregnancy"),
        ("This product is not suitable for children with asthma.", "asthma"),
        ("Not to be used in patients with kidney failure.", "kidney failure"),
        ("Not for children under 12 or people with liver disease.", "liver disease"),
        ("If you have kidney disease the dose needs to be lower.", "kidney disease"),
        ("I sleep better on it. Note: if you have kidney disease, talk to your doctor first.", "kidney disease"),
        ("Usually harmless but tell your neuro, especially if you have heart disease.", "heart disease"),
        ("Chews for dogs. Consult your veterinarian if your dog has diabetes.", "diabetes"),
    ],
)
def test_advice_against_a_use_names_a_state_that_is_there(nlp, text, surface):
    # the "not" of the advice negates the use, not the state: a contraindication, not negated
    mention = _find(nlp, text, surface)
    assert (mention.label, mention.role, mention.negated) == ("CONDITION", "contraindication", False)


def test_a_reason_after_a_drug_and_its_dose(nlp):
    text = "My neurologist started me on gabapentin 300mg three times a day for postherpetic neuralgia."
    mention = _find(nlp, text, "postherpetic neuralgia")
    assert (mention.label, mention.role) == ("CONDITION", "studied")
    # a stretch of time after "for" is no reason
    text = "They started me on it and I took it for two weeks. Dizziness was bad."
    assert _find(nlp, text, "Dizziness").label == "ADVERSE_EFFECT"


def test_what_is_said_after_a_list_is_said_of_all_of_it(nlp):
    text = (
        "Does melatonin help with insomnia? The evidence is modest, and it works better for jet lag.\n"
        "Vivid dreams, morning grogginess, headache and dizziness are the most commonly reported side effects."
    )
    assert {_find(nlp, text, s).label for s in ("Vivid dreams", "headache", "dizziness")} == {"ADVERSE_EFFECT"}
    text = (
        "The trial enrolled 17,604 people with obesity and heart disease.\n"
        "Nausea, vomiting and diarrhea led 16.6% of participants on semaglutide to stop treatment. "
        "Gallbladder problems were more common in the semaglutide group."
    )
    assert {_find(nlp, text, s).label for s in ("Nausea", "diarrhea", "Gallbladder problems")} == {"ADVERSE_EFFECT"}
    # a cue before the list still decides it
    text = "The trial enrolled adults. It is used for anxiety, insomnia and depression, which were reported."
    assert _find(nlp, text, "insomnia").label == "CONDITION"


def test_a_missed_dose_is_no_advice_against_a_use(nlp):
    text = "I need it for my depression. I get so irritable and aggressive when I don't take it."
    assert _find(nlp, text, "aggressive").label == "ADVERSE_EFFECT"
    assert _find(nlp, "Don't take it if you have kidney disease.", "kidney disease").role == "contraindication"


def test_a_reason_after_took_and_the_states_a_warning_names_as_risk_factors(nlp):
    text = "I have been reading here. Took my first 50mg sumatriptan last night for a migraine with aura."
    assert _find(nlp, text, "migraine with aura").label == "CONDITION"
    text = (
        "WARNINGS AND PRECAUTIONS\n"
        "Lactic acidosis has resulted in death. Risk factors include renal impairment, surgery and hepatic impairment.\n"
    )
    assert {_find(nlp, text, s).role for s in ("renal impairment", "hepatic impairment")} == {"contraindication"}
