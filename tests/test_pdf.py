"""PDFs as sources: a PDF written from known text round-trips (text, headings, mentions equal to
the same text as .txt), page furniture and hyphenation are handled, and bad PDFs are error or
empty rows while the batch goes on (issue 22). The PDFs are written by reportlab
(tests/pdf_samples.py) and read by the real reader (pdfminer.six)."""

from __future__ import annotations

import io
import shutil
import subprocess
from pathlib import Path

import pandas as pd
import pytest

from conftest import REPO
from pdf_samples import HEADER, LEAFLET_BLOCKS, canvas_pdf, leaflet_html, leaflet_pdf, leaflet_text
from pipeline.ingest import Source, doc_id_for, load
from pipeline.readers import ReaderError
from pipeline.readers.pdf import read_pdf
from pipeline.run import run
from pipeline.segment import segment

pytest.importorskip("reportlab")


def _load(tmp_path: Path, name: str, data: bytes):
    path = tmp_path / name
    path.write_bytes(data)
    return load(Source(path, name, doc_id_for(name)))


@pytest.fixture(scope="module")
def leaflet() -> bytes:
    return leaflet_pdf()


def test_a_leaflet_round_trips_with_its_headings_and_without_page_furniture(tmp_path, leaflet):
    doc = _load(tmp_path, "leaflet.pdf", leaflet)
    assert doc.status == "ok" and doc.media_type == "application/pdf" and doc.warning is None
    assert doc.title == "Ibuprofen 400 mg film-coated tablets"
    # every paragraph on one line (reportlab wrapped them on several), lists and headings kept,
    # the running header and "Page N of 3" gone
    assert doc.text == leaflet_text()
    assert HEADER not in doc.text and "Page 1" not in doc.text
    headings = [doc.text[s.start : s.end] for s in segment(doc.text) if s.is_heading]
    expected = [text for kind, text in LEAFLET_BLOCKS if kind in ("title", "heading")]
    assert headings == expected


def test_a_pdf_is_read_as_a_pdf_whatever_its_name(tmp_path, leaflet):
    doc = _load(tmp_path, "leaflet.txt", leaflet)
    assert doc.media_type == "application/pdf" and doc.text == leaflet_text()


def test_a_leaflet_printed_by_chromium_round_trips(tmp_path):
    """Chromium's print-to-PDF, with its default header (date, page title) and footer (URL,
    "1/3") on each page, list bullets drawn as shapes and headings marked by font size only."""
    chromium = shutil.which("chromium") or shutil.which("chromium-browser") or shutil.which("google-chrome")
    if chromium is None:
        pytest.skip("no Chromium to print a page to PDF")
    page = tmp_path / "leaflet.html"
    page.write_text(leaflet_html(), encoding="utf-8")
    pdf = tmp_path / "leaflet.pdf"
    subprocess.run(
        [chromium, "--headless", "--no-sandbox", "--disable-gpu", f"--user-data-dir={tmp_path / 'profile'}",
         f"--print-to-pdf={pdf}", page.as_uri()],
        capture_output=True, timeout=180, check=False,
    )
    if not pdf.exists():
        pytest.skip("Chromium did not print (no display or sandbox here)")
    read = read_pdf(pdf.read_bytes())
    assert read.title == "Ibuprofen 400 mg film-coated tablets"
    assert read.text == leaflet_text()


def test_headings_marked_only_by_the_outline_are_kept_on_their_own_line():
    """Bookmarks name the headings of a PDF whose headings are in the body font: each title
    becomes a line of its own, even when the layout put it in the box of its paragraph."""
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen import canvas as pdf_canvas

    buffer = io.BytesIO()
    canvas = pdf_canvas.Canvas(buffer, pagesize=A4)
    y = 760
    for title, body in (("Warnings and precautions", "Tell your doctor if you have asthma."),
                        ("Possible side effects", "Nausea and headache are common.")):
        canvas.setFont("Helvetica", 10)
        canvas.drawString(72, y, title)
        canvas.bookmarkPage(title)
        canvas.addOutlineEntry(title, title, level=0)
        canvas.drawString(72, y - 12, body)
        y -= 24
    canvas.showPage()
    canvas.save()
    read = read_pdf(buffer.getvalue())
    assert read.text == (
        "Warnings and precautions\nTell your doctor if you have asthma.\n\n"
        "Possible side effects\nNausea and headache are common.\n"
    )
    without_outline = read_pdf(canvas_pdf([[(10, "Warnings and precautions", 760), (10, "Tell your doctor if you have asthma.", 748)]]))
    assert without_outline.text == "Warnings and precautions Tell your doctor if you have asthma.\n"


def test_hyphenation_at_line_ends_is_repaired_and_compounds_keep_their_hyphen():
    lines = ["The treat-", "ment of hyper-", "tension with anti-", "inflammatory drugs and flurbi-",
             "profen was stopped after an over-", "dose of the film-", "coated tablets."]
    read = read_pdf(canvas_pdf([[(10, text, 700 - 13 * i) for i, text in enumerate(lines)]]))
    assert read.text == (
        "The treatment of hypertension with anti-inflammatory drugs and flurbiprofen was stopped "
        "after an overdose of the film-coated tablets.\n"
    )


def test_a_paragraph_cut_by_a_page_break_is_joined_across_the_running_header_and_footer():
    def page(number: int, body: list[str]) -> list[tuple[float, str, float]]:
        furniture = [(8, "Ibuprofen 400 mg tablets - package leaflet", 815), (8, f"Page {number} of 2", 20)]
        return furniture + [(10, text, 700 - 13 * i) for i, text in enumerate(body)]

    read = read_pdf(canvas_pdf([
        page(1, ["Patients who take ibuprofen for a long time should have their kidney",
                 "function and their blood pressure checked by the doctor at regular"]),
        page(2, ["intervals, especially elderly patients.", "Keep the tablets in the original package."]),
    ]))
    assert read.text == (
        "Patients who take ibuprofen for a long time should have their kidney function and their blood "
        "pressure checked by the doctor at regular intervals, especially elderly patients.\n"
        "Keep the tablets in the original package.\n"
    )


def test_two_columns_are_read_one_after_the_other():
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen import canvas as pdf_canvas

    buffer = io.BytesIO()
    canvas = pdf_canvas.Canvas(buffer, pagesize=A4)
    canvas.setFont("Helvetica", 10)
    left = ["Headache was the most", "common adverse reaction", "in the first week."]
    right = ["Nausea was reported by", "one patient in ten and", "resolved without treatment."]
    for i, (a, b) in enumerate(zip(left, right)):
        canvas.drawString(72, 700 - 13 * i, a)
        canvas.drawString(320, 700 - 13 * i, b)
    canvas.showPage()
    canvas.save()
    assert read_pdf(buffer.getvalue()).text == (
        "Headache was the most common adverse reaction in the first week.\n"
        "Nausea was reported by one patient in ten and resolved without treatment.\n"
    )


def test_a_run_gives_a_pdf_the_mentions_of_the_same_text(tmp_path, leaflet):
    corpus = tmp_path / "corpus"
    (corpus / "pdf").mkdir(parents=True)
    (corpus / "txt").mkdir()
    (corpus / "pdf" / "ibuprofen_leaflet.pdf").write_bytes(leaflet)
    (corpus / "txt" / "ibuprofen_leaflet.txt").write_text(leaflet_text(), encoding="utf-8")
    out = tmp_path / "out"
    summary = run(corpus, out)
    assert summary.n_failed == 0
    documents = pd.read_parquet(out / "documents.parquet").set_index("doc_id")
    assert documents.loc["pdf/ibuprofen_leaflet"].text == documents.loc["txt/ibuprofen_leaflet"].text
    assert documents.loc["pdf/ibuprofen_leaflet"].subject_name == documents.loc["txt/ibuprofen_leaflet"].subject_name == "Ibuprofen"
    mentions = pd.read_parquet(out / "mentions.parquet")
    same = [c for c in mentions.columns if c not in ("doc_id", "mention_id")]
    from_pdf = mentions[mentions.doc_id == "pdf/ibuprofen_leaflet"][same].reset_index(drop=True)
    from_txt = mentions[mentions.doc_id == "txt/ibuprofen_leaflet"][same].reset_index(drop=True)
    assert len(from_txt) >= 20
    pd.testing.assert_frame_equal(from_pdf, from_txt)
    effects = set(from_pdf[from_pdf.label == "ADVERSE_EFFECT"].text)
    assert {"heartburn", "nausea", "headache", "dizziness"} <= effects
    sections = set(pd.read_parquet(out / "sentences.parquet").query("doc_id == 'pdf/ibuprofen_leaflet'").section)
    assert "Possible side effects" in sections  # "4. " is list numbering to the segmenter


def _bad_pdfs() -> dict[str, bytes]:
    from reportlab.lib.pdfencrypt import StandardEncryption

    good = leaflet_pdf()
    return {
        "truncated.pdf": good[: len(good) // 2],
        "encrypted.pdf": leaflet_pdf(encrypt=StandardEncryption("secret", "owner")),
        "scan.pdf": canvas_pdf([[], []], image_only=True),
        "damaged.pdf": b"%PDF-1.4\n" + bytes(range(256)) * 8 + b"\n%%EOF\n",
        "renamed.pdf": b"<html><body>Not found</body></html>\n",
    }


EXPECTED = {
    "truncated": ("error", "the PDF is truncated: it ends before its end-of-file marker (%%EOF)"),
    "encrypted": ("error", "the PDF is encrypted with a password: it cannot be read without it"),
    "scan": ("empty", "the PDF has no text layer (2 pages of images only: a scan?): no text to extract; run it through OCR first"),
    "damaged": ("error", "the PDF is damaged: its structure cannot be read"),
    "renamed": ("error", "named .pdf but not a PDF: the file does not start with a PDF header (%PDF-)"),
}


def test_bad_pdfs_are_error_or_empty_rows_and_the_batch_goes_on(tmp_path, leaflet):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    for name, data in _bad_pdfs().items():
        (corpus / name).write_bytes(data)
    (corpus / "good.pdf").write_bytes(leaflet)
    import sys

    out = tmp_path / "out"
    result = subprocess.run(
        [sys.executable, "-m", "pipeline", "run", "--corpus", str(corpus), "--out", str(out)],
        capture_output=True, text=True, cwd=REPO, timeout=600,
    )
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stdout + result.stderr and "pdfminer" not in result.stdout + result.stderr
    assert "6 sources: 6 processed, 0 skipped (unchanged), 4 failed, 1 empty" in result.stdout
    documents = pd.read_parquet(out / "documents.parquet").set_index("doc_id")
    for doc_id, (status, message) in EXPECTED.items():
        row = documents.loc[doc_id]
        assert row.status == status and row.error.startswith(message), (doc_id, row.error)
        assert row.text == "" and row.media_type == "application/pdf" and len(row.sha256) == 64
    assert documents.loc["good"].status == "ok" and documents.loc["good"].text == leaflet_text()


def test_an_owner_password_alone_does_not_stop_reading():
    from reportlab.lib.pdfencrypt import StandardEncryption

    restricted = leaflet_pdf(encrypt=StandardEncryption("", "owner", canPrint=0, canCopy=0))
    assert read_pdf(restricted).text == leaflet_text()


def test_the_text_of_a_pdf_is_bounded_by_max_bytes(leaflet):
    with pytest.raises(ReaderError, match=r"over the limit of 500 characters \(--max-bytes\)"):
        read_pdf(leaflet, max_chars=500)
