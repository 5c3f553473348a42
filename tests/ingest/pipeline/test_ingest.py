"""Ingest through the service: counts, provenance, idempotency, bad input, --strict."""

from __future__ import annotations

from pathlib import Path

import orjson
import pytest
from sqlalchemy import select

from casegraph.errors import MappingError, RejectedInputError, SourceError
from casegraph.model.dataset import DatasetMeta
from casegraph.model.entity import EntityView
from casegraph.security.context import Context
from casegraph.services.datasets import get_dataset
from casegraph.services.entities import get_entity, iter_entities, iter_entity_ids
from casegraph.services.ingest import IngestResult, ingest
from casegraph.services.runs import RunRecord
from casegraph.services.stats import statistics
from casegraph.services.store import Store
from casegraph.store.tables import statement
from tests.conftest import OWNER
from tests.ingest.pipeline.conftest import register_rows, write_register

META = DatasetMeta(name="register", title="Register", marking="PUBLIC")


def _ingest(
    store: Store, ctx: Context, path: Path, mapping: Path | None, **kw: object
) -> IngestResult:
    return ingest(store, ctx, path, meta=META, mapping=mapping, **kw)  # type: ignore[arg-type]


def _statement_count(store: Store, ctx: Context) -> int:
    return statistics(store, ctx).statements


def _runs(store: Store, ctx: Context) -> tuple[RunRecord, ...]:
    return get_dataset(store, ctx, META.name).recent_runs


def _first(store: Store, ctx: Context, schema: str) -> EntityView:
    scope = store.policy.read_scope(ctx)
    return next(iter_entities(store, scope, iter_entity_ids(store, scope, schema=schema)))


def test_csv_through_a_mapping_gives_entities_with_provenance(
    store: Store, owner: Context, tmp_path: Path, mapping_file: Path
) -> None:
    data = write_register(tmp_path / "register.csv", register_rows(30))
    result = _ingest(store, owner, data, mapping_file)
    assert (result.read, result.ingested, result.rejected) == (30, 30, 0)
    counts = {c.schema: c.entities for c in statistics(store, owner).counts}
    assert counts == {"Person": 11, "Company": 7, "Ownership": 30}
    person = _first(store, owner, "Person")
    name = person.properties["name"][0]
    assert name.origin is not None and name.origin.startswith("file:register.csv#row=")
    runs = _runs(store, owner)
    assert runs[0].status == "completed" and runs[0].actor == OWNER
    assert len(runs[0].source_sha256) == 64


def test_reingesting_the_same_file_adds_nothing_and_only_moves_last_seen(
    store: Store, owner: Context, tmp_path: Path, mapping_file: Path
) -> None:
    data = write_register(tmp_path / "register.csv", register_rows(40))
    _ingest(store, owner, data, mapping_file)
    before = _statement_count(store, owner)
    with store.engine.connect() as conn:
        first = dict(conn.execute(select(statement.c.id, statement.c.first_seen)).all())
    with store.engine.begin() as conn:  # pretend the first run was long ago
        conn.execute(
            statement.update().values(
                first_seen="2020-01-01T00:00:00", last_seen="2020-01-01T00:00:00"
            )
        )
    second = _ingest(store, owner, data, mapping_file)
    assert _statement_count(store, owner) == before
    assert second.read == 40
    with store.engine.connect() as conn:
        rows = conn.execute(select(statement.c.id, statement.c.first_seen, statement.c.last_seen))
        for sid, first_seen, last_seen in rows:
            assert sid in first
            assert first_seen == "2020-01-01T00:00:00"
            assert last_seen > "2020-01-01T00:00:00"
    assert [r.status for r in _runs(store, owner)] == ["completed", "completed"]


def test_bad_rows_are_reported_with_place_and_problem_and_good_rows_go_in(
    store: Store, owner: Context, tmp_path: Path, mapping_file: Path
) -> None:
    rows = register_rows(20)
    rows[2][2] = "31/02/1970"  # invalid date, row 3
    rows[5][3] = "Atlantis"  # invalid country, row 6
    rows[8][4] = "bob@"  # invalid email, row 9
    rows[11] = rows[11][:4]  # too few cells, row 12
    data = write_register(tmp_path / "register.csv", rows)
    rejects = tmp_path / "rejects.jsonl"
    result = _ingest(store, owner, data, mapping_file, rejects_path=rejects)
    assert (result.read, result.ingested, result.rejected) == (20, 16, 4)
    records = [orjson.loads(line) for line in rejects.read_bytes().splitlines()]
    assert [(r["row"], r["column"]) for r in records] == [
        (3, "birth_date"),
        (6, "nationality"),
        (9, "email"),
        (12, None),
    ]
    assert all(r["file"] == "register.csv" and r["raw"] for r in records)
    assert "31/02/1970" in records[0]["message"]
    assert "Atlantis" in records[1]["message"]
    assert records[3]["line"] == 13
    assert result.first_rejects[0].startswith("register.csv, row 3 (line 4), column 'birth_date'")
    assert _statement_count(store, owner) > 0


def test_strict_commits_nothing_when_any_record_is_bad(
    store: Store, owner: Context, tmp_path: Path, mapping_file: Path
) -> None:
    data = write_register(tmp_path / "register.csv", register_rows(50, bad_every=17))
    rejects = tmp_path / "rejects.jsonl"
    with pytest.raises(RejectedInputError, match=r"2 of 50 records in register\.csv were rejected"):
        _ingest(store, owner, data, mapping_file, strict=True, rejects_path=rejects)
    assert _statement_count(store, owner) == 0
    assert len(rejects.read_bytes().splitlines()) == 2
    assert _runs(store, owner)[0].status == "rejected"
    # Without --strict the same file goes in, minus the two bad records.
    result = _ingest(store, owner, data, mapping_file)
    assert (result.ingested, result.rejected) == (48, 2)


def test_mixed_encodings_reject_only_the_undecodable_record(
    store: Store, owner: Context, tmp_path: Path, mapping_file: Path
) -> None:
    rows = register_rows(10)
    for row in rows:
        row[1] = row[1].replace("Person", "Pérsøn")  # UTF-8 text throughout
    data = write_register(tmp_path / "register.csv", rows)
    raw = data.read_bytes().splitlines(keepends=True)
    raw[4] = raw[4].replace("Pérsøn".encode(), "Pérsøn".encode("latin-1"))  # record 4: latin-1
    data.write_bytes(b"".join(raw))
    result = _ingest(store, owner, data, mapping_file, rejects_path=tmp_path / "r.jsonl")
    assert (result.read, result.ingested, result.rejected) == (10, 9, 1)
    record = orjson.loads((tmp_path / "r.jsonl").read_bytes())
    assert record["row"] == 4 and record["line"] == 5
    assert "\\xe9" in record["raw"]


@pytest.mark.parametrize(
    ("broken", "expected"),
    [
        ("schema: Company", "Compnay"),
        ("jurisdiction: {column: jurisdiction}", "jurisdictio"),
        ("name: {column: company_name}", "company_nme"),
    ],
)
def test_a_mapping_naming_unknown_things_is_refused_before_anything_is_written(
    store: Store, owner: Context, tmp_path: Path, mapping_file: Path, broken: str, expected: str
) -> None:
    text = mapping_file.read_text()
    replacement = broken.replace("Company", "Compnay").replace("jurisdiction:", "jurisdictio:")
    replacement = replacement.replace("company_name", "company_nme")
    mapping_file.write_text(text.replace(broken, replacement, 1))
    data = write_register(tmp_path / "register.csv", register_rows(5))
    with pytest.raises(MappingError) as info:
        _ingest(store, owner, data, mapping_file)
    assert "register.yml" in str(info.value) and expected in str(info.value)
    assert _statement_count(store, owner) == 0


def test_a_data_file_without_mapping_is_explained(
    store: Store, owner: Context, tmp_path: Path
) -> None:
    data = write_register(tmp_path / "register.csv", register_rows(5))
    with pytest.raises(MappingError, match="give a mapping with --mapping"):
        _ingest(store, owner, data, None)


def test_a_missing_file_is_a_clear_error(store: Store, owner: Context, tmp_path: Path) -> None:
    with pytest.raises(SourceError, match="no such file"):
        _ingest(store, owner, tmp_path / "nope.csv", None)


def test_running_the_mapping_file_itself_reads_its_csv_url(
    store: Store, owner: Context, tmp_path: Path, mapping_file: Path
) -> None:
    write_register(tmp_path / "register.csv", register_rows(12))
    result = _ingest(store, owner, mapping_file, None)
    assert result.ingested == 12
    company = _first(store, owner, "Company")
    assert get_entity(store, owner, company.id).schema.name == "Company"
