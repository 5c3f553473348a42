"""Reading the audit log, which is itself audited: the gate and the row reader.

Only auditors read the log (`Operation.READ_AUDIT`). Every reading service first asks
the Policy: a refusal is recorded and raised; an allowed call records exactly one
`consult` event and commits it before any data is returned. The objects of these
events name what was looked at without being entity or user references
(`audit-subject:entity:ID`, `audit-subject:user:NAME`, `event:SEQ`), so an auditor's
lookup never shows up as an access to the entity or user looked up.

Reading rows: `event_of_row` rebuilds an `AuditEvent` from its row, `snapshot` reads
the head and checkpoints in one consistent view, `event_pages` streams events by seq in
short transactions, so a verification never holds the log's write lock for long.

The services built on this: `audit_verify` (verify the whole log) and `audit_reports`
(inclusion proofs, checkpoints, who accessed an entity, one user's activity).
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, Row, func, select

from casegraph.errors import AuditIntegrityError
from casegraph.security.audit_event import ActionClass, AuditEvent, EventDraft
from casegraph.security.context import Context
from casegraph.security.policy import Operation
from casegraph.services.access import require_role
from casegraph.services.store import Store
from casegraph.store.tables import audit_checkpoint, audit_event, audit_head, audit_object

#: Events read per query when streaming the log.
PAGE = 2000


def entity_subject(entity_id: str) -> str:
    """The object of an audit-reading event about an entity (not an `entity:` access)."""
    return f"audit-subject:entity:{entity_id}"


def user_subject(name: str) -> str:
    """The object of an audit-reading event about a user (not a `user:` reference)."""
    return f"audit-subject:user:{name}"


def event_ref(seq: int) -> str:
    """The object of an audit-reading event about one audit event."""
    return f"event:{seq}"


def authorize(
    store: Store, ctx: Context, *, operation: str, objects: tuple[str, ...] = ()
) -> EventDraft:
    """Decide `READ_AUDIT` for `ctx`: record and raise a refusal, or return the event to
    record (a `consult` of `objects`) when the call goes ahead."""
    return require_role(
        store,
        ctx,
        Operation.READ_AUDIT,
        action=ActionClass.CONSULT,
        operation=operation,
        objects=objects,
    )


def parse_recipients(text: str) -> tuple[str, ...] | None:
    """The `recipients` column (a JSON list of strings), or None if it is not one."""
    try:
        value = json.loads(text)
    except (TypeError, ValueError):
        return None
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        return None
    return tuple(value)


def event_of_row(row: Row[Any] | Mapping[str, Any], objects: tuple[str, ...] = ()) -> AuditEvent:
    """The `AuditEvent` stored in an `audit_event` row; raises `AuditIntegrityError` if
    the row's recipients are not a JSON list of strings (the row was damaged)."""
    data = row._mapping if isinstance(row, Row) else row
    recipients = parse_recipients(data["recipients"])
    if recipients is None:
        raise AuditIntegrityError(
            f"audit event {data['seq']} is damaged: its recipients {data['recipients']!r} "
            "are not a JSON list of names; run `casegraph audit verify`"
        )
    return AuditEvent(
        seq=data["seq"],
        time=data["time"],
        actor=data["actor"],
        action=data["action"],
        operation=data["operation"],
        decision=data["decision"],
        rule=data["rule"],
        reason=data["reason"],
        purpose=data["purpose"],
        recipients=recipients,
        objects_count=data["objects_count"],
        objects_digest=data["objects_digest"],
        objects=objects,
    )


def objects_of(conn: Connection, seqs: Iterable[int]) -> dict[int, tuple[str, ...]]:
    """The sorted objects of each of `seqs` (events without objects are left out)."""
    wanted = sorted(set(seqs))
    found: dict[int, list[str]] = {}
    for start in range(0, len(wanted), 500):
        chunk = wanted[start : start + 500]
        query = select(audit_object.c.seq, audit_object.c.object).where(
            audit_object.c.seq.in_(chunk)
        )
        for seq, obj in conn.execute(query):
            found.setdefault(seq, []).append(obj)
    # Python's order (code points), the order objects_digest hashes, not the database's.
    return {seq: tuple(sorted(objs)) for seq, objs in found.items()}


def events_by_seq(conn: Connection, seqs: Iterable[int]) -> list[AuditEvent]:
    """The events with these seqs, with their objects, by seq (unreadable rows raise)."""
    wanted = sorted(set(seqs))
    events: list[AuditEvent] = []
    for start in range(0, len(wanted), 500):
        chunk = wanted[start : start + 500]
        rows = conn.execute(
            select(audit_event).where(audit_event.c.seq.in_(chunk)).order_by(audit_event.c.seq)
        ).all()
        objects = objects_of(conn, chunk)
        events.extend(event_of_row(row, objects.get(row.seq, ())) for row in rows)
    return events


@dataclass(frozen=True, slots=True)
class LogSnapshot:
    """The log as it stands: head, the first seqs stored beyond it, all checkpoints."""

    size: int
    frontier: str | None
    max_seq: int | None
    extra: tuple[int, ...]  # the first seqs stored beyond the head's size
    checkpoints: tuple[tuple[int, str, str], ...]  # size, root hex, note


@contextlib.contextmanager
def _consistent(store: Store) -> Iterator[Connection]:
    """One consistent view of head, events and checkpoints: SQLite's transactions take
    the write lock; PostgreSQL's repeatable read sees one snapshot."""
    with store.engine.connect() as conn:
        if conn.dialect.name == "postgresql":
            conn = conn.execution_options(isolation_level="REPEATABLE READ")
        with conn.begin():
            yield conn


def snapshot(store: Store) -> LogSnapshot:
    """The head, what is stored beyond it, and every checkpoint, read at one instant."""
    with _consistent(store) as conn:
        head = conn.execute(
            select(audit_head.c.size, audit_head.c.frontier).where(audit_head.c.id == 1)
        ).first()
        max_seq = conn.execute(select(func.max(audit_event.c.seq))).scalar()
        extra = (
            conn.execute(
                select(audit_event.c.seq)
                .where(audit_event.c.seq >= (head.size if head is not None else 0))
                .order_by(audit_event.c.seq)
                .limit(11)
            )
            .scalars()
            .all()
        )
        rows = conn.execute(
            select(
                audit_checkpoint.c.size, audit_checkpoint.c.root, audit_checkpoint.c.note
            ).order_by(audit_checkpoint.c.size)
        ).all()
    size = int(head.size) if head is not None else (0 if max_seq is None else max_seq + 1)
    return LogSnapshot(
        size=size,
        frontier=None if head is None else str(head.frontier),
        max_seq=None if max_seq is None else int(max_seq),
        extra=tuple(int(seq) for seq in extra) if head is not None else (),
        checkpoints=tuple((int(r.size), str(r.root), str(r.note)) for r in rows),
    )


def event_pages(
    store: Store, size: int, page: int | None = None
) -> Iterator[tuple[list[Row[Any]], dict[int, list[str]]]]:
    """The events with seq < size in seq order, a page per short transaction (SQLite's
    take the write lock), each with the objects of its events (unsorted)."""
    low: int | None = None
    while True:
        with store.engine.connect() as conn:
            query = select(audit_event).where(audit_event.c.seq < size)
            if low is not None:
                query = query.where(audit_event.c.seq >= low)
            rows = list(conn.execute(query.order_by(audit_event.c.seq).limit(page or PAGE)))
            if not rows:
                return
            objects: dict[int, list[str]] = {}
            for seq, obj in conn.execute(
                select(audit_object.c.seq, audit_object.c.object).where(
                    audit_object.c.seq.between(rows[0].seq, rows[-1].seq)
                )
            ):
                objects.setdefault(seq, []).append(obj)
        yield rows, objects
        low = rows[-1].seq + 1
