"""`casegraph export`."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated

import typer

from casegraph.cli.state import err, state
from casegraph.errors import InvalidInputError
from casegraph.services.export import export_ftm, export_statements_csv


@contextmanager
def _replacing(path: Path) -> Iterator[Path]:
    """Where to write `--output`: a file beside it, moved over it only when the export
    succeeds, so a refused or failed export leaves an existing file as it was.
    Pipes and devices (`-o /dev/stdout`) are written directly."""
    if path.exists() and not path.is_file():
        yield path
        return
    partial = path.with_name(f".{path.name}.partial")
    try:
        yield partial
        partial.replace(path)
    finally:
        partial.unlink(missing_ok=True)


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
    recipient: Annotated[
        list[str] | None,
        typer.Option(
            "--recipient",
            "-r",
            help="Who receives the export (repeat for several); recorded in the audit log. "
            "Default: you.",
        ),
    ] = None,
) -> None:
    """Stream entities (FtM JSON lines) or statements (CSV with provenance).

    An export is a disclosure: it needs --purpose, contains only what you may read,
    and the audit log records every entity in it and its recipients.

    Examples:

      casegraph --purpose case:C-7 export -f ftm -d registry -o registry.ftm.jsonl

      casegraph --purpose case:C-7 export -f ftm --schema Company -r "Prosecutor X"

      casegraph --purpose "annual statistics for the board" export -f csv -o s.csv
    """
    if format not in {"ftm", "csv"}:
        raise InvalidInputError(f"unknown export format {format!r}: use ftm or csv")
    if format == "csv" and schema:
        raise InvalidInputError("--schema applies to --format ftm only")
    recipients = list(recipient or [])
    with state(ctx).store() as store:
        context = state(ctx).context(store)
        datasets = list(dataset) if dataset else None
        if format == "ftm":
            if output is None:
                count = export_ftm(
                    store,
                    context,
                    sys.stdout.buffer,
                    datasets=datasets,
                    schema=schema,
                    recipients=recipients,
                )
            else:
                with _replacing(output) as target, target.open("wb") as fh:
                    count = export_ftm(
                        store,
                        context,
                        fh,
                        datasets=datasets,
                        schema=schema,
                        recipients=recipients,
                    )
            what = "entities"
        else:
            if output is None:
                count = export_statements_csv(
                    store, context, sys.stdout, datasets=datasets, recipients=recipients
                )
            else:
                with (
                    _replacing(output) as target,
                    target.open("w", encoding="utf-8", newline="") as fh,
                ):
                    count = export_statements_csv(
                        store, context, fh, datasets=datasets, recipients=recipients
                    )
            what = "statements"
    err.print(f"exported {count:,} {what}" + (f" to {output}" if output else ""))
