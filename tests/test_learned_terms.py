"""The lay wordings learnt from annotated reviews: the builder (``pipeline.train_terms``), the
table and its matching (``pipeline.extract.learned_terms``) and the ``learned_term_finder``
component in the pipeline."""

from __future__ import annotations

import json
from pathlib import Path

import spacy

from pipeline.extract.learned_terms import LearnedTerm, TermTable
from pipeline.nlp import make_doc
from pipeline.train_indications import fold_of
from pipeline.train_terms import Settings, build, learn

REVIEWS = {
    # "brain zaps" annotated in both reviews it occurs in; "nervous" once of its two occurrences
    # (a one-off annotation), "zaps" only ever inside "brain zaps"
    "Paxil_1": ("Side effects: very bad brain zaps at night, vivid dream.\nComments: I was nervous.", ["very bad brain zaps", "vivid dream"], ["nervous"]),
    "Paxil_2": ("Side effects: Brain Zaps.\nComments: nervous about starting it but it helped.", ["Brain Zaps"], []),
    "Paxil_3": ("Side effects: strange (and vivid) dreams.\nComments: none.", ["strange (and vivid) dreams"], []),
}


def _reviews(folder: Path) -> Path:
    corpus = folder / "corpus"
    corpus.mkdir(parents=True)
    gold = []
    for name, (text, effects, conditions) in REVIEWS.items():
        (corpus / f"{name}.txt").write_text(text, encoding="utf-8")
        gold.append({"doc": name, "subject": "paroxetine"})
        for words, label in [(w, "ADVERSE_EFFECT") for w in effects] + [(w, "CONDITION") for w in conditions]:
            start = text.index(words)
            gold.append({"doc": name, "start": start, "end": start + len(words), "text": words, "label": label})
    (folder / "gold.jsonl").write_text("".join(json.dumps(row) + "\n" for row in gold), encoding="utf-8")
    return folder


def test_a_wording_becomes_a_term_when_annotators_mark_it_where_it_occurs(tmp_path: Path) -> None:
    """Grading words go ("very bad brain zaps" is "brain zaps", ANNOTATION.md), case and plural
    fold ("Brain Zaps", "vivid dream"); a wording of one word needs two reviews ("nervous" has
    one); one left unannotated as often as not stays a term at the default precision, one with
    punctuation inside ("strange (and vivid) dreams") never is."""
    table, counts = learn(_reviews(tmp_path / "reviews"), Settings())
    rows = {t.term: (t.documents, t.occurrences, t.annotated, t.effect_share) for t in table.terms}
    assert rows == {"brain zaps": (2, 2, 2, 1.0), "vivid dream": (1, 1, 1, 1.0)}
    assert counts["reviews_used"] == 3
    one_review, _ = learn(tmp_path / "reviews", Settings(min_documents_one_word=1))
    assert [(t.term, t.occurrences, t.annotated, t.effect_share) for t in one_review.terms if t.term == "nervous"] == [("nervous", 2, 1, 0.0)]
    strict, _ = learn(tmp_path / "reviews", Settings(min_documents_one_word=1, min_precision=0.75))
    assert [t.term for t in strict.terms] == ["brain zaps", "vivid dream"]
    two_reviews, _ = learn(tmp_path / "reviews", Settings(min_documents=2))
    assert [t.term for t in two_reviews.terms] == ["brain zaps"]


def test_the_build_is_deterministic_and_a_fold_leaves_its_reviews_out(tmp_path: Path) -> None:
    reviews = _reviews(tmp_path / "reviews")
    build(reviews, tmp_path / "a", Settings(), "test")
    build(reviews, tmp_path / "b", Settings(), "test")
    assert (tmp_path / "a" / "terms.tsv").read_bytes() == (tmp_path / "b" / "terms.tsv").read_bytes()
    record = json.loads((tmp_path / "a" / "TRAINING.json").read_text(encoding="utf-8"))
    assert "Zolnoori" in record["sources"]["psytar"]["citation"] and record["rows"] == 2
    for fold in (0, 1):
        kept = [name for name in REVIEWS if fold_of(name, 2) != fold]
        table, counts = learn(reviews, Settings(fold=fold, folds=2))
        assert counts["reviews_used"] == len(kept)
        assert ("brain zaps" in {t.term for t in table.terms}) == any(name in kept for name in ("Paxil_1", "Paxil_2"))


def test_the_table_round_trips_and_matches_the_longest_term(tmp_path: Path) -> None:
    table = TermTable([LearnedTerm("vivid dreams", 3, 3, 3, 1.0, 1.0), LearnedTerm("dreams", 2, 4, 2, 0.5, 1.0)])
    table.to_tsv(tmp_path / "t.tsv")
    again = TermTable.from_tsv(tmp_path / "t.tsv")
    assert again.terms == table.terms
    text = "Vivid dream, then dreams; vivid\ndreams."
    assert [text[s:e] for s, e in again.find(text)] == ["Vivid dream", "dreams", "dreams"]  # not across lines


def _table(path: Path, *terms: str) -> Path:
    TermTable([LearnedTerm(term, 2, 2, 2, 1.0, 1.0) for term in terms]).to_tsv(path)
    return path


def _found(doc) -> dict[str, str]:
    return {doc.text[m.start : m.end]: m.label for m in doc._.mentions if m.method.startswith("learned")}


def test_the_component_adds_learnt_wordings_in_patients_reports_only(monkeypatch, tmp_path: Path) -> None:
    """In a review the learnt wordings are effects like any other; in an abstract a wording of
    one word ("sweats", "temperature") is dropped (consumer wording, as the curated "gas") and a
    longer one stays; where the vocabulary found a condition the learnt term adds nothing
    ("headache"). The table is the config's ``paths.learned_terms``
    (``PIPELINE_LEARNED_TERMS`` sets it, as the cross-validated benchmark does)."""
    from pipeline.nlp import build_nlp

    terms = _table(tmp_path / "t.tsv", "brain zaps", "jaw clenching", "headache", "sweats", "temperature", "loss of libido")
    monkeypatch.setenv("PIPELINE_LEARNED_TERMS", str(terms))
    nlp = build_nlp(use_model=False)
    review = "Paxil review\n\nSide effects: I had brain zaps, sweats and jaw clenching, and a headache. Brain Zaps again.\n"
    doc = nlp(make_doc(nlp, review, "Paxil review", "paxil_review.txt"))
    assert _found(doc) == {
        "brain zaps": "ADVERSE_EFFECT", "jaw clenching": "ADVERSE_EFFECT", "sweats": "ADVERSE_EFFECT", "Brain Zaps": "ADVERSE_EFFECT",
    }
    # a wording the vocabulary has no name for has a concept of the table's own, one per wording
    concepts = {doc.text[m.start : m.end]: (m.concept_id, m.concept_name) for m in doc._.mentions}
    assert concepts["brain zaps"] == concepts["Brain Zaps"] == ("LEARNED:brain-zaps", "brain zaps")
    # the clinician's word of change gives the vocabulary's name: "loss of libido" is "Decreased libido"
    libido = nlp(make_doc(nlp, "I had a total loss of libido on it.", None, "review.txt"))
    assert [(m.concept_id, m.concept_name) for m in libido._.mentions if m.method.startswith("learned")] == [("HP:0046504", "Decreased libido")]
    assert "headache" in {doc.text[m.start : m.end] for m in doc._.mentions if not m.method.startswith("learned")}
    # a wording of one word is a complaint only where a patient speaks; a longer one anywhere
    abstract = (
        "Paroxetine withdrawal: brain zaps in a cohort study. Body temperature was recorded "
        "and sweats were rated by the investigators on a scale."
    )
    assert _found(nlp(make_doc(nlp, abstract, None, "abstract.txt"))) == {"brain zaps": "ADVERSE_EFFECT"}
    # a wording before a drug noun names a class of drugs (ANNOTATION.md Convention 7)
    drug_class = "I had brain zaps for a week. My doctor says the jaw clenching drug is next."
    assert _found(nlp(make_doc(nlp, drug_class, None, "review.txt"))) == {"brain zaps": "ADVERSE_EFFECT"}


def test_the_component_saves_its_table(tmp_path: Path) -> None:
    from pipeline.components.learned_terms import LEARNED_TERMS, LearnedTermFinder

    terms = _table(tmp_path / "t.tsv", "brain zaps")
    nlp = spacy.blank("en")
    finder = nlp.add_pipe("learned_term_finder", config={"terms": str(terms)})
    assert isinstance(finder, LearnedTermFinder) and [t.term for t in finder.terms.terms] == ["brain zaps"]
    finder.to_disk(tmp_path / "saved")
    terms.unlink()  # what was saved must not depend on the configured file
    reloaded = LearnedTermFinder(nlp).from_disk(tmp_path / "saved")
    assert [t.term for t in reloaded.terms.terms] == ["brain zaps"]
    shipped = TermTable.from_tsv(LEARNED_TERMS)
    record = json.loads((LEARNED_TERMS.parent / "TRAINING.json").read_text(encoding="utf-8"))
    assert record["rows"] == len(shipped) > 0 and record["command"].startswith("python -m pipeline.train_terms")
    assert all(t.precision >= record["settings"]["min_precision"] for t in shipped.terms)
