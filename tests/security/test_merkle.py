"""Merkle tree maths: known answers, the frontier against the definition, proofs that
verify for every index and size, and proofs that must not verify once anything changes."""

from __future__ import annotations

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from casegraph.errors import AuditIntegrityError, CasegraphError
from casegraph.security.merkle import (
    EMPTY_ROOT,
    Frontier,
    ProofError,
    consistency_proof,
    inclusion_proof,
    leaf_hash,
    node_hash,
    root_of,
    verify_consistency,
    verify_inclusion,
)

# The RFC 6962 test tree and its roots at sizes 1..8 (transparency-dev/merkle,
# proof/verify_test.go).
TEST_LEAVES = [
    bytes.fromhex(h)
    for h in (
        "",
        "00",
        "10",
        "2021",
        "3031",
        "40414243",
        "5051525354555657",
        "606162636465666768696a6b6c6d6e6f",
    )
]
TEST_ROOTS = [
    "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
    "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
    "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
    "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
    "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
    "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
    "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
    "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
]

# Distinct leaves, so that no proof verifies for another index by coincidence.
leaf_lists = st.lists(st.binary(max_size=8), unique=True, max_size=70).map(
    lambda data: [leaf_hash(d) for d in data]
)
nonempty_leaf_lists = st.lists(st.binary(max_size=8), unique=True, min_size=1, max_size=70).map(
    lambda data: [leaf_hash(d) for d in data]
)


def _leaves(n: int) -> list[bytes]:
    return [leaf_hash(i.to_bytes(2, "big")) for i in range(n)]


def _flip(h: bytes, bit: int) -> bytes:
    return h[: bit // 8] + bytes([h[bit // 8] ^ (1 << (bit % 8))]) + h[bit // 8 + 1 :]


def test_hash_primitives() -> None:
    assert EMPTY_ROOT.hex() == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
    assert root_of([]) == EMPTY_ROOT
    assert leaf_hash(b"").hex() == TEST_ROOTS[0]
    assert node_hash(leaf_hash(b""), leaf_hash(b"\x00")).hex() == TEST_ROOTS[1]
    assert issubclass(ProofError, CasegraphError)
    assert ProofError is AuditIntegrityError


def test_root_of_rfc6962_test_tree() -> None:
    leaves = [leaf_hash(d) for d in TEST_LEAVES]
    frontier = Frontier()
    for n, want in enumerate(TEST_ROOTS, start=1):
        assert root_of(leaves[:n]).hex() == want
        frontier.append(leaves[n - 1])
        assert frontier.root().hex() == want


def test_known_inclusion_proof() -> None:
    leaves = [leaf_hash(d) for d in TEST_LEAVES]
    assert [h.hex() for h in inclusion_proof(leaves, 5)] == [
        "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
        "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
        "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
    ]


@settings(max_examples=60)
@given(leaf_lists)
def test_frontier_root_equals_root_of_every_prefix(leaves: list[bytes]) -> None:
    frontier = Frontier()
    assert frontier.root() == root_of([]) == EMPTY_ROOT
    for n, h in enumerate(leaves, start=1):
        frontier.append(h)
        assert frontier.size == n
        assert len(frontier.hashes) == n.bit_count()
        assert frontier.root() == root_of(leaves[:n])


def test_every_proof_up_to_40_leaves_verifies() -> None:
    for n in range(1, 41):
        leaves = _leaves(n)
        root = root_of(leaves)
        for index in range(n):
            proof = inclusion_proof(leaves, index)
            verify_inclusion(leaves[index], index, n, proof, root)
        for m in range(1, n + 1):
            proof = consistency_proof(leaves, m)
            assert (proof == []) == (m == n)
            verify_consistency(m, n, proof, root_of(leaves[:m]), root)


@settings(max_examples=100)
@given(nonempty_leaf_lists, st.data())
def test_inclusion_proof_breaks_when_anything_changes(
    leaves: list[bytes], data: st.DataObject
) -> None:
    n = len(leaves)
    index = data.draw(st.integers(0, n - 1), label="index")
    root = root_of(leaves)
    proof = inclusion_proof(leaves, index)
    verify_inclusion(leaves[index], index, n, proof, root)

    for i in range(len(proof)):
        bit = data.draw(st.integers(0, 255), label=f"bit of proof[{i}]")
        bad = [*proof[:i], _flip(proof[i], bit), *proof[i + 1 :]]
        with pytest.raises(AuditIntegrityError):
            verify_inclusion(leaves[index], index, n, bad, root)
    bit = data.draw(st.integers(0, 255), label="bit")
    with pytest.raises(AuditIntegrityError):
        verify_inclusion(_flip(leaves[index], bit), index, n, proof, root)
    with pytest.raises(AuditIntegrityError):
        verify_inclusion(leaves[index], index, n, proof, _flip(root, bit))
    for other in range(n):
        if other != index:
            with pytest.raises(AuditIntegrityError):
                verify_inclusion(leaves[index], other, n, proof, root)
    for size in (2 * n, n // 2):  # the wrong height, as transparency-dev probes it
        if size > index and size != n:
            with pytest.raises(AuditIntegrityError):
                verify_inclusion(leaves[index], index, size, proof, root)
    for size in range(index + 1, n):  # a smaller real tree, with its own root
        with pytest.raises(AuditIntegrityError):
            verify_inclusion(leaves[index], index, size, proof, root_of(leaves[:size]))
    with pytest.raises(AuditIntegrityError):
        verify_inclusion(leaves[index], n, n, proof, root)
    with pytest.raises(AuditIntegrityError):
        verify_inclusion(leaves[index], index, n, [*proof, proof[0] if proof else root], root)
    if proof:
        with pytest.raises(AuditIntegrityError):
            verify_inclusion(leaves[index], index, n, proof[:-1], root)


@settings(max_examples=100)
@given(nonempty_leaf_lists.filter(lambda leaves: len(leaves) >= 2), st.data())
def test_consistency_proof_breaks_when_anything_changes(
    leaves: list[bytes], data: st.DataObject
) -> None:
    n = len(leaves)
    m = data.draw(st.integers(1, n - 1), label="old size")
    root1, root2 = root_of(leaves[:m]), root_of(leaves)
    proof = consistency_proof(leaves, m)
    verify_consistency(m, n, proof, root1, root2)

    for i in range(len(proof)):
        bit = data.draw(st.integers(0, 255), label=f"bit of proof[{i}]")
        bad = [*proof[:i], _flip(proof[i], bit), *proof[i + 1 :]]
        with pytest.raises(AuditIntegrityError):
            verify_consistency(m, n, bad, root1, root2)
    bit = data.draw(st.integers(0, 255), label="bit")
    with pytest.raises(AuditIntegrityError):
        verify_consistency(m, n, proof, _flip(root1, bit), root2)
    with pytest.raises(AuditIntegrityError):
        verify_consistency(m, n, proof, root1, _flip(root2, bit))
    with pytest.raises(AuditIntegrityError):
        verify_consistency(m, n, proof, root2, root1)
    for other in range(1, n + 1):
        if other != m:
            with pytest.raises(AuditIntegrityError):
                verify_consistency(other, n, proof, root1, root2)
    for size in (2 * n, n // 2):  # the wrong height, as transparency-dev probes it
        with pytest.raises(AuditIntegrityError):
            verify_consistency(m, size, proof, root1, root2)
    for size in range(m + 1, n):  # a smaller real tree, with its own root
        with pytest.raises(AuditIntegrityError):
            verify_consistency(m, size, proof, root1, root_of(leaves[:size]))
    with pytest.raises(AuditIntegrityError):
        verify_consistency(m, n, [], root1, root2)
    with pytest.raises(AuditIntegrityError):
        verify_consistency(m, n, [*proof, root1], root1, root2)
    with pytest.raises(AuditIntegrityError):
        verify_consistency(m, n, proof[:-1], root1, root2)


def test_bad_arguments_are_refused() -> None:
    leaves = _leaves(5)
    root = root_of(leaves)
    with pytest.raises(AuditIntegrityError, match="must be smaller"):
        inclusion_proof(leaves, 5)
    with pytest.raises(AuditIntegrityError, match="negative"):
        inclusion_proof(leaves, -1)
    with pytest.raises(AuditIntegrityError, match="empty tree"):
        consistency_proof(leaves, 0)
    with pytest.raises(AuditIntegrityError, match="larger"):
        consistency_proof(leaves, 6)
    with pytest.raises(AuditIntegrityError, match="32 bytes"):
        root_of([b"short"])
    with pytest.raises(AuditIntegrityError, match="32 bytes"):
        Frontier().append(b"short")
    with pytest.raises(AuditIntegrityError, match="must have 3"):
        verify_inclusion(leaves[0], 0, 5, [], root)
    with pytest.raises(AuditIntegrityError, match="32 bytes"):
        verify_inclusion(leaves[0][:31], 0, 5, inclusion_proof(leaves, 0), root)
    with pytest.raises(AuditIntegrityError, match="never shrinks"):
        verify_consistency(5, 4, [], root, root)
    with pytest.raises(AuditIntegrityError, match="empty tree"):
        verify_consistency(0, 0, [], EMPTY_ROOT, EMPTY_ROOT)
    verify_consistency(5, 5, [], root, root)
    with pytest.raises(AuditIntegrityError, match="altered"):
        verify_consistency(5, 5, [], root, root_of(leaves[:4]))


@settings(max_examples=60)
@given(leaf_lists, leaf_lists)
def test_frontier_json_round_trip(first: list[bytes], more: list[bytes]) -> None:
    frontier = Frontier()
    frontier.extend(first)
    stored = json.loads(json.dumps(frontier.to_json()))
    assert stored["size"] == len(first)
    restored = Frontier.from_json(stored)
    assert restored == frontier
    assert restored.root() == frontier.root() == root_of(first)
    restored.extend(more)
    frontier.extend(more)
    assert restored == frontier
    assert restored.root() == root_of(first + more)


def test_frontier_copy_is_independent() -> None:
    frontier = Frontier()
    frontier.extend(_leaves(3))
    copy = frontier.copy()
    copy.append(leaf_hash(b"x"))
    assert frontier.size == 3 and copy.size == 4
    assert frontier != copy
    assert "size=3" in repr(frontier)


@pytest.mark.parametrize(
    "data",
    [
        [],
        {"size": 1},
        {"size": 1, "hashes": [], "extra": 1},
        {"size": -1, "hashes": []},
        {"size": True, "hashes": ["00" * 32]},
        {"size": "1", "hashes": ["00" * 32]},
        {"size": 1, "hashes": "00" * 32},
        {"size": 1, "hashes": []},
        {"size": 3, "hashes": ["00" * 32]},
        {"size": 1, "hashes": ["AA" * 32]},
        {"size": 1, "hashes": ["00" * 31]},
        {"size": 1, "hashes": [" " + "00" * 32]},
        {"size": 1, "hashes": [1]},
    ],
)
def test_frontier_from_json_rejects_malformed(data: object) -> None:
    with pytest.raises(AuditIntegrityError):
        Frontier.from_json(data)  # type: ignore[arg-type]
