"""A small searchable world, built once per backend through the governed services."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from casegraph.model.dataset import DatasetMeta
from casegraph.security.context import Context
from casegraph.services.ingest import ingest
from casegraph.services.search import MAX_LIMIT, SearchResult, search
from casegraph.services.store import Store
from tests.conftest import BACKENDS
from tests.helpers import add_dataset
from tests.security.world import module_store, owner_context
from tests.services.audit_support import write_ftm

PEOPLE: list[dict[str, Any]] = [
    {
        "id": "putin-lat",
        "schema": "Person",
        "properties": {
            "name": ["Vladimir Putin"],
            "birthDate": ["1952-10-07"],
            "nationality": ["ru"],
            "email": ["vp@kremlin.example"],
        },
    },
    {
        "id": "putin-cyr",
        "schema": "Person",
        "properties": {"name": ["Владимир Путин"], "birthDate": ["1952"], "country": ["ru"]},
    },
    {
        "id": "mohammed",
        "schema": "Person",
        "properties": {"name": ["Mohammed al-Rashid"], "birthDate": ["1971-03-02"]},
    },
    {
        "id": "muller",
        "schema": "Person",
        "properties": {"name": ["Hans Müller"], "nationality": ["de"]},
    },
    {
        "id": "romashka-ooo",
        "schema": "Company",
        "properties": {"name": ["ООО Ромашка"], "jurisdiction": ["ru"]},
    },
    {
        "id": "romashka-llc",
        "schema": "Company",
        "properties": {
            "name": ["Romashka LLC"],
            "jurisdiction": ["cy"],
            "registrationNumber": ["HE 123456"],
        },
    },
    {
        "id": "rosneft",
        "schema": "Company",
        "properties": {"name": ["Rosneft Trading S.A."], "jurisdiction": ["ch"]},
    },
    {
        "id": "memo",
        "schema": "Document",
        "properties": {
            "title": ["Board memo"],
            "bodyText": [
                "The share purchase agreement was signed in Limassol. Payment followed "
                "through a nominee account at a bank in Riga."
            ],
        },
    },
    # Added for the feature tests; the smoke tests above do not find them.
    {
        "id": "netanyahu",
        "schema": "Person",
        "properties": {
            "name": ["Benjamin Netanyahu"],
            "birthDate": ["1949-10-21"],
            "nationality": ["il"],
        },
    },
    {
        "id": "park",
        "schema": "Person",
        "properties": {"name": ["Park Hyung-jun"], "nationality": ["kr"]},
    },
    {
        "id": "lukoil",
        "schema": "Company",
        "properties": {"name": ["Lukoil Ltd"], "jurisdiction": ["ru"]},
    },
]

# A second dataset, with another marking, for dataset:, marking: and the facets.
LEAK: list[dict[str, Any]] = [
    {
        "id": "sunrise",
        "schema": "Company",
        "properties": {
            "name": ["Sunrise Holdings Limited"],
            "jurisdiction": ["vg"],
            "email": ["Info@Sunrise.example"],
            "registrationNumber": ["BVI-77123"],
            "incorporationDate": ["2016-03-15"],
        },
    },
    {
        "id": "schmidt",
        "schema": "Person",
        "properties": {"name": ["Hans Schmidt"], "nationality": ["de"]},
    },
    {
        "id": "sidorova",
        "schema": "Person",
        "properties": {"name": ["Ольга Сидорова"], "birthDate": ["1960-01-01"]},
    },
]
LEAK_MARKING = "INTERNAL"


@dataclass(frozen=True)
class SearchWorld:
    store: Store
    owner: Context


@pytest.fixture(scope="module", params=BACKENDS)
def world(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[SearchWorld]:
    with module_store(request, tmp_path_factory) as store:
        owner = owner_context(store)
        files: Path = tmp_path_factory.mktemp("search-files")
        add_dataset(store, owner, "registry", "PUBLIC")
        ingest(
            store,
            owner,
            write_ftm(files / "registry.ftm.json", PEOPLE),
            meta=DatasetMeta(name="registry", title="", marking=""),
        )
        add_dataset(store, owner, "leak", LEAK_MARKING)
        ingest(
            store,
            owner,
            write_ftm(files / "leak.ftm.json", LEAK),
            meta=DatasetMeta(name="leak", title="", marking=""),
        )
        yield SearchWorld(store, owner)


def key(entity_id: str) -> str:
    """The source id an FtM ingest namespaced with the dataset."""
    return entity_id.split(".")[0]


def found(result: SearchResult) -> set[str]:
    return {key(hit.entity_id) for hit in result.hits}


def ranked(result: SearchResult) -> list[str]:
    return [key(hit.entity_id) for hit in result.hits]


def hits_of(world: SearchWorld, query: str, **options: Any) -> set[str]:
    """Every entity `query` finds (one page holds them all), checked against the total."""
    result = search(world.store, world.owner, query, limit=MAX_LIMIT, **options)
    assert result.total == len(result.hits)
    return found(result)
