"""What a substance is known to be used for, and the prior it gives a mention the text leaves open.

A review that says "I had depression and anxiety" on an antidepressant's page, or "my back pain is
worse" in a post about a painkiller, names the illness the substance was taken for as often as an
effect of it: nothing in the sentence tells them apart (:mod:`pipeline.extract.context` decides such
mentions by a weak default). What does tell them apart is knowledge of the substance's indications,
which readers bring and the text leaves out. This module keeps that knowledge as a table of
(substance, condition concept) pairs, and turns a weakly decided ADVERSE_EFFECT mention of a known
indication of its substance into a CONDITION the substance is used for (role ``studied``, evidence
``indication``). Strong cues ("gave me", "side effects: ...", "for my depression") are never
overridden, and a condition is never made an effect.

The table is built from sources we may learn from (:mod:`pipeline.train_indications`): drug labels,
whose "Indications and Usage" section names the uses (weak labels from section headings, as in
distant supervision: Mintz et al. 2009), and annotated patient reviews (PsyTAR, Zolnoori et al.
2019), where a concept counts when the annotators marked it as the condition in most of the reviews
of that substance that name it. The shipped table and how it was built are in
``pipeline/models/indications``.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

from pipeline.extract.mention import Mention
from pipeline.vocab.drugs import ingredients

ADVERSE_EFFECT = "ADVERSE_EFFECT"
CONDITION = "CONDITION"
STUDIED = "studied"
EVIDENCE = "indication"
#: appended to the ``method`` of a relabelled mention, so the tables say where its label came from
METHOD_SUFFIX = "+indication"

#: a list is relabelled when at least this share of its items (numerator, denominator) are known uses
LIST_MAJORITY = (1, 2)

#: the columns of an indication table, in order
COLUMNS = ("substance_id", "substance_name", "concept_id", "concept_name", "sources", "documents", "condition_share")


@dataclass(frozen=True, slots=True)
class Indication:
    """One row: ``concept_id`` is a use of ``substance_id``, seen in ``documents`` sources
    (``sources``: where from, e.g. ``spl``, ``psytar``), marked as the condition in
    ``condition_share`` of the annotated mentions (1.0 for a label's indications section)."""

    substance_id: str
    substance_name: str
    concept_id: str
    concept_name: str
    sources: str
    documents: int
    condition_share: float


class IndicationTable:
    """Substance id -> the concept ids of its indications."""

    def __init__(self, rows: Iterable[Indication] = ()) -> None:
        self.rows = sorted(rows, key=lambda row: (row.substance_id, row.concept_id))
        grouped: dict[str, set[str]] = {}
        for row in self.rows:
            grouped.setdefault(row.substance_id, set()).add(row.concept_id)
        self._uses: dict[str, frozenset[str]] = {substance: frozenset(concepts) for substance, concepts in grouped.items()}

    def __len__(self) -> int:
        return len(self.rows)

    def is_use(self, substance_id: str | None, concept_id: str | None) -> bool:
        """Whether ``concept_id`` is a use of the substance, or of an ingredient of a
        combination (:func:`pipeline.vocab.drugs.ingredients`: Arthrotec is used for what
        diclofenac is)."""
        if not (substance_id and concept_id):
            return False
        return any(concept_id in self._uses.get(part, ()) for part in (substance_id, *ingredients(substance_id)))

    @classmethod
    def from_tsv(cls, path: Path) -> IndicationTable:
        with Path(path).open(encoding="utf-8", newline="") as handle:
            reader = csv.DictReader(handle, delimiter="\t", quoting=csv.QUOTE_NONE)
            missing = [c for c in COLUMNS if c not in (reader.fieldnames or ())]
            if missing:
                raise ValueError(f"{path}: an indication table needs the column(s) {', '.join(missing)}")
            return cls(
                Indication(
                    row["substance_id"],
                    row["substance_name"],
                    row["concept_id"],
                    row["concept_name"],
                    row["sources"],
                    int(row["documents"]),
                    float(row["condition_share"]),
                )
                for row in reader
            )

    def to_tsv(self, path: Path) -> None:
        lines = ["\t".join(COLUMNS)]
        for row in self.rows:
            cells = (*(getattr(row, c) for c in COLUMNS[:-1]), f"{row.condition_share:.3f}")
            lines.append("\t".join(str(cell).replace("\t", " ") for cell in cells))
        Path(path).write_text("\n".join(lines) + "\n", encoding="utf-8")


def apply_indications(
    mentions: Iterable[Mention],
    subject_id: str | None,
    table: IndicationTable,
    weak_evidence: Iterable[str],
) -> int:
    """Relabel, in place, every ADVERSE_EFFECT decided by weak evidence whose concept is a known
    use of its substance (the mention's ``substance_id``, else the document's subject) as a
    CONDITION the substance is used for, its method marked ``+indication``; the items of a list
    (``Mention.list_start``) together, when at least half of them are known uses. Returns how many
    were relabelled."""
    weak = frozenset(weak_evidence)
    mentions = list(mentions)
    candidates = [m for m in mentions if m.label == ADVERSE_EFFECT and m.evidence in weak]
    uses = {id(m) for m in candidates if table.is_use(m.substance_id or subject_id, m.concept_id)}
    # the items of one list share a label: a list whose items are mostly known uses is the
    # illness, all of it ("my anxiety, depression and panic attacks are gone"); one use among
    # effects is listed as an effect ("insomnia, dizziness, anxiety, swoon")
    lists: dict[int, list[Mention]] = {}
    for mention in mentions:
        if mention.list_start is not None:  # set by mention_context on condition mentions only
            lists.setdefault(mention.list_start, []).append(mention)
    changed = 0
    for mention in candidates:
        items = lists.get(mention.list_start, ()) if mention.list_start is not None else (mention,)
        if sum(id(item) in uses for item in items) * LIST_MAJORITY[1] < len(items) * LIST_MAJORITY[0]:
            continue
        mention.label, mention.role, mention.evidence = CONDITION, STUDIED, EVIDENCE
        mention.method += METHOD_SUFFIX
        changed += 1
    return changed


def merge_rows(groups: Mapping[tuple[str, str], list[Indication]]) -> list[Indication]:
    """One row per (substance, concept) from the rows several sources gave it: the sources
    joined, the documents added, the lowest condition share kept."""
    merged = []
    for (_substance, _concept), rows in sorted(groups.items()):
        first = rows[0]
        merged.append(
            Indication(
                first.substance_id,
                first.substance_name,
                first.concept_id,
                first.concept_name,
                "+".join(sorted({row.sources for row in rows})),
                sum(row.documents for row in rows),
                min(row.condition_share for row in rows),
            )
        )
    return merged
