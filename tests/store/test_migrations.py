"""Alembic creates exactly the tables the code declares, on both backends."""

from __future__ import annotations

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Engine, func, insert, inspect, select, text
from sqlalchemy.exc import DatabaseError

from casegraph.security.context import Context
from casegraph.services.store import Store
from casegraph.store import migrate
from casegraph.store.bulk import upsert_statements
from casegraph.store.search_ddl import BACKEND_OBJECTS
from casegraph.store.tables import (
    APPEND_ONLY_TABLES,
    audit_event,
    ingest_reject,
    ingest_run,
    metadata,
    statement,
)
from tests.helpers import add_dataset, base, stmt

INITIAL = {"statement", "dataset", "ingest_run", "ingest_reject", "setting"}
GOVERNANCE = {
    "app_user",
    "group_member",
    "dataset_grant",
    "api_token",
    "audit_event",
    "audit_object",
    "audit_head",
    "audit_checkpoint",
}
SEARCH = {"search_doc", "search_country", "search_word"}
RESOLVE = {
    "resolve_run",
    "resolve_entity",
    "resolve_source",
    "resolve_pair",
    "resolve_judgement",
    "resolve_cluster",
}
DROPPED_VALUES = {"ingest_dropped_value"}


def _tables(engine: Engine) -> set[str]:
    return set(inspect(engine).get_table_names()) - {"alembic_version"}


def _triggers(engine: Engine) -> set[str]:
    """The names of the user-defined triggers in the store's database."""
    with engine.connect() as conn:
        if engine.dialect.name == "sqlite":
            query = "SELECT name FROM sqlite_master WHERE type = 'trigger'"
        else:
            query = "SELECT tgname FROM pg_trigger WHERE NOT tgisinternal"
        return {row[0] for row in conn.execute(text(query))}


def _expected_triggers(dialect: str) -> set[str]:
    if dialect == "sqlite":
        audit = {f"{t}_no_{verb}" for t in APPEND_ONLY_TABLES for verb in ("update", "delete")}
        return audit | {"search_doc_ai", "search_doc_ad", "search_doc_au"}
    return {f"{t}_{kind}" for t in APPEND_ONLY_TABLES for kind in ("append_only", "no_truncate")}


def _declared(obj: object, name: str | None, type_: str, reflected: bool, other: object) -> bool:
    """Leave out the backend's own full-text structures (store/search_ddl.py)."""
    return not (name and (name.startswith("search_fts") or name in BACKEND_OBJECTS))


def _schema_diff(engine: Engine) -> list[object]:
    with engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"include_object": _declared})
        return list(compare_metadata(context, metadata))


def _audit_rows_refuse_change(engine: Engine) -> None:
    """An audit row can be added, but neither changed nor removed."""
    with engine.begin() as conn:
        seq = conn.execute(select(func.coalesce(func.max(audit_event.c.seq), 0))).scalar_one()
        conn.execute(
            insert(audit_event).values(
                seq=seq + 1,
                time="2026-01-01T00:00:00.000000Z",
                actor="tester",
                action="admin",
                operation="test",
                decision="allow",
                rule="test",
                reason="a row to tamper with",
                purpose=None,
                recipients="[]",
                objects_count=0,
                objects_digest="0" * 64,
                leaf_hash="0" * 64,
            )
        )
    for sql in ("UPDATE audit_event SET reason = 'changed'", "DELETE FROM audit_event"):
        with pytest.raises(DatabaseError, match="append-only"), engine.begin() as conn:
            conn.execute(text(sql))


def test_migrated_schema_matches_the_declared_tables(store: Store) -> None:
    assert _schema_diff(store.engine) == []
    assert migrate.current_revision(store.engine) == migrate.head_revision() == "0005"
    assert _tables(store.engine) >= INITIAL | GOVERNANCE | SEARCH | RESOLVE | DROPPED_VALUES
    assert _expected_triggers(store.engine.dialect.name) <= _triggers(store.engine)


def test_audit_tables_are_append_only_in_the_database(store: Store) -> None:
    _audit_rows_refuse_change(store.engine)


def test_downgrade_removes_every_table_and_upgrade_restores_them(store: Store) -> None:
    migrate.downgrade(store.engine, "base")
    assert _tables(store.engine) == set()
    assert _triggers(store.engine) == set()
    migrate.upgrade(store.engine)
    assert _tables(store.engine) >= INITIAL | GOVERNANCE | SEARCH | RESOLVE | DROPPED_VALUES
    assert _schema_diff(store.engine) == []
    assert _expected_triggers(store.engine.dialect.name) <= _triggers(store.engine)


def test_downgrade_to_0001_drops_governance_and_triggers_and_keeps_the_data(
    store: Store, owner: Context
) -> None:
    add_dataset(store, owner)
    with store.engine.begin() as conn:
        upsert_statements(
            conn, [base("p1"), stmt("p1", "name", "Ivan Petrov")], seen="2026-01-01T00:00:00"
        )
    migrate.downgrade(store.engine, "0001")
    assert migrate.current_revision(store.engine) == "0001"
    assert _tables(store.engine) == INITIAL
    assert _triggers(store.engine) == set()
    with store.engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(statement)).scalar_one() == 2

    migrate.upgrade(store.engine)
    assert migrate.current_revision(store.engine) == migrate.head_revision()
    assert _tables(store.engine) >= INITIAL | GOVERNANCE | SEARCH | RESOLVE | DROPPED_VALUES
    assert _schema_diff(store.engine) == []
    assert _triggers(store.engine) == _expected_triggers(store.engine.dialect.name)
    _audit_rows_refuse_change(store.engine)
    with store.engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(statement)).scalar_one() == 2


def _reject_count(engine: Engine) -> int:
    with engine.connect() as conn:
        return int(conn.execute(text("SELECT count(*) FROM ingest_reject")).scalar_one())


def test_0005_adds_and_removes_the_dropped_values_without_touching_runs_or_rejects(
    store: Store, owner: Context
) -> None:
    # On SQLite a rebuilt `ingest_run` would cascade-delete the rejects: keep them.
    add_dataset(store, owner)
    with store.engine.begin() as conn:
        run_id = conn.execute(
            insert(ingest_run)
            .values(
                dataset="registry",
                source="r.csv",
                source_sha256="0" * 64,
                source_bytes=1,
                fingerprint="f" * 64,
                format="csv",
                actor="owner",
                status="completed",
                seen_at="2026-01-01T00:00:00",
                started_at="2026-01-01T00:00:00",
                rows_rejected=1,
            )
            .returning(ingest_run.c.id)
        ).scalar_one()
        conn.execute(
            insert(ingest_reject).values(
                run_id=run_id, seq=1, origin="file:r.csv#row=1", message="bad", raw="x"
            )
        )
    migrate.downgrade(store.engine, "0004")
    assert "ingest_dropped_value" not in _tables(store.engine)
    columns = {c["name"] for c in inspect(store.engine).get_columns("ingest_run")}
    assert "values_dropped" not in columns
    assert _reject_count(store.engine) == 1
    migrate.upgrade(store.engine)
    assert _schema_diff(store.engine) == []
    assert _reject_count(store.engine) == 1
    with store.engine.connect() as conn:
        assert conn.execute(select(ingest_run.c.values_dropped)).scalar_one() == 0


def test_sqlite_runs_with_wal_full_sync_and_foreign_keys(store: Store) -> None:
    if store.engine.dialect.name != "sqlite":
        pytest.skip("SQLite pragmas only")
    with store.engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA synchronous").scalar() == 2  # FULL
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
