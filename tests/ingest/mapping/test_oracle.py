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
from casegraph.ingest.records import RowError, SourceRow
from casegraph.model.origin import Origin
from casegraph.model.statement import BASE_PROP, StatementRow, make_statement_id

from .oracle import csv_header, ftm_map_record, group_statements, read_records

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
