"""The statement store: idempotent writes, assembly with provenance, streams, adjacency."""

from __future__ import annotations

import io
import json

import pytest
from sqlalchemy import func, select

from casegraph.errors import InvalidInputError, NotFoundError
from casegraph.security.context import Context
from casegraph.services.corrections import add_correction
from casegraph.services.datasets import delete_dataset, list_datasets
from casegraph.services.entities import get_entity, iter_entities, iter_entity_ids, show_entity
from casegraph.services.export import export_ftm, export_statements_csv
from casegraph.services.stats import statistics
from casegraph.services.store import Store
from casegraph.store.bulk import upsert_statements
from casegraph.store.tables import statement
from tests.helpers import add_dataset, base, stmt

T1 = "2026-01-01T00:00:00"
T2 = "2026-02-01T00:00:00"


def _write(store: Store, rows: list, seen: str = T1) -> None:  # type: ignore[type-arg]
    with store.engine.begin() as conn:
        upsert_statements(conn, rows, seen=seen)


def _statement_count(store: Store, ctx: Context) -> int:
    return statistics(store, ctx).statements


def _people(store: Store, owner: Context) -> None:
    add_dataset(store, owner)
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
    store: Store, owner: Context
) -> None:
    _people(store, owner)
    before = _statement_count(store, owner)
    add_dataset(store, owner)
    _write(store, [stmt("p1", "name", "Ivan Petrov", row=99)], seen=T2)
    assert _statement_count(store, owner) == before
    value = get_entity(store, owner, "p1").properties["name"][0]
    assert (value.first_seen, value.last_seen) == (T1, T2)
    # The first observation's origin is kept: evidence is not rewritten.
    assert "row=1" in (value.origin or "")


def test_an_entity_shows_every_value_with_its_dataset_and_origin(
    store: Store, owner: Context
) -> None:
    _people(store, owner)
    view = get_entity(store, owner, "p1")
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


def test_a_missing_entity_is_not_found(store: Store, owner: Context) -> None:
    with pytest.raises(NotFoundError, match="no entity with id 'nope'"):
        get_entity(store, owner, "nope")


def test_adjacency_both_ways(store: Store, owner: Context) -> None:
    _people(store, owner)
    out = show_entity(store, owner, "o1").outgoing
    assert [(r.prop, r.target) for r in out] == [("asset", "c1"), ("owner", "p1")]
    assert [(r.source, r.prop) for r in show_entity(store, owner, "p1").incoming] == [
        ("o1", "owner")
    ]
    assert [(r.source, r.prop) for r in show_entity(store, owner, "c1").incoming] == [
        ("o1", "asset")
    ]


def test_incoming_references_are_bounded_in_order_and_say_when_there_are_more(
    store: Store, owner: Context
) -> None:
    add_dataset(store, owner)
    rows = [base("target", schema="Company")]
    for i in range(25):
        rows += [base(f"own{i:02d}", schema="Ownership")]
        rows += [stmt(f"own{i:02d}", "asset", "target", schema="Ownership", prop_type="entity")]
    _write(store, rows)
    first = show_entity(store, owner, "target", references=4)
    assert [r.source for r in first.incoming] == [f"own{i:02d}" for i in range(4)]
    assert first.more_incoming
    assert show_entity(store, owner, "target", references=24).more_incoming
    every = show_entity(store, owner, "target", references=25)
    assert [r.source for r in every.incoming] == [f"own{i:02d}" for i in range(25)]
    assert not every.more_incoming


def test_iteration_by_schema_and_dataset_streams_in_pages(store: Store, owner: Context) -> None:
    _people(store, owner)
    add_dataset(store, owner, "leak")
    _write(store, [base("p2", dataset="leak"), stmt("p2", "name", "Ivan P.", dataset="leak")])
    scope = store.policy.read_scope(owner)
    pages = list(iter_entity_ids(store, scope, page=2))
    assert pages == [["c1", "o1"], ["p1", "p2"]]
    everyone = [e.id for e in iter_entities(store, scope, iter(pages))]
    assert everyone == ["c1", "o1", "p1", "p2"]
    legal_pages = list(iter_entity_ids(store, scope, schema="LegalEntity", page=1))
    assert legal_pages == [["c1"], ["p1"], ["p2"]]
    legal = [e.id for e in iter_entities(store, scope, iter(legal_pages))]
    assert legal == ["c1", "p1", "p2"]
    leak_ids = iter_entity_ids(store, scope, datasets=["leak"])
    leak = list(iter_entities(store, scope, leak_ids, datasets=["leak"]))
    assert [e.id for e in leak] == ["p2"]
    assert leak[0].datasets == ["leak"]
    # p1 in the registry and p2 in the leak; with `datasets`, only the leak's evidence.
    both = list(iter_entities(store, scope, iter([["p1", "p2"]]), datasets=["leak"]))
    assert [e.id for e in both] == ["p2"]


def test_counts_per_dataset_and_schema(store: Store, owner: Context) -> None:
    _people(store, owner)
    counts = {(c.dataset, c.schema): c.entities for c in statistics(store, owner).counts}
    assert counts == {
        ("registry", "Company"): 1,
        ("registry", "Ownership"): 1,
        ("registry", "Person"): 1,
    }
    assert [(d.meta.name, d.entities) for d in list_datasets(store, owner)] == [("registry", 3)]


def test_a_correction_is_a_new_statement_in_a_user_owned_dataset(
    store: Store, owner: Context
) -> None:
    _people(store, owner)
    add_correction(
        store,
        owner,
        entity_id="p1",
        prop="birthDate",
        value="1971-05-01",
        dataset="my-notes",
    )
    view = get_entity(store, owner, "p1")
    births = {(v.value, v.dataset) for v in view.properties["birthDate"]}
    assert births == {("1970-05-01", "registry"), ("1971-05-01", "my-notes")}
    with store.engine.connect() as conn:
        original = conn.execute(
            select(func.count()).where(statement.c.value == "1970-05-01")
        ).scalar()
    assert original == 1
    # Source datasets cannot receive corrections, and bad values are refused. (c1 holds
    # PUBLIC content only, so the PUBLIC registry is refused for being a source dataset.)
    with pytest.raises(InvalidInputError, match="is a source dataset"):
        add_correction(store, owner, entity_id="c1", prop="name", value="X", dataset="registry")
    with pytest.raises(InvalidInputError, match="not a valid date"):
        add_correction(
            store, owner, entity_id="p1", prop="birthDate", value="soon", dataset="my-notes"
        )


def test_deleting_a_dataset_erases_its_statements_only(store: Store, owner: Context) -> None:
    _people(store, owner)
    add_dataset(store, owner, "leak")
    _write(store, [base("p1", dataset="leak"), stmt("p1", "name", "I. Petrov", dataset="leak")])
    removed = delete_dataset(store, owner, "registry")
    assert removed == 8
    assert get_entity(store, owner, "p1").datasets == ["leak"]
    assert [d.meta.name for d in list_datasets(store, owner)] == ["leak"]


def test_exports_stream_entities_and_statements(store: Store, owner: Context) -> None:
    _people(store, owner)
    buf = io.BytesIO()
    assert export_ftm(store, owner, buf, schema="Person") == 1
    entity = json.loads(buf.getvalue())
    assert entity["id"] == "p1" and entity["properties"]["name"] == ["Ivan Petrov"]
    text = io.StringIO()
    assert export_statements_csv(store, owner, text) == 8
    header = text.getvalue().splitlines()[0]
    assert header.startswith("id,entity_id,canonical_id,prop")


def test_last_seen_never_moves_backwards(store: Store, owner: Context) -> None:
    _people(store, owner)
    _write(store, [stmt("p1", "name", "Ivan Petrov")], seen="2025-01-01T00:00:00")
    assert get_entity(store, owner, "p1").properties["name"][0].last_seen == T1
