"""Page furniture of saved web pages: link lists, cross-sell lists, breadcrumbs and menu bars.

ANNOTATION.md (Convention 7) leaves amounts in navigation links, related-post and cross-sell
lists out of DOSE ("You may also like: Semax 0.1% nasal drops 3 ml"), and a subject chosen
from a sidebar is a guess (issue 17). This module finds those parts of a page, line by line,
with the boilerplate cues used by content extractors (Kohlschütter et al. 2010, "Boilerplate
detection using shallow text features": short link-like segments; trafilatura's list of
"related", "see also", "more from" blocks):

- a **cue line**: a line that starts with a cue of ``data/link_list_cues.tsv`` ("Related:",
  "Frequently bought together: ...", "You may also like: ..."). When the cue line has content
  after a colon, that line is the list; when it is a short heading ("Related articles",
  "MORE FROM SPORTS MEDICINE", "Frequently Bought Together"), the short lines under it (up to
  a blank line or a line of prose) are the list;
- a **breadcrumb**: a line that starts with "Home" and a path separator (›, >, /, », →, |), or
  any short line with two or more of the path separators ›, » or > ("Health › Aging ›
  Alzheimer’s");
- a **menu bar**: a line of three or more ``|``-separated short cells (at most five words each)
  that is not a table row (no neighbouring line holds ``|``), e.g. "Check interactions |
  Reviews (1,882) | Zoloft 50 mg tablet images | Dosage information", or of three or more
  words or pairs of words set apart by runs of spaces, without numbers ("Pregnancy   Baby
  Toddler   Big Kids").

The breadcrumb and menu shapes are ``data/page_furniture_rules.tsv``.

:func:`link_lists` returns the character ranges; :func:`inside` tests an offset.
"""

from __future__ import annotations

import bisect
import csv
import re
from functools import lru_cache
from pathlib import Path

from pipeline.extract.pattern_tables import read_patterns

_DATA = Path(__file__).parent / "data"
_LINE_RE = re.compile(r"[^\r\n]*(?:\r\n|\r|\n|$)")
#: the shapes of breadcrumbs and menu bars (a note on each row)
PAGE_FURNITURE_RULES = _DATA / "page_furniture_rules.tsv"
_FURNITURE = read_patterns(PAGE_FURNITURE_RULES)
#: a breadcrumb path is a short line
_PATH_MAX_WORDS = 20
_WORD_RE = re.compile(r"\w+")
#: a heading-sized cue line: at most this many words
_CUE_HEADING_WORDS = 6
#: a cue label before a colon is this short ("Frequently bought together: ...")
_CUE_LABEL_WORDS = 4
#: a link or product line is short: a longer line is prose, and ends the list
_ITEM_MAX_WORDS = 20
_MENU_MIN_CELLS = 3
_MENU_CELL_WORDS = 5


@lru_cache(maxsize=1)
def cues() -> tuple[str, ...]:
    """Lower-cased cue phrases from ``data/link_list_cues.tsv``."""
    with (_DATA / "link_list_cues.tsv").open(encoding="utf-8", newline="") as handle:
        return tuple(row["cue"].strip().lower() for row in csv.DictReader(handle, delimiter="\t") if row["cue"].strip())


@lru_cache(maxsize=1)
def _cue_re() -> re.Pattern[str]:
    words = "|".join(re.escape(cue).replace(r"\ ", r"\s+") for cue in sorted(cues(), key=len, reverse=True))
    # the line starts with the cue ("You may also like", "MORE FROM X", "• Related:")
    return re.compile(rf"^\W*(?i:{words})\b")


def _lines(text: str) -> list[tuple[int, int]]:
    """(start, end) of every line, without its line break."""
    lines = []
    for match in _LINE_RE.finditer(text):
        if match.start() == len(text):
            break
        lines.append((match.start(), match.start() + len(match.group().rstrip("\r\n"))))
    return lines


def link_lists(text: str) -> list[tuple[int, int]]:
    """Sorted, non-overlapping character ranges of the page furniture in ``text``."""
    lines = _lines(text)
    ranges: list[tuple[int, int]] = []
    cue_re = _cue_re()
    i = 0
    while i < len(lines):
        start, end = lines[i]
        line = text[start:end]
        stripped = line.strip()
        if not stripped:
            i += 1
            continue
        if cue_re.match(stripped):
            head, colon, rest = stripped.partition(":")
            if colon and rest.strip():
                if len(_WORD_RE.findall(head)) <= _CUE_LABEL_WORDS:  # "Related reading: ..."
                    ranges.append((start, end))
            elif len(_WORD_RE.findall(stripped)) <= _CUE_HEADING_WORDS and not stripped.endswith((".", "?", "!")):
                block_end = end
                j = i + 1
                while j < len(lines) and _is_link_line(text[lines[j][0] : lines[j][1]]):
                    block_end = lines[j][1]
                    j += 1
                ranges.append((start, block_end))
                i = j
                continue
        elif (
            _FURNITURE["breadcrumb"].match(line)
            or (_FURNITURE["path"].search(line) and len(_WORD_RE.findall(line)) <= _PATH_MAX_WORDS)
            or _FURNITURE["spaced_menu"].match(line)
            or _is_menu_bar(text, lines, i)
        ):
            ranges.append((start, end))
        i += 1
    return ranges


_CELL_SEPARATOR_RE = re.compile(r"[|·•]")


def _is_link_line(line: str) -> bool:
    """A non-empty line whose items (split at "|", "·", "•") are short: links or products."""
    cells = [cell for cell in _CELL_SEPARATOR_RE.split(line) if cell.strip()]
    return bool(cells) and all(len(_WORD_RE.findall(cell)) <= _ITEM_MAX_WORDS for cell in cells)


def _is_menu_bar(text: str, lines: list[tuple[int, int]], i: int) -> bool:
    line = text[lines[i][0] : lines[i][1]]
    cells = [cell.strip() for cell in line.split("|")]
    cells = [cell for cell in cells if cell]
    if len(cells) < _MENU_MIN_CELLS or any(len(_WORD_RE.findall(cell)) > _MENU_CELL_WORDS for cell in cells):
        return False
    for j in (i - 1, i + 1):
        if 0 <= j < len(lines) and "|" in text[lines[j][0] : lines[j][1]]:
            return False  # a table row
    return True


def inside(ranges: list[tuple[int, int]], offset: int) -> bool:
    """Whether ``offset`` lies in one of the sorted ``ranges``."""
    k = bisect.bisect_right(ranges, (offset, float("inf"))) - 1
    return k >= 0 and ranges[k][0] <= offset < ranges[k][1]


def overlaps(spans: list[tuple[int, int]], start: int, end: int) -> bool:
    """Whether ``start:end`` overlaps one of ``spans`` (sorted by start; they may overlap each
    other, none is longer than ``_MAX_SPAN`` characters)."""
    k = bisect.bisect_left(spans, (end, -1))
    while k > 0:
        k -= 1
        a, b = spans[k]
        if b > start:
            return True
        if a < start - _MAX_SPAN:
            return False
    return False


#: how far back :func:`overlaps` looks for a span that reaches ``start`` (mentions are short)
_MAX_SPAN = 500
