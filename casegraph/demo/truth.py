"""Ground truth: what was planted, with the entity ids ingestion will produce.

Entity ids are never recomputed by hand: each record that stands for a planted
thing is mapped with followthemoney's own `QueryMapping` (key prefix and namespace =
dataset name, as `ftm map -d <dataset>` does) and signed with its `Namespace`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

import orjson
from followthemoney import model
from followthemoney.mapping.csv import CSVSource
from followthemoney.mapping.query import QueryMapping
from followthemoney.namespace import Namespace
from followthemoney.util import sanitize_text


def ftm_record(row: Mapping[str, object]) -> dict[str, str]:
    """A row as followthemoney's readers hand it to the mapper: sanitised, no empties."""
    record: dict[str, str] = {}
    for key, value in row.items():
        text = sanitize_text(value)
        if text is not None:
            record[key] = text
    return record


class IdMapper:
    """Maps single records of one dataset with that dataset's mapping.

    Ids come from followthemoney's `EntityMapping.compute_key` (what `map` uses)
    signed by the dataset `Namespace`; the first calls and a regular sample after
    that also run the full `QueryMapping.map` and must agree, so a mapping that
    would drop or re-key the entity fails loudly.
    """

    FULL_CHECKS = 200
    CHECK_EVERY = 97

    def __init__(self, dataset: str, mapping: Mapping[str, Any]) -> None:
        self.dataset = dataset
        self.namespace = Namespace(dataset)
        self.queries: list[QueryMapping] = [
            model.make_mapping(dict(q), key_prefix=dataset, dataset=dataset)
            for q in mapping[dataset]["queries"]
        ]
        self._calls = 0

    def _full(self, query: QueryMapping, record: dict[str, str], entity: str) -> str | None:
        mapped = query.map(record).get(entity)
        if mapped is None:
            return None
        return self.namespace.apply(mapped, shallow=True).id

    def entity_id(self, record: dict[str, str], entity: str) -> str:
        """The signed id of the mapping entity `entity` produced from `record`."""
        for query in self.queries:
            source = query.source
            if isinstance(source, CSVSource) and not source.check_filters(record):
                continue
            for emap in query.entities:
                if emap.name != entity:
                    continue
                key = emap.compute_key(record)
                eid = self.namespace.sign(key) if key is not None else None
                self._calls += 1
                if self._calls <= self.FULL_CHECKS or self._calls % self.CHECK_EVERY == 0:
                    full = self._full(query, record, entity)
                    if full != eid:
                        raise RuntimeError(f"{self.dataset}: {entity} id {eid} != mapped {full}")
                if eid is None:
                    break
                return eid
        raise ValueError(f"{self.dataset}: record yields no {entity!r} entity: {record!r}")


Member = tuple[str, tuple[tuple[str, str], ...], str]  # dataset, source key, entity id


@dataclass(slots=True)
class Cluster:
    ref: str
    schema: str
    name: str
    members: list[Member] = field(default_factory=list)


class Truth:
    """Collects planted facts while the sources are written."""

    def __init__(self) -> None:
        self.clusters: dict[str, Cluster] = {}
        self._seen: dict[tuple[str, str], str] = {}
        self._owners: dict[tuple[str, str], str] = {}
        #: entities left out of `same_as` because two planted things share them
        self.ambiguous: set[tuple[str, str]] = set()
        #: (company idx, owner kind, owner idx) -> (dataset, Ownership entity id)
        self.links: dict[tuple[int, str, int], tuple[str, str]] = {}
        self.undervalued: list[dict[str, Any]] = []
        self.documents: list[dict[str, Any]] = []

    def add(
        self, ref: str, schema: str, name: str, dataset: str, key: dict[str, str], eid: str
    ) -> None:
        owner = self._owners.setdefault((dataset, eid), ref)
        if owner != ref:
            self.ambiguous.add((dataset, eid))
            return
        cluster = self.clusters.get(ref)
        if cluster is None:
            cluster = self.clusters[ref] = Cluster(ref, schema, name)
        member: Member = (dataset, tuple(key.items()), eid)
        if all(m[2] != eid or m[0] != dataset for m in cluster.members):
            cluster.members.append(member)

    def known(self, dataset: str, dedupe: str) -> bool:
        return (dataset, dedupe) in self._seen

    def note(
        self,
        ref: str,
        schema: str,
        name: str,
        mapper: IdMapper,
        record: dict[str, str],
        entity: str,
        key_cols: Iterable[str],
        dedupe: str,
    ) -> str:
        """Record that `record` (as `entity`) stands for the real thing `ref`."""
        seen = (mapper.dataset, dedupe)
        eid = self._seen.get(seen)
        if eid is not None:
            return eid
        eid = mapper.entity_id(record, entity)
        self._seen[seen] = eid
        key = {c: record[c] for c in key_cols if c in record}
        self.add(ref, schema, name, mapper.dataset, key, eid)
        return eid

    def entities(self, ref: str) -> list[dict[str, str]]:
        cluster = self.clusters.get(ref)
        if cluster is None:
            return []
        return [{"dataset": m[0], "entity_id": m[2]} for m in cluster.members]

    def write(self, path: Path, chains: Iterable[dict[str, Any]]) -> dict[str, int]:
        """Stream the ground truth to `path`; returns counts per section."""
        counts = {"same_as": 0, "ownership_chains": 0, "undervalued_declarations": 0}
        with path.open("wb") as fh:
            fh.write(b'{\n"same_as": [')
            first = True
            for cluster in self.clusters.values():
                if self.ambiguous:
                    cluster.members = [
                        m for m in cluster.members if (m[0], m[2]) not in self.ambiguous
                    ]
                if len(cluster.members) < 2:
                    continue
                _item(fh, first, _cluster_json(cluster))
                first = False
                counts["same_as"] += 1
            fh.write(b'\n],\n"ownership_chains": [')
            first = True
            for chain in chains:
                _item(fh, first, chain)
                first = False
                counts["ownership_chains"] += 1
            fh.write(b'\n],\n"undervalued_declarations": [')
            for i, item in enumerate(self.undervalued):
                _item(fh, i == 0, item)
            counts["undervalued_declarations"] = len(self.undervalued)
            fh.write(b'\n],\n"document_mentions": [')
            for i, item in enumerate(self.documents):
                _item(fh, i == 0, item)
            fh.write(b"\n]\n}\n")
        return counts


def _item(fh: IO[bytes], first: bool, obj: Any) -> None:
    fh.write(b"\n" if first else b",\n")
    fh.write(orjson.dumps(obj))


def _cluster_json(cluster: Cluster) -> dict[str, Any]:
    return {
        "id": cluster.ref,
        "schema": cluster.schema,
        "name": cluster.name,
        "members": [
            {"dataset": ds, "source_key": dict(key), "entity_id": eid}
            for ds, key, eid in cluster.members
        ],
    }
