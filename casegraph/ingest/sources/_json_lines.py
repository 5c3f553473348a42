"""Reading JSON lines files: one JSON value per line, always UTF-8.

Blank lines are skipped and take no row number; `row` counts the other lines from
1 and `line` is the physical line. A UTF-8 byte order mark is skipped.
"""

from __future__ import annotations

import codecs
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import orjson

from casegraph.errors import SourceError
from casegraph.ingest.sources._lines import decode_problem, open_binary

#: A first line longer than this is not parsed when checking the file's shape.
_SNIFF_LIMIT = 1 << 26

_UTF8_HINT = "JSON lines must be UTF-8, re-save the file as UTF-8"


@dataclass(slots=True)
class JsonLine:
    """One non-blank line: its parsed value, or the problem that stopped parsing."""

    row: int
    line: int
    raw: str
    value: Any = None
    problem: str | None = None


def read_json_lines(path: Path) -> Iterator[JsonLine]:
    """Every non-blank line of `path`, parsed, in file order."""
    with open_binary(path) as stream:
        row = 0
        for line_no, data in enumerate(stream, 1):
            if line_no == 1 and data.startswith(codecs.BOM_UTF8):
                data = data[len(codecs.BOM_UTF8) :]
            if not data.strip():
                continue
            row += 1
            try:
                value = orjson.loads(data)
            except orjson.JSONDecodeError as exc:
                raw = data.decode("utf-8", "backslashreplace").rstrip("\r\n")
                yield JsonLine(row, line_no, raw, problem=_problem(line_no, data, exc))
                continue
            yield JsonLine(row, line_no, data.decode("utf-8").rstrip("\r\n"), value)


def check_json_lines(path: Path) -> Any:
    """Fail early, with advice, on files that are JSON but not JSON lines.

    Returns the parsed first value (or `None` when the first line is not JSON), so
    callers can look at its shape.
    """
    with open_binary(path) as stream:
        first = b""
        while not first:
            data = stream.readline(_SNIFF_LIMIT)
            if not data:
                raise SourceError(f"{path} is empty: there is nothing to read.")
            first = data.removeprefix(codecs.BOM_UTF8).strip()
    name = path.name
    if first.startswith(b"["):
        raise SourceError(
            f"{path} is a JSON array, not JSON lines (one object per line); convert it "
            f"with: jq -c '.[]' {name} > {path.stem}.jsonl"
        )
    try:
        return orjson.loads(first)
    except orjson.JSONDecodeError:
        if first.startswith(b"{"):
            raise SourceError(
                f"{path} looks like indented JSON, not JSON lines (one object per line); "
                f"convert it with: jq -c . {name} > {path.stem}.jsonl"
            ) from None
        return None


def json_kind(value: object) -> str:
    """The JSON name of a parsed value's type, for messages."""
    if isinstance(value, dict):
        return "object"
    if isinstance(value, list):
        return "array"
    if isinstance(value, str):
        return "string"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int | float):
        return "number"
    return "null"


def scalar_text(value: str | int | float | bool) -> str:
    """A JSON scalar as text: whole numbers without `.0`, booleans as `true`/`false`."""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e16:
        return str(int(value))
    return repr(value)


def _problem(line_no: int, data: bytes, exc: orjson.JSONDecodeError) -> str:
    try:
        data.decode("utf-8")
    except UnicodeDecodeError as bad:
        return decode_problem(line_no, bad, "utf-8", _UTF8_HINT)
    return f"line {line_no} is not valid JSON: {exc.msg} at position {exc.pos + 1}"
