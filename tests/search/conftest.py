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
]


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
        yield SearchWorld(store, owner)
