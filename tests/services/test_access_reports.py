"""Access reports are complete and exact: checked against a random history kept aside.

A seeded history of a few hundred events (consultations and disclosures of several
entities each, refused ones too, and noise: collection, alteration, administration,
logins, audit reads) is written through the real `audit.append`, and kept as plain
records. The expected answers are computed from those records in plain Python; the
reports must equal them, item for item.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import TypeVar

import pytest
from sqlalchemy import select

from casegraph.errors import AccessDeniedError, InvalidInputError
from casegraph.security.audit_event import ActionClass, EventDraft
from casegraph.security.context import Context
from casegraph.services import audit
from casegraph.services.audit_reports import AccessEntry, AuditEventView, activity, who_accessed
from casegraph.services.identity import create_owner
from casegraph.services.store import Store, init_store
from casegraph.store.tables import audit_event, audit_head
from tests.conftest import BACKENDS, OWNER, OWNER_GROUP
from tests.helpers import backend_settings, context_for, make_user

ENTITIES = [f"e{i}" for i in range(1, 17)] + ["E1", "e_1", "e%1", "ñandú-7"]
USERS = ["ana", "bob", "cy", "dee", "eve"]
T = TypeVar("T")


@dataclass(frozen=True)
class Record:
    """One event as the test wrote it."""

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


def _draft(rng: random.Random, i: int) -> EventDraft:
    kind = rng.choices(
        ["consult", "disclose", "collect", "alter", "admin", "login"], [45, 15, 10, 10, 10, 10]
    )[0]
    some = rng.sample(ENTITIES, rng.randint(1, 4))
    refs = [f"entity:{e}" for e in some]
    denied = rng.random() < 0.15
    purpose = rng.choice([None, "case:C-1", "case:C-2", "a written justification"])
    if kind == "consult":
        action, operation = ActionClass.CONSULT, rng.choice(["entity.show", "search", "graph"])
    elif kind == "disclose":
        action, operation = ActionClass.DISCLOSE, "export.ftm"
        refs += [f"entity:{e}" for e in rng.sample(ENTITIES, 2)] + ["dataset:leak"]
    elif kind == "collect":
        action, operation, refs = ActionClass.COLLECT, "ingest", [*refs, "dataset:registry"]
    elif kind == "alter":
        action, operation = ActionClass.ALTER, "correction.add"
    elif kind == "admin":
        action, operation, refs = ActionClass.ADMIN, "user.add", [f"user:{rng.choice(USERS)}"]
    else:
        action, operation, refs = ActionClass.LOGIN, "login", [f"user:{rng.choice(USERS)}"]
    return EventDraft(
        action=action,
        operation=operation,
        decision="deny" if denied else "allow",
        rule=rng.choice(["clearance", "grant"]) if denied else "grant",
        reason=f"event {i}",
        objects=tuple(refs),
        purpose=purpose,
        recipients=tuple(rng.sample(["court", "press"], rng.randint(0, 2)))
        if kind == "disclose"
        else (),
    )


@dataclass
class History:
    store: Store
    auditor: Context
    owner: Context
    records: list[Record]

    def head(self) -> int:
        with self.store.engine.connect() as conn:
            return int(conn.execute(select(audit_head.c.size)).scalar_one())

    def time_of(self, seq: int) -> str:
        with self.store.engine.connect() as conn:
            return str(
                conn.execute(
                    select(audit_event.c.time).where(audit_event.c.seq == seq)
                ).scalar_one()
            )

    def call(self, ctx: Context, operation: str, subject: str, run: Callable[[], T]) -> T:
        """Run an audit report as `ctx` and keep the event it records."""
        seq = self.head()
        try:
            result = run()
        finally:
            allowed = ctx is self.auditor
            self.records.append(
                Record(
                    seq=seq,
                    time=self.time_of(seq),
                    actor=ctx.actor.name,
                    action="consult",
                    operation=operation,
                    decision="allow" if allowed else "deny",
                    rule="role:auditor",
                    reason="auditors read the audit log"
                    if allowed
                    else "only auditors read the audit log",
                    purpose=ctx.purpose_text,
                    recipients=(),
                    objects=(subject,),
                )
            )
        return result

    def who(self, entity: str) -> list[AccessEntry]:
        return self.call(
            self.auditor,
            "audit.who-accessed",
            f"audit-subject:entity:{entity}",
            lambda: who_accessed(self.store, self.auditor, entity),
        )

    def trail(self, user: str, **options: object) -> list[AuditEventView]:
        return self.call(
            self.auditor,
            "audit.activity",
            f"audit-subject:user:{user}",
            lambda: activity(self.store, self.auditor, user, **options),  # type: ignore[arg-type]
        )


@pytest.fixture(scope="module", params=BACKENDS)
def module_store(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Store]:
    """A store for the whole module (the history is only appended to), per backend."""
    data_dir = tmp_path_factory.mktemp("access-reports") / "data"
    with backend_settings(request, data_dir) as cfg:
        store = init_store(cfg)
        try:
            create_owner(store, name=OWNER, password=None, group=OWNER_GROUP)
            yield store
        finally:
            store.close()


@pytest.fixture(scope="module")
def history(module_store: Store) -> History:
    """The history, written once per backend; tests add their report queries to it."""
    store = module_store
    owner = context_for(store, OWNER, purpose="case:TEST-1")
    auditor = make_user(store, owner, "aud", roles="auditor")
    story = History(store, auditor, owner, [])
    rng = random.Random(2026)
    for batch in range(6):
        with store.engine.begin() as conn:
            for i in range(batch * 60, batch * 60 + 60):
                actor = rng.choice(USERS)
                draft = _draft(rng, i)
                event = audit.append(conn, store, actor=actor, draft=draft)
                story.records.append(
                    Record(
                        seq=event.seq,
                        time=event.time,
                        actor=actor,
                        action=draft.action.value,
                        operation=draft.operation,
                        decision=draft.decision,
                        rule=draft.rule,
                        reason=draft.reason,
                        purpose=draft.purpose,
                        recipients=draft.recipients,
                        objects=tuple(sorted(set(draft.objects))),
                    )
                )
        # Audit reads in between: they must never count as accesses to the entity.
        story.who(rng.choice(ENTITIES))
        story.trail(rng.choice(USERS))
    return story


def _expected_access(records: list[Record], entity: str) -> list[AccessEntry]:
    return [
        AccessEntry(
            seq=r.seq,
            time=r.time,
            actor=r.actor,
            action=r.action,
            operation=r.operation,
            purpose=r.purpose,
            decision=r.decision,
            rule=r.rule,
            reason=r.reason,
            recipients=r.recipients,
        )
        for r in sorted(records, key=lambda r: r.seq)
        if f"entity:{entity}" in r.objects and r.action in ("consult", "disclose")
    ]


def _expected_activity(records: list[Record], user: str) -> list[AuditEventView]:
    return [
        AuditEventView(
            seq=r.seq,
            time=r.time,
            actor=r.actor,
            action=r.action,
            operation=r.operation,
            decision=r.decision,
            rule=r.rule,
            reason=r.reason,
            purpose=r.purpose,
            recipients=r.recipients,
            objects=r.objects,
        )
        for r in sorted(records, key=lambda r: r.seq)
        if r.actor == user
    ]


def test_who_accessed_lists_every_consultation_and_disclosure_exactly(history: History) -> None:
    denied = 0
    for entity in ENTITIES:
        got = history.who(entity)
        want = _expected_access(history.records, entity)
        assert got == want, entity
        denied += sum(e.decision == "deny" for e in got)
    assert denied > 0  # refused attempts are part of the record
    assert history.who("never-touched") == []


def test_activity_is_each_user_s_whole_trail(history: History) -> None:
    for user in USERS:
        trail = history.trail(user)
        assert trail == _expected_activity(history.records, user), user
        assert len(trail) > 30


def test_activity_from_a_time_and_up_to_a_limit(history: History) -> None:
    mine = _expected_activity(history.records, "ana")
    since = mine[len(mine) // 2].time
    got = history.trail("ana", since=since)
    assert got == [e for e in mine if e.time >= since]
    assert history.trail("ana", since=since, limit=3) == got[:3]
    assert history.trail("ana", since="2000-01-01") == mine
    assert history.trail("ana", since="2999-01-01T00:00:00+02:00") == []


def test_the_auditor_s_reports_show_in_their_activity_not_as_accesses(history: History) -> None:
    entity = "e3"
    for _ in range(2):
        history.who(entity)
    accesses = history.who(entity)
    assert all(e.actor != "aud" for e in accesses)
    assert accesses == _expected_access(history.records, entity)
    # The auditor's trail is exactly their report queries, this one included.
    trail = history.trail("aud")
    assert trail == _expected_activity(history.records, "aud")
    assert {e.operation for e in trail} == {"audit.who-accessed", "audit.activity"}
    assert trail[-1].objects == ("audit-subject:user:aud",)


def test_a_non_auditor_is_refused_and_that_is_recorded_too(history: History) -> None:
    owner = history.owner
    with pytest.raises(AccessDeniedError):
        history.call(
            owner,
            "audit.who-accessed",
            "audit-subject:entity:e3",
            lambda: who_accessed(history.store, owner, "e3"),
        )
    with pytest.raises(AccessDeniedError):
        history.call(
            owner,
            "audit.activity",
            "audit-subject:user:ana",
            lambda: activity(history.store, owner, "ana"),
        )
    # The refusals are in the owner's trail, and are not accesses to e3.
    owner_trail = history.trail(owner.actor.name)
    assert owner_trail[-2:] == _expected_activity(history.records, owner.actor.name)[-2:]
    assert history.who("e3") == _expected_access(history.records, "e3")


def test_bad_options_are_refused(history: History) -> None:
    with pytest.raises(InvalidInputError, match="ISO 8601"):
        activity(history.store, history.auditor, "ana", since="last tuesday")
    with pytest.raises(InvalidInputError, match="at least 1"):
        activity(history.store, history.auditor, "ana", limit=0)
