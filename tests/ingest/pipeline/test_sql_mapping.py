"""A mapping whose query reads an SQL database ingests like any other source."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from casegraph.model.dataset import DatasetMeta
from casegraph.services.entities import iter_entities
from casegraph.services.ingest import ingest
from casegraph.services.store import Store

MAPPING = """\
companies:
  queries:
    - database: sqlite:///{db}
      tables: [companies]
      entities:
        company:
          schema: Company
          keys: [number]
          properties:
            name: {{column: name}}
            jurisdiction: {{column: country}}
"""


def test_sql_sourced_mapping_ingests_every_row_with_its_origin(
    store: Store, tmp_path: Path
) -> None:
    db = tmp_path / "registry.db"
    with sqlite3.connect(db) as conn:
        conn.execute("CREATE TABLE companies (number TEXT, name TEXT, country TEXT)")
        conn.executemany(
            "INSERT INTO companies VALUES (?, ?, ?)",
            [("1", "Acme Ltd", "gb"), ("2", "Blue Harbour", "cy"), ("3", "Bad Co", "Atlantis")],
        )
    conn.close()
    mapping = tmp_path / "companies.yml"
    mapping.write_text(MAPPING.format(db=db), encoding="utf-8")
    result = ingest(
        store,
        mapping,
        meta=DatasetMeta(name="companies", title="", marking=""),
        actor="tester",
        rejects_path=tmp_path / "rejects.jsonl",
    )
    assert (result.read, result.ingested, result.rejected) == (3, 2, 1)
    names = sorted(e.values("name")[0] for e in iter_entities(store, schema="Company"))
    assert names == ["Acme Ltd", "Blue Harbour"]
    origin = next(iter_entities(store)).properties["name"][0].origin
    assert origin is not None and "registry.db" in origin and "row=" in origin
    assert "Atlantis" in (tmp_path / "rejects.jsonl").read_text(encoding="utf-8")
