"""The schema is the contract: the README documents every column, every table has metadata."""

from __future__ import annotations

import re

from pipeline import schema
from conftest import REPO


def test_readme_documents_every_column_of_every_table():
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    for name, table in schema.TABLES.items():
        section = readme.split(f"### {name}\n", 1)
        assert len(section) == 2, f"README has no section for {name}"
        body = section[1].split("\n### ", 1)[0]
        documented = set()
        for cell in re.findall(r"^\| ([a-z0-9_, ]+) \|", body, flags=re.M):
            documented.update(part.strip() for part in cell.split(","))
        assert set(table.names) <= documented, (name, set(table.names) - documented)


def test_empty_tables_carry_schema_version():
    for name in schema.TABLES:
        table = schema.empty_table(name)
        assert table.num_rows == 0
        assert table.schema.metadata[b"schema_version"] == schema.SCHEMA_VERSION.encode()
        assert table.schema.names == schema.TABLES[name].names
