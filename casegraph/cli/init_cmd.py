"""`casegraph init`."""

from __future__ import annotations

from typing import Annotated

import typer

from casegraph.cli.state import out, state
from casegraph.services.store import init_store
from casegraph.settings import DEFAULT_MARKINGS


def init(
    ctx: typer.Context,
    markings: Annotated[
        str,
        typer.Option(
            help="Comma-separated sensitivity markings, lowest first. Kept on later runs.",
        ),
    ] = ",".join(DEFAULT_MARKINGS),
) -> None:
    """Create the store (or upgrade its schema). Safe to run again.

    Examples:

      casegraph init

      casegraph --data-dir ./investigation init

      CASEGRAPH_DATABASE_URL=postgresql+psycopg://me@localhost/casegraph casegraph init

      casegraph init --markings PUBLIC,INTERNAL,CONFIDENTIAL,SECRET
    """
    settings = state(ctx).settings()
    with init_store(settings, markings=tuple(markings.split(","))) as store:
        where = (
            str(settings.data_dir)
            if settings.backend == "sqlite"
            else store.engine.url.render_as_string(hide_password=True)
        )
        labels = ", ".join(store.markings)
    out.print(f"casegraph store ready in {where} (markings: {labels})")
