"""XLSX reading: every sheet, headers, row numbers and values as text."""

from __future__ import annotations

from datetime import date, datetime, time
from pathlib import Path

import pytest
from openpyxl import Workbook

from casegraph.errors import SourceError
from casegraph.ingest.sources import XlsxSource
from tests.ingest.sources._support import Write, bad, good


def workbook(path: Path, sheets: dict[str, list[list[object]]]) -> Path:
    book = Workbook()
    for default in list(book.worksheets):
        book.remove(default)
    for title, rows in sheets.items():
        sheet = book.create_sheet(title)
        for row in rows:
            sheet.append(row)
    book.save(path)
    return path


@pytest.fixture
def two_sheets(tmp_path: Path) -> Path:
    return workbook(
        tmp_path / "book.xlsx",
        {
            "People": [
                ["Name", "Born", "Shares", "Active"],
                ["  Anna  ", date(1980, 5, 17), 42, True],
                [None, None, None, None],
                ["Bob", datetime(1975, 1, 2, 13, 45, 10), 0.5, False],
            ],
            "Payments": [
                [],
                [None, None],
                ["Payer", "Amount", "Paid at", None, None],
                ["Anna", 1500.0, datetime(2024, 3, 1), None],
                ["Bob", 1234567.125, time(9, 30)],
            ],
        },
    )


def test_every_sheet_is_read_with_sheet_names_and_row_numbers(two_sheets: Path) -> None:
    source = XlsxSource(two_sheets)
    items = list(source.rows())
    assert bad(items) == []
    assert [(r.origin.file, r.origin.sheet, r.origin.row, r.values) for r in good(items)] == [
        (
            "book.xlsx",
            "People",
            2,
            {"Name": "Anna", "Born": "1980-05-17", "Shares": "42", "Active": "true"},
        ),
        (
            "book.xlsx",
            "People",
            4,
            {"Name": "Bob", "Born": "1975-01-02T13:45:10", "Shares": "0.5", "Active": "false"},
        ),
        ("book.xlsx", "Payments", 4, {"Payer": "Anna", "Amount": "1500", "Paid at": "2024-03-01"}),
        (
            "book.xlsx",
            "Payments",
            5,
            {"Payer": "Bob", "Amount": "1234567.125", "Paid at": "09:30:00"},
        ),
    ]


def test_columns_are_the_union_of_the_sheet_headers(two_sheets: Path) -> None:
    source = XlsxSource(two_sheets)
    assert source.sheets == ["People", "Payments"]
    assert source.columns() == ["Name", "Born", "Shares", "Active", "Payer", "Amount", "Paid at"]


def test_one_sheet_can_be_chosen(two_sheets: Path) -> None:
    source = XlsxSource(two_sheets, sheet="Payments")
    assert source.columns() == ["Payer", "Amount", "Paid at"]
    assert {item.origin.sheet for item in source.rows()} == {"Payments"}


def test_missing_sheet_lists_the_sheets(two_sheets: Path) -> None:
    with pytest.raises(
        SourceError, match="has no sheet 'Nope'; the sheets are 'People', 'Payments'"
    ):
        XlsxSource(two_sheets, sheet="Nope")


def test_value_right_of_the_header_is_rejected(tmp_path: Path) -> None:
    path = workbook(tmp_path / "b.xlsx", {"S": [["a", "b"], [1, 2], [3, 4, "extra"]]})
    items = list(XlsxSource(path).rows())
    [error] = bad(items)
    assert (error.origin.sheet, error.origin.row) == ("S", 3)
    assert "row 3 has a value in column C, right of the last named column B" in error.message
    assert error.raw == "3\t4\textra"
    assert [row.values for row in good(items)] == [{"a": "1", "b": "2"}]


def test_blank_header_cell_between_names_fails(tmp_path: Path) -> None:
    path = workbook(tmp_path / "b.xlsx", {"S": [["a", None, "c"], [1, 2, 3]]})
    with pytest.raises(
        SourceError, match="sheet 'S': the header on row 1 has no name for column B"
    ):
        XlsxSource(path)


def test_duplicate_header_fails(tmp_path: Path) -> None:
    path = workbook(tmp_path / "b.xlsx", {"S": [["a", "b", "a"], [1, 2, 3]]})
    with pytest.raises(SourceError, match=r"repeats the column name 'a' \(columns A, C\)"):
        XlsxSource(path)


def test_empty_sheets_are_skipped_and_an_empty_workbook_fails(tmp_path: Path) -> None:
    path = workbook(tmp_path / "b.xlsx", {"Empty": [], "Data": [["a"], ["x"]]})
    assert XlsxSource(path).sheets == ["Data"]
    empty = workbook(tmp_path / "e.xlsx", {"Empty": []})
    with pytest.raises(SourceError, match="is empty"):
        XlsxSource(empty)


def test_corrupt_file_fails(write: Write) -> None:
    path = write("broken.xlsx", b"PK\x03\x04 this is not really a zip archive")
    with pytest.raises(SourceError, match=r"broken\.xlsx is not a readable \.xlsx workbook"):
        XlsxSource(path)


def test_missing_file_fails(tmp_path: Path) -> None:
    with pytest.raises(SourceError, match="does not exist"):
        XlsxSource(tmp_path / "nope.xlsx")
