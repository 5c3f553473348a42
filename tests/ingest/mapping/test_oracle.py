"""Every mapping under cases/ gives exactly what `ftm map -d DATASET` gives.

A case is a directory with `mapping.yml` (csv_url: data.csv) and `data.csv`; adding
one adds a test. For each record, our statements grouped into entities must equal
followthemoney's signed entities; a record we reject must be one where
followthemoney discarded a non-empty value (or emitted an entity without an id),
and a record we accept must be one where it discarded nothing.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from followthemoney import model
from followthemoney.namespace import Namespace

from casegraph.ingest.mapping.compiler import compile_query
from casegraph.ingest.mapping.loader import QuerySpec, load_mapping_file, query_csv_paths
from casegraph.ingest.records import DroppedValue, RowError, SourceRow
from casegraph.model.origin import Origin
from casegraph.model.statement import BASE_PROP, StatementRow, make_statement_id

from .oracle import (
    Entities,
    csv_header,
    ftm_map_record,
    group_statements,
    merge,
    read_records,
)

CASES = Path(__file__).parent / "cases"
CASE_DIRS = sorted(p.parent for p in CASES.glob("*/mapping.yml"))


def test_there_are_enough_cases() -> None:
    assert len(CASE_DIRS) >= 10


def _dataset(spec: QuerySpec, case: Path) -> str:
    return spec.dataset_name or f"case_{case.name}"


@pytest.mark.parametrize("case", CASE_DIRS, ids=[p.name for p in CASE_DIRS])
def test_case_equals_ftm_map(case: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)  # csv_url: data.csv resolves next to the mapping
    specs = load_mapping_file(case / "mapping.yml")
    accepted = rejected = 0
    for spec in specs:
        data = case / "data.csv"
        assert query_csv_paths(spec) == [data.resolve()]
        dataset = _dataset(spec, case)
        records = read_records(data)
        ftm_query = {**spec.query, "csv_url": str(data.resolve())}
        mapping = model.make_mapping(ftm_query, key_prefix=dataset, dataset=dataset)
        ns = Namespace(dataset)
        header = csv_header(data)
        compiled = compile_query(spec, dataset=dataset, columns=header)
        ftm_ids: list[str | None] = []
        crashed = False
        for number, record in enumerate(records, start=1):
            origin = Origin(file=str(data), row=number)
            ours = compiled.map_row(SourceRow(origin=origin, values=record, raw=str(record)))
            theirs = ftm_map_record(mapping, ns, record)
            where = f"{case.name} query {spec.index} row {number} {record}"
            if theirs is None:
                assert ours == [], where
                continue
            ftm_ids.extend(theirs.ids)
            crashed = crashed or theirs.crashed is not None
            if isinstance(ours, RowError):
                rejected += 1
                assert theirs.discarded or theirs.id_less or theirs.crashed, ours.message
                assert ours.origin == origin and ours.raw == str(record)
                assert ours.column is None or set(ours.column.split(", ")) <= set(header)
                continue
            accepted += 1
            assert not theirs.discarded, f"{where}: ftm discarded {theirs.discarded}"
            assert not theirs.id_less and not theirs.crashed, where
            _check_statements(ours, dataset, origin)
            assert group_statements(ours) == theirs.entities, where
        # the per-record oracle is `ftm map` over the whole file (when that runs):
        if not crashed:
            entities = model.map_entities(ftm_query, key_prefix=dataset, dataset=dataset)
            assert [ns.apply(e).id for e in entities] == ftm_ids
    assert accepted > 0


def _check_statements(ours: list[StatementRow], dataset: str, origin: Origin) -> None:
    based = {s.entity_id for s in ours if s.prop == BASE_PROP}
    for stmt in ours:
        assert stmt.entity_id in based
        assert stmt.dataset == dataset and stmt.origin == origin.render()
        assert stmt.lang is None
        assert stmt.id == make_statement_id(
            dataset=dataset, entity_id=stmt.entity_id, prop=stmt.prop, value=stmt.value
        )
    assert len({s.id for s in ours}) == len(ours), "duplicate statements"


def _drop_value_mode(case: Path) -> list[tuple[int, list[DroppedValue]]]:
    """Map the case with `dropped` lists, checking every record against `ftm map`;
    returns each row number with the values we dropped from it."""
    listed: list[tuple[int, list[DroppedValue]]] = []
    for spec in load_mapping_file(case / "mapping.yml"):
        data = case / "data.csv"
        dataset = _dataset(spec, case)
        ftm_query = {**spec.query, "csv_url": str(data.resolve())}
        mapping = model.make_mapping(ftm_query, key_prefix=dataset, dataset=dataset)
        ns = Namespace(dataset)
        header = csv_header(data)
        compiled = compile_query(spec, dataset=dataset, columns=header)
        for number, record in enumerate(read_records(data), start=1):
            origin = Origin(file=str(data), row=number)
            dropped: list[DroppedValue] = []
            row = SourceRow(origin=origin, values=record, raw=str(record))
            ours = compiled.map_row(row, dropped)
            theirs = ftm_map_record(mapping, ns, record)
            where = f"{case.name} query {spec.index} row {number} {record}"
            if theirs is None:
                assert ours == [] and dropped == [], where
                continue
            if theirs.id_less or theirs.crashed:  # not a value: still a rejected record
                assert isinstance(ours, RowError), where
                assert dropped == [], where
                continue
            assert not isinstance(ours, RowError), f"{where}: {ours}"
            _check_statements(ours, dataset, origin)
            assert group_statements(ours) == theirs.entities, where
            assert sorted(d.raw for d in dropped) == sorted(theirs.discarded), where
            for value in dropped:
                assert value.origin == origin, where
                assert value.column is not None and value.column in header, where
                assert repr(value.raw) in value.message and "not a valid" in value.message
            listed.append((number, dropped))
    return listed


@pytest.mark.parametrize("case", CASE_DIRS, ids=[p.name for p in CASE_DIRS])
def test_case_in_drop_value_mode_equals_ftm_map(
    case: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With a `dropped` list, records keep their good values: exactly `ftm map`'s entities."""
    monkeypatch.chdir(tmp_path)
    assert _drop_value_mode(case)


def test_messy_values_are_dropped_and_each_listed_with_column_and_text(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    listed = _drop_value_mode(CASES / "messy_values")
    assert [n for n, _ in listed] == [1, 2, 3, 4, 5]  # no record is rejected
    dropped = {n: [(d.column, d.raw) for d in values] for n, values in listed if values}
    assert dropped == {
        2: [("country", "Atlantis"), ("email", "bob@"), ("born", "1933-11-31")],
        3: [("email", "not-an-email"), ("born", "1970-02-30")],
    }
    assert _whole_file_drop_value(CASES / "messy_values") == _whole_file_ftm_map(
        CASES / "messy_values"
    )
    bob = next(values for n, values in listed if n == 2)
    assert [d.message for d in bob] == [
        "'Atlantis' is not a valid country for property Person:nationality",
        "'bob@' is not a valid e-mail address for property Person:email",
        "'1933-11-31' is not a valid date for property Person:birthDate",
    ]


def _whole_file_drop_value(case: Path) -> Entities:
    [spec] = load_mapping_file(case / "mapping.yml")
    data = case / "data.csv"
    compiled = compile_query(spec, dataset=_dataset(spec, case), columns=csv_header(data))
    statements: list[StatementRow] = []
    for number, record in enumerate(read_records(data), start=1):
        row = SourceRow(origin=Origin(file=str(data), row=number), values=record)
        result = compiled.map_row(row, [])
        assert not isinstance(result, RowError), result
        statements.extend(result)
    return group_statements(statements)


def _whole_file_ftm_map(case: Path) -> Entities:
    """What `ftm map -d DATASET` writes for the whole file, as entities."""
    [spec] = load_mapping_file(case / "mapping.yml")
    dataset = _dataset(spec, case)
    ftm_query = {**spec.query, "csv_url": str((case / "data.csv").resolve())}
    ns = Namespace(dataset)
    entities: Entities = {}
    for entity in model.map_entities(ftm_query, key_prefix=dataset, dataset=dataset):
        data = ns.apply(entity).to_dict()
        merge(entities, data["id"], data["schema"], data["properties"])
    return entities
