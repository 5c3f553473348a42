"""Shared fixtures: every store test runs on real SQLite and real PostgreSQL.

PostgreSQL tests create and drop their own database on the server at
CASEGRAPH_TEST_PG (default postgresql://postgres@127.0.0.1:5432/postgres). When the
server cannot be reached they skip, except under CI=true, where they fail.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest

from casegraph.security.context import Context
from casegraph.services.identity import create_owner
from casegraph.services.store import Store, init_store
from casegraph.settings import Settings, load_settings
from tests.helpers import context_for, temporary_database

PG_ADMIN = os.environ.get("CASEGRAPH_TEST_PG", "postgresql://postgres@127.0.0.1:5432/postgres")
BACKENDS = ["sqlite", "postgresql"]


def _pg_available() -> str | None:
    try:
        with psycopg.connect(PG_ADMIN, connect_timeout=3):
            return None
    except psycopg.Error as exc:
        return str(exc)


@pytest.fixture(scope="session")
def pg_admin() -> str:
    problem = _pg_available()
    if problem is not None:
        if os.environ.get("CI") == "true":
            pytest.fail(f"PostgreSQL is required under CI=true but unreachable: {problem}")
        pytest.skip(f"PostgreSQL unreachable: {problem}")
    return PG_ADMIN


@pytest.fixture
def pg_database(pg_admin: str) -> Iterator[str]:
    """A fresh PostgreSQL database URL for one test, dropped afterwards."""
    with temporary_database(pg_admin) as url:
        yield url


@pytest.fixture(params=BACKENDS)
def settings(request: pytest.FixtureRequest, tmp_path: Path) -> Settings:
    data_dir = tmp_path / "data"
    if request.param == "sqlite":
        return load_settings(data_dir=data_dir, database_url=f"sqlite:///{data_dir}/cg.sqlite")
    url = request.getfixturevalue("pg_database")
    return load_settings(data_dir=data_dir, database_url=url)


OWNER = "owner"
OWNER_GROUP = "owners"
OWNER_PASSWORD = "owner-password-123"


@pytest.fixture
def store(settings: Settings) -> Iterator[Store]:
    """An initialised store with its owner account (admin + analyst, top clearance)."""
    opened = init_store(settings)
    create_owner(opened, name=OWNER, password=OWNER_PASSWORD, group=OWNER_GROUP)
    try:
        yield opened
    finally:
        opened.close()


@pytest.fixture
def owner(store: Store) -> Context:
    """The owner, acting with a case purpose."""
    return context_for(store, OWNER, purpose="case:TEST-1")


@pytest.fixture
def cli_env(settings: Settings, monkeypatch: pytest.MonkeyPatch) -> Settings:
    """Point the CLI (in-process or subprocess) at the test store through the environment."""
    monkeypatch.setenv("CASEGRAPH_DATA_DIR", str(settings.data_dir))
    monkeypatch.setenv("CASEGRAPH_DATABASE_URL", settings.database_url)
    monkeypatch.setenv("CASEGRAPH_USER", OWNER)
    monkeypatch.setenv("CASEGRAPH_PASSWORD", OWNER_PASSWORD)
    monkeypatch.delenv("CASEGRAPH_TOKEN", raising=False)
    return settings
