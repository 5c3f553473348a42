"""The planted ground truth matches what ingestion of the generated files yields."""

from __future__ import annotations

import csv
import itertools
import re
import statistics
from collections import defaultdict
from pathlib import Path
from typing import Any

import orjson
import pytest
from followthemoney.namespace import Namespace

from casegraph.demo import Manifest, generate
from casegraph.demo.customs import RATES_TO_EUR
from casegraph.demo.reading import map_source, read_records

CYRILLIC = re.compile(r"[\u0400-\u04FF]")
ARABIC = re.compile(r"[\u0600-\u06FF]")
OFFSHORE = {"vg", "sc", "pa", "cy", "mt", "ae"}


@pytest.fixture(scope="module")
def truth(small_case: tuple[Path, Manifest]) -> dict[str, Any]:
    out, _ = small_case
    data = orjson.loads((out / "ground_truth.json").read_bytes())
    assert isinstance(data, dict)
    return data


@pytest.fixture(scope="module")
def mapped(small_case: tuple[Path, Manifest]) -> dict[str, dict[str, str]]:
    """dataset -> entity id -> schema, as mapping the files yields."""
    out, manifest = small_case
    result: dict[str, dict[str, str]] = {}
    for entry in manifest.sources:
        ids: dict[str, str] = {}
        for proxy in map_source(out, entry):
            assert proxy.id is not None
            ids.setdefault(proxy.id, proxy.schema.name)
        result[entry.dataset] = ids
    return result


def test_same_as_members_exist_in_ftm_output(
    truth: dict[str, Any], mapped: dict[str, dict[str, str]], small_case: tuple[Path, Manifest]
) -> None:
    out, manifest = small_case
    clusters = truth["same_as"]
    assert len(clusters) > 100
    assert manifest.truth_counts["same_as"] == len(clusters)
    seen: set[tuple[str, str]] = set()
    records = {
        e.dataset: list(read_records(out / e.path, e))
        for e in manifest.sources
        if e.format != "ftm"
    }
    for cluster in clusters:
        assert len(cluster["members"]) >= 2
        assert cluster["schema"] in ("Person", "Company")
        for m in cluster["members"]:
            ds, eid = m["dataset"], m["entity_id"]
            assert eid in mapped[ds], (cluster["id"], m)
            assert (ds, eid) not in seen, "an entity belongs to one cluster only"
            seen.add((ds, eid))
            if ds == "watchlist":
                assert Namespace(ds).sign(m["source_key"]["id"]) == eid
            else:
                key = m["source_key"]
                assert key and any(key.items() <= r.items() for r in records[ds]), m


def test_same_as_spans_sources_and_scripts(
    truth: dict[str, Any], small_case: tuple[Path, Manifest]
) -> None:
    out, _ = small_case
    leak = {}
    for line in (out / "sources/leak_people.jsonl").read_bytes().splitlines():
        row = orjson.loads(line)
        leak[row["client_ref"]] = row["full_name"]
    spans = [len({m["dataset"] for m in c["members"]}) for c in truth["same_as"]]
    assert max(spans) >= 3
    scripts = set()
    for c in truth["same_as"]:
        datasets = {m["dataset"] for m in c["members"]}
        if c["schema"] != "Person" or "company_registry" not in datasets:
            continue
        for m in c["members"]:
            if m["dataset"] == "leak_people":
                name = leak[m["source_key"]["client_ref"]]
                scripts.add("cyrillic" if CYRILLIC.search(name) else
                            "arabic" if ARABIC.search(name) else "latin")  # fmt: skip
    assert scripts == {"cyrillic", "arabic", "latin"}
    registry_only = [
        c for c in truth["same_as"] if {m["dataset"] for m in c["members"]} == {"company_registry"}
    ]
    assert registry_only, "the register itself holds duplicate officer records"


def test_ownership_chains(truth: dict[str, Any], mapped: dict[str, dict[str, str]]) -> None:
    chains = truth["ownership_chains"]
    assert chains
    hidden = [c for c in chains if c["hidden"]]
    assert hidden and len(hidden) < len(chains)
    for chain in chains:
        path, links = chain["path"], chain["links"]
        assert path[0]["schema"] == "Person"
        assert all(n["schema"] == "Company" for n in path[1:])
        assert all(n["jurisdiction"] in OFFSHORE for n in path[1:-1])
        assert len(links) == len(path) - 1
        for link, (owner, asset) in zip(links, itertools.pairwise(path), strict=True):
            assert (link["owner"], link["asset"]) == (owner["ref"], asset["ref"])
            for ev in link["evidence"]:
                assert mapped[ev["dataset"]][ev["entity_id"]] == "Ownership"
        for node in path:
            for ent in node["entities"]:
                assert ent["entity_id"] in mapped[ent["dataset"]]
        assert all(link["evidence"] for link in links[1:]), "shell links are registered"
        bo_sources = {ev["dataset"] for ev in links[0]["evidence"]}
        assert ("company_registry" in bo_sources) == (not chain["hidden"])
        assert ("leak_people" in bo_sources) == bool(chain["revealed_in"])
        assert 0 < chain["effective_percentage"] <= 100
        if chain["registry_shows"] == "nominee":
            assert chain["registered_shareholder"]["evidence"]


def _customs_rows(out: Path) -> list[dict[str, str]]:
    with (out / "sources/customs_declarations.csv").open(encoding="cp1252", newline="") as fh:
        return list(csv.DictReader(fh, delimiter=";"))


def _unit_value_eur(row: dict[str, str]) -> float:
    value = float(row["declared_value"].replace(".", "").replace(",", "."))
    return value * RATES_TO_EUR[row["currency"]] / int(row["quantity"])


def test_undervalued_declarations(
    truth: dict[str, Any], mapped: dict[str, dict[str, str]], small_case: tuple[Path, Manifest]
) -> None:
    out, _ = small_case
    rows = _customs_rows(out)
    by_hs: dict[str, list[float]] = defaultdict(list)
    for row in rows:
        by_hs[row["hs_code"]].append(_unit_value_eur(row))
    median = {hs: statistics.median(values) for hs, values in by_hs.items()}
    planted = {u["declaration_id"]: u for u in truth["undervalued_declarations"]}
    assert 0 < len(planted) < 0.1 * len(rows)
    for row in rows:
        unit = _unit_value_eur(row)
        item = planted.get(row["declaration_id"])
        if item is None:
            assert unit >= 0.5 * median[row["hs_code"]], row["declaration_id"]
            continue
        assert unit < 0.35 * median[row["hs_code"]]
        assert unit == pytest.approx(item["declared_unit_value_eur"], rel=1e-3)
        assert item["typical_unit_value_eur"] > 3 * unit
        assert mapped["customs_declarations"][item["entity_id"]] == "EconomicActivity"
        assert mapped["customs_declarations"][item["importer"]["entity_id"]] == "Company"


def test_document_mentions(
    truth: dict[str, Any], mapped: dict[str, dict[str, str]], small_case: tuple[Path, Manifest]
) -> None:
    out, _ = small_case
    bodies = {}
    for line in (out / "sources/documents.jsonl").read_bytes().splitlines():
        row = orjson.loads(line)
        bodies[row["doc_id"]] = row["body_text"]
    docs = truth["document_mentions"]
    assert len(docs) == len(bodies) >= 4
    for doc in docs:
        assert mapped["documents"][doc["entity_id"]] == "PlainText"
        for mention in doc["mentions"]:
            assert mention["text"] in bodies[doc["doc_id"]]


def _all_ids(truth: dict[str, Any]) -> list[tuple[str, str]]:
    ids = [(m["dataset"], m["entity_id"]) for c in truth["same_as"] for m in c["members"]]
    for chain in truth["ownership_chains"]:
        ids += [(e["dataset"], e["entity_id"]) for n in chain["path"] for e in n["entities"]]
        ids += [(e["dataset"], e["entity_id"]) for ln in chain["links"] for e in ln["evidence"]]
    for item in truth["undervalued_declarations"]:
        ids += [("customs_declarations", item["entity_id"])]
        ids += [("customs_declarations", item[k]["entity_id"]) for k in ("importer", "exporter")]
    ids += [("documents", d["entity_id"]) for d in truth["document_mentions"]]
    return ids


@pytest.mark.parametrize(("size", "seed"), [(1_000, 1), (1_500, 2), (2_500, 3)])
def test_truth_holds_for_other_seeds(tmp_path: Path, size: int, seed: int) -> None:
    manifest = generate(tmp_path, size=size, seed=seed)
    mapped = {e.dataset: {p.id for p in map_source(tmp_path, e)} for e in manifest.sources}
    truth = orjson.loads((tmp_path / "ground_truth.json").read_bytes())
    ids = _all_ids(truth)
    assert len(ids) > size / 10
    missing = [(ds, eid) for ds, eid in ids if eid not in mapped[ds]]
    assert not missing
