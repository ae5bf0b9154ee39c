"""Split web text into sentences, list items and headings, and track the section in force.

Web pages saved as text do not have paragraphs the way books do: a heading is a short line of
its own, list items are lines starting with a bullet or a number (sometimes with the bullet
alone on the line before), and prose paragraphs are long lines. The rules, line by line:

- a Markdown heading (``## Side effects``), the line opening a page's comments or reviews
  ("47 Comments · Sort by: Newest"), a short line without final punctuation
  ("Uses of Cerebrolysin", "1) Stroke", "2. Dosage"), a short question ("What is X?") or a
  short label ending in a colon ("Side effects:") is a heading: it is its own sentence and sets
  ``section`` for the sentences under it. A numbered line next to another numbered line of the
  same style is a list item instead, and lines holding table cells (``|``) are never headings.
  In an outline ("6 ADVERSE REACTIONS", then "6.1 Clinical Trials Experience"), the top-level
  numbered heading is kept as ``outer_section`` of what lies under its subsections; a numbered
  title without numbered subsections ("4 Uses of X") is no outline. Markdown levels make an
  outline too: under "#### Gastrointestinal" the ``outer_section`` is "ADVERSE REACTIONS /
  Incidence Less Than 1%", the headings above it from level 2 down (a level-1 heading is a page
  title and never an outer section).
- a bullet or numbered line is a list item: its own sentence (or sentences).
- other lines are prose; a line that ends without punctuation and is followed by a line
  starting in lower case is a hard wrap, joined with the next line.
- prose is split into sentences after ``.``, ``!``, ``?`` followed by a capital, digit, quote
  or bracket, except after abbreviations ("e.g.", "et al.", "vs.", "Dr.") and initials.

This is a deterministic rule set in the spirit of the Punkt and pySBD rule cascades, but
working on lines first because web text marks structure with line breaks. It is a pure
function of the text, fast (regular expressions over lines), and returns offsets so that
``text[start:end]`` is each segment exactly.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np

MAX_SENTENCE_CHARS = 5_000
HEADING_MAX_WORDS = 12
HEADING_MAX_CHARS = 100

_BULLET = r"[-*+•●○◦▪▫■□‣⁃∙·–—→✓✔➢►]"
_NUMBERED = r"(?:\(?\d{1,2}[.)]|\(?[a-zA-Z][.)]|\(?[ivxIVX]{1,4}[.)])(?=\s)"
_BULLET_LINE = re.compile(rf"^\s*{_BULLET}(?:\s+|$)")
_BARE_BULLET_LINE = re.compile(rf"^\s*(?:{_BULLET}|\d{{1,2}}[.)])\s*$")
_NUMBERED_LINE = re.compile(rf"^\s*({_NUMBERED})\s*\S")
_MARKDOWN_HEADING = re.compile(r"^\s{0,3}(#{1,6})\s+(.*?)\s*#*\s*$")
_HEADING_MARKERS = re.compile(rf"^\s*(?:#{{1,6}}\s+|{_NUMBERED}\s*|{_BULLET}\s+)")
#: the mark that opens a list item: a bullet or a number/letter ("•", "-", "✓", "1.", "a)"); the
#: one definition of list marks, also read by the context rules
LIST_MARK = re.compile(rf"^\s*(?:{_BULLET}|{_NUMBERED})")
_FINAL_PUNCT = tuple(".,;!…")
#: Outline numbering of drug labels and papers: "6 ADVERSE REACTIONS", "6.1 Clinical Trials
#: Experience" (not list-style "2. Dosage" or "1) Stroke").
_OUTLINE_NUMBER = re.compile(r"^(\d{1,2}(?:\.\d{1,2})*)\s+[A-Za-z]")
_LINE = re.compile(r"[^\r\n]*(?:\r\n|\r|\n|$)")
#: The line that opens the comments or reviews of a page ("47 Comments · Sort by: Newest",
#: "Customer reviews (1,284)"): a heading even when a lower-case user name follows it.
_COMMENTS_LINE = re.compile(
    r"^(?:\d[\d,.]*\s+)?(?:customer |user |reader |patient )?(?:comments?|reviews?|replies|responses)\b", re.IGNORECASE
)

# Sentence boundary candidates: terminal punctuation, optional closing quotes/brackets and
# reference markers like "[12]", then whitespace, then something that can start a sentence.
_BOUNDARY = re.compile(
    r"""[.!?…]+["'”’)\]]*(?:\s*\[[\d,\s–-]+\])?(?=\s+["'“‘(\[]?[A-Z0-9•])"""
)
_ABBREVIATIONS = frozenset(
    """e.g i.e et al vs etc cf ca approx dr mr mrs ms prof fig figs no nos vol pp p
    st jr sr inc ltd co corp dept univ jan feb mar apr jun jul aug sep sept oct nov dec
    mt ft min max resp est e.g., i.e., ref refs eq sec ch viz""".split()
)


@dataclass(frozen=True)
class Segment:
    """A sentence, list item or heading: ``text[start:end]``, and the heading in force."""

    start: int
    end: int
    section: str | None
    is_heading: bool = False
    #: the enclosing numbered section of an outline ("6 ADVERSE REACTIONS" over "6.1 Clinical
    #: Trials Experience" and the unnumbered headings under it), when the text has one
    outer_section: str | None = None


@dataclass(frozen=True)
class _Line:
    start: int  # first non-space character
    end: int  # after last non-space character
    text: str  # stripped

    @property
    def words(self) -> int:
        return len(self.text.split())


def segment(text: str) -> list[Segment]:
    """Sentences, list items and headings of ``text`` in order, with their section."""
    lines = _lines(text)
    segments: list[Segment] = []
    section: str | None = None
    top: tuple[str, str] | None = None  # (number, heading) of the last top-level numbered heading
    outer: str | None = None  # that heading, once a subsection of it ("6.1" under "6") shows an outline
    levels: list[tuple[int, str]] = []  # (level, heading) of the Markdown headings in force
    i = 0
    while i < len(lines):
        line = lines[i]
        if _is_heading(lines, i):
            section = heading_text(line.text)
            number = _OUTLINE_NUMBER.match(section)
            markdown = _MARKDOWN_HEADING.match(line.text)
            if number and "." not in number.group(1):
                top, outer = (number.group(1), section), None
            elif number and top is not None and number.group(1).split(".")[0] == top[0]:
                outer = top[1]
            elif markdown:
                # Markdown levels are an outline too: "### Gastrointestinal" under "## ADVERSE
                # REACTIONS"; a level-1 heading is the page's title, never an outer section
                level = len(markdown.group(1))
                while levels and levels[-1][0] >= level:
                    levels.pop()
                ancestors = [heading for heading_level, heading in levels if heading_level >= 2]
                outer = " / ".join(ancestors) if ancestors else None
                levels.append((level, section))
            segments.append(Segment(line.start, line.end, section, True, outer))
            i += 1
            continue
        start, end = line.start, line.end
        # A bullet alone on its line belongs to the item on the next line; hard-wrapped prose
        # continues on the next line.
        while i + 1 < len(lines) and (
            _BARE_BULLET_LINE.match(lines[i].text) or _is_wrapped(lines[i], lines[i + 1])
        ):
            if _is_heading(lines, i + 1) and not _BARE_BULLET_LINE.match(lines[i].text):
                break
            i += 1
            end = lines[i].end
        segments.extend(Segment(s, e, section, False, outer) for s, e in split_sentences(text, start, end))
        i += 1
    return segments


def heading_text(line: str) -> str:
    """A heading line without Markdown hashes, numbering, bullets or a final colon."""
    stripped = _HEADING_MARKERS.sub("", line, count=1).strip()
    stripped = stripped.rstrip(":").strip()
    return stripped or line.strip()


def split_sentences(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """Sentence offsets inside ``text[start:end]`` (a prose block or a list item)."""
    spans: list[tuple[int, int]] = []
    block = text[start:end]
    cursor = 0
    for match in _BOUNDARY.finditer(block):
        stop = match.end()
        if _is_abbreviation(block, match.start()):
            continue
        spans.append(_trim(block, cursor, stop))
        cursor = stop
    spans.append(_trim(block, cursor, len(block)))
    result: list[tuple[int, int]] = []
    for s, e in spans:
        if e > s:
            result.extend(_cap_length(block, s, e))
    return [(start + s, start + e) for s, e in result]


def _lines(text: str) -> list[_Line]:
    lines: list[_Line] = []
    for match in _LINE.finditer(text):
        raw = match.group()
        stripped = raw.strip()
        if not stripped:
            continue
        lead = len(raw) - len(raw.lstrip())
        start = match.start() + lead
        lines.append(_Line(start, start + len(stripped), stripped))
    return lines


def _is_heading(lines: list[_Line], i: int) -> bool:
    line = lines[i]
    if _MARKDOWN_HEADING.match(line.text):
        return True
    if line.words > HEADING_MAX_WORDS or len(line.text) > HEADING_MAX_CHARS:
        return False
    if "|" in line.text or _BULLET_LINE.match(line.text) or _BARE_BULLET_LINE.match(line.text):
        return False
    if not any(ch.isalpha() for ch in line.text):
        return False
    first_alpha = next(ch for ch in line.text if ch.isalpha())
    if first_alpha.islower():
        return False
    numbered = _NUMBERED_LINE.match(line.text)
    if numbered and _in_numbered_run(lines, i, numbered.group(1)):
        return False
    if line.text.endswith(":"):
        return line.words <= 4 and not numbered
    if line.text.endswith("?"):
        return True
    if line.text.endswith(_FINAL_PUNCT):
        return False
    if _COMMENTS_LINE.match(line.text):
        return True
    # A short unpunctuated line that runs on in lower case on the next line is a wrapped line.
    return not (i + 1 < len(lines) and _starts_lower(lines[i + 1].text))


def _in_numbered_run(lines: list[_Line], i: int, marker: str) -> bool:
    style = re.sub(r"[0-9]+|[a-zA-Z]+", "N", marker)
    for j in (i - 1, i + 1):
        if 0 <= j < len(lines):
            other = _NUMBERED_LINE.match(lines[j].text)
            if other and re.sub(r"[0-9]+|[a-zA-Z]+", "N", other.group(1)) == style:
                return True
    return False


def _is_wrapped(line: _Line, following: _Line) -> bool:
    if line.text.endswith((".", "!", "?", ":", ";", "…")) or "|" in line.text:
        return False
    if _BULLET_LINE.match(following.text) or _NUMBERED_LINE.match(following.text):
        return False
    return _starts_lower(following.text)


def _starts_lower(text: str) -> bool:
    return text[:1].islower()


def _is_abbreviation(block: str, dot: int) -> bool:
    if block[dot] != ".":
        return False
    word_start = dot
    while word_start > 0 and not block[word_start - 1].isspace() and block[word_start - 1] not in "([":
        word_start -= 1
    word = block[word_start:dot].lower().strip("\"'“‘")
    if not word:
        return False
    if word in _ABBREVIATIONS:
        return True
    if word_start == 0 and re.fullmatch(r"\(?(?:\d{1,2}|[a-z]|[ivx]{1,4})", word):
        return True  # list numbering: "1. Headache", "a. Nausea"
    # Initials ("J. Smith") and dotted abbreviations ("e.g", "p.o", "b.i.d").
    return (len(word) == 1 and word.isalpha()) or bool(re.fullmatch(r"(?:[a-z]\.)+[a-z]", word))


def _trim(block: str, start: int, end: int) -> tuple[int, int]:
    while start < end and block[start].isspace():
        start += 1
    while end > start and block[end - 1].isspace():
        end -= 1
    return start, end


def _cap_length(block: str, start: int, end: int) -> list[tuple[int, int]]:
    """Split a run-on "sentence" longer than MAX_SENTENCE_CHARS at whitespace."""
    pieces: list[tuple[int, int]] = []
    while end - start > MAX_SENTENCE_CHARS:
        cut = block.rfind(" ", start + 1, start + MAX_SENTENCE_CHARS)
        if cut <= start:
            cut = start + MAX_SENTENCE_CHARS
        pieces.append(_trim(block, start, cut))
        start, _ = _trim(block, cut, end)
    pieces.append((start, end))
    return [p for p in pieces if p[1] > p[0]]


def sentence_of(segments: list[Segment], offsets: np.ndarray) -> np.ndarray:
    """0-based index of the segment holding (or preceding) each character offset."""
    starts = np.fromiter((s.start for s in segments), dtype=np.int64, count=len(segments))
    return np.clip(np.searchsorted(starts, offsets, side="right") - 1, 0, None)
