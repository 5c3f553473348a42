"""`verify_log`: a clean log verifies; every kind of tampering is found, at the right event.

The attacker here has the database owner's rights: they drop the append-only triggers
first (as `append_only.drop_sql` does), then edit rows. Without the signing key that is
always detected; with it (an insider), only a checkpoint exported earlier detects it.
"""

from __future__ import annotations

import json
import random
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from sqlalchemy import Connection, delete, insert, select, update

from casegraph.errors import AccessDeniedError, AuditIntegrityError, InvalidInputError
from casegraph.security.audit_event import (
    ActionClass,
    AuditEvent,
    EventDraft,
    entity_object,
    objects_digest,
)
from casegraph.security.checkpoint import Checkpoint, SigningKey, sign_checkpoint
from casegraph.security.context import Context
from casegraph.security.merkle import Frontier, leaf_hash
from casegraph.services import audit, audit_read
from casegraph.services.audit_reports import export_checkpoint
from casegraph.services.audit_verify import VerifyReport, verify_log
from casegraph.services.clock import utc_stamp
from casegraph.services.identity import create_owner
from casegraph.services.store import Store, init_store
from casegraph.store import append_only
from casegraph.store.tables import audit_checkpoint, audit_event, audit_head, audit_object
from tests.conftest import BACKENDS, OWNER, OWNER_GROUP
from tests.helpers import backend_settings, context_for, make_user

EVERY = 100
EVENTS = 1050  # events added in bulk, on top of those of the setup


@dataclass
class Pristine:
    """A store with a log of about 1050 events, built once per backend, and a copy of
    its audit tables, restored before each test (tests tamper with them)."""

    store: Store
    rows: dict[str, list[dict[str, Any]]]


@pytest.fixture(scope="module", params=BACKENDS)
def pristine(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Pristine]:
    data_dir = tmp_path_factory.mktemp("audit-verify") / "data"
    with backend_settings(request, data_dir) as cfg:
        store = init_store(cfg, checkpoint_every=EVERY)
        try:
            create_owner(store, name=OWNER, password=None, group=OWNER_GROUP)
            make_user(store, context_for(store, OWNER), "aud", roles="auditor")
            _bulk_append(store, EVENTS)
            with store.engine.connect() as conn:
                rows = {
                    table.name: [dict(r._mapping) for r in conn.execute(select(table))]
                    for table in AUDIT_TABLES
                }
            yield Pristine(store, rows)
        finally:
            store.close()


AUDIT_TABLES = (audit_event, audit_object, audit_checkpoint, audit_head)


@pytest.fixture
def big_log(pristine: Pristine) -> Store:
    """The pristine log, restored (append-only triggers included)."""
    store = pristine.store
    with store.engine.begin() as conn:
        dialect = conn.dialect.name
        append_only.apply(conn, append_only.drop_sql(dialect))
        for table in reversed(AUDIT_TABLES):
            conn.execute(delete(table))
        for table in AUDIT_TABLES:
            conn.execute(insert(table), pristine.rows[table.name])
        append_only.apply(conn, append_only.create_sql(dialect))
    return store


@pytest.fixture(autouse=True)
def small_pages(monkeypatch: pytest.MonkeyPatch) -> None:
    """Stream 97 events per page, so that page boundaries fall everywhere."""
    monkeypatch.setattr(audit_read, "PAGE", 97)


@pytest.fixture
def auditor(big_log: Store) -> Context:
    return context_for(big_log, "aud", purpose="case:TEST-1")


def _draft(rng: random.Random, i: int) -> tuple[str, EventDraft]:
    action = rng.choice(list(ActionClass))
    objects = tuple(entity_object(f"e{rng.randrange(50)}") for _ in range(rng.randrange(4)))
    return rng.choice(["ana", "bob", "cy"]), EventDraft(
        action=action,
        operation=f"op.{action.value}",
        decision=rng.choice(["allow", "allow", "deny"]),
        rule="grant",
        reason=f"reason {i} — ünïcode",
        objects=objects,
        purpose=rng.choice([None, "case:C-1", "a written justification"]),
        recipients=tuple(rng.sample(["court", "press", "police"], rng.randrange(3))),
    )


def _bulk_append(store: Store, count: int, seed: int = 7) -> None:
    """Append `count` events as `audit.append` does, in bulk (one statement per table)."""
    rng = random.Random(seed)
    with store.engine.begin() as conn:
        head = conn.execute(select(audit_head.c.frontier).where(audit_head.c.id == 1)).scalar_one()
        frontier = Frontier.from_json(json.loads(head))
        events: list[dict[str, Any]] = []
        objects: list[dict[str, Any]] = []
        checkpoints: list[dict[str, Any]] = []
        for i in range(count):
            actor, draft = _draft(rng, i)
            refs = draft.normalised_objects()
            event = AuditEvent(
                seq=frontier.size,
                time=utc_stamp(),
                actor=actor,
                action=draft.action.value,
                operation=draft.operation,
                decision=draft.decision,
                rule=draft.rule,
                reason=draft.reason,
                purpose=draft.purpose,
                recipients=draft.recipients,
                objects_count=len(refs),
                objects_digest=objects_digest(refs),
            )
            leaf = leaf_hash(event.leaf_data())
            events.append(_row(event, leaf))
            objects.extend({"seq": event.seq, "object": o} for o in refs)
            frontier.append(leaf)
            if frontier.size % store.checkpoint_every == 0:
                checkpoints.append(_checkpoint_row(store, frontier.size, frontier.root()))
        conn.execute(insert(audit_event), events)
        conn.execute(insert(audit_object), objects)
        if checkpoints:
            conn.execute(insert(audit_checkpoint), checkpoints)
        _write_head(conn, frontier)


def _row(event: AuditEvent, leaf: bytes) -> dict[str, Any]:
    return {
        "seq": event.seq,
        "time": event.time,
        "actor": event.actor,
        "action": event.action,
        "operation": event.operation,
        "decision": event.decision,
        "rule": event.rule,
        "reason": event.reason,
        "purpose": event.purpose,
        "recipients": json.dumps(list(event.recipients)),
        "objects_count": event.objects_count,
        "objects_digest": event.objects_digest,
        "leaf_hash": leaf.hex(),
    }


def _checkpoint_row(
    store: Store, size: int, root: bytes, key: SigningKey | None = None
) -> dict[str, Any]:
    note = sign_checkpoint(Checkpoint(store.origin, size, root), key or store.signing_key())
    return {"size": size, "root": root.hex(), "note": note, "created_at": utc_stamp()}


def _write_head(conn: Connection, frontier: Frontier) -> None:
    conn.execute(
        update(audit_head)
        .where(audit_head.c.id == 1)
        .values(size=frontier.size, frontier=json.dumps(frontier.to_json()))
    )


# What an attacker with the database owner's rights does.


def _attack(store: Store, change: Callable[[Connection], object]) -> None:
    with store.engine.begin() as conn:
        append_only.apply(conn, append_only.drop_sql(conn.dialect.name))
        change(conn)


def _event_row(conn: Connection, seq: int) -> dict[str, Any]:
    return dict(conn.execute(select(audit_event).where(audit_event.c.seq == seq)).one()._mapping)


def _leaf(row: dict[str, Any]) -> str:
    """The leaf hash of a row, as an attacker recomputes it."""
    event = AuditEvent(
        **{k: row[k] for k in row if k not in ("leaf_hash", "recipients")},
        recipients=tuple(json.loads(row["recipients"])),
    )
    return leaf_hash(event.leaf_data()).hex()


def _recompute_head(conn: Connection, size: int | None = None) -> Frontier:
    query = select(audit_event.c.leaf_hash).order_by(audit_event.c.seq)
    if size is not None:
        query = query.where(audit_event.c.seq < size)
    frontier = Frontier()
    frontier.extend(bytes.fromhex(h) for h in conn.execute(query).scalars())
    _write_head(conn, frontier)
    return frontier


def _set(conn: Connection, seq: int, **values: Any) -> None:
    conn.execute(update(audit_event).where(audit_event.c.seq == seq).values(**values))


def _flip_char(text: str) -> str:
    return text[:-1] + ("x" if text[-1] != "x" else "y")


def _size(store: Store) -> int:
    with store.engine.connect() as conn:
        return int(conn.execute(select(audit_head.c.size)).scalar_one())


def _problems(report: VerifyReport) -> str:
    return "\n".join(f"{p.seq} {p.kind}: {p.message}" for p in report.problems)


# A clean log.


def test_a_clean_log_verifies_and_the_verification_is_itself_recorded(
    big_log: Store, auditor: Context
) -> None:
    with big_log.engine.begin() as conn:  # a few events through the real append
        for i in range(5):
            actor, draft = _draft(random.Random(i), i)
            audit.append(conn, big_log, actor=actor, draft=draft)
    _bulk_append(big_log, 120, seed=8)
    before = _size(big_log)

    report = verify_log(big_log, auditor)

    assert report.ok, _problems(report)
    assert report.size == report.events == before
    assert report.checkpoints == report.size // EVERY
    assert report.root is not None and report.against_size is None
    with big_log.engine.connect() as conn:
        last = _event_row(conn, before)
    assert (last["actor"], last["action"], last["operation"], last["decision"]) == (
        "aud",
        "consult",
        "audit.verify",
        "allow",
    )
    # A checkpoint made on demand is checked as well.
    export_checkpoint(big_log, auditor)
    report = verify_log(big_log, auditor)
    assert report.ok, _problems(report)
    assert report.checkpoints == report.size // EVERY + 1


def test_a_non_auditor_is_refused_and_the_refusal_is_recorded(big_log: Store) -> None:
    owner = context_for(big_log, OWNER, purpose="case:TEST-1")
    with pytest.raises(AccessDeniedError, match="only auditors"):
        verify_log(big_log, owner)
    with big_log.engine.connect() as conn:
        last = _event_row(conn, _size(big_log) - 1)
    assert (last["actor"], last["operation"], last["decision"]) == (
        OWNER,
        "audit.verify",
        "deny",
    )


class Recorder:
    def __init__(self) -> None:
        self.total: int | None = None
        self.rows = 0
        self.pages = 0
        self.finished = False

    def start(self, *, description: str, total: int | None) -> None:
        self.total = total

    def advance(self, rows: int) -> None:
        self.rows += rows
        self.pages += 1

    def finish(self) -> None:
        self.finished = True


def test_progress_is_reported_per_page(big_log: Store, auditor: Context) -> None:
    recorder = Recorder()
    report = verify_log(big_log, auditor, progress=recorder)
    assert recorder.total == recorder.rows == report.size
    assert recorder.pages == -(-report.size // 97)
    assert recorder.finished


# Tampering without the signing key: each is found, and the first problem names the
# first event concerned.

K = 555  # the event tampered with


def _flip_field(conn: Connection) -> int:
    _set(conn, K, reason=_flip_char(_event_row(conn, K)["reason"]))
    return K


def _change_actor(conn: Connection) -> int:
    _set(conn, K, actor="someone-else")
    return K


def _delete_event(conn: Connection) -> int:
    conn.execute(delete(audit_object).where(audit_object.c.seq == K))
    conn.execute(delete(audit_event).where(audit_event.c.seq == K))
    return K


def _swap_events(conn: Connection) -> int:
    a, b = 300, 700
    row_a, row_b = _event_row(conn, a), _event_row(conn, b)
    objects = {
        s: [r.object for r in conn.execute(select(audit_object).where(audit_object.c.seq == s))]
        for s in (a, b)
    }
    conn.execute(delete(audit_object).where(audit_object.c.seq.in_([a, b])))
    _set(conn, a, **{k: v for k, v in row_b.items() if k != "seq"})
    _set(conn, b, **{k: v for k, v in row_a.items() if k != "seq"})
    moved = [{"seq": a, "object": o} for o in objects[b]] + [
        {"seq": b, "object": o} for o in objects[a]
    ]
    if moved:
        conn.execute(insert(audit_object), moved)
    return a


def _truncate(conn: Connection) -> int:
    """Remove the last 120 events (across a checkpoint) and set the head to match."""
    size = int(conn.execute(select(audit_head.c.size)).scalar_one())
    keep = size - 120
    conn.execute(delete(audit_object).where(audit_object.c.seq >= keep))
    conn.execute(delete(audit_event).where(audit_event.c.seq >= keep))
    _recompute_head(conn, keep)
    return keep


def _insert_extra(conn: Connection) -> int:
    """An event stored beyond the head, leaf hash and all (a few seqs on, so that the
    verification can still append its own event; see the test of seq = size below)."""
    seq = int(conn.execute(select(audit_head.c.size)).scalar_one()) + 3
    row = _event_row(conn, 10) | {"seq": seq, "reason": "an event that never happened"}
    row["leaf_hash"] = _leaf(row)
    conn.execute(insert(audit_event).values(**row))
    return seq


def _insert_in_the_middle(conn: Connection) -> int:
    """Shift events K.. up by one, insert a forged event at K, recompute every leaf hash
    and the head: only the signed checkpoints still tell."""
    size = int(conn.execute(select(audit_head.c.size)).scalar_one())
    rows = [_event_row(conn, s) for s in range(K, size)]
    objects = list(conn.execute(select(audit_object).where(audit_object.c.seq >= K)))
    conn.execute(delete(audit_object).where(audit_object.c.seq >= K))
    conn.execute(delete(audit_event).where(audit_event.c.seq >= K))
    forged = rows[0] | {
        "reason": "forged",
        "objects_count": 0,
        "objects_digest": objects_digest(()),
    }
    shifted = [forged] + [r | {"seq": r["seq"] + 1} for r in rows]
    for row in shifted:
        row["leaf_hash"] = _leaf(row)
    conn.execute(insert(audit_event), shifted)
    conn.execute(insert(audit_object), [{"seq": o.seq + 1, "object": o.object} for o in objects])
    _recompute_head(conn)
    return K // EVERY * EVERY  # the last checkpoint that still matches


def _recompute_leaf(conn: Connection) -> int:
    row = _event_row(conn, K) | {"actor": "someone-else"}
    _set(conn, K, actor="someone-else", leaf_hash=_leaf(row))
    _recompute_head(conn)
    return K // EVERY * EVERY


def _drop_object(conn: Connection) -> int:
    seq = conn.execute(select(audit_object.c.seq).where(audit_object.c.seq >= K)).scalars().first()
    assert seq is not None
    obj = conn.execute(select(audit_object.c.object).where(audit_object.c.seq == seq)).scalar()
    conn.execute(
        delete(audit_object).where(audit_object.c.seq == seq, audit_object.c.object == obj)
    )
    return int(seq)


def _grow_head(conn: Connection) -> int:
    """The head claims one event more than is stored."""
    frontier = Frontier.from_json(
        json.loads(conn.execute(select(audit_head.c.frontier)).scalar_one())
    )
    frontier.append(leaf_hash(b"forged"))
    _write_head(conn, frontier)
    return frontier.size - 1


TAMPERINGS: dict[str, tuple[Callable[[Connection], int], str]] = {
    "flip a character of a field": (_flip_field, "leaf"),
    "change the actor": (_change_actor, "leaf"),
    "delete an event": (_delete_event, "missing"),
    "swap two events": (_swap_events, "leaf"),
    "truncate the end and the head": (_truncate, "truncated"),
    "insert an event at the end": (_insert_extra, "extra"),
    "insert an event in the middle, recompute leaves and head": (
        _insert_in_the_middle,
        "checkpoint",
    ),
    "change an event and recompute its leaf and the head": (_recompute_leaf, "checkpoint"),
    "remove an object of an event": (_drop_object, "objects"),
    "make the head claim one event more": (_grow_head, "missing"),
}


@pytest.mark.parametrize("name", list(TAMPERINGS))
def test_tampering_is_found_at_the_first_event_concerned(
    big_log: Store, auditor: Context, name: str
) -> None:
    change, kind = TAMPERINGS[name]
    seqs: list[int] = []
    _attack(big_log, lambda conn: seqs.append(change(conn)))

    report = verify_log(big_log, auditor)

    assert not report.ok
    first = report.first
    assert first is not None
    assert (first.seq, first.kind) == (seqs[0], kind), _problems(report)
    assert str(seqs[0]) in first.message


def test_a_checkpoint_signed_with_another_key_is_found(big_log: Store, auditor: Context) -> None:
    other = SigningKey.generate(big_log.origin)

    def resign(conn: Connection) -> None:
        row = conn.execute(select(audit_checkpoint).where(audit_checkpoint.c.size == 500)).one()
        forged = _checkpoint_row(big_log, 500, bytes.fromhex(row.root), other)
        conn.execute(
            update(audit_checkpoint)
            .where(audit_checkpoint.c.size == 500)
            .values(note=forged["note"])
        )

    _attack(big_log, resign)
    report = verify_log(big_log, auditor)
    assert [p.kind for p in report.problems] == ["signature"]
    assert "checkpoint of size 500" in report.problems[0].message


def test_a_deleted_checkpoint_is_found(big_log: Store, auditor: Context) -> None:
    _attack(
        big_log, lambda c: c.execute(delete(audit_checkpoint).where(audit_checkpoint.c.size == 300))
    )
    report = verify_log(big_log, auditor)
    assert [p.kind for p in report.problems] == ["checkpoint"]
    assert "size 300 is missing" in report.problems[0].message


def test_a_rewritten_head_is_found(big_log: Store, auditor: Context) -> None:
    def forge(conn: Connection) -> None:
        data = json.loads(conn.execute(select(audit_head.c.frontier)).scalar_one())
        data["hashes"][-1] = leaf_hash(b"forged").hex()
        conn.execute(update(audit_head).values(frontier=json.dumps(data)))

    _attack(big_log, forge)
    report = verify_log(big_log, auditor)
    assert [p.kind for p in report.problems] == ["head"]


def test_an_event_inserted_at_the_next_seq_is_an_integrity_error(
    big_log: Store, auditor: Context
) -> None:
    def insert_next(conn: Connection) -> None:
        size = int(conn.execute(select(audit_head.c.size)).scalar_one())
        row = _event_row(conn, 10) | {"seq": size, "reason": "an event that never happened"}
        row["leaf_hash"] = _leaf(row)
        conn.execute(insert(audit_event).values(**row))

    _attack(big_log, insert_next)
    report = verify_log(big_log, auditor)
    assert not report.ok
    assert any("could not be logged" in p.message for p in report.problems)
    with pytest.raises(AuditIntegrityError, match="past its head"):
        audit.record_alone(big_log, auditor, _draft(random.Random(1), 0)[1])


# The insider, who holds the signing key: only an exported checkpoint tells.


def test_an_insider_rewrite_passes_alone_but_not_against_an_exported_checkpoint(
    big_log: Store, auditor: Context
) -> None:
    exported = export_checkpoint(big_log, auditor)

    def rewrite(conn: Connection) -> None:
        row = _event_row(conn, K) | {"actor": "someone-else"}
        _set(conn, K, actor="someone-else", leaf_hash=_leaf(row))
        _recompute_head(conn)
        leaves = [
            bytes.fromhex(h)
            for h in conn.execute(
                select(audit_event.c.leaf_hash).order_by(audit_event.c.seq)
            ).scalars()
        ]
        for size in conn.execute(select(audit_checkpoint.c.size)).scalars():
            frontier = Frontier()
            frontier.extend(leaves[:size])
            fresh = _checkpoint_row(big_log, size, frontier.root())
            conn.execute(
                update(audit_checkpoint)
                .where(audit_checkpoint.c.size == size)
                .values(root=fresh["root"], note=fresh["note"])
            )

    _attack(big_log, rewrite)

    alone = verify_log(big_log, auditor)
    assert alone.ok, _problems(alone)  # the documented limit: re-signed with the real key

    report = verify_log(big_log, auditor, against=exported, key=big_log.verifier_key)
    assert not report.ok
    assert [p.kind for p in report.problems] == ["against"]
    assert "rewritten after the export" in report.problems[0].message
    assert report.against_size == int(exported.split("\n")[1])


def test_a_truncation_with_its_checkpoints_is_found_against_an_exported_checkpoint(
    big_log: Store, auditor: Context
) -> None:
    exported = export_checkpoint(big_log, auditor)
    keep: list[int] = []

    def cut(conn: Connection) -> None:
        keep.append(_truncate(conn))
        conn.execute(delete(audit_checkpoint).where(audit_checkpoint.c.size > keep[0]))

    _attack(big_log, cut)
    report = verify_log(big_log, auditor, against=exported)
    assert report.first is not None
    assert (report.first.seq, report.first.kind) == (keep[0], "against"), _problems(report)
    assert verify_log(big_log, auditor).ok  # without the export, nothing tells


def test_the_exported_checkpoint_must_verify_with_the_key(big_log: Store, auditor: Context) -> None:
    exported = export_checkpoint(big_log, auditor)
    assert verify_log(big_log, auditor, against=exported).ok
    other = SigningKey.generate(big_log.origin).verifier_key()
    report = verify_log(big_log, auditor, against=exported, key=other)
    assert "against" in [p.kind for p in report.problems]
    lines = exported.split("\n")
    lines[1] = "1"  # another size: the signature no longer holds
    report = verify_log(big_log, auditor, against="\n".join(lines))
    assert [p.kind for p in report.problems] == ["against"]
    with pytest.raises(InvalidInputError, match="not one"):
        verify_log(big_log, auditor, key="not-a-key")
