"""What every command shares: settings from the global options, and the store."""

from __future__ import annotations

import getpass
import os
from dataclasses import dataclass
from pathlib import Path

import typer
from rich.console import Console

from casegraph.services.store import Store, open_store
from casegraph.settings import Settings, load_settings

out = Console(soft_wrap=True)
err = Console(stderr=True, soft_wrap=True)


@dataclass(slots=True)
class State:
    data_dir: Path | None = None
    debug: bool = False

    def settings(self) -> Settings:
        return load_settings(data_dir=self.data_dir)

    def store(self) -> Store:
        return open_store(self.settings())


def state(ctx: typer.Context) -> State:
    obj = ctx.find_root().obj
    if not isinstance(obj, State):  # pragma: no cover - set by the root callback
        raise RuntimeError("casegraph CLI state missing")
    return obj


def current_actor() -> str:
    """Who runs the command; the governance issue replaces this with real users."""
    return os.environ.get("CASEGRAPH_ACTOR") or getpass.getuser()
