"""Registering, listing, showing and deleting datasets."""

from __future__ import annotations

from dataclasses import asdict, dataclass, replace

from sqlalchemy import Connection, delete, func, insert, select, update

from casegraph.errors import InvalidInputError, NotFoundError
from casegraph.model.dataset import DatasetMeta, check_dataset_name
from casegraph.services.clock import utc_now
from casegraph.services.store import Store
from casegraph.store.tables import dataset, ingest_run, statement


@dataclass(frozen=True, slots=True)
class DatasetSummary:
    meta: DatasetMeta
    entities: int
    runs: int
    last_ingest: str | None


def _row_to_meta(row: object) -> DatasetMeta:
    mapping = row._mapping  # type: ignore[attr-defined]
    return DatasetMeta(**{k: mapping[k] for k in DatasetMeta.__dataclass_fields__})


def default_marking(labels: tuple[str, ...]) -> str:
    """New datasets without a marking get the second-lowest (INTERNAL by default):
    not public until someone says so."""
    return labels[min(1, len(labels) - 1)]


def get_dataset(store: Store, name: str, *, conn: Connection | None = None) -> DatasetMeta:
    query = select(dataset).where(dataset.c.name == name)
    if conn is not None:
        row = conn.execute(query).first()
    else:
        with store.engine.connect() as own:
            row = own.execute(query).first()
    if row is None:
        raise NotFoundError(f"no dataset named {name!r}: see `casegraph datasets list`")
    return _row_to_meta(row)


def ensure_dataset(store: Store, meta: DatasetMeta, *, conn: Connection) -> DatasetMeta:
    """Register a dataset, or update the metadata fields given for an existing one.

    Fields left empty keep their stored value; a source dataset cannot become
    user-owned or the other way round, since that would change what may be edited.
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
    changes = {
        key: value
        for key, value in asdict(meta).items()
        if key not in {"name", "user_owned", "created_at", "updated_at"}
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


def register_dataset(store: Store, meta: DatasetMeta) -> DatasetMeta:
    with store.engine.begin() as conn:
        return ensure_dataset(store, meta, conn=conn)


def list_datasets(store: Store) -> list[DatasetSummary]:
    """All datasets with entity counts; counting uses the base-statement index."""
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
    query = (
        select(dataset, counts.c.n, runs.c.runs, runs.c.last)
        .outerjoin(counts, counts.c.dataset == dataset.c.name)
        .outerjoin(runs, runs.c.dataset == dataset.c.name)
        .order_by(dataset.c.name)
    )
    with store.engine.connect() as conn:
        return [
            DatasetSummary(
                meta=_row_to_meta(row),
                entities=row.n or 0,
                runs=row.runs or 0,
                last_ingest=row.last,
            )
            for row in conn.execute(query)
        ]


def delete_dataset(store: Store, name: str, *, batch: int = 5000) -> int:
    """Erase a dataset with its statements, runs and rejects; returns statements removed.

    Deletes in batches of entities so that a large dataset does not hold one huge
    transaction; the dataset row goes last, so an interrupted delete can be rerun.
    """
    get_dataset(store, name)
    removed = 0
    while True:
        with store.engine.begin() as conn:
            ids = (
                select(statement.c.entity_id)
                .where(statement.c.dataset == name, statement.c.prop == "id")
                .limit(batch)
            )
            chunk = [r[0] for r in conn.execute(ids)]
            if not chunk:
                break
            result = conn.execute(
                delete(statement).where(
                    statement.c.dataset == name, statement.c.entity_id.in_(chunk)
                )
            )
            removed += result.rowcount
    with store.engine.begin() as conn:
        result = conn.execute(delete(statement).where(statement.c.dataset == name))
        removed += result.rowcount
        conn.execute(delete(ingest_run).where(ingest_run.c.dataset == name))
        conn.execute(delete(dataset).where(dataset.c.name == name))
    return removed
