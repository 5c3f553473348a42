"""Field filters (`schema:`, `country:`, `email:`, `birthDate:1950..1960`) as SQL.

Every condition is about one index document, that is one entity in one dataset, and
reads only that dataset's statements: a filter can never see past the read scope
that already limits the documents.
"""

from __future__ import annotations

import re
from functools import cache

from followthemoney import model as ftm_model
from sqlalchemy import ColumnElement, and_, exists, func, literal, select

from casegraph.errors import InvalidInputError
from casegraph.model.entity import schemata_matching
from casegraph.search.query import Field, Range
from casegraph.store.tables import dataset, search_country, search_doc, statement

NAME_FIELD = "name"
SPECIAL_FIELDS = ("schema", "dataset", "country", "marking")
DATE = re.compile(r"^\d{4}(-(0[1-9]|1[0-2])(-(0[1-9]|[12]\d|3[01]))?)?$")


@cache
def _properties() -> dict[str, tuple[str, str]]:
    """Every FtM property name, by its casefolded form: (name, type)."""
    found: dict[str, tuple[str, str]] = {}
    for schema in ftm_model.schemata.values():
        for prop in schema.properties.values():
            found.setdefault(prop.name.casefold(), (prop.name, prop.type.name))
    return found


def field_names() -> list[str]:
    """What may stand before a colon, for error messages and docs."""
    return [*SPECIAL_FIELDS, *sorted(name for name, _ in _properties().values())]


def _property(name: str) -> tuple[str, str]:
    found = _properties().get(name.casefold())
    if found is None:
        close = [n for n in field_names() if n.casefold().startswith(name.casefold()[:3])]
        hint = f" (did you mean {', '.join(close[:5])}?)" if close else ""
        raise InvalidInputError(
            f"unknown field {name!r}{hint}: use schema, dataset, country, marking, name "
            "or a followthemoney property such as email or birthDate"
        )
    return found


def _escape_like(value: str) -> str:
    return value.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _matches(column: ColumnElement[str], value: str, prefix: bool) -> ColumnElement[bool]:
    lowered = func.lower(column)
    if prefix:
        return lowered.like(_escape_like(value.casefold()) + "%", escape="\\")
    return lowered == value.casefold()


def _statement_exists(prop: str, condition: ColumnElement[bool]) -> ColumnElement[bool]:
    return exists().where(
        statement.c.entity_id == search_doc.c.entity_id,
        statement.c.dataset == search_doc.c.dataset,
        statement.c.prop == prop,
        condition,
    )


def field_condition(field: Field) -> ColumnElement[bool]:
    """The documents a `name:value` filter admits (not `name:`, which is text)."""
    key = field.name.casefold()
    if key == "schema":
        return search_doc.c.schema.in_(schemata_matching(field.value))
    if key == "dataset":
        return _matches(search_doc.c.dataset, field.value, field.prefix)
    if key == "marking":
        markings = select(dataset.c.name).where(
            _matches(dataset.c.marking, field.value, field.prefix)
        )
        return search_doc.c.dataset.in_(markings)
    if key == "country":
        return exists().where(
            search_country.c.doc_id == search_doc.c.id,
            _matches(search_country.c.country, field.value, field.prefix),
        )
    prop, _ = _property(field.name)
    return _statement_exists(prop, _matches(statement.c.value, field.value, field.prefix))


def _bound(field: str, value: str | None) -> str | None:
    if value is not None and not DATE.match(value):
        raise InvalidInputError(
            f"{field}: {value!r} is not a date: use YYYY, YYYY-MM or YYYY-MM-DD"
        )
    return value


def range_condition(rng: Range) -> ColumnElement[bool]:
    """Values of a date property between two ends, both included.

    Dates compare as ISO prefixes, so `1950..1960` includes every day of 1960."""
    prop, prop_type = _property(rng.name)
    if prop_type != "date":
        raise InvalidInputError(f"{prop}: ranges work on date properties, not on {prop_type}")
    low = _bound(prop, rng.low)
    high = _bound(prop, rng.high)
    parts: list[ColumnElement[bool]] = []
    if low is not None:
        parts.append(statement.c.value >= literal(low))
    if high is not None:
        parts.append(func.substr(statement.c.value, 1, len(high)) <= high)
    return _statement_exists(prop, and_(*parts))
