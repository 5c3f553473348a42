"""Streaming exports (disclosures): FtM entity JSON lines and statement CSV.

An export is a disclosure under the Policy: it needs a purpose, covers only what the
actor may read, and names its recipients. Its audit event lists every entity it
contains and is committed before the first byte is written; the stream then carries
exactly those entities.
"""

from __future__ import annotations

import csv
from collections.abc import Iterator, Sequence
from typing import IO

import orjson

from casegraph.errors import PurposeRequiredError
from casegraph.security.audit_event import ActionClass, dataset_object, entity_object
from casegraph.security.context import Context
from casegraph.security.policy import Decision, Operation, Scope, allow
from casegraph.services import audit
from casegraph.services.access import allowance, authorize_dataset, denial
from casegraph.services.entities import iter_entities, iter_entity_ids, iter_statements
from casegraph.services.store import Store

#: The column order of followthemoney's statement CSV format (`ftm` statement tools).
STATEMENT_CSV_COLUMNS = (
    "id",
    "entity_id",
    "canonical_id",
    "prop",
    "prop_type",
    "schema",
    "value",
    "dataset",
    "lang",
    "original_value",
    "external",
    "first_seen",
    "last_seen",
    "origin",
)


def _disclose(
    store: Store,
    ctx: Context,
    *,
    operation: str,
    datasets: Sequence[str] | None,
    schema: str | None,
    recipients: Sequence[str],
) -> tuple[Scope, list[list[str]]]:
    """Decide, collect the entity ids, and commit the disclosure event; returns the
    scope and the pages of ids the export may then write."""
    objects = tuple(dataset_object(d) for d in datasets or ())
    if ctx.purpose is None:
        audit.refuse(
            store,
            ctx,
            denial(
                action=ActionClass.DISCLOSE,
                operation=operation,
                decision=Decision(False, "an export needs a purpose", "purpose"),
                objects=objects,
            ),
            PurposeRequiredError(
                "an export needs a purpose: pass --purpose 'case:REF' or a written justification"
            ),
        )
    decision = allow("export of the datasets the actor may read", "scope")
    for name in datasets or ():
        _, decision = authorize_dataset(
            store,
            ctx,
            op=Operation.EXPORT,
            action=ActionClass.DISCLOSE,
            operation=operation,
            name=name,
        )
    scope = store.policy.read_scope(ctx)
    pages = list(iter_entity_ids(store, scope, datasets=datasets, schema=schema))
    ids = tuple(entity_object(i) for page in pages for i in page)
    audit.record_alone(
        store,
        ctx,
        allowance(
            action=ActionClass.DISCLOSE,
            operation=operation,
            decision=decision,
            objects=(*objects, *ids),
            recipients=tuple(recipients) or (ctx.actor.name,),
        ),
    )
    return scope, pages


def export_ftm(
    store: Store,
    ctx: Context,
    out: IO[bytes],
    *,
    datasets: Sequence[str] | None = None,
    schema: str | None = None,
    recipients: Sequence[str] = (),
) -> int:
    """Write one FtM entity JSON object per line; returns the number of entities.

    `recipients` name who receives the export; by default, the actor."""
    scope, pages = _disclose(
        store,
        ctx,
        operation="export.ftm",
        datasets=datasets,
        schema=schema,
        recipients=recipients,
    )
    count = 0
    for entity in iter_entities(store, scope, iter(pages), datasets=datasets):
        out.write(orjson.dumps(entity.to_ftm()) + b"\n")
        count += 1
    return count


def export_statements_csv(
    store: Store,
    ctx: Context,
    out: IO[str],
    *,
    datasets: Sequence[str] | None = None,
    recipients: Sequence[str] = (),
) -> int:
    """Write every statement with its provenance; returns the number of statements."""
    scope, pages = _disclose(
        store,
        ctx,
        operation="export.statements",
        datasets=datasets,
        schema=None,
        recipients=recipients,
    )
    writer = csv.writer(out)
    writer.writerow(STATEMENT_CSV_COLUMNS)
    count = 0
    stream: Iterator[list[str]] = iter(pages)
    for s in iter_statements(store, scope, stream, datasets=datasets):
        writer.writerow(
            [
                s.id,
                s.entity_id,
                s.entity_id,
                s.prop,
                s.prop_type,
                s.schema,
                s.value,
                s.dataset,
                s.lang or "",
                s.original_value or "",
                "f",
                s.first_seen,
                s.last_seen,
                s.origin or "",
            ]
        )
        count += 1
    return count
