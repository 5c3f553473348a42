"""Which search backend serves a database."""

from __future__ import annotations

from casegraph.search.fts5 import Fts5Index
from casegraph.search.index import SqlSearchIndex
from casegraph.search.postgres import PostgresIndex


def index_for_dialect(dialect: str) -> SqlSearchIndex:
    """FTS5 for SQLite, full-text search and pg_trgm for PostgreSQL."""
    return Fts5Index() if dialect == "sqlite" else PostgresIndex()
