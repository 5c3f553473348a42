"""Corrections: new statements in a user-owned dataset; source evidence stays as it was."""

from __future__ import annotations

from sqlalchemy import select

from casegraph.errors import AccessDeniedError, InvalidInputError
from casegraph.model.dataset import DatasetMeta, check_marking
from casegraph.model.entity import EntityView
from casegraph.model.origin import Origin
from casegraph.model.statement import BASE_PROP, StatementRow, make_statement_id
from casegraph.security.audit_event import ActionClass, dataset_object, entity_object
from casegraph.security.context import Context
from casegraph.security.policy import Decision
from casegraph.services import audit
from casegraph.services.access import denial
from casegraph.services.clock import utc_now
from casegraph.services.datasets import default_marking
from casegraph.services.entities import entity_to_change
from casegraph.services.search_index import index_entities, keys_of
from casegraph.services.store import Store
from casegraph.services.writes import apply_permit, permit_write
from casegraph.store.bulk import upsert_statements
from casegraph.store.tables import dataset as dataset_table


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

    The actor must be able to read the entity and write the dataset; the correction
    records one `alter` event (a refusal, one `deny` event). The value is cleaned by
    its followthemoney property type; a value that does not clean is refused with the
    reason, nothing is written.
    """
    actor = ctx.actor.name
    entity = entity_to_change(store, ctx, entity_id, "entity.correct")
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
    _refuse_write_down(store, ctx, entity, meta)
    with store.engine.begin() as conn:
        apply_permit(conn, store, meta, permit)
        upsert_statements(conn, [base, row], seen=now)
        index_entities(conn, keys_of([base, row]))
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


def _refuse_write_down(store: Store, ctx: Context, entity: EntityView, meta: DatasetMeta) -> None:
    """No write-down: a correction repeats the entity's id and schema, which come from
    the data it was read in, so it may not go into a dataset marked lower than the most
    sensitive of that data (else a RESTRICTED entity id would reach INTERNAL readers).
    Call it after `permit_write`, so the target is one the actor may write."""
    names = [*entity.datasets, meta.name]
    with store.engine.connect() as conn:
        rows = conn.execute(
            select(dataset_table.c.name, dataset_table.c.marking).where(
                dataset_table.c.name.in_(names)
            )
        )
        markings = {row.name: row.marking for row in rows}
    rank = store.scheme.rank
    source = max((markings[n] for n in entity.datasets if n in markings), key=rank, default="")
    target = markings.get(meta.name) or check_marking(
        meta.marking or default_marking(store.markings), store.markings
    )
    if rank(target) >= rank(source):
        return
    reason = f"{source} content cannot be corrected into a dataset marked {target}"
    audit.refuse(
        store,
        ctx,
        denial(
            action=ActionClass.ALTER,
            operation="entity.correct",
            decision=Decision(False, reason, "no-write-down"),
            objects=(entity_object(entity.id), dataset_object(meta.name)),
        ),
        AccessDeniedError(
            f"{reason} ({meta.name}): use a dataset marked {source} or higher, or create one "
            f"with --marking {source}"
        ),
    )
