"""Property tests: whatever Python's csv writer produces reads back exactly, and every
record comes out exactly once, as a row or as an error."""

from __future__ import annotations

import csv
import io
import tempfile
from pathlib import Path

from followthemoney.util import sanitize_text
from hypothesis import given, settings
from hypothesis import strategies as st

from casegraph.ingest.records import RowError, SourceRow
from casegraph.ingest.sources import CsvSource

# Any text, including delimiters, quotes, line breaks and non-ASCII; NUL is tested
# separately (it makes a record an error).
TEXT = st.text(
    alphabet=st.characters(codec="utf-8", exclude_characters="\x00"),
    max_size=12,
)
CELL = (
    TEXT
    | TEXT.map(lambda text: f"  {text} ")  # padding, stripped by the cleaning
    | TEXT.map(lambda text: f"\t{text}\r\n")
    | st.sampled_from([",", '"', "\n", "\r\n", '""', " ", "é", "a,b", '"x"', "Cafe\u0301"])
)

NAMES = st.lists(
    st.text(alphabet="abcdefghij_", min_size=1, max_size=6), min_size=1, max_size=5, unique=True
)


def is_blank_line(row: list[str]) -> bool:
    """What the reader skips: a record written as an empty or whitespace-only line."""
    return len(row) <= 1 and not "".join(row).strip(" \t") and row != [""]


def written(header: list[str], rows: list[list[str]]) -> tuple[bytes, list[int]]:
    """The CSV bytes and, per row, the physical line where it starts."""
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer)
    writer.writerow(header)
    starts: list[int] = []
    for row in rows:
        starts.append(buffer.getvalue().count("\n") + 1)
        writer.writerow(row)
    return buffer.getvalue().encode("utf-8"), starts


def read(data: bytes, encoding: str | None = None) -> tuple[CsvSource, list[SourceRow | RowError]]:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "table.csv"
        path.write_bytes(data)
        source = CsvSource(path, encoding=encoding)
        return source, list(source.rows())


@st.composite
def tables(draw: st.DrawFn) -> tuple[list[str], list[list[str]]]:
    header = draw(NAMES)
    rows = draw(st.lists(st.lists(CELL, min_size=len(header), max_size=len(header)), max_size=8))
    return header, rows


@settings(max_examples=300, deadline=None, database=None)
@given(tables())
def test_written_tables_read_back_as_cleaned_values(
    table: tuple[list[str], list[list[str]]],
) -> None:
    header, rows = table
    data, starts = written(header, rows)
    source, items = read(data)
    assert source.columns() == header
    expected = [
        (
            line,
            {
                name: text
                for name, cell in zip(header, row, strict=True)
                if (text := sanitize_text(cell))
            },
        )
        for row, line in zip(rows, starts, strict=True)
        if not is_blank_line(row)
    ]
    rows_read = [item for item in items if isinstance(item, SourceRow)]
    assert len(rows_read) == len(items)
    assert [(item.origin.line, item.values) for item in rows_read] == expected
    assert [item.origin.row for item in items] == list(range(1, len(expected) + 1))


# Rows of any width, some with NUL or with bytes that are not UTF-8.
ROUGH_CELL = CELL | st.sampled_from(["\x00", "caf\udce9"])


@st.composite
def rough_tables(draw: st.DrawFn) -> tuple[list[str], list[list[str]]]:
    header = draw(NAMES.filter(lambda names: len(names) >= 2))
    width = len(header)
    rows = draw(st.lists(st.lists(ROUGH_CELL, min_size=0, max_size=width + 2), max_size=10))
    return header, rows


@settings(max_examples=300, deadline=None, database=None)
@given(rough_tables())
def test_every_record_is_read_exactly_once(table: tuple[list[str], list[list[str]]]) -> None:
    header, rows = table
    buffer = io.StringIO(newline="")
    csv.writer(buffer).writerow(header)
    expected: list[tuple[int, int, type]] = []
    for row in rows:
        line = buffer.getvalue().count("\n") + 1
        csv.writer(buffer).writerow(row)
        if is_blank_line(row):
            continue
        broken = len(row) != len(header) or any("\x00" in c or "\udce9" in c for c in row)
        expected.append((len(expected) + 1, line, RowError if broken else SourceRow))
    # A lone surrogate escape stands for the byte 0xE9, which is not UTF-8.
    data = buffer.getvalue().encode("utf-8", "surrogateescape")
    _, items = read(data, encoding="utf-8")
    assert [(item.origin.row, item.origin.line, type(item)) for item in items] == expected
    for item in items:
        if isinstance(item, RowError):
            assert item.raw is not None
            assert "\x00" not in item.raw
