"""Condition and adverse-effect extraction on sentences written for the tests (real vocabularies)."""

from __future__ import annotations

import pytest

from pipeline.extract.normalize import pieces, singular, text_key, word_key


@pytest.fixture(scope="module")
def nlp(rules_nlp):
    return rules_nlp  # no NER model: the rules alone (conftest.py)


def _mentions(nlp, text: str) -> list[tuple[str, str, str | None]]:
    doc = nlp(text)
    return [(text[m.start : m.end], m.label, m.concept_id) for m in doc._.mentions if m.label not in ("DOSE", "SUBSTANCE")]


def _by_text(nlp, text: str) -> dict[str, object]:
    """Condition, effect and dose mentions by their text (SUBSTANCE rows are left out)."""
    doc = nlp(text)
    return {text[m.start : m.end]: m for m in doc._.mentions if m.label != "SUBSTANCE"}


@pytest.mark.parametrize(
    ("british", "american"),
    [("haemorrhage", "hemorrhage"), ("anaemia", "anemia"), ("oedema", "edema"), ("diarrhoea", "diarrhea"),
     ("tumour", "tumor"), ("paediatric", "pediatric"), ("hospitalisation", "hospitalization"), ("dyspnoea", "dyspnea")],
)
def test_spelling_variants_share_a_key(british, american):
    assert word_key(british) == word_key(american)


def test_keys_fold_plurals_possessives_and_hyphens():
    assert singular("injuries") == "injury" and singular("diseases") == "disease"
    assert singular("diabetes") == "diabetes" and singular("status") == "status"
    assert singular("headaches") == "headache" and singular("rashes") == "rash" and singular("patches") == "patch"
    assert text_key("Traumatic brain injuries") == text_key("traumatic brain injury")
    assert text_key("Alzheimer’s disease") == text_key("Alzheimer's Disease") == ("alzheimer's", "disease")
    assert text_key("injection-site pain") == ("injection", "site", "pain")
    assert [p.key for p in pieces("Stroke/TBI")] == ["stroke", "/", "tbi"]


def test_greek_plurals_of_osis_nouns_meet_their_singular():
    assert word_key("psychoses") == word_key("Psychosis") == "psychosis"
    assert singular("stenoses") == "stenosis" and singular("thromboses") == "thrombosis"
    # English words in -oses are left to the S-stemmer
    assert [singular(w) for w in ("doses", "overdoses", "purposes", "discloses", "roses")] == [
        "dose", "overdose", "purpose", "disclose", "rose"
    ]


def test_word_key_is_idempotent():
    for word in ("Haemorrhages", "injuries", "Oedema", "tumours", "diseases", "Alzheimer’s", "neuroses"):
        assert word_key(word_key(word)) == word_key(word)


def test_possessive_plural_and_spelling_variants_map_to_one_concept(nlp):
    forms = ["Alzheimer’s disease", "Alzheimer's Disease", "Alzheimer disease", "Alzheimers disease", "Alzheimer’s"]
    concepts = set()
    for form in forms:
        found = _mentions(nlp, f"The drug was studied in patients with {form} in 2019.")
        assert [f for f, _, _ in found] == [form], form
        concepts.add(found[0][2])
    assert len(concepts) == 1
    british = _mentions(nlp, "Patients with anaemia and oedema were excluded from the trial.")
    american = _mentions(nlp, "Patients with anemia and edema were excluded from the trial.")
    assert [c for _, _, c in british] == [c for _, _, c in american] and len(british) == 2


def test_different_concepts_are_not_merged(nlp):
    found = _mentions(nlp, "It was tested in stroke, epilepsy and migraine.")
    assert len({c for _, _, c in found}) == 3


def test_abbreviation_defined_in_the_document_gets_the_long_form_concept(nlp):
    text = "Traumatic brain injury (TBI): it helps recovery. Stroke/TBI: 20-50 mL/day. Later TBI patients improved."
    found = _mentions(nlp, text)
    tbi = [c for t, _, c in found if t == "TBI"]
    long_form = [c for t, _, c in found if t == "Traumatic brain injury"]
    assert len(tbi) == 3 and set(tbi) == set(long_form)
    assert "Stroke" in [t for t, _, _ in found]


def test_undefined_capitalised_words_are_not_abbreviations(nlp):
    assert _mentions(nlp, "AD patients were treated. The AD group improved.") == []


def test_adjectival_forms_of_people(nlp):
    found = _by_text(nlp, "In 109 schizophrenic patients and 12 autistic children, epileptic patients were excluded.")
    assert {"schizophrenic", "autistic", "epileptic"} <= set(found)
    assert found["schizophrenic"].concept_id == _by_text(nlp, "Patients with schizophrenia improved.")["schizophrenia"].concept_id


def test_technical_adjectives_stand_alone_common_ones_need_a_person(nlp):
    hypotensive = _by_text(nlp, "The drug had a marked hypotensive effect and hepatotoxic effects.")
    assert {"hypotensive", "hepatotoxic"} <= set(hypotensive)
    assert hypotensive["hypotensive"].concept_id == _by_text(nlp, "Hypotension occurred.")["Hypotension"].concept_id
    # "toxic", "malignant", "alcoholic" are words with their own senses
    assert _by_text(nlp, "A toxic dose of an alcoholic drink.") == {}
    assert "Alcoholic" in _by_text(nlp, "Alcoholic patients were excluded.")
    # the name takes its adjective: one mention, not two
    assert set(_by_text(nlp, "Patients with diabetic neuropathy improved.")) == {"diabetic neuropathy"}
    assert _by_text(nlp, "It reduces ischemic neuronal death in rats.") == {}


def test_state_adjectives(nlp):
    found = _by_text(nlp, "Pregnant or lactating women should not take this drug.")
    assert {"Pregnant", "lactating"} <= set(found)
    assert found["Pregnant"].role == "contraindication"
    assert "nursing" in _by_text(nlp, "Ask a doctor if you are pregnant, nursing, or taking medication.")
    assert "nursing" not in _by_text(nlp, "She moved to a nursing home last year.")


def test_modifiers_and_coordination_stay_in_one_span(nlp):
    found = _by_text(nlp, "Contraindications: severe renal/hepatic impairment, or active malignancy.")
    assert "severe renal/hepatic impairment" in found and "active malignancy" in found
    found = _by_text(nlp, "Patients with severe or acute kidney failure should not take it.")
    assert "severe or acute kidney failure" in found
    found = _by_text(nlp, "It helped in mild-to-moderate Alzheimer’s disease and treatment-resistant depression.")
    assert {"mild-to-moderate Alzheimer’s disease", "treatment-resistant depression"} <= set(found)
    found = _by_text(nlp, "Type IID von Willebrand disease, achondrogenesis type 1B and grade 4 neutropenia.")
    assert {"Type IID von Willebrand disease", "achondrogenesis type 1B", "neutropenia"} <= set(found)
    found = _by_text(nlp, "the type I or type II Ehlers-Danlos syndrome")
    assert "type I or type II Ehlers-Danlos syndrome" in found
    found = _by_text(nlp, "I had heavy bleeding and extremely dry mouth.")
    # as adverse effects they lose the intensity word (ANNOTATION.md v2: "constant headache" gives "headache")
    assert {"heavy bleeding", "dry mouth"} <= set(found)
    found = _by_text(nlp, "It relieved pain associated with diabetic neuropathy.")
    assert "diabetic neuropathy" in found


def test_complete_names_in_a_slash_pair_are_two_mentions(nlp):
    found = _by_text(nlp, "Dosing for AD/Vascular Dementia and stroke/epilepsy varies.")
    assert "Vascular Dementia" in found and "stroke" in found and "epilepsy" in found
    assert "AD/Vascular Dementia" not in found


def test_processes_and_generic_words_are_not_conditions(nlp):
    text = "It prevents apoptosis, oxidative stress, neuroinflammation and cell death in brain disorders and other conditions."
    assert _mentions(nlp, text) == []


def test_misspelled_condition_names_are_matched(nlp):
    found = _by_text(nlp, "I had terrible fatique and diarreah after the first week, and dizzyness.")
    assert "fatique" in found  # an effect's span leaves out the intensity word (ANNOTATION.md v2)
    assert found["fatique"].concept_id == _by_text(nlp, "I had fatigue.")["fatigue"].concept_id
    # a condition keeps it
    assert "terrible fatique" in _by_text(nlp, "It is used for terrible fatique in older adults.")
    assert found["diarreah"].method.endswith(":misspelling")
    # MeSH lists some misspellings as entry terms: found through it, on the same concept
    assert found["dizzyness"].method.startswith("lexicon:mesh:")
    assert found["dizzyness"].concept_id == _by_text(nlp, "I had dizziness.")["dizziness"].concept_id
    assert _by_text(nlp, "In conclusion, the addition of smelling salts helped.") == {}
    # a misspelt word of a longer name: the name, not its correctly spelt head alone
    found = _by_text(nlp, "I had stomack pains and abdomnal pain all night.")
    abdominal = _by_text(nlp, "I had abdominal pain.")["abdominal pain"].concept_id
    assert found["stomack pains"].concept_id == found["abdomnal pain"].concept_id == abdominal
    assert found["stomack pains"].method.endswith(":misspelling")


def test_condition_words_naming_a_drug_class_are_not_mentions(nlp):
    assert "seizure" not in _by_text(nlp, "Those taking seizure medication should not take it.")
    assert "cough" not in _by_text(nlp, "Watch for drowsiness when you combine it with cough syrup.")


def test_condition_names_of_vaccines_and_markers_are_not_mentions(nlp):
    found = _by_text(nlp, "Infants of hepatitis B surface antigen-positive mothers got hepatitis B vaccine.")
    assert "hepatitis B" not in _by_text(nlp, "They were given hepatitis B immune globulin at birth.")
    assert "hepatitis B" not in found
    assert "chronic hepatitis B" in _by_text(nlp, "Mothers with chronic hepatitis B were followed.")


def test_symptom_keeps_the_body_sites_it_is_felt_in(nlp):
    found = _by_text(nlp, "Side effects include headache, pain in the neck, legs or back.")
    assert "pain in the neck, legs or back" in found
    found = _by_text(nlp, "I had terrible pain in my arms and tingling in both legs.")
    assert {"pain in my arms", "tingling in both legs"} <= set(found)  # effects: no intensity word
    assert "pain" in _by_text(nlp, "It causes pain in acute cases.")
    found = _by_text(nlp, "Side effects include swelling in the hands and feet and weight gain.")
    assert {"swelling in the hands and feet", "weight gain"} <= set(found)  # the next name ends the sites
    # a vocabulary name that already holds its first site takes the sites listed after it
    found = _by_text(nlp, "Get help if you notice mouth sores or swelling of the face, lips or throat.")
    assert "swelling of the face, lips or throat" in found
    found = _by_text(nlp, "Side effects include swelling of the face and weight gain.")
    assert {"swelling of the face", "weight gain"} <= set(found)


def test_a_symptom_in_one_named_site_is_the_sites_concept(nlp):
    doc = nlp("I had pain in my stomach all night and pain in the neck, legs or back.")
    concepts = {doc.text[m.start : m.end]: m.concept_name for m in doc._.mentions}
    assert concepts["pain in my stomach"] == "Abdominal pain"  # the vocabulary's "stomach pain"
    assert concepts["pain in the neck, legs or back"] == "Pain"  # several sites: the symptom's own


def test_lay_problem_wording_maps_to_the_vocabulary(nlp):
    text = "I had vision problems, stomach issues and could not walk."
    found = {text[m.start : m.end]: m for m in nlp(text)._.mentions}
    assert {"vision problems", "stomach issues", "could not walk"} <= set(found)
    assert all(m.concept_id for m in found.values())


def test_a_term_coordinating_two_names_gives_two_mentions(nlp):
    found = _by_text(nlp, "Nausea and vomiting were common.")
    assert set(found) == {"Nausea", "vomiting"}
    assert found["Nausea"].concept_id != found["vomiting"].concept_id


def test_abbreviation_of_a_caused_condition_and_not_of_an_institution(nlp):
    text = ("Contrast media-induced nephropathy (CIN) was frequent. CIN resolved. "
            "The National Institute of Neurological Disorders and Stroke (NINDS) funded it. NINDS agreed.")
    found = _mentions(nlp, text)
    nephropathy = [c for t, _, c in found if t == "nephropathy"]
    assert [c for t, _, c in found if t == "CIN"] == nephropathy * 2
    assert "NINDS" not in [t for t, _, _ in found]


def test_consumer_words_count_only_in_personal_reports(nlp):
    post = _by_text(nlp, "I took it for my knees. I had bloating and gas for a week.")
    assert "gas" in post and post["gas"].label == "ADVERSE_EFFECT"
    assert "gas" not in _by_text(nlp, "Arterial blood gas and gas exchange were measured in all patients.")
    # an article is no personal report, but a reader's comment under it speaks for the reader
    article = (
        "Probiotics and digestion\n\nProbiotics are live bacteria sold as supplements. Studies of them measured "
        "stool frequency, transit time and the gas produced in fermentation tests. Most trials were small and short, "
        "and the strains differed from one trial to the next. Reviews of these trials found that the products tested "
        "rarely contained the counts of bacteria printed on the label, that the strains survived the stomach in "
        "different numbers, and that the benefit seen in one group of volunteers was often not seen in the next. "
        "Researchers are now comparing single strains with mixtures, and capsules with yogurts and drinks, in larger "
        "groups followed for longer, with the same measures of transit time and stool frequency in every group.\n\n"
        "Comment from a reader: bloating and gas every evening since my first capsule.\n"
    )
    found = [m for m in nlp(article)._.mentions if article[m.start : m.end] == "gas"]
    assert [article[m.start - 13 : m.end] for m in found] == ["bloating and gas"]


def test_state_adjectives_after_feel_or_in_a_list(nlp):
    assert "sick" not in _by_text(nlp, "Feel sick after eating.")  # "sick" is not a curated state
    assert "lethargic" in _by_text(nlp, "Feel lethargic during the day.")
    assert {"tingling", "numb"} <= set(_by_text(nlp, "My right leg was tingling and numb."))
    assert _by_text(nlp, "The evidence is weak.") == {}


def test_organ_words_come_from_the_vocabulary():
    from pipeline.extract.lexicon import load_gazetteer

    organs = load_gazetteer().organs
    # adjectives from HPO's "Abnormal renal morphology"-style names, plus body sites
    assert {"renal", "hepatic", "cardiac", "kidney", "liver"} <= set(organs)
    assert organs["kidney"].startswith("HP:") and organs["renal"].startswith("HP:")
    assert not {"the", "neurological", "severe"} & set(organs)


def test_acronyms_match_in_capitals_but_not_in_a_line_written_in_capitals(nlp):
    assert "AIDS" in _by_text(nlp, "Patients with AIDS were excluded.")
    assert "AIDS" not in _by_text(nlp, "HEARING AIDS FOR ALL PATIENTS")


def test_undefined_acronyms_that_spell_a_condition_are_mentions(nlp):
    from pipeline.extract.abbreviations import spells_initials

    assert spells_initials("IDDM", "insulin-dependent diabetes mellitus")
    assert spells_initials("VHL", "von Hippel-Lindau disease")  # the generic head may be left out
    assert not spells_initials("IDM", "insulin-dependent diabetes mellitus")
    assert not spells_initials("DM", "diabetes mellitus")  # two letters: too many expansions
    assert spells_initials("OAB", "overactive bladder")  # a prefix may count as a word
    assert not spells_initials("ALP", "abdominal pain")
    found = _by_text(nlp, "Insulin-dependent diabetes mellitus runs in families. IDDM risk and NIH funding.")
    assert found["IDDM"].concept_id == found["Insulin-dependent diabetes mellitus"].concept_id
    assert found["IDDM"].method == "abbreviation:undefined" and "NIH" not in found
    # defined as something else in the document: left alone
    found = _by_text(nlp, "Insulin-dependent diabetes mellitus was studied. Insulin degrading dimer mix (IDDM) was used.")
    assert "IDDM" not in found


def test_common_acronyms_are_never_read_as_undefined_condition_acronyms():
    from pipeline.extract.abbreviations import is_common, undefined_acronyms

    text = "A patent fetal ductus arteriosus was seen. The FDA approved it. FDA-approved. IDDM too."
    start = text.index("fetal")
    long_forms = [(start, start + len("fetal ductus arteriosus"), "HP:0001643")]
    assert is_common("FDA") and not is_common("IDDM")
    assert undefined_acronyms(text, long_forms, set()) == []


def test_a_short_form_for_a_measure_of_a_condition_is_not_the_condition(nlp):
    found = _by_text(nlp, "The duration of catatonia (DOC) was measured. DOC increased with dose.")
    assert "catatonia" in found and "DOC" not in found


def test_regular_adjectives_of_condition_nouns():
    from pipeline.extract.lexicon import adjective_forms

    assert "hypothyroid" in adjective_forms("hypothyroidism")
    assert adjective_forms("syncope") == ["syncopal"] and adjective_forms("tetany") == ["tetanic"]
    assert "schizophrenic" in adjective_forms("schizophrenia")


def test_lay_wordings_of_a_difficulty(nlp):
    """HPO's "Difficulty swallowing/breathing" also read as "trouble swallowing", "breathing
    problems" (the nouns of data/word_lists.tsv's problem_nouns)."""
    found = _by_text(nlp, "I had trouble swallowing and breathing problems after the shot.")
    assert {"trouble swallowing", "breathing problems"} <= set(found)
    assert found["trouble swallowing"].concept_id == _by_text(nlp, "She had difficulty swallowing.")["difficulty swallowing"].concept_id


def test_an_adjective_that_describes_no_person_counts_only_in_first_person_texts(nlp):
    """"Still depressed after six weeks": in a review the writer's state (method ...:personal);
    in an abstract ("performance was depressed") not a condition."""
    review = "I took it for two months. Still depressed after six weeks, and my sleep is gone."
    found = _by_text(nlp, review)
    assert found["depressed"].method.endswith(":personal")
    abstract = (
        "Left ventricular performance was significantly depressed in treated mice. Cardiac output fell "
        "after the infusion and recovered within two hours in all animals studied."
    )
    assert "depressed" not in _by_text(nlp, abstract)


def test_the_derivation_table_gives_the_adjectives(tmp_path):
    """The derivations are rows of data/adjective_derivations.tsv, read in order."""
    from pipeline.extract.lexicon import ADJECTIVE_DERIVATIONS, read_adjective_derivations

    rules = read_adjective_derivations(ADJECTIVE_DERIVATIONS)
    assert rules[0] == ("oidism", "oid") and ("ia", "ic") in rules
    edited = tmp_path / "derivations.tsv"
    edited.write_text(ADJECTIVE_DERIVATIONS.read_text(encoding="utf-8") + "iety\tious\tanxiety -> anxious\n", encoding="utf-8")
    assert read_adjective_derivations(edited)[-1] == ("iety", "ious")


def test_adjectives_in_the_plural_name_people_with_the_condition(nlp):
    found = _by_text(nlp, "Diabetics and epileptics were excluded; asthmatics were not.")
    assert {"Diabetics", "epileptics", "asthmatics"} <= set(found)
    assert found["Diabetics"].concept_id == _by_text(nlp, "He had diabetes.")["diabetes"].concept_id
    # drug classes named by their effect are not people
    found = _by_text(nlp, "They took anti-epileptics and oral hypoglycemics.")
    assert not any("epileptic" in text or "hypoglycemic" in text for text in found)


def test_misspellings_keep_their_first_letter():
    from pipeline.extract.lexicon import load_gazetteer

    gazetteer = load_gazetteer()
    assert gazetteer.correct("diarreah") == "diarrhea" and gazetteer.correct("neurophaty") == "neuropathy"
    assert gazetteer.correct("ascitis") is None  # shares a deletion key with "vasitis", not a misspelling of it


def test_molecule_symbols_are_not_the_words_their_letters_spell(nlp):
    from pipeline.extract.lexicon import is_identifier

    assert is_identifier("AChE") and is_identifier("IgE") and not is_identifier("Ache") and not is_identifier("ACHE")
    found = _by_text(nlp, "AChE inhibitors were given; she felt a dull ache in her back.")
    assert "AChE" not in found and any(text.startswith("ache") for text in found)


def test_a_name_after_anti_is_not_a_condition(nlp):
    found = _by_text(nlp, "It has anti-tumor and anti-HIV activity, unlike the tumor itself.")
    assert set(found) == {"tumor"} and found["tumor"].start > 40
    assert _by_text(nlp, "The antileukemia drugs had anti-amnesic effects.") == {}


def test_level_compounds_before_a_noun_describe_the_noun(nlp):
    found = _by_text(nlp, "Rats on a low-sodium diet; low-density lipoprotein rose. Patients with low sodium were excluded.")
    assert list(found) == ["low sodium"]


def test_vocabulary_modifiers_never_start_inside_a_hyphenated_word(nlp):
    found = _by_text(nlp, "He had ANCA-positive necrotizing glomerulonephritis.")
    assert list(found) == ["necrotizing glomerulonephritis"]


def test_drug_label_order_of_change_words(nlp):
    found = _by_text(nlp, "Adverse reactions: weight decreased, vision blurred, nausea.")
    assert found["weight decreased"].concept_id == _by_text(nlp, "decreased weight")["decreased weight"].concept_id
    assert found["vision blurred"].concept_id == _by_text(nlp, "blurred vision")["blurred vision"].concept_id
    assert found["weight decreased"].method.endswith(":inverted")


def test_inverted_names_do_not_make_vocabulary_modifiers():
    from pipeline.extract.lexicon import load_gazetteer

    assert "inner" not in load_gazetteer().modifiers


# --- MeSH as the fallback vocabulary -----------------------------------------------------------


def _toy_vocabulary():
    from pipeline.vocab import Concept, Term, Vocabulary

    concepts = {
        "HP:1": Concept("HP:1", "Ventricular tachycardia", "HPO", "condition", ()),
        "HP:2": Concept("HP:2", "Angina", "HPO", "condition", ()),
        "MESHTREE:C1": Concept("MESHTREE:C1", "Tachycardia, Ventricular", "MESH", "condition", ()),
        "MESHTREE:C2": Concept("MESHTREE:C2", "Water Intoxication", "MESH", "condition", ()),
        "MESHTREE:C3": Concept("MESHTREE:C3", "Coronary Vasospasm", "MESH", "condition", ()),
        "MESHTREE:C4": Concept("MESHTREE:C4", "Plaque, Amyloid", "MESH", "condition", ()),
    }
    terms = [
        Term("Ventricular tachycardia", "HP:1", "hpo:name"),
        Term("Angina", "HP:2", "hpo:name"),
        Term("nonsustained ventricular tachycardia", "MESHTREE:C1", "mesh:entry"),
        Term("water intoxication", "MESHTREE:C2", "mesh:heading"),
        Term("coronary spastic", "MESHTREE:C3", "mesh:entry"),
        Term("coronary spastic angina", "MESHTREE:C3", "mesh:entry"),
        Term("amyloid plaque", "MESHTREE:C4", "mesh:entry"),
        Term("amyloid deposits", "MESHTREE:C4", "mesh:entry"),
    ]
    return Vocabulary("toy", concepts, terms)


def _found(gazetteer, text: str) -> list[tuple[str, str]]:
    return [(text[m.start : m.end], m.entry.concept_id) for m in gazetteer.find(pieces(text), text)]


def test_fallback_terms_match_where_the_main_vocabularies_match_nothing_or_less():
    from pipeline.extract.lexicon import build_gazetteer

    gazetteer = build_gazetteer(_toy_vocabulary(), not_conditions=frozenset({("amyloid", "plaque")}))
    assert ("nonsustained", "ventricular", "tachycardia") in gazetteer.fallback
    # the longer MeSH entry term that holds the HPO name whole is the name (ANNOTATION.md v2: the
    # longest name that is still one concept)
    assert _found(gazetteer, "a nonsustained ventricular tachycardia") == [
        ("nonsustained ventricular tachycardia", "MESHTREE:C1")
    ]
    assert _found(gazetteer, "a ventricular tachycardia") == [("ventricular tachycardia", "HP:1")]
    # the whole entry term "coronary spastic angina" holds "angina"; a shorter one ("coronary
    # spastic") would run into it and matches nothing
    assert _found(gazetteer, "coronary spastic angina") == [("coronary spastic angina", "MESHTREE:C3")]
    assert _found(gazetteer, "water intoxication and angina") == [
        ("water intoxication", "MESHTREE:C2"),
        ("angina", "HP:2"),
    ]
    # a fallback concept that names a non-condition is left out with all its synonyms
    assert _found(gazetteer, "amyloid deposits") == []
    # fallback terms stay out of the main table, so they make no modifiers
    assert not set(gazetteer.fallback) & set(gazetteer.entries)
    assert "nonsustained" not in gazetteer.modifiers


def test_mesh_names_are_found_in_running_text(nlp):
    doc = nlp("Asystole followed, and she developed water intoxication.")
    methods = {doc.text[m.start : m.end]: m.method for m in doc._.mentions}
    assert methods.get("water intoxication", "").startswith("lexicon:mesh:")
    assert methods.get("Asystole", "").startswith("lexicon:mesh:")


def test_the_longest_name_is_the_mention(nlp):
    """ANNOTATION.md v2: the longest name that is still one concept, from any vocabulary."""
    found = _by_text(nlp, "Sertraline is approved to treat major depressive disorder and panic attacks.")
    assert "major depressive disorder" in found
    found = _by_text(nlp, "Since then, I bruise easily. Stop taking it if you notice easy bruising.")
    assert "easy bruising" in found


def test_sites_belong_to_the_effect_and_objects_of_an_allergy_do_not(nlp):
    """ANNOTATION.md v2: "swelling of your face, lips, tongue or throat", "pain and redness at the
    injection site" keep their site; "hypersensitivity" leaves "to X" out (Convention 5)."""
    found = _by_text(nlp, "Get help for swelling of your face, lips, tongue or throat.")
    assert "swelling of your face, lips, tongue or throat" in found
    found = _by_text(nlp, "Side effects include headache and pain at the injection sites.")
    assert "pain at the injection sites" in found
    found = _by_text(nlp, "It must not be used by anyone with hypersensitivity to meldonium.")
    assert "hypersensitivity" in found and "hypersensitivity to meldonium" not in found
    found = _by_text(nlp, "Common symptoms of depression include sadness.")
    assert "depression" in found


def test_state_adjectives_after_causatives_and_contractions(nlp):
    assert "anxious" in _by_text(nlp, "The med made me more anxious than before.")
    assert "anxious" in _by_text(nlp, "I can't sleep if I'm anxious at night.")
    assert "suicidal" in _by_text(nlp, "I was suicidal before I started taking it.")
    assert "weak" not in _by_text(nlp, "The evidence remains weak.")


def test_what_convention_7_leaves_out(nlp):
    """User names, organisations, journal titles, the word 'overdose', compound modifiers and a
    desired result named as the use are not conditions (ANNOTATION.md Convention 7)."""
    assert "sciatica" not in _by_text(nlp, "sciatica_steve asked: does it help?")
    assert "Headache" not in _by_text(nlp, "The American Headache Society rates it as effective.")
    assert "Stroke" not in _by_text(nlp, "Smith J. Results of a trial. Stroke. 2002;33:1200-5.")
    assert "overdose" not in _by_text(nlp, "What happens if I overdose? Call Poison Help.")
    assert "pain" not in _by_text(nlp, "It strengthens the spinal cord's own pain-dampening pathways.")
    assert "weight loss" not in _by_text(nlp, "Does anyone take it just for weight loss?")
    assert "weight loss" in _by_text(nlp, "Side effects include nausea and weight loss.")
    assert "epilepsy" in _by_text(nlp, "No one developed epilepsy-related side effects.")
