"""Why strict F1 is what it is: the strict errors of one converted benchmark corpus, by kind.

    python benchmarks/errors.py [--work benchmarks/work] [--corpus bc5cdr] [--top 15]

Reads ``<work>/<corpus>/gold.jsonl`` and the pipeline's ``<work>/<corpus>/outputs`` (both
written by ``benchmarks/accuracy.py``), takes condition and adverse-effect mentions against all
gold mentions (the "Disease merged" mapping), and sorts every strict error into:

- *severity prefix*: our span is the gold span plus leading severity or course words
  (``MODIFIERS``: "severe", "acute", "mild to moderate"), which ANNOTATION.md keeps in the span;
- *cause prefix*: our span is the gold span plus a causing agent ("heparin-induced");
- *other boundary*: any other overlap (wider, narrower or shifted);
- *outcome*: a predicted death, mortality or pregnancy mention with no gold overlap
  (ANNOTATION.md annotates them; BC5CDR and NCBI do not);
- *spurious*: any other prediction with no gold overlap; *missed*: gold with no overlap.

It then prints strict F1 as scored, and as it would be if the corpus's conventions on the
first two kinds and on outcomes were ours: how much of the gap is convention, not recall.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter, defaultdict
from collections.abc import Sequence
from pathlib import Path

import pandas as pd

from pipeline.extract.conditions import MODIFIERS
from pipeline.extract.normalize import pieces

OUTCOME_KEYS = frozenset({"death", "mortality", "fatality", "pregnancy", "pregnant"})
_LINKS = frozenset({"to", "or", "and"})


def error_kinds(gold: dict[str, list[tuple[int, int, str]]], predicted: pd.DataFrame) -> tuple[Counter, dict[str, Counter]]:
    """Counts per kind (plus ``exact``) and, per kind, the most frequent texts."""
    kinds: Counter = Counter()
    examples: dict[str, Counter] = defaultdict(Counter)
    spans_by_doc: dict[str, set[tuple[int, int]]] = defaultdict(set)
    for row in predicted.itertuples():
        doc = str(row.doc_id)
        spans_by_doc[doc].add((row.start, row.end))
        golds = gold.get(doc, [])
        if any((start, end) == (row.start, row.end) for start, end, _ in golds):
            kinds["exact"] += 1
            continue
        overlapping = [(start, end) for start, end, _ in golds if start < row.end and row.start < end]
        if not overlapping:
            keys = {p.key for p in pieces(row.text)}
            kind = "outcome" if keys & OUTCOME_KEYS and len(keys) <= 2 else "spurious"
        elif len(overlapping) == 1 and overlapping[0][1] == row.end and overlapping[0][0] > row.start:
            prefix = row.text[: overlapping[0][0] - row.start]
            keys = [p.key for p in pieces(prefix)]
            if keys and all(k in MODIFIERS or k in _LINKS for k in keys):
                kind = "severity prefix"
            elif "induced" in prefix.lower():
                kind = "cause prefix"
            else:
                kind = "other boundary"
        else:
            kind = "other boundary"
        kinds[kind] += 1
        examples[kind][row.text] += 1
    for doc, golds in gold.items():
        for start, end, text in golds:
            if not any(s < end and start < e for s, e in spans_by_doc.get(doc, ())):
                kinds["missed"] += 1
                examples["missed"][text] += 1
    return kinds, examples


def f1(tp: int, predicted: int, gold: int) -> float:
    return 2 * tp / (predicted + gold) if predicted + gold else 0.0


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--work", type=Path, default=Path("benchmarks/work"))
    parser.add_argument("--corpus", default="bc5cdr")
    parser.add_argument("--top", type=int, default=15)
    args = parser.parse_args(argv)
    folder = args.work / args.corpus
    gold_file, mentions_file = folder / "gold.jsonl", folder / "outputs" / "mentions.parquet"
    missing = [str(p) for p in (gold_file, mentions_file) if not p.exists()]
    if missing:
        print(f"missing {', '.join(missing)}: run benchmarks/accuracy.py first", file=sys.stderr)
        return 2
    gold: dict[str, list[tuple[int, int, str]]] = defaultdict(list)
    with gold_file.open(encoding="utf-8") as handle:
        for line in handle:
            item = json.loads(line)
            if "start" in item and item.get("label") != "DOSE":
                gold[item["doc"]].append((item["start"], item["end"], item["text"]))
    predicted = pd.read_parquet(mentions_file, columns=["doc_id", "start", "end", "text", "label"])
    predicted = predicted[predicted["label"].isin(["CONDITION", "ADVERSE_EFFECT"])]
    kinds, examples = error_kinds(gold, predicted)
    n_gold, n_pred, tp = sum(len(v) for v in gold.values()), len(predicted), kinds["exact"]
    print(f"{args.corpus}: {n_gold} gold, {n_pred} predicted, {tp} exact")
    for kind in ("severity prefix", "cause prefix", "other boundary", "outcome", "spurious", "missed"):
        common = ", ".join(f"{text!r} {n}" for text, n in examples[kind].most_common(args.top))
        print(f"  {kind:16s} {kinds[kind]:5d}  {common}")
    severity, cause, outcome = kinds["severity prefix"], kinds["cause prefix"], kinds["outcome"]
    print(f"strict F1 as scored:                                 {f1(tp, n_pred, n_gold):.3f}")
    print(f"  with the corpus's convention on severity prefixes: {f1(tp + severity, n_pred, n_gold):.3f}")
    print(f"  + on cause prefixes:                               {f1(tp + severity + cause, n_pred, n_gold):.3f}")
    print(f"  + outcomes not annotated:                          {f1(tp + severity + cause, n_pred - outcome, n_gold):.3f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
