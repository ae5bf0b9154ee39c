"""The rules' shared data and shapes, each defined once: word lists (data/word_lists.tsv) and
what an acronym looks like (pipeline.extract.acronyms)."""

from __future__ import annotations

import pytest

from pipeline.extract.abbreviations import spells_initials
from pipeline.extract.acronyms import is_acronym, is_acronym_synonym, is_capitals_term
from pipeline.extract.lexicon import GENERIC_HEADS, _variants
from pipeline.extract.word_lists import word_list


def test_generic_heads_are_one_list_for_the_gazetteer_and_the_initials():
    assert GENERIC_HEADS == word_list("generic_heads") == {"disease", "syndrome", "disorder"}
    # the gazetteer writes a name with the other generic heads ...
    assert (("alzheimer", "syndrome"), "head") in _variants(("alzheimer", "disease"), set())
    # ... and an acronym may leave one out of its long form
    assert spells_initials("VHL", "von Hippel-Lindau disease")
    assert not spells_initials("VHL", "von Hippel-Lindau tumour")


def test_unknown_word_list_is_an_error():
    with pytest.raises(KeyError):
        word_list("no such list")


@pytest.mark.parametrize(
    ("text", "acronym", "synonym", "capitals_term"),
    [
        ("IDDM", True, True, True),
        ("vWS", True, True, False),
        ("McArdle", True, True, False),
        ("HIV1", True, True, True),
        ("A1", False, False, True),  # one capital: a vocabulary code, not an acronym in text
        ("AML-M5", False, True, False),
        ("HIV+", False, True, False),
        ("ADHDXYZ", True, True, False),  # seven capitals: too long to match case-sensitively
        ("aids", False, False, False),
        ("", False, False, False),
    ],
)
def test_what_an_acronym_looks_like(text, acronym, synonym, capitals_term):
    assert (is_acronym(text), is_acronym_synonym(text), is_capitals_term(text)) == (acronym, synonym, capitals_term)


def test_the_stop_lists_share_their_function_words():
    """The words that never narrow a condition name (gazetteer modifiers, body sites) and those
    that never make a class of symptoms ("these symptoms") are one list of function words plus
    each rule's own words."""
    from pipeline.extract.lexicon import _NOT_MODIFIERS
    from pipeline.extract.model_mentions import _NOT_QUALIFIERS, names_a_class_of_findings

    function_words = word_list("function_words")
    assert {"the", "these", "is", "without"} <= function_words
    assert function_words <= _NOT_MODIFIERS and function_words <= _NOT_QUALIFIERS
    assert "rat" in _NOT_MODIFIERS and "rat" not in _NOT_QUALIFIERS
    assert names_a_class_of_findings(["motor", "symptom"])
    assert not names_a_class_of_findings(["these", "symptom"]) and not names_a_class_of_findings(["many", "symptom"])
