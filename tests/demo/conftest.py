"""Fixtures: one small generated case shared by the read-only tests."""

from __future__ import annotations

from pathlib import Path

import pytest

from casegraph.demo import Manifest, generate

SMALL = 5_000


@pytest.fixture(scope="session")
def small_case(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Manifest]:
    out = tmp_path_factory.mktemp("demo-small")
    manifest = generate(out, size=SMALL, seed=7)
    return out, manifest
