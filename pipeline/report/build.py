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
                                           order, at most EVIDENCE_ROWS mentions a page

Splitting keeps the summary small for a large corpus (its size grows with the number of
substances, not of sources) and lets a browser open any page in a moment. Evidence is cut in
pages of ``EVIDENCE_ROWS`` mentions rather than one page per count: a large corpus has hundreds
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
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow.parquet as pq

from pipeline import schema
from pipeline.report import charts
from pipeline.report import data as tables
from pipeline.report.data import CLASSES, KINDS, GroupRow, Substance, short_id
from pipeline.report.highlight import pieces
from pipeline.report.render import Renderer, Site, amount_range, anchor, copy_static, days, linker, number

#: Rows of each list in a summary section (the substance page lists them all).
TOP_ROWS = 5
#: Mentions per evidence page at most (a larger group continues on the next page).
EVIDENCE_ROWS = 1500
#: Characters of context on each side of a mention in the evidence pages.
CONTEXT_CHARS = 90
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


@dataclass
class SubstanceView:
    """A substance section as the templates see it: counts, ranked rows, doses, links."""

    s: Substance
    page: str
    groups: dict[str, list[GroupRow]]
    dose_ranges: list[Any]
    doses: list[dict[str, Any]]
    dose_points: list[dict[str, Any]]
    n_doses: int
    kind_mentions: dict[str, int]
    pages: dict[str, list[list[dict[str, Any]]]] = field(default_factory=dict)


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
    doc_records = _records(documents)
    by_id = {record["doc_id"]: record for record in doc_records}
    statements = tables.read_statements(snap)
    found = tables.substances(documents, statements)
    views = _views(found, statements, site, by_id)

    _write_summary(pages, views, documents, statements, top)
    _write_substance_pages(pages, views, documents, statements, by_id)
    dose_details = _dose_details(tables.dose_rows(statements))
    for (key, kind), rows in _evidence_rows(snap, statements, by_id):
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
            pieces=pieces(row["text"] or "", mentions), legend=LEGEND, legend_counts=legend_counts, dose_details=dose_details,
        )
    return {
        "sources": pages.count["source.html.j2"], "substances": len(found), "evidence": pages.count["evidence.html.j2"],
    }


def _views(
    found: list[Substance], statements: pd.DataFrame, site: Site, by_id: dict[str, dict[str, Any]]
) -> dict[str, "SubstanceView"]:
    """Every section's view (rows, links, doses), by substance key."""
    groups = tables.group_rows(statements)
    ranges = tables.dose_ranges(statements)
    dose_frame = tables.dose_rows(statements)
    dose_parts = dict(tuple(dose_frame.groupby("substance_key", sort=False))) if len(dose_frame) else {}
    points = _dose_points(dose_frame)
    return {
        s.key: _view(s, site, groups, ranges, dose_parts.get(s.key), points.get(s.key, []), by_id)
        for s in found
    }


def _write_summary(
    pages: _Pages, views: dict[str, "SubstanceView"], documents: pd.DataFrame, statements: pd.DataFrame, top: int
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
        problems=_records(documents[status != "ok"]),
        warnings=_records(documents[(status == "ok") & documents["warning"].notna()]),
    )


def _write_substance_pages(
    pages: _Pages, views: dict[str, "SubstanceView"], documents: pd.DataFrame, statements: pd.DataFrame,
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
        sources = _substance_sources(subject_docs.get(view.s.key, []), stated.get(view.s.key, {}), by_id)
        pages.write(
            "substance.html.j2", view.page, v=view, kinds=KINDS, sources=sources,
            effects_spec=effects_spec, doses_spec=doses_spec,
        )


def _charts(view: "SubstanceView", url: Callable[[str], str]) -> tuple[dict[str, Any] | None, dict[str, Any] | None]:
    """A section's two charts, with links relative to the page that shows them."""
    effects = charts.effects_chart(
        view.groups["effect"], {(r.key, cls): url(link) for r in view.groups["effect"] for cls, link in r.class_href.items()}
    )
    doses = charts.doses_chart([{**p, "href": url(p["href"])} for p in view.dose_points])
    return effects, doses


def _view(
    s: Substance,
    site: Site,
    groups: dict[tuple[str, str], list[GroupRow]],
    ranges: dict[str, list[Any]],
    doses: pd.DataFrame | None,
    dose_points: list[dict[str, Any]],
    by_id: dict[str, dict[str, Any]],
) -> SubstanceView:
    """A section's rows with their evidence links, its doses (rows and chart points)."""
    mine = {kind: groups.get((s.key, kind), []) for kind in KINDS}
    pages = {kind: _evidence_pages(rows, lambda n, kind=kind: site.evidence(s.slug, kind, n)) for kind, rows in mine.items()}
    route_href = {row.key: row.href for row in mine["dose"]}
    dose_ranges = ranges.get(s.key, [])
    for r in dose_ranges:
        r.href = route_href[r.route_key]
    dose_records = _distinct_doses(doses, by_id, route_href) if doses is not None else []
    return SubstanceView(
        s=s,
        page=site.substance(s.slug),
        groups=mine,
        dose_ranges=dose_ranges,
        doses=dose_records,
        dose_points=[
            {**{k: v for k, v in p.items() if k != "group_key" and v is not None}, "href": route_href[p["group_key"]]}
            for p in dose_points
        ],
        n_doses=len(doses) if doses is not None else 0,
        kind_mentions={kind: sum(r.n_mentions for r in rows) for kind, rows in mine.items()},
        pages=pages,
    )


#: The fields that make two doses the same dose in the dose tables.
DOSE_FIELDS = ["low", "high", "unit", "per", "times_per_day", "route", "duration_days_low", "duration_days_high"]


def _distinct_doses(doses: pd.DataFrame, by_id: dict[str, dict[str, Any]], route_href: dict[str, str]) -> list[dict[str, Any]]:
    """A substance's dose table: each distinct dose (same amounts, unit, per, times a day,
    route and duration) once, with how many sources and mentions state it, the words of its
    first mention (linked to it) and its first source; most sources first. The counts link to
    the evidence of the route, where the doses are listed by amount."""
    frame = doses.assign(_order=range(len(doses)))
    grouped = frame.groupby(DOSE_FIELDS, dropna=False, sort=False).agg(
        n_mentions=("mention_id", "size"), n_sources=("doc_id", "nunique"), first=("_order", "min"),
        cls=("cls", lambda c: "reported" if (c == "reported").any() else ("hedged" if (c == "hedged").any() else "negated")),
    )
    grouped = grouped.reset_index().sort_values(["n_sources", "n_mentions", "first"], ascending=[False, False, True])
    records = []
    for row in _rows(grouped):
        first = frame.iloc[int(row["first"])]
        doc = by_id[first["doc_id"]]
        records.append(
            {
                "text": first["text"], "low": _num(row["low"]), "high": _num(row["high"]), "unit": row["unit"],
                "per": _str(row["per"]), "times_per_day": _num(row["times_per_day"]), "route": _str(row["route"]),
                "duration_low": _num(row["duration_days_low"]), "duration_high": _num(row["duration_days_high"]),
                "cls": row["cls"], "n_sources": int(row["n_sources"]), "n_mentions": int(row["n_mentions"]),
                "source": doc["source"], "source_href": doc["href"],
                "href": f"{doc['href']}#{anchor(first)}", "evidence": route_href[first["group_key"]],
            }
        )
    return records


def _evidence_pages(groups: list[GroupRow], page_of: Callable[[int], str]) -> list[list[dict[str, Any]]]:
    """Cut the mentions of one substance and kind into pages of ``EVIDENCE_ROWS`` mentions:
    group by group in the summary's order, class by class, a large group continuing on the
    next page. Sets each group's links (``href``: where it starts; ``class_href[c]``: where its
    mentions of class ``c`` start). A page is a list of blocks ``{"group", "parts": [{"cls",
    "start", "stop", "continued"}], "continued"}`` (slices of the group's rows of each class)."""
    pages: list[list[dict[str, Any]]] = [[]]
    room = EVIDENCE_ROWS
    for group in groups:
        group.anchor = f"g-{short_id(group.key)}"
        group.class_href = {}
        first = True
        for cls in CLASSES:
            total, start = group.mentions[cls], 0
            while start < total:
                if room == 0:
                    pages.append([])
                    room = EVIDENCE_ROWS
                page = pages[-1]
                if not page or page[-1]["group"] is not group:
                    page.append({"group": group, "parts": [], "continued": not first})
                stop = min(total, start + room)
                page[-1]["parts"].append({"cls": cls, "start": start, "stop": stop, "continued": start > 0})
                if start == 0:
                    group.class_href[cls] = f"{page_of(len(pages) - 1)}#{group.anchor}-{cls}"
                if first:
                    group.href = f"{page_of(len(pages) - 1)}#{group.anchor}"
                    first = False
                room -= stop - start
                start = stop
    return pages if pages[0] else []


def _dose_points(doses: pd.DataFrame, amounts: int = 3, lines: int = 8) -> dict[str, list[dict[str, Any]]]:
    """The dose charts' data, per substance key: for the ``lines`` routes, canonical units and
    ``per`` with most doses, one ``range`` row (lowest to highest positive amount) and
    ``amount`` rows for its ``amounts`` most frequent amounts (either bound of a dose), each
    with how many doses and sources state it and the route group; so a chart has a few dozen
    marks, whatever the number of doses (the table beside it lists every route and unit)."""
    if doses.empty:
        return {}
    frame = doses.copy()
    frame["lo"] = frame["amount_low"].fillna(frame["amount_high"])
    frame["hi"] = frame["amount_high"].fillna(frame["amount_low"])
    frame = frame[(frame["lo"] > 0) & (frame["hi"] > 0)]
    if frame.empty:
        return {}
    frame["label"] = frame["route_name"] + " · " + frame["canonical_unit"]
    keys = ["substance_key", "label", "per_name", "group_key"]
    ranges = frame.groupby(keys, sort=True).agg(
        low=("lo", "min"), high=("hi", "max"), doses=("mention_id", "size"), sources=("doc_id", "nunique")
    )
    ranges = ranges.sort_values("doses", ascending=False, kind="stable").groupby(level=0, sort=False).head(lines).sort_index()
    frame = frame.merge(ranges.index.to_frame(index=False), on=keys)
    ends = pd.concat([frame[keys + ["lo", "mention_id", "doc_id"]].rename(columns={"lo": "amount"}),
                      frame[frame["hi"] != frame["lo"]][keys + ["hi", "mention_id", "doc_id"]].rename(columns={"hi": "amount"})])
    common = ends.groupby(keys + ["amount"], sort=True).agg(doses=("mention_id", "nunique"), sources=("doc_id", "nunique"))
    common = common.reset_index().sort_values(keys + ["doses", "amount"], ascending=[True] * len(keys) + [False, True])
    common = common.groupby(keys, sort=False).head(amounts)
    found: dict[str, list[dict[str, Any]]] = {}
    for (key, label, per, group_key), low, high, n_doses, n_sources in zip(
        ranges.index, ranges["low"].tolist(), ranges["high"].tolist(), ranges["doses"].tolist(), ranges["sources"].tolist()
    ):
        found.setdefault(key, []).append(
            {"mark": "range", "route": label, "per": per or "not stated", "low": float(low), "high": float(high),
             "amount": None, "range": amount_range(float(low), float(high)), "doses": int(n_doses),
             "sources": int(n_sources), "group_key": group_key}
        )
    for row in common.to_dict("records"):
        amount = float(row["amount"])
        found[row["substance_key"]].append(
            {"mark": "amount", "route": row["label"], "per": row["per_name"] or "not stated", "low": None, "high": None,
             "amount": amount, "range": amount_range(amount, amount), "doses": int(row["doses"]),
             "sources": int(row["sources"]), "group_key": row["group_key"]}
        )
    return found


def _dose_details(doses: pd.DataFrame) -> dict[str, str]:
    """Each DOSE mention's row in words, for the side panel of its source page."""
    if doses.empty:
        return {}
    columns = ["mention_id", "low", "high", "unit", "per", "route", "times_per_day", "duration_days_low", "duration_days_high"]
    return {d["mention_id"]: _dose_text(d) for d in _rows(doses[columns])}


def _evidence_rows(
    snap: tables.Snapshot,
    statements: pd.DataFrame,
    by_id: dict[str, dict[str, Any]],
    chunk: int = 50_000,
) -> Iterable[tuple[tuple[str, str], dict[str, dict[str, list[dict[str, Any]]]]]]:
    """For each (substance, kind): per group, its mentions per class, each with the sentence
    around it (cut to ``CONTEXT_CHARS`` on each side) and a link to its highlight. Statements
    are sorted by substance and kind (``read_statements``) and turned into rows ``chunk`` at a
    time, so one (substance, kind) is in memory at once."""
    if statements.empty:
        return
    sentences = tables.statement_sentences(snap, statements)
    frame = statements.merge(sentences, on=["doc_id", "sentence_id"], how="left", sort=False)
    del sentences
    current: tuple[str, str] | None = None
    groups: dict[str, dict[str, list[dict[str, Any]]]] = {}
    columns = [
        "substance_key", "kind", "group_key", "cls", "doc_id", "mention_id", "start", "end", "text", "label",
        "role", "negated", "uncertain", "section", "method", "sentence_start", "sentence_text",
        "low", "high", "unit", "per", "route", "times_per_day", "duration_days_low", "duration_days_high",
    ]
    for offset in range(0, len(frame), chunk):
        for m in _rows(frame.iloc[offset:offset + chunk][columns]):
            key = (m["substance_key"], m["kind"])
            if key != current:
                if current is not None:
                    yield current, groups
                current, groups = key, {}
            left, right = _context(m)
            doc = by_id[m["doc_id"]]
            href = doc["href"]
            by_class = groups.setdefault(m["group_key"], {cls: [] for cls in tables.CLASSES})
            by_class[m["cls"]].append(
                {
                    "mention_id": m["mention_id"], "text": m["text"], "left": left, "right": right,
                    "label": m["label"], "role": m["role"], "negated": bool(m["negated"]),
                    "uncertain": bool(m["uncertain"]), "section": m["section"], "method": m["method"],
                    "source": doc["source"],
                    "href": f"{href}#{anchor(m)}", "dose": _dose_text(m) if m["kind"] == "dose" else "",
                }
            )
    if current is not None:
        yield current, groups


def _rows(frame: pd.DataFrame) -> list[dict[str, Any]]:
    """The rows of ``frame`` as dicts, missing values as None (column by column: much faster
    than ``DataFrame.to_dict`` on Arrow-backed strings)."""
    columns = list(frame.columns)
    values = [[_clean(v) for v in frame[c].tolist()] for c in columns]
    return [dict(zip(columns, row)) for row in zip(*values)]


def _context(m: dict[str, Any]) -> tuple[str, str]:
    text = m.get("sentence_text")
    if not isinstance(text, str):
        return "", ""
    offset = int(m["start"]) - int(m["sentence_start"])
    end = offset + (int(m["end"]) - int(m["start"]))
    left = text[max(0, offset - CONTEXT_CHARS):offset]
    right = text[end:end + CONTEXT_CHARS]
    if offset > CONTEXT_CHARS:
        left = "…" + left
    if len(text) - end > CONTEXT_CHARS:
        right = right + "…"
    return left, right


def _dose_text(m: dict[str, Any]) -> str:
    """A dose row in words: ``20–50 mL per day, IV, 2 times a day, 7–21 days``."""
    text = f"{amount_range(_num(m['low']), _num(m['high']))} {m['unit']}"
    if _str(m["per"]):
        text += f" per {m['per']}"
    parts = [text]
    if _str(m["route"]):
        parts.append(m["route"])
    if _num(m.get("times_per_day")) is not None:
        parts.append(f"{number(_num(m['times_per_day']))} times a day")
    if _num(m.get("duration_days_low")) is not None or _num(m.get("duration_days_high")) is not None:
        parts.append(days(_num(m.get("duration_days_low")), _num(m.get("duration_days_high"))))
    return ", ".join(parts)


def _substance_sources(
    about: list[str], stated: dict[str, dict[str, int]], by_id: dict[str, dict[str, Any]]
) -> list[dict[str, Any]]:
    """The sources of a substance page: those about it (``about``), then those with
    statements about it (``stated``: doc id -> statements per kind), most statements first."""
    subject = set(about)
    found = []
    for doc_id in subject | set(stated):
        counts = stated.get(doc_id, {})
        found.append({**by_id[doc_id], "is_subject": doc_id in subject, "counts": {kind: counts.get(kind, 0) for kind in KINDS}})
    found.sort(key=lambda r: (not r["is_subject"], -sum(r["counts"].values()), r["doc_id"]))
    return found


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


def _records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    return _rows(frame)


def _clean(value: Any) -> Any:
    if value is None or value is pd.NaT or value is pd.NA:
        return None
    if isinstance(value, float) and value != value:
        return None
    return value


def _num(value: Any) -> float | None:
    value = _clean(value)
    return None if value is None else float(value)


def _str(value: Any) -> str | None:
    value = _clean(value)
    return None if value is None else str(value)
