"""Audit events: what each operation leaves behind, and the bytes the Merkle tree hashes.

The action classes are those of the EU Law Enforcement Directive, Art. 25 (collection,
consultation, alteration, disclosure, combination, erasure), plus administration and
authentication. The leaf of an event is its canonical JSON (sorted keys, UTF-8, no
whitespace); its objects enter through a SHA-256 digest, so an export that touched
100,000 entities stays one small leaf while every object stays covered.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from enum import StrEnum

import orjson


class ActionClass(StrEnum):
    COLLECT = "collect"
    CONSULT = "consult"
    ALTER = "alter"
    DISCLOSE = "disclose"
    COMBINE = "combine"
    ERASE = "erase"
    ADMIN = "admin"
    LOGIN = "login"
    TOKEN = "token"


def entity_object(entity_id: str) -> str:
    return f"entity:{entity_id}"


def dataset_object(name: str) -> str:
    return f"dataset:{name}"


def user_object(name: str) -> str:
    return f"user:{name}"


def objects_digest(objects: tuple[str, ...]) -> str:
    """SHA-256 over the sorted, newline-joined object references."""
    digest = hashlib.sha256()
    for ref in objects:
        digest.update(ref.encode("utf-8"))
        digest.update(b"\n")
    return digest.hexdigest()


@dataclass(frozen=True, slots=True)
class EventDraft:
    """An event before the log gives it its place and time."""

    action: ActionClass
    operation: str
    decision: str  # "allow" or "deny"
    rule: str
    reason: str
    objects: tuple[str, ...] = ()
    purpose: str | None = None
    recipients: tuple[str, ...] = ()

    def normalised_objects(self) -> tuple[str, ...]:
        return tuple(sorted(set(self.objects)))


@dataclass(frozen=True, slots=True)
class AuditEvent:
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
    objects_count: int
    objects_digest: str
    objects: tuple[str, ...] = field(default=(), compare=False)

    def leaf_data(self) -> bytes:
        """The canonical bytes of this event: what its Merkle leaf hashes."""
        return orjson.dumps(
            {
                "seq": self.seq,
                "time": self.time,
                "actor": self.actor,
                "action": self.action,
                "operation": self.operation,
                "decision": self.decision,
                "rule": self.rule,
                "reason": self.reason,
                "purpose": self.purpose,
                "recipients": list(self.recipients),
                "objects_count": self.objects_count,
                "objects_digest": self.objects_digest,
            },
            option=orjson.OPT_SORT_KEYS,
        )
