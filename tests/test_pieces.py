"""Long documents are processed in pieces: offsets into the whole text, rows equal to whole."""

from __future__ import annotations

from datetime import datetime, timezone

import pandas as pd
import pytest

from pipeline import schema
from pipeline.ingest import Document
from pipeline.pieces import PIECE_CHARS, cut, document_tables_in_pieces
from pipeline.rows import document_tables
from pipeline.run import run
from pipeline.segment import segment

from conftest import CORPUS

NOW = datetime(2026, 1, 1, tzinfo=timezone.utc)


def _articles() -> str:
    return "\n\n".join(p.read_text(encoding="utf-8") for p in sorted(CORPUS.glob("*.txt")))


def _check_offsets(text: str, tables: dict) -> None:
    for name in ("sentences", "tokens", "mentions"):
        frame = tables[name].to_pandas()
        assert all(text[s:e] == t for s, e, t in zip(frame.start, frame.end, frame.text)), name
    tokens = tables["tokens"].to_pandas()
    assert tokens.token_id.tolist() == list(range(len(tokens)))
    assert tables["sentences"].to_pandas().sentence_id.tolist() == list(range(tables["sentences"].num_rows))


def test_cuts_cover_the_text_and_prefer_headings():
    text = _articles()
    pieces = cut(text, 10_000)
    assert pieces[0][0] == 0 and pieces[-1][1] == len(text)
    assert all(a[1] == b[0] for a, b in zip(pieces, pieces[1:]))
    assert all(0 < end - start <= 10_000 for start, end in pieces)
    headings = {s.start for s in segment(text) if s.is_heading}
    assert all(start in headings for start, _ in pieces[1:])  # every cut starts a heading
    assert cut(text, len(text)) == [(0, len(text))]


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        (("Headache and nausea were reported after 10 mg daily. " * 5_000), "sentence"),
        ("Headache.\n" * 30_000, "line"),
        ("x" * 250_000, "anywhere"),
    ],
)
def test_texts_without_headings_are_cut_at_sentences_lines_or_anywhere(text, kind):
    pieces = cut(text, 100_000)
    assert all(end - start <= 100_000 for start, end in pieces) and len(pieces) >= 2
    starts = [start for start, _ in pieces[1:]]
    if kind == "sentence":
        assert all(text[s - 1] == " " and text[s] == "H" for s in starts)
    elif kind == "line":
        assert all(text[s - 1] == "\n" for s in starts)


@pytest.mark.parametrize("limit", [10_000, 20_000])
def test_rows_in_pieces_equal_rows_of_the_whole_text(limit):
    """Cut at headings, the five articles in one document give exactly the rows of the whole."""
    from pipeline.nlp import get_nlp

    text = _articles()
    assert len(cut(text, limit)) > 1
    document = Document("long", "long.txt", "text/plain", "0" * 64, text)
    nlp = get_nlp()
    whole = document_tables(document, nlp(text), "v", NOW)
    pieces = document_tables_in_pieces(nlp, document, "v", NOW, limit=limit)
    for name in schema.PER_DOCUMENT_TABLES:
        pd.testing.assert_frame_equal(pieces[name].to_pandas(), whole[name].to_pandas(), obj=name)
    _check_offsets(text, pieces)


def test_a_paragraph_cut_keeps_the_section_in_force():
    from pipeline.nlp import get_nlp

    text = "# Adverse reactions\n\n" + "Headache was reported in some patients.\n\n" * 300
    document = Document("d", "d.md", "text/markdown", "0" * 64, text)
    tables = document_tables_in_pieces(get_nlp(), document, "v", NOW, limit=3_000)
    sentences = tables["sentences"].to_pandas()
    assert (sentences.section == "Adverse reactions").all()
    mentions = tables["mentions"].to_pandas()
    assert len(mentions) == 300 and (mentions.section == "Adverse reactions").all()
    assert mentions.mention_id.is_unique
    _check_offsets(text, tables)


@pytest.mark.slow
def test_a_document_over_a_million_characters_is_extracted(tmp_path):
    """spaCy's 1,000,000-character limit no longer turns a long source into an error row (the
    filler is blank lines, cheap to process, so the test stays fast)."""
    article = sorted(CORPUS.glob("*.txt"))[0].read_text(encoding="utf-8")
    text = article + "\n" * 1_100_000 + article
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "long.txt").write_text(text, encoding="utf-8")
    out = tmp_path / "outputs"
    summary = run(corpus, out)
    assert summary.n_failed == 0
    documents = pd.read_parquet(out / "documents.parquet")
    assert documents.status.tolist() == ["ok"] and documents.n_chars.tolist() == [len(text)]
    assert len(text) > 1_000_000 > PIECE_CHARS
    mentions = pd.read_parquet(out / "mentions.parquet")
    second = len(article) + 1_100_000
    assert (mentions.start < len(article)).sum() == (mentions.start >= second).sum() > 10
    assert all(text[s:e] == t for s, e, t in zip(mentions.start, mentions.end, mentions.text))
