"""What one ingest command reads: its parts (source + mapper) and its fingerprint.

Three shapes of input:
- a data file with `--mapping`: every query of the mapping runs on every record;
- a mapping YAML as the path: each query reads its own `csv_url` or `database`;
- FtM entity JSON: entities are taken as they are, cleaned and namespaced.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from casegraph.errors import MappingError, SourceError
from casegraph.ingest.fingerprint import FileDigest, combine, digest_file
from casegraph.ingest.mapping.compiler import compile_query
from casegraph.ingest.mapping.executor import CompiledQuery
from casegraph.ingest.mapping.ftm_entities import entity_statements
from casegraph.ingest.mapping.loader import QuerySpec, load_mapping_file, query_csv_paths
from casegraph.ingest.mapping.sql_source import SQLQuerySource
from casegraph.ingest.records import DroppedValue, InvalidValues, RowError, SourceItem, SourceRow
from casegraph.ingest.sources import open_source
from casegraph.model.statement import StatementRow

MapResult = list[StatementRow] | RowError
#: Maps one record; given a list, it drops values that do not clean and lists them
#: there instead of rejecting the record (and lists nothing for a rejected record).
Mapper = Callable[[SourceRow, list[DroppedValue] | None], MapResult]
MAPPING_SUFFIXES = {".yml", ".yaml"}


@dataclass(frozen=True, slots=True)
class ReadOptions:
    format: str | None = None
    sheet: str | None = None
    encoding: str | None = None
    delimiter: str | None = None

    def key(self) -> str:
        return f"{self.format}|{self.sheet}|{self.encoding}|{self.delimiter}"


@dataclass(slots=True)
class Part:
    """One source read in order, and the function that turns its records into statements."""

    label: str
    rows: Callable[[], Iterator[SourceItem]]
    mapper: Mapper
    digest: FileDigest | None
    format: str


@dataclass(slots=True)
class Plan:
    parts: list[Part]
    fingerprint: str
    source_label: str
    source_sha256: str
    source_bytes: int
    mapping_label: str | None
    format: str
    invalid_values: InvalidValues = InvalidValues.REJECT_ROW

    @property
    def estimate(self) -> int | None:
        """An upper bound on the records, for progress and time left."""
        if any(p.digest is None for p in self.parts):
            return None
        return sum(max(p.digest.lines - 1, 0) for p in self.parts if p.digest is not None)


def _all_queries(queries: Sequence[CompiledQuery]) -> Mapper:
    if len(queries) == 1:
        return queries[0].map_row

    def run(row: SourceRow, dropped: list[DroppedValue] | None) -> MapResult:
        out: list[StatementRow] = []
        listed = 0 if dropped is None else len(dropped)
        for query in queries:
            result = query.map_row(row, dropped)
            if isinstance(result, RowError):
                if dropped is not None:
                    del dropped[listed:]  # an earlier query's drops: the record is rejected
                return result
            out.extend(result)
        return out

    return run


def _ftm_mapper(dataset: str) -> Mapper:
    def run(row: SourceRow, dropped: list[DroppedValue] | None) -> MapResult:
        return entity_statements(row, dataset=dataset, dropped=dropped)

    return run


def _mode_key(invalid_values: InvalidValues) -> tuple[str, ...]:
    """The mode's part of a fingerprint; none for the default, so runs fingerprinted
    before the option existed still resume."""
    if invalid_values is InvalidValues.REJECT_ROW:
        return ()
    return (f"invalid-values={invalid_values.value}",)


def _compile_all(
    specs: Sequence[QuerySpec], *, dataset: str, columns: Sequence[str] | None
) -> list[CompiledQuery]:
    return [compile_query(spec, dataset=dataset, columns=columns) for spec in specs]


def _data_file_plan(
    path: Path,
    *,
    dataset: str,
    mapping: Path | None,
    options: ReadOptions,
    invalid_values: InvalidValues,
) -> Plan:
    source = open_source(
        path,
        format=options.format,
        sheet=options.sheet,
        encoding=options.encoding,
        delimiter=options.delimiter,
    )
    digest = digest_file(path)
    mapping_digest: str = ""
    if source.format == "ftm":
        if mapping is not None:
            raise MappingError(
                f"{path.name} holds FtM entities, which need no mapping: drop --mapping"
            )
        mapper = _ftm_mapper(dataset)
    else:
        if mapping is None:
            raise MappingError(
                f"{path.name} is a {source.format.upper()} file: give a mapping with "
                "--mapping MAPPING.yml to say which entities its columns describe "
                "(see docs/mappings.md)"
            )
        specs = load_mapping_file(mapping)
        mapper = _all_queries(_compile_all(specs, dataset=dataset, columns=source.columns()))
        mapping_digest = digest_file(mapping).sha256
    part = Part(
        label=path.name, rows=source.rows, mapper=mapper, digest=digest, format=source.format
    )
    return Plan(
        parts=[part],
        fingerprint=combine(
            dataset, digest.sha256, mapping_digest, options.key(), *_mode_key(invalid_values)
        ),
        source_label=str(path),
        source_sha256=digest.sha256,
        source_bytes=digest.size,
        mapping_label=str(mapping) if mapping else None,
        format=source.format,
        invalid_values=invalid_values,
    )


def _mapping_file_plan(
    path: Path, *, dataset: str, options: ReadOptions, invalid_values: InvalidValues
) -> Plan:
    specs = load_mapping_file(path)
    parts: list[Part] = []
    digests: list[str] = [digest_file(path).sha256]
    total_bytes = 0
    for spec in specs:
        if "database" in spec.query:
            sql = SQLQuerySource(spec, dataset=dataset)
            query = compile_query(spec, dataset=dataset, columns=sql.columns())
            digests.append(combine(sql.url, str(spec.index)))
            parts.append(
                Part(
                    label=f"{path.name} query {spec.index}",
                    rows=sql.rows,
                    mapper=query.map_row,
                    digest=None,
                    format="sql",
                )
            )
            continue
        for csv_path in query_csv_paths(spec):
            source = open_source(csv_path, encoding=options.encoding, delimiter=options.delimiter)
            query = compile_query(spec, dataset=dataset, columns=source.columns())
            digest = digest_file(csv_path)
            digests.append(digest.sha256)
            total_bytes += digest.size
            parts.append(
                Part(
                    label=csv_path.name,
                    rows=source.rows,
                    mapper=query.map_row,
                    digest=digest,
                    format=source.format,
                )
            )
    if not parts:
        raise MappingError(f"mapping {path} has no query with a csv_url or database source")
    return Plan(
        parts=parts,
        fingerprint=combine(dataset, *digests, options.key(), *_mode_key(invalid_values)),
        source_label=str(path),
        source_sha256=combine(*digests),
        source_bytes=total_bytes,
        mapping_label=str(path),
        format="mapping",
        invalid_values=invalid_values,
    )


def make_plan(
    path: Path,
    *,
    dataset: str,
    mapping: Path | None = None,
    options: ReadOptions | None = None,
    invalid_values: InvalidValues = InvalidValues.REJECT_ROW,
) -> Plan:
    """Work out what to read; fails early, before anything is written, on bad input.

    `invalid_values` is part of the fingerprint, so a resumed run never mixes modes.
    """
    opts = options or ReadOptions()
    if not path.exists():
        raise SourceError(f"no such file: {path}")
    if path.is_dir():
        raise SourceError(f"{path} is a directory: give one file to ingest")
    if path.suffix.lower() in MAPPING_SUFFIXES and opts.format is None:
        if mapping is not None:
            raise MappingError(
                f"{path.name} is itself a mapping: run it alone, or give a data file with --mapping"
            )
        return _mapping_file_plan(
            path, dataset=dataset, options=opts, invalid_values=invalid_values
        )
    return _data_file_plan(
        path, dataset=dataset, mapping=mapping, options=opts, invalid_values=invalid_values
    )
