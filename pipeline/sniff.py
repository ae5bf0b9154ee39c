"""What a source's bytes are, before anything tries to read them as text.

Three questions, each answered from the bytes alone, whatever the file's extension says:

- :func:`known_format`: is it a document, image, archive or media file with a recognisable
  signature (magic bytes)? A Word file or a PNG renamed ``.txt`` is refused by name instead of
  being decoded as mojibake, and a PDF is read as a PDF (:mod:`pipeline.readers.pdf`).
  Signatures come from the ``filetype`` package; as many of them are two or three printable
  bytes ("BM" for a bitmap, "ID3" for an MP3), they are trusted only when the bytes do not read
  as text, except for the formats whose signature is itself text and unmistakable (``%PDF-``,
  ``{\\rtf``, ``%!PS``).
- :func:`utf16_or_32_without_bom`: is it UTF-16 or UTF-32 without a byte-order mark? Text in
  those encodings has a zero byte at fixed positions (every other byte for Latin script in
  UTF-16, three bytes of four in UTF-32), and decodes without error into characters that are not
  control codes.
- :func:`looks_binary`: does it hold control bytes that never occur in text?
"""

from __future__ import annotations

import codecs
from pathlib import PurePath

import filetype

#: Media types of the sources that can be read, by extension.
MEDIA_TYPES = {
    ".txt": "text/plain",
    ".text": "text/plain",
    ".md": "text/markdown",
    ".markdown": "text/markdown",
    ".html": "text/html",
    ".htm": "text/html",
    # read by pipeline.readers; the content decides (an SPL label or a PDF is read whatever its
    # name says, other XML is refused)
    ".xml": "application/xml+spl",
    ".pdf": "application/pdf",
}

#: How many leading bytes the sniffers look at.
SAMPLE_BYTES = 65_536

# Bytes that never occur in text: NUL and most C0 controls (tab, LF, VT, FF, CR and ESC excluded).
_CONTROL_BYTES = bytes(b for b in range(32) if b not in (9, 10, 11, 12, 13, 27))
_MAX_CONTROL_SHARE = 0.01

#: Signatures that are printable text but never start a plain-text article: trusted as they are.
_TEXT_SIGNATURES = (
    (b"%PDF-", "a PDF document"),
    (b"{\\rtf", "an RTF (Rich Text Format) document"),
    (b"%!PS", "a PostScript document"),
)

_OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"

#: Plain names for the formats ``filetype`` recognises, by its extension; others are named
#: from the extension and the kind ("a MKV video file").
_FORMAT_NAMES = {
    "pdf": "a PDF document",
    "doc": "a Microsoft Word document (.doc)",
    "docx": "a Microsoft Word document (.docx)",
    "xls": "a Microsoft Excel spreadsheet (.xls)",
    "xlsx": "a Microsoft Excel spreadsheet (.xlsx)",
    "ppt": "a Microsoft PowerPoint presentation (.ppt)",
    "pptx": "a Microsoft PowerPoint presentation (.pptx)",
    "odt": "an OpenDocument text document (.odt)",
    "ods": "an OpenDocument spreadsheet (.ods)",
    "odp": "an OpenDocument presentation (.odp)",
    "epub": "an EPUB e-book",
    "rtf": "an RTF (Rich Text Format) document",
    "jpg": "a JPEG image",
    "jpx": "a JPEG 2000 image",
    "png": "a PNG image",
    "apng": "an animated PNG image",
    "gif": "a GIF image",
    "webp": "a WebP image",
    "tif": "a TIFF image",
    "bmp": "a BMP image",
    "ico": "an icon image (.ico)",
    "heic": "a HEIC image",
    "avif": "an AVIF image",
    "psd": "a Photoshop image (.psd)",
    "zip": "a ZIP archive",
    "gz": "a gzip-compressed file",
    "bz2": "a bzip2-compressed file",
    "xz": "an xz-compressed file",
    "zst": "a Zstandard-compressed file",
    "7z": "a 7-Zip archive",
    "rar": "a RAR archive",
    "tar": "a tar archive",
    "exe": "a Windows program",
    "elf": "a Linux program",
    "sqlite": "an SQLite database",
}

_KIND_NAMES = {"image": "image", "video": "video file", "audio": "audio file", "font": "font file"}


def media_type_for(path: PurePath) -> str | None:
    """The media type of a readable source by its extension (None: not a supported type)."""
    return MEDIA_TYPES.get(path.suffix.lower())


def looks_binary(raw: bytes) -> bool:
    """Whether the first bytes hold NUL or more than 1% of other control bytes."""
    sample = raw[:SAMPLE_BYTES]
    if b"\x00" in sample:
        return True
    controls = len(sample) - len(sample.translate(None, _CONTROL_BYTES))
    return controls > _MAX_CONTROL_SHARE * len(sample)


def known_format(raw: bytes) -> str | None:
    """A plain name for a non-text format recognised by its signature ("a PDF document"), or
    None when the bytes may be text."""
    head = raw[:1024]
    for signature, name in _TEXT_SIGNATURES:
        # PDF readers accept the header anywhere in the first kilobyte; the others start the file
        if head.startswith(signature) or (signature == b"%PDF-" and signature in head):
            return name
    if not looks_binary(raw):
        return None
    kind = filetype.guess(raw[:8192])
    if kind is None:
        if raw.startswith(_OLE2):  # a compound file filetype does not classify further
            return "a Microsoft Office 97-2003 document (.doc, .xls or .ppt)"
        return None
    if kind.extension in _FORMAT_NAMES:
        return _FORMAT_NAMES[kind.extension]
    family = type(kind).__module__.rsplit(".", 1)[-1]
    noun = _KIND_NAMES.get(family, "file")
    return f"a {kind.extension.upper()} {noun}"


def utf16_or_32_without_bom(raw: bytes) -> str | None:
    """The codec ("utf-16-le", "utf-32-be", ...) of text in UTF-16 or UTF-32 without a
    byte-order mark, or None.

    The zero bytes of text in these encodings sit at fixed positions: for a code point below
    U+0100 (Latin script, digits, punctuation, line breaks) the high byte is zero. A candidate is
    kept only when such zero bytes are frequent at its positions and absent elsewhere, the whole
    file decodes without error, and the result has almost no control characters.
    """
    sample = raw[:SAMPLE_BYTES]
    if len(sample) < 4 or b"\x00" not in sample:
        return None
    for codec, width in (("utf-32-le", 4), ("utf-32-be", 4), ("utf-16-le", 2), ("utf-16-be", 2)):
        if len(raw) % width:
            continue
        usable = len(sample) - len(sample) % width
        units = [sample[i : i + width] for i in range(0, usable, width)]
        if not units:
            continue
        if width == 4:
            zero_high = sum(u[2:] == b"\x00\x00" if codec.endswith("le") else u[:2] == b"\x00\x00" for u in units)
        else:
            zero_high = sum(u[1] == 0 if codec.endswith("le") else u[0] == 0 for u in units)
        zero_low = sum(u[0] == 0 if codec.endswith("le") else u[-1] == 0 for u in units)
        if zero_high < 0.5 * len(units) or zero_low > 0.01 * len(units):
            continue
        try:
            text = codecs.decode(raw, codec)
        except UnicodeDecodeError:
            continue
        controls = sum(1 for ch in text[:SAMPLE_BYTES] if ord(ch) < 32 and ch not in "\t\n\x0b\x0c\r\x1b")
        if controls <= _MAX_CONTROL_SHARE * min(len(text), SAMPLE_BYTES):
            return codec
    return None
