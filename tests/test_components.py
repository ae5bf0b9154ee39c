"""The pipeline's components as spaCy components: assembled from the shipped config, configured
by their settings, saved with ``nlp.to_disk`` and loaded back with ``spacy.load`` (the package's
entry points name the factories) giving the same output. The data files a component was
configured with are deleted before the reload: what was saved must not depend on them.
(``mention_context`` and ``span_conventions``: tests/test_context_component.py.)"""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest
import spacy
from spacy import util

import pipeline.components  # noqa: F401  (registers the factories)
from pipeline.extract.dose_mentions import PACK_HEADERS
from pipeline.extract.mention import Mention
from pipeline.extract.substances import SubjectSettings
from pipeline.extract.term_lists import LAY_TERMS
from pipeline.nlp import CONFIG, MODEL_COMPONENTS, build_nlp, pipeline_config


def _run(nlp, text: str, user_data: dict | None = None):
    """``text`` through every component of ``nlp`` (after its tokenizer)."""
    doc = nlp.make_doc(text)
    doc.user_data.update(user_data or {})
    for _, component in nlp.pipeline:
        doc = component(doc)
    return doc


def _rows(doc) -> list[tuple]:
    """Every field of every mention, the dose's structure included."""
    return [tuple(dataclasses.asdict(m).values()) for m in doc._.mentions]


def _save_and_load(nlp, path: Path, *deleted: Path):
    nlp.to_disk(path)
    for file in deleted:
        file.unlink()
    return spacy.load(path)


def test_the_shipped_config_describes_the_pipeline():
    config = util.load_config(CONFIG, interpolate=False)
    nlp = build_nlp(use_model=True)
    assert nlp.pipe_names == config["nlp"]["pipeline"]
    for name in nlp.pipe_names:
        settings = {k: v for k, v in config["components"][name].items() if k not in ("factory", "source", "component")}
        assert {k: nlp.config["components"][name][k] for k in settings} == settings, name
    # PIPELINE_NER=off is a shortcut that takes the model's components out of the config
    lexicon_only = pipeline_config(use_model=False)
    assert not set(MODEL_COMPONENTS) & (set(lexicon_only["nlp"]["pipeline"]) | set(lexicon_only["components"]))
    assert build_nlp(use_model=False).pipe_names == [n for n in nlp.pipe_names if n not in MODEL_COMPONENTS]


def test_a_setting_read_from_a_config_file_is_the_value_written():
    """Config files are parsed by srsly's ujson, which reads 0.6 as 0.6000000000000001: the
    subject's evidence share must still be 0.6 (3 of 5 body mentions make a subject)."""
    nlp = build_nlp(use_model=False)
    assert nlp.get_pipe("substance_finder").settings == SubjectSettings()


def test_the_whole_pipeline_survives_save_and_reload(tmp_path: Path):
    text = (
        "Sertraline for depression\n\n"
        "Patients with epilepsy took 10 mg/kg/day of valproate. Side effects included headache and "
        "severe nausea (NSAID-induced gastropathy was not seen). Do not use it if you are pregnant."
    )
    nlp = build_nlp(use_model=True)
    loaded = _save_and_load(nlp, tmp_path / "nlp")
    assert loaded.pipe_names == nlp.pipe_names
    user_data = {"title": "Sertraline", "source": "sertraline.txt"}
    expected = _run(nlp, text, user_data)
    got = _run(loaded, text, user_data)
    assert _rows(got) == _rows(expected)
    assert got._.subject == expected._.subject and got._.subject is not None
    assert [t.text for t in got] == [t.text for t in expected]  # scispaCy's tokenizer, saved and loaded
    assert {m.label for m in got._.mentions} >= {"CONDITION", "ADVERSE_EFFECT", "DOSE", "SUBSTANCE"}


def test_web_segmenter_thresholds_are_settings(tmp_path: Path):
    text = "Uses of the product in adults\nIt is used for insomnia."
    nlp = spacy.blank("en")
    nlp.add_pipe("web_segmenter", config={"heading_max_words": 4})
    doc = _run(nlp, text)
    assert [s.is_heading for s in doc._.segments] == [False, False]  # six words: no heading now
    assert [s.is_heading for s in _run(build_nlp(use_model=False), text)._.segments] == [True, False]
    loaded = _save_and_load(nlp, tmp_path / "nlp")
    assert loaded.get_pipe("web_segmenter").settings.heading_max_words == 4
    assert _run(loaded, text)._.segments == doc._.segments


def test_condition_finder_term_lists_are_settings_saved_with_the_pipeline(tmp_path: Path):
    lay = tmp_path / "lay.tsv"
    lay.write_text("term\tconcept_id\treason\nwoozy\tHP:0002321\tconsumer word for vertigo\n", encoding="utf-8")
    text = "I felt woozy and had gas after the first dose."
    nlp = spacy.blank("en")
    nlp.add_pipe("web_segmenter")
    nlp.add_pipe("condition_finder", config={"lay_terms": str(lay)})
    found = {doc.text[m.start : m.end]: m.method for doc in [_run(nlp, text)] for m in doc._.mentions}
    assert "woozy" in found and "gas" not in found  # the packaged list has "gas", not "woozy"
    assert "gas" in {text[m.start : m.end] for m in _run(build_nlp(use_model=False), text)._.mentions}
    loaded = _save_and_load(nlp, tmp_path / "nlp", lay)
    assert _rows(_run(loaded, text)) == _rows(_run(nlp, text))
    assert loaded.get_pipe("condition_finder").files["lay_terms"].read_bytes() != LAY_TERMS.read_bytes()


def test_model_merger_reads_the_tables_of_its_condition_finder(tmp_path: Path):
    text = "Patients with deficiency of ASPA and renal injury died."
    nlp = spacy.blank("en")
    nlp.add_pipe("web_segmenter")
    nlp.add_pipe("condition_finder")
    nlp.add_pipe("model_merger")

    def merged(nlp):
        doc = nlp.make_doc(text)
        for name in ("web_segmenter", "condition_finder"):
            doc = nlp.get_pipe(name)(doc)
        # the model's entities, placed by hand (no trained model here)
        doc.ents = [
            doc.char_span(text.index(words), text.index(words) + len(words), label="DISEASE")
            for words in ("deficiency of ASPA and", "renal injury")
        ]
        return nlp.get_pipe("model_merger")(doc)

    doc = merged(nlp)
    assert [(text[m.start : m.end], m.method.startswith("model")) for m in doc._.mentions] == [
        ("deficiency of ASPA", True),
        ("renal injury", True),
    ]
    loaded = _save_and_load(nlp, tmp_path / "nlp")
    assert loaded.get_pipe("model_merger").tables is loaded.get_pipe("condition_finder").tables
    assert _rows(merged(loaded)) == _rows(doc)


def test_dose_finder_pack_headers_are_a_setting_saved_with_the_pipeline(tmp_path: Path):
    headers = tmp_path / "headers.tsv"
    lines = PACK_HEADERS.read_text(encoding="utf-8").splitlines()
    headers.write_text("\n".join(line for line in lines if not line.startswith("count")) + "\n", encoding="utf-8")
    text = "Strength | Count\n10 mg | 2 tablets\n"
    nlp = spacy.blank("en")
    nlp.add_pipe("web_segmenter")
    nlp.add_pipe("dose_finder", config={"pack_headers": str(headers)})

    def doses(nlp) -> list[str]:
        return [text[m.start : m.end] for m in _run(nlp, text)._.mentions if m.label == "DOSE"]

    packaged = spacy.blank("en")
    packaged.add_pipe("web_segmenter")
    packaged.add_pipe("dose_finder")
    assert doses(packaged) == ["10 mg"]  # "2 tablets" under "Count" is a pack, not a dose
    assert doses(nlp) == ["10 mg", "2 tablets"]
    loaded = _save_and_load(nlp, tmp_path / "nlp", headers)
    assert doses(loaded) == ["10 mg", "2 tablets"]
    assert _rows(_run(loaded, text)) == _rows(_run(nlp, text))


def test_substance_components_survive_save_and_reload(tmp_path: Path):
    text = "Zoloft (sertraline) 50 mg\nHeadache was reported with sertraline hydrochloride."
    nlp = spacy.blank("en")
    nlp.add_pipe("web_segmenter")
    nlp.add_pipe("substance_finder", config={"title_weight": 5.0, "body_only_min_share": 0.7})
    nlp.add_pipe("substance_attribution")

    def run(nlp):
        doc = nlp.make_doc(text)
        doc = nlp.get_pipe("web_segmenter")(doc)
        doc._.mentions = [Mention(text.index("Headache"), text.index("Headache") + 8, "ADVERSE_EFFECT", "test")]
        for name in ("substance_finder", "substance_attribution"):
            doc = nlp.get_pipe(name)(doc)
        return doc

    doc = run(nlp)
    assert doc._.subject is not None and doc._.subject.name.lower() == "sertraline"
    effect = next(m for m in doc._.mentions if m.label == "ADVERSE_EFFECT")
    assert effect.substance_name == doc._.subject.name
    loaded = _save_and_load(nlp, tmp_path / "nlp")
    finder = loaded.get_pipe("substance_finder")
    assert finder.settings == SubjectSettings(title_weight=5.0, body_only_min_share=0.7)
    assert finder.lexicon.counter_ions == nlp.get_pipe("substance_finder").lexicon.counter_ions
    again = run(loaded)
    assert _rows(again) == _rows(doc) and again._.subject == doc._.subject


@pytest.mark.parametrize(
    ("name", "settings"),
    [
        ("condition_finder", ("not_conditions", "state_terms", "lay_terms")),
        ("dose_finder", ("pack_headers",)),
        ("mention_context", ("rules",)),
        ("span_conventions", ("grading_words", "desired_results")),
        ("learned_term_finder", ("terms",)),
    ],
)
def test_initialize_reads_the_tables_at_once(name: str, settings: tuple[str, ...], tmp_path: Path):
    """``initialize`` reads a component's data files at once (``build_nlp`` calls it, so that a
    pipeline whose data cannot be read fails when it is built, not on its first document): the
    files may be gone afterwards; without it, they are read on first use."""
    packaged = spacy.blank("en")
    packaged.add_pipe(name)
    packaged.to_disk(tmp_path / "packaged")  # copies of the packaged files
    copies = {setting: tmp_path / "packaged" / name / f"{setting}.tsv" for setting in settings}
    if name == "mention_context":
        copies = {"rules": tmp_path / "packaged" / name / "context_rules.tsv"}
    config = {setting: str(path) for setting, path in copies.items()}
    text = "Side effects include headache.\nIt is used for insomnia."
    lazy, eager = spacy.blank("en"), spacy.blank("en")
    for nlp in (lazy, eager):
        nlp.add_pipe("web_segmenter")
        if name in ("mention_context", "span_conventions"):
            nlp.add_pipe("condition_finder")  # mentions to work on (the packaged tables)
        nlp.add_pipe(name, config=config)
    eager.get_pipe(name).initialize(lambda: [], nlp=eager)
    for path in copies.values():
        path.unlink()
    eager(text)
    with pytest.raises(FileNotFoundError):
        lazy(text)
