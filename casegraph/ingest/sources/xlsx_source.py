"""Excel workbooks (.xlsx), streamed with openpyxl's read-only mode.

Reading rules:

- Every worksheet is read, in workbook order (hidden ones too), unless one `sheet`
  is named. A sheet without any value is skipped.
- The first row with a value is the sheet's header. Empty header cells at the end
  are ignored (Excel often keeps formatted empty columns); an empty name between
  named columns, or a repeated name, fails the whole file with a `SourceError`.
- `Origin` carries the sheet name and the spreadsheet row number (`line` is unset).
  Rows without any value are skipped. A value right of the last named column is a
  `RowError`, since it would be lost otherwise.
- Cached formula results are read, not formulas. Values become text: dates as
  `YYYY-MM-DD`, date-times as ISO 8601 (`YYYY-MM-DDTHH:MM:SS`), whole numbers
  without `.0`, other numbers with Excel's 15 significant digits, booleans as
  `true`/`false`; text is cleaned like followthemoney's CSV reader.
- `raw` is the row's values joined by tabs.
- `columns()` is the union of the headers of the sheets read, in order of first
  appearance, so a mapping may name a column found in any of them.
"""

from __future__ import annotations

import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any

from openpyxl import load_workbook
from openpyxl.utils import get_column_letter

from casegraph.errors import SourceError
from casegraph.ingest.records import RowError, SourceItem, SourceRow
from casegraph.ingest.sources._header import header_problem
from casegraph.ingest.sources._lines import open_binary
from casegraph.ingest.sources._text import clean_cell
from casegraph.model.origin import Origin


class XlsxSource:
    """An Excel .xlsx workbook: one table per worksheet."""

    format = "xlsx"

    def __init__(self, path: Path, *, sheet: str | None = None) -> None:
        self.path = path
        self.label = path.name
        with self._open_workbook() as workbook:
            names = [ws.title for ws in workbook.worksheets]
            if sheet is not None and sheet not in names:
                shown = ", ".join(repr(name) for name in names)
                raise SourceError(f"{path} has no sheet {sheet!r}; the sheets are {shown}.")
            selected = [sheet] if sheet is not None else names
            #: Sheet name -> (header, header row number), for sheets with any value.
            self._headers: dict[str, tuple[list[str], int]] = {}
            for name in selected:
                found = self._read_header(workbook[name])
                if found is not None:
                    self._headers[name] = found
        if not self._headers:
            where = f"sheet {sheet!r} of {path}" if sheet is not None else str(path)
            raise SourceError(f"{where} is empty: a sheet needs a header row naming its columns.")

    @property
    def sheets(self) -> list[str]:
        """The names of the sheets that are read, in order."""
        return list(self._headers)

    def columns(self) -> list[str]:
        seen: dict[str, None] = {}
        for header, _ in self._headers.values():
            seen.update(dict.fromkeys(header))
        return list(seen)

    def rows(self) -> Iterator[SourceItem]:
        try:
            with self._open_workbook() as workbook:
                for name, (header, header_row) in self._headers.items():
                    yield from self._sheet_rows(workbook[name], header, header_row)
        except SourceError:
            raise
        except Exception as exc:  # openpyxl raises many types on a damaged file
            raise SourceError(
                f"{self.path} cannot be read to the end ({type(exc).__name__}: {exc}); "
                "open it in Excel or LibreOffice and save it again as .xlsx."
            ) from exc

    def _sheet_rows(self, ws: Any, header: list[str], header_row: int) -> Iterator[SourceItem]:
        label = self.label
        sheet = ws.title
        width = len(header)
        ws.reset_dimensions()
        for number, cells in enumerate(ws.iter_rows(values_only=True), 1):
            if number <= header_row:
                continue
            texts = [cell_text(value) for value in cells]
            if not any(texts):
                continue
            origin = Origin(label, sheet, number)
            raw = "\t".join(text or "" for text in texts).rstrip("\t")
            extra = [i for i, text in enumerate(texts[width:], width + 1) if text]
            if extra:
                message = (
                    f"row {number} has a value in column {get_column_letter(extra[0])}, right of "
                    f"the last named column {get_column_letter(width)}; name that column in "
                    "the header"
                )
                yield RowError(origin, message, None, raw)
                continue
            values = {name: text for name, text in zip(header, texts, strict=False) if text}
            yield SourceRow(origin, values, None, raw)

    def _read_header(self, ws: Any) -> tuple[list[str], int] | None:
        ws.reset_dimensions()  # recorded dimensions are often wrong; read what is there
        for number, cells in enumerate(ws.iter_rows(values_only=True), 1):
            texts = [cell_text(value) or "" for value in cells]
            while texts and not texts[-1]:
                texts.pop()
            if texts:
                self._check_header(ws.title, number, texts)
                return texts, number
        return None

    def _check_header(self, sheet: str, number: int, names: list[str]) -> None:
        problem = header_problem(names, get_column_letter)
        if problem is not None:
            where = f"{self.path}, sheet {sheet!r}"
            raise SourceError(f"{where}: the header on row {number} {problem}.")

    @contextmanager
    def _open_workbook(self) -> Iterator[Any]:
        """The workbook, opened from a file handle so that any extension is accepted."""
        with open_binary(self.path) as stream:
            try:
                with warnings.catch_warnings():
                    # openpyxl warns about features it ignores (styles, data validation).
                    warnings.simplefilter("ignore")
                    workbook = load_workbook(stream, read_only=True, data_only=True)
            except Exception as exc:  # openpyxl raises many types on a damaged file
                raise SourceError(
                    f"{self.path} is not a readable .xlsx workbook ({type(exc).__name__}: "
                    f"{exc}); open it in Excel or LibreOffice and save it again as .xlsx."
                ) from exc
            try:
                yield workbook
            finally:
                workbook.close()


def cell_text(value: object) -> str | None:
    """A cell value as text, as described in the module docstring; `None` when empty."""
    if value is None:
        return None
    if isinstance(value, str):
        return clean_cell(value)
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return format(value, ".15g") if value == value else None
    if isinstance(value, datetime):
        if value.time() == time(0) and value.tzinfo is None:
            return value.date().isoformat()
        return value.isoformat()
    if isinstance(value, date | time):
        return value.isoformat()
    if isinstance(value, timedelta):
        return str(value)
    return clean_cell(str(value))
