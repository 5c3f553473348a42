"""`casegraph resolve` and `casegraph review` as a user meets them, and a run killed
mid-way that resumes where it stopped."""

from __future__ import annotations

import io
import os
import signal
import subprocess
import sys
import time

import pytest
from rich.console import Console
from sqlalchemy import func, select

from casegraph.cli.app import main
from casegraph.cli.resolve_cmd import ResolveProgress
from casegraph.security.context import Context
from casegraph.services.resolve import PairProgress, resolve
from casegraph.services.store import Store
from casegraph.settings import Settings
from casegraph.store.tables import resolve_entity, resolve_judgement, resolve_pair, resolve_run
from tests.services.resolve_support import clusters, planted, write

CHUNK = "30"
ENTITIES = 600  # the planted people and companies of the kill-and-resume test


def _count(store: Store, table: object) -> int:
    with store.engine.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(table)).scalar_one())  # type: ignore[arg-type]


def test_resolve_show_judge_undo_from_the_cli(
    store: Store, owner: Context, cli_env: Settings, capsys: pytest.CaptureFixture[str]
) -> None:
    write(store, owner, "registry", planted("registry", people=range(6), companies=range(3)))
    assert main(["resolve", "--quiet"]) == 0
    text = capsys.readouterr().out
    assert "run 1 over registry: 18 records" in text
    assert "9 merges into 9 canonical entities" in text and "pairs/s" in text

    assert main(["resolve", "show", "p2-0"]) == 0
    shown = capsys.readouterr().out
    assert "cg-" in shown and "p2-0" in shown and "p2-1" in shown

    assert main(["resolve", "judge", "p2-0", "p2-1", "no", "--note", "twins"]) == 0
    assert "recorded negative for p2-0 and p2-1: not merged" in capsys.readouterr().out
    assert main(["resolve", "show", "p2-0"]) == 0
    assert "stands on its own" in capsys.readouterr().out

    assert main(["resolve", "undo", "c1-0"]) == 0
    assert "detached c1-0 from 1 entities" in capsys.readouterr().out
    assert main(["resolve", "--quiet"]) == 0  # nothing new: nothing scored, nothing redone
    capsys.readouterr()
    assert frozenset({"c1-0", "c1-1"}) not in clusters(store)

    assert main(["resolve", "judge", "p2-0", "p2-1", "perhaps"]) == 5
    assert main(["resolve", "show", "no-such-entity"]) == 4
    assert main(["resolve", "--dataset", "no-such-dataset"]) == 4
    err = capsys.readouterr().err
    assert "yes, no or unsure" in err and "Traceback" not in err


def test_review_decides_pairs_from_input_lines(
    store: Store,
    owner: Context,
    cli_env: Settings,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    write(store, owner, "registry", planted("registry", people=range(6), companies=range(3)))
    assert main(["resolve", "--quiet", "--upper", "0.9999999"]) == 0  # everything queued
    capsys.readouterr()
    monkeypatch.setattr(sys, "stdin", io.StringIO("y\nn\nx\nu\ns\n"))
    assert main(["review", "--limit", "4"]) == 0
    text = capsys.readouterr().out
    assert "1 of 4" in text and "4 of 4" in text
    assert "records" in text and "why" in text and "prior" in text and "probability" in text
    assert "please answer y, n, u, s or q" in text
    assert "1 same, 1 different, 1 unsure, 1 skipped" in text
    with store.engine.connect() as conn:
        rows = conn.execute(select(resolve_judgement.c.verdict, resolve_judgement.c.source)).all()
    assert sorted(rows) == [("negative", "review"), ("positive", "review"), ("unsure", "review")]

    monkeypatch.setattr(sys, "stdin", io.StringIO(""))  # end of input quits
    assert main(["review"]) == 0
    assert "0 same, 0 different, 0 unsure, 0 skipped" in capsys.readouterr().out


def _wait_for_the_run(store: Store, process: subprocess.Popen[bytes]) -> None:
    """Until the run's row exists: the records are then being read and scored, which
    takes seconds, and nothing is committed before the scoring ends."""
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError("the run ended before it could be killed")
        try:
            if _count(store, resolve_run) > 0:
                return
        except Exception:  # noqa: BLE001 - the database may be busy: look again
            pass
        time.sleep(0.002)
    raise AssertionError("the run did not start in time")


class _StopAfter:
    """A progress display that stops the run (like Ctrl-C) after some chunks were
    committed: the interruption lands between commits, every time."""

    def __init__(self, chunks: int) -> None:
        self.left = chunks

    def start(self, *, description: str, total: int | None) -> None:
        return None

    def advance(self, rows: int) -> None:
        self.left -= 1
        if self.left == 0:
            raise KeyboardInterrupt

    def finish(self) -> None:
        return None


def _resume_and_compare(
    store: Store, owner: Context, capsys: pytest.CaptureFixture[str], done_before: int
) -> None:
    """Resume with the command; the result equals one uninterrupted run's."""
    code = main(["resolve", "--chunk-size", CHUNK, "--quiet"])
    text = capsys.readouterr().out
    assert code == 0, text
    assert "resumed run 1" in text
    assert f"{ENTITIES - done_before} new or changed scored" in text
    with store.engine.connect() as conn:
        run = conn.execute(select(resolve_run)).one()
    assert run.status == "completed" and run.entities == ENTITIES
    stored = _count(store, resolve_pair)
    assert run.pairs == stored  # every pair written once: none scored twice
    resumed = clusters(store)
    assert len(resumed) == ENTITIES // 2

    # The same data in one uninterrupted run gives the same pairs and clusters.
    again = resolve(store, owner, full=True, chunk_size=int(CHUNK))
    assert (again.scored, again.pairs) == (ENTITIES, stored)
    assert clusters(store) == resumed


def test_a_run_interrupted_between_commits_resumes_where_it_stopped(
    store: Store, owner: Context, cli_env: Settings, capsys: pytest.CaptureFixture[str]
) -> None:
    write(store, owner, "registry", planted("registry", people=range(200), companies=range(100)))
    with pytest.raises(KeyboardInterrupt):
        resolve(store, owner, chunk_size=int(CHUNK), progress=_StopAfter(3))
    done_before = _count(store, resolve_entity)
    assert done_before == 3 * int(CHUNK)  # three chunks committed, the rest not
    with store.engine.connect() as conn:
        assert conn.execute(select(resolve_run.c.status)).scalar_one() == "failed"
    _resume_and_compare(store, owner, capsys, done_before)


def test_a_killed_run_resumes_and_ends_as_an_uninterrupted_run(
    store: Store, owner: Context, cli_env: Settings, capsys: pytest.CaptureFixture[str]
) -> None:
    write(store, owner, "registry", planted("registry", people=range(200), companies=range(100)))
    command = [sys.executable, "-m", "casegraph", "resolve", "--chunk-size", CHUNK, "--quiet"]
    process = subprocess.Popen(
        command, env=dict(os.environ), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    try:
        _wait_for_the_run(store, process)
        process.send_signal(signal.SIGKILL)  # kill -9: no handler runs, the row says running
    finally:
        process.wait(timeout=60)
    done_before = _count(store, resolve_entity)
    assert done_before < ENTITIES
    with store.engine.connect() as conn:
        assert conn.execute(select(resolve_run.c.status)).scalar_one() == "running"
    _resume_and_compare(store, owner, capsys, done_before)


def test_the_progress_bar_shows_entities_and_pairs_per_second() -> None:
    console = Console(file=io.StringIO(), width=160)
    bar = ResolveProgress(console)
    assert isinstance(bar, PairProgress)
    bar.start(description="resolving", total=10)
    bar.advance(4)
    bar.pairs(1234)
    bar.advance(6)
    bar.finish()
    shown = console.file.getvalue()  # type: ignore[attr-defined]
    assert "10/10" in shown and "1,234 pairs" in shown and "pairs/s" in shown
