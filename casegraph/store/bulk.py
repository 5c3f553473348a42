"""Bulk statement upserts: the one hot write path, with a thin adapter per backend.

Both backends insert new statements and, for statements already stored, only move
`last_seen` forward. The first observation's origin and original value are kept.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Connection

from casegraph.model.statement import StatementRow

COLUMNS = (
    "id, entity_id, schema, prop, prop_type, value, original_value, lang, dataset, origin, "
    "first_seen, last_seen"
)

SQLITE_UPSERT = (
    f"INSERT INTO statement ({COLUMNS}) VALUES (?,?,?,?,?,?,?,?,?,?,?,?) "
    "ON CONFLICT (entity_id, id) DO UPDATE SET last_seen = excluded.last_seen "
    "WHERE excluded.last_seen > statement.last_seen"
)

PG_STAGE = (
    "CREATE TEMP TABLE IF NOT EXISTS statement_stage "
    "(LIKE statement INCLUDING DEFAULTS) ON COMMIT DELETE ROWS"
)
PG_MERGE = (
    f"INSERT INTO statement ({COLUMNS}) SELECT {COLUMNS} FROM statement_stage "
    "ON CONFLICT (entity_id, id) DO UPDATE SET last_seen = EXCLUDED.last_seen "
    "WHERE EXCLUDED.last_seen > statement.last_seen"
)


def _unique(rows: Sequence[StatementRow]) -> list[StatementRow]:
    """Drop repeats within a batch (PostgreSQL refuses to upsert one row twice)."""
    seen: dict[tuple[str, str], StatementRow] = {}
    for row in rows:
        seen.setdefault((row.entity_id, row.id), row)
    return list(seen.values())


def upsert_statements(conn: Connection, rows: Sequence[StatementRow], *, seen: str) -> int:
    """Write a batch in the caller's transaction; returns the number of distinct rows."""
    unique = _unique(rows)
    if not unique:
        return 0
    # Primary-key order makes the B-tree inserts local.
    unique.sort(key=lambda row: (row.entity_id, row.id))
    params: list[tuple[Any, ...]] = [(*row, seen, seen) for row in unique]
    if conn.dialect.name == "sqlite":
        conn.exec_driver_sql(SQLITE_UPSERT, params)
    else:
        _upsert_postgres(conn, params)
    return len(unique)


def _upsert_postgres(conn: Connection, params: list[tuple[Any, ...]]) -> None:
    conn.exec_driver_sql(PG_STAGE)
    raw: Any = conn.connection.dbapi_connection
    with raw.cursor() as cursor, cursor.copy(f"COPY statement_stage ({COLUMNS}) FROM STDIN") as cp:
        for param in params:
            cp.write_row(param)
    conn.exec_driver_sql(PG_MERGE)
    conn.exec_driver_sql("TRUNCATE statement_stage")
