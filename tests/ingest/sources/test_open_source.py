"""Choosing the reader: extensions, content sniffing, `format` and option errors."""

from __future__ import annotations

from pathlib import Path

import pytest
from openpyxl import Workbook

from casegraph.errors import InvalidInputError, SourceError
from casegraph.ingest.sources import (
    CsvSource,
    FtmSource,
    JsonlSource,
    XlsxSource,
    detect_format,
    open_source,
)
from tests.ingest.sources._support import Write, good

ENTITY = '{"id": "p1", "schema": "Person", "properties": {"name": ["Anna"]}}\n'


def xlsx_bytes(tmp_path: Path) -> bytes:
    book = Workbook()
    sheet = book.create_sheet("Data")
    sheet.append(["name"])
    sheet.append(["Anna"])
    book.save(tmp_path / "made.xlsx")
    return (tmp_path / "made.xlsx").read_bytes()


@pytest.mark.parametrize(
    ("name", "content", "kind", "fmt"),
    [
        ("a.csv", "name,city\nAnna,Oslo\n", CsvSource, "csv"),
        ("a.txt", "name;city\nAnna;Oslo\n", CsvSource, "csv"),
        ("a.tsv", "name\tcity\nAnna\tOslo\n", CsvSource, "tsv"),
        ("a.TSV", "name\nAnna\n", CsvSource, "tsv"),
        ("a.jsonl", '{"name": "Anna"}\n', JsonlSource, "jsonl"),
        ("a.ndjson", '{"name": "Anna"}\n', JsonlSource, "jsonl"),
        ("a.json", '{"name": "Anna"}\n', JsonlSource, "jsonl"),
        ("a.json", ENTITY, FtmSource, "ftm"),
        ("a.jsonl", "\n" + ENTITY, FtmSource, "ftm"),
        ("a.ftm.json", ENTITY, FtmSource, "ftm"),
        ("a.ftm.jsonl", ENTITY, FtmSource, "ftm"),
    ],
)
def test_format_is_detected(write: Write, name: str, content: str, kind: type, fmt: str) -> None:
    source = open_source(write(name, content))
    assert isinstance(source, kind)
    assert source.format == fmt
    assert detect_format(source.path) == ("tsv" if fmt == "tsv" else fmt)
    assert len(good(source.rows())) == 1


def test_xlsx_is_detected_also_when_misnamed_csv(write: Write, tmp_path: Path) -> None:
    data = xlsx_bytes(tmp_path)
    for name in ("b.xlsx", "b.csv"):
        source = open_source(write(name, data))
        assert isinstance(source, XlsxSource)
        assert [row.values for row in good(source.rows())] == [{"name": "Anna"}]


def test_format_overrides_the_extension(write: Write) -> None:
    path = write("export.dat", "a|b\n1|2\n")
    source = open_source(path, format="csv")
    assert isinstance(source, CsvSource)
    assert [row.values for row in good(source.rows())] == [{"a": "1", "b": "2"}]
    tab = open_source(write("t.csv", "a,b\tc\n1,2\t3\n"), format="tsv")
    assert tab.columns() == ["a,b", "c"]
    ftm = open_source(write("e.jsonl", '{"id": "x", "schema": "Person"}\n'), format="ftm")
    assert isinstance(ftm, FtmSource)


def test_encoding_and_delimiter_are_passed_to_csv(write: Write) -> None:
    path = write("a.csv", "a;b\nS\xe3o;x\n".encode("latin-1"))
    source = open_source(path, encoding="latin-1", delimiter=",")
    assert source.columns() == ["a;b"]
    assert [row.values for row in good(source.rows())] == [{"a;b": "São;x"}]


def test_unknown_extension_names_the_accepted_formats(write: Write) -> None:
    with pytest.raises(
        SourceError, match=r"data\.pdf has an unknown file type '\.pdf'; accepted are \.csv"
    ):
        open_source(write("data.pdf", "x"))


def test_old_excel_format_is_refused_with_advice(write: Write) -> None:
    with pytest.raises(SourceError, match=r"old Excel format \(\.xls\).*save it as \.xlsx"):
        open_source(write("old.xls", b"\xd0\xcf\x11\xe0"))


def test_missing_file_fails(tmp_path: Path) -> None:
    with pytest.raises(SourceError, match=r"nope\.csv does not exist; check the path"):
        open_source(tmp_path / "nope.csv")


def test_directory_fails(tmp_path: Path) -> None:
    with pytest.raises(SourceError, match="is not a file"):
        open_source(tmp_path)


def test_unknown_format_is_refused(write: Write) -> None:
    with pytest.raises(InvalidInputError, match="Unknown format 'parquet'; use one of csv, tsv"):
        open_source(write("a.csv", "a\n1\n"), format="parquet")


def test_options_that_do_not_fit_the_format_are_refused(write: Write) -> None:
    with pytest.raises(InvalidInputError, match=r"sheet can only be chosen in \.xlsx files"):
        open_source(write("a.csv", "a\n1\n"), sheet="S")
    with pytest.raises(InvalidInputError, match="encoding or delimiter can only be given for CSV"):
        open_source(write("a.jsonl", '{"a": 1}\n'), encoding="utf-8")
