"""CSV/TSV reading: encodings, delimiters, multi-line records, bad rows, headers."""

from __future__ import annotations

import csv
import tracemalloc

import pytest

from casegraph.errors import InvalidInputError, SourceError
from casegraph.ingest.records import RowError, SourceRow
from casegraph.ingest.sources import CsvSource
from casegraph.ingest.sources.csv_source import FIELD_LIMIT
from tests.ingest.sources._support import Write, bad, good, where

# A text long enough for charset detection to be meaningful, with characters that
# differ between the Latin code pages (à è ñ ç are not in cp1250).
WESTERN = [
    ["name", "city", "note"],
    ["José Peña", "Málaga", "señor, año 2019"],
    ["Hélène Côté", "Montréal", "très élevé à Noël"],
    ["Jürgen Müller", "Köln", "Geschäftsführer der Straßenbau GmbH"],
    ["François Mitterrand", "Besançon", "€500, reçu à l'école"],
    ["Ægir Þórsson", "Reykjavík", "naïve façade"],
]


def western_csv() -> str:
    return "".join(",".join(f'"{cell}"' for cell in row) + "\r\n" for row in WESTERN)


def expected_western() -> list[dict[str, str]]:
    header = WESTERN[0]
    return [dict(zip(header, row, strict=True)) for row in WESTERN[1:]]


# --- encodings ------------------------------------------------------------------


def test_utf8_is_read(write: Write) -> None:
    source = CsvSource(write("a.csv", western_csv()))
    assert source.encoding.codec == "utf-8"
    assert [row.values for row in good(source.rows())] == expected_western()


def test_utf8_bom_is_stripped_from_the_header(write: Write) -> None:
    source = CsvSource(write("a.csv", b"\xef\xbb\xbf" + western_csv().encode("utf-8")))
    assert source.columns() == ["name", "city", "note"]
    assert [row.values for row in good(source.rows())] == expected_western()


def test_cp1252_is_detected_and_decoded(write: Write) -> None:
    source = CsvSource(write("a.csv", western_csv().encode("cp1252")))
    assert source.encoding.codec == "cp1252"
    items = list(source.rows())
    assert bad(items) == []
    assert [row.values for row in good(items)] == expected_western()


@pytest.mark.parametrize("codec", ["utf-16", "utf-16-be", "utf-16-le"])
def test_utf16_with_or_without_bom_is_read_with_line_numbers(write: Write, codec: str) -> None:
    text = 'name,note\r\nAnna,"two\r\nlines"\r\nŁukasz,Łódź\r\n'
    data = text.encode(codec)
    if codec == "utf-16-be":
        data = b"\xfe\xff" + data
    source = CsvSource(write("a.csv", data))
    items = list(source.rows())
    assert [row.values for row in good(items)] == [
        {"name": "Anna", "note": "two\r\nlines"},
        {"name": "Łukasz", "note": "Łódź"},
    ]
    assert [where(item) for item in items] == [(1, 2), (2, 4)]


def test_explicit_encoding_is_used(write: Write) -> None:
    path = write("a.csv", "name\nSão Paulo\n".encode("latin-1"))
    source = CsvSource(path, encoding="latin-1")
    assert [row.values for row in good(source.rows())] == [{"name": "São Paulo"}]


def test_unknown_explicit_encoding_is_refused(write: Write) -> None:
    with pytest.raises(InvalidInputError, match="Unknown encoding 'klingon'"):
        CsvSource(write("a.csv", "name\nx\n"), encoding="klingon")


# --- mixed encodings --------------------------------------------------------------


def test_latin1_line_in_utf8_file_is_rejected_with_its_bytes(write: Write) -> None:
    data = "name,city\nJosé,Zürich\n".encode() + b"Ren\xe9,Paris\n" + "Zoë,Genève\n".encode()
    items = list(CsvSource(write("a.csv", data)).rows())
    assert [row.values for row in good(items)] == [
        {"name": "José", "city": "Zürich"},
        {"name": "Zoë", "city": "Genève"},
    ]
    [error] = bad(items)
    assert where(error) == (2, 3)
    assert error.message == (
        "line 3 is not valid UTF-8: byte 0xE9 at position 4; "
        "re-save the file as UTF-8 or pass --encoding"
    )
    assert error.raw == "Ren\\xe9,Paris"


def test_bad_line_inside_a_multiline_record_rejects_the_record(write: Write) -> None:
    data = b'id,text\n1,"first\n' + b"caf\xe9\n" + 'end"\n2,Zoë\n'.encode()
    items = list(CsvSource(write("a.csv", data)).rows())
    [error] = bad(items)
    assert where(error) == (1, 2)
    assert error.message.startswith("line 3 is not valid UTF-8: byte 0xE9 at position 4")
    assert error.raw == '1,"first\ncaf\\xe9\nend"'
    assert [(where(row), row.values) for row in good(items)] == [
        ((2, 5), {"id": "2", "text": "Zoë"})
    ]


def test_utf8_line_in_cp1252_file_is_rejected_not_mangled(write: Write) -> None:
    data = western_csv().encode("cp1252") + '"Zoë","Genève","ok"\r\n'.encode()
    source = CsvSource(write("a.csv", data))
    assert source.encoding.codec == "cp1252"
    items = list(source.rows())
    assert [row.values for row in good(items)] == expected_western()
    [error] = bad(items)
    assert where(error) == (6, 7)
    assert "line 7 is UTF-8, but the file was detected as cp1252" in error.message
    assert error.raw == '"Zo\\xc3\\xab","Gen\\xc3\\xa8ve","ok"'


# --- delimiters ----------------------------------------------------------------


@pytest.mark.parametrize("delimiter", [",", ";", "\t", "|"])
def test_delimiter_is_detected_despite_quoted_delimiters(write: Write, delimiter: str) -> None:
    others = ",;\t|".replace(delimiter, "")
    header = delimiter.join(["name", "note", "amount"])
    rows = [
        delimiter.join(["Anna", f'"a{delimiter}b{others}c"', "1"]),
        delimiter.join(["Bob", f'"x{others}{others}y"', "2"]),
    ]
    source = CsvSource(write("a.txt", "\n".join([header, *rows]) + "\n"))
    assert source.delimiter == delimiter
    assert source.format == ("tsv" if delimiter == "\t" else "csv")
    assert [row.values for row in good(source.rows())] == [
        {"name": "Anna", "note": f"a{delimiter}b{others}c", "amount": "1"},
        {"name": "Bob", "note": f"x{others}{others}y", "amount": "2"},
    ]


def test_semicolon_file_with_decimal_commas_is_split_on_semicolons(write: Write) -> None:
    source = CsvSource(write("a.csv", "name;amount\nAnna;1,5\nBob;2,75\n"))
    assert source.delimiter == ";"
    assert [row.values["amount"] for row in good(source.rows())] == ["1,5", "2,75"]


@pytest.mark.parametrize("given", ["tab", "\\t", "\t"])
def test_explicit_delimiter_and_its_aliases(write: Write, given: str) -> None:
    source = CsvSource(write("a.csv", "a,b\tc\n1,2\t3\n"), delimiter=given)
    assert source.columns() == ["a,b", "c"]


def test_unusable_delimiter_is_refused(write: Write) -> None:
    with pytest.raises(InvalidInputError, match="delimiter '::' is not usable"):
        CsvSource(write("a.csv", "a,b\n"), delimiter="::")


# --- records, rows and lines ----------------------------------------------------------


def test_multiline_quoted_fields_keep_row_and_line_numbers(write: Write) -> None:
    text = 'name,address\r\nAnna,"1 Main St\r\nSpringfield"\r\nBob,"a\r\nb\r\nc"\r\nCy,here\r\n'
    items = list(CsvSource(write("a.csv", text)).rows())
    assert [where(item) for item in items] == [(1, 2), (2, 4), (3, 7)]
    assert [row.values["address"] for row in good(items)] == [
        "1 Main St\r\nSpringfield",
        "a\r\nb\r\nc",
        "here",
    ]
    assert items[1].raw == 'Bob,"a\r\nb\r\nc"'


def test_blank_lines_are_skipped_and_take_no_row_number(write: Write) -> None:
    text = "\nname,city\n\nAnna,Oslo\n   \n\t\nBob,Rome\n\n"
    source = CsvSource(write("a.csv", text))
    assert source.columns() == ["name", "city"]
    items = list(source.rows())
    assert [(where(item), item.values) for item in good(items)] == [
        ((1, 4), {"name": "Anna", "city": "Oslo"}),
        ((2, 7), {"name": "Bob", "city": "Rome"}),
    ]
    assert bad(items) == []


def test_classic_mac_line_endings(write: Write) -> None:
    items = list(CsvSource(write("a.csv", "name,city\rAnna,Oslo\rBob,Rome\r")).rows())
    assert [(where(item), item.values) for item in good(items)] == [
        ((1, 2), {"name": "Anna", "city": "Oslo"}),
        ((2, 3), {"name": "Bob", "city": "Rome"}),
    ]


def test_cells_are_cleaned_like_followthemoney(write: Write) -> None:
    text = 'a,b,c,d\n  padded  ,,"Cafe\u0301","zero\u200bwidth\x07"\n'
    [row] = list(CsvSource(write("a.csv", text)).rows())
    assert isinstance(row, SourceRow)
    assert row.values == {"a": "padded", "c": "Café", "d": "zerowidth"}
    assert row.raw == '  padded  ,,"Cafe\u0301","zero\u200bwidth\x07"'


def test_row_of_empty_cells_is_a_record_without_values(write: Write) -> None:
    items = list(CsvSource(write("a.csv", "a,b\n,\n1,2\n")).rows())
    assert [(where(item), item.values) for item in good(items)] == [
        ((1, 2), {}),
        ((2, 3), {"a": "1", "b": "2"}),
    ]


# --- malformed rows ---------------------------------------------------------------


def test_too_many_and_too_few_cells_are_rejected(write: Write) -> None:
    text = "a,b,c\n1,2,3\n1,2,3,4\n1,2\n4,5,6\n"
    items = list(CsvSource(write("a.csv", text)).rows())
    assert [(where(e), e.message, e.raw) for e in bad(items)] == [
        ((2, 3), "row 2 has 4 cells, the header has 3", "1,2,3,4"),
        ((3, 4), "row 3 has 2 cells, the header has 3", "1,2"),
    ]
    assert [where(row) for row in good(items)] == [(1, 2), (4, 5)]


def test_unterminated_quote_at_end_of_file_is_one_rejected_record(write: Write) -> None:
    text = 'a,b\n1,2\n3,"never closed\n4,5\n'
    items = list(CsvSource(write("a.csv", text)).rows())
    assert [row.values for row in good(items)] == [{"a": "1", "b": "2"}]
    [error] = bad(items)
    assert where(error) == (2, 3)
    assert "quoted field is not closed before the end of the file" in error.message
    assert error.raw == '3,"never closed\n4,5'


def test_text_after_a_closing_quote_is_rejected_and_reading_goes_on(write: Write) -> None:
    text = 'a,b\n1,"x"y\n2,z\n'
    items = list(CsvSource(write("a.csv", text)).rows())
    [error] = bad(items)
    assert where(error) == (1, 2)
    assert "closing quote is followed by text" in error.message
    assert error.raw == '1,"x"y'
    assert [(where(row), row.values) for row in good(items)] == [((2, 3), {"a": "2", "b": "z"})]


def test_nul_byte_rejects_the_record(write: Write) -> None:
    items = list(CsvSource(write("a.csv", b"a,b\n1,x\x00y\n2,z\n")).rows())
    [error] = bad(items)
    assert where(error) == (1, 2)
    assert error.message.startswith("line 2 contains a NUL byte at position 4")
    assert error.raw == "1,x\\x00y"
    assert [row.values for row in good(items)] == [{"a": "2", "b": "z"}]


# --- header ---------------------------------------------------------------------


def test_blank_header_cell_fails_the_file(write: Write) -> None:
    with pytest.raises(SourceError, match=r"a\.csv: the header on line 1 has no name for column 2"):
        CsvSource(write("a.csv", "name,,city\n1,2,3\n"))


def test_trailing_delimiter_in_header_is_a_blank_column(write: Write) -> None:
    with pytest.raises(SourceError, match="no name for column 3 \\(of 3\\)"):
        CsvSource(write("a.csv", "name,city,\n1,2,\n"))


def test_duplicate_header_names_fail_the_file(write: Write) -> None:
    with pytest.raises(SourceError, match=r"repeats the column name 'name' \(columns 1, 3\)"):
        CsvSource(write("a.csv", "name,city, name \n1,2,3\n"))


def test_header_with_undecodable_bytes_fails_the_file(write: Write) -> None:
    data = b"na\xefme,city\n" + "José,Zürich\nZoë,Genève\n".encode()
    with pytest.raises(SourceError, match="the header cannot be read: line 1 is not valid UTF-8"):
        CsvSource(write("a.csv", data))


@pytest.mark.parametrize("content", ["", "\n\n  \n"])
def test_empty_file_fails(write: Write, content: str) -> None:
    with pytest.raises(SourceError, match=r"a\.csv is empty"):
        CsvSource(write("a.csv", content))


def test_header_only_file_has_columns_and_no_rows(write: Write) -> None:
    source = CsvSource(write("a.csv", "name,city\n"))
    assert source.columns() == ["name", "city"]
    assert list(source.rows()) == []


def test_missing_file_fails(write: Write) -> None:
    path = write("a.csv", "x\n").with_name("missing.csv")
    with pytest.raises(SourceError, match=r"missing\.csv does not exist"):
        CsvSource(path)


# --- streaming ----------------------------------------------------------------------


def test_reading_streams_in_bounded_memory(write: Write) -> None:
    """A file many times the memory budget is read while keeping little of it."""
    row = "Some Company Ltd,John Smith,Maria García,12345,2024-01-02\n"
    data = ("a,b,c,d,e\n" + row * 100_000).encode()
    source = CsvSource(write("big.csv", data))
    tracemalloc.start()
    try:
        count = 0
        for item in source.rows():
            count += 1
            assert not isinstance(item, RowError)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert count == 100_000
    assert len(data) > 5_000_000
    assert peak < 1_000_000


def test_utf16_newline_bytes_inside_characters_do_not_split_lines(write: Write) -> None:
    # U+0A41 U+0100 is 41 0A 00 01 in UTF-16-LE: "0A 00" at an odd offset.
    text = "name,note\r\n\u0a41\u0100,x\r\ny,z\r\n"
    items = list(CsvSource(write("a.csv", text.encode("utf-16"))).rows())
    assert bad(items) == []
    assert [(where(item), item.values) for item in good(items)] == [
        ((1, 2), {"name": "\u0a41\u0100", "note": "x"}),
        ((2, 3), {"name": "y", "note": "z"}),
    ]


def test_carriage_return_inside_an_unquoted_field_is_rejected(write: Write) -> None:
    items = list(CsvSource(write("a.csv", "a,b\nx\ry,z\n1,2\n")).rows())
    [error] = bad(items)
    assert where(error) == (1, 2)
    assert error.message.startswith("a line break (carriage return) is inside a field")
    assert error.raw == "x\ry,z"
    assert [row.values for row in good(items)] == [{"a": "1", "b": "2"}]


@pytest.mark.slow
def test_runaway_quote_fails_the_file_where_it_starts(write: Write) -> None:
    path = write("a.csv", 'a,b\n1,2\n3,"never closed\n')
    rows = CsvSource(path).rows()
    limit = csv.field_size_limit()  # FIELD_LIMIT or more, once a source is read
    assert limit >= FIELD_LIMIT
    with path.open("a") as file:
        file.write(("x" * 999 + "\n") * (limit // 1000 + 10) + "4,5\n")
    first = next(rows)
    assert isinstance(first, SourceRow)
    assert first.values == {"a": "1", "b": "2"}
    with pytest.raises(SourceError, match="record starting on line 3 has a field longer than"):
        next(rows)
