"""What auditors ask of the audit log: proofs, checkpoints, who accessed what, activity.

Each call is itself audited (see `audit_read`): its `consult` event is committed
before any data is returned. `who_accessed` lists every consultation and disclosure of
an entity, refused attempts included; `activity` is one user's whole trail. An
auditor's own lookups are recorded with `audit-subject:` objects, so they appear in
the auditor's activity but never as an access to the entity looked up.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import select

from casegraph.errors import AuditIntegrityError, InvalidInputError, NotFoundError
from casegraph.security.audit_event import ActionClass, entity_object
from casegraph.security.checkpoint import open_checkpoint
from casegraph.security.context import Context
from casegraph.security.merkle import verify_inclusion
from casegraph.security.proof import LeafHashes, ProofBundle
from casegraph.services import audit
from casegraph.services.audit_read import (
    PAGE,
    authorize,
    entity_subject,
    event_of_row,
    event_ref,
    events_by_seq,
    objects_of,
    parse_recipients,
    user_subject,
)
from casegraph.services.store import Store
from casegraph.store.tables import audit_checkpoint, audit_event, audit_object

#: The actions that give someone an entity's content: reads, search hits, exports.
ACCESS_ACTIONS = (ActionClass.CONSULT.value, ActionClass.DISCLOSE.value)


@dataclass(frozen=True, slots=True)
class AccessEntry:
    """One consultation or disclosure of an entity (or a refused attempt)."""

    seq: int
    time: str
    actor: str
    action: str
    operation: str
    purpose: str | None
    decision: str
    rule: str
    reason: str
    recipients: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class AuditEventView:
    """One audit event as an auditor reads it, with its objects."""

    seq: int
    time: str
    actor: str
    action: str
    operation: str
    decision: str
    rule: str
    reason: str
    purpose: str | None
    recipients: tuple[str, ...]
    objects: tuple[str, ...]


def _leaf_hashes(store: Store, size: int) -> LeafHashes:
    """The stored leaf hashes of events 0..size-1, read a page per transaction."""
    leaves = LeafHashes()
    while len(leaves) < size:
        with store.engine.connect() as conn:
            rows: list[tuple[int, str]] = [
                (int(r.seq), str(r.leaf_hash))
                for r in conn.execute(
                    select(audit_event.c.seq, audit_event.c.leaf_hash)
                    .where(audit_event.c.seq >= len(leaves), audit_event.c.seq < size)
                    .order_by(audit_event.c.seq)
                    .limit(PAGE * 10)
                )
            ]
        for seq, stored in rows or [(size, "")]:  # no rows: the next events are missing
            try:
                if seq != len(leaves):
                    raise ValueError("missing")
                leaves.append(bytes.fromhex(stored))
            except (ValueError, AuditIntegrityError):
                raise AuditIntegrityError(
                    f"audit event {len(leaves)} is missing or damaged below the checkpoint "
                    f"of size {size}: run `casegraph audit verify`"
                ) from None
    return leaves


def inclusion_proof(
    store: Store, ctx: Context, seq: int, *, size: int | None = None
) -> ProofBundle:
    """The proof that event `seq` is in the signed log (auditors only).

    The proof is for the checkpoint of `size` if given (it must be stored and larger
    than `seq`), otherwise for the newest stored checkpoint; when no checkpoint covers
    the event yet, one is made, in the transaction that records this request.
    """
    draft = authorize(store, ctx, operation="audit.proof", objects=(event_ref(seq),))
    if seq < 0:
        raise InvalidInputError(f"audit event numbers start at 0, not {seq}")
    with store.engine.begin() as conn:
        audit.record(conn, store, ctx, draft)
        row = conn.execute(select(audit_event).where(audit_event.c.seq == seq)).first()
        if row is None:
            raise NotFoundError(f"no audit event {seq}: see `casegraph audit activity USER`")
        query = select(audit_checkpoint.c.size, audit_checkpoint.c.note)
        if size is None:
            query = query.where(audit_checkpoint.c.size > seq)
        else:
            query = query.where(audit_checkpoint.c.size == size)
        found = conn.execute(query.order_by(audit_checkpoint.c.size.desc()).limit(1)).first()
        if size is not None and (found is None or size <= seq):
            raise NotFoundError(
                f"no stored checkpoint of size {size} covers event {seq}: omit --size to use "
                "the newest one"
            )
        note = str(found.note) if found is not None else audit.checkpoint_now(conn, store)
        event = event_of_row(row, objects_of(conn, [seq]).get(seq, ()))
    checkpoint = open_checkpoint(note, store.verifier_key, origin=store.origin)
    leaves = _leaf_hashes(store, checkpoint.size)
    proof = leaves.inclusion_proof(seq, checkpoint.size)
    bundle = ProofBundle.build(
        origin=store.origin,
        leaf_index=seq,
        tree_size=checkpoint.size,
        leaf_data=event.leaf_data(),
        objects=event.objects,
        proof=proof,
        checkpoint=note,
        verifier_key=store.verifier_key,
    )
    try:
        verify_inclusion(
            bytes.fromhex(bundle.leaf_hash), seq, checkpoint.size, proof, checkpoint.root
        )
    except AuditIntegrityError as exc:
        raise AuditIntegrityError(
            f"event {seq} is not in the log as its checkpoint of size {checkpoint.size} "
            f"signs it ({exc.message}): the log was altered; run `casegraph audit verify`"
        ) from None
    return bundle


def export_checkpoint(store: Store, ctx: Context) -> str:
    """Sign the log as it stands, its export event included; returns the signed note."""
    draft = authorize(store, ctx, operation="audit.checkpoint")
    with store.engine.begin() as conn:
        audit.record(conn, store, ctx, draft)
        return audit.checkpoint_now(conn, store)


def who_accessed(store: Store, ctx: Context, entity_id: str) -> list[AccessEntry]:
    """Every consultation and disclosure of an entity, refused ones too, oldest first."""
    draft = authorize(
        store, ctx, operation="audit.who-accessed", objects=(entity_subject(entity_id),)
    )
    audit.record_alone(store, ctx, draft)
    query = (
        select(audit_event)
        .join(audit_object, audit_object.c.seq == audit_event.c.seq)
        .where(
            audit_object.c.object == entity_object(entity_id),
            audit_event.c.action.in_(ACCESS_ACTIONS),
        )
        .order_by(audit_event.c.seq)
    )
    with store.engine.connect() as conn:
        rows = conn.execute(query).all()
    return [
        AccessEntry(
            seq=row.seq,
            time=row.time,
            actor=row.actor,
            action=row.action,
            operation=row.operation,
            purpose=row.purpose,
            decision=row.decision,
            rule=row.rule,
            reason=row.reason,
            recipients=parse_recipients(row.recipients) or (),
        )
        for row in rows
    ]


def _since(text: str) -> str:
    """An ISO 8601 date or time as the log's time text (UTC, microseconds, `Z`), so that
    comparing texts compares times. A time without a zone is UTC."""
    try:
        moment = datetime.fromisoformat(text.strip())
    except ValueError:
        raise InvalidInputError(
            f"--since {text!r} is not an ISO 8601 date or time: use e.g. 2026-03-01 or "
            "2026-03-01T09:30:00Z"
        ) from None
    if moment.tzinfo is not None:
        moment = moment.astimezone(UTC).replace(tzinfo=None)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def activity(
    store: Store, ctx: Context, user: str, *, since: str | None = None, limit: int | None = None
) -> list[AuditEventView]:
    """Everything `user` did (or tried), oldest first, from `since`, at most `limit`."""
    draft = authorize(store, ctx, operation="audit.activity", objects=(user_subject(user),))
    start = None if since is None else _since(since)
    if limit is not None and limit < 1:
        raise InvalidInputError(f"--limit must be at least 1, not {limit}")
    audit.record_alone(store, ctx, draft)
    query = select(audit_event.c.seq).where(audit_event.c.actor == user)
    if start is not None:
        query = query.where(audit_event.c.time >= start)
    query = query.order_by(audit_event.c.seq)
    if limit is not None:
        query = query.limit(limit)
    with store.engine.connect() as conn:
        seqs = list(conn.execute(query).scalars())
        events = events_by_seq(conn, seqs)
    return [
        AuditEventView(
            seq=e.seq,
            time=e.time,
            actor=e.actor,
            action=e.action,
            operation=e.operation,
            decision=e.decision,
            rule=e.rule,
            reason=e.reason,
            purpose=e.purpose,
            recipients=e.recipients,
            objects=e.objects,
        )
        for e in events
    ]
