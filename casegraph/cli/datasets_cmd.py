"""`casegraph datasets list|show|delete`."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.table import Table

from casegraph.cli.state import err, out, state
from casegraph.security.policy import Level
from casegraph.services import datasets as datasets_service

app = typer.Typer(
    help="List, inspect and delete datasets.\n\nExamples:\n\n  casegraph datasets list\n\n"
    "  casegraph datasets show registry\n\n  casegraph datasets delete leak --yes",
    no_args_is_help=True,
    rich_markup_mode=None,
)


@app.command("list")
def list_(ctx: typer.Context) -> None:
    """List datasets with their marking, entity count and last ingest.

    Example:

      casegraph datasets list
    """
    with state(ctx).store() as store:
        rows = datasets_service.list_datasets(store, state(ctx).context(store))
    if not rows:
        out.print("no datasets yet: add one with `casegraph ingest FILE --dataset NAME`")
        return
    table = Table("name", "title", "marking", "entities", "runs", "last ingest")
    for row in rows:
        table.add_row(
            row.meta.name,
            row.meta.title,
            row.meta.marking,
            "-" if row.entities is None else f"{row.entities:,}",
            str(row.runs),
            row.last_ingest or "-",
        )
    out.print(table)


@app.command("show")
def show(ctx: typer.Context, name: Annotated[str, typer.Argument(help="Dataset name.")]) -> None:
    """Show a dataset's metadata, entity counts by schema and its ingest runs.

    Example:

      casegraph datasets show registry
    """
    with state(ctx).store() as store:
        summary = datasets_service.get_dataset(store, state(ctx).context(store), name)
    meta = summary.meta
    info = Table.grid(padding=(0, 2))
    for label, value in [
        ("name", meta.name),
        ("title", meta.title),
        ("publisher", meta.publisher),
        ("licence", meta.licence),
        ("marking", meta.marking),
        ("legal basis", meta.legal_basis),
        ("retention", meta.retention),
        ("owner", meta.owner),
        ("kind", "user-owned" if meta.user_owned else "source evidence"),
        ("created", meta.created_at),
        ("updated", meta.updated_at),
        ("grants", ", ".join(f"{g} ({level})" for g, level in summary.grants)),
    ]:
        info.add_row(label, value or "-")
    out.print(info)
    schemata = Table("schema", "entities", title="entities")
    for schema_name, count in summary.schemata:
        schemata.add_row(schema_name, f"{count:,}")
    out.print(schemata)
    history = Table(
        "run",
        "status",
        "by",
        "started",
        "read",
        "ingested",
        "rejected",
        "dropped",
        "seconds",
        "sha256",
        title="ingest runs",
    )
    for run in summary.recent_runs:
        history.add_row(
            str(run.id),
            run.status,
            run.actor,
            run.started_at,
            f"{run.rows_read:,}",
            f"{run.rows_ingested:,}",
            f"{run.rows_rejected:,}",
            f"{run.values_dropped:,}",
            f"{run.duration_s:.1f}",
            run.source_sha256[:12],
        )
    out.print(history)


@app.command("delete")
def delete(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help="Dataset name.")],
    yes: Annotated[bool, typer.Option("--yes", help="Do not ask for confirmation.")] = False,
) -> None:
    """Erase a dataset: its statements, runs and rejects. Cannot be undone.

    Example:

      casegraph datasets delete leak --yes
    """
    with state(ctx).store() as store:
        context = state(ctx).context(store)
        if not yes and not typer.confirm(f"Erase dataset {name!r} and all its statements?"):
            err.print("nothing deleted")
            raise typer.Exit(1)
        removed = datasets_service.delete_dataset(store, context, name)
    out.print(f"deleted dataset {name} ({removed:,} statements)")


@app.command("grant")
def grant(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help="Dataset name.")],
    group: Annotated[str, typer.Argument(help="Group that gets access.")],
    write: Annotated[
        bool, typer.Option("--write/--read", help="Write access (else read only).")
    ] = False,
) -> None:
    """Give a group read (default) or write access to a dataset (admins).

    Examples:

      casegraph datasets grant leak desk-a

      casegraph datasets grant notes desk-a --write
    """
    level = Level.WRITE if write else Level.READ
    with state(ctx).store() as store:
        datasets_service.grant_dataset(
            store, state(ctx).context(store), name, group=group, level=level
        )
    out.print(f"group {group} may now {level.value} dataset {name}")


@app.command("revoke")
def revoke(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help="Dataset name.")],
    group: Annotated[str, typer.Argument(help="Group that loses access.")],
) -> None:
    """Take a group's access to a dataset away (admins).

    Example:

      casegraph datasets revoke leak desk-a
    """
    with state(ctx).store() as store:
        datasets_service.revoke_dataset(store, state(ctx).context(store), name, group=group)
    out.print(f"group {group} has no grant on dataset {name} any more")


@app.command("mark")
def mark(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help="Dataset name.")],
    marking: Annotated[str, typer.Argument(help="The new marking, e.g. RESTRICTED.")],
) -> None:
    """Change a dataset's marking (admins).

    Example:

      casegraph datasets mark leak RESTRICTED
    """
    with state(ctx).store() as store:
        meta = datasets_service.set_marking(store, state(ctx).context(store), name, marking)
    out.print(f"dataset {name} is now marked {meta.marking}")
