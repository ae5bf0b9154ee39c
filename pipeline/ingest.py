"""Find sources under a corpus folder, sniff their type, decode them and extract the main text.

A source becomes a :class:`Document` whose ``text`` is what every offset in the output tables
points into:

- plain text and Markdown: the bytes decoded exactly as on disk (a byte-order mark is dropped,
  line endings are kept). UTF-8 and BOM-marked UTF-16/32 are decoded directly; anything else is
  detected with charset-normalizer (legacy single-byte encodings such as Latin-1 / cp1252).
- HTML: the main text extracted by trafilatura (boilerplate such as menus and footers removed),
  as Markdown so headings stay recognisable (``# Side effects``).

Bad input never raises: a binary, empty, undecodable, oversized or unsupported file becomes a
``Document`` with ``status`` ``error`` or ``empty`` and a message saying why, so a batch goes on.
"""

from __future__ import annotations

import codecs
import hashlib
import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import charset_normalizer

DEFAULT_MAX_BYTES = 20_000_000

MEDIA_TYPES = {
    ".txt": "text/plain",
    ".text": "text/plain",
    ".md": "text/markdown",
    ".markdown": "text/markdown",
    ".html": "text/html",
    ".htm": "text/html",
}

_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)

_WESTERN = ("cp1252", "latin_1", "iso8859_15")

# Bytes that never occur in text: NUL and most C0 controls (tab, LF, VT, FF, CR and ESC excluded).
_CONTROL_BYTES = bytes(b for b in range(32) if b not in (9, 10, 11, 12, 13, 27))
_MAX_CONTROL_SHARE = 0.01


@dataclass(frozen=True)
class Source:
    """A file under the corpus folder."""

    path: Path
    relative: str  # path relative to the corpus, '/' separators
    doc_id: str

    @property
    def media_type(self) -> str | None:
        return MEDIA_TYPES.get(self.path.suffix.lower())


@dataclass(frozen=True)
class Document:
    """A decoded source: the text all offsets refer to, or why there is none."""

    doc_id: str
    source: str
    media_type: str
    sha256: str
    text: str
    title: str | None = None
    status: str = "ok"
    error: str | None = None


class SourceError(Exception):
    """A source that cannot be turned into text; the message is stored in ``documents.error``."""


def doc_id_for(relative: str) -> str:
    """``doc_id`` of a source: its corpus-relative path without extension, '/' separators."""
    stem, _ext = os.path.splitext(relative)
    return stem


def find_sources(corpus: Path) -> list[Source]:
    """Every regular, non-hidden file under ``corpus``, sorted by relative path.

    Two files that differ only by extension (``a.txt``, ``a.html``) would share a ``doc_id``;
    the second keeps its extension in its ``doc_id`` so ids stay unique and deterministic.
    """
    sources: list[Source] = []
    seen: set[str] = set()
    # Sorted by the relative path *string*: the store's merge of previous rows relies on it.
    for relative, path in sorted((p.relative_to(corpus).as_posix(), p) for p in _walk(corpus)):
        doc_id = doc_id_for(relative)
        if doc_id in seen:
            doc_id = relative
        seen.add(doc_id)
        sources.append(Source(path=path, relative=relative, doc_id=doc_id))
    return sources


def _walk(corpus: Path) -> Iterator[Path]:
    for root, dirs, files in os.walk(corpus):
        dirs[:] = [d for d in dirs if not d.startswith(".")]
        for name in files:
            if not name.startswith("."):
                path = Path(root) / name
                if path.is_file():
                    yield path


def sha256_of(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def file_sha256(path: Path) -> str:
    """SHA-256 of a file, read in blocks so huge files do not fill memory."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def load(source: Source, max_bytes: int = DEFAULT_MAX_BYTES) -> Document:
    """Read, decode and (for HTML) extract one source. Never raises for bad input."""
    media_type = source.media_type or "application/octet-stream"
    size = source.path.stat().st_size
    if size > max_bytes:
        return Document(
            doc_id=source.doc_id,
            source=source.relative,
            media_type=media_type,
            sha256=file_sha256(source.path),
            text="",
            status="error",
            error=f"file is {size:,} bytes, over the limit of {max_bytes:,} bytes (--max-bytes)",
        )
    raw = source.path.read_bytes()
    digest = sha256_of(raw)

    def failed(status: str, message: str) -> Document:
        return Document(source.doc_id, source.relative, media_type, digest, "", None, status, message)

    if source.media_type is None:
        suffix = source.path.suffix or "(none)"
        supported = ", ".join(sorted(MEDIA_TYPES))
        return failed("error", f"unsupported file type {suffix}; supported: {supported}")
    if not raw.strip():
        return failed("empty", "the file is empty" if not raw else "the file holds only whitespace")
    try:
        text = decode(raw)
        title = None
        if media_type == "text/html":
            text, title = extract_html(text)
        elif media_type == "text/markdown":
            title = markdown_title(text)
    except SourceError as error:
        return failed("error", str(error))
    if not text.strip():
        return failed("empty", "no text found in the source")
    return Document(source.doc_id, source.relative, media_type, digest, text, title)


def decode(raw: bytes) -> str:
    """Decode raw bytes to text, keeping line endings; raise SourceError for binary data."""
    for bom, encoding in _BOMS:
        if raw.startswith(bom):
            try:
                text = raw.decode(encoding)
            except UnicodeDecodeError as error:
                raise SourceError(f"invalid {encoding} after its byte-order mark: {error}") from None
            return text.lstrip("\ufeff")
    if _looks_binary(raw):
        raise SourceError("binary file (control bytes such as NUL): not text")
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        pass
    matches = list(charset_normalizer.from_bytes(raw))
    if not matches:
        raise SourceError("undecodable: not UTF-8 and no text encoding detected")
    return str(_prefer_western(matches))


def _prefer_western(matches: list) -> object:
    """charset-normalizer's best match, except that among equally plausible single-byte code
    pages the Western European ones win: byte-level statistics cannot tell cp1250 from cp1252
    on short texts, and the sources here are English-language web pages."""
    best = matches[0]
    for preferred in _WESTERN:
        for match in matches:
            if match.encoding == preferred and match.chaos <= best.chaos and match.coherence >= best.coherence:
                return match
    return best


def _looks_binary(raw: bytes) -> bool:
    sample = raw[:65536]
    if b"\x00" in sample:
        return True
    controls = len(sample) - len(sample.translate(None, _CONTROL_BYTES))
    return controls > _MAX_CONTROL_SHARE * len(sample)


def extract_html(html: str) -> tuple[str, str | None]:
    """Main text of an HTML page as Markdown (trafilatura), and the page's <title>."""
    import lxml.html  # imported lazily: only HTML sources need the parser and trafilatura
    import trafilatura

    try:
        tree = lxml.html.fromstring(html)
    except Exception as error:  # lxml raises several types (ParserError, ValueError) on junk
        raise SourceError(f"HTML could not be parsed: {error}") from None
    title = " ".join((tree.findtext(".//title") or "").split()) or None
    body = trafilatura.extract(
        tree,
        output_format="markdown",
        include_formatting=True,
        include_comments=False,
        include_tables=True,
        favor_recall=True,
    )
    return body or "", title


def markdown_title(text: str) -> str | None:
    """The first level-one Markdown heading, if any."""
    for line in text.splitlines():
        if line.startswith("# "):
            return line[2:].strip() or None
    return None
