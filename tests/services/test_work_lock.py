"""Two resolve runs on one store never run at once, on SQLite and PostgreSQL."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from casegraph.cli.app import main
from casegraph.errors import BusyError
from casegraph.security.context import Context
from casegraph.services.resolve import resolve
from casegraph.services.store import Store
from casegraph.services.work_lock import exclusive
from casegraph.settings import Settings
from casegraph.store.tables import resolve_run
from tests.services.resolve_support import planted, write


def _runs(store: Store) -> int:
    with store.engine.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(resolve_run)).scalar_one())


def test_a_second_run_is_refused_while_one_holds_the_lock(store: Store, owner: Context) -> None:
    write(store, owner, "registry", planted("registry", people=range(3), companies=range(2)))
    with exclusive(store, "resolve"):  # another process's run, as far as the store can tell
        with pytest.raises(BusyError, match="another `casegraph resolve` is running"):
            resolve(store, owner)
        assert _runs(store) == 0  # refused before a run was recorded
    summary = resolve(store, owner)  # released: the next run goes ahead
    assert summary.merges == 5 and _runs(store) == 1


def test_the_command_says_busy_with_its_own_exit_code(
    store: Store, owner: Context, cli_env: Settings, capsys: pytest.CaptureFixture[str]
) -> None:
    write(store, owner, "registry", planted("registry", people=range(2), companies=range(1)))
    with exclusive(store, "resolve"):
        assert main(["resolve", "--quiet"]) == 11
    assert "another `casegraph resolve` is running on this store" in capsys.readouterr().err


def test_other_jobs_do_not_share_the_lock(store: Store) -> None:
    with exclusive(store, "resolve"), exclusive(store, "reindex"):
        held_twice = False
        try:
            with exclusive(store, "reindex"):
                held_twice = True
        except BusyError:
            pass
        assert not held_twice
