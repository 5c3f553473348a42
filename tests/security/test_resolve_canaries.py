"""Canaries for resolution: what an actor may not read never shows through it.

The owner resolves a store in which a RESTRICTED dataset (`vault`, out of the analyst's
reach) holds a duplicate of an open entity (`p0-1`, born in a canary) and adds that
value to another open entity's record (`p1-0`). For the analyst, neither appears in
any result, count or explanation, nor as a hint that a cluster has hidden members; the
owner sees them all. Unreadable ids asked for by name answer like missing ones.
"""

from __future__ import annotations

import pytest

from casegraph.errors import NotFoundError
from casegraph.security.context import Context
from casegraph.security.policy import Level
from casegraph.services.resolve import (
    canonical,
    explain_pair,
    judge,
    resolve,
    review_queue,
    undo,
)
from casegraph.services.store import Store
from tests.helpers import make_user, stmt
from tests.security.world import audit_size
from tests.services.audit_support import read_events
from tests.services.resolve_support import clusters, planted, write

CANARY = "zzcanary"
HIDDEN = ("p0-1", "p1-0")


@pytest.fixture
def analyst(store: Store, owner: Context) -> Context:
    return make_user(store, owner, "ana", groups=("desk-a",), clearance="RESTRICTED")


def _world(store: Store, owner: Context, *, upper: float) -> None:
    rows = [r for r in planted("open", people=range(6), companies=()) if r.entity_id != "p0-1"]
    write(store, owner, "open", rows, grants=(("owners", Level.WRITE), ("desk-a", Level.READ)))
    vault = planted("vault", people=[0], companies=(), copies=(1,))
    vault += [stmt(e, "birthPlace", CANARY, dataset="vault") for e in HIDDEN]
    write(store, owner, "vault", vault, marking="RESTRICTED")
    summary = resolve(store, owner, upper=upper)
    assert summary.records == 12


def test_unreadable_members_never_show_in_clusters(
    store: Store, owner: Context, analyst: Context
) -> None:
    _world(store, owner, upper=0.5)
    assert frozenset({"p0-0", "p0-1"}) in clusters(store)
    assert frozenset({"p1-0", "p1-1"}) in clusters(store)
    assert len(canonical(store, owner, "p0-0").members) == 2  # the owner sees both

    before = audit_size(store)
    alone = canonical(store, analyst, "p0-0")
    assert (alone.canonical_id, [m.entity_id for m in alone.members]) == (None, ["p0-0"])
    assert canonical(store, analyst, "p1-1").canonical_id is None  # p1-0 is hidden
    assert canonical(store, analyst, "p2-0").canonical_id is not None  # all readable
    for hidden in HIDDEN:
        with pytest.raises(NotFoundError, match=f"no entity with id '{hidden}'"):
            canonical(store, analyst, hidden)
        with pytest.raises(NotFoundError, match=f"no entity with id '{hidden}'"):
            undo(store, analyst, hidden)
    with pytest.raises(NotFoundError, match="no entity with id 'p0-1'"):
        explain_pair(store, analyst, "p0-0", "p0-1")
    with pytest.raises(NotFoundError, match="no entity with id 'p0-1'"):
        judge(store, analyst, "p0-0", "p0-1", "no")

    # The analyst's allowed events name no hidden entity; only the refusals of what
    # they asked for by id do.
    for event in read_events(store, after=before - 1):
        if event.decision == "allow":
            assert not {f"entity:{h}" for h in HIDDEN} & set(event.objects), event


def test_the_queue_and_explanations_show_only_fully_readable_pairs(
    store: Store, owner: Context, analyst: Context
) -> None:
    _world(store, owner, upper=0.9999999)  # nothing merges: every pair is queued
    everything = review_queue(store, owner, limit=1000)
    assert {("p0-0", "p0-1"), ("p1-0", "p1-1")} <= {(i.left, i.right) for i in everything}

    queue = review_queue(store, analyst, limit=1000)
    shown = {e for item in queue for e in (item.left, item.right)}
    assert queue and not shown & set(HIDDEN)
    assert all(CANARY not in repr(item) for item in queue)
    assert all(item.impact <= 1.0 for item in queue)  # no hidden member counted

    why = explain_pair(store, analyst, "p2-0", "p2-1")
    assert CANARY not in repr(why) and why.probability is not None
    owner_why = explain_pair(store, owner, "p0-0", "p0-1")
    assert CANARY in repr(owner_why.right.features)
