"""The comparison records of a run: read under the Policy's scope, with fingerprints.

A record is built only from the statements of the datasets the run reads, inside the
actor's read scope (the scope is in the SQL). Its fingerprint says whether it changed
since it was last scored; its sources say who may later see results built from it.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass, field
from itertools import groupby
from operator import itemgetter

import orjson
from sqlalchemy import select

from casegraph.resolve.records import ResolveRecord, StatementValue, record_of
from casegraph.security.policy import Scope
from casegraph.services.entities import in_scope
from casegraph.services.store import Store
from casegraph.store.tables import statement

#: Rows fetched per round trip while streaming the statements.
BATCH = 20_000


def fingerprint(record: ResolveRecord) -> str:
    """A digest of everything the comparison sees: the schema and every feature."""
    features = sorted((k, list(v)) for k, v in record.features.items())
    return hashlib.sha256(orjson.dumps([record.schema, features])).hexdigest()


@dataclass(slots=True)
class LoadedRecords:
    records: dict[str, ResolveRecord] = field(default_factory=dict)
    fingerprints: dict[str, str] = field(default_factory=dict)
    sources: dict[str, tuple[str, ...]] = field(default_factory=dict)
    skipped: int = 0  # entities without a comparison record (no name, links, documents)


def load_records(store: Store, scope: Scope, datasets: Sequence[str]) -> LoadedRecords:
    """Every resolvable entity of `datasets` as the scope shows it, in one ordered pass
    over the four statement columns a record needs."""
    loaded = LoadedRecords()
    columns = (statement.c.entity_id, statement.c.schema, statement.c.prop,
               statement.c.value, statement.c.dataset)  # fmt: skip
    query = (
        select(*columns)
        .where(statement.c.dataset.in_(list(datasets)), in_scope(scope))
        .order_by(statement.c.entity_id)
    )
    with store.engine.connect() as conn:
        rows = conn.execution_options(stream_results=True, yield_per=BATCH).execute(query)
        for entity_id, group in groupby(rows, key=itemgetter(0)):
            found = list(group)
            record = record_of(entity_id, [StatementValue(s, p, v) for _, s, p, v, _ in found])
            if record is None:
                loaded.skipped += 1
                continue
            loaded.records[entity_id] = record
            loaded.fingerprints[entity_id] = fingerprint(record)
            loaded.sources[entity_id] = tuple(sorted({row[4] for row in found}))
    return loaded
