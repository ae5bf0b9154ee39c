"""The rules' shared data and shapes, each defined once: word lists (data/word_lists.tsv) and
what an acronym looks like (pipeline.extract.acronyms)."""

from __future__ import annotations

import re

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


def test_a_category_matches_the_same_text_with_its_word_boundaries_factored():
    from pipeline.extract.context import _factor_word_boundaries, _top_level_alternatives

    rows = [r"\bbut\b|\bhowever\b|;|\bsince\b(?! (?:taking|using))", r"[|\]]x|\bwhich\b", r"(?:a|b)\bc"]
    assert _top_level_alternatives(rows[1]) == [r"[|\]]x", r"\bwhich\b"]
    factored = _factor_word_boundaries(rows)
    assert factored.startswith(r"\b(?:but\b|however\b)|(?:;)|")
    plain = re.compile("|".join(f"(?:{row})" for row in rows))
    texts = ["but however; since taking it, which", "since using |x ]x bc which", "abutting whichever ac bc"]
    for text in texts:
        assert [m.span() for m in re.finditer(factored, text)] == [m.span() for m in plain.finditer(text)]


def test_every_packaged_category_compiles_to_the_same_matches_as_its_rows_joined():
    from pipeline.extract.context import default_rules

    rules = default_rules()
    defined = {c.removeprefix("define:"): f"(?:{p})" for c, p, _ in rules.rows if c.startswith("define:")}
    grouped: dict[str, list[str]] = {}
    for category, pattern, _ in rules.rows:
        if category.startswith("define:"):
            continue
        for name, definition in defined.items():
            pattern = pattern.replace(f"{{{name}}}", definition)
        grouped.setdefault(category, []).append(pattern)
    text = (
        "i stopped taking it but the side effects include headache; however, patients with "
        "asthma should not take it. since starting it i have had nausea, which went away "
        "after i quit. tell your doctor if you have kidney disease or are pregnant."
    )
    for category, patterns in grouped.items():
        joined = re.compile("|".join(f"(?:{p})" for p in patterns))
        assert [m.span() for m in rules[category].finditer(text)] == [m.span() for m in joined.finditer(text)], category
