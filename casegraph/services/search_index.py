"""Keeping the search index in step with the statements, and rebuilding it.

Every statement write calls `index_entities` in its own transaction, so the index is
never stale and never lost. `reindex` rebuilds everything from the statements in one
transaction (the old index serves readers until it commits).
"""

from __future__ import annotations

from collections.abc import Collection, Iterable

from sqlalchemy import Connection, func, select

from casegraph.ingest.progress import NoProgress, Progress
from casegraph.model.statement import BASE_PROP, StatementRow
from casegraph.search.backends import index_for_dialect
from casegraph.search.index import DocKey, SearchIndex, rebuild
from casegraph.security.audit_event import ActionClass
from casegraph.security.context import Context
from casegraph.security.policy import Operation
from casegraph.services import audit
from casegraph.services.access import require_role
from casegraph.services.store import Store
from casegraph.store.tables import search_doc, statement


def index_for(store: Store) -> SearchIndex:
    return index_for_dialect(store.engine.dialect.name)


def index_entities(conn: Connection, keys: Collection[DocKey]) -> None:
    """Refresh the documents of these (entity, dataset) pairs, in the caller's transaction."""
    if keys:
        index_for_dialect(conn.dialect.name).refresh(conn, keys)


def keys_of(rows: Iterable[StatementRow]) -> set[DocKey]:
    return {(row.entity_id, row.dataset) for row in rows}


def reindex(store: Store, ctx: Context, *, progress: Progress | None = None) -> int:
    """Rebuild the whole index from the statements; returns the documents written.

    An administrator's maintenance task: it returns no content, and is audited."""
    draft = require_role(
        store, ctx, Operation.MANAGE_DATASETS, action=ActionClass.ADMIN, operation="search.reindex"
    )
    bar = progress or NoProgress()
    index = index_for(store)
    with store.engine.connect() as reader:
        total = reader.execute(
            select(func.count()).select_from(statement).where(statement.c.prop == BASE_PROP)
        ).scalar_one()
    bar.start(description="reindex", total=total)
    with store.engine.begin() as conn:
        written = rebuild(conn, index, bar)
        audit.record(conn, store, ctx, draft)
    bar.finish()
    return written


def indexed_documents(store: Store) -> int:
    """How many documents the index holds (for `casegraph stats` and tests)."""
    with store.engine.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(search_doc)).scalar_one())
