"""Streaming exports: FtM entity JSON lines and followthemoney statement CSV."""

from __future__ import annotations

import csv
from collections.abc import Sequence
from typing import IO

import orjson

from casegraph.services.entities import iter_entities, iter_statements
from casegraph.services.store import Store

#: The column order of followthemoney's statement CSV format (`ftm` statement tools).
STATEMENT_CSV_COLUMNS = (
    "id",
    "entity_id",
    "canonical_id",
    "prop",
    "prop_type",
    "schema",
    "value",
    "dataset",
    "lang",
    "original_value",
    "external",
    "first_seen",
    "last_seen",
    "origin",
)


def export_ftm(
    store: Store,
    out: IO[bytes],
    *,
    datasets: Sequence[str] | None = None,
    schema: str | None = None,
) -> int:
    """Write one FtM entity JSON object per line; returns the number of entities."""
    count = 0
    for entity in iter_entities(store, datasets=datasets, schema=schema):
        out.write(orjson.dumps(entity.to_ftm()) + b"\n")
        count += 1
    return count


def export_statements_csv(
    store: Store, out: IO[str], *, datasets: Sequence[str] | None = None
) -> int:
    """Write every statement with its provenance; returns the number of statements."""
    writer = csv.writer(out)
    writer.writerow(STATEMENT_CSV_COLUMNS)
    count = 0
    for s in iter_statements(store, datasets=datasets):
        writer.writerow(
            [
                s.id,
                s.entity_id,
                s.entity_id,
                s.prop,
                s.prop_type,
                s.schema,
                s.value,
                s.dataset,
                s.lang or "",
                s.original_value or "",
                "f",
                s.first_seen,
                s.last_seen,
                s.origin or "",
            ]
        )
        count += 1
    return count
