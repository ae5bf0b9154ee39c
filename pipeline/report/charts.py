"""Vega-Lite specifications of the report's charts, built with altair.

Each chart is declared once with altair on named data (``rows``); :func:`effects_chart` and
:func:`doses_chart` copy that specification and put one substance's rows in it. Declaring once
keeps a 10,000-source report quick to build (no altair objects per substance) and lets the
tests validate the declarations against the Vega-Lite schema (:func:`validated`).

The pages render the specifications in the browser with the Vega, Vega-Lite and vega-embed
scripts vendored in ``static/vega`` (no network); the ``$schema`` URL is dropped from the specs
so the vendored Vega-Lite never compares versions with a URL. Every bar and range carries an
``href``: a click opens the evidence behind it.
"""

from __future__ import annotations

import copy
import functools
from collections.abc import Sequence
from typing import Any

import altair as alt

from pipeline.report.data import DoseRange, GroupRow

#: How many adverse effects the bar chart shows (the table lists them all).
TOP_EFFECTS = 15
CLASS_COLORS = {"reported": "#7b3294", "hedged": "#c2a5cf"}
_DATA = "rows"


@functools.cache
def _effects_template() -> dict[str, Any]:
    """Horizontal bars: per effect, the sources that report it and those that only hedge it."""
    chart = (
        alt.Chart(alt.Data(name=_DATA))
        .mark_bar()
        .encode(
            y=alt.Y("effect:N", title=None, sort=alt.EncodingSortField(field="rank", op="min"), axis=alt.Axis(labelLimit=220)),
            x=alt.X("sources:Q", title="sources", axis=alt.Axis(tickMinStep=1, format="d")),
            yOffset=alt.YOffset("class:N", sort=list(CLASS_COLORS)),
            color=alt.Color(
                "class:N",
                title="mentions",
                scale=alt.Scale(domain=list(CLASS_COLORS), range=list(CLASS_COLORS.values())),
                legend=alt.Legend(orient="bottom"),
            ),
            href=alt.Href("href:N"),
            tooltip=[
                alt.Tooltip("effect:N", title="adverse effect"),
                alt.Tooltip("concept:N", title="concept"),
                alt.Tooltip("class:N", title="mentions"),
                alt.Tooltip("sources:Q", title="sources"),
            ],
        )
        .properties(width="container", title="Top adverse effects by number of sources", autosize=alt.AutoSizeParams(type="fit-x", contains="padding"))
    )
    return _spec(chart)


def _dose_tooltip(range_title: str) -> list[alt.Tooltip]:
    """The tooltip of a mark of the dose chart: a range bar and an amount point differ only in
    what they call the amount column."""
    return [
        alt.Tooltip("route:N", title="route · unit"),
        alt.Tooltip("per:N", title="per"),
        alt.Tooltip("range:N", title=range_title),
        alt.Tooltip("doses:Q", title="doses"),
        alt.Tooltip("sources:Q", title="sources"),
    ]


@functools.cache
def _doses_template() -> dict[str, Any]:
    """Per route and canonical unit (and ``per``, in colour): a rule from the lowest to the
    highest amount, and points at the most frequent amounts sized by how many doses state
    them, on a log scale (amounts span 0.1 mL to grams)."""
    base = alt.Chart(alt.Data(name=_DATA)).encode(
        y=alt.Y("route:N", title=None, axis=alt.Axis(labelLimit=220)),
        yOffset=alt.YOffset("per:N"),
        color=alt.Color("per:N", title="per", legend=alt.Legend(orient="bottom")),
        href=alt.Href("href:N"),
    )
    x_scale = alt.Scale(type="log")
    rules = (
        base.transform_filter(alt.datum.mark == "range")
        .mark_rule(strokeWidth=4, opacity=0.6)
        .encode(
            x=alt.X("low:Q", title="amount (canonical unit, log scale)", scale=x_scale),
            x2="high:Q",
            tooltip=_dose_tooltip("range"),
        )
    )
    points = (
        base.transform_filter(alt.datum.mark == "amount")
        .mark_point(filled=True, opacity=0.9)
        .encode(
            x=alt.X("amount:Q", scale=x_scale),
            size=alt.Size("doses:Q", title="doses", scale=alt.Scale(range=[30, 250]), legend=None),
            tooltip=_dose_tooltip("amount"),
        )
    )
    chart = alt.layer(rules, points).properties(
        width="container", title="Dose ranges by route", autosize=alt.AutoSizeParams(type="fit-x", contains="padding")
    )
    return _spec(chart)


def _spec(chart: alt.TopLevelMixin) -> dict[str, Any]:
    spec = chart.to_dict(validate=False)
    spec.pop("$schema", None)
    return spec


def validated() -> list[dict[str, Any]]:
    """Both chart declarations, validated against altair's Vega-Lite schema (raises if not)."""
    _effects_template.cache_clear()
    _doses_template.cache_clear()
    for build in (_effects_template, _doses_template):
        spec = build()
        alt.Chart.from_dict(spec, validate=True)
    return [_effects_template(), _doses_template()]


def templates() -> dict[str, dict[str, Any]]:
    """The chart declarations by name; a page holds them once (``chart-templates``) and each
    chart only its name, data and height (see :func:`spec`)."""
    return {"effects": _effects_template(), "doses": _doses_template()}


def spec(chart: dict[str, Any]) -> dict[str, Any]:
    """The full Vega-Lite specification of a chart made by :func:`effects_chart` or
    :func:`doses_chart` (what report.js builds in the browser)."""
    full = copy.deepcopy(templates()[chart["template"]])
    full["data"] = {"values": chart["values"]}
    full["height"] = chart["height"]
    return full


def _with_rows(template: str, rows: list[dict[str, Any]], height: int) -> dict[str, Any]:
    """A chart: its template's name, ``rows`` as data, a height in pixels. A fixed height (not
    one step per category) lets the width follow the page (``width: container``) without
    Vega-Lite warning that it drops the fit of the height."""
    return {"template": template, "values": rows, "height": height}


def effects_chart(effects: Sequence[GroupRow], href: dict[str, str]) -> dict[str, Any] | None:
    """The bar chart of the top adverse effects (None when no effect is reported or hedged).
    ``href`` maps (group key, class) to the evidence of that class (``page#anchor``)."""
    shown = [row for row in effects if row.sources["reported"] or row.sources["hedged"]][:TOP_EFFECTS]
    if not shown:
        return None
    rows = []
    for rank, row in enumerate(shown):
        for cls in CLASS_COLORS:
            rows.append(
                {
                    "effect": row.name,
                    "concept": row.concept_id or "",
                    "class": cls,
                    "sources": row.sources[cls],
                    "rank": rank,
                    "href": href.get((row.key, cls), ""),
                }
            )
    return _with_rows("effects", rows, height=max(60, 26 * len(shown)))


def doses_chart(points: Sequence[dict[str, Any]]) -> dict[str, Any] | None:
    """The chart of dose ranges by route. ``points``: ``range`` rows (``low``, ``high``) and
    ``amount`` rows (``amount``), each with ``route`` (route and canonical unit), ``per``,
    ``doses``, ``sources``, ``range`` (as text) and ``href``. None when there is nothing."""
    if not points:
        return None
    rows = {(point["route"], point["per"]) for point in points}
    return _with_rows("doses", list(points), height=max(50, 22 * len(rows)))


__all__ = ["DoseRange", "TOP_EFFECTS", "doses_chart", "effects_chart", "validated"]
