"""Build the spaCy Language once: scispaCy's tokenizer on blank English, then our components.

The pipeline is ``spacy.blank("en")`` with scispaCy's ``combined_rule_tokenizer`` (it keeps
biomedical tokens such as "mL/day" or "IL-6" together and splits possessives), followed by
components registered in :mod:`pipeline.components`:

- ``web_segmenter``: sentences, list items and headings (:mod:`pipeline.segment`);
- ``condition_finder``: vocabulary matches, abbreviations defined in the text (Schwartz &
  Hearst 2003 via scispaCy) and rules -> ``Doc._.mentions``;
- ``disease_ner``: our trained NER model (:mod:`pipeline.train`), shipped in
  ``pipeline/models/disease_ner``, and ``model_merger``, which merges its spans with the
  vocabulary's and maps them to concepts (:mod:`pipeline.extract.model_mentions`); a model
  trained with ``--lexicon-feature`` (opt-in, not shipped) gets ``lexicon_features`` before it;
- ``dose_finder``: dose statements, structured (:mod:`pipeline.extract.doses`);
- ``mention_context``: CONDITION vs ADVERSE_EFFECT, role, negation, hedging
  (:mod:`pipeline.extract.context`; its cue table is a config setting);
- ``span_conventions``: the span conventions that need the label (effects without grading
  words, allergies without their object; :mod:`pipeline.extract.span_conventions`);
- ``substance_finder``: SUBSTANCE mentions and the document's subject
  (:mod:`pipeline.extract.substances`), and ``substance_attribution``: the substance of every
  mention (:mod:`pipeline.extract.attribution`).

A caller may put the source's ``title`` and ``source`` path in ``Doc.user_data`` (see
:func:`make_doc`): the subject is read from them too.

``get_nlp()`` builds the Language once per process (vocabularies come from their disk cache).
Setting ``PIPELINE_NER=off`` builds the lexicon-only pipeline (for comparisons); the pipeline
version records which one ran.
"""

import os
import warnings
from functools import lru_cache
from pathlib import Path

import spacy
from scispacy.custom_tokenizer import combined_rule_tokenizer
from spacy.language import Language
from spacy.tokens import Doc

import pipeline.components  # noqa: F401  (registers our factories)


MODEL_DIR = Path(__file__).parent / "models" / "disease_ner"


def ner_enabled() -> bool:
    """Whether the NER model takes part (``PIPELINE_NER=off`` turns it off)."""
    return os.environ.get("PIPELINE_NER", "on").lower() not in ("off", "0", "false", "no") and MODEL_DIR.is_dir()


def build_nlp(use_model: bool | None = None) -> Language:
    """A fresh Language with the tokenizer and every component, in order."""
    use_model = ner_enabled() if use_model is None else use_model
    nlp = spacy.blank("en")
    with warnings.catch_warnings():
        # scispaCy's infix pattern triggers a FutureWarning from `re` about nested sets
        warnings.simplefilter("ignore", FutureWarning)
        nlp.tokenizer = combined_rule_tokenizer(nlp)
    nlp.add_pipe("web_segmenter")
    nlp.add_pipe("condition_finder")
    if use_model:
        model = spacy.load(MODEL_DIR)
        if "lexicon_features" in model.pipe_names:  # the model reads the vocabulary's mentions
            nlp.add_pipe("lexicon_features")
        nlp.add_pipe("ner", name="disease_ner", source=model)
        nlp.add_pipe("model_merger")
    nlp.add_pipe("dose_finder")
    nlp.add_pipe("mention_context")
    nlp.add_pipe("span_conventions")
    nlp.add_pipe("substance_finder")
    nlp.add_pipe("substance_attribution")
    return nlp


def make_doc(nlp: Language, text: str, title: str | None = None, source: str | None = None) -> Doc:
    """A tokenized Doc carrying the source's title and path for ``substance_finder``."""
    from pipeline.document_state import SOURCE_KEY, TITLE_KEY

    doc = nlp.make_doc(text)
    doc.user_data[TITLE_KEY] = title
    doc.user_data[SOURCE_KEY] = source
    return doc


@lru_cache(maxsize=1)
def get_nlp() -> Language:
    """The process-wide Language (built on first use)."""
    return build_nlp()
