"""Database triggers that make the audit tables append-only.

They stop any code path (ours, a careless script, an ORM) from updating or deleting
audit rows. Someone with the database's owner rights can drop them: that is what the
Merkle tree and the exported, signed checkpoints are for.
"""

from __future__ import annotations

from sqlalchemy import Connection

from casegraph.store.tables import APPEND_ONLY_TABLES

MESSAGE = "audit rows are append-only"


def create_sql(dialect: str) -> list[str]:
    if dialect == "sqlite":
        return [
            f"CREATE TRIGGER {table}_no_{verb.lower()} BEFORE {verb} ON {table} "
            f"BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END"
            for table in APPEND_ONLY_TABLES
            for verb in ("UPDATE", "DELETE")
        ]
    statements = [
        "CREATE OR REPLACE FUNCTION casegraph_append_only() RETURNS trigger AS $$ "
        f"BEGIN RAISE EXCEPTION '{MESSAGE}'; END; $$ LANGUAGE plpgsql"
    ]
    for table in APPEND_ONLY_TABLES:
        statements.append(
            f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
            "FOR EACH ROW EXECUTE FUNCTION casegraph_append_only()"
        )
        statements.append(
            f"CREATE TRIGGER {table}_no_truncate BEFORE TRUNCATE ON {table} "
            "FOR EACH STATEMENT EXECUTE FUNCTION casegraph_append_only()"
        )
    return statements


def drop_sql(dialect: str) -> list[str]:
    if dialect == "sqlite":
        return [
            f"DROP TRIGGER IF EXISTS {table}_no_{verb.lower()}"
            for table in APPEND_ONLY_TABLES
            for verb in ("UPDATE", "DELETE")
        ]
    statements = []
    for table in APPEND_ONLY_TABLES:
        statements.append(f"DROP TRIGGER IF EXISTS {table}_append_only ON {table}")
        statements.append(f"DROP TRIGGER IF EXISTS {table}_no_truncate ON {table}")
    statements.append("DROP FUNCTION IF EXISTS casegraph_append_only()")
    return statements


def apply(conn: Connection, statements: list[str]) -> None:
    for sql in statements:
        conn.exec_driver_sql(sql)
