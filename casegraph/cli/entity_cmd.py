"""`casegraph entity show|correct`."""

from __future__ import annotations

from typing import Annotated, Any

import orjson
import typer
from rich.table import Table

from casegraph.cli.state import out, state
from casegraph.model.origin import Origin
from casegraph.services.corrections import add_correction
from casegraph.services.entities import SHOWN_REFERENCES, show_entity

app = typer.Typer(
    help="Inspect entities and add corrections.\n\nExamples:\n\n"
    "  casegraph entity show 3f2a…\n\n  casegraph entity show 3f2a… --json\n\n"
    "  casegraph entity correct 3f2a… birthDate 1971-03-02 --dataset my-notes",
    no_args_is_help=True,
    rich_markup_mode=None,
)


@app.command("show")
def show(
    ctx: typer.Context,
    entity_id: Annotated[str, typer.Argument(help="Entity id.")],
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON with provenance.")] = False,
) -> None:
    """Show an entity: every property value with its dataset and origin, and its links.

    Examples:

      casegraph entity show 3f2a9c…

      casegraph entity show 3f2a9c… --json | jq .properties.name
    """
    with state(ctx).store() as store:
        detail = show_entity(store, state(ctx).context(store), entity_id)
    view, refs_out, refs_in = detail.entity, detail.outgoing, detail.incoming
    if as_json:
        data: dict[str, Any] = view.to_ftm()
        data["provenance"] = {
            prop: [
                {
                    "value": v.value,
                    "dataset": v.dataset,
                    "origin": v.origin,
                    "original_value": v.original_value,
                    "first_seen": v.first_seen,
                    "last_seen": v.last_seen,
                }
                for v in values
            ]
            for prop, values in view.properties.items()
        }
        data["referenced_by"] = [
            {"entity_id": r.source, "prop": r.prop, "schema": r.schema} for r in refs_in
        ]
        out.print_json(orjson.dumps(data).decode())
        return
    out.print(f"[bold]{view.caption}[/] ({view.schema.name}) {view.id}", highlight=False)
    out.print(f"datasets: {', '.join(view.datasets)}; seen {view.first_seen} – {view.last_seen}")
    table = Table("property", "value", "dataset", "origin", "original", "first seen")
    for prop, values in sorted(view.properties.items()):
        schema_prop = view.schema.get(prop)
        label = schema_prop.label if schema_prop is not None else prop
        for v in values:
            origin = Origin.parse(v.origin).describe() if v.origin else "-"
            table.add_row(label, v.value, v.dataset, origin, v.original_value or "", v.first_seen)
            label = ""
    out.print(table)
    if refs_out or refs_in:
        links = Table("direction", "property", "entity", "schema")
        for r in refs_out:
            links.add_row("→", r.prop, r.target, r.schema)
        for r in refs_in:
            links.add_row("←", r.prop, r.source, r.schema)
        out.print(links)
        if detail.more_incoming:
            out.print(f"… more than {SHOWN_REFERENCES} entities reference this one")


@app.command("correct")
def correct(
    ctx: typer.Context,
    entity_id: Annotated[str, typer.Argument(help="Entity id.")],
    prop: Annotated[str, typer.Argument(help="Property name, e.g. birthDate.")],
    value: Annotated[str, typer.Argument(help="The corrected value.")],
    dataset: Annotated[
        str, typer.Option("--dataset", "-d", help="Your user-owned dataset for corrections.")
    ],
    group: Annotated[
        str | None,
        typer.Option(help="New dataset only: the group that gets write access to it."),
    ] = None,
    marking: Annotated[
        str, typer.Option(help="New dataset only: its marking (default INTERNAL).")
    ] = "",
) -> None:
    """Add a corrected value as a new statement in a user-owned dataset.

    Source evidence is never edited: the original value stays, with its provenance,
    and the correction sits beside it, attributed to you.

    Example:

      casegraph entity correct 3f2a9c… birthDate 1971-03-02 --dataset my-corrections
    """
    with state(ctx).store() as store:
        row = add_correction(
            store,
            state(ctx).context(store),
            entity_id=entity_id,
            prop=prop,
            value=value,
            dataset=dataset,
            group=group,
            marking=marking,
        )
    out.print(f"added {row.prop} = {row.value!r} to {row.entity_id} in dataset {row.dataset}")
