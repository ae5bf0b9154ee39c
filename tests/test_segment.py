"""Segmentation of web text: headings set sections, list items and sentences split well."""

from __future__ import annotations

from pipeline.segment import segment


def _segments(text: str) -> list[tuple[str, str | None, bool]]:
    return [(text[s.start : s.end], s.section, s.is_heading) for s in segment(text)]


def test_offsets_are_exact_on_the_corpus():
    from conftest import CORPUS

    for path in sorted(CORPUS.glob("*.txt")):
        text = path.read_text(encoding="utf-8")
        segments = segment(text)
        assert segments, path
        for s in segments:
            piece = text[s.start : s.end]
            assert piece == piece.strip() and piece
        assert all(a.end <= b.start for a, b in zip(segments, segments[1:]))


def test_headings_set_sections_and_never_merge():
    text = (
        "What is Cerebrolysin?\n"
        "Cerebrolysin is a peptide mixture. It is injected.\n\n"
        "1) Stroke\n"
        "Trials in stroke patients were mixed.\n"
        "## Side effects\n"
        "Headache was common.\n"
        "Uses of Cerebrolysin\n"
        "It is used for dementia.\n"
    )
    got = _segments(text)
    assert got == [
        ("What is Cerebrolysin?", "What is Cerebrolysin?", True),
        ("Cerebrolysin is a peptide mixture.", "What is Cerebrolysin?", False),
        ("It is injected.", "What is Cerebrolysin?", False),
        ("1) Stroke", "Stroke", True),
        ("Trials in stroke patients were mixed.", "Stroke", False),
        ("## Side effects", "Side effects", True),
        ("Headache was common.", "Side effects", False),
        ("Uses of Cerebrolysin", "Uses of Cerebrolysin", True),
        ("It is used for dementia.", "Uses of Cerebrolysin", False),
    ]


def test_abbreviations_do_not_end_sentences():
    text = "Doses vary, e.g. 5 mL in adults. Smith et al. reported gains vs. placebo in Fig. 2 of the study. Dr. Jones agreed."
    assert [t for t, _, _ in _segments(text)] == [
        "Doses vary, e.g. 5 mL in adults.",
        "Smith et al. reported gains vs. placebo in Fig. 2 of the study.",
        "Dr. Jones agreed.",
    ]


def test_list_items_are_their_own_sentences():
    text = (
        "Side effects include:\n"
        "  • Headache\n"
        "  • Dizziness, which resolved [3].\n"
        "-\n"
        "Nausea and vomiting\n"
        "* Injection site pain\n"
    )
    got = _segments(text)
    assert [t for t, _, _ in got] == [
        "Side effects include:",
        "• Headache",
        "• Dizziness, which resolved [3].",
        "-\nNausea and vomiting",
        "* Injection site pain",
    ]
    assert not any(h for _, _, h in got[1:])


def test_numbered_list_is_not_a_run_of_headings():
    text = "Common reactions:\n1. Headache\n2. Dizziness\n3. Nausea\n"
    got = _segments(text)
    assert [h for _, _, h in got] == [True, False, False, False]
    assert {s for _, s, _ in got} == {"Common reactions"}


def test_long_sentences_and_questions_are_not_headings():
    text = "Is it safe to combine Cerebrolysin with other medicines taken for memory problems in older adults today?\nAsk a doctor.\n"
    assert [h for _, _, h in _segments(text)] == [False, False]


def test_hard_wrapped_prose_is_joined():
    text = "Cerebrolysin was given to patients with\nacute ischemic stroke for ten days.\n"
    assert [t for t, _, _ in _segments(text)] == [
        "Cerebrolysin was given to patients with\nacute ischemic stroke for ten days."
    ]


def test_table_cells_are_not_headings():
    got = _segments("Strength |\n60mg/vial |\n")
    assert [h for _, _, h in got] == [False, False]


def test_run_on_text_is_capped():
    from pipeline.segment import MAX_SENTENCE_CHARS

    text = "word " * 5000
    pieces = segment(text)
    assert len(pieces) > 1
    assert all(s.end - s.start <= MAX_SENTENCE_CHARS for s in pieces)


def test_outline_sections_keep_their_numbered_parent():
    text = (
        "6 ADVERSE REACTIONS\n\nThe following are discussed.\n\n6.1 Clinical Trials Experience\n\n"
        "Nausea occurred in 10%.\n\nLess Common Adverse Reactions\n\nRash.\n\n7 DRUG INTERACTIONS\n\nNone."
    )
    outer = {text[s.start : s.end]: s.outer_section for s in segment(text)}
    assert outer["Nausea occurred in 10%."] == outer["Rash."] == "6 ADVERSE REACTIONS"
    assert outer["The following are discussed."] is None and outer["None."] is None
    # a numbered title without numbered subsections is no outline
    title = "4 Uses of Cerebrolysin + Side Effects\n\nIntro text here.\n\nStroke\n\nIt helps after a stroke."
    assert all(s.outer_section is None for s in segment(title))


def test_markdown_levels_make_an_outline():
    """Under "#### Gastrointestinal" the headings above it from level 2 down are its outer
    section; a level-1 heading is a page title and never one."""
    text = "# Label of X\n\n## ADVERSE REACTIONS\n\n### Less than 1%\n\n#### Gastrointestinal\nNausea, ulcer.\n\n## USES\nPain.\n"
    found = {text[s.start : s.end]: s for s in segment(text)}
    assert found["Nausea, ulcer."].section == "Gastrointestinal"
    assert found["Nausea, ulcer."].outer_section == "ADVERSE REACTIONS / Less than 1%"
    assert found["## ADVERSE REACTIONS"].outer_section is None
    assert found["Pain."].outer_section is None
