"""Small builders for tests: statements and datasets made the way ingest makes them."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import psycopg
import pytest
from sqlalchemy import Connection

from casegraph.model.dataset import DatasetMeta
from casegraph.model.origin import Origin
from casegraph.model.statement import BASE_PROP, StatementRow, make_statement_id
from casegraph.security.actor import parse_roles
from casegraph.security.context import Context
from casegraph.security.policy import Level
from casegraph.security.purpose import parse_purpose
from casegraph.services.datasets import grant_dataset, register_dataset
from casegraph.services.identity import add_user, load_actor
from casegraph.services.store import Store
from casegraph.settings import Settings, load_settings


def stmt(
    entity_id: str,
    prop: str,
    value: str,
    *,
    schema: str = "Person",
    dataset: str = "registry",
    prop_type: str = "string",
    row: int = 1,
    original: str | None = None,
) -> StatementRow:
    return StatementRow(
        id=make_statement_id(dataset=dataset, entity_id=entity_id, prop=prop, value=value),
        entity_id=entity_id,
        schema=schema,
        prop=prop,
        prop_type=prop_type,
        value=value,
        original_value=original,
        lang=None,
        dataset=dataset,
        origin=Origin(file="people.csv", row=row, line=row + 1).render(),
    )


def base(entity_id: str, *, schema: str = "Person", dataset: str = "registry") -> StatementRow:
    return stmt(entity_id, BASE_PROP, entity_id, schema=schema, dataset=dataset, prop_type="id")


def context_for(store: Store, name: str, *, purpose: str | None = None) -> Context:
    """The Context of an existing user, as authentication would build it."""
    with store.engine.connect() as conn:
        actor = _actor(conn, name)
    return Context(actor=actor, purpose=parse_purpose(purpose))


def _actor(conn: Connection, name: str):  # type: ignore[no-untyped-def]
    actor = load_actor(conn, name)
    if actor is None:
        raise AssertionError(f"no user {name}")
    return actor


def make_user(
    store: Store,
    admin: Context,
    name: str,
    *,
    roles: str = "analyst",
    groups: tuple[str, ...] = (),
    clearance: str | None = None,
    purpose: str | None = "case:TEST-1",
) -> Context:
    """Create a user through the governed service and return their Context."""
    add_user(store, admin, name=name, roles=parse_roles(roles), groups=groups, clearance=clearance)
    return context_for(store, name, purpose=purpose)


def add_dataset(
    store: Store,
    admin: Context,
    name: str = "registry",
    marking: str = "PUBLIC",
    *,
    group: str | None = "owners",
    level: Level = Level.WRITE,
) -> DatasetMeta:
    """Register a dataset (as an admin) and grant `group` on it."""
    meta = register_dataset(
        store, admin, DatasetMeta(name=name, title=name.title(), marking=marking)
    )
    if group is not None:
        grant_dataset(store, admin, name, group=group, level=level)
    return meta


@contextmanager
def temporary_database(admin: str) -> Iterator[str]:
    """A fresh PostgreSQL database on the server of `admin` (a libpq URL), dropped
    afterwards; yields its SQLAlchemy URL."""
    name = f"casegraph_test_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    server = admin.rsplit("/", 1)[0].replace("postgresql://", "postgresql+psycopg://", 1)
    try:
        yield f"{server}/{name}"
    finally:
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@contextmanager
def backend_settings(request: pytest.FixtureRequest, data_dir: Path) -> Iterator[Settings]:
    """Settings for `request.param`'s backend ("sqlite" or "postgresql"), for fixtures
    wider than one test; PostgreSQL gets its own database for as long as they last."""
    if request.param == "sqlite":
        yield load_settings(data_dir=data_dir, database_url=f"sqlite:///{data_dir}/cg.sqlite")
        return
    with temporary_database(str(request.getfixturevalue("pg_admin"))) as url:
        yield load_settings(data_dir=data_dir, database_url=url)
