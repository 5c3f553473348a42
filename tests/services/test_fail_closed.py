"""Fail closed: when the audit log cannot be written, every operation fails, returns
nothing and persists nothing, and the user gets one clear error, not a traceback.

The failure is real: a database trigger aborts every insert into `audit_event`,
made after the world is set up, on SQLite and PostgreSQL.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from casegraph.cli.app import main
from casegraph.errors import CasegraphError, StoreError
from casegraph.security.context import Context
from casegraph.services.search import search
from casegraph.services.store import Store
from casegraph.settings import Settings
from tests.conftest import BACKENDS
from tests.services.audit_support import (
    AUDIT_TABLES,
    DATA_TABLES,
    INJECTED,
    SEARCH_TABLES,
    World,
    add_failure,
    build_world,
    cheap_passwords,
    check_log,
    drop_failure,
    failing,
    module_world,
    people,
    read_events,
    snapshot,
    verify_twice,
    write_ftm,
)
from tests.services.operations import OPS, SEARCH, Op, Outputs

#: Everything an operation may change: data, the search index and the log.
STATE = DATA_TABLES + SEARCH_TABLES + AUDIT_TABLES


@pytest.fixture(autouse=True)
def _cheap_passwords(monkeypatch: pytest.MonkeyPatch) -> None:
    cheap_passwords(monkeypatch)


@pytest.fixture
def world(store: Store, owner: Context, tmp_path: Path) -> World:
    return build_world(store, owner, tmp_path / "files")


@pytest.fixture(scope="module", params=BACKENDS)
def shared_world(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[World]:
    """One world per backend for every operation: as a failed operation leaves nothing,
    each finds the world exactly as the previous one did (which the test checks)."""
    with module_world(request, tmp_path_factory.mktemp("fail-closed")) as world:
        yield world


def _fails_closed(world: World, op: Op) -> None:
    store = world.store
    before = snapshot(store, STATE)
    out = Outputs()
    returned: list[object] = []
    add_failure(store)
    try:
        with pytest.raises(StoreError) as raised:
            returned.append(op.run(world, out))
    finally:
        drop_failure(store)
    message = str(raised.value)
    assert message.startswith("cannot write the audit log"), message
    assert INJECTED in message and "\n" not in message
    assert not returned and out.empty, "data was returned although the audit failed"
    assert snapshot(store, STATE) == before, "something was persisted"


@pytest.mark.parametrize("op", OPS, ids=[op.name for op in OPS])
def test_an_operation_whose_audit_event_cannot_be_written_fails_and_leaves_nothing(
    shared_world: World, op: Op
) -> None:
    log = check_log(shared_world.store)
    _fails_closed(shared_world, op)
    # Once the trigger is gone, the log verifies, unchanged.
    assert verify_twice(shared_world.store, shared_world.auditor) == log


def test_a_search_whose_event_cannot_be_written_returns_none_of_its_hits(
    shared_world: World,
) -> None:
    """Only the search's own event is refused; the same search finds the entity once
    the log can be written, so the failure withheld real hits, and recorded nothing."""
    world = shared_world
    size = len(check_log(world.store).events)
    returned: list[object] = []
    with (
        failing(world.store, when="NEW.operation = 'search'"),
        pytest.raises(StoreError, match=INJECTED) as raised,
    ):
        returned.append(search(world.store, world.analyst, SEARCH))
    assert not returned
    assert world.entity_id not in str(raised.value) and "Ivan" not in str(raised.value)
    assert len(check_log(world.store).events) == size
    found = search(world.store, world.analyst, SEARCH)
    assert [hit.entity_id for hit in found.hits] == [world.entity_id]
    new = read_events(world.store, after=size - 1)
    assert [(e.operation, e.objects) for e in new] == [
        ("search", tuple(sorted((f"entity:{world.entity_id}", f"query:{SEARCH}"))))
    ]


def test_once_the_log_can_be_written_again_every_operation_goes_through(world: World) -> None:
    """The failures left nothing behind that stops the same operations later."""
    for op in OPS:
        _fails_closed(world, op)
    size = len(check_log(world.store).events)
    for op in OPS:  # in an order where each finds what it needs
        if op.name.endswith(".refused"):
            with pytest.raises(CasegraphError) as refused:
                op.run(world, Outputs())
            assert not isinstance(refused.value, StoreError), op.name
        else:
            op.run(world, Outputs())
    assert len(verify_twice(world.store, world.auditor).events) == size + len(OPS)


# --- The CLI: one line on stderr, a store-error exit code, nothing on stdout. -------


def _truth(w: World) -> str:
    """A demo ground truth that plants Acme and its twin as one company."""
    members = [{"entity_id": w.company_id}, {"entity_id": w.twin_id}]
    path = w.files / "ground_truth.json"
    path.write_text(json.dumps({"same_as": [{"schema": "Company", "members": members}]}))
    return str(path)


CLI_COMMANDS: dict[str, Callable[[World], list[str]]] = {
    "entity show": lambda w: ["entity", "show", w.entity_id],
    "export ftm": lambda w: ["--purpose", "case:TEST-1", "export", "-f", "ftm"],
    "export csv": lambda w: ["--purpose", "case:TEST-1", "export", "-f", "csv"],
    "stats": lambda w: ["stats"],
    "datasets list": lambda w: ["datasets", "list"],
    "datasets show": lambda w: ["datasets", "show", "registry"],
    "user list": lambda w: ["user", "list"],
    "search": lambda w: ["search", SEARCH],
    "search json": lambda w: ["search", SEARCH, "--json"],
    "reindex": lambda w: ["reindex", "--quiet"],
    "resolve show": lambda w: ["resolve", "show", w.company_id],
    "resolve judge": lambda w: ["resolve", "judge", w.company_id, w.twin_id, "no"],
    "demo resolution": lambda w: ["demo", "resolution", "--truth", _truth(w)],
    "datasets mark": lambda w: ["datasets", "mark", "spare", "RESTRICTED"],
    "ingest": lambda w: [
        "ingest",
        str(write_ftm(w.files / "cli.ftm.json", people("cli", 2))),
        "-d",
        "from-cli",
    ],
    "audit verify": lambda w: ["audit", "verify"],  # refused to the owner: a deny event
}
STORE_ERROR_EXIT = 7


@pytest.mark.parametrize("failing_events", ["all", "after-login"])
def test_a_command_reports_the_failed_audit_in_one_line_and_outputs_nothing(
    world: World,
    cli_env: Settings,
    capsys: pytest.CaptureFixture[str],
    failing_events: str,
) -> None:
    """`all`: even the login cannot be recorded. `after-login`: the login is recorded,
    the command's own event is not."""
    store = world.store
    before = snapshot(store, DATA_TABLES + SEARCH_TABLES)
    when = None if failing_events == "all" else "NEW.action <> 'login'"
    for command, args in CLI_COMMANDS.items():
        size = len(check_log(store).events)
        capsys.readouterr()
        with failing(store, when=when):
            code = main(args(world))
        captured = capsys.readouterr()
        assert code == STORE_ERROR_EXIT, (command, captured.err)
        assert captured.out == "", command
        lines = captured.err.strip().splitlines()
        assert len(lines) == 1, (command, captured.err)
        assert lines[0].startswith("error: cannot write the audit log"), (command, lines[0])
        assert INJECTED in lines[0], command
        assert "Traceback" not in captured.err, command
        assert snapshot(store, DATA_TABLES + SEARCH_TABLES) == before, command
        new = [(e.action, e.operation, e.decision) for e in read_events(store, after=size - 1)]
        assert new == ([] if failing_events == "all" else [("login", "login", "allow")]), command
        verify_twice(store, world.auditor)
