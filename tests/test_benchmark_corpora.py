"""The benchmark converters on the real corpora in ../shared/benchmarks.

Why: the accuracy figures are only as good as the conversion, so every converter is checked for
its document count, valid offsets (``text[start:end]`` equals the gold text in the written
file), the labels it maps to, and the known quirks of each corpus (mismatching or discontinuous
brat spans, dose spans without a number). Each test skips cleanly when its data folder is absent.
"""

from __future__ import annotations

import importlib.util
import json
import sys
from collections import Counter
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"
BENCH = SHARED / "benchmarks"


def _load_corpora() -> ModuleType:
    """benchmarks/ is a folder of scripts, not a package: load corpora.py from its path."""
    spec = importlib.util.spec_from_file_location("benchmark_corpora", REPO / "benchmarks" / "corpora.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up while the class is built
    spec.loader.exec_module(module)
    return module


corpora = _load_corpora()


def need(path: Path) -> Path:
    if not path.exists():
        pytest.skip(f"benchmark data not available: {path}")
    return path


def read_gold(gold: Path) -> tuple[set[str], list[dict[str, Any]]]:
    """(declared docs, mention rows) of a gold file."""
    docs: set[str] = set()
    rows: list[dict[str, Any]] = []
    for line in gold.read_text(encoding="utf-8").splitlines():
        obj = json.loads(line)
        docs.add(obj["doc"])
        if "label" in obj:
            rows.append(obj)
    return docs, rows


def assert_offsets_valid(corpus: Path, rows: list[dict[str, Any]]) -> None:
    """Every gold row's text is exactly its span of the file the pipeline will read."""
    cache: dict[str, str] = {}
    bad = []
    for r in rows:
        if r["doc"] not in cache:
            cache[r["doc"]] = corpora.read_source(corpus / f"{r['doc']}.txt")
        if cache[r["doc"]][r["start"] : r["end"]] != r["text"]:
            bad.append(r)
    assert bad == []


@pytest.fixture(scope="module")
def work(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("bench_work")


def test_bc5cdr(work: Path) -> None:
    """500 development abstracts; Disease -> CONDITION, Chemical dropped; MeSH ids as concepts."""
    src = need(BENCH / "bc5cdr" / corpora.BC5CDR_FILE)
    corpus, gold = corpora.convert_bc5cdr(src.parent, work)
    docs, rows = read_gold(gold)
    assert len(list(corpus.glob("*.txt"))) == 500
    assert len(docs) == 500
    assert {r["label"] for r in rows} == {"CONDITION"}
    assert {r["source_type"] for r in rows} == {"Disease"}
    assert len(rows) > 4000
    assert_offsets_valid(corpus, rows)
    first = corpora.read_source(corpus / "6794356.txt")
    assert first.startswith("Tricuspid valve regurgitation and lithium carbonate toxicity")
    assert "\n" in first and first.count("\n") == 1  # title + newline + abstract
    stats = corpora.read_stats(gold)
    assert stats["mismatches"] == 0
    assert stats["dropped_types"].get("Chemical", 0) > 5000
    assert any(r.get("concept") == "D014262" for r in rows)


def test_ncbi(work: Path) -> None:
    """100 development abstracts; all four disease classes become CONDITION."""
    src = need(BENCH / "ncbi_disease" / corpora.NCBI_FILE)
    corpus, gold = corpora.convert_ncbi(src, work)
    docs, rows = read_gold(gold)
    assert len(list(corpus.glob("*.txt"))) == 100 and len(docs) == 100
    assert {r["label"] for r in rows} == {"CONDITION"}
    assert {r["source_type"] for r in rows} == {"SpecificDisease", "DiseaseClass", "Modifier", "CompositeMention"}
    assert_offsets_valid(corpus, rows)
    stats = corpora.read_stats(gold)
    assert stats["mismatches"] == 0 and stats["dropped_types"] == {}
    assert stats["n_mentions"] == len(rows) > 700


def test_tac2017(work: Path) -> None:
    """239 drug-label sections of 101 labels; each distinct reaction once per section, with a
    MedDRA concept; offsets exact although the JSON lowercases mention texts."""
    src = need(BENCH / "tac2017_adr_train" / corpora.TAC2017_FILE)
    corpus, gold = corpora.convert_tac2017(src.parent, work)
    docs, rows = read_gold(gold)
    assert len(list(corpus.glob("*.txt"))) == len(docs) == 239
    assert {r["label"] for r in rows} == {"ADVERSE_EFFECT"} and len(rows) > 6500
    assert_offsets_valid(corpus, rows)
    assert any(r["text"] == "ARDS" for r in rows)  # "ards" in the JSON, capitals in the label
    assert all(r["concept"].startswith("MEDDRA:") for r in rows if "concept" in r)
    assert len({(r["doc"], r["text"].lower()) for r in rows}) == len(rows)
    stats = corpora.read_stats(gold)
    assert stats["mismatches"] == 0 and stats["skipped_discontinuous"] > 0
    assert "ADCETRIS_adverse_reactions" in docs


def test_cadec(work: Path) -> None:
    """1000 posts copied as is; ADR -> ADVERSE_EFFECT, Disease/Symptom -> CONDITION.

    Discontinuous spans with only whitespace between segments are merged; the others are
    skipped and counted; brat rows whose text is not their span are dropped and counted.
    """
    src = need(BENCH / "cadec_dev")
    corpus, gold = corpora.convert_cadec(src, work)
    docs, rows = read_gold(gold)
    assert len(list(corpus.glob("*.txt"))) == 1000 and len(docs) == 1000
    # copied byte for byte
    name = sorted((src / "text").glob("*.txt"))[0].name
    assert (corpus / name).read_bytes() == (src / "text" / name).read_bytes()
    by_type = Counter((r["source_type"], r["label"]) for r in rows)
    assert set(by_type) == {("ADR", "ADVERSE_EFFECT"), ("Disease", "CONDITION"), ("Symptom", "CONDITION")}
    assert_offsets_valid(corpus, rows)
    stats = corpora.read_stats(gold)
    assert stats["skipped_discontinuous"] > 0 and stats["merged_discontinuous"] > 0
    assert stats["skipped_discontinuous"] + stats["merged_discontinuous"] == 849  # 876 minus 27 Drug/Finding
    assert stats["mismatches"] == 2  # "renal and respiratory failure" on "respiratory failure", ...
    assert {"Drug", "Finding"} == set(stats["dropped_types"])
    # a merged span: "body swelling" annotated as "55 59;60 68"
    assert any(r["doc"] == "ARTHROTEC.105" and r["text"] == "body swelling" for r in rows)
    assert any(str(r.get("concept", "")).startswith("SCT:") for r in rows)


def test_cadec_custom_mapping(work: Path) -> None:
    """The brat-type mapping is a parameter: ADR only gives only ADVERSE_EFFECT rows."""
    src = need(BENCH / "cadec_dev")
    _, gold = corpora.convert_cadec(src, work, labels={"ADR": "ADVERSE_EFFECT"})
    _, rows = read_gold(gold)
    assert {r["label"] for r in rows} == {"ADVERSE_EFFECT"}
    corpora.convert_cadec(src, work)  # restore the default conversion for other tests


def test_ade_doses(work: Path) -> None:
    """One doc per PubMed id from its sentences; dose spans relocated; qualitative ones apart."""
    src = need(BENCH / "ade_corpus_v2" / corpora.ADE_DOSE_FILE)
    corpus, gold = corpora.convert_ade_doses(src.parent, work)
    docs, rows = read_gold(gold)
    n_pmids = len({line.split("|", 1)[0] for line in src.read_text(encoding="utf-8").splitlines() if line})
    assert len(docs) == n_pmids == len(list(corpus.glob("*.txt")))
    assert_offsets_valid(corpus, rows)
    labels = Counter(r["label"] for r in rows)
    assert set(labels) == {"DOSE", corpora.QUALITATIVE_DOSE}
    assert all(any(c.isdigit() for c in r["text"]) for r in rows if r["label"] == "DOSE")
    assert not any(any(c.isdigit() for c in r["text"]) for r in rows if r["label"] != "DOSE")
    stats = corpora.read_stats(gold)
    assert stats["mismatches"] == 0 and stats["notes"]["unplaced_sentences"] == 0
    # the document-level offsets are consistent: every sentence could be placed
    assert stats["notes"]["overlapping_sentences"] == 0
    text = corpora.read_source(corpus / "10327035.txt")
    assert "1500 mg/m2" in text
    _, only_numeric = corpora.convert_ade_doses(src, work, qualitative_label=None)
    assert {r["label"] for r in read_gold(only_numeric)[1]} == {"DOSE"}


def test_seeds(work: Path) -> None:
    """The five seed articles and their gold are copied unchanged and their offsets hold."""
    need(SHARED / "gold" / "seeds.jsonl")
    corpus, gold = corpora.convert_seeds(SHARED, work)
    docs, rows = read_gold(gold)
    assert len(list(corpus.glob("*.txt"))) == 5
    assert docs == {p.stem for p in corpus.glob("*.txt")}
    assert gold.read_bytes() == (SHARED / "gold" / "seeds.jsonl").read_bytes()
    assert {r["label"] for r in rows} <= {"CONDITION", "ADVERSE_EFFECT", "DOSE"}
    assert_offsets_valid(corpus, rows)
    assert corpora.read_stats(gold)["mismatches"] == 0


@pytest.mark.parametrize(
    ("convert", "folder", "sources", "gold_name"),
    [
        (corpora.convert_webdev, ("gold", "webdev"), "texts", "gold.jsonl"),
        (corpora.convert_psytar, ("benchmarks", "psytar"), "corpus", "gold.jsonl"),
    ],
)
def test_annotated_web_corpora(work: Path, convert: Any, folder: tuple[str, str], sources: str, gold_name: str) -> None:
    """webdev and PsyTAR dev are copied unchanged (gold already in the ANNOTATION.md format):
    every source is there and every gold offset holds."""
    src = need(SHARED.joinpath(*folder))
    corpus, gold = convert(src, work)
    docs, rows = read_gold(gold)
    assert gold.read_bytes() == (src / gold_name).read_bytes()
    assert {p.stem for p in corpus.iterdir()} == {p.stem for p in (src / sources).iterdir()}
    assert docs <= {p.stem for p in corpus.iterdir()}
    assert {"CONDITION", "ADVERSE_EFFECT"} <= {r["label"] for r in rows}
    assert_offsets_valid(corpus, rows)
    assert corpora.read_stats(gold)["mismatches"] == 0


def test_missing_source_is_a_clear_error(tmp_path: Path) -> None:
    """A converter pointed at an absent folder names the file it expected."""
    with pytest.raises(FileNotFoundError, match=corpora.BC5CDR_FILE):
        corpora.convert_bc5cdr(tmp_path / "nowhere", tmp_path / "work")
