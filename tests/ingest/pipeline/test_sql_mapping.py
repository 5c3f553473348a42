"""A mapping whose query reads an SQL database ingests like any other source."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from casegraph.model.dataset import DatasetMeta
from casegraph.model.entity import EntityView
from casegraph.security.context import Context
from casegraph.services.entities import iter_entities, iter_entity_ids
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


def _entities(store: Store, ctx: Context, schema: str | None = None) -> list[EntityView]:
    scope = store.policy.read_scope(ctx)
    return list(iter_entities(store, scope, iter_entity_ids(store, scope, schema=schema)))


def test_sql_sourced_mapping_ingests_every_row_with_its_origin(
    store: Store, owner: Context, tmp_path: Path
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
        owner,
        mapping,
        meta=DatasetMeta(name="companies", title="", marking=""),
        rejects_path=tmp_path / "rejects.jsonl",
    )
    assert (result.read, result.ingested, result.rejected) == (3, 2, 1)
    names = sorted(e.values("name")[0] for e in _entities(store, owner, "Company"))
    assert names == ["Acme Ltd", "Blue Harbour"]
    origin = _entities(store, owner)[0].properties["name"][0].origin
    assert origin is not None and "registry.db" in origin and "row=" in origin
    assert "Atlantis" in (tmp_path / "rejects.jsonl").read_text(encoding="utf-8")
