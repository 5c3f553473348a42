"""Reading back the rejects and dropped values of a run, into the rejects file and for display."""

from __future__ import annotations

import heapq
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import Table, select, tuple_

from casegraph.ingest.rejects import DROPPED, REJECTED, RejectWriter, describe_reject, reject_record
from casegraph.model.origin import Origin
from casegraph.services.store import Store
from casegraph.store.tables import ingest_dropped_value, ingest_reject

PAGE = 5000
SHOWN = 10


@dataclass(slots=True)
class ExportedRejects:
    path: Path
    #: The first few rejected records and dropped values, described for display.
    first_rejects: list[str] = field(default_factory=list)
    first_dropped: list[str] = field(default_factory=list)


def _rows(store: Store, table: Table, run_id: int) -> Iterator[Any]:
    """A run's rows of `ingest_reject` or `ingest_dropped_value` in key order, in pages."""
    key = [c for c in table.primary_key.columns if c.name != "run_id"]
    after: tuple[Any, ...] | None = None
    while True:
        query = select(table).where(table.c.run_id == run_id)
        if after is not None:
            query = query.where(tuple_(*key) > tuple_(*after))
        with store.engine.connect() as conn:
            rows = list(conn.execute(query.order_by(*key).limit(PAGE)))
        yield from rows
        if len(rows) < PAGE:
            return
        after = tuple(getattr(rows[-1], c.name) for c in key)


def export_rejects(store: Store, *, run_id: int, path: Path) -> ExportedRejects:
    """Write every rejected record and dropped value of a run to `path`, in record order."""
    out = ExportedRejects(path)
    rejects = ((row.seq, 0, REJECTED, row) for row in _rows(store, ingest_reject, run_id))
    dropped = ((row.seq, row.n, DROPPED, row) for row in _rows(store, ingest_dropped_value, run_id))
    with RejectWriter(path, run_id=run_id) as writer:
        for seq, _, kind, row in heapq.merge(rejects, dropped, key=lambda item: item[:2]):
            origin = Origin.parse(row.origin)
            record = reject_record(
                run_id=run_id,
                seq=seq,
                origin=origin,
                column=row.column_name,
                message=row.message,
                raw=row.raw,
                kind=kind,
            )
            writer.write_record(record)
            shown = out.first_rejects if kind == REJECTED else out.first_dropped
            if len(shown) < SHOWN:
                shown.append(describe_reject(origin, row.column_name, row.message))
    return out
