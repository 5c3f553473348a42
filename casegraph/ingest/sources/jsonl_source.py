"""JSON lines of flat objects, read as rows whose columns are the object keys.

Reading rules:

- Each non-blank line is one record and must be a JSON object; blank lines are
  skipped and take no row number. `Origin.line` is the physical line.
- Scalars become text (strings cleaned like followthemoney's CSV reader, whole
  numbers without `.0`, booleans as `true`/`false`); `null` and empty strings are
  absent from `values`.
- A list of scalars becomes one value: its items as text, empty ones dropped,
  joined with `;` (so a mapping can split them again).
- A nested object, or a list holding objects or lists, makes the record a
  `RowError` naming the key: flatten the file first (e.g. with `jq`).
- Invalid JSON, or a line that is not valid UTF-8, is a `RowError` with the line
  number and the parser's message.
- `columns()` is the union of the keys of all objects in the file, in order of first
  appearance; it reads the whole file once (and remembers the result).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

from casegraph.ingest.records import RowError, SourceItem, SourceRow
from casegraph.ingest.sources._json_lines import (
    check_json_lines,
    json_kind,
    read_json_lines,
    scalar_text,
)
from casegraph.ingest.sources._text import clean_cell
from casegraph.model.origin import Origin

#: What joins the items of a list value.
LIST_SEPARATOR = ";"


class JsonlSource:
    """A JSON lines file of flat objects."""

    format = "jsonl"

    def __init__(self, path: Path) -> None:
        self.path = path
        self.label = path.name
        check_json_lines(path)
        self._columns: list[str] | None = None

    def columns(self) -> list[str]:
        if self._columns is None:
            seen: dict[str, None] = {}
            for item in read_json_lines(self.path):
                if isinstance(item.value, dict):
                    seen.update(dict.fromkeys(item.value))
            self._columns = list(seen)
        return list(self._columns)

    def rows(self) -> Iterator[SourceItem]:
        label = self.label
        for item in read_json_lines(self.path):
            origin = Origin(label, None, item.row, item.line)
            if item.problem is not None:
                yield RowError(origin, item.problem, None, item.raw)
                continue
            obj = item.value
            if not isinstance(obj, dict):
                message = f"line {item.line} holds a JSON {json_kind(obj)}, not an object"
                yield RowError(origin, message, None, item.raw)
                continue
            values: dict[str, str] = {}
            problem: tuple[str, str] | None = None
            for key, value in obj.items():
                text, problem_text = _value_text(value)
                if problem_text is not None:
                    problem = (key, problem_text)
                    break
                if text:
                    values[key] = text
            if problem is not None:
                key, problem_text = problem
                message = f"key {key!r} on line {item.line} {problem_text}"
                yield RowError(origin, message, key, item.raw)
                continue
            yield SourceRow(origin, values, None, item.raw)


def _value_text(value: Any) -> tuple[str | None, str | None]:
    """(cleaned text or None, problem or None) for one value of an object."""
    if value is None:
        return None, None
    if isinstance(value, dict):
        return None, "holds a nested object; flatten the file first (e.g. with jq)"
    if isinstance(value, list):
        parts: list[str] = []
        for part in value:
            if isinstance(part, dict | list):
                return None, (
                    f"holds a list containing a JSON {json_kind(part)}; only lists of "
                    "strings, numbers and booleans can be read, flatten the file first"
                )
            if part is not None and (text := clean_cell(scalar_text(part))):
                parts.append(text)
        return LIST_SEPARATOR.join(parts) or None, None
    return clean_cell(scalar_text(value)), None
