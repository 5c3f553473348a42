"""Governance: users, groups, dataset grants, API tokens and the append-only audit log.

Revision ID: 0002
Revises: 0001
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from casegraph.store import append_only

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "app_user",
        sa.Column("name", sa.String(64), nullable=False),
        sa.Column("password_hash", sa.Text()),
        sa.Column("roles", sa.String(64), nullable=False),
        sa.Column("clearance", sa.String(64), nullable=False),
        sa.Column("disabled", sa.Boolean(), nullable=False, server_default=sa.text("false")),
        sa.Column("created_at", sa.String(32), nullable=False),
        sa.Column("created_by", sa.String(64), nullable=False),
        sa.PrimaryKeyConstraint("name", name="pk_app_user"),
    )
    op.create_table(
        "group_member",
        sa.Column("group_name", sa.String(64), nullable=False),
        sa.Column("user_name", sa.String(64), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_name"],
            ["app_user.name"],
            name="fk_group_member_user_name_app_user",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("group_name", "user_name", name="pk_group_member"),
    )
    op.create_table(
        "dataset_grant",
        sa.Column("dataset", sa.String(128), nullable=False),
        sa.Column("group_name", sa.String(64), nullable=False),
        sa.Column("level", sa.String(8), nullable=False),
        sa.ForeignKeyConstraint(
            ["dataset"],
            ["dataset.name"],
            name="fk_dataset_grant_dataset_dataset",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("dataset", "group_name", name="pk_dataset_grant"),
    )
    op.create_table(
        "api_token",
        sa.Column("id", sa.String(32), nullable=False),
        sa.Column("user_name", sa.String(64), nullable=False),
        sa.Column("secret_sha256", sa.String(64), nullable=False),
        sa.Column("label", sa.Text()),
        sa.Column("created_at", sa.String(32), nullable=False),
        sa.Column("expires_at", sa.String(32)),
        sa.Column("revoked_at", sa.String(32)),
        sa.ForeignKeyConstraint(
            ["user_name"],
            ["app_user.name"],
            name="fk_api_token_user_name_app_user",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name="pk_api_token"),
    )
    op.create_table(
        "audit_event",
        sa.Column("seq", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("time", sa.String(32), nullable=False),
        sa.Column("actor", sa.String(64), nullable=False),
        sa.Column("action", sa.String(16), nullable=False),
        sa.Column("operation", sa.String(64), nullable=False),
        sa.Column("decision", sa.String(8), nullable=False),
        sa.Column("rule", sa.String(64), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("purpose", sa.Text()),
        sa.Column("recipients", sa.Text(), nullable=False),
        sa.Column("objects_count", sa.BigInteger(), nullable=False),
        sa.Column("objects_digest", sa.String(64), nullable=False),
        sa.Column("leaf_hash", sa.String(64), nullable=False),
        sa.PrimaryKeyConstraint("seq", name="pk_audit_event"),
    )
    op.create_index("ix_audit_event_actor", "audit_event", ["actor", "seq"])
    op.create_table(
        "audit_object",
        sa.Column("seq", sa.BigInteger(), nullable=False),
        sa.Column("object", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["seq"], ["audit_event.seq"], name="fk_audit_object_seq_audit_event"
        ),
        sa.PrimaryKeyConstraint("seq", "object", name="pk_audit_object"),
    )
    op.create_index("ix_audit_object_object", "audit_object", ["object", "seq"])
    op.create_table(
        "audit_head",
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("size", sa.BigInteger(), nullable=False),
        sa.Column("frontier", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_audit_head"),
    )
    op.create_table(
        "audit_checkpoint",
        sa.Column("size", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("root", sa.String(64), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("created_at", sa.String(32), nullable=False),
        sa.PrimaryKeyConstraint("size", name="pk_audit_checkpoint"),
    )
    bind = op.get_bind()
    append_only.apply(bind, append_only.create_sql(bind.dialect.name))


def downgrade() -> None:
    bind = op.get_bind()
    append_only.apply(bind, append_only.drop_sql(bind.dialect.name))
    op.drop_table("audit_checkpoint")
    op.drop_table("audit_head")
    op.drop_index("ix_audit_object_object", table_name="audit_object")
    op.drop_table("audit_object")
    op.drop_index("ix_audit_event_actor", table_name="audit_event")
    op.drop_table("audit_event")
    op.drop_table("api_token")
    op.drop_table("dataset_grant")
    op.drop_table("group_member")
    op.drop_table("app_user")
