"""JSON lines of flat objects: values as text, lists joined, bad lines rejected."""

from __future__ import annotations

import pytest

from casegraph.errors import SourceError
from casegraph.ingest.sources import JsonlSource
from tests.ingest.sources._support import Write, bad, good, where


def test_objects_become_rows_of_text(write: Write) -> None:
    path = write(
        "a.jsonl",
        '{"name": " Anna ", "age": 42, "score": 1.5, "whole": 3.0, "ok": true, "none": null}\n'
        "\n"
        '{"name": "Bob", "tags": ["x", 1, null, " ", false], "empty": ""}\n',
    )
    items = list(JsonlSource(path).rows())
    assert [(where(item), item.values) for item in good(items)] == [
        ((1, 1), {"name": "Anna", "age": "42", "score": "1.5", "whole": "3", "ok": "true"}),
        ((2, 3), {"name": "Bob", "tags": "x;1;false"}),
    ]
    assert items[1].raw == '{"name": "Bob", "tags": ["x", 1, null, " ", false], "empty": ""}'


def test_invalid_json_line_is_rejected_with_its_line(write: Write) -> None:
    path = write("a.jsonl", '{"a": 1}\n{"a": 2,}\n{"a": 3}\n')
    items = list(JsonlSource(path).rows())
    [error] = bad(items)
    assert where(error) == (2, 2)
    assert error.message == "line 2 is not valid JSON: trailing comma is not allowed at position 8"
    assert error.raw == '{"a": 2,}'
    assert [row.values for row in good(items)] == [{"a": "1"}, {"a": "3"}]


def test_line_that_is_not_utf8_is_rejected_with_its_bytes(write: Write) -> None:
    path = write("a.jsonl", b'{"a": "ok"}\n{"a": "caf\xe9"}\n')
    [error] = bad(JsonlSource(path).rows())
    assert error.message.startswith(
        "line 2 is not valid UTF-8: byte 0xE9 at position 11; JSON lines must be UTF-8,"
    )
    assert error.raw == '{"a": "caf\\xe9"}'


def test_nested_object_is_rejected_naming_the_key(write: Write) -> None:
    path = write("a.jsonl", '{"a": 1, "addr": {"city": "Oslo"}}\n{"a": 2, "l": [[1]]}\n')
    errors = bad(JsonlSource(path).rows())
    assert [(e.column, e.message) for e in errors] == [
        (
            "addr",
            "key 'addr' on line 1 holds a nested object; flatten the file first (e.g. with jq)",
        ),
        (
            "l",
            "key 'l' on line 2 holds a list containing a JSON array; only lists of strings, "
            "numbers and booleans can be read, flatten the file first",
        ),
    ]


def test_line_that_is_not_an_object_is_rejected(write: Write) -> None:
    path = write("a.jsonl", '{"a": 1}\n"just text"\n')
    [error] = bad(JsonlSource(path).rows())
    assert error.message == "line 2 holds a JSON string, not an object"


def test_columns_are_all_keys_in_order_of_appearance(write: Write) -> None:
    path = write("a.jsonl", '{"b": 1, "a": 2}\nnot json\n{"c": 3, "a": 4}\n')
    assert JsonlSource(path).columns() == ["b", "a", "c"]


def test_bom_is_skipped(write: Write) -> None:
    path = write("a.jsonl", b'\xef\xbb\xbf{"a": 1}\n')
    assert [row.values for row in good(JsonlSource(path).rows())] == [{"a": "1"}]


def test_json_array_file_is_refused_with_advice(write: Write) -> None:
    path = write("a.json", '[{"a": 1}, {"a": 2}]')
    with pytest.raises(
        SourceError, match=r"is a JSON array, not JSON lines.*jq -c '\.\[\]' a\.json"
    ):
        JsonlSource(path)


def test_indented_json_is_refused_with_advice(write: Write) -> None:
    path = write("a.json", '{\n  "a": 1\n}\n')
    with pytest.raises(SourceError, match=r"looks like indented JSON.*jq -c \. a\.json"):
        JsonlSource(path)


def test_empty_file_fails(write: Write) -> None:
    with pytest.raises(SourceError, match="is empty"):
        JsonlSource(write("a.jsonl", "\n\n"))
