"""The pipeline's tokenizer, registered for the config: scispaCy's ``combined_rule_tokenizer``
on English (it keeps biomedical tokens such as "mL/day" or "IL-6" together and splits
possessives). The trained NER model (:mod:`pipeline.train`) was trained on its tokens."""

import warnings
from typing import Callable

from scispacy.custom_tokenizer import combined_rule_tokenizer
from spacy.language import Language
from spacy.tokenizer import Tokenizer
from spacy.util import registry


@registry.tokenizers("pipeline.scispacy_tokenizer.v1")
def create_scispacy_tokenizer() -> Callable[[Language], Tokenizer]:
    """``[nlp.tokenizer] @tokenizers = "pipeline.scispacy_tokenizer.v1"``."""

    def make(nlp: Language) -> Tokenizer:
        # combined_rule_tokenizer takes the token_match of the tokenizer it replaces: spaCy's
        nlp.tokenizer = registry.tokenizers.get("spacy.Tokenizer.v1")()(nlp)
        with warnings.catch_warnings():
            # scispaCy's infix pattern triggers a FutureWarning from `re` about nested sets
            warnings.simplefilter("ignore", FutureWarning)
            return combined_rule_tokenizer(nlp)

    return make
