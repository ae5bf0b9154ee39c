"""Tests for pipeline.extract.links: page furniture (link lists, cross-sell, breadcrumbs, menus)."""

from __future__ import annotations

import pytest

from pipeline.extract.links import inside, link_lists


def furniture(text: str) -> list[str]:
    return [text[start:end] for start, end in link_lists(text)]


def test_a_cue_line_with_a_colon_is_one_list() -> None:
    text = "Dosing is 10 mg daily.\nYou may also like: Semax 0.1% nasal drops 3 ml · Selank\nMore prose follows here."
    assert furniture(text) == ["You may also like: Semax 0.1% nasal drops 3 ml · Selank"]


def test_a_cue_heading_takes_the_short_lines_under_it() -> None:
    text = (
        "Frequently Bought Together\n"
        "TB-500 2 mg — $39.99\n"
        "Bacteriostatic Water 30 mL — $12.99\n"
        "\n"
        "Reviews\n"
        "Great product, took 250 mcg daily."
    )
    assert furniture(text) == ["Frequently Bought Together\nTB-500 2 mg — $39.99\nBacteriostatic Water 30 mL — $12.99"]


def test_prose_under_a_cue_heading_is_not_a_list() -> None:
    prose = (
        "Although the drug has not been approved in the US, clinical trials are ongoing for several "
        "neurodegenerative diseases and the results so far are mixed."
    )
    text = f"Related Topics\n{prose}\nMore."
    assert furniture(text) == ["Related Topics"]


def test_breadcrumbs_and_menu_bars() -> None:
    text = (
        "Home › Sleep › Narcolepsy › Modafinil 100 mg\n"
        "Check interactions | Reviews (1,882) | Zoloft 50 mg tablet images | Dosage information\n"
        "Sertraline is an antidepressant."
    )
    assert furniture(text) == [
        "Home › Sleep › Narcolepsy › Modafinil 100 mg",
        "Check interactions | Reviews (1,882) | Zoloft 50 mg tablet images | Dosage information",
    ]


def test_table_rows_are_not_menu_bars() -> None:
    text = "Age | Starting dose | Usual range\n3–5 years | 0.5 mg | 0.5–1 mg\n6–12 years | 1 mg | 1–3 mg\n"
    assert furniture(text) == []


def test_a_related_word_inside_a_sentence_is_no_cue() -> None:
    text = "Side effects related to the dose were rare: 200 mg daily was well tolerated."
    assert furniture(text) == []


@pytest.mark.parametrize(
    "line",
    ["Recommended dosage: 1 tablet of 10/60 mg.", "Similar results were seen: 10 mg daily.", "Latest research: 5 mg works."],
)
def test_content_labels_are_no_cues(line: str) -> None:
    assert furniture(line + "\nMore text follows.") == []


def test_inside() -> None:
    ranges = [(10, 20), (30, 40)]
    assert [inside(ranges, x) for x in (9, 10, 19, 20, 35, 40)] == [False, True, True, False, True, False]


def test_overlaps() -> None:
    from pipeline.extract.links import overlaps

    spans = sorted([(0, 5), (10, 20), (12, 14), (30, 40)])
    got = [overlaps(spans, a, b) for a, b in [(5, 10), (4, 6), (19, 25), (20, 30), (41, 50), (35, 36), (15, 16)]]
    assert got == [False, True, True, False, False, True, True]
