"""Build the spaCy Language once, from the pipeline's config.

``pipeline/config.cfg`` describes the whole pipeline: ``spacy.blank("en")`` with scispaCy's
``combined_rule_tokenizer`` (it keeps biomedical tokens such as "mL/day" or "IL-6" together and
splits possessives), followed by components registered in :mod:`pipeline.components`, each with
its settings:

- ``web_segmenter``: sentences, list items and headings (:mod:`pipeline.segment`);
- ``condition_finder``: vocabulary matches, abbreviations defined in the text (Schwartz &
  Hearst 2003 via scispaCy) and rules -> ``Doc._.mentions``;
- ``disease_ner``: our trained NER model (:mod:`pipeline.train`), sourced from
  ``paths.disease_ner`` (by default the model shipped in ``pipeline/models/disease_ner``), and
  ``model_merger``, which merges its spans with the vocabulary's and maps them to concepts
  (:mod:`pipeline.extract.model_mentions`); a model trained with ``--lexicon-feature`` (opt-in,
  not shipped) gets ``lexicon_features`` before it;
- ``enumeration_completion``: the members of a list of conditions that nothing above found
  (:mod:`pipeline.extract.enumerations`);
- ``learned_term_finder``: lay wordings learnt from annotated patient reviews (the table
  ``paths.learned_terms``, by default ``pipeline/models/learned_terms``), where nothing above
  found a condition (:mod:`pipeline.extract.learned_terms`);
- ``dose_finder``: dose statements, structured (:mod:`pipeline.extract.doses`);
- ``mention_context``: CONDITION vs ADVERSE_EFFECT, role, negation, hedging
  (:mod:`pipeline.extract.context`; its cue table is a config setting);
- ``span_conventions``: the span conventions that need the label (effects without grading
  words, allergies without their object; :mod:`pipeline.extract.span_conventions`);
- ``substance_finder``: SUBSTANCE mentions and the document's subject
  (:mod:`pipeline.extract.substances`), and ``substance_attribution``: the substance of every
  mention (:mod:`pipeline.extract.attribution`);
- ``indication_prior``: a weakly decided effect that is a known use of its substance (the table
  ``paths.indications``, by default ``pipeline/models/indications``) becomes a CONDITION it is
  used for (:mod:`pipeline.extract.indications`).

A caller may put the source's ``title`` and ``source`` path in ``Doc.user_data`` (see
:func:`make_doc`): the subject is read from them too.

``get_nlp()`` builds the Language once per process (vocabularies come from their disk cache).
Setting ``PIPELINE_NER=off`` is a shortcut that takes the NER model out of the config (the
lexicon-only pipeline, for comparisons); the pipeline version records which one ran.
``PIPELINE_INDICATIONS=<file>`` puts another indication table in ``paths.indications``, and
``PIPELINE_LEARNED_TERMS=<file>`` another term table in ``paths.learned_terms`` (the
cross-validated benchmark uses them); the pipeline version records their digests. A built
pipeline saved with ``nlp.to_disk`` loads with ``spacy.load`` (the package registers its
components and tokenizer as spaCy entry points).
"""

import os
import threading
from collections.abc import Collection
from functools import lru_cache
from pathlib import Path

from spacy import util
from spacy.language import Language
from spacy.tokens import Doc
from thinc.api import Config

import pipeline.components  # noqa: F401  (registers our factories and tokenizer)

CONFIG = Path(__file__).parent / "config.cfg"
MODEL_DIR = Path(__file__).parent / "models" / "disease_ner"
#: the components that exist only with the NER model
MODEL_COMPONENTS = ("disease_ner", "model_merger")


def ner_enabled() -> bool:
    """Whether the NER model takes part (``PIPELINE_NER=off`` turns it off)."""
    return os.environ.get("PIPELINE_NER", "on").lower() not in ("off", "0", "false", "no") and MODEL_DIR.is_dir()


#: the environment variables that put another trained table in a ``[paths]`` setting
PATH_OVERRIDES = {"indications": "PIPELINE_INDICATIONS", "learned_terms": "PIPELINE_LEARNED_TERMS"}


def path_overrides() -> dict[str, str]:
    """``[paths]`` setting -> the file named by its environment variable, for those set."""
    return {setting: os.environ[name] for setting, name in PATH_OVERRIDES.items() if os.environ.get(name)}


def pipeline_config(use_model: bool | None = None) -> Config:
    """The shipped config (not interpolated), with the NER model's path filled in, or without
    the model's components when ``use_model`` is false (default: :func:`ner_enabled`)."""
    use_model = ner_enabled() if use_model is None else use_model
    config = util.load_config(CONFIG, interpolate=False)
    config["paths"].update(path_overrides())
    if not use_model:
        config["nlp"]["pipeline"] = [name for name in config["nlp"]["pipeline"] if name not in MODEL_COMPONENTS]
        for name in MODEL_COMPONENTS:
            config["components"].pop(name, None)
        return config
    model_dir = config["paths"]["disease_ner"] or str(MODEL_DIR)
    config["paths"]["disease_ner"] = model_dir
    model_pipeline = util.load_config(Path(model_dir) / "config.cfg", interpolate=False)["nlp"]["pipeline"]
    if "lexicon_features" in model_pipeline:  # the model reads the vocabulary's mentions
        names = config["nlp"]["pipeline"]
        names.insert(names.index("disease_ner"), "lexicon_features")
        config["components"]["lexicon_features"] = {"factory": "lexicon_features"}
    return config


def build_nlp(use_model: bool | None = None, without: Collection[str] = ()) -> Language:
    """A fresh Language assembled from :func:`pipeline_config`, its rule tables loaded;
    ``without``: components left out (a table builder leaves out the component it builds for)."""
    config = pipeline_config(use_model)
    config["nlp"]["pipeline"] = [name for name in config["nlp"]["pipeline"] if name not in without]
    for name in without:
        config["components"].pop(name, None)
    nlp = util.load_model_from_config(config, auto_fill=True, validate=True)
    sourced = {name for name, settings in config["components"].items() if "source" in settings}
    initialize_tables(nlp, skip=sourced)
    return nlp


def initialize_tables(nlp: Language, skip: Collection[str] = ()) -> None:
    """Load the tables of every component that has some, what ``nlp.initialize()`` does for
    them, without its other work (a sourced, trained model in ``skip`` must keep its weights),
    so that a pipeline whose vocabulary cannot be loaded fails here, not on its first
    document."""
    for name, component in nlp.pipeline:
        if name not in skip and hasattr(component, "initialize"):
            component.initialize(lambda: [], nlp=nlp)


def make_doc(nlp: Language, text: str, title: str | None = None, source: str | None = None) -> Doc:
    """A tokenized Doc carrying the source's title and path for ``substance_finder``."""
    from pipeline.document_state import SOURCE_KEY, TITLE_KEY

    doc = nlp.make_doc(text)
    doc.user_data[TITLE_KEY] = title
    doc.user_data[SOURCE_KEY] = source
    return doc


#: one build per process, also when a worker warms up in the background while a task arrives
_BUILDING = threading.Lock()


def get_nlp() -> Language:
    """The process-wide Language (built on first use)."""
    with _BUILDING:
        return _process_nlp()


@lru_cache(maxsize=1)
def _process_nlp() -> Language:
    return build_nlp()


def builds_in_this_process() -> int:
    """How many times this process built the Language (1 once built: never per task)."""
    return _process_nlp.cache_info().misses
