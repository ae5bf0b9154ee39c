"""Hand-curated additions and exclusions, kept as reviewed data files next to this module.

``data/curated_terms.tsv`` (columns ``term``, ``concept_id``, ``reason``) adds lay wording that the
open vocabularies lack or file under a non-equivalent synonym scope ("high blood pressure" is only
a RELATED synonym of HPO *Hypertension*). A row points at an existing HPO / ICD-10-CM / drug
concept, or introduces a new ``CURATED:<slug>`` concept named by its first row. Curated rows win
every surface-form conflict, since they are deliberate decisions.

``data/excluded_terms.tsv`` (columns ``term``, ``reason``) removes vocabulary entries that are
ordinary English words or common abbreviations with another meaning ("Falls", "Plethora",
"Mole", "GIST"), which would make a phrase matcher report conditions in ordinary sentences.

Both files must stay general (valid for any drug article) and every row needs a reason.
Lines starting with ``#`` and blank lines are ignored.
"""

from __future__ import annotations

import csv
import hashlib
from dataclasses import dataclass
from pathlib import Path

DATA_DIR = Path(__file__).resolve().parent / "data"
CURATED_TERMS = DATA_DIR / "curated_terms.tsv"
EXCLUDED_TERMS = DATA_DIR / "excluded_terms.tsv"
CURATED_PREFIX = "CURATED:"
SOURCE = "curated"


@dataclass(frozen=True)
class CuratedTerm:
    term: str
    concept_id: str
    reason: str


@dataclass(frozen=True)
class ExcludedTerm:
    term: str
    reason: str


def _read_rows(path: Path, columns: tuple[str, ...]) -> list[dict[str, str]]:
    with open(path, encoding="utf-8", newline="") as handle:
        lines = [line for line in handle if line.strip() and not line.lstrip().startswith("#")]
    reader = csv.DictReader(lines, delimiter="\t", quoting=csv.QUOTE_NONE)
    if tuple(reader.fieldnames or ()) != columns:
        raise ValueError(f"{path.name}: expected columns {columns}, got {reader.fieldnames}")
    rows = []
    for number, row in enumerate(reader, start=2):
        values = {key: " ".join((row.get(key) or "").split()) for key in columns}
        if None in row or any(not value for value in values.values()):
            raise ValueError(f"{path.name}: row {number} needs non-empty {', '.join(columns)}: {row}")
        rows.append(values)
    return rows


def load_curated_terms(path: Path = CURATED_TERMS) -> list[CuratedTerm]:
    """Rows of curated_terms.tsv, in file order."""
    return [CuratedTerm(**row) for row in _read_rows(path, ("term", "concept_id", "reason"))]


def load_excluded_terms(path: Path = EXCLUDED_TERMS) -> list[ExcludedTerm]:
    """Rows of excluded_terms.tsv, in file order."""
    return [ExcludedTerm(**row) for row in _read_rows(path, ("term", "reason"))]


def data_fingerprint(paths: tuple[Path, ...] = (CURATED_TERMS, EXCLUDED_TERMS)) -> str:
    """First 8 hex digits of the SHA-256 over the files (by default both data files; part of the
    cache key)."""
    digest = hashlib.sha256()
    for path in paths:
        digest.update(path.name.encode())
        digest.update(b"\0")
        digest.update(path.read_bytes())
        digest.update(b"\0")
    return digest.hexdigest()[:8]
