"""A search is an audited consultation of exactly the entities it returned.

End to end, on both backends, through the services and the CLI: an analyst searches,
and `who_accessed` (and `casegraph audit who-accessed`) then lists that search for each
entity the search returned, with the analyst, the purpose and the time; not for an
entity that matched but was outside the analyst's scope, nor for one beyond the page.
The search's event names the query as typed.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass

import pytest

from casegraph.cli import state as cli_state
from casegraph.cli.app import main
from casegraph.model.statement import StatementRow
from casegraph.security.actor import parse_roles
from casegraph.security.context import Context
from casegraph.security.policy import Level
from casegraph.services.audit_reports import AccessEntry, activity, who_accessed
from casegraph.services.clock import utc_stamp
from casegraph.services.identity import add_user
from casegraph.services.search import search
from casegraph.services.store import Store
from casegraph.settings import Settings
from tests.conftest import OWNER, OWNER_GROUP
from tests.helpers import base, context_for, stmt
from tests.security.world import add_dataset
from tests.services.audit_support import UTC_TIME, cheap_passwords

ANALYST, AUDITOR = "ana", "dpo"
PASSWORD = "search-password-77"
CASE = "case:WHO-1"
KOVAC, NOVAK, VAULT, BOTH = "e-kovac", "e-novak", "e-vault", "e-both"


@pytest.fixture(autouse=True)
def _cheap_passwords(monkeypatch: pytest.MonkeyPatch) -> None:
    cheap_passwords(monkeypatch)


@dataclass(frozen=True)
class World:
    store: Store
    owner: Context
    analyst: Context
    auditor: Context


def _person(entity_id: str, name: str, dataset: str, prop: str = "name") -> list[StatementRow]:
    return [
        base(entity_id, dataset=dataset),
        stmt(entity_id, prop, name, dataset=dataset, prop_type="name"),
    ]


@pytest.fixture
def world(store: Store, owner: Context) -> World:
    """`leak` (INTERNAL, desk-a and the owners) holds two Martas, `vault` (RESTRICTED,
    owners only) a third, and says something about a fourth (in both). The analyst is in
    desk-a, the owner in owners."""
    leak = [
        *_person(KOVAC, "Marta Kovac", "leak"),
        *_person(NOVAK, "Marta Novak", "leak"),
        *_person(BOTH, "Zora Petric", "leak"),
    ]
    vault = [
        *_person(VAULT, "Marta Secret", "vault"),
        *_person(BOTH, "Marta Alias", "vault", prop="alias"),
    ]
    grants = [("desk-a", Level.READ), (OWNER_GROUP, Level.READ)]
    add_dataset(store, owner, "leak", "INTERNAL", grants, leak)
    add_dataset(store, owner, "vault", "RESTRICTED", [(OWNER_GROUP, Level.READ)], vault)
    for name, roles, groups in ((ANALYST, "analyst", ("desk-a",)), (AUDITOR, "auditor", ())):
        add_user(
            store,
            owner,
            name=name,
            roles=parse_roles(roles),
            groups=groups,
            clearance="RESTRICTED" if roles == "analyst" else None,
            password=PASSWORD,
        )
    return World(
        store=store,
        owner=owner,
        analyst=context_for(store, ANALYST, purpose=CASE),
        auditor=context_for(store, AUDITOR),
    )


def _accesses(world: World, entity_id: str) -> list[tuple[str, str, str, str, str, str | None]]:
    return [
        (e.actor, e.action, e.operation, e.decision, e.rule, e.purpose)
        for e in who_accessed(world.store, world.auditor, entity_id)
    ]


def _search_objects(world: World, user: str) -> list[set[str]]:
    return [
        set(e.objects)
        for e in activity(world.store, world.auditor, user)
        if e.operation == "search"
    ]


SEARCHED = (ANALYST, "consult", "search", "allow", "scope", CASE)


def test_who_accessed_lists_a_search_for_each_entity_it_returned_and_no_other(
    world: World,
) -> None:
    store = world.store
    start = utc_stamp()
    first = search(store, world.analyst, "marta", limit=1)
    end = utc_stamp()
    # Two Martas in the analyst's scope; the vault's two are not counted.
    assert first.total == 2
    assert [hit.entity_id for hit in first.hits] == [KOVAC]

    report = who_accessed(store, world.auditor, KOVAC)
    assert [(e.actor, e.action, e.operation, e.decision, e.rule, e.purpose) for e in report] == [
        SEARCHED
    ]
    entry: AccessEntry = report[0]
    assert re.fullmatch(UTC_TIME, entry.time) and start <= entry.time <= end
    assert entry.recipients == () and entry.reason.strip()
    # Matched, but beyond the page; matched, but outside the scope.
    assert _accesses(world, NOVAK) == []
    assert _accesses(world, VAULT) == []
    assert _accesses(world, BOTH) == []  # its vault alias matches: not the analyst's

    # The next page returns the other one: now it was accessed, by that second search.
    second = search(store, world.analyst, "marta", limit=1, offset=1)
    assert [hit.entity_id for hit in second.hits] == [NOVAK]
    assert _accesses(world, NOVAK) == [SEARCHED]
    assert _accesses(world, KOVAC) == [SEARCHED]
    assert _search_objects(world, ANALYST) == [
        {"query:marta", f"entity:{KOVAC}"},
        {"query:marta", f"entity:{NOVAK}"},
    ]

    # The owner may read the vault: their search returns (and so accesses) all four.
    everything = search(store, world.owner, "marta")
    assert {hit.entity_id for hit in everything.hits} == {KOVAC, NOVAK, VAULT, BOTH}
    owner_search = (OWNER, "consult", "search", "allow", "scope", "case:TEST-1")
    assert _accesses(world, VAULT) == [owner_search]
    assert _accesses(world, BOTH) == [owner_search]
    assert _accesses(world, KOVAC) == [SEARCHED, owner_search]


def test_the_search_event_names_the_query_as_typed(world: World) -> None:
    queries = ['name:"marta kovac" -novak', "  Marta  OR  zzz  ", "mart* OR zora~1"]
    for query in queries:
        result = search(world.store, world.analyst, query)
        returned = {f"entity:{hit.entity_id}" for hit in result.hits}
        assert returned, query
        assert _search_objects(world, ANALYST)[-1] == {f"query:{query}"} | returned


def test_a_search_that_returns_nothing_accesses_nothing(world: World) -> None:
    """An auditor's search, a search without a purpose (INTERNAL content needs one) and
    a search for the vault's own name: each is recorded, with its query only."""
    no_purpose = context_for(world.store, ANALYST)
    for ctx, query in (
        (world.auditor, "marta"),
        (no_purpose, "marta"),
        (world.analyst, "secret"),
    ):
        result = search(world.store, ctx, query)
        assert (result.total, result.hits) == (0, [])
        assert _search_objects(world, ctx.actor.name)[-1] == {f"query:{query}"}
    for entity_id in (KOVAC, NOVAK, VAULT, BOTH):
        assert _accesses(world, entity_id) == []


def _cli(
    args: list[str],
    user: str,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> str:
    monkeypatch.setenv("CASEGRAPH_USER", user)
    monkeypatch.setenv("CASEGRAPH_PASSWORD", PASSWORD)
    code = main(args)
    captured = capsys.readouterr()
    assert code == 0, captured.err
    return captured.out


def test_the_cli_search_shows_up_in_the_cli_who_accessed(
    world: World,
    cli_env: Settings,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setattr(cli_state.out, "width", 240)
    start = utc_stamp()
    shown = _cli(
        ["--purpose", CASE, "search", "marta", "--limit", "1"], ANALYST, monkeypatch, capsys
    )
    end = utc_stamp()
    assert shown.startswith("2 entities match; showing 1-1") and KOVAC in shown
    assert NOVAK not in shown and VAULT not in shown

    as_json = _cli(["audit", "who-accessed", KOVAC, "--json"], AUDITOR, monkeypatch, capsys)
    entries = json.loads(as_json)
    assert [
        (e["actor"], e["action"], e["operation"], e["decision"], e["rule"], e["purpose"])
        for e in entries
    ] == [SEARCHED]
    time = entries[0]["time"]
    assert re.fullmatch(UTC_TIME, time) and start <= time <= end

    table = _cli(["audit", "who-accessed", KOVAC], AUDITOR, monkeypatch, capsys)
    row = next(line for line in table.splitlines() if ANALYST in line)
    for cell in (str(entries[0]["seq"]), time, "consult", "search", "allow", "scope", CASE):
        assert cell in row, (cell, row)
    for other in (NOVAK, VAULT, BOTH):
        shown = _cli(["audit", "who-accessed", other], AUDITOR, monkeypatch, capsys)
        assert shown.strip() == f"no recorded access to entity {other}"

    trail = json.loads(_cli(["audit", "activity", ANALYST, "--json"], AUDITOR, monkeypatch, capsys))
    searches = [e for e in trail if e["operation"] == "search"]
    assert [sorted(e["objects"]) for e in searches] == [[f"entity:{KOVAC}", "query:marta"]]
    assert searches[0]["purpose"] == CASE
