"""FollowTheMoney entities as JSON lines, as exported by Aleph, OpenSanctions and `ftm`.

Each non-blank line is one entity: `{"id": ..., "schema": ..., "properties": {...}}`
(other keys such as `datasets` or `caption` are kept and ignored). The structure is
checked here and values are cleaned later by the mapper. A line becomes a
`RowError` naming the entity when: it is not JSON or not an object; it has no id;
its schema is missing, unknown or abstract; `properties` is not an object; a
property is not defined for the schema (or is a reverse property, which is set on
the other entity); or a property value is not a string or a list of strings and
numbers (nested entities, as in "nested" exports, are refused).

A `SourceRow` carries the parsed entity in `entity`, normalised so that
`properties` is always an object mapping property names to lists of strings
(a single string becomes a one-item list, numbers become text, nulls are dropped).
A whole-file JSON array is refused with advice to convert it with `jq -c '.[]'`.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

from followthemoney import model

from casegraph.ingest.records import RowError, SourceItem, SourceRow
from casegraph.ingest.sources._json_lines import (
    check_json_lines,
    json_kind,
    read_json_lines,
    scalar_text,
)
from casegraph.model.origin import Origin


class FtmSource:
    """A file of FollowTheMoney entities, one JSON object per line."""

    format = "ftm"

    def __init__(self, path: Path) -> None:
        self.path = path
        self.label = path.name
        check_json_lines(path)

    def columns(self) -> list[str]:
        return []

    def rows(self) -> Iterator[SourceItem]:
        label = self.label
        for item in read_json_lines(self.path):
            origin = Origin(label, None, item.row, item.line)
            if item.problem is not None:
                yield RowError(origin, item.problem, None, item.raw)
                continue
            problem, column = entity_problem(item.value, item.line)
            if problem is not None:
                yield RowError(origin, problem, column, item.raw)
                continue
            yield SourceRow(origin, {}, item.value, item.raw)


def entity_problem(entity: Any, line: int) -> tuple[str | None, str | None]:
    """(problem, property) for a parsed entity, normalising `properties` when it is fine."""
    if not isinstance(entity, dict):
        return f"line {line} holds a JSON {json_kind(entity)}, not an entity object", None
    entity_id = entity.get("id")
    if not isinstance(entity_id, str) or not entity_id.strip():
        return f"the entity on line {line} has no id", None
    name = f"entity {entity_id!r}"
    schema_name = entity.get("schema")
    if not isinstance(schema_name, str) or not schema_name:
        return f"{name} has no schema", None
    schema = model.get(schema_name)
    if schema is None:
        return f"{name} has an unknown schema {schema_name!r}", None
    if schema.abstract:
        return f"{name} has the abstract schema {schema_name!r}, which entities cannot use", None
    properties = entity.get("properties", {})
    if not isinstance(properties, dict):
        return f"{name} has properties that are a JSON {json_kind(properties)}, not an object", None
    normal: dict[str, list[str]] = {}
    for prop_name, values in properties.items():
        prop = schema.get(prop_name)
        if prop is None:
            return f"{name}: schema {schema.name} has no property {prop_name!r}", prop_name
        if prop.stub:
            return (
                f"{name}: {prop_name!r} is a reverse property of {schema.name}; "
                "it is set on the other entity",
                prop_name,
            )
        texts = _property_texts(values)
        if texts is None:
            kind = _bad_kind(values)
            return (
                f"{name}: property {prop_name!r} holds {kind}; property values must be "
                "strings (use a flat export, where properties hold entity ids)",
                prop_name,
            )
        normal[prop_name] = texts
    entity["properties"] = normal
    return None, None


def _property_texts(values: Any) -> list[str] | None:
    """The values of one property as texts, or None if they are not strings or numbers."""
    if values is None:
        return []
    if not isinstance(values, list):
        values = [values]
    texts: list[str] = []
    for value in values:
        if value is None:
            continue
        if isinstance(value, dict | list):
            return None
        texts.append(scalar_text(value))
    return texts


def _bad_kind(values: Any) -> str:
    items = values if isinstance(values, list) else [values]
    for value in items:
        if isinstance(value, dict):
            return "a nested entity or object"
        if isinstance(value, list):
            return "a nested list"
    return "an unreadable value"
