"""Search: one index document per (entity, dataset), and the full-text index over it.

Revision ID: 0003
Revises: 0002
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from casegraph.ingest.progress import NoProgress
from casegraph.search.backends import index_for_dialect
from casegraph.search.index import rebuild
from casegraph.store import search_ddl

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "search_doc",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("entity_id", sa.String(255), nullable=False),
        sa.Column("dataset", sa.String(128), nullable=False),
        sa.Column("schema", sa.String(64), nullable=False),
        sa.Column("caption", sa.Text(), nullable=False),
        sa.Column("names", sa.Text(), nullable=False),
        sa.Column("phonetic", sa.Text(), nullable=False),
        sa.Column("skeleton", sa.Text(), nullable=False),
        sa.Column("orgtypes", sa.Text(), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["dataset"],
            ["dataset.name"],
            name="fk_search_doc_dataset_dataset",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name="pk_search_doc"),
    )
    op.create_index(
        "ix_search_doc_entity_id_dataset", "search_doc", ["entity_id", "dataset"], unique=True
    )
    op.create_index("ix_search_doc_dataset_schema", "search_doc", ["dataset", "schema"])
    op.create_table(
        "search_country",
        sa.Column("doc_id", sa.Integer(), nullable=False),
        sa.Column("country", sa.String(16), nullable=False),
        sa.ForeignKeyConstraint(
            ["doc_id"],
            ["search_doc.id"],
            name="fk_search_country_doc_id_search_doc",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("doc_id", "country", name="pk_search_country"),
    )
    op.create_index("ix_search_country_country", "search_country", ["country", "doc_id"])
    op.create_table(
        "search_word",
        sa.Column("word", sa.String(255), nullable=False),
        sa.Column("dataset", sa.String(128), nullable=False),
        sa.ForeignKeyConstraint(
            ["dataset"],
            ["dataset.name"],
            name="fk_search_word_dataset_dataset",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("word", "dataset", name="pk_search_word"),
    )
    bind = op.get_bind()
    search_ddl.create(bind)
    # A store upgraded with data in it gets its index now, not at the first reindex.
    rebuild(bind, index_for_dialect(bind.dialect.name), NoProgress())


def downgrade() -> None:
    search_ddl.drop(op.get_bind())
    op.drop_table("search_word")
    op.drop_index("ix_search_country_country", table_name="search_country")
    op.drop_table("search_country")
    op.drop_index("ix_search_doc_dataset_schema", table_name="search_doc")
    op.drop_index("ix_search_doc_entity_id_dataset", table_name="search_doc")
    op.drop_table("search_doc")
