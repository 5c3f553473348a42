"""The machine-readable rejects file: one JSON object per rejected record or dropped value.

`kind` tells them apart: a rejected record's `raw` is the whole record, as read; a
dropped value's `raw` is that value's text (its record went in without it).
"""

from __future__ import annotations

from pathlib import Path
from types import TracebackType
from typing import IO, Any

import orjson

from casegraph.ingest.records import DroppedValue, RowError
from casegraph.model.origin import Origin

REJECTED = "record rejected"
DROPPED = "value dropped"


def reject_record(
    *,
    run_id: int,
    seq: int,
    origin: Origin,
    column: str | None,
    message: str,
    raw: str | None,
    kind: str = REJECTED,
) -> dict[str, Any]:
    return {
        "kind": kind,
        "run": run_id,
        "record": seq,
        "file": origin.file,
        "sheet": origin.sheet,
        "row": origin.row,
        "line": origin.line,
        "url": origin.url,
        "column": column,
        "message": message,
        "raw": raw,
    }


def describe_reject(origin: Origin, column: str | None, message: str) -> str:
    where = origin.describe()
    if column:
        where += f", column {column!r}"
    return f"{where}: {message}"


class RejectWriter:
    """Streams rejects to a JSON lines file, created on first use."""

    def __init__(self, path: Path, *, run_id: int) -> None:
        self.path = path
        self.run_id = run_id
        self._fh: IO[bytes] | None = None

    def write(self, seq: int, err: RowError) -> None:
        self._write(seq, err, REJECTED)

    def write_dropped(self, seq: int, value: DroppedValue) -> None:
        self._write(seq, value, DROPPED)

    def _write(self, seq: int, item: RowError | DroppedValue, kind: str) -> None:
        self.write_record(
            reject_record(run_id=self.run_id, seq=seq, origin=item.origin,
                          column=item.column, message=item.message, raw=item.raw, kind=kind)
        )  # fmt: skip

    def write_record(self, record: dict[str, Any]) -> None:
        if self._fh is None:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._fh = self.path.open("wb")
        self._fh.write(orjson.dumps(record) + b"\n")

    def __enter__(self) -> RejectWriter:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if self._fh is not None:
            self._fh.close()
