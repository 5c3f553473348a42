"""Statements from FtM entity JSON records (`SourceRow.entity`).

Values are cleaned the way `model.get_proxy(data, cleaned=False)` cleans them, then
the id and entity references are signed with `Namespace(dataset)`, as `ftm map`
signs mapped entities. Unlike followthemoney, which drops them silently, a value
that does not clean, an unknown or reverse property, or a missing or invalid id
rejects the record with a `RowError` that names the property and value. When the
caller passes a `dropped` list, a value that does not clean is left out (as
followthemoney leaves it out) and listed there instead.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import lru_cache
from typing import Any

from followthemoney import model
from followthemoney.namespace import Namespace
from followthemoney.schema import Schema
from followthemoney.statement.util import get_prop_type
from followthemoney.types import registry
from followthemoney.util import get_entity_id, sanitize_text
from followthemoney.value import string_list

from casegraph.ingest.mapping.diagnose import suggest
from casegraph.ingest.mapping.plan import get_cleaner, type_label
from casegraph.ingest.records import DroppedValue, RowError, SourceRow
from casegraph.model.statement import BASE_PROP, StatementRow, make_statement_id


class _Reject(Exception):
    """The record is rejected; never escapes `entity_statements`."""


@lru_cache(maxsize=64)
def _namespace(dataset: str) -> Namespace:
    return Namespace(dataset)


def entity_statements(
    row: SourceRow, *, dataset: str, dropped: list[DroppedValue] | None = None
) -> list[StatementRow] | RowError:
    """One statement per (property, value) of the entity, plus its base statement.

    With `dropped`, values that do not clean are appended there instead of rejecting
    the record; a record rejected for another reason appends nothing.
    """
    drops: list[DroppedValue] | None = None if dropped is None else []
    try:
        statements = _statements(row, dataset, drops)
    except _Reject as reject:
        return RowError(origin=row.origin, message=str(reject), raw=row.raw)
    if drops and dropped is not None:
        dropped.extend(drops)
    return statements


def _statements(
    row: SourceRow, dataset: str, drops: list[DroppedValue] | None
) -> list[StatementRow]:
    data = row.entity
    if not isinstance(data, Mapping):
        raise _Reject("the record is not an FtM entity (a JSON object)")
    schema = model.get(str(data.get("schema") or ""))
    if schema is None:
        name = data.get("schema")
        raise _Reject(f"unknown schema {name!r}{suggest(str(name), model.schemata.keys())}")
    raw_id = data.get("id")
    plain = sanitize_text(str(raw_id)) if raw_id else None
    if plain is None:
        raise _Reject("the entity has no id")
    ns = _namespace(dataset)
    eid = ns.sign(plain)
    if eid is None:
        raise _Reject(f"{plain!r} is not a valid entity id")
    props = _clean_properties(row, schema, data.get("properties"), plain, drops)
    origin = row.origin.render()
    base = _row(dataset, eid, schema.name, BASE_PROP, eid, str(raw_id), origin)
    out = [base]
    for prop_name, values in props.items():
        prop = schema.properties[prop_name]
        if prop.type == registry.entity:
            values = _sign_refs(ns, schema, prop_name, values, eid)
        for value, original in values.items():
            out.append(_row(dataset, eid, schema.name, prop_name, value, original, origin))
    return out


def _row(
    dataset: str,
    eid: str,
    schema: str,
    prop: str,
    value: str,
    original: str | None,
    origin: str,
) -> StatementRow:
    return StatementRow(
        make_statement_id(dataset=dataset, entity_id=eid, prop=prop, value=value),
        eid,
        schema,
        prop,
        get_prop_type(schema, prop),
        value,
        original if original != value else None,
        None,
        dataset,
        origin,
    )


def _clean_properties(
    row: SourceRow,
    schema: Schema,
    properties: Any,
    plain_id: str,
    drops: list[DroppedValue] | None,
) -> dict[str, dict[str, str | None]]:
    """`EntityProxy.add(..., cleaned=False)` for every value, refusing (or listing in
    `drops`) what it drops."""
    if properties is None:
        return {}
    if not isinstance(properties, Mapping):
        raise _Reject("`properties` must be an object of property names")
    out: dict[str, dict[str, str | None]] = {}
    size = 0
    for key, values in properties.items():
        prop = schema.properties.get(key)
        if prop is None:
            hint = suggest(str(key), schema.properties.keys())
            raise _Reject(f"unknown property {key!r} of schema {schema.name}{hint}")
        if prop.stub:
            raise _Reject(f"property {prop.qname} is a reverse property and cannot be set")
        cleaner = get_cleaner(prop.type, format=prop.format)
        items = values if isinstance(values, list | tuple | set) else [values]
        for item in items:
            for text in string_list(item, sanitize=True):
                if prop.type == registry.entity and text == plain_id:
                    raise _Reject(f"property {schema.name}:{key} refers to the entity itself")
                cleaned = cleaner.cache.get(text)
                if cleaned is None:
                    cleaned = cleaner.miss(text)
                if cleaned is None:
                    why = (
                        f"{text!r} is not a valid {type_label(prop.type)} for property "
                        f"{schema.name}:{key}"
                    )
                    if drops is None:
                        raise _Reject(why)
                    drops.append(DroppedValue(row.origin, None, text, why))
                    continue
                limit = prop.type.total_size
                if limit is not None and size + len(cleaned) > limit:
                    continue  # followthemoney drops values beyond its size limit
                size += len(cleaned)
                found = out.setdefault(prop.name, {})
                if cleaned not in found:
                    found[cleaned] = item if isinstance(item, str) else text
    return out


def _sign_refs(
    ns: Namespace, schema: Schema, prop: str, values: dict[str, str | None], eid: str
) -> dict[str, str | None]:
    """`Namespace.apply` for one entity-type property."""
    signed: dict[str, str | None] = {}
    for value, original in values.items():
        plain = get_entity_id(value)
        target = ns.sign(plain) if plain is not None else None
        if target is None:
            continue
        if target == eid:
            raise _Reject(f"property {schema.name}:{prop} refers to the entity itself")
        signed.setdefault(target, original if original is not None else value)
    return signed
