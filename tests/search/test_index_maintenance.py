"""The index follows every write: ingest, correction, deletion, reindex, migration.

Each test gets its own store (they change it), on SQLite and PostgreSQL.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from casegraph.errors import AccessDeniedError
from casegraph.model.dataset import DatasetMeta
from casegraph.security.context import Context
from casegraph.services.corrections import add_correction
from casegraph.services.datasets import delete_dataset
from casegraph.services.ingest import ingest
from casegraph.services.search import SearchResult, search
from casegraph.services.search_index import index_for, indexed_documents, reindex
from casegraph.services.store import Store
from casegraph.store import migrate
from casegraph.store.tables import audit_event, audit_object
from tests.helpers import add_dataset, make_user
from tests.search.conftest import LEAK, PEOPLE, found, key
from tests.services.audit_support import write_ftm

QUERIES = [
    "putin",
    "romashka llc",
    "muhammad",
    '"share purchase"',
    "schema:LegalEntity",
    "country:ru OR hans",
    'name:"hans müller"',
    "mulker~1",
    "birthDate:1950..",
]


def _ingest(
    store: Store, owner: Context, tmp_path: Path, name: str, entities: list[dict[str, Any]]
) -> None:
    ingest(
        store,
        owner,
        write_ftm(tmp_path / f"{name}-{len(entities)}.ftm.json", entities),
        meta=DatasetMeta(name=name, title="", marking=""),
    )


@pytest.fixture
def filled(store: Store, owner: Context, tmp_path: Path) -> Store:
    """The search world's two datasets, in a store of this test's own."""
    add_dataset(store, owner, "registry", "PUBLIC")
    _ingest(store, owner, tmp_path, "registry", PEOPLE)
    add_dataset(store, owner, "leak", "INTERNAL")
    _ingest(store, owner, tmp_path, "leak", LEAK)
    return store


def _snapshot(store: Store, owner: Context) -> list[SearchResult]:
    return [search(store, owner, query, limit=100) for query in QUERIES]


def _one(store: Store, owner: Context, query: str) -> str:
    """The id of the single entity `query` finds."""
    result = search(store, owner, query)
    assert result.total == 1, [h.caption for h in result.hits]
    return result.hits[0].entity_id


def test_new_data_is_searchable_as_soon_as_it_is_ingested(
    filled: Store, owner: Context, tmp_path: Path
) -> None:
    assert search(filled, owner, "gorbachev").total == 0
    before = dict(search(filled, owner, "schema:Person").facets["dataset"])
    newcomer = {
        "id": "gorbachev",
        "schema": "Person",
        "properties": {"name": ["Mikhail Gorbachev"]},
    }
    _ingest(filled, owner, tmp_path, "leak", [*LEAK, newcomer])
    result = search(filled, owner, "gorbachev")
    assert found(result) == {"gorbachev"} and result.hits[0].datasets == ("leak",)
    assert found(search(filled, owner, "горбачев")) == {"gorbachev"}
    after = dict(search(filled, owner, "schema:Person").facets["dataset"])
    assert after == {**before, "leak": before["leak"] + 1}


def test_a_correction_is_searchable_and_the_entity_stays_one_hit(
    filled: Store, owner: Context
) -> None:
    putin = _one(filled, owner, "vladimir putin email:vp@kremlin.example")
    assert search(filled, owner, "zorbulak").total == 0
    add_correction(
        filled, owner, entity_id=putin, prop="alias", value="Zorbulak Putin", dataset="notes"
    )
    result = search(filled, owner, "zorbulak")
    # The hit lists every dataset it may be read in, not only the one that matched.
    assert [(h.entity_id, h.datasets) for h in result.hits] == [(putin, ("notes", "registry"))]
    assert (result.hits[0].match, result.hits[0].matched_name) == ("exact", "Zorbulak Putin")
    # Both of its datasets match `putin`: one hit lists them both.
    both = search(filled, owner, "putin")
    assert both.total == 2
    assert {h.entity_id: h.datasets for h in both.hits}[putin] == ("notes", "registry")
    assert dict(both.facets["dataset"]) == {"registry": 2, "notes": 1}
    assert found(search(filled, owner, "zorbulak dataset:notes")) == {"putin-lat"}
    add_correction(
        filled, owner, entity_id=putin, prop="email", value="v@new.example", dataset="notes"
    )
    assert _one(filled, owner, "email:v@new.example") == putin


def test_a_deleted_dataset_leaves_search_and_facets(filled: Store, owner: Context) -> None:
    assert found(search(filled, owner, "hans")) == {"muller", "schmidt"}
    delete_dataset(filled, owner, "leak")
    assert found(search(filled, owner, "hans")) == {"muller"}
    assert search(filled, owner, "dataset:leak").total == 0
    facets = search(filled, owner, "schema:Thing").facets
    assert [v for v, _ in facets["dataset"]] == ["registry"]
    assert [v for v, _ in facets["marking"]] == ["PUBLIC"]
    assert "vg" not in dict(facets["country"])
    assert indexed_documents(filled) == len(PEOPLE)


def test_reindex_restores_identical_results(filled: Store, owner: Context) -> None:
    before = _snapshot(filled, owner)
    with filled.engine.begin() as conn:
        index_for(filled).clear(conn)
    assert indexed_documents(filled) == 0
    assert search(filled, owner, "putin").total == 0
    assert reindex(filled, owner) == len(PEOPLE) + len(LEAK)
    after = _snapshot(filled, owner)
    for query, old, new in zip(QUERIES, before, after, strict=True):
        assert new.total == old.total > 0, query
        assert [(h.entity_id, h.match, h.matched_name) for h in new.hits] == [
            (h.entity_id, h.match, h.matched_name) for h in old.hits
        ], query
        assert new.facets == old.facets, query


def test_reindex_twice_changes_nothing(filled: Store, owner: Context) -> None:
    before = _snapshot(filled, owner)
    assert reindex(filled, owner) == reindex(filled, owner) == len(PEOPLE) + len(LEAK)
    assert [r.hits for r in _snapshot(filled, owner)] == [r.hits for r in before]


def test_reindex_by_a_non_admin_is_refused_and_audited(filled: Store, owner: Context) -> None:
    analyst = make_user(filled, owner, "ana", roles="analyst", groups=("owners",))
    with pytest.raises(AccessDeniedError):
        reindex(filled, analyst)
    with filled.engine.connect() as conn:
        last = conn.execute(
            select(audit_event.c.actor, audit_event.c.operation, audit_event.c.decision)
            .order_by(audit_event.c.seq.desc())
            .limit(1)
        ).one()
    assert tuple(last) == ("ana", "search.reindex", "deny")
    assert indexed_documents(filled) == len(PEOPLE) + len(LEAK)


def test_a_search_is_audited_with_the_entities_it_returned(filled: Store, owner: Context) -> None:
    result = search(filled, owner, "hans")
    with filled.engine.connect() as conn:
        seq = conn.execute(
            select(audit_event.c.seq)
            .where(audit_event.c.operation == "search")
            .order_by(audit_event.c.seq.desc())
            .limit(1)
        ).scalar_one()
        objects = set(
            conn.execute(select(audit_object.c.object).where(audit_object.c.seq == seq)).scalars()
        )
    assert objects == {"query:hans", *(f"entity:{h.entity_id}" for h in result.hits)}


def test_an_upgrade_from_0002_rebuilds_the_index(filled: Store, owner: Context) -> None:
    before = _snapshot(filled, owner)
    migrate.downgrade(filled.engine, "0002")
    assert migrate.current_revision(filled.engine) == "0002"
    migrate.upgrade(filled.engine)
    assert migrate.current_revision(filled.engine) == migrate.head_revision()
    assert indexed_documents(filled) == len(PEOPLE) + len(LEAK)
    assert {key(h.entity_id) for h in search(filled, owner, "putin").hits} == {
        "putin-lat",
        "putin-cyr",
    }
    after = _snapshot(filled, owner)
    assert [[h.entity_id for h in r.hits] for r in after] == [
        [h.entity_id for h in r.hits] for r in before
    ]
