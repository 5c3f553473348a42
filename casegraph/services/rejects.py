"""Reading back the rejects of a run, into the rejects file and for display."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import select

from casegraph.ingest.rejects import RejectWriter, describe_reject, reject_record
from casegraph.model.origin import Origin
from casegraph.services.store import Store
from casegraph.store.tables import ingest_reject

PAGE = 5000
SHOWN = 10


def export_rejects(store: Store, *, run_id: int, path: Path) -> tuple[Path, list[str]]:
    """Write every reject of a run to `path`; returns it and the first few messages."""
    first: list[str] = []
    after = 0
    with RejectWriter(path, run_id=run_id) as writer:
        while True:
            query = (
                select(ingest_reject)
                .where(ingest_reject.c.run_id == run_id, ingest_reject.c.seq > after)
                .order_by(ingest_reject.c.seq)
                .limit(PAGE)
            )
            with store.engine.connect() as conn:
                rows = list(conn.execute(query))
            for row in rows:
                origin = Origin.parse(row.origin)
                writer.write_record(
                    reject_record(
                        run_id=run_id,
                        seq=row.seq,
                        origin=origin,
                        column=row.column_name,
                        message=row.message,
                        raw=row.raw,
                    )
                )
                if len(first) < SHOWN:
                    first.append(describe_reject(origin, row.column_name, row.message))
            if len(rows) < PAGE:
                break
            after = rows[-1].seq
    return path, first
