"""Hashing sources: the sha256 recorded with each run, and a row estimate for progress."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

CHUNK = 1 << 20


@dataclass(frozen=True, slots=True)
class FileDigest:
    path: Path
    sha256: str
    size: int
    lines: int


def digest_file(path: Path) -> FileDigest:
    """One streaming pass: sha256, size and newline count (an upper bound on records)."""
    sha = hashlib.sha256()
    size = 0
    lines = 0
    with path.open("rb") as fh:
        while chunk := fh.read(CHUNK):
            sha.update(chunk)
            size += len(chunk)
            lines += chunk.count(b"\n")
    return FileDigest(path=path, sha256=sha.hexdigest(), size=size, lines=lines)


def combine(*parts: str) -> str:
    """A stable digest of several strings, e.g. the sources and options of one run."""
    sha = hashlib.sha256()
    for part in parts:
        sha.update(part.encode("utf-8"))
        sha.update(b"\x00")
    return sha.hexdigest()
