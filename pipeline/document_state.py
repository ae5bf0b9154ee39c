"""What the document-wide components read and write, apart from spaCy's tokens.

The context rules, the span conventions and the substance components decide from the whole
document: a concept's label elsewhere in it (one sense per discourse), whether it is written in
the first person, its title and subject. They read only the text, its segments, the mentions and
the source's title and path, never the tokens, so they work on a :class:`DocumentState`, which
a Doc gives (:meth:`DocumentState.of`) and takes back (:meth:`DocumentState.into`), and which
:mod:`pipeline.pieces` assembles for a document too long for one spaCy pass: the tables of a
document processed in pieces then equal those of the same text processed whole.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from spacy.tokens import Doc

from pipeline.extract.mention import Mention, doc_text
from pipeline.segment import Segment

#: ``Doc.user_data`` keys the caller may set before the pipeline runs: the source's title and
#: its path relative to the corpus (evidence of what the document is about)
TITLE_KEY = "title"
SOURCE_KEY = "source"

for _name in ("segments", "mentions", "subject", "link_lists"):
    if not Doc.has_extension(_name):
        Doc.set_extension(_name, default=None)


@dataclass
class DocumentState:
    """A document as the document-wide components see it."""

    text: str
    segments: list[Segment]
    mentions: list[Mention]
    title: str | None = None
    source: str | None = None
    #: the substance the document is about (``pipeline.extract.substances``), once decided
    subject: Any = None
    #: spans of link lists and other page furniture (``pipeline.extract.links``), once found
    link_lists: Any = None
    extra: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def of(cls, doc: Doc) -> DocumentState:
        return cls(
            text=doc_text(doc),
            segments=doc._.segments or [],
            mentions=list(doc._.mentions or []),
            title=doc.user_data.get(TITLE_KEY),
            source=doc.user_data.get(SOURCE_KEY),
            subject=doc._.subject,
            link_lists=doc._.link_lists,
        )

    def into(self, doc: Doc) -> Doc:
        doc._.mentions = self.mentions
        doc._.subject = self.subject
        doc._.link_lists = self.link_lists
        return doc
