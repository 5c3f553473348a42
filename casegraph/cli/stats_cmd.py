"""`casegraph stats`."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.table import Table

from casegraph.cli.state import out, state
from casegraph.services.stats import statistics


def stats(
    ctx: typer.Context,
    dataset: Annotated[
        str | None, typer.Option("--dataset", "-d", help="Only this dataset.")
    ] = None,
) -> None:
    """Count entities per dataset and schema, and statements in all.

    Only datasets you may read are counted.

    Examples:

      casegraph stats

      casegraph stats -d registry
    """
    with state(ctx).store() as store:
        result = statistics(store, state(ctx).context(store), dataset=dataset)
    counts, statements = result.counts, result.statements
    table = Table("dataset", "schema", "entities")
    total = 0
    for c in counts:
        table.add_row(c.dataset, c.schema, f"{c.entities:,}")
        total += c.entities
    out.print(table)
    out.print(f"{total:,} entities, {statements:,} statements")
