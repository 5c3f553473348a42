"""The record of ingest runs: who, when, which source (sha256), counts and duration."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Connection, select

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
    values_dropped: int
    statements: int
    duration_s: float


def recent_runs(conn: Connection, dataset: str, *, limit: int = 20) -> list[RunRecord]:
    """A dataset's newest runs first; the caller has decided the dataset is visible."""
    fields = [getattr(ingest_run.c, name) for name in RunRecord.__dataclass_fields__]
    query = (
        select(*fields)
        .where(ingest_run.c.dataset == dataset)
        .order_by(ingest_run.c.id.desc())
        .limit(limit)
    )
    return [RunRecord(**row._mapping) for row in conn.execute(query)]
