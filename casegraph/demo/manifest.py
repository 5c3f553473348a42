"""`manifest.json`: the generated sources, in ingestion order, with their governance."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Literal, cast

import orjson

Marking = Literal["PUBLIC", "INTERNAL", "RESTRICTED"]
Format = Literal["csv", "xlsx", "jsonl", "ftm"]
MANIFEST_FILE = "manifest.json"
GROUND_TRUTH_FILE = "ground_truth.json"


@dataclass(frozen=True, slots=True)
class SourceEntry:
    """One source file: where it is, how to map it, and how it may be used."""

    dataset: str
    path: str  # relative to the output directory
    mapping: str | None  # relative path of the FtM mapping YAML; None for FtM JSON
    format: Format
    title: str
    publisher: str
    licence: str
    marking: Marking
    legal_basis: str
    retention: str  # ISO 8601 duration ("P5Y") or "indefinite"
    owner: str
    rows: int  # data rows (FtM JSON: entities) the file holds
    encoding: str = "utf-8"
    delimiter: str | None = None  # CSV only
    sheets: dict[str, int] = field(default_factory=dict)  # XLSX only: rows per sheet


@dataclass(frozen=True, slots=True)
class Manifest:
    size: int
    seed: int
    sources: tuple[SourceEntry, ...]
    ground_truth: str = GROUND_TRUTH_FILE
    truth_counts: dict[str, int] = field(default_factory=dict)
    generator: str = "casegraph.demo"
    version: int = 1

    def source(self, dataset: str) -> SourceEntry:
        for entry in self.sources:
            if entry.dataset == dataset:
                return entry
        raise KeyError(dataset)

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["sources"] = [
            {k: v for k, v in asdict(s).items() if v not in (None, {}) or k == "mapping"}
            for s in self.sources
        ]
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Manifest:
        sources = tuple(SourceEntry(**cast(dict[str, Any], s)) for s in data["sources"])
        return cls(
            size=int(data["size"]),
            seed=int(data["seed"]),
            sources=sources,
            ground_truth=str(data.get("ground_truth", GROUND_TRUTH_FILE)),
            truth_counts=dict(data.get("truth_counts", {})),
            generator=str(data.get("generator", "casegraph.demo")),
            version=int(data.get("version", 1)),
        )


def write_manifest(out_dir: Path, manifest: Manifest) -> Path:
    path = out_dir / MANIFEST_FILE
    path.write_bytes(orjson.dumps(manifest.to_dict(), option=orjson.OPT_INDENT_2) + b"\n")
    return path


def load_manifest(path: Path) -> Manifest:
    """Read a manifest from its file or from the directory that holds it."""
    if path.is_dir():
        path = path / MANIFEST_FILE
    data = orjson.loads(path.read_bytes())
    if not isinstance(data, dict):
        raise ValueError(f"{path}: not a manifest")
    return Manifest.from_dict(data)


# Governance metadata per dataset, in ingestion order.
SOURCE_META: dict[str, dict[str, str]] = {
    "company_registry": {
        "title": "Aggregated company register extract (officers and shareholders)",
        "publisher": "Demo Registry Aggregator (fictional)",
        "licence": "CC-BY-4.0",
        "marking": "PUBLIC",
        "legal_basis": "Public register data; legitimate interest (GDPR Art. 6(1)(f))",
        "retention": "P5Y",
        "owner": "research-desk",
    },
    "watchlist": {
        "title": "Demonstration sanctions list",
        "publisher": "Office of Demonstration Sanctions (fictional)",
        "licence": "CC-BY-NC-4.0",
        "marking": "PUBLIC",
        "legal_basis": "Published sanctions list; legal obligation (GDPR Art. 6(1)(c))",
        "retention": "indefinite",
        "owner": "compliance",
    },
    "leak_people": {
        "title": "Client list of an offshore corporate-services provider (leaked)",
        "publisher": "Confidential source",
        "licence": "none (source protection)",
        "marking": "RESTRICTED",
        "legal_basis": "Journalistic exemption (GDPR Art. 85)",
        "retention": "P2Y",
        "owner": "investigations-editor",
    },
    "payments": {
        "title": "Bank statement exports (Meridian Bank Cyprus, Baltic Commerce Bank)",
        "publisher": "Meridian Bank (Cyprus) Ltd; Baltic Commerce Bank AS (fictional)",
        "licence": "none (produced under order)",
        "marking": "RESTRICTED",
        "legal_basis": "Court production order (demo)",
        "retention": "P5Y",
        "owner": "financial-investigations",
    },
    "customs_declarations": {
        "title": "Import declarations extract",
        "publisher": "Demo customs administration (fictional)",
        "licence": "official use only",
        "marking": "INTERNAL",
        "legal_basis": "Administrative assistance request (demo)",
        "retention": "P10Y",
        "owner": "trade-analysis",
    },
    "documents": {
        "title": "Memos and news snippets",
        "publisher": "Various (fictional)",
        "licence": "mixed; quotation only",
        "marking": "INTERNAL",
        "legal_basis": "Legitimate interest (GDPR Art. 6(1)(f))",
        "retention": "P3Y",
        "owner": "research-desk",
    },
}
