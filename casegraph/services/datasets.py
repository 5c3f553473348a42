"""Registering, listing, showing, granting and erasing datasets, under the Policy.

Dataset metadata (name, title, marking) is visible to those who may read the dataset,
and to admins and auditors, whose work is to manage and oversee datasets. Entity
counts are content: only a reader of the dataset gets them.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, replace

from sqlalchemy import Connection, delete, func, insert, or_, select, true, update

from casegraph.errors import InvalidInputError
from casegraph.model.dataset import DatasetMeta, check_dataset_name
from casegraph.security.audit_event import ActionClass, dataset_object
from casegraph.security.context import Context
from casegraph.security.policy import Decision, Level, Operation, allow
from casegraph.services import audit
from casegraph.services.access import (
    allowance,
    authorize_dataset,
    denial,
    not_found,
    require_role,
    scope_condition,
)
from casegraph.services.clock import utc_now
from casegraph.services.runs import RunRecord, recent_runs
from casegraph.services.store import Store
from casegraph.store.tables import (
    dataset,
    dataset_grant,
    ingest_run,
    search_doc,
    search_word,
    statement,
)


@dataclass(frozen=True, slots=True)
class DatasetSummary:
    meta: DatasetMeta
    entities: int | None  # None: the actor may see the dataset but not its content
    runs: int
    last_ingest: str | None
    grants: tuple[tuple[str, str], ...] = ()
    schemata: tuple[tuple[str, int], ...] = ()  # readers only; filled by get_dataset
    recent_runs: tuple[RunRecord, ...] = ()  # filled by get_dataset


def _row_to_meta(row: object) -> DatasetMeta:
    mapping = row._mapping  # type: ignore[attr-defined]
    return DatasetMeta(**{k: mapping[k] for k in DatasetMeta.__dataclass_fields__})


def default_marking(labels: tuple[str, ...]) -> str:
    """New datasets without a marking get the second-lowest (INTERNAL by default):
    not public until someone says so."""
    return labels[min(1, len(labels) - 1)]


def ensure_dataset(store: Store, meta: DatasetMeta, *, conn: Connection) -> DatasetMeta:
    """Register a dataset, or update the metadata fields given for an existing one.

    Internal: callers decide the Policy first. Fields left empty keep their stored
    value; a source dataset cannot become user-owned or the other way round, and the
    marking of an existing dataset only changes through `set_marking` (admins).
    """
    check_dataset_name(meta.name)
    now = utc_now()
    existing = conn.execute(select(dataset).where(dataset.c.name == meta.name)).first()
    if existing is None:
        fresh = replace(
            meta,
            title=meta.title or meta.name,
            marking=meta.marking or default_marking(store.markings),
            created_at=now,
            updated_at=now,
        ).validated(store.markings)
        conn.execute(insert(dataset).values(**asdict(fresh)))
        return fresh
    current = _row_to_meta(existing)
    if meta.user_owned != current.user_owned:
        kind = "user-owned" if current.user_owned else "a source dataset"
        raise InvalidInputError(f"dataset {meta.name!r} is {kind} and stays so")
    if meta.marking and meta.marking.strip().upper() != current.marking:
        raise InvalidInputError(
            f"dataset {meta.name!r} is marked {current.marking}; an admin changes markings "
            f"with `casegraph datasets mark {meta.name} {meta.marking.strip().upper()}`"
        )
    changes = {
        key: value
        for key, value in asdict(meta).items()
        if key not in {"name", "user_owned", "created_at", "updated_at", "marking"}
        and value not in (None, "")
        and value != getattr(current, key)
    }
    if not changes:
        return current
    merged = replace(current, **changes, updated_at=now).validated(store.markings)
    conn.execute(
        update(dataset)
        .where(dataset.c.name == meta.name)
        .values(**{k: getattr(merged, k) for k in [*changes, "updated_at"]})
    )
    return merged


def register_dataset(store: Store, ctx: Context, meta: DatasetMeta) -> DatasetMeta:
    """Create or describe a dataset (admins)."""
    check_dataset_name(meta.name)
    draft = require_role(
        store,
        ctx,
        Operation.MANAGE_DATASETS,
        action=ActionClass.ADMIN,
        operation="dataset.register",
        objects=(dataset_object(meta.name),),
    )
    with store.engine.begin() as conn:
        result = ensure_dataset(store, meta, conn=conn)
        audit.record(conn, store, ctx, draft)
    return result


def _manage(store: Store, ctx: Context, name: str, operation: str) -> Decision:
    """Decide dataset administration on an existing dataset (admins); refusals audited."""
    _, decision = authorize_dataset(
        store,
        ctx,
        op=Operation.MANAGE_DATASETS,
        action=ActionClass.ADMIN,
        operation=operation,
        name=name,
    )
    return decision


def grant_dataset(store: Store, ctx: Context, name: str, *, group: str, level: Level) -> None:
    """Give a group read or write access to a dataset (admins); replaces its level."""
    from casegraph.services.identity import check_name

    check_name(group, "group")
    _set_grant(store, ctx, name, group=group, level=level, operation="dataset.grant")


def revoke_dataset(store: Store, ctx: Context, name: str, *, group: str) -> None:
    """Take a group's access to a dataset away (admins)."""
    _set_grant(store, ctx, name, group=group, level=None, operation="dataset.revoke")


def _set_grant(
    store: Store, ctx: Context, name: str, *, group: str, level: Level | None, operation: str
) -> None:
    decision = _manage(store, ctx, name, operation)
    with store.engine.begin() as conn:
        conn.execute(
            delete(dataset_grant).where(
                dataset_grant.c.dataset == name, dataset_grant.c.group_name == group
            )
        )
        if level is not None:
            conn.execute(insert(dataset_grant).values(dataset=name, group_name=group, level=level))
        audit.record(
            conn,
            store,
            ctx,
            allowance(
                action=ActionClass.ADMIN,
                operation=operation,
                decision=decision,
                objects=(dataset_object(name), f"group:{group}"),
            ),
        )


def set_marking(store: Store, ctx: Context, name: str, marking: str) -> DatasetMeta:
    """Re-mark a dataset (admins): the only way a marking changes."""
    decision = _manage(store, ctx, name, "dataset.mark")
    with store.engine.begin() as conn:
        label = DatasetMeta(name=name, title=name, marking=marking).validated(store.markings)
        conn.execute(
            update(dataset)
            .where(dataset.c.name == name)
            .values(marking=label.marking, updated_at=utc_now())
        )
        audit.record(
            conn,
            store,
            ctx,
            allowance(
                action=ActionClass.ADMIN,
                operation="dataset.mark",
                decision=decision,
                objects=(dataset_object(name), f"marking:{label.marking}"),
            ),
        )
        row = conn.execute(select(dataset).where(dataset.c.name == name)).one()
    return _row_to_meta(row)


def _visible_condition(store: Store, ctx: Context):  # type: ignore[no-untyped-def]
    """Datasets whose metadata `ctx` may see: readable ones, or all for overseers."""
    if store.policy.sees_all_metadata(ctx):
        return true()
    return scope_condition(store.policy.read_scope(ctx, with_purpose=True), dataset.c.name)


def _grants(conn: Connection, name: str | None = None) -> dict[str, tuple[tuple[str, str], ...]]:
    """Grants by dataset (of one dataset, or of all in one query)."""
    query = select(dataset_grant).order_by(dataset_grant.c.dataset, dataset_grant.c.group_name)
    if name is not None:
        query = query.where(dataset_grant.c.dataset == name)
    grouped: dict[str, tuple[tuple[str, str], ...]] = {}
    for r in conn.execute(query):
        grouped[r.dataset] = (*grouped.get(r.dataset, ()), (r.group_name, r.level))
    return grouped


def list_datasets(store: Store, ctx: Context) -> list[DatasetSummary]:
    """The datasets `ctx` may know of; entity counts only for those it may read.

    Both filters are inside the query: other datasets are never read or counted.
    """
    readable = scope_condition(store.policy.read_scope(ctx, with_purpose=True), dataset.c.name)
    counts = (
        select(statement.c.dataset, func.count().label("n"))
        .where(statement.c.prop == "id")
        .group_by(statement.c.dataset)
        .subquery()
    )
    runs = (
        select(
            ingest_run.c.dataset,
            func.count().label("runs"),
            func.max(ingest_run.c.finished_at).label("last"),
        )
        .group_by(ingest_run.c.dataset)
        .subquery()
    )
    joined = dataset.outerjoin(counts, (counts.c.dataset == dataset.c.name) & readable).outerjoin(
        runs, runs.c.dataset == dataset.c.name
    )
    query = (
        select(dataset, counts.c.n, runs.c.runs, runs.c.last, readable.label("readable"))
        .select_from(joined)
        .where(or_(_visible_condition(store, ctx), readable))
        .order_by(dataset.c.name)
    )
    oversees = store.policy.sees_all_metadata(ctx)
    with store.engine.connect() as conn:
        grants = _grants(conn) if oversees else {}
        summaries = [
            DatasetSummary(
                meta=_row_to_meta(row),
                entities=(row.n or 0) if row.readable else None,
                runs=row.runs or 0,
                last_ingest=row.last,
                grants=grants.get(row.name, ()),
            )
            for row in conn.execute(query)
        ]
    audit.record_alone(
        store,
        ctx,
        allowance(
            action=ActionClass.CONSULT,
            operation="dataset.list",
            decision=allow("listing filtered by the Policy", "scope"),
            objects=tuple(dataset_object(s.meta.name) for s in summaries),
        ),
    )
    return summaries


def get_dataset(store: Store, ctx: Context, name: str) -> DatasetSummary:
    """One dataset's metadata; a dataset `ctx` may not know of answers as missing."""
    readable = scope_condition(store.policy.read_scope(ctx, with_purpose=True), dataset.c.name)
    query = select(dataset, readable.label("readable")).where(
        dataset.c.name == name, or_(_visible_condition(store, ctx), readable)
    )
    obj = (dataset_object(name),)
    with store.engine.connect() as conn:
        row = conn.execute(query).first()
        if row is not None:
            n = None
            schemata: tuple[tuple[str, int], ...] = ()
            if row.readable:
                schemata = tuple(
                    (r.schema, int(r.n))
                    for r in conn.execute(
                        select(statement.c.schema, func.count().label("n"))
                        .where(statement.c.dataset == name, statement.c.prop == "id")
                        .group_by(statement.c.schema)
                        .order_by(statement.c.schema)
                    )
                )
                n = sum(count for _, count in schemata)
            runs = conn.execute(
                select(func.count(), func.max(ingest_run.c.finished_at)).where(
                    ingest_run.c.dataset == name
                )
            ).one()
            summary = DatasetSummary(
                meta=_row_to_meta(row),
                entities=n,
                runs=runs[0],
                last_ingest=runs[1],
                grants=_grants(conn, name).get(name, ())
                if store.policy.sees_all_metadata(ctx)
                else (),
                schemata=schemata,
                # Runs name their source files and count rows: content, for readers only.
                recent_runs=tuple(recent_runs(conn, name)) if row.readable else (),
            )
    if row is None:
        audit.refuse(
            store,
            ctx,
            denial(
                action=ActionClass.CONSULT,
                operation="dataset.show",
                decision=Decision(False, "no such dataset or not visible", "scope"),
                objects=obj,
            ),
            not_found(name),
        )
    audit.record_alone(
        store,
        ctx,
        allowance(
            action=ActionClass.CONSULT,
            operation="dataset.show",
            decision=allow("visible under the Policy", "scope"),
            objects=obj,
        ),
    )
    return summary


def delete_dataset(store: Store, ctx: Context, name: str) -> int:
    """Erase a dataset with its statements, runs, grants and rejects (admins).

    One transaction with its audit event: the erasure happens whole or not at all.
    Returns the number of statements removed.
    """
    _, decision = authorize_dataset(
        store,
        ctx,
        op=Operation.ERASE,
        action=ActionClass.ERASE,
        operation="dataset.delete",
        name=name,
    )
    with store.engine.begin() as conn:
        conn.execute(delete(search_doc).where(search_doc.c.dataset == name))
        conn.execute(delete(search_word).where(search_word.c.dataset == name))
        removed = conn.execute(delete(statement).where(statement.c.dataset == name)).rowcount
        conn.execute(delete(ingest_run).where(ingest_run.c.dataset == name))
        conn.execute(delete(dataset_grant).where(dataset_grant.c.dataset == name))
        conn.execute(delete(dataset).where(dataset.c.name == name))
        audit.record(
            conn,
            store,
            ctx,
            allowance(
                action=ActionClass.ERASE,
                operation="dataset.delete",
                decision=decision,
                objects=(dataset_object(name),),
            ),
        )
    return int(removed)
