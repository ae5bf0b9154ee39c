"""Tests of pipeline.evaluate on small Parquet fixtures written with the real table schemas.

Each test writes a gold JSON Lines file and ``mentions.parquet`` / ``doses.parquet`` (typed by
``pipeline.schema.with_metadata``) into ``tmp_path`` and checks exact counts and ratios, so a
change in matching or attribute scoring shows up as a failing number.
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:  # the package is not installed in the test environment
    sys.path.insert(0, str(REPO))

from pipeline import schema  # noqa: E402
from pipeline.evaluate import (  # noqa: E402
    EvaluationError,
    evaluate,
    format_report,
    load_gold,
)


# ------------------------------------------------------------------------------------ fixtures


def gold_row(doc: str, start: int, end: int, label: str, **extra: Any) -> dict[str, Any]:
    return {"doc": doc, "start": start, "end": end, "text": "x" * (end - start), "label": label, **extra}


def pred(
    doc: str,
    start: int,
    end: int,
    label: str,
    concept_id: str | None = None,
    negated: bool = False,
    role: str | None = None,
    substance: tuple[str | None, str | None] = (None, None),
) -> dict[str, Any]:
    """A full mentions row (every schema column); ``substance`` is (substance_id, name)."""
    return {
        "mention_id": f"{doc}:{start}-{end}:{label}",
        "doc_id": doc,
        "sentence_id": 0,
        "start": start,
        "end": end,
        "text": "x" * (end - start),
        "label": label,
        "concept_id": concept_id,
        "concept_name": concept_id,
        "negated": negated,
        "uncertain": False,
        "role": role,
        "section": None,
        "method": "test",
        "substance_id": substance[0],
        "substance_name": substance[1],
    }


def dose(mention: dict[str, Any], **fields: Any) -> dict[str, Any]:
    """A full doses row for a DOSE mention row."""
    row: dict[str, Any] = {
        "mention_id": mention["mention_id"],
        "doc_id": mention["doc_id"],
        "low": None,
        "high": None,
        "unit": "mg",
        "per": None,
        "times_per_day": None,
        "route": None,
        "duration_days_low": None,
        "duration_days_high": None,
        "amount_base_low": None,
        "amount_base_high": None,
        "base_unit": None,
        "condition_concept_ids": [],
    }
    row.update(fields)
    return row


def write_case(
    tmp_path: Path,
    gold: list[dict[str, Any]],
    mentions: list[dict[str, Any]],
    doses: list[dict[str, Any]] | None = None,
) -> tuple[Path, Path]:
    """Write gold.jsonl and out/{mentions,doses}.parquet; return (gold path, out dir)."""
    gold_path = tmp_path / "gold.jsonl"
    gold_path.write_text("".join(json.dumps(r) + "\n" for r in gold), encoding="utf-8")
    out = tmp_path / "out"
    out.mkdir()
    pq.write_table(pa.Table.from_pylist(mentions, schema=schema.with_metadata("mentions")), out / "mentions.parquet")
    pq.write_table(pa.Table.from_pylist(doses or [], schema=schema.with_metadata("doses")), out / "doses.parquet")
    return gold_path, out


def prf(report: dict, mode: str, label: str) -> tuple[int, int, int, float, float, float]:
    s = report[mode][label]
    return s["tp"], s["fp"], s["fn"], round(s["precision"], 4), round(s["recall"], 4), round(s["f1"], 4)


# ------------------------------------------------------------------------------------ tests


def test_strict_and_lenient_counts(tmp_path: Path) -> None:
    """An exact span is a strict hit, an overlapping one only lenient; a wrong label is fp + fn."""
    gold = [
        gold_row("d1", 0, 10, "CONDITION"),
        gold_row("d1", 20, 30, "CONDITION"),
        gold_row("d1", 40, 50, "ADVERSE_EFFECT"),
    ]
    preds = [
        pred("d1", 0, 10, "CONDITION"),
        pred("d1", 22, 35, "CONDITION"),
        pred("d1", 40, 50, "CONDITION"),
        pred("d1", 60, 70, "ADVERSE_EFFECT"),
    ]
    report = evaluate(*write_case(tmp_path, gold, preds))
    assert report["labels"] == ["CONDITION", "ADVERSE_EFFECT"]
    assert prf(report, "strict", "CONDITION") == (1, 2, 1, 0.3333, 0.5, 0.4)
    assert prf(report, "lenient", "CONDITION") == (2, 1, 0, 0.6667, 1.0, 0.8)
    assert prf(report, "strict", "ADVERSE_EFFECT") == (0, 1, 1, 0.0, 0.0, 0.0)
    assert prf(report, "strict", "ALL") == (1, 3, 2, 0.25, 0.3333, 0.2857)
    assert prf(report, "lenient", "ALL") == (2, 2, 1, 0.5, 0.6667, 0.5714)
    assert report["n_gold"] == 3 and report["n_pred"] == 4
    json.dumps(report)  # JSON-serialisable


def test_lenient_matching_is_one_to_one_and_prefers_largest_overlap(tmp_path: Path) -> None:
    """One prediction covering two gold spans matches one: the largest overlap, exact first.

    Which pair is formed is visible through `negated`: only the intended pairing agrees.
    """
    gold = [
        # d1: pred 0-12 overlaps 0-4 by 4 and 5-12 by 7 -> pairs with 5-12 (earlier start loses)
        gold_row("d1", 0, 4, "CONDITION", negated=False),
        gold_row("d1", 5, 12, "CONDITION", negated=True),
        # d2: two predictions, one gold -> one tp, one fp
        gold_row("d2", 0, 20, "CONDITION"),
        # d3: equal overlap (10) -> the exact span wins over the earlier, wider one
        gold_row("d3", 5, 15, "CONDITION", negated=True),
        # d4: touching spans do not overlap
        gold_row("d4", 5, 10, "CONDITION"),
    ]
    preds = [
        pred("d1", 0, 12, "CONDITION", negated=True),
        pred("d2", 0, 5, "CONDITION"),
        pred("d2", 3, 20, "CONDITION"),
        pred("d3", 0, 15, "CONDITION", negated=False),
        pred("d3", 5, 15, "CONDITION", negated=True),
        pred("d4", 0, 5, "CONDITION"),
    ]
    report = evaluate(*write_case(tmp_path, gold, preds))
    assert prf(report, "lenient", "CONDITION")[:3] == (3, 3, 2)
    assert prf(report, "strict", "CONDITION")[:3] == (1, 5, 4)
    neg = report["negation"]
    assert (neg["n"], neg["correct"]) == (2, 2)
    assert neg["n_gold_negated_matched"] == 2 and neg["n_gold_negated_predicted_negated"] == 2


def test_label_map_merges_and_drops(tmp_path: Path) -> None:
    """CONDITION and ADVERSE_EFFECT merged into DISEASE; DOSE dropped on both sides."""
    gold = [
        gold_row("d1", 0, 10, "CONDITION"),
        gold_row("d1", 20, 30, "ADVERSE_EFFECT"),
        gold_row("d1", 40, 45, "DOSE"),
        gold_row("d1", 70, 80, "ADVERSE_EFFECT"),
    ]
    preds = [
        pred("d1", 0, 10, "ADVERSE_EFFECT"),
        pred("d1", 20, 30, "CONDITION"),
        pred("d1", 40, 45, "DOSE"),
        pred("d1", 50, 60, "CONDITION"),
        # two labels on one span merge into one DISEASE prediction
        pred("d1", 70, 80, "ADVERSE_EFFECT"),
        pred("d1", 70, 80, "CONDITION"),
    ]
    gold_path, out = write_case(tmp_path, gold, preds)
    plain = evaluate(gold_path, out)
    assert prf(plain, "strict", "ALL")[:3] == (2, 4, 2)

    mapping = {"CONDITION": "DISEASE", "ADVERSE_EFFECT": "DISEASE", "DOSE": None}
    report = evaluate(gold_path, out, label_map=mapping)
    assert report["labels"] == ["DISEASE"]
    assert prf(report, "strict", "DISEASE") == (3, 1, 0, 0.75, 1.0, 0.8571)
    assert prf(report, "lenient", "ALL")[:3] == (3, 1, 0)
    assert report["n_gold"] == 3 and report["n_pred"] == 4
    assert report["n_pred_merged_same_span"] == 1
    assert report["label_map"] == mapping

    # a label absent from the map is kept as is
    kept = evaluate(gold_path, out, label_map={"CONDITION": "ADVERSE_EFFECT"})
    assert kept["labels"] == ["ADVERSE_EFFECT", "DOSE"]
    assert prf(kept, "strict", "DOSE")[:3] == (1, 0, 0)


def test_negation_and_role_accuracy(tmp_path: Path) -> None:
    """Only matched non-DOSE pairs whose gold gives `negated` count; role for CONDITION only."""
    gold = [
        gold_row("d1", 0, 5, "CONDITION", negated=True, role="studied"),
        gold_row("d1", 10, 15, "CONDITION", negated=False, role="contraindication"),
        gold_row("d1", 20, 25, "ADVERSE_EFFECT", negated=True),
        gold_row("d1", 30, 35, "CONDITION"),  # no negated, no role: not scored
        gold_row("d1", 40, 45, "DOSE", negated=True),  # DOSE: never scored for negation
        gold_row("d1", 50, 55, "ADVERSE_EFFECT", negated=True),  # unmatched
    ]
    preds = [
        pred("d1", 0, 5, "CONDITION", negated=True, role="studied"),
        pred("d1", 10, 16, "CONDITION", negated=True, role="other"),
        pred("d1", 20, 25, "ADVERSE_EFFECT", negated=False),
        pred("d1", 30, 35, "CONDITION", negated=True, role="studied"),
        pred("d1", 40, 45, "DOSE", negated=True),
    ]
    report = evaluate(*write_case(tmp_path, gold, preds))
    neg = report["negation"]
    assert (neg["n"], neg["correct"]) == (3, 1)
    assert neg["accuracy"] == pytest.approx(1 / 3)
    assert neg["n_gold_negated"] == 3
    assert neg["n_gold_negated_matched"] == 2
    assert neg["n_gold_negated_predicted_negated"] == 1
    assert neg["n_predicted_negated_gold_not"] == 1
    role = report["role"]
    assert (role["n"], role["correct"], role["accuracy"]) == (2, 1, 0.5)
    assert role["confusion"] == {"contraindication": {"other": 1}, "studied": {"studied": 1}}


def test_dose_field_accuracy(tmp_path: Path) -> None:
    """Each of low, high, unit, per, route separately and all five; missing gold keys are None."""
    gold = [
        gold_row("d1", 0, 10, "DOSE", dose={"low": 20, "high": 50, "unit": "mL", "per": "day", "route": "IV"}),
        gold_row("d1", 20, 25, "DOSE", dose={"low": 10, "high": 10, "unit": "mg"}),
        gold_row("d1", 30, 35, "DOSE", dose={"low": 5, "high": 5, "unit": "mL", "duration_days_low": 7}),
        gold_row("d1", 40, 45, "DOSE"),  # no dose object: not scored for fields
    ]
    p1, p2, p3, p4 = (
        pred("d1", 0, 10, "DOSE"),
        pred("d1", 20, 26, "DOSE"),
        pred("d1", 30, 35, "DOSE"),  # no doses row at all
        pred("d1", 40, 45, "DOSE"),
    )
    doses = [
        dose(p1, low=20.0, high=50.0 + 1e-9, unit="mL", per="day", route="IV"),
        dose(p2, low=10.0, high=10.0, unit="mg", per="day"),
        dose(p4, low=1.0, high=1.0, unit="mg"),
    ]
    report = evaluate(*write_case(tmp_path, gold, [p1, p2, p3, p4], doses))
    d = report["dose_fields"]
    assert d["n_pairs"] == 3
    assert d["n_pairs_without_gold_fields"] == 1
    got = {name: (v["correct"], v["n"]) for name, v in d["fields"].items()}
    assert got == {
        "low": (2, 3),
        "high": (2, 3),
        "unit": (2, 3),
        "per": (2, 3),
        "route": (3, 3),
        "duration_days_low": (2, 3),
        "duration_days_high": (3, 3),
    }
    assert (d["all_five"]["correct"], d["all_five"]["n"]) == (1, 3)


def test_concept_consistency_and_coverage(tmp_path: Path) -> None:
    """Share of matched mentions carrying their gold concept's most common predicted id."""
    gold = [
        gold_row("d1", 0, 5, "CONDITION", concept="Alzheimer disease"),
        gold_row("d1", 10, 15, "CONDITION", concept="Alzheimer disease"),
        gold_row("d2", 0, 5, "CONDITION", concept="Alzheimer disease"),
        gold_row("d2", 10, 15, "CONDITION", concept="stroke"),
        gold_row("d2", 20, 25, "CONDITION", concept="stroke"),
        gold_row("d2", 30, 35, "CONDITION", concept="epilepsy"),  # unmatched
        gold_row("d2", 40, 45, "CONDITION"),  # no concept: coverage only
    ]
    preds = [
        pred("d1", 0, 5, "CONDITION", "ICD10CM:G30.9"),
        pred("d1", 10, 15, "CONDITION", "HP:0002511"),
        pred("d2", 0, 5, "CONDITION", "ICD10CM:G30.9"),
        pred("d2", 10, 15, "CONDITION", "ICD10CM:I63.9"),
        pred("d2", 20, 25, "CONDITION", None),
        pred("d2", 40, 45, "CONDITION", "HP:1"),
    ]
    report = evaluate(*write_case(tmp_path, gold, preds))
    c = report["concepts"]
    assert (c["n_consistent"], c["n_matched"]) == (3, 5)
    assert c["consistency"] == pytest.approx(0.6)
    assert (c["n_with_concept_id"], c["n_matched_mentions"]) == (5, 6)
    assert c["n_gold_concepts"] == 3 and c["n_matched_concepts"] == 2
    per = {x["concept"]: x for x in c["per_concept"]}
    assert per["Alzheimer disease"]["top_concept_id"] == "ICD10CM:G30.9"
    assert per["Alzheimer disease"]["consistency"] == pytest.approx(2 / 3)
    assert per["stroke"]["n_null"] == 1 and per["stroke"]["consistency"] == 0.5
    assert per["epilepsy"]["n_matched"] == 0 and per["epilepsy"]["consistency"] == 0.0


def test_empty_predictions_score_zero(tmp_path: Path) -> None:
    """Typed but empty tables: every label has tp 0, its gold as fn, and 0.0 ratios."""
    gold = [gold_row("d1", 0, 5, "CONDITION"), gold_row("d1", 6, 9, "DOSE", dose={"low": 1})]
    report = evaluate(*write_case(tmp_path, gold, []))
    for mode in ("strict", "lenient"):
        assert prf(report, mode, "CONDITION") == (0, 0, 1, 0.0, 0.0, 0.0)
        assert prf(report, mode, "DOSE") == (0, 0, 1, 0.0, 0.0, 0.0)
        assert prf(report, mode, "ALL") == (0, 0, 2, 0.0, 0.0, 0.0)
    assert report["n_pred"] == 0 and report["dose_fields"]["n_pairs"] == 0
    assert report["concepts"]["consistency"] == 0.0
    assert "ALL" in format_report(report)


def test_only_annotated_docs_are_scored(tmp_path: Path) -> None:
    """A `{"doc": id}` line makes predictions in that doc false positives; others are ignored."""
    gold = [gold_row("d1", 0, 5, "CONDITION"), {"doc": "d2"}]
    preds = [
        pred("d1", 0, 5, "CONDITION"),
        pred("d2", 0, 5, "CONDITION"),
        pred("d3", 0, 5, "CONDITION"),  # not annotated
    ]
    gold_path, out = write_case(tmp_path, gold, preds)
    loaded = load_gold(gold_path)
    assert loaded.docs == frozenset({"d1", "d2"}) and len(loaded.mentions) == 1
    report = evaluate(gold_path, out)
    assert prf(report, "strict", "ALL")[:3] == (1, 1, 0)
    assert report["n_docs"] == 2 and report["n_docs_with_predictions"] == 2


def test_duplicate_gold_rows_counted_once(tmp_path: Path) -> None:
    """The same gold row twice is one mention (no unavoidable false negative)."""
    gold = [gold_row("d1", 0, 5, "CONDITION"), gold_row("d1", 0, 5, "CONDITION")]
    report = evaluate(*write_case(tmp_path, gold, [pred("d1", 0, 5, "CONDITION")]))
    assert report["n_gold_duplicates"] == 1
    assert prf(report, "strict", "ALL")[:3] == (1, 0, 0)


def test_missing_files_give_clear_errors(tmp_path: Path) -> None:
    """No tables, no gold file, a malformed gold line: each error names what is wrong."""
    gold_path = tmp_path / "gold.jsonl"
    gold_path.write_text(json.dumps(gold_row("d1", 0, 5, "CONDITION")) + "\n", encoding="utf-8")
    (tmp_path / "empty").mkdir()
    with pytest.raises(FileNotFoundError, match="mentions.parquet, doses.parquet"):
        evaluate(gold_path, tmp_path / "empty")
    with pytest.raises(FileNotFoundError, match="gold file not found"):
        evaluate(tmp_path / "nope.jsonl", tmp_path / "empty")
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"doc": "d1"}\n{"doc": "d1", "start": 5, "end": 2, "label": "DOSE"}\n', encoding="utf-8")
    with pytest.raises(EvaluationError, match=r"bad.jsonl:2"):
        load_gold(bad)


def test_format_report_shows_every_label(tmp_path: Path) -> None:
    """The text report has one row per label plus ALL, with percentages."""
    gold = [gold_row("d1", 0, 10, "CONDITION"), gold_row("d1", 20, 30, "CONDITION")]
    report = evaluate(*write_case(tmp_path, gold, [pred("d1", 0, 10, "CONDITION")]))
    text = format_report(report)
    rows = [line for line in text.splitlines() if line.startswith(("CONDITION", "ALL"))]
    assert len(rows) == 2
    assert " 66.7" in rows[0]  # F1 of P=1, R=0.5
    assert "negation accuracy" in text and "concept consistency" in text


def test_large_gold_is_grouped_by_document(tmp_path: Path) -> None:
    """10,000 gold rows over 500 documents score correctly in well under the time budget."""
    gold, preds = [], []
    for d in range(500):
        for k in range(20):
            gold.append(gold_row(f"doc{d}", 10 * k, 10 * k + 5, "CONDITION"))
            if k % 2 == 0:
                preds.append(pred(f"doc{d}", 10 * k, 10 * k + 5, "CONDITION"))
            else:
                preds.append(pred(f"doc{d}", 10 * k + 1, 10 * k + 7, "CONDITION"))
    gold_path, out = write_case(tmp_path, gold, preds)
    t0 = time.perf_counter()
    report = evaluate(gold_path, out)
    elapsed = time.perf_counter() - t0
    assert prf(report, "strict", "ALL")[:3] == (5000, 5000, 5000)
    assert prf(report, "lenient", "ALL")[:3] == (10000, 0, 0)
    assert elapsed < 20


def test_annotated_docs_missing_from_the_run_are_reported(tmp_path: Path) -> None:
    """A gold doc that documents.parquet does not hold (misspelt id, missing file) is flagged."""
    import datetime as dt

    gold = [gold_row("d1", 0, 5, "CONDITION"), gold_row("d2", 0, 5, "CONDITION"), {"doc": "d3"}]
    gold_path, out = write_case(tmp_path, gold, [pred("d1", 0, 5, "CONDITION")])
    now = dt.datetime(2024, 1, 1, tzinfo=dt.timezone.utc)
    docs = [
        {
            "doc_id": doc,
            "source": f"{doc}.txt",
            "media_type": "text/plain",
            "sha256": "0" * 64,
            "title": None,
            "text": "" if status == "error" else "xxxxx",
            "n_chars": 5,
            "n_sentences": 1,
            "n_tokens": 1,
            "status": status,
            "error": "boom" if status == "error" else None,
            "pipeline_version": "test",
            "extracted_at": now,
        }
        for doc, status in (("d1", "ok"), ("d3", "error"))
    ]
    pq.write_table(pa.Table.from_pylist(docs, schema=schema.with_metadata("documents")), out / "documents.parquet")
    report = evaluate(gold_path, out)
    assert report["documents"]["n_missing"] == 1 and report["documents"]["missing_examples"] == ["d2"]
    assert report["documents"]["n_error"] == 1 and report["documents"]["error_examples"] == ["d3"]
    text = format_report(report)
    assert "1 annotated docs are not in documents.parquet (e.g. d2)" in text
    assert "1 annotated docs failed" in text


def test_label_accuracy_is_label_blind(tmp_path: Path) -> None:
    """Label accuracy pairs CONDITION and ADVERSE_EFFECT rows by span whatever their labels, so
    a found mention with the wrong label counts as found (span) and wrong (label)."""
    gold = [
        {"doc": "d1", "subject": "x"},  # a subject line is not a mention
        gold_row("d1", 0, 5, "CONDITION", role="studied"),
        gold_row("d1", 10, 15, "ADVERSE_EFFECT"),
        gold_row("d1", 20, 25, "CONDITION", role="other"),
        gold_row("d1", 30, 35, "DOSE"),  # not a context label: not paired
        gold_row("d1", 40, 45, "ADVERSE_EFFECT"),  # missed
    ]
    preds = [
        pred("d1", 0, 5, "ADVERSE_EFFECT"),  # found, wrong label
        pred("d1", 10, 14, "ADVERSE_EFFECT"),  # overlapping, right label
        pred("d1", 20, 25, "CONDITION", role="studied"),  # right label, wrong role
        pred("d1", 30, 35, "CONDITION"),  # on the DOSE span: a label-blind false positive
    ]
    report = evaluate(*write_case(tmp_path, gold, preds))
    label = report["label"]
    assert (label["n"], label["correct"]) == (3, 2)
    assert label["confusion"] == {
        "ADVERSE_EFFECT": {"ADVERSE_EFFECT": 1},
        "CONDITION": {"ADVERSE_EFFECT": 1, "CONDITION": 1},
    }
    strict, lenient = label["span"]["strict"], label["span"]["lenient"]
    assert (strict["tp"], strict["fp"], strict["fn"]) == (2, 2, 2)
    assert (lenient["tp"], lenient["fp"], lenient["fn"]) == (3, 1, 1)
    assert "label accuracy" in format_report(report)
# ------------------------------------------------------------------- subjects and substances


def write_documents(out: Path, subjects: dict[str, tuple[str | None, str | None]]) -> None:
    """documents.parquet with the given (subject_id, subject_name) per document."""
    import datetime as dt

    now = dt.datetime(2024, 1, 1, tzinfo=dt.timezone.utc)
    rows = [
        {
            "doc_id": doc, "source": f"{doc}.txt", "media_type": "text/plain", "sha256": "0" * 64,
            "title": None, "text": "x", "n_chars": 1, "n_sentences": 1, "n_tokens": 1, "status": "ok",
            "error": None, "pipeline_version": "test", "extracted_at": now,
            "subject_id": subject_id, "subject_name": name,
        }
        for doc, (subject_id, name) in subjects.items()
    ]
    pq.write_table(pa.Table.from_pylist(rows, schema=schema.with_metadata("documents")), out / "documents.parquet")


def test_subject_accuracy_per_document(tmp_path: Path) -> None:
    """Any name after "|" counts, case and punctuation aside; a LOCAL id's name counts; null gold
    and null prediction agree; a brand resolves to its ingredient through the lexicon."""
    gold = [
        {"doc": "a", "subject": "omberacetam|Noopept"},
        {"doc": "b", "subject": "BPC-157|BPC 157"},
        {"doc": "c", "subject": None},
        {"doc": "d", "subject": "sertraline"},
        {"doc": "e", "subject": "melatonin"},
        {"doc": "f", "subject": None},
        {"doc": "g", "subject": "Zoloft"},
    ]
    gold_path, out = write_case(tmp_path, gold, [])
    write_documents(
        out,
        {
            "a": ("LOCAL:noopept", "noopept"),
            "b": ("LOCAL:bpc157", "BPC157"),
            "c": (None, None),
            "d": ("DRUGBANK:DB01104", "Sertraline"),
            "e": (None, None),  # missed
            "f": ("DRUGBANK:DB01065", "Melatonin"),  # a guess where there is none
            "g": ("DRUGBANK:DB01104", "Sertraline"),
        },
    )
    report = evaluate(gold_path, out)
    assert (report["subject"]["correct"], report["subject"]["n"]) == (5, 7)
    assert sorted(e["doc"] for e in report["subject"]["errors"]) == ["e", "f"]
    assert "subject accuracy   71.4% over 7 documents" in format_report(report)


def test_dose_substance_accuracy_defaults_to_the_subject(tmp_path: Path) -> None:
    gold = [
        {"doc": "d1", "subject": "ginkgo biloba|ginkgo"},
        gold_row("d1", 0, 5, "DOSE"),  # the subject's
        gold_row("d1", 10, 15, "DOSE", substance="warfarin"),
        gold_row("d1", 20, 25, "DOSE", substance="aspirin"),
        gold_row("d1", 30, 35, "ADVERSE_EFFECT"),
    ]
    mentions = [
        pred("d1", 0, 5, "DOSE", substance=("DRUGBANK:DB01381", "Ginkgo biloba")),
        pred("d1", 10, 15, "DOSE", substance=("DRUGBANK:DB00682", "Warfarin")),
        pred("d1", 20, 26, "DOSE", substance=("DRUGBANK:DB01381", "Ginkgo biloba")),  # wrong
        pred("d1", 30, 35, "ADVERSE_EFFECT", substance=("DRUGBANK:DB01381", "Ginkgo biloba")),
        pred("d1", 40, 47, "SUBSTANCE", "DRUGBANK:DB00682", substance=("DRUGBANK:DB00682", "Warfarin")),
    ]
    report = evaluate(*write_case(tmp_path, gold, mentions))
    assert (report["dose_substance"]["correct"], report["dose_substance"]["n"]) == (2, 3)
    assert report["dose_substance"]["errors"][0]["gold"] == "aspirin"
    assert (report["substance"]["correct"], report["substance"]["n"]) == (3, 4)
    # the gold lists no SUBSTANCE mentions: predicted ones are not false positives
    assert "SUBSTANCE" not in report["lenient"] and report["lenient"]["ALL"]["fp"] == 0


def test_substance_spans_are_scored_when_the_gold_lists_them(tmp_path: Path) -> None:
    gold = [gold_row("d1", 0, 5, "SUBSTANCE"), gold_row("d1", 10, 15, "SUBSTANCE")]
    mentions = [pred("d1", 0, 5, "SUBSTANCE", "DRUGBANK:DB00682"), pred("d1", 20, 25, "SUBSTANCE", "DRUGBANK:DB00945")]
    report = evaluate(*write_case(tmp_path, gold, mentions))
    assert prf(report, "strict", "SUBSTANCE")[:3] == (1, 1, 1)


def test_version_1_tables_are_scored_without_substances(tmp_path: Path) -> None:
    """Tables without the version-2 columns still score spans; substances are then all wrong."""
    gold = [{"doc": "d1", "subject": "x"}, gold_row("d1", 0, 5, "DOSE")]
    gold_path, out = write_case(tmp_path, gold, [pred("d1", 0, 5, "DOSE")])
    table = pq.read_table(out / "mentions.parquet").drop_columns(["substance_id", "substance_name"])
    pq.write_table(table, out / "mentions.parquet")
    report = evaluate(gold_path, out)
    assert prf(report, "strict", "DOSE")[:3] == (1, 0, 0)
    assert (report["dose_substance"]["correct"], report["dose_substance"]["n"]) == (0, 1)
