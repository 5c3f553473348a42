"""Records of mapping queries that read an SQL database (`database:`).

followthemoney's own `SQLSource` composes the query (`tables`, aliases, `joins`,
`filters`, `filters_not`) and cleans each value with `sanitize_text`; this wraps
it as a casegraph `Source`. Origins are the database URL without its password,
plus the tables and the row number: `sqlite:///x.db#table=people&row=3`.
"""

from __future__ import annotations

import os
import warnings
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlencode

import orjson
from followthemoney import model
from followthemoney.exc import InvalidMapping
from followthemoney.mapping.sql import SQLSource
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError, NoSuchTableError, SQLAlchemyError

from casegraph.errors import MappingError, SourceError
from casegraph.ingest.mapping.diagnose import explain
from casegraph.ingest.mapping.loader import QuerySpec
from casegraph.ingest.records import SourceItem, SourceRow
from casegraph.model.origin import Origin


def safe_database_url(database: str) -> str:
    """The database URL with environment variables expanded and no password."""
    try:
        url = make_url(os.path.expandvars(database))
    except ArgumentError as exc:
        raise SourceError(f"{database!r} is not a database URL: {exc}") from exc
    safe = URL.create(url.drivername, url.username, None, url.host, url.port, url.database)
    return safe.update_query_dict(dict(url.query)).render_as_string(hide_password=False)


class SQLQuerySource:
    """The records one SQL mapping query selects, in database order."""

    format = "sql"

    def __init__(self, spec: QuerySpec, *, dataset: str) -> None:
        database = spec.query.get("database")
        if not isinstance(database, str):
            raise MappingError(f"{spec.where()}: `database:` must be a database URL")
        self.spec = spec
        self.path: Path = spec.path
        self.url = safe_database_url(database)
        _check_sqlite_file(spec, database)
        try:
            with warnings.catch_warnings():  # deprecations: `compile_query` reports them
                warnings.simplefilter("ignore", DeprecationWarning)
                mapping = model.make_mapping(spec.query, key_prefix=dataset, dataset=dataset)
        except NoSuchTableError as exc:
            raise SourceError(
                f"{spec.where()}: table {exc} does not exist in database {self.url}"
            ) from exc
        except SQLAlchemyError as exc:
            raise SourceError(f"{spec.where()}: cannot read database {self.url}: {exc}") from exc
        except (InvalidMapping, AttributeError, TypeError, ValueError, KeyError) as exc:
            raise MappingError(explain(spec, str(exc))) from exc
        source = mapping.source
        if not isinstance(source, SQLSource):  # pragma: no cover - "database" decides it
            raise MappingError(f"{spec.where()}: not an SQL query")
        self._source = source
        self._tables = ",".join(str(table.alias.name) for table in source.tables)

    def columns(self) -> list[str]:
        """Every name a query may use: `column` and `alias.column` of each table."""
        names: list[str] = []
        for table in self._source.tables:
            names.extend(name for name in table.refs if name not in names)
        return names

    def rows(self) -> Iterator[SourceItem]:
        number = 0
        try:
            for record in self._source.records:
                number += 1
                fragment = urlencode([("table", self._tables), ("row", str(number))])
                yield SourceRow(
                    origin=Origin(url=f"{self.url}#{fragment}"),
                    values=record,
                    raw=orjson.dumps(record).decode("utf-8"),
                )
        except InvalidMapping as exc:
            raise MappingError(explain(self.spec, str(exc))) from exc
        except SQLAlchemyError as exc:
            raise SourceError(
                f"{self.spec.where()}: reading database {self.url} failed after "
                f"{number} rows: {exc}"
            ) from exc


def _check_sqlite_file(spec: QuerySpec, database: str) -> None:
    """SQLite would create a missing database file; refuse instead."""
    url = make_url(os.path.expandvars(database))
    if url.get_backend_name() != "sqlite" or not url.database:
        return
    if url.database == ":memory:" or url.database.startswith("file:"):
        return
    if not Path(url.database).is_file():
        raise SourceError(f"{spec.where()}: SQLite database {url.database} does not exist")
