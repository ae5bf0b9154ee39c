"""Build the indication table (``pipeline/models/indications``) reproducibly, with one command::

    python -m pipeline.train_indications \\
        --labels ../shared/benchmarks/us_drug_labels_spl/xml \\
        --reviews ../shared/benchmarks/psytar \\
        --out pipeline/models/indications

Two kinds of source, both allowed for training (see ``../shared/benchmarks/README.md``):

* **Drug labels** (DailyMed SPL, US public record): every CONDITION that the pipeline finds as a
  use (role ``studied``) under a heading naming the indications ("1 INDICATIONS AND USAGE") is an
  indication of the label's subject. The section heading is the (weak) label.
* **Annotated patient reviews** (PsyTAR: Zolnoori M, Fung KW, Patrick TB, et al. "A systematic
  approach for developing a corpus of patient reported adverse drug events: a case study for SSRI
  and SNRI medications." J Biomed Inform 2019;90:103091; CC BY 4.0): a folder with ``corpus/`` and
  ``gold.jsonl`` in the format of ANNOTATION.md. The pipeline's mentions are matched to the gold
  ones (overlap); a concept is an indication of the review's subject when it is marked as the
  CONDITION in at least ``--min-share`` of its matched mentions, in at least ``--min-documents``
  reviews.

``--fold K/N`` leaves out the reviews of fold K of N (:func:`fold_of`, from a digest of the
review's name): the table is then trained on the other folds, and the left-out reviews can be
scored with it (``benchmarks/accuracy.py`` does this for PsyTAR). CADEC and ADE-Corpus-V2 are never used.

The pipeline runs without ``indication_prior`` (the table must not feed itself). The output is
deterministic: rows sorted, no timestamps; ``TRAINING.json`` records the command, settings,
sources (with digests) and counts.
"""

from __future__ import annotations

import argparse
import bisect
import hashlib
import json
import re
import sys
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path

from pipeline.extract.indications import CONDITION, Indication, IndicationTable, merge_rows

#: a heading that names a label's indications ("1 INDICATIONS AND USAGE", "Indications & Usage";
#: not "CONTRAINDICATIONS")
INDICATIONS_HEADING = re.compile(r"(?i)\bindications?\b")
TABLE = "indications.tsv"
RECORD = "TRAINING.json"
PSYTAR_CITATION = (
    "Zolnoori M, Fung KW, Patrick TB, et al. A systematic approach for developing a corpus of patient "
    "reported adverse drug events: a case study for SSRI and SNRI medications. J Biomed Inform. "
    "2019;90:103091. CC BY 4.0."
)


@dataclass(frozen=True)
class Settings:
    min_documents: int = 3
    #: a use when annotated as the condition at least twice as often as an effect
    min_share: float = 0.667
    fold: int | None = None
    folds: int | None = None


@dataclass(frozen=True)
class _Read:
    name: str
    subject_id: str | None
    subject_name: str | None
    doc: object


def fold_of(name: str, folds: int) -> int:
    """The fold (0 .. folds-1) of the document named ``name`` (its file name without the
    extension): a digest of the name, so a document stays in its fold whatever else the folder
    holds."""
    return int.from_bytes(hashlib.sha256(name.encode("utf-8")).digest()[:8], "big") % folds


def _documents(nlp, folder: Path, keep: Callable[[str], bool] = lambda name: True) -> Iterator[_Read]:
    """Every readable source under ``folder`` whose name ``keep`` accepts, through the
    pipeline, in name order."""
    from pipeline.ingest import load
    from pipeline.nlp import make_doc
    from pipeline.walk import find_sources

    for source in sorted(find_sources(folder), key=lambda s: s.relative):
        if not keep(Path(source.relative).stem):
            continue
        document = load(source)
        if document.status != "ok":
            continue
        doc = nlp(make_doc(nlp, document.text, document.title, document.source))
        subject = doc._.subject
        yield _Read(Path(source.relative).stem, subject.concept_id if subject else None, subject.name if subject else None, doc)


def label_indications(
    nlp, folder: Path, keep: Callable[[str], bool] = lambda name: True
) -> tuple[list[Indication], dict]:
    """Indications read off the indications sections of the labels under ``folder`` (those
    whose name ``keep`` accepts)."""
    found: dict[tuple[str, str], Indication] = {}
    docs: dict[tuple[str, str], set[str]] = defaultdict(set)
    labels = 0
    for read in _documents(nlp, folder, keep):
        labels += 1
        if not read.subject_id:
            continue
        segments = read.doc._.segments
        starts = [s.start for s in segments]
        for mention in read.doc._.mentions:
            if mention.label != CONDITION or mention.role != "studied" or not mention.concept_id:
                continue
            segment = segments[max(bisect.bisect_right(starts, mention.start) - 1, 0)]
            if not INDICATIONS_HEADING.search(segment.section or ""):
                continue
            key = (read.subject_id, mention.concept_id)
            docs[key].add(read.name)
            found[key] = Indication(read.subject_id, read.subject_name or "", mention.concept_id, mention.concept_name or "", "spl", 0, 1.0)
    rows = [
        Indication(row.substance_id, row.substance_name, row.concept_id, row.concept_name, row.sources, len(docs[key]), 1.0)
        for key, row in sorted(found.items())
    ]
    return rows, {"labels": labels, "indications": len(rows)}


def _gold(path: Path) -> dict[str, list[dict]]:
    by_doc: dict[str, list[dict]] = defaultdict(list)
    with path.open(encoding="utf-8") as handle:
        for line in handle:
            row = json.loads(line)
            if row.get("label") in ("CONDITION", "ADVERSE_EFFECT"):
                by_doc[row["doc"]].append(row)
    return by_doc


def _in_training_part(name: str, settings: Settings) -> bool:
    return settings.folds is None or fold_of(name, settings.folds) != settings.fold


def review_indications(nlp, folder: Path, settings: Settings) -> tuple[list[Indication], dict]:
    """Indications learnt from annotated reviews (``folder/corpus``, ``folder/gold.jsonl``)."""
    gold = _gold(folder / "gold.jsonl")
    labels: dict[tuple[str, str], Counter] = defaultdict(Counter)
    docs: dict[tuple[str, str], set[str]] = defaultdict(set)
    names: dict[tuple[str, str], tuple[str, str]] = {}
    used = 0
    for read in _documents(nlp, folder / "corpus", lambda name: _in_training_part(name, settings)):
        if not read.subject_id:
            continue
        used += 1
        predicted = [m for m in read.doc._.mentions if m.label in ("CONDITION", "ADVERSE_EFFECT") and m.concept_id]
        for annotation in gold.get(read.name, []):
            match = next((m for m in predicted if m.start < annotation["end"] and annotation["start"] < m.end), None)
            if match is None:
                continue
            key = (read.subject_id, match.concept_id)
            labels[key][annotation["label"]] += 1
            docs[key].add(read.name)
            names[key] = (read.subject_name or "", match.concept_name or "")
    rows = []
    for key in sorted(labels):
        share = labels[key][CONDITION] / sum(labels[key].values())
        if len(docs[key]) >= settings.min_documents and share >= settings.min_share:
            rows.append(Indication(key[0], names[key][0], key[1], names[key][1], "psytar", len(docs[key]), round(share, 3)))
    return rows, {"reviews_used": used, "pairs_seen": len(labels), "indications": len(rows)}


def folder_digest(folder: Path) -> str:
    """SHA-256 over the names and bytes of every file under ``folder``, in name order."""
    digest = hashlib.sha256()
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        digest.update(path.relative_to(folder).as_posix().encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()


def build(labels: Path | None, reviews: Path | None, out: Path, settings: Settings, command: str) -> IndicationTable:
    """Build the table from the given sources and write it with its training record to ``out``."""
    from pipeline.nlp import build_nlp

    nlp = build_nlp(without=("indication_prior",))
    groups: dict[tuple[str, str], list[Indication]] = defaultdict(list)
    record: dict = {"model": "indications", "command": command, "settings": settings.__dict__, "sources": {}}
    if labels is not None:
        rows, counts = label_indications(nlp, labels)
        record["sources"]["spl"] = {"path": str(labels), "sha256": folder_digest(labels), **counts, "licence": "US public record"}
        for row in rows:
            groups[(row.substance_id, row.concept_id)].append(row)
    if reviews is not None:
        rows, counts = review_indications(nlp, reviews, settings)
        record["sources"]["psytar"] = {
            "path": str(reviews), "sha256": folder_digest(reviews), **counts, "citation": PSYTAR_CITATION,
        }
        for row in rows:
            groups[(row.substance_id, row.concept_id)].append(row)
    table = IndicationTable(merge_rows(groups))
    record["rows"] = len(table)
    record["versions"] = {name: metadata.version(name) for name in ("spacy", "scispacy")}
    out.mkdir(parents=True, exist_ok=True)
    table.to_tsv(out / TABLE)
    (out / RECORD).write_text(json.dumps(record, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return table


def parse_fold(text: str) -> tuple[int, int]:
    fold, folds = (int(part) for part in text.split("/"))
    if not 0 <= fold < folds:
        raise argparse.ArgumentTypeError(f"--fold K/N needs 0 <= K < N, not {text}")
    return fold, folds


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--labels", type=Path, default=None, help="folder of drug labels (SPL XML)")
    parser.add_argument("--reviews", type=Path, default=None, help="folder with corpus/ and gold.jsonl")
    parser.add_argument("--out", type=Path, required=True, help="folder for indications.tsv and TRAINING.json")
    parser.add_argument("--min-documents", type=int, default=Settings.min_documents)
    parser.add_argument("--min-share", type=float, default=Settings.min_share)
    parser.add_argument("--fold", type=parse_fold, default=None, help="K/N: leave out the reviews of fold K of N")
    args = parser.parse_args(argv)
    if args.labels is None and args.reviews is None:
        parser.error("give --labels, --reviews or both")
    fold, folds = args.fold if args.fold else (None, None)
    settings = Settings(args.min_documents, args.min_share, fold, folds)
    command = "python -m pipeline.train_indications " + " ".join(sys.argv[1:] if argv is None else argv)
    table = build(args.labels, args.reviews, args.out, settings, command)
    print(f"{len(table)} indications -> {args.out / TABLE}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
