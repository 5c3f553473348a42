"""Shared by the fail-closed, one-event and crash tests of the audit log.

- `check_log`: an independent check of the whole log (seqs gapless from 0, every leaf
  recomputed from its row and objects, every checkpoint's root and signature, the
  head's frontier), written from the RFC 9162 maths in `casegraph.security.merkle`
  rather than with the services' own verifier; `verify_twice` runs both.
- `failing`: a real database trigger that aborts inserts (or updates) on a table,
  optionally only for rows matching a condition, on SQLite and PostgreSQL.
- `snapshot`: every row of the given tables, to prove that nothing was persisted.
- `build_world`: a store with datasets, entities, users, tokens and a match judgement,
  made through the governed services, on which every operation can be tried.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from argon2 import PasswordHasher
from sqlalchemy import Connection, Table, select

from casegraph.model.dataset import DatasetMeta
from casegraph.security.actor import parse_roles
from casegraph.security.audit_event import AuditEvent, objects_digest
from casegraph.security.checkpoint import open_checkpoint
from casegraph.security.context import Context
from casegraph.security.merkle import Frontier, leaf_hash, root_of
from casegraph.services import identity
from casegraph.services.audit_verify import verify_log
from casegraph.services.authentication import create_token
from casegraph.services.identity import add_user
from casegraph.services.ingest import ingest
from casegraph.services.judgements import judge
from casegraph.services.store import Store
from casegraph.store.tables import (
    api_token,
    app_user,
    audit_checkpoint,
    audit_event,
    audit_head,
    audit_object,
    dataset,
    dataset_grant,
    group_member,
    ingest_dropped_value,
    ingest_reject,
    ingest_run,
    resolve_cluster,
    resolve_entity,
    resolve_judgement,
    resolve_pair,
    resolve_run,
    resolve_source,
    search_country,
    search_doc,
    search_word,
    statement,
)
from tests.conftest import OWNER
from tests.helpers import add_dataset, context_for, make_user
from tests.security.world import scratch_store

#: Every table an operation may change, audit tables apart.
DATA_TABLES: tuple[Table, ...] = (
    statement,
    dataset,
    dataset_grant,
    app_user,
    group_member,
    api_token,
    ingest_run,
    ingest_reject,
    ingest_dropped_value,
    resolve_run,
    resolve_entity,
    resolve_source,
    resolve_pair,
    resolve_judgement,
    resolve_cluster,
)
AUDIT_TABLES: tuple[Table, ...] = (audit_event, audit_object, audit_checkpoint, audit_head)
#: The search index: written with the statements, and rebuilt by `reindex`.
SEARCH_TABLES: tuple[Table, ...] = (search_doc, search_country, search_word)

INJECTED = "injected audit failure"
#: The form of every audit time: UTC, ISO 8601, with microseconds and a Z.
UTC_TIME = r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z"


# --- Reading the log back, and checking it ----------------------------------------


def _consistent(conn: Connection) -> Connection:
    """One snapshot for all the reads (SQLite transactions are immediate anyway)."""
    if conn.dialect.name == "postgresql":
        return conn.execution_options(isolation_level="REPEATABLE READ")
    return conn


def _event(row: Any, objects: tuple[str, ...]) -> AuditEvent:
    return AuditEvent(
        seq=row.seq,
        time=row.time,
        actor=row.actor,
        action=row.action,
        operation=row.operation,
        decision=row.decision,
        rule=row.rule,
        reason=row.reason,
        purpose=row.purpose,
        recipients=tuple(json.loads(row.recipients)),
        objects_count=row.objects_count,
        objects_digest=row.objects_digest,
        objects=objects,
    )


def read_events(store: Store, *, after: int = -1) -> list[AuditEvent]:
    """The events with seq > `after`, by seq, with their objects."""
    with store.engine.connect() as raw:
        conn = _consistent(raw)
        rows = conn.execute(
            select(audit_event).where(audit_event.c.seq > after).order_by(audit_event.c.seq)
        ).all()
        found: dict[int, list[str]] = {}
        for seq, obj in conn.execute(
            select(audit_object.c.seq, audit_object.c.object).where(audit_object.c.seq > after)
        ):
            found.setdefault(seq, []).append(obj)
    return [_event(row, tuple(sorted(found.get(row.seq, ())))) for row in rows]


def log_size(store: Store) -> int:
    with store.engine.connect() as conn:
        return int(conn.execute(select(audit_head.c.size)).scalar_one())


@dataclass(frozen=True, slots=True)
class CheckedLog:
    events: list[AuditEvent]
    checkpoints: tuple[int, ...]  # the sizes of the stored checkpoints


def check_log(store: Store) -> CheckedLog:
    """Check the whole log as an outsider would; raises AssertionError on any problem."""
    with store.engine.connect() as raw:
        conn = _consistent(raw)
        rows = conn.execute(select(audit_event).order_by(audit_event.c.seq)).all()
        found: dict[int, list[str]] = {}
        for seq, obj in conn.execute(select(audit_object.c.seq, audit_object.c.object)):
            found.setdefault(seq, []).append(obj)
        checkpoints = conn.execute(select(audit_checkpoint).order_by(audit_checkpoint.c.size)).all()
        head = conn.execute(select(audit_head)).one()
    seqs = [row.seq for row in rows]
    assert seqs == list(range(len(rows))), "audit seqs are not gapless from 0"
    assert set(found) <= set(seqs), "audit objects of events that do not exist"
    events: list[AuditEvent] = []
    leaves: list[bytes] = []
    for row in rows:
        objects = tuple(sorted(found.get(row.seq, ())))
        assert row.objects_count == len(objects), f"event {row.seq}: objects count"
        assert row.objects_digest == objects_digest(objects), f"event {row.seq}: objects"
        event = _event(row, objects)
        leaf = leaf_hash(event.leaf_data())
        assert row.leaf_hash == leaf.hex(), f"event {row.seq}: leaf hash"
        events.append(event)
        leaves.append(leaf)
    roots = {cp.size: cp for cp in checkpoints}
    assert all(1 <= size <= len(leaves) for size in roots), "a checkpoint beyond the log"
    frontier = Frontier()
    for leaf in leaves:
        frontier.append(leaf)
        cp = roots.get(frontier.size)
        if cp is not None:
            root = frontier.root()
            assert cp.root == root.hex(), f"checkpoint {cp.size}: root"
            signed = open_checkpoint(cp.note, store.verifier_key, origin=store.origin)
            assert (signed.size, signed.root) == (cp.size, root), f"checkpoint {cp.size}: note"
    if leaves:
        assert frontier.root() == root_of(leaves)
    assert head.size == len(leaves), "the head's size is not the number of events"
    assert Frontier.from_json(json.loads(head.frontier)) == frontier, "the head's frontier"
    if store.checkpoint_every > 0:
        every = store.checkpoint_every
        expected = {size for size in range(every, len(leaves) + 1, every)}
        assert expected <= set(roots), "a periodic checkpoint is missing"
    return CheckedLog(events=events, checkpoints=tuple(sorted(roots)))


def verify_twice(store: Store, auditor: Context) -> CheckedLog:
    """`check_log`, then the services' own `verify_log` (which records its event)."""
    log = check_log(store)
    report = verify_log(store, auditor)
    assert report.ok, report.problems
    assert report.size >= len(log.events), (len(log.events), report)
    return log


# --- Fault injection ---------------------------------------------------------------


def _trigger_sql(
    dialect: str, *, name: str, table: str, event: str, when: str | None, message: str
) -> list[str]:
    if dialect == "sqlite":
        condition = f" WHEN {when}" if when else ""
        return [
            f"CREATE TRIGGER {name} BEFORE {event} ON {table}{condition} "
            f"BEGIN SELECT RAISE(ABORT, '{message}'); END"
        ]
    condition = f" WHEN ({when})" if when else ""
    return [
        f"CREATE FUNCTION {name}_fn() RETURNS trigger LANGUAGE plpgsql AS "
        f"$$ BEGIN RAISE EXCEPTION '{message}'; END $$",
        f"CREATE TRIGGER {name} BEFORE {event} ON {table} FOR EACH ROW{condition} "
        f"EXECUTE FUNCTION {name}_fn()",
    ]


def _drop_sql(dialect: str, *, name: str, table: str) -> list[str]:
    if dialect == "sqlite":
        return [f"DROP TRIGGER IF EXISTS {name}"]
    return [f"DROP TRIGGER IF EXISTS {name} ON {table}", f"DROP FUNCTION IF EXISTS {name}_fn()"]


def add_failure(
    store: Store,
    *,
    table: str = "audit_event",
    event: str = "INSERT",
    when: str | None = None,
    name: str = "fail_audit",
    message: str = INJECTED,
) -> None:
    """Make the database abort every `event` on `table` (matching `when`, written with
    NEW.column, e.g. "NEW.operation = 'ingest'")."""
    sql = _trigger_sql(
        store.engine.dialect.name, name=name, table=table, event=event, when=when, message=message
    )
    with store.engine.begin() as conn:
        for statement_sql in sql:
            conn.exec_driver_sql(statement_sql)


def drop_failure(store: Store, *, table: str = "audit_event", name: str = "fail_audit") -> None:
    with store.engine.begin() as conn:
        for sql in _drop_sql(store.engine.dialect.name, name=name, table=table):
            conn.exec_driver_sql(sql)


@contextmanager
def failing(
    store: Store,
    *,
    table: str = "audit_event",
    event: str = "INSERT",
    when: str | None = None,
    name: str = "fail_audit",
) -> Iterator[None]:
    add_failure(store, table=table, event=event, when=when, name=name)
    try:
        yield
    finally:
        drop_failure(store, table=table, name=name)


# --- Snapshots ---------------------------------------------------------------------


def snapshot(
    store: Store, tables: tuple[Table, ...] = DATA_TABLES
) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of `tables`, in primary-key order."""
    with store.engine.connect() as raw:
        conn = _consistent(raw)
        return {
            t.name: [tuple(r) for r in conn.execute(select(t).order_by(*t.primary_key.columns))]
            for t in tables
        }


# --- A world to operate on ---------------------------------------------------------

PURPOSE = "case:TEST-1"
ANALYST = "ana"
AUDITOR = "audi"
ANALYST_PASSWORD = "ana-password-1234"


@contextmanager
def module_world(request: pytest.FixtureRequest, directory: Path) -> Iterator[World]:
    """A world on `request.param`'s backend for a module-scoped fixture."""
    with pytest.MonkeyPatch.context() as patch:
        cheap_passwords(patch)
        with scratch_store(request, directory / "data") as store:
            owner = context_for(store, OWNER, purpose=PURPOSE)
            yield build_world(store, owner, directory / "files")


def cheap_passwords(monkeypatch: pytest.MonkeyPatch) -> None:
    """Argon2 with the smallest cost: these tests are about the log, not the hash, and
    a default hash costs ~0.2 s. Verification reads the cost from each hash."""
    monkeypatch.setattr(
        identity, "_hasher", PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)
    )


def write_ftm(path: Path, entities: list[dict[str, Any]]) -> Path:
    """An FtM entity JSON lines file (ingested without a mapping)."""
    path.write_text("".join(json.dumps(e) + "\n" for e in entities), encoding="utf-8")
    return path


def people(prefix: str, n: int) -> list[dict[str, Any]]:
    return [
        {"id": f"{prefix}{i}", "schema": "Person", "properties": {"name": [f"{prefix} Person {i}"]}}
        for i in range(n)
    ]


@dataclass(frozen=True, slots=True)
class World:
    store: Store
    owner: Context  # admin and analyst, top clearance, group `owners`
    analyst: Context  # analyst in `owners`, with a password and a token
    auditor: Context
    entity_id: str  # a PUBLIC entity in `registry`, cited by `citing_id`
    citing_id: str
    registry_ids: tuple[str, ...]  # every entity in `registry`
    secret_id: str  # an entity in the RESTRICTED `secret` dataset
    company_id: str  # Acme Ltd in `registry`, judged the same as `twin_id` by the owner
    twin_id: str  # Acme Limited
    token: str  # the analyst's token (secret)
    token_id: str
    spare_token_id: str  # a token of the analyst's, to revoke
    files: Path  # a directory for ingest files


def entity_ids(store: Store, name: str) -> tuple[str, ...]:
    with store.engine.connect() as conn:
        rows = conn.execute(
            select(statement.c.entity_id)
            .where(statement.c.dataset == name, statement.c.prop == "id")
            .order_by(statement.c.entity_id)
        )
        return tuple(r[0] for r in rows)


def _id_of(store: Store, name: str) -> str:
    with store.engine.connect() as conn:
        return str(
            conn.execute(
                select(statement.c.entity_id).where(
                    statement.c.prop == "name", statement.c.value == name
                )
            ).scalar_one()
        )


def build_world(store: Store, owner: Context, files: Path) -> World:
    """Datasets (PUBLIC `registry`, RESTRICTED `secret`, INTERNAL `spare`), entities in
    the first two, an analyst, an auditor and two analyst tokens; all through the
    governed services."""
    files.mkdir(parents=True, exist_ok=True)
    add_dataset(store, owner, "registry", "PUBLIC")
    add_dataset(store, owner, "secret", "RESTRICTED")
    add_dataset(store, owner, "spare", "INTERNAL")
    registry = [
        {"id": "p1", "schema": "Person", "properties": {"name": ["Ivan Petrov"]}},
        {"id": "c1", "schema": "Company", "properties": {"name": ["Acme Ltd"]}},
        {"id": "c2", "schema": "Company", "properties": {"name": ["Acme Limited"]}},
        {
            "id": "o1",
            "schema": "Ownership",
            "properties": {"owner": ["p1"], "asset": ["c1"], "role": ["shareholder"]},
        },
    ]
    ingest(
        store,
        owner,
        write_ftm(files / "registry.ftm.json", registry),
        meta=DatasetMeta(name="registry", title="", marking=""),
    )
    ingest(
        store,
        owner,
        write_ftm(
            files / "secret.ftm.json",
            [{"id": "s1", "schema": "Person", "properties": {"name": ["Hidden Source"]}}],
        ),
        meta=DatasetMeta(name="secret", title="", marking=""),
    )
    add_user(
        store,
        owner,
        name=ANALYST,
        roles=parse_roles("analyst"),
        groups=("owners",),
        password=ANALYST_PASSWORD,
    )
    analyst = context_for(store, ANALYST, purpose=PURPOSE)
    auditor = make_user(store, owner, AUDITOR, roles="auditor", purpose=PURPOSE)
    token, record = create_token(store, analyst, label="main")
    _, spare = create_token(store, analyst, label="spare")
    owner_id = _id_of(store, "Ivan Petrov")
    company_id, twin_id = _id_of(store, "Acme Ltd"), _id_of(store, "Acme Limited")
    judge(store, owner, company_id, twin_id, "yes")
    return World(
        store=store,
        owner=owner,
        analyst=analyst,
        auditor=auditor,
        entity_id=owner_id,
        citing_id=_citing(store, owner_id),
        registry_ids=entity_ids(store, "registry"),
        secret_id=_id_of(store, "Hidden Source"),
        company_id=company_id,
        twin_id=twin_id,
        token=token,
        token_id=record.id,
        spare_token_id=spare.id,
        files=files,
    )


def _citing(store: Store, entity_id: str) -> str:
    with store.engine.connect() as conn:
        return str(
            conn.execute(
                select(statement.c.entity_id).where(
                    statement.c.prop_type == "entity", statement.c.value == entity_id
                )
            ).scalar_one()
        )
