"""The PubTator format (BC5CDR, NCBI disease corpus): one reader for training and benchmarks.

A document is a title line ``<pmid>|t|<title>``, an abstract line ``<pmid>|a|<abstract>`` and
annotation lines ``<pmid> TAB <start> TAB <end> TAB <text> TAB <type> [TAB <concept id>]``,
followed by a blank line. Offsets are over ``title + " " + abstract``; :attr:`PubTatorDocument.text`
puts a newline in place of the space, which keeps them valid and makes the title a line of its
own. Relation lines (``<pmid> TAB CID TAB <chemical> TAB <disease>``) are skipped.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass, field


@dataclass(frozen=True)
class PubTatorAnnotation:
    """A mention: character offsets into :attr:`PubTatorDocument.text`, its text and type, and
    the corpus's concept id column as written (``None`` when the line has none)."""

    start: int
    end: int
    text: str
    type: str
    concept: str | None = None


@dataclass
class PubTatorDocument:
    pmid: str
    title: str
    abstract: str
    annotations: list[PubTatorAnnotation] = field(default_factory=list)

    @property
    def text(self) -> str:
        # PubTator offsets are over title + " " + abstract; a newline keeps them valid.
        return self.title + "\n" + self.abstract


def read_pubtator(path: str | os.PathLike) -> Iterator[PubTatorDocument]:
    """Every document of a PubTator file in file order (a PMID given twice is given twice: the
    caller decides), with all its annotations."""
    current: PubTatorDocument | None = None
    with open(path, encoding="utf-8") as handle:
        for raw in handle:
            line = raw.rstrip("\r\n")
            if not line.strip():
                if current is not None:
                    yield current
                current = None
                continue
            head = line.split("|", 2)
            if len(head) == 3 and head[1] in ("t", "a") and "\t" not in head[0]:
                pmid, kind, body = head
                if current is not None and current.pmid != pmid:
                    yield current  # a new document without a blank line between
                    current = None
                if current is None:
                    current = PubTatorDocument(pmid, "", "")
                if kind == "t":
                    current.title = body
                else:
                    current.abstract = body
                continue
            columns = line.split("\t")
            if current is None or len(columns) < 5 or not (columns[1].isdigit() and columns[2].isdigit()):
                continue  # a relation line
            concept = columns[5] if len(columns) > 5 else None
            current.annotations.append(
                PubTatorAnnotation(int(columns[1]), int(columns[2]), columns[3], columns[4], concept)
            )
    if current is not None:
        yield current
