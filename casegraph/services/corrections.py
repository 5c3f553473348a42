"""Corrections: new statements in a user-owned dataset; source evidence stays as it was."""

from __future__ import annotations

from casegraph.errors import InvalidInputError
from casegraph.model.dataset import DatasetMeta
from casegraph.model.origin import Origin
from casegraph.model.statement import BASE_PROP, StatementRow, make_statement_id
from casegraph.security.audit_event import ActionClass, dataset_object, entity_object
from casegraph.security.context import Context
from casegraph.services import audit
from casegraph.services.clock import utc_now
from casegraph.services.entities import get_entity
from casegraph.services.store import Store
from casegraph.services.writes import apply_permit, permit_write
from casegraph.store.bulk import upsert_statements


def add_correction(
    store: Store,
    ctx: Context,
    *,
    entity_id: str,
    prop: str,
    value: str,
    dataset: str,
    marking: str = "",
    group: str | None = None,
) -> StatementRow:
    """Add a value to an entity in a user-owned dataset (created when missing).

    The actor must be able to read the entity (reading it is its own consultation
    event) and write the dataset. The value is cleaned by its followthemoney property
    type; a value that does not clean is refused with the reason, nothing is written.
    """
    actor = ctx.actor.name
    entity = get_entity(store, ctx, entity_id)
    schema = entity.schema
    prop_obj = schema.get(prop)
    if prop_obj is None:
        raise InvalidInputError(
            f"schema {schema.name} has no property {prop!r}; "
            f"known: {', '.join(sorted(schema.properties)[:12])}…"
        )
    if prop_obj.stub or prop_obj.type.name == "entity":
        raise InvalidInputError(f"{schema.name}:{prop} links entities; corrections set values only")
    cleaned = prop_obj.type.clean(value)
    if cleaned is None:
        raise InvalidInputError(
            f"{value!r} is not a valid {prop_obj.type.name} for {schema.name}:{prop}"
        )
    origin = Origin(url=f"casegraph:correction?actor={actor}").render()
    now = utc_now()
    base = StatementRow(
        id=make_statement_id(dataset=dataset, entity_id=entity_id, prop=BASE_PROP, value=entity_id),
        entity_id=entity_id,
        schema=schema.name,
        prop=BASE_PROP,
        prop_type="id",
        value=entity_id,
        original_value=None,
        lang=None,
        dataset=dataset,
        origin=origin,
    )
    row = StatementRow(
        id=make_statement_id(dataset=dataset, entity_id=entity_id, prop=prop, value=cleaned),
        entity_id=entity_id,
        schema=schema.name,
        prop=prop,
        prop_type=prop_obj.type.name,
        value=cleaned,
        original_value=value if value != cleaned else None,
        lang=None,
        dataset=dataset,
        origin=origin,
    )
    meta = DatasetMeta(
        name=dataset,
        title=f"Corrections ({dataset})",
        marking=marking,
        owner=actor,
        user_owned=True,
    )
    permit = permit_write(
        store, ctx, meta, action=ActionClass.ALTER, operation="entity.correct", group=group
    )
    with store.engine.begin() as conn:
        apply_permit(conn, store, meta, permit)
        upsert_statements(conn, [base, row], seen=now)
        audit.record(
            conn,
            store,
            ctx,
            permit.event(
                action=ActionClass.ALTER,
                operation="entity.correct",
                objects=(entity_object(entity_id), dataset_object(dataset)),
            ),
        )
    return row
