"""Where a statement came from: a file with sheet and row, or a URL.

Origins are stored as one compact string so that they cost little per statement,
and parse back into their parts for display.
"""

from __future__ import annotations

from functools import lru_cache
from typing import NamedTuple
from urllib.parse import parse_qsl, quote, urlencode


@lru_cache(maxsize=256)
def _file_prefix(file: str | None) -> str:
    return "file:" + quote(file or "", safe="/._-") + "#"


class Origin(NamedTuple):
    """The place in a source that a value was read from.

    `row` counts data records from 1 (the header is not a record); `line` is the
    physical line in a text file where the record starts, which differs from the row
    when fields span several lines. A NamedTuple: one is made per record, and this
    is the cheapest immutable record Python has.
    """

    file: str | None = None
    sheet: str | None = None
    row: int | None = None
    line: int | None = None
    url: str | None = None

    def render(self) -> str:
        """The compact form stored with each statement, e.g. `file:a.csv#row=3&line=4`."""
        if self.url is not None:
            return self.url
        if self.sheet is None and self.row is not None:
            # The common case, once per record: skip urlencode, which costs ~2 µs.
            line = "" if self.line is None else f"&line={self.line}"
            return f"{_file_prefix(self.file)}row={self.row}{line}"
        parts: list[tuple[str, str]] = []
        if self.sheet is not None:
            parts.append(("sheet", self.sheet))
        if self.row is not None:
            parts.append(("row", str(self.row)))
        if self.line is not None:
            parts.append(("line", str(self.line)))
        prefix = _file_prefix(self.file)
        return prefix + urlencode(parts) if parts else prefix[:-1]

    def describe(self) -> str:
        """A human form for messages, e.g. `a.csv, sheet Payments, row 3 (line 4)`."""
        if self.url is not None:
            return self.url
        text = self.file or "<input>"
        if self.sheet is not None:
            text += f", sheet {self.sheet}"
        if self.row is not None:
            text += f", row {self.row}"
        if self.line is not None:
            text += f" (line {self.line})"
        return text

    @classmethod
    def parse(cls, text: str) -> Origin:
        """Read back the compact form written by `render`."""
        if not text.startswith("file:"):
            return cls(url=text)
        body, _, fragment = text[len("file:") :].partition("#")
        from urllib.parse import unquote

        fields = dict(parse_qsl(fragment, keep_blank_values=True))
        row = fields.get("row")
        line = fields.get("line")
        return cls(
            file=unquote(body) or None,
            sheet=fields.get("sheet"),
            row=int(row) if row is not None else None,
            line=int(line) if line is not None else None,
        )
