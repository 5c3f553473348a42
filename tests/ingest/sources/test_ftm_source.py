"""FtM entity JSON lines: entities pass through, structurally bad ones are rejected."""

from __future__ import annotations

import orjson
import pytest

from casegraph.errors import SourceError
from casegraph.ingest.sources import FtmSource
from tests.ingest.sources._support import Write, bad, good, where


def lines(*entities: object) -> bytes:
    return b"".join(orjson.dumps(entity) + b"\n" for entity in entities)


def test_entities_are_yielded_with_normalised_properties(write: Write) -> None:
    person = {
        "id": "p1",
        "schema": "Person",
        "properties": {"name": ["Anna Smith"], "birthDate": "1980-05-17", "height": [170]},
        "datasets": ["leak"],
    }
    path = write("a.ftm.json", lines(person, {"id": "c1", "schema": "Company"}))
    source = FtmSource(path)
    assert source.columns() == []
    items = list(source.rows())
    assert bad(items) == []
    assert [(where(row), row.values, row.entity) for row in good(items)] == [
        (
            (1, 1),
            {},
            {
                "id": "p1",
                "schema": "Person",
                "properties": {
                    "name": ["Anna Smith"],
                    "birthDate": ["1980-05-17"],
                    "height": ["170"],
                },
                "datasets": ["leak"],
            },
        ),
        ((2, 2), {}, {"id": "c1", "schema": "Company", "properties": {}}),
    ]


@pytest.mark.parametrize(
    ("entity", "message", "column"),
    [
        ({"schema": "Person", "properties": {}}, "the entity on line 1 has no id", None),
        ({"id": "x1", "properties": {}}, "entity 'x1' has no schema", None),
        ({"id": "x1", "schema": "Wizard"}, "entity 'x1' has an unknown schema 'Wizard'", None),
        (
            {"id": "x1", "schema": "Thing"},
            "entity 'x1' has the abstract schema 'Thing', which entities cannot use",
            None,
        ),
        (
            {"id": "x1", "schema": "Person", "properties": ["Anna"]},
            "entity 'x1' has properties that are a JSON array, not an object",
            None,
        ),
        (
            {"id": "x1", "schema": "Person", "properties": {"wand": ["oak"]}},
            "entity 'x1': schema Person has no property 'wand'",
            "wand",
        ),
        (
            {"id": "x1", "schema": "Person", "properties": {"ownershipOwner": ["o1"]}},
            "entity 'x1': 'ownershipOwner' is a reverse property of Person; "
            "it is set on the other entity",
            "ownershipOwner",
        ),
        (
            {
                "id": "x1",
                "schema": "Ownership",
                "properties": {"owner": [{"id": "p1", "schema": "Person"}]},
            },
            "entity 'x1': property 'owner' holds a nested entity or object; property values "
            "must be strings (use a flat export, where properties hold entity ids)",
            "owner",
        ),
        ("just text", "line 1 holds a JSON string, not an entity object", None),
    ],
)
def test_bad_entity_is_rejected_naming_it(
    write: Write, entity: object, message: str, column: str | None
) -> None:
    good_entity = {"id": "ok", "schema": "Person", "properties": {"name": ["Ok"]}}
    path = write("a.ftm.jsonl", lines(entity, good_entity))
    items = list(FtmSource(path).rows())
    [error] = bad(items)
    assert (where(error), error.message, error.column) == ((1, 1), message, column)
    assert error.raw == orjson.dumps(entity).decode()
    assert [row.entity["id"] for row in good(items) if row.entity] == ["ok"]


def test_invalid_json_is_rejected_with_its_line(write: Write) -> None:
    path = write("a.ftm.json", b'{"id": "a", "schema": "Person"}\n\n{"id": \n')
    [error] = bad(FtmSource(path).rows())
    assert where(error) == (2, 3)
    assert error.message.startswith("line 3 is not valid JSON:")


def test_json_array_of_entities_is_refused_with_advice(write: Write) -> None:
    path = write("a.ftm.json", orjson.dumps([{"id": "a", "schema": "Person", "properties": {}}]))
    with pytest.raises(SourceError, match=r"jq -c '\.\[\]' a\.ftm\.json > a\.ftm\.jsonl"):
        FtmSource(path)
