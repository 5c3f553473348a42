"""Determinism, scaling, manifest and files of the demo generator."""

from __future__ import annotations

import csv
import re
from pathlib import Path

import orjson
import pytest
from openpyxl import load_workbook

from casegraph.demo import Manifest, generate, load_manifest
from casegraph.demo.reading import entity_counts, read_records
from casegraph.demo.world import Plan

CYRILLIC = re.compile(r"[\u0400-\u04FF]")
ARABIC = re.compile(r"[\u0600-\u06FF]")
GREEK = re.compile(r"[\u0370-\u03FF]")


def _files(root: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()
    }


def test_same_seed_same_bytes(tmp_path: Path) -> None:
    one = tmp_path / "one"
    two = tmp_path / "two"
    other = tmp_path / "other"
    generate(one, size=3_000, seed=11)
    generate(two, size=3_000, seed=11)
    generate(other, size=3_000, seed=12)
    a, b, c = _files(one), _files(two), _files(other)
    assert sorted(a) == sorted(b)
    assert len(a) == 13  # 6 sources, 5 mappings, manifest, ground truth
    for name in a:
        assert a[name] == b[name], f"{name} differs between runs"
    assert a["sources/company_registry.csv"] != c["sources/company_registry.csv"]


def test_size_scales_linearly(tmp_path: Path) -> None:
    counts = {}
    for size in (5_000, 20_000):
        out = tmp_path / str(size)
        manifest = generate(out, size=size, seed=3)
        per_dataset = entity_counts(out, manifest)
        counts[size] = sum(sum(c.values()) for c in per_dataset.values())
        assert abs(counts[size] - size) / size < 0.15, (size, counts[size])
    ratio = counts[20_000] / counts[5_000]
    assert 3.5 < ratio < 4.5, ratio


def test_plan_is_linear_and_rejects_tiny_sizes() -> None:
    small, big = Plan.for_size(100_000), Plan.for_size(1_000_000)
    assert big.payments == 10 * small.payments
    assert big.operating == 10 * small.operating
    assert big.documents < 10 * small.documents  # documents scale mildly
    with pytest.raises(ValueError):
        Plan.for_size(10)


def test_manifest(small_case: tuple[Path, Manifest]) -> None:
    out, manifest = small_case
    assert load_manifest(out) == manifest
    assert load_manifest(out / "manifest.json") == manifest
    data = orjson.loads((out / "manifest.json").read_bytes())
    assert data["size"] == 5_000 and data["seed"] == 7
    assert [s["dataset"] for s in data["sources"]] == [
        "company_registry", "watchlist", "leak_people", "payments", "customs_declarations",
        "documents",
    ]  # fmt: skip
    markings = {s.dataset: s.marking for s in manifest.sources}
    assert markings["company_registry"] == "PUBLIC"
    assert markings["watchlist"] == "PUBLIC"
    assert markings["leak_people"] == "RESTRICTED"
    assert markings["customs_declarations"] == "INTERNAL"
    for entry in manifest.sources:
        assert (out / entry.path).is_file()
        assert re.fullmatch(r"P\d+[YMD]|indefinite", entry.retention)
        assert entry.title and entry.publisher and entry.licence and entry.owner
        assert entry.legal_basis
        assert (entry.mapping is None) == (entry.format == "ftm")
        if entry.mapping:
            assert (out / entry.mapping).is_file()


def test_row_counts_match_files(small_case: tuple[Path, Manifest]) -> None:
    out, manifest = small_case
    for entry in manifest.sources:
        if entry.format == "ftm":
            n = sum(1 for line in (out / entry.path).read_bytes().splitlines() if line)
        else:
            n = sum(1 for _ in read_records(out / entry.path, entry))
        assert n == entry.rows, entry.dataset
    payments = manifest.source("payments")
    wb = load_workbook(out / payments.path, read_only=True)
    assert wb.sheetnames == list(payments.sheets)
    per_sheet = [sum(1 for _ in ws.iter_rows()) - 1 for ws in wb.worksheets]
    assert per_sheet == list(payments.sheets.values())
    wb.close()


def test_customs_file_is_cp1252_with_semicolons(small_case: tuple[Path, Manifest]) -> None:
    out, manifest = small_case
    entry = manifest.source("customs_declarations")
    assert (entry.encoding, entry.delimiter) == ("cp1252", ";")
    raw = (out / entry.path).read_bytes()
    text = raw.decode("cp1252")  # strict: every byte is cp1252
    with pytest.raises(UnicodeDecodeError):
        raw.decode("utf-8")
    assert any(ord(ch) > 127 for ch in text)
    for word in ("Zollamt München-Flughafen", "Stück", "Möbel aus Holz"):
        assert word in text
    header = text.split("\r\n", 1)[0].split(";")
    assert header[0] == "declaration_id" and "declared_value" in header
    rows = list(csv.reader(text.splitlines()[1:], delimiter=";"))
    assert all(len(r) == len(header) for r in rows)
    assert all(re.fullmatch(r"\d{2}\.\d{2}\.\d{4}", r[1]) for r in rows)


def test_names_in_several_scripts(small_case: tuple[Path, Manifest]) -> None:
    out, _ = small_case
    leak_names = [
        orjson.loads(line)["full_name"]
        for line in (out / "sources/leak_people.jsonl").read_bytes().splitlines()
    ]
    assert any(CYRILLIC.search(n) for n in leak_names)
    assert any(ARABIC.search(n) for n in leak_names)
    assert any(re.fullmatch(r"[A-Z' -]+", n) for n in leak_names)  # passport-style
    registry = (out / "sources/company_registry.csv").read_text(encoding="utf-8")
    assert CYRILLIC.search(registry)
    assert "ООО «" in registry or "АО «" in registry
    watchlist = (out / "sources/watchlist.ftm.jsonl").read_text(encoding="utf-8")
    assert CYRILLIC.search(watchlist) and ARABIC.search(watchlist)


def test_no_protected_attributes(small_case: tuple[Path, Manifest]) -> None:
    out, manifest = small_case
    for entry in manifest.sources:
        if entry.format == "ftm":
            continue
        columns = next(iter(read_records(out / entry.path, entry))).keys()
        for col in columns:
            assert not re.search(r"religio|ethnic|race|gender|sex", col), col


def test_jsonl_fields(small_case: tuple[Path, Manifest]) -> None:
    from casegraph.demo import documents, leak

    out, _ = small_case
    leak_keys: set[str] = set()
    for line in (out / "sources/leak_people.jsonl").read_bytes().splitlines():
        row = orjson.loads(line)
        assert list(row)[:2] == ["client_ref", "full_name"]
        leak_keys.update(row)
    assert leak_keys == set(leak.FIELDS)
    for line in (out / "sources/documents.jsonl").read_bytes().splitlines():
        assert tuple(orjson.loads(line)) == documents.FIELDS
