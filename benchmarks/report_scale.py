"""How the review report scales: build it for a synthetic N-source output folder, measure the
build (time, peak memory), the pages (sizes, file count) and how long a headless chromium takes
to open them.

The synthetic tables are real rows repeated: the template is the output of a real run (by
default `pipeline run` on corpus/ and ../shared/gold/webdev/texts, 17 sources, 12 subjects), and
source ``k`` is a copy of template source ``k mod T`` under a new doc id. So that the summary has
as many sections as a large real corpus would, each copy is given a subject drawn from a pool of
``--substances`` synthetic substances (Zipf weights: a few substances have most sources), and its
statements about the template's subject are re-attributed to it. Statement counts, texts and
doses are those of the real sources.

    python benchmarks/report_scale.py --sources 10000 [--substances 400] [--json out.json]

Results for 10,000 sources are in BENCHMARKS.md ("Review report").
"""

from __future__ import annotations

import argparse
import json
import resource
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "benchmarks"))

from pipeline import schema  # noqa: E402
from pipeline.versions import snapshot  # noqa: E402


def template_run(work: Path, shared: Path) -> Path:
    """Outputs of `pipeline run` on the seed corpus and the web development pages."""
    corpus = work / "template-corpus"
    out = work / "template-outputs"
    if (out / "current").exists():
        return out
    shutil.rmtree(corpus, ignore_errors=True)
    shutil.copytree(REPO / "corpus", corpus)
    webdev = shared / "gold" / "webdev" / "texts"
    if webdev.is_dir():
        for path in webdev.iterdir():
            shutil.copy(path, corpus / path.name)
    subprocess.run([sys.executable, "-m", "pipeline", "run", "--corpus", str(corpus), "--out", str(out)], check=True, cwd=REPO)
    return out


def synthesize(template: Path, out: Path, n_sources: int, n_substances: int, seed: int = 0) -> dict:
    """Write an output folder of ``n_sources`` sources made from the template's rows."""
    base = snapshot(template)
    assert base is not None, f"no tables in {template}"
    shutil.rmtree(out, ignore_errors=True)
    out.mkdir(parents=True)
    documents = pq.read_table(base / "documents.parquet")
    ok = documents.filter(pc.equal(documents["status"], "ok"))
    doc_ids = ok["doc_id"].to_pylist()
    subjects = ok["subject_id"].to_pylist()
    by_doc = {
        name: _split(pq.read_table(base / f"{name}.parquet"), doc_ids)
        for name in ("sentences", "mentions", "doses")
    }
    rng = np.random.default_rng(seed)
    weights = 1.0 / np.arange(1, n_substances + 1)
    drawn = rng.choice(n_substances, size=n_sources, p=weights / weights.sum())
    writers = {
        name: pq.ParquetWriter(out / f"{name}.parquet", schema.with_metadata(name))
        for name in ("documents", "sentences", "mentions", "doses")
    }
    doc_rows = {d: r for d, r in zip(doc_ids, ok.to_pylist())}
    n_mentions = 0
    pending: dict[str, list[pa.Table]] = {name: [] for name in writers}

    def flush() -> None:  # row groups of many sources, as `pipeline run` writes them
        for name, parts in pending.items():
            if parts:
                writers[name].write_table(pa.concat_tables([part.cast(writers[name].schema) for part in parts]))
                parts.clear()

    for k in range(n_sources):
        if k and k % 500 == 0:
            flush()
        template_id = doc_ids[k % len(doc_ids)]
        new_id = f"synthetic/{k:05d}_{template_id}"
        subject_id = f"LOCAL:synthetic-{drawn[k]:04d}"
        subject_name = f"Substance {drawn[k]:04d}"
        old_subject = subjects[k % len(doc_ids)]
        row = dict(doc_rows[template_id], doc_id=new_id, source=f"{new_id}.txt", subject_id=subject_id, subject_name=subject_name)
        pending["documents"].append(pa.Table.from_pylist([row], schema=writers["documents"].schema))
        sentences = by_doc["sentences"][template_id]
        pending["sentences"].append(_set(sentences, "doc_id", new_id))
        mentions = by_doc["mentions"][template_id]
        if len(mentions):
            ids = [f"{new_id}:{s}-{e}:{label}" for s, e, label in zip(
                mentions["start"].to_pylist(), mentions["end"].to_pylist(), mentions["label"].to_pylist())]
            is_subject = pc.fill_null(pc.equal(mentions["substance_id"], old_subject or ""), False)
            mentions = _set(mentions, "doc_id", new_id)
            mentions = mentions.set_column(0, "mention_id", pa.array(ids, pa.string()))
            for column, value in (("substance_id", subject_id), ("substance_name", subject_name)):
                index = mentions.schema.get_field_index(column)
                mentions = mentions.set_column(index, column, pc.if_else(is_subject, value, mentions[column]))
            pending["mentions"].append(mentions)
            n_mentions += len(mentions)
        doses = by_doc["doses"][template_id]
        if len(doses):
            ids = [f"{new_id}{m[len(template_id):]}" for m in doses["mention_id"].to_pylist()]
            doses = _set(doses, "doc_id", new_id).set_column(0, "mention_id", pa.array(ids, pa.string()))
            pending["doses"].append(doses)
    flush()
    for writer in writers.values():
        writer.close()
    for name in ("tokens", "concepts", "runs"):
        source = base / f"{name}.parquet"
        if name == "tokens":
            pq.write_table(schema.empty_table("tokens"), out / "tokens.parquet")
        else:
            shutil.copy(source, out / f"{name}.parquet")
    (out / "_manifest.json").write_text(json.dumps({"sources": {}}), encoding="utf-8")
    return {"sources": n_sources, "substances_drawn": int(len(set(drawn.tolist()))), "mentions": n_mentions,
            "template_sources": len(doc_ids), "tables_mb": round(_size(out) / 1e6, 1)}


def _split(table: pa.Table, doc_ids: list[str]) -> dict[str, pa.Table]:
    order = pc.sort_indices(table, [("doc_id", "ascending")])
    table = table.take(order)
    found = {}
    for doc_id in doc_ids:
        found[doc_id] = table.filter(pc.equal(table["doc_id"], doc_id))
    return found


def _set(table: pa.Table, column: str, value: str) -> pa.Table:
    index = table.schema.get_field_index(column)
    return table.set_column(index, column, pa.array([value] * len(table), pa.string()))


def _size(path: Path) -> int:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())


def build(out: Path) -> dict:
    """Time `pipeline report` on ``out`` (a child process, so its peak memory is its own)."""
    started = time.perf_counter()
    proc = subprocess.run([sys.executable, "-m", "pipeline", "report", "--out", str(out)],
                          capture_output=True, text=True, cwd=REPO)
    seconds = time.perf_counter() - started
    if proc.returncode:
        raise SystemExit(proc.stderr)
    peak_kb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    files = out / "report_files"
    return {
        "seconds": round(seconds, 1),
        "peak_rss_mb": round(peak_kb / 1024),
        "summary_kb": round((out / "report.html").stat().st_size / 1024),
        "files_mb": round(_size(files) / 1e6, 1),
        "n_files": sum(1 for p in files.rglob("*") if p.is_file()),
        "largest": _largest(files),
        "line": proc.stdout.strip(),
    }


def _largest(files: Path) -> dict:
    found = {}
    for kind in ("sources", "substances", "evidence"):
        pages = list((files / kind).rglob("*.html"))
        if pages:
            page = max(pages, key=lambda p: p.stat().st_size)
            found[kind] = {"page": str(page.relative_to(files)), "kb": round(page.stat().st_size / 1024)}
    found["sources.html"] = {"page": "sources.html", "kb": round((files / "sources.html").stat().st_size / 1024)}
    return found


def load_times(out: Path, repeats: int = 3) -> dict:
    """Median milliseconds from navigation start to the load event in a fresh headless
    chromium, per page; on the summary also the time to draw its first chart once scrolled to
    (which includes loading the Vega scripts' work: parsing happens at load)."""
    from browser import chromium, wait_for

    files = out / "report_files"
    largest = _largest(files)
    pages = {"summary": out / "report.html"} | {
        f"largest {kind}": files / entry["page"] for kind, entry in largest.items()
    }
    found: dict[str, dict] = {}
    for name, page in pages.items():
        loads, charts = [], []
        for _ in range(repeats):
            with chromium() as driver:
                driver.get(page.as_uri())
                wait_for(driver, "document.readyState == 'complete'", 120)
                loads.append(driver.execute_script(
                    "const t = performance.getEntriesByType('navigation')[0]; return t.loadEventEnd - t.startTime"))
                if name == "summary":  # charts are drawn when scrolled into view: time the first one
                    driver.execute_script("document.querySelector('figure.chart').scrollIntoView()")
                    started = time.perf_counter()
                    wait_for(driver, "document.querySelector('figure.chart').dataset.rendered == 'true'", 120)
                    charts.append((time.perf_counter() - started) * 1000)
                assert not [e for e in driver.get_log("browser") if e["level"] == "SEVERE"], name
        found[name] = {"load_ms": round(statistics.median(loads))}
        if charts:
            found[name]["first_chart_ms"] = round(statistics.median(charts))
    return found


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sources", type=int, default=10_000)
    parser.add_argument("--substances", type=int, default=None, help="default: sources / 25")
    parser.add_argument("--shared", type=Path, default=REPO.parent / "shared")
    parser.add_argument("--work", type=Path, default=REPO / "benchmarks" / "work" / "report")
    parser.add_argument("--tables", type=Path, default=None, help="template output folder (default: a run made here)")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--no-browser", action="store_true")
    parser.add_argument("--json", type=Path, default=None)
    args = parser.parse_args(argv)
    args.work.mkdir(parents=True, exist_ok=True)
    template = args.tables or template_run(args.work, args.shared)
    out = args.work / f"synthetic-{args.sources}"
    result = {"synthetic": synthesize(template, out, args.sources, args.substances or max(1, args.sources // 25))}
    result["build"] = build(out)
    if not args.no_browser:
        result["browser"] = load_times(out, args.repeats)
    text = json.dumps(result, indent=2)
    print(text)
    if args.json:
        args.json.write_text(text + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
