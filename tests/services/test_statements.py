"""The statement store: idempotent writes, assembly with provenance, streams, adjacency."""

from __future__ import annotations

import io
import json

import pytest
from sqlalchemy import func, select

from casegraph.errors import InvalidInputError, NotFoundError
from casegraph.services.corrections import add_correction
from casegraph.services.datasets import delete_dataset, list_datasets
from casegraph.services.entities import get_entity, incoming, iter_entities, outgoing
from casegraph.services.export import export_ftm, export_statements_csv
from casegraph.services.stats import entity_counts, statement_count
from casegraph.services.store import Store
from casegraph.store.bulk import upsert_statements
from casegraph.store.tables import statement
from tests.helpers import add_dataset, base, stmt

T1 = "2026-01-01T00:00:00"
T2 = "2026-02-01T00:00:00"


def _write(store: Store, rows: list, seen: str = T1) -> None:  # type: ignore[type-arg]
    with store.engine.begin() as conn:
        upsert_statements(conn, rows, seen=seen)


def _people(store: Store) -> None:
    add_dataset(store)
    _write(
        store,
        [
            base("p1"),
            stmt("p1", "name", "Ivan Petrov", row=1),
            stmt("p1", "birthDate", "1970-05-01", prop_type="date", row=1, original="01.05.1970"),
            base("c1", schema="Company"),
            stmt("c1", "name", "Acme Ltd", schema="Company", prop_type="name", row=2),
            base("o1", schema="Ownership"),
            stmt("o1", "owner", "p1", schema="Ownership", prop_type="entity", row=3),
            stmt("o1", "asset", "c1", schema="Ownership", prop_type="entity", row=3),
        ],
    )


def test_writing_the_same_statements_again_adds_nothing_and_moves_last_seen(
    store: Store,
) -> None:
    _people(store)
    before = statement_count(store)
    add_dataset(store)
    _write(store, [stmt("p1", "name", "Ivan Petrov", row=99)], seen=T2)
    assert statement_count(store) == before
    value = get_entity(store, "p1").properties["name"][0]
    assert (value.first_seen, value.last_seen) == (T1, T2)
    # The first observation's origin is kept: evidence is not rewritten.
    assert "row=1" in (value.origin or "")


def test_an_entity_shows_every_value_with_its_dataset_and_origin(store: Store) -> None:
    _people(store)
    view = get_entity(store, "p1")
    assert view.schema.name == "Person"
    birth = view.properties["birthDate"][0]
    assert (birth.value, birth.original_value, birth.dataset) == (
        "1970-05-01",
        "01.05.1970",
        "registry",
    )
    assert birth.origin == "file:people.csv#row=1&line=2"
    assert view.to_ftm()["properties"] == {
        "name": ["Ivan Petrov"],
        "birthDate": ["1970-05-01"],
    }


def test_a_missing_entity_is_not_found(store: Store) -> None:
    with pytest.raises(NotFoundError, match="no entity with id 'nope'"):
        get_entity(store, "nope")


def test_adjacency_both_ways(store: Store) -> None:
    _people(store)
    assert [(r.prop, r.target) for r in outgoing(store, "o1")] == [("asset", "c1"), ("owner", "p1")]
    assert [(r.source, r.prop) for r in incoming(store, "p1")] == [("o1", "owner")]
    assert [(r.source, r.prop) for r in incoming(store, "c1")] == [("o1", "asset")]


def test_incoming_streams_page_by_page_without_losing_or_repeating(store: Store) -> None:
    add_dataset(store)
    rows = [base("target", schema="Company")]
    for i in range(25):
        rows += [base(f"own{i:02d}", schema="Ownership")]
        rows += [stmt(f"own{i:02d}", "asset", "target", schema="Ownership", prop_type="entity")]
    _write(store, rows)
    found = [r.source for r in incoming(store, "target", page=4)]
    assert found == [f"own{i:02d}" for i in range(25)]


def test_iteration_by_schema_and_dataset_streams_in_pages(store: Store) -> None:
    _people(store)
    add_dataset(store, "leak")
    _write(store, [base("p2", dataset="leak"), stmt("p2", "name", "Ivan P.", dataset="leak")])
    everyone = [e.id for e in iter_entities(store, page=2)]
    assert everyone == ["c1", "o1", "p1", "p2"]
    legal = [e.id for e in iter_entities(store, schema="LegalEntity", page=1)]
    assert legal == ["c1", "p1", "p2"]
    assert [e.id for e in iter_entities(store, datasets=["leak"])] == ["p2"]


def test_counts_per_dataset_and_schema(store: Store) -> None:
    _people(store)
    counts = {(c.dataset, c.schema): c.entities for c in entity_counts(store)}
    assert counts == {
        ("registry", "Company"): 1,
        ("registry", "Ownership"): 1,
        ("registry", "Person"): 1,
    }
    assert [(d.meta.name, d.entities) for d in list_datasets(store)] == [("registry", 3)]


def test_a_correction_is_a_new_statement_in_a_user_owned_dataset(store: Store) -> None:
    _people(store)
    add_correction(
        store,
        entity_id="p1",
        prop="birthDate",
        value="1971-05-01",
        dataset="my-notes",
        actor="ana",
    )
    view = get_entity(store, "p1")
    births = {(v.value, v.dataset) for v in view.properties["birthDate"]}
    assert births == {("1970-05-01", "registry"), ("1971-05-01", "my-notes")}
    with store.engine.connect() as conn:
        original = conn.execute(
            select(func.count()).where(statement.c.value == "1970-05-01")
        ).scalar()
    assert original == 1
    # Source datasets cannot receive corrections, and bad values are refused.
    with pytest.raises(InvalidInputError, match="is a source dataset"):
        add_correction(
            store, entity_id="p1", prop="name", value="X", dataset="registry", actor="ana"
        )
    with pytest.raises(InvalidInputError, match="not a valid date"):
        add_correction(
            store, entity_id="p1", prop="birthDate", value="soon", dataset="my-notes", actor="a"
        )


def test_deleting_a_dataset_erases_its_statements_only(store: Store) -> None:
    _people(store)
    add_dataset(store, "leak")
    _write(store, [base("p1", dataset="leak"), stmt("p1", "name", "I. Petrov", dataset="leak")])
    removed = delete_dataset(store, "registry", batch=2)
    assert removed == 8
    assert get_entity(store, "p1").datasets == ["leak"]
    assert [d.meta.name for d in list_datasets(store)] == ["leak"]


def test_exports_stream_entities_and_statements(store: Store) -> None:
    _people(store)
    buf = io.BytesIO()
    assert export_ftm(store, buf, schema="Person") == 1
    entity = json.loads(buf.getvalue())
    assert entity["id"] == "p1" and entity["properties"]["name"] == ["Ivan Petrov"]
    text = io.StringIO()
    assert export_statements_csv(store, text) == 8
    header = text.getvalue().splitlines()[0]
    assert header.startswith("id,entity_id,canonical_id,prop")


def test_last_seen_never_moves_backwards(store: Store) -> None:
    _people(store)
    _write(store, [stmt("p1", "name", "Ivan Petrov")], seen="2025-01-01T00:00:00")
    assert get_entity(store, "p1").properties["name"][0].last_seen == T1
