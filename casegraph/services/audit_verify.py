"""Verifying the whole audit log: every event, every checkpoint, the head.

`verify_log` streams the events by seq, a page at a time, and keeps only their leaf
hashes (with the roots of complete subtrees, about 64 bytes per event). For each event
it recomputes the leaf from the row's columns and the objects digest from its
`audit_object` rows, compares them with the stored ones, and checks that seqs run from
0 without gaps. The tree is built from the stored leaf hashes: at each checkpoint's
size its root must equal the checkpoint row's and the signed note's, consecutive
checkpoints must pass a consistency proof, and at the end the head's size and frontier
must equal the recomputed ones. So each link of the chain (fields -> leaf hash ->
signed root) is checked on its own, and a problem is reported where the chain breaks.

What it can and cannot detect. Anyone who changes, removes, reorders or inserts events
without the signing key breaks a leaf hash, a root, a signature or the head. Whoever
holds the signing key (or replaced the store's verifier key) can rewrite the log and
re-sign every checkpoint; only a checkpoint exported earlier and kept elsewhere
(`against`, with the verifier key kept with it) detects that: the root of the log at
that size must still be the exported one.

A tampered log is not an exception: the report lists the problems, each with the first
event concerned. The CLI turns a failed report into `AuditIntegrityError` (exit 10).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Row

from casegraph.errors import AuditIntegrityError, InvalidInputError
from casegraph.ingest.progress import NoProgress, Progress
from casegraph.security.audit_event import objects_digest
from casegraph.security.checkpoint import Checkpoint, VerifierKey, open_checkpoint
from casegraph.security.context import Context
from casegraph.security.merkle import HASH_SIZE, Frontier, leaf_hash, verify_consistency
from casegraph.security.proof import LeafHashes
from casegraph.services import audit
from casegraph.services.audit_read import (
    LogSnapshot,
    authorize,
    event_of_row,
    event_pages,
    snapshot,
)
from casegraph.services.store import Store

#: Problems listed in a report; more are only counted.
MAX_PROBLEMS = 100


@dataclass(frozen=True, slots=True)
class Problem:
    """One thing that does not verify. `seq` is the first event concerned, when known."""

    seq: int | None
    kind: str
    message: str


@dataclass(frozen=True, slots=True)
class VerifyReport:
    """What `verify_log` checked and found."""

    size: int  # events in the log according to its head
    events: int  # event rows checked
    checkpoints: int  # stored checkpoints checked
    root: str | None  # the root recomputed at `size` (hex), None if events are missing
    verifier_key: str
    against_size: int | None = None  # size of the exported checkpoint checked, if any
    problems: tuple[Problem, ...] = ()
    omitted: int = 0  # further problems, found but not listed

    @property
    def ok(self) -> bool:
        return not self.problems

    @property
    def first(self) -> Problem | None:
        return self.problems[0] if self.problems else None


def _verifier(key: str | None, store: Store) -> VerifierKey:
    text = store.verifier_key if key is None else key
    try:
        return VerifierKey.parse(text)
    except AuditIntegrityError as exc:
        if key is None:
            raise
        raise InvalidInputError(
            f"the verifier key {key!r} is not one: {exc.message} It looks like "
            "NAME+KEYID+BASE64, as printed by `casegraph audit checkpoint`."
        ) from None


@dataclass
class _Verifier:
    store: Store
    snap: LogSnapshot
    key: VerifierKey
    against: Checkpoint | None
    leaves: LeafHashes = field(default_factory=LeafHashes)
    problems: list[Problem] = field(default_factory=list)
    omitted: int = 0
    events: int = 0
    checked: int = 0
    expected: int = 0
    broken: bool = False  # events are missing: positions in the tree are unknown
    good: tuple[int, bytes] | None = None  # last checkpoint that matched: size, root
    against_matched: bool = False
    diverged: list[int] = field(default_factory=list)  # checkpoints that did not match
    by_size: dict[int, tuple[str, str]] = field(default_factory=dict)  # root hex, note

    def problem(self, seq: int | None, kind: str, message: str) -> None:
        if len(self.problems) < MAX_PROBLEMS:
            self.problems.append(Problem(seq, kind, message))
        else:
            self.omitted += 1

    # The run.

    def run(self, progress: Progress) -> VerifyReport:
        snap = self.snap
        for size, root, note in snap.checkpoints:
            self.by_size[size] = (root, note)
        beyond = [size for size in self.by_size if size > snap.size]
        if beyond:
            self.problem(
                snap.size,
                "truncated",
                f"checkpoints of sizes {_sizes(beyond)} cover more events than the log "
                f"holds ({snap.size}): events from seq {snap.size} on were removed",
            )
        if snap.extra:
            self.problem(
                snap.extra[0],
                "extra",
                f"events {', '.join(map(str, snap.extra[:10]))}"
                f"{' and more' if len(snap.extra) > 10 else ''} are stored beyond the log's "
                f"head (size {snap.size}): they were inserted outside casegraph",
            )
        if self.against is not None and self.against.size > snap.size:
            self.problem(
                snap.size,
                "against",
                f"the exported checkpoint covers {self.against.size} events but the log "
                f"holds only {snap.size}: events from seq {snap.size} on were removed",
            )
        progress.start(description="verifying the audit log", total=snap.size)
        try:
            self._at_size(0)
            for rows, objects in event_pages(self.store, self.snap.size):
                for row in rows:
                    self._event(row, objects.get(row.seq, []))
                progress.advance(len(rows))
            if self.expected < snap.size:
                self._missing(self.expected, snap.size)
            self._head()
        finally:
            progress.finish()
        if len(self.diverged) > 1:
            self.problem(
                None,
                "checkpoint",
                f"the later checkpoints of sizes {_sizes(self.diverged[1:])} differ as well: "
                "they cover the same altered events",
            )
        return VerifyReport(
            size=snap.size,
            events=self.events,
            checkpoints=self.checked,
            root=None if self.broken else self.leaves.root().hex(),
            verifier_key=str(self.key),
            against_size=None if self.against is None else self.against.size,
            # First event concerned first; problems about no event in particular last.
            problems=tuple(sorted(self.problems, key=lambda p: (p.seq is None, p.seq or 0))),
            omitted=self.omitted,
        )

    # One event.

    def _event(self, row: Row[Any], objects: list[str]) -> None:
        seq = int(row.seq)
        self.events += 1
        if seq < self.expected:
            self.problem(seq, "order", f"event {seq} is out of place: seqs start at 0")
            return
        if seq > self.expected:
            self._missing(self.expected, seq)
        self.expected = seq + 1
        listed = tuple(sorted(objects))  # code point order, as objects_digest hashes
        if len(listed) != row.objects_count or objects_digest(listed) != row.objects_digest:
            self.problem(
                seq,
                "objects",
                f"event {seq}: its objects do not match its objects count and digest "
                f"({len(listed)} stored, the event says {row.objects_count}): an object "
                "was added, removed or changed",
            )
        leaf = self._leaf(seq, row)
        if not self.broken:
            self.leaves.append(leaf)
            self._at_size(seq + 1)

    def _leaf(self, seq: int, row: Row[Any]) -> bytes:
        """The leaf for the tree: the stored leaf hash, once the row's fields are checked
        against it. So fields are bound to the stored leaf, and stored leaves to the
        signed roots; a change shows where it breaks the chain."""
        stored = _hex_hash(row.leaf_hash)
        try:
            leaf = leaf_hash(event_of_row(row).leaf_data())
        except (AuditIntegrityError, TypeError, ValueError) as exc:
            self.problem(seq, "event", f"event {seq}: its row cannot be read ({exc})")
            return stored or bytes(HASH_SIZE)
        if stored is None:
            self.problem(seq, "leaf", f"event {seq}: its stored leaf hash is not a hash")
        elif leaf != stored:
            self.problem(
                seq,
                "leaf",
                f"event {seq}: its fields (time {row.time}, actor {row.actor}, operation "
                f"{row.operation}, ...) do not hash to its stored leaf hash: a field was "
                "changed after the event was written, or events were swapped",
            )
        return stored or leaf

    def _missing(self, first: int, end: int) -> None:
        self.problem(
            first,
            "missing",
            f"events {_range(first, end - 1)} are missing: they were deleted from the log",
        )
        if not self.broken:
            self.broken = True
            later = [s for s in self.by_size if first < s <= self.snap.size]
            if later:
                self.problem(
                    first,
                    "unchecked",
                    f"the checkpoints of sizes {_sizes(later)} cannot be checked: events "
                    "before them are missing",
                )

    # Checkpoints, the exported checkpoint and the head.

    def _at_size(self, size: int) -> None:
        every = self.store.checkpoint_every
        if size and size % every == 0 and size not in self.by_size:
            self.problem(
                None,
                "checkpoint",
                f"the checkpoint of size {size} is missing (one is made every {every} "
                "events): it was deleted",
            )
        if size in self.by_size:
            self._checkpoint(size, *self.by_size[size])
        if self.against is not None and self.against.size == size:
            self._against(size)

    def _checkpoint(self, size: int, stored_root: str, note: str) -> None:
        self.checked += 1
        root = self.leaves.root(size)
        start = 0 if self.good is None else self.good[0]
        try:
            signed: Checkpoint | None = open_checkpoint(note, self.key, origin=self.store.origin)
        except AuditIntegrityError as exc:
            signed = None
            self.problem(
                None,
                "signature",
                f"checkpoint of size {size}: its signed note does not verify with the "
                f"verifier key {self.key}: {exc.message}",
            )
        if signed is not None and signed.size != size:
            self.problem(
                None,
                "checkpoint",
                f"checkpoint of size {size}: its signed note is for size {signed.size}",
            )
            signed = None
        differs = ["stored root"] if stored_root != root.hex() else []
        if signed is not None and signed.root != root:
            differs.append("signed root")
        if differs:
            if not self.diverged:
                self.problem(
                    start,
                    "checkpoint",
                    f"checkpoint of size {size}: its {' and '.join(differs)} differ from the "
                    f"root recomputed from events 0..{size - 1} ({root.hex()[:16]}…): an "
                    f"event from seq {start} to {size - 1} was altered, removed or "
                    "inserted, and its leaf hash recomputed",
                )
            self.diverged.append(size)
            return
        if signed is None:
            return
        if self.good is not None and 0 < self.good[0] < size:
            old_size, old_root = self.good
            try:
                verify_consistency(
                    old_size, size, self.leaves.consistency_proof(old_size, size), old_root, root
                )
            except AuditIntegrityError as exc:
                self.problem(
                    old_size,
                    "consistency",
                    f"checkpoints of sizes {old_size} and {size} are not consistent: {exc.message}",
                )
        self.good = (size, signed.root)

    def _against(self, size: int) -> None:
        assert self.against is not None
        root = self.leaves.root(size)
        self.against_matched = root == self.against.root
        if not self.against_matched:
            self.problem(
                None,
                "against",
                f"the log's first {size} events (seqs 0..{size - 1}) do not match the "
                "checkpoint exported at that size: the log was rewritten after the export "
                "(its checkpoints were re-signed)",
            )

    def _head(self) -> None:
        snap = self.snap
        if snap.frontier is None:
            self.problem(snap.size, "head", "the log has no head row (audit_head id 1)")
            return
        try:
            head = Frontier.from_json(json.loads(snap.frontier))
        except (AuditIntegrityError, ValueError) as exc:
            self.problem(snap.size, "head", f"the log's head is unreadable: {exc}")
            return
        if head.size != snap.size:
            self.problem(
                min(head.size, snap.size),
                "head",
                f"the log's head says {snap.size} events but its frontier covers {head.size}",
            )
        elif not self.broken and head != self.leaves.frontier(snap.size):
            self.problem(
                None,
                "head",
                f"the log's head (size {snap.size}) does not match the tree recomputed from "
                "the events: the head was rewritten",
            )
        if self.against_matched and self.against is not None and self.against.size > 0:
            try:
                verify_consistency(
                    self.against.size,
                    snap.size,
                    self.leaves.consistency_proof(self.against.size, snap.size),
                    self.against.root,
                    self.leaves.root(snap.size),
                )
            except AuditIntegrityError as exc:
                self.problem(
                    None,
                    "against",
                    f"the log does not extend the exported checkpoint: {exc.message}",
                )


def _hex_hash(text: object) -> bytes | None:
    if not isinstance(text, str) or len(text) != 2 * HASH_SIZE:
        return None
    try:
        return bytes.fromhex(text)
    except ValueError:
        return None


def _range(first: int, last: int) -> str:
    return str(first) if first == last else f"{first}..{last}"


def _sizes(sizes: list[int]) -> str:
    sizes = sorted(sizes)
    return ", ".join(map(str, sizes[:10])) + (
        f" and {len(sizes) - 10} more" if len(sizes) > 10 else ""
    )


def _open_against(
    store: Store, text: str, key: VerifierKey
) -> tuple[Checkpoint | None, str | None]:
    """The exported checkpoint, or the problem with it."""
    try:
        checkpoint = open_checkpoint(text, key)
    except AuditIntegrityError as exc:
        return None, (
            f"the exported checkpoint does not verify with the verifier key {key}: "
            f"{exc.message} Either the export or the key was altered, or this store's "
            "verifier key was replaced: pass the key kept with the export."
        )
    if checkpoint.origin != store.origin:
        return None, (
            f"the exported checkpoint is for log {checkpoint.origin!r}, this store's log is "
            f"{store.origin!r}"
        )
    return checkpoint, None


def verify_log(
    store: Store,
    ctx: Context,
    *,
    against: str | None = None,
    key: str | None = None,
    progress: Progress | None = None,
) -> VerifyReport:
    """Check the whole audit log; the report says what does not verify (auditors only).

    `key` is the verifier key to trust (default: the store's, as recorded at init).
    `against` is the text of a checkpoint exported earlier: the log must still contain
    it, which detects a log rewritten and re-signed since. The log verified is the one
    as it stood when the call began; its own event is committed before it returns.
    """
    draft = authorize(store, ctx, operation="audit.verify")
    verifier = _verifier(key, store)
    witness, trouble = (None, None) if against is None else _open_against(store, against, verifier)
    checker = _Verifier(store=store, snap=snapshot(store), key=verifier, against=witness)
    # Recorded before anything is reported; the log verified is the one as it stood when
    # the verification began, so a truncation is reported at the first seq removed.
    try:
        audit.record_alone(store, ctx, draft)
    except AuditIntegrityError as exc:
        # A log broken at its head refuses every append, this one too. Verification
        # returns no content, so it goes on: an oversight body must learn what is wrong.
        checker.problem(None, "unrecorded", f"this verification could not be logged: {exc}")
    if trouble is not None:
        checker.problem(None, "against", trouble)
    return checker.run(progress or NoProgress())
