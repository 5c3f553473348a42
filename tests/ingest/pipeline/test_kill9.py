"""After `kill -9` in the middle of an ingest, running the same command again leaves
exactly the store an uninterrupted run leaves. A real SIGKILL to a real subprocess."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from casegraph.services.identity import create_owner
from casegraph.services.store import Store, init_store
from casegraph.settings import Settings, load_settings
from casegraph.store.tables import ingest_reject, ingest_run, statement
from tests.conftest import OWNER, OWNER_GROUP, OWNER_PASSWORD, PG_ADMIN
from tests.helpers import temporary_database
from tests.ingest.pipeline.conftest import register_rows, write_register

ROWS = 30_000
CLI = [sys.executable, "-m", "casegraph.cli.app"]


def _run_cli(settings: Settings, args: list[str]) -> subprocess.Popen[bytes]:
    env = {
        **{k: v for k, v in os.environ.items() if k != "CASEGRAPH_TOKEN"},
        "CASEGRAPH_DATA_DIR": str(settings.data_dir),
        "CASEGRAPH_DATABASE_URL": settings.database_url,
        "CASEGRAPH_USER": OWNER,
        "CASEGRAPH_PASSWORD": OWNER_PASSWORD,
    }
    return subprocess.Popen([*CLI, *args], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)


def _checkpoint(store: Store) -> tuple[int, str | None]:
    with store.engine.connect() as conn:
        row = conn.execute(select(ingest_run.c.checkpoint, ingest_run.c.status)).first()
    return (row.checkpoint, row.status) if row else (0, None)


def _content(store: Store) -> dict[str, Any]:
    """Everything the store holds, with the run's seen time factored out."""
    with store.engine.connect() as conn:
        stmts = conn.execute(select(statement).order_by(statement.c.entity_id, statement.c.id))
        rows = [tuple(r) for r in stmts]
        rejects = [
            tuple(r)[1:] for r in conn.execute(select(ingest_reject).order_by(ingest_reject.c.seq))
        ]
        runs = conn.execute(select(ingest_run)).all()
    assert len(runs) == 1
    seen = {r[-1] for r in rows} | {r[-2] for r in rows}
    assert seen == {runs[0].seen_at}, "every statement carries the one run's seen time"
    counts = (runs[0].rows_read, runs[0].rows_ingested, runs[0].rows_rejected, runs[0].status)
    return {"statements": [r[:-2] for r in rows], "rejects": rejects, "counts": counts}


@pytest.fixture
def reference_settings(settings: Settings, tmp_path: Path) -> Iterator[Settings]:
    """A second store on the same backend, for the uninterrupted reference run."""
    ref = tmp_path / "reference"
    if settings.backend == "sqlite":
        yield load_settings(data_dir=ref, database_url=f"sqlite:///{ref}/cg.sqlite")
        return
    with temporary_database(PG_ADMIN) as url:
        yield load_settings(data_dir=ref, database_url=url)


@pytest.mark.slow
def test_kill_9_then_rerun_equals_an_uninterrupted_run(
    store: Store,
    settings: Settings,
    reference_settings: Settings,
    tmp_path: Path,
    mapping_file: Path,
) -> None:
    data = write_register(tmp_path / "register.csv", register_rows(ROWS, bad_every=997))
    args = ["ingest", str(data), "--dataset", "register", "--mapping", str(mapping_file), "-q"]

    reference = init_store(reference_settings)
    create_owner(reference, name=OWNER, password=OWNER_PASSWORD, group=OWNER_GROUP)
    done = _run_cli(reference_settings, args)
    _, done_err = done.communicate(timeout=600)
    assert done.returncode == 0, done_err.decode()

    victim = _run_cli(settings, args)
    deadline = time.monotonic() + 300
    while True:
        checkpoint, status = _checkpoint(store)
        if checkpoint > 0:
            break
        assert victim.poll() is None, "the ingest finished before it could be killed"
        assert time.monotonic() < deadline
        time.sleep(0.01)
    victim.send_signal(signal.SIGKILL)
    victim.communicate()
    assert victim.returncode == -signal.SIGKILL
    killed_at, status = _checkpoint(store)
    assert status == "running" and 0 < killed_at < ROWS, "killed mid-way"

    resumed = _run_cli(settings, args)
    stdout, stderr = resumed.communicate(timeout=600)
    assert resumed.returncode == 0, stderr.decode()
    assert f"resumed run #1 after record {killed_at:,}" in stdout.decode()

    assert _content(store) == _content(reference)
    reference.close()
