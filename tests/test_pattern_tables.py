"""Pattern tables (pipeline.extract.pattern_tables): named regular expressions in a data file,
fragments written once; and the pipeline's tables (dose context, grammar, series and purpose;
substance names and attribution; span conventions, page furniture, disease morphology, list
conjunctions; the context table's shapes; the dose words), whose every row says what it is for,
and an edit of a row changes what the rule finds."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from pipeline.extract.dose_context import DOSE_CONTEXT_RULES, is_excluded
from pipeline.extract.attribution import SUBSTANCE_ATTRIBUTION_RULES
from pipeline.extract.conditions import DISEASE_MORPHOLOGY_RULES
from pipeline.extract.context import RULES, ContextRules
from pipeline.extract.dose_grammar import (
    DOSE_GRAMMAR_RULES,
    DOSE_WORDS,
    NUMBER,
    NUMBER_WORD_PATTERN,
    NUMBER_WORDS,
    canonical_per,
    parse_number,
    read_dose_words,
)
from pipeline.extract.dose_purpose import DOSE_PURPOSE_RULES
from pipeline.extract.doses import DOSE_SERIES_RULES
from pipeline.extract.enumerations import ENUMERATION_RULES
from pipeline.extract.links import PAGE_FURNITURE_RULES
from pipeline.extract.pattern_tables import read_patterns
from pipeline.extract.span_conventions import SPAN_CONVENTION_RULES
from pipeline.extract.substances import SUBSTANCE_NAME_RULES


#: what the dose grammar's code gives its table: the number grammar and the route table's forms
_GRAMMAR_FRAGMENTS = {"number": NUMBER, "number_words": NUMBER_WORD_PATTERN, "route_forms": "(?P<route0>oral)"}


def _table(path: Path, rows: list[tuple[str, str, str]]) -> Path:
    path.write_text("\n".join(["name\tpattern\tnote", *("\t".join(row) for row in rows)]) + "\n", encoding="utf-8")
    return path


def test_a_fragment_is_written_once_and_used_by_name(tmp_path: Path) -> None:
    table = _table(
        tmp_path / "p.tsv",
        [
            ("units", r"(?:mg|g)", "fragment"),
            ("amount", r"\d+\s*{{units}}\b", "an amount"),
            ("bounded", r"(?i:up to)\s+{{units}}", "uses the fragment too"),
        ],
    )
    patterns = read_patterns(table)
    assert patterns["amount"].pattern == r"\d+\s*(?:mg|g)\b"
    assert patterns["amount"].search("take 20 mg") and not patterns["amount"].search("take 20 ml")
    assert patterns["bounded"].match("Up to g")


@pytest.mark.parametrize(
    ("rows", "error"),
    [
        ([("a", "x", "n"), ("a", "y", "n")], ValueError),  # a name twice
        ([("a", "{{b}}", "n")], KeyError),  # no such fragment
        ([("a", "{{b}}", "n"), ("b", "{{a}}", "n")], ValueError),  # a fragment that refers to itself
    ],
)
def test_a_broken_table_is_refused(tmp_path: Path, rows, error) -> None:
    with pytest.raises(error):
        read_patterns(_table(tmp_path / "p.tsv", rows))


@pytest.mark.parametrize(
    "table",
    [DOSE_CONTEXT_RULES, DOSE_SERIES_RULES, DOSE_PURPOSE_RULES, DOSE_GRAMMAR_RULES, SUBSTANCE_NAME_RULES, SUBSTANCE_ATTRIBUTION_RULES],
    ids=lambda path: path.name,
)
def test_every_rule_has_a_note_and_compiles(table: Path) -> None:
    with table.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle, delimiter="\t", quoting=csv.QUOTE_NONE))
    assert rows and all(row["note"].strip() for row in rows)
    assert set(read_patterns(table, _GRAMMAR_FRAGMENTS)) == {row["name"] for row in rows}


def test_an_edit_of_the_dose_context_table_changes_the_rule(tmp_path: Path, monkeypatch) -> None:
    """A rule is changed by editing its row: a new pack word in the table excludes the amount."""
    import re

    import pipeline.extract.dose_context as dose_context

    text = "tin of 3 capsules"
    match = re.search(r"(?P<n1>3)(?P<n2>)\s*(?P<unit>capsules)(?P<body>)", text)
    assert not is_excluded(text, match, "capsule", None, text[: match.start()])
    rows = DOSE_CONTEXT_RULES.read_text(encoding="utf-8").replace("packs?|box(?:es)?|", "packs?|tins?|box(?:es)?|", 1)
    edited = tmp_path / "rules.tsv"
    edited.write_text(rows, encoding="utf-8")
    monkeypatch.setattr(dose_context, "_PATTERNS", read_patterns(edited))
    assert is_excluded(text, match, "capsule", None, text[: match.start()])


# The tables moved out of code in session 11: context shapes, span conventions, page furniture,
# disease morphology, list conjunctions, the dose grammar's amount and its words.


@pytest.mark.parametrize(
    "table",
    [SPAN_CONVENTION_RULES, PAGE_FURNITURE_RULES, DISEASE_MORPHOLOGY_RULES, ENUMERATION_RULES],
    ids=lambda path: path.name,
)
def test_every_row_of_the_moved_tables_has_a_note_and_compiles(table: Path) -> None:
    test_every_rule_has_a_note_and_compiles(table)


def test_context_shapes_are_rules_of_the_context_table() -> None:
    rules = ContextRules.from_tsv(RULES)
    assert rules["first_person"].search("I took it for a week") and rules["first_person"].search("my back")
    assert not rules["first_person"].search("Living With Type I Diabetes")
    assert not rules["first_person"].search("given i.p. twice, i.e. daily") and rules["first_person"].search("then i stopped")
    assert rules["list_gap"].match(", elevated or lowered blood pressure, ")
    assert rules["list_gap"].match(" and ") and not rules["list_gap"].match(" in DPN trials, ")
    assert rules["apposition"].match(", a progressive disease ")
    assert rules["in_population"].fullmatch(" in children aged 2 to 18 with ")
    assert rules["post_header"].search("renee k. · 1 week ago") and not rules["post_header"].search("side effects")


def test_an_edit_of_the_context_table_changes_the_list_rule(tmp_path: Path) -> None:
    """Adding "plus" to the list conjunctions makes "nausea plus vomiting" one list, so the second
    mention takes the first one's decision."""
    from pipeline.extract.context import _continues_list
    from pipeline.extract.mention import Mention

    text = "nausea plus vomiting"
    first, second = Mention(0, 6, "ADVERSE_EFFECT", "vocabulary"), Mention(12, 20, "ADVERSE_EFFECT", "vocabulary")
    assert not _continues_list(text, first, second, ContextRules.from_tsv(RULES))
    edited = tmp_path / "context_rules.tsv"
    edited.write_text(RULES.read_text(encoding="utf-8").replace("(?:(?:and|or|and/or|as well", "(?:(?:and|or|plus|and/or|as well", 1), encoding="utf-8")
    assert _continues_list(text, first, second, ContextRules.from_tsv(edited))


def test_span_convention_patterns() -> None:
    rules = read_patterns(SPAN_CONVENTION_RULES)
    assert rules["modifier_compound"].match("pain-dampening pathways", 4)
    assert not rules["modifier_compound"].match("epilepsy-related deaths", 8)
    assert rules["allergy_object"].search("serious hypersensitivity to lecanemab").group() == "hypersensitivity"
    assert rules["journal"].match("Stroke. 2002;33:1", 6)


def test_page_furniture_shapes() -> None:
    shapes = read_patterns(PAGE_FURNITURE_RULES)
    assert shapes["breadcrumb"].match("Home › Drugs › Sertraline")
    assert shapes["path"].search("Health › Aging › Alzheimer’s")
    assert shapes["spaced_menu"].match("Pregnancy   Baby   Toddler   Big Kids")
    assert not shapes["spaced_menu"].match("Take 50 mg   once   a day   with food")


def test_disease_morphology() -> None:
    morphology = read_patterns(DISEASE_MORPHOLOGY_RULES)
    assert all(morphology["disease_head"].search(word) for word in ("arthritis", "neuropathy", "seizure", "syndrome"))
    assert not morphology["disease_head"].search("antiseizure") and not morphology["disease_head"].search("cell")
    assert morphology["neoplasm_head"].search("carcinoma") and not morphology["neoplasm_head"].search("necrosis")


def test_list_conjunctions() -> None:
    conjunctions = read_patterns(ENUMERATION_RULES)
    assert conjunctions["conjunct"].match("And dry mouth").end() == 4
    assert conjunctions["inner_conjunction"].search("nausea and/or vomiting")


def test_an_edit_of_the_unit_fragment_adds_a_unit(tmp_path: Path) -> None:
    """The amount's grammar is a row of the dose grammar table: a unit added to its ``unit``
    fragment is found in every pattern that uses it."""
    assert read_patterns(DOSE_GRAMMAR_RULES, _GRAMMAR_FRAGMENTS)["core"].search("2 scoops") is None
    edited = tmp_path / "grammar.tsv"
    edited.write_text(DOSE_GRAMMAR_RULES.read_text(encoding="utf-8").replace("|puffs?|", "|puffs?|scoops?|", 1), encoding="utf-8")
    core = read_patterns(edited, _GRAMMAR_FRAGMENTS)["core"]
    assert core.search("take 2 scoops daily")["unit"] == "scoops"


def test_dose_words_give_numbers_pers_and_frequencies() -> None:
    words = read_dose_words(DOSE_WORDS)
    assert set(words) == {"number", "per", "abbreviated_frequency", "adverb", "every"}
    assert NUMBER_WORDS["twelve"] == 12.0 and NUMBER_WORDS["half"] == 0.5
    assert words["adverb"]["weekly"] == ("1/7", "week")
    assert parse_number("fifteen") == 15.0 and canonical_per("Tablets") == "tablet"
    with DOSE_WORDS.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle, delimiter="\t", quoting=csv.QUOTE_NONE))
    assert len({(row["kind"], row["word"]) for row in rows}) == len(rows)
    for kind in words:  # the first row of every kind says what the kind is
        assert next(row for row in rows if row["kind"] == kind)["note"].strip()
