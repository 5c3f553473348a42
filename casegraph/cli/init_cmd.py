"""`casegraph init`: the store, the audit log's signing key and the owner account."""

from __future__ import annotations

import getpass
import os
from typing import Annotated

import typer

from casegraph.cli.state import PASSWORD_ENV, out, state
from casegraph.services.authentication import owner_token
from casegraph.services.identity import create_owner, has_users
from casegraph.services.store import init_store
from casegraph.settings import DEFAULT_CHECKPOINT_EVERY, DEFAULT_MARKINGS


def init(
    ctx: typer.Context,
    markings: Annotated[
        str,
        typer.Option(
            help="Comma-separated sensitivity markings, lowest first. Kept on later runs.",
        ),
    ] = ",".join(DEFAULT_MARKINGS),
    purpose_markings: Annotated[
        str | None,
        typer.Option(
            help="Markings whose content needs a purpose to read (default: all but the "
            "lowest). Kept on later runs.",
        ),
    ] = None,
    owner: Annotated[
        str | None,
        typer.Option(help="The owner account's name (default: your login name)."),
    ] = None,
    group: Annotated[str, typer.Option(help="The owner's group.")] = "owners",
    token: Annotated[
        bool,
        typer.Option(
            "--token/--no-token",
            help="Also create an API token for the owner and print it once.",
        ),
    ] = False,
    checkpoint_every: Annotated[
        int, typer.Option(help="Sign an audit checkpoint every this many events.")
    ] = DEFAULT_CHECKPOINT_EVERY,
) -> None:
    """Create the store (or upgrade its schema), the audit log and the owner account.

    The owner is admin and analyst with the highest clearance. Their password comes
    from CASEGRAPH_PASSWORD or a prompt. The audit log's Ed25519 signing key is written
    to the data directory (or CASEGRAPH_AUDIT_KEY). Safe to run again.

    Examples:

      casegraph init --owner alice

      CASEGRAPH_PASSWORD=… casegraph --data-dir ./investigation init --owner alice --token

      CASEGRAPH_DATABASE_URL=postgresql+psycopg://me@localhost/casegraph casegraph init

      casegraph init --markings PUBLIC,INTERNAL,CONFIDENTIAL,SECRET
    """
    settings = state(ctx).settings()
    with init_store(
        settings,
        markings=tuple(markings.split(",")),
        purpose_markings=tuple(purpose_markings.split(",")) if purpose_markings else None,
        checkpoint_every=checkpoint_every,
    ) as store:
        where = store.describe()
        name = owner or os.environ.get("CASEGRAPH_USER") or getpass.getuser()
        made = None
        if not has_users(store):
            password = os.environ.get(PASSWORD_ENV)
            if password is None and not token:
                password = typer.prompt(
                    f"password for the owner {name}", hide_input=True, confirmation_prompt=True
                )
            made = create_owner(store, name=name, password=password or None, group=group)
        secret = None
        if made is not None and token:
            secret = owner_token(store, name)
        labels = ", ".join(store.markings)
        verifier = store.verifier_key
    out.print(f"casegraph store ready in {where} (markings: {labels})")
    if made is not None:
        out.print(f"owner account {made.name} created (admin, analyst; group {group})")
    out.print(f"audit log verifier key: {verifier}")
    if secret is not None:
        out.print(f"API token for {name} (shown once; export it as CASEGRAPH_TOKEN):")
        out.print(secret, highlight=False, soft_wrap=True)
