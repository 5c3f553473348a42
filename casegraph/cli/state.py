"""What every command shares: settings, the store, and who acts for which purpose.

The CLI acts as a user: `CASEGRAPH_TOKEN` (an API token), or `--user NAME` with the
password from `CASEGRAPH_PASSWORD` or a prompt. Either way the login or token use is
audited before the command runs.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

import typer
from rich.console import Console

from casegraph.errors import AuthenticationError
from casegraph.security.context import Context
from casegraph.security.purpose import parse_purpose
from casegraph.services.authentication import authenticate_token, login
from casegraph.services.store import Store, open_store
from casegraph.settings import Settings, load_settings

out = Console(soft_wrap=True)
err = Console(stderr=True, soft_wrap=True)

TOKEN_ENV = "CASEGRAPH_TOKEN"
PASSWORD_ENV = "CASEGRAPH_PASSWORD"


@dataclass(slots=True)
class State:
    data_dir: Path | None = None
    debug: bool = False
    user: str | None = None
    purpose: str | None = None
    _context: Context | None = field(default=None, init=False)

    def settings(self) -> Settings:
        return load_settings(data_dir=self.data_dir)

    def store(self) -> Store:
        return open_store(self.settings())

    def context(self, store: Store) -> Context:
        """Authenticate once per command (audited) and attach the purpose."""
        if self._context is None:
            purpose = parse_purpose(self.purpose)
            token = os.environ.get(TOKEN_ENV)
            if self.user:
                password = os.environ.get(PASSWORD_ENV)
                if password is None:
                    password = typer.prompt(f"password for {self.user}", hide_input=True)
                actor = login(store, self.user, password)
            elif token:
                actor = authenticate_token(store, token)
            else:
                raise AuthenticationError(
                    f"who is acting? pass --user NAME (password from {PASSWORD_ENV} or a "
                    f"prompt) or set {TOKEN_ENV} (see `casegraph token create`)"
                )
            self._context = Context(actor=actor, purpose=purpose)
        return self._context


def state(ctx: typer.Context) -> State:
    obj = ctx.find_root().obj
    if not isinstance(obj, State):  # pragma: no cover - set by the root callback
        raise RuntimeError("casegraph CLI state missing")
    return obj
