"""Write a complete, deterministic demo investigation into a directory."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import yaml

from casegraph.demo import customs, documents, leak, payments, registry, watchlist
from casegraph.demo.chains import chain_records
from casegraph.demo.manifest import (
    GROUND_TRUTH_FILE,
    SOURCE_META,
    Format,
    Manifest,
    Marking,
    SourceEntry,
    write_manifest,
)
from casegraph.demo.truth import Truth
from casegraph.demo.world import Plan, build_world

Progress = Callable[[str, int], None]

#: dataset -> (file, format, mapping dict or None), in ingestion order
_SOURCES: tuple[tuple[str, str, Format, dict[str, Any] | None], ...] = (
    (registry.DATASET, registry.FILE, "csv", registry.MAPPING),
    (watchlist.DATASET, watchlist.FILE, "ftm", None),
    (leak.DATASET, leak.FILE, "jsonl", leak.MAPPING),
    (payments.DATASET, payments.FILE, "xlsx", payments.MAPPING),
    (customs.DATASET, customs.FILE, "csv", customs.MAPPING),
    (documents.DATASET, documents.FILE, "jsonl", documents.MAPPING),
)


def _quiet(stage: str, count: int) -> None:
    """Default progress callback: report nothing."""


def write_mapping(path: Path, mapping: dict[str, Any]) -> None:
    text = yaml.safe_dump(mapping, sort_keys=False, allow_unicode=True, width=100)
    path.write_text(text, encoding="utf-8")


def generate(
    out_dir: Path,
    *,
    size: int = 50_000,
    seed: int = 7,
    progress: Progress | None = None,
) -> Manifest:
    """Generate sources, mappings, ground truth and manifest into `out_dir`.

    `size` is the approximate number of distinct FtM entities ingesting all sources
    yields. The same `size` and `seed` always produce byte-identical files.
    """
    report = progress or _quiet
    plan = Plan.for_size(size)
    sources_dir, mappings_dir = out_dir / "sources", out_dir / "mappings"
    sources_dir.mkdir(parents=True, exist_ok=True)
    mappings_dir.mkdir(parents=True, exist_ok=True)

    world = build_world(plan, seed)
    report("world", len(world.persons) + len(world.companies))
    truth = Truth()

    def stage(name: str) -> Callable[[int], None]:
        return lambda n: report(name, n)

    rows: dict[str, int] = {}
    sheets: dict[str, int] = {}
    rows["company_registry"] = registry.RegistryWriter(world, truth, seed).write(
        sources_dir / registry.FILE, stage("company_registry")
    )
    report("company_registry", rows["company_registry"])
    leak_writer = leak.LeakWriter(world, truth, seed)
    rows["leak_people"] = leak_writer.write(sources_dir / leak.FILE, stage("leak_people"))
    report("leak_people", rows["leak_people"])
    rows["watchlist"] = watchlist.WatchlistWriter(
        world, truth, seed, leak_writer.extra_clients
    ).write(sources_dir / watchlist.FILE, stage("watchlist"))
    report("watchlist", rows["watchlist"])
    sheets = payments.PaymentsWriter(world, truth, seed).write(
        sources_dir / payments.FILE, stage("payments")
    )
    rows["payments"] = sum(sheets.values())
    report("payments", rows["payments"])
    rows["customs_declarations"] = customs.CustomsWriter(world, truth, seed).write(
        sources_dir / customs.FILE, stage("customs_declarations")
    )
    report("customs_declarations", rows["customs_declarations"])
    rows["documents"] = documents.DocumentsWriter(world, truth, seed).write(
        sources_dir / documents.FILE, stage("documents")
    )

    entries: list[SourceEntry] = []
    for dataset, file, fmt, mapping in _SOURCES:
        mapping_path = None
        if mapping is not None:
            mapping_path = f"mappings/{dataset}.yml"
            write_mapping(out_dir / mapping_path, mapping)
        meta = SOURCE_META[dataset]
        is_customs = dataset == customs.DATASET
        entries.append(
            SourceEntry(
                dataset=dataset,
                path=f"sources/{file}",
                mapping=mapping_path,
                format=fmt,
                title=meta["title"],
                publisher=meta["publisher"],
                licence=meta["licence"],
                marking=_marking(meta["marking"]),
                legal_basis=meta["legal_basis"],
                retention=meta["retention"],
                owner=meta["owner"],
                rows=rows[dataset],
                encoding=customs.ENCODING if is_customs else "utf-8",
                delimiter=(customs.DELIMITER if is_customs else ",") if fmt == "csv" else None,
                sheets=sheets if dataset == payments.DATASET else {},
            )
        )
    counts = truth.write(out_dir / GROUND_TRUTH_FILE, chain_records(world, truth))
    report("ground_truth", sum(counts.values()))
    manifest = Manifest(size=size, seed=seed, sources=tuple(entries), truth_counts=counts)
    write_manifest(out_dir, manifest)
    return manifest


def _marking(value: str) -> Marking:
    if value == "PUBLIC":
        return "PUBLIC"
    if value == "INTERNAL":
        return "INTERNAL"
    if value == "RESTRICTED":
        return "RESTRICTED"
    raise ValueError(value)
