"""`invalid_values`: reject the record (default) or drop the value and list it."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import orjson
import pytest
from sqlalchemy import Connection, update

from casegraph.errors import RejectedInputError
from casegraph.ingest.plan import make_plan
from casegraph.ingest.records import InvalidValues
from casegraph.model.dataset import DatasetMeta
from casegraph.security.context import Context
from casegraph.services import ingest as ingest_service
from casegraph.services.datasets import get_dataset
from casegraph.services.entities import get_entity, iter_entities, iter_entity_ids
from casegraph.services.ingest import IngestResult, ingest
from casegraph.services.stats import statistics
from casegraph.services.store import Store
from casegraph.store.tables import ingest_run
from tests.ingest.pipeline.conftest import register_rows, write_register

META = DatasetMeta(name="register", title="Register", marking="PUBLIC")
DROP = InvalidValues.DROP_VALUE


def _ingest(
    store: Store, ctx: Context, path: Path, mapping: Path | None, **kw: Any
) -> IngestResult:
    return ingest(store, ctx, path, meta=META, mapping=mapping, **kw)


def _lines(path: Path) -> list[dict[str, Any]]:
    return [orjson.loads(line) for line in path.read_bytes().splitlines()]


def _messy_register(tmp_path: Path, n: int = 20) -> Path:
    rows = register_rows(n)
    rows[2][2] = "1933-11-31"  # impossible date, row 3
    rows[5][3] = "Atlantis"  # unknown country, row 6
    rows[8][4] = "bob@"  # malformed e-mail, row 9
    rows[11] = rows[11][:4]  # too few cells, row 12: not a value, still a reject
    return write_register(tmp_path / "register.csv", rows)


def _emails(store: Store, ctx: Context) -> set[str]:
    scope = store.policy.read_scope(ctx)
    people = iter_entities(store, scope, iter_entity_ids(store, scope, schema="Person"))
    return {s.value for p in people for s in p.properties.get("email", [])}


def test_drop_value_keeps_the_record_and_lists_each_dropped_value(
    store: Store, owner: Context, tmp_path: Path, mapping_file: Path
) -> None:
    data = _messy_register(tmp_path)
    rejects = tmp_path / "rejects.jsonl"
    result = _ingest(store, owner, data, mapping_file, rejects_path=rejects, invalid_values=DROP)
    assert (result.read, result.ingested, result.rejected) == (20, 19, 1)
    assert result.values_dropped == 3 and result.rejects_path == rejects
    listed = _lines(rejects)
    assert [(r["kind"], r["row"], r["line"], r["column"], r["raw"]) for r in listed] == [
        ("value dropped", 3, 4, "birth_date", "1933-11-31"),
        ("value dropped", 6, 7, "nationality", "Atlantis"),
        ("value dropped", 9, 10, "email", "bob@"),
        ("record rejected", 12, 13, None, listed[3]["raw"]),
    ]
    assert all(r["file"] == "register.csv" and r["run"] == result.run_id for r in listed)
    assert listed[0]["message"] == "'1933-11-31' is not a valid date for property Person:birthDate"
    assert listed[2]["message"] == "'bob@' is not a valid e-mail address for property Person:email"
    assert result.first_dropped[2] == (
        "register.csv, row 9 (line 10), column 'email': "
        "'bob@' is not a valid e-mail address for property Person:email"
    )
    assert len(result.first_rejects) == 1
    # Row 9's person went in, with the rest of its values but not the bad e-mail.
    emails = _emails(store, owner)
    assert "p8@example.org" in emails and "bob@" not in emails
    assert get_dataset(store, owner, META.name).recent_runs[0].values_dropped == 3


def test_reject_row_is_the_default_and_drops_nothing(
    store: Store, owner: Context, tmp_path: Path, mapping_file: Path
) -> None:
    rejects = tmp_path / "rejects.jsonl"
    result = _ingest(store, owner, _messy_register(tmp_path), mapping_file, rejects_path=rejects)
    assert (result.ingested, result.rejected, result.values_dropped) == (16, 4, 0)
    assert {r["kind"] for r in _lines(rejects)} == {"record rejected"}
    assert get_dataset(store, owner, META.name).recent_runs[0].values_dropped == 0


def test_a_run_with_nothing_to_drop_writes_no_rejects_file(
    store: Store, owner: Context, tmp_path: Path, mapping_file: Path
) -> None:
    data = write_register(tmp_path / "register.csv", register_rows(10))
    rejects = tmp_path / "rejects.jsonl"
    result = _ingest(store, owner, data, mapping_file, rejects_path=rejects, invalid_values=DROP)
    assert (result.ingested, result.values_dropped, result.rejects_path) == (10, 0, None)
    assert not rejects.exists()


def test_strict_refuses_a_file_with_a_value_to_drop(
    store: Store, owner: Context, tmp_path: Path, mapping_file: Path
) -> None:
    rows = register_rows(10)
    rows[3][4] = "bob@"
    data = write_register(tmp_path / "register.csv", rows)
    rejects = tmp_path / "rejects.jsonl"
    with pytest.raises(RejectedInputError, match=r"1 values in register\.csv would be dropped"):
        _ingest(
            store, owner, data, mapping_file, strict=True, rejects_path=rejects, invalid_values=DROP
        )
    assert statistics(store, owner).statements == 0
    assert [(r["kind"], r["row"], r["raw"]) for r in _lines(rejects)] == [
        ("value dropped", 4, "bob@")
    ]
    run = get_dataset(store, owner, META.name).recent_runs[0]
    assert (run.status, run.values_dropped, run.rows_rejected) == ("rejected", 1, 0)


def test_the_mode_is_part_of_the_fingerprint_so_a_resume_never_mixes_modes(
    store: Store, owner: Context, tmp_path: Path, mapping_file: Path
) -> None:
    data = _messy_register(tmp_path)
    plans = {
        mode: make_plan(data, dataset="d", mapping=mapping_file, invalid_values=mode)
        for mode in InvalidValues
    }
    assert len({plan.fingerprint for plan in plans.values()}) == 2
    assert (
        plans[InvalidValues.REJECT_ROW].fingerprint
        == make_plan(data, dataset="d", mapping=mapping_file).fingerprint
    )

    first = _ingest(store, owner, data, mapping_file)
    with store.engine.begin() as conn:  # as if it had been interrupted
        conn.execute(update(ingest_run).values(status="failed"))
    other = _ingest(store, owner, data, mapping_file, invalid_values=DROP)
    assert other.run_id != first.run_id and other.resumed_from is None
    assert other.values_dropped == 3
    again = _ingest(store, owner, data, mapping_file)
    assert again.run_id == first.run_id and again.resumed_from is not None


def test_a_resumed_drop_value_run_lists_the_values_dropped_before_the_interruption(
    store: Store,
    owner: Context,
    tmp_path: Path,
    mapping_file: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    data = _messy_register(tmp_path)
    rejects = tmp_path / "rejects.jsonl"
    monkeypatch.setattr(ingest_service, "BATCH_ROWS", 5)
    commit = ingest_service._commit_batch
    calls: list[int] = []

    def crash_on_third(conn: Connection, run: Any, batch: Any) -> None:
        calls.append(1)
        if len(calls) == 3:
            raise RuntimeError("power cut")
        commit(conn, run, batch)

    monkeypatch.setattr(ingest_service, "_commit_batch", crash_on_third)
    with pytest.raises(RuntimeError, match="power cut"):
        _ingest(store, owner, data, mapping_file, invalid_values=DROP, rejects_path=rejects)
    monkeypatch.setattr(ingest_service, "_commit_batch", commit)
    result = _ingest(store, owner, data, mapping_file, invalid_values=DROP, rejects_path=rejects)
    assert result.resumed_from == 10  # rows 3 and 6 were dropped from before that
    assert (result.read, result.ingested, result.rejected, result.values_dropped) == (20, 19, 1, 3)
    assert [(r["kind"], r["row"]) for r in _lines(rejects)] == [
        ("value dropped", 3),
        ("value dropped", 6),
        ("value dropped", 9),
        ("record rejected", 12),
    ]


TWO_QUERIES = """\
people:
  queries:
    - csv_url: people.csv
      entities:
        person:
          schema: Person
          keys: [name]
          properties:
            name: {column: name}
            email: {column: email}
    - csv_url: people.csv
      entities:
        company:
          schema: Company
          id_column: company_id
          properties:
            name: {column: company}
"""


def test_a_record_another_query_rejects_lists_no_dropped_value(
    store: Store, owner: Context, tmp_path: Path
) -> None:
    data = tmp_path / "people.csv"
    data.write_text(
        "name,email,company_id,company\nAda,ada@,c1,Acme\nBob,bob@,bad id,Beta\n",
        encoding="utf-8",
    )
    mapping = tmp_path / "people.yml"
    mapping.write_text(TWO_QUERIES, encoding="utf-8")
    rejects = tmp_path / "rejects.jsonl"
    result = _ingest(store, owner, data, mapping, rejects_path=rejects, invalid_values=DROP)
    assert (result.ingested, result.rejected, result.values_dropped) == (1, 1, 1)
    assert [(r["kind"], r["row"]) for r in _lines(rejects)] == [
        ("value dropped", 1),
        ("record rejected", 2),
    ]


def test_ftm_entities_drop_values_that_do_not_clean(
    store: Store, owner: Context, tmp_path: Path
) -> None:
    data = tmp_path / "leak.ftm.jsonl"
    entity = {"id": "p1", "schema": "Person", "properties": {"name": ["Ada"], "email": ["ada@"]}}
    data.write_bytes(orjson.dumps(entity) + b"\n")
    rejects = tmp_path / "rejects.jsonl"
    result = _ingest(store, owner, data, None, rejects_path=rejects, invalid_values=DROP)
    assert (result.ingested, result.values_dropped) == (1, 1)
    [listed] = _lines(rejects)
    assert (listed["kind"], listed["column"], listed["raw"]) == ("value dropped", None, "ada@")
    assert listed["message"] == "'ada@' is not a valid e-mail address for property Person:email"
    scope = store.policy.read_scope(owner)
    [person] = iter_entities(store, scope, iter_entity_ids(store, scope, schema="Person"))
    assert get_entity(store, owner, person.id).properties.keys() == {"name"}
