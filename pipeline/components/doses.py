"""``dose_finder``: dose statements, structured and linked to the conditions they are for
(:mod:`pipeline.extract.dose_mentions`)."""

from pathlib import Path
from typing import Optional

from spacy.language import Language
from spacy.tokens import Doc

import pipeline.document_state  # noqa: F401  (registers the Doc extensions)
from pipeline.components.files import FileTables
from pipeline.extract.dose_mentions import PACK_HEADERS, dose_mentions, read_pack_headers
from pipeline.extract.links import link_lists
from pipeline.extract.mention import doc_text


@Language.factory(
    "dose_finder",
    default_config={"pack_headers": None},
    assigns=["doc._.mentions", "doc._.link_lists"],
    requires=["doc._.segments", "doc._.mentions"],
)
def make_dose_finder(nlp: Language, name: str, pack_headers: Optional[str]) -> "DoseFinder":
    return DoseFinder(name, Path(pack_headers) if pack_headers else PACK_HEADERS)


class DoseFinder(FileTables):
    """Adds DOSE mentions (with their structured dose) to ``Doc._.mentions``; the page's link
    lists (no doses there) go to ``Doc._.link_lists`` for the substance components.

    ``pack_headers``: the table column headers whose cells count packs or give prices, not
    doses (the format of ``extract/data/pack_headers.tsv``, the packaged one by default); it is
    saved with the pipeline by ``nlp.to_disk``."""

    readers = {"pack_headers": read_pack_headers}

    def __init__(self, name: str = "dose_finder", pack_headers: Path = PACK_HEADERS) -> None:
        self.name = name
        self.files = {"pack_headers": Path(pack_headers)}

    @property
    def pack_headers(self) -> tuple:
        return self.table("pack_headers")

    def __call__(self, doc: Doc) -> Doc:
        mentions = list(doc._.mentions or [])
        text = doc_text(doc)
        doc._.link_lists = link_lists(text)
        doses = dose_mentions(text, doc._.segments or [], mentions, doc._.link_lists, self.pack_headers)
        doc._.mentions = sorted(mentions + doses, key=lambda m: (m.start, m.end, m.label))
        return doc
