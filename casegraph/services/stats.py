"""Counts per dataset and schema, from the base-statement index, within the read scope.

Counts are not content, so they need no purpose; but they only ever count datasets
the actor may read (the scope is inside the query), and a dataset outside it answers
as missing.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select

from casegraph.model.statement import BASE_PROP
from casegraph.security.audit_event import ActionClass, dataset_object
from casegraph.security.context import Context
from casegraph.security.policy import Decision, allow
from casegraph.services import audit
from casegraph.services.access import allowance, denial, not_found, readable_datasets
from casegraph.services.store import Store
from casegraph.store.tables import statement


@dataclass(frozen=True, slots=True)
class SchemaCount:
    dataset: str
    schema: str
    entities: int


@dataclass(frozen=True, slots=True)
class Statistics:
    counts: list[SchemaCount]
    statements: int


def statistics(store: Store, ctx: Context, *, dataset: str | None = None) -> Statistics:
    """Entities per dataset and schema, and the statement total; audited."""
    readable = readable_datasets(store.policy.read_scope(ctx, with_purpose=True))
    counts = (
        select(statement.c.dataset, statement.c.schema, func.count().label("n"))
        .where(statement.c.prop == BASE_PROP, statement.c.dataset.in_(readable))
        .group_by(statement.c.dataset, statement.c.schema)
        .order_by(statement.c.dataset, statement.c.schema)
    )
    total = select(func.count()).select_from(statement).where(statement.c.dataset.in_(readable))
    objects: tuple[str, ...] = ()
    if dataset is not None:
        objects = (dataset_object(dataset),)
        counts = counts.where(statement.c.dataset == dataset)
        total = total.where(statement.c.dataset == dataset)
    with store.engine.connect() as conn:
        visible = (
            dataset is None
            or conn.execute(readable.where(readable.selected_columns[0] == dataset)).first()
            is not None
        )
        rows = [SchemaCount(r.dataset, r.schema, r.n) for r in conn.execute(counts)]
        statements = int(conn.execute(total).scalar_one())
    if not visible:
        assert dataset is not None
        audit.refuse(
            store,
            ctx,
            denial(
                action=ActionClass.CONSULT,
                operation="stats",
                decision=Decision(False, "no such dataset in the actor's scope", "scope"),
                objects=objects,
            ),
            not_found(dataset),
        )
    audit.record_alone(
        store,
        ctx,
        allowance(
            action=ActionClass.CONSULT,
            operation="stats",
            decision=allow("counts filtered by the Policy", "scope"),
            objects=objects or tuple(sorted({dataset_object(r.dataset) for r in rows})),
        ),
    )
    return Statistics(counts=rows, statements=statements)
