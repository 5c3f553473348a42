"""Row-level behaviour of `CompiledQuery.map_row`: rejects, determinism, originals."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from followthemoney import model
from followthemoney.namespace import Namespace
from followthemoney.types import registry
from followthemoney.util import PROP_VALUE_MAX
from hypothesis import given, settings
from hypothesis import strategies as st

from casegraph.ingest.mapping.compiler import compile_query
from casegraph.ingest.mapping.executor import CompiledQuery, is_plain_name
from casegraph.ingest.mapping.loader import QuerySpec
from casegraph.ingest.records import DroppedValue, RowError, SourceRow
from casegraph.model.origin import Origin
from casegraph.model.statement import BASE_PROP, StatementRow

from .oracle import ftm_map_record, group_statements

PEOPLE: dict[str, Any] = {
    "entities": {
        "person": {
            "schema": "Person",
            "keys": ["name"],
            "properties": {
                "name": {"column": "name"},
                "birthDate": {"column": "born"},
                "nationality": {"column": "country"},
                "email": {"column": "email"},
            },
        }
    }
}


def _compile(query: dict[str, Any], dataset: str = "people") -> CompiledQuery:
    spec = QuerySpec(query, 1, Path("people.yml"), dataset)
    return compile_query(spec, dataset=dataset, columns=None)


def _row(values: dict[str, str], row: int = 7) -> SourceRow:
    origin = Origin(file="people.csv", row=row, line=row + 1)
    return SourceRow(origin=origin, values=values, raw=",".join(values.values()))


@pytest.mark.parametrize(
    ("column", "value", "message"),
    [
        ("born", "31/02/2020", "'31/02/2020' is not a valid date for property Person:birthDate"),
        (
            "country",
            "Atlantis",
            "'Atlantis' is not a valid country for property Person:nationality",
        ),
        ("email", "bob(at)example", "is not a valid e-mail address for property Person:email"),
    ],
)
def test_invalid_values_reject_the_row(column: str, value: str, message: str) -> None:
    row = _row({"name": "Bob", column: value})
    result = _compile(PEOPLE).map_row(row)
    assert isinstance(result, RowError)
    assert result.column == column
    assert message in result.message and repr(value) in result.message
    assert result.origin == row.origin and result.raw == row.raw
    described = result.describe()
    assert "people.csv, row 7 (line 8)" in described and repr(column) in described


def test_with_a_dropped_list_invalid_values_are_left_out_and_listed() -> None:
    row = _row({"name": "Bob", "born": "31/02/2020", "email": "bob@", "country": "de"})
    dropped: list[DroppedValue] = []
    result = _compile(PEOPLE).map_row(row, dropped)
    assert not isinstance(result, RowError)
    assert {(s.prop, s.value) for s in result if s.prop != BASE_PROP} == {
        ("name", "Bob"),
        ("nationality", "de"),
    }
    assert [(d.origin, d.column, d.raw) for d in dropped] == [
        (row.origin, "born", "31/02/2020"),
        (row.origin, "email", "bob@"),
    ]
    assert dropped[1].describe() == (
        "people.csv, row 7 (line 8), column 'email': "
        "'bob@' is not a valid e-mail address for property Person:email"
    )


def test_a_record_rejected_for_its_id_lists_no_dropped_value() -> None:
    query = {
        "entities": {
            "c": {
                "schema": "Company",
                "id_column": "id",
                "properties": {"email": {"column": "email"}},
            }
        }
    }
    dropped: list[DroppedValue] = []
    result = _compile(query).map_row(_row({"id": "bad id", "email": "x@"}), dropped)
    assert isinstance(result, RowError) and "not a valid entity id" in result.message
    assert dropped == []


def test_empty_cells_are_not_invalid() -> None:
    result = _compile(PEOPLE).map_row(_row({"name": "Bob"}))
    assert not isinstance(result, RowError)
    assert {s.prop for s in result} == {BASE_PROP, "name"}


def test_same_record_twice_gives_identical_statements() -> None:
    values = {"name": "Jane  Doe", "born": "1980-05", "country": "Germany"}
    first = _compile(PEOPLE).map_row(_row(values))
    second = _compile(PEOPLE).map_row(_row(dict(values)))
    assert isinstance(first, list) and isinstance(second, list)
    assert [s.id for s in first] == [s.id for s in second]
    assert first == second


def test_statement_fields() -> None:
    result = _compile(PEOPLE).map_row(_row({"name": "Jane  Doe", "country": "Germany"}))
    assert isinstance(result, list)
    by_prop = {s.prop: s for s in result}
    base = by_prop[BASE_PROP]
    assert base.value == base.entity_id and base.prop_type == "id"
    assert base.original_value is None  # a key hash has no source text
    assert by_prop["name"] == StatementRow(
        id=by_prop["name"].id,
        entity_id=base.entity_id,
        schema="Person",
        prop="name",
        prop_type="name",
        value="Jane Doe",
        original_value="Jane  Doe",
        lang=None,
        dataset="people",
        origin="file:people.csv#row=7&line=8",
    )
    assert by_prop["nationality"].value == "de"
    assert by_prop["nationality"].original_value == "Germany"


def test_id_column_keeps_the_source_id_as_original() -> None:
    query = {"entities": {"c": {"schema": "Company", "id_column": "id"}}}
    result = _compile(query).map_row(_row({"id": "c-1"}))
    assert isinstance(result, list)
    (base,) = result
    assert base.entity_id == Namespace("people").sign("c-1")
    assert base.original_value == "c-1"


def test_rows_filtered_out_give_nothing() -> None:
    query = {**PEOPLE, "filters": {"kind": "person"}}
    compiled = _compile(query)
    assert compiled.map_row(_row({"name": "A", "kind": "company"})) == []
    assert compiled.map_row(_row({"name": "A", "kind": "person"})) != []


def test_sql_queries_leave_filters_to_the_database() -> None:
    query = {**PEOPLE, "database": "sqlite:///x.db", "tables": ["t"], "filters": {"kind": "p"}}
    assert _compile(query).map_row(_row({"name": "A", "kind": "company"})) != []


def test_self_reference_rejects_what_ftm_cannot_sign() -> None:
    query = {
        "entities": {
            "link": {
                "schema": "UnknownLink",
                "id_column": "id",
                "properties": {"object": {"column": "other"}},
            }
        }
    }
    record = {"id": "l1", "other": "l1"}
    mapping = model.make_mapping({**query, "csv_url": "/dev/null"}, key_prefix="d", dataset="d")
    theirs = ftm_map_record(mapping, Namespace("d"), record)  # ns.apply raises InvalidData
    assert theirs is not None and theirs.crashed is not None
    result = _compile(query, "d").map_row(_row(record))
    assert isinstance(result, RowError) and "refers to itself" in result.message


def test_total_size_limit_drops_values_like_ftm() -> None:
    query = {
        "entities": {
            "doc": {
                "schema": "Document",
                "keys": ["id"],
                "properties": {"bodyText": {"columns": ["a", "b", "c"]}},
            }
        }
    }
    third = PROP_VALUE_MAX // 2
    record = {"id": "1", "a": "a" * third, "b": "b" * third, "c": "c" * 10}
    mapping = model.make_mapping({**query, "csv_url": "/dev/null"}, key_prefix="d", dataset="d")
    theirs = ftm_map_record(mapping, Namespace("d"), record)
    assert theirs is not None
    result = _compile(query, "d").map_row(_row(record))
    assert isinstance(result, list)
    assert group_statements(result) == theirs.entities
    (doc,) = theirs.entities.values()
    assert len(doc[1]["bodyText"]) == 2  # the second one did not fit


def test_phone_cleaning_does_not_depend_on_the_entity() -> None:
    """The value caches assume no type reads the entity (ftm 4.11 phones use `format`)."""
    proxy = model.make_entity("Person")
    proxy.id = "p1"
    proxy.add("country", "gb")
    for number in ("020 7946 0018", "+44 20 7946 0018", "07700 900123"):
        alone = registry.phone.clean_text(number)
        assert registry.phone.clean_text(number, proxy=proxy) == alone
        hinted = registry.phone.clean_text(number, format="gb")
        assert registry.phone.clean_text(number, format="gb", proxy=proxy) == hinted


@settings(deadline=None)
@given(st.text(alphabet=st.characters(codec="ascii"), min_size=1, max_size=40))
def test_plain_names_are_left_alone_by_name_cleaning(name: str) -> None:
    if is_plain_name(name):
        entity = model.make_entity("Ownership")
        entity.add("namesMentioned", name)  # what inline_names does
        assert entity.get("namesMentioned") == [name]


def test_deprecated_properties_are_noted_not_warned() -> None:
    query = {
        "entities": {
            "c": {
                "schema": "Company",
                "keys": ["n"],
                "properties": {"isinCode": {"column": "isin"}},
            }
        }
    }
    compiled = _compile(query)
    assert len(compiled.notes) == 1 and "isinCode" in compiled.notes[0]
    assert "people.yml, query 1" in compiled.notes[0]


def test_entity_records_are_not_mapped() -> None:
    row = SourceRow(origin=Origin(file="e.json", row=1), entity={"id": "x", "schema": "Person"})
    result = _compile(PEOPLE).map_row(row)
    assert isinstance(result, RowError) and "without one" in result.message
