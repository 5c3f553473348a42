"""`casegraph export`."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from casegraph.cli.state import err, state
from casegraph.errors import InvalidInputError
from casegraph.services.datasets import get_dataset
from casegraph.services.export import export_ftm, export_statements_csv


def export(
    ctx: typer.Context,
    format: Annotated[
        str, typer.Option("--format", "-f", help="ftm (entity JSON lines) or csv (statements).")
    ] = "ftm",
    dataset: Annotated[
        list[str] | None, typer.Option("--dataset", "-d", help="Only these datasets.")
    ] = None,
    schema: Annotated[
        str | None, typer.Option(help="ftm only: this schema and its descendants.")
    ] = None,
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="Write to a file instead of stdout.")
    ] = None,
) -> None:
    """Stream entities (FtM JSON lines) or statements (CSV with provenance).

    Examples:

      casegraph export --format ftm -d registry -o registry.ftm.jsonl

      casegraph export --format ftm --schema Company | ftm validate

      casegraph export --format csv -o statements.csv
    """
    if format not in {"ftm", "csv"}:
        raise InvalidInputError(f"unknown export format {format!r}: use ftm or csv")
    if format == "csv" and schema:
        raise InvalidInputError("--schema applies to --format ftm only")
    with state(ctx).store() as store:
        for name in dataset or []:
            get_dataset(store, name)
        datasets = list(dataset) if dataset else None
        if format == "ftm":
            if output is None:
                count = export_ftm(store, sys.stdout.buffer, datasets=datasets, schema=schema)
            else:
                with output.open("wb") as fh:
                    count = export_ftm(store, fh, datasets=datasets, schema=schema)
            what = "entities"
        else:
            if output is None:
                count = export_statements_csv(store, sys.stdout, datasets=datasets)
            else:
                with output.open("w", encoding="utf-8", newline="") as fh:
                    count = export_statements_csv(store, fh, datasets=datasets)
            what = "statements"
    err.print(f"exported {count:,} {what}" + (f" to {output}" if output else ""))
