"""One run at a time of a store-wide job (such as `resolve`), across processes.

Two resolve runs at once would score against each other's half-written pairs and
re-cluster over each other. The lock is held by the operating system or the database
for the life of the process, so a killed run never leaves a stale lock behind:
- SQLite: an exclusive `flock` on a file next to the database file;
- PostgreSQL: a session advisory lock on a connection kept open for the run.
"""

from __future__ import annotations

import fcntl
import hashlib
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import text

from casegraph.errors import BusyError
from casegraph.services.store import Store


def _key(job: str) -> int:
    """A stable signed 64-bit key for PostgreSQL's advisory locks."""
    return int.from_bytes(
        hashlib.sha256(f"casegraph:{job}".encode()).digest()[:8], "big", signed=True
    )


def _busy(job: str) -> BusyError:
    return BusyError(
        f"another `casegraph {job}` is running on this store; wait for it to finish "
        "(a killed run releases its lock at once)"
    )


@contextmanager
def exclusive(store: Store, job: str) -> Iterator[None]:
    """Hold the store's lock for `job`, or raise `BusyError` at once if it is taken."""
    if store.settings.backend == "sqlite":
        database = Path(store.settings.database_url.split("///", 1)[-1])
        with open(database.with_name(f"{database.name}.{job}.lock"), "a+b") as handle:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError as exc:
                raise _busy(job) from exc
            try:
                yield
            finally:
                fcntl.flock(handle, fcntl.LOCK_UN)
        return
    with store.engine.connect() as conn:
        got = conn.execute(text("SELECT pg_try_advisory_lock(:k)"), {"k": _key(job)}).scalar()
        conn.commit()
        if not got:
            raise _busy(job)
        try:
            yield
        finally:
            conn.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": _key(job)})
            conn.commit()
