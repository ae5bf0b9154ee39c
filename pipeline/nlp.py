"""Build the spaCy Language once: scispaCy's tokenizer on blank English, then our components.

The pipeline is ``spacy.blank("en")`` with scispaCy's ``combined_rule_tokenizer`` (it keeps
biomedical tokens such as "mL/day" or "IL-6" together and splits possessives), followed by
components registered in :mod:`pipeline.components`:

- ``web_segmenter``: sentences, list items and headings (:mod:`pipeline.segment`);
- ``lexical_normalizer``: token NORM = case/spelling/plural-folded key (the ``tokens.norm`` column);
- ``condition_finder``: vocabulary matches, abbreviations defined in the text (Schwartz &
  Hearst 2003 via scispaCy) and rules -> ``Doc._.mentions``;
- ``dose_finder``: dose statements, structured (:mod:`pipeline.extract.doses`);
- ``mention_context``: CONDITION vs ADVERSE_EFFECT, role, negation, hedging.

``get_nlp()`` builds the Language once per process (vocabularies come from their disk cache).
"""

import warnings
from functools import lru_cache

import spacy
from scispacy.custom_tokenizer import combined_rule_tokenizer
from spacy.language import Language

import pipeline.components  # noqa: F401  (registers our factories)


def build_nlp() -> Language:
    """A fresh Language with the tokenizer and every component, in order."""
    nlp = spacy.blank("en")
    with warnings.catch_warnings():
        # scispaCy's infix pattern triggers a FutureWarning from `re` about nested sets
        warnings.simplefilter("ignore", FutureWarning)
        nlp.tokenizer = combined_rule_tokenizer(nlp)
    nlp.add_pipe("web_segmenter")
    nlp.add_pipe("lexical_normalizer")
    nlp.add_pipe("condition_finder")
    nlp.add_pipe("dose_finder")
    nlp.add_pipe("mention_context")
    return nlp


@lru_cache(maxsize=1)
def get_nlp() -> Language:
    """The process-wide Language (built on first use)."""
    return build_nlp()
