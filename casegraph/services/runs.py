"""The record of ingest runs: who, when, which source (sha256), counts and duration."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from casegraph.services.store import Store
from casegraph.store.tables import ingest_run


@dataclass(frozen=True, slots=True)
class RunRecord:
    id: int
    dataset: str
    source: str
    source_sha256: str
    mapping: str | None
    actor: str
    status: str
    started_at: str
    finished_at: str | None
    rows_read: int
    rows_ingested: int
    rows_rejected: int
    statements: int
    duration_s: float


def list_runs(store: Store, *, dataset: str | None = None, limit: int = 20) -> list[RunRecord]:
    """The newest runs first."""
    fields = [getattr(ingest_run.c, name) for name in RunRecord.__dataclass_fields__]
    query = select(*fields).order_by(ingest_run.c.id.desc()).limit(limit)
    if dataset is not None:
        query = query.where(ingest_run.c.dataset == dataset)
    with store.engine.connect() as conn:
        return [RunRecord(**row._mapping) for row in conn.execute(query)]
