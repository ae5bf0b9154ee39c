"""The review report (`pipeline report`), end to end.

Real tables from one real `pipeline run` on the seed corpus plus three sources made for these
tests (``conftest.REPORT_EXTRA_SOURCES``: a text holding ``<script>alert(1)</script>``, an empty
file, a PDF that fails), the real command, and the real pages opened from ``file://`` in
Debian's headless chromium through chromium-driver (``.ci/run`` installs both). Without them
the browser tests skip, except under CI (``CI`` set), where they fail.
"""

from __future__ import annotations

import io
import os
import re
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path

import pandas as pd
import pytest

from pipeline.report import charts
from pipeline.report import data as report_data
from pipeline.report.highlight import pieces
from pipeline.report.render import Site

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "benchmarks"))

import browser  # noqa: E402  (benchmarks/browser.py)

CEREBROLYSIN = "DRUGBANK:DB16599"
LOCAL_SCHEMES = ("file:", "data:", "blob:", "about:", "chrome:", "chrome-untrusted:", "devtools:")


# --------------------------------------------------------------------------- fixtures


@pytest.fixture(scope="module")
def report(report_run: Path) -> Path:
    """``pipeline report`` run as a user runs it; the summary page's path."""
    proc = subprocess.run(
        [sys.executable, "-m", "pipeline", "report", "--out", str(report_run)],
        capture_output=True, text=True, timeout=300, cwd=REPO,
    )
    assert proc.returncode == 0, proc.stderr
    html = report_run / "report.html"
    assert proc.stdout.startswith(f"report: {html} ")
    return html


@pytest.fixture(scope="module")
def tables(report_run: Path) -> dict[str, pd.DataFrame]:
    base = report_data.open_snapshot(report_run).base
    return {name: pd.read_parquet(base / f"{name}.parquet") for name in ("documents", "mentions", "doses")}


@pytest.fixture(scope="module")
def driver():
    if not browser.available():
        if os.environ.get("CI"):
            pytest.fail("chromium and chromium-driver are not installed (.ci/run installs them)")
        pytest.skip("Debian's chromium and chromium-driver are not installed")
    with browser.chromium() as web:
        yield web


def _open(driver, path: Path) -> None:
    browser.requested_urls(driver)  # drain the log of earlier pages
    driver.get_log("browser")
    driver.get(path.as_uri())
    browser.wait_for(driver, "document.readyState == 'complete'")


def _problems(driver) -> list[str]:
    """Console messages at warning level or above, and requests that left the machine."""
    messages = [f"{e['level']}: {e['message']}" for e in driver.get_log("browser") if e["level"] in ("SEVERE", "WARNING")]
    remote = [url for url in browser.requested_urls(driver) if not url.startswith(LOCAL_SCHEMES)]
    return messages + [f"request: {url}" for url in remote]


def _text(value) -> str:
    return "" if pd.isna(value) else str(value)


def _source_page(report: Path, doc_id: str) -> Path:
    return report.parent / Site.for_html(report).source(doc_id)


# --------------------------------------------------------------------------- without a browser


def test_highlight_pieces_keep_the_text_and_balance_every_mark():
    text = "0123456789abcdef"
    mentions = [
        {"id": "outer", "start": 0, "end": 8},
        {"id": "nested", "start": 2, "end": 4},
        {"id": "crossing", "start": 6, "end": 12},  # crosses "outer": split in two parts
        {"id": "empty", "start": 5, "end": 5},
        {"id": "same", "start": 0, "end": 8},
        {"id": "tail", "start": 14, "end": 99},  # clipped to the text
    ]
    stream = pieces(text, mentions)
    assert "".join(p.text for p in stream if p.kind == "text") == text
    depth, first_parts, opened = 0, [], {}
    covered: dict[str, str] = {}
    stack: list[str] = []
    for p in stream:
        if p.kind == "open":
            depth += 1
            stack.append(p.mention["id"])
            opened[p.mention["id"]] = opened.get(p.mention["id"], 0) + 1
            if p.part == 0:
                first_parts.append(p.mention["id"])
        elif p.kind == "close":
            depth -= 1
            stack.pop()
            assert depth >= 0
        else:
            for mention_id in set(stack):
                covered[mention_id] = covered.get(mention_id, "") + p.text
    assert depth == 0
    assert sorted(first_parts) == sorted(m["id"] for m in mentions)
    assert opened["crossing"] == 2 and opened["outer"] == 1
    for m in mentions:
        assert covered.get(m["id"], "") == text[m["start"]:m["end"]], m["id"]


def test_evidence_pages_cut_large_groups_and_keep_every_mention_once(monkeypatch):
    from pipeline.report import views
    from pipeline.report.data import GroupRow

    monkeypatch.setattr(views, "EVIDENCE_ROWS", 10)
    groups = [
        GroupRow("effect", key, key.title(), None, sources=dict(zip(("reported", "hedged", "negated"), m)),
                 mentions=dict(zip(("reported", "hedged", "negated"), m)), n_sources=sum(m), n_mentions=sum(m))
        for key, m in (("big", (23, 4, 0)), ("small", (3, 0, 1)), ("tiny", (0, 0, 1)))
    ]
    pages = views.evidence_pages(groups, lambda n: f"p{n}.html")
    sizes = [sum(p["stop"] - p["start"] for b in page for p in b["parts"]) for page in pages]
    assert sizes == [10, 10, 10, 2] and all(size <= 10 for size in sizes)
    seen: dict[tuple[str, str], list[int]] = {}
    anchors: dict[str, set[str]] = {}
    for number, page in enumerate(pages):
        for block in page:
            group = block["group"]
            if not block["continued"]:
                anchors.setdefault(f"p{number}.html", set()).add(group.anchor)
            for part in block["parts"]:
                seen.setdefault((group.key, part["cls"]), []).extend(range(part["start"], part["stop"]))
                if not part["continued"]:
                    anchors.setdefault(f"p{number}.html", set()).add(f"{group.anchor}-{part['cls']}")
    for group in groups:
        for cls, n in group.mentions.items():
            assert seen.get((group.key, cls), []) == list(range(n))
            if n:
                page, _, anchor = group.class_href[cls].partition("#")
                assert anchor in anchors[page]
        page, _, anchor = group.href.partition("#")
        assert anchor in anchors[page]


def test_chart_declarations_are_valid_vega_lite():
    effects, doses = charts.validated()
    assert effects["encoding"]["href"]["field"] == "href"
    assert "$schema" not in effects and "$schema" not in doses
    import altair as alt

    chart = charts.doses_chart([
        {"mark": "range", "route": "IV · mL", "per": "day", "low": 10.0, "high": 50.0, "amount": None,
         "range": "10–50", "doses": 2, "sources": 1, "href": "e.html#g-1"},
        {"mark": "amount", "route": "IV · mL", "per": "day", "low": None, "high": None, "amount": 20.0,
         "range": "20", "doses": 2, "sources": 1, "href": "e.html#g-1"},
    ])
    alt.Chart.from_dict(charts.spec(chart), validate=True)  # a chart with its data is valid too


def test_every_statement_is_counted_once(report_run, tables):
    """Each CONDITION, ADVERSE_EFFECT and DOSE row is in exactly one section, kind, group and
    class; the sections are the documents' subjects, "no subject" and the other substances."""
    snap = report_data.open_snapshot(report_run)
    documents = report_data.read_documents(snap)
    statements = report_data.read_statements(snap)
    groups = report_data.group_rows(statements)
    mentions = tables["mentions"]
    expected = mentions[mentions.label != "SUBSTANCE"]
    assert sum(sum(row.mentions.values()) for rows in groups.values() for row in rows) == len(expected)
    for cls, flag in (("negated", expected.negated), ("hedged", ~expected.negated & expected.uncertain)):
        assert sum(row.mentions[cls] for rows in groups.values() for row in rows) == int(flag.sum())
    sections = report_data.substances(documents, statements)
    keys = [s.key for s in sections]
    assert len(keys) == len(set(keys))
    assert set(keys) == set(documents.subject_id.fillna("")) | set(expected.substance_id.fillna(""))
    assert sections[0].key == CEREBROLYSIN and sections[0].n_subject_sources == 5
    assert sum(s.n_statements for s in sections) == len(expected)


def test_report_command_writes_every_page_with_local_links_only(report, tables):
    site = Site.for_html(report)
    files = report.parent / site.files
    for doc_id in tables["documents"].doc_id:
        assert (report.parent / site.source(doc_id)).is_file(), doc_id
    for name in ("report.css", "report.js", "vega/vega.min.js", "vega/vega-lite.min.js", "vega/vega-embed.min.js"):
        assert (files / "static" / name).is_file(), name

    class Links(HTMLParser):
        def __init__(self) -> None:
            super().__init__()
            self.urls: list[str] = []
            self.ids: set[str] = set()
            self.csp = False

        def handle_starttag(self, tag, attrs):
            attrs = dict(attrs)
            self.ids.add(attrs.get("id") or "")
            self.urls += [attrs[k] for k in ("src", "href", "action", "srcset") if attrs.get(k)]
            if tag == "meta" and attrs.get("http-equiv") == "Content-Security-Policy":
                self.csp = "default-src 'none'" in attrs["content"] and "script-src 'self';" in attrs["content"]

    pages = [report, *files.rglob("*.html")]
    assert len(pages) > len(tables["documents"]) + 5
    for page in pages:
        parser = Links()
        parser.feed(page.read_text(encoding="utf-8"))
        assert parser.csp, page
        remote = [u for u in parser.urls if re.match(r"^[a-z][a-z0-9+.-]*:|^//", u, re.I)]
        assert remote == [], (page, remote[:3])
        for url in parser.urls:  # every link leads to a page of the report, or into this page
            path, _, fragment = url.partition("#")
            if path:
                assert (page.parent / path).resolve().is_file(), (page, url)
            else:
                assert fragment in parser.ids, (page, url)


def test_a_new_report_replaces_the_old_one_and_what_a_killed_build_left(report_run, tmp_path):
    from pipeline.report import build_report

    html = tmp_path / "review.html"
    (tmp_path / "review_files.new-0dead0").mkdir()  # a killed build's staging folder
    (tmp_path / "review.html.new-0dead0").write_text("half")
    first = build_report(report_run, html)
    stale = first.files / "sources" / "stale.html"
    stale.write_text("from an older report")
    second = build_report(report_run, html)
    assert second.files == tmp_path / "review_files" and html.is_file()
    assert not stale.exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == [".review.html.lock", "review.html", "review_files"]


def test_report_refuses_a_folder_without_tables(tmp_path):
    proc = subprocess.run(
        [sys.executable, "-m", "pipeline", "report", "--out", str(tmp_path / "nothing")],
        capture_output=True, text=True, timeout=120, cwd=REPO,
    )
    assert proc.returncode == 2
    assert "no tables" in proc.stderr and "Traceback" not in proc.stderr


# --------------------------------------------------------------------------- in the browser


def test_summary_loads_offline_with_charts_and_no_console_errors(driver, report, tmp_path):
    _open(driver, report)
    figures = driver.find_elements("css selector", "figure.chart")
    assert len(figures) >= 2
    for figure in figures:  # charts are drawn when scrolled into view
        driver.execute_script("arguments[0].scrollIntoView()", figure)
        browser.wait_for(driver, "arguments.length == 0 && true")  # a round trip
    browser.wait_for(driver, "[...document.querySelectorAll('figure.chart')].every(f => f.dataset.rendered == 'true')")
    first = driver.find_element("css selector", f'section.substance[data-substance="{CEREBROLYSIN}"]')
    bars = first.find_elements("css selector", "figure[data-chart=effects] svg .mark-rect path")
    rules = first.find_elements("css selector", "figure[data-chart=doses] svg .mark-rule line, figure[data-chart=doses] svg .mark-rule path")
    assert len(bars) >= 2 and len(rules) >= 1
    assert _problems(driver) == []

    driver.execute_script("window.scrollTo(0, 0)")
    from PIL import Image

    image = Image.open(io.BytesIO(driver.get_screenshot_as_png())).convert("RGB")
    colours = image.getcolors(maxcolors=1_000_000)
    assert colours is not None and len(colours) > 10


def test_summary_ranks_adverse_effects_by_sources_and_links_counts_to_their_mentions(driver, report, tables):
    """The Cerebrolysin effects table equals a pandas count over the tables, and each count
    opens a page listing exactly that many mentions."""
    documents, mentions = tables["documents"], tables["mentions"]
    effects = mentions[(mentions.label == "ADVERSE_EFFECT") & (mentions.substance_id == CEREBROLYSIN)]
    reported = effects[~effects.negated & ~effects.uncertain]
    expected = reported.groupby("concept_id").doc_id.nunique()

    _open(driver, report)
    table = driver.find_element(
        "css selector", f'section.substance[data-substance="{CEREBROLYSIN}"] table.kind-effect'
    )
    rows = table.find_elements("css selector", "tbody tr")
    shown = []
    for row in rows:
        cell = row.find_element("css selector", "td.reported")
        shown.append((row.get_attribute("data-group"), int(cell.text.split()[0]) if cell.text.strip() != "–" else 0))
    assert [n for _, n in shown] == sorted((n for _, n in shown), reverse=True)
    for concept, n in shown:
        assert n == expected.get(concept, 0), concept
    assert shown[0][1] == expected.max()

    links = [(a.get_attribute("href"), int(a.text.split()[0])) for a in table.find_elements("css selector", "td.reported a.count")][:4]
    assert links
    for href, n_sources in links:
        driver.get(href)
        fragment = href.partition("#")[2]
        assert fragment.endswith("-reported")
        section = driver.find_element("id", fragment)
        rows = section.find_elements("css selector", "tr.mention-row")
        ids = [r.get_attribute("data-mention-id") for r in rows]
        found = mentions[mentions.mention_id.isin(ids)]
        assert len(found) == len(ids) and found.doc_id.nunique() == n_sources
        assert not found.negated.any() and not found.uncertain.any()
        assert set(found.label) == {"ADVERSE_EFFECT"} and set(found.substance_id) == {CEREBROLYSIN}

    # failed and empty sources are listed with their error
    _open(driver, report)
    problems = driver.find_element("id", "problems").text
    for row in documents[documents.status != "ok"].itertuples():
        assert row.source in problems and row.error in problems


def test_source_pages_highlight_every_mention_row_for_row(driver, report, tables):
    documents, mentions = tables["documents"], tables["mentions"]
    script = """
        const packed = JSON.parse(document.getElementById('mention-data').textContent);
        const data = {};
        for (const [id, values] of Object.entries(packed.rows))
            data[id] = Object.fromEntries(values.map((ref, i) => [packed.fields[i], packed.values[ref]]));
        const byId = {};
        for (const m of document.querySelectorAll('#text mark[data-mention-id]')) {
            const row = byId[m.dataset.mentionId] = byId[m.dataset.mentionId] || {text: '', parts: 0};
            row.parts += 1;
            row.text += m.textContent;
            if (!m.dataset.part) Object.assign(row, {anchor: m.id, classes: [...m.classList].sort(),
                                                     data: data[m.dataset.mentionId]});
        }
        return {rows: byId, text: document.getElementById('text').textContent, n_data: Object.keys(data).length};
    """
    for doc in documents.itertuples():
        _open(driver, _source_page(report, doc.doc_id))
        page = driver.execute_script(script)
        expected = mentions[mentions.doc_id == doc.doc_id].set_index("mention_id")
        assert sorted(page["rows"]) == sorted(expected.index), doc.doc_id
        assert page["n_data"] == len(expected)
        for mention_id, shown in page["rows"].items():
            row = expected.loc[mention_id]
            assert shown["text"] == row.text
            assert shown["anchor"] == f"m{row.start}-{row.end}-{row.label}"
            classes = {"m", row.label} | ({f"role-{row.role}"} if _text(row.role) else set())
            classes |= {"negated"} if row.negated else set()
            classes |= {"uncertain"} if row.uncertain else set()
            assert shown["classes"] == sorted(classes)
            data = shown["data"]
            assert (data["label"], data["negated"], data["uncertain"]) == (row.label, bool(row.negated), bool(row.uncertain))
            for field in ("concept_id", "concept_name", "role", "method", "section", "substance_id"):
                assert _text(data[field]) == _text(row[field]), field
        assert page["text"] == doc.text.replace("\r\n", "\n")
        if doc.status != "ok":
            assert doc.error in driver.find_element("css selector", "dl.meta").text
        assert _problems(driver) == [], doc.doc_id

    # the side panel shows a mention's concept, role, method and section
    doc_id = documents[documents.status == "ok"].doc_id.iloc[0]
    _open(driver, _source_page(report, doc_id))
    condition = mentions[(mentions.doc_id == doc_id) & (mentions.label == "CONDITION")].iloc[0]
    driver.find_element("id", f"m{condition.start}-{condition.end}-CONDITION").click()
    panel = driver.find_element("id", "panel").text
    for value in (condition.concept_id, condition.concept_name, condition.role, condition.method):
        assert value in panel


def test_markup_in_a_source_is_shown_as_text_and_never_runs(driver, report, tables):
    from selenium.common.exceptions import NoAlertPresentException

    documents = tables["documents"]
    doc = documents[documents.doc_id == "xss_forum"].iloc[0]
    assert "<script>alert(1)</script>" in doc.text
    _open(driver, _source_page(report, "xss_forum"))
    with pytest.raises(NoAlertPresentException):
        driver.switch_to.alert  # noqa: B018  (an alert would be open now)
    shown = driver.find_element("id", "text").text
    assert "<script>alert(1)</script>" in shown and "<img src=x onerror=alert(2)>" in shown
    scripts = driver.execute_script("return [...document.scripts].map(s => s.src || s.textContent)")
    assert not any("alert(" in s for s in scripts)
    assert driver.execute_script("return document.querySelectorAll('#text script, #text img').length") == 0
    assert _problems(driver) == []


def test_scale_script_builds_a_synthetic_report(report_run, tmp_path):
    """benchmarks/report_scale.py (the BENCHMARKS.md figures) runs end to end on a small
    synthetic corpus made from this run's rows: every source gets its page, and the figures
    it prints exist. Not timed: nothing here asserts on speed."""
    import json

    out = tmp_path / "scale.json"
    proc = subprocess.run(
        [sys.executable, str(REPO / "benchmarks" / "report_scale.py"), "--sources", "40", "--substances", "6",
         "--tables", str(report_run), "--work", str(tmp_path / "work"), "--no-browser", "--json", str(out)],
        capture_output=True, text=True, timeout=600, cwd=REPO,
    )
    assert proc.returncode == 0, proc.stderr
    result = json.loads(out.read_text())
    assert result["synthetic"]["sources"] == 40 and result["synthetic"]["mentions"] > 0
    built = tmp_path / "work" / "synthetic-40"
    assert len(list((built / "report_files" / "sources").glob("*.html"))) == 40
    assert result["build"]["seconds"] > 0 and result["build"]["summary_kb"] > 0 and result["build"]["peak_rss_mb"] > 0
    documents = pd.read_parquet(built / "documents.parquet")
    mentions = pd.read_parquet(built / "mentions.parquet")
    assert documents.doc_id.is_unique and mentions.mention_id.is_unique
    assert set(mentions.doc_id) <= set(documents.doc_id)
