"""Merging model spans with vocabulary mentions (pure function; real gazetteer)."""

from __future__ import annotations

import pytest

from pipeline.extract.conditions import ConditionFinder
from pipeline.extract.mention import Mention
from pipeline.extract.model_mentions import concept_for_span, looks_like_disease, merge_model_spans


@pytest.fixture(scope="module")
def finder():
    return ConditionFinder.shared()


def _merge(finder, text, mentions, spans):
    return merge_model_spans(text, mentions, spans, finder.gazetteer, finder.excluded, finder.concepts)


def test_head_word_mapping(finder):
    entry, how = concept_for_span("postoperative myalgia", finder.gazetteer, finder.excluded)
    direct, _ = concept_for_span("myalgia", finder.gazetteer, finder.excluded)
    assert how == "head" and entry.concept_id == direct.concept_id
    assert concept_for_span("neurological injury", finder.gazetteer, finder.excluded)[1] == "rejected"
    assert concept_for_span("neuronal death", finder.gazetteer, finder.excluded)[1] == "rejected"


def test_model_widens_a_single_vocabulary_match(finder):
    text = "Patients developed postoperative myalgia."
    start = text.index("myalgia")
    lexicon = Mention(start, start + len("myalgia"), "CONDITION", "lexicon:hpo:name", "HP:0003326")
    merged = _merge(finder, text, [lexicon], [(text.index("postoperative"), start + len("myalgia"))])
    assert len(merged) == 1
    assert text[merged[0].start : merged[0].end] == "postoperative myalgia"
    assert merged[0].method == "lexicon:hpo:name+model" and merged[0].concept_id == "HP:0003326"


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


def test_model_spans_naming_a_drug_class_are_dropped(finder):
    text = "Those taking seizure medication should not take it."
    merged = _merge(finder, text, [], [(text.index("seizure"), text.index(" medication"))])
    assert merged == []
