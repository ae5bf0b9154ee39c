"""``pipeline report``: the review report of one output folder, written as static pages.

::

    outputs/report.html                    the summary: one section per substance (charts, top rows)
    outputs/report_files/
      static/                              report.css, report.js, vega/ (vendored scripts, licences)
      sources.html                         every source, its status and counts
      sources/<doc>.html                   one per source: its text with every mention highlighted
      substances/<substance>.html          one per substance: every row, every dose, its sources
      evidence/<substance>/<kind>-<n>.html the mentions behind each count: the groups (concepts,
                                           routes) of one substance and kind, in the summary's
                                           order, at most views.EVIDENCE_ROWS mentions a page

Splitting keeps the summary small for a large corpus (its size grows with the number of
substances, not of sources) and lets a browser open any page in a moment. Evidence is cut in
pages of ``views.EVIDENCE_ROWS`` mentions rather than one page per count: a large corpus has hundreds
of thousands of counts, and that many small files are slow to write and to delete. Pages are
written one at a time; texts are streamed (:func:`pipeline.report.data.iter_documents`). The
whole report is first written next to the old one and then swapped in by renames, so a browser
showing the previous report never sees half of a new one for longer than two renames.
"""

from __future__ import annotations

import fcntl
import glob
import os
import shutil
import time
import uuid
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow.parquet as pq

from pipeline import schema
from pipeline.report import charts
from pipeline.report import data as tables
from pipeline.report.data import KINDS
from pipeline.report.highlight import pieces
from pipeline.report.render import Renderer, Site, copy_static, linker
from pipeline.report.views import (
    SubstanceView,
    build_views,
    dose_details,
    evidence_rows,
    records,
    substance_sources,
)

#: Rows of each list in a summary section (the substance page lists them all).
TOP_ROWS = 5
LEGEND = (
    ("role-studied", "use (condition studied)"),
    ("role-contraindication", "contraindication"),
    ("role-other", "other condition"),
    ("ADVERSE_EFFECT", "adverse effect"),
    ("DOSE", "dose"),
    ("SUBSTANCE", "substance"),
)


@dataclass
class ReportResult:
    """What was written: the summary page, the folder of the other pages, and page counts."""

    html: Path
    files: Path
    n_sources: int
    n_substances: int
    n_evidence_pages: int
    seconds: float

    def line(self) -> str:
        return (
            f"report: {self.html} ({_plural(self.n_substances, 'substance')}; "
            f"{_plural(self.n_sources, 'source page')} and {_plural(self.n_evidence_pages, 'evidence page')} "
            f"in {self.files}) in {self.seconds:.1f} s"
        )


def _plural(n: int, noun: str) -> str:
    return f"{n:,} {noun}{'' if n == 1 else 's'}"


def build_report(out_dir: Path, html: Path | None = None, top: int = TOP_ROWS) -> ReportResult:
    """Write the review report of the tables in ``out_dir`` to ``html`` (default
    ``out_dir/report.html``) and the folder ``<html stem>_files`` beside it."""
    started = time.perf_counter()
    out_dir = Path(out_dir)
    html = Path(html) if html is not None else out_dir / "report.html"
    snap = tables.open_snapshot(out_dir)
    html.parent.mkdir(parents=True, exist_ok=True)
    site = Site.for_html(html)
    tag = uuid.uuid4().hex[:8]
    staging = html.parent / f"{site.files}.new-{tag}"
    with _report_lock(html):
        _remove_leftovers(html, site)
        staging.mkdir()
        try:
            counts = _write_all(snap, site, staging, html.parent / f"{html.name}.new-{tag}", top)
            _swap(html, html.parent / site.files, staging, html.parent / f"{html.name}.new-{tag}", tag)
        except BaseException:
            shutil.rmtree(staging, ignore_errors=True)
            (html.parent / f"{html.name}.new-{tag}").unlink(missing_ok=True)
            raise
    return ReportResult(
        html=html,
        files=html.parent / site.files,
        n_sources=counts["sources"],
        n_substances=counts["substances"],
        n_evidence_pages=counts["evidence"],
        seconds=time.perf_counter() - started,
    )


@contextmanager
def _report_lock(html: Path) -> Iterator[None]:
    """One report build at a time per report path (a second one waits): the kernel's lock on
    ``.<name>.lock`` beside it, released when the process ends, however it ends."""
    with open(html.parent / f".{html.name}.lock", "a+b") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _remove_leftovers(html: Path, site: Site) -> None:
    """What a killed build left (under the lock, so no live build's files): its staging
    folder, its new summary, an old folder it had not deleted yet."""
    for pattern in (".new-*", ".old-*"):
        for path in html.parent.glob(f"{glob.escape(site.files)}{pattern}"):
            if path.is_dir() and not path.is_symlink():
                shutil.rmtree(path, ignore_errors=True)
    for path in html.parent.glob(f"{glob.escape(html.name)}.new-*"):
        path.unlink(missing_ok=True)


def _swap(html: Path, files: Path, staging: Path, new_html: Path, tag: str) -> None:
    """The new report in place of the old one: folder, then summary, then the old folder is
    deleted (its pages may still be open in a browser; they are not needed any more)."""
    old = files.parent / f"{files.name}.old-{tag}"
    if files.exists():
        os.rename(files, old)
    os.rename(staging, files)
    os.replace(new_html, html)
    shutil.rmtree(old, ignore_errors=True)


class _Pages:
    """Renders pages and writes them: the summary to ``index_file``, every other page under
    ``staging`` (the future ``report_files``)."""

    def __init__(self, site: Site, staging: Path, index_file: Path, run_line: str) -> None:
        self.site = site
        self.staging = staging
        self.index_file = index_file
        self.renderer = Renderer(site)
        self.run_line = run_line
        self.count: Counter[str] = Counter()

    def write(self, template: str, page: str, **context: Any) -> None:
        html = self.renderer.render(template, page, run_line=self.run_line, **context)
        if page == self.site.index:
            target = self.index_file
        else:
            target = self.staging / Path(page).relative_to(self.site.files)
            target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(html, encoding="utf-8")
        self.count[template] += 1


def _write_all(snap: tables.Snapshot, site: Site, staging: Path, index_file: Path, top: int) -> dict[str, int]:
    """Every page of the report, one at a time: the summary, the substance pages, the
    evidence pages, the list of sources and the source pages (texts streamed). The largest
    frames are dropped as soon as the pages that need them are written."""
    pages = _Pages(site, staging, index_file, _run_line(snap))
    copy_static(staging / "static")
    documents = tables.read_documents(snap)
    documents["href"] = [site.source(doc_id) for doc_id in documents["doc_id"]]
    doc_records = records(documents)
    by_id = {record["doc_id"]: record for record in doc_records}
    statements = tables.read_statements(snap)
    found = tables.substances(documents, statements)
    views = build_views(found, statements, site, by_id)

    _write_summary(pages, views, documents, statements, top)
    _write_substance_pages(pages, views, documents, statements, by_id)
    dose_words = dose_details(tables.dose_rows(statements))
    for (key, kind), rows in evidence_rows(snap, statements, by_id):
        view = views[key]
        blocks = view.pages[kind]
        links = [site.evidence(view.s.slug, kind, i) for i in range(len(blocks))]
        for number_, page_blocks in enumerate(blocks):
            pages.write("evidence.html.j2", links[number_], v=view, kind=kind, blocks=page_blocks, rows=rows, chunk=number_, pages=links)
    del statements  # the largest frame: not needed for the rest

    label_counts = _label_counts(snap)
    for record in doc_records:
        record["counts"] = {label: label_counts.get(record["doc_id"], {}).get(label, 0) for label in schema.LABELS}
        subject = views.get(record["subject_id"]) if record["subject_id"] else None
        record["subject_href"] = subject.page if subject else None
    pages.write("sources.html.j2", site.sources_list, documents=doc_records, labels=list(schema.LABELS))
    for row, mentions in tables.iter_documents(snap):
        doc = by_id[row["doc_id"]]
        legend_counts: Counter[str] = Counter({key: 0 for key, _ in LEGEND})
        for m in mentions:
            legend_counts[f"role-{m['role']}" if m["label"] == "CONDITION" and m["role"] else m["label"]] += 1
        pages.write(
            "source.html.j2", doc["href"], doc={**doc, "extracted_at": row["extracted_at"]}, mentions=mentions,
            pieces=pieces(row["text"] or "", mentions), legend=LEGEND, legend_counts=legend_counts, dose_details=dose_words,
        )
    return {
        "sources": pages.count["source.html.j2"], "substances": len(found), "evidence": pages.count["evidence.html.j2"],
    }


def _write_summary(
    pages: _Pages, views: dict[str, SubstanceView], documents: pd.DataFrame, statements: pd.DataFrame, top: int
) -> None:
    """The summary: counts, a section per subject (``top`` rows a list, charts), the other
    substances in one table, failed and empty sources with their error."""
    site = pages.site
    subjects = [view for view in views.values() if view.s.n_subject_sources]
    others = [view for view in views.values() if not view.s.n_subject_sources]
    url = linker(site.index)
    charts_of = {view.s.key: _charts(view, url) for view in subjects}
    by_label = statements["label"].value_counts()
    status = documents["status"]
    totals = {
        "sources": len(documents), "ok": int((status == "ok").sum()), "empty": int((status == "empty").sum()),
        "error": int((status == "error").sum()), "statements": len(statements),
        "conditions": int(by_label.get("CONDITION", 0)), "effects": int(by_label.get("ADVERSE_EFFECT", 0)),
        "doses": int(by_label.get("DOSE", 0)),
    }
    pages.write(
        "index.html.j2", site.index, subjects=subjects, others=others, charts=charts_of, totals=totals, limit=top,
        kinds=KINDS, n_subjects=sum(1 for view in subjects if view.s.key),
        problems=records(documents[status != "ok"]),
        warnings=records(documents[(status == "ok") & documents["warning"].notna()]),
    )


def _write_substance_pages(
    pages: _Pages, views: dict[str, SubstanceView], documents: pd.DataFrame, statements: pd.DataFrame,
    by_id: dict[str, dict[str, Any]],
) -> None:
    """One page per substance: every row of every list, every dose, its sources."""
    stated: dict[str, dict[str, dict[str, int]]] = {}
    per_doc_kind = statements.groupby(["substance_key", "doc_id", "kind"]).size()
    for (key, doc_id, kind), n in zip(per_doc_kind.index, per_doc_kind.tolist()):
        stated.setdefault(key, {}).setdefault(doc_id, {})[kind] = int(n)
    subject_docs: dict[str, list[str]] = {}
    for doc_id, key in zip(documents["doc_id"].tolist(), documents["subject_key"].tolist()):
        subject_docs.setdefault(key, []).append(doc_id)
    for view in views.values():
        effects_spec, doses_spec = _charts(view, linker(view.page))
        sources = substance_sources(subject_docs.get(view.s.key, []), stated.get(view.s.key, {}), by_id)
        pages.write(
            "substance.html.j2", view.page, v=view, kinds=KINDS, sources=sources,
            effects_spec=effects_spec, doses_spec=doses_spec,
        )


def _charts(view: SubstanceView, url: Callable[[str], str]) -> tuple[dict[str, Any] | None, dict[str, Any] | None]:
    """A section's two charts, with links relative to the page that shows them."""
    effects = charts.effects_chart(
        view.groups["effect"], {(r.key, cls): url(link) for r in view.groups["effect"] for cls, link in r.class_href.items()}
    )
    doses = charts.doses_chart([{**p, "href": url(p["href"])} for p in view.dose_points])
    return effects, doses


def _label_counts(snap: tables.Snapshot) -> dict[str, dict[str, int]]:
    table = pq.read_table(snap.path("mentions"), columns=["doc_id", "label"])
    counts = table.group_by(["doc_id", "label"]).aggregate([([], "count_all")]).to_pylist()
    found: dict[str, dict[str, int]] = {}
    for row in counts:
        found.setdefault(row["doc_id"], {})[row["label"]] = row["count_all"]
    return found


def _run_line(snap: tables.Snapshot) -> str:
    path = snap.path("runs")
    if not path.is_file():
        return ""
    runs = pq.read_table(path).to_pylist()
    if not runs:
        return ""
    last = runs[-1]
    finished = last["finished_at"].strftime("%Y-%m-%d %H:%M UTC") if last["finished_at"] else "?"
    return f"tables of run {last['run_id']} ({finished}), pipeline {last['pipeline_version']}"

