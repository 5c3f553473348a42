"""Helpers for the source reader tests."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from pathlib import Path

from casegraph.ingest.records import RowError, SourceItem, SourceRow

#: The `write` fixture: write text (as UTF-8) or bytes to a file name, return its path.
Write = Callable[[str, bytes | str], Path]


def good(items: Iterable[SourceItem]) -> list[SourceRow]:
    """The readable records."""
    return [item for item in items if isinstance(item, SourceRow)]


def bad(items: Iterable[SourceItem]) -> list[RowError]:
    """The rejected records."""
    return [item for item in items if isinstance(item, RowError)]


def where(item: SourceItem) -> tuple[int | None, int | None]:
    """(row, line) of a record."""
    return item.origin.row, item.origin.line
