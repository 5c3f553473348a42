"""The records that sources yield and the mapper consumes.

Every source (CSV, TSV, XLSX, JSON lines, FtM entity JSON) yields, in file order,
one item per record: a `SourceRow` when it could be read, or a `RowError` when it
could not. Nothing is skipped silently, so the pipeline can keep
`read = ingested + rejected`. With `InvalidValues.DROP_VALUE`, a value that does not
clean is left out of its record instead, and listed as a `DroppedValue`.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from enum import StrEnum
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


class InvalidValues(StrEnum):
    """What ingest does with a non-empty value that does not clean to its property type."""

    #: Reject the whole record, so nothing of it goes in (the default).
    REJECT_ROW = "reject-row"
    #: Keep the record without that value, as `ftm map` does, and list the value.
    DROP_VALUE = "drop-value"


@dataclass(slots=True)
class DroppedValue:
    """One value left out of an ingested record because it does not clean.

    `raw` is the value's text as the mapping read it (one part of a `split`, say);
    `column` the column it came from, None for FtM entity JSON.
    """

    origin: Origin
    column: str | None
    raw: str
    message: str

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
