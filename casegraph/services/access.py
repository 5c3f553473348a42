"""The Policy inside the SQL: scopes as subqueries, and per-dataset decisions.

`readable_datasets(scope)` is the set of dataset names a `Scope` admits, as a SELECT
that listings, counts and reads put into their WHERE clause, so rows outside it are
never read, counted or returned.
"""

from __future__ import annotations

from sqlalchemy import ColumnElement, Connection, Select, and_, exists, false, or_, select

from casegraph.errors import (
    AccessDeniedError,
    CasegraphError,
    NotFoundError,
    PurposeRequiredError,
)
from casegraph.security.audit_event import ActionClass, EventDraft, dataset_object
from casegraph.security.context import Context
from casegraph.security.policy import DatasetRef, Decision, Level, Operation, Scope
from casegraph.services import audit
from casegraph.services.store import Store
from casegraph.store.tables import dataset, dataset_grant


def scope_condition(scope: Scope, name: ColumnElement[str]) -> ColumnElement[bool]:
    """True for the dataset names (a column) that `scope` admits."""
    if scope.empty:
        return false()
    granted = exists().where(
        dataset_grant.c.dataset == name,
        dataset_grant.c.group_name.in_(sorted(scope.groups)),
    )
    return and_(
        dataset.c.marking.in_(sorted(scope.markings)),
        or_(dataset.c.marking == scope.open_marking, granted)
        if scope.groups
        else (dataset.c.marking == scope.open_marking),
    )


def readable_datasets(scope: Scope) -> Select[tuple[str]]:
    """SELECT name FROM dataset WHERE the scope admits it."""
    return select(dataset.c.name).where(scope_condition(scope, dataset.c.name))


def dataset_ref(conn: Connection, name: str) -> DatasetRef | None:
    row = conn.execute(select(dataset.c.marking).where(dataset.c.name == name)).first()
    if row is None:
        return None
    grants = frozenset(
        (g.group_name, Level(g.level))
        for g in conn.execute(
            select(dataset_grant.c.group_name, dataset_grant.c.level).where(
                dataset_grant.c.dataset == name
            )
        )
    )
    return DatasetRef(name=name, marking=row.marking, grants=grants)


def not_found(name: str) -> NotFoundError:
    """What a refused and a missing dataset both answer."""
    return NotFoundError(f"no dataset named {name!r}: see `casegraph datasets list`")


def allowance(
    *,
    action: ActionClass,
    operation: str,
    decision: Decision,
    objects: tuple[str, ...] = (),
    recipients: tuple[str, ...] = (),
) -> EventDraft:
    """The event that records `decision` (allowed or refused) for an operation."""
    return EventDraft(
        action=action,
        operation=operation,
        decision=decision.label,
        rule=decision.rule,
        reason=decision.reason,
        objects=objects,
        recipients=recipients,
    )


#: Reads better where the decision is a refusal; the same event either way.
denial = allowance


def require_role(
    store: Store,
    ctx: Context,
    op: Operation,
    *,
    action: ActionClass,
    operation: str,
    objects: tuple[str, ...] = (),
) -> EventDraft:
    """Decide an operation that depends on the role only (user and dataset
    administration, audit reading): a refusal is audited and raised; otherwise the
    event to record when the operation goes ahead is returned."""
    decision = store.policy.decide(ctx, op)
    draft = allowance(action=action, operation=operation, decision=decision, objects=objects)
    if not decision.allowed:
        audit.refuse(store, ctx, draft, AccessDeniedError(f"{operation}: {decision.reason}"))
    return draft


def authorize_dataset(
    store: Store,
    ctx: Context,
    *,
    op: Operation,
    action: ActionClass,
    operation: str,
    name: str,
) -> tuple[DatasetRef, Decision]:
    """Decide `op` on an existing dataset; a refusal is audited and raised.

    Call it outside any open transaction: a refusal commits its own audit event.

    A dataset the actor may not read at all answers like a missing one. One they may
    read but not in this way (write, or no purpose given) gets the reason. Admin
    operations are decided on the role first, so a non-admin is refused the same way
    whether the dataset exists or not (no existence oracle).
    """
    objects = (dataset_object(name),)
    admin_op = op in (Operation.ERASE, Operation.MANAGE_DATASETS)
    if admin_op:
        require_role(store, ctx, op, action=action, operation=operation, objects=objects)
    with store.engine.connect() as conn:
        ref = dataset_ref(conn, name)
    if ref is None:
        audit.refuse(
            store,
            ctx,
            denial(
                action=action,
                operation=operation,
                objects=objects,
                decision=Decision(False, "no such dataset", "missing"),
            ),
            not_found(name),
        )
    decision = store.policy.decide(ctx, op, ref)
    if decision.allowed:
        return ref, decision
    visible = admin_op or store.policy.read_scope(ctx, with_purpose=True).admits(ref)
    audit.refuse(
        store,
        ctx,
        denial(action=action, operation=operation, objects=objects, decision=decision),
        policy_error(decision, name) if visible else not_found(name),
    )


def policy_error(decision: Decision, name: str) -> CasegraphError:
    if decision.rule == "purpose":
        return PurposeRequiredError(
            f"{decision.reason} ({name}): pass --purpose 'case:REF' or a written justification"
        )
    return AccessDeniedError(f"not allowed on {name}: {decision.reason}")
