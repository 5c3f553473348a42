"""CSV and TSV files, streamed in constant memory.

Reading rules, all visible to users:

- The encoding is detected on the first MiB (see `encoding.py`) unless given. Each
  physical line is decoded on its own, so a line that is not valid in the encoding
  (e.g. a latin-1 line in a UTF-8 file) or holds a NUL byte turns its record into a
  `RowError` whose `raw` shows the bad bytes as `\\xNN`; the other records are read.
  In a file detected (not declared) as a legacy code page, a line that is valid
  UTF-8 is rejected the same way instead of being mis-decoded.
- The delimiter (`,` `;` tab `|`) is detected from the records of the sample unless
  given: the one that splits the header into most consistent columns wins.
- The first record is the header. Blank or duplicate column names fail the whole
  file with a `SourceError`; a UTF-8 byte order mark is skipped.
- Quoted fields may span lines. `Origin.row` counts data records from 1 and
  `Origin.line` is the physical line (the file's first line is 1) where the
  record starts.
- Blank lines (empty, or only spaces and tabs, outside a quoted field) are skipped
  and are not records: they take no row number. Consequently in a one-column file an
  empty value must be quoted (`""`) to count as a record.
- A record with more or fewer cells than the header is a `RowError`: nothing is
  guessed, and the record is kept in full for the rejects file. So is a record the
  CSV grammar rejects (text after a closing quote, a quote still open at the end
  of the file). A field longer than `FIELD_LIMIT` (a quote never closed, far from
  the end) fails the file with a `SourceError` when it is reached.
- Cells are cleaned like followthemoney's CSV reader (`sanitize_text`); empty cells
  are absent from `SourceRow.values`. `raw` is the record's text without its final
  line break.
"""

from __future__ import annotations

import csv
from collections.abc import Generator, Iterator
from io import BytesIO
from pathlib import Path
from typing import BinaryIO

from casegraph.errors import InvalidInputError, SourceError
from casegraph.ingest.records import RowError, SourceItem, SourceRow
from casegraph.ingest.sources._header import header_problem
from casegraph.ingest.sources._lines import (
    decode_problem,
    nul_problem,
    open_binary,
    split_lines,
    utf8_problem,
)
from casegraph.ingest.sources._text import clean_cell, escape_nul
from casegraph.ingest.sources.encoding import SAMPLE_SIZE, Encoding, detect_encoding
from casegraph.model.origin import Origin

#: Delimiters tried by detection, in order of preference on a tie.
DELIMITERS = (",", ";", "\t", "|")

#: Longest field accepted (characters), unless the csv module's process-wide limit
#: is already higher (followthemoney raises it to 30 MiB); it is only ever raised
#: here. A longer field is almost always a quote never closed, which swallows the
#: rest of the file; as the records after it cannot be told apart reliably, that
#: fails the file.
FIELD_LIMIT = 1 << 24

_SNIFF_LINES = 200

_DELIMITER_ALIASES = {"\\t": "\t", "tab": "\t", "comma": ",", "semicolon": ";", "pipe": "|"}

#: (start line, cells, physical lines, problem) of one record; `lines` is reused.
_Record = tuple[int, list[str], list[str], str | None]


class CsvSource:
    """A delimited text file (CSV, TSV, semicolon- or pipe-separated)."""

    def __init__(
        self,
        path: Path,
        *,
        encoding: str | None = None,
        delimiter: str | None = None,
        prefer_tab: bool = False,
    ) -> None:
        self.path = path
        self.label = path.name
        sample = self._read_sample()
        self.encoding: Encoding = detect_encoding(sample, encoding)
        # A detected legacy encoding is checked line by line for UTF-8 pasted in.
        self._guard_utf8 = encoding is None and not self.encoding.codec.startswith("utf")
        lines = _sample_lines(sample, self.encoding)
        if delimiter is not None:
            self.delimiter = check_delimiter(delimiter)
        else:
            self.delimiter = detect_delimiter(lines, "\t" if prefer_tab else ",")
        self.format = "tsv" if self.delimiter == "\t" else "csv"
        self._header, self.header_line = self._read_header()

    def columns(self) -> list[str]:
        return list(self._header)

    def rows(self) -> Iterator[SourceItem]:
        records = self._records()
        try:
            next(records, None)  # the header, checked when the source was opened
            yield from self._data_rows(records)
        finally:
            records.close()

    def _data_rows(self, records: Iterator[_Record]) -> Iterator[SourceItem]:
        label = self.label
        header = self._header
        width = len(header)
        tab = self.delimiter == "\t"
        row = 0
        for start, cells, lines, problem in records:
            row += 1
            # The last field cannot end in CR or LF unless quoted, so this strips the
            # record's line terminator only.
            raw = (lines[0] if len(lines) == 1 else "".join(lines)).rstrip("\r\n")
            if problem is None and len(cells) != width:
                problem = f"row {row} has {len(cells)} cells, the header has {width}"
            if problem is not None:
                yield RowError(Origin(label, None, row, start), problem, None, raw)
                continue
            text = raw.replace("\t", "") if tab else raw
            if text.isascii() and text.isprintable():
                # Fast path: every cell is printable ASCII, so cleaning is stripping.
                values = {
                    name: value
                    for name, cell in zip(header, cells, strict=True)
                    if (value := cell.strip())
                }
            else:
                values = {}
                for name, cell in zip(header, cells, strict=True):
                    if cell.isascii() and cell.isprintable():
                        if value := cell.strip():
                            values[name] = value
                    elif cleaned := clean_cell(cell):
                        values[name] = cleaned
            yield SourceRow(Origin(label, None, row, start), values, None, raw)

    def _open(self) -> BinaryIO:
        return open_binary(self.path)

    def _read_sample(self) -> bytes:
        with self._open() as stream:
            try:
                return stream.read(SAMPLE_SIZE)
            except OSError as exc:
                raise SourceError(f"{self.path} cannot be read ({exc}); check the file.") from None

    def _read_header(self) -> tuple[list[str], int]:
        records = self._records()
        try:
            first = next(records, None)
        finally:
            records.close()
        if first is None:
            raise SourceError(
                f"{self.path} is empty: a delimited file needs a header row naming its columns."
            )
        start, cells, _, problem = first
        if problem is not None:
            raise SourceError(f"{self.path}: the header cannot be read: {problem}.")
        names = [clean_cell(cell) or "" for cell in cells]
        problem = header_problem(names, str)
        if problem is not None:
            raise SourceError(f"{self.path}: the header on line {start} {problem}.")
        return names, start

    def _records(self) -> Generator[_Record, None, None]:
        """Every non-blank record with where it starts, its lines and its first problem."""
        limit = csv.field_size_limit()
        if limit < FIELD_LIMIT:
            csv.field_size_limit(FIELD_LIMIT)
            limit = FIELD_LIMIT
        codec = self.encoding.codec
        lines: list[str] = []
        problems: list[str] = []
        guard = self._guard_utf8

        def feed(source: Iterator[bytes]) -> Iterator[str]:
            line_no = 0
            for data in source:
                line_no += 1
                try:
                    text = data.decode(codec)
                except UnicodeDecodeError as exc:
                    problems.append(decode_problem(line_no, exc, codec))
                    text = data.decode(codec, "backslashreplace")
                    lines.append(escape_nul(text))
                    yield text
                    continue
                if "\x00" in text:
                    problems.append(nul_problem(line_no, text.index("\x00")))
                    lines.append(escape_nul(text))
                    yield text
                    continue
                if guard and not data.isascii() and _is_utf8(data):
                    problems.append(utf8_problem(line_no, codec))
                    # Show the bytes as they are, not as mis-decoded characters.
                    text = data.decode("ascii", "backslashreplace")
                lines.append(text)
                yield text

        with self._open() as stream:
            stream.seek(self.encoding.bom)
            physical = split_lines(stream, self.encoding.newline, self.encoding.unit)
            reader = csv.reader(feed(physical), delimiter=self.delimiter, strict=True)
            while True:
                start = reader.line_num + 1
                try:
                    cells = next(reader)
                except StopIteration:
                    return
                except csv.Error as exc:
                    if not lines:
                        return
                    if "field larger than field limit" in str(exc):
                        raise SourceError(
                            f"{self.path}: the record starting on line {start} has a field "
                            f"longer than {limit} characters, most likely a quote that is "
                            "never closed; close the quote and read the file again."
                        ) from None
                    yield start, [], lines, problems[0] if problems else _csv_problem(exc)
                else:
                    if len(cells) > 1 or len(lines) > 1 or lines[0].strip(" \t\r\n"):
                        yield start, cells, lines, problems[0] if problems else None
                lines.clear()
                problems.clear()


def check_delimiter(value: str) -> str:
    """A user-given delimiter, accepting `\\t` and `tab` for a tab."""
    delimiter = _DELIMITER_ALIASES.get(value.lower(), value)
    if len(delimiter) != 1 or delimiter in '"\r\n' or delimiter.isalnum():
        raise InvalidInputError(
            f"The delimiter {value!r} is not usable; give one character such as , ; | or tab."
        )
    return delimiter


def detect_delimiter(lines: list[str], preferred: str = ",") -> str:
    """The delimiter that splits the header into two or more columns most consistently.

    Each candidate parses the sample lines as CSV (so quoted delimiters do not
    count); the score is the share of records with as many cells as the header,
    then the header's width; ties go to `preferred`, then `,` `;` tab `|`.
    """
    best, best_score = preferred, (0.0, 1)
    for candidate in sorted(DELIMITERS, key=lambda d: d != preferred):
        if not any(candidate in line for line in lines):
            continue
        try:
            records = [r for r in csv.reader(lines, delimiter=candidate) if r]
        except csv.Error:
            continue
        if len(records) > 1 and len(lines) >= _SNIFF_LINES:
            records.pop()  # may be cut off by the end of the sample
        width = len(records[0]) if records else 0
        if width < 2:
            continue
        consistent = sum(1 for r in records if len(r) == width) / len(records)
        score = (consistent, width)
        if score > best_score:
            best, best_score = candidate, score
    return best


def _sample_lines(sample: bytes, encoding: Encoding) -> list[str]:
    stream = BytesIO(sample)
    stream.seek(encoding.bom)
    raw = list(split_lines(stream, encoding.newline, encoding.unit))
    if len(sample) >= SAMPLE_SIZE and len(raw) > 1:
        raw.pop()  # probably cut in the middle
    return [line.decode(encoding.codec, "backslashreplace") for line in raw[:_SNIFF_LINES]]


def _is_utf8(data: bytes) -> bool:
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def _csv_problem(exc: csv.Error) -> str:
    text = str(exc)
    if "unexpected end of data" in text:
        return 'a quoted field is not closed before the end of the file (unbalanced ")'
    if "expected after" in text:
        return (
            "a closing quote is followed by text instead of the delimiter; double the "
            'quotes inside a quoted field ("")'
        )
    if "new-line character seen in unquoted field" in text:
        return (
            "a line break (carriage return) is inside a field that is not quoted; quote "
            "the field or remove the line break"
        )
    return f"the record is not valid CSV: {text}"
