"""followthemoney's own mapper as the oracle our executor is compared with.

`ftm_map_record` does per record what `ftm map -d DATASET` does for a whole file
(`model.map_entities` + `Namespace(ds).apply`, signing on by default), and records
which values followthemoney discarded (it only logs those).
"""

from __future__ import annotations

import csv
import logging
import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from followthemoney.exc import InvalidData
from followthemoney.mapping.csv import CSVSource
from followthemoney.mapping.query import QueryMapping
from followthemoney.namespace import Namespace

from casegraph.model.statement import BASE_PROP, StatementRow

DISCARD = re.compile(r'Discard(?:ing|ed) unclean value "(.*)" for property "(.*)"\.$', re.S)

#: entity id → (schema, {prop: values})
Entities = dict[str, tuple[str, dict[str, set[str]]]]


class _Collect(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())


@contextmanager
def ftm_warnings() -> Iterator[list[str]]:
    """Collect what followthemoney's mapper logs (discarded values, skipped entities)."""
    handler = _Collect()
    logger = logging.getLogger("followthemoney")
    logger.addHandler(handler)
    try:
        yield handler.messages
    finally:
        logger.removeHandler(handler)


@dataclass
class FtmResult:
    entities: Entities
    #: Non-empty values followthemoney discarded because they did not clean.
    discarded: list[str] = field(default_factory=list)
    #: An entity followthemoney emitted without an id (its id did not sign).
    id_less: bool = False
    #: Why followthemoney crashed on the record (an entity referring to itself).
    crashed: str | None = None
    #: The signed ids in the order followthemoney emitted the entities.
    ids: list[str | None] = field(default_factory=list)


def read_records(path: Path) -> list[dict[str, str]]:
    """Records exactly as `ftm map` reads a CSV (`CSVSource.read_csv`)."""
    with path.open(newline="", encoding="utf-8") as fh:
        return list(CSVSource.read_csv(fh))


def csv_header(path: Path) -> list[str]:
    with path.open(newline="", encoding="utf-8") as fh:
        return next(csv.reader(fh, skipinitialspace=True))


def ftm_map_record(
    mapping: QueryMapping, ns: Namespace, record: dict[str, str]
) -> FtmResult | None:
    """followthemoney's entities for one record; None when the filters skip it."""
    source = mapping.source
    if isinstance(source, CSVSource) and not source.check_filters(record):
        return None
    with ftm_warnings() as messages:
        mapped = mapping.map(record)
    result = FtmResult(entities={})
    for entity in mapped.values():
        try:
            signed = ns.apply(entity)
        except InvalidData as exc:
            result.crashed = str(exc)
            continue
        data = signed.to_dict()
        result.ids.append(data["id"])
        if data["id"] is None:
            result.id_less = True
            continue
        merge(result.entities, data["id"], data["schema"], data["properties"])
    for message in messages:
        match = DISCARD.search(message)
        if match is not None and match.group(1).strip():
            result.discarded.append(match.group(1))
    return result


def merge(entities: Entities, entity_id: str, schema: str, props: dict[str, Any]) -> None:
    known_schema, known = entities.setdefault(entity_id, (schema, {}))
    assert known_schema == schema, f"{entity_id}: {known_schema} != {schema}"
    for prop, values in props.items():
        known.setdefault(prop, set()).update(values)


def group_statements(statements: list[StatementRow]) -> Entities:
    """Our statements as entities: id → (schema, {prop: values})."""
    entities: Entities = {}
    for stmt in statements:
        if stmt.prop == BASE_PROP:
            assert stmt.value == stmt.entity_id
            merge(entities, stmt.entity_id, stmt.schema, {})
        else:
            merge(entities, stmt.entity_id, stmt.schema, {stmt.prop: [stmt.value]})
    return entities
