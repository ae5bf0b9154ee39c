"""HL7 SPL drug labels (DailyMed's Structured Product Labeling XML): their text, for the pipeline.

An SPL file is an HL7 version 3 XML document: root ``<document>`` in the namespace
``urn:hl7-org:v3`` (FDA, "SPL Implementation Guide"; HL7 "Structured Product Labeling" R5).
It is recognised by that root, whatever the file is named (:func:`looks_like_spl`); other XML
is refused with a message naming its root. What is kept, in document order:

- ``document/title``: the label's title (for a prescribing-information label, the Highlights
  header "These highlights do not include ... Initial U.S. Approval: 1988") becomes
  ``Document.title`` (its ``<br/>`` read as spaces) and the first lines of the text.
- ``structuredBody/component/section``, recursively through ``section/component/section``:
  each section's ``title`` on a line of its own, numbered as the label numbers it ("6 ADVERSE
  REACTIONS", "6.1 Clinical Trials Experience"), so that :mod:`pipeline.segment` makes it a
  heading and the outline numbers make outer sections; then the section's ``text`` (its
  narrative block), its ``excerpt/highlight/text`` (what the Highlights say of the section:
  it is part of the section, and DailyMed's own section texts hold it too), and its subsections.
- narrative blocks (HL7 StrucDoc): a ``paragraph`` is a line; a ``list/item`` is a line that
  starts with "•" (unordered lists), its number "1." / "a." / "i." (ordered lists) or the
  item's own ``caption``; a ``table`` is its ``caption`` line, then one line per ``tr``
  (``thead``, ``tbody``, ``tfoot`` rows in that order) with its ``th``/``td`` cells between
  bars, "| Adverse reaction | Drug N=100 | Placebo N=98 |": the first row is the header, as the
  context rules read tables (:mod:`pipeline.extract.context`), and the outer bars keep an
  empty first cell a column. ``br`` breaks a line (inside a table cell it is a space);
  ``content``, ``linkHtml``, ``sub``, ``sup`` are inline; a ``footnote``'s text is written
  after the paragraph or table it marks; images are dropped, their captions kept.
- the listing data elements section (LOINC 48780-1: the products, their generic names and
  active ingredients, no narrative) becomes lines "Product | ...", "Generic name | ...",
  "Active ingredient | ...": fields from which the subject finder
  (:mod:`pipeline.extract.substances`) takes the label's ingredient, as on a leaflet.

Dropped: ids, codes, effective times, the author, inactive ingredients, strengths, packaging,
images. Runs of XML whitespace are one space (the file's indentation is not text); no-break
and other Unicode spaces are kept as the label has them.

The XML is parsed with defusedxml (the standard library's expat parser, hardened): a document
that declares entities or refers to an external one is refused, never expanded or fetched (no
"billion laughs", no external entities, no network access: expat never opens a URL); the file's
size is bounded by ``--max-bytes`` before it is parsed.
"""

from __future__ import annotations

import codecs
import re
from dataclasses import dataclass, field
from xml.etree.ElementTree import Element, ParseError

import defusedxml
import defusedxml.ElementTree as SafeET

from pipeline.readers import ReaderError, ReadText

__all__ = ["HL7", "MEDIA_TYPE", "SplSection", "SplText", "looks_like_spl", "read_spl", "read_xml"]

MEDIA_TYPE = "application/xml+spl"
HL7 = "urn:hl7-org:v3"
_NS = "{" + HL7 + "}"
#: LOINC code of the SPL listing data elements section (products and ingredients)
LISTING_SECTION = "48780-1"
#: ingredient class codes of active ingredients (basis of strength: the ingredient, the active
#: moiety, the reference drug); IACT is an inactive ingredient
ACTIVE_CLASSES = frozenset({"ACTIB", "ACTIM", "ACTIR"})

_INLINE = frozenset({"content", "linkHtml", "sub", "sup", "span"})
_BLOCK = frozenset({"paragraph", "list", "table", "text", "highlight", "excerpt"})
_SKIPPED = frozenset({"footnoteRef", "col", "colgroup"})
#: the root start tag of an SPL document, after the prolog (declaration, comments, processing
#: instructions such as DailyMed's stylesheet link, a doctype)
_PROLOG = re.compile(rb"\A(?:\s|<\?.*?\?>|<!--.*?-->|<!DOCTYPE[^\[>]*(?:\[.*?\])?\s*>)*", re.DOTALL)
_ROOT_TAG = re.compile(rb"<(?:[\w.-]+:)?document\b[^>]*>", re.DOTALL)
_SNIFF_BYTES = 8192


def looks_like_spl(raw: bytes) -> bool:
    """Whether the bytes start like an SPL document: after the XML prolog, a root element
    ``document`` whose start tag declares the HL7 v3 namespace (a cheap test on the first
    kilobytes; :func:`read_xml` checks the parsed root)."""
    head = _utf8_head(raw)
    if head is None:
        return False
    prolog = _PROLOG.match(head)
    rest = head[prolog.end() if prolog else 0 :]
    tag = _ROOT_TAG.match(rest)
    return tag is not None and HL7.encode() in tag.group()


def looks_like_xml(raw: bytes) -> bool:
    """Whether the bytes start with an XML declaration or, after the prolog, a start tag."""
    head = _utf8_head(raw)
    if head is None:
        return False
    if head.lstrip().startswith(b"<?xml"):
        return True
    prolog = _PROLOG.match(head)
    return head[prolog.end() if prolog else 0 :][:1] == b"<"


def _utf8_head(raw: bytes) -> bytes | None:
    head = raw[:_SNIFF_BYTES]
    for bom, codec in ((codecs.BOM_UTF8, None), (codecs.BOM_UTF16_LE, "utf-16-le"), (codecs.BOM_UTF16_BE, "utf-16-be")):
        if head.startswith(bom):
            head = head[len(bom) :]
            if codec:
                usable = len(head) - len(head) % 2
                head = head[:usable].decode(codec, errors="replace").encode("utf-8")
            return head
    return head


def read_xml(raw: bytes) -> SplText:
    """An XML source: the text of an SPL label (see the module doc), or a ReaderError saying
    why it cannot be read (not well-formed, entities declared, not an SPL document)."""
    root = _parse(raw)
    if root.tag != _NS + "document":
        namespace, _, name = root.tag[1:].partition("}") if root.tag.startswith("{") else ("", "", root.tag)
        where = f" in namespace {namespace}" if namespace else " (no namespace)"
        raise ReaderError(
            f"an XML document whose root element is <{name}>{where}, not an HL7 SPL drug label "
            f"(root <document> in namespace {HL7}): the only XML read is SPL"
        )
    try:
        return read_spl(root)
    except RecursionError:
        raise ReaderError("the XML is nested too deeply to be read as a drug label") from None


@dataclass(frozen=True)
class SplSection:
    """Where a section of the label lies in the text: ``text[start:end]`` is its title line,
    narrative, highlights and subsections; ``title_end`` ends its title line (``start`` ==
    ``title_end`` for a section without a title)."""

    code: str | None  # the section's LOINC code ("34084-4": adverse reactions)
    title: str | None
    depth: int  # 0 for a top-level section
    start: int
    title_end: int
    end: int


@dataclass(frozen=True)
class SplText(ReadText):
    """An SPL label's text, title and the places of its sections."""

    sections: tuple[SplSection, ...] = ()


def read_spl(root: Element) -> SplText:
    """The text, title and section places of a parsed SPL document (see the module doc)."""
    writer = _Writer()
    title_element = root.find(_NS + "title")
    title = None
    if title_element is not None:
        title_lines = [line for line in _lines_of(title_element) if line]
        writer.lines.extend(title_lines)
        title = _clean(" ".join(title_lines)) or None
    body = root.find(f"{_NS}component/{_NS}structuredBody")
    if body is not None:
        for component in body.findall(_NS + "component"):
            for section in component.findall(_NS + "section"):
                writer.section(section)
    writer.flush()
    if not any(line.strip() for line in writer.lines):
        raise ReaderError("an SPL drug label without any text in its sections", status="empty")
    _mark_levels_of_unnumbered_labels(writer)
    _mark_unrecognised_titles(writer)
    starts = _line_starts(writer.lines)
    sections = tuple(
        SplSection(code, heading, depth, starts[first], starts[first] + (len(writer.lines[first]) if heading else 0),
                   max(starts[first], starts[last] - 1))
        for code, heading, depth, first, last in writer.sections
    )
    return SplText(writer.text(), title, sections=sections)


def _line_starts(lines: list[str]) -> list[int]:
    starts = [0]
    for line in lines:
        starts.append(starts[-1] + len(line) + 1)
    return starts


_OUTLINE = re.compile(r"^\d{1,2}(?:\.\d{1,2})*\s")


def _mark_levels_of_unnumbered_labels(writer: _Writer) -> None:
    """In a label whose section titles carry no outline numbers (the older format:
    "ADVERSE REACTIONS", then "Gastrointestinal"), write every title as a Markdown heading of
    its level ("## ADVERSE REACTIONS", "### Gastrointestinal"), so that a subsection is read
    under its section, as outline numbers do in the newer format (:mod:`pipeline.segment`)."""
    titled = [(first, depth) for _code, heading, depth, first, _ in writer.sections if heading]
    numbered = sum(1 for first, _ in titled if _OUTLINE.match(writer.lines[first]))
    if not titled or numbered * 2 >= len(titled):
        return
    for first, depth in titled:
        writer.lines[first] = "#" * min(depth + 2, 6) + " " + writer.lines[first]


def _mark_unrecognised_titles(writer: _Writer) -> None:
    """Write as a Markdown heading ("## Title", one "#" per level) each section title that the
    line rules of :mod:`pipeline.segment` would not read as a heading on its own (over
    ``HEADING_MAX_WORDS`` words, ending with a full stop, followed by a line starting in lower
    case), so that every title of the label is a heading; the others stay plain lines, so that
    outline numbers ("6.1 ...") make outer sections."""
    from pipeline.segment import heading_text, segment

    for _ in range(3):  # a marked title can change how its neighbours read: check again
        text = "\n".join(writer.lines)
        starts = _line_starts(writer.lines)
        headings = {(s.start, s.end): s.section for s in segment(text) if s.is_heading}
        missed = [
            (first, depth) for code, heading, depth, first, _ in writer.sections
            if heading and headings.get((starts[first], starts[first] + len(writer.lines[first]))) != heading_text(heading)
        ]
        if not missed:
            return
        for first, depth in missed:
            writer.lines[first] = "#" * min(depth + 1, 6) + " " + writer.lines[first]


def _parse(raw: bytes) -> Element:
    try:
        return SafeET.fromstring(raw, forbid_dtd=False, forbid_entities=True, forbid_external=True)
    except defusedxml.EntitiesForbidden:
        raise ReaderError(
            "the XML declares entities: refused (entity declarations are not expanded, for safety)"
        ) from None
    except (defusedxml.ExternalReferenceForbidden, defusedxml.DTDForbidden):
        raise ReaderError("the XML refers to an external resource (a DTD or entity): refused, never fetched") from None
    except defusedxml.DefusedXmlException:
        raise ReaderError("the XML uses a construct refused for safety") from None
    except ParseError as error:
        line, column = getattr(error, "position", (0, 0))
        raise ReaderError(f"the XML is not well-formed (line {line:,}, column {column + 1:,}): it cannot be read") from None
    except (ValueError, RecursionError):
        raise ReaderError("the XML cannot be parsed") from None


def _local(tag: object) -> str:
    if not isinstance(tag, str):
        return ""  # a comment or processing instruction
    return tag.rpartition("}")[2]


_XML_SPACE = re.compile(r"[ \t\r\n]+")


def _clean(text: str) -> str:
    """Runs of XML whitespace (the file's indentation, line breaks inside a paragraph) as one
    space; other spaces (no-break, em spaces: "1\u2003\u2003INDICATIONS") are the label's."""
    cleaned = _XML_SPACE.sub(" ", text).strip(" ")
    return cleaned if cleaned.strip() else ""


def _lines_of(element: Element) -> list[str]:
    """The lines of an element's inline content (``br`` breaks lines)."""
    writer = _Writer()
    writer.mixed(element)
    writer.flush()
    return writer.lines


@dataclass
class _Writer:
    """Renders SPL narrative into lines (see the module doc)."""

    lines: list[str] = field(default_factory=list)
    buffer: list[str] = field(default_factory=list)
    #: the marker of the list item whose first line is being written ("• ", "1. ")
    prefix: str = ""
    #: footnotes met since the last paragraph or table ended
    footnotes: list[str] = field(default_factory=list)
    #: inside a table cell: line breaks are spaces, blocks run on
    in_cell: bool = False
    #: (code, title, depth, first line, line after the last) of each section written
    sections: list[tuple[str | None, str | None, int, int, int]] = field(default_factory=list)

    def text(self) -> str:
        self.flush()
        return "\n".join(self.lines).strip("\n") + "\n"

    def flush(self) -> None:
        line = _clean("".join(self.buffer))
        self.buffer = []
        if line:
            self.lines.append(self.prefix + line)
            self.prefix = ""

    def blank(self) -> None:
        self.flush()
        if self.lines and self.lines[-1] != "":
            self.lines.append("")

    # --- sections ---------------------------------------------------------------------------

    def section(self, section: Element, depth: int = 0) -> None:
        code_element = section.find(_NS + "code")
        code = code_element.get("code") if code_element is not None else None
        if code == LISTING_SECTION:
            self.listing(section)
            return
        self.flush()
        record = len(self.sections)
        self.sections.append((code, None, depth, len(self.lines), len(self.lines)))
        for child in section:
            name = _local(child.tag)
            if name == "title":
                heading = _clean(" ".join(_lines_of(child)))
                if heading:
                    self.blank()
                    self.sections[record] = (code, heading, depth, len(self.lines), len(self.lines))
                    self.lines.append(heading)
            elif name == "text":
                self.narrative(child)
            elif name == "excerpt":
                for highlight in child.findall(_NS + "highlight"):
                    for text in highlight.findall(_NS + "text"):
                        self.narrative(text)
            elif name == "component":
                for subsection in child.findall(_NS + "section"):
                    self.section(subsection, depth + 1)
        self.flush()
        code, heading, depth, first, _ = self.sections[record]
        end = len(self.lines)
        while end > first + 1 and self.lines[end - 1] == "":
            end -= 1
        self.sections[record] = (code, heading, depth, first, end)

    def listing(self, section: Element) -> None:
        """Products, generic names and active ingredients of the listing data section."""
        fields: list[str] = []
        for product in list(section.iter(_NS + "manufacturedProduct")) + list(section.iter(_NS + "partProduct")):
            name = product.find(_NS + "name")
            if name is None:
                continue  # the outer manufacturedProduct wrapper
            fields.append(f"Product | {_clean(''.join(name.itertext()))}")
            for generic in product.findall(f"{_NS}asEntityWithGeneric/{_NS}genericMedicine/{_NS}name"):
                fields.append(f"Generic name | {_clean(''.join(generic.itertext()))}")
            for ingredient in product.findall(_NS + "ingredient"):
                if ingredient.get("classCode") not in ACTIVE_CLASSES:
                    continue
                substance = ingredient.find(f"{_NS}ingredientSubstance/{_NS}name")
                if substance is not None:
                    fields.append(f"Active ingredient | {_clean(''.join(substance.itertext()))}")
        kept = [line for line in dict.fromkeys(fields) if not line.endswith("| ")]
        if kept:
            self.blank()
            self.lines.extend(kept)

    # --- narrative ----------------------------------------------------------------------------

    def narrative(self, element: Element) -> None:
        """A section's ``text`` (or a highlight's): its blocks, each on lines of its own."""
        self.flush()
        self.mixed(element)
        self.flush()
        self.footnote_lines()

    def mixed(self, element: Element) -> None:
        """An element's mixed content: text and inline children fill the current line, block
        children end it and write their own lines."""
        self.buffer.append(element.text or "")
        for child in element:
            name = _local(child.tag)
            if name == "br":
                if self.in_cell:
                    self.buffer.append(" ")
                else:
                    self.flush()
            elif name in _INLINE:
                self.mixed(child)
            elif name == "footnote":
                self.footnotes.append(_clean("".join(child.itertext())))
            elif name in _SKIPPED or not name:
                pass
            elif name == "renderMultiMedia":
                caption = child.find(_NS + "caption")
                if caption is not None:
                    self.block_lines(_lines_of(caption))
            elif name == "paragraph":
                self.paragraph(child)
            elif name == "list":
                self.items(child)
            elif name == "table":
                self.table(child)
            elif name == "caption":
                self.block_lines(_lines_of(child))
            else:  # text, highlight and anything else: its content, as lines
                if name in _BLOCK and not self.in_cell:
                    self.flush()
                self.mixed(child)
                if name in _BLOCK and not self.in_cell:
                    self.flush()
            self.buffer.append(child.tail or "")

    def block_lines(self, lines: list[str]) -> None:
        if self.in_cell:
            self.buffer.append(" " + " ".join(lines) + " ")
        else:
            self.flush()
            self.lines.extend(line for line in lines if line)

    def paragraph(self, paragraph: Element) -> None:
        if self.in_cell:
            self.buffer.append(" ")
            self.mixed(paragraph)
            self.buffer.append(" ")
            return
        self.flush()
        self.mixed(paragraph)
        self.flush()
        self.footnote_lines()

    def items(self, element: Element) -> None:
        """A ``list``: each ``item`` on a line of its own after its marker."""
        ordered = element.get("listType") == "ordered"
        style = (element.get("styleCode") or "").lower()
        number = 0
        if not self.in_cell:
            self.flush()
        for child in element:
            name = _local(child.tag)
            if name == "caption":
                self.block_lines(_lines_of(child))
                continue
            if name != "item":
                continue
            number += 1
            caption = child.find(_NS + "caption")
            if caption is not None:
                marker = _clean("".join(caption.itertext()))
            elif ordered:
                marker = _ordinal(number, style) + "."
            else:
                marker = "•"
            if self.in_cell:
                self.buffer.append(f" {marker} ")
                self._item_content(child)
                continue
            self.flush()
            self.prefix = marker + " " if marker else ""
            self._item_content(child)
            self.flush()
            self.prefix = ""
        if not self.in_cell:
            self.footnote_lines()

    def _item_content(self, item: Element) -> None:
        """An item's content without its caption (the caption is the item's marker)."""
        self.buffer.append(item.text or "")
        for child in item:
            if _local(child.tag) == "caption":
                self.buffer.append(child.tail or "")
                continue
            wrapper = Element("wrapper")
            wrapper.append(child)
            self.mixed(wrapper)

    def table(self, table: Element) -> None:
        if self.in_cell:  # a table nested in a cell: its cells run on in the cell
            self.buffer.append(" " + _clean("".join(table.itertext())) + " ")
            return
        self.flush()
        caption = table.find(_NS + "caption")
        if caption is not None:
            self.lines.extend(line for line in _lines_of(caption) if line)
        rows: list[Element] = []
        for part in ("thead", "tbody", "tfoot"):
            for group in table.findall(_NS + part):
                rows.extend(group.findall(_NS + "tr"))
        rows.extend(table.findall(_NS + "tr"))
        for row in rows:
            cells = [self.cell(cell) for cell in row if _local(cell.tag) in ("td", "th")]
            if any(cells):
                self.lines.append("| " + " | ".join(cells) + " |")
        self.footnote_lines()

    def cell(self, cell: Element) -> str:
        inner = _Writer(in_cell=True)
        inner.mixed(cell)
        self.footnotes.extend(inner.footnotes)
        return _clean("".join(inner.buffer)).replace("|", "/")

    def footnote_lines(self) -> None:
        if self.footnotes and not self.in_cell:
            self.flush()
            self.lines.extend(note for note in self.footnotes if note)
            self.footnotes = []


_ROMAN = (("m", 1000), ("cm", 900), ("d", 500), ("cd", 400), ("c", 100), ("xc", 90), ("l", 50), ("xl", 40),
          ("x", 10), ("ix", 9), ("v", 5), ("iv", 4), ("i", 1))


def _ordinal(number: int, style: str) -> str:
    """An ordered list item's number in the list's style (SPL styleCode Arabic, LittleAlpha,
    BigAlpha, LittleRoman, BigRoman)."""
    if "alpha" in style and number <= 26:
        letter = chr(ord("a") + number - 1)
        return letter.upper() if "big" in style else letter
    if "roman" in style:
        roman, rest = "", number
        for symbol, value in _ROMAN:
            while rest >= value:
                roman, rest = roman + symbol, rest - value
        return roman.upper() if "big" in style else roman
    return str(number)
