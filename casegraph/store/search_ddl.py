"""The backend-specific full-text structures over `search_doc`.

SQLite: an FTS5 table with `search_doc` as its external content, kept in step by
triggers, so every write to `search_doc` updates the index in the same transaction.
PostgreSQL: a stored, generated `tsvector` column with a GIN index (text search
configuration `casegraph`: `simple` plus `unaccent`), and a `pg_trgm` index over the
name vocabulary for fuzzy terms.
"""

from __future__ import annotations

from sqlalchemy import Connection, text

# The index columns, in FTS column order; PostgreSQL weights them A, B, C, C, D.
FTS_COLUMNS = ("names", "phonetic", "skeleton", "orgtypes", "body")
BACKEND_OBJECTS = ("search_fts", "tsv", "ix_search_doc_tsv", "ix_search_word_trgm")

_COLS = ", ".join(FTS_COLUMNS)
_NEW = ", ".join(f"new.{c}" for c in FTS_COLUMNS)
_OLD = ", ".join(f"old.{c}" for c in FTS_COLUMNS)

SQLITE_CREATE = (
    f"CREATE VIRTUAL TABLE search_fts USING fts5({_COLS}, content='search_doc', "
    "content_rowid='id', tokenize='unicode61 remove_diacritics 2')",
    f"CREATE TRIGGER search_doc_ai AFTER INSERT ON search_doc BEGIN "
    f"INSERT INTO search_fts(rowid, {_COLS}) VALUES (new.id, {_NEW}); END",
    f"CREATE TRIGGER search_doc_ad AFTER DELETE ON search_doc BEGIN "
    f"INSERT INTO search_fts(search_fts, rowid, {_COLS}) VALUES ('delete', old.id, {_OLD}); END",
    f"CREATE TRIGGER search_doc_au AFTER UPDATE ON search_doc BEGIN "
    f"INSERT INTO search_fts(search_fts, rowid, {_COLS}) VALUES ('delete', old.id, {_OLD}); "
    f"INSERT INTO search_fts(rowid, {_COLS}) VALUES (new.id, {_NEW}); END",
)
SQLITE_DROP = (
    "DROP TRIGGER IF EXISTS search_doc_au",
    "DROP TRIGGER IF EXISTS search_doc_ad",
    "DROP TRIGGER IF EXISTS search_doc_ai",
    "DROP TABLE IF EXISTS search_fts",
)

PG_TSV = (
    "setweight(to_tsvector('casegraph'::regconfig, names), 'A') || "
    "setweight(to_tsvector('casegraph'::regconfig, phonetic), 'B') || "
    "setweight(to_tsvector('casegraph'::regconfig, skeleton || ' ' || orgtypes), 'C') || "
    "setweight(to_tsvector('casegraph'::regconfig, body), 'D')"
)
PG_CREATE = (
    "CREATE EXTENSION IF NOT EXISTS unaccent",
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    "DO $$ BEGIN IF NOT EXISTS (SELECT 1 FROM pg_ts_config WHERE cfgname = 'casegraph') THEN "
    "CREATE TEXT SEARCH CONFIGURATION casegraph (COPY = simple); "
    "ALTER TEXT SEARCH CONFIGURATION casegraph ALTER MAPPING FOR hword, hword_part, word "
    "WITH unaccent, simple; END IF; END $$",
    f"ALTER TABLE search_doc ADD COLUMN tsv tsvector GENERATED ALWAYS AS ({PG_TSV}) STORED",
    "CREATE INDEX ix_search_doc_tsv ON search_doc USING gin (tsv)",
    "CREATE INDEX ix_search_word_trgm ON search_word USING gin (word gin_trgm_ops)",
)
PG_DROP = (
    "DROP INDEX IF EXISTS ix_search_word_trgm",
    "DROP INDEX IF EXISTS ix_search_doc_tsv",
    "ALTER TABLE search_doc DROP COLUMN IF EXISTS tsv",
)


def create(conn: Connection) -> None:
    for sql in SQLITE_CREATE if conn.dialect.name == "sqlite" else PG_CREATE:
        conn.execute(text(sql))


def drop(conn: Connection) -> None:
    for sql in SQLITE_DROP if conn.dialect.name == "sqlite" else PG_DROP:
        conn.execute(text(sql))
