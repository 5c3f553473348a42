"""How long-running work reports progress, without knowing about any terminal."""

from __future__ import annotations

from typing import Protocol


class Progress(Protocol):
    def start(self, *, description: str, total: int | None) -> None: ...

    def advance(self, rows: int) -> None: ...

    def finish(self) -> None: ...


class NoProgress:
    """The silent default for library and test use."""

    def start(self, *, description: str, total: int | None) -> None:
        return None

    def advance(self, rows: int) -> None:
        return None

    def finish(self) -> None:
        return None
