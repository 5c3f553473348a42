"""Every mapping is valid followthemoney 4 and names exactly the files' columns."""

from __future__ import annotations

import logging
import re
from pathlib import Path
from typing import Any

import orjson
import pytest
from followthemoney import model
from openpyxl import load_workbook

from casegraph.demo import Manifest
from casegraph.demo.manifest import SourceEntry
from casegraph.demo.reading import load_mapping, map_source

TEMPLATE_REF = re.compile(r"{{([^}]*)}}")


def _headers(out: Path, entry: SourceEntry) -> set[str]:
    path = out / entry.path
    if entry.format == "csv":
        with path.open(encoding=entry.encoding) as fh:
            return set(fh.readline().rstrip("\r\n").split(entry.delimiter or ","))
    if entry.format == "xlsx":
        wb = load_workbook(path, read_only=True)
        sheets = [tuple(next(ws.iter_rows(values_only=True))) for ws in wb.worksheets]
        wb.close()
        assert len(set(sheets)) == 1, "all sheets share one header"
        return {str(h) for h in sheets[0]}
    keys: set[str] = set()
    for line in path.read_bytes().splitlines():
        keys.update(orjson.loads(line))
    return keys


def _referenced(query: dict[str, Any]) -> set[str]:
    refs = set(query.get("filters", {})) | set(query.get("filters_not", {}))
    for entity in query["entities"].values():
        assert "id_column" not in entity, "ids must come from keys"
        assert entity["keys"], "every entity has keys"
        refs.update(entity["keys"])
        for prop in entity.get("properties", {}).values():
            if "column" in prop:
                refs.add(prop["column"])
            refs.update(prop.get("columns", []))
            refs.update(TEMPLATE_REF.findall(prop.get("template", "")))
    return refs


def test_mappings_are_accepted_by_followthemoney(small_case: tuple[Path, Manifest]) -> None:
    out, manifest = small_case
    tabular = [e for e in manifest.sources if e.format != "ftm"]
    assert {e.dataset for e in tabular} == {
        "company_registry", "leak_people", "payments", "customs_declarations", "documents",
    }  # fmt: skip
    for entry in tabular:
        assert entry.mapping == f"mappings/{entry.dataset}.yml"
        mapping = load_mapping(out, entry)
        assert list(mapping) == [entry.dataset]
        queries = mapping[entry.dataset]["queries"]
        assert queries
        headers = _headers(out, entry)
        for query in queries:
            assert query["csv_url"] == f"../sources/{Path(entry.path).name}"
            model.make_mapping(query, key_prefix=entry.dataset, dataset=entry.dataset)
            missing = _referenced(query) - headers
            assert not missing, f"{entry.dataset}: columns not in file: {missing}"


def test_ftm_map_entities_agrees_with_reader(
    small_case: tuple[Path, Manifest], monkeypatch: pytest.MonkeyPatch
) -> None:
    """followthemoney's own CSV path gives the ids our reader-based mapping gives."""
    out, manifest = small_case
    entry = manifest.source("company_registry")
    monkeypatch.chdir(out / "mappings")  # csv_url is relative to the mapping file
    from followthemoney.namespace import Namespace

    ns = Namespace(entry.dataset)
    ftm_ids: set[str] = set()
    for query in load_mapping(out, entry)[entry.dataset]["queries"]:
        for proxy in model.map_entities(query, key_prefix=entry.dataset, dataset=entry.dataset):
            signed = ns.apply(proxy).id
            assert signed is not None
            ftm_ids.add(signed)
    ours = {p.id for p in map_source(out, entry)}
    assert ftm_ids == ours
    assert len(ours) > 1_000


def test_mapping_keeps_every_value(
    small_case: tuple[Path, Manifest], caplog: pytest.LogCaptureFixture
) -> None:
    """followthemoney discards no value as unclean (it would log a warning)."""
    out, manifest = small_case
    with caplog.at_level(logging.WARNING, logger="followthemoney"):
        for entry in manifest.sources:
            for _ in map_source(out, entry):
                pass
    assert not [r.getMessage() for r in caplog.records][:5]
