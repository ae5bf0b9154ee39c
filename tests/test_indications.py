"""The indication prior (pipeline.extract.indications, the ``indication_prior`` component) and the
table builder (pipeline.train_indications): a weakly decided effect that is a known use of its
substance becomes a CONDITION it is used for; strong cues are never overridden; the table is
read from a file named in the config, saved with the pipeline, and rebuilt deterministically."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import spacy

from pipeline.extract.indications import COLUMNS, Indication, IndicationTable, apply_indications
from pipeline.extract.mention import Mention
from pipeline.nlp import build_nlp, make_doc
from pipeline.train_indications import Settings, build, fold_of

SERTRALINE, DEPRESSION, HEADACHE = "DRUGBANK:DB01104", "HP:0000716", "HP:0002315"


def _table(path: Path, rows: list[Indication]) -> Path:
    IndicationTable(rows).to_tsv(path)
    return path


def _row(substance: str, concept: str) -> Indication:
    return Indication(substance, f"name of {substance}", concept, f"name of {concept}", "test", 3, 0.9)


def _effect(concept: str, evidence: str, substance: str | None = None) -> Mention:
    mention = Mention(0, 10, "ADVERSE_EFFECT", "vocabulary", concept_id=concept, evidence=evidence)
    mention.substance_id = substance
    return mention


def test_a_table_round_trips_and_a_malformed_one_is_refused(tmp_path: Path) -> None:
    path = _table(tmp_path / "t.tsv", [_row(SERTRALINE, DEPRESSION)])
    table = IndicationTable.from_tsv(path)
    assert table.rows == [_row(SERTRALINE, DEPRESSION)] and table.is_use(SERTRALINE, DEPRESSION)
    assert not table.is_use(SERTRALINE, HEADACHE) and not table.is_use(None, DEPRESSION)
    assert path.read_text(encoding="utf-8").splitlines()[0].split("\t") == list(COLUMNS)
    (tmp_path / "bad.tsv").write_text("substance_id\tconcept_id\nX\tY\n", encoding="utf-8")
    with pytest.raises(ValueError, match="substance_name"):
        IndicationTable.from_tsv(tmp_path / "bad.tsv")


def test_only_weak_effects_that_are_known_uses_become_conditions() -> None:
    table = IndicationTable([_row(SERTRALINE, DEPRESSION)])
    weak = _effect(DEPRESSION, "personal")
    strong = _effect(DEPRESSION, "cue")  # "sertraline gave me depression"
    other = _effect(HEADACHE, "default")
    elsewhere = _effect(DEPRESSION, "default", substance="DRUGBANK:DB00472")  # tied to another drug
    assert apply_indications([weak, strong, other, elsewhere], SERTRALINE, table, ("default", "personal")) == 1
    assert (weak.label, weak.role, weak.evidence) == ("CONDITION", "studied", "indication")
    assert weak.method == "vocabulary+indication" and strong.method == "vocabulary"  # provenance in the tables
    assert [m.label for m in (strong, other, elsewhere)] == ["ADVERSE_EFFECT"] * 3


def test_a_list_takes_the_label_of_most_of_its_items() -> None:
    anxiety, insomnia, dizziness, panic = "HP:0000739", "HP:0100785", "HP:0002321", "HP:0025269"
    table = IndicationTable([_row(SERTRALINE, DEPRESSION), _row(SERTRALINE, anxiety)])

    def items(*concepts: str) -> list[Mention]:
        mentions = [_effect(concept, "personal") for concept in concepts]
        for mention in mentions:
            mention.list_start = 0
        return mentions

    # one use among effects ("insomnia, dizziness, anxiety") stays an effect
    effects = items(insomnia, dizziness, anxiety)
    assert apply_indications(effects, SERTRALINE, table, ("personal",)) == 0
    # a list of mostly uses is the illness, all of it ("anxiety, depression and panic attacks")
    illness = items(anxiety, DEPRESSION, panic)
    assert apply_indications(illness, SERTRALINE, table, ("personal",)) == 3
    assert {m.label for m in illness} == {"CONDITION"}


def test_a_combination_is_used_for_what_its_ingredients_are() -> None:
    table = IndicationTable([_row(SERTRALINE, DEPRESSION)])
    combination = f"DRUGBANK:DB01238+{SERTRALINE}"  # aripiprazole/sertraline
    assert table.is_use(combination, DEPRESSION) and not table.is_use(combination, HEADACHE)
    assert not table.is_use("DRUGBANK:DB01238", DEPRESSION)


MELATONIN = "DRUGBANK:DB01065"
REVIEW = "Melatonin review\n\nI have had headache for years. I had nausea too."


def _labels(doc, prior=None) -> dict[str, str]:
    if prior is not None:
        doc = prior(doc)
    return {doc.text[m.start : m.end]: m.label for m in doc._.mentions if m.label != "SUBSTANCE"}


def test_the_component_reads_its_table_from_the_config_and_saves_it(rules_nlp, tmp_path: Path) -> None:
    """The pipeline without the model (shipped table: no row for melatonin) leaves the
    first-person "I had headache" an effect; a prior configured with a table that names headache
    as a use of melatonin makes it a CONDITION, and so does the same prior saved and reloaded
    after its table file is gone."""
    from pipeline.components.indications import IndicationPrior

    assert rules_nlp.pipe_names[-1] == "indication_prior"
    doc = rules_nlp(make_doc(rules_nlp, REVIEW, "Melatonin review", "melatonin_review.txt"))
    assert _labels(doc) == {"headache": "ADVERSE_EFFECT", "nausea": "ADVERSE_EFFECT"}  # weak: "I had X"
    table = _table(tmp_path / "t.tsv", [_row(MELATONIN, HEADACHE)])
    prior = spacy.blank("en").add_pipe("indication_prior", config={"indications": str(table)})
    assert isinstance(prior, IndicationPrior)
    assert _labels(doc, prior) == {"headache": "CONDITION", "nausea": "ADVERSE_EFFECT"}
    prior.to_disk(tmp_path / "saved")
    table.unlink()  # what was saved must not depend on the configured file
    again = rules_nlp(make_doc(rules_nlp, REVIEW, "Melatonin review", "melatonin_review.txt"))
    reloaded = IndicationPrior().from_disk(tmp_path / "saved")
    assert _labels(again, reloaded) == {"headache": "CONDITION", "nausea": "ADVERSE_EFFECT"}


def test_a_patients_side_effects_field_yields_to_a_known_use(rules_nlp, tmp_path: Path) -> None:
    """Under a review's "Side effects:" field the writer tells what the drug did, relief of the
    illness included: the field decides weakly there, so a known use becomes a CONDITION; a
    leaflet's "Side effects" heading still decides an effect."""
    review = "Melatonin review\n\nSide effects: none to speak of. My headache is much less now. I had nausea though.\n"
    leaflet = "Melatonin leaflet\n\nSide effects\n\nHeadache\n\nNausea\n"
    table = _table(tmp_path / "t.tsv", [_row(MELATONIN, HEADACHE)])
    prior = spacy.blank("en").add_pipe("indication_prior", config={"indications": str(table)})
    doc = rules_nlp(make_doc(rules_nlp, review, "Melatonin review", "melatonin_review.txt"))
    assert _labels(doc, prior) == {"headache": "CONDITION", "nausea": "ADVERSE_EFFECT"}
    doc = rules_nlp(make_doc(rules_nlp, leaflet, "Melatonin leaflet", "melatonin_leaflet.txt"))
    assert _labels(doc, prior) == {"Headache": "ADVERSE_EFFECT", "Nausea": "ADVERSE_EFFECT"}
    # what is listed right after the field label stays an effect, also when the writer speaks
    # after it in the same line
    listed = "Melatonin review\n\nSide effects: headache, as if my head was in a fog.\n"
    doc = rules_nlp(make_doc(rules_nlp, listed, "Melatonin review", "melatonin_review.txt"))
    assert _labels(doc, prior)["headache"] == "ADVERSE_EFFECT"


def test_the_shipped_table_has_its_training_record() -> None:
    from pipeline.components.indications import INDICATIONS

    table = IndicationTable.from_tsv(INDICATIONS)
    record = json.loads((INDICATIONS.parent / "TRAINING.json").read_text(encoding="utf-8"))
    assert record["rows"] == len(table) > 0
    assert "Zolnoori" in record["sources"]["psytar"]["citation"] and record["command"].startswith("python -m pipeline.train_indications")
    assert all(0.0 < row.condition_share <= 1.0 and row.documents >= 1 for row in table.rows)


def _reviews(folder: Path) -> Path:
    """Four Zoloft reviews: depression annotated as the condition in three, an effect in one."""
    corpus = folder / "corpus"
    corpus.mkdir(parents=True)
    gold = []
    for i, label in enumerate(["CONDITION", "CONDITION", "CONDITION", "ADVERSE_EFFECT"]):
        text = "Side effects: I had headache.\nComments: I had depression for years."
        (corpus / f"Zoloft_{i}.txt").write_text(text, encoding="utf-8")
        start = text.index("depression")
        gold.append({"doc": f"Zoloft_{i}", "subject": "sertraline"})
        gold.append({"doc": f"Zoloft_{i}", "start": start, "end": start + 10, "text": "depression", "label": label})
        start = text.index("headache")
        gold.append({"doc": f"Zoloft_{i}", "start": start, "end": start + 8, "text": "headache", "label": "ADVERSE_EFFECT"})
    (folder / "gold.jsonl").write_text("".join(json.dumps(row) + "\n" for row in gold), encoding="utf-8")
    return folder


@pytest.mark.slow  # a build from the sources (the pipeline with the NER model over them)
def test_the_builder_learns_uses_from_annotated_reviews_deterministically(tmp_path: Path) -> None:
    reviews = _reviews(tmp_path / "reviews")
    first = build(None, reviews, tmp_path / "a", Settings(min_documents=3, min_share=0.6), "test")
    assert [(row.substance_id, row.concept_name, row.documents, row.condition_share) for row in first.rows] == [
        (SERTRALINE, "Depression", 4, 0.75)
    ]  # headache: never the condition
    build(None, reviews, tmp_path / "b", Settings(min_documents=3, min_share=0.6), "test")
    assert (tmp_path / "a" / "indications.tsv").read_bytes() == (tmp_path / "b" / "indications.tsv").read_bytes()
    assert len(build(None, reviews, tmp_path / "c", Settings(min_documents=3, min_share=0.8), "test")) == 0


@pytest.mark.slow  # a build from the sources (the pipeline with the NER model over them)
def test_a_fold_leaves_its_reviews_out_of_the_table(tmp_path: Path) -> None:
    reviews = _reviews(tmp_path / "reviews")
    names = [f"Zoloft_{i}" for i in range(4)]
    assert [fold_of(name, 2) for name in names] == [fold_of(name, 2) for name in names]  # stable
    for fold in (0, 1):
        kept = sum(fold_of(name, 2) != fold for name in names)
        table = build(None, reviews, tmp_path / str(fold), Settings(min_documents=1, min_share=0.0, fold=fold, folds=2), "test")
        record = json.loads((tmp_path / str(fold) / "TRAINING.json").read_text(encoding="utf-8"))
        assert record["sources"]["psytar"]["reviews_used"] == kept
        assert sum(row.documents for row in table.rows if row.concept_id == DEPRESSION) == kept


@pytest.mark.slow  # a build from the sources (the pipeline with the NER model over them)
def test_a_drug_label_gives_the_uses_in_its_indications_section() -> None:
    from conftest import shared_path

    labels = shared_path("benchmarks", "us_drug_labels_spl", "xml")
    atorvastatin = next(p for p in sorted(labels.glob("*.xml")) if b"atorvastatin calcium" in p.read_bytes()[:20000].lower())
    from pipeline.train_indications import label_indications

    folder = atorvastatin.parent
    nlp = build_nlp(use_model=False, without=("indication_prior",))
    rows, counts = label_indications(nlp, folder, keep=lambda name: name == atorvastatin.stem)
    assert counts["labels"] == 1
    uses = {row.concept_name for row in rows if row.substance_name == "Atorvastatin"}
    assert "Hypercholesterolemia" in uses and "Myalgia" not in uses
