"""Match judgements and undo: a human's word over the scores, audited as `combine`.

Judgements are appended, never edited: the current verdict on a pair is its latest
row, and the history says who decided what, when. A negative verdict splits a cluster
that joined the pair at once (its cluster is clustered again), a positive one merges
them; no later run overrides either, whatever the scores. `undo` detaches an entity
from its cluster by recording negative judgements (source "undo") against each other
member, so the merge a human reversed is never redone.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Connection, insert, select

from casegraph.errors import InvalidInputError
from casegraph.resolve.clusters import DEFAULT_MAX_SIZE, DEFAULT_UPPER
from casegraph.security.audit_event import ActionClass, entity_object
from casegraph.security.context import Context
from casegraph.services import audit
from casegraph.services.access import allowance
from casegraph.services.clock import utc_now
from casegraph.services.resolve_access import require_combine, require_visible, visible_ids
from casegraph.services.resolve_clusters import cluster_members, ordered, recluster
from casegraph.services.store import Store
from casegraph.store.tables import resolve_cluster, resolve_judgement, resolve_run

#: What a user may type for each verdict.
VERDICT_WORDS = {
    "positive": "positive",
    "yes": "positive",
    "y": "positive",
    "same": "positive",
    "negative": "negative",
    "no": "negative",
    "n": "negative",
    "different": "negative",
    "unsure": "unsure",
    "u": "unsure",
}
SOURCES = ("review", "undo", "cli")


def parse_verdict(word: str) -> str:
    verdict = VERDICT_WORDS.get(word.strip().lower())
    if verdict is None:
        raise InvalidInputError(f"unknown verdict {word!r}: use yes, no or unsure")
    return verdict


@dataclass(frozen=True, slots=True)
class Judgement:
    left: str
    right: str
    verdict: str
    canonical: str | None  # the canonical id of `left` afterwards (None: on its own)
    together: bool  # whether the two are in one cluster afterwards


@dataclass(frozen=True, slots=True)
class Undone:
    entity_id: str
    detached_from: tuple[str, ...]  # the former fellow members the actor may see


def _thresholds(conn: Connection) -> tuple[float, int]:
    """The clustering thresholds of the latest run (the defaults before any run)."""
    row = conn.execute(
        select(resolve_run.c.upper, resolve_run.c.max_size).order_by(resolve_run.c.id.desc())
    ).first()
    return (DEFAULT_UPPER, DEFAULT_MAX_SIZE) if row is None else (row.upper, row.max_size)


def _canonical(conn: Connection, entity_id: str) -> str | None:
    return conn.execute(
        select(resolve_cluster.c.canonical_id).where(resolve_cluster.c.entity_id == entity_id)
    ).scalar()


def _append(
    conn: Connection,
    ctx: Context,
    pair: tuple[str, str],
    verdict: str,
    note: str | None,
    source: str,
) -> None:
    conn.execute(
        insert(resolve_judgement).values(
            left_id=pair[0],
            right_id=pair[1],
            verdict=verdict,
            actor=ctx.actor.name,
            created_at=utc_now(),
            note=note,
            source=source,
        )
    )


def judge(
    store: Store,
    ctx: Context,
    left: str,
    right: str,
    verdict: str,
    *,
    note: str | None = None,
    source: str = "cli",
) -> Judgement:
    """Record that `left` and `right` are the same (positive), not (negative) or that
    the actor cannot tell (unsure); the clusters follow at once."""
    verdict = parse_verdict(verdict)
    if source not in SOURCES:
        raise InvalidInputError(f"unknown judgement source {source!r}")
    if left == right:
        raise InvalidInputError("a judgement needs two different entities")
    pair = ordered(left, right)
    objects = (entity_object(left), entity_object(right))
    require_visible(store, ctx, pair, action=ActionClass.COMBINE, operation="resolve.judge")
    decision = require_combine(store, ctx, operation="resolve.judge", objects=objects)
    with store.engine.begin() as conn:
        _append(conn, ctx, pair, verdict, note, source)
        upper, max_size = _thresholds(conn)
        recluster(conn, upper=upper, max_size=max_size, now=utc_now(), entities=pair)
        canon_left, canon_right = _canonical(conn, left), _canonical(conn, right)
        audit.record(
            conn,
            store,
            ctx,
            allowance(
                action=ActionClass.COMBINE,
                operation="resolve.judge",
                decision=decision,
                objects=objects,
            ),
        )
    return Judgement(
        left=left,
        right=right,
        verdict=verdict,
        canonical=canon_left,
        together=canon_left is not None and canon_left == canon_right,
    )


def undo(store: Store, ctx: Context, entity_id: str, *, note: str | None = None) -> Undone:
    """Detach `entity_id` from its canonical entity; no later run merges it back."""
    require_visible(store, ctx, [entity_id], action=ActionClass.COMBINE, operation="resolve.undo")
    decision = require_combine(
        store, ctx, operation="resolve.undo", objects=(entity_object(entity_id),)
    )
    scope = store.policy.read_scope(ctx)
    with store.engine.begin() as conn:
        others = sorted(cluster_members(conn, [entity_id]) - {entity_id})
        for other in others:
            _append(conn, ctx, ordered(entity_id, other), "negative", note, "undo")
        upper, max_size = _thresholds(conn)
        recluster(
            conn, upper=upper, max_size=max_size, now=utc_now(), entities=[entity_id, *others]
        )
        shown = visible_ids(conn, others, scope)
        audit.record(
            conn,
            store,
            ctx,
            allowance(
                action=ActionClass.COMBINE,
                operation="resolve.undo",
                decision=decision,
                objects=(entity_object(entity_id), *(entity_object(o) for o in others)),
            ),
        )
    return Undone(entity_id=entity_id, detached_from=tuple(o for o in others if o in shown))
