"""Entity resolution: runs, record fingerprints and sources, scored pairs, judgements
and canonical clusters.

Revision ID: 0004
Revises: 0003
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "resolve_run",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("actor", sa.String(64), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("datasets", sa.Text(), nullable=False),
        sa.Column("full_run", sa.Boolean(), nullable=False, server_default=sa.text("false")),
        sa.Column("upper", sa.Float(), nullable=False),
        sa.Column("max_size", sa.Integer(), nullable=False),
        sa.Column("prior", sa.Float()),
        sa.Column("started_at", sa.String(32), nullable=False),
        sa.Column("finished_at", sa.String(32)),
        sa.Column("entities", sa.BigInteger(), nullable=False, server_default=sa.text("0")),
        sa.Column("pairs", sa.BigInteger(), nullable=False, server_default=sa.text("0")),
        sa.Column("merges", sa.BigInteger(), nullable=False, server_default=sa.text("0")),
        sa.Column("queue", sa.BigInteger(), nullable=False, server_default=sa.text("0")),
        sa.Column("held", sa.BigInteger(), nullable=False, server_default=sa.text("0")),
        sa.Column("seconds", sa.Float(), nullable=False, server_default=sa.text("0")),
        sa.PrimaryKeyConstraint("id", name="pk_resolve_run"),
    )
    op.create_table(
        "resolve_entity",
        sa.Column("entity_id", sa.String(255), nullable=False),
        sa.Column("fingerprint", sa.String(64), nullable=False),
        sa.Column("run_id", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("entity_id", name="pk_resolve_entity"),
    )
    op.create_table(
        "resolve_source",
        sa.Column("entity_id", sa.String(255), nullable=False),
        sa.Column("dataset", sa.String(128), nullable=False),
        sa.PrimaryKeyConstraint("entity_id", "dataset", name="pk_resolve_source"),
    )
    op.create_table(
        "resolve_pair",
        sa.Column("left_id", sa.String(255), nullable=False),
        sa.Column("right_id", sa.String(255), nullable=False),
        sa.Column("probability", sa.Float(), nullable=False),
        sa.Column("weight", sa.Float(), nullable=False),
        sa.Column("prior", sa.Float(), nullable=False),
        sa.Column("levels", sa.Text(), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("run_id", sa.Integer(), nullable=False),
        sa.Column("scored_at", sa.String(32), nullable=False),
        sa.PrimaryKeyConstraint("left_id", "right_id", name="pk_resolve_pair"),
    )
    op.create_index("ix_resolve_pair_right_id", "resolve_pair", ["right_id"])
    op.create_index("ix_resolve_pair_status", "resolve_pair", ["status"])
    op.create_table(
        "resolve_judgement",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("left_id", sa.String(255), nullable=False),
        sa.Column("right_id", sa.String(255), nullable=False),
        sa.Column("verdict", sa.String(16), nullable=False),
        sa.Column("actor", sa.String(64), nullable=False),
        sa.Column("created_at", sa.String(32), nullable=False),
        sa.Column("note", sa.Text()),
        sa.Column("source", sa.String(16), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_resolve_judgement"),
    )
    op.create_index("ix_resolve_judgement_pair", "resolve_judgement", ["left_id", "right_id"])
    op.create_index("ix_resolve_judgement_right_id", "resolve_judgement", ["right_id"])
    op.create_table(
        "resolve_cluster",
        sa.Column("entity_id", sa.String(255), nullable=False),
        sa.Column("canonical_id", sa.String(64), nullable=False),
        sa.Column("since", sa.String(32), nullable=False),
        sa.PrimaryKeyConstraint("entity_id", name="pk_resolve_cluster"),
    )
    op.create_index("ix_resolve_cluster_canonical_id", "resolve_cluster", ["canonical_id"])


def downgrade() -> None:
    op.drop_index("ix_resolve_cluster_canonical_id", table_name="resolve_cluster")
    op.drop_table("resolve_cluster")
    op.drop_index("ix_resolve_judgement_right_id", table_name="resolve_judgement")
    op.drop_index("ix_resolve_judgement_pair", table_name="resolve_judgement")
    op.drop_table("resolve_judgement")
    op.drop_index("ix_resolve_pair_status", table_name="resolve_pair")
    op.drop_index("ix_resolve_pair_right_id", table_name="resolve_pair")
    op.drop_table("resolve_pair")
    op.drop_table("resolve_source")
    op.drop_table("resolve_entity")
    op.drop_table("resolve_run")
