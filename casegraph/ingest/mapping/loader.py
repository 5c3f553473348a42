"""Read followthemoney mapping YAML files into one `QuerySpec` per query.

The files are the ones `ftm map` reads, unchanged. Accepted top-level shapes:

* `{dataset_name: {queries: [...]}}` or `{dataset_name: {query: {...}}}` — the
  `ftm map` form; several datasets may share a file;
* `{queries: [...]}` or `{query: {...}}` — the same without the dataset name;
* `{entities: {...}, ...}` — one bare query.

`include:` keys are resolved relative to the including file, as `ftm` does.
Queries are numbered from 1 in file order, across all datasets of the file.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlparse

import yaml

from casegraph.errors import MappingError, SourceError

_QUERY_KEYS = ("queries", "query")


@dataclass(frozen=True, slots=True)
class QuerySpec:
    """One query of a mapping file, as written, with where it came from."""

    query: dict[str, Any] = field(hash=False, compare=False)
    #: 1-based position of the query in its file.
    index: int
    path: Path
    #: The dataset key the query was listed under, if the file names one.
    dataset_name: str | None = None

    def where(self, entity: str | None = None) -> str:
        """The prefix of error messages: `mapping a.yml, query 1, entity "x"`."""
        text = f"mapping {self.path}, query {self.index}"
        if entity is not None:
            text += f', entity "{entity}"'
        return text


def _read_yaml(path: Path) -> Any:
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError as exc:
        raise MappingError(f"mapping file {path} does not exist") from exc
    except (OSError, UnicodeDecodeError) as exc:
        raise MappingError(f"mapping file {path} cannot be read: {exc}") from exc
    try:
        return yaml.safe_load(text)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = f", line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        problem = exc.problem or exc.context or "invalid YAML"
        if exc.context and exc.problem and exc.context_mark is not None:
            problem += f" ({exc.context}, started at line {exc.context_mark.line + 1})"
        raise MappingError(f"mapping {path}{line}: YAML syntax error: {problem}") from exc
    except yaml.YAMLError as exc:
        raise MappingError(f"mapping {path}: YAML syntax error: {exc}") from exc


def _resolve_includes(path: Path, data: Any, seen: tuple[Path, ...]) -> Any:
    """Merge `include:` files into the dict that names them, at any depth (like `ftm`)."""
    if isinstance(data, list):
        return [_resolve_includes(path, item, seen) for item in data]
    if not isinstance(data, dict):
        return data
    includes = data.pop("include", None)
    for include in includes if isinstance(includes, list) else [includes]:
        if include is None:
            continue
        target = (path.parent / str(include)).resolve()
        if target in seen:
            raise MappingError(f"mapping {path}: include of {include} is circular")
        included = _resolve_includes(target, _read_yaml(target), (*seen, target))
        if isinstance(included, dict):
            data.update(included)
    for key, value in data.items():
        data[key] = _resolve_includes(path, value, seen)
    return data


def _as_queries(path: Path, value: Any, label: str) -> list[dict[str, Any]]:
    items = value if isinstance(value, list) else [value]
    for item in items:
        if not isinstance(item, dict):
            raise MappingError(f"mapping {path}: {label} must be a mapping with `entities:`")
    return items


def load_mapping_file(path: Path) -> list[QuerySpec]:
    """Read a mapping file into its queries, in file order.

    Raises `MappingError` naming the file (and line, for YAML syntax errors) when the
    file cannot be read or has none of the accepted shapes.
    """
    path = Path(path)
    data = _resolve_includes(path.resolve(), _read_yaml(path), (path.resolve(),))
    if not isinstance(data, dict) or not data:
        raise MappingError(f"mapping {path}: expected `dataset: {{queries: [...]}}`, found none")
    groups: list[tuple[str | None, list[dict[str, Any]]]] = []
    if any(key in data for key in _QUERY_KEYS):
        groups.append((None, _queries_in(path, data)))
    elif "entities" in data:
        groups.append((None, [data]))
    else:
        for name, meta in data.items():
            if not isinstance(meta, dict) or not any(key in meta for key in _QUERY_KEYS):
                raise MappingError(
                    f"mapping {path}: dataset {name!r} has no `queries:` or `query:` list"
                )
            groups.append((str(name), _queries_in(path, meta)))
    specs: list[QuerySpec] = []
    for name, queries in groups:
        for query in queries:
            specs.append(QuerySpec(query, len(specs) + 1, path, name))
    if not specs:
        raise MappingError(f"mapping {path}: no queries are defined")
    return specs


def _queries_in(path: Path, meta: dict[str, Any]) -> list[dict[str, Any]]:
    """The queries under `queries:` then `query:`, like `keys_values` in `ftm map`."""
    queries: list[dict[str, Any]] = []
    for key in _QUERY_KEYS:
        value = meta.get(key)
        if value is not None:
            queries.extend(_as_queries(path, value, f"`{key}:`"))
    return queries


def query_csv_paths(spec: QuerySpec) -> list[Path]:
    """The local files named by a query's `csv_url` / `csv_urls`, in order.

    Environment variables are expanded; `file://` URLs are accepted; a relative path
    is looked up in the current directory first, then next to the mapping file.
    Remote URLs are refused: casegraph does not fetch data, download the file first.
    """
    urls: list[str] = []
    for key in ("csv_url", "csv_urls"):
        value = spec.query.get(key)
        for url in value if isinstance(value, list) else [value]:
            if url is not None and str(url) not in urls:
                urls.append(str(url))
    paths: list[Path] = []
    for url in urls:
        paths.append(_resolve_csv_url(spec, os.path.expandvars(url)))
    return paths


def _resolve_csv_url(spec: QuerySpec, url: str) -> Path:
    parsed = urlparse(url)
    scheme = parsed.scheme.lower()
    if scheme in ("http", "https", "ftp", "s3", "gs"):
        raise MappingError(
            f"{spec.where()}: csv_url {url} is a remote URL, which casegraph does not "
            "fetch; download the file first and name the local path"
        )
    if scheme == "file":
        candidate = Path(unquote(parsed.path))
    elif scheme and len(scheme) > 1:
        raise MappingError(f"{spec.where()}: csv_url {url} has an unsupported scheme")
    else:
        candidate = Path(url)  # a plain path (a one-letter scheme is a drive letter)
    if candidate.is_absolute():
        tried = [candidate]
    else:
        tried = [Path.cwd() / candidate, spec.path.resolve().parent / candidate]
    for option in tried:
        if option.is_file():
            return option
    names = " or ".join(str(option) for option in tried)
    raise SourceError(f"{spec.where()}: csv_url {url} not found (looked for {names})")
