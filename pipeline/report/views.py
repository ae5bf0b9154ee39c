"""What each page of the report shows, as plain objects and dicts the templates read.

:func:`build_views` turns the aggregates of :mod:`pipeline.report.data` into one
:class:`SubstanceView` per section (ranked rows with their evidence links, dose ranges, distinct
doses, chart data); :func:`evidence_pages` cuts a substance's evidence into pages;
:func:`evidence_rows` streams the mentions behind the counts with the sentence around each. Links
are site paths (``report_files/...``); :mod:`pipeline.report.render` makes them relative to the
page that shows them.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from pipeline.report import data as tables
from pipeline.report.data import CLASSES, KINDS, GroupRow, Substance, short_id
from pipeline.report.render import Site, amount_range, anchor, days, number


#: Mentions per evidence page at most (a larger group continues on the next page).
EVIDENCE_ROWS = 1500
#: Characters of context on each side of a mention in the evidence pages.
CONTEXT_CHARS = 90


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


def build_views(
    found: list[Substance], statements: pd.DataFrame, site: Site, by_id: dict[str, dict[str, Any]]
) -> dict[str, SubstanceView]:
    """Every section's view (rows, links, doses), by substance key."""
    groups = tables.group_rows(statements)
    ranges = tables.dose_ranges(statements)
    dose_frame = tables.dose_rows(statements)
    dose_parts = dict(tuple(dose_frame.groupby("substance_key", sort=False))) if len(dose_frame) else {}
    points = dose_points(dose_frame)
    return {
        s.key: substance_view(s, site, groups, ranges, dose_parts.get(s.key), points.get(s.key, []), by_id)
        for s in found
    }


def substance_view(
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
    pages = {kind: evidence_pages(rows, lambda n, kind=kind: site.evidence(s.slug, kind, n)) for kind, rows in mine.items()}
    route_href = {row.key: row.href for row in mine["dose"]}
    dose_ranges = ranges.get(s.key, [])
    for r in dose_ranges:
        r.href = route_href[r.route_key]
    dose_records = distinct_doses(doses, by_id, route_href) if doses is not None else []
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


def distinct_doses(doses: pd.DataFrame, by_id: dict[str, dict[str, Any]], route_href: dict[str, str]) -> list[dict[str, Any]]:
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
    for row in rows(grouped):
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


def evidence_pages(groups: list[GroupRow], page_of: Callable[[int], str]) -> list[list[dict[str, Any]]]:
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


def dose_points(doses: pd.DataFrame, amounts: int = 3, lines: int = 8) -> dict[str, list[dict[str, Any]]]:
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


def dose_details(doses: pd.DataFrame) -> dict[str, str]:
    """Each DOSE mention's row in words, for the side panel of its source page."""
    if doses.empty:
        return {}
    columns = ["mention_id", "low", "high", "unit", "per", "route", "times_per_day", "duration_days_low", "duration_days_high"]
    return {d["mention_id"]: dose_text(d) for d in rows(doses[columns])}


def evidence_rows(
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
        for m in rows(frame.iloc[offset:offset + chunk][columns]):
            key = (m["substance_key"], m["kind"])
            if key != current:
                if current is not None:
                    yield current, groups
                current, groups = key, {}
            left, right = context(m)
            doc = by_id[m["doc_id"]]
            href = doc["href"]
            by_class = groups.setdefault(m["group_key"], {cls: [] for cls in tables.CLASSES})
            by_class[m["cls"]].append(
                {
                    "mention_id": m["mention_id"], "text": m["text"], "left": left, "right": right,
                    "label": m["label"], "role": m["role"], "negated": bool(m["negated"]),
                    "uncertain": bool(m["uncertain"]), "section": m["section"], "method": m["method"],
                    "source": doc["source"],
                    "href": f"{href}#{anchor(m)}", "dose": dose_text(m) if m["kind"] == "dose" else "",
                }
            )
    if current is not None:
        yield current, groups


def rows(frame: pd.DataFrame) -> list[dict[str, Any]]:
    """The rows of ``frame`` as dicts, missing values as None (column by column: much faster
    than ``DataFrame.to_dict`` on Arrow-backed strings)."""
    columns = list(frame.columns)
    values = [[_clean(v) for v in frame[c].tolist()] for c in columns]
    return [dict(zip(columns, row)) for row in zip(*values)]


def context(m: dict[str, Any]) -> tuple[str, str]:
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


def dose_text(m: dict[str, Any]) -> str:
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


def substance_sources(
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


def records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    return rows(frame)


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
