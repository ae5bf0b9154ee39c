"""Merging model spans with vocabulary mentions (pure function; real gazetteer)."""

from __future__ import annotations

import pytest
import spacy

import pipeline.components  # noqa: F401  (registers the factories)

from pipeline.extract.abbreviations import Abbreviation
from pipeline.extract.conditions import ConditionTables
from pipeline.extract.mention import Mention
from pipeline.extract.model_mentions import (
    concept_for_span,
    is_proper_name,
    looks_like_disease,
    merge_model_spans,
    names_an_organ_condition,
    propagate_abbreviations,
    resolve_acronyms,
    trim_span,
    widen_short_forms,
)


@pytest.fixture(scope="module")
def finder():
    return ConditionTables.load()


def _merge(finder, text, mentions, spans):
    return merge_model_spans(text, mentions, spans, finder.gazetteer, finder.excluded, finder.concepts)


def test_head_word_mapping(finder):
    entry, how = concept_for_span("postoperative myalgia", finder.gazetteer, finder.excluded)
    direct, _ = concept_for_span("myalgia", finder.gazetteer, finder.excluded)
    assert how == "head" and entry.concept_id == direct.concept_id
    assert concept_for_span("neurological injury", finder.gazetteer, finder.excluded)[1] == "rejected"
    assert concept_for_span("neuronal death", finder.gazetteer, finder.excluded)[1] == "rejected"
    # a tumour named by its cell type is a disease, not a cell-level process
    assert concept_for_span("renal cell cancer", finder.gazetteer, finder.excluded)[1] != "rejected"
    assert concept_for_span("neuronal cell death", finder.gazetteer, finder.excluded)[1] == "rejected"


def test_a_generic_head_after_an_organ_or_pathogen_names_a_condition(finder):
    gazetteer = finder.gazetteer
    assert names_an_organ_condition(["renal", "injury"], gazetteer)
    assert names_an_organ_condition(["gallbladder", "disease"], gazetteer)
    assert names_an_organ_condition(["adenovirus", "disease"], gazetteer)
    assert names_an_organ_condition(["cardiac", "complication"], gazetteer)  # keys are singular
    assert not names_an_organ_condition(["neurological", "injury"], gazetteer)
    assert not names_an_organ_condition(["neuronal", "injury"], gazetteer)
    assert not names_an_organ_condition(["brain", "disorder"], gazetteer)  # a class (ANNOTATION.md)
    text = "Rats showed renal injury, neurological injury and cardiac damage."
    spans = [_span(text, "renal injury"), _span(text, "neurological injury"), _span(text, "cardiac damage")]
    kept = [(text[m.start : m.end], m.concept_id, m.method) for m in _merge(finder, text, [], spans)]
    renal, cardiac = finder.gazetteer.organs["renal"], finder.gazetteer.organs["cardiac"]
    assert renal is not None and cardiac is not None  # HPO "Abnormal renal physiology", ...
    assert kept == [("renal injury", renal, "model:organ"), ("cardiac damage", cardiac, "model:organ")]


def test_model_widens_a_single_vocabulary_match(finder):
    text = "Patients developed postoperative myalgia."
    start = text.index("myalgia")
    lexicon = Mention(start, start + len("myalgia"), "CONDITION", "lexicon:hpo:name", "HP:0003326")
    merged = _merge(finder, text, [lexicon], [(text.index("postoperative"), start + len("myalgia"))])
    assert len(merged) == 1
    assert text[merged[0].start : merged[0].end] == "postoperative myalgia"
    assert merged[0].method == "lexicon:hpo:name+model" and merged[0].concept_id == "HP:0003326"


def test_a_possessive_eponym_does_not_take_the_noun_it_modifies(finder):
    text = "Caregivers of people with Parkinson's face rising costs; Hashimoto's thyroiditis."
    name = text.index("Parkinson's")
    lexicon = Mention(name, name + len("Parkinson's"), "CONDITION", "lexicon:icd10cm:description:eponym", "ICD10CM:G20")
    merged = _merge(finder, text, [lexicon], [(name, text.index(" rising"))])
    assert [text[m.start : m.end] for m in merged] == ["Parkinson's"]
    # a disease head after the eponym is part of the name the model found
    name = text.index("Hashimoto's")
    lexicon = Mention(name, name + len("Hashimoto's"), "CONDITION", "lexicon:curated", "X")
    merged = _merge(finder, text, [lexicon], [(name, text.index("."))])
    assert [text[m.start : m.end] for m in merged] == ["Hashimoto's thyroiditis"]


def test_model_span_over_two_vocabulary_mentions_keeps_them(finder):
    text = "nausea and vomiting were common"
    a = Mention(0, 6, "CONDITION", "lexicon:hpo:name", "HP:0002018")
    b = Mention(11, 19, "CONDITION", "lexicon:hpo:name", "HP:0002013")
    merged = _merge(finder, text, [a, b], [(0, 19)])
    assert [(m.start, m.end) for m in merged] == [(0, 6), (11, 19)]


def test_unmapped_model_spans_must_look_like_diseases(finder):
    text = "It improved cognitive flexibility and caused nephrotoxicity in rats."
    spans = [(text.index("cognitive"), text.index(" and")), (text.index("nephro"), text.index(" in rats"))]
    merged = _merge(finder, text, [], spans)
    assert [text[m.start : m.end] for m in merged] == ["nephrotoxicity"]
    assert merged[0].method.startswith("model:")
    assert looks_like_disease(["hemorrhagic", "cystitis"]) and not looks_like_disease(["memory"])
    assert looks_like_disease(["middle", "cerebral", "artery", "occlusion"])
    assert looks_like_disease(["congenital", "heart", "defects"]) and looks_like_disease(["bradycardia"])
    assert not looks_like_disease(["antiseizure"]) and not looks_like_disease(["growth", "defect"])
    assert looks_like_disease(["nephrotoxic"]) and looks_like_disease(["bone", "metastases"])
    assert looks_like_disease(["pah", "deficient"])  # "PAH-deficient": hyphens are dropped from keys
    assert looks_like_disease(["adenomatous", "polyposis", "coli"]) and looks_like_disease(["pseudotumor", "cerebri"])
    assert looks_like_disease(["aplastic", "anemia"]) and not looks_like_disease(["polyps", "coli"])
    assert not looks_like_disease(["toxic"])
    assert looks_like_disease(["blood", "loss"]) and looks_like_disease(["visual", "field", "loss"])
    assert not looks_like_disease(["glossy"])  # "loss" is a whole head word, not an ending


def test_model_spans_naming_a_drug_class_are_dropped(finder):
    text = "Those taking seizure medication should not take it."
    merged = _merge(finder, text, [], [(text.index("seizure"), text.index(" medication"))])
    assert merged == []
    text = "Those given rubella vaccine and those with rubella antibody and rubella e antigen."
    spans = [_span(text, "rubella"), _span(text, "rubella", nth=1), _span(text, "rubella", nth=2)]
    assert _merge(finder, text, [], spans) == []


def _span(text, phrase, nth=0):
    start = -1
    for _ in range(nth + 1):
        start = text.index(phrase, start + 1)
    return start, start + len(phrase)


def test_a_proper_name_makes_a_generic_head_specific(finder):
    for name in ("Norrie disease", "HPT-JT syndrome"):
        entry, how = concept_for_span(name, finder.gazetteer, finder.excluded)
        assert how == "none" and entry is None, name
    # names only the fallback vocabulary (MeSH) knows get its concept
    for name in ("Li-Fraumeni syndrome", "Steinert’s disease"):
        entry, how = concept_for_span(name, finder.gazetteer, finder.excluded)
        assert how == "exact" and entry.method.startswith("lexicon:mesh:"), name
    for generic in ("neurological disorder", "Mental Disorders", "Familial disease", "II disease"):
        assert concept_for_span(generic, finder.gazetteer, finder.excluded)[1] == "rejected", generic
    assert is_proper_name("DiGeorge") and is_proper_name("VHL")
    assert not is_proper_name("Neurological") and not is_proper_name("IV")


def test_unmapped_eponym_spans_are_kept_without_concept(finder):
    text = "Two brothers had Norrie disease and a neurological disorder."
    spans = [_span(text, "Norrie disease"), _span(text, "neurological disorder")]
    merged = _merge(finder, text, [], spans)
    assert [(text[m.start : m.end], m.concept_id, m.method) for m in merged] == [
        ("Norrie disease", None, "model:none")
    ]


def test_model_drops_general_words_the_vocabulary_glued_on(finder):
    text = "Infants with typical galactosemia and severe galactosemia were studied."
    typical, severe = _span(text, "typical galactosemia"), _span(text, "severe galactosemia")
    mentions = [Mention(*typical, "CONDITION", "lexicon:icd10cm:description", "ICD10CM:E74.21"),
                Mention(*severe, "CONDITION", "lexicon:icd10cm:description", "ICD10CM:E74.21")]
    model = [_span(text, "galactosemia"), _span(text, "galactosemia", nth=1)]
    merged = _merge(finder, text, mentions, model)
    # a general English word ("typical") is the model's call; a severity word stays (guideline)
    assert [text[m.start : m.end] for m in merged] == ["galactosemia", "severe galactosemia"]
    assert merged[0].method.endswith("+model") and merged[0].concept_id == "ICD10CM:E74.21"


def test_undefined_acronyms_take_the_concept_of_a_matching_condition(finder):
    text = ("Von Hippel-Lindau disease is a cancer syndrome. VHL patients develop tumours. "
            "Cyclophosphamide (CP) was given. CP and AS were recorded.")
    doc = spacy.blank("en")(text)
    vhl_disease = Mention(*_span(text, "Von Hippel-Lindau disease"), "CONDITION", "lexicon", "ICD10CM:Q85.83", "VHL")
    cp_def = Abbreviation("CP", *_span(text, "Cyclophosphamide"))
    spans = [_span(text, "VHL"), _span(text, "CP", nth=1), _span(text, "AS")]
    resolved = resolve_acronyms(doc, [vhl_disease], spans, [cp_def])
    added = [(text[m.start : m.end], m.concept_id, m.method) for m in resolved if m is not vhl_disease]
    # "CP" is defined as a drug, "AS" is too short to expand without a definition
    assert added == [("VHL", "ICD10CM:Q85.83", "model:acronym")]
    # letters in order are not enough without a definition: "ALP" is not "abdominal pain"
    text = "Abdominal pain was common. ALP was raised."
    pain = Mention(*_span(text, "Abdominal pain"), "CONDITION", "lexicon", "HP:0002027", "Abdominal pain")
    assert resolve_acronyms(spacy.blank("en")(text), [pain], [_span(text, "ALP")], []) == [pain]


def test_an_acronym_in_parentheses_after_a_condition_is_defined_by_it():
    # "DM" stands for the Latin "dystrophia myotonica": Schwartz & Hearst's letter match fails
    text = ("Myotonic dystrophy (DM) is inherited. DM patients were seen. "
            "The control group (CG) and MC were recorded. CG data and MC data.")
    doc = spacy.blank("en")(text)
    dm = Mention(*_span(text, "Myotonic dystrophy"), "CONDITION", "lexicon", "ICD10CM:G71.11", "Myotonic dystrophy")
    spans = [_span(text, "DM"), _span(text, "DM", nth=1), _span(text, "CG"), _span(text, "CG", nth=1),
             _span(text, "MC"), _span(text, "MC", nth=1)]
    resolved = resolve_acronyms(doc, [dm], spans, [])
    added = [(m.start, text[m.start : m.end], m.concept_id, m.method) for m in resolved if m is not dm]
    # "control group" is not a condition; a two-letter acronym needs a definition
    assert added == [
        (text.index("DM"), "DM", "ICD10CM:G71.11", "model:acronym"),
        (text.index("DM patients"), "DM", "ICD10CM:G71.11", "model:acronym"),
    ]


def test_a_short_form_defined_inside_a_name_is_propagated(finder):
    text = "The von Hippel-Lindau (VHL) disease gene was cloned. VHL patients develop tumours."
    name = "von Hippel-Lindau (VHL) disease"
    entry, how = concept_for_span(name, finder.gazetteer, finder.excluded)
    assert how == "exact" and entry.concept_id == concept_for_span(
        "von Hippel-Lindau disease", finder.gazetteer, finder.excluded)[0].concept_id
    vhl_disease = Mention(*_span(text, name), "CONDITION", "model:exact", entry.concept_id, "VHL syndrome")
    definition = Abbreviation("VHL", *_span(text, "von Hippel-Lindau"))
    merged = propagate_abbreviations(text, [vhl_disease], [definition])
    added = [(m.start, m.concept_id) for m in merged if m is not vhl_disease]
    # the "VHL" inside the name is part of that mention; the later one is new
    assert added == [(text.index("VHL patients"), entry.concept_id)]


def test_short_forms_of_a_long_form_inside_a_wider_mention_are_propagated():
    text = ("X-linked adrenoleukodystrophy (ALD) is rare. ALD affects boys. "
            "Elevated intraocular pressure (IOP) was seen. IOP fell.")
    ald = Mention(*_span(text, "X-linked adrenoleukodystrophy"), "CONDITION", "lexicon", "ICD10CM:E71.52", "ALD")
    iop = Mention(*_span(text, "Elevated intraocular pressure"), "CONDITION", "lexicon", "HP:0007906", "OHT")
    definitions = [Abbreviation("ALD", *_span(text, "adrenoleukodystrophy")),
                   Abbreviation("IOP", *_span(text, "intraocular pressure"))]
    merged = propagate_abbreviations(text, [ald, iop], definitions)
    added = [(text[m.start : m.end], m.concept_id) for m in merged if m not in (ald, iop)]
    # "intraocular pressure" is a measurement: only "elevated" made the mention a condition
    assert added == [("ALD", "ICD10CM:E71.52"), ("ALD", "ICD10CM:E71.52")]


def test_model_spans_lose_trailing_punctuation_and_function_words(finder):
    text = "Patients with deficiency of ASPA and seizures had demyelination of the brain, then died."
    assert trim_span(text, *_span(text, "deficiency of ASPA and")) == _span(text, "deficiency of ASPA")
    assert trim_span(text, *_span(text, "demyelination of the brain,")) == _span(text, "demyelination of the brain")
    assert trim_span("the", 0, 3) == (0, 3) and trim_span("pain and ,", 0, 10) == (0, 4)
    # a long run of spaces inside a span (text laid out in columns): a backtracking pattern never returned
    spaced = "renal failure" + " " * 60 + "grade 3 and "
    assert trim_span(spaced, 0, len(spaced)) == (0, len(spaced) - len(" and "))
    # the model merger trims the model's entities once, before every merging step
    nlp = spacy.blank("en")
    merger = nlp.add_pipe("model_merger")
    doc = nlp.make_doc(text)
    doc.ents = [doc.char_span(*_span(text, "deficiency of ASPA and"), label="DISEASE")]
    merged = merger(doc)._.mentions
    assert [text[m.start : m.end] for m in merged] == ["deficiency of ASPA"]


def test_a_disease_head_before_of_makes_a_phrase_disease_shaped():
    assert looks_like_disease(["deficiency", "of", "aspartoacylase"])
    assert looks_like_disease(["inherited", "disorder", "of", "skeletal", "muscle"])
    assert not looks_like_disease(["suppression", "of", "bone", "turnover"])


def test_model_span_around_a_short_form_takes_the_model_boundaries():
    text = "Adrenoleukodystrophy (ALD) varies; cerebral ALD is the worst form, ALD the commonest."
    short = Mention(*_span(text, "ALD", nth=1), "CONDITION", "abbreviation", "ICD10CM:E71.52")
    other = Mention(*_span(text, "ALD", nth=2), "CONDITION", "abbreviation", "ICD10CM:E71.52")
    widened = widen_short_forms(text, [short, other], [_span(text, "cerebral ALD")])
    assert [text[m.start : m.end] for m in widened] == ["cerebral ALD", "ALD"]
    assert widened[0].method == "abbreviation+model" and widened[1].method == "abbreviation"


def test_a_described_symptom_or_deficit_class_is_a_condition(finder):
    from pipeline.extract.model_mentions import names_a_class_of_findings

    assert names_a_class_of_findings(["motor", "symptom"]) and names_a_class_of_findings(["speech", "deficit"])
    assert not names_a_class_of_findings(["these", "symptom"]) and not names_a_class_of_findings(["with", "deficit"])
    assert not names_a_class_of_findings(["symptom"])
    text = "Patients had motor symptoms, speech deficits and these symptoms."
    spans = [_span(text, "motor symptoms"), _span(text, "speech deficits"), _span(text, "these symptoms")]
    kept = {text[m.start : m.end]: m for m in _merge(finder, text, [], spans)}
    assert list(kept) == ["motor symptoms", "speech deficits"]
    # the vocabulary's name for the class gives the concept: HPO "Abnormal speech"
    abnormal_speech = finder.gazetteer.entries[("abnormal", "speech")].concept_id
    assert (kept["speech deficits"].concept_id, kept["speech deficits"].method) == (abnormal_speech, "model:head")


def test_a_hyphenated_cause_participle_is_trimmed_from_model_spans():
    text = "seizure-induced injury"
    assert trim_span(text, 0, len("seizure-induced")) == (0, len("seizure"))
    assert trim_span("HIV-associated", 0, 14) == (0, 3) and trim_span("X-linked", 0, 8) == (0, 8)
    assert not looks_like_disease(["antileukemia"]) and looks_like_disease(["leukemia"])


def test_model_spans_after_anti_are_not_conditions(finder):
    text = "It had anti-amnesic effects."
    assert _merge(finder, text, [], [(7, 19)]) == []
