"""The README's substance examples run as written, on tables of a small corpus made here."""

from __future__ import annotations

import re
from pathlib import Path

import duckdb
import pytest

from conftest import REPO
from pipeline.run import run

PAGES = {
    "ginkgo_review.txt": (
        "Ginkgo biloba: what the evidence says\n\n"
        "Most trials used ginkgo 120 mg twice daily orally. Ginkgo can cause headache and dizziness.\n"
        "In people on aspirin 325 mg/day, adding ginkgo 300 mg/day did not change bleeding.\n"
    ),
    "ginkgo_forum.txt": (
        "Ginkgo for tinnitus?\n\n"
        "I took ginkgo 240 mg/day orally for three months. It gave me a headache every day.\n"
    ),
    "warfarin_leaflet.txt": (
        "Warfarin\n\n"
        "Warfarin is usually started at 5 mg/day orally. Warfarin can cause bleeding.\n"
    ),
}


def readme_section() -> str:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    return readme.split("## Substances and subjects\n", 1)[1].split("\n## ", 1)[0]


def blocks(language: str) -> list[str]:
    return re.findall(rf"```{language}\n(.*?)```", readme_section(), flags=re.S)


@pytest.fixture(scope="module")
def outputs(tmp_path_factory) -> Path:
    base = tmp_path_factory.mktemp("readme")
    corpus = base / "corpus"
    corpus.mkdir()
    for name, text in PAGES.items():
        (corpus / name).write_text(text, encoding="utf-8")
    out = base / "outputs"
    run(corpus, out)
    return out


def test_pandas_example(outputs: Path, capsys) -> None:
    (code,) = blocks("python")
    namespace: dict = {}
    exec(code.replace('"outputs/', f'"{outputs}/'), namespace)
    subjects = dict(zip(namespace["documents"].doc_id, namespace["documents"].subject_name))
    assert subjects == {"ginkgo_forum": "Ginkgo biloba", "ginkgo_review": "Ginkgo biloba", "warfarin_leaflet": "Warfarin"}
    by_sources = namespace["by_sources"].set_index(["substance_name", "concept_name"]).sources
    assert by_sources["Ginkgo biloba", "Headache"] == 2  # in two sources
    assert by_sources["Warfarin"].sum() >= 1
    ranges = namespace["ranges"]
    ginkgo = ranges[(ranges.substance_name == "Ginkgo biloba") & (ranges.per == "day")]
    assert (ginkgo.low.min(), ginkgo.high.max()) == (240.0, 300.0)
    aspirin = ranges[ranges.substance_name == "Aspirin"]
    assert list(aspirin.low) == [325.0] and list(aspirin.sources) == [1]
    assert "Ginkgo biloba" in capsys.readouterr().out


def test_duckdb_example(outputs: Path) -> None:
    (sql,) = blocks("sql")
    statements = [s.strip() for s in sql.replace("'outputs/", f"'{outputs}/").split(";") if s.strip()]
    effects, doses = (duckdb.sql(statement).fetchall() for statement in statements)
    assert ("Ginkgo biloba", "Headache", 2, 2) in effects
    by_substance = {(row[0], row[1], row[3]): row for row in doses}
    assert by_substance["Warfarin", "oral", "day"][4:7] == (5.0, 5.0, 1)
    assert by_substance["Ginkgo biloba", "oral", "day"][4:7] == (240.0, 240.0, 1)
