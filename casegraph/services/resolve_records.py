"""The comparison records of a run: read under the Policy's scope, with fingerprints.

A record is built only from the statements of the datasets the run reads, inside the
actor's read scope (the scope is in the SQL). Its fingerprint says whether it changed
since it was last scored; its sources say who may later see results built from it.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass, field

import orjson

from casegraph.resolve.records import ResolveRecord, record_of
from casegraph.security.policy import Scope
from casegraph.services.entities import entity_statements, iter_entity_ids
from casegraph.services.store import Store


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
    """Every resolvable entity of `datasets` as the scope shows it, page by page."""
    loaded = LoadedRecords()
    names = list(datasets)
    for ids in iter_entity_ids(store, scope, datasets=names):
        with store.engine.connect() as conn:
            grouped = entity_statements(conn, ids, scope, names)
        for entity_id in ids:
            statements = grouped.get(entity_id, [])
            record = record_of(entity_id, statements)
            if record is None:
                loaded.skipped += 1
                continue
            loaded.records[entity_id] = record
            loaded.fingerprints[entity_id] = fingerprint(record)
            loaded.sources[entity_id] = tuple(sorted({s.dataset for s in statements}))
    return loaded
