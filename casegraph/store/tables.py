"""The store's tables, in SQLAlchemy Core. Alembic migrations create them.

Statements are keyed by `(entity_id, id)`: one B-tree both enforces idempotency and
serves entity assembly, which measured twice as fast on ingest as a separate index.
Two partial indexes cover the other reads: base statements (`prop = 'id'`, one per
entity and dataset) for listing and counting, and entity-typed values for adjacency.
"""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    PrimaryKeyConstraint,
    String,
    Table,
    Text,
    text,
)

NAMING = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

metadata = MetaData(naming_convention=NAMING)

setting = Table(
    "setting",
    metadata,
    Column("key", String(64), primary_key=True),
    Column("value", Text, nullable=False),
)

dataset = Table(
    "dataset",
    metadata,
    Column("name", String(128), primary_key=True),
    Column("title", Text, nullable=False),
    Column("publisher", Text),
    Column("licence", Text),
    Column("marking", String(64), nullable=False),
    Column("legal_basis", Text),
    Column("retention", String(64)),
    Column("owner", Text),
    Column("user_owned", Boolean, nullable=False, server_default=text("false")),
    Column("created_at", String(32), nullable=False),
    Column("updated_at", String(32), nullable=False),
)

statement = Table(
    "statement",
    metadata,
    Column("id", String(40), nullable=False),
    Column("entity_id", String(255), nullable=False),
    Column("schema", String(64), nullable=False),
    Column("prop", String(64), nullable=False),
    Column("prop_type", String(32), nullable=False),
    Column("value", Text, nullable=False),
    Column("original_value", Text),
    Column("lang", String(16)),
    Column(
        "dataset",
        String(128),
        ForeignKey("dataset.name", ondelete="CASCADE"),
        nullable=False,
    ),
    Column("origin", Text),
    Column("first_seen", String(32), nullable=False),
    Column("last_seen", String(32), nullable=False),
    PrimaryKeyConstraint("entity_id", "id"),
)

Index(
    "ix_statement_base",
    statement.c.dataset,
    statement.c.schema,
    statement.c.entity_id,
    sqlite_where=statement.c.prop == "id",
    postgresql_where=statement.c.prop == "id",
)
Index(
    "ix_statement_reference",
    statement.c.value,
    sqlite_where=statement.c.prop_type == "entity",
    postgresql_where=statement.c.prop_type == "entity",
)

ingest_run = Table(
    "ingest_run",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column(
        "dataset",
        String(128),
        ForeignKey("dataset.name", ondelete="CASCADE"),
        nullable=False,
    ),
    Column("source", Text, nullable=False),
    Column("source_sha256", String(64), nullable=False),
    Column("source_bytes", BigInteger, nullable=False),
    Column("mapping", Text),
    Column("fingerprint", String(64), nullable=False),
    Column("format", String(16), nullable=False),
    Column("actor", Text, nullable=False),
    Column("status", String(16), nullable=False),
    Column("strict", Boolean, nullable=False, server_default=text("false")),
    Column("seen_at", String(32), nullable=False),
    Column("started_at", String(32), nullable=False),
    Column("finished_at", String(32)),
    Column("checkpoint", BigInteger, nullable=False, server_default=text("0")),
    Column("rows_read", BigInteger, nullable=False, server_default=text("0")),
    Column("rows_ingested", BigInteger, nullable=False, server_default=text("0")),
    Column("rows_rejected", BigInteger, nullable=False, server_default=text("0")),
    Column("statements", BigInteger, nullable=False, server_default=text("0")),
    Column("duration_s", Float, nullable=False, server_default=text("0")),
    # Migration 0005: values left out of ingested records (`--invalid-values drop-value`).
    Column("values_dropped", BigInteger, nullable=False, server_default=text("0")),
)
Index("ix_ingest_run_resume", ingest_run.c.dataset, ingest_run.c.fingerprint)

ingest_reject = Table(
    "ingest_reject",
    metadata,
    Column(
        "run_id",
        Integer,
        ForeignKey("ingest_run.id", ondelete="CASCADE"),
        nullable=False,
    ),
    Column("seq", BigInteger, nullable=False),
    Column("origin", Text, nullable=False),
    Column("column_name", Text),
    Column("message", Text, nullable=False),
    Column("raw", Text),
    PrimaryKeyConstraint("run_id", "seq"),
)

# Migration 0005: each value a run left out of an ingested record, `n` counting the
# record's dropped values; committed with the batch, so a resumed run lists them all.
ingest_dropped_value = Table(
    "ingest_dropped_value",
    metadata,
    Column(
        "run_id",
        Integer,
        ForeignKey("ingest_run.id", ondelete="CASCADE"),
        nullable=False,
    ),
    Column("seq", BigInteger, nullable=False),
    Column("n", Integer, nullable=False),
    Column("origin", Text, nullable=False),
    Column("column_name", Text),
    Column("message", Text, nullable=False),
    Column("raw", Text, nullable=False),
    PrimaryKeyConstraint("run_id", "seq", "n"),
)

# --- Governance (migration 0002): users, groups, grants, tokens and the audit log. ---

app_user = Table(
    "app_user",
    metadata,
    Column("name", String(64), primary_key=True),
    Column("password_hash", Text),
    Column("roles", String(64), nullable=False),
    Column("clearance", String(64), nullable=False),
    Column("disabled", Boolean, nullable=False, server_default=text("false")),
    Column("created_at", String(32), nullable=False),
    Column("created_by", String(64), nullable=False),
)

group_member = Table(
    "group_member",
    metadata,
    Column("group_name", String(64), nullable=False),
    Column(
        "user_name", String(64), ForeignKey("app_user.name", ondelete="CASCADE"), nullable=False
    ),
    PrimaryKeyConstraint("group_name", "user_name"),
)

dataset_grant = Table(
    "dataset_grant",
    metadata,
    Column("dataset", String(128), ForeignKey("dataset.name", ondelete="CASCADE"), nullable=False),
    Column("group_name", String(64), nullable=False),
    Column("level", String(8), nullable=False),
    PrimaryKeyConstraint("dataset", "group_name"),
)

api_token = Table(
    "api_token",
    metadata,
    Column("id", String(32), primary_key=True),
    Column(
        "user_name", String(64), ForeignKey("app_user.name", ondelete="CASCADE"), nullable=False
    ),
    Column("secret_sha256", String(64), nullable=False),
    Column("label", Text),
    Column("created_at", String(32), nullable=False),
    Column("expires_at", String(32)),
    Column("revoked_at", String(32)),
)

# Append-only: triggers created by migration 0002 refuse UPDATE and DELETE on the
# three audit_* tables below; only audit_head (the tree's right edge) moves.
audit_event = Table(
    "audit_event",
    metadata,
    Column("seq", BigInteger, primary_key=True, autoincrement=False),
    Column("time", String(32), nullable=False),
    Column("actor", String(64), nullable=False),
    Column("action", String(16), nullable=False),
    Column("operation", String(64), nullable=False),
    Column("decision", String(8), nullable=False),
    Column("rule", String(64), nullable=False),
    Column("reason", Text, nullable=False),
    Column("purpose", Text),
    Column("recipients", Text, nullable=False),
    Column("objects_count", BigInteger, nullable=False),
    Column("objects_digest", String(64), nullable=False),
    Column("leaf_hash", String(64), nullable=False),
)
Index("ix_audit_event_actor", audit_event.c.actor, audit_event.c.seq)

audit_object = Table(
    "audit_object",
    metadata,
    Column("seq", BigInteger, ForeignKey("audit_event.seq"), nullable=False),
    Column("object", Text, nullable=False),
    PrimaryKeyConstraint("seq", "object"),
)
Index("ix_audit_object_object", audit_object.c.object, audit_object.c.seq)

audit_head = Table(
    "audit_head",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=False),
    Column("size", BigInteger, nullable=False),
    Column("frontier", Text, nullable=False),
)

audit_checkpoint = Table(
    "audit_checkpoint",
    metadata,
    Column("size", BigInteger, primary_key=True, autoincrement=False),
    Column("root", String(64), nullable=False),
    Column("note", Text, nullable=False),
    Column("created_at", String(32), nullable=False),
)

# The search index: one document per (entity, dataset), so the Policy's dataset scope
# applies to hits exactly as to statements. The full-text structures over it are
# backend-specific (FTS5 table, or a tsvector column) and live in the migration.
search_doc = Table(
    "search_doc",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("entity_id", String(255), nullable=False),
    Column(
        "dataset",
        String(128),
        ForeignKey("dataset.name", ondelete="CASCADE"),
        nullable=False,
    ),
    Column("schema", String(64), nullable=False),
    Column("caption", Text, nullable=False),
    Column("names", Text, nullable=False),
    Column("phonetic", Text, nullable=False),
    Column("skeleton", Text, nullable=False),
    Column("orgtypes", Text, nullable=False),
    Column("body", Text, nullable=False),
)
Index("ix_search_doc_entity_id_dataset", search_doc.c.entity_id, search_doc.c.dataset, unique=True)
Index("ix_search_doc_dataset_schema", search_doc.c.dataset, search_doc.c.schema)

search_country = Table(
    "search_country",
    metadata,
    Column("doc_id", Integer, ForeignKey("search_doc.id", ondelete="CASCADE"), nullable=False),
    Column("country", String(16), nullable=False),
    PrimaryKeyConstraint("doc_id", "country"),
)
Index("ix_search_country_country", search_country.c.country, search_country.c.doc_id)

# The name words of each dataset: where fuzzy terms look for candidates, only among
# the datasets the actor may read.
search_word = Table(
    "search_word",
    metadata,
    Column("word", String(255), nullable=False),
    Column(
        "dataset",
        String(128),
        ForeignKey("dataset.name", ondelete="CASCADE"),
        nullable=False,
    ),
    PrimaryKeyConstraint("word", "dataset"),
)

# --- Entity resolution (migration 0004): scored pairs, judgements, canonical clusters. ---
# Source statements are never touched: a cluster maps entity ids to a canonical id.

resolve_run = Table(
    "resolve_run",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("actor", String(64), nullable=False),
    Column("status", String(16), nullable=False),  # running, completed, failed
    Column("datasets", Text, nullable=False),  # JSON list of the datasets read
    Column("full_run", Boolean, nullable=False, server_default=text("false")),
    Column("upper", Float, nullable=False),
    Column("max_size", Integer, nullable=False),
    Column("prior", Float),  # the run's prior (log2 odds), reused when it resumes
    Column("started_at", String(32), nullable=False),
    Column("finished_at", String(32)),
    Column("entities", BigInteger, nullable=False, server_default=text("0")),
    Column("pairs", BigInteger, nullable=False, server_default=text("0")),
    Column("merges", BigInteger, nullable=False, server_default=text("0")),
    Column("queue", BigInteger, nullable=False, server_default=text("0")),
    Column("held", BigInteger, nullable=False, server_default=text("0")),
    Column("seconds", Float, nullable=False, server_default=text("0")),
)

# The fingerprint of each entity's comparison record when it was last scored: a run
# scores only entities that are new or changed (or not yet done, when it resumes).
resolve_entity = Table(
    "resolve_entity",
    metadata,
    Column("entity_id", String(255), primary_key=True),
    Column("fingerprint", String(64), nullable=False),
    Column("run_id", Integer, nullable=False),
)

# The datasets each record was built from: a resolution result is shown only to who
# may read all of them (its scores carry what they hold).
resolve_source = Table(
    "resolve_source",
    metadata,
    Column("entity_id", String(255), nullable=False),
    Column("dataset", String(128), nullable=False),
    PrimaryKeyConstraint("entity_id", "dataset"),
)

resolve_pair = Table(
    "resolve_pair",
    metadata,
    Column("left_id", String(255), nullable=False),  # left_id < right_id
    Column("right_id", String(255), nullable=False),
    Column("probability", Float, nullable=False),
    Column("weight", Float, nullable=False),
    Column("prior", Float, nullable=False),
    Column("levels", Text, nullable=False),  # JSON [[comparison, level, weight], ...]
    Column("status", String(16), nullable=False),  # merged/review/held/refused/below
    Column("run_id", Integer, nullable=False),
    Column("scored_at", String(32), nullable=False),
    PrimaryKeyConstraint("left_id", "right_id"),
)
Index("ix_resolve_pair_right_id", resolve_pair.c.right_id)
Index("ix_resolve_pair_status", resolve_pair.c.status)

# Append-only history: the current verdict on a pair is its latest row.
resolve_judgement = Table(
    "resolve_judgement",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("left_id", String(255), nullable=False),
    Column("right_id", String(255), nullable=False),
    Column("verdict", String(16), nullable=False),  # positive, negative, unsure
    Column("actor", String(64), nullable=False),
    Column("created_at", String(32), nullable=False),
    Column("note", Text),
    Column("source", String(16), nullable=False),  # review, undo, cli
)
Index("ix_resolve_judgement_pair", resolve_judgement.c.left_id, resolve_judgement.c.right_id)
Index("ix_resolve_judgement_right_id", resolve_judgement.c.right_id)

resolve_cluster = Table(
    "resolve_cluster",
    metadata,
    Column("entity_id", String(255), primary_key=True),
    Column("canonical_id", String(64), nullable=False),
    Column("since", String(32), nullable=False),
)
Index("ix_resolve_cluster_canonical_id", resolve_cluster.c.canonical_id)

APPEND_ONLY_TABLES = ("audit_event", "audit_object", "audit_checkpoint")
