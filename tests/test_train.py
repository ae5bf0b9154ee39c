"""Tests for pipeline.train: the shipped disease NER, the PubTator reader, a tiny training run."""
from __future__ import annotations

import json
from pathlib import Path

import pytest
import spacy

from pipeline import train as T
from pipeline.corpora.pubtator import PubTatorAnnotation, PubTatorDocument

REPO = Path(__file__).resolve().parents[1]

MODEL_DIR = Path(T.__file__).resolve().parent / "models" / "disease_ner"


# ----------------------------------------------------------------- (a) shipped model


@pytest.fixture(scope="module")
def disease_nlp():
    if not (MODEL_DIR / "config.cfg").exists():
        pytest.fail(f"shipped model missing: {MODEL_DIR} (rebuild with python -m pipeline.train)")
    nlp = spacy.blank("en")
    from scispacy.custom_tokenizer import combined_rule_tokenizer

    nlp.tokenizer = combined_rule_tokenizer(nlp)
    nlp.add_pipe("ner", name="disease_ner", source=spacy.load(MODEL_DIR))
    return nlp


def test_model_loads_standalone_and_has_own_tok2vec():
    nlp = spacy.load(MODEL_DIR)
    assert nlp.pipe_names == ["ner"]
    assert nlp.get_pipe("ner").labels == (T.LABEL,)
    # The ner model carries its own tok2vec (no listener on a shared tok2vec component).
    assert "tok2vec" not in nlp.pipe_names
    arch = nlp.config["components"]["ner"]["model"]["tok2vec"]["@architectures"]
    assert arch == "spacy.Tok2Vec.v2"
    info = json.loads((MODEL_DIR / "TRAINING.json").read_text())
    assert info["seed"] == 0
    assert {"bc5cdr_train", "ncbi_train", "bc5cdr_dev", "ncbi_dev"} <= set(info["corpora"])
    for key in ("bc5cdr_dev", "ncbi_dev"):
        assert 0.0 < info["dev"][key]["strict"]["f1"] <= 1.0


@pytest.mark.parametrize(
    "text, expected",
    [
        ("Traumatic brain injury is a leading cause of death in young adults.",
         "Traumatic brain injury"),
        ("He was admitted with acute myocardial infarction.", "acute myocardial infarction"),
        ("Levodopa remains the most effective treatment for Parkinson's disease.",
         "Parkinson's disease"),
        ("Long-term lithium therapy can cause nephrogenic diabetes insipidus in some patients.",
         "nephrogenic diabetes insipidus"),
    ],
)
def test_sourced_model_finds_diseases(disease_nlp, text, expected):
    doc = disease_nlp(text)
    ents = [(e.text, e.label_) for e in doc.ents]
    start = text.index(expected)
    assert (expected, T.LABEL) in ents, ents
    assert any(e.start_char == start and e.end_char == start + len(expected) for e in doc.ents)


def test_full_pipeline_covers_what_the_model_never_saw():
    """"brain injury" never occurs in the BC5CDR/NCBI training sets, so mid-sentence the model
    alone tags only "traumatic"; the vocabulary keeps the full name in the combined system."""
    from pipeline.nlp import get_nlp

    text = "Patients with traumatic brain injury were followed for five years."
    doc = get_nlp()(text)
    assert [text[m.start : m.end] for m in doc._.mentions] == ["traumatic brain injury"]


def test_sourced_model_quiet_on_text_without_disease(disease_nlp):
    doc = disease_nlp("The tablets were stored at room temperature in a closed container.")
    assert list(doc.ents) == []


def test_load_disease_ner_helper():
    nlp = T.load_disease_ner(MODEL_DIR)
    assert nlp.pipe_names == ["disease_ner"]
    doc = nlp("He was admitted with acute myocardial infarction.")
    assert any("myocardial infarction" in e.text for e in doc.ents)


# ----------------------------------------------------------------- (b) PubTator reader

TITLE = "Cisplatin-induced nephrotoxicity in rats."
ABSTRACT = "Cisplatin causes acute renal failure and hearing loss. Nephrotoxicity was dose-dependent."


def _mention_line(pmid, text, surface, mtype, ident="D000001", offset_text=None):
    base = offset_text if offset_text is not None else text
    start = base.index(surface)
    return f"{pmid}\t{start}\t{start + len(surface)}\t{surface}\t{mtype}\t{ident}"


def _write_fixture(path: Path) -> None:
    spaced = TITLE + " " + ABSTRACT
    lines = [
        f"111|t|{TITLE}",
        f"111|a|{ABSTRACT}",
        _mention_line("111", spaced, "Cisplatin", "Chemical"),
        _mention_line("111", spaced, "nephrotoxicity", "Disease"),
        _mention_line("111", spaced, "acute renal failure", "Disease"),
        _mention_line("111", spaced, "hearing loss", "Disease"),
        "111\tCID\tD002945\tD007683",
        "",
        "222|t|Second title.",
        "222|a|No mentions here.",
        "",
    ]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def test_read_pubtator_exact_offsets(tmp_path):
    f = tmp_path / "fixture.PubTator.txt"
    _write_fixture(f)
    stats: dict = {}
    docs = T.read_pubtator(f, types={"Disease"}, stats=stats)
    assert [d.pmid for d in docs] == ["111", "222"]
    d = docs[0]
    assert d.text == TITLE + "\n" + ABSTRACT
    got = [(m.start, m.end, m.text, m.type) for m in d.annotations]
    assert got == [
        (18, 32, "nephrotoxicity", "Disease"),
        (59, 78, "acute renal failure", "Disease"),
        (83, 95, "hearing loss", "Disease"),
    ]
    for m in d.annotations:
        assert d.text[m.start:m.end] == m.text
    assert stats["offset_text_mismatches"] == 0
    assert docs[1].annotations == []
    every = T.read_pubtator(f)  # no type filter: chemicals too, relation line skipped
    assert [(m.start, m.type) for m in every[0].annotations][0] == (0, "Chemical")
    assert len(every[0].annotations) == 4


def test_make_examples_expands_subtoken_boundaries():
    nlp = T.make_blank_nlp()
    text = "Doxorubicin-cardiotoxicity\nwas seen."
    doc = PubTatorDocument("1", "Doxorubicin-cardiotoxicity", "was seen.",
                           [PubTatorAnnotation(12, 26, "cardiotoxicity", "Disease")])
    assert doc.text == text
    stats: dict = {}
    (eg,) = T.make_examples(nlp, [doc], stats)
    tokens = [t.text for t in nlp.make_doc(text)]
    if "Doxorubicin-cardiotoxicity" in tokens:  # boundary inside a token: widened
        assert stats["expanded"] == 1
        assert [e.text for e in eg.reference.ents] == ["Doxorubicin-cardiotoxicity"]
    else:
        assert stats["aligned"] == 1
        assert [e.text for e in eg.reference.ents] == ["cardiotoxicity"]


def test_score_spans_strict_and_lenient():
    gold = [{(0, 10), (20, 30)}]
    pred = [{(0, 10), (18, 25), (40, 45)}]
    s = T.score_spans(gold, pred)
    assert s["strict"]["tp"] == 1
    assert s["strict"]["p"] == round(1 / 3, 4) and s["strict"]["r"] == 0.5
    assert s["lenient"]["p"] == round(2 / 3, 4) and s["lenient"]["r"] == 1.0
    # lenient pairs are one to one, as pipeline evaluate counts them: one long prediction over
    # two gold mentions is one match
    s = T.score_spans([{(0, 10), (12, 20)}], [{(0, 20)}])
    assert s["lenient"]["p"] == 1.0 and s["lenient"]["r"] == 0.5


def test_training_and_benchmarks_read_pubtator_alike(tmp_path):
    """One reader (pipeline.corpora.pubtator) for pipeline.train and benchmarks/corpora.py: the
    documents training reads are the ones the BC5CDR benchmark converts."""
    import importlib.util

    f = tmp_path / "fixture.PubTator.txt"
    _write_fixture(f)
    spec = importlib.util.spec_from_file_location("benchmark_corpora", REPO / "benchmarks" / "corpora.py")
    corpora = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(corpora)
    _, gold = corpora.convert_bc5cdr(f, tmp_path / "work")
    converted = [json.loads(line) for line in gold.read_text(encoding="utf-8").splitlines()]
    trained = T.read_pubtator(f, types={"Disease"})
    assert [(r["doc"], r["start"], r["end"], r["text"]) for r in converted if r.get("label")] == [
        (d.pmid, a.start, a.end, a.text) for d in trained for a in d.annotations
    ]


# ----------------------------------------------------------------- (c) tiny training run

DISEASES = ["acute renal failure", "hepatitis", "breast cancer", "epilepsy", "hypertension",
            "Parkinson's disease", "myocardial infarction", "diabetes"]


def _write_corpus(path: Path, n: int, start_id: int) -> None:
    lines = []
    for i in range(n):
        pmid = str(start_id + i)
        dis = DISEASES[i % len(DISEASES)]
        title = f"A study of {dis} in adults."
        abstract = (f"We treated {20 + i} patients with {dis} using drug X. "
                    f"Outcomes of {dis} improved after 6 weeks.")
        spaced = title + " " + abstract
        lines += [f"{pmid}|t|{title}", f"{pmid}|a|{abstract}"]
        pos = 0
        while (k := spaced.find(dis, pos)) >= 0:
            lines.append(f"{pmid}\t{k}\t{k + len(dis)}\t{dis}\tDisease\tD0")
            pos = k + len(dis)
        lines.append("")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def _write_corpora(root: Path, bc5cdr_docs: int, ncbi_docs: int) -> tuple[Path, Path]:
    """Tiny BC5CDR and NCBI folders (train + dev), as the trainer reads them."""
    bc, nc = root / "bc5cdr", root / "ncbi_disease"
    bc.mkdir()
    nc.mkdir()
    _write_corpus(bc / T.BC5CDR_TRAIN, bc5cdr_docs, 1000)
    _write_corpus(bc / T.BC5CDR_DEV, 4, 2000)
    _write_corpus(nc / T.NCBI_TRAIN, ncbi_docs, 3000)
    _write_corpus(nc / T.NCBI_DEV, 4, 4000)
    return bc, nc


@pytest.mark.slow
def test_tiny_training_end_to_end(tmp_path):
    bc, nc = _write_corpora(tmp_path, 12, 8)
    out = tmp_path / "models" / "disease_ner"
    rc = T.main(["--bc5cdr", str(bc), "--ncbi", str(nc), "--out", str(out), "--seed", "0",
                 "--max-epochs", "1", "--width", "32", "--depth", "1",
                 "--embed-rows", "500,100,200,50", "--hidden-width", "16"])
    assert rc == 0
    info = json.loads((out / "TRAINING.json").read_text())
    assert info["seed"] == 0 and info["epochs_run"] == 1 and info["train_documents"] == 20
    for key in ("bc5cdr_train", "ncbi_train", "bc5cdr_dev", "ncbi_dev"):
        assert len(info["corpora"][key]["sha256"]) == 64
    assert {"p", "r", "f1"} <= set(info["dev"]["bc5cdr_dev"]["strict"])
    assert info["hyperparameters"]["width"] == 32
    assert not out.with_name(out.name + ".staging").exists()
    nlp = spacy.load(out)
    assert nlp.pipe_names == ["ner"]
    sourced = T.load_disease_ner(out)
    sourced("Patients with epilepsy were treated.")  # runs


def test_lexicon_feature_marks_vocabulary_mentions_and_can_hide_them():
    """The opt-in gazetteer feature: Token.tag_ carries B-LEX/I-LEX over the vocabulary's
    condition mentions; hiding a share of them per epoch is all-or-nothing at 1.0 / 0.0."""
    import random

    hp = T.HyperParams(lexicon_feature=True)
    assert hp.embed_config()["attrs"][-1] == "TAG" and len(hp.embed_config()["rows"]) == 5
    nlp = T.build_training_nlp(hp)
    assert nlp.pipe_names == [*T.FEATURE_COMPONENTS, "ner"]
    text = "Acute renal failure\nwas followed by hearing loss."
    start = text.index("hearing loss")
    doc = PubTatorDocument("1", "Acute renal failure", "was followed by hearing loss.",
                           [PubTatorAnnotation(start, start + len("hearing loss"), "hearing loss", "Disease")])
    (eg,) = T.make_examples(nlp, [doc])
    tags = {t.text: t.tag_ for t in eg.predicted}
    assert (tags["renal"], tags["failure"]) == ("I-LEX", "I-LEX")
    assert (tags["hearing"], tags["loss"]) == ("B-LEX", "I-LEX")
    assert tags["followed"] == ""
    T.hide_lexicon_mentions([eg], 1.0, random.Random(0))
    assert all(t.tag_ == "" for t in eg.predicted)
    T.hide_lexicon_mentions([eg], 0.0, random.Random(0))
    assert (eg.predicted[-3].tag_, eg.predicted[-2].tag_) == ("B-LEX", "I-LEX")


@pytest.mark.slow
def test_tiny_training_with_lexicon_feature_loads_into_the_pipeline(tmp_path, monkeypatch):
    bc, nc = _write_corpora(tmp_path, 6, 4)
    out = tmp_path / "models" / "disease_ner"
    assert T.main(["--bc5cdr", str(bc), "--ncbi", str(nc), "--out", str(out), "--max-epochs", "1",
                   "--width", "32", "--depth", "1", "--embed-rows", "500,100,200,50",
                   "--hidden-width", "16", "--lexicon-feature", "--lexicon-dropout", "0.5"]) == 0
    assert T.load_disease_ner(out).pipe_names == [*T.FEATURE_COMPONENTS, "disease_ner"]
    from pipeline import nlp as pipeline_nlp

    monkeypatch.setattr(pipeline_nlp, "MODEL_DIR", out)
    names = pipeline_nlp.build_nlp(use_model=True).pipe_names
    assert names.index("condition_finder") < names.index("lexicon_features") < names.index("disease_ner")
