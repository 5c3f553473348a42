"""Ingest with `--invalid-values drop-value`: the values left out of ingested records,
and their count on the run.

Revision ID: 0005
Revises: 0004
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # A plain ALTER, not a batch: a batch would rebuild `ingest_run` on SQLite, and
    # dropping the old table cascades to (deletes) every run's rejects.
    op.add_column(
        "ingest_run",
        sa.Column("values_dropped", sa.BigInteger(), server_default=sa.text("0"), nullable=False),
    )
    op.create_table(
        "ingest_dropped_value",
        sa.Column("run_id", sa.Integer(), nullable=False),
        sa.Column("seq", sa.BigInteger(), nullable=False),
        sa.Column("n", sa.Integer(), nullable=False),
        sa.Column("origin", sa.Text(), nullable=False),
        sa.Column("column_name", sa.Text()),
        sa.Column("message", sa.Text(), nullable=False),
        sa.Column("raw", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["run_id"],
            ["ingest_run.id"],
            name="fk_ingest_dropped_value_run_id_ingest_run",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("run_id", "seq", "n", name="pk_ingest_dropped_value"),
    )


def downgrade() -> None:
    op.drop_table("ingest_dropped_value")
    op.drop_column("ingest_run", "values_dropped")  # SQLite 3.35+ drops columns in place
