"""`casegraph stats`."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.table import Table

from casegraph.cli.state import out, state
from casegraph.services.stats import entity_counts, statement_count


def stats(
    ctx: typer.Context,
    dataset: Annotated[
        str | None, typer.Option("--dataset", "-d", help="Only this dataset.")
    ] = None,
) -> None:
    """Count entities per dataset and schema, and statements in all.

    Examples:

      casegraph stats

      casegraph stats -d registry
    """
    with state(ctx).store() as store:
        counts = entity_counts(store, dataset=dataset)
        statements = statement_count(store, dataset=dataset)
    table = Table("dataset", "schema", "entities")
    total = 0
    for c in counts:
        table.add_row(c.dataset, c.schema, f"{c.entities:,}")
        total += c.entities
    out.print(table)
    out.print(f"{total:,} entities, {statements:,} statements")
