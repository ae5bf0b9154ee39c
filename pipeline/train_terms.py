"""Learn the lay-term table (``pipeline/models/learned_terms``) from annotated patient reviews,
reproducibly, with one command::

    python -m pipeline.train_terms --reviews ../shared/benchmarks/psytar --out pipeline/models/learned_terms

The reviews are PsyTAR (Zolnoori M, Fung KW, Patrick TB, et al. J Biomed Inform 2019;90:103091;
CC BY 4.0, training allowed with attribution): a folder with ``corpus/`` and ``gold.jsonl`` in
the format of ANNOTATION.md. CADEC and ADE-Corpus-V2 are never used.

Supervised dictionary construction: every annotated CONDITION or ADVERSE_EFFECT span is a
candidate wording, keyed as the vocabulary is (:mod:`pipeline.extract.normalize`: case, spelling
and plural folded), without its leading grading words ("very vivid dreams" gives "vivid dreams",
the span convention of ANNOTATION.md, ``extract/data/effect_grading_words.tsv``), with at most
``--max-words`` words, at least one of them a content word (not in spaCy's English stop words).
A candidate annotated in at least ``--min-documents`` reviews (by default one: under
cross-validation on PsyTAR, wordings annotated once add 2.3 points of lenient effect F1 over a
minimum of two, and change nothing on web pages or CADEC; a wording of one word needs
``--min-documents-one-word``, two: "stimulating" or "sensitivity" once in a review are mostly
something else in a label) becomes a term when at least
``--min-precision`` of its occurrences in the training reviews (found as the component finds
them: the longest candidate at each position) are annotated as exactly it: "nervous" in
"nervous about starting it" counts against it.

``--fold K/N`` leaves out the reviews of fold K of N (:func:`pipeline.train_indications.fold_of`),
so that ``benchmarks/accuracy.py`` scores each fold with a table that never saw it. The output
is deterministic (rows sorted, no timestamps); ``TRAINING.json`` records the command, settings,
source digest, citation and counts.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path

from spacy.lang.en.stop_words import STOP_WORDS

from pipeline.evaluate import load_gold
from pipeline.extract.learned_terms import LearnedTerm, TermTable, longest_matches, term_key
from pipeline.extract.normalize import Piece, pieces, text_key
from pipeline.extract.span_conventions import load_grading_words
from pipeline.train_indications import PSYTAR_CITATION, fold_of, folder_digest, parse_fold

TABLE = "terms.tsv"
RECORD = "TRAINING.json"
LABELS = ("CONDITION", "ADVERSE_EFFECT")


@dataclass(frozen=True)
class Settings:
    min_documents: int = 1
    #: a wording of one word is more often something else ("stimulating", "sensitivity"): it
    #: needs this many reviews
    min_documents_one_word: int = 2
    #: annotated as exactly this wording in at least this share of its occurrences
    min_precision: float = 0.5
    max_words: int = 5
    fold: int | None = None
    folds: int | None = None


def wording(words: list[Piece], grading: frozenset[str]) -> list[Piece]:
    """The word pieces of an annotated span without punctuation at its ends and grading words
    at its start."""
    start, end = 0, len(words)
    while start < end and (not words[start].key.isalnum() or words[start].key in grading):
        start += 1
    while end > start and not words[end - 1].key[-1:].isalnum():
        end -= 1
    return words[start:end]


def is_candidate(words: list[Piece], settings: Settings) -> bool:
    """A wording of at most ``max_words`` words, none of them punctuation ("diarrhea (slowly
    settling down" is two), at least one a content word."""
    return (
        0 < len(words) <= settings.max_words
        and all(any(ch.isalnum() for ch in w.key) for w in words)
        and any(w.key.isalpha() and len(w.key) >= 3 and w.key not in STOP_WORDS for w in words)
    )


def learn(reviews: Path, settings: Settings) -> tuple[TermTable, dict]:
    """The terms learnt from the reviews of ``reviews`` outside the left-out fold."""
    grading = load_grading_words()
    gold = load_gold(reviews / "gold.jsonl")
    by_doc: dict[str, list] = defaultdict(list)
    for mention in gold.mentions:
        if mention.label in LABELS:
            by_doc[mention.doc].append(mention)
    texts: dict[str, str] = {}
    for path in sorted((reviews / "corpus").iterdir()):
        if path.is_file() and (settings.folds is None or fold_of(path.stem, settings.folds) != settings.fold):
            texts[path.stem] = path.read_text(encoding="utf-8")
    annotated_in: dict[tuple[str, ...], set[str]] = defaultdict(set)
    spellings: dict[tuple[str, ...], Counter] = defaultdict(Counter)
    labels: dict[tuple[str, ...], Counter] = defaultdict(Counter)
    exact: set[tuple[str, int, int]] = set()
    for name, text in texts.items():
        for mention in by_doc.get(name, []):
            words = wording(pieces(text[mention.start : mention.end], mention.start), grading)
            if "\n" in text[mention.start : mention.end] or not is_candidate(words, settings):
                continue
            key = term_key(words)
            annotated_in[key].add(name)
            spellings[key][text[words[0].start : words[-1].end].lower()] += 1
            labels[key][mention.label] += 1
            exact.add((name, words[0].start, words[-1].end))
    candidates = {
        key
        for key, names in annotated_in.items()
        if len(names) >= (settings.min_documents_one_word if len(key) == 1 else settings.min_documents)
    }
    longest = max((len(key) for key in candidates), default=0)
    occurrences: Counter = Counter()
    annotated: Counter = Counter()
    for name, text in texts.items():
        for start, end in longest_matches(text, candidates, longest):
            key = text_key(text[start:end])
            occurrences[key] += 1
            annotated[key] += (name, start, end) in exact
    terms = []
    for key in sorted(candidates):
        precision = annotated[key] / occurrences[key] if occurrences[key] else 0.0
        if precision >= settings.min_precision:
            # the commonest spelling, the first in alphabetical order among equals
            spelling = min(spellings[key].items(), key=lambda item: (-item[1], item[0]))[0]
            effect_share = labels[key]["ADVERSE_EFFECT"] / sum(labels[key].values())
            terms.append(LearnedTerm(spelling, len(annotated_in[key]), occurrences[key], annotated[key], round(precision, 3), round(effect_share, 3)))
    counts = {"reviews_used": len(texts), "wordings": len(annotated_in), "candidates": len(candidates), "terms": len(terms)}
    return TermTable(terms), counts


def build(reviews: Path, out: Path, settings: Settings, command: str) -> TermTable:
    """Learn the table from ``reviews`` and write it with its training record to ``out``."""
    table, counts = learn(reviews, settings)
    record = {
        "model": "learned_terms",
        "command": command,
        "settings": settings.__dict__,
        "sources": {"psytar": {"path": str(reviews), "sha256": folder_digest(reviews), **counts, "citation": PSYTAR_CITATION}},
        "rows": len(table),
        "versions": {name: metadata.version(name) for name in ("spacy", "scispacy")},
    }
    out.mkdir(parents=True, exist_ok=True)
    table.to_tsv(out / TABLE)
    (out / RECORD).write_text(json.dumps(record, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return table


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--reviews", type=Path, required=True, help="folder with corpus/ and gold.jsonl")
    parser.add_argument("--out", type=Path, required=True, help="folder for terms.tsv and TRAINING.json")
    parser.add_argument("--min-documents", type=int, default=Settings.min_documents)
    parser.add_argument("--min-documents-one-word", type=int, default=Settings.min_documents_one_word)
    parser.add_argument("--min-precision", type=float, default=Settings.min_precision)
    parser.add_argument("--max-words", type=int, default=Settings.max_words)
    parser.add_argument("--fold", type=parse_fold, default=None, help="K/N: leave out the reviews of fold K of N")
    args = parser.parse_args(argv)
    fold, folds = args.fold if args.fold else (None, None)
    settings = Settings(args.min_documents, args.min_documents_one_word, args.min_precision, args.max_words, fold, folds)
    command = "python -m pipeline.train_terms " + " ".join(sys.argv[1:] if argv is None else argv)
    table = build(args.reviews, args.out, settings, command)
    print(f"{len(table)} terms -> {args.out / TABLE}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
