"""Pattern tables (pipeline.extract.pattern_tables): named regular expressions in a data file,
fragments written once; and the pipeline's tables (dose context, grammar, series and purpose; substance
names and attribution), whose every row says what it is for."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from pipeline.extract.dose_context import DOSE_CONTEXT_RULES, is_excluded
from pipeline.extract.attribution import SUBSTANCE_ATTRIBUTION_RULES
from pipeline.extract.dose_grammar import DOSE_GRAMMAR_RULES, NUMBER, NUMBER_WORD_PATTERN
from pipeline.extract.dose_purpose import DOSE_PURPOSE_RULES
from pipeline.extract.doses import DOSE_SERIES_RULES
from pipeline.extract.pattern_tables import read_patterns
from pipeline.extract.substances import SUBSTANCE_NAME_RULES


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
    assert set(read_patterns(table, {"number": NUMBER, "number_words": NUMBER_WORD_PATTERN})) == {row["name"] for row in rows}


def test_an_edit_of_the_dose_context_table_changes_the_rule(tmp_path: Path, monkeypatch) -> None:
    """A rule is changed by editing its row: a new pack word in the table excludes the amount."""
    import re

    import pipeline.extract.dose_context as dose_context

    text = "tin of 30 capsules"
    match = re.search(r"(?P<n1>30)\s*(?P<unit>capsules)(?P<body>)", text)
    assert not is_excluded(text, match, "capsule", None, text[: match.start()])
    rows = DOSE_CONTEXT_RULES.read_text(encoding="utf-8").replace("packs?|box(?:es)?|", "packs?|tins?|box(?:es)?|", 1)
    edited = tmp_path / "rules.tsv"
    edited.write_text(rows, encoding="utf-8")
    monkeypatch.setattr(dose_context, "_PATTERNS", read_patterns(edited))
    assert is_excluded(text, match, "capsule", None, text[: match.start()])
