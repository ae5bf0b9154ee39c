"""Convert public benchmark corpora into what the pipeline reads and what the evaluator scores.

Each converter reads one corpus from ``../shared/benchmarks`` (never copied into the repository)
and writes, under a work directory (default ``benchmarks/work/``, git-ignored):

    <work>/<name>/corpus/<doc>.txt   one plain-text source per document (UTF-8, ``\\n`` newlines)
    <work>/<name>/gold.jsonl         gold mentions in the format of ../shared/ANNOTATION.md
    <work>/<name>/stats.json         what the conversion kept, dropped and why

The gold file starts with one ``{"doc": "<id>"}`` line per document, so documents without any
gold mention still count as annotated (predictions in them are false positives; see
``pipeline.evaluate``). Benchmark rows carry ``concept`` when the corpus gives an identifier
(MeSH, OMIM, SNOMED CT: used for concept consistency only) and never ``negated`` or ``role``
(the corpora do not annotate them, so the evaluator skips those attributes). The original type is
kept in ``source_type`` so other label mappings can be applied later.

Every converter checks ``text[start:end] == gold text`` for every row against the file it wrote;
rows that fail are dropped, counted and reported in ``stats.json`` (``mismatches``).

Converters (``src`` is the corpus folder or its main file, ``work`` the work root):

- :func:`convert_bc5cdr`  BC5CDR development set, Disease -> CONDITION, Chemical dropped.
- :func:`convert_ncbi`    NCBI disease development set, every class -> CONDITION.
- :func:`convert_cadec`   CADEC v2 (1000 posts), ADR -> ADVERSE_EFFECT, Disease/Symptom -> CONDITION.
- :func:`convert_ade_doses` ADE-Corpus-V2 ``DRUG-DOSE.rel``, dose spans -> DOSE (recall only).
- :func:`convert_tac2017` TAC 2017 ADR drug-label sections, adverse reactions -> ADVERSE_EFFECT.
- :func:`convert_seeds`   the five seed articles and their gold, copied.
"""

from __future__ import annotations

import json
import re
import shutil
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pipeline.corpora.pubtator import read_pubtator

REPO_ROOT = Path(__file__).resolve().parents[1]
DEFAULT_SHARED = REPO_ROOT.parent / "shared"
DEFAULT_BENCHMARKS = DEFAULT_SHARED / "benchmarks"
DEFAULT_WORK = REPO_ROOT / "benchmarks" / "work"

BC5CDR_FILE = "CDR_DevelopmentSet.PubTator.txt"
NCBI_FILE = "NCBIdevelopset_corpus.txt"
ADE_DOSE_FILE = "DRUG-DOSE.rel"

#: PubTator entity types kept, per corpus, and the project label they become.
BC5CDR_LABELS: Mapping[str, str] = {"Disease": "CONDITION"}
NCBI_LABELS: Mapping[str, str] = {
    "SpecificDisease": "CONDITION",
    "DiseaseClass": "CONDITION",
    "Modifier": "CONDITION",
    "CompositeMention": "CONDITION",
}
#: CADEC brat types -> project labels. ADR is the adverse-effect benchmark, Disease+Symptom the
#: condition benchmark; both go into one gold file (scored apart with label maps). Drug and
#: Finding have no project label and are dropped.
CADEC_LABELS: Mapping[str, str] = {
    "ADR": "ADVERSE_EFFECT",
    "Disease": "CONDITION",
    "Symptom": "CONDITION",
}

#: Gold label of ADE-Corpus-V2 dose spans without a number ("overdose", "high-dose").
QUALITATIVE_DOSE = "DOSE_QUALITATIVE"

MAX_EXAMPLES = 10


@dataclass
class ConversionStats:
    """What a conversion produced and dropped; written to ``stats.json`` next to the gold."""

    corpus: str
    source: str
    n_docs: int = 0
    n_docs_without_mentions: int = 0
    n_mentions: int = 0
    labels: Counter = field(default_factory=Counter)
    source_types: Counter = field(default_factory=Counter)
    dropped_types: Counter = field(default_factory=Counter)
    mismatches: int = 0
    mismatch_examples: list[dict[str, Any]] = field(default_factory=list)
    duplicates: int = 0
    skipped_discontinuous: int = 0
    merged_discontinuous: int = 0
    notes: dict[str, Any] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        """JSON-serialisable view (counters become plain dicts)."""
        return {
            "corpus": self.corpus,
            "source": self.source,
            "n_docs": self.n_docs,
            "n_docs_without_mentions": self.n_docs_without_mentions,
            "n_mentions": self.n_mentions,
            "labels": dict(sorted(self.labels.items())),
            "source_types": dict(sorted(self.source_types.items())),
            "dropped_types": dict(sorted(self.dropped_types.items())),
            "mismatches": self.mismatches,
            "mismatch_examples": self.mismatch_examples,
            "duplicates": self.duplicates,
            "skipped_discontinuous": self.skipped_discontinuous,
            "merged_discontinuous": self.merged_discontinuous,
            "notes": self.notes,
        }


# --------------------------------------------------------------------------------------------
# shared helpers


def _resolve(src: Path, default_name: str) -> Path:
    """``src`` itself when it is a file, else ``src/default_name``; clear error when absent."""
    src = Path(src)
    path = src / default_name if src.is_dir() else src
    if not path.is_file():
        raise FileNotFoundError(f"benchmark file not found: {path} (expected {default_name})")
    return path


def _prepare(work: Path, name: str) -> tuple[Path, Path]:
    """Create ``work/name/corpus`` emptied of earlier ``.txt`` files; return (corpus, gold)."""
    base = Path(work) / name
    corpus = base / "corpus"
    corpus.mkdir(parents=True, exist_ok=True)
    for old in corpus.glob("*.txt"):
        old.unlink()
    return corpus, base / "gold.jsonl"


def _write_text(path: Path, text: str) -> None:
    """Write UTF-8 without newline translation, so offsets into ``text`` hold for the file."""
    with open(path, "w", encoding="utf-8", newline="") as fh:
        fh.write(text)


def read_source(path: Path) -> str:
    """The text the pipeline sees for a plain-text file: UTF-8, BOM dropped, newlines kept."""
    return Path(path).read_bytes().decode("utf-8-sig")


def _finish(
    stats: ConversionStats,
    corpus_dir: Path,
    gold_path: Path,
    texts: Mapping[str, str],
    rows: Iterable[dict[str, Any]],
) -> tuple[Path, Path]:
    """Validate rows against the written files, deduplicate, write gold and stats.

    Every document in ``texts`` is declared with a ``{"doc": id}`` line first. A row whose
    ``text`` differs from the file's ``[start:end]`` is dropped and counted as a mismatch.
    """
    seen: set[tuple[str, int, int, str]] = set()
    kept: list[dict[str, Any]] = []
    for row in rows:
        doc_text = read_source(corpus_dir / f"{row['doc']}.txt")
        start, end = row["start"], row["end"]
        if not (0 <= start < end <= len(doc_text)) or doc_text[start:end] != row["text"]:
            stats.mismatches += 1
            if len(stats.mismatch_examples) < MAX_EXAMPLES:
                stats.mismatch_examples.append(
                    {
                        "doc": row["doc"],
                        "start": start,
                        "end": end,
                        "gold": row["text"],
                        "source": doc_text[start:end],
                    }
                )
            continue
        key = (row["doc"], start, end, row["label"])
        if key in seen:
            stats.duplicates += 1
            continue
        seen.add(key)
        kept.append(row)
    kept.sort(key=lambda r: (r["doc"], r["start"], r["end"], r["label"]))
    docs_with = {r["doc"] for r in kept}
    stats.n_docs = len(texts)
    stats.n_docs_without_mentions = sum(1 for d in texts if d not in docs_with)
    stats.n_mentions = len(kept)
    stats.labels = Counter(r["label"] for r in kept)
    with open(gold_path, "w", encoding="utf-8", newline="\n") as fh:
        for doc in sorted(texts):
            fh.write(json.dumps({"doc": doc}) + "\n")
        for row in kept:
            fh.write(json.dumps(row, ensure_ascii=False) + "\n")
    (gold_path.parent / "stats.json").write_text(
        json.dumps(stats.as_dict(), indent=2, ensure_ascii=False) + "\n", encoding="utf-8"
    )
    return corpus_dir, gold_path


def read_stats(gold_path: Path) -> dict[str, Any]:
    """The ``stats.json`` a converter wrote next to ``gold_path``."""
    return json.loads((Path(gold_path).parent / "stats.json").read_text(encoding="utf-8"))


# --------------------------------------------------------------------------------------------
# PubTator (BC5CDR, NCBI disease)


def _concept_id(raw: str) -> str | None:
    """Normalise a corpus identifier; ``-1`` or empty (not normalisable) gives None."""
    raw = raw.strip()
    return None if raw in ("", "-1") else raw


def _convert_pubtator(
    path: Path, work: Path, name: str, labels: Mapping[str, str]
) -> tuple[Path, Path]:
    corpus_dir, gold_path = _prepare(work, name)
    stats = ConversionStats(corpus=name, source=str(path))
    texts: dict[str, str] = {}
    rows: list[dict[str, Any]] = []
    for document in read_pubtator(path):
        pmid, text = document.pmid, document.text  # title + "\n" + abstract: the offsets hold
        if pmid in texts:
            raise ValueError(f"{path}: document {pmid} appears twice")
        texts[pmid] = text
        _write_text(corpus_dir / f"{pmid}.txt", text)
        for annotation in document.annotations:
            stype = annotation.type
            stats.source_types[stype] += 1
            label = labels.get(stype)
            if label is None:
                stats.dropped_types[stype] += 1
                continue
            row: dict[str, Any] = {
                "doc": pmid,
                "start": annotation.start,
                "end": annotation.end,
                "text": annotation.text,
                "label": label,
                "source_type": stype,
            }
            concept = _concept_id(annotation.concept or "")
            if concept is not None:
                row["concept"] = concept
            rows.append(row)
    return _finish(stats, corpus_dir, gold_path, texts, rows)


def convert_bc5cdr(src: Path, work: Path) -> tuple[Path, Path]:
    """BC5CDR development set (500 PubMed abstracts): Disease -> CONDITION, Chemical dropped.

    ``src`` is the ``bc5cdr/`` folder or the PubTator file. Text = title + "\\n" + abstract.
    The concept is the MeSH id (``D014262``; composite mentions keep ``D1|D2``).
    """
    return _convert_pubtator(_resolve(src, BC5CDR_FILE), work, "bc5cdr", BC5CDR_LABELS)


def convert_ncbi(src: Path, work: Path) -> tuple[Path, Path]:
    """NCBI disease development set (100 abstracts): all four disease classes -> CONDITION.

    ``src`` is the ``ncbi_disease/`` folder or the PubTator file. The concept is the MeSH or
    OMIM id (``D008661``, ``OMIM:...``).
    """
    return _convert_pubtator(_resolve(src, NCBI_FILE), work, "ncbi", NCBI_LABELS)


# --------------------------------------------------------------------------------------------
# CADEC (brat)

_BRAT_SPANS = re.compile(r"^(\S+) (\d+ \d+(?:;\d+ \d+)*)$")
_SCT_LINE = re.compile(r"^(.*?)\s*(\d+ \d+(?:;\d+ \d+)*)\s*$")
_SCT_CODE = re.compile(r"(\d+)\s*\|")


def _sct_concepts(path: Path) -> dict[str, str | None]:
    """SNOMED CT codes per span string (``"55 75;96 104"``) from a CADEC ``sct/*.ann`` file."""
    out: dict[str, str | None] = {}
    if not path.is_file():
        return out
    # A few sct files hold Latin-1 bytes in concept names; only the codes are used.
    for line in path.read_bytes().decode("utf-8", errors="replace").splitlines():
        cols = re.split(r"\t|\s{2,}", line.strip(), maxsplit=2)
        if len(cols) < 2 or not cols[0].startswith("T"):
            continue
        m = _SCT_LINE.match(cols[1])
        if not m:
            continue
        codes = _SCT_CODE.findall(m.group(1))
        out[m.group(2)] = "+".join(f"SCT:{c}" for c in codes) if codes else None
    return out


def convert_cadec(
    src: Path, work: Path, labels: Mapping[str, str] = CADEC_LABELS
) -> tuple[Path, Path]:
    """CADEC v2 forum posts: ``text/*.txt`` copied as is, ``original/*.ann`` -> gold.

    ``labels`` maps brat types to project labels (default: ADR -> ADVERSE_EFFECT, Disease and
    Symptom -> CONDITION); other types are dropped. A discontinuous span whose gaps are only
    whitespace is really contiguous ("body; swelling") and is kept as one span (counted in
    ``merged_discontinuous``); other discontinuous spans cannot be expressed and are skipped
    (``skipped_discontinuous``). The concept is the SNOMED CT code from ``sct/`` when there is
    one.
    """
    src = Path(src)
    text_dir, ann_dir = src / "text", src / "original"
    if not text_dir.is_dir() or not ann_dir.is_dir():
        raise FileNotFoundError(f"CADEC folders not found: {text_dir} and {ann_dir}")
    corpus_dir, gold_path = _prepare(work, "cadec")
    stats = ConversionStats(corpus="cadec", source=str(src))
    skipped_by_type: Counter = Counter()
    texts: dict[str, str] = {}
    rows: list[dict[str, Any]] = []
    for txt in sorted(text_dir.glob("*.txt")):
        doc = txt.stem
        raw = txt.read_bytes()
        (corpus_dir / txt.name).write_bytes(raw)
        text = raw.decode("utf-8-sig")
        texts[doc] = text
        ann = ann_dir / f"{doc}.ann"
        if not ann.is_file():
            stats.notes.setdefault("missing_ann", []).append(doc)
            continue
        concepts = _sct_concepts(src / "sct" / f"{doc}.ann")
        for line in ann.read_text(encoding="utf-8").splitlines():
            if not line.startswith("T"):
                continue  # annotator notes (#), relations, attributes
            cols = line.split("\t")
            m = _BRAT_SPANS.match(cols[1]) if len(cols) >= 3 else None
            if not m:
                stats.notes.setdefault("unparsed_lines", []).append(f"{doc}: {line}")
                continue
            stype, span_str = m.group(1), m.group(2)
            stats.source_types[stype] += 1
            label = labels.get(stype)
            if label is None:
                stats.dropped_types[stype] += 1
                continue
            segs = sorted(tuple(map(int, s.split())) for s in span_str.split(";"))
            if len(segs) > 1:
                gaps_blank = all(
                    a[1] <= b[0] and text[a[1] : b[0]].strip() == "" for a, b in zip(segs, segs[1:])
                )
                if not gaps_blank:
                    stats.skipped_discontinuous += 1
                    skipped_by_type[stype] += 1
                    continue
                stats.merged_discontinuous += 1
            start, end = segs[0][0], segs[-1][1]
            gold_text = cols[2]
            if len(segs) > 1 and " ".join(text[s:e] for s, e in segs) == gold_text:
                gold_text = text[start:end]  # brat joins segments with one space
            row: dict[str, Any] = {
                "doc": doc,
                "start": start,
                "end": end,
                "text": gold_text,
                "label": label,
                "source_type": stype,
            }
            concept = concepts.get(span_str)
            if concept:
                row["concept"] = concept
            rows.append(row)
    stats.notes["skipped_discontinuous_by_type"] = dict(sorted(skipped_by_type.items()))
    return _finish(stats, corpus_dir, gold_path, texts, rows)


# --------------------------------------------------------------------------------------------
# ADE-Corpus-V2 doses


def _occurrences(haystack: str, needle: str) -> list[int]:
    return [i for i in range(len(haystack) - len(needle) + 1) if haystack.startswith(needle, i)]


def convert_ade_doses(
    src: Path, work: Path, qualitative_label: str | None = QUALITATIVE_DOSE
) -> tuple[Path, Path]:
    """ADE-Corpus-V2 ``DRUG-DOSE.rel`` -> one document per PubMed id, gold label DOSE.

    Each line is ``pmid|sentence|dose|start|end|drug|start|end`` with offsets into the whole
    abstract, which is not distributed. A sentence's position in the abstract is the dose offset
    minus the dose's position in the sentence (the drug offset must agree, which picks the right
    occurrence when the dose string repeats). The document is the PMID's annotated sentences in
    abstract order, joined by a space where they were adjacent and a newline otherwise; offsets
    are shifted accordingly. Sentences that cannot be placed consistently are appended in file
    order (``notes.unplaced_sentences``). The corpus marks only doses related to a drug: score
    recall only.

    About half of the corpus's "dose" spans hold no number ("overdose", "high-dose", "low",
    "single dose"): not a DOSE in ANNOTATION.md. They get ``qualitative_label`` (default
    ``DOSE_QUALITATIVE``, so a label map can score DOSE on numeric spans only or on all spans);
    ``"DOSE"`` keeps them as DOSE, None drops them.
    """
    path = _resolve(src, ADE_DOSE_FILE)
    corpus_dir, gold_path = _prepare(work, "ade_doses")
    stats = ConversionStats(corpus="ade_doses", source=str(path))
    # per pmid: sentence -> absolute start (None when it cannot be placed)
    placed: dict[str, dict[str, int | None]] = defaultdict(dict)
    rels: list[tuple[str, str, str, int, int, str]] = []
    unplaced = 0
    for n, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not raw.strip():
            continue
        cols = raw.split("|")
        if len(cols) != 8:
            raise ValueError(f"{path}:{n}: expected 8 '|'-separated fields, got {len(cols)}")
        pmid, sent, dose, ds, de, drug, rs, _re = cols
        ds_i, de_i, rs_i = int(ds), int(de), int(rs)
        stats.source_types["DOSE"] += 1
        dose_at = {ds_i - i for i in _occurrences(sent, dose)}
        drug_at = {rs_i - i for i in _occurrences(sent, drug)}
        cands = (dose_at & drug_at) or dose_at
        prev = placed[pmid].get(sent, -1)
        if len(cands) >= 1 and de_i - ds_i == len(dose):
            pos = min(cands)
            if prev == -1 or prev == pos:
                placed[pmid][sent] = pos
            elif prev is not None:
                placed[pmid][sent] = None  # two rows disagree
        elif prev == -1:
            placed[pmid][sent] = None
        rels.append((pmid, sent, dose, ds_i, de_i, drug))

    texts: dict[str, str] = {}
    sent_start: dict[tuple[str, str], int] = {}
    overlaps = 0
    for pmid in sorted(placed, key=lambda p: (len(p), p)):
        sents = placed[pmid]
        ordered = sorted((s for s in sents if sents[s] is not None), key=lambda s: (sents[s], s))
        tail = [s for s in sents if sents[s] is None]
        unplaced += len(tail)
        parts: list[str] = []
        pos = 0
        prev_end: int | None = None
        for s in ordered + tail:
            abs_start = sents[s]
            if parts:
                adjacent = abs_start is not None and prev_end is not None and abs_start - prev_end == 1
                if abs_start is not None and prev_end is not None and abs_start < prev_end:
                    overlaps += 1
                sep = " " if adjacent else "\n"
                parts.append(sep)
                pos += len(sep)
            sent_start[(pmid, s)] = pos
            parts.append(s)
            pos += len(s)
            prev_end = None if abs_start is None else abs_start + len(s)
        texts[pmid] = "".join(parts)
        _write_text(corpus_dir / f"{pmid}.txt", texts[pmid])

    rows: list[dict[str, Any]] = []
    no_digit = 0
    for pmid, sent, dose, ds_i, _de, drug in rels:
        abs_start = placed[pmid][sent]
        if abs_start is not None:
            local = ds_i - abs_start
        else:
            occ = _occurrences(sent, dose)
            local = occ[0] if occ else -1
        if local < 0:
            stats.mismatches += 1
            continue
        label = "DOSE"
        if not any(ch.isdigit() for ch in dose):
            no_digit += 1
            if qualitative_label is None:
                stats.dropped_types["DOSE without a number"] += 1
                continue
            label = qualitative_label
        start = sent_start[(pmid, sent)] + local
        rows.append(
            {
                "doc": pmid,
                "start": start,
                "end": start + len(dose),
                "text": dose,
                "label": label,
                "source_type": "DOSE",
                "drug": drug,
            }
        )
    stats.notes.update(
        {
            "n_relations": len(rels),
            "n_sentences": len(sent_start),
            "unplaced_sentences": unplaced,
            "overlapping_sentences": overlaps,
            "dose_relations_without_digit": no_digit,
        }
    )
    return _finish(stats, corpus_dir, gold_path, texts, rows)


# --------------------------------------------------------------------------------------------
# seed articles


# --------------------------------------------------------------------------------------------
# TAC 2017 ADR (US drug labels)

TAC2017_FILE = "demner-fushman-train-labels.json"
_SLUG = re.compile(r"[^A-Za-z0-9]+")


def convert_tac2017(src: Path, work: Path) -> tuple[Path, Path]:
    """TAC 2017 ADR training labels (Demner-Fushman et al. 2018): one document per label
    section (adverse reactions, warnings and precautions, boxed warnings), its text exactly as
    in the JSON; every adverse-event mention with an offset -> ADVERSE_EFFECT (``source_type``
    ``AdverseReaction``, or ``AdverseReaction:animal`` for effects seen in animal studies), its
    MedDRA preferred term as concept. Mentions without an offset (discontinuous in the original
    annotation) are skipped and counted. The JSON lowercases mention texts, so the gold text is
    the source's own slice once it matches case-insensitively. Each distinct reaction is given
    once per section, at one of its occurrences: the gold is for recall, not precision.
    """
    path = _resolve(Path(src), TAC2017_FILE)
    corpus_dir, gold_path = _prepare(work, "tac2017")
    stats = ConversionStats(corpus="tac2017", source=str(path))
    texts: dict[str, str] = {}
    rows: list[dict[str, Any]] = []
    for section in json.loads(path.read_text(encoding="utf-8")):
        doc = _SLUG.sub("_", f"{section['label_id']}_{section['section_name']}").strip("_")
        text = section["section_text"]
        texts[doc] = text
        _write_text(corpus_dir / f"{doc}.txt", text)
        for mention in section["adverse_events"]:
            term, start, length = mention[0], mention[5], mention[6]
            source_type = "AdverseReaction" + (f":{mention[7]}" if len(mention) > 7 and mention[7] != "human" else "")
            stats.source_types[source_type] += 1
            if start is None or length is None:
                stats.skipped_discontinuous += 1
                continue
            start, end = int(start), int(start) + int(length)
            gold_text = text[start:end] if text[start:end].lower() == term.lower() else term
            row: dict[str, Any] = {
                "doc": doc, "start": start, "end": end, "text": gold_text,
                "label": "ADVERSE_EFFECT", "source_type": source_type,
            }
            if mention[2] is not None:
                row["concept"] = f"MEDDRA:{int(mention[2])}"
            rows.append(row)
    return _finish(stats, corpus_dir, gold_path, texts, rows)


def convert_seeds(src: Path, work: Path) -> tuple[Path, Path]:
    """The five seed articles: ``src/corpus/*`` and ``src/gold/seeds.jsonl`` (``src`` is the
    shared folder, ``../shared``)."""
    return _copy_annotated(Path(src) / "corpus", Path(src) / "gold" / "seeds.jsonl", work, "seeds")


def convert_webdev(src: Path, work: Path) -> tuple[Path, Path]:
    """The web development set: 12 pages of 12 genres (``src/texts/*``, ``src/gold.jsonl``;
    ``src`` is ``../shared/gold/webdev``)."""
    return _copy_annotated(Path(src) / "texts", Path(src) / "gold.jsonl", work, "webdev")


def convert_psytar(src: Path, work: Path) -> tuple[Path, Path]:
    """PsyTAR dev: askapatient.com reviews as pages, gold already in the ANNOTATION.md format
    (``src/corpus/*``, ``src/gold.jsonl``; ``src`` is ``../shared/benchmarks/psytar``)."""
    return _copy_annotated(Path(src) / "corpus", Path(src) / "gold.jsonl", work, "psytar")


def _copy_annotated(corpus_src: Path, gold_src: Path, work: Path, name: str) -> tuple[Path, Path]:
    """A corpus whose gold already follows ANNOTATION.md: sources and gold copied as they are.

    The gold file is copied byte for byte (not rewritten); its rows are still checked against
    the copied sources and mismatches counted.
    """
    if not corpus_src.is_dir() or not gold_src.is_file():
        raise FileNotFoundError(f"{name} corpus not found: {corpus_src} and {gold_src}")
    corpus_dir, gold_path = _prepare(work, name)
    for old in corpus_dir.iterdir():
        if old.is_file():
            old.unlink()
    stats = ConversionStats(corpus=name, source=str(corpus_src))
    texts: dict[str, str] = {}
    for f in sorted(corpus_src.iterdir()):
        if f.is_file():
            shutil.copyfile(f, corpus_dir / f.name)
            texts[f.stem] = read_source(f)
    shutil.copyfile(gold_src, gold_path)
    docs_in_gold: set[str] = set()
    seen: set[tuple] = set()
    for line in gold_path.read_text(encoding="utf-8").splitlines():
        if not line.strip():
            continue
        row = json.loads(line)
        docs_in_gold.add(row["doc"])
        if "label" not in row:
            continue
        stats.n_mentions += 1
        stats.labels[row["label"]] += 1
        key = (row["doc"], row["start"], row["end"], row["label"])
        if key in seen:
            stats.duplicates += 1
        seen.add(key)
        text = texts.get(row["doc"])
        if text is None or text[row["start"] : row["end"]] != row.get("text"):
            stats.mismatches += 1
            if len(stats.mismatch_examples) < MAX_EXAMPLES:
                stats.mismatch_examples.append({k: row.get(k) for k in ("doc", "start", "end", "text")})
    stats.n_docs = len(texts)
    stats.n_docs_without_mentions = len(set(texts) - docs_in_gold)
    stats.notes["gold_docs_without_source"] = sorted(docs_in_gold - set(texts))
    (gold_path.parent / "stats.json").write_text(
        json.dumps(stats.as_dict(), indent=2, ensure_ascii=False) + "\n", encoding="utf-8"
    )
    return corpus_dir, gold_path


#: name -> (converter, source path relative to the shared folder)
CONVERTERS: dict[str, tuple[Any, str]] = {
    "seeds": (convert_seeds, "."),
    "webdev": (convert_webdev, "gold/webdev"),
    "psytar": (convert_psytar, "benchmarks/psytar"),
    "bc5cdr": (convert_bc5cdr, "benchmarks/bc5cdr"),
    "ncbi": (convert_ncbi, "benchmarks/ncbi_disease"),
    "cadec": (convert_cadec, "benchmarks/cadec_dev"),
    "ade": (convert_ade_doses, "benchmarks/ade_corpus_v2"),
    "tac2017": (convert_tac2017, "benchmarks/tac2017_adr_train"),
}


if __name__ == "__main__":  # pragma: no cover - manual use: convert everything, print stats
    import sys

    shared = Path(sys.argv[1]) if len(sys.argv) > 1 else DEFAULT_SHARED
    work = Path(sys.argv[2]) if len(sys.argv) > 2 else DEFAULT_WORK
    for name, (fn, rel) in CONVERTERS.items():
        try:
            _, gold = fn(shared / rel, work)
        except FileNotFoundError as exc:
            print(f"skip {name}: {exc}")
            continue
        s = read_stats(gold)
        print(json.dumps({k: v for k, v in s.items() if k != "mismatch_examples"}, ensure_ascii=False))
