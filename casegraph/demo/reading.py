"""Read generated sources the way followthemoney's readers do, and map them.

Used by tests and by `entity_counts` to measure what ingesting a generated case
yields; values are passed through `sanitize_text` and empty values are dropped,
exactly like `ftm map`'s CSV reader.
"""

from __future__ import annotations

import csv
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import orjson
import yaml
from followthemoney import model
from followthemoney.mapping.csv import CSVSource
from followthemoney.namespace import Namespace
from followthemoney.proxy import EntityProxy
from openpyxl import load_workbook

from casegraph.demo.manifest import Manifest, SourceEntry
from casegraph.demo.truth import ftm_record


def read_records(path: Path, entry: SourceEntry) -> Iterator[dict[str, str]]:
    """Rows of a tabular source as mapper records."""
    if entry.format == "csv":
        with path.open(encoding=entry.encoding, newline="") as fh:
            reader = csv.DictReader(fh, delimiter=entry.delimiter or ",", skipinitialspace=True)
            for row in reader:
                yield ftm_record(row)
    elif entry.format == "xlsx":
        wb = load_workbook(path, read_only=True)
        try:
            for ws in wb.worksheets:
                rows = ws.iter_rows(values_only=True)
                header = [str(h) for h in next(rows)]
                for values in rows:
                    yield ftm_record(dict(zip(header, values, strict=False)))
        finally:
            wb.close()
    elif entry.format == "jsonl":
        with path.open("rb") as fh:
            for line in fh:
                if line.strip():
                    yield ftm_record(orjson.loads(line))
    else:
        raise ValueError(f"{entry.dataset}: {entry.format} is not tabular")


def load_mapping(out_dir: Path, entry: SourceEntry) -> dict[str, Any]:
    if entry.mapping is None:
        raise ValueError(f"{entry.dataset} has no mapping")
    data = yaml.safe_load((out_dir / entry.mapping).read_text(encoding="utf-8"))
    if not isinstance(data, dict):
        raise ValueError(f"{entry.mapping}: not a mapping")
    return data


def map_source(out_dir: Path, entry: SourceEntry) -> Iterator[EntityProxy]:
    """Every entity ingestion of `entry` yields (ids signed with the dataset namespace)."""
    ns = Namespace(entry.dataset)
    path = out_dir / entry.path
    if entry.format == "ftm":
        with path.open("rb") as fh:
            for line in fh:
                yield ns.apply(model.get_proxy(orjson.loads(line)))
        return
    mapping = load_mapping(out_dir, entry)
    queries = [
        model.make_mapping(q, key_prefix=entry.dataset, dataset=entry.dataset)
        for q in mapping[entry.dataset]["queries"]
    ]
    for record in read_records(path, entry):
        for query in queries:
            source = query.source
            if isinstance(source, CSVSource) and not source.check_filters(record):
                continue
            for entity in query.map(record).values():
                yield ns.apply(entity)


def entity_counts(out_dir: Path, manifest: Manifest) -> dict[str, Counter[str]]:
    """Distinct entity ids per dataset and schema (entities merge on id)."""
    out: dict[str, Counter[str]] = {}
    for entry in manifest.sources:
        schemas: dict[str, str] = {}
        for proxy in map_source(out_dir, entry):
            if proxy.id is not None:
                schemas.setdefault(proxy.id, proxy.schema.name)
        out[entry.dataset] = Counter(schemas.values())
    return out
