"""`cluster_labels`: the canonical id of many entities in one governed, audited read.

It must agree with `canonical` entity by entity, leave out what the actor may not see
(without a hint of hidden cluster members), refuse when only a purpose is missing, and
write exactly one event for the whole call.
"""

from __future__ import annotations

import pytest

from casegraph.errors import PurposeRequiredError
from casegraph.security.context import Context
from casegraph.security.policy import Level
from casegraph.services.resolve import canonical, cluster_labels, resolve
from casegraph.services.store import Store
from tests.conftest import OWNER
from tests.helpers import context_for, make_user
from tests.security.world import audit_size
from tests.services.audit_support import read_events
from tests.services.resolve_support import planted, write

PAIRS = ("p0", "p1", "p2", "c0")
LONE = "p9-0"  # planted once: nothing to merge with


def _open_world(store: Store, owner: Context) -> list[str]:
    rows = planted("open", people=range(3), companies=range(1))
    rows += planted("open", people=[9], companies=(), copies=(0,))
    write(store, owner, "open", rows, grants=(("owners", Level.WRITE), ("desk-a", Level.READ)))
    resolve(store, owner)
    return sorted({r.entity_id for r in rows})


def test_labels_agree_with_canonical_and_name_every_entity_once(
    store: Store, owner: Context
) -> None:
    ids = _open_world(store, owner)
    before = audit_size(store)
    labels = cluster_labels(store, owner, [*ids, "no-such-entity", ids[0]])
    events = read_events(store, after=before - 1)

    assert list(labels) == ids  # the order asked; the missing one left out, no repeats
    for pair in PAIRS:
        left, right = labels[f"{pair}-0"], labels[f"{pair}-1"]
        assert left == right and left.startswith("cg-")
    assert len({labels[f"{pair}-0"] for pair in PAIRS}) == len(PAIRS)
    assert labels[LONE] == LONE

    assert [(e.action, e.operation, e.decision) for e in events] == [
        ("consult", "resolve.labels", "allow")
    ]
    assert set(events[0].objects) == {f"entity:{e}" for e in ids}
    for entity in ids:  # the same answer as the one-entity read
        assert labels[entity] == (canonical(store, owner, entity).canonical_id or entity)


def test_unreadable_entities_are_left_out_without_a_hint(store: Store, owner: Context) -> None:
    rows = [r for r in planted("open", people=range(3), companies=()) if r.entity_id != "p0-1"]
    write(store, owner, "open", rows, grants=(("owners", Level.WRITE), ("desk-a", Level.READ)))
    write(store, owner, "vault", planted("vault", people=[0], companies=(), copies=(1,)),
          marking="RESTRICTED")  # fmt: skip
    resolve(store, owner)
    analyst = make_user(store, owner, "ana", groups=("desk-a",), clearance="RESTRICTED")
    everyone = ["p0-0", "p0-1", "p1-0", "p1-1", "p2-0", "p2-1"]

    seen_by_owner = cluster_labels(store, owner, everyone)
    assert seen_by_owner["p0-0"] == seen_by_owner["p0-1"] != "p0-0"

    before = audit_size(store)
    labels = cluster_labels(store, analyst, everyone)
    assert "p0-1" not in labels
    assert labels["p0-0"] == "p0-0"  # its only cluster-mate is hidden: stands alone
    assert labels["p1-0"] == labels["p1-1"] == seen_by_owner["p1-0"]
    (event,) = read_events(store, after=before - 1)
    assert (event.operation, event.decision) == ("resolve.labels", "allow")
    assert "entity:p0-1" not in event.objects and len(event.objects) == 5


def test_a_missing_purpose_is_refused_not_read_as_unresolved(store: Store, owner: Context) -> None:
    write(store, owner, "internal", planted("internal", people=range(2), companies=()),
          marking="INTERNAL")  # fmt: skip
    resolve(store, owner)
    without = context_for(store, OWNER)
    before = audit_size(store)
    with pytest.raises(PurposeRequiredError, match=r"4 of the 5 entities asked for .* purpose"):
        cluster_labels(store, without, ["p0-0", "p0-1", "p1-0", "p1-1", "nowhere"])
    (event,) = read_events(store, after=before - 1)
    assert (event.operation, event.decision, event.rule) == ("resolve.labels", "deny", "purpose")

    assert cluster_labels(store, without, ["nowhere"]) == {}  # nothing a purpose would show
    assert len(cluster_labels(store, owner, ["p0-0", "p0-1", "nowhere"])) == 2


def test_many_entities_are_read_in_batches(
    store: Store, owner: Context, monkeypatch: pytest.MonkeyPatch
) -> None:
    ids = _open_world(store, owner)
    whole = cluster_labels(store, owner, ids)
    monkeypatch.setattr("casegraph.services.resolve_read.BATCH", 2)
    assert cluster_labels(store, owner, ids) == whole  # pairs split across batches too
