"""`casegraph token create|revoke`."""

from __future__ import annotations

from typing import Annotated

import typer

from casegraph.cli.state import err, out, state
from casegraph.services import authentication

app = typer.Typer(
    help="API tokens: how scripts and the CLI act as a user (CASEGRAPH_TOKEN).\n\n"
    "Examples:\n\n  casegraph token create --label laptop --expires-days 30\n\n"
    "  casegraph token create --user dpo\n\n  casegraph token revoke 4be1c0a9d2f3",
    no_args_is_help=True,
    rich_markup_mode=None,
)


@app.command("create")
def create(
    ctx: typer.Context,
    user: Annotated[str | None, typer.Option(help="Admins: make the token for this user.")] = None,
    label: Annotated[str | None, typer.Option(help="What the token is for.")] = None,
    expires_days: Annotated[float, typer.Option(help="Days until it expires; 0 for never.")] = 90,
) -> None:
    """Create a token; it is printed once and only its hash is kept.

    Examples:

      casegraph token create --label laptop

      casegraph token create --user dpo --expires-days 7

      export CASEGRAPH_TOKEN=$(casegraph token create --label ci)
    """
    with state(ctx).store() as store:
        secret, record = authentication.create_token(
            store,
            state(ctx).context(store),
            user=user,
            label=label,
            expires_days=expires_days or None,
        )
    expiry = record.expires_at or "never"
    err.print(f"token {record.id} for {record.user}, expires {expiry}; it is shown only now:")
    out.print(secret, highlight=False, soft_wrap=True)


@app.command("revoke")
def revoke(
    ctx: typer.Context,
    token_id: Annotated[str, typer.Argument(help="The token id (the part after cgt_).")],
) -> None:
    """Revoke a token (your own, or anyone's for admins).

    Example:

      casegraph token revoke 4be1c0a9d2f3
    """
    with state(ctx).store() as store:
        record = authentication.revoke_token(store, state(ctx).context(store), token_id)
    out.print(f"token {record.id} of {record.user} revoked at {record.revoked_at}")
