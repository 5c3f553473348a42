"""Merkle tree hashing and proofs of RFC 9162 (Certificate Transparency v2), pure.

The tree is the one of RFC 9162 §2.1, identical to RFC 6962 §2.1, with SHA-256:
a leaf hashes as SHA-256(0x00 || data), an inner node as SHA-256(0x01 || left || right),
and the empty tree as SHA-256(""). The audit log appends one leaf per event; a signed
checkpoint then commits to the root, and the proofs below show that an event is in the
log (inclusion) and that a later log only extends an earlier one (consistency).

Why it is written here: no well-kept Python library implements RFC 9162 inclusion and
consistency proofs (the Go reference is github.com/transparency-dev/merkle). The maths is
small, so it lives in this one module, follows the RFC's algorithms step by step, and is
tested against every inclusion and consistency vector of transparency-dev/merkle.

Contents:

* `leaf_hash`, `node_hash`, `EMPTY_ROOT`, `root_of` (MTH, RFC 9162 §2.1.1);
* `Frontier`, the right edge of the tree (a "compact range" over [0, size)): O(log n)
  hashes that are enough to append leaves and compute the root without the old leaves,
  kept in a database row as JSON;
* `inclusion_proof` and `consistency_proof` (§2.1.3.1, §2.1.4.1), built from the full
  list of leaf hashes;
* `verify_inclusion` and `verify_consistency` (§2.1.3.2, §2.1.4.2), which return None or
  raise `AuditIntegrityError` (also named `ProofError` here) saying what is wrong.

Edge cases follow transparency-dev/merkle where the RFC is silent: a consistency proof
between equal sizes is empty and holds when the roots are equal; a consistency proof
from size 0 is refused (RFC 9162 defines it only for 0 < first), so a caller treats the
empty tree as trivially consistent with any tree instead of asking for a proof.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Mapping, Sequence
from typing import TypedDict

from casegraph.errors import AuditIntegrityError

__all__ = [
    "EMPTY_ROOT",
    "HASH_SIZE",
    "Frontier",
    "FrontierJSON",
    "ProofError",
    "consistency_proof",
    "inclusion_proof",
    "leaf_hash",
    "node_hash",
    "root_of",
    "verify_consistency",
    "verify_inclusion",
]

ProofError = AuditIntegrityError
"""A proof, a hash or a serialised frontier does not verify or is malformed."""

HASH_SIZE = 32
"""Bytes of a SHA-256 digest, the size of every leaf, node and root hash."""

EMPTY_ROOT = hashlib.sha256(b"").digest()
"""MTH({}) = SHA-256 of the empty string: the root of the tree with no leaves."""

_LEAF_PREFIX = b"\x00"
_NODE_PREFIX = b"\x01"
_HEX_HASH = re.compile(r"[0-9a-f]{64}")


def leaf_hash(data: bytes) -> bytes:
    """The hash of one leaf: SHA-256(0x00 || data)."""
    return hashlib.sha256(_LEAF_PREFIX + data).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    """The hash of an inner node: SHA-256(0x01 || left || right)."""
    return hashlib.sha256(_NODE_PREFIX + left + right).digest()


def _split(n: int) -> int:
    """k, the largest power of two smaller than n (n > 1), as in RFC 9162 §2.1.1."""
    return 1 << ((n - 1).bit_length() - 1)


def _check_size(value: int, what: str) -> None:
    if not isinstance(value, int) or isinstance(value, bool):
        raise ProofError(f"The {what} must be an integer, not {type(value).__name__}.")
    if value < 0:
        raise ProofError(f"The {what} must not be negative, got {value}.")


def _check_hash(value: bytes, what: str) -> None:
    if not isinstance(value, bytes):
        raise ProofError(f"The {what} must be bytes, not {type(value).__name__}.")
    if len(value) != HASH_SIZE:
        raise ProofError(f"The {what} must be {HASH_SIZE} bytes, got {len(value)}.")


def _check_leaves(leaf_hashes: Sequence[bytes]) -> None:
    for i, h in enumerate(leaf_hashes):
        _check_hash(h, f"leaf hash at index {i}")


def _mth(leaves: Sequence[bytes], lo: int, hi: int) -> bytes:
    """MTH(D[lo:hi]) for hi > lo, without copying the list (RFC 9162 §2.1.1)."""
    n = hi - lo
    if n == 1:
        return leaves[lo]
    k = _split(n)
    return node_hash(_mth(leaves, lo, lo + k), _mth(leaves, lo + k, hi))


def root_of(leaf_hashes: Sequence[bytes]) -> bytes:
    """MTH(D[n]), the Merkle tree hash of the leaves whose hashes are given, in order.

    The arguments are leaf hashes (see `leaf_hash`), not the leaf data.
    """
    _check_leaves(leaf_hashes)
    if not leaf_hashes:
        return EMPTY_ROOT
    return _mth(leaf_hashes, 0, len(leaf_hashes))


class FrontierJSON(TypedDict):
    """The JSON form of a `Frontier`: the tree size and the right-edge hashes in hex."""

    size: int
    hashes: list[str]


class Frontier:
    """The right edge of a Merkle tree: enough to append leaves and compute the root.

    For a tree of `size` leaves it keeps one hash per 1-bit of `size`: the roots of the
    perfect subtrees that cover [0, size), largest (leftmost) first. That is at most
    log2(size) + 1 hashes, whatever the size, so a database row can hold it and the
    log can grow without reading old leaves. `root()` equals `root_of` of all leaves
    ever appended.
    """

    __slots__ = ("_hashes", "_size")

    def __init__(self) -> None:
        self._size = 0
        self._hashes: list[bytes] = []

    @property
    def size(self) -> int:
        """The number of leaves appended so far."""
        return self._size

    @property
    def hashes(self) -> tuple[bytes, ...]:
        """The roots of the perfect subtrees along the right edge, leftmost first."""
        return tuple(self._hashes)

    def append(self, leaf_hash: bytes) -> None:
        """Add one leaf, given by its hash (see `leaf_hash`), at index `size`."""
        _check_hash(leaf_hash, "leaf hash")
        self._hashes.append(leaf_hash)
        # Each trailing 1-bit of the old size is a perfect subtree that now has a
        # sibling of the same height: merge them, as binary addition carries.
        size = self._size
        while size & 1:
            right = self._hashes.pop()
            left = self._hashes.pop()
            self._hashes.append(node_hash(left, right))
            size >>= 1
        self._size += 1

    def extend(self, leaf_hashes: Iterable[bytes]) -> None:
        """Append the leaves in order."""
        for h in leaf_hashes:
            self.append(h)

    def root(self) -> bytes:
        """MTH of all leaves appended: the subtree roots folded from right to left."""
        if not self._hashes:
            return EMPTY_ROOT
        root = self._hashes[-1]
        for h in reversed(self._hashes[:-1]):
            root = node_hash(h, root)
        return root

    def copy(self) -> Frontier:
        other = Frontier()
        other._size = self._size
        other._hashes = list(self._hashes)
        return other

    def to_json(self) -> FrontierJSON:
        """`{"size": n, "hashes": [hex, ...]}`, the form to keep in a database row."""
        return {"size": self._size, "hashes": [h.hex() for h in self._hashes]}

    @classmethod
    def from_json(cls, data: Mapping[str, object]) -> Frontier:
        """Read back what `to_json` wrote, checking its shape; raise if it is malformed."""
        if not isinstance(data, Mapping):
            raise ProofError("A serialised frontier must be a JSON object.")
        if set(data) != {"size", "hashes"}:
            raise ProofError(
                f"A serialised frontier has exactly the keys 'size' and 'hashes', "
                f"got {sorted(map(str, data))}."
            )
        size, hashes = data["size"], data["hashes"]
        if not isinstance(size, int) or isinstance(size, bool) or size < 0:
            raise ProofError(f"A serialised frontier's size must be an integer >= 0: {size!r}.")
        if not isinstance(hashes, list) or not all(isinstance(h, str) for h in hashes):
            raise ProofError("A serialised frontier's hashes must be a list of hex strings.")
        want = size.bit_count()
        if len(hashes) != want:
            raise ProofError(
                f"A frontier of size {size} has {want} hashes, the serialised one has "
                f"{len(hashes)}."
            )
        frontier = cls()
        for i, h in enumerate(hashes):
            if not _HEX_HASH.fullmatch(h):
                raise ProofError(
                    f"Hash {i} of a serialised frontier is not 64 lowercase hex digits: {h!r}."
                )
            frontier._hashes.append(bytes.fromhex(h))
        frontier._size = size
        return frontier

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Frontier):
            return NotImplemented
        return self._size == other._size and self._hashes == other._hashes

    __hash__ = None  # type: ignore[assignment]  # mutable

    def __repr__(self) -> str:
        return f"Frontier(size={self._size}, root={self.root().hex()})"


# Proof generation (RFC 9162 §2.1.3.1 and §2.1.4.1), from the full list of leaf hashes.


def _path(m: int, leaves: Sequence[bytes], lo: int, hi: int) -> list[bytes]:
    """PATH(m, D[lo:hi]): the inclusion proof of leaf lo + m, bottom hash first."""
    n = hi - lo
    if n == 1:
        return []
    k = _split(n)
    if m < k:
        return [*_path(m, leaves, lo, lo + k), _mth(leaves, lo + k, hi)]
    return [*_path(m - k, leaves, lo + k, hi), _mth(leaves, lo, lo + k)]


def _subproof(m: int, leaves: Sequence[bytes], lo: int, hi: int, complete: bool) -> list[bytes]:
    """SUBPROOF(m, D[lo:hi], b) of RFC 9162 §2.1.4.1."""
    n = hi - lo
    if m == n:
        return [] if complete else [_mth(leaves, lo, hi)]
    k = _split(n)
    if m <= k:
        return [*_subproof(m, leaves, lo, lo + k, complete), _mth(leaves, lo + k, hi)]
    return [*_subproof(m - k, leaves, lo + k, hi, False), _mth(leaves, lo, lo + k)]


def inclusion_proof(leaf_hashes: Sequence[bytes], index: int) -> list[bytes]:
    """The inclusion proof of leaf `index` in the tree of all `leaf_hashes`.

    Verify it with `verify_inclusion(leaf_hashes[index], index, len(leaf_hashes), proof,
    root_of(leaf_hashes))`.
    """
    _check_size(index, "leaf index")
    _check_leaves(leaf_hashes)
    if index >= len(leaf_hashes):
        raise ProofError(
            f"Leaf index {index} is not in a tree of size {len(leaf_hashes)}: it must be "
            f"smaller than the size."
        )
    return _path(index, leaf_hashes, 0, len(leaf_hashes))


def consistency_proof(leaf_hashes: Sequence[bytes], old_size: int) -> list[bytes]:
    """The proof that the tree of the first `old_size` leaves is a prefix of the tree of all.

    `old_size` must be between 1 and len(leaf_hashes); equal sizes give an empty proof.
    """
    _check_size(old_size, "old tree size")
    _check_leaves(leaf_hashes)
    n = len(leaf_hashes)
    if old_size == 0:
        raise ProofError(
            "A consistency proof from the empty tree does not exist: every tree extends it."
        )
    if old_size > n:
        raise ProofError(f"The old tree size {old_size} is larger than the tree size {n}.")
    return _subproof(old_size, leaf_hashes, 0, n, True)


# Proof verification (RFC 9162 §2.1.3.2 and §2.1.4.2).


def _inclusion_proof_size(index: int, size: int) -> int:
    """The length of the inclusion proof of leaf `index` in a tree of `size` (index < size).

    The path to the leaf and the path to the last leaf share their top; below the point
    where they split there is one hash per level ("inner"), above it one hash per left
    sibling on the right border ("border").
    """
    inner = (index ^ (size - 1)).bit_length()
    border = (index >> inner).bit_count()
    return inner + border


def _consistency_proof_size(size1: int, size2: int) -> int:
    """The length of the consistency proof between sizes 0 < size1 < size2."""
    shift = ((size1 & -size1).bit_length()) - 1  # trailing zero bits of size1
    inner = ((size1 - 1) ^ (size2 - 1)).bit_length() - shift
    border = ((size1 - 1) >> (inner + shift)).bit_count()
    first = 0 if size1 == 1 << shift else 1  # the size1 subtree root, unless known
    return first + inner + border


def _check_proof(proof: Sequence[bytes], want: int, what: str) -> None:
    if len(proof) != want:
        raise ProofError(f"The {what} proof has {len(proof)} hashes, it must have {want}.")
    for i, h in enumerate(proof):
        _check_hash(h, f"{what} proof hash {i}")


def verify_inclusion(
    leaf_hash: bytes, index: int, size: int, proof: Sequence[bytes], root: bytes
) -> None:
    """Check that the leaf with hash `leaf_hash` is at `index` in the tree (`size`, `root`).

    Returns None when the proof holds; raises `AuditIntegrityError` otherwise.
    """
    _check_size(index, "leaf index")
    _check_size(size, "tree size")
    # 1. leaf_index must be smaller than tree_size.
    if index >= size:
        raise ProofError(f"Leaf index {index} is not in a tree of size {size}: it must be smaller.")
    _check_hash(leaf_hash, "leaf hash")
    _check_hash(root, "root hash")
    _check_proof(proof, _inclusion_proof_size(index, size), "inclusion")

    # 2.-3. fn, sn and r.
    fn, sn, r = index, size - 1, leaf_hash
    # 4. Chain the path.
    for p in proof:
        if sn == 0:
            raise ProofError("The inclusion proof is longer than the path to the root.")
        if fn & 1 or fn == sn:
            r = node_hash(p, r)
            while fn and not fn & 1:  # until LSB(fn) is set or fn is 0
                fn >>= 1
                sn >>= 1
        else:
            r = node_hash(r, p)
        fn >>= 1
        sn >>= 1
    # 5. sn must be 0 and r the root.
    if sn != 0:
        raise ProofError("The inclusion proof is shorter than the path to the root.")
    if r != root:
        raise ProofError(
            f"The inclusion proof of leaf {index} does not lead to the root of the tree of "
            f"size {size}: the leaf, the proof or the root was altered."
        )


def verify_consistency(
    size1: int, size2: int, proof: Sequence[bytes], root1: bytes, root2: bytes
) -> None:
    """Check that the tree (`size2`, `root2`) extends the tree (`size1`, `root1`).

    Returns None when the proof holds; raises `AuditIntegrityError` otherwise. Equal
    sizes need an empty proof and equal roots; size1 = 0 is refused (see module doc).
    """
    _check_size(size1, "first tree size")
    _check_size(size2, "second tree size")
    if size1 > size2:
        raise ProofError(
            f"The first tree size {size1} is larger than the second {size2}: a log never shrinks."
        )
    if size1 == 0:
        raise ProofError(
            "A consistency proof from the empty tree is meaningless: every tree extends it."
        )
    if size1 == size2:
        if proof:
            raise ProofError(
                f"A consistency proof between equal sizes is empty, this one has "
                f"{len(proof)} hashes."
            )
        if root1 != root2:
            raise ProofError(f"Two roots of the tree of size {size1} differ: the log was altered.")
        return
    # 1. An empty consistency_path fails.
    if not proof:
        raise ProofError(f"The consistency proof from size {size1} to {size2} is empty.")
    _check_hash(root1, "first root hash")
    _check_hash(root2, "second root hash")
    _check_proof(proof, _consistency_proof_size(size1, size2), "consistency")

    path = list(proof)
    # 2. If first is an exact power of 2, prepend first_hash to the path.
    if size1 & (size1 - 1) == 0:
        path.insert(0, root1)
    # 3. fn and sn.
    fn, sn = size1 - 1, size2 - 1
    # 4. Right-shift both while LSB(fn) is set.
    while fn & 1:
        fn >>= 1
        sn >>= 1
    # 5. fr and sr start at the first hash of the path.
    fr = sr = path[0]
    # 6. Chain the rest.
    for c in path[1:]:
        if sn == 0:
            raise ProofError("The consistency proof is longer than the path to the root.")
        if fn & 1 or fn == sn:
            fr = node_hash(c, fr)
            sr = node_hash(c, sr)
            while fn and not fn & 1:  # until LSB(fn) is set or fn is 0
                fn >>= 1
                sn >>= 1
        else:
            sr = node_hash(sr, c)
        fn >>= 1
        sn >>= 1
    # 7. fr must be first_hash, sr second_hash, and sn 0.
    if sn != 0:
        raise ProofError("The consistency proof is shorter than the path to the root.")
    if fr != root1:
        raise ProofError(
            f"The consistency proof does not lead to the root of the tree of size {size1}: "
            f"the earlier root, the proof or the log was altered."
        )
    if sr != root2:
        raise ProofError(
            f"The consistency proof does not lead to the root of the tree of size {size2}: "
            f"the tree of size {size2} does not extend the tree of size {size1}."
        )
