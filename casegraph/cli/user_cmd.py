"""`casegraph user add|list|disable|grant` (admins)."""

from __future__ import annotations

import os
from typing import Annotated

import typer
from rich.table import Table

from casegraph.cli.state import out, state
from casegraph.security.actor import parse_roles
from casegraph.services import identity

app = typer.Typer(
    help="Manage user accounts (admins).\n\nExamples:\n\n"
    "  casegraph user add bob --role analyst --group desk-a --clearance INTERNAL\n\n"
    "  casegraph user add dpo --role auditor --no-password\n\n"
    "  casegraph user grant bob --group desk-b --clearance RESTRICTED\n\n"
    "  casegraph user list\n\n  casegraph user disable bob",
    no_args_is_help=True,
    rich_markup_mode=None,
)

NEW_PASSWORD_ENV = "CASEGRAPH_NEW_PASSWORD"


@app.command("add")
def add(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help="Login name: lower-case letters, digits, . _ -")],
    role: Annotated[
        str, typer.Option(help="Roles, comma-separated: admin, analyst, auditor.")
    ] = "analyst",
    group: Annotated[
        list[str] | None, typer.Option("--group", "-g", help="Group to join (repeatable).")
    ] = None,
    clearance: Annotated[
        str | None,
        typer.Option(help="Highest marking the user may read (default: the second lowest)."),
    ] = None,
    password: Annotated[
        bool,
        typer.Option(
            "--password/--no-password",
            help=f"Set a password (from {NEW_PASSWORD_ENV} or a prompt); without one, "
            "the user signs in with API tokens only.",
        ),
    ] = True,
) -> None:
    """Create a user account.

    Examples:

      casegraph user add bob --role analyst --group desk-a

      CASEGRAPH_NEW_PASSWORD=… casegraph user add carol --role admin

      casegraph user add dpo --role auditor --no-password
    """
    secret = None
    if password:
        secret = os.environ.get(NEW_PASSWORD_ENV) or typer.prompt(
            f"password for {name}", hide_input=True, confirmation_prompt=True
        )
    with state(ctx).store() as store:
        record = identity.add_user(
            store,
            state(ctx).context(store),
            name=name,
            roles=parse_roles(role),
            clearance=clearance,
            groups=tuple(group or ()),
            password=secret,
        )
    out.print(
        f"user {record.name} created: roles {', '.join(record.roles)}; clearance "
        f"{record.clearance}; groups {', '.join(record.groups) or '-'}"
    )


@app.command("list")
def list_(ctx: typer.Context) -> None:
    """List user accounts with roles, groups and clearance.

    Example:

      casegraph user list
    """
    with state(ctx).store() as store:
        users = identity.list_users(store, state(ctx).context(store))
    table = Table("name", "roles", "groups", "clearance", "status", "created", "by")
    for u in users:
        table.add_row(
            u.name,
            ", ".join(u.roles),
            ", ".join(u.groups) or "-",
            u.clearance,
            "disabled" if u.disabled else "active",
            u.created_at,
            u.created_by,
        )
    out.print(table)


@app.command("disable")
def disable(ctx: typer.Context, name: Annotated[str, typer.Argument(help="User name.")]) -> None:
    """Disable an account: its password and tokens stop working; its history stays.

    Example:

      casegraph user disable bob
    """
    with state(ctx).store() as store:
        identity.disable_user(store, state(ctx).context(store), name)
    out.print(f"user {name} disabled")


@app.command("grant")
def grant(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help="User name.")],
    role: Annotated[str | None, typer.Option(help="Replace the roles, comma-separated.")] = None,
    group: Annotated[
        list[str] | None, typer.Option("--group", "-g", help="Join this group (repeatable).")
    ] = None,
    leave: Annotated[
        list[str] | None, typer.Option("--leave", help="Leave this group (repeatable).")
    ] = None,
    clearance: Annotated[str | None, typer.Option(help="Set the clearance.")] = None,
) -> None:
    """Change a user's roles, groups or clearance.

    Dataset access goes to groups: see `casegraph datasets grant`.

    Examples:

      casegraph user grant bob --group desk-b

      casegraph user grant bob --clearance RESTRICTED

      casegraph user grant carol --role admin,analyst --leave desk-a
    """
    with state(ctx).store() as store:
        record = identity.grant_user(
            store,
            state(ctx).context(store),
            name,
            roles=parse_roles(role) if role else None,
            add_groups=tuple(group or ()),
            remove_groups=tuple(leave or ()),
            clearance=clearance,
        )
    out.print(
        f"user {record.name}: roles {', '.join(record.roles)}; clearance {record.clearance}; "
        f"groups {', '.join(record.groups) or '-'}"
    )
