"""Fixtures for the source reader tests: real files in a temporary directory."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.ingest.sources._support import Write


@pytest.fixture
def write(tmp_path: Path) -> Write:
    """Write `data` (text as UTF-8, or bytes as given) to `name` and return its path."""

    def _write(name: str, data: bytes | str) -> Path:
        path = tmp_path / name
        path.write_bytes(data.encode("utf-8") if isinstance(data, str) else data)
        return path

    return _write
