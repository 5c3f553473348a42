"""FtM entity JSON records: cleaned like `get_proxy(cleaned=False)`, signed like `ftm map`."""

from __future__ import annotations

from typing import Any

import pytest
from followthemoney import model
from followthemoney.namespace import Namespace

from casegraph.ingest.mapping.ftm_entities import entity_statements
from casegraph.ingest.records import RowError, SourceRow
from casegraph.model.origin import Origin
from casegraph.model.statement import BASE_PROP, make_statement_id

from .oracle import Entities, group_statements

DATASET = "leaks"


def _row(entity: dict[str, Any]) -> SourceRow:
    return SourceRow(origin=Origin(file="e.json", row=2), entity=entity, raw=str(entity))


def _ftm(entity: dict[str, Any]) -> Entities:
    proxy = model.get_proxy(entity, cleaned=False)
    signed = Namespace(DATASET).apply(proxy)
    assert signed.id is not None
    return {signed.id: (signed.schema.name, {k: set(v) for k, v in signed.properties.items()})}


GOOD: list[dict[str, Any]] = [
    {
        "id": "p1",
        "schema": "Person",
        "properties": {
            "name": ["  Jane   Doe ", "Jane Doe"],
            "birthDate": ["1980-05-01"],
            "nationality": ["Germany", "de"],
            "email": "JANE@EXAMPLE.COM",
        },
    },
    {
        "id": "own-1",
        "schema": "Ownership",
        "properties": {"owner": ["p1"], "asset": ["c1.oldsignature"], "percentage": [50]},
    },
    {"id": "c1", "schema": "Company", "properties": {}},
    {"id": "c2", "schema": "Company"},
]


@pytest.mark.parametrize("entity", GOOD, ids=[e["id"] for e in GOOD])
def test_entities_equal_ftm(entity: dict[str, Any]) -> None:
    result = entity_statements(_row(entity), dataset=DATASET)
    assert isinstance(result, list)
    assert group_statements(result) == _ftm(entity)
    for stmt in result:
        assert stmt.dataset == DATASET and stmt.origin == "file:e.json#row=2"
        assert stmt.id == make_statement_id(
            dataset=DATASET, entity_id=stmt.entity_id, prop=stmt.prop, value=stmt.value
        )


def test_originals() -> None:
    result = entity_statements(_row(GOOD[0]), dataset=DATASET)
    assert isinstance(result, list)
    base = next(s for s in result if s.prop == BASE_PROP)
    assert base.original_value == "p1" and base.value == Namespace(DATASET).sign("p1")
    originals = {(s.prop, s.value): s.original_value for s in result}
    assert originals["name", "Jane Doe"] == "  Jane   Doe "
    assert originals["nationality", "de"] == "Germany"
    assert originals["email", "JANE@example.com"] == "JANE@EXAMPLE.COM"
    owned = entity_statements(_row(GOOD[1]), dataset=DATASET)
    assert isinstance(owned, list)
    owner = next(s for s in owned if s.prop == "owner")
    assert owner.original_value == "p1"


def _e(schema: str, props: dict[str, Any] | None = None, id: str | None = "p") -> dict[str, Any]:
    entity: dict[str, Any] = {"schema": schema, "properties": props or {}}
    if id is not None:
        entity["id"] = id
    return entity


BAD = [
    (
        _e("Person", {"birthDate": ["31/02/2020"]}),
        "'31/02/2020' is not a valid date for property Person:birthDate",
    ),
    (_e("Person", {"nationality": "Atlantis"}), "'Atlantis' is not a valid country"),
    (
        _e("Person", {"nmae": ["x"]}),
        "unknown property 'nmae' of schema Person (did you mean \"name\"?)",
    ),
    (_e("Person", {"ownershipOwner": ["o"]}), "reverse property"),
    (_e("Persn"), "unknown schema 'Persn'"),
    (_e("Person", id=None), "no id"),
    (_e("Person", id="a b"), "'a b' is not a valid entity id"),
    (_e("Ownership", {"owner": ["p"]}), "refers to the entity itself"),
    (
        _e("Ownership", {"owner": ["x y"]}),
        "'x y' is not a valid entity id for property Ownership:owner",
    ),
]


@pytest.mark.parametrize(("entity", "message"), BAD)
def test_bad_entities_are_rejected(entity: dict[str, Any], message: str) -> None:
    result = entity_statements(_row(entity), dataset=DATASET)
    assert isinstance(result, RowError)
    assert message in result.message
    assert result.origin == Origin(file="e.json", row=2) and result.raw == str(entity)


def test_not_an_entity() -> None:
    row = SourceRow(origin=Origin(file="e.json", row=1), values={"a": "b"})
    assert isinstance(entity_statements(row, dataset=DATASET), RowError)
