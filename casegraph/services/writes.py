"""Deciding a write (collect or alter) into a dataset, existing or new.

Writing into an existing dataset needs a write grant. Creating one by writing into it
needs the analyst role; the new dataset is marked at most the writer's clearance and
its write grant goes to one of the writer's groups, so it is never an orphan that
nobody may read.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Connection, insert, select

from casegraph.errors import AccessDeniedError, InvalidInputError
from casegraph.model.dataset import DatasetMeta, check_dataset_name, check_marking
from casegraph.security.audit_event import ActionClass, EventDraft, dataset_object
from casegraph.security.context import Context
from casegraph.security.policy import DatasetRef, Decision, Level, Operation
from casegraph.services import audit
from casegraph.services.access import allowance, authorize_dataset, denial
from casegraph.services.datasets import default_marking, ensure_dataset
from casegraph.services.store import Store
from casegraph.store.tables import dataset, dataset_grant


@dataclass(frozen=True, slots=True)
class WritePermit:
    """A decided write: the event to record, and the group to grant if new."""

    decision: Decision
    new_group: str | None

    def event(self, *, action: ActionClass, operation: str, objects: tuple[str, ...]) -> EventDraft:
        return allowance(
            action=action, operation=operation, decision=self.decision, objects=objects
        )


def _exists(store: Store, name: str) -> bool:
    with store.engine.connect() as conn:
        return (
            conn.execute(select(dataset.c.name).where(dataset.c.name == name)).first() is not None
        )


def _creation(
    store: Store, ctx: Context, meta: DatasetMeta, group: str | None
) -> tuple[Decision, str | None]:
    """Decide a write that creates `meta.name`, owned by `group` (or the writer's only
    group): the Policy's CREATE rule, on the dataset as it would be."""
    marking = check_marking(meta.marking or default_marking(store.markings), store.markings)
    groups = ctx.actor.groups
    chosen = group if group is not None else (next(iter(groups)) if len(groups) == 1 else None)
    grants = frozenset() if chosen is None else frozenset({(chosen, Level.WRITE)})
    decision = store.policy.decide(
        ctx, Operation.CREATE, DatasetRef(name=meta.name, marking=marking, grants=grants)
    )
    if chosen is None and decision.rule == "grant":
        raise InvalidInputError(
            f"say which group owns the new dataset {meta.name!r}: pass --group "
            f"({', '.join(sorted(groups)) or 'you are in no group: ask an admin'})"
        )
    return decision, chosen


def permit_write(
    store: Store,
    ctx: Context,
    meta: DatasetMeta,
    *,
    action: ActionClass,
    operation: str,
    group: str | None = None,
) -> WritePermit:
    """Decide a write into `meta.name`; a refusal is audited and raised. Call it
    outside a transaction, then `apply_permit` inside the writing one."""
    check_dataset_name(meta.name)
    if _exists(store, meta.name):
        _, decision = authorize_dataset(
            store, ctx, op=Operation.WRITE, action=action, operation=operation, name=meta.name
        )
        return WritePermit(decision=decision, new_group=None)
    decision, chosen = _creation(store, ctx, meta, group)
    if not decision.allowed:
        audit.refuse(
            store,
            ctx,
            denial(
                action=action,
                operation=operation,
                decision=decision,
                objects=(dataset_object(meta.name),),
            ),
            AccessDeniedError(f"cannot create the dataset {meta.name!r}: {decision.reason}"),
        )
    return WritePermit(decision=decision, new_group=chosen)


def apply_permit(
    conn: Connection, store: Store, meta: DatasetMeta, permit: WritePermit
) -> DatasetMeta:
    """Inside the writing transaction: register the dataset and, if new, its grant."""
    result = ensure_dataset(store, meta, conn=conn)
    if permit.new_group is not None:
        exists = conn.execute(
            select(dataset_grant.c.group_name).where(
                dataset_grant.c.dataset == meta.name, dataset_grant.c.group_name == permit.new_group
            )
        ).first()
        if exists is None:
            conn.execute(
                insert(dataset_grant).values(
                    dataset=meta.name, group_name=permit.new_group, level=Level.WRITE
                )
            )
    return result
