"""A document text and its mentions as a flat stream of pieces a template turns into HTML.

The stream is ``text`` pieces (the document text, in order, nothing added or dropped),
``open`` pieces (a mention starts) and ``close`` pieces (the last open mention ends). Opens and
closes are balanced, so a template writes ``<mark>`` for each open and ``</mark>`` for each
close and the markup is always well formed, whatever the mentions are: nested mentions nest;
when two mentions cross (``[a (b] c)``), the inner one is closed at the outer one's end and
reopened after it, as a second *part* of the same mention. Part 0 of every mention carries its
anchor, so each mention appears once as an anchor and at least once as a highlight.

The template escapes every text piece (jinja2 autoescape); nothing here builds markup.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal


@dataclass(frozen=True)
class Piece:
    """One step of the stream: some text, the start of a mention (part ``part``), or an end."""

    kind: Literal["text", "open", "close"]
    text: str = ""
    mention: Mapping[str, Any] | None = None
    part: int = 0


def pieces(text: str, mentions: Sequence[Mapping[str, Any]]) -> list[Piece]:
    """The stream for ``text`` with ``mentions`` (each with ``start`` and ``end`` offsets into
    ``text``). Offsets outside the text are clipped to it."""
    size = len(text)
    spans = sorted(
        (
            (max(0, min(int(m["start"]), size)), max(0, min(int(m["end"]), size)), index, m)
            for index, m in enumerate(mentions)
        ),
        key=lambda item: (item[0], -item[1], item[2]),
    )
    spans = [(start, max(start, end), index, m) for start, end, index, m in spans]
    out: list[Piece] = []
    stack: list[tuple[int, int, Mapping[str, Any]]] = []  # (end, index, mention) of open marks
    parts: dict[int, int] = {}
    position = 0
    next_span = 0

    def emit_text(upto: int) -> None:
        nonlocal position
        if upto > position:
            out.append(Piece("text", text[position:upto]))
            position = upto

    def open_mark(end: int, index: int, mention: Mapping[str, Any]) -> None:
        part = parts.get(index, -1) + 1
        parts[index] = part
        out.append(Piece("open", mention=mention, part=part))
        stack.append((end, index, mention))

    while next_span < len(spans) or stack:
        next_start = spans[next_span][0] if next_span < len(spans) else size + 1
        next_end = min((end for end, _, _ in stack), default=size + 1)
        if stack and next_end <= next_start:
            # close every mark ending here; marks above one of them are closed and reopened
            emit_text(next_end)
            reopen: list[tuple[int, int, Mapping[str, Any]]] = []
            while any(end == next_end for end, _, _ in stack):
                top = stack.pop()
                out.append(Piece("close"))
                if top[0] != next_end:
                    reopen.append(top)
            for end, index, mention in reversed(reopen):
                open_mark(end, index, mention)
            continue
        start, end, index, mention = spans[next_span]
        next_span += 1
        emit_text(start)
        open_mark(end, index, mention)
        if start == end:
            stack.pop()
            out.append(Piece("close"))
    emit_text(size)
    return out
