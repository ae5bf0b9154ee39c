"""Accuracy on public corpora: convert, run the pipeline, score, print one table.

    python benchmarks/accuracy.py [--shared ../shared] [--work benchmarks/work]
                                  [--only seeds,webdev,psytar,bc5cdr,ncbi,cadec,tac2017,ade]
                                  [--json FILE]

For each corpus: convert it with ``benchmarks/corpora.py`` into ``<work>/<name>/`` (sources and
gold), run ``python -m pipeline run --corpus <work>/<name>/corpus --out <work>/<name>/outputs
--full``, then score with ``pipeline.evaluate`` under the label mapping that makes the corpus
comparable to this project's labels:

- seeds, webdev (12 web pages of 12 genres), psytar (PsyTAR dev, patient reviews): labels as
  they are (ALL and one row per label), with label accuracy (CONDITION vs ADVERSE_EFFECT of the
  mentions found, matched label-blind) and role accuracy (matched CONDITION pairs).
- psytar is cross-validated: the shipped indication table and lay-term table are learnt from
  PsyTAR dev (``pipeline.train_indications``, ``pipeline.train_terms``), so each of 2 folds of
  its reviews is run with tables built from the other fold only (``PIPELINE_INDICATIONS``,
  ``PIPELINE_LEARNED_TERMS``), and the folds' outputs are scored together.
- bc5cdr, ncbi: CONDITION and ADVERSE_EFFECT merged into DISEASE vs their Disease mentions; DOSE
  dropped.
- cadec: ADVERSE_EFFECT vs ADR; CONDITION vs Disease+Symptom; and both merged (detection of
  any of them, whatever the type).
- tac2017: ADVERSE_EFFECT, then CONDITION and ADVERSE_EFFECT merged, vs the adverse reactions
  of US drug-label sections. The corpus gives each distinct reaction once per section, at one
  offset ("nausea" 11 times in a section, 1 gold row), so recall is the figure.
- ade: DOSE vs the dose spans of ADE-Corpus-V2 that hold a number, then vs all of them
  ("overdose", "high-dose" included). The corpus marks only doses tied to an adverse event, so
  recall is the figure; precision (in parentheses) is not meaningful.

A corpus whose data folder is absent is skipped with a message saying what is missing; a
pipeline failure is reported and the other corpora still run. ``--json`` saves every number
(full evaluation reports and conversion statistics).
"""

from __future__ import annotations

import argparse
import json
import os
import shlex
import shutil
import subprocess
import sys
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
for _p in (str(REPO), str(HERE)):
    if _p not in sys.path:
        sys.path.insert(0, _p)

import corpora  # noqa: E402  (benchmarks/corpora.py, next to this script)

from pipeline.evaluate import evaluate  # noqa: E402

MERGED = {"CONDITION": "DISEASE", "ADVERSE_EFFECT": "DISEASE", "DOSE": None}


@dataclass(frozen=True)
class Scoring:
    """One table row: a label map, the label whose scores are shown, how to describe it."""

    description: str
    label_map: Mapping[str, str | None] | None
    label: str
    recall_only: bool = False


@dataclass(frozen=True)
class Benchmark:
    """A corpus: its converter, where its data lives under --shared, and its rows."""

    name: str
    convert: Callable[[Path, Path], tuple[Path, Path]]
    source: str
    scorings: tuple[Scoring, ...]
    #: > 1: the shipped indication table was trained on this corpus: score it by this many folds
    folds: int = 0


BENCHMARKS: tuple[Benchmark, ...] = (
    Benchmark(
        "seeds",
        corpora.convert_seeds,
        ".",
        (
            Scoring("as is: all labels", None, "ALL"),
            Scoring("as is: CONDITION", None, "CONDITION"),
            Scoring("as is: ADVERSE_EFFECT", None, "ADVERSE_EFFECT"),
            Scoring("as is: DOSE", None, "DOSE"),
        ),
    ),
    Benchmark(
        "webdev",
        corpora.convert_webdev,
        "gold/webdev",
        (
            Scoring("as is: all labels", None, "ALL"),
            Scoring("as is: CONDITION", None, "CONDITION"),
            Scoring("as is: ADVERSE_EFFECT", None, "ADVERSE_EFFECT"),
            Scoring("as is: DOSE", None, "DOSE"),
        ),
    ),
    Benchmark(
        "psytar",
        corpora.convert_psytar,
        "benchmarks/psytar",
        (
            Scoring("as is: all labels", None, "ALL"),
            Scoring("as is: CONDITION", None, "CONDITION"),
            Scoring("as is: ADVERSE_EFFECT", None, "ADVERSE_EFFECT"),
        ),
        folds=2,
    ),
    Benchmark(
        "bc5cdr",
        corpora.convert_bc5cdr,
        "benchmarks/bc5cdr",
        (Scoring("CONDITION+ADVERSE_EFFECT vs Disease", MERGED, "DISEASE"),),
    ),
    Benchmark(
        "ncbi",
        corpora.convert_ncbi,
        "benchmarks/ncbi_disease",
        (Scoring("CONDITION+ADVERSE_EFFECT vs Disease", MERGED, "DISEASE"),),
    ),
    Benchmark(
        "cadec",
        corpora.convert_cadec,
        "benchmarks/cadec_dev",
        (
            Scoring("ADVERSE_EFFECT vs ADR", {"CONDITION": None, "DOSE": None}, "ADVERSE_EFFECT"),
            Scoring("CONDITION vs Disease+Symptom", {"ADVERSE_EFFECT": None, "DOSE": None}, "CONDITION"),
            Scoring("both merged vs ADR+Disease+Symptom", MERGED, "DISEASE"),
        ),
    ),
    Benchmark(
        "tac2017",
        corpora.convert_tac2017,
        "benchmarks/tac2017_adr_train",
        (
            Scoring(
                "ADVERSE_EFFECT vs AdverseReaction", {"CONDITION": None, "DOSE": None}, "ADVERSE_EFFECT", recall_only=True
            ),
            Scoring("CONDITION+ADVERSE_EFFECT vs AdverseReaction", MERGED, "DISEASE", recall_only=True),
        ),
    ),
    Benchmark(
        "ade",
        corpora.convert_ade_doses,
        "benchmarks/ade_corpus_v2",
        (
            Scoring(
                "DOSE vs numeric dose spans",
                {"CONDITION": None, "ADVERSE_EFFECT": None, corpora.QUALITATIVE_DOSE: None},
                "DOSE",
                recall_only=True,
            ),
            Scoring(
                "DOSE vs all dose spans",
                {"CONDITION": None, "ADVERSE_EFFECT": None, corpora.QUALITATIVE_DOSE: "DOSE"},
                "DOSE",
                recall_only=True,
            ),
        ),
    ),
)


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def _run(cmd: list[str], timeout: float | None, env_extra: Mapping[str, str] | None = None) -> str:
    """Run ``cmd`` from the repository with it first on PYTHONPATH; its stdout. Raises on failure."""
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(REPO), env.get("PYTHONPATH", "")) if p)
    env.update(env_extra or {})
    proc = subprocess.run(cmd, cwd=REPO, env=env, capture_output=True, text=True, timeout=timeout)
    if proc.returncode != 0:
        tail = "\n".join((proc.stderr or proc.stdout).strip().splitlines()[-15:])
        raise RuntimeError(f"`{shlex.join(cmd[1:])}` exited with {proc.returncode}:\n{tail}")
    return proc.stdout


def run_pipeline(
    corpus: Path,
    out: Path,
    extra: Sequence[str] = (),
    timeout: float | None = None,
    env_extra: Mapping[str, str] | None = None,
) -> float:
    """``python -m pipeline run --corpus C --out O --full``; seconds taken. Raises on failure."""
    cmd = [sys.executable, "-m", "pipeline", "run", "--corpus", str(corpus), "--out", str(out), "--full", *extra]
    t0 = time.perf_counter()
    stdout = _run(cmd, timeout, env_extra)
    elapsed = time.perf_counter() - t0
    if stdout.strip():
        log(f"  {stdout.strip().splitlines()[-1]}")
    return elapsed


def run_cross_validated(
    bench: Benchmark, src: Path, corpus: Path, out: Path, extra: Sequence[str], timeout: float | None
) -> float:
    """Each fold of ``corpus`` run with an indication table and a lay-term table built without it
    (from ``src``, the annotated corpus), the folds' outputs concatenated into ``out``; seconds of
    the pipeline runs."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    from pipeline.train_indications import fold_of

    seconds = 0.0
    outs = []
    for fold in range(bench.folds):
        base = out.parent / "folds" / str(fold)
        fold_corpus = base / "corpus"
        if fold_corpus.exists():
            shutil.rmtree(fold_corpus)
        fold_corpus.mkdir(parents=True)
        for path in sorted(corpus.iterdir()):
            if path.is_file() and fold_of(path.stem, bench.folds) == fold:
                shutil.copyfile(path, fold_corpus / path.name)
        log(f"  fold {fold}/{bench.folds}: indication and term tables from the other folds ...")
        held_out = ["--reviews", str(src), "--fold", f"{fold}/{bench.folds}"]
        # the term table first: the indication table is learnt from what the pipeline finds with it
        _run([sys.executable, "-m", "pipeline.train_terms", *held_out, "--out", str(base / "learned_terms")], timeout)
        tables = {"PIPELINE_LEARNED_TERMS": str(base / "learned_terms" / "terms.tsv")}
        _run([sys.executable, "-m", "pipeline.train_indications", *held_out, "--out", str(base / "indications")], timeout, tables)
        tables["PIPELINE_INDICATIONS"] = str(base / "indications" / "indications.tsv")
        seconds += run_pipeline(fold_corpus, base / "outputs", extra, timeout, tables)
        outs.append(base / "outputs")
    if out.exists():  # an earlier run's tables (links into its versions) are replaced, not written through
        shutil.rmtree(out)
    out.mkdir(parents=True)
    for name in ("mentions", "doses", "documents"):
        tables = [pq.read_table(fold_out / f"{name}.parquet") for fold_out in outs]
        pq.write_table(pa.concat_tables(tables), out / f"{name}.parquet")
    return seconds


def row_for(name: str, scoring: Scoring, report: dict[str, Any], seconds: float | None) -> dict[str, Any]:
    """One table row (plain numbers) from an evaluation report."""
    strict = report["strict"].get(scoring.label) or report["strict"]["ALL"]
    lenient = report["lenient"].get(scoring.label) or report["lenient"]["ALL"]
    return {
        "corpus": name,
        "mapping": scoring.description,
        "label": scoring.label,
        "recall_only": scoring.recall_only,
        "n_docs": report["n_docs"],
        "n_gold": strict["tp"] + strict["fn"],
        "n_pred": strict["tp"] + strict["fp"],
        "strict": {k: strict[k] for k in ("precision", "recall", "f1")},
        "lenient": {k: lenient[k] for k in ("precision", "recall", "f1")},
        "label_accuracy": report["label"]["accuracy"] if report["label"]["n"] and scoring.label == "ALL" else None,
        "role_accuracy": report["role"]["accuracy"] if report["role"]["n"] and scoring.label == "ALL" else None,
        "seconds": seconds,
    }


def format_table(rows: Sequence[dict[str, Any]]) -> str:
    """The results as one fixed-width table (percentages)."""

    def pct(x: float, hide: bool) -> str:
        s = f"{100 * x:.1f}"
        return f"({s})" if hide else s

    header = ["corpus", "label mapping", "docs", "gold", "pred", "sP", "sR", "sF1", "lP", "lR", "lF1", "label", "role", "time s"]
    body = []
    for r in rows:
        ro = r["recall_only"]
        body.append(
            [
                r["corpus"],
                r["mapping"],
                str(r["n_docs"]),
                str(r["n_gold"]),
                str(r["n_pred"]),
                pct(r["strict"]["precision"], ro),
                pct(r["strict"]["recall"], False),
                pct(r["strict"]["f1"], ro),
                pct(r["lenient"]["precision"], ro),
                pct(r["lenient"]["recall"], False),
                pct(r["lenient"]["f1"], ro),
                "" if r.get("label_accuracy") is None else pct(r["label_accuracy"], False),
                "" if r.get("role_accuracy") is None else pct(r["role_accuracy"], False),
                "" if r["seconds"] is None else f"{r['seconds']:.1f}",
            ]
        )
    widths = [max(len(x) for x in col) for col in zip(header, *body)]
    left = {0, 1}

    def fmt(cells: list[str]) -> str:
        return "  ".join(c.ljust(w) if i in left else c.rjust(w) for i, (c, w) in enumerate(zip(cells, widths)))

    lines = [fmt(header), "  ".join("-" * w for w in widths), *(fmt(b) for b in body)]
    lines.append("s = strict (same span), l = lenient (overlap, one to one); P/R/F1 in %; time = pipeline run.")
    lines.append("label = CONDITION vs ADVERSE_EFFECT right among mentions found (label-blind match); role = of matched CONDITIONs.")
    if any(r["recall_only"] for r in rows):
        lines.append("(x): not meaningful, the corpus marks only some of the mentions: read recall.")
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--shared", type=Path, default=corpora.DEFAULT_SHARED, help="the shared folder (holds benchmarks/, corpus/, gold/)")
    parser.add_argument("--work", type=Path, default=corpora.DEFAULT_WORK, help="where converted corpora and outputs go")
    parser.add_argument("--only", default="", help=f"comma-separated subset of {','.join(b.name for b in BENCHMARKS)}")
    parser.add_argument("--json", type=Path, default=None, help="also save every number to this JSON file")
    parser.add_argument("--skip-run", action="store_true", help="score the existing outputs, do not run the pipeline")
    parser.add_argument("--pipeline-args", default="", help="extra arguments for `pipeline run`, e.g. '--workers 4'")
    parser.add_argument("--timeout", type=float, default=None, help="seconds allowed per pipeline run")
    args = parser.parse_args(argv)

    wanted = [s.strip() for s in args.only.split(",") if s.strip()]
    known = {b.name for b in BENCHMARKS}
    unknown = [w for w in wanted if w not in known]
    if unknown:
        parser.error(f"unknown corpus {', '.join(unknown)}; choose from {', '.join(sorted(known))}")
    selected = [b for b in BENCHMARKS if not wanted or b.name in wanted]
    shared, work = args.shared.resolve(), args.work.resolve()
    extra = shlex.split(args.pipeline_args)

    rows: list[dict[str, Any]] = []
    results: dict[str, Any] = {"shared": str(shared), "work": str(work), "rows": rows, "reports": {}, "conversion": {}, "skipped": {}, "errors": {}}
    for bench in selected:
        src = shared / bench.source
        if not src.exists():
            msg = f"data folder {src} not found"
            log(f"skip {bench.name}: {msg}")
            results["skipped"][bench.name] = msg
            continue
        try:
            corpus_dir, gold = bench.convert(src, work)
        except FileNotFoundError as exc:
            log(f"skip {bench.name}: {exc}")
            results["skipped"][bench.name] = str(exc)
            continue
        stats = corpora.read_stats(gold)
        results["conversion"][bench.name] = stats
        log(
            f"{bench.name}: {stats['n_docs']} docs, {stats['n_mentions']} gold mentions "
            f"({stats['mismatches']} offset mismatches dropped, {stats['skipped_discontinuous']} "
            f"discontinuous skipped)"
        )
        out = work / corpus_dir.parent.name / "outputs"
        seconds: float | None = None
        if not args.skip_run:
            log(f"  running the pipeline on {corpus_dir} ...")
            try:
                if bench.folds > 1:
                    seconds = run_cross_validated(bench, src, corpus_dir, out, extra, args.timeout)
                else:
                    seconds = run_pipeline(corpus_dir, out, extra, args.timeout)
            except (RuntimeError, subprocess.TimeoutExpired) as exc:
                log(f"  FAILED: {exc}")
                results["errors"][bench.name] = str(exc)
                continue
        for scoring in bench.scorings:
            try:
                report = evaluate(gold, out, scoring.label_map)
            except (FileNotFoundError, ValueError) as exc:
                log(f"  cannot score {bench.name} ({scoring.description}): {exc}")
                results["errors"][f"{bench.name}: {scoring.description}"] = str(exc)
                break
            results["reports"][f"{bench.name}: {scoring.description}"] = report
            rows.append(row_for(bench.name, scoring, report, seconds))

    if rows:
        print(format_table(rows))
    else:
        print("no corpus was scored")
    for name, why in {**results["skipped"], **results["errors"]}.items():
        print(f"not scored: {name}: {why.splitlines()[0]}")
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
        log(f"numbers saved to {args.json}")
    return 1 if results["errors"] else 0


if __name__ == "__main__":
    sys.exit(main())
