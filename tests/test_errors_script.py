"""benchmarks/errors.py sorts strict errors by kind (synthetic gold and predictions, real rules)."""

from __future__ import annotations

import sys
from pathlib import Path

import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))
import errors  # noqa: E402

sys.path.pop(0)


def test_errors_are_sorted_by_kind() -> None:
    text = "Severe hypotension, heparin-induced thrombocytopenia, mortality, rash and gout."
    def at(phrase: str) -> tuple[int, int]:
        start = text.index(phrase)
        return start, start + len(phrase)

    gold = {"d": [(*at("hypotension"), "hypotension"), (*at("thrombocytopenia"), "thrombocytopenia"),
                  (*at("rash"), "rash"), (*at("gout"), "gout")]}
    predicted = pd.DataFrame(
        [("d", *at(p), p, "CONDITION") for p in ("Severe hypotension", "heparin-induced thrombocytopenia", "mortality", "rash")],
        columns=["doc_id", "start", "end", "text", "label"],
    )
    kinds, examples = errors.error_kinds(gold, predicted)
    assert kinds == {"exact": 1, "severity prefix": 1, "cause prefix": 1, "outcome": 1, "missed": 1}
    assert examples["missed"]["gout"] == 1
    assert errors.f1(2, 4, 4) == 0.5
