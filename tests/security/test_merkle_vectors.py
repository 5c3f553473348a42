"""RFC 9162 proofs against every vector of transparency-dev/merkle (testdata/).

The vectors are copied into tests/security/vectors/merkle (Apache-2.0; see its
PROVENANCE.md and LICENSE), so a clean clone runs them anywhere;
CASEGRAPH_MERKLE_VECTORS may point at another copy. A missing directory fails the
run: these vectors are the evidence that our verifier agrees with
the reference one, so they must not silently disappear.
"""

from __future__ import annotations

import base64
import json
import os
from pathlib import Path
from typing import Any

import pytest

from casegraph.errors import AuditIntegrityError, CasegraphError
from casegraph.security.merkle import (
    consistency_proof,
    inclusion_proof,
    leaf_hash,
    root_of,
    verify_consistency,
    verify_inclusion,
)

VECTORS = Path(
    os.environ.get("CASEGRAPH_MERKLE_VECTORS") or Path(__file__).parent / "vectors/merkle/testdata"
)
# Counted in transparency-dev/merkle at 417fb0c3: 98 inclusion and 98 consistency files.
MIN_INCLUSION = 98
MIN_CONSISTENCY = 98

INCLUSION = sorted(VECTORS.glob("inclusion/**/*.json"))
CONSISTENCY = sorted(VECTORS.glob("consistency/**/*.json"))
# With no vectors, one missing file per group makes its test fail instead of skip.
_MISSING = "NO-VECTORS-FOUND.json"

# The RFC 6962 test tree the happy-path vectors are cut from (transparency-dev/merkle,
# proof/verify_test.go, `leaves`).
TEST_TREE = [
    leaf_hash(bytes.fromhex(h))
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


def _id(path: Path) -> str:
    return path.relative_to(VECTORS).as_posix()


def _load(path: Path) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return data


def _b64(value: str | None) -> bytes:
    return base64.b64decode(value) if value is not None else b""


def _proof(value: list[str] | None) -> list[bytes]:
    return [_b64(h) for h in value or []]


def test_vector_directory_is_present_and_complete() -> None:
    assert VECTORS.is_dir(), (
        f"Merkle test vectors not found at {VECTORS}; set CASEGRAPH_MERKLE_VECTORS."
    )
    assert len(INCLUSION) >= MIN_INCLUSION, f"only {len(INCLUSION)} inclusion vectors"
    assert len(CONSISTENCY) >= MIN_CONSISTENCY, f"only {len(CONSISTENCY)} consistency vectors"
    for group in (INCLUSION, CONSISTENCY):
        outcomes = {_load(p)["wantErr"] for p in group}
        assert outcomes == {True, False}, "both accepted and rejected vectors are expected"


@pytest.mark.parametrize("path", INCLUSION or [VECTORS / "inclusion" / _MISSING], ids=_id)
def test_inclusion_vector(path: Path) -> None:
    v = _load(path)
    args = (_b64(v["leafHash"]), v["leafIdx"], v["treeSize"], _proof(v["proof"]), _b64(v["root"]))
    if v["wantErr"]:
        with pytest.raises(AuditIntegrityError) as info:
            verify_inclusion(*args)
        assert isinstance(info.value, CasegraphError)
        assert str(info.value)
    else:
        verify_inclusion(*args)


@pytest.mark.parametrize("path", CONSISTENCY or [VECTORS / "consistency" / _MISSING], ids=_id)
def test_consistency_vector(path: Path) -> None:
    v = _load(path)
    args = (v["size1"], v["size2"], _proof(v["proof"]), _b64(v["root1"]), _b64(v["root2"]))
    if v["wantErr"]:
        with pytest.raises(AuditIntegrityError) as info:
            verify_consistency(*args)
        assert str(info.value)
    else:
        verify_consistency(*args)


HAPPY = [p for p in INCLUSION + CONSISTENCY if p.name == "happy-path.json"] or [VECTORS / _MISSING]


@pytest.mark.parametrize("path", HAPPY, ids=_id)
def test_generated_proof_equals_happy_path_vector(path: Path) -> None:
    """Our proof generation gives, byte for byte, the reference proofs of the test tree."""
    v = _load(path)
    if "leafIdx" in v:
        leaves = TEST_TREE[: v["treeSize"]]
        assert root_of(leaves) == _b64(v["root"])
        assert leaves[v["leafIdx"]] == _b64(v["leafHash"])
        assert inclusion_proof(leaves, v["leafIdx"]) == _proof(v["proof"])
    else:
        leaves = TEST_TREE[: v["size2"]]
        assert root_of(leaves[: v["size1"]]) == _b64(v["root1"])
        assert root_of(leaves) == _b64(v["root2"])
        assert consistency_proof(leaves, v["size1"]) == _proof(v["proof"])


def test_happy_paths_were_collected() -> None:
    assert len(HAPPY) >= 10, f"only {len(HAPPY)} happy-path vectors"
