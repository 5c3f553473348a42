"""Assembling entities from statements, keeping every value's provenance."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from followthemoney import model as ftm_model
from followthemoney.schema import Schema

from casegraph.errors import InvalidInputError
from casegraph.model.statement import BASE_PROP, Statement


@dataclass(frozen=True, slots=True)
class SourcedValue:
    """One value of a property and where it was observed."""

    value: str
    dataset: str
    origin: str | None
    original_value: str | None
    lang: str | None
    first_seen: str
    last_seen: str
    statement_id: str


@dataclass(slots=True)
class EntityView:
    """An entity as the sum of its statements, possibly from several datasets."""

    id: str
    schema: Schema
    datasets: list[str] = field(default_factory=list)
    properties: dict[str, list[SourcedValue]] = field(default_factory=dict)
    first_seen: str | None = None
    last_seen: str | None = None

    @property
    def caption(self) -> str:
        proxy = ftm_model.make_entity(self.schema)
        proxy.id = self.id
        for prop, values in self.properties.items():
            if prop in self.schema.properties:
                proxy.add(prop, [v.value for v in values], cleaned=True, quiet=True)
        return proxy.caption

    def values(self, prop: str) -> list[str]:
        """Distinct values of a property, in first-seen order."""
        seen: dict[str, None] = {}
        for sourced in self.properties.get(prop, []):
            seen.setdefault(sourced.value, None)
        return list(seen)

    def to_ftm(self) -> dict[str, Any]:
        """The followthemoney entity JSON form, as Aleph and OpenSanctions exchange it."""
        props = {p: self.values(p) for p in self.properties if p in self.schema.properties}
        return {
            "id": self.id,
            "schema": self.schema.name,
            "properties": props,
            "datasets": self.datasets,
            "first_seen": self.first_seen,
            "last_seen": self.last_seen,
        }


def schemata_matching(name: str) -> list[str]:
    """A schema and every schema that extends it, e.g. LegalEntity → Company, Person…"""
    schema = ftm_model.get(name)
    if schema is None:
        raise InvalidInputError(
            f"unknown schema {name!r}: see followthemoney's schemata, e.g. Person, Company"
        )
    return sorted(s.name for s in ftm_model.schemata.values() if s.is_a(schema))


def common_schema(names: Iterable[str]) -> Schema:
    """The most specific schema compatible with all of them (followthemoney's rule)."""
    result: Schema | None = None
    for name in names:
        schema = ftm_model.get(name)
        if schema is None:
            continue
        result = schema if result is None else ftm_model.common_schema(result, schema)
    if result is None:
        thing = ftm_model.get("Thing")
        assert thing is not None
        return thing
    return result


def assemble(entity_id: str, statements: Iterable[Statement]) -> EntityView | None:
    """Build one entity from its statements; None when there are none."""
    stmts = sorted(statements, key=lambda s: (s.prop, s.first_seen, s.dataset, s.value))
    if not stmts:
        return None
    view = EntityView(id=entity_id, schema=common_schema(s.schema for s in stmts))
    datasets: dict[str, None] = {}
    for stmt in stmts:
        datasets.setdefault(stmt.dataset, None)
        if view.first_seen is None or stmt.first_seen < view.first_seen:
            view.first_seen = stmt.first_seen
        if view.last_seen is None or stmt.last_seen > view.last_seen:
            view.last_seen = stmt.last_seen
        if stmt.prop == BASE_PROP:
            continue
        view.properties.setdefault(stmt.prop, []).append(
            SourcedValue(
                value=stmt.value,
                dataset=stmt.dataset,
                origin=stmt.origin,
                original_value=stmt.original_value,
                lang=stmt.lang,
                first_seen=stmt.first_seen,
                last_seen=stmt.last_seen,
                statement_id=stmt.id,
            )
        )
    view.datasets = sorted(datasets)
    return view
