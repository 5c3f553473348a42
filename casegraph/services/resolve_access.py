"""Who may see and act on resolution results, as SQL conditions inside every query.

A pair's score carries what both records held, so a resolution result (a pair, a queue
item, an explanation, a cluster member) is shown only to someone who may read the
entity *and* every dataset its comparison record was built from (`resolve_source`).
The condition sits in the WHERE clause: results outside it are never read or counted.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import ColumnElement, Connection, and_, exists, select

from casegraph.errors import AccessDeniedError
from casegraph.security.audit_event import ActionClass, entity_object
from casegraph.security.context import Context
from casegraph.security.policy import Decision, Operation, Scope
from casegraph.services import audit
from casegraph.services.access import denial, readable_datasets
from casegraph.services.entities import refuse_unseen
from casegraph.services.store import Store
from casegraph.store.tables import resolve_source, statement


def visible(entity_id: ColumnElement[str], scope: Scope) -> ColumnElement[bool]:
    """True for the entity ids (a column) whose resolution results `scope` may see."""
    readable = readable_datasets(scope)
    source, stmt = resolve_source.alias(), statement.alias()
    return and_(
        exists().where(stmt.c.entity_id == entity_id, stmt.c.dataset.in_(readable)),
        ~exists().where(source.c.entity_id == entity_id, source.c.dataset.not_in(readable)),
    )


def visible_ids(conn: Connection, entity_ids: Sequence[str], scope: Scope) -> set[str]:
    """The ids among `entity_ids` that `scope` may see."""
    if not entity_ids:
        return set()
    candidates = (
        select(statement.c.entity_id)
        .where(statement.c.entity_id.in_(list(entity_ids)))
        .distinct()
        .subquery()
    )
    query = select(candidates.c.entity_id).where(visible(candidates.c.entity_id, scope))
    return {row[0] for row in conn.execute(query)}


def require_visible(
    store: Store, ctx: Context, entity_ids: Sequence[str], *, action: ActionClass, operation: str
) -> None:
    """Refuse (audited) unless every entity is visible to `ctx`: "needs a purpose" when
    a purpose would show them all, otherwise exactly what a missing entity answers."""
    with store.engine.connect() as conn:
        seen = visible_ids(conn, entity_ids, store.policy.read_scope(ctx))
        unseen = [e for e in entity_ids if e not in seen]
        if not unseen:
            return
        with_purpose = ctx.purpose is None and set(unseen) <= visible_ids(
            conn, unseen, store.policy.read_scope(ctx, with_purpose=True)
        )
    refuse_unseen(
        store,
        ctx,
        unseen[0],
        with_purpose=with_purpose,
        action=action,
        operation=operation,
        objects=tuple(entity_object(e) for e in entity_ids),
    )


def require_combine(
    store: Store, ctx: Context, *, operation: str, objects: tuple[str, ...]
) -> Decision:
    """The Policy's role decision for combining entities; a refusal is audited."""
    decision = store.policy.decide(ctx, Operation.COMBINE)
    if not decision.allowed:
        audit.refuse(
            store,
            ctx,
            denial(
                action=ActionClass.COMBINE, operation=operation, decision=decision, objects=objects
            ),
            AccessDeniedError(f"{operation}: {decision.reason}"),
        )
    return decision
