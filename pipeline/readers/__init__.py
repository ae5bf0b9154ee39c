"""Readers of structured source formats: what is kept of each, as plain text for the pipeline.

:mod:`pipeline.ingest` sniffs a source and hands the formats that are not text to a reader here:
HL7 SPL drug labels (:mod:`pipeline.readers.spl`) and PDF documents (:mod:`pipeline.readers.pdf`).
A reader returns the text every offset of the output tables will point into (headings on lines
of their own, tables as rows of ``|``-separated cells, the lines :mod:`pipeline.segment` reads)
and the document's title; it raises :class:`ReaderError` with a plain sentence for
``documents.error`` (never a traceback or a library's internals).
"""

from __future__ import annotations

from dataclasses import dataclass


class ReaderError(Exception):
    """A source a reader cannot turn into text; ``status`` is ``error`` (unreadable) or
    ``empty`` (read, but holds no text, e.g. a scanned PDF)."""

    def __init__(self, message: str, status: str = "error") -> None:
        super().__init__(message)
        self.status = status


@dataclass(frozen=True)
class ReadText:
    """What a reader extracted: the text, the title (None when the source has none) and a
    warning for ``documents.warning`` (something to know about a source that was read)."""

    text: str
    title: str | None = None
    warning: str | None = None
