"""Reading entities under the Policy: one with provenance and links, and scoped streams.

Every query carries the actor's read scope inside its WHERE clause: statements from
datasets the actor may not read are never fetched, so an entity seen only there
answers exactly like a missing one. Streams page through the base-statement index by
entity id (keyset pagination), so no query loads a whole table.

`show_entity` is a consultation: it records its audit event (with every entity whose
statements it shows) and commits it before returning. The `iter_*` streams take a
`Scope` and record nothing: they serve operations (exports) that audit themselves.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import NoReturn

from sqlalchemy import ColumnElement, Connection, Row, select

from casegraph.errors import NotFoundError, PurposeRequiredError
from casegraph.model.entity import EntityView, assemble, schemata_matching
from casegraph.model.statement import BASE_PROP, Statement
from casegraph.security.audit_event import ActionClass, entity_object
from casegraph.security.context import Context
from casegraph.security.policy import Decision, Scope, allow
from casegraph.services import audit
from casegraph.services.access import allowance, denial, readable_datasets
from casegraph.services.store import Store
from casegraph.store.tables import statement

PAGE = 1000
SHOWN_REFERENCES = 50


def _to_statement(row: Row[tuple[object, ...]]) -> Statement:
    m = row._mapping
    return Statement(**{k: m[k] for k in Statement.__dataclass_fields__})


def in_scope(scope: Scope) -> ColumnElement[bool]:
    """The statement rows `scope` may read."""
    return statement.c.dataset.in_(readable_datasets(scope))


def entity_statements(
    conn: Connection,
    entity_ids: Sequence[str],
    scope: Scope,
    datasets: Sequence[str] | None = None,
) -> dict[str, list[Statement]]:
    query = select(statement).where(statement.c.entity_id.in_(list(entity_ids)), in_scope(scope))
    if datasets is not None:
        query = query.where(statement.c.dataset.in_(list(datasets)))
    grouped: dict[str, list[Statement]] = {}
    for row in conn.execute(query):
        stmt = _to_statement(row)
        grouped.setdefault(stmt.entity_id, []).append(stmt)
    return grouped


@dataclass(frozen=True, slots=True)
class Reference:
    """An edge: `source` has property `prop` pointing at `target`."""

    source: str
    prop: str
    target: str
    schema: str
    dataset: str


@dataclass(frozen=True, slots=True)
class EntityDetail:
    """An entity with its provenance, the entities it references and those citing it."""

    entity: EntityView
    outgoing: list[Reference]
    incoming: list[Reference]
    more_incoming: bool


def _outgoing(conn: Connection, entity_id: str, scope: Scope) -> list[Reference]:
    query = (
        select(statement.c.value, statement.c.prop, statement.c.schema, statement.c.dataset)
        .where(
            statement.c.entity_id == entity_id,
            statement.c.prop_type == "entity",
            in_scope(scope),
        )
        .order_by(statement.c.prop, statement.c.value)
    )
    return [
        Reference(source=entity_id, prop=r.prop, target=r.value, schema=r.schema, dataset=r.dataset)
        for r in conn.execute(query)
    ]


def _incoming(conn: Connection, entity_id: str, scope: Scope, limit: int) -> list[Reference]:
    query = (
        select(statement.c.entity_id, statement.c.prop, statement.c.schema, statement.c.dataset)
        .where(
            statement.c.prop_type == "entity",
            statement.c.value == entity_id,
            in_scope(scope),
        )
        .order_by(statement.c.entity_id, statement.c.id)
        .limit(limit)
    )
    return [
        Reference(
            source=r.entity_id, prop=r.prop, target=entity_id, schema=r.schema, dataset=r.dataset
        )
        for r in conn.execute(query)
    ]


def _exists_in(conn: Connection, entity_id: str, scope: Scope) -> bool:
    query = select(statement.c.entity_id).where(statement.c.entity_id == entity_id, in_scope(scope))
    return conn.execute(query.limit(1)).first() is not None


def _refuse_unseen(
    store: Store,
    ctx: Context,
    entity_id: str,
    operation: str,
    action: ActionClass = ActionClass.CONSULT,
) -> None:
    """Audit and raise for an entity `ctx` cannot read: "needs a purpose" only when the
    actor could read it with one, otherwise exactly what a missing entity answers."""
    with store.engine.connect() as conn:
        with_purpose = ctx.purpose is None and _exists_in(
            conn, entity_id, store.policy.read_scope(ctx, with_purpose=True)
        )
    refuse_unseen(
        store,
        ctx,
        entity_id,
        with_purpose=with_purpose,
        action=action,
        operation=operation,
        objects=(entity_object(entity_id),),
    )


def refuse_unseen(
    store: Store,
    ctx: Context,
    entity_id: str,
    *,
    with_purpose: bool,
    action: ActionClass,
    operation: str,
    objects: tuple[str, ...],
) -> NoReturn:
    """Audit a refusal for an entity outside `ctx`'s scope and raise: "needs a purpose"
    when a purpose would show it, otherwise exactly what a missing entity answers."""
    if with_purpose:
        decision = Decision(False, "this content needs a purpose", "purpose")
        error: NotFoundError | PurposeRequiredError = PurposeRequiredError(
            f"entity {entity_id!r} is in data that needs a purpose: pass --purpose "
            "'case:REF' or a written justification"
        )
    else:
        decision = Decision(False, "no such entity in the actor's scope", "scope")
        error = NotFoundError(f"no entity with id {entity_id!r}")
    audit.refuse(
        store,
        ctx,
        denial(action=action, operation=operation, decision=decision, objects=objects),
        error,
    )


def show_entity(
    store: Store, ctx: Context, entity_id: str, *, references: int = SHOWN_REFERENCES
) -> EntityDetail:
    """One entity as `ctx` may see it, with its links; audited as a consultation."""
    scope = store.policy.read_scope(ctx)
    with store.engine.connect() as conn:
        stmts = entity_statements(conn, [entity_id], scope).get(entity_id, [])
        view = assemble(entity_id, stmts)
        if view is not None:
            refs_out = _outgoing(conn, entity_id, scope)
            refs_in = _incoming(conn, entity_id, scope, references + 1)
    if view is None:
        _refuse_unseen(store, ctx, entity_id, "entity.show")
        raise AssertionError("unreachable")  # pragma: no cover
    shown_in = refs_in[:references]
    objects = (entity_object(entity_id), *(entity_object(r.source) for r in shown_in))
    audit.record_alone(
        store,
        ctx,
        allowance(
            action=ActionClass.CONSULT,
            operation="entity.show",
            decision=allow("statements filtered by the Policy", "scope"),
            objects=objects,
        ),
    )
    return EntityDetail(
        entity=view,
        outgoing=refs_out,
        incoming=shown_in,
        more_incoming=len(refs_in) > references,
    )


def get_entity(store: Store, ctx: Context, entity_id: str) -> EntityView:
    """One entity with every value's dataset and origin; audited as a consultation."""
    return show_entity(store, ctx, entity_id, references=0).entity


def entity_to_change(
    store: Store,
    ctx: Context,
    entity_id: str,
    operation: str,
    action: ActionClass = ActionClass.ALTER,
) -> EntityView:
    """The entity a write (`operation`) is about, as `ctx` may read it, for that write's
    own checks: nothing of it is returned to the user, so this is no consultation and
    records nothing (the write records its one event). A refusal is audited as
    `operation` and answers like `show_entity`'s."""
    scope = store.policy.read_scope(ctx)
    with store.engine.connect() as conn:
        view = assemble(entity_id, entity_statements(conn, [entity_id], scope).get(entity_id, []))
    if view is None:
        _refuse_unseen(store, ctx, entity_id, operation, action)
        raise AssertionError("unreachable")  # pragma: no cover
    return view


def iter_entity_ids(
    store: Store,
    scope: Scope,
    *,
    datasets: Sequence[str] | None = None,
    schema: str | None = None,
    page: int = PAGE,
) -> Iterator[list[str]]:
    """Pages of entity ids in `scope`, in id order, from the base-statement index."""
    schemata = schemata_matching(schema) if schema else None
    after = ""
    while True:
        query = (
            select(statement.c.entity_id)
            .where(
                statement.c.prop == BASE_PROP,
                statement.c.entity_id > after,
                in_scope(scope),
            )
            .group_by(statement.c.entity_id)
            .order_by(statement.c.entity_id)
            .limit(page)
        )
        if datasets is not None:
            query = query.where(statement.c.dataset.in_(list(datasets)))
        if schemata is not None:
            query = query.where(statement.c.schema.in_(schemata))
        with store.engine.connect() as conn:
            ids = [r[0] for r in conn.execute(query)]
        if not ids:
            return
        yield ids
        after = ids[-1]


def iter_entities(
    store: Store,
    scope: Scope,
    entity_ids: Iterator[list[str]],
    *,
    datasets: Sequence[str] | None = None,
) -> Iterator[EntityView]:
    """Assemble the given pages of entities from the statements in `scope`.

    With `datasets`, only statements from those datasets are assembled, so an export
    of one dataset carries that dataset's evidence only.
    """
    for ids in entity_ids:
        with store.engine.connect() as conn:
            grouped = entity_statements(conn, ids, scope, datasets)
        for entity_id in ids:
            view = assemble(entity_id, grouped.get(entity_id, []))
            if view is not None:
                yield view


def iter_statements(
    store: Store,
    scope: Scope,
    entity_ids: Iterator[list[str]],
    *,
    datasets: Sequence[str] | None = None,
) -> Iterator[Statement]:
    """Raw statements in `scope` of the given pages of entities, entity by entity."""
    for ids in entity_ids:
        with store.engine.connect() as conn:
            grouped = entity_statements(conn, ids, scope, datasets)
        for entity_id in ids:
            yield from sorted(grouped.get(entity_id, []), key=lambda s: (s.prop, s.value))
