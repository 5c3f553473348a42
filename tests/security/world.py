"""A governed world shared by the policy matrix and the canary tests.

One store per backend and test module (building it per test would make the matrix
slow): the owner, six personas, and datasets with grants, made through the governed
services the way an admin would make them. Statements are written directly (as the
store tests do), so entity ids are known in advance and one entity can have
statements in several datasets; they are indexed for search in the same transaction,
as every governed write does.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy import func, select

from casegraph.model.dataset import DatasetMeta
from casegraph.model.statement import StatementRow
from casegraph.security.actor import parse_roles
from casegraph.security.context import Context
from casegraph.security.policy import Level
from casegraph.services.datasets import grant_dataset, register_dataset
from casegraph.services.identity import add_user, create_owner, disable_user
from casegraph.services.search_index import index_entities, keys_of
from casegraph.services.store import Store, init_store
from casegraph.store.bulk import upsert_statements
from casegraph.store.tables import audit_event
from tests.conftest import OWNER, OWNER_GROUP, OWNER_PASSWORD
from tests.helpers import backend_settings, context_for

PURPOSE = "case:MATRIX-1"
SEEN = "2026-01-01T00:00:00"

# The personas of the issue. Keys are the matrix's column names.
ADMIN = "admin"  # admin role only, no group, top clearance
GRANTED = "granted"  # analyst in desk-a, clearance RESTRICTED
NO_GRANT = "no-grant"  # analyst in desk-c (no grants anywhere), clearance RESTRICTED
LOWER = "lower"  # analyst in desk-a, clearance INTERNAL
AUDITOR = "auditor"
DISABLED = "disabled"  # an analyst in desk-a with clearance RESTRICTED, then disabled
PERSONAS = (ADMIN, GRANTED, NO_GRANT, LOWER, AUDITOR, DISABLED)

#: The login name of each persona.
USER = {
    ADMIN: "adm",
    GRANTED: "ana",
    NO_GRANT: "outsider",
    LOWER: "junior",
    AUDITOR: "dpo",
    DISABLED: "gone",
}
PASSWORD = "persona-password-42"


@dataclass(frozen=True, slots=True)
class PersonaSpec:
    roles: str
    groups: tuple[str, ...]
    clearance: str


SPECS = {
    ADMIN: PersonaSpec("admin", (), "RESTRICTED"),
    GRANTED: PersonaSpec("analyst", ("desk-a",), "RESTRICTED"),
    NO_GRANT: PersonaSpec("analyst", ("desk-c",), "RESTRICTED"),
    LOWER: PersonaSpec("analyst", ("desk-a",), "INTERNAL"),
    AUDITOR: PersonaSpec("auditor", (), "PUBLIC"),
    DISABLED: PersonaSpec("analyst", ("desk-a",), "RESTRICTED"),
}


@contextmanager
def scratch_store(request: pytest.FixtureRequest, data_dir: Path) -> Iterator[Store]:
    """An initialised store on `request.param`'s backend with the conftest's owner
    (admin + analyst, top clearance, group `owners`), for fixtures wider than one test."""
    with backend_settings(request, data_dir) as settings:
        store = init_store(settings)
        try:
            create_owner(store, name=OWNER, password=OWNER_PASSWORD, group=OWNER_GROUP)
            yield store
        finally:
            store.close()


@contextmanager
def module_store(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Store]:
    """`scratch_store` in a fresh directory, for a module-scoped fixture."""
    with scratch_store(
        request, tmp_path_factory.mktemp(f"world-{request.param}") / "data"
    ) as store:
        yield store


def owner_context(store: Store) -> Context:
    return context_for(store, OWNER, purpose=PURPOSE)


def make_personas(store: Store, owner: Context) -> dict[str, str]:
    """Create the six personas (with passwords); returns persona → user name."""
    for persona in PERSONAS:
        spec = SPECS[persona]
        add_user(
            store,
            owner,
            name=USER[persona],
            roles=parse_roles(spec.roles),
            groups=spec.groups,
            clearance=spec.clearance,
            password=PASSWORD,
        )
    disable_user(store, owner, USER[DISABLED])
    return dict(USER)


def persona_context(store: Store, persona: str, *, purpose: str | None = PURPOSE) -> Context:
    """The persona's Context as authentication would build it (a disabled persona's
    too: the Policy, not only the login, must refuse it)."""
    return context_for(store, USER[persona], purpose=purpose)


def add_dataset(
    store: Store,
    owner: Context,
    name: str,
    marking: str,
    grants: Sequence[tuple[str, Level]],
    rows: Sequence[StatementRow] = (),
    *,
    title: str | None = None,
) -> None:
    """Register a dataset with its grants (as the owner) and write its statements, with
    their search documents."""
    register_dataset(store, owner, DatasetMeta(name=name, title=title or name, marking=marking))
    for group, level in grants:
        grant_dataset(store, owner, name, group=group, level=level)
    if rows:
        with store.engine.begin() as conn:
            upsert_statements(conn, list(rows), seen=SEEN)
            index_entities(conn, keys_of(rows))


def audit_size(store: Store) -> int:
    with store.engine.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(audit_event)).scalar_one())


def events_since(store: Store, seq: int, actor: str) -> list[tuple[str, str, str]]:
    """(operation, decision, rule) of `actor`'s events from `seq` on, read-only."""
    query = (
        select(audit_event.c.operation, audit_event.c.decision, audit_event.c.rule)
        .where(audit_event.c.seq >= seq, audit_event.c.actor == actor)
        .order_by(audit_event.c.seq)
    )
    with store.engine.connect() as conn:
        return [(r.operation, r.decision, r.rule) for r in conn.execute(query)]
