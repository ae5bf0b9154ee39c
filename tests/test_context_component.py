"""The ``mention_context`` and ``span_conventions`` components on their own: configured from a rules
file, saved with ``nlp.to_disk`` and loaded back, run on mentions placed by hand (no vocabulary,
no NER model)."""

from __future__ import annotations

from pathlib import Path

import spacy

import pipeline.components  # noqa: F401  (registers the factories)
from pipeline.extract.context import RULES
from pipeline.extract.mention import Mention
from pipeline.segment import segment

TEXT = (
    "The product comes as a powder that is dissolved in water before it is taken with a meal.\n"
    "Side effects include headache.\nIt is used for insomnia.\nPatients experienced severe nausea."
)


def _doc(nlp, text: str = TEXT):
    doc = nlp.make_doc(text)
    doc._.segments = segment(text)
    doc._.mentions = [
        Mention(text.index(word), text.index(word) + len(word), "CONDITION", "test")
        for word in ("headache", "insomnia", "severe nausea")
    ]
    return doc


def _labels(doc) -> list[tuple[str, str, str | None]]:
    return [(doc.text[m.start : m.end], m.label, m.role) for m in doc._.mentions]


def test_mention_context_labels_mentions_placed_by_hand():
    nlp = spacy.blank("en")
    nlp.add_pipe("mention_context")
    doc = nlp.get_pipe("mention_context")(_doc(nlp))
    assert _labels(doc)[:2] == [("headache", "ADVERSE_EFFECT", None), ("insomnia", "CONDITION", "studied")]


def test_the_rules_file_is_a_setting(tmp_path: Path):
    """A rules file without the side-effect cue no longer makes 'headache' an effect."""
    rules = tmp_path / "rules.tsv"
    lines = RULES.read_text(encoding="utf-8").splitlines()
    rules.write_text("\n".join(line for line in lines if not line.startswith("ae_before\tside")) + "\n", encoding="utf-8")
    nlp = spacy.blank("en")
    nlp.add_pipe("mention_context", config={"rules": str(rules)})
    doc = nlp.get_pipe("mention_context")(_doc(nlp))
    assert _labels(doc)[0] == ("headache", "CONDITION", "studied")


def test_context_and_span_conventions_survive_save_and_reload(tmp_path: Path):
    rules = tmp_path / "rules.tsv"
    lines = RULES.read_text(encoding="utf-8").splitlines()
    rules.write_text("\n".join(line for line in lines if not line.startswith("ae_before\tside")) + "\n", encoding="utf-8")
    words = tmp_path / "words.tsv"
    words.write_text("word\tnote\nsevere\tintensity\n", encoding="utf-8")
    nlp = spacy.blank("en")
    nlp.add_pipe("mention_context", config={"rules": str(rules)})
    nlp.add_pipe("span_conventions", config={"grading_words": str(words)})
    nlp.to_disk(tmp_path / "saved")
    rules.unlink()
    words.unlink()  # what was saved must not depend on the original files
    loaded = spacy.load(tmp_path / "saved")
    assert loaded.pipe_names == ["mention_context", "span_conventions"]
    assert loaded.get_pipe("mention_context").rules.rows == nlp.get_pipe("mention_context").rules.rows
    assert loaded.get_pipe("span_conventions").words == frozenset({"severe"})
    doc = _doc(loaded)
    for _, component in loaded.pipeline:
        doc = component(doc)
    found = _labels(doc)
    assert found[0] == ("headache", "CONDITION", "studied")  # the saved rules, not the packaged ones
    assert ("nausea", "ADVERSE_EFFECT", None) in found  # "severe" taken off the effect


def test_span_conventions_keep_conditions_and_vocabulary_names():
    nlp = spacy.blank("en")
    nlp.add_pipe("span_conventions")
    text = "severe renal impairment; severe combined immunodeficiency; constant headache"
    doc = nlp.make_doc(text)
    doc._.mentions = [
        Mention(0, 23, "CONDITION", "test"),
        Mention(25, 57, "ADVERSE_EFFECT", "test"),
        Mention(59, 76, "ADVERSE_EFFECT", "test"),
    ]
    doc = nlp.get_pipe("span_conventions")(doc)
    assert [text[m.start : m.end] for m in doc._.mentions] == [
        "severe renal impairment",
        "severe combined immunodeficiency",
        "headache",
    ]
