"""Read one source, decode it and extract its main text: a :class:`Document`.

A source becomes a :class:`Document` whose ``text`` is what every offset in the output tables
points into:

- plain text and Markdown: the bytes decoded exactly as on disk (a byte-order mark is dropped,
  line endings are kept). UTF-8 and BOM-marked UTF-16/32 are decoded directly, UTF-16/32 without
  a BOM is recognised by its zero bytes (:mod:`pipeline.sniff`); anything else is detected with
  charset-normalizer (legacy single-byte encodings such as Latin-1 / cp1252). A file that is
  UTF-8 but for a few invalid bytes is decoded as UTF-8 with U+FFFD in their place and a
  ``warning``, rather than guessed as some code page that turns every other character into
  mojibake.
- HTML: the main text extracted by trafilatura (boilerplate such as menus and footers removed),
  as Markdown so headings stay recognisable (``# Side effects``).
- HL7 SPL drug labels (``.xml``, or any file whose root element is an SPL ``<document>``) and
  PDF documents (``.pdf``, or any file that starts with a PDF header): the text their reader in
  :mod:`pipeline.readers` extracts (:mod:`pipeline.readers.spl`, :mod:`pipeline.readers.pdf`).
  Other XML is refused, naming its root element.

Bad input never raises: a file that cannot be read (permission denied, vanished, a special
file), a document format recognised by its signature (Office, images, archives, whatever the
extension), a PDF or XML file its reader refuses (encrypted, damaged, not SPL, ...), a scanned
PDF without text, a binary, empty, undecodable, oversized or unsupported file becomes a ``Document``
with ``status`` ``error`` or ``empty`` and a plain message saying why, so a batch goes on.
Finding the sources (and the entries that cannot be sources) is :mod:`pipeline.walk`.
"""

from __future__ import annotations

import codecs
import errno
import hashlib
import os
import stat
import sys
import traceback
from dataclasses import dataclass

import charset_normalizer

from pipeline.readers import ReaderError, ReadText
from pipeline.readers.spl import looks_like_spl, read_xml
from pipeline.sniff import MEDIA_TYPES, known_format, looks_binary, utf16_or_32_without_bom
from pipeline.walk import Source, doc_id_for, find_sources

__all__ = [
    "DEFAULT_MAX_BYTES",
    "MEDIA_TYPES",
    "Document",
    "Source",
    "SourceError",
    "decode",
    "doc_id_for",
    "find_sources",
    "load",
    "source_sha256",
]

DEFAULT_MAX_BYTES = 20_000_000
PDF_MEDIA_TYPE = MEDIA_TYPES[".pdf"]
SPL_MEDIA_TYPE = MEDIA_TYPES[".xml"]

_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32", "UTF-32"),
    (codecs.BOM_UTF32_BE, "utf-32", "UTF-32"),
    (codecs.BOM_UTF8, "utf-8-sig", "UTF-8"),
    (codecs.BOM_UTF16_LE, "utf-16", "UTF-16"),
    (codecs.BOM_UTF16_BE, "utf-16", "UTF-16"),
)

_WESTERN = ("cp1252", "latin_1", "iso8859_15")

_READ_BLOCK = 1 << 20


@dataclass(frozen=True)
class Document:
    """A decoded source: the text all offsets refer to, or why there is none."""

    doc_id: str
    source: str
    media_type: str
    sha256: str  # of the raw bytes; "" when they could not be read
    text: str
    title: str | None = None
    status: str = "ok"
    error: str | None = None
    #: something the user should know about a source that was read (e.g. invalid bytes replaced)
    warning: str | None = None


class SourceError(Exception):
    """A source that cannot be turned into text; the message is stored in ``documents.error``."""


def source_sha256(source: Source) -> str:
    """SHA-256 of a source's bytes, read in blocks ("" when the source cannot be read: its
    error row is made by :func:`load`)."""
    if source.problem:
        return ""
    try:
        fd = _open(source)
    except SourceError:
        return ""
    digest = hashlib.sha256()
    try:
        with os.fdopen(fd, "rb", closefd=True) as handle:
            for block in iter(lambda: handle.read(_READ_BLOCK), b""):
                digest.update(block)
    except OSError:
        return ""
    return digest.hexdigest()


def load(source: Source, max_bytes: int = DEFAULT_MAX_BYTES) -> Document:
    """Read, decode and (for HTML) extract one source. Never raises for bad input."""
    media_type = source.media_type or "application/octet-stream"

    def failed(status: str, message: str, digest: str = "", warning: str | None = None) -> Document:
        return Document(source.doc_id, source.relative, media_type, digest, "", None, status, message, warning)

    if source.problem:
        return failed("error", source.problem)
    try:
        raw = _read(source, max_bytes)
    except _TooLarge as too_large:
        return failed("error", str(too_large), too_large.sha256)
    except SourceError as error:
        return failed("error", str(error))
    digest = hashlib.sha256(raw).hexdigest()
    structured = _read_structured(source, raw, digest, max_bytes)
    if structured is not None:
        return structured
    if source.media_type is None:
        fmt = known_format(raw)
        if fmt:
            return failed("error", _format_message(fmt), digest)
        suffix = source.path.suffix or "(none)"
        supported = ", ".join(sorted(MEDIA_TYPES))
        return failed("error", f"unsupported file type {suffix}; supported: {supported}", digest)
    if not raw.strip():
        return failed("empty", "the file is empty" if not raw else "the file holds only whitespace", digest)
    try:
        text, warning = decode(raw)
    except SourceError as error:
        return failed("error", str(error), digest)
    title = None
    try:
        if media_type == "text/html":
            text, title = extract_html(text)
        elif media_type == "text/markdown":
            title = markdown_title(text)
    except SourceError as error:
        return failed("error", str(error), digest, warning)
    if not text.strip():
        return failed("empty", "no text found in the source", digest, warning)
    return Document(source.doc_id, source.relative, media_type, digest, text, title, warning=warning)


def _read_structured(source: Source, raw: bytes, digest: str, max_bytes: int) -> Document | None:
    """A PDF or an SPL drug label, recognised by its content whatever the file is named, or a
    file named ``.xml`` or ``.pdf``, read by :mod:`pipeline.readers`; None for everything else
    (read as text below)."""
    suffix = source.path.suffix.lower()
    is_pdf = known_format(raw) == "a PDF document"
    if is_pdf or suffix == ".pdf":
        media_type = PDF_MEDIA_TYPE
    elif looks_like_spl(raw) or suffix == ".xml":
        media_type = SPL_MEDIA_TYPE
    else:
        return None
    if not raw.strip():
        message = "the file is empty" if not raw else "the file holds only whitespace"
        return Document(source.doc_id, source.relative, media_type, digest, "", None, "empty", message)
    try:
        if media_type == PDF_MEDIA_TYPE:
            if not is_pdf:
                raise ReaderError("named .pdf but not a PDF: the file does not start with a PDF header (%PDF-)")
            from pipeline.readers.pdf import read_pdf  # pdfminer.six loads only when a PDF comes

            read: ReadText = read_pdf(raw, max_chars=max_bytes)
        else:
            read = read_xml(raw)
    except ReaderError as error:
        if media_type == SPL_MEDIA_TYPE and not looks_like_spl(raw):
            media_type = "application/xml"  # XML, but no SPL label
        return Document(source.doc_id, source.relative, media_type, digest, "", None, error.status, str(error))
    except Exception as error:  # a reader's bug must not stop the batch: an error row, details on demand
        if os.environ.get("PIPELINE_DEBUG"):
            traceback.print_exception(error, file=sys.stderr)
        what = "PDF" if media_type == PDF_MEDIA_TYPE else "XML file"
        message = (
            f"the {what} could not be read: an internal error in its reader "
            "(the other sources were processed; set PIPELINE_DEBUG=1 to see the details)"
        )
        return Document(source.doc_id, source.relative, media_type, digest, "", None, "error", message)
    return Document(source.doc_id, source.relative, media_type, digest, read.text, read.title, warning=read.warning)


class _TooLarge(SourceError):
    def __init__(self, message: str, sha256: str) -> None:
        super().__init__(message)
        self.sha256 = sha256


def _open(source: Source) -> int:
    """A read-only descriptor of the source, which must (still) be a regular file.

    ``O_NOFOLLOW`` unless the walk allowed the path as a symbolic link: a file swapped for a link
    after the walk is not followed; ``O_NONBLOCK``: a file swapped for a named pipe does not
    make the open wait forever (reads from regular files ignore the flag).
    """
    flags = os.O_RDONLY | os.O_CLOEXEC | os.O_NONBLOCK | (0 if source.via_link else os.O_NOFOLLOW)
    try:
        fd = os.open(source.path, flags)
    except OSError as error:
        raise SourceError(_read_error(error, source.via_link)) from None
    try:
        mode = os.fstat(fd).st_mode
    except OSError as error:
        os.close(fd)
        raise SourceError(_read_error(error, source.via_link)) from None
    if not stat.S_ISREG(mode):
        os.close(fd)
        raise SourceError("not a regular file any more: it was replaced while the run was reading the corpus")
    return fd


def _read(source: Source, max_bytes: int) -> bytes:
    """The source's bytes; raises _TooLarge (with the digest) past ``max_bytes``."""
    fd = _open(source)
    with os.fdopen(fd, "rb", closefd=True) as handle:
        try:
            size = os.fstat(handle.fileno()).st_size
            if size <= max_bytes:
                raw = handle.read(max_bytes + 1)  # the file may have grown since
                if len(raw) <= max_bytes:
                    return raw
            handle.seek(0)
            digest = hashlib.sha256()
            size = 0
            for block in iter(lambda: handle.read(_READ_BLOCK), b""):
                digest.update(block)
                size += len(block)
        except OSError as error:
            raise SourceError(_read_error(error, source.via_link)) from None
    raise _TooLarge(
        f"file is {size:,} bytes, over the limit of {max_bytes:,} bytes (--max-bytes)", digest.hexdigest()
    )


def _read_error(error: OSError, via_link: bool) -> str:
    """A plain sentence for an OSError met while opening or reading a source."""
    code = error.errno
    if code in (errno.EACCES, errno.EPERM):
        return "the file cannot be read: permission denied"
    if code == errno.ENOENT:
        return "the file disappeared before it could be read"
    if code == errno.ELOOP:
        if via_link:
            return "symbolic link loop: the link leads back to itself"
        return "the file was replaced by a symbolic link while the run was reading the corpus: not followed"
    if code == errno.EISDIR:
        return "the file was replaced by a folder while the run was reading the corpus"
    if code == errno.EIO:
        return "the file cannot be read: input/output error (a disk or network problem)"
    return f"the file cannot be read ({os.strerror(code or 0).lower()})"


def decode(raw: bytes) -> tuple[str, str | None]:
    """Decode raw bytes to text, keeping line endings: ``(text, warning)``.

    Raises SourceError for bytes that are not text: a document, image or archive format
    (named), other binary data, or text in no encoding that can be detected.
    """
    for bom, encoding, name in _BOMS:
        if raw.startswith(bom):
            try:
                text = raw.decode(encoding)
            except UnicodeDecodeError as error:
                raise SourceError(
                    f"not valid {name} text after its byte-order mark "
                    f"(the bytes at offset {error.start} cannot be decoded)"
                ) from None
            return text.lstrip("\ufeff"), None
    wide = utf16_or_32_without_bom(raw)
    if wide:
        return raw.decode(wide), None
    fmt = known_format(raw)
    if fmt:
        raise SourceError(_format_message(fmt))
    if looks_binary(raw):
        raise SourceError("binary file (control bytes such as NUL): not text")
    try:
        return raw.decode("utf-8"), None
    except UnicodeDecodeError:
        pass
    mostly_utf8 = _mostly_utf8(raw)
    if mostly_utf8:
        return mostly_utf8
    matches = list(charset_normalizer.from_bytes(raw))
    if not matches:
        raise SourceError("undecodable: not UTF-8 and no text encoding detected")
    return str(_prefer_western(matches)), None


def _format_message(fmt: str) -> str:
    return (
        f"{fmt} (recognised from its content, whatever the file name says): not a supported "
        "source; convert it to text, Markdown or HTML"
    )


def _mostly_utf8(raw: bytes) -> tuple[str, str] | None:
    """UTF-8 text with a few invalid bytes: the text with U+FFFD for them, and a warning.

    Valid multi-byte UTF-8 sequences almost never occur by chance in legacy single-byte text,
    so a file that holds some, and no more invalid sequences than valid ones (or under one per
    thousand bytes), is UTF-8 that was damaged (a truncated copy, a stray Latin-1 byte pasted in).
    A file without any valid multi-byte sequence is left to charset detection.
    """
    escaped = raw.decode("utf-8", errors="surrogateescape")
    bad = sum(1 for ch in escaped if "\udc80" <= ch <= "\udcff")
    good = sum(1 for ch in escaped if ch >= "\x80") - bad
    if good < 1 or (bad > good and bad * 1000 > len(raw)):
        return None
    first = next(i for i, ch in enumerate(escaped) if "\udc80" <= ch <= "\udcff")
    offset = len(escaped[:first].encode("utf-8", errors="surrogateescape"))
    plural = "s" if bad > 1 else ""
    warning = (
        f"{bad} byte{plural} not valid in UTF-8 replaced by U+FFFD (first at byte {offset:,}); "
        "the rest of the file is UTF-8"
    )
    return raw.decode("utf-8", errors="replace"), warning


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


def extract_html(html: str) -> tuple[str, str | None]:
    """Main text of an HTML page as Markdown (trafilatura), and the page's <title>."""
    import lxml.html  # imported lazily: only HTML sources need the parser and trafilatura
    import trafilatura

    try:
        # huge_tree: libxml2 otherwise drops everything nested deeper than 255 elements
        tree = lxml.html.fromstring(html, parser=lxml.html.HTMLParser(huge_tree=True))
    except Exception:  # lxml raises several types (ParserError, ValueError) on junk
        raise SourceError("the HTML could not be parsed: no document structure found") from None
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
