"""casegraph's executor for followthemoney mapping YAML, equal to `ftm map`.

`load_mapping_file` reads the queries of a mapping file; `compile_query` validates
one with followthemoney and precomputes its plans; `CompiledQuery.map_row` turns a
`SourceRow` into statements (or a `RowError`). `entity_statements` does the same
for FtM entity JSON records; `SQLQuerySource` reads the records of `database:`
queries; `query_csv_paths` resolves the CSV files a query names.
"""

from casegraph.ingest.mapping.compiler import compile_query
from casegraph.ingest.mapping.executor import CompiledQuery
from casegraph.ingest.mapping.ftm_entities import entity_statements
from casegraph.ingest.mapping.loader import QuerySpec, load_mapping_file, query_csv_paths
from casegraph.ingest.mapping.sql_source import SQLQuerySource

__all__ = [
    "CompiledQuery",
    "QuerySpec",
    "SQLQuerySource",
    "compile_query",
    "entity_statements",
    "load_mapping_file",
    "query_csv_paths",
]
