"""The resumable ingest: batches written in transactions that also move a checkpoint.

Each batch commits its statements, its rejects (and dropped values) and the run's
counters and checkpoint together, so after a crash (even `kill -9`) the run record
says exactly how far the store got. Running the same command again finds that run
by its fingerprint, skips the records already committed and reuses the run's
`seen_at` time, so the store ends exactly as an uninterrupted run would leave it.

Batches are committed on the calling thread as they are cut, so one batch at a time
is in memory. (A writer thread overlapping mapping and commits measured no gain on
either backend: the GIL serialises the Python side of both.)
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import Connection, insert, select, update

from casegraph.errors import RejectedInputError
from casegraph.ingest.plan import Plan, ReadOptions, make_plan
from casegraph.ingest.progress import NoProgress, Progress
from casegraph.ingest.records import DroppedValue, InvalidValues, RowError
from casegraph.ingest.rejects import RejectWriter
from casegraph.model.dataset import DatasetMeta, check_dataset_name
from casegraph.model.statement import StatementRow
from casegraph.security.audit_event import ActionClass, dataset_object
from casegraph.security.context import Context
from casegraph.services import audit
from casegraph.services.clock import utc_now
from casegraph.services.rejects import export_rejects
from casegraph.services.search_index import index_entities, keys_of
from casegraph.services.store import Store
from casegraph.services.writes import WritePermit, apply_permit, permit_write
from casegraph.store.bulk import upsert_statements
from casegraph.store.tables import ingest_dropped_value, ingest_reject, ingest_run

BATCH_STATEMENTS = 50_000
BATCH_ROWS = 20_000
#: Statement ids this run already sent to the store, so repeated records (the same
#: company on every row of a register) are not upserted again. Bounded: about 30 MB.
RECENT_IDS = 250_000
RESUMABLE = ("running", "failed")


@dataclass(slots=True)
class IngestResult:
    run_id: int
    dataset: str
    read: int
    ingested: int
    rejected: int
    statements: int
    duration_s: float
    status: str
    rejects_path: Path | None
    resumed_from: int | None
    first_rejects: list[str] = field(default_factory=list)
    #: Values left out of ingested records (`InvalidValues.DROP_VALUE`), listed with
    #: the rejects in `rejects_path`.
    values_dropped: int = 0
    first_dropped: list[str] = field(default_factory=list)


@dataclass(slots=True)
class _Batch:
    statements: list[StatementRow]
    rejects: list[tuple[int, RowError]]
    checkpoint: int
    read: int
    ingested: int
    #: (record number, its n-th dropped value, the value)
    dropped: list[tuple[int, int, DroppedValue]] = field(default_factory=list)


@dataclass(slots=True)
class _Run:
    id: int
    seen_at: str
    checkpoint: int
    read: int
    ingested: int
    rejected: int
    statements: int
    duration_s: float
    resumed: bool
    values_dropped: int = 0


def _find_or_start_run(
    store: Store, ctx: Context, plan: Plan, meta: DatasetMeta, permit: WritePermit, *, strict: bool
) -> _Run:
    """Register the run and its collect event in one transaction: no statement of this
    run can be committed before the event that accounts for it."""
    now = utc_now()
    actor = ctx.actor.name
    with store.engine.begin() as conn:
        apply_permit(conn, store, meta, permit)
        last = conn.execute(
            select(ingest_run)
            .where(ingest_run.c.dataset == meta.name, ingest_run.c.fingerprint == plan.fingerprint)
            .order_by(ingest_run.c.id.desc())
            .limit(1)
        ).first()
        if last is not None and last.status in RESUMABLE and not strict:
            conn.execute(
                update(ingest_run).where(ingest_run.c.id == last.id).values(status="running")
            )
            _collect_event(conn, store, ctx, permit, meta.name, last.id, resumed=True)
            return _Run(
                id=last.id,
                seen_at=last.seen_at,
                checkpoint=last.checkpoint,
                read=last.rows_read,
                ingested=last.rows_ingested,
                rejected=last.rows_rejected,
                statements=last.statements,
                duration_s=last.duration_s,
                resumed=True,
                values_dropped=last.values_dropped,
            )
        run_id = conn.execute(
            insert(ingest_run)
            .values(
                dataset=meta.name,
                source=plan.source_label,
                source_sha256=plan.source_sha256,
                source_bytes=plan.source_bytes,
                mapping=plan.mapping_label,
                fingerprint=plan.fingerprint,
                format=plan.format,
                actor=actor,
                status="running",
                strict=strict,
                seen_at=now,
                started_at=now,
            )
            .returning(ingest_run.c.id)
        ).scalar_one()
        _collect_event(conn, store, ctx, permit, meta.name, run_id, resumed=False)
    return _Run(run_id, now, 0, 0, 0, 0, 0, 0.0, False)


def _collect_event(
    conn: Connection,
    store: Store,
    ctx: Context,
    permit: WritePermit,
    dataset: str,
    run_id: int,
    *,
    resumed: bool,
) -> None:
    audit.record(
        conn,
        store,
        ctx,
        permit.event(
            action=ActionClass.COLLECT,
            operation="ingest.resume" if resumed else "ingest",
            objects=(dataset_object(dataset), f"run:{run_id}"),
        ),
    )


def _iter_batches(plan: Plan, *, skip: int, progress: Progress) -> Iterator[_Batch]:
    """Map every record after `skip`, cut into batches; records are numbered from 1."""
    seq = 0
    recent: dict[str, None] = {}
    statements: list[StatementRow] = []
    rejects: list[tuple[int, RowError]] = []
    dropped: list[tuple[int, int, DroppedValue]] = []
    # The record's dropped values; None makes the mapper reject the record instead.
    drops: list[DroppedValue] | None = None
    if plan.invalid_values is InvalidValues.DROP_VALUE:
        drops = []
    read = ingested = pending = 0
    for part in plan.parts:
        mapper = part.mapper
        for item in part.rows():
            seq += 1
            if seq <= skip:
                continue
            read += 1
            pending += 1
            if isinstance(item, RowError):
                rejects.append((seq, item))
            else:
                result = mapper(item, drops)
                if isinstance(result, RowError):
                    rejects.append((seq, result))
                else:
                    for stmt in result:
                        if stmt.id not in recent:
                            recent[stmt.id] = None
                            statements.append(stmt)
                    ingested += 1
                    if drops:
                        dropped.extend((seq, n, value) for n, value in enumerate(drops))
                        drops.clear()
            if len(statements) >= BATCH_STATEMENTS or pending >= BATCH_ROWS:
                if len(recent) > RECENT_IDS:
                    recent.clear()
                progress.advance(pending)
                yield _Batch(statements, rejects, seq, read, ingested, dropped)
                statements, rejects, dropped = [], [], []
                read = ingested = pending = 0
    progress.advance(pending)
    yield _Batch(statements, rejects, max(seq, skip), read, ingested, dropped)


def _commit_batch(conn: Connection, run: _Run, batch: _Batch) -> None:
    written = upsert_statements(conn, batch.statements, seen=run.seen_at)
    index_entities(conn, keys_of(batch.statements))
    if batch.rejects:
        conn.execute(
            insert(ingest_reject),
            [
                {
                    "run_id": run.id,
                    "seq": seq,
                    "origin": err.origin.render(),
                    "column_name": err.column,
                    "message": err.message,
                    "raw": err.raw,
                }
                for seq, err in batch.rejects
            ],
        )
    if batch.dropped:
        conn.execute(
            insert(ingest_dropped_value),
            [
                {
                    "run_id": run.id,
                    "seq": seq,
                    "n": n,
                    "origin": value.origin.render(),
                    "column_name": value.column,
                    "message": value.message,
                    "raw": value.raw,
                }
                for seq, n, value in batch.dropped
            ],
        )
    run.checkpoint = batch.checkpoint
    run.read += batch.read
    run.ingested += batch.ingested
    run.rejected += len(batch.rejects)
    run.values_dropped += len(batch.dropped)
    run.statements += written
    conn.execute(
        update(ingest_run)
        .where(ingest_run.c.id == run.id)
        .values(
            checkpoint=run.checkpoint,
            rows_read=run.read,
            rows_ingested=run.ingested,
            rows_rejected=run.rejected,
            statements=run.statements,
            values_dropped=run.values_dropped,
        )
    )


def _finish(store: Store, run: _Run, *, status: str, elapsed: float) -> None:
    run.duration_s += elapsed
    with store.engine.begin() as conn:
        conn.execute(
            update(ingest_run)
            .where(ingest_run.c.id == run.id)
            .values(status=status, finished_at=utc_now(), duration_s=run.duration_s)
        )


def _check_strict(plan: Plan, progress: Progress, rejects: RejectWriter) -> tuple[int, int, int]:
    """The first pass of --strict: map everything, write nothing but the rejects file.

    Returns the records read, the records rejected and the values that would be dropped.
    """
    read = bad = dropped = 0
    for batch in _iter_batches(plan, skip=0, progress=progress):
        read += batch.read
        bad += len(batch.rejects)
        dropped += len(batch.dropped)
        found: list[tuple[int, int, RowError | DroppedValue]] = [
            *((seq, 0, err) for seq, err in batch.rejects),
            *batch.dropped,
        ]
        for seq, _, problem in sorted(found, key=lambda item: item[:2]):
            if isinstance(problem, RowError):
                rejects.write(seq, problem)
            else:
                rejects.write_dropped(seq, problem)
    return read, bad, dropped


def _strict_refusal(name: str, read: int, bad: int, dropped: int, out: Path) -> str:
    if not dropped:
        found = f"{bad} of {read} records in {name} were rejected"
    elif bad:
        found = (
            f"{bad} of {read} records in {name} were rejected, {dropped} values would be dropped,"
        )
    else:
        found = f"{dropped} values in {name} would be dropped"
    return f"{found} and --strict was given, so nothing was ingested; the rejects are in {out}"


def ingest(
    store: Store,
    ctx: Context,
    path: Path,
    *,
    meta: DatasetMeta,
    group: str | None = None,
    mapping: Path | None = None,
    options: ReadOptions | None = None,
    strict: bool = False,
    rejects_path: Path | None = None,
    progress: Progress | None = None,
    invalid_values: InvalidValues = InvalidValues.REJECT_ROW,
) -> IngestResult:
    """Ingest one file (or mapping) into a dataset; resumes an interrupted identical run.

    A non-empty value that does not clean rejects its whole record by default; with
    `InvalidValues.DROP_VALUE` the record goes in without it (as `ftm map` does) and
    the value is counted in `values_dropped` and listed in the rejects file. `strict`
    refuses the file if any record would be rejected or any value dropped.
    """
    check_dataset_name(meta.name)  # before reading anything
    bar = progress or NoProgress()
    permit = permit_write(
        store, ctx, meta, action=ActionClass.COLLECT, operation="ingest", group=group
    )
    plan = make_plan(
        path, dataset=meta.name, mapping=mapping, options=options, invalid_values=invalid_values
    )
    run = _find_or_start_run(store, ctx, plan, meta, permit, strict=strict)
    out = rejects_path or store.settings.rejects_dir / f"{meta.name}-run{run.id}.jsonl"
    started = time.monotonic()
    if strict:
        bar.start(description=f"checking {path.name}", total=plan.estimate)
        with RejectWriter(out, run_id=run.id) as reject_file:
            read, bad, dropped = _check_strict(plan, bar, reject_file)
        bar.finish()
        if bad or dropped:
            run.read, run.rejected, run.values_dropped = read, bad, dropped
            with store.engine.begin() as conn:
                conn.execute(
                    update(ingest_run)
                    .where(ingest_run.c.id == run.id)
                    .values(rows_read=read, rows_rejected=bad, values_dropped=dropped)
                )
            _finish(store, run, status="rejected", elapsed=time.monotonic() - started)
            raise RejectedInputError(_strict_refusal(path.name, read, bad, dropped, out))
        out.unlink(missing_ok=True)
    total = plan.estimate
    bar.start(
        description=f"{'resuming' if run.resumed else 'ingesting'} {path.name}",
        total=None if total is None else max(total - run.checkpoint, 0),
    )
    resumed_from = run.checkpoint if run.resumed else None
    try:
        for batch in _iter_batches(plan, skip=run.checkpoint, progress=bar):
            with store.engine.begin() as conn:
                _commit_batch(conn, run, batch)
    except BaseException:
        bar.finish()
        _finish(store, run, status="failed", elapsed=time.monotonic() - started)
        raise
    bar.finish()
    _finish(store, run, status="completed", elapsed=time.monotonic() - started)
    exported = None
    if run.rejected or run.values_dropped:
        exported = export_rejects(store, run_id=run.id, path=out)
    return IngestResult(
        run_id=run.id,
        dataset=meta.name,
        read=run.read,
        ingested=run.ingested,
        rejected=run.rejected,
        statements=run.statements,
        duration_s=run.duration_s,
        status="completed",
        rejects_path=exported.path if exported else None,
        resumed_from=resumed_from,
        first_rejects=exported.first_rejects if exported else [],
        values_dropped=run.values_dropped,
        first_dropped=exported.first_dropped if exported else [],
    )
