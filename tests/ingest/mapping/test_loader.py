"""Mapping files in every shape `ftm map` reads, and the CSV files their queries name."""

from __future__ import annotations

from pathlib import Path

import pytest

from casegraph.errors import MappingError, SourceError
from casegraph.ingest.mapping.loader import QuerySpec, load_mapping_file, query_csv_paths

ENTITIES = "entities: {a: {schema: Person, keys: [n]}}"


def _write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def test_dataset_form_with_several_datasets(tmp_path: Path) -> None:
    path = _write(
        tmp_path / "m.yml",
        f"one:\n  queries:\n    - {{{ENTITIES}}}\n    - {{{ENTITIES}}}\n"
        f"two:\n  query: {{{ENTITIES}}}\n",
    )
    specs = load_mapping_file(path)
    assert [(s.index, s.dataset_name) for s in specs] == [(1, "one"), (2, "one"), (3, "two")]
    assert all(s.path == path and s.query["entities"]["a"]["schema"] == "Person" for s in specs)


def test_top_level_queries_query_and_bare_entities(tmp_path: Path) -> None:
    for text, count in (
        (f"queries:\n  - {{{ENTITIES}}}\n  - {{{ENTITIES}}}\n", 2),
        (f"query: {{{ENTITIES}}}\n", 1),
        (f"csv_url: x.csv\n{ENTITIES}\n", 1),
    ):
        specs = load_mapping_file(_write(tmp_path / "m.yml", text))
        assert len(specs) == count and specs[0].dataset_name is None


def test_includes_are_resolved(tmp_path: Path) -> None:
    _write(tmp_path / "part.yml", f"queries:\n  - {{{ENTITIES}}}\n")
    path = _write(tmp_path / "m.yml", "ds:\n  include: part.yml\n")
    (spec,) = load_mapping_file(path)
    assert spec.dataset_name == "ds"


def test_a_query_must_be_a_mapping(tmp_path: Path) -> None:
    with pytest.raises(MappingError, match=r"m\.yml"):
        load_mapping_file(_write(tmp_path / "m.yml", "ds:\n  queries: [1, 2]\n"))


def _spec(tmp_path: Path, **query: object) -> QuerySpec:
    mapping_dir = tmp_path / "mappings"
    mapping_dir.mkdir(exist_ok=True)
    return QuerySpec({"entities": {}, **query}, 1, mapping_dir / "m.yml")


def test_csv_paths_relative_to_cwd_first_then_mapping(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    spec = _spec(tmp_path, csv_urls=["a.csv", "b.csv"], csv_url="a.csv")
    work = tmp_path / "work"
    work.mkdir()
    monkeypatch.chdir(work)
    _write(work / "a.csv", "x\n")
    _write(tmp_path / "mappings" / "a.csv", "x\n")
    _write(tmp_path / "mappings" / "b.csv", "x\n")
    assert query_csv_paths(spec) == [work / "a.csv", tmp_path / "mappings" / "b.csv"]


def test_csv_paths_env_vars_and_file_urls(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    data = _write(tmp_path / "data dir.csv", "x\n")
    monkeypatch.setenv("DATA_DIR", str(tmp_path))
    spec = _spec(
        tmp_path, csv_urls=["$DATA_DIR/data dir.csv", "file://" + str(tmp_path) + "/data%20dir.csv"]
    )
    assert query_csv_paths(spec) == [data, data]


def test_remote_and_missing_csv(tmp_path: Path) -> None:
    with pytest.raises(MappingError, match=r"remote URL.*download the file first"):
        query_csv_paths(_spec(tmp_path, csv_url="https://example.com/data.csv"))
    with pytest.raises(SourceError, match=r"nope\.csv not found"):
        query_csv_paths(_spec(tmp_path, csv_url="nope.csv"))
    assert query_csv_paths(_spec(tmp_path)) == []
