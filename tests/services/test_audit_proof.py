"""Inclusion proofs: made by the store, checked offline against an exported checkpoint.

A proof holds for the event it was made for, at the size of the checkpoint it was made
against, with the key the checker kept; any change to the event, its objects, the proof
or the checkpoint breaks it. The leaf-hash store that builds proofs matches `merkle`.
"""

from __future__ import annotations

import base64
import dataclasses
import json
import random

import pytest
from sqlalchemy import select

from casegraph.errors import AccessDeniedError, AuditIntegrityError, NotFoundError
from casegraph.security import merkle
from casegraph.security.audit_event import ActionClass, EventDraft, entity_object
from casegraph.security.checkpoint import Checkpoint, SigningKey, open_checkpoint, sign_checkpoint
from casegraph.security.context import Context
from casegraph.security.proof import LeafHashes, ProofBundle, check_proof
from casegraph.services import audit
from casegraph.services.audit_reports import export_checkpoint, inclusion_proof
from casegraph.services.store import Store
from casegraph.store.tables import audit_checkpoint, audit_event, audit_head, audit_object
from tests.conftest import OWNER
from tests.helpers import make_user

# The leaf-hash store against merkle's reference functions.


def _leaves(n: int) -> list[bytes]:
    return [merkle.leaf_hash(f"leaf {i}".encode()) for i in range(n)]


def test_leaf_hashes_give_merkle_s_roots_proofs_and_frontiers_at_every_size() -> None:
    all_leaves = _leaves(64)
    store = LeafHashes()
    for leaf in all_leaves:
        store.append(leaf)
    assert list(store) == all_leaves and store[-1] == all_leaves[-1]
    assert store[2:5] == all_leaves[2:5]
    for size in range(0, 65):
        prefix = all_leaves[:size]
        assert store.root(size) == merkle.root_of(prefix)
        frontier = merkle.Frontier()
        frontier.extend(prefix)
        assert store.frontier(size) == frontier
        for index in range(size):
            assert store.inclusion_proof(index, size) == merkle.inclusion_proof(prefix, index)
        for old in range(1, size + 1):
            assert store.consistency_proof(old, size) == merkle.consistency_proof(prefix, old)


def test_leaf_hashes_match_merkle_at_random_larger_sizes() -> None:
    rng = random.Random(5)
    all_leaves = _leaves(1500)
    store = LeafHashes()
    for leaf in all_leaves:
        store.append(leaf)
    for _ in range(20):
        size = rng.randrange(1, 1501)
        old, index = rng.randrange(1, size + 1), rng.randrange(size)
        prefix = all_leaves[:size]
        root = merkle.root_of(prefix)
        assert store.root(size) == root
        proof = store.inclusion_proof(index, size)
        assert proof == merkle.inclusion_proof(prefix, index)
        merkle.verify_inclusion(all_leaves[index], index, size, proof, root)
        consistency = store.consistency_proof(old, size)
        assert consistency == merkle.consistency_proof(prefix, old)
        merkle.verify_consistency(old, size, consistency, store.root(old), root)


def test_leaf_hashes_refuse_bad_arguments() -> None:
    store = LeafHashes()
    store.append(merkle.leaf_hash(b"x"))
    with pytest.raises(AuditIntegrityError):
        store.append(b"short")
    with pytest.raises(AuditIntegrityError):
        store.root(2)
    with pytest.raises(AuditIntegrityError):
        store.inclusion_proof(1, 1)
    with pytest.raises(AuditIntegrityError):
        store.consistency_proof(0, 1)
    with pytest.raises(IndexError):
        store[1]


# Proofs from a real store.


@pytest.fixture
def auditor(store: Store, owner: Context) -> Context:
    return make_user(store, owner, "aud", roles="auditor")


@pytest.fixture
def history(store: Store, auditor: Context) -> int:
    """40 events with objects and recipients; returns the log's size."""
    rng = random.Random(3)
    with store.engine.begin() as conn:
        for i in range(40):
            audit.append(
                conn,
                store,
                actor=rng.choice(["ana", "bob"]),
                draft=EventDraft(
                    action=rng.choice([ActionClass.CONSULT, ActionClass.DISCLOSE]),
                    operation="entity.show",
                    decision="allow",
                    rule="grant",
                    reason=f"event {i}",
                    objects=tuple(entity_object(f"e{rng.randrange(9)}") for _ in range(i % 4)),
                    purpose="case:C-9",
                    recipients=("court",) if i % 5 == 0 else (),
                ),
            )
        return int(conn.execute(select(audit_head.c.size)).scalar_one())


def _last_event(store: Store) -> dict[str, object]:
    with store.engine.connect() as conn:
        row = conn.execute(select(audit_event).order_by(audit_event.c.seq.desc()).limit(1)).one()
        objects = conn.execute(
            select(audit_object.c.object).where(audit_object.c.seq == row.seq)
        ).scalars()
        return dict(row._mapping) | {"objects": sorted(objects)}


def test_proofs_of_several_events_verify_offline_against_an_exported_checkpoint(
    store: Store, auditor: Context, history: int
) -> None:
    exported = export_checkpoint(store, auditor)
    size = open_checkpoint(exported, store.verifier_key).size
    assert size == history + 1  # the export covers its own event
    assert _last_event(store)["operation"] == "audit.checkpoint"

    for seq in (0, 1, 7, 20, history - 1, history):
        bundle = inclusion_proof(store, auditor, seq)
        assert (bundle.leaf_index, bundle.tree_size) == (seq, size)
        request = _last_event(store)  # the request itself, committed before the answer
        assert (request["actor"], request["action"], request["operation"]) == (
            "aud",
            "consult",
            "audit.proof",
        )
        assert (request["decision"], request["objects"]) == ("allow", [f"event:{seq}"])
        again = ProofBundle.from_json(bundle.to_json())
        assert again == bundle
        check_proof(again, exported, store.verifier_key)
        fields = json.loads(bundle.event)
        assert fields["seq"] == seq and len(bundle.objects) == fields["objects_count"]


def test_an_event_after_the_last_checkpoint_gets_one_made_on_demand(
    store: Store, auditor: Context, history: int
) -> None:
    exported = export_checkpoint(store, auditor)
    later = history + 3  # after the export, the first proof request is event history + 1
    inclusion_proof(store, auditor, 0)
    inclusion_proof(store, auditor, 1)
    bundle = inclusion_proof(store, auditor, later)
    # The new checkpoint covers the request's own event, which is stored with it.
    assert bundle.tree_size == later + 1
    with store.engine.connect() as conn:
        sizes = list(conn.execute(select(audit_checkpoint.c.size)).scalars())
    assert bundle.tree_size in sizes
    check_proof(bundle, bundle.checkpoint, store.verifier_key)
    with pytest.raises(AuditIntegrityError, match=r"size \d+, the checkpoint is of size"):
        check_proof(bundle, exported, store.verifier_key)
    # ... and a proof at the exported size can be asked for instead.
    exported_size = open_checkpoint(exported, store.verifier_key).size
    at_export = inclusion_proof(store, auditor, 5, size=exported_size)
    check_proof(at_export, exported, store.verifier_key)
    with pytest.raises(NotFoundError, match="no stored checkpoint of size 3"):
        inclusion_proof(store, auditor, 5, size=3)
    with pytest.raises(NotFoundError, match="no audit event 999"):
        inclusion_proof(store, auditor, 999)


def _b64_flip(text: str) -> str:
    raw = bytearray(base64.b64decode(text))
    raw[0] ^= 1
    return base64.b64encode(bytes(raw)).decode()


def test_any_change_to_the_proof_the_event_or_the_checkpoint_is_caught(
    store: Store, auditor: Context, history: int
) -> None:
    exported = export_checkpoint(store, auditor)
    key = store.verifier_key
    bundle = inclusion_proof(store, auditor, 12)
    other = inclusion_proof(store, auditor, 13)
    check_proof(bundle, exported, key)

    def fails(changed: ProofBundle, match: str, checkpoint: str = exported, k: str = key) -> None:
        with pytest.raises(AuditIntegrityError, match=match):
            check_proof(changed, checkpoint, k)

    for i in range(len(bundle.proof)):
        flipped = list(bundle.proof)
        flipped[i] = _b64_flip(flipped[i])
        fails(dataclasses.replace(bundle, proof=tuple(flipped)), "does not lead to the root")
    fails(dataclasses.replace(bundle, proof=bundle.proof[:-1]), "hashes, it must have")
    # Another event's text, with or without its leaf hash.
    fails(dataclasses.replace(bundle, event=other.event), "does not hash to the proof's leaf")
    swapped = dataclasses.replace(bundle, event=other.event, leaf_hash=other.leaf_hash)
    fails(swapped, "the proof file was altered")
    moved = dataclasses.replace(other, leaf_index=12, event=other.event, proof=bundle.proof)
    fails(moved, "says seq 13")
    edited = bundle.event.replace('"actor":"', '"actor":"x', 1)
    fails(dataclasses.replace(bundle, event=edited), "does not hash")
    fails(dataclasses.replace(bundle, objects=(*bundle.objects, "entity:extra")), "objects")
    # Another checkpoint: another size, another key, another log, an altered one.
    bigger = export_checkpoint(store, auditor)
    fails(bundle, "the checkpoint is of size", checkpoint=bigger)
    stranger = SigningKey.generate("casegraph/audit/other")
    cp = open_checkpoint(exported, key)
    forged = sign_checkpoint(Checkpoint(cp.origin, cp.size, cp.root), stranger)
    fails(bundle, "not signed by key", checkpoint=forged)
    fails(bundle, "not signed by key", k=stranger.verifier_key())
    theirs = sign_checkpoint(Checkpoint("elsewhere/log", cp.size, cp.root), stranger)
    fails(bundle, "is for log 'elsewhere/log'", checkpoint=theirs, k=stranger.verifier_key())
    lines = exported.split("\n")
    lines[2] = base64.b64encode(merkle.leaf_hash(b"other root")).decode()
    fails(bundle, "Invalid signature", checkpoint="\n".join(lines))


def test_a_proof_file_is_read_strictly() -> None:
    with pytest.raises(AuditIntegrityError, match="not JSON"):
        ProofBundle.from_json("{")
    with pytest.raises(AuditIntegrityError, match="format"):
        ProofBundle.from_json('{"format": "other"}')
    good = {
        "format": ProofBundle.FORMAT,
        "origin": "o",
        "leaf_index": 0,
        "tree_size": 1,
        "event": "{}",
        "objects": [],
        "leaf_hash": "00",
        "proof": [],
        "checkpoint": "",
        "verifier_key": "",
    }
    assert ProofBundle.from_json(json.dumps(good)).tree_size == 1
    with pytest.raises(AuditIntegrityError, match="fields"):
        ProofBundle.from_json(json.dumps(good | {"extra": 1}))
    with pytest.raises(AuditIntegrityError, match="'leaf_index' must be a int"):
        ProofBundle.from_json(json.dumps(good | {"leaf_index": "0"}))
    with pytest.raises(AuditIntegrityError, match="list of strings"):
        ProofBundle.from_json(json.dumps(good | {"proof": [1]}))


def test_a_non_auditor_is_refused_and_the_refusal_is_in_the_log(
    store: Store, owner: Context, history: int
) -> None:
    with pytest.raises(AccessDeniedError, match="only auditors read the audit log"):
        inclusion_proof(store, owner, 3)
    refused = _last_event(store)
    assert (refused["actor"], refused["operation"], refused["decision"], refused["rule"]) == (
        OWNER,
        "audit.proof",
        "deny",
        "role:auditor",
    )
    assert refused["objects"] == ["event:3"]
    with pytest.raises(AccessDeniedError):
        export_checkpoint(store, owner)
    assert _last_event(store)["operation"] == "audit.checkpoint"
    assert _last_event(store)["decision"] == "deny"
