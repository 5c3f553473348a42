"""SQL mapping queries read a real SQLite database like `ftm map` does."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
import yaml
from followthemoney import model
from followthemoney.namespace import Namespace

from casegraph.errors import MappingError, SourceError
from casegraph.ingest.mapping.compiler import compile_query
from casegraph.ingest.mapping.loader import QuerySpec, load_mapping_file
from casegraph.ingest.mapping.sql_source import SQLQuerySource, safe_database_url
from casegraph.ingest.records import RowError, SourceRow

from .oracle import Entities, group_statements, merge

DATASET = "registry"


def _database(path: Path) -> str:
    conn = sqlite3.connect(path)
    conn.executescript(
        """
        CREATE TABLE companies (id INTEGER PRIMARY KEY, name TEXT, country TEXT,
                                founded TEXT, status TEXT, capital REAL);
        CREATE TABLE officers (id INTEGER PRIMARY KEY, company_id INTEGER,
                               name TEXT, role TEXT);
        INSERT INTO companies VALUES
            (1, 'Acme Ltd', 'gb', '2001-02-03', 'active', 1000.5),
            (2, '  Beta  GmbH ', 'Germany', '2010', 'active', NULL),
            (3, 'Gamma SA', 'fr', NULL, 'dissolved', 12),
            (4, 'Delta Inc', 'us', '1999-12-31', 'active', 0.125);
        INSERT INTO officers VALUES
            (10, 1, 'Alice', 'director'),
            (11, 1, 'Bob', 'secretary'),
            (12, 2, 'Carl', 'director'),
            (13, 3, 'Dora', 'director'),
            (14, 4, '', 'director');
        """
    )
    conn.commit()
    conn.close()
    return f"sqlite:///{path}"


def _mapping(tmp_path: Path, url: str, **extra: object) -> Path:
    query: dict[str, object] = {
        "database": url,
        "tables": [{"table": "companies", "alias": "c"}, {"table": "officers", "alias": "o"}],
        "joins": [{"left": "c.id", "right": "o.company_id"}],
        "filters_not": {"c.status": "dissolved"},
        "entities": {
            "company": {
                "schema": "Company",
                "keys": ["c.id"],
                "properties": {
                    "name": {"column": "c.name"},
                    "jurisdiction": {"column": "c.country"},
                    "incorporationDate": {"column": "c.founded"},
                    "notes": {"column": "c.capital"},
                },
            },
            "officer": {
                "schema": "Person",
                "keys": ["o.id"],
                "properties": {"name": {"column": "o.name"}},
            },
            "role": {
                "schema": "Directorship",
                "keys": ["o.id", "c.id"],
                "properties": {
                    "director": {"entity": "officer"},
                    "organization": {"entity": "company"},
                    "role": {"column": "o.role"},
                },
            },
        },
        **extra,
    }
    path = tmp_path / "registry.yml"
    path.write_text(yaml.safe_dump({DATASET: {"queries": [query]}}), encoding="utf-8")
    return path


def test_sql_query_equals_ftm_map(tmp_path: Path) -> None:
    url = _database(tmp_path / "registry.db")
    (spec,) = load_mapping_file(_mapping(tmp_path, url))
    source = SQLQuerySource(spec, dataset=DATASET)
    assert "c.name" in source.columns() and "name" in source.columns()
    compiled = compile_query(spec, dataset=DATASET, columns=source.columns())
    ours: Entities = {}
    rows = list(source.rows())
    assert len(rows) == 4  # Gamma is filtered out in SQL
    for number, row in enumerate(rows, start=1):
        assert isinstance(row, SourceRow)
        assert row.origin.url == f"{url}#table=c%2Co&row={number}"
        assert row.raw is not None and row.values["c.name"] in row.raw
        result = compiled.map_row(row)
        assert not isinstance(result, RowError), result
        for entity_id, (schema, props) in group_statements(result).items():
            merge(ours, entity_id, schema, props)
    theirs: Entities = {}
    ns = Namespace(DATASET)
    for entity in model.map_entities(spec.query, key_prefix=DATASET, dataset=DATASET):
        data = ns.apply(entity).to_dict()
        merge(theirs, data["id"], data["schema"], data["properties"])
    assert ours == theirs
    names = {v for _, props in ours.values() for v in props.get("name", ())}
    assert "Beta GmbH" in names and "Gamma SA" not in names
    notes = {v for _, props in ours.values() for v in props.get("notes", ())}
    assert notes == {"1000.5", "0.125"}  # floats as sanitize_text writes them


def test_unknown_sql_column_is_a_mapping_error(tmp_path: Path) -> None:
    url = _database(tmp_path / "registry.db")
    path = _mapping(tmp_path, url)
    text = path.read_text(encoding="utf-8").replace("column: o.role", "column: o.rank")
    path.write_text(text, encoding="utf-8")
    (spec,) = load_mapping_file(path)
    source = SQLQuerySource(spec, dataset=DATASET)
    with pytest.raises(MappingError, match=r'entity "role": column "o.rank" is not in the source'):
        compile_query(spec, dataset=DATASET, columns=source.columns())


def test_missing_database_and_table(tmp_path: Path) -> None:
    (spec,) = load_mapping_file(_mapping(tmp_path, f"sqlite:///{tmp_path / 'nope.db'}"))
    with pytest.raises(SourceError, match="does not exist"):
        SQLQuerySource(spec, dataset=DATASET)
    assert not (tmp_path / "nope.db").exists()
    url = _database(tmp_path / "registry.db")
    path = _mapping(tmp_path, url)
    path.write_text(path.read_text("utf-8").replace("table: officers", "table: people"), "utf-8")
    (spec,) = load_mapping_file(path)
    with pytest.raises(SourceError, match="people"):
        SQLQuerySource(spec, dataset=DATASET)


def test_database_url_without_password(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DB_PASS", "s3cret")
    url = safe_database_url("postgresql://user:${DB_PASS}@db.example:5432/registry")
    assert url == "postgresql://user@db.example:5432/registry"
    assert "s3cret" not in url


def test_not_an_sql_query(tmp_path: Path) -> None:
    spec = QuerySpec({"entities": {}}, 1, tmp_path / "m.yml")
    with pytest.raises(MappingError, match="database"):
        SQLQuerySource(spec, dataset=DATASET)
