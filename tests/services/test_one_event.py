"""Every operation appends exactly one audit event, with the right content; a write and
its event share one transaction; a read's event is committed before any data leaves.

Each expectation below is written from the issue (Art. 25 action classes, actor, UTC
time, objects, purpose, decision, rule, recipients), not from the services' code.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import orjson
import pytest
from sqlalchemy.exc import DBAPIError

from casegraph.errors import CasegraphError, StoreError
from casegraph.model.dataset import DatasetMeta
from casegraph.security.context import Context
from casegraph.services.clock import utc_stamp
from casegraph.services.datasets import register_dataset
from casegraph.services.export import export_ftm, export_statements_csv
from casegraph.services.identity import create_owner
from casegraph.services.search import SearchResult
from casegraph.services.store import Store, init_store
from casegraph.settings import Settings
from tests.conftest import BACKENDS, OWNER, OWNER_GROUP, OWNER_PASSWORD
from tests.helpers import context_for
from tests.services.audit_support import (
    ANALYST,
    AUDIT_TABLES,
    AUDITOR,
    DATA_TABLES,
    INJECTED,
    PURPOSE,
    SEARCH_TABLES,
    UTC_TIME,
    World,
    cheap_passwords,
    check_log,
    failing,
    log_size,
    module_world,
    read_events,
    snapshot,
    verify_twice,
)
from tests.services.operations import OPS, RECIPIENT, SEARCH, WRITE_OPS, Op, Outputs

Objects = Callable[[World, Any], set[str]]
#: Everything an operation may change: data, the search index and the log.
STATE = DATA_TABLES + SEARCH_TABLES + AUDIT_TABLES


def _fixed(*objects: str) -> Objects:
    return lambda _w, _r: set(objects)


def _entities(w: World, _r: Any) -> set[str]:
    return {f"entity:{i}" for i in w.registry_ids}


def _acme(w: World) -> set[str]:
    return {f"entity:{w.company_id}", f"entity:{w.twin_id}"}


@dataclass(frozen=True, slots=True)
class Expected:
    action: str
    operation: str
    actor: str
    decision: str
    rule: str
    objects: Objects
    purpose: str | None = PURPOSE
    recipients: tuple[str, ...] = ()


def _admin(operation: str, *objects: str, action: str = "admin") -> Expected:
    """An administration by the owner (an admin), allowed by the admin role."""
    return Expected(action, operation, OWNER, "allow", "role:admin", _fixed(*objects))


def _auditing(operation: str, objects: Objects) -> Expected:
    """A reading of the audit log by the auditor: a consultation."""
    return Expected("consult", operation, AUDITOR, "allow", "role:auditor", objects)


EXPECTED: dict[str, Expected] = {
    "user.list": _admin("user.list"),
    "login": Expected(
        "login", "login", ANALYST, "allow", "password", _fixed("user:ana"), purpose=None
    ),
    "login.refused": Expected(
        "login", "login", ANALYST, "deny", "password", _fixed("user:ana"), purpose=None
    ),
    "token.use": Expected(
        "token",
        "token.use",
        ANALYST,
        "allow",
        "token",
        lambda w, _: {f"token:{w.token_id}"},
        purpose=None,
    ),
    "token.use.refused": Expected(
        "token",
        "token.use",
        ANALYST,
        "deny",
        "token",
        lambda w, _: {f"token:{w.token_id}"},
        purpose=None,
    ),
    # The entity and every entity whose statements the answer shows (the one citing it).
    "entity.show": Expected(
        "consult",
        "entity.show",
        ANALYST,
        "allow",
        "scope",
        lambda w, _: {f"entity:{w.entity_id}", f"entity:{w.citing_id}"},
    ),
    "entity.show.refused": Expected(
        "consult",
        "entity.show",
        ANALYST,
        "deny",
        "scope",
        lambda w, _: {f"entity:{w.secret_id}"},
    ),
    "dataset.show": Expected(
        "consult", "dataset.show", ANALYST, "allow", "scope", _fixed("dataset:registry")
    ),
    # `secret` is RESTRICTED, above the analyst's clearance: not listed, not counted.
    "dataset.list": Expected(
        "consult",
        "dataset.list",
        ANALYST,
        "allow",
        "scope",
        _fixed("dataset:registry", "dataset:spare"),
    ),
    "stats": Expected("consult", "stats", ANALYST, "allow", "scope", _fixed("dataset:registry")),
    # The query, and the entity it returned; not Hidden Source, in a dataset the analyst
    # may not read, although it matches too.
    "search": Expected(
        "consult",
        "search",
        ANALYST,
        "allow",
        "scope",
        lambda w, _: {f"query:{SEARCH}", f"entity:{w.entity_id}"},
    ),
    # An auditor's search is a consultation that returned nothing: only the query.
    "search.auditor": Expected(
        "consult", "search", AUDITOR, "allow", "scope", _fixed(f"query:{SEARCH}")
    ),
    "export.ftm": Expected(
        "disclose", "export.ftm", ANALYST, "allow", "scope", _entities, recipients=(RECIPIENT,)
    ),
    "export.statements": Expected(
        "disclose",
        "export.statements",
        ANALYST,
        "allow",
        "scope",
        _entities,
        recipients=(RECIPIENT,),
    ),
    # Resolution reads: consultations naming the entities they showed (the queue is empty).
    "resolve.queue": Expected("consult", "resolve.queue", ANALYST, "allow", "scope", _fixed()),
    "resolve.explain": Expected(
        "consult", "resolve.explain", ANALYST, "allow", "scope", lambda w, _: _acme(w)
    ),
    "resolve.show": Expected(
        "consult", "resolve.show", ANALYST, "allow", "scope", lambda w, _: _acme(w)
    ),
    "resolve.labels": Expected(
        "consult", "resolve.labels", ANALYST, "allow", "scope", lambda w, _: _acme(w)
    ),
    "audit.verify": _auditing("audit.verify", _fixed()),
    "audit.proof": _auditing("audit.proof", _fixed("event:0")),
    "audit.checkpoint": _auditing("audit.checkpoint", _fixed()),
    # Not `entity:` / `user:` objects: an auditor's lookup is no access to the subject.
    "audit.who-accessed": _auditing(
        "audit.who-accessed", lambda w, _: {f"audit-subject:entity:{w.entity_id}"}
    ),
    "audit.activity": _auditing("audit.activity", _fixed("audit-subject:user:ana")),
    "search.reindex": _admin("search.reindex"),
    # A new dataset is allowed by the creation rule, an existing one by its write grant.
    "ingest.new": Expected(
        "collect",
        "ingest",
        OWNER,
        "allow",
        "create",
        lambda _w, r: {"dataset:fresh", f"run:{r.run_id}"},
    ),
    "ingest.existing": Expected(
        "collect",
        "ingest",
        OWNER,
        "allow",
        "grant",
        lambda _w, r: {"dataset:registry", f"run:{r.run_id}"},
    ),
    "entity.correct": Expected(
        "alter",
        "entity.correct",
        ANALYST,
        "allow",
        "create",
        lambda w, _: {f"entity:{w.entity_id}", "dataset:ana-notes"},
    ),
    # Combining: the run names itself and every dataset it read; judgements and undo the
    # entities they join or part.
    "resolve": Expected(
        "combine",
        "resolve",
        ANALYST,
        "allow",
        "role:analyst",
        lambda _w, r: {f"run:{r.run_id}", *(f"dataset:{d}" for d in r.datasets)},
    ),
    "resolve.judge": Expected(
        "combine", "resolve.judge", ANALYST, "allow", "role:analyst", lambda w, _: _acme(w)
    ),
    "resolve.undo": Expected(
        "combine", "resolve.undo", ANALYST, "allow", "role:analyst", lambda w, _: _acme(w)
    ),
    "dataset.register": _admin("dataset.register", "dataset:newset"),
    "dataset.grant": _admin("dataset.grant", "dataset:spare", "group:analysts"),
    "dataset.revoke": _admin("dataset.revoke", "dataset:spare", "group:owners"),
    "dataset.mark": _admin("dataset.mark", "dataset:spare", "marking:RESTRICTED"),
    "user.add": _admin("user.add", "user:newbie"),
    "token.create": Expected(
        "admin",
        "token.create",
        ANALYST,
        "allow",
        "own-token",
        lambda _w, r: {"user:ana", f"token:{r[1].id}"},
    ),
    "token.revoke": Expected(
        "admin",
        "token.revoke",
        ANALYST,
        "allow",
        "own-token",
        lambda w, _: {f"token:{w.spare_token_id}"},
    ),
    "user.grant": _admin("user.grant", "user:ana"),
    "dataset.delete": _admin("dataset.delete", "dataset:registry", action="erase"),
    "user.disable": _admin("user.disable", "user:ana"),
}


def test_every_operation_has_an_expectation() -> None:
    assert set(EXPECTED) == {op.name for op in OPS}


@pytest.fixture(autouse=True)
def _cheap_passwords(monkeypatch: pytest.MonkeyPatch) -> None:
    cheap_passwords(monkeypatch)


@pytest.fixture(scope="module", params=BACKENDS)
def sequence_world(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[World]:
    """One world per backend on which the operations run one after another, in the
    catalogue's order (in which each finds what it needs)."""
    with module_world(request, tmp_path_factory.mktemp("one-event")) as world:
        yield world


@pytest.fixture(scope="module", params=BACKENDS)
def steady_world(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[World]:
    """A world whose data no test changes: writes here are made to fail."""
    with module_world(request, tmp_path_factory.mktemp("steady")) as world:
        yield world


def _exported_ids(op: Op, out: Outputs) -> set[str]:
    if op.name == "export.ftm":
        return {orjson.loads(line)["id"] for line in out.binary.getvalue().splitlines()}
    rows = csv.DictReader(io.StringIO(out.text.getvalue()))
    return {row["entity_id"] for row in rows}


@pytest.mark.parametrize("op", OPS, ids=[op.name for op in OPS])
def test_an_operation_appends_exactly_one_event_with_what_it_did(
    sequence_world: World, op: Op
) -> None:
    world, expected = sequence_world, EXPECTED[op.name]
    size = log_size(world.store)
    start = utc_stamp()
    out = Outputs()
    result: Any = None
    if op.name.endswith(".refused"):
        with pytest.raises(CasegraphError) as refused:
            op.run(world, out)
        assert not isinstance(refused.value, StoreError)
    else:
        result = op.run(world, out)
    end = utc_stamp()

    new = read_events(world.store, after=size - 1)
    assert [(e.action, e.operation) for e in new] == [(expected.action, expected.operation)]
    event = new[0]
    assert event.actor == expected.actor
    assert (event.decision, event.rule) == (expected.decision, expected.rule)
    assert event.purpose == expected.purpose
    assert set(event.objects) == expected.objects(world, result)
    assert event.recipients == expected.recipients
    assert event.reason.strip()
    assert re.fullmatch(UTC_TIME, event.time), event.time
    assert start <= event.time <= end
    if op.name.startswith("export."):
        # The disclosure names exactly the entities that left: no more, no fewer.
        exported = {f"entity:{i}" for i in _exported_ids(op, out)}
        assert exported == set(event.objects)
        if op.name == "export.ftm":
            assert result == len(exported)
        else:
            assert result == len(out.text.getvalue().splitlines()) - 1  # the header
    if isinstance(result, SearchResult):
        # The consultation names exactly the entities the search returned, and the query.
        returned = {f"entity:{hit.entity_id}" for hit in result.hits}
        assert set(event.objects) == returned | {f"query:{SEARCH}"}
        assert result.total == len(result.hits)
    verify_twice(world.store, world.auditor)


# --- A read's event is committed before the first byte of data leaves. -------------


class _Witness(io.BytesIO):
    """An export target that, at the first write, looks at the log from another
    connection: the disclosure must already be committed there."""

    def __init__(self, store: Store, size: int) -> None:
        super().__init__()
        self.store, self.size = store, size
        self.seen: list[str] | None = None

    def write(self, data: Any) -> int:
        if self.seen is None:
            self.seen = [e.operation for e in read_events(self.store, after=self.size - 1)]
        return super().write(data)


class _TextWitness(io.StringIO):
    def __init__(self, store: Store, size: int) -> None:
        super().__init__()
        self.store, self.size = store, size
        self.seen: list[str] | None = None

    def write(self, data: str) -> int:
        if self.seen is None:
            self.seen = [e.operation for e in read_events(self.store, after=self.size - 1)]
        return super().write(data)


def test_an_export_commits_its_disclosure_event_before_the_first_byte(
    steady_world: World,
) -> None:
    world = steady_world
    size = log_size(world.store)
    binary = _Witness(world.store, size)
    assert export_ftm(world.store, world.analyst, binary) == len(world.registry_ids)
    assert binary.seen == ["export.ftm"]
    size = log_size(world.store)
    text = _TextWitness(world.store, size)
    assert export_statements_csv(world.store, world.analyst, text) > 0
    assert text.seen == ["export.statements"]


# --- A write and its event share one transaction. ----------------------------------

#: Something each write's event names, and nothing else in that operation does.
EVENT_OBJECT: dict[str, Callable[[World], str]] = {
    "ingest.new": lambda w: "dataset:fresh",
    "ingest.existing": lambda w: "dataset:registry",
    "entity.correct": lambda w: "dataset:ana-notes",
    "resolve": lambda w: "dataset:registry",
    "resolve.judge": lambda w: f"entity:{w.twin_id}",
    "resolve.undo": lambda w: f"entity:{w.company_id}",
    "dataset.register": lambda w: "dataset:newset",
    "dataset.grant": lambda w: "group:analysts",
    "dataset.revoke": lambda w: "group:owners",
    "dataset.mark": lambda w: "marking:RESTRICTED",
    "user.add": lambda w: "user:newbie",
    "token.create": lambda w: "user:ana",
    "token.revoke": lambda w: f"token:{w.spare_token_id}",
    "user.grant": lambda w: "user:ana",
    "dataset.delete": lambda w: "dataset:registry",
    "user.disable": lambda w: "user:ana",
}
#: Writes whose event names no object (a rebuild of the whole index touches no one's
#: data): there is no object row to make fail after the event row.
WITHOUT_OBJECTS = frozenset({"search.reindex"})

#: A data change of each write that the database refuses, after other changes of the
#: same operation were made in its transaction where there are any.
DATA_FAILURE: dict[str, tuple[str, str]] = {
    "search.reindex": ("search_doc", "INSERT"),  # after clearing the whole index
    "ingest.new": ("ingest_run", "INSERT"),  # after the dataset and its grant
    "ingest.existing": ("ingest_run", "INSERT"),
    "entity.correct": ("statement", "INSERT"),  # after the corrections dataset
    "resolve": ("resolve_run", "INSERT"),
    "resolve.judge": ("resolve_judgement", "INSERT"),
    "resolve.undo": ("resolve_judgement", "INSERT"),
    "dataset.register": ("dataset", "INSERT"),
    "dataset.grant": ("dataset_grant", "INSERT"),  # after deleting the old level
    "dataset.revoke": ("dataset_grant", "DELETE"),
    "dataset.mark": ("dataset", "UPDATE"),
    "user.add": ("group_member", "INSERT"),  # after the user row
    "token.create": ("api_token", "INSERT"),
    "token.revoke": ("api_token", "UPDATE"),
    "user.grant": ("group_member", "INSERT"),  # after the new clearance
    "dataset.delete": ("dataset", "DELETE"),  # after its statements and runs
    "user.disable": ("app_user", "UPDATE"),
}


def test_every_write_is_covered() -> None:
    names = {op.name for op in WRITE_OPS}
    assert set(EVENT_OBJECT) == names - WITHOUT_OBJECTS and set(DATA_FAILURE) == names
    assert all(EXPECTED[name].objects(None, None) == set() for name in WITHOUT_OBJECTS)


def _nothing_changed(world: World, before: dict[str, Any]) -> None:
    assert snapshot(world.store, STATE) == before
    verify_twice(world.store, world.auditor)


@pytest.mark.parametrize("op", WRITE_OPS, ids=[op.name for op in WRITE_OPS])
def test_a_write_whose_own_event_fails_leaves_no_data(steady_world: World, op: Op) -> None:
    """Only this operation's event is refused, so everything before it goes through."""
    world = steady_world
    before = snapshot(world.store, STATE)
    when = f"NEW.operation = '{EXPECTED[op.name].operation}'"
    with failing(world.store, when=when), pytest.raises(StoreError, match=INJECTED):
        op.run(world, Outputs())
    _nothing_changed(world, before)


OBJECT_WRITES = tuple(op for op in WRITE_OPS if op.name not in WITHOUT_OBJECTS)


@pytest.mark.parametrize("op", OBJECT_WRITES, ids=[op.name for op in OBJECT_WRITES])
def test_a_write_failing_after_its_event_row_leaves_neither(steady_world: World, op: Op) -> None:
    """The event row is in, its objects are not: the data and the row both go."""
    world = steady_world
    before = snapshot(world.store, STATE)
    when = f"NEW.object = '{EVENT_OBJECT[op.name](world)}'"
    with (
        failing(world.store, table="audit_object", when=when),
        pytest.raises(StoreError, match=INJECTED),
    ):
        op.run(world, Outputs())
    _nothing_changed(world, before)


@pytest.mark.parametrize("op", WRITE_OPS, ids=[op.name for op in WRITE_OPS])
def test_a_write_failing_mid_change_leaves_neither_data_nor_event(
    steady_world: World, op: Op
) -> None:
    world = steady_world
    table, verb = DATA_FAILURE[op.name]
    before = snapshot(world.store, STATE)
    with (
        failing(world.store, table=table, event=verb, name="fail_data"),
        pytest.raises(DBAPIError, match=INJECTED),
    ):
        op.run(world, Outputs())
    _nothing_changed(world, before)


@pytest.fixture
def small_checkpoints(settings: Settings) -> Iterator[tuple[Store, Context]]:
    """A store that signs a checkpoint every 3 events."""
    store = init_store(settings, checkpoint_every=3)
    create_owner(store, name=OWNER, password=OWNER_PASSWORD, group=OWNER_GROUP)
    try:
        yield store, context_for(store, OWNER, purpose=PURPOSE)
    finally:
        store.close()


def test_a_checkpoint_that_cannot_be_stored_fails_the_write_it_was_due_with(
    small_checkpoints: tuple[Store, Context],
) -> None:
    store, owner = small_checkpoints
    assert log_size(store) == 1  # the owner's creation
    with failing(store, table="audit_checkpoint", name="fail_checkpoint"):
        register_dataset(store, owner, DatasetMeta(name="one", title="One", marking="PUBLIC"))
        before = snapshot(store, DATA_TABLES + AUDIT_TABLES)
        with pytest.raises(StoreError, match=INJECTED):  # event 3: a checkpoint is due
            register_dataset(store, owner, DatasetMeta(name="two", title="Two", marking="PUBLIC"))
        assert snapshot(store, DATA_TABLES + AUDIT_TABLES) == before
    register_dataset(store, owner, DatasetMeta(name="two", title="Two", marking="PUBLIC"))
    assert check_log(store).checkpoints == (3,)
