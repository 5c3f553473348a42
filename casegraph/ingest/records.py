"""The records that sources yield and the mapper consumes.

Every source (CSV, TSV, XLSX, JSON lines, FtM entity JSON) yields, in file order,
one item per record: a `SourceRow` when it could be read, or a `RowError` when it
could not. Nothing is skipped silently, so the pipeline can keep
`read = ingested + rejected`.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from casegraph.model.origin import Origin


@dataclass(slots=True)
class SourceRow:
    """One readable record.

    `values` maps column names to text, cleaned the way followthemoney's CSV reader
    cleans (`sanitize_text`): stripped, NFC, unsafe characters removed; empty cells
    are absent. For FtM entity JSON, `entity` holds the parsed entity dict and
    `values` is empty.
    """

    origin: Origin
    values: dict[str, str] = field(default_factory=dict)
    entity: dict[str, Any] | None = None
    raw: str | None = None


@dataclass(slots=True)
class RowError:
    """One record that cannot be ingested, with what and where.

    `raw` keeps the record as it was in the file (undecodable bytes as `\\xNN`
    escapes), so a rejects file loses nothing and the user can fix and re-ingest.
    """

    origin: Origin
    message: str
    column: str | None = None
    raw: str | None = None

    def describe(self) -> str:
        where = self.origin.describe()
        if self.column is not None:
            where += f", column {self.column!r}"
        return f"{where}: {self.message}"


SourceItem = SourceRow | RowError


class Source(Protocol):
    """A readable input file. `rows()` streams; it never loads the whole file."""

    path: Path
    #: A short name of the format, e.g. "csv", "tsv", "xlsx", "jsonl", "ftm".
    format: str

    def rows(self) -> Iterator[SourceItem]: ...

    def columns(self) -> list[str]:
        """The column names (header) for tabular sources; empty for FtM JSON."""
        ...
