"""Ingest: decoding, type sniffing, HTML main text and clear errors for bad sources."""

from __future__ import annotations

import codecs
from pathlib import Path

import pytest

from pipeline.ingest import Document, find_sources, load

SENTENCE = "Patients with Alzheimer’s disease received 10 mg daily.\r\nNo seizures were reported.\r\n"


def _load(tmp_path: Path, name: str, data: bytes, **kwargs) -> Document:
    path = tmp_path / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    (source,) = [s for s in find_sources(tmp_path) if s.relative == name]
    return load(source, **kwargs)


def test_utf8_is_decoded_exactly_with_crlf_kept(tmp_path):
    doc = _load(tmp_path, "a.txt", SENTENCE.encode("utf-8"))
    assert doc.status == "ok" and doc.text == SENTENCE
    assert "\r\n" in doc.text
    assert doc.media_type == "text/plain"


def test_utf8_bom_is_dropped(tmp_path):
    doc = _load(tmp_path, "a.txt", codecs.BOM_UTF8 + SENTENCE.encode("utf-8"))
    assert doc.text == SENTENCE


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-be"])
def test_utf16_with_bom(tmp_path, encoding):
    data = SENTENCE.encode(encoding)
    if encoding == "utf-16-be":
        data = codecs.BOM_UTF16_BE + data
    doc = _load(tmp_path, "a.txt", data)
    assert doc.status == "ok" and doc.text == SENTENCE


def test_latin1_is_detected(tmp_path):
    text = "Le café crème et la naïveté: réaction cutanée sévère, nausées fréquentes après la dose.\n" * 3
    doc = _load(tmp_path, "legacy.txt", text.encode("latin-1"))
    assert doc.status == "ok"
    assert doc.text == text


def test_binary_file_is_an_error(tmp_path):
    doc = _load(tmp_path, "data.txt", b"\x00\x01\x02\x03" * 100)
    assert doc.status == "error" and "binary" in doc.error
    assert doc.text == ""


def test_empty_and_whitespace_files_are_empty(tmp_path):
    assert _load(tmp_path, "empty.txt", b"").status == "empty"
    blank = _load(tmp_path, "blank.md", b"  \n\n\t \n")
    assert blank.status == "empty" and "whitespace" in blank.error


def test_unsupported_type_is_an_error(tmp_path):
    doc = _load(tmp_path, "table.csv", b"drug,dose\nCerebrolysin,10 mL\n")
    assert doc.status == "error" and "unsupported file type .csv" in doc.error


def test_oversized_file_is_an_error_without_reading_it(tmp_path):
    doc = _load(tmp_path, "big.txt", b"word " * 1000, max_bytes=100)
    assert doc.status == "error"
    assert "over the limit of 100 bytes" in doc.error
    assert len(doc.sha256) == 64


def test_html_main_text_title_and_headings(tmp_path):
    html = (
        "<html><head><title> Drug X  guide </title></head><body><nav>Home | Shop | Cart</nav>"
        "<article><h1>What is Drug X?</h1><p>Drug X is used for stroke recovery in adults.</p>"
        "<h2>Side effects</h2><ul><li>Headache</li><li>Dizziness and nausea</li></ul>"
        "<p>Most reactions were mild and went away without treatment after a few days.</p>"
        "</article><footer>Copyright 2024</footer></body></html>"
    )
    doc = _load(tmp_path, "page.html", html.encode("utf-8"))
    assert doc.status == "ok" and doc.media_type == "text/html"
    assert doc.title == "Drug X guide"
    assert "## Side effects" in doc.text and "Headache" in doc.text
    assert "Copyright" not in doc.text and "Shop" not in doc.text


def test_malformed_html_still_yields_text(tmp_path):
    html = "<html><body><div><p>Cerebrolysin was given for traumatic brain injury in this cohort study<p>Dizziness occurred in two patients.<div></body>"
    doc = _load(tmp_path, "broken.htm", html.encode("utf-8"))
    assert doc.status == "ok"
    assert "traumatic brain injury" in doc.text


def test_html_without_text_is_empty(tmp_path):
    doc = _load(tmp_path, "blank.html", b"<html><head></head><body><script>var a=1;</script></body></html>")
    assert doc.status == "empty"


def test_doc_ids_are_relative_paths_without_extension(tmp_path):
    for name in ("b.txt", "sub/dir/a.md", "a.txt", "a.html", ".hidden.txt"):
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text("text", encoding="utf-8")
    sources = find_sources(tmp_path)
    assert [s.relative for s in sources] == ["a.html", "a.txt", "b.txt", "sub/dir/a.md"]
    assert [s.doc_id for s in sources] == ["a", "a.txt", "b", "sub/dir/a"]


def test_undecodable_bytes_after_a_bom_are_an_error(tmp_path):
    doc = _load(tmp_path, "broken.txt", codecs.BOM_UTF16_LE + b"\x00\xd8")  # lone surrogate
    assert doc.status == "error" and "UTF-16" in doc.error
    assert "codec" not in doc.error and "can't decode" not in doc.error  # no Python wording


# --- formats recognised by their content, whatever the extension ------------------------------


def _zip(entries: dict[str, bytes]) -> bytes:
    """A ZIP file with ``entries`` in order (how Office Open XML and OpenDocument files start)."""
    import io
    import zipfile

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data in entries.items():
            archive.writestr(name, data)
    return buffer.getvalue()


_PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)) * 4
_DOCX = _zip({"[Content_Types].xml": b"<Types/>", "word/document.xml": b"<w:document/>"})
_XLSX = _zip({"[Content_Types].xml": b"<Types/>", "xl/workbook.xml": b"<workbook/>"})
_OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 504 + b"\xec\xa5\xc1\x00" + b"\x00" * 600


@pytest.mark.parametrize(
    ("name", "data", "named"),
    [
        ("scan.md", _PNG, "a PNG image"),
        ("photo.html", b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + bytes(range(256)) * 4, "a JPEG image"),
        ("report.txt", _DOCX, "a Microsoft Word document (.docx)"),
        ("sheet.txt", _XLSX, "a Microsoft Excel spreadsheet (.xlsx)"),
        ("old.txt", _OLE2, "a Microsoft Word document (.doc)"),
        ("letter.txt", b"{\\rtf1\\ansi Cerebrolysin 10 mL daily.}", "an RTF (Rich Text Format) document"),
        ("bundle.txt", _zip({"a.txt": b"text"}), "a ZIP archive"),
    ],
)
def test_documents_and_images_are_refused_by_their_content(tmp_path, name, data, named):
    doc = _load(tmp_path, name, data)
    assert doc.status == "error"
    assert doc.error.startswith(named + " (recognised from its content")
    assert doc.text == "" and len(doc.sha256) == 64


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("paper.txt", b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer\n%%EOF\n", "the PDF is damaged"),
        ("paper.pdf", b"%PDF-1.7 some text", "the PDF is truncated"),
    ],
)
def test_pdfs_are_read_as_pdfs_whatever_their_name(tmp_path, name, data, message):
    """A PDF goes to the PDF reader by its content (these two are broken: tests/test_pdf.py
    reads good ones)."""
    doc = _load(tmp_path, name, data)
    assert doc.media_type == "application/pdf"
    assert doc.status == "error" and doc.error.startswith(message), doc.error
    assert doc.text == "" and len(doc.sha256) == 64


@pytest.mark.parametrize("start", ["BMI was higher in treated patients.", "ID3 and MZ are gene names.", "GIF stands for ..."])
def test_text_that_starts_like_a_signature_is_still_text(tmp_path, start):
    text = start + "\nHeadache was reported in 3% of patients.\n"
    doc = _load(tmp_path, "a.txt", text.encode("utf-8"))
    assert doc.status == "ok" and doc.text == text


# --- decoding ----------------------------------------------------------------------------------


def test_utf8_with_a_few_bad_bytes_is_utf8_with_replacements_and_a_warning(tmp_path):
    good = "Cerebrolysin’s effects on dementia — a review. " * 40
    raw = good.encode("utf-8") + b"\xe9t\xe9 \x92" + good.encode("utf-8")
    doc = _load(tmp_path, "damaged.txt", raw)
    assert doc.status == "ok" and doc.error is None
    assert doc.text == raw.decode("utf-8", errors="replace")
    assert "Cerebrolysin’s" in doc.text and "\ufffd" in doc.text
    assert doc.warning.startswith("3 bytes not valid in UTF-8 replaced by U+FFFD")
    assert f"first at byte {len(good.encode('utf-8')):,}" in doc.warning


def test_clean_files_have_no_warning(tmp_path):
    assert _load(tmp_path, "a.txt", SENTENCE.encode("utf-8")).warning is None
    text = "Le café crème et la naïveté: réaction cutanée sévère.\n" * 3
    legacy = _load(tmp_path, "b.txt", text.encode("cp1252"))
    assert legacy.text == text and legacy.warning is None  # no UTF-8 in it: a legacy code page


@pytest.mark.parametrize("encoding", ["utf-16-le", "utf-16-be", "utf-32-le", "utf-32-be"])
def test_utf16_and_utf32_without_bom_are_detected(tmp_path, encoding):
    text = SENTENCE + "Nausea (≥2%) and dizziness — see § 6.\n"
    doc = _load(tmp_path, "wide.txt", text.encode(encoding))
    assert doc.status == "ok", doc.error
    assert doc.text == text


# --- sources that cannot be read ------------------------------------------------------------


def test_a_file_that_vanished_after_the_walk_is_an_error_row(tmp_path):
    path = tmp_path / "gone.txt"
    path.write_text("Headache.\n", encoding="utf-8")
    (source,) = find_sources(tmp_path)
    path.unlink()
    doc = load(source)
    assert doc.status == "error" and doc.error == "the file disappeared before it could be read"
    assert doc.sha256 == ""


def test_a_file_replaced_by_a_pipe_or_a_link_after_the_walk_is_not_read(tmp_path):
    import os

    (tmp_path / "a.txt").write_text("Headache.\n", encoding="utf-8")
    (tmp_path / "b.txt").write_text("Nausea.\n", encoding="utf-8")
    (tmp_path / "secret").write_text("not for the corpus\n", encoding="utf-8")
    a, b = find_sources(tmp_path)[:2]
    (tmp_path / "a.txt").unlink()
    os.mkfifo(tmp_path / "a.txt")  # reading it would wait forever
    (tmp_path / "b.txt").unlink()
    (tmp_path / "b.txt").symlink_to(tmp_path / "secret")
    assert "not a regular file" in load(a).error
    doc = load(b)
    assert doc.status == "error" and "symbolic link" in doc.error and doc.text == ""


def test_deeply_nested_html_keeps_its_text(tmp_path):
    body = "<div>" * 400 + "<p>Cerebrolysin was given to patients with traumatic brain injury for ten days.</p>" + "</div>" * 400
    doc = _load(tmp_path, "deep.html", f"<html><body>{body}</body></html>".encode("utf-8"))
    assert doc.status == "ok" and "traumatic brain injury" in doc.text
