"""Access reports from real governed operations, not generated events.

The leak is ingested through the real ingest; entities are read, refused and
exported through the services; `who_accessed` must then list exactly those
consultations and disclosures, with actor, purpose, decision and recipients.
"""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest

from casegraph.errors import NotFoundError, PurposeRequiredError
from casegraph.model.dataset import DatasetMeta
from casegraph.security.context import Context
from casegraph.services.audit_reports import activity, who_accessed
from casegraph.services.entities import show_entity
from casegraph.services.export import export_ftm
from casegraph.services.ingest import ingest
from casegraph.services.stats import statistics
from casegraph.services.store import Store
from tests.helpers import context_for, make_user

DATASET = "leak"


def _ingest_leak(store: Store, owner: Context, tmp_path: Path) -> tuple[str, str]:
    """Two people in an INTERNAL leak; returns their entity ids (as ingest makes them)."""
    path = tmp_path / "leak.ftm.jsonl"
    people = [
        {"id": "p-ana", "schema": "Person", "properties": {"name": ["Ana Petrova"]}},
        {"id": "p-ivo", "schema": "Person", "properties": {"name": ["Ivo Marek"]}},
    ]
    path.write_text("".join(json.dumps(p) + "\n" for p in people), encoding="utf-8")
    ingest(store, owner, path, meta=DatasetMeta(name=DATASET, title="Leak", marking="INTERNAL"))
    buffer = io.BytesIO()  # the ids, as the owner sees them, through an audited export
    export_ftm(store, owner, buffer, datasets=[DATASET], recipients=("setup",))
    first, second = sorted(json.loads(line)["id"] for line in buffer.getvalue().splitlines())
    return first, second


@pytest.fixture
def world(store: Store, owner: Context, tmp_path: Path) -> tuple[Store, Context, str, str]:
    first, second = _ingest_leak(store, owner, tmp_path)
    return store, owner, first, second


def test_who_accessed_lists_real_reads_refusals_and_exports_exactly(
    world: tuple[Store, Context, str, str],
) -> None:
    store, owner, ana, ivo = world
    bob = make_user(store, owner, "bob", roles="analyst", groups=("desk-b",))
    nopurpose = context_for(store, "owner")
    auditor = make_user(store, owner, "dpo", roles="auditor", purpose=None)

    show_entity(store, owner, ana)  # a consultation
    with pytest.raises(NotFoundError):
        show_entity(store, bob, ana)  # refused: bob has no grant on the leak
    with pytest.raises(PurposeRequiredError):
        show_entity(store, nopurpose, ana)  # refused: no purpose
    statistics(store, owner)  # counts: no entity is consulted
    out = io.BytesIO()
    export_ftm(store, owner, out, datasets=[DATASET], recipients=("Public prosecutor",))
    assert out.getvalue().count(b"\n") == 2

    report = who_accessed(store, auditor, ana)
    got = [
        (e.actor, e.action, e.operation, e.decision, e.rule, e.purpose, e.recipients)
        for e in report
    ]
    assert got == [
        ("owner", "disclose", "export.ftm", "allow", "grant", "case:TEST-1", ("setup",)),
        ("owner", "consult", "entity.show", "allow", "scope", "case:TEST-1", ()),
        ("bob", "consult", "entity.show", "deny", "scope", "case:TEST-1", ()),
        ("owner", "consult", "entity.show", "deny", "purpose", None, ()),
        (
            "owner",
            "disclose",
            "export.ftm",
            "allow",
            "grant",
            "case:TEST-1",
            ("Public prosecutor",),
        ),
    ]
    assert [e.seq for e in report] == sorted(e.seq for e in report)
    assert all(e.time.endswith("Z") for e in report)
    # The other person was only ever exported, never shown.
    assert [e.operation for e in who_accessed(store, auditor, ivo)] == ["export.ftm"] * 2
    # The auditor's own lookups are in their trail (this one included: it is logged
    # before it returns), not among the entity's accesses.
    trail = [e.operation for e in activity(store, auditor, "dpo")]
    assert trail[-3:] == ["audit.who-accessed", "audit.who-accessed", "audit.activity"]
    assert len(who_accessed(store, auditor, ana)) == len(report)
