"""Inclusion proofs of audit events, and checking them offline; pure.

A `ProofBundle` is what `casegraph audit proof` hands to someone outside casegraph (a
court, a data-protection officer, a witness): one event as the exact bytes its Merkle
leaf hashes, its objects, the RFC 9162 inclusion proof of that leaf in the tree of
`tree_size` events, and the signed checkpoint of that size. `check_proof` needs only the
bundle, a checkpoint the checker kept (exported earlier with `casegraph audit checkpoint
--export`) and the log's verifier key: no store, no network.

`LeafHashes` keeps the leaf hashes of a whole log packed (32 bytes each) together with
the root of every complete perfect subtree, so roots, inclusion and consistency proofs
at any size cost O(log² n) instead of the O(n) of `merkle.inclusion_proof` /
`merkle.consistency_proof`, which rehash every leaf on each call. Verifying a log of
n events with one checkpoint every k events asks for n / k consistency proofs; at
O(n) each that is quadratic. The proofs it builds follow RFC 9162 §2.1.3.1 and §2.1.4.1
exactly (tests compare them with `merkle`'s for every size up to 64), and every proof is
checked with `merkle.verify_inclusion` / `merkle.verify_consistency`, never trusted.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import ClassVar, overload

from casegraph.errors import AuditIntegrityError
from casegraph.security.audit_event import objects_digest
from casegraph.security.checkpoint import VerifierKey, open_checkpoint
from casegraph.security.merkle import (
    EMPTY_ROOT,
    HASH_SIZE,
    Frontier,
    leaf_hash,
    node_hash,
    verify_inclusion,
)

__all__ = ["PROOF_FORMAT", "LeafHashes", "ProofBundle", "check_proof"]

PROOF_FORMAT = "casegraph-audit-inclusion-proof/1"
"""The `format` field of a serialised `ProofBundle`."""


def _split(n: int) -> int:
    """The largest power of two smaller than n (n > 1), RFC 9162 §2.1.1."""
    return 1 << ((n - 1).bit_length() - 1)


class LeafHashes(Sequence[bytes]):
    """The leaf hashes of a log, in order, with the roots of all complete perfect subtrees.

    Level h keeps the root of every aligned perfect subtree of 2^h leaves that is
    complete, 32 bytes each, so the whole structure takes about 64 bytes per leaf. It is
    a `Sequence[bytes]` of the leaf hashes, so `merkle`'s functions accept it as well.
    """

    __slots__ = ("_levels",)

    def __init__(self) -> None:
        self._levels: list[bytearray] = [bytearray()]

    def append(self, leaf: bytes) -> None:
        """Add the hash of the next leaf (see `merkle.leaf_hash`)."""
        if not isinstance(leaf, bytes) or len(leaf) != HASH_SIZE:
            raise AuditIntegrityError(f"A leaf hash must be {HASH_SIZE} bytes.")
        self._levels[0] += leaf
        height = 0
        # Each completed pair of subtrees of height h completes one of height h + 1.
        while (len(self._levels[height]) // HASH_SIZE) % 2 == 0:
            level = self._levels[height]
            if len(self._levels) == height + 1:
                self._levels.append(bytearray())
            self._levels[height + 1] += node_hash(bytes(level[-64:-32]), bytes(level[-32:]))
            height += 1

    def __len__(self) -> int:
        return len(self._levels[0]) // HASH_SIZE

    @overload
    def __getitem__(self, index: int) -> bytes: ...

    @overload
    def __getitem__(self, index: slice) -> list[bytes]: ...

    def __getitem__(self, index: int | slice) -> bytes | list[bytes]:
        if isinstance(index, slice):
            return [self[i] for i in range(*index.indices(len(self)))]
        size = len(self)
        if index < 0:
            index += size
        if not 0 <= index < size:
            raise IndexError(f"leaf index {index} out of range for {size} leaves")
        return self._node(0, index)

    def __iter__(self) -> Iterator[bytes]:
        for i in range(len(self)):
            yield self._node(0, i)

    def _node(self, height: int, index: int) -> bytes:
        start = index * HASH_SIZE
        return bytes(self._levels[height][start : start + HASH_SIZE])

    def _check_size(self, size: int, what: str = "tree size") -> None:
        if not 0 <= size <= len(self):
            raise AuditIntegrityError(
                f"The {what} {size} is not between 0 and the {len(self)} leaves known."
            )

    def mth(self, lo: int, hi: int) -> bytes:
        """MTH(D[lo:hi]) for 0 <= lo < hi <= len(self), from the cached subtrees."""
        n = hi - lo
        if n & (n - 1) == 0 and lo % n == 0:
            return self._node(n.bit_length() - 1, lo // n)
        k = _split(n)
        return node_hash(self.mth(lo, lo + k), self.mth(lo + k, hi))

    def root(self, size: int | None = None) -> bytes:
        """The Merkle root of the first `size` leaves (all by default)."""
        size = len(self) if size is None else size
        self._check_size(size)
        return EMPTY_ROOT if size == 0 else self.mth(0, size)

    def frontier(self, size: int | None = None) -> Frontier:
        """The `merkle.Frontier` of the tree of the first `size` leaves (all by default)."""
        size = len(self) if size is None else size
        self._check_size(size)
        hashes: list[str] = []
        offset = 0
        for height in range(size.bit_length() - 1, -1, -1):
            if size >> height & 1:
                hashes.append(self._node(height, offset >> height).hex())
                offset += 1 << height
        return Frontier.from_json({"size": size, "hashes": hashes})

    def inclusion_proof(self, index: int, size: int | None = None) -> list[bytes]:
        """PATH(index, D[0:size]) of RFC 9162 §2.1.3.1, bottom hash first."""
        size = len(self) if size is None else size
        self._check_size(size)
        if not 0 <= index < size:
            raise AuditIntegrityError(f"Leaf index {index} is not in a tree of size {size}.")
        proof: list[bytes] = []
        lo, hi, m = 0, size, index
        while hi - lo > 1:
            k = _split(hi - lo)
            if m < k:
                proof.append(self.mth(lo + k, hi))
                hi = lo + k
            else:
                proof.append(self.mth(lo, lo + k))
                lo, m = lo + k, m - k
        proof.reverse()
        return proof

    def consistency_proof(self, old_size: int, size: int | None = None) -> list[bytes]:
        """SUBPROOF(old_size, D[0:size], true) of RFC 9162 §2.1.4.1 (0 < old_size <= size)."""
        size = len(self) if size is None else size
        self._check_size(size)
        if not 0 < old_size <= size:
            raise AuditIntegrityError(
                f"A consistency proof needs 0 < old size <= size, got {old_size} and {size}."
            )
        proof: list[bytes] = []
        lo, hi, m, complete = 0, size, old_size, True
        while m != hi - lo:
            k = _split(hi - lo)
            if m <= k:
                proof.append(self.mth(lo + k, hi))
                hi = lo + k
            else:
                proof.append(self.mth(lo, lo + k))
                lo, m, complete = lo + k, m - k, False
        if not complete:
            proof.append(self.mth(lo, hi))
        proof.reverse()
        return proof


def _fail(message: str) -> AuditIntegrityError:
    return AuditIntegrityError(message)


def _b64(raw: bytes) -> str:
    return base64.b64encode(raw).decode("ascii")


def _unb64(text: str, what: str) -> bytes:
    try:
        raw = base64.b64decode(text.encode("ascii"), validate=True)
    except (binascii.Error, UnicodeEncodeError, ValueError):
        raise _fail(f"The {what} is not valid base64: {text!r}.") from None
    if len(raw) != HASH_SIZE:
        raise _fail(f"The {what} must be {HASH_SIZE} bytes, got {len(raw)}.")
    return raw


_FIELDS: dict[str, type] = {
    "format": str,
    "origin": str,
    "leaf_index": int,
    "tree_size": int,
    "event": str,
    "objects": list,
    "leaf_hash": str,
    "proof": list,
    "checkpoint": str,
    "verifier_key": str,
}


@dataclass(frozen=True, slots=True)
class ProofBundle:
    """One audit event and the proof that it is leaf `leaf_index` of the signed log.

    `event` is the event's leaf data (its canonical JSON, exactly the bytes hashed into
    `leaf_hash`); `objects` are its object references, which the event covers through
    `objects_count` and `objects_digest`; `proof` is the inclusion proof (base64 hashes,
    bottom first) in the tree of `tree_size` leaves whose signed `checkpoint` is given,
    with the `verifier_key` the log claims. Check it with `check_proof` against a
    checkpoint and key you trust, not the ones inside.
    """

    FORMAT: ClassVar[str] = PROOF_FORMAT

    origin: str
    leaf_index: int
    tree_size: int
    event: str
    objects: tuple[str, ...]
    leaf_hash: str
    proof: tuple[str, ...]
    checkpoint: str
    verifier_key: str

    @classmethod
    def build(
        cls,
        *,
        origin: str,
        leaf_index: int,
        tree_size: int,
        leaf_data: bytes,
        objects: Sequence[str],
        proof: Sequence[bytes],
        checkpoint: str,
        verifier_key: str,
    ) -> ProofBundle:
        return cls(
            origin=origin,
            leaf_index=leaf_index,
            tree_size=tree_size,
            event=leaf_data.decode("utf-8"),
            objects=tuple(objects),
            leaf_hash=leaf_hash(leaf_data).hex(),
            proof=tuple(_b64(h) for h in proof),
            checkpoint=checkpoint,
            verifier_key=verifier_key,
        )

    def event_fields(self) -> dict[str, object]:
        """The event's fields, parsed from `event`."""
        try:
            fields = json.loads(self.event)
        except ValueError:
            raise _fail("The proof's event is not JSON: the proof file is damaged.") from None
        if not isinstance(fields, dict):
            raise _fail("The proof's event is not a JSON object: the proof file is damaged.")
        return fields

    def to_dict(self) -> dict[str, object]:
        return {
            "format": PROOF_FORMAT,
            "origin": self.origin,
            "leaf_index": self.leaf_index,
            "tree_size": self.tree_size,
            "event": self.event,
            "objects": list(self.objects),
            "leaf_hash": self.leaf_hash,
            "proof": list(self.proof),
            "checkpoint": self.checkpoint,
            "verifier_key": self.verifier_key,
        }

    def to_json(self) -> str:
        """The bundle as an indented JSON document (what `--out` writes)."""
        return json.dumps(self.to_dict(), indent=2, ensure_ascii=False) + "\n"

    @classmethod
    def from_json(cls, text: str | bytes) -> ProofBundle:
        """Read what `to_json` wrote; raise `AuditIntegrityError` if it is not a bundle."""
        try:
            data = json.loads(text)
        except ValueError as exc:
            raise _fail(
                f"The proof is not JSON ({exc}): expected a file written by "
                "`casegraph audit proof`."
            ) from None
        if not isinstance(data, dict):
            raise _fail(
                "The proof is not a JSON object: expected a file written by "
                "`casegraph audit proof`."
            )
        if data.get("format") != PROOF_FORMAT:
            raise _fail(f"The proof's format is {data.get('format')!r}, expected {PROOF_FORMAT!r}.")
        if set(data) != set(_FIELDS):
            raise _fail(f"The proof has the fields {sorted(data)}, expected {sorted(_FIELDS)}.")
        for name, kind in _FIELDS.items():
            value = data[name]
            if not isinstance(value, kind) or isinstance(value, bool):
                raise _fail(f"The proof's field {name!r} must be a {kind.__name__}.")
        for name in ("objects", "proof"):
            if not all(isinstance(v, str) for v in data[name]):
                raise _fail(f"The proof's field {name!r} must be a list of strings.")
        return cls(
            origin=data["origin"],
            leaf_index=data["leaf_index"],
            tree_size=data["tree_size"],
            event=data["event"],
            objects=tuple(data["objects"]),
            leaf_hash=data["leaf_hash"],
            proof=tuple(data["proof"]),
            checkpoint=data["checkpoint"],
            verifier_key=data["verifier_key"],
        )


def _check_event(bundle: ProofBundle) -> bytes:
    """The bundle's leaf hash, once the event text and objects are checked against it."""
    computed = leaf_hash(bundle.event.encode("utf-8"))
    if computed.hex() != bundle.leaf_hash:
        raise _fail(
            f"The event in the proof does not hash to the proof's leaf hash: the event text "
            f"(seq {bundle.leaf_index}) was altered after the proof was made."
        )
    fields = bundle.event_fields()
    if fields.get("seq") != bundle.leaf_index:
        raise _fail(
            f"The proof is for leaf {bundle.leaf_index} but its event says seq "
            f"{fields.get('seq')!r}: the proof file was altered."
        )
    objects = tuple(sorted(set(bundle.objects)))
    if (
        len(objects) != len(bundle.objects)
        or fields.get("objects_count") != len(objects)
        or fields.get("objects_digest") != objects_digest(objects)
    ):
        raise _fail(
            f"The objects listed in the proof do not match event {bundle.leaf_index}'s "
            "objects count and digest: an object was added, removed or changed."
        )
    return computed


def check_proof(bundle: ProofBundle, checkpoint_text: str, key: str | VerifierKey) -> None:
    """Check offline that `bundle`'s event is in the log that `checkpoint_text` signs.

    `checkpoint_text` is a signed checkpoint the checker kept, `key` the log's verifier
    key they trust. The checkpoint's signature, the event's leaf hash and objects, and
    the inclusion proof against the checkpoint's root must all hold. The proof must be
    for the checkpoint's size. Returns None; raises `AuditIntegrityError` saying what
    does not hold.
    """
    checkpoint = open_checkpoint(checkpoint_text, key)
    if checkpoint.origin != bundle.origin:
        raise _fail(
            f"The checkpoint is for log {checkpoint.origin!r}, the proof for log {bundle.origin!r}."
        )
    leaf = _check_event(bundle)
    if checkpoint.size != bundle.tree_size:
        raise _fail(
            f"The proof is for the log at size {bundle.tree_size}, the checkpoint is of size "
            f"{checkpoint.size}: ask for a proof at the checkpoint's size with `casegraph "
            f"audit proof {bundle.leaf_index} --size {checkpoint.size}`."
        )
    proof = [_unb64(h, f"proof hash {i}") for i, h in enumerate(bundle.proof)]
    verify_inclusion(leaf, bundle.leaf_index, checkpoint.size, proof, checkpoint.root)
