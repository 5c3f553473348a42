"""Clear messages for mappings followthemoney refuses, and for unknown columns.

followthemoney's own `InvalidMapping` messages rarely say which entity or name is
wrong; `explain` re-checks the query the way `EntityMapping`/`PropertyMapping` do,
to name the file, query, entity and the bad name, with a suggestion.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Sequence
from typing import Any

from followthemoney import model

from casegraph.ingest.mapping.loader import QuerySpec


def suggest(name: str, options: Iterable[str]) -> str:
    """` (did you mean "x"?)` for the closest option, or nothing."""
    close = difflib.get_close_matches(name, list(options), n=1, cutoff=0.6)
    if not close:
        lowered = {option.lower(): option for option in options}
        if name.lower() in lowered:
            close = [lowered[name.lower()]]
    return f' (did you mean "{close[0]}"?)' if close else ""


def missing_column(
    spec: QuerySpec, entity: str | None, column: str, columns: Sequence[str], what: str = "column"
) -> str:
    shown = ", ".join(columns[:40]) + (", …" if len(columns) > 40 else "")
    where = spec.where(entity) if entity is not None else f"{spec.where()}, {what}"
    return (
        f'{where}: column "{column}" is not in the source; available columns: {shown}'
        f"{suggest(column, columns)}"
    )


def explain(spec: QuerySpec, problem: str) -> str:
    """The message for a query that followthemoney refused with `problem`."""
    found = _find_problem(spec, spec.query.get("entities"))
    if found is not None:
        return found
    return f"{spec.where()}: {problem}"


def _find_problem(spec: QuerySpec, entities: Any) -> str | None:
    for option in ("filters", "filters_not"):
        if not isinstance(spec.query.get(option) or {}, dict):
            return f"{spec.where()}: `{option}:` must map column names to values"
    if not isinstance(entities, dict) or not entities:
        return f"{spec.where()}: no entities are defined (expected `entities:` with a mapping)"
    for name, data in entities.items():
        problem = _entity_problem(spec, str(name), data, entities)
        if problem is not None:
            return problem
    return _cycle_problem(spec, entities)


def _entity_problem(spec: QuerySpec, name: str, data: Any, entities: dict[str, Any]) -> str | None:
    where = spec.where(name)
    if not isinstance(data, dict):
        return f"{where}: the entity must be a mapping with `schema:` and `keys:`"
    has_keys = bool(data.get("key") or data.get("keys"))
    if not has_keys and not data.get("id_column"):
        return f"{where}: no `keys:` or `id_column:` to make the entity id from"
    if has_keys and data.get("id_column"):
        return f"{where}: use either `keys:` or `id_column:`, not both"
    schema_name = data.get("schema")
    if not schema_name:
        return f"{where}: no `schema:` is given"
    schema = model.get(str(schema_name))
    if schema is None:
        hint = suggest(str(schema_name), model.schemata.keys())
        return f'{where}: unknown schema "{schema_name}"{hint}'
    props = data.get("properties") or {}
    if not isinstance(props, dict):
        return f"{where}: `properties:` must be a mapping of property names"
    for prop_name, prop_data in props.items():
        prop = schema.get(prop_name)
        if prop is None:
            hint = suggest(str(prop_name), schema.properties.keys())
            return f'{where}: unknown property "{prop_name}" of schema {schema.name}{hint}'
        if not isinstance(prop_data, dict):
            return f'{where}: property "{prop_name}" must be a mapping (e.g. `column: ...`)'
        if prop.stub:
            reverse = prop.reverse.qname if prop.reverse is not None else "its reverse"
            return (
                f'{where}: property "{prop_name}" of schema {schema.name} is a reverse '
                f"property and cannot be mapped; map {reverse} on the other entity"
            )
        ref = prop_data.get("entity")
        if ref is None:
            continue
        if str(ref) not in {str(other) for other in entities}:
            hint = suggest(str(ref), [str(other) for other in entities])
            return (
                f'{where}: property "{prop_name}" refers to entity "{ref}", which this '
                f"query does not define{hint}"
            )
        target = entities.get(ref)
        target_schema = model.get(str(target.get("schema"))) if isinstance(target, dict) else None
        if target_schema is not None and (prop.range is None or not target_schema.is_a(prop.range)):
            range_name = prop.range.name if prop.range is not None else "entity"
            return (
                f'{where}: property "{prop_name}" must refer to a {range_name}, but entity '
                f'"{ref}" is a {target_schema.name}'
            )
    return None


def _cycle_problem(spec: QuerySpec, entities: dict[str, Any]) -> str | None:
    deps: dict[str, set[str]] = {}
    for name, data in entities.items():
        props = data.get("properties") or {} if isinstance(data, dict) else {}
        deps[str(name)] = {
            str(p["entity"]) for p in props.values() if isinstance(p, dict) and p.get("entity")
        }
    resolved: set[str] = set()
    while True:
        ready = [n for n in deps if n not in resolved and deps[n] <= resolved]
        if not ready:
            break
        resolved.update(ready)
    stuck = [n for n in deps if n not in resolved]
    if not stuck:
        return None
    names = ", ".join(f'"{n}"' for n in stuck)
    return (
        f"{spec.where(stuck[0])}: circular entity references between {names}; an entity "
        "cannot (indirectly) refer to itself"
    )
