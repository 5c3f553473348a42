"""Validate a mapping query with followthemoney and compile it into plans.

followthemoney's own `model.make_mapping` is the judge of what is a valid query, so
we accept exactly what `ftm map` accepts; its refusals become `MappingError`s that
name the file, query, entity and the bad name. We are stricter in three ways, each
of which would otherwise make `ftm map` crash or silently map nothing: a referenced
column must exist in the source (when its columns are known); column names,
literals, `join` and `split` must be text; a `format` must be valid for its type.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from typing import Any

from followthemoney import model
from followthemoney.exc import InvalidData, InvalidMapping
from followthemoney.mapping.csv import CSVSource
from followthemoney.mapping.entity import EntityMapping
from followthemoney.mapping.property import PropertyMapping
from followthemoney.mapping.query import QueryMapping
from followthemoney.statement.util import get_prop_type
from followthemoney.types import registry

from casegraph.errors import MappingError
from casegraph.ingest.mapping.diagnose import explain, missing_column
from casegraph.ingest.mapping.executor import CompiledQuery
from casegraph.ingest.mapping.loader import QuerySpec
from casegraph.ingest.mapping.plan import (
    EntityPlan,
    PropPlan,
    get_cleaner,
    make_step,
    type_label,
)
from casegraph.model.statement import BASE_PROP

#: Keys that only describe where an SQL query reads from.
_SQL_KEYS = ("database", "table", "tables", "joins")


def is_sql_query(spec: QuerySpec) -> bool:
    """Whether the query reads an SQL database (ftm's `SQLSource`)."""
    return "database" in spec.query


def make_ftm_mapping(spec: QuerySpec, dataset: str) -> tuple[QueryMapping, list[str]]:
    """followthemoney's `QueryMapping` for the query, with its source detached.

    SQL keys are dropped and `csv_url` set to `/dev/null` (as `ftm map-csv` does), so
    that validation opens no database or file. Returns the deprecation warnings.
    """
    if not isinstance(spec.query, dict):
        raise MappingError(f"{spec.where()}: the query must be a mapping with `entities:`")
    probe = {k: v for k, v in spec.query.items() if k not in _SQL_KEYS}
    probe.pop("csv_urls", None)
    probe["csv_url"] = "/dev/null"
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            mapping = model.make_mapping(probe, key_prefix=dataset, dataset=dataset)
        except (InvalidMapping, AttributeError, TypeError, ValueError, KeyError) as exc:
            raise MappingError(explain(spec, str(exc))) from exc
    notes = [f"{spec.where()}: {w.message}" for w in caught]
    return mapping, notes


def compile_query(spec: QuerySpec, *, dataset: str, columns: Sequence[str] | None) -> CompiledQuery:
    """Validate one query and precompute how to map a record with it.

    `dataset` is the key prefix and namespace (like `ftm map -d DATASET`). When
    `columns` is given, every column the query uses must be one of them. For SQL
    queries the filters run in the database, so `map_row` does not re-apply them.
    """
    mapping, notes = make_ftm_mapping(spec, dataset)
    _check_text(spec, mapping)
    if columns is not None:
        _check_columns(spec, mapping, list(columns))
    plans = tuple(_entity_plan(spec, entity) for entity in mapping.entities)
    source = mapping.source
    check = None
    csv = source if isinstance(source, CSVSource) and not is_sql_query(spec) else None
    if csv is not None and (csv.filters_set or csv.filters_not_set):
        check = csv.check_filters
    return CompiledQuery(spec=spec, dataset=dataset, plans=plans, check=check, notes=notes)


def _check_text(spec: QuerySpec, mapping: QueryMapping) -> None:
    for entity in mapping.entities:
        where = spec.where(entity.name)
        for key in entity.keys:
            if not isinstance(key, str):
                raise MappingError(f"{where}: key {key!r} must be a column name (quote it)")
        for prop in entity.properties:
            name = prop.prop.name
            for ref in prop.refs:
                if not isinstance(ref, str):
                    raise MappingError(
                        f'{where}: property "{name}": column {ref!r} must be text (quote it)'
                    )
            for literal in prop.literals:
                if not isinstance(literal, str):
                    raise MappingError(
                        f'{where}: property "{name}": literal {literal!r} must be text (quote it)'
                    )
            for option, value in (("join", prop.join), ("split", prop.split)):
                if value is not None and not isinstance(value, str):
                    raise MappingError(
                        f'{where}: property "{name}": {option} {value!r} must be text'
                    )
            _check_format(where, prop)


def _check_format(where: str, prop: PropertyMapping) -> None:
    if prop.format is None or prop.entity is not None:
        return
    try:
        prop.prop.type.clean_text("0", fuzzy=prop.fuzzy, format=prop.format)
    except (InvalidData, ValueError) as exc:
        raise MappingError(
            f'{where}: property "{prop.prop.name}": format {prop.format!r} is not valid '
            f"for a {prop.prop.type.name}: {exc}"
        ) from exc


def _check_columns(spec: QuerySpec, mapping: QueryMapping, columns: list[str]) -> None:
    known = set(columns)
    for entity in mapping.entities:
        refs: list[str] = [*entity.keys]
        if entity.id_column is not None:
            refs.append(entity.id_column)
        for prop in entity.properties:
            refs.extend(prop.refs)
        for ref in refs:
            if ref not in known:
                raise MappingError(missing_column(spec, entity.name, ref, columns))
    for option in ("filters", "filters_not"):
        filters: Any = spec.query.get(option) or {}
        for ref in filters if isinstance(filters, dict) else []:
            if ref not in known:
                raise MappingError(missing_column(spec, None, str(ref), columns, option))


def _entity_plan(spec: QuerySpec, entity: EntityMapping) -> EntityPlan:
    schema = entity.schema
    ordered = [p for p in entity.properties if p.prop.type == registry.country]
    ordered += [p for p in entity.properties if p.prop.type != registry.country]
    props = tuple(_prop_plan(schema.name, prop) for prop in ordered)
    mentions = schema.get("namesMentioned")
    prop_types = {p.name: get_prop_type(schema.name, p.name) for p in schema.properties.values()}
    return EntityPlan(
        name=str(entity.name),
        schema=schema.name,
        seed=entity.seed,
        keys=tuple(entity.keys),
        id_column=entity.id_column,
        props=props,
        steps=tuple(make_step(prop) for prop in props),
        required=tuple(p.prop.name for p in entity.properties if p.required),
        name_props=tuple(p.name for p in schema.properties.values() if p.type == registry.name),
        mentions=mentions.name if mentions is not None else None,
        mentions_cleaner=(
            get_cleaner(mentions.type, format=mentions.format, sanitize=True)
            if mentions is not None
            else None
        ),
        mentions_size=mentions.type.total_size if mentions is not None else None,
        entity_props=frozenset(
            p.name for p in schema.properties.values() if p.type == registry.entity
        ),
        ref_props=frozenset(p.prop.name for p in entity.properties if p.entity is not None),
        prop_types=prop_types,
        base_type=get_prop_type(schema.name, BASE_PROP),
    )


def _prop_plan(schema: str, prop: PropertyMapping) -> PropPlan:
    ptype = prop.prop.type
    cleaner = get_cleaner(ptype, fuzzy=prop.fuzzy, format=prop.format or prop.prop.format)
    refs = tuple(prop.refs)
    simple = (
        prop.entity is None
        and prop.template is None
        and prop.join is None
        and prop.split is None
        and not prop.literals
        and len(refs) == 1
    )
    label_column = refs[0] if len(refs) == 1 else (", ".join(refs) or None)
    return PropPlan(
        name=prop.prop.name,
        qname=f"{schema}:{prop.prop.name}",
        type_name=get_prop_type(schema, prop.prop.name),
        label=type_label(ptype),
        cache=cleaner.cache,
        cleaner=cleaner,
        single=refs[0] if simple else None,
        entity_ref=prop.entity,
        columns=refs,
        literals=tuple(prop.literals),
        template=prop.template,
        replacements=tuple(prop.replacements.items()),
        join=prop.join,
        split=prop.split,
        total_size=ptype.total_size,
        label_column=label_column,
    )
