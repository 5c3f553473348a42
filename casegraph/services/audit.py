"""Appending to the audit log: one event per operation, in the operation's transaction.

Every append takes the log's head (the right edge of the Merkle tree) under a lock,
so events get gapless sequence numbers in commit order on both backends: SQLite
transactions start with BEGIN IMMEDIATE, PostgreSQL locks the head row. Every
`checkpoint_every` events, the same transaction also stores a signed checkpoint.

Fail closed: if anything here fails, the exception propagates and the caller's
transaction (with its data change) rolls back; reads record their event and commit
before they return any data.
"""

from __future__ import annotations

import json
from dataclasses import replace
from typing import NoReturn

from sqlalchemy import Connection, insert, select, update
from sqlalchemy.exc import DBAPIError

from casegraph.errors import AuditIntegrityError, CasegraphError, StoreError
from casegraph.security.audit_event import AuditEvent, EventDraft, objects_digest
from casegraph.security.checkpoint import Checkpoint, sign_checkpoint
from casegraph.security.context import Context
from casegraph.security.merkle import Frontier, leaf_hash
from casegraph.services.clock import utc_stamp
from casegraph.services.store import Store
from casegraph.store.tables import audit_checkpoint, audit_event, audit_head, audit_object


def _lock_head(conn: Connection) -> Frontier:
    query = select(audit_head.c.size, audit_head.c.frontier).where(audit_head.c.id == 1)
    if conn.dialect.name == "postgresql":
        query = query.with_for_update()
    row = conn.execute(query).first()
    if row is None:
        raise StoreError("the audit log has no head: run `casegraph init`")
    frontier = Frontier.from_json(json.loads(row.frontier))
    if frontier.size != row.size:
        raise AuditIntegrityError(
            f"the audit log's head is inconsistent (size {row.size}, frontier of "
            f"{frontier.size} events): it was altered; an auditor can run `casegraph audit verify`"
        )
    past = conn.execute(
        select(audit_event.c.seq).where(audit_event.c.seq >= frontier.size).limit(1)
    ).scalar()
    if past is not None:
        raise AuditIntegrityError(
            f"the audit log holds event {past} past its head ({frontier.size} events): it "
            "was altered; an auditor can run `casegraph audit verify`"
        )
    return frontier


def _store_checkpoint(conn: Connection, store: Store, frontier: Frontier) -> str:
    root = frontier.root()
    stored = conn.execute(
        select(audit_checkpoint.c.root).where(audit_checkpoint.c.size == frontier.size)
    ).scalar()
    if stored is not None:
        # Only a truncated and regrown log meets an old checkpoint at its size.
        raise AuditIntegrityError(
            f"a checkpoint for {frontier.size} events exists already"
            + ("" if stored == root.hex() else " with another root")
            + ": the log was altered; an auditor can run `casegraph audit verify`"
        )
    note = sign_checkpoint(
        Checkpoint(origin=store.origin, size=frontier.size, root=root), store.signing_key()
    )
    conn.execute(
        insert(audit_checkpoint).values(
            size=frontier.size, root=root.hex(), note=note, created_at=utc_stamp()
        )
    )
    return note


def _failed(exc: DBAPIError) -> StoreError:
    """The one-line error a user gets when the database refuses the audit write."""
    lines = str(exc.orig).strip().splitlines()
    detail = lines[0] if lines else type(exc.orig).__name__
    return StoreError(
        f"cannot write the audit log ({detail}), so nothing was done: check the database "
        "and run `casegraph audit verify`"
    )


def append(conn: Connection, store: Store, *, actor: str, draft: EventDraft) -> AuditEvent:
    """Append one event inside the caller's transaction and return it; a database error
    is raised as `StoreError`, and the caller's transaction rolls back."""
    try:
        return _append(conn, store, actor=actor, draft=draft)
    except DBAPIError as exc:
        raise _failed(exc) from exc


def _append(conn: Connection, store: Store, *, actor: str, draft: EventDraft) -> AuditEvent:
    frontier = _lock_head(conn)
    objects = draft.normalised_objects()
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
        objects_count=len(objects),
        objects_digest=objects_digest(objects),
        objects=objects,
    )
    leaf = leaf_hash(event.leaf_data())
    conn.execute(
        insert(audit_event).values(
            seq=event.seq,
            time=event.time,
            actor=event.actor,
            action=event.action,
            operation=event.operation,
            decision=event.decision,
            rule=event.rule,
            reason=event.reason,
            purpose=event.purpose,
            recipients=json.dumps(list(event.recipients)),
            objects_count=event.objects_count,
            objects_digest=event.objects_digest,
            leaf_hash=leaf.hex(),
        )
    )
    if objects:
        conn.execute(insert(audit_object), [{"seq": event.seq, "object": o} for o in objects])
    frontier.append(leaf)
    conn.execute(
        update(audit_head)
        .where(audit_head.c.id == 1)
        .values(size=frontier.size, frontier=json.dumps(frontier.to_json()))
    )
    if frontier.size % store.checkpoint_every == 0:
        _store_checkpoint(conn, store, frontier)
    return event


def record(conn: Connection, store: Store, ctx: Context, draft: EventDraft) -> AuditEvent:
    """Append an event for `ctx`'s actor; the purpose comes from the context."""
    if draft.purpose is None and ctx.purpose is not None:
        draft = replace(draft, purpose=ctx.purpose.text)
    return append(conn, store, actor=ctx.actor.name, draft=draft)


def record_alone(store: Store, ctx: Context, draft: EventDraft) -> AuditEvent:
    """Record an event in its own transaction, committed before this returns."""
    try:
        with store.engine.begin() as conn:
            return record(conn, store, ctx, draft)
    except DBAPIError as exc:  # the commit itself failed
        raise _failed(exc) from exc


def refuse(store: Store, ctx: Context, draft: EventDraft, error: CasegraphError) -> NoReturn:
    """Record a refused attempt, then raise `error`; fails closed if the log cannot."""
    record_alone(store, ctx, draft)
    raise error


def checkpoint_now(conn: Connection, store: Store) -> str:
    """Sign the log as it stands (the caller's transaction holds the head)."""
    frontier = _lock_head(conn)
    existing = conn.execute(
        select(audit_checkpoint.c.note, audit_checkpoint.c.root).where(
            audit_checkpoint.c.size == frontier.size
        )
    ).first()
    if existing is not None and existing.root == frontier.root().hex():
        return str(existing.note)
    return _store_checkpoint(conn, store, frontier)
