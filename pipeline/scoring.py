"""Span scores, shared by the evaluation of pipeline outputs (:mod:`pipeline.evaluate`) and the
training of the NER model (:mod:`pipeline.train`).

Strict: a prediction and a gold mention match when their character spans are equal. Lenient:
overlapping spans are paired one to one, greedily and deterministically (largest overlap
first, then the smallest union, then position), so that one long prediction over two gold
mentions counts once, as in the accuracy tables of BENCHMARKS.md.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

Span = tuple[int, int]


@dataclass
class SpanCounts:
    """True positives, false positives and false negatives, and the scores they make."""

    tp: int = 0
    fp: int = 0
    fn: int = 0

    def add(self, other: SpanCounts) -> None:
        self.tp, self.fp, self.fn = self.tp + other.tp, self.fp + other.fp, self.fn + other.fn

    def as_dict(self) -> dict[str, Any]:
        precision = self.tp / (self.tp + self.fp) if self.tp + self.fp else 0.0
        recall = self.tp / (self.tp + self.fn) if self.tp + self.fn else 0.0
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        return {"tp": self.tp, "fp": self.fp, "fn": self.fn, "precision": precision, "recall": recall, "f1": f1}


def strict_counts(gold: Iterable[Span], predicted: Iterable[Span]) -> SpanCounts:
    """Counts of one document's distinct spans matched exactly."""
    gold, predicted = set(gold), set(predicted)
    tp = len(gold & predicted)
    return SpanCounts(tp, len(predicted) - tp, len(gold) - tp)


def lenient_pairs(gold: Sequence[Span], predicted: Sequence[Span]) -> list[tuple[int, int]]:
    """One-to-one (gold index, predicted index) pairs of overlapping spans, greedy and
    deterministic."""
    if not gold or not predicted:
        return []
    order = sorted(range(len(predicted)), key=lambda j: predicted[j])
    candidates: list[tuple[int, int, int, int, int, int, int]] = []
    for i, (g_start, g_end) in enumerate(gold):
        for j in order:
            p_start, p_end = predicted[j]
            if p_start >= g_end:
                break  # sorted by start: no later prediction overlaps
            overlap = min(g_end, p_end) - max(g_start, p_start)
            if overlap > 0:
                union = max(g_end, p_end) - min(g_start, p_start)
                candidates.append((-overlap, union, g_start, g_end, p_start, p_end, i * len(predicted) + j))
    candidates.sort()
    used_gold: set[int] = set()
    used_predicted: set[int] = set()
    pairs: list[tuple[int, int]] = []
    for *_, ij in candidates:
        i, j = divmod(ij, len(predicted))
        if i in used_gold or j in used_predicted:
            continue
        used_gold.add(i)
        used_predicted.add(j)
        pairs.append((i, j))
    return pairs


def lenient_counts(gold: Sequence[Span], predicted: Sequence[Span]) -> SpanCounts:
    """Counts of one document's spans paired by :func:`lenient_pairs`."""
    n = len(lenient_pairs(gold, predicted))
    return SpanCounts(n, len(predicted) - n, len(gold) - n)
