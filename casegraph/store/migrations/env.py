"""Alembic environment: runs migrations on the connection casegraph hands over."""

from __future__ import annotations

from alembic import context

from casegraph.store.tables import metadata

config = context.config
connection = config.attributes.get("connection")
if connection is None:  # pragma: no cover - casegraph always passes a connection
    raise RuntimeError("casegraph runs migrations through casegraph.store.migrate")

context.configure(connection=connection, target_metadata=metadata, render_as_batch=True)
with context.begin_transaction():
    context.run_migrations()
