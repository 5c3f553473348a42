"""The resumable ingest: batches written in transactions that also move a checkpoint.

Each batch commits its statements, its rejects and the run's counters and checkpoint
together, so after a crash (even `kill -9`) the run record says exactly how far the
store got. Running the same command again finds that run by its fingerprint, skips
the records already committed and reuses the run's `seen_at` time, so the store ends
exactly as an uninterrupted run would leave it.

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
from casegraph.ingest.records import RowError
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
from casegraph.store.tables import ingest_reject, ingest_run

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


@dataclass(slots=True)
class _Batch:
    statements: list[StatementRow]
    rejects: list[tuple[int, RowError]]
    checkpoint: int
    read: int
    ingested: int


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
                result = mapper(item)
                if isinstance(result, RowError):
                    rejects.append((seq, result))
                else:
                    for stmt in result:
                        if stmt.id not in recent:
                            recent[stmt.id] = None
                            statements.append(stmt)
                    ingested += 1
            if len(statements) >= BATCH_STATEMENTS or pending >= BATCH_ROWS:
                if len(recent) > RECENT_IDS:
                    recent.clear()
                progress.advance(pending)
                yield _Batch(statements, rejects, seq, read, ingested)
                statements, rejects = [], []
                read = ingested = pending = 0
    progress.advance(pending)
    yield _Batch(statements, rejects, max(seq, skip), read, ingested)


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
    run.checkpoint = batch.checkpoint
    run.read += batch.read
    run.ingested += batch.ingested
    run.rejected += len(batch.rejects)
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


def _check_strict(plan: Plan, progress: Progress, rejects: RejectWriter) -> tuple[int, int]:
    """The first pass of --strict: map everything, write nothing but the rejects file."""
    read = bad = 0
    for batch in _iter_batches(plan, skip=0, progress=progress):
        read += batch.read
        bad += len(batch.rejects)
        for seq, err in batch.rejects:
            rejects.write(seq, err)
    return read, bad


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
) -> IngestResult:
    """Ingest one file (or mapping) into a dataset; resumes an interrupted identical run."""
    check_dataset_name(meta.name)  # before reading anything
    bar = progress or NoProgress()
    permit = permit_write(
        store, ctx, meta, action=ActionClass.COLLECT, operation="ingest", group=group
    )
    plan = make_plan(path, dataset=meta.name, mapping=mapping, options=options)
    run = _find_or_start_run(store, ctx, plan, meta, permit, strict=strict)
    out = rejects_path or store.settings.rejects_dir / f"{meta.name}-run{run.id}.jsonl"
    started = time.monotonic()
    if strict:
        bar.start(description=f"checking {path.name}", total=plan.estimate)
        with RejectWriter(out, run_id=run.id) as reject_file:
            read, bad = _check_strict(plan, bar, reject_file)
        bar.finish()
        if bad:
            run.read, run.rejected = read, bad
            with store.engine.begin() as conn:
                conn.execute(
                    update(ingest_run)
                    .where(ingest_run.c.id == run.id)
                    .values(rows_read=read, rows_rejected=bad)
                )
            _finish(store, run, status="rejected", elapsed=time.monotonic() - started)
            raise RejectedInputError(
                f"{bad} of {read} records in {path.name} were rejected and --strict was "
                f"given, so nothing was ingested; the rejects are in {out}"
            )
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
    written_path: Path | None = None
    first: list[str] = []
    if run.rejected:
        written_path, first = export_rejects(store, run_id=run.id, path=out)
    return IngestResult(
        run_id=run.id,
        dataset=meta.name,
        read=run.read,
        ingested=run.ingested,
        rejected=run.rejected,
        statements=run.statements,
        duration_s=run.duration_s,
        status="completed",
        rejects_path=written_path,
        resumed_from=resumed_from,
        first_rejects=first,
    )
