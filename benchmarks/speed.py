"""Speed and scaling of ``pipeline run``: one command, readable tables, every number in JSON.

    python benchmarks/speed.py [--shared ../shared] [--work benchmarks/work/speed]
                               [--words 1000000] [--json FILE] [--profile]

Builds a corpus of about ``--words`` whitespace-separated words from the public benchmark texts
in ``<shared>/benchmarks`` (BC5CDR train+dev and NCBI-disease titles/abstracts, ADE-Corpus-V2
sentences grouped by PubMed id, CADEC forum posts, TAC 2017 and DailyMed SPL drug-label sections),
packed into ``.txt`` documents of a few hundred to a few thousand words, written under ``--work``
(git-ignored ``benchmarks/work/``; ``../shared`` is only read). Then, every measurement a separate
child process whose wall time and peak memory are taken from outside:

1. throughput (words/s) and peak RSS of ``pipeline run --full`` on that corpus, next to the bare
   tokenizers on the same texts (``spacy.blank("en")`` with scispaCy's ``combined_rule_tokenizer``
   -- the pipeline's tokenizer -- and spaCy's default English tokenizer, through ``nlp.pipe``);
   the ratio pipeline / scispaCy tokenizer (target: >= 50 %);
2. cold start: wall time of ``pipeline run`` over a one-document corpus, and of
   ``python -c "import pipeline.nlp; pipeline.nlp.get_nlp()"`` (with interpreter and
   ``import spacy`` baselines);
3. scaling: a base corpus of ``--words``/16 words repeated 1x, 4x and 16x (copy *c* of a
   document has its paragraphs rotated by *c* and its own name): wall time and peak RSS each;
4. a re-run with nothing changed (no ``--full``) on the full output, against the first run;
5. ``--workers 1`` vs ``--workers 2`` on the same corpus;
6. with ``--profile``: cProfile of ``pipeline run --full`` on ``--profile-words`` words, top
   functions by cumulative and own time, and own time per module;
7. engines (``benchmarks/engines.py``): the local engine (1 process, a pool of 2) and a local
   Dask cluster of 1 and 2 workers on the main corpus, the Dask client's peak memory on the 1x
   and 16x corpora, and how many rows per second the client can write (``--no-engines`` leaves
   this out, ``--only-engines`` measures only this).

Peak RSS is sampled with psutil every ``--interval`` seconds over the child *and all its
descendants* (summed: with ``--workers 2`` that is the parent plus both workers); the kernel's
high-water mark of the largest single process (``wait4`` ``ru_maxrss``) is reported next to it.
The load average is recorded before and after every measurement: on a shared machine the
figures are only comparable between runs made under similar load.

``--words`` scales everything down (``--words 100000`` is a quick run). A missing ``../shared``
(or missing benchmark files) is reported with the paths that were expected; exit status 2.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import platform
import random
import re
import shlex
import shutil
import statistics
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime, timezone
from importlib import metadata
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
DEFAULT_SHARED = REPO.parent / "shared"
DEFAULT_WORK = REPO / "benchmarks" / "work" / "speed"

SEED = 20240611
TARGET_RATIO = 0.5
SCALES = (1, 4, 16)

#: The benchmark files read, relative to <shared>/benchmarks; each is optional but at least one
#: must be present.
SOURCES = {
    "bc5cdr": ["bc5cdr/CDR_TrainingSet.PubTator.txt", "bc5cdr/CDR_DevelopmentSet.PubTator.txt"],
    "ncbi": ["ncbi_disease/NCBItrainset_corpus.txt", "ncbi_disease/NCBIdevelopset_corpus.txt"],
    "ade": ["ade_corpus_v2/DRUG-AE.rel", "ade_corpus_v2/ADE-NEG.txt"],
    "cadec": ["cadec_dev/text"],
    "tac2017": ["tac2017_adr_train/demner-fushman-train-labels.json"],
    "spl": ["us_drug_labels_spl/sections.jsonl"],
}

#: Document size range (words) per source genre: abstracts and forum posts are packed together
#: ("digests", "threads"), label sections into label-sized documents.
DOC_WORDS = {
    "bc5cdr": (300, 3000),
    "ncbi": (300, 3000),
    "ade": (300, 2000),
    "cadec": (300, 1500),
    "tac2017": (800, 4000),
    "spl": (1000, 4000),
}
#: A single unit longer than this is cut at line boundaries.
MAX_UNIT_WORDS = 5000


def log(message: str) -> None:
    print(f"[speed {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def n_words(text: str) -> int:
    return len(text.split())


# --------------------------------------------------------------------------------------------
# corpus


class MissingData(Exception):
    pass


def _pubtator_units(path: Path) -> Iterator[tuple[str, str]]:
    """(pmid, title + "\\n" + abstract) of a PubTator file."""
    title: dict[str, str] = {}
    order: list[str] = []
    abstract: dict[str, str] = {}
    with open(path, encoding="utf-8") as fh:
        for line in fh:
            m = re.match(r"^(\d+)\|([ta])\|(.*)$", line.rstrip("\n"))
            if not m:
                continue
            pmid, kind, text = m.groups()
            if kind == "t":
                title[pmid] = text
                order.append(pmid)
            else:
                abstract[pmid] = text
    for pmid in order:
        yield pmid, f"{title[pmid]}\n{abstract.get(pmid, '')}".strip()


def _ade_units(ae: Path | None, neg: Path | None) -> Iterator[tuple[str, str]]:
    """ADE-Corpus-V2 sentences, de-duplicated and grouped by PubMed id (abstract fragments)."""
    sentences: dict[str, list[tuple[int, str]]] = {}
    seen: set[tuple[str, str]] = set()
    if ae is not None and ae.is_file():
        with open(ae, encoding="utf-8") as fh:
            for line in fh:
                parts = line.rstrip("\n").split("|")
                if len(parts) < 4 or (parts[0], parts[1]) in seen:
                    continue
                seen.add((parts[0], parts[1]))
                offset = int(parts[3]) if parts[3].isdigit() else 10**9
                sentences.setdefault(parts[0], []).append((offset, parts[1]))
    if neg is not None and neg.is_file():
        with open(neg, encoding="utf-8", errors="replace") as fh:
            for line in fh:
                m = re.match(r"^(\d+)\s+NEG\s+(.*)$", line.rstrip("\n"))
                if not m or (m.group(1), m.group(2)) in seen:
                    continue
                seen.add((m.group(1), m.group(2)))
                sentences.setdefault(m.group(1), []).append((10**9, m.group(2)))
    for pmid, rows in sentences.items():
        rows.sort(key=lambda r: r[0])  # stable: NEG sentences keep file order, after the ADE ones
        yield pmid, " ".join(text for _, text in rows)


def _heading(name: str) -> str:
    return name.replace("_", " ").strip().upper()


def _tac_units(path: Path) -> Iterator[tuple[str, str]]:
    for i, row in enumerate(json.loads(path.read_text(encoding="utf-8"))):
        text = (row.get("section_text") or "").strip()
        if text:
            yield f"{row.get('label_id', i)}_{i}", f"{row.get('label_id', '')} -- {_heading(row.get('section_name', ''))}\n\n{text}"


def _spl_units(path: Path) -> Iterator[tuple[str, str]]:
    with open(path, encoding="utf-8") as fh:
        for i, line in enumerate(fh):
            if not line.strip():
                continue
            row = json.loads(line)
            name = ", ".join(row.get("product_names") or row.get("generic_names") or []) or f"label {i}"
            for section, text in (row.get("sections") or {}).items():
                if text and text.strip():
                    yield f"{row.get('document_id', i)}_{section}", f"{name}\n\n{_heading(section)}\n\n{text.strip()}"


def _cadec_units(folder: Path) -> Iterator[tuple[str, str]]:
    for path in sorted(folder.glob("*.txt")):
        text = path.read_text(encoding="utf-8", errors="replace").strip()
        if text:
            yield path.stem, text


def missing_inputs(shared: Path) -> list[Path]:
    bench = shared / "benchmarks"
    return [bench / rel for rels in SOURCES.values() for rel in rels if not (bench / rel).exists()]


def source_units(shared: Path) -> dict[str, list[str]]:
    """Texts per source, in file order; sources whose files are absent are left out."""
    bench = shared / "benchmarks"
    if not bench.is_dir():
        raise MissingData(
            f"{bench} not found: the speed benchmark builds its corpus from the public benchmark "
            f"texts there (expected {', '.join(r for rs in SOURCES.values() for r in rs)}). "
            f"Pass --shared DIR (the folder holding benchmarks/)."
        )

    def present(rel: str) -> Path | None:
        path = bench / rel
        return path if path.exists() else None

    units: dict[str, list[str]] = {}
    seen_pmids: set[str] = set()
    for name in ("bc5cdr", "ncbi"):
        texts = []
        for rel in SOURCES[name]:
            if (path := present(rel)) is not None:
                for pmid, text in _pubtator_units(path):
                    if pmid not in seen_pmids:
                        seen_pmids.add(pmid)
                        texts.append(text)
        units[name] = texts
    ae, neg = (present(rel) for rel in SOURCES["ade"])
    units["ade"] = [t for pmid, t in _ade_units(ae, neg) if pmid not in seen_pmids]
    cadec = present(SOURCES["cadec"][0])
    units["cadec"] = [t for _, t in _cadec_units(cadec)] if cadec else []
    tac = present(SOURCES["tac2017"][0])
    units["tac2017"] = [t for _, t in _tac_units(tac)] if tac else []
    spl = present(SOURCES["spl"][0])
    units["spl"] = [t for _, t in _spl_units(spl)] if spl else []
    units = {name: texts for name, texts in units.items() if texts}
    if not units:
        raise MissingData(
            f"no benchmark texts found under {bench}; expected any of: "
            + ", ".join(str(p) for p in missing_inputs(shared))
        )
    return units


def _split_long(text: str, limit: int = MAX_UNIT_WORDS) -> list[str]:
    if n_words(text) <= limit:
        return [text]
    chunks, current, count = [], [], 0
    for line in text.splitlines(keepends=True):
        current.append(line)
        count += n_words(line)
        if count >= limit * 0.6:
            chunks.append("".join(current).strip())
            current, count = [], 0
    if current and "".join(current).strip():
        chunks.append("".join(current).strip())
    return [c for c in chunks if c]


def pack_documents(units: dict[str, list[str]], rng: random.Random) -> list[tuple[str, str]]:
    """(source, text) documents: consecutive units of one source packed up to a size drawn
    log-uniformly from that source's range, then all documents shuffled (any prefix mixes
    sources in proportion)."""
    docs: list[tuple[str, str]] = []
    for source, texts in units.items():
        low, high = DOC_WORDS.get(source, (300, 3000))
        pieces = [piece for text in texts for piece in _split_long(text)]
        target = _log_uniform(rng, low, high)
        current: list[str] = []
        count = 0
        for piece in pieces:
            current.append(piece)
            count += n_words(piece)
            if count >= target:
                docs.append((source, "\n\n".join(current) + "\n"))
                current, count = [], 0
                target = _log_uniform(rng, low, high)
        if current:
            docs.append((source, "\n\n".join(current) + "\n"))
    rng.shuffle(docs)
    return docs


def _log_uniform(rng: random.Random, low: int, high: int) -> int:
    return int(math.exp(rng.uniform(math.log(low), math.log(high))))


def rotate(text: str, k: int) -> str:
    """The text with its paragraphs (else lines) rotated by ``k``: same content, other order."""
    if k == 0:
        return text
    parts = [p for p in text.strip("\n").split("\n\n")]
    sep = "\n\n"
    if len(parts) < 2:
        parts, sep = text.strip("\n").split("\n"), "\n"
    if len(parts) < 2:
        sentences = re.split(r"(?<=[.!?])\s+", text.strip())
        parts, sep = sentences, " "
    k %= len(parts)
    return sep.join(parts[k:] + parts[:k]) + "\n"


@dataclass
class Doc:
    name: str
    source: str
    text: str

    @property
    def words(self) -> int:
        return n_words(self.text)


def select(docs: Sequence[tuple[str, str]], words: int) -> list[Doc]:
    """Documents in order until ``words`` is reached; when the data runs out, further rounds of
    the same documents, rotated, under new names."""
    chosen: list[Doc] = []
    total = 0
    round_ = 0
    while total < words:
        for i, (source, text) in enumerate(docs):
            if total >= words:
                break
            suffix = f"_r{round_}" if round_ else ""
            doc = Doc(f"{i:05d}_{source}{suffix}", source, rotate(text, round_))
            chosen.append(doc)
            total += doc.words
        round_ += 1
    return chosen


def replicate(base: Sequence[Doc], factor: int) -> list[Doc]:
    return [
        Doc(f"c{copy:02d}_{doc.name}", doc.source, rotate(doc.text, copy))
        for copy in range(factor)
        for doc in base
    ]


def write_corpus(folder: Path, docs: Iterable[Doc]) -> dict[str, Any]:
    """Write ``<name>.txt`` files into ``folder`` (earlier .txt files there removed)."""
    folder.mkdir(parents=True, exist_ok=True)
    for old in folder.glob("*.txt"):
        old.unlink()
    sizes: list[int] = []
    per_source: Counter[str] = Counter()
    n_bytes = 0
    for doc in docs:
        data = doc.text.encode("utf-8")
        (folder / f"{doc.name}.txt").write_bytes(data)
        sizes.append(doc.words)
        per_source[doc.source] += doc.words
        n_bytes += len(data)
    return {
        "path": str(folder),
        "n_docs": len(sizes),
        "words": sum(sizes),
        "bytes": n_bytes,
        "doc_words_min": min(sizes) if sizes else 0,
        "doc_words_median": int(statistics.median(sizes)) if sizes else 0,
        "doc_words_max": max(sizes) if sizes else 0,
        "words_per_source": dict(sorted(per_source.items())),
    }


# --------------------------------------------------------------------------------------------
# measuring a child process


def measure(
    cmd: Sequence[str], log_dir: Path, label: str, interval: float = 0.05, cwd: Path = REPO
) -> dict[str, Any]:
    """Run ``cmd``; wall time, peak RSS of its process tree (sampled) and of its largest single
    process (kernel high-water mark), CPU time, load average before/after, output tails."""
    import psutil

    log_dir.mkdir(parents=True, exist_ok=True)
    out_path, err_path = log_dir / f"{label}.stdout", log_dir / f"{label}.stderr"
    env = dict(os.environ, PYTHONUNBUFFERED="1")
    load_before = os.getloadavg()
    with open(out_path, "wb") as out, open(err_path, "wb") as err:
        start = time.perf_counter()
        proc = subprocess.Popen(list(cmd), cwd=cwd, stdout=out, stderr=err, env=env)
        peak_tree = 0
        peak_root = 0
        peak_procs = 1
        try:
            root = psutil.Process(proc.pid)
        except psutil.NoSuchProcess:
            root = None
        while True:
            pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
            if pid:
                break
            if root is not None:
                rss, count, root_rss = _tree_rss(root)
                if rss > peak_tree:
                    peak_tree = rss
                peak_root = max(peak_root, root_rss)
                peak_procs = max(peak_procs, count)
            # dense samples at first, so that a process shorter than one interval is seen too
            time.sleep(min(interval, 0.005) if time.perf_counter() - start < 0.25 else interval)
        wall = time.perf_counter() - start
        proc.returncode = os.waitstatus_to_exitcode(status)
    stdout = out_path.read_text(encoding="utf-8", errors="replace")
    stderr = err_path.read_text(encoding="utf-8", errors="replace")
    result = {
        "command": shlex.join(str(c) for c in cmd),
        "returncode": proc.returncode,
        "wall_s": wall,
        # sampled: the process tree's summed RSS. The kernel's high-water mark (wait4) is of
        # the largest single process, exact but never below this launcher's own RSS at fork
        # time (Linux keeps ru_maxrss across exec): only a fallback when sampling saw nothing.
        "peak_rss_mb": peak_tree / 2**20 if peak_tree else usage.ru_maxrss / 1024,
        "peak_rss_sampled": bool(peak_tree),
        # the command's own process alone (for `pipeline run --engine dask`: the client, its
        # local cluster's scheduler included, its workers not)
        "peak_rss_client_mb": peak_root / 2**20 if peak_root else usage.ru_maxrss / 1024,
        "peak_rss_single_process_mb": usage.ru_maxrss / 1024,  # Linux: KiB
        "launcher_rss_mb": psutil.Process().memory_info().rss / 2**20,
        "max_processes": peak_procs,
        "cpu_user_s": usage.ru_utime,
        "cpu_sys_s": usage.ru_stime,
        "loadavg_before": list(load_before),
        "loadavg_after": list(os.getloadavg()),
        "stdout_tail": stdout[-2000:],
        "stderr_tail": stderr[-2000:],
    }
    if proc.returncode != 0:
        raise RuntimeError(f"{label}: exit status {proc.returncode}\n{result['command']}\n{stderr[-3000:]}")
    return result


def _tree_rss(root: Any) -> tuple[int, int, int]:
    """Summed RSS of the process tree, its number of processes, and the root's own RSS."""
    import psutil

    total, count, own = 0, 0, 0
    try:
        procs = [root, *root.children(recursive=True)]
    except (psutil.NoSuchProcess, psutil.ZombieProcess, psutil.AccessDenied):
        return 0, 0, 0
    for proc in procs:
        try:
            rss = proc.memory_info().rss
        except (psutil.NoSuchProcess, psutil.ZombieProcess, psutil.AccessDenied):
            continue
        total += rss
        count += 1
        if proc is root:
            own = rss
    return total, count, own


SUMMARY = re.compile(
    r"(?P<n>\d+) sources: (?P<processed>\d+) processed, (?P<skipped>\d+) skipped.*?in (?P<s>[\d.]+) s"
)


def vocabulary_cache_dir() -> Path:
    """Where ``pipeline.vocab.build`` caches the merged vocabulary (same rule, not imported:
    importing it here would load the vocabulary sources into this process)."""
    override = os.environ.get("PIPELINE_CACHE_DIR")
    if override:
        return Path(override).expanduser() / "vocab"
    import platformdirs

    return Path(platformdirs.user_cache_dir("drug-text-pipeline")) / "vocab"


def code_state() -> dict[str, Any]:
    """What a run's speed depends on besides its input: the pipeline's code and data (others
    may be editing them: ``digest`` covers every file under ``pipeline/``, as
    ``pipeline.version`` does for its own files) and the vocabulary cache (a new vocabulary
    version makes the next run rebuild it, which takes tens of seconds)."""
    import hashlib

    digest = hashlib.sha256()
    files = sorted(p for p in (REPO / "pipeline").rglob("*") if p.is_file() and "__pycache__" not in p.parts)
    for path in files:
        try:
            data = path.read_bytes()
        except OSError:  # removed while we looked
            continue
        digest.update(path.relative_to(REPO).as_posix().encode() + b"\0" + data)
    cache = vocabulary_cache_dir()
    entries = []
    if cache.is_dir():
        for path in cache.glob("*.pkl"):
            try:
                entries.append((path.name, path.stat().st_mtime_ns))
            except OSError:
                pass
    return {"digest": digest.hexdigest()[:12], "vocabulary_cache": sorted(entries)}


def stable_measure(
    cmd: Sequence[str], logs: Path, label: str, interval: float = 0.05, retries: int = 2,
    prepare: Any = None, watch: bool = True,
) -> dict[str, Any]:
    """:func:`measure`, made again when the vocabulary cache was (re)built while the command
    ran (by it or by another process: a figure that includes a rebuild of tens of seconds is
    not the pipeline's speed). Up to ``retries`` more attempts; the discarded ones are kept
    under ``discarded``. The pipeline code digest before and after is recorded (``code``,
    ``code_changed_during_run``): with concurrent development, compare only runs of one digest.
    ``prepare()`` is called before every attempt; ``watch=False`` (commands that do not load
    the pipeline) measures once."""
    discarded: list[dict[str, Any]] = []
    for attempt in range(retries + 1):
        if prepare is not None:
            prepare()
        before = code_state() if watch else None
        result = measure(cmd, logs, label if not attempt else f"{label}_retry{attempt}", interval)
        if not watch:
            break
        after = code_state()
        result["code"] = before["digest"]
        result["code_changed_during_run"] = before["digest"] != after["digest"]
        rebuilt = before["vocabulary_cache"] != after["vocabulary_cache"]
        result["vocabulary_cache_rebuilt"] = rebuilt
        if not rebuilt:
            break
        log(f"{label}: the vocabulary cache was (re)built during the run" + (", measuring again" if attempt < retries else ""))
        if attempt < retries:
            discarded.append({k: v for k, v in result.items() if not k.endswith("_tail")})
    result["discarded"] = discarded
    return result


def pipeline_run(
    corpus: Path, out: Path, logs: Path, label: str, *, full: bool = True, workers: int = 1,
    clean: bool = True, interval: float = 0.05, extra: Sequence[str] = (),
) -> dict[str, Any]:
    """``pipeline run`` measured; ``clean`` removes ``out`` first, else (a re-run) every attempt
    starts from the tables ``out`` held before the first one."""
    cmd = [sys.executable, "-m", "pipeline", "run", "--corpus", str(corpus), "--out", str(out)]
    if full:
        cmd.append("--full")
    if workers != 1:
        cmd += ["--workers", str(workers)]
    cmd += list(extra)
    backup = out.with_name(out.name + ".before")
    if not clean and out.exists():
        if backup.exists():
            shutil.rmtree(backup)
        shutil.copytree(out, backup)
    attempts = 0

    def prepare() -> None:
        nonlocal attempts
        if clean and out.exists():
            shutil.rmtree(out)
        elif not clean and attempts and backup.exists():
            shutil.rmtree(out)
            shutil.copytree(backup, out)
        attempts += 1

    try:
        result = stable_measure(cmd, logs, label, interval, prepare=prepare)
    finally:
        if not clean and backup.exists():
            shutil.rmtree(backup)
    m = SUMMARY.search(result["stdout_tail"])
    if m:
        result.update(
            n_sources=int(m["n"]), n_processed=int(m["processed"]), n_skipped=int(m["skipped"]),
            reported_s=float(m["s"]),
        )
    return result


def tokenizer_run(kind: str, corpus: Path, logs: Path, batch_size: int, interval: float) -> dict[str, Any]:
    result_file = logs / f"tokenizer_{kind}.json"
    cmd = [
        sys.executable, str(Path(__file__).resolve()), "_tokenize", "--kind", kind,
        "--corpus", str(corpus), "--batch-size", str(batch_size), "--result", str(result_file),
    ]
    result = stable_measure(cmd, logs, f"tokenizer_{kind}", interval, watch=False)
    result.update(json.loads(result_file.read_text(encoding="utf-8")))
    return result


def tokenize_main(argv: Sequence[str]) -> int:
    """Child process: time ``nlp.pipe`` of a blank English pipeline over the corpus texts."""
    parser = argparse.ArgumentParser(prog="speed.py _tokenize")
    parser.add_argument("--kind", choices=("scispacy", "default"), required=True)
    parser.add_argument("--corpus", type=Path, required=True)
    parser.add_argument("--batch-size", type=int, default=256)
    parser.add_argument("--result", type=Path, required=True)
    args = parser.parse_args(argv)
    t0 = time.perf_counter()
    import spacy

    if args.kind == "scispacy":
        from scispacy.custom_tokenizer import combined_rule_tokenizer
    t1 = time.perf_counter()
    nlp = spacy.blank("en")
    if args.kind == "scispacy":
        nlp.tokenizer = combined_rule_tokenizer(nlp)
    nlp("warm up the tokenizer: 5 mg/kg IL-6.")
    t2 = time.perf_counter()
    texts = [p.read_bytes().decode("utf-8-sig") for p in sorted(args.corpus.rglob("*.txt"))]
    words = sum(n_words(t) for t in texts)
    t3 = time.perf_counter()
    tokens = 0
    for doc in nlp.pipe(texts, batch_size=args.batch_size):
        tokens += len(doc)
    t4 = time.perf_counter()
    args.result.write_text(
        json.dumps(
            {
                "kind": args.kind,
                "import_s": t1 - t0,
                "build_s": t2 - t1,
                "read_s": t3 - t2,
                "pipe_s": t4 - t3,
                "n_docs": len(texts),
                "words": words,
                "tokens": tokens,
                "batch_size": args.batch_size,
                "words_per_s": words / (t4 - t3),
            }
        ),
        encoding="utf-8",
    )
    return 0


# --------------------------------------------------------------------------------------------
# machine


def machine_info() -> dict[str, Any]:
    import psutil

    cpu = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.lower().startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass

    def version(name: str) -> str | None:
        try:
            return metadata.version(name)
        except metadata.PackageNotFoundError:
            return None

    try:
        usable = len(os.sched_getaffinity(0))
    except AttributeError:
        usable = os.cpu_count()
    return {
        "cpu_model": cpu,
        "logical_cores": os.cpu_count(),
        "physical_cores": psutil.cpu_count(logical=False),
        "usable_cores": usable,
        "ram_gb": round(psutil.virtual_memory().total / 2**30, 1),
        "ram_available_gb": round(psutil.virtual_memory().available / 2**30, 1),
        "os": platform.platform(),
        "python": platform.python_version(),
        "python_executable": sys.executable,
        "spacy": version("spacy"),
        "scispacy": version("scispacy"),
        "pyarrow": version("pyarrow"),
        "medspacy": version("medspacy"),
        "pipeline_package": version("drug-text-pipeline"),
        "loadavg_start": list(os.getloadavg()),
        "busy_processes_start": _busy_processes(),
    }


def _busy_processes(threshold: float = 20.0) -> list[dict[str, Any]]:
    """Other processes using > threshold % of a core over one second (e.g. a training job)."""
    import psutil

    procs = []
    for proc in psutil.process_iter(["name"]):
        try:
            proc.cpu_percent(None)
            procs.append(proc)
        except (psutil.NoSuchProcess, psutil.AccessDenied):
            pass
    time.sleep(1.0)
    busy = []
    for proc in procs:
        try:
            share = proc.cpu_percent(None)
        except (psutil.NoSuchProcess, psutil.AccessDenied):
            continue
        if share >= threshold and proc.pid != os.getpid():
            busy.append({"pid": proc.pid, "name": proc.info["name"], "cpu_percent": round(share, 1)})
    return sorted(busy, key=lambda p: -p["cpu_percent"])


# --------------------------------------------------------------------------------------------
# profile


#: Frames of the launcher (interpreter, runpy, typer/click, the CLI entry point): always at the
#: top of a cumulative listing and of no interest; left out of ``top_cumulative``.
LAUNCHER = re.compile(
    r"^(~:0\(<built-in method builtins\.exec>\)|<string>:|<frozen runpy>|typer/|click/|"
    r"pipeline/__main__\.py|pipeline/cli\.py:\d+\(main\)|~:0\(<method 'enable')"
)

IMPORTS = re.compile(r"^(<frozen importlib\._bootstrap|~:0\(<built-in method builtins\.__import__>\))")


def profile_run(corpus: Path, out: Path, logs: Path, prof: Path, interval: float, top: int = 15) -> dict[str, Any]:
    import pstats

    cmd = [
        sys.executable, "-m", "cProfile", "-o", str(prof), "-m", "pipeline", "run",
        "--corpus", str(corpus), "--out", str(out), "--full",
    ]

    def prepare() -> None:
        if out.exists():
            shutil.rmtree(out)

    result = stable_measure(cmd, logs, "profile", interval, prepare=prepare)
    if result.get("vocabulary_cache_rebuilt"):
        log("profile: includes a vocabulary cache rebuild")
    stats = pstats.Stats(str(prof))
    rows = []
    per_module: Counter[str] = Counter()
    for (filename, line, func), (cc, nc, tt, ct, _callers) in stats.stats.items():  # type: ignore[attr-defined]
        where = _short_path(filename)
        name = f"{where}:{line}({func})" if not filename.startswith("~") else f"~:0({func})"
        rows.append({"function": name, "module": _module_of(filename), "ncalls": nc, "tottime_s": tt, "cumtime_s": ct})
        per_module[_module_of(filename)] += tt
    total = sum(per_module.values()) or 1.0
    # importlib's frames nest into each other: one row for all imports instead of a dozen
    imports = [r for r in rows if IMPORTS.match(r["function"])]
    rows = [r for r in rows if not IMPORTS.match(r["function"])]
    if imports:
        rows.append({
            "function": "(all imports: importlib._bootstrap)", "module": "stdlib:importlib",
            "ncalls": max(r["ncalls"] for r in imports), "tottime_s": sum(r["tottime_s"] for r in imports),
            "cumtime_s": max(r["cumtime_s"] for r in imports),
        })
    return {
        "command": result["command"],
        "wall_s": result["wall_s"],
        "total_tottime_s": total,
        "vocabulary_cache_rebuilt": result.get("vocabulary_cache_rebuilt"),
        "prof_file": str(prof),
        "top_cumulative": sorted(
            (r for r in rows if not LAUNCHER.match(r["function"])), key=lambda r: -r["cumtime_s"]
        )[:top],
        "top_tottime": sorted(rows, key=lambda r: -r["tottime_s"])[:top],
        "tottime_by_module": [
            {"module": mod, "tottime_s": tt, "share": tt / total}
            for mod, tt in per_module.most_common(top)
        ],
    }


def _stdlib_dirs() -> list[str]:
    import sysconfig

    paths = sysconfig.get_paths()
    return [paths["stdlib"], paths["platstdlib"]]


def _short_path(filename: str) -> str:
    """``pipeline/...`` for the project, ``package/...`` for site-packages, ``stdlib:...``."""
    if filename.startswith("~") or filename.startswith("<"):
        return filename
    path = filename.replace("\\", "/")
    if "/site-packages/" in path:
        return path.split("/site-packages/", 1)[1]
    try:
        return str(Path(path).resolve().relative_to(REPO))
    except ValueError:
        pass
    for stdlib in _stdlib_dirs():
        if path.startswith(stdlib + "/"):
            return "stdlib:" + path[len(stdlib) + 1:]
    return path


def _module_of(filename: str) -> str:
    """Who owns a function: ``pipeline.<module>``, a site-package, ``stdlib:<module>``, C."""
    if filename == "~":
        return "(C builtins)"
    if filename.startswith("<frozen "):
        return "stdlib:" + filename[len("<frozen "):].rstrip(">")
    if filename.startswith("<"):
        return filename
    short = _short_path(filename)
    if short.startswith("pipeline/"):
        return short[:-3].replace("/", ".") if short.endswith(".py") else short
    if short.startswith("stdlib:"):
        return short.split("/", 1)[0].removesuffix(".py")
    return short.split("/", 1)[0].removesuffix(".py")  # site-package (or a Cython .pyx path)


# --------------------------------------------------------------------------------------------
# tables


def table(title: str, header: Sequence[str], rows: Iterable[Sequence[Any]]) -> str:
    cells = [[str(h) for h in header]] + [[_fmt(c) for c in row] for row in rows]
    widths = [max(len(r[i]) for r in cells) for i in range(len(header))]
    lines = [title, "-" * len(title)]
    for n, row in enumerate(cells):
        lines.append("  ".join(c.ljust(w) if i == 0 else c.rjust(w) for i, (c, w) in enumerate(zip(row, widths))))
        if n == 0:
            lines.append("  ".join("-" * w for w in widths))
    return "\n".join(lines)


def _fmt(value: Any) -> str:
    if isinstance(value, float):
        if value >= 1000:
            return f"{value:,.0f}"
        if value >= 100:
            return f"{value:.0f}"
        if value >= 10:
            return f"{value:.1f}"
        return f"{value:.2f}"
    if isinstance(value, int):
        return f"{value:,}"
    return str(value)


def _load(r: dict[str, Any]) -> str:
    return f"{r['loadavg_before'][0]:.1f}/{r['loadavg_after'][0]:.1f}"


def report(results: dict[str, Any]) -> str:
    parts = [f"command: {results['command']}  (cwd {results['cwd']})"]
    m = results["machine"]
    parts.append(
        table(
            "Machine",
            ["", ""],
            [
                ["CPU", m["cpu_model"]],
                ["cores (logical / physical / usable)", f"{m['logical_cores']} / {m['physical_cores']} / {m['usable_cores']}"],
                ["RAM", f"{m['ram_gb']} GB ({m['ram_available_gb']} GB available)"],
                ["Python / spaCy / scispaCy / pyarrow", f"{m['python']} / {m['spacy']} / {m['scispacy']} / {m['pyarrow']}"],
                ["load average at start (1/5/15 min)", " / ".join(f"{x:.2f}" for x in m["loadavg_start"])],
                ["load average at end", " / ".join(f"{x:.2f}" for x in results.get("loadavg_end", [0, 0, 0]))],
                ["busy processes at start", ", ".join(f"{p['name']} {p['cpu_percent']:.0f}%" for p in m["busy_processes_start"]) or "none"],
            ],
        )
    )
    c = results.get("corpus")
    if c:
        parts.append(
            table(
                "Corpus",
                ["corpus", "docs", "words", "MB", "words/doc min", "median", "max"],
                [
                    [name, v["n_docs"], v["words"], v["bytes"] / 2**20, v["doc_words_min"], v["doc_words_median"], v["doc_words_max"]]
                    for name, v in c.items()
                    if isinstance(v, dict) and "n_docs" in v
                ],
            )
            + "\nwords per source (main corpus): "
            + ", ".join(f"{k} {v:,}" for k, v in c["main"]["words_per_source"].items())
        )
    t = results.get("throughput")
    if t:
        p = t["pipeline"]
        rows = [
            ["pipeline run --full (end to end)", p["words_per_s"], p["wall_s"], p["peak_rss_mb"], _load(p)],
            ["pipeline run --full (minus start-up)", p["words_per_s_steady"] or "-", p["wall_s"] - p["startup_s"], None, ""],
        ]
        for kind in ("scispacy", "default"):
            k = t[f"tokenizer_{kind}"]
            label = "scispaCy combined_rule_tokenizer" if kind == "scispacy" else "spaCy default English tokenizer"
            rows.append([f"{label} (nlp.pipe)", k["words_per_s"], k["pipe_s"], k["peak_rss_mb"], _load(k)])
        parts.append(
            table(
                f"1. Throughput on {t['words']:,} words ({t['n_docs']:,} documents)",
                ["", "words/s", "seconds", "peak RSS MB", "load"],
                [[r[0], r[1], r[2], "-" if r[3] is None else r[3], r[4]] for r in rows],
            )
            + f"\nratio pipeline / scispaCy tokenizer: {t['ratio']:.1%} end to end, "
            + (f"{t['ratio_steady']:.1%}" if t["ratio_steady"] else "- (corpus too small)")
            + f" minus start-up (target >= {TARGET_RATIO:.0%}: "
            f"{'met' if t['ratio'] >= TARGET_RATIO else 'NOT met'}); pipeline / default tokenizer: "
            f"{t['ratio_default']:.1%}"
        )
    cs = results.get("cold_start")
    if cs:
        rows = []
        for key, label in (
            ("python", "python -c pass"),
            ("import_spacy", "python -c 'import spacy'"),
            ("get_nlp", "python -c 'import pipeline.nlp; pipeline.nlp.get_nlp()'"),
            ("one_doc_run", f"pipeline run --full, 1 document ({cs['one_doc_words']} words)"),
        ):
            v = cs[key]
            rows.append([label, v["median_s"], v["min_s"], v["max_s"], v["peak_rss_mb"]])
        parts.append(
            table(
                f"2. Cold start (seconds, {cs['repeats']} runs each)",
                ["", "median", "min", "max", "peak RSS MB"],
                rows,
            )
        )
    sc = results.get("scaling")
    if sc:
        rows = [
            [f"{p['factor']}x", p["n_docs"], p["words"], p["wall_s"], p["wall_s"] / sc["points"][0]["wall_s"], p["words_per_s"], p["peak_rss_mb"], _load(p)]
            for p in sc["points"]
        ]
        parts.append(
            table(
                f"3. Scaling (base {sc['base_words']:,} words, pipeline run --full)",
                ["", "docs", "words", "seconds", "time / 1x", "words/s", "peak RSS MB", "load"],
                rows,
            )
            + f"\nmarginal throughput 1x->16x: {sc['marginal_words_per_s']:,.0f} words/s; "
            f"time 16x / 1x = {sc['time_ratio_max']:.2f} (16 if perfectly linear with no start-up); "
            f"peak RSS 16x / 1x = {sc['rss_ratio_max']:.2f} (1 = flat)"
        )
    rr = results.get("rerun")
    if rr:
        parts.append(
            table(
                "4. Re-run with nothing changed (same corpus and output, no --full)",
                ["", "seconds", "peak RSS MB", "processed", "skipped", "load"],
                [
                    ["first run (--full)", rr["first_wall_s"], rr["first_peak_rss_mb"], rr["first_processed"], 0, ""],
                    ["re-run", rr["wall_s"], rr["peak_rss_mb"], rr.get("n_processed", "?"), rr.get("n_skipped", "?"), _load(rr)],
                ],
            )
            + f"\nre-run / first run: {rr['ratio']:.1%} of the time"
        )
    w = results.get("workers")
    if w:
        rows = [
            [f"--workers {n}", v["wall_s"], v["words_per_s"], v["peak_rss_mb"], v["peak_rss_single_process_mb"], v["max_processes"], _load(v)]
            for n, v in sorted(w["runs"].items())
        ]
        parts.append(
            table(
                f"5. Workers on {w['words']:,} words (pipeline run --full)",
                ["", "seconds", "words/s", "peak RSS MB (all)", "largest process MB", "processes", "load"],
                rows,
            )
            + f"\nspeed-up 2 vs 1 workers: {w['speedup']:.2f}x (runs back to back"
            + ("" if w["same_code"] else "; NOTE: the pipeline code changed between them") + ")"
        )
    pr = results.get("profile")
    if pr:
        parts.append(
            table(
                f"6. Profile ({pr['words']:,} words, cProfile, {pr['wall_s']:.0f} s): top by cumulative "
                "time (launcher frames left out)",
                ["function", "ncalls", "own s", "cumulative s"],
                [[r["function"], r["ncalls"], r["tottime_s"], r["cumtime_s"]] for r in pr["top_cumulative"]],
            )
        )
        parts.append(
            table(
                "   top by own time",
                ["function", "ncalls", "own s", "cumulative s"],
                [[r["function"], r["ncalls"], r["tottime_s"], r["cumtime_s"]] for r in pr["top_tottime"]],
            )
        )
        parts.append(
            table(
                "   own time by module",
                ["module", "own s", "share"],
                [[r["module"], r["tottime_s"], f"{r['share']:.1%}"] for r in pr["tottime_by_module"]],
            )
        )
    e = results.get("engines")
    if e:
        from engines import report_engines

        parts.extend(report_engines(e, table, _load))
    notes = _notes(results)
    if notes:
        parts.append("Notes\n-----\n" + "\n".join(f"- {n}" for n in notes))
    return "\n\n".join(parts)


def _measured_runs(node: Any, path: str = "") -> Iterator[tuple[str, dict[str, Any]]]:
    if isinstance(node, dict):
        if "command" in node and "wall_s" in node and "code" in node:
            yield path, node
        for key, value in node.items():
            if key not in ("discarded", "discarded_reruns"):
                yield from _measured_runs(value, f"{path}.{key}" if path else key)
    elif isinstance(node, list):
        for i, value in enumerate(node):
            yield from _measured_runs(value, f"{path}[{i}]")


def _notes(results: dict[str, Any]) -> list[str]:
    """What may make figures less comparable: code edits during the benchmark, retries."""
    notes = []
    code = results.get("code", {})
    if code.get("start") and code.get("end") and code["start"] != code["end"]:
        notes.append(
            f"the pipeline code changed during the benchmark (digest {code['start']} -> {code['end']}); "
            "each run's digest is in the JSON (`code`)"
        )
    changed = [path for path, run in _measured_runs(results) if run.get("code_changed_during_run")]
    if changed:
        notes.append("code edited while running (already-imported code unaffected): " + ", ".join(changed))
    retried = [path for path, run in _measured_runs(results) if run.get("discarded")]
    if retried:
        notes.append("measured again after a vocabulary cache rebuild: " + ", ".join(retried))
    rebuilt = [path for path, run in _measured_runs(results) if run.get("vocabulary_cache_rebuilt")]
    if rebuilt:
        notes.append("STILL includes a vocabulary cache rebuild (not representative): " + ", ".join(rebuilt))
    rr = results.get("rerun")
    if rr and rr.get("discarded_reruns"):
        notes.append(
            f"re-run measured {len(rr['discarded_reruns']) + 1} times: the pipeline code changed after "
            "the tables were written, so earlier re-runs re-extracted everything"
        )
    if rr and not rr.get("nothing_changed", True):
        notes.append("the re-run still re-extracted sources: its time is NOT the nothing-changed time")
    return notes


# --------------------------------------------------------------------------------------------
# main


def _summary(runs: list[dict[str, Any]]) -> dict[str, Any]:
    walls = [r["wall_s"] for r in runs]
    return {
        "median_s": statistics.median(walls),
        "min_s": min(walls),
        "max_s": max(walls),
        "peak_rss_mb": max(r["peak_rss_mb"] for r in runs),
        "runs": runs,
    }


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv[:1] == ["_tokenize"]:
        return tokenize_main(argv[1:])
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--shared", type=Path, default=DEFAULT_SHARED, help="folder holding benchmarks/ (read only)")
    parser.add_argument("--work", type=Path, default=DEFAULT_WORK, help="where corpora, outputs and logs go")
    parser.add_argument("--words", type=int, default=1_000_000, help="size of the main corpus (scaling base = words/16)")
    parser.add_argument("--json", type=Path, default=None, help="write every number here (default <work>/speed.json)")
    parser.add_argument("--batch-size", type=int, default=256, help="nlp.pipe batch size of the tokenizer runs")
    parser.add_argument("--repeats", type=int, default=3, help="runs per cold-start measurement")
    parser.add_argument("--interval", type=float, default=0.05, help="RSS sampling interval, seconds")
    parser.add_argument("--profile", action="store_true", help="also profile pipeline run with cProfile")
    parser.add_argument("--profile-words", type=int, default=100_000, help="corpus size of the profile run")
    engines = parser.add_mutually_exclusive_group()
    engines.add_argument("--no-engines", action="store_true", help="leave out section 7 (engines, Dask)")
    engines.add_argument("--only-engines", action="store_true", help="only section 7 (engines, Dask)")
    parser.add_argument(
        "--engine-rounds", type=int, default=1,
        help="section 7: rounds of the four engine runs, alternating; the fastest of each is reported",
    )
    args = parser.parse_args(argv)
    if args.words < 16:
        parser.error("--words must be at least 16")

    try:
        import psutil  # noqa: F401
    except ImportError:
        print("error: psutil is required (it is in the project's virtualenv)", file=sys.stderr)
        return 2
    shared = args.shared.resolve()
    work = args.work.resolve()
    json_path = (args.json or work / "speed.json").resolve()
    started = time.perf_counter()
    results: dict[str, Any] = {
        "command": shlex.join([sys.executable, *sys.argv]),
        "argv": argv,
        "cwd": os.getcwd(),
        "started_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "settings": {
            "words": args.words, "scales": list(SCALES), "batch_size": args.batch_size,
            "repeats": args.repeats, "rss_interval_s": args.interval, "seed": SEED,
        },
    }

    def save() -> None:
        json_path.parent.mkdir(parents=True, exist_ok=True)
        json_path.write_text(json.dumps(results, indent=2, sort_keys=False), encoding="utf-8")

    try:
        units = source_units(shared)
    except MissingData as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    absent = missing_inputs(shared)
    if absent:
        log("missing (skipped): " + ", ".join(str(p) for p in absent))

    log("machine info (1 s CPU sample of other processes)")
    results["machine"] = machine_info()
    results["code"] = {"start": code_state()["digest"], "vocabulary_cache_dir": str(vocabulary_cache_dir())}
    results["missing_inputs"] = [str(p) for p in absent]
    logs = work / "logs"
    work.mkdir(parents=True, exist_ok=True)

    # corpora ------------------------------------------------------------------------------
    rng = random.Random(SEED)
    docs = pack_documents(units, rng)
    main_docs = select(docs, args.words)
    base_docs = select(docs, max(1, args.words // SCALES[-1]))
    one_doc = min(main_docs[: min(20, len(main_docs))], key=lambda d: abs(d.words - 500))
    log(f"writing corpora under {work}")
    corpus = {
        "available_words": sum(n_words(t) for _, t in docs),
        "available_docs": len(docs),
        "main": write_corpus(work / "corpus", main_docs),
        "one_doc": write_corpus(work / "corpus_1doc", [one_doc]),
    }
    for factor in SCALES:
        corpus[f"scale_{factor}x"] = write_corpus(work / f"corpus_{factor}x", replicate(base_docs, factor))
    results["corpus"] = corpus
    save()

    try:
        measure_all(args, work, logs, docs, corpus, one_doc, results, save)
    except RuntimeError as error:  # a child failed: keep what was measured, say which one
        results["error"] = str(error)
        save()
        print(f"error: {error}\npartial results: {json_path}", file=sys.stderr)
        return 1
    results["loadavg_end"] = list(os.getloadavg())
    results["code"]["end"] = code_state()["digest"]
    results["total_s"] = time.perf_counter() - started
    results["finished_at"] = datetime.now(timezone.utc).isoformat(timespec="seconds")
    save()
    print(report(results))
    print(f"\nall numbers: {json_path} (total {results['total_s'] / 60:.1f} min)")
    return 0


def measure_all(
    args: argparse.Namespace, work: Path, logs: Path, docs: list[tuple[str, str]],
    corpus: dict[str, Any], one_doc: Doc, results: dict[str, Any], save: Any,
) -> None:
    """Sections 1-7, each saved to the JSON as soon as it is measured."""
    if not args.only_engines:
        measure_local(args, work, logs, docs, corpus, one_doc, results, save)
    if not args.no_engines:
        from engines import measure_engines

        log("engines: warm-up run (not counted)")
        pipeline_run(work / "corpus_1doc", work / "out_1doc", logs, "warmup_engines", interval=args.interval)
        results["engines"] = measure_engines(
            pipeline_run, stable_measure, work, logs, corpus, args.interval, log, rounds=args.engine_rounds
        )
        save()


def measure_local(
    args: argparse.Namespace, work: Path, logs: Path, docs: list[tuple[str, str]],
    corpus: dict[str, Any], one_doc: Doc, results: dict[str, Any], save: Any,
) -> None:
    """Sections 1-6 (the local engine), each saved to the JSON as soon as it is measured."""
    words = corpus["main"]["words"]

    # cold start (first: it also warms the vocabulary cache and the page cache) -------------------
    cold: dict[str, Any] = {"repeats": args.repeats, "one_doc_words": one_doc.words}
    probes = {
        "python": [sys.executable, "-c", "pass"],
        "import_spacy": [sys.executable, "-c", "import spacy"],
        "get_nlp": [sys.executable, "-c", "import pipeline.nlp; pipeline.nlp.get_nlp()"],
    }
    log("cold start: warm-up run (not counted)")
    pipeline_run(work / "corpus_1doc", work / "out_1doc", logs, "warmup", interval=args.interval)
    for key, cmd in probes.items():
        log(f"cold start: {key}")
        cold[key] = _summary(
            [
                stable_measure(cmd, logs, f"cold_{key}_{i}", args.interval, watch=key == "get_nlp")
                for i in range(args.repeats)
            ]
        )
    log("cold start: pipeline run on one document")
    cold["one_doc_run"] = _summary(
        [
            pipeline_run(work / "corpus_1doc", work / "out_1doc", logs, f"cold_one_doc_{i}", interval=args.interval)
            for i in range(args.repeats)
        ]
    )
    results["cold_start"] = cold
    save()

    # throughput ------------------------------------------------------------------------------
    startup = cold["one_doc_run"]["median_s"]
    tok = {}
    for kind in ("scispacy", "default"):
        log(f"throughput: {kind} tokenizer on {words:,} words")
        tok[kind] = tokenizer_run(kind, work / "corpus", logs, args.batch_size, args.interval)
    log(f"throughput: pipeline run --full on {words:,} words")
    full = pipeline_run(work / "corpus", work / "out", logs, "throughput", interval=args.interval)
    full["words"] = words
    full["words_per_s"] = words / full["wall_s"]
    full["startup_s"] = startup
    steady = full["wall_s"] - startup
    full["words_per_s_steady"] = words / steady if steady > 0.1 * full["wall_s"] else None
    results["throughput"] = {
        "words": words,
        "n_docs": corpus["main"]["n_docs"],
        "pipeline": full,
        "tokenizer_scispacy": tok["scispacy"],
        "tokenizer_default": tok["default"],
        "ratio": full["words_per_s"] / tok["scispacy"]["words_per_s"],
        "ratio_steady": (
            full["words_per_s_steady"] / tok["scispacy"]["words_per_s"] if full["words_per_s_steady"] else None
        ),
        "ratio_default": full["words_per_s"] / tok["default"]["words_per_s"],
        "target_ratio": TARGET_RATIO,
    }
    results["throughput"]["meets_target"] = results["throughput"]["ratio"] >= TARGET_RATIO
    save()

    # re-run with nothing changed --------------------------------------------------------------
    # "Nothing changed" includes the code: when the pipeline was edited since the tables were
    # written (pipeline_version differs), the re-run re-extracts everything -- which brings the
    # tables up to date, so the re-run is then measured again (at most twice more).
    log("re-run with nothing changed")
    updates = []
    for attempt in range(3):
        rerun = pipeline_run(
            work / "corpus", work / "out", logs, f"rerun_{attempt}", full=False, clean=False, interval=args.interval
        )
        if rerun.get("n_processed") == 0:
            break
        log(f"re-run: {rerun.get('n_processed')} sources re-extracted (the pipeline code changed since "
            f"the tables were written), measuring again")
        updates.append({k: v for k, v in rerun.items() if not k.endswith("_tail")})
    rerun.update(
        first_wall_s=full["wall_s"], first_peak_rss_mb=full["peak_rss_mb"],
        first_processed=full.get("n_processed", corpus["main"]["n_docs"]),
        ratio=rerun["wall_s"] / full["wall_s"],
        nothing_changed=rerun.get("n_processed") == 0,
        discarded_reruns=updates,
    )
    results["rerun"] = rerun
    save()

    # workers (back to back, so both see the same code and about the same load) ---------------
    runs = {}
    for n in (1, 2):
        log(f"workers: --workers {n} on {words:,} words")
        r = pipeline_run(work / "corpus", work / f"out_w{n}", logs, f"full_w{n}", workers=n, interval=args.interval)
        r["words_per_s"] = words / r["wall_s"]
        runs[str(n)] = r
    results["workers"] = {
        "words": words,
        "runs": runs,
        "speedup": runs["1"]["wall_s"] / runs["2"]["wall_s"],
        "same_code": runs["1"].get("code") == runs["2"].get("code"),
    }
    save()

    # scaling ----------------------------------------------------------------------------------
    points = []
    for factor in SCALES:
        c = corpus[f"scale_{factor}x"]
        log(f"scaling: {factor}x ({c['words']:,} words)")
        r = pipeline_run(work / f"corpus_{factor}x", work / f"out_{factor}x", logs, f"scale_{factor}x", interval=args.interval)
        r.update(factor=factor, words=c["words"], n_docs=c["n_docs"], words_per_s=c["words"] / r["wall_s"])
        points.append(r)
    first, last = points[0], points[-1]
    results["scaling"] = {
        "base_words": corpus["scale_1x"]["words"],
        "points": points,
        "time_ratio_max": last["wall_s"] / first["wall_s"],
        "rss_ratio_max": last["peak_rss_mb"] / first["peak_rss_mb"],
        "marginal_words_per_s": (last["words"] - first["words"]) / max(last["wall_s"] - first["wall_s"], 1e-9),
    }
    save()

    # profile ----------------------------------------------------------------------------------
    if args.profile:
        prof_docs = select(docs, min(args.profile_words, args.words))
        info = write_corpus(work / "corpus_profile", prof_docs)
        log(f"profile: cProfile of pipeline run on {info['words']:,} words")
        results["profile"] = profile_run(
            work / "corpus_profile", work / "out_profile", logs, work / "profile.prof", args.interval
        )
        results["profile"]["words"] = info["words"]
        save()


if __name__ == "__main__":
    sys.exit(main())
