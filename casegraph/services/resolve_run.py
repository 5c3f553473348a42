"""`resolve`: score new and changed entities, commit them in chunks, then cluster.

A run reads the comparison records of the datasets the actor may read (or of the ones
named), and scores only the entities that are new, changed (their record's fingerprint
differs) or, with `full`, all of them. The model is trained once per run and every
pending entity is scored in one prediction; the pairs, fingerprints and sources are
then committed in chunks of entities, so a killed run resumes where it stopped: the
same command finds the unfinished run and scores only what is left.

Each pair is written once, with the chunk of its later entity. The first scoring
estimates the prior over all candidate pairs (`score_pairs` without `prior`), and the
run keeps it (in `resolve_run`, so a resumed run uses it too), so a resumed run scores
exactly as one uninterrupted run would.

The run and its one `combine` event are recorded in one transaction before any work:
if the event cannot be written, nothing is done.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol, runtime_checkable

import orjson
from sqlalchemy import Connection, delete, insert, select, update

from casegraph.errors import InvalidInputError
from casegraph.ingest.progress import NoProgress, Progress
from casegraph.resolve.clusters import DEFAULT_MAX_SIZE, DEFAULT_UPPER
from casegraph.resolve.explain import ScoredPair
from casegraph.resolve.records import ResolveRecord
from casegraph.security.audit_event import ActionClass, dataset_object
from casegraph.security.context import Context
from casegraph.security.policy import Decision, Operation
from casegraph.services import audit
from casegraph.services.access import allowance, authorize_dataset, readable_datasets
from casegraph.services.clock import utc_now
from casegraph.services.resolve_access import require_combine
from casegraph.services.resolve_clusters import ordered, recluster, verdicts
from casegraph.services.resolve_records import LoadedRecords, load_records
from casegraph.services.store import Store
from casegraph.services.work_lock import exclusive
from casegraph.store.engine import execute_many
from casegraph.store.tables import (
    dataset,
    resolve_entity,
    resolve_pair,
    resolve_run,
    resolve_source,
)

#: Entities committed per chunk (with their pairs): a killed run keeps every chunk
#: committed before the kill.
CHUNK_SIZE = 5000
RESUMABLE = ("running", "failed")

log = logging.getLogger(__name__)


def _score(
    records: list[ResolveRecord],
    pending: list[str],
    labels: list[tuple[str, str, bool]],
    prior: float | None,
) -> list[ScoredPair]:
    """The pairs of the pending entities against every record (all pairs when every
    record is pending)."""
    if not pending:
        return []
    # Splink, DuckDB and pandas load here, not when any command starts (0.5 s).
    from casegraph.resolve.engine import score_pairs

    new = None if len(pending) == len(records) else set(pending)
    return score_pairs(records, new=new, labels=labels, prior=prior)


@runtime_checkable
class PairProgress(Protocol):
    """A progress display that also shows how many pairs were scored (pairs/s)."""

    def pairs(self, count: int) -> None: ...


@dataclass(frozen=True, slots=True)
class RunSummary:
    run_id: int
    resumed: bool
    datasets: tuple[str, ...]
    records: int  # entities with a comparison record
    skipped: int  # entities without one (no name, links, documents)
    scored: int  # entities scored by this run (new, changed, or all with --full)
    pairs: int  # pairs written by this run
    merges: int
    clusters: int
    queue: int
    held: int
    seconds: float

    @property
    def pairs_per_second(self) -> float:
        return self.pairs / self.seconds if self.seconds > 0 else 0.0


@dataclass(slots=True)
class _Run:
    id: int
    full: bool
    prior: float | None
    seconds: float
    resumed: bool


def _authorize(
    store: Store, ctx: Context, datasets: Sequence[str] | None
) -> tuple[list[str], Decision]:
    """The datasets the run reads, and the Policy's decision (a refusal is audited)."""
    if datasets:
        decision: Decision | None = None
        names = sorted(set(datasets))
        for name in names:
            _, decision = authorize_dataset(
                store,
                ctx,
                op=Operation.COMBINE,
                action=ActionClass.COMBINE,
                operation="resolve",
                name=name,
            )
        assert decision is not None
        return names, decision
    decision = require_combine(store, ctx, operation="resolve", objects=())
    with store.engine.connect() as conn:
        scope = store.policy.read_scope(ctx)
        names = sorted(str(r[0]) for r in conn.execute(readable_datasets(scope)))
    return names, decision


def _start(
    store: Store,
    ctx: Context,
    decision: Decision,
    names: list[str],
    *,
    full: bool,
    upper: float,
    max_size: int,
) -> _Run:
    """Resume this actor's unfinished run over the same datasets, or start one; its
    event is recorded in the same transaction."""
    key = json.dumps(names)
    with store.engine.begin() as conn:
        last = conn.execute(
            select(resolve_run)
            .where(resolve_run.c.actor == ctx.actor.name, resolve_run.c.datasets == key)
            .order_by(resolve_run.c.id.desc())
            .limit(1)
        ).first()
        resumed = last is not None and last.status in RESUMABLE and bool(last.full_run) == full
        if resumed and last is not None:
            run = _Run(last.id, full, last.prior, last.seconds, True)
            conn.execute(
                update(resolve_run)
                .where(resolve_run.c.id == run.id)
                .values(status="running", upper=upper, max_size=max_size)
            )
        else:
            run_id = conn.execute(
                insert(resolve_run)
                .values(
                    actor=ctx.actor.name,
                    status="running",
                    datasets=key,
                    full_run=full,
                    upper=upper,
                    max_size=max_size,
                    started_at=utc_now(),
                )
                .returning(resolve_run.c.id)
            ).scalar_one()
            run = _Run(run_id, full, None, 0.0, False)
        audit.record(
            conn,
            store,
            ctx,
            allowance(
                action=ActionClass.COMBINE,
                operation="resolve.resume" if resumed else "resolve",
                decision=decision,
                objects=(f"run:{run.id}", *(dataset_object(n) for n in names)),
            ),
        )
    return run


def _pending(conn: Connection, loaded: LoadedRecords, run: _Run) -> tuple[list[str], set[str]]:
    """Entities to score: new, changed, or (full run) not yet scored by this run; and
    which of them have results of an earlier run to forget."""
    query = select(
        resolve_entity.c.entity_id, resolve_entity.c.fingerprint, resolve_entity.c.run_id
    )
    stored = {r.entity_id: (r.fingerprint, r.run_id) for r in conn.execute(query)}
    pending = []
    for entity_id in sorted(loaded.records):
        previous = stored.get(entity_id)
        if (
            previous is None
            or previous[0] != loaded.fingerprints[entity_id]
            or (run.full and previous[1] != run.id)
        ):
            pending.append(entity_id)
    return pending, {e for e in pending if e in stored}


def _forget_gone(conn: Connection, loaded: LoadedRecords, names: list[str]) -> int:
    """Drop the results of entities of these (or deleted) datasets that no longer have
    a record."""
    sources: dict[str, set[str]] = {}
    for row in conn.execute(select(resolve_source)):
        sources.setdefault(row.entity_id, set()).add(row.dataset)
    existing = {row[0] for row in conn.execute(select(dataset.c.name))}
    read = set(names)  # results from deleted datasets go too
    gone = [e for e, ds in sources.items() if ds & existing <= read and e not in loaded.records]
    for start in range(0, len(gone), 500):
        _forget(conn, gone[start : start + 500])
    return len(gone)


def _forget(conn: Connection, ids: list[str]) -> None:
    # Two deletes, one per index: an OR of the two lists scans the whole table.
    conn.execute(delete(resolve_pair).where(resolve_pair.c.left_id.in_(ids)))
    conn.execute(delete(resolve_pair).where(resolve_pair.c.right_id.in_(ids)))
    conn.execute(delete(resolve_entity).where(resolve_entity.c.entity_id.in_(ids)))
    conn.execute(delete(resolve_source).where(resolve_source.c.entity_id.in_(ids)))


#: The columns of a stored pair, in the order `_pair_row` gives them.
PAIR_COLUMNS = ("left_id", "right_id", "probability", "weight", "prior", "levels",
                "status", "run_id", "scored_at")  # fmt: skip


def _pair_row(pair: ScoredPair, run_id: int, now: str) -> tuple[object, ...]:
    left, right = ordered(pair.left, pair.right)
    levels = [[level.comparison, level.level, level.weight] for level in pair.levels]
    levels_json = orjson.dumps(levels).decode()
    return (left, right, pair.probability, pair.weight, pair.prior, levels_json, "review",
            run_id, now)  # fmt: skip


def _commit_chunk(
    conn: Connection,
    run: _Run,
    chunk: list[str],
    pairs: list[ScoredPair],
    loaded: LoadedRecords,
    scored_before: set[str],
) -> None:
    now = utc_now()
    if stale := [e for e in chunk if e in scored_before]:  # a first run has none
        _forget(conn, stale)
    if pairs:
        marks = ", ".join("?" * len(PAIR_COLUMNS))
        execute_many(
            conn,
            f"INSERT INTO {resolve_pair.name} ({', '.join(PAIR_COLUMNS)}) VALUES ({marks})",
            [_pair_row(p, run.id, now) for p in pairs],
        )
    conn.execute(
        insert(resolve_entity),
        [{"entity_id": e, "fingerprint": loaded.fingerprints[e], "run_id": run.id} for e in chunk],
    )
    conn.execute(
        insert(resolve_source),
        [{"entity_id": e, "dataset": d} for e in chunk for d in loaded.sources[e]],
    )
    conn.execute(
        update(resolve_run)
        .where(resolve_run.c.id == run.id)
        .values(
            prior=run.prior,
            entities=resolve_run.c.entities + len(chunk),
            pairs=resolve_run.c.pairs + len(pairs),
        )
    )


def _check(upper: float, max_size: int, chunk_size: int) -> None:
    if not 0.0 < upper <= 1.0:
        raise InvalidInputError(f"--upper must be a probability above 0 and at most 1, not {upper}")
    if max_size < 2:
        raise InvalidInputError(f"--max-cluster must be 2 or more, not {max_size}")
    if chunk_size < 1:
        raise InvalidInputError(f"--chunk-size must be 1 or more, not {chunk_size}")


def resolve(
    store: Store,
    ctx: Context,
    *,
    datasets: Sequence[str] | None = None,
    full: bool = False,
    upper: float = DEFAULT_UPPER,
    max_size: int = DEFAULT_MAX_SIZE,
    progress: Progress | None = None,
    chunk_size: int = CHUNK_SIZE,
) -> RunSummary:
    """Resolve the entities of `datasets` (default: every dataset `ctx` may read)."""
    _check(upper, max_size, chunk_size)
    names, decision = _authorize(store, ctx, datasets)
    with exclusive(store, "resolve"):
        run = _start(store, ctx, decision, names, full=full, upper=upper, max_size=max_size)
        started = time.monotonic()
        bar = progress or NoProgress()
        try:
            summary = _work(store, ctx, run, names, upper, max_size, chunk_size, bar, started)
        except BaseException:
            with store.engine.begin() as conn:
                conn.execute(
                    update(resolve_run)
                    .where(resolve_run.c.id == run.id)
                    .values(status="failed", seconds=run.seconds + time.monotonic() - started)
                )
            raise
        finally:
            bar.finish()
    return summary


def _work(
    store: Store,
    ctx: Context,
    run: _Run,
    names: list[str],
    upper: float,
    max_size: int,
    chunk_size: int,
    bar: Progress,
    started: float,
) -> RunSummary:
    loaded = load_records(store, store.policy.read_scope(ctx), names)
    with store.engine.begin() as conn:
        _forget_gone(conn, loaded, names)
        pending, scored_before = _pending(conn, loaded, run)
        judged = verdicts(conn)
    labels = [(a, b, v == "positive") for (a, b), v in judged.items() if v != "unsure"]
    chunks = [pending[i : i + chunk_size] for i in range(0, len(pending), chunk_size)]
    position = {e: k for k, chunk in enumerate(chunks) for e in chunk}
    records = list(loaded.records.values())
    bar.start(description=f"scoring {len(pending):,} of {len(records):,} entities", total=None)
    scored = _score(records, pending, labels, run.prior)
    if run.prior is None and scored:
        run.prior = scored[0].prior
    by_chunk: list[list[ScoredPair]] = [[] for _ in chunks]
    for pair in scored:
        by_chunk[max(position.get(pair.left, -1), position.get(pair.right, -1))].append(pair)
    bar.start(description="writing", total=len(pending))
    for chunk, keep in zip(chunks, by_chunk, strict=True):
        with store.engine.begin() as conn:
            _commit_chunk(conn, run, chunk, keep, loaded, scored_before)
        bar.advance(len(chunk))
        if isinstance(bar, PairProgress):
            bar.pairs(len(keep))
    with store.engine.begin() as conn:
        stats = recluster(conn, upper=upper, max_size=max_size, now=utc_now())
        seconds = run.seconds + time.monotonic() - started
        conn.execute(
            update(resolve_run)
            .where(resolve_run.c.id == run.id)
            .values(
                status="completed",
                finished_at=utc_now(),
                merges=stats.merges,
                queue=stats.queue,
                held=stats.held,
                seconds=seconds,
            )
        )
    return RunSummary(
        run_id=run.id,
        resumed=run.resumed,
        datasets=tuple(names),
        records=len(loaded.records),
        skipped=loaded.skipped,
        scored=len(pending),
        pairs=len(scored),
        merges=stats.merges,
        clusters=stats.clusters,
        queue=stats.queue,
        held=stats.held,
        seconds=seconds,
    )
