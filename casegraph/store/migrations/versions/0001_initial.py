"""The first tables: settings, datasets, statements, ingest runs and rejects.

Revision ID: 0001
Revises:
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "setting",
        sa.Column("key", sa.String(64), nullable=False),
        sa.Column("value", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("key", name="pk_setting"),
    )
    op.create_table(
        "dataset",
        sa.Column("name", sa.String(128), nullable=False),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("publisher", sa.Text()),
        sa.Column("licence", sa.Text()),
        sa.Column("marking", sa.String(64), nullable=False),
        sa.Column("legal_basis", sa.Text()),
        sa.Column("retention", sa.String(64)),
        sa.Column("owner", sa.Text()),
        sa.Column("user_owned", sa.Boolean(), server_default=sa.text("false"), nullable=False),
        sa.Column("created_at", sa.String(32), nullable=False),
        sa.Column("updated_at", sa.String(32), nullable=False),
        sa.PrimaryKeyConstraint("name", name="pk_dataset"),
    )
    op.create_table(
        "statement",
        sa.Column("id", sa.String(40), nullable=False),
        sa.Column("entity_id", sa.String(255), nullable=False),
        sa.Column("schema", sa.String(64), nullable=False),
        sa.Column("prop", sa.String(64), nullable=False),
        sa.Column("prop_type", sa.String(32), nullable=False),
        sa.Column("value", sa.Text(), nullable=False),
        sa.Column("original_value", sa.Text()),
        sa.Column("lang", sa.String(16)),
        sa.Column("dataset", sa.String(128), nullable=False),
        sa.Column("origin", sa.Text()),
        sa.Column("first_seen", sa.String(32), nullable=False),
        sa.Column("last_seen", sa.String(32), nullable=False),
        sa.ForeignKeyConstraint(
            ["dataset"],
            ["dataset.name"],
            name="fk_statement_dataset_dataset",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("entity_id", "id", name="pk_statement"),
    )
    op.create_index(
        "ix_statement_base",
        "statement",
        ["dataset", "schema", "entity_id"],
        sqlite_where=sa.text("prop = 'id'"),
        postgresql_where=sa.text("prop = 'id'"),
    )
    op.create_index(
        "ix_statement_reference",
        "statement",
        ["value"],
        sqlite_where=sa.text("prop_type = 'entity'"),
        postgresql_where=sa.text("prop_type = 'entity'"),
    )
    op.create_table(
        "ingest_run",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("dataset", sa.String(128), nullable=False),
        sa.Column("source", sa.Text(), nullable=False),
        sa.Column("source_sha256", sa.String(64), nullable=False),
        sa.Column("source_bytes", sa.BigInteger(), nullable=False),
        sa.Column("mapping", sa.Text()),
        sa.Column("fingerprint", sa.String(64), nullable=False),
        sa.Column("format", sa.String(16), nullable=False),
        sa.Column("actor", sa.Text(), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("strict", sa.Boolean(), server_default=sa.text("false"), nullable=False),
        sa.Column("seen_at", sa.String(32), nullable=False),
        sa.Column("started_at", sa.String(32), nullable=False),
        sa.Column("finished_at", sa.String(32)),
        sa.Column("checkpoint", sa.BigInteger(), server_default=sa.text("0"), nullable=False),
        sa.Column("rows_read", sa.BigInteger(), server_default=sa.text("0"), nullable=False),
        sa.Column("rows_ingested", sa.BigInteger(), server_default=sa.text("0"), nullable=False),
        sa.Column("rows_rejected", sa.BigInteger(), server_default=sa.text("0"), nullable=False),
        sa.Column("statements", sa.BigInteger(), server_default=sa.text("0"), nullable=False),
        sa.Column("duration_s", sa.Float(), server_default=sa.text("0"), nullable=False),
        sa.ForeignKeyConstraint(
            ["dataset"],
            ["dataset.name"],
            name="fk_ingest_run_dataset_dataset",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name="pk_ingest_run"),
    )
    op.create_index("ix_ingest_run_resume", "ingest_run", ["dataset", "fingerprint"])
    op.create_table(
        "ingest_reject",
        sa.Column("run_id", sa.Integer(), nullable=False),
        sa.Column("seq", sa.BigInteger(), nullable=False),
        sa.Column("origin", sa.Text(), nullable=False),
        sa.Column("column_name", sa.Text()),
        sa.Column("message", sa.Text(), nullable=False),
        sa.Column("raw", sa.Text()),
        sa.ForeignKeyConstraint(
            ["run_id"],
            ["ingest_run.id"],
            name="fk_ingest_reject_run_id_ingest_run",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("run_id", "seq", name="pk_ingest_reject"),
    )


def downgrade() -> None:
    op.drop_table("ingest_reject")
    op.drop_index("ix_ingest_run_resume", table_name="ingest_run")
    op.drop_table("ingest_run")
    op.drop_index("ix_statement_reference", table_name="statement")
    op.drop_index("ix_statement_base", table_name="statement")
    op.drop_table("statement")
    op.drop_table("dataset")
    op.drop_table("setting")
