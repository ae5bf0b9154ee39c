"""``web_segmenter``: sentences, list items and headings (:mod:`pipeline.segment`)."""

from dataclasses import asdict

import numpy as np
from spacy.attrs import IDX, SENT_START
from spacy.language import Language
from spacy.tokens import Doc

import pipeline.document_state  # noqa: F401  (registers the Doc extensions)
from pipeline.extract.mention import doc_text
from pipeline.segment import SegmentSettings, segment

@Language.factory(
    "web_segmenter",
    default_config=asdict(SegmentSettings()),
    assigns=["doc._.segments", "token.is_sent_start"],
)
def make_web_segmenter(
    nlp: Language, name: str, max_sentence_chars: int, heading_max_words: int, heading_max_chars: int
) -> "WebSegmenter":
    return WebSegmenter(name, SegmentSettings(max_sentence_chars, heading_max_words, heading_max_chars))


class WebSegmenter:
    """Sets ``Doc._.segments`` and sentence starts from :func:`pipeline.segment.segment`. Its
    thresholds are config settings; it holds no data."""

    def __init__(self, name: str = "web_segmenter", settings: SegmentSettings = SegmentSettings()) -> None:
        self.name = name
        self.settings = settings

    def __call__(self, doc: Doc) -> Doc:
        segments = segment(doc_text(doc), self.settings)
        doc._.segments = segments
        if len(doc) == 0:
            return doc
        token_starts = doc.to_array(IDX).astype(np.int64)
        sent_starts = np.full((len(doc), 1), -1, dtype=np.int64)
        sent_starts[0] = 1
        first_tokens = np.searchsorted(token_starts, [s.start for s in segments], side="right") - 1
        sent_starts[np.clip(first_tokens, 0, None)] = 1
        # spaCy reads attribute arrays as uint64: -1 (not a start) must be cast, not truncated
        doc.from_array([SENT_START], sent_starts.astype(np.uint64))
        return doc
