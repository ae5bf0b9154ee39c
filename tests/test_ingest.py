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
    doc = _load(tmp_path, "image.txt", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)) * 4)
    assert doc.status == "error" and "binary" in doc.error
    assert doc.text == ""


def test_empty_and_whitespace_files_are_empty(tmp_path):
    assert _load(tmp_path, "empty.txt", b"").status == "empty"
    blank = _load(tmp_path, "blank.md", b"  \n\n\t \n")
    assert blank.status == "empty" and "whitespace" in blank.error


def test_unsupported_type_is_an_error(tmp_path):
    doc = _load(tmp_path, "paper.pdf", b"%PDF-1.7 some text")
    assert doc.status == "error" and "unsupported file type .pdf" in doc.error


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
    assert doc.status == "error" and "utf-16" in doc.error
