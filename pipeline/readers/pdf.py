"""PDF documents (product information, leaflets, papers): their text in reading order.

A PDF holds no text as such, only glyphs placed on pages; pdfminer.six (a maintained, pure-Python
PDF parser; no external program, no network) interprets the pages and its layout analysis groups
the glyphs into lines and the lines into boxes, in reading order (columns are read one after
the other). From those lines this module writes the text the pipeline reads:

- **headings on lines of their own**: a line in a font clearly larger than the body text (the
  font size that holds most characters) is a heading, and so is a line that is the title of an
  entry of the document's outline (bookmarks); a heading set on two lines is joined into one.
  A blank line is written before each heading.
- **paragraphs on one line**: the lines of a box are joined with spaces (PDF lines are
  hard-wrapped: left as lines, a short wrapped line would look like a heading to
  :mod:`pipeline.segment`), except that a line starting with a bullet or a list number starts a
  new line, and so does a line after one that ends a sentence and stops short of a full line
  (a paragraph's last line; a full line is as wide as its box, or as most lines of paragraphs
  in the document). A bullet drawn apart from its text (a glyph of its own, or a small disc or
  square drawn as a shape, as browsers print list items) is put back before it as "•".
- **hyphenation at line ends repaired**: "treat-" + "ment" is "treatment"; the hyphen stays
  when the hyphenated compound is the more frequent form ("anti-" + "inflammatory", "film-" +
  "coated"), word frequencies from wordfreq deciding; a soft hyphen (U+00AD) is always removed.
- **running headers and footers dropped**: a line in the top or bottom margin of the page
  (:data:`MARGIN_SHARE` of its height) whose text, digits aside, recurs in the margins of at
  least half of the pages ("Page 3 of 12", the product name on every page), or that is only a
  page number.
- ligatures (U+FB00-FB06) are written as their letters; glyphs without a Unicode mapping
  (pdfminer's "(cid:N)") are dropped.

The title is the document's largest heading on its first page, else the PDF's Title metadata.

What cannot be read says so in plain words (:class:`pipeline.readers.ReaderError`): an
encrypted PDF that needs a password, a damaged or truncated file (no end-of-file marker), a
scanned PDF without a text layer (``status`` ``empty``: nothing to extract without OCR). A PDF
protected only by an owner password (printing or copying restricted) opens without one and is
read. Tables come out as the layout analysis finds them (cells as lines or boxes), not as rows.
"""

from __future__ import annotations

import io
import logging
import re
import unicodedata
import warnings
from collections import Counter
from dataclasses import dataclass, field

from pipeline.readers import ReaderError, ReadText

__all__ = ["MEDIA_TYPE", "read_pdf"]

MEDIA_TYPE = "application/pdf"
#: a line whose font is this much larger than the body text's is a heading
HEADING_SIZE_RATIO = 1.15
#: ... if it has at most this many words (a larger-font paragraph is no heading)
HEADING_MAX_WORDS = 20
#: the share of the page height at its top and bottom where running headers and footers sit
MARGIN_SHARE = 0.1
#: a margin line recurring on this share of the pages (and on 2 at least) is a header or footer
REPEAT_SHARE = 0.5
#: a word split at a line end is joined when the joined word is at least this common (wordfreq)
COMMON_WORD_ZIPF = 3.0
#: a line that ends a sentence and is shorter than this share of its box's width ends a paragraph
SHORT_LINE_SHARE = 0.85

_LIGATURES = str.maketrans({"\ufb00": "ff", "\ufb01": "fi", "\ufb02": "fl", "\ufb03": "ffi", "\ufb04": "ffl",
                            "\ufb05": "st", "\ufb06": "st"})
_CID = re.compile(r"\(cid:\d+\)")
_BULLET_GLYPHS = "•●○◦▪▫■□‣⁃∙·-–—*\uf0b7\uf0a7\uf076\uf0d8"
_MARKER_ONLY = re.compile(rf"^\s*(?:[{re.escape(_BULLET_GLYPHS)}]|\d{{1,2}}[.)]|[a-z][.)]|\(cid:\d+\))\s*$")
_LIST_START = re.compile(rf"^\s*(?:[{re.escape(_BULLET_GLYPHS)}](?:\s|$)|\(?\d{{1,2}}[.)]\s|\(?[a-z][.)]\s)")
_SENTENCE_END = re.compile(r"[.!?:;]['\"”’)]*$")
_PAGE_NUMBER = re.compile(r"^(?:page\s*)?[-–—\s]*\d{1,4}(?:\s*(?:/|of)\s*\d{1,4})?[-–—\s]*$", re.IGNORECASE)
_HYPHENATED = re.compile(r"([A-Za-z]+)-$")
_NEXT_WORD = re.compile(r"^([a-z]+)")
_BOLD = re.compile(r"bold|black|heavy|semibold|demi", re.IGNORECASE)

#: what pdfminer raises on malformed input: its own PSException family, and whatever a damaged
#: stream makes Python raise while decoding (zlib.error, struct.error, UnicodeDecodeError, ...)
#: -- all mean the file cannot be read; ReaderError is ours and passes through
_MALFORMED = Exception

logging.getLogger("pdfminer").setLevel(logging.ERROR)  # its warnings about odd files are not ours to print


@dataclass
class _Line:
    """A line of text on a page, as the layout analysis found it."""

    text: str
    x0: float
    y0: float
    x1: float
    y1: float
    size: float  # the font size most of its characters have
    bold: bool
    box: int  # the layout box it belongs to (its reading-order index)
    box_x0: float = 0.0  # the left edge of its box
    box_x1: float = 0.0  # the right edge of its box
    box_lines: int = 1  # how many lines its box holds
    page_width: float = 0.0  # the width of a full line of text in the document
    heading: bool = False


@dataclass
class _Page:
    height: float
    lines: list[_Line] = field(default_factory=list)
    has_images: bool = False


def read_pdf(raw: bytes, max_chars: int = 20_000_000) -> ReadText:
    """The text and title of a PDF (see the module doc); ReaderError when it cannot be read."""
    if b"%%EOF" not in raw[-2048:]:
        raise ReaderError(
            "the PDF is truncated: it ends before its end-of-file marker (%%EOF); the file is "
            "incomplete (an interrupted download or copy?)"
        )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        document = _open(raw)
        pages = _pages(document, max_chars)
        outline = _outline_titles(document)
        metadata_title = _metadata_title(document)
    if not pages:
        raise ReaderError("the PDF is damaged: no pages found (its page tree is missing or broken)")
    if not any(line.text.strip() for page in pages for line in page.lines):
        what = f"{len(pages)} page{'s' if len(pages) != 1 else ''}"
        if any(page.has_images for page in pages):
            what += " of images only: a scan?"
        raise ReaderError(
            f"the PDF has no text layer ({what}): no text to extract; run it through OCR first", status="empty"
        )
    _drop_running_lines(pages)
    _set_full_width(pages)
    body_size = _body_size(pages)
    for page in pages:
        _mark_headings(page.lines, body_size, outline)
    text = _write(pages)
    if not text.strip():
        raise ReaderError("the PDF holds no text besides its page headers and footers", status="empty")
    title = _first_heading(pages, body_size) or metadata_title
    return ReadText(text, title)


# --- opening and walking the file ------------------------------------------------------------


def _open(raw: bytes):  # -> PDFDocument
    from pdfminer.pdfdocument import PDFDocument, PDFEncryptionError, PDFPasswordIncorrect
    from pdfminer.pdfparser import PDFParser

    try:
        return PDFDocument(PDFParser(io.BytesIO(raw)), password="")
    except PDFPasswordIncorrect:
        raise ReaderError("the PDF is encrypted with a password: it cannot be read without it") from None
    except PDFEncryptionError:
        raise ReaderError("the PDF is encrypted in a way that cannot be read") from None
    except _MALFORMED:
        raise ReaderError("the PDF is damaged: its structure cannot be read") from None


def _pages(document, max_chars: int) -> list[_Page]:
    from pdfminer.converter import PDFPageAggregator
    from pdfminer.layout import LAParams
    from pdfminer.pdfinterp import PDFPageInterpreter, PDFResourceManager
    from pdfminer.pdfpage import PDFPage

    resources = PDFResourceManager(caching=True)
    device = PDFPageAggregator(resources, laparams=LAParams(all_texts=True))
    interpreter = PDFPageInterpreter(resources, device)
    pages: list[_Page] = []
    chars = 0
    try:
        for number, page in enumerate(PDFPage.create_pages(document), start=1):
            try:
                interpreter.process_page(page)
            except _MALFORMED:
                raise ReaderError(f"the PDF is damaged: page {number} cannot be read") from None
            layout = device.get_result()
            pages.append(_page_lines(layout))
            chars += sum(len(line.text) for line in pages[-1].lines)
            if chars > max_chars:
                raise ReaderError(
                    f"the PDF's text is over the limit of {max_chars:,} characters (--max-bytes) by page {number}"
                )
    except ReaderError:
        raise
    except _MALFORMED:
        raise ReaderError("the PDF is damaged: its pages cannot be read") from None
    return pages


def _page_lines(layout) -> _Page:
    """The page's text lines in reading order, each with its font size and box."""
    from pdfminer.layout import LTChar, LTCurve, LTFigure, LTImage, LTTextBox, LTTextLine

    page = _Page(height=float(layout.height) or 1.0)
    loose: list = []
    dots: list = []  # small drawn shapes: bullets that browsers draw instead of a glyph
    box_index = 0

    def visit(container) -> None:
        nonlocal box_index
        for item in container:
            if isinstance(item, LTTextBox):
                box_index += 1
                lines = [line for line in item if isinstance(line, LTTextLine)]
                for line in lines:
                    made = _make_line(line, box_index, LTChar)
                    if made is not None:
                        made.box_x0, made.box_x1, made.box_lines = float(item.x0), float(item.x1), len(lines)
                        page.lines.append(made)
            elif isinstance(item, LTTextLine):
                loose.append(item)
            elif isinstance(item, LTImage):
                page.has_images = True
            elif isinstance(item, LTFigure):
                visit(item)
            elif isinstance(item, LTCurve) and _is_dot(item):
                dots.append(item)

    visit(layout)
    for line in loose:  # lines the analysis left out of boxes: bullets drawn apart, empty lines
        box_index += 1
        made = _make_line(line, box_index, LTChar)
        if made is not None:
            made.box_x0, made.box_x1 = made.x0, made.x1
            _place_loose(page.lines, made)
    _attach_markers(page.lines)
    _attach_dots(page.lines, dots)
    return page


def _is_dot(shape) -> bool:
    """A small, square-ish drawn shape: a list bullet (disc, circle or square)."""
    width, height = float(shape.width), float(shape.height)
    return 1.0 <= width <= 8.0 and 1.0 <= height <= 8.0 and abs(width - height) <= 2.0


def _attach_dots(lines: list[_Line], dots: list) -> None:
    """A bullet drawn as a shape just left of a line's first word, at its height: "• " before it."""
    for dot in dots:
        middle = (float(dot.y0) + float(dot.y1)) / 2
        beside = [
            line for line in lines
            if line.y0 <= middle <= line.y1 and 0 <= line.x0 - float(dot.x1) <= 3 * max(line.size, 1.0)
            and not _LIST_START.match(line.text)
        ]
        if beside:
            line = min(beside, key=lambda line: line.x0 - float(dot.x1))
            line.text = "• " + line.text


def _set_full_width(pages: list[_Page]) -> None:
    """The width of a full line: what most lines of paragraphs (boxes of several lines) reach
    in the document (a column's width)."""
    lines = [line for page in pages for line in page.lines]
    widths = sorted(line.x1 - line.x0 for line in lines if line.box_lines > 1) or sorted(line.x1 - line.x0 for line in lines)
    full_width = widths[int(0.75 * (len(widths) - 1))] if widths else 0.0
    for line in lines:
        line.page_width = full_width


def _make_line(line, box: int, char_type) -> _Line | None:
    text = _CID.sub("", line.get_text()).translate(_LIGATURES).replace("\u00a0", " ").strip()
    chars = [c for c in line if isinstance(c, char_type) and c.get_text().strip()]
    if not text and not any(_CID.fullmatch(c.get_text()) for c in chars):
        return None
    if not text:
        text = "•"  # an unmapped glyph alone on its line: a bullet drawn in a symbol font
    sizes = Counter(round(float(c.size), 1) for c in chars)
    size = sizes.most_common(1)[0][0] if sizes else 0.0
    bold = bool(chars) and sum(1 for c in chars if _BOLD.search(c.fontname or "")) > len(chars) / 2
    return _Line(text, float(line.x0), float(line.y0), float(line.x1), float(line.y1), size, bold, box)


def _place_loose(lines: list[_Line], line: _Line) -> None:
    """Insert a line found outside any box before the first line lying wholly below it."""
    for index, other in enumerate(lines):
        if other.y1 < line.y0:
            lines.insert(index, line)
            return
    lines.append(line)


def _attach_markers(lines: list[_Line]) -> None:
    """A bullet or list number drawn apart from its item ("•" a few points left of the text, on
    the same baseline) is put back before the item's text."""
    index = 0
    while index < len(lines):
        marker = lines[index]
        if _MARKER_ONLY.match(marker.text):
            item = _item_beside(lines, marker)
            if item is not None:
                symbol = "•" if marker.text.strip() in _BULLET_GLYPHS or _CID.fullmatch(marker.text) else marker.text.strip()
                item.text = f"{symbol} {item.text}"
                del lines[index]
                continue
        index += 1


def _item_beside(lines: list[_Line], marker: _Line) -> _Line | None:
    beside = [
        line for line in lines
        if line is not marker and line.x0 >= marker.x1 - 1 and min(line.y1, marker.y1) - max(line.y0, marker.y0) > 0
    ]
    return min(beside, key=lambda line: line.x0) if beside else None


# --- page furniture, body size, headings -------------------------------------------------------


def _margin(line: _Line, page: _Page) -> bool:
    zone = MARGIN_SHARE * page.height
    return line.y0 >= page.height - zone or line.y1 <= zone


def _furniture_key(text: str) -> str:
    return re.sub(r"\d+", "#", " ".join(text.lower().split()))


def _drop_running_lines(pages: list[_Page]) -> None:
    """Drop page numbers and the header and footer lines that recur across pages."""
    on_pages: Counter[str] = Counter()
    for page in pages:
        on_pages.update({_furniture_key(line.text) for line in page.lines if _margin(line, page)})
    needed = max(2, REPEAT_SHARE * len(pages))
    for page in pages:
        page.lines = [
            line for line in page.lines
            if not (_margin(line, page) and (on_pages[_furniture_key(line.text)] >= needed or _PAGE_NUMBER.match(line.text)))
        ]


def _body_size(pages: list[_Page]) -> float:
    """The font size that holds the most characters: the body text's."""
    sizes: Counter[float] = Counter()
    for page in pages:
        for line in page.lines:
            sizes[line.size] += len(line.text)
    return sizes.most_common(1)[0][0] if sizes else 0.0


def _key(text: str) -> str:
    return " ".join(unicodedata.normalize("NFKC", text).casefold().split())


def _outline_titles(document) -> set[str]:
    """The titles of the document's outline (bookmarks), normalized; empty without one."""
    titles: set[str] = set()
    try:
        for _level, title, *_ in document.get_outlines():
            if isinstance(title, bytes):
                title = _decode_pdf_string(title)
            if isinstance(title, str) and title.strip():
                titles.add(_key(title))
    except Exception:  # noqa: BLE001 -- no outline, or a damaged one: headings come from font sizes alone
        return set()
    return titles


def _metadata_title(document) -> str | None:
    try:
        for info in document.info:
            title = info.get("Title")
            if hasattr(title, "resolve"):
                title = title.resolve()
            if isinstance(title, bytes):
                title = _decode_pdf_string(title)
            if isinstance(title, str) and title.strip() and title.strip().lower() not in ("untitled", "(anonymous)"):
                return " ".join(title.split())
    except Exception:  # noqa: BLE001 -- damaged metadata: no title from it
        return None
    return None


def _decode_pdf_string(value: bytes) -> str:
    """A PDF text string: UTF-16 with a byte-order mark, else PDFDocEncoding (Latin-1 near enough)."""
    if value.startswith((b"\xfe\xff", b"\xff\xfe")):
        return value.decode("utf-16", errors="replace")
    return value.decode("latin-1")


def _mark_headings(lines: list[_Line], body_size: float, outline: set[str]) -> None:
    """Headings: lines in a clearly larger font than the body, and outline titles (also when a
    title is set on two lines)."""
    for index, line in enumerate(lines):
        words = len(line.text.split())
        if body_size and line.size >= HEADING_SIZE_RATIO * body_size and words <= HEADING_MAX_WORDS:
            line.heading = True
        elif outline and _key(line.text) in outline:
            line.heading = True
        elif outline and index + 1 < len(lines) and lines[index + 1].box == line.box:
            if _key(line.text + " " + lines[index + 1].text) in outline:
                line.heading = lines[index + 1].heading = True


def _first_heading(pages: list[_Page], body_size: float) -> str | None:
    """The largest heading of the first page with text (its lines joined), if larger than body text."""
    for page in pages:
        headings = [line for line in page.lines if line.heading]
        if not page.lines:
            continue
        if not headings:
            return None
        largest = max(line.size for line in headings)
        if largest <= body_size:
            return None
        first = next(i for i, line in enumerate(page.lines) if line.heading and line.size == largest)
        parts = [page.lines[first].text]
        for line in page.lines[first + 1 :]:
            if not (line.heading and line.size == largest and line.box == page.lines[first].box):
                break
            parts.append(line.text)
        return " ".join(" ".join(parts).split())
    return None


# --- writing -----------------------------------------------------------------------------------


def _write(pages: list[_Page]) -> str:
    """Headings on lines of their own after a blank line, paragraphs joined (see the module doc)."""
    out: list[str] = []
    current: list[str] = []  # the paragraph being joined
    previous: _Line | None = None

    def end_paragraph() -> None:
        if current:
            out.append(" ".join(" ".join(current).split()))
            current.clear()

    for page in pages:
        for line in page.lines:
            text = line.text
            if line.heading:
                if previous is not None and previous.heading and previous.box == line.box and out:
                    out[-1] = out[-1] + " " + text  # a heading set on two lines
                else:
                    end_paragraph()
                    if out and out[-1] != "":
                        out.append("")
                    out.append(text)
                previous = line
                continue
            if current and previous is not None and not previous.heading and _continues(previous, line):
                _join(current, text)
            else:
                end_paragraph()
                current.append(text)
            previous = line
    end_paragraph()
    return "\n".join(line.strip() for line in out).strip() + "\n"


def _continues(previous: _Line, line: _Line) -> bool:
    """Whether ``line`` continues the paragraph ``previous`` is the last line of."""
    if _LIST_START.match(line.text):
        return False
    full = (previous.x1 - previous.x0) >= SHORT_LINE_SHARE * max(previous.box_x1 - previous.box_x0, previous.page_width, 1.0)
    if line.box != previous.box:
        # a new box is a new paragraph, unless the previous one, a paragraph of several lines,
        # broke off mid-sentence at the end of a full line (a page or column break)
        return (
            full and previous.box_lines > 1 and not _SENTENCE_END.search(previous.text) and line.text[:1].islower()
        )
    if _SENTENCE_END.search(previous.text):
        if not full:
            return False  # a paragraph's last line
        if line.x0 > previous.x0 + 0.5 * max(line.size, 1.0) and not _LIST_START.match(previous.text):
            return False  # an indented first line
    return True


def _join(current: list[str], text: str) -> None:
    """Append ``text`` to the paragraph, repairing a word hyphenated at the line end."""
    last = current[-1]
    if last.endswith("\u00ad"):
        current[-1] = last[:-1] + text
        return
    hyphenated = _HYPHENATED.search(last)
    following = _NEXT_WORD.match(text)
    if hyphenated and following and _dehyphenate(hyphenated.group(1), following.group(1)):
        current[-1] = last[:-1] + text
        return
    if hyphenated and following:
        current[-1] = last + text  # a compound split at its own hyphen: "anti-" + "inflammatory"
        return
    current.append(text)


def _dehyphenate(left: str, right: str) -> bool:
    """Whether "left-" + "right" at a line end is one word hyphenated for the line break: the
    joined word is common ("treatment", "overdose"), or more frequent than the hyphenated
    compound (wordfreq); "anti-" + "inflammatory", "film-" + "coated" keep their hyphen, and
    halves that are no words ("flurbi-" + "profen") are joined."""
    from wordfreq import zipf_frequency

    joined = zipf_frequency(left + right, "en")
    return joined >= COMMON_WORD_ZIPF or joined >= zipf_frequency(f"{left}-{right}", "en")
