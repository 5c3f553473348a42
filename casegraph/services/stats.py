"""Counts per dataset and schema, from the base-statement index."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select

from casegraph.model.statement import BASE_PROP
from casegraph.services.store import Store
from casegraph.store.tables import statement


@dataclass(frozen=True, slots=True)
class SchemaCount:
    dataset: str
    schema: str
    entities: int


def entity_counts(store: Store, *, dataset: str | None = None) -> list[SchemaCount]:
    query = (
        select(statement.c.dataset, statement.c.schema, func.count().label("n"))
        .where(statement.c.prop == BASE_PROP)
        .group_by(statement.c.dataset, statement.c.schema)
        .order_by(statement.c.dataset, statement.c.schema)
    )
    if dataset is not None:
        query = query.where(statement.c.dataset == dataset)
    with store.engine.connect() as conn:
        return [SchemaCount(r.dataset, r.schema, r.n) for r in conn.execute(query)]


def statement_count(store: Store, *, dataset: str | None = None) -> int:
    query = select(func.count()).select_from(statement)
    if dataset is not None:
        query = query.where(statement.c.dataset == dataset)
    with store.engine.connect() as conn:
        return int(conn.execute(query).scalar_one())
