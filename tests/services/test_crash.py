"""Crash consistency: writers killed with SIGKILL, again and again.

A writer process (forked from the test, with its own engine) loops over governed
writes (corrections, ingests into new and existing datasets, dataset registrations
and grants) and, after each call returns (its commit acknowledged), appends an ACK
line saying what it wrote and fsyncs it. The test kills it at a random moment, then
checks the store:

- no acknowledged write is lost;
- no data change exists without its audit event, and no event without its change;
- the audit log verifies: seqs gapless, every leaf, every checkpoint (one every 7
  events, so checkpoints are written while the kills happen) and the head.
"""

from __future__ import annotations

import json
import multiprocessing
import os
import random
import signal
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select, text

from casegraph.model.dataset import DatasetMeta
from casegraph.security.actor import parse_roles
from casegraph.security.context import Context
from casegraph.security.policy import Level
from casegraph.services.corrections import add_correction
from casegraph.services.datasets import grant_dataset, register_dataset
from casegraph.services.identity import add_user, create_owner
from casegraph.services.ingest import ingest
from casegraph.services.store import Store, init_store, open_store
from casegraph.settings import Settings
from casegraph.store.tables import dataset, dataset_grant, ingest_run, statement
from tests.conftest import OWNER, OWNER_GROUP
from tests.helpers import add_dataset, context_for
from tests.services.audit_support import check_log, entity_ids, people, verify_twice, write_ftm

CYCLES = 50
#: The issue's limit for the 50 cycles, per backend.
BUDGET_S = 60.0
CHECKPOINT_EVERY = 7
PURPOSE = "case:CRASH-1"
FEED = "feed"  # an existing dataset that ingests write into
TARGETS = "registry"  # the dataset whose entities get corrected
#: How long a writer writes before the kill (from its first write on): up to several writes.
LIFETIME_S = (0.0, 0.25)
KINDS = ("correct", "ingest-new", "register", "ingest-existing", "grant")


@pytest.fixture
def crash_store(settings: Settings) -> Iterator[Store]:
    store = init_store(settings, checkpoint_every=CHECKPOINT_EVERY)
    create_owner(store, name=OWNER, password=None, group=OWNER_GROUP)
    try:
        yield store
    finally:
        store.close()


# --- The writer (runs in the forked child) -----------------------------------------


def _write_one(
    store: Store, ctx: Context, kind: str, tag: str, files: Path, target: str
) -> dict[str, Any]:
    """One governed write; returns what it wrote, for the ACK."""
    if kind == "correct":
        name, entity = f"corr-{tag}", target
        row = add_correction(
            store, ctx, entity_id=entity, prop="alias", value=f"Alias {tag}", dataset=name
        )
        return {"dataset": name, "entity": entity, "statement": row.id}
    if kind in ("ingest-new", "ingest-existing"):
        name = f"ing-{tag}" if kind == "ingest-new" else FEED
        path = write_ftm(files / f"{tag}.ftm.json", people(f"{tag}-", 3))
        result = ingest(store, ctx, path, meta=DatasetMeta(name=name, title="", marking=""))
        return {"dataset": name, "run": result.run_id, "statements": result.statements}
    if kind == "register":
        name = f"reg-{tag}"
        register_dataset(store, ctx, DatasetMeta(name=name, title=tag, marking="INTERNAL"))
        return {"dataset": name}
    group = f"g-{tag}"
    grant_dataset(store, ctx, TARGETS, group=group, level=Level.READ)
    return {"dataset": TARGETS, "group": group}


def _writer(
    settings: Settings, cycle: int, acks: Path, files: Path, targets: list[str], ready: Any
) -> None:
    """Write until killed; ACK each write once its call has returned (committed)."""
    store = open_store(settings)  # a fresh engine: never the parent's connections
    ctx = context_for(store, OWNER, purpose=PURPOSE)
    fd = os.open(acks, os.O_WRONLY | os.O_CREAT | os.O_APPEND)
    ready.set()
    for i in range(1_000_000):
        kind, tag = KINDS[(cycle + i) % len(KINDS)], f"c{cycle}-{i}"
        wrote = _write_one(store, ctx, kind, tag, files, targets[i % len(targets)])
        os.write(fd, (json.dumps({"kind": kind, **wrote}) + "\n").encode())
        os.fsync(fd)


# --- The checks (in the test process) ----------------------------------------------


@dataclass(slots=True)
class Tally:
    acked: int = 0
    checkpoints: int = 0
    events: int = 0
    by_kind: Counter[str] = field(default_factory=Counter)


def _acks(path: Path) -> list[dict[str, Any]]:
    """The complete ACK lines (a kill may cut the last one short)."""
    if not path.exists():
        return []
    text = path.read_text(encoding="utf-8")
    return [json.loads(line) for line in text.split("\n")[:-1]]


def _check_acked(store: Store, acks: list[dict[str, Any]]) -> None:
    """No acknowledged write is lost."""
    with store.engine.connect() as conn:
        for ack in acks:
            kind = ack["kind"]
            if kind == "correct":
                found = conn.execute(
                    select(statement.c.value).where(
                        statement.c.entity_id == ack["entity"],
                        statement.c.id == ack["statement"],
                        statement.c.dataset == ack["dataset"],
                    )
                ).scalar()
                assert found is not None, f"acknowledged correction lost: {ack}"
            elif kind.startswith("ingest"):
                run = conn.execute(select(ingest_run).where(ingest_run.c.id == ack["run"])).first()
                assert run is not None, f"acknowledged ingest run lost: {ack}"
                assert (run.dataset, run.status, run.statements) == (
                    ack["dataset"],
                    "completed",
                    ack["statements"],
                ), ack
            elif kind == "register":
                found = conn.execute(
                    select(dataset.c.name).where(dataset.c.name == ack["dataset"])
                ).scalar()
                assert found is not None, f"acknowledged dataset lost: {ack}"
            else:
                found = conn.execute(
                    select(dataset_grant.c.level).where(
                        dataset_grant.c.dataset == ack["dataset"],
                        dataset_grant.c.group_name == ack["group"],
                    )
                ).scalar()
                assert found is not None, f"acknowledged grant lost: {ack}"


def _name(obj: str, prefix: str) -> str | None:
    return obj[len(prefix) :] if obj.startswith(prefix) else None


def _check_changes_have_events(store: Store, events: list[Any]) -> None:
    """Every data change the writers make has its event, and every event its change."""
    corrections: Counter[tuple[str, str]] = Counter()  # (dataset, entity) per alter event
    runs: Counter[int] = Counter()
    run_dataset: dict[int, str] = {}
    created: set[str] = set()  # datasets an event accounts for
    registered: set[str] = set()
    grants: set[tuple[str, str]] = set()
    for e in events:
        if e.decision != "allow":
            continue
        datasets = {d for o in e.objects if (d := _name(o, "dataset:")) is not None}
        if e.operation == "entity.correct":
            assert e.action == "alter"
            (entity,) = [x for o in e.objects if (x := _name(o, "entity:")) is not None]
            (name,) = datasets
            corrections[(name, entity)] += 1
            created |= datasets
        elif e.operation in ("ingest", "ingest.resume"):
            assert e.action == "collect"
            (run,) = [int(x) for o in e.objects if (x := _name(o, "run:")) is not None]
            runs[run] += 1
            (run_dataset[run],) = datasets
            created |= datasets
        elif e.operation == "dataset.register":
            registered |= datasets
            created |= datasets
        elif e.operation == "dataset.grant":
            (group,) = [x for o in e.objects if (x := _name(o, "group:")) is not None]
            (name,) = datasets
            grants.add((name, group))

    with store.engine.connect() as conn:
        stored = {r.name: r.user_owned for r in conn.execute(select(dataset))}
        values = Counter(
            (r.dataset, r.entity_id)
            for r in conn.execute(
                select(statement.c.dataset, statement.c.entity_id).where(
                    statement.c.dataset.like("corr-%"), statement.c.prop != "id"
                )
            )
        )
        bases = Counter(
            r.dataset
            for r in conn.execute(
                select(statement.c.dataset).where(
                    statement.c.dataset.like("corr-%"), statement.c.prop == "id"
                )
            )
        )
        run_rows = {
            r.id: r
            for r in conn.execute(
                select(ingest_run.c.id, ingest_run.c.dataset, ingest_run.c.statements)
            )
        }
        ingested: dict[str, int] = {
            name: int(n)
            for name, n in conn.execute(
                select(statement.c.dataset, func.count())
                .where(statement.c.dataset.like("ing-%") | (statement.c.dataset == FEED))
                .group_by(statement.c.dataset)
            )
        }
        grant_rows = {(r.dataset, r.group_name) for r in conn.execute(select(dataset_grant))}

    # Corrections: one value (and one base statement) per alter event, and back.
    assert values == corrections, "corrections and their alter events differ"
    assert set(bases) == {d for d, _ in corrections} and set(bases.values()) <= {1}
    # Ingest runs: exactly one collect event per run, naming the run's dataset.
    assert set(runs) == set(run_rows), "ingest runs and their collect events differ"
    assert set(runs.values()) <= {1}
    assert all(run_dataset[i] == run_rows[i].dataset for i in run_rows)
    # Every statement of an ingest was written with its run's counters (one transaction).
    per_dataset: Counter[str] = Counter()
    for row in run_rows.values():
        if row.dataset != TARGETS:  # the set-up's ingest
            per_dataset[row.dataset] += row.statements
    assert ingested == {d: n for d, n in per_dataset.items() if n}, "statements outside a run"
    # Datasets: each made by a write with its event; every registration exists.
    assert set(stored) <= created | {TARGETS, FEED}, "a dataset without its event"
    assert registered <= set(stored) and {d for d, _ in corrections} <= set(stored)
    # Grants: the writers' grants and their events, both ways.
    assert {g for g in grant_rows if g[1].startswith("g-")} == {
        g for g in grants if g[1].startswith("g-")
    }
    # A dataset made by writing into it got its group's write grant in the same commit.
    made = {d for d in stored if d.startswith(("corr-", "ing-"))}
    assert {(d, OWNER_GROUP) for d in made} <= grant_rows


def _wait_until_quiet(store: Store) -> None:
    """Let the server finish with the killed writer's sessions. A commit the writer sent
    just before the kill still completes (unacknowledged): check after it, not during."""
    if store.engine.dialect.name != "postgresql":
        return  # SQLite: the writer's process is gone, and its locks with it
    others = text(
        "SELECT count(*) FROM pg_stat_activity "
        "WHERE datname = current_database() AND pid <> pg_backend_pid()"
    )
    deadline = time.monotonic() + 10
    while True:
        with store.engine.connect() as conn:
            if conn.execute(others).scalar_one() == 0:
                return
        assert time.monotonic() < deadline, "the killed writer's sessions did not end"
        time.sleep(0.005)


def _check(store: Store, acks: list[dict[str, Any]], auditor: Context) -> tuple[int, int]:
    _wait_until_quiet(store)
    _check_acked(store, acks)
    log = verify_twice(store, auditor)
    _check_changes_have_events(store, log.events)
    return len(log.events), len(log.checkpoints)


@pytest.mark.slow
def test_writers_killed_with_sigkill_lose_no_acknowledged_write_and_leave_a_verifying_log(
    crash_store: Store, tmp_path: Path
) -> None:
    store = crash_store
    owner = context_for(store, OWNER, purpose=PURPOSE)
    add_dataset(store, owner, TARGETS, "PUBLIC")
    add_dataset(store, owner, FEED, "INTERNAL")
    ingest(
        store,
        owner,
        write_ftm(tmp_path / "targets.ftm.json", people("t", 5)),
        meta=DatasetMeta(name=TARGETS, title="", marking=""),
    )
    add_user(store, owner, name="audi", roles=parse_roles("auditor"))
    auditor = context_for(store, "audi", purpose=PURPOSE)
    targets = list(entity_ids(store, TARGETS))
    files = tmp_path / "files"
    files.mkdir()
    fork = multiprocessing.get_context("fork")
    rng = random.Random(20261122)
    tally = Tally()

    first_checkpoints = len(check_log(store).checkpoints)
    started = time.monotonic()
    for cycle in range(CYCLES):
        acks_path = tmp_path / f"acks-{cycle}.jsonl"
        store.engine.dispose()  # the child must not inherit pooled connections
        ready = fork.Event()
        child = fork.Process(
            target=_writer,
            args=(store.settings, cycle, acks_path, files, targets, ready),
            daemon=True,
        )
        child.start()
        # Kill it while it writes (its start-up time varies with the machine's load).
        assert ready.wait(timeout=20), "the writer did not start"
        time.sleep(rng.uniform(*LIFETIME_S))
        assert child.pid is not None
        os.kill(child.pid, signal.SIGKILL)
        child.join()
        assert child.exitcode == -signal.SIGKILL, f"the writer died by itself: {child.exitcode}"
        acks = _acks(acks_path)
        tally.acked += len(acks)
        tally.by_kind.update(a["kind"] for a in acks)
        tally.events, tally.checkpoints = _check(store, acks, auditor)
    elapsed = time.monotonic() - started

    assert elapsed < BUDGET_S, f"{CYCLES} kill cycles took {elapsed:.1f} s"
    # The kills fell among writes of every kind, with checkpoints made along the way.
    assert tally.acked >= CYCLES // 2, tally
    assert set(tally.by_kind) == set(KINDS), tally
    assert tally.checkpoints - first_checkpoints >= CYCLES // 10, tally
    print(f"{CYCLES} cycles in {elapsed:.1f} s: {tally}")
