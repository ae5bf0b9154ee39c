"""Train the shipped disease NER model (label ``DISEASE``) reproducibly.

Corpora (public domain; read from ``../shared/benchmarks`` or given paths, never copied):

* BC5CDR / BioCreative V CDR, Disease mentions only -- Li J, Sun Y, Johnson RJ, et al.
  "BioCreative V CDR task corpus: a resource for chemical disease relation extraction."
  Database (Oxford) 2016:baw068. Training set for training, development set for model
  selection and evaluation.
* NCBI disease corpus, all mention classes (SpecificDisease, DiseaseClass, Modifier,
  CompositeMention) -- Dogan RI, Leaman R, Lu Z. "NCBI disease corpus: a resource for
  disease name recognition and concept normalization." J Biomed Inform 2014;47:1-10.
  Training set for training, development set for model selection and evaluation.

Development sets are never trained on. CADEC and ADE-Corpus-V2 are never used (their
licences forbid shipping models trained on them).

Texts are built as ``title + "\\n" + abstract`` so PubTator offsets (over
``title + " " + abstract``) stay valid. Documents are tokenized with scispaCy's
``combined_rule_tokenizer`` on ``spacy.blank("en")`` -- exactly the tokenizer the pipeline
uses. A gold boundary that falls inside a token is widened to the enclosing tokens
(``Doc.char_span(..., alignment_mode="expand")``); these cases are counted and written to
``TRAINING.json``.

Architecture: spaCy's transition-based NER (``spacy.TransitionBasedParser.v2``) carrying
its own ``spacy.Tok2Vec.v2`` inside the ner model (no shared tok2vec listener):
``spacy.MultiHashEmbed.v2`` over NORM/PREFIX/SUFFIX/SHAPE hash embeddings (no pretrained
vectors) followed by a ``spacy.MaxoutWindowEncoder.v2`` CNN. Because the component is
self-contained it can be sourced into any pipeline::

    nlp.add_pipe("ner", name="disease_ner", source=spacy.load(model_dir))

Default hyper-parameters: width 64, MaxoutWindowEncoder depth 3 / window 1 / maxout 3, hash
rows NORM 10000, PREFIX 3000, SUFFIX 5000, SHAPE 1500, parser hidden width 64, greedy
transitions, dropout 0.15, Adam lr 0.001 (L2 0.01, grad clip 1.0), ~1000-token batches of
whole documents, at most 30 epochs with patience 6. The most accurate setting tried (width
128, depth 4, window 2, larger tables, hidden 128) scored 0.011 higher on BC5CDR dev but
made the pipeline 4x slower than its vocabulary-only version; this one costs 1.8x. Also
tried (all within about +-0.01 on
BC5CDR dev strict F1 or worse): width 96 / window 1 / smaller tables, dropout 0.3,
CharacterEmbed, beam NER (width 4), 500-token batches, depth 6, BC5CDR-only training.

Opt-in, not used by the shipped model: ``--lexicon-feature`` adds the vocabulary's condition
mentions as a fifth embedded attribute (``Token.tag_`` = B-LEX/I-LEX, set by the pipeline's own
``web_segmenter`` + ``condition_finder`` + ``lexicon_features`` components, which the saved
model then carries and the pipeline runs before it; gazetteer features as in Ratinov & Roth
2009), and ``--lexicon-dropout`` hides that share of the mentions afresh every epoch. Measured
in session 6 (BENCHMARKS.md): the model alone rises to 0.801 on BC5CDR dev (0.827 NCBI), but
the combined pipeline falls (BC5CDR 0.772, NCBI 0.815 vs 0.780 / 0.836): the model learns to
trust the vocabulary and finds fewer of the names the vocabulary misses, which is what the
combination needs from it; with dropout 0.5 the model alone scores 0.784 and combined 0.772 /
0.816.

Training: Adam with parameter averaging, fixed seeds (``spacy.util.fix_random_seed`` and
the config seed), deterministic per-epoch shuffles; after every epoch the averaged model is
scored on both development sets (strict = exact character-span match) and the best epoch by
pooled strict F1 over both development sets is kept (early stopping with patience).

Rebuild the shipped model with::

    python -m pipeline.train --bc5cdr ../shared/benchmarks/bc5cdr \\
        --ncbi ../shared/benchmarks/ncbi_disease --out pipeline/models/disease_ner --seed 0
"""
from __future__ import annotations

import argparse
import hashlib
import json
import os
import platform
import random
import shutil
import sys
import time
import warnings
from dataclasses import asdict, dataclass
from pathlib import Path
from types import SimpleNamespace
from typing import Iterable, Sequence

from pipeline.corpora.pubtator import PubTatorDocument
from pipeline.scoring import SpanCounts, lenient_counts, strict_counts
from pipeline.corpora.pubtator import read_pubtator as _pubtator_documents

LABEL = "DISEASE"

REPO_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_BENCHMARKS = REPO_ROOT.parent / "shared" / "benchmarks"
DEFAULT_BC5CDR = DEFAULT_BENCHMARKS / "bc5cdr"
DEFAULT_NCBI = DEFAULT_BENCHMARKS / "ncbi_disease"
DEFAULT_OUT = REPO_ROOT / "pipeline" / "models" / "disease_ner"

BC5CDR_TRAIN = "CDR_TrainingSet.PubTator.txt"
BC5CDR_DEV = "CDR_DevelopmentSet.PubTator.txt"
NCBI_TRAIN = "NCBItrainset_corpus.txt"
NCBI_DEV = "NCBIdevelopset_corpus.txt"

BC5CDR_TYPES = frozenset({"Disease"})  # BC5CDR: Disease mentions (not Chemical)
NCBI_TYPES = None  # NCBI disease: every mention class is a disease mention

CITATIONS = {
    "bc5cdr": "Li J, Sun Y, Johnson RJ, et al. BioCreative V CDR task corpus: a resource for "
    "chemical disease relation extraction. Database (Oxford). 2016;2016:baw068.",
    "ncbi_disease": "Dogan RI, Leaman R, Lu Z. NCBI disease corpus: a resource for disease name "
    "recognition and concept normalization. J Biomed Inform. 2014;47:1-10.",
}


# --------------------------------------------------------------------------- data


def read_pubtator(
    path: str | os.PathLike,
    types: Iterable[str] | None = None,
    stats: dict | None = None,
) -> list[PubTatorDocument]:
    """The documents of a PubTator file (:mod:`pipeline.corpora.pubtator`), their annotations
    optionally filtered by type.

    A PMID seen twice keeps its first occurrence. ``stats`` (if given) receives the duplicate
    PMIDs and the number of annotations whose text differs from the document's at their offsets.
    """
    wanted = None if types is None else frozenset(types)
    docs: dict[str, PubTatorDocument] = {}
    duplicates: set[str] = set()
    mismatches = 0
    for doc in _pubtator_documents(path):
        if doc.pmid in docs:
            duplicates.add(doc.pmid)
            continue
        doc.annotations = [a for a in doc.annotations if wanted is None or a.type in wanted]
        mismatches += sum(doc.text[a.start : a.end] != a.text for a in doc.annotations)
        docs[doc.pmid] = doc
    if stats is not None:
        stats["duplicate_pmids"] = sorted(duplicates)
        stats["offset_text_mismatches"] = mismatches
    return list(docs.values())


def sha256_file(path: str | os.PathLike) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


# --------------------------------------------------------------------------- nlp


def make_blank_nlp():
    """Blank English with the pipeline's tokenizer (``pipeline.scispacy_tokenizer.v1``:
    scispaCy's combined_rule_tokenizer), as ``pipeline/config.cfg`` names it."""
    import spacy

    import pipeline.components  # noqa: F401  (registers the tokenizer)

    return spacy.blank("en", config={"nlp": {"tokenizer": {"@tokenizers": "pipeline.scispacy_tokenizer.v1"}}})


@dataclass
class HyperParams:
    # Chosen for speed within 0.011 F1 of the best setting tried (width 128, depth 4, window 2,
    # rows 20000/5000/10000/2500, hidden 128: BC5CDR dev 0.767, NCBI dev 0.808, but 4x slower
    # than the vocabulary-only pipeline, over the 3x budget). This one: 0.756 / 0.810, 1.8x.
    width: int = 64
    depth: int = 3
    window_size: int = 1
    maxout_pieces: int = 3
    embed_attrs: tuple[str, ...] = ("NORM", "PREFIX", "SUFFIX", "SHAPE")
    embed_rows: tuple[int, ...] = (10000, 3000, 5000, 1500)
    embed: str = "multihash"  # "multihash" (MultiHashEmbed.v2) or "char" (CharacterEmbed.v2)
    char_nM: int = 64  # CharacterEmbed: char embedding width
    char_nC: int = 8  # CharacterEmbed: bytes per word (half from each end)
    hidden_width: int = 64
    parser_maxout_pieces: int = 2
    beam_width: int = 1  # 1 = greedy "ner" factory; >1 = "beam_ner" with this beam width
    dropout: float = 0.15
    learn_rate: float = 0.001
    L2: float = 0.01
    grad_clip: float = 1.0
    batch_words: int = 1000  # minibatch size in tokens (whole documents)
    patience: int = 6  # early stopping: epochs without a better pooled dev F1
    lexicon_feature: bool = False  # embed the vocabulary's mentions (Token.tag_ B-LEX/I-LEX)
    lexicon_rows: int = 64
    lexicon_dropout: float = 0.0  # share of vocabulary mentions hidden from the model per epoch

    def embed_config(self) -> dict:
        if self.embed == "char":
            return {
                "@architectures": "spacy.CharacterEmbed.v2",
                "width": self.width,
                "rows": self.embed_rows[0],
                "nM": self.char_nM,
                "nC": self.char_nC,
                "include_static_vectors": False,
                "feature": self.embed_attrs[0],
            }
        extra_attrs, extra_rows = (["TAG"], [self.lexicon_rows]) if self.lexicon_feature else ([], [])
        return {
            "@architectures": "spacy.MultiHashEmbed.v2",
            "width": self.width,
            "attrs": list(self.embed_attrs) + extra_attrs,
            "rows": list(self.embed_rows) + extra_rows,
            "include_static_vectors": False,
        }

    def ner_model_config(self) -> dict:
        return {
            "@architectures": "spacy.TransitionBasedParser.v2",
            "state_type": "ner",
            "extra_state_tokens": False,
            "hidden_width": self.hidden_width,
            "maxout_pieces": self.parser_maxout_pieces,
            "use_upper": True,
            "nO": None,
            "tok2vec": {
                "@architectures": "spacy.Tok2Vec.v2",
                "embed": self.embed_config(),
                "encode": {
                    "@architectures": "spacy.MaxoutWindowEncoder.v2",
                    "width": self.width,
                    "depth": self.depth,
                    "window_size": self.window_size,
                    "maxout_pieces": self.maxout_pieces,
                },
            },
        }


FEATURE_COMPONENTS = ("web_segmenter", "condition_finder", "lexicon_features")


def add_feature_components(nlp) -> None:
    import pipeline.components  # noqa: F401  (registers the factories)

    for name in FEATURE_COMPONENTS:
        nlp.add_pipe(name)


def with_features(nlp, doc):
    for name, proc in nlp.pipeline:
        if name in FEATURE_COMPONENTS:
            doc = proc(doc)
    return doc


def hide_lexicon_mentions(examples: Sequence, share: float, rng: random.Random) -> None:
    """Re-mark the vocabulary-mention feature on each predicted doc, hiding ``share`` of the
    mentions, so that the model also learns to find names the vocabulary does not know."""
    for eg in examples:
        doc = eg.predicted
        if "lexicon_spans" not in doc.user_data:
            spans, begin = [], None
            for token in doc:
                if token.tag_ == "B-LEX":
                    if begin is not None:
                        spans.append((begin, token.i))
                    begin = token.i
                elif token.tag_ != "I-LEX" and begin is not None:
                    spans.append((begin, token.i))
                    begin = None
            if begin is not None:
                spans.append((begin, len(doc)))
            doc.user_data["lexicon_spans"] = spans
        for token in doc:
            token.tag_ = ""
        for begin, end in doc.user_data["lexicon_spans"]:
            if rng.random() >= share:
                for i in range(begin, end):
                    doc[i].tag_ = "I-LEX" if i > begin else "B-LEX"


def build_training_nlp(hp: HyperParams, seed: int = 0):
    """The pipeline's tokenizer (with the feature components, for ``--lexicon-feature``) and a
    fresh ``ner`` component configured by ``hp``."""
    nlp = make_blank_nlp()
    if hp.lexicon_feature:
        add_feature_components(nlp)
    nlp.config["training"]["seed"] = seed
    if hp.beam_width > 1:
        ner = nlp.add_pipe("beam_ner", name="ner", config={"model": hp.ner_model_config(),
                                                            "beam_width": hp.beam_width})
    else:
        ner = nlp.add_pipe("ner", config={"model": hp.ner_model_config()})
    ner.add_label(LABEL)
    return nlp


def make_examples(nlp, docs: Sequence[PubTatorDocument], stats: dict | None = None) -> list:
    """Gold ``Example``s; entity boundaries inside tokens are expanded to whole tokens."""
    from spacy.tokens import Span
    from spacy.training import Example
    from spacy.util import filter_spans

    counts = {"mentions": 0, "aligned": 0, "expanded": 0, "dropped": 0, "duplicates": 0,
              "overlap_removed": 0, "entities": 0}
    examples = []
    for d in docs:
        predicted = with_features(nlp, nlp.make_doc(d.text))
        seen: set[tuple[int, int]] = set()
        spans = []
        for m in d.annotations:
            counts["mentions"] += 1
            if (m.start, m.end) in seen:
                counts["duplicates"] += 1
                continue
            seen.add((m.start, m.end))
            span = predicted.char_span(m.start, m.end, label=LABEL, alignment_mode="strict")
            if span is None:
                span = predicted.char_span(m.start, m.end, label=LABEL, alignment_mode="expand")
                if span is None or len(span) == 0:
                    counts["dropped"] += 1
                    continue
                counts["expanded"] += 1
            else:
                counts["aligned"] += 1
            if any(token.is_sent_start for token in span[1:]):
                counts["dropped"] += 1  # crosses a segment boundary the pipeline sets
                continue
            spans.append(span)
        kept = filter_spans(spans)
        counts["overlap_removed"] += len(spans) - len(kept)
        counts["entities"] += len(kept)
        reference = nlp.make_doc(d.text)
        reference.ents = [Span(reference, s.start, s.end, label=LABEL) for s in kept]
        examples.append(Example(predicted, reference))
    if stats is not None:
        for k, v in counts.items():
            stats[k] = stats.get(k, 0) + v
    return examples


# --------------------------------------------------------------------------- scoring


def _prf(counts: SpanCounts) -> dict:
    """P, R and F1 rounded to 4 places (the figures of TRAINING.json and the epoch log)."""
    scores = counts.as_dict()
    return {"p": round(scores["precision"], 4), "r": round(scores["recall"], 4), "f1": round(scores["f1"], 4)}


def score_spans(gold: Sequence[set], pred: Sequence[set]) -> dict:
    """Strict and lenient P/R/F1 over parallel lists of documents' spans, as
    :mod:`pipeline.scoring` (and so ``pipeline evaluate``) counts them."""
    strict, lenient = SpanCounts(), SpanCounts()
    for g, p in zip(gold, pred):
        strict.add(strict_counts(g, p))
        lenient.add(lenient_counts(sorted(g), sorted(p)))
    return {
        "n_gold": strict.tp + strict.fn,
        "n_pred": strict.tp + strict.fp,
        "strict": {**_prf(strict), "tp": strict.tp},
        "lenient": _prf(lenient),
    }


def evaluate(nlp, docs: Sequence[PubTatorDocument], batch_size: int = 64, postprocess=None) -> dict:
    """Run ``nlp`` over the documents and score DISEASE spans against the gold mentions.

    ``words_per_second`` counts non-space tokens over the wall-clock time of ``nlp.pipe``
    (tokenizer included, plus ``postprocess(doc)`` if given).
    """
    gold = [{(m.start, m.end) for m in d.annotations} for d in docs]
    t0 = time.perf_counter()
    preds, n_words = [], 0
    for doc in nlp.pipe((d.text for d in docs), batch_size=batch_size):
        if postprocess is not None:
            doc = postprocess(doc)
        n_words += sum(1 for t in doc if not t.is_space)
        preds.append({(e.start_char, e.end_char) for e in doc.ents if e.label_ == LABEL})
    seconds = time.perf_counter() - t0
    out = score_spans(gold, preds)
    out["words"] = n_words
    out["seconds"] = round(seconds, 2)
    out["words_per_second"] = round(n_words / seconds) if seconds else None
    return out


def token_alignment_ceiling(nlp, docs: Sequence[PubTatorDocument]) -> dict:
    """How many gold spans the tokenizer allows to be matched exactly (strict recall bound)."""
    total = aligned = 0
    for d in docs:
        doc = nlp.make_doc(d.text)
        for s, e in {(m.start, m.end) for m in d.annotations}:
            total += 1
            aligned += doc.char_span(s, e, alignment_mode="strict") is not None
    return {"mentions": total, "token_aligned": aligned,
            "max_strict_recall": round(aligned / total, 4) if total else None}


# --------------------------------------------------------------------------- training


def batches_by_words(examples: Sequence, size: int) -> list[list]:
    """Group whole documents into batches of about ``size`` tokens (order preserved)."""
    out, cur, n = [], [], 0
    for eg in examples:
        k = len(eg.reference)
        if cur and n + k > size:
            out.append(cur)
            cur, n = [], 0
        cur.append(eg)
        n += k
    if cur:
        out.append(cur)
    return out


@dataclass
class Corpora:
    bc5cdr_dir: Path
    ncbi_dir: Path

    def files(self) -> dict[str, Path]:
        return {
            "bc5cdr_train": self.bc5cdr_dir / BC5CDR_TRAIN,
            "ncbi_train": self.ncbi_dir / NCBI_TRAIN,
            "bc5cdr_dev": self.bc5cdr_dir / BC5CDR_DEV,
            "ncbi_dev": self.ncbi_dir / NCBI_DEV,
        }


def load_corpora(corpora: Corpora, limit: int | None = None) -> tuple[dict, dict]:
    files = corpora.files()
    data, info = {}, {}
    for key, path in files.items():
        types = BC5CDR_TYPES if key.startswith("bc5cdr") else NCBI_TYPES
        st: dict = {}
        docs = read_pubtator(path, types=types, stats=st)
        if limit is not None:
            docs = docs[:limit]
        data[key] = docs
        info[key] = {
            "path": str(path),
            "sha256": sha256_file(path),
            "documents": len(docs),
            "mentions": sum(len(d.annotations) for d in docs),
            "mention_types": sorted(types) if types else "all",
            "duplicate_pmids_skipped": st["duplicate_pmids"],
            "offset_text_mismatches": st["offset_text_mismatches"],
            "citation": CITATIONS["bc5cdr" if key.startswith("bc5cdr") else "ncbi_disease"],
        }
    train_ids = {d.pmid for k in ("bc5cdr_train", "ncbi_train") for d in data[k]}
    dev_ids = {d.pmid for k in ("bc5cdr_dev", "ncbi_dev") for d in data[k]}
    overlap = train_ids & dev_ids
    if overlap:  # never train on a development document
        for k in ("bc5cdr_train", "ncbi_train"):
            data[k] = [d for d in data[k] if d.pmid not in overlap]
    info["train_dev_pmid_overlap_removed"] = sorted(overlap)
    return data, info


def _log(msg: str) -> None:
    print(msg, flush=True)


def _dir_size(path: Path) -> int:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())


def train(
    corpora: Corpora,
    out_dir: Path,
    hp: HyperParams | None = None,
    seed: int = 0,
    max_epochs: int = 30,
    limit: int | None = None,
    eval_batch_size: int = 64,
    train_corpora: Sequence[str] = ("bc5cdr", "ncbi"),
    argv: Sequence[str] | None = None,
) -> dict:
    """Train, keep the best epoch by pooled strict dev F1, save it to ``out_dir``."""
    from spacy.util import fix_random_seed
    from thinc.api import Adam

    hp = hp or HyperParams()
    t_start = time.perf_counter()
    data, corpus_info = load_corpora(corpora, limit=limit)

    fix_random_seed(seed)
    nlp = build_training_nlp(hp, seed=seed)
    align_stats: dict = {}
    train_docs = [d for k in train_corpora for d in data[f"{k}_train"]]  # fixed order
    train_examples = make_examples(nlp, train_docs, align_stats)
    dev_ceiling = {k: token_alignment_ceiling(nlp, data[k]) for k in ("bc5cdr_dev", "ncbi_dev")}
    _log(f"train docs={len(train_docs)} alignment={align_stats}")
    _log(f"dev tokenization ceiling={dev_ceiling}")

    optimizer = Adam(learn_rate=hp.learn_rate, L2=hp.L2, grad_clip=hp.grad_clip,
                     use_averages=True)
    nlp.initialize(lambda: train_examples, sgd=optimizer)

    out_dir = Path(out_dir)
    staging = out_dir.with_name(out_dir.name + ".staging")
    if staging.exists():
        shutil.rmtree(staging)
    staging.parent.mkdir(parents=True, exist_ok=True)
    history, best = _train_epochs(nlp, optimizer, train_examples, data, hp, seed, max_epochs, eval_batch_size, staging)
    train_seconds = time.perf_counter() - t_start
    _install(staging, out_dir)

    # Re-load the saved model the way the pipeline does (sourced into a blank scispaCy-tokenized
    # pipeline) and score it: checks the saved files and measures speed.
    t_eval = time.perf_counter()
    final = final_evaluation(out_dir, data, batch_size=eval_batch_size)
    for k in ("bc5cdr_dev", "ncbi_dev"):
        if final[k]["strict"] != best[k]["strict"]:
            _log(f"warning: reloaded model scores differ on {k}: {final[k]['strict']} "
                 f"vs {best[k]['strict']}")

    report = {
        "model": "disease_ner",
        "label": LABEL,
        "command": "python -m pipeline.train " + " ".join(argv if argv is not None else sys.argv[1:]),
        "seed": seed,
        "corpora": corpus_info,
        "train_corpora": list(train_corpora),
        "train_documents": len(train_docs),
        "train_alignment": align_stats,
        "dev_tokenization_ceiling": dev_ceiling,
        **_model_description(hp, max_epochs),
        "epochs_run": len(history),
        "best_epoch": best["epoch"],
        "history": history,
        **_dev_scores(final, best, eval_batch_size),
        "training_seconds": round(train_seconds, 1),
        "final_evaluation_seconds": round(time.perf_counter() - t_eval, 1),
        "model_size_bytes": _dir_size(out_dir),
        "versions": _versions(),
    }
    (out_dir / "TRAINING.json").write_text(json.dumps(report, indent=2) + "\n")
    _log(f"best epoch {best['epoch']}: BC5CDR dev strict {best['bc5cdr_dev']['strict']}, "
         f"NCBI dev strict {best['ncbi_dev']['strict']}; saved to {out_dir} "
         f"({report['model_size_bytes'] / 1e6:.1f} MB) in {train_seconds / 60:.1f} min")
    return report


def _train_epochs(
    nlp, optimizer, train_examples: list, data: dict, hp: HyperParams, seed: int, max_epochs: int,
    eval_batch_size: int, staging: Path,
) -> tuple[list[dict], dict]:
    """Epochs of updates, each scored on both development sets with the averaged parameters;
    the best epoch by pooled strict F1 is saved to ``staging``. Stops after ``hp.patience``
    epochs without improvement. Returns the per-epoch rows and the best epoch's scores."""
    history, best, bad_epochs = [], None, 0
    for epoch in range(1, max_epochs + 1):
        t0 = time.perf_counter()
        order = list(range(len(train_examples)))
        random.Random(seed * 1000 + epoch).shuffle(order)
        if hp.lexicon_feature and hp.lexicon_dropout:
            hide_lexicon_mentions(train_examples, hp.lexicon_dropout, random.Random(seed * 1000 + epoch))
        losses: dict = {}
        for batch in batches_by_words([train_examples[i] for i in order], hp.batch_words):
            nlp.update(batch, drop=hp.dropout, sgd=optimizer, losses=losses)
        train_s = time.perf_counter() - t0
        with nlp.use_params(optimizer.averages):
            ev = {k: evaluate(nlp, data[k], eval_batch_size) for k in ("bc5cdr_dev", "ncbi_dev")}
            tp = sum(ev[k]["strict"]["tp"] for k in ev)
            n_pred = sum(ev[k]["n_pred"] for k in ev)
            n_gold = sum(ev[k]["n_gold"] for k in ev)
            pooled = _prf(SpanCounts(tp, n_pred - tp, n_gold - tp))
            improved = best is None or pooled["f1"] > best["pooled_strict"]["f1"]
            if improved:
                if staging.exists():
                    shutil.rmtree(staging)
                nlp.to_disk(staging)
        row = {
            "epoch": epoch,
            "loss": round(float(losses.get("ner", 0.0)), 2),
            "train_seconds": round(train_s, 1),
            "eval_seconds": round(time.perf_counter() - t0 - train_s, 1),
            "bc5cdr_dev_strict_f1": ev["bc5cdr_dev"]["strict"]["f1"],
            "ncbi_dev_strict_f1": ev["ncbi_dev"]["strict"]["f1"],
            "pooled_strict_f1": pooled["f1"],
        }
        history.append(row)
        _log(f"epoch {epoch:3d} loss {row['loss']:9.2f} | BC5CDR dev F1 {row['bc5cdr_dev_strict_f1']:.4f}"
             f" | NCBI dev F1 {row['ncbi_dev_strict_f1']:.4f} | pooled {pooled['f1']:.4f}"
             f" | {row['train_seconds']:.0f}s+{row['eval_seconds']:.0f}s" + (" *" if improved else ""))
        if improved:
            best = {"epoch": epoch, "pooled_strict": pooled, "bc5cdr_dev": ev["bc5cdr_dev"],
                    "ncbi_dev": ev["ncbi_dev"]}
            bad_epochs = 0
        else:
            bad_epochs += 1
            if bad_epochs >= hp.patience:
                _log(f"early stop: no improvement for {hp.patience} epochs")
                break
    return history, best


def _install(staging: Path, out_dir: Path) -> None:
    """The best epoch becomes the model directory (only a previous model directory is
    replaced), with the model's name, description, sources and licence in its meta.json."""
    if out_dir.exists():
        if any(out_dir.iterdir()) and not (out_dir / "config.cfg").exists():
            raise SystemExit(f"refusing to replace {out_dir}: not a spaCy model directory")
        shutil.rmtree(out_dir)
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    staging.rename(out_dir)
    meta_path = out_dir / "meta.json"
    meta = json.loads(meta_path.read_text())
    meta.update({
        "name": "disease_ner",
        "version": "0.1.0",
        "description": "Disease NER (label DISEASE) trained on BC5CDR train (Disease) + NCBI disease "
        "train; self-contained tok2vec (MultiHashEmbed + MaxoutWindowEncoder), no vectors.",
        "sources": [{"name": "BC5CDR", "citation": CITATIONS["bc5cdr"]},
                    {"name": "NCBI disease corpus", "citation": CITATIONS["ncbi_disease"]}],
        "license": "public-domain training data; see pipeline/train.py",
    })
    meta_path.write_text(json.dumps(meta, indent=2) + "\n")


def _model_description(hp: HyperParams, max_epochs: int) -> dict:
    """The tokenizer, architecture and hyper-parameters, for TRAINING.json."""
    return {
        "tokenizer": "spacy.blank('en') + scispacy.custom_tokenizer.combined_rule_tokenizer",
        "architecture": "spacy.TransitionBasedParser.v2(ner) with own spacy.Tok2Vec.v2 "
        "(MultiHashEmbed.v2 + MaxoutWindowEncoder.v2), no pretrained vectors",
        "hyperparameters": {**asdict(hp), "max_epochs": max_epochs, "optimizer":
                            "Adam (parameter averages used for eval/saving)",
                            "selection": "best epoch by pooled strict F1 over BC5CDR dev + NCBI dev"},
    }


def _dev_scores(final: dict, best: dict, eval_batch_size: int) -> dict:
    """The saved model's scores on both development sets, with and without the abbreviation
    post-processing, for TRAINING.json."""
    return {
        "dev": {
            "bc5cdr_dev": final["bc5cdr_dev"],
            "ncbi_dev": final["ncbi_dev"],
            "pooled_strict": best["pooled_strict"],
            "note": "saved model re-loaded and sourced into spacy.blank('en') + scispaCy "
                    "tokenizer; strict = exact character span match; lenient = overlapping "
                    "spans paired one to one (pipeline.scoring, as pipeline evaluate counts "
                    "them); words_per_second = non-space tokens / wall time of nlp.pipe("
                    f"batch_size={eval_batch_size}) incl. tokenizer, OMP_NUM_THREADS="
                    f"{os.environ.get('OMP_NUM_THREADS', 'unset')}, on a shared 2-core machine",
        },
        "dev_with_abbreviation_propagation": {
            "bc5cdr_dev": final["bc5cdr_dev+abbreviations"],
            "ncbi_dev": final["ncbi_dev+abbreviations"],
            "note": "model + propagate_abbreviations() post-processing (not part of the model)",
        },
    }


def _versions() -> dict:
    import spacy
    import thinc

    import scispacy

    return {"python": platform.python_version(), "spacy": spacy.__version__,
            "scispacy": scispacy.__version__, "thinc": thinc.__version__}


def final_evaluation(model_dir: Path, data: dict, batch_size: int = 64) -> dict:
    """Score the saved model (sourced as the pipeline does) on both development sets."""
    from scispacy.abbreviation import AbbreviationDetector

    nlp = load_disease_ner(model_dir)
    detector = AbbreviationDetector(nlp)
    out = {}
    for key in ("bc5cdr_dev", "ncbi_dev"):
        nlp(data[key][0].text if data[key] else "warm up")  # warm-up outside the timing
        out[key] = evaluate(nlp, data[key], batch_size)
        out[key + "+abbreviations"] = evaluate(
            nlp, data[key], batch_size, postprocess=lambda d: propagate_abbreviations(d, detector))
        _log(f"final {key}: strict {out[key]['strict']} lenient {out[key]['lenient']} "
             f"{out[key]['words_per_second']} words/s; +abbreviations strict "
             f"{out[key + '+abbreviations']['strict']}")
    return out


def propagate_abbreviations(doc, detector=None):
    """Optional post-processing (not part of the model): document-level abbreviation rule.

    Uses scispaCy's Schwartz & Hearst ``AbbreviationDetector``: when the long form of an
    abbreviation defined in the document ends with a predicted DISEASE entity, every
    occurrence of the short form becomes a DISEASE entity (where it overlaps no entity);
    when it does not, entities that are exactly a short form are removed. Scored separately
    from the model in ``TRAINING.json`` ("dev_with_abbreviation_propagation").
    """
    from spacy.tokens import Span
    from spacy.util import filter_spans

    if detector is None:
        from scispacy.abbreviation import AbbreviationDetector

        detector = AbbreviationDetector(SimpleNamespace(vocab=doc.vocab))  # only uses .vocab
    doc._.abbreviations = []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # W036: the detector's global matcher may be empty
        detector(doc)
    ents = list(doc.ents)
    groups: dict[tuple[int, int], list] = {}
    for short in doc._.abbreviations:
        long = short._.long_form
        groups.setdefault((long.start, long.end), []).append(short)
    add, remove = [], set()
    for (ls, le), shorts in groups.items():
        is_disease = any(e.end == le and e.start >= ls and e.label_ == LABEL for e in ents)
        for s in shorts:
            if is_disease:
                if not any(e.start < s.end and s.start < e.end for e in ents):
                    add.append(Span(doc, s.start, s.end, label=LABEL))
            else:
                remove.update((e.start, e.end) for e in ents
                              if e.start == s.start and e.end == s.end and e.label_ == LABEL)
    doc.ents = filter_spans([e for e in ents if (e.start, e.end) not in remove] + add)
    return doc


def load_disease_ner(model_dir: str | os.PathLike = DEFAULT_OUT, name: str = "disease_ner"):
    """A blank scispaCy-tokenized pipeline with the shipped NER sourced in as ``name``."""
    import spacy

    import pipeline.components  # noqa: F401  (a model trained with features names them)

    nlp = make_blank_nlp()
    model = spacy.load(model_dir)
    if any(name in FEATURE_COMPONENTS for name in model.pipe_names):
        add_feature_components(nlp)
    nlp.add_pipe("ner", name=name, source=model)
    return nlp


# --------------------------------------------------------------------------- CLI


def _parse_ints(s: str) -> tuple[int, ...]:
    return tuple(int(x) for x in s.split(","))


def main(argv: Sequence[str] | None = None) -> int:
    d = HyperParams()
    ap = argparse.ArgumentParser(prog="python -m pipeline.train", description=__doc__.split("\n")[0])
    ap.add_argument("--bc5cdr", type=Path, default=DEFAULT_BC5CDR, help="folder with CDR_*.PubTator.txt")
    ap.add_argument("--ncbi", type=Path, default=DEFAULT_NCBI, help="folder with NCBI*_corpus.txt")
    ap.add_argument("--out", type=Path, default=DEFAULT_OUT)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--max-epochs", type=int, default=30)
    ap.add_argument("--patience", type=int, default=d.patience)
    ap.add_argument("--limit", type=int, default=None, help="use only the first N docs of each file")
    ap.add_argument("--width", type=int, default=d.width)
    ap.add_argument("--depth", type=int, default=d.depth)
    ap.add_argument("--window-size", type=int, default=d.window_size)
    ap.add_argument("--embed-rows", type=_parse_ints, default=d.embed_rows,
                    help="rows for NORM,PREFIX,SUFFIX,SHAPE")
    ap.add_argument("--embed", choices=("multihash", "char"), default=d.embed)
    ap.add_argument("--char-nm", type=int, default=d.char_nM)
    ap.add_argument("--char-nc", type=int, default=d.char_nC)
    ap.add_argument("--hidden-width", type=int, default=d.hidden_width)
    ap.add_argument("--beam-width", type=int, default=d.beam_width)
    ap.add_argument("--dropout", type=float, default=d.dropout)
    ap.add_argument("--learn-rate", type=float, default=d.learn_rate)
    ap.add_argument("--batch-words", type=int, default=d.batch_words)
    ap.add_argument("--train-corpora", default="bc5cdr,ncbi",
                    help="comma list of training sets to use (ablation only; default both)")
    ap.add_argument("--lexicon-feature", action="store_true",
                    help="embed the vocabulary's condition mentions as a feature (opt-in; see above)")
    ap.add_argument("--lexicon-dropout", type=float, default=0.0,
                    help="with --lexicon-feature: share of mentions hidden each epoch")
    args = ap.parse_args(argv)

    hp = HyperParams(width=args.width, depth=args.depth, window_size=args.window_size,
                     embed_rows=tuple(args.embed_rows), embed=args.embed,
                     char_nM=args.char_nm, char_nC=args.char_nc, hidden_width=args.hidden_width,
                     beam_width=args.beam_width, dropout=args.dropout, learn_rate=args.learn_rate,
                     batch_words=args.batch_words, patience=args.patience,
                     lexicon_feature=args.lexicon_feature, lexicon_dropout=args.lexicon_dropout)
    if hp.embed == "multihash" and len(hp.embed_rows) != len(hp.embed_attrs):
        ap.error(f"--embed-rows needs {len(hp.embed_attrs)} values")
    train(Corpora(args.bc5cdr, args.ncbi), args.out, hp=hp, seed=args.seed,
          max_epochs=args.max_epochs, limit=args.limit,
          train_corpora=tuple(args.train_corpora.split(",")),
          argv=list(argv) if argv is not None else sys.argv[1:])
    return 0


if __name__ == "__main__":
    sys.exit(main())
