"""Small builders for tests: statements and datasets made the way ingest makes them."""

from __future__ import annotations

from casegraph.model.dataset import DatasetMeta
from casegraph.model.origin import Origin
from casegraph.model.statement import BASE_PROP, StatementRow, make_statement_id
from casegraph.services.datasets import register_dataset
from casegraph.services.store import Store


def stmt(
    entity_id: str,
    prop: str,
    value: str,
    *,
    schema: str = "Person",
    dataset: str = "registry",
    prop_type: str = "string",
    row: int = 1,
    original: str | None = None,
) -> StatementRow:
    return StatementRow(
        id=make_statement_id(dataset=dataset, entity_id=entity_id, prop=prop, value=value),
        entity_id=entity_id,
        schema=schema,
        prop=prop,
        prop_type=prop_type,
        value=value,
        original_value=original,
        lang=None,
        dataset=dataset,
        origin=Origin(file="people.csv", row=row, line=row + 1).render(),
    )


def base(entity_id: str, *, schema: str = "Person", dataset: str = "registry") -> StatementRow:
    return stmt(entity_id, BASE_PROP, entity_id, schema=schema, dataset=dataset, prop_type="id")


def add_dataset(store: Store, name: str = "registry", marking: str = "PUBLIC") -> DatasetMeta:
    return register_dataset(store, DatasetMeta(name=name, title=name.title(), marking=marking))
