"""Reading resolution results under the Policy: the review queue, a pair's explanation,
an entity's canonical entity, and the canonical ids of many entities at once. Each is a
consultation with one audit event, committed
before anything is returned; only entities the actor may see (`resolve_access.visible`)
are ever returned or counted. The web review screen reuses these as they are.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import NoReturn

from sqlalchemy import Connection, and_, exists, func, select

from casegraph.errors import InvalidInputError, PurposeRequiredError
from casegraph.model.entity import assemble
from casegraph.resolve.explain import LevelReached
from casegraph.resolve.records import record_of
from casegraph.security.audit_event import ActionClass, entity_object
from casegraph.security.context import Context
from casegraph.security.policy import Decision, Scope, allow
from casegraph.services import audit
from casegraph.services.access import allowance, denial
from casegraph.services.entities import entity_statements, in_scope
from casegraph.services.resolve_access import require_visible, visible, visible_ids
from casegraph.services.resolve_clusters import QUEUED, ordered
from casegraph.services.store import Store
from casegraph.store.tables import resolve_cluster, resolve_judgement, resolve_pair, statement

MAX_LIMIT = 1000
#: Candidates read (closest to a coin toss first) before ranking them by impact.
CANDIDATES_PER_ITEM = 20
#: Ids per query in bulk reads: far below the bind-parameter limits of both backends.
BATCH = 1000


@dataclass(frozen=True, slots=True)
class QueueItem:
    left: str
    right: str
    left_caption: str
    right_caption: str
    probability: float
    status: str  # review, or held (a merge that would grow a cluster past its limit)
    impact: float  # cluster sizes it would join × uncertainty: the queue's order


@dataclass(frozen=True, slots=True)
class RecordView:
    """One side of a pair: what the comparison saw, from statements the actor may read."""

    entity_id: str
    schema: str
    caption: str
    features: Mapping[str, tuple[str, ...]]


@dataclass(frozen=True, slots=True)
class PairExplanation:
    left: RecordView
    right: RecordView
    probability: float | None  # None: never scored (no blocking rule paired them)
    weight: float | None  # = prior + the levels' weights, in bits (log2 odds)
    prior: float | None
    levels: tuple[LevelReached, ...]
    status: str | None
    verdict: str | None  # the current judgement
    judged_by: str | None


@dataclass(frozen=True, slots=True)
class Member:
    entity_id: str
    caption: str


@dataclass(frozen=True, slots=True)
class Canonical:
    entity_id: str
    canonical_id: str | None  # None: the entity stands on its own
    members: tuple[Member, ...]  # the members the actor may see (the entity included)
    since: str | None


def _captions(conn: Connection, ids: Sequence[str], scope: Scope) -> dict[str, str]:
    """A name of each entity, from statements in scope."""
    if not ids:
        return {}
    query = (
        select(statement.c.entity_id, func.min(statement.c.value))
        .where(
            statement.c.entity_id.in_(list(ids)),
            statement.c.prop_type == "name",
            in_scope(scope),
        )
        .group_by(statement.c.entity_id)
    )
    return {row[0]: row[1] for row in conn.execute(query)}


def _consulted(store: Store, ctx: Context, operation: str, objects: tuple[str, ...]) -> None:
    audit.record_alone(
        store,
        ctx,
        allowance(
            action=ActionClass.CONSULT,
            operation=operation,
            decision=allow("results filtered by the Policy", "scope"),
            objects=objects,
        ),
    )


def _sizes(conn: Connection, ids: set[str], scope: Scope) -> dict[str, tuple[str, int]]:
    """Entity -> (its canonical id or itself, the visible size of its cluster)."""
    rows = conn.execute(
        select(resolve_cluster.c.entity_id, resolve_cluster.c.canonical_id).where(
            resolve_cluster.c.entity_id.in_(list(ids))
        )
    ).all()
    canon = {r.entity_id: r.canonical_id for r in rows}
    counts: dict[str, int] = {}
    if canon:
        query = (
            select(resolve_cluster.c.canonical_id, func.count())
            .where(
                resolve_cluster.c.canonical_id.in_(set(canon.values())),
                visible(resolve_cluster.c.entity_id, scope),
            )
            .group_by(resolve_cluster.c.canonical_id)
        )
        counts = {row[0]: int(row[1]) for row in conn.execute(query)}
    return {e: (canon[e], counts.get(canon[e], 1)) if e in canon else (e, 1) for e in ids}


def _impact(left: tuple[str, int], right: tuple[str, int], probability: float) -> float:
    """How much a decision changes the clusters: the sizes it would join (or split)
    times how uncertain the score is (1 at p = 0.5, 0 at p = 0 or 1)."""
    size = left[1] if left[0] == right[0] else left[1] * right[1]
    return size * (1.0 - 2.0 * abs(probability - 0.5))


def review_queue(store: Store, ctx: Context, *, limit: int = 20) -> list[QueueItem]:
    """The pairs a human should decide next, most consequential first; audited."""
    if not 1 <= limit <= MAX_LIMIT:
        raise InvalidInputError(f"--limit must be between 1 and {MAX_LIMIT}, not {limit}")
    scope = store.policy.read_scope(ctx)
    judged = exists().where(
        resolve_judgement.c.left_id == resolve_pair.c.left_id,
        resolve_judgement.c.right_id == resolve_pair.c.right_id,
    )
    query = (
        select(resolve_pair.c.left_id, resolve_pair.c.right_id, resolve_pair.c.probability,
               resolve_pair.c.status)
        .where(
            resolve_pair.c.status.in_(QUEUED),
            ~judged,
            and_(visible(resolve_pair.c.left_id, scope), visible(resolve_pair.c.right_id, scope)),
        )
        .order_by(func.abs(resolve_pair.c.probability - 0.5), resolve_pair.c.left_id,
                  resolve_pair.c.right_id)
        .limit(max(limit * CANDIDATES_PER_ITEM, 200))
    )  # fmt: skip
    with store.engine.connect() as conn:
        rows = conn.execute(query).all()
        ids = {r.left_id for r in rows} | {r.right_id for r in rows}
        sizes = _sizes(conn, ids, scope)
        captions = _captions(conn, sorted(ids), scope)
    items = [
        QueueItem(
            left=r.left_id,
            right=r.right_id,
            left_caption=captions.get(r.left_id, r.left_id),
            right_caption=captions.get(r.right_id, r.right_id),
            probability=r.probability,
            status=r.status,
            impact=_impact(sizes[r.left_id], sizes[r.right_id], r.probability),
        )
        for r in rows
    ]
    items.sort(key=lambda i: (-i.impact, i.left, i.right))
    items = items[:limit]
    objects = tuple(entity_object(e) for i in items for e in (i.left, i.right))
    _consulted(store, ctx, "resolve.queue", objects)
    return items


def _record_view(entity_id: str, statements: Sequence[object]) -> RecordView:
    stmts = list(statements)
    view = assemble(entity_id, stmts)  # type: ignore[arg-type]
    record = record_of(entity_id, stmts)  # type: ignore[arg-type]
    return RecordView(
        entity_id=entity_id,
        schema=view.schema.name if view is not None else "",
        caption=view.caption if view is not None else entity_id,
        features=dict(record.features) if record is not None else {},
    )


def explain_pair(store: Store, ctx: Context, left: str, right: str) -> PairExplanation:
    """Both records side by side, the score and what each comparison added; audited."""
    if left == right:
        raise InvalidInputError("a pair needs two different entities")
    pair = ordered(left, right)
    require_visible(store, ctx, pair, action=ActionClass.CONSULT, operation="resolve.explain")
    scope = store.policy.read_scope(ctx)
    with store.engine.connect() as conn:
        row = conn.execute(
            select(resolve_pair).where(
                resolve_pair.c.left_id == pair[0], resolve_pair.c.right_id == pair[1]
            )
        ).first()
        last = conn.execute(
            select(resolve_judgement.c.verdict, resolve_judgement.c.actor)
            .where(resolve_judgement.c.left_id == pair[0], resolve_judgement.c.right_id == pair[1])
            .order_by(resolve_judgement.c.id.desc())
            .limit(1)
        ).first()
        grouped = entity_statements(conn, list(pair), scope)
    levels = (
        tuple(LevelReached(c, lv, float(w)) for c, lv, w in json.loads(row.levels)) if row else ()
    )
    explanation = PairExplanation(
        left=_record_view(pair[0], grouped.get(pair[0], [])),
        right=_record_view(pair[1], grouped.get(pair[1], [])),
        probability=row.probability if row else None,
        weight=row.weight if row else None,
        prior=row.prior if row else None,
        levels=levels,
        status=row.status if row else None,
        verdict=last.verdict if last else None,
        judged_by=last.actor if last else None,
    )
    _consulted(store, ctx, "resolve.explain", tuple(entity_object(e) for e in pair))
    return explanation


def canonical(store: Store, ctx: Context, entity_id: str) -> Canonical:
    """The canonical entity `entity_id` belongs to, with the members the actor may see.
    Statements keep their own ids: `entity show` still reads each member."""
    require_visible(store, ctx, [entity_id], action=ActionClass.CONSULT, operation="resolve.show")
    scope = store.policy.read_scope(ctx)
    with store.engine.connect() as conn:
        row = conn.execute(
            select(resolve_cluster).where(resolve_cluster.c.entity_id == entity_id)
        ).first()
        ids = [entity_id]
        if row is not None:
            query = (
                select(resolve_cluster.c.entity_id)
                .where(
                    resolve_cluster.c.canonical_id == row.canonical_id,
                    visible(resolve_cluster.c.entity_id, scope),
                )
                .order_by(resolve_cluster.c.entity_id)
            )
            ids = [r[0] for r in conn.execute(query)]
        if len(ids) < 2:  # alone, as far as the actor may see: no hint of hidden members
            row, ids = None, [entity_id]
        captions = _captions(conn, ids, scope)
    members = tuple(Member(e, captions.get(e, e)) for e in ids)
    _consulted(store, ctx, "resolve.show", tuple(entity_object(m.entity_id) for m in members))
    return Canonical(
        entity_id=entity_id,
        canonical_id=row.canonical_id if row is not None else None,
        members=members,
        since=row.since if row is not None else None,
    )


def _batches(ids: Sequence[str]) -> Iterator[list[str]]:
    for start in range(0, len(ids), BATCH):
        yield list(ids[start : start + BATCH])


def _seen(conn: Connection, ids: Sequence[str], scope: Scope) -> set[str]:
    return {e for chunk in _batches(ids) for e in visible_ids(conn, chunk, scope)}


def _labels(conn: Connection, ids: Sequence[str], scope: Scope) -> dict[str, str]:
    labels: dict[str, str] = {}
    for chunk in _batches(ids):
        for entity, (canonical_id, size) in _sizes(conn, set(chunk), scope).items():
            # One visible member: no hint of hidden ones, as `canonical` answers.
            labels[entity] = canonical_id if size > 1 else entity
    return labels


def _refuse_without_purpose(
    store: Store, ctx: Context, wanting: Sequence[str], ids: Sequence[str]
) -> NoReturn:
    draft = denial(
        action=ActionClass.CONSULT,
        operation="resolve.labels",
        decision=Decision(False, "this content needs a purpose", "purpose"),
        objects=tuple(entity_object(e) for e in ids),
    )
    error = PurposeRequiredError(
        f"{len(wanting):,} of the {len(ids):,} entities asked for (the first: {wanting[0]!r}) "
        "are in data that needs a purpose: pass --purpose 'case:REF' or a written justification"
    )
    audit.refuse(store, ctx, draft, error)


def cluster_labels(store: Store, ctx: Context, entity_ids: Sequence[str]) -> dict[str, str]:
    """Each given entity the actor may see -> the canonical id of its cluster, or its own
    id when it stands on its own as far as the actor may see (as `canonical` answers).

    Entities the actor may not see are left out, like missing ones, as the queue leaves
    them out; but if a purpose would show some, the call is refused, so a forgotten
    --purpose does not pass for "not resolved". One audit event for the whole call.
    """
    ids = list(dict.fromkeys(entity_ids))
    scope = store.policy.read_scope(ctx)
    with store.engine.connect() as conn:
        seen = _seen(conn, ids, scope)
        unseen = [e for e in ids if e not in seen]
        wanting: list[str] = []
        if ctx.purpose is None and unseen:
            wider = _seen(conn, unseen, store.policy.read_scope(ctx, with_purpose=True))
            wanting = [e for e in unseen if e in wider]
        labels = {} if wanting else _labels(conn, [e for e in ids if e in seen], scope)
    if wanting:
        _refuse_without_purpose(store, ctx, wanting, ids)
    shown = {e: labels[e] for e in ids if e in labels}  # in the order asked
    _consulted(store, ctx, "resolve.labels", tuple(entity_object(e) for e in shown))
    return shown
