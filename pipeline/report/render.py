"""HTML pages from the package's jinja2 templates (``templates/*.html.j2``), autoescaped.

Every value that comes from a source (texts, titles, file names, concept names, errors) reaches
the page through jinja2 with autoescape on, so ``<script>`` in a source is shown as text; chart
specifications go through ``tojson``, which escapes ``<``, ``>`` and ``&``. The pages also carry
a Content-Security-Policy that allows scripts from files only (no inline script, no network),
as a second line of defence.

:class:`Site` knows where each page lives; :class:`Renderer` turns a page's data into HTML.
Links in a page are relative (``url``), so the report folder can be moved, zipped or opened
from ``file://``.
"""

from __future__ import annotations

import functools
import math
import posixpath
import shutil
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

import jinja2

from pipeline.report import charts
from pipeline.report.data import CLASSES, KIND_TITLES, slug

#: The Content-Security-Policy of every page: scripts and styles from the report's files only
#: (styles may also be inline: Vega's tooltip adds a style element), images from files or data
#: URLs, nothing else (no fetch, no frames, no forms).
CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; base-uri 'none'; form-action 'none'"
)
VEGA_SCRIPTS = ("vega/vega.min.js", "vega/vega-lite.min.js", "vega/vega-embed.min.js")


@dataclass(frozen=True)
class Site:
    """Where the pages of one report live, as paths relative to the folder of the index page:
    ``report.html`` and ``report_files/{static,sources,substances,evidence}/...``."""

    index: str
    files: str

    @classmethod
    def for_html(cls, html: Path) -> "Site":
        return cls(index=html.name, files=f"{html.stem}_files")

    def static(self, name: str) -> str:
        return f"{self.files}/static/{name}"

    @property
    def sources_list(self) -> str:
        return f"{self.files}/sources.html"

    def source(self, doc_id: str) -> str:
        return f"{self.files}/sources/{slug(doc_id)}.html"

    def substance(self, substance_slug: str) -> str:
        return f"{self.files}/substances/{substance_slug}.html"

    def evidence(self, substance_slug: str, kind: str, number: int) -> str:
        return f"{self.files}/evidence/{substance_slug}/{kind}-{number}.html"


def anchor(mention: Mapping[str, Any]) -> str:
    """The id of a mention's highlight in its source page (unique in the page)."""
    return f"m{mention['start']}-{mention['end']}-{mention['label']}"


def mark_attributes(mention: Mapping[str, Any], part: int) -> dict[str, str]:
    """The attributes of a mention's highlight (``<mark>``) in its source page: classes by
    label, role, negation and hedging; the mention id on every part and the anchor on the
    first; a short tooltip. What the side panel shows is in the page's mention data
    (:func:`mention_details`). The template escapes them (``xmlattr``)."""
    label, role = mention["label"], mention["role"]
    classes = f"m {label}"
    title = label
    if role:
        classes += f" role-{role}"
        title += f" ({role})"
    if mention["concept_name"]:
        title += f": {mention['concept_name']}"
    if mention["negated"]:
        classes += " negated"
        title += " · negated"
    if mention["uncertain"]:
        classes += " uncertain"
        title += " · hedged"
    attributes = {"class": classes, "data-mention-id": mention["mention_id"]}
    if part == 0:
        attributes["id"] = anchor(mention)
    else:
        attributes["data-part"] = str(part)
    attributes["tabindex"] = "0"
    attributes["title"] = title
    return attributes


#: The fields of a mention in a source page's mention data, in order.
MENTION_FIELDS = (
    "label", "concept_id", "concept_name", "role", "negated", "uncertain", "method", "section",
    "substance", "substance_id", "dose",
)


def mention_details(mentions: list[Mapping[str, Any]], dose_details: Mapping[str, str]) -> dict[str, Any]:
    """What the side panel of a source page shows: ``{"fields": MENTION_FIELDS, "values":
    [...], "rows": {mention_id: [index into values, per field]}}``: a JSON block in the page,
    read by report.js with ``JSON.parse`` and shown with ``textContent``. Field names and
    values are written once (a page repeats the same section, method and substance names
    many times)."""
    values: list[Any] = []
    index: dict[Any, int] = {}

    def ref(value: Any) -> int:
        key = (type(value).__name__, value)
        if key not in index:
            index[key] = len(values)
            values.append(value)
        return index[key]

    rows = {}
    for m in mentions:
        dose = dose_details.get(m["mention_id"]) if m["label"] == "DOSE" else None
        rows[m["mention_id"]] = [
            ref(value) for value in (
                m["label"], m["concept_id"], m["concept_name"], m["role"], bool(m["negated"]), bool(m["uncertain"]),
                m["method"], m["section"], m["substance_name"], m["substance_id"], dose,
            )
        ]
    return {"fields": MENTION_FIELDS, "values": values, "rows": rows}


def linker(page: str) -> Callable[[str], str]:
    """``url(target)``: the link from ``page`` to ``target`` (both site paths, relative and
    normalised; ``target`` may end with a ``#fragment``)."""
    here = posixpath.dirname(page)

    def url(target: str) -> str:
        path, hash_, fragment = target.partition("#")
        if not path:
            return f"{hash_}{fragment}"
        directory, _, name = path.rpartition("/")
        return f"{_prefix(here, directory)}{name}{hash_}{fragment}"

    return url


@functools.lru_cache(maxsize=4096)
def _prefix(here: str, there: str) -> str:
    """The relative path from folder ``here`` to folder ``there``, ending with ``/`` (or
    empty): ``posixpath.relpath`` without its two ``getcwd`` calls, for a million links."""
    a = here.split("/") if here else []
    b = there.split("/") if there else []
    common = 0
    while common < min(len(a), len(b)) and a[common] == b[common]:
        common += 1
    return "../" * (len(a) - common) + "".join(f"{part}/" for part in b[common:])


def number(value: Any) -> str:
    """A count with thousands separators; an amount without trailing zeros (20, 0.5, 215.2)."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    if isinstance(value, int):
        return f"{value:,}"
    return f"{float(value):,.6g}" if abs(float(value)) >= 1000 else f"{float(value):.6g}"


def amount_range(low: float | None, high: float | None) -> str:
    """``20–50``, ``20`` (one amount), ``≥ 80``, ``≤ 5`` (open bounds)."""
    if low is None and high is None:
        return "?"
    if high is None:
        return f"≥ {number(low)}"
    if low is None:
        return f"≤ {number(high)}"
    return number(low) if low == high else f"{number(low)}–{number(high)}"


def days(low: float | None, high: float | None) -> str:
    """A course length in days, or empty."""
    if low is None and high is None:
        return ""
    return f"{amount_range(low, high)} days"


class Renderer:
    """The jinja2 environment (package templates, autoescape on, undefined names are errors)
    and one method per page kind, each returning the page's HTML."""

    def __init__(self, site: Site) -> None:
        self.site = site
        self.env = jinja2.Environment(
            loader=jinja2.PackageLoader("pipeline.report", "templates"),
            autoescape=True,
            undefined=jinja2.StrictUndefined,
            trim_blocks=True,
            lstrip_blocks=True,
        )
        self.env.filters["num"] = number
        self.env.globals.update(
            CLASSES=CLASSES,
            KIND_TITLES=KIND_TITLES,
            CSP=CSP,
            VEGA_SCRIPTS=VEGA_SCRIPTS,
            site=site,
            anchor=anchor,
            amount_range=amount_range,
            days=days,
            chart_templates_json=charts.templates,
            mark_attributes=mark_attributes,
            mention_details=mention_details,
        )
        self._templates: dict[str, jinja2.Template] = {}

    def render(self, template: str, page: str, **context: Any) -> str:
        """Render ``template`` as the page at site path ``page``."""
        if template not in self._templates:
            self._templates[template] = self.env.get_template(template)
        return self._templates[template].render(page=page, url=linker(page), **context)


def copy_static(target: Path) -> None:
    """The report's CSS, script and the vendored Vega scripts and licences, into ``target``."""
    source = resources.files("pipeline.report") / "static"
    with resources.as_file(source) as folder:
        shutil.copytree(folder, target, dirs_exist_ok=True)
