"""Score the extraction tables against gold JSON Lines (``../shared/ANNOTATION.md``).

What is compared
    Gold: one JSON object per line, one mention each (``doc``, ``start``, ``end``, ``text``,
    ``label``, ``concept``, ``negated``, ``role``, ``dose``). Predictions: ``mentions.parquet``
    and ``doses.parquet`` in the output folder (schemas in :mod:`pipeline.schema`).

Extension of the gold format: document declarations
    A line with only ``{"doc": "<id>"}`` (no ``label``) declares the document as annotated even
    when it has no mention, so that predictions in it count as false positives. The annotated
    documents are every ``doc`` named in the gold file; predictions in other documents are not
    scored (a corpus may hold more sources than the gold covers). Keys the evaluator does not
    know (``source_type``, ...) are ignored. Exact duplicate rows (same doc, start, end, label)
    are kept once and counted. After the label map, two rows of one document on the same span
    with the same mapped label (a CONDITION and an ADVERSE_EFFECT merged) count once, in gold and
    in predictions alike (``n_gold_merged_same_span``, ``n_pred_merged_same_span``).

Label map
    ``label_map`` renames gold and predicted labels alike before anything is scored:
    ``{"CONDITION": "DISEASE", "ADVERSE_EFFECT": "DISEASE", "DOSE": None}`` merges the first two
    and drops DOSE. Labels absent from the map are kept; a label mapped to None is dropped.

Scores (per label and micro-averaged over all labels as ``ALL``)
    strict: same doc, start, end and label. lenient: overlapping spans with the same label,
    matched one to one, greedily: pairs with the largest overlap first, then the smallest union
    (so an exact match always wins), then by position; deterministic. Precision, recall and F1
    are 0.0 when their denominator is 0.

Attributes, over lenient-matched pairs (the gold row's own label decides what applies)
    negation: pairs whose gold label is not DOSE and whose gold gives ``negated``; share with
    the same value, plus how many gold-negated mentions were matched and predicted negated.
    role: pairs whose gold label is CONDITION and whose gold gives a ``role``.
    label: CONDITION and ADVERSE_EFFECT matched label-blind (before the label map; overlapping
    spans, one to one, as lenient): the share of pairs whose predicted label is the gold one
    (how often a found mention is called a condition or an effect rightly), with the confusion;
    also strict and lenient span scores of that label-blind matching (``span``).
    dose fields: DOSE pairs whose gold has a ``dose`` object: ``low``, ``high``, ``unit``,
    ``per``, ``route`` each and all five together (a key missing in gold is None; numbers
    compared with a small tolerance); duration days are reported too, outside "all five".
    concepts: for each gold concept (mapped label + ``concept``), its matched predictions; the
    consistency is the share carrying the most common predicted ``concept_id`` (null counts as
    inconsistent), per concept and weighted by mentions overall. Coverage is the share of
    matched non-DOSE predictions with a non-null ``concept_id``.

Subjects and substances (guideline version 2)
    A gold line ``{"doc", "subject"}`` names the document's subject ("omberacetam|Noopept": any
    name after "|" counts; null: about no substance). Subject accuracy is per document: the
    predicted ``documents.subject_name`` (or the name in a ``LOCAL:`` ``subject_id``) is right
    when it is one of the gold names, and a null prediction is right for a null gold subject.
    Substance accuracy is over lenient-matched pairs: the gold row's ``substance``, or the
    document's gold subject when it has none, against the predicted ``substance_name``; reported
    for DOSE pairs (``dose_substance``) and for all pairs (``substance``). Names are compared
    case-, space- and punctuation-insensitively, and a gold name that the substance lexicon
    resolves to the predicted concept id also counts ("Adderall" for Amphetamine).
    SUBSTANCE mentions are scored as spans only when the gold file has some: gold files may
    leave them out (ANNOTATION.md), and then predicted SUBSTANCE rows are not false positives.

Matching is done per document and label, so cost grows with mentions per document, not with
the corpus size.
"""

from __future__ import annotations

import json
import math
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from pipeline import schema

__all__ = [
    "EvaluationError",
    "Gold",
    "GoldMention",
    "Prediction",
    "evaluate",
    "format_report",
    "load_gold",
    "same_substance",
]

ALL = "ALL"
DOSE = "DOSE"
CONDITION = "CONDITION"
ADVERSE_EFFECT = "ADVERSE_EFFECT"
SUBSTANCE = "SUBSTANCE"
#: the labels told apart by context; label accuracy is measured over them, matched label-blind
CONTEXT_LABELS = frozenset({CONDITION, ADVERSE_EFFECT})
DOSE_FIELDS = ("low", "high", "unit", "per", "route")
EXTRA_DOSE_FIELDS = ("duration_days_low", "duration_days_high")
_NUMERIC_FIELDS = {"low", "high", "duration_days_low", "duration_days_high"}
_MENTION_COLUMNS = ("mention_id", "doc_id", "start", "end", "label", "concept_id", "negated", "role")
#: columns of schema version 2, read when present
_SUBSTANCE_COLUMNS = ("substance_id", "substance_name")
_DOSE_COLUMNS = ("mention_id", *DOSE_FIELDS, *EXTRA_DOSE_FIELDS)
_REL_TOL = 1e-6
_ABS_TOL = 1e-9


class EvaluationError(ValueError):
    """The gold file or the prediction tables cannot be scored (malformed or incomplete)."""


@dataclass(frozen=True)
class GoldMention:
    """One gold mention; ``label`` is the label written in the gold file (before any map)."""

    doc: str
    start: int
    end: int
    label: str
    text: str | None = None
    concept: str | None = None
    negated: bool | None = None
    role: str | None = None
    dose: Mapping[str, Any] | None = None
    substance: str | None = None


@dataclass
class Gold:
    """A gold file: its mentions, every document it names, and exact duplicates dropped.
    ``subjects`` maps each document with a subject line to its accepted names (empty: null)."""

    mentions: list[GoldMention]
    docs: frozenset[str]
    n_duplicates: int = 0
    subjects: dict[str, tuple[str, ...]] = field(default_factory=dict)


@dataclass(frozen=True)
class Prediction:
    """One predicted mention with the fields the evaluator compares."""

    doc: str
    start: int
    end: int
    label: str
    mention_id: str
    concept_id: str | None = None
    negated: bool | None = None
    role: str | None = None
    dose: Mapping[str, Any] | None = None
    substance_id: str | None = None
    substance_name: str | None = None


# --------------------------------------------------------------------------------------------
# loading


def load_gold(path: Path) -> Gold:
    """Read a gold JSON Lines file; raise :class:`EvaluationError` naming the bad line.

    Blank lines are skipped. ``{"doc": id}`` lines only declare a document (module docstring).
    """
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"gold file not found: {path}")
    mentions: list[GoldMention] = []
    docs: set[str] = set()
    subjects: dict[str, tuple[str, ...]] = {}
    seen: set[tuple[str, int, int, str]] = set()
    duplicates = 0
    with open(path, encoding="utf-8-sig") as fh:
        for n, line in enumerate(fh, 1):
            if not line.strip():
                continue
            where = f"{path}:{n}"
            try:
                obj = json.loads(line)
            except json.JSONDecodeError as exc:
                raise EvaluationError(f"{where}: not valid JSON ({exc.msg})") from exc
            if not isinstance(obj, dict) or not isinstance(obj.get("doc"), str) or not obj["doc"]:
                raise EvaluationError(f"{where}: expected an object with a non-empty string 'doc'")
            docs.add(obj["doc"])
            if "subject" in obj:
                subject = obj["subject"]
                if subject is not None and not isinstance(subject, str):
                    raise EvaluationError(f"{where}: 'subject' must be a string or null")
                subjects[obj["doc"]] = tuple(n.strip() for n in (subject or "").split("|") if n.strip())
            if obj.get("label") is None:
                continue  # a document declaration
            mention = _gold_mention(obj, where)
            key = (mention.doc, mention.start, mention.end, mention.label)
            if key in seen:
                duplicates += 1
                continue
            seen.add(key)
            mentions.append(mention)
    return Gold(mentions=mentions, docs=frozenset(docs), n_duplicates=duplicates, subjects=subjects)


def _gold_mention(obj: Mapping[str, Any], where: str) -> GoldMention:
    start, end, label = obj.get("start"), obj.get("end"), obj.get("label")
    if not isinstance(label, str) or not label:
        raise EvaluationError(f"{where}: 'label' must be a non-empty string")
    if type(start) is not int or type(end) is not int or not 0 <= start < end:
        raise EvaluationError(f"{where}: 'start'/'end' must be integers with 0 <= start < end")
    negated = obj.get("negated")
    if negated is not None and not isinstance(negated, bool):
        raise EvaluationError(f"{where}: 'negated' must be true or false")
    dose = obj.get("dose")
    if dose is not None and not isinstance(dose, dict):
        raise EvaluationError(f"{where}: 'dose' must be an object")
    return GoldMention(
        doc=obj["doc"],
        start=start,
        end=end,
        label=label,
        text=obj.get("text"),
        concept=obj.get("concept"),
        negated=negated,
        role=obj.get("role"),
        dose=dose,
        substance=obj.get("substance"),
    )


def _read_table(path: Path, columns: Iterable[str], table: str) -> pa.Table:
    try:
        names = pq.read_schema(path).names
    except Exception as exc:  # pyarrow raises several types for unreadable files
        raise EvaluationError(f"cannot read {table} table {path}: {exc}") from exc
    missing = [c for c in columns if c not in names]
    if missing:
        raise EvaluationError(f"{path}: {table} table lacks column(s) {', '.join(missing)}")
    return pq.read_table(path, columns=list(columns))


def load_predictions(out_dir: Path, docs: Iterable[str] | None = None) -> list[Prediction]:
    """Predicted mentions (with their dose rows) from ``out_dir``, only in ``docs`` if given.

    Raises FileNotFoundError naming every missing table.
    """
    out_dir = Path(out_dir)
    m_path, d_path = out_dir / "mentions.parquet", out_dir / "doses.parquet"
    missing = [p.name for p in (m_path, d_path) if not p.is_file()]
    if missing:
        raise FileNotFoundError(
            f"prediction table(s) {', '.join(missing)} not found in {out_dir}: "
            "run `pipeline run --out <dir>` first"
        )
    present = pq.read_schema(m_path).names if m_path.is_file() else []
    mentions = _read_table(m_path, (*_MENTION_COLUMNS, *(c for c in _SUBSTANCE_COLUMNS if c in present)), "mentions")
    doses = _read_table(d_path, _DOSE_COLUMNS, "doses")
    if docs is not None:
        doc_set = pa.array(sorted(docs), type=pa.string())
        mentions = mentions.filter(pc.is_in(mentions["doc_id"].cast(pa.string()), value_set=doc_set))
    dose_by_id: dict[str, dict[str, Any]] = {}
    if mentions.num_rows and doses.num_rows:
        wanted = pc.is_in(doses["mention_id"].cast(pa.string()), value_set=mentions["mention_id"].cast(pa.string()))
        for row in doses.filter(wanted).to_pylist():
            dose_by_id[row["mention_id"]] = {k: row[k] for k in (*DOSE_FIELDS, *EXTRA_DOSE_FIELDS)}
    return [
        Prediction(
            doc=r["doc_id"],
            start=int(r["start"]),
            end=int(r["end"]),
            label=r["label"],
            mention_id=r["mention_id"],
            concept_id=r["concept_id"],
            negated=r["negated"],
            role=r["role"],
            dose=dose_by_id.get(r["mention_id"]),
            substance_id=r.get("substance_id"),
            substance_name=r.get("substance_name"),
        )
        for r in mentions.to_pylist()
    ]


def load_subjects(out_dir: Path) -> dict[str, tuple[str | None, str | None]] | None:
    """doc_id -> (subject_id, subject_name) from ``documents.parquet`` (None: no such table or
    a version-1 table without subjects)."""
    path = Path(out_dir) / "documents.parquet"
    if not path.is_file():
        return None
    try:
        names = pq.read_schema(path).names
        if "subject_id" not in names:
            return None
        table = pq.read_table(path, columns=["doc_id", "subject_id", "subject_name"])
    except Exception:  # an unreadable documents table must not stop scoring
        return None
    return {
        doc: (sid, name)
        for doc, sid, name in zip(
            table["doc_id"].to_pylist(), table["subject_id"].to_pylist(), table["subject_name"].to_pylist()
        )
    }


def _name_key(name: str) -> str:
    from pipeline.vocab import normalize_key

    return normalize_key(name).replace(" ", "")


def same_substance(gold_names: tuple[str, ...], substance_id: str | None, substance_name: str | None) -> bool:
    """Whether a predicted substance is one of ``gold_names`` (empty: none is right)."""
    if not gold_names:
        return substance_id is None and substance_name is None
    if substance_id is None and substance_name is None:
        return False
    predicted = {_name_key(substance_name or "")}
    if substance_id and substance_id.startswith("LOCAL:"):
        predicted.add(_name_key(substance_id.removeprefix("LOCAL:")))
    if any(_name_key(name) in predicted for name in gold_names):
        return True
    return substance_id is not None and any(_resolve(name) == substance_id for name in gold_names)


def _resolve(name: str) -> str | None:
    """The concept id the substance lexicon gives a gold name (brands, synonyms)."""
    from pipeline.extract.substance_lexicon import load_lexicon

    found = load_lexicon().lookup(name)
    return found.concept_id if found else None


def _documents_check(out_dir: Path, docs: frozenset[str]) -> dict[str, Any] | None:
    """Annotated documents absent from ``documents.parquet``, failed or empty (None: no table).

    An annotated document the run never saw (a doc id spelled differently, a missing file) or
    could not read scores as all false negatives: the report says so instead of hiding it.
    """
    path = Path(out_dir) / "documents.parquet"
    if not path.is_file():
        return None
    try:
        table = pq.read_table(path, columns=["doc_id", "status"])
    except Exception:  # an unreadable documents table must not stop scoring
        return None
    status = dict(zip(table["doc_id"].to_pylist(), table["status"].to_pylist()))
    absent = sorted(d for d in docs if d not in status)
    failed = sorted(d for d in docs if status.get(d) == "error")
    return {
        "n_missing": len(absent),
        "missing_examples": absent[:10],
        "n_error": len(failed),
        "error_examples": failed[:10],
        "n_empty": sum(1 for d in docs if status.get(d) == "empty"),
    }


# --------------------------------------------------------------------------------------------
# matching


def _map_label(label: str, label_map: Mapping[str, str | None] | None) -> str | None:
    if label_map is None or label not in label_map:
        return label
    return label_map[label]


def _lenient_pairs(golds: list[GoldMention], preds: list[Prediction]) -> list[tuple[int, int]]:
    """One-to-one (gold index, pred index) pairs of overlapping spans, greedy and deterministic."""
    if not golds or not preds:
        return []
    order = sorted(range(len(preds)), key=lambda j: (preds[j].start, preds[j].end))
    candidates: list[tuple[int, int, int, int, int, int, int]] = []
    for i, g in enumerate(golds):
        for j in order:
            p = preds[j]
            if p.start >= g.end:
                break  # sorted by start: no later prediction overlaps
            overlap = min(g.end, p.end) - max(g.start, p.start)
            if overlap > 0:
                union = max(g.end, p.end) - min(g.start, p.start)
                candidates.append((-overlap, union, g.start, g.end, p.start, p.end, i * len(preds) + j))
    candidates.sort()
    used_g: set[int] = set()
    used_p: set[int] = set()
    pairs: list[tuple[int, int]] = []
    for *_, ij in candidates:
        i, j = divmod(ij, len(preds))
        if i in used_g or j in used_p:
            continue
        used_g.add(i)
        used_p.add(j)
        pairs.append((i, j))
    return pairs


@dataclass
class _Counts:
    tp: int = 0
    fp: int = 0
    fn: int = 0

    def as_dict(self) -> dict[str, Any]:
        precision = self.tp / (self.tp + self.fp) if self.tp + self.fp else 0.0
        recall = self.tp / (self.tp + self.fn) if self.tp + self.fn else 0.0
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        return {
            "tp": self.tp,
            "fp": self.fp,
            "fn": self.fn,
            "precision": precision,
            "recall": recall,
            "f1": f1,
        }


@dataclass
class _Tally:
    correct: int = 0
    n: int = 0

    def add(self, ok: bool) -> None:
        self.n += 1
        self.correct += int(ok)

    def as_dict(self) -> dict[str, Any]:
        return {"n": self.n, "correct": self.correct, "accuracy": self.correct / self.n if self.n else 0.0}


def _same_value(field_name: str, gold: Any, pred: Any) -> bool:
    if gold is None or pred is None:
        return gold is None and pred is None
    if field_name in _NUMERIC_FIELDS:
        try:
            return math.isclose(float(gold), float(pred), rel_tol=_REL_TOL, abs_tol=_ABS_TOL)
        except (TypeError, ValueError):
            return False
    return str(gold).strip() == str(pred).strip()


def _unique_spans(items: list) -> list:
    """Keep the first item per (start, end) of a list sorted by span."""
    out: list = []
    for item in items:
        if not out or (out[-1].start, out[-1].end) != (item.start, item.end):
            out.append(item)
    return out


def _label_order(labels: Iterable[str]) -> list[str]:
    known = [lab for lab in schema.LABELS if lab in labels]
    return known + sorted(set(labels) - set(known))


# --------------------------------------------------------------------------------------------
# evaluation


@dataclass
class _Scorer:
    """Accumulates every count while documents are matched one at a time."""

    strict: dict[str, _Counts] = field(default_factory=lambda: defaultdict(_Counts))
    lenient: dict[str, _Counts] = field(default_factory=lambda: defaultdict(_Counts))
    negation: _Tally = field(default_factory=_Tally)
    n_gold_negated: int = 0
    n_gold_negated_matched: int = 0
    n_gold_negated_predicted_negated: int = 0
    n_predicted_negated_gold_not: int = 0
    role: _Tally = field(default_factory=_Tally)
    label: _Tally = field(default_factory=_Tally)
    label_confusion: dict[str, Counter] = field(default_factory=lambda: defaultdict(Counter))
    span_strict: _Counts = field(default_factory=_Counts)
    span_lenient: _Counts = field(default_factory=_Counts)
    role_confusion: dict[str, Counter] = field(default_factory=lambda: defaultdict(Counter))
    dose_fields: dict[str, _Tally] = field(
        default_factory=lambda: {f: _Tally() for f in (*DOSE_FIELDS, *EXTRA_DOSE_FIELDS)}
    )
    dose_all: _Tally = field(default_factory=_Tally)
    n_dose_pairs_without_gold_fields: int = 0
    concept_preds: dict[tuple[str, str], list[str | None]] = field(default_factory=lambda: defaultdict(list))
    concept_gold: Counter = field(default_factory=Counter)
    coverage: _Tally = field(default_factory=_Tally)
    subjects: dict[str, tuple[str, ...]] = field(default_factory=dict)
    dose_substance: _Tally = field(default_factory=_Tally)
    substance: _Tally = field(default_factory=_Tally)
    substance_errors: list[dict[str, Any]] = field(default_factory=list)

    def score_group(self, label: str, golds: list[GoldMention], preds: list[Prediction]) -> None:
        """Match one document's gold and predictions of one (mapped) label."""
        gold_keys = {(g.start, g.end) for g in golds}
        pred_keys = {(p.start, p.end) for p in preds}
        tp = len(gold_keys & pred_keys)
        self.strict[label].tp += tp
        self.strict[label].fp += len(pred_keys) - tp
        self.strict[label].fn += len(gold_keys) - tp
        pairs = _lenient_pairs(golds, preds)
        self.lenient[label].tp += len(pairs)
        self.lenient[label].fp += len(preds) - len(pairs)
        self.lenient[label].fn += len(golds) - len(pairs)
        for g in golds:
            if g.label != DOSE and g.negated:
                self.n_gold_negated += 1
            if g.concept is not None:
                self.concept_gold[(label, g.concept)] += 1
        for i, j in pairs:
            self._attributes(label, golds[i], preds[j])

    def score_labels(self, golds: list[GoldMention], preds: list[Prediction]) -> None:
        """Match one document's CONDITION and ADVERSE_EFFECT rows label-blind: span scores and
        whether each matched pair has the gold label."""
        golds = _unique_spans(sorted(golds, key=lambda g: (g.start, g.end, g.label)))
        preds = _unique_spans(sorted(preds, key=lambda p: (p.start, p.end, p.label, p.mention_id)))
        tp = len({(g.start, g.end) for g in golds} & {(p.start, p.end) for p in preds})
        self.span_strict.tp += tp
        self.span_strict.fp += len(preds) - tp
        self.span_strict.fn += len(golds) - tp
        pairs = _lenient_pairs(golds, preds)
        self.span_lenient.tp += len(pairs)
        self.span_lenient.fp += len(preds) - len(pairs)
        self.span_lenient.fn += len(golds) - len(pairs)
        for i, j in pairs:
            self.label.add(preds[j].label == golds[i].label)
            self.label_confusion[golds[i].label][preds[j].label] += 1

    def _attributes(self, label: str, g: GoldMention, p: Prediction) -> None:
        if g.label != DOSE:
            if g.negated is not None:
                self.negation.add(bool(p.negated) == g.negated)
                if g.negated:
                    self.n_gold_negated_matched += 1
                    self.n_gold_negated_predicted_negated += int(bool(p.negated))
                elif p.negated:
                    self.n_predicted_negated_gold_not += 1
            self.coverage.add(p.concept_id is not None)
        if g.label == CONDITION and g.role is not None:
            self.role.add(p.role == g.role)
            self.role_confusion[g.role][p.role if p.role is not None else "null"] += 1
        if g.label == DOSE:
            if g.dose is None:
                self.n_dose_pairs_without_gold_fields += 1
            else:
                pd = p.dose or {}
                ok_all = True
                for name in (*DOSE_FIELDS, *EXTRA_DOSE_FIELDS):
                    ok = _same_value(name, g.dose.get(name), pd.get(name))
                    self.dose_fields[name].add(ok)
                    if name in DOSE_FIELDS:
                        ok_all = ok_all and ok
                self.dose_all.add(ok_all)
        if g.concept is not None:
            self.concept_preds[(label, g.concept)].append(p.concept_id)
        if g.doc in self.subjects and g.label != SUBSTANCE:
            wanted = (g.substance,) if g.substance else self.subjects[g.doc]
            ok = same_substance(wanted, p.substance_id, p.substance_name)
            self.substance.add(ok)
            if g.label == DOSE:
                self.dose_substance.add(ok)
                if not ok:
                    self.substance_errors.append(
                        {"doc": g.doc, "start": g.start, "end": g.end, "gold": "|".join(wanted) or None,
                         "predicted": p.substance_name}
                    )

    def concepts(self) -> dict[str, Any]:
        per_concept = []
        n_matched = n_consistent = 0
        for key in sorted(self.concept_gold):
            label, concept = key
            ids = self.concept_preds.get(key, [])
            counts = Counter(i for i in ids if i is not None)
            top, n_top = (None, 0)
            if counts:
                top, n_top = min(counts.items(), key=lambda kv: (-kv[1], kv[0]))
            n_matched += len(ids)
            n_consistent += n_top
            per_concept.append(
                {
                    "label": label,
                    "concept": concept,
                    "n_gold": self.concept_gold[key],
                    "n_matched": len(ids),
                    "top_concept_id": top,
                    "n_top": n_top,
                    "n_null": sum(1 for i in ids if i is None),
                    "n_distinct": len(counts),
                    "consistency": n_top / len(ids) if ids else 0.0,
                }
            )
        return {
            "consistency": n_consistent / n_matched if n_matched else 0.0,
            "n_matched": n_matched,
            "n_consistent": n_consistent,
            "n_gold_concepts": len(self.concept_gold),
            "n_matched_concepts": sum(1 for c in per_concept if c["n_matched"]),
            "coverage": self.coverage.as_dict()["accuracy"],
            "n_matched_mentions": self.coverage.n,
            "n_with_concept_id": self.coverage.correct,
            "per_concept": per_concept,
        }


def evaluate(
    gold_path: Path,
    out_dir: Path,
    label_map: Mapping[str, str | None] | None = None,
) -> dict:
    """Score ``out_dir``'s mentions and doses against ``gold_path``; a JSON-serialisable report.

    Keys: ``gold``, ``out_dir``, ``label_map``, ``labels``, ``n_docs``, ``n_docs_with_predictions``,
    ``n_gold``, ``n_pred`` (after mapping), ``n_gold_duplicates``, ``n_gold_merged_same_span``,
    ``n_pred_merged_same_span``, ``documents`` (annotated docs absent from or
    failed in ``documents.parquet``; None without that table), ``strict`` and ``lenient``
    (label -> tp, fp, fn, precision, recall, f1, with ``ALL`` micro), ``negation``, ``label``,
    ``role``, ``dose_fields``, ``concepts``, ``subject`` (per document), ``dose_substance`` and
    ``substance`` (over matched pairs; see the module docstring). Raises FileNotFoundError when
    the gold file or a table is
    missing, :class:`EvaluationError` when one is malformed.
    """
    gold = load_gold(Path(gold_path))
    preds = load_predictions(Path(out_dir), gold.docs)
    scoring_map = label_map
    if not any(g.label == SUBSTANCE for g in gold.mentions) and (label_map is None or SUBSTANCE not in label_map):
        # the gold file does not list SUBSTANCE mentions: they are not scored as spans
        scoring_map = {**(label_map or {}), SUBSTANCE: None}

    groups: dict[tuple[str, str], tuple[list[GoldMention], list[Prediction]]] = defaultdict(lambda: ([], []))
    labels: set[str] = set()
    for g in gold.mentions:
        label = _map_label(g.label, scoring_map)
        if label is not None:
            groups[(g.doc, label)][0].append(g)
            labels.add(label)
    for p in preds:
        label = _map_label(p.label, scoring_map)
        if label is not None:
            groups[(p.doc, label)][1].append(p)
            labels.add(label)

    scorer = _Scorer(subjects=gold.subjects)
    blind: dict[str, tuple[list[GoldMention], list[Prediction]]] = defaultdict(lambda: ([], []))
    for g in gold.mentions:
        if g.label in CONTEXT_LABELS:
            blind[g.doc][0].append(g)
    for p in preds:
        if p.label in CONTEXT_LABELS:
            blind[p.doc][1].append(p)
    for _doc, (golds, group_preds) in sorted(blind.items()):
        scorer.score_labels(golds, group_preds)
    n_gold = n_pred = merged_gold = merged_pred = 0
    for (_doc, label), (golds, group_preds) in sorted(groups.items()):
        # Two labels mapped to one can put two rows on one span: keep one (first label, id).
        golds = _unique_spans(sorted(golds, key=lambda g: (g.start, g.end, g.label)))
        group_preds = _unique_spans(sorted(group_preds, key=lambda p: (p.start, p.end, p.label, p.mention_id)))
        merged_gold += len(groups[(_doc, label)][0]) - len(golds)
        merged_pred += len(groups[(_doc, label)][1]) - len(group_preds)
        n_gold += len(golds)
        n_pred += len(group_preds)
        scorer.score_group(label, golds, group_preds)

    ordered = _label_order(labels)
    strict, lenient = {}, {}
    for name, per_label, out in (("strict", scorer.strict, strict), ("lenient", scorer.lenient, lenient)):
        total = _Counts()
        for label in ordered:
            c = per_label[label]
            out[label] = c.as_dict()
            total.tp, total.fp, total.fn = total.tp + c.tp, total.fp + c.fp, total.fn + c.fn
        out[ALL] = total.as_dict()

    return {
        "gold": str(gold_path),
        "out_dir": str(out_dir),
        "label_map": dict(label_map) if label_map is not None else None,
        "labels": ordered,
        "n_docs": len(gold.docs),
        "n_docs_with_predictions": len({p.doc for p in preds}),
        "n_gold": n_gold,
        "n_pred": n_pred,
        "n_gold_duplicates": gold.n_duplicates,
        "n_gold_merged_same_span": merged_gold,
        "n_pred_merged_same_span": merged_pred,
        "documents": _documents_check(Path(out_dir), gold.docs),
        "strict": strict,
        "lenient": lenient,
        "negation": {
            **scorer.negation.as_dict(),
            "n_gold_negated": scorer.n_gold_negated,
            "n_gold_negated_matched": scorer.n_gold_negated_matched,
            "n_gold_negated_predicted_negated": scorer.n_gold_negated_predicted_negated,
            "n_predicted_negated_gold_not": scorer.n_predicted_negated_gold_not,
        },
        "label": {
            **scorer.label.as_dict(),
            "confusion": {g: dict(sorted(c.items())) for g, c in sorted(scorer.label_confusion.items())},
            "span": {"strict": scorer.span_strict.as_dict(), "lenient": scorer.span_lenient.as_dict()},
        },
        "role": {
            **scorer.role.as_dict(),
            "confusion": {g: dict(sorted(c.items())) for g, c in sorted(scorer.role_confusion.items())},
        },
        "dose_fields": {
            "n_pairs": scorer.dose_all.n,
            "n_pairs_without_gold_fields": scorer.n_dose_pairs_without_gold_fields,
            "fields": {name: t.as_dict() for name, t in scorer.dose_fields.items()},
            "all_five": scorer.dose_all.as_dict(),
        },
        "concepts": scorer.concepts(),
        "subject": _subject_accuracy(gold, Path(out_dir)),
        "dose_substance": scorer.dose_substance.as_dict() | {"errors": scorer.substance_errors[:20]},
        "substance": scorer.substance.as_dict(),
    }


def _subject_accuracy(gold: Gold, out_dir: Path) -> dict[str, Any]:
    """Per-document subject accuracy over the documents with a gold subject line."""
    predicted = load_subjects(out_dir) or {}
    tally = _Tally()
    errors = []
    for doc in sorted(gold.subjects):
        subject_id, name = predicted.get(doc, (None, None))
        ok = same_substance(gold.subjects[doc], subject_id, name)
        tally.add(ok)
        if not ok:
            errors.append({"doc": doc, "gold": "|".join(gold.subjects[doc]) or None, "predicted": name})
    return tally.as_dict() | {"errors": errors[:20]}


# --------------------------------------------------------------------------------------------
# formatting


def _pct(x: float) -> str:
    return f"{100 * x:5.1f}"


def format_report(report: dict) -> str:
    """Plain-text tables of a report from :func:`evaluate` (fixed width, no colour codes)."""
    lines: list[str] = []
    lines.append(
        f"gold {report['gold']}  predictions {report['out_dir']}"
        + (f"  label map {json.dumps(report['label_map'])}" if report.get("label_map") else "")
    )
    lines.append(
        f"{report['n_docs']} annotated docs ({report['n_docs_with_predictions']} with predictions), "
        f"{report['n_gold']} gold mentions, {report['n_pred']} predicted"
        + (f", {report['n_gold_duplicates']} duplicate gold rows ignored" if report.get("n_gold_duplicates") else "")
    )
    docs = report.get("documents")
    if docs and docs["n_missing"]:
        lines.append(
            f"WARNING: {docs['n_missing']} annotated docs are not in documents.parquet "
            f"(e.g. {', '.join(docs['missing_examples'][:3])})"
        )
    if docs and docs["n_error"]:
        lines.append(
            f"WARNING: {docs['n_error']} annotated docs failed (status error, "
            f"e.g. {', '.join(docs['error_examples'][:3])})"
        )
    lines.append("")
    width = max([len(ALL), 5, *(len(lab) for lab in report["labels"])])
    head = f"{'label':<{width}}  {'gold':>6}  {'pred':>6}  | strict {'tp':>6} {'P':>5} {'R':>5} {'F1':>5}  | lenient {'tp':>6} {'P':>5} {'R':>5} {'F1':>5}"
    lines.append(head)
    lines.append("-" * len(head))
    for label in [*report["labels"], ALL]:
        s, le = report["strict"][label], report["lenient"][label]
        lines.append(
            f"{label:<{width}}  {s['tp'] + s['fn']:>6}  {s['tp'] + s['fp']:>6}  |        {s['tp']:>6} "
            f"{_pct(s['precision'])} {_pct(s['recall'])} {_pct(s['f1'])}  |         {le['tp']:>6} "
            f"{_pct(le['precision'])} {_pct(le['recall'])} {_pct(le['f1'])}"
        )
    lines.append("")
    neg = report["negation"]
    lines.append(
        f"negation accuracy {_pct(neg['accuracy'])}% over {neg['n']} matched pairs; "
        f"gold negated {neg['n_gold_negated']} (matched {neg['n_gold_negated_matched']}, "
        f"predicted negated {neg['n_gold_negated_predicted_negated']}); "
        f"predicted negated but not in gold {neg['n_predicted_negated_gold_not']}"
    )
    label = report["label"]
    if label["n"]:
        span = label["span"]
        lines.append(
            f"label accuracy    {_pct(label['accuracy'])}% over {label['n']} CONDITION/ADVERSE_EFFECT pairs "
            f"matched label-blind (span F1 strict {_pct(span['strict']['f1'])}, lenient "
            f"{_pct(span['lenient']['f1'])})"
        )
        for g, c in label["confusion"].items():
            lines.append(f"  gold {g:<16} -> " + ", ".join(f"{k} {v}" for k, v in c.items()))
    role = report["role"]
    lines.append(f"role accuracy     {_pct(role['accuracy'])}% over {role['n']} matched CONDITION pairs")
    for g, c in role["confusion"].items():
        lines.append(f"  gold {g:<16} -> " + ", ".join(f"{k} {v}" for k, v in c.items()))
    dose = report["dose_fields"]
    fields = dose["fields"]
    lines.append(
        f"dose fields over {dose['n_pairs']} matched DOSE pairs: "
        + "  ".join(f"{k} {_pct(fields[k]['accuracy'])}%" for k in DOSE_FIELDS)
        + f"  | all five {_pct(dose['all_five']['accuracy'])}%"
    )
    lines.append(
        "  (not in all five) "
        + "  ".join(f"{k} {_pct(fields[k]['accuracy'])}%" for k in EXTRA_DOSE_FIELDS)
    )
    dose_substance = report.get("dose_substance")
    if dose_substance is not None:
        lines.append(
            f"dose substance accuracy {_pct(dose_substance['accuracy'])}% over {dose_substance['n']} matched "
            f"DOSE pairs; substance accuracy {_pct(report['substance']['accuracy'])}% over "
            f"{report['substance']['n']} matched pairs"
        )
    subject = report.get("subject")
    if subject is not None and subject["n"]:
        lines.append(f"subject accuracy  {_pct(subject['accuracy'])}% over {subject['n']} documents")
        for error in subject["errors"][:5]:
            lines.append(f"  {error['doc']}: gold {error['gold']!r}, predicted {error['predicted']!r}")
    con = report["concepts"]
    lines.append(
        f"concept consistency {_pct(con['consistency'])}% ({con['n_consistent']}/{con['n_matched']} "
        f"matched mentions of {con['n_matched_concepts']}/{con['n_gold_concepts']} gold concepts); "
        f"coverage {_pct(con['coverage'])}% ({con['n_with_concept_id']}/{con['n_matched_mentions']} "
        f"with a concept_id)"
    )
    worst = sorted(
        (c for c in con["per_concept"] if c["n_matched"] >= 2 and c["consistency"] < 1.0),
        key=lambda c: (c["consistency"], -c["n_matched"], c["concept"]),
    )[:5]
    for c in worst:
        lines.append(
            f"  {c['label']} {c['concept']!r}: {_pct(c['consistency'])}% of {c['n_matched']} "
            f"(top {c['top_concept_id']}, {c['n_distinct']} ids, {c['n_null']} null)"
        )
    return "\n".join(lines) + "\n"
