"""Stored pairs and judgements -> canonical clusters and pair statuses, in SQL tables.

Clustering itself is `casegraph.resolve.clusters.cluster` (pure); this module feeds it
what the store holds (positive judgements as certain merges, negative ones as
`negatives` that no score overrides) and writes the result back: `resolve_cluster`
rows for every member of a cluster of two or more, and each pair's status. Runs
re-cluster everything; a judgement or an undo only the clusters it touches.

Canonical ids are deterministic: "cg-" and a hash of the cluster's smallest member id,
so the same cluster keeps its id from run to run and on every backend.
"""

from __future__ import annotations

import hashlib
from collections.abc import Collection, Iterable
from dataclasses import dataclass
from typing import NamedTuple

from sqlalchemy import Connection, delete, insert, or_, select

from casegraph.resolve.clusters import DEFAULT_LOWER, Clustering, cluster
from casegraph.store.engine import execute_many
from casegraph.store.tables import resolve_cluster, resolve_judgement, resolve_pair

#: Match probability below which a pair is not worth a review (the engine's floor).
LOWER = DEFAULT_LOWER
QUEUED = ("review", "held")
VERDICTS = ("positive", "negative", "unsure")


class Link(NamedTuple):
    """A pair as clustering sees it (judgements applied)."""

    left: str
    right: str
    probability: float


def ordered(a: str, b: str) -> tuple[str, str]:
    return (a, b) if a < b else (b, a)


def canonical_id(members: Iterable[str]) -> str:
    """The stable id of a cluster: from its smallest member id."""
    return "cg-" + hashlib.sha256(min(members).encode("utf-8")).hexdigest()[:16]


def verdicts(
    conn: Connection, entities: Collection[str] | None = None
) -> dict[tuple[str, str], str]:
    """The current (latest) verdict of each judged pair, of pairs touching `entities`."""
    query = select(
        resolve_judgement.c.left_id, resolve_judgement.c.right_id, resolve_judgement.c.verdict
    ).order_by(resolve_judgement.c.id)
    if entities is not None:
        ids = list(entities)
        query = query.where(
            or_(resolve_judgement.c.left_id.in_(ids), resolve_judgement.c.right_id.in_(ids))
        )
    return {(row.left_id, row.right_id): row.verdict for row in conn.execute(query)}


def cluster_members(conn: Connection, entities: Collection[str]) -> set[str]:
    """`entities` and every member of the clusters they are in."""
    ids = list(entities)
    canon = select(resolve_cluster.c.canonical_id).where(resolve_cluster.c.entity_id.in_(ids))
    rows = conn.execute(
        select(resolve_cluster.c.entity_id).where(resolve_cluster.c.canonical_id.in_(canon))
    )
    return set(ids) | {row[0] for row in rows}


@dataclass(frozen=True, slots=True)
class ClusterStats:
    merges: int  # entities merged into another (cluster sizes minus one, summed)
    clusters: int
    held: int
    queue: int  # pairs awaiting review, not yet judged


def _status(
    pair: tuple[str, str],
    probability: float,
    verdict: str | None,
    where: dict[str, int],
    held: set[tuple[str, str]],
    refused: set[tuple[str, str]],
) -> str:
    left, right = pair
    if verdict == "negative" or pair in refused:
        return "refused"
    if left in where and where.get(left) == where.get(right):
        return "merged"
    if pair in held:
        return "held"
    return "below" if probability < LOWER else "review"


def recluster(
    conn: Connection,
    *,
    upper: float,
    max_size: int,
    now: str,
    entities: Collection[str] | None = None,
) -> ClusterStats:
    """Cluster again (everything, or the clusters of `entities`) and store the result."""
    scope = None if entities is None else cluster_members(conn, entities)
    query = select(
        resolve_pair.c.left_id,
        resolve_pair.c.right_id,
        resolve_pair.c.probability,
        resolve_pair.c.status,
    )
    if scope is not None:
        ids = list(scope)
        query = query.where(resolve_pair.c.left_id.in_(ids), resolve_pair.c.right_id.in_(ids))
    stored = {(r.left_id, r.right_id): (r.probability, r.status) for r in conn.execute(query)}
    judged = verdicts(conn, scope)
    if scope is not None:
        judged = {p: v for p, v in judged.items() if p[0] in scope and p[1] in scope}
    links = {pair: Link(*pair, probability) for pair, (probability, _) in stored.items()}
    for pair, verdict in judged.items():
        if verdict == "positive":
            links[pair] = Link(*pair, 1.0)
        elif verdict == "negative" and pair in links:
            links[pair] = Link(*pair, 0.0)
    negatives = {frozenset(p) for p, v in judged.items() if v == "negative"}
    result = cluster(links.values(), upper=upper, negatives=negatives, max_size=max_size)
    _write_clusters(conn, result, scope, now)
    where = result.cluster_of()
    held = {ordered(*p) for p in result.held}
    refused = {ordered(*p) for p in result.refused}
    changes: list[tuple[str, str, str]] = []
    queue = 0
    for pair, (probability, old) in stored.items():
        current = judged.get(pair)
        status = _status(pair, probability, current, where, held, refused)
        queue += status in QUEUED and current is None
        if status != old:
            changes.append((status, pair[0], pair[1]))
    if changes:
        execute_many(
            conn,
            f"UPDATE {resolve_pair.name} SET status = ? WHERE left_id = ? AND right_id = ?",
            changes,
        )
    return ClusterStats(
        merges=sum(len(c) - 1 for c in result.clusters),
        clusters=len(result.clusters),
        held=len(held),
        queue=queue,
    )


def _write_clusters(conn: Connection, result: Clustering, scope: set[str] | None, now: str) -> None:
    """Replace the cluster rows of `scope` (or all), keeping `since` where unchanged."""
    query = select(resolve_cluster)
    if scope is not None:
        query = query.where(resolve_cluster.c.entity_id.in_(list(scope)))
    old = {r.entity_id: (r.canonical_id, r.since) for r in conn.execute(query)}
    new: dict[str, str] = {}
    for members in result.clusters:
        cid = canonical_id(members)
        new.update(dict.fromkeys(members, cid))
    gone = [e for e, (cid, _) in old.items() if new.get(e) != cid]
    for start in range(0, len(gone), 500):
        conn.execute(
            delete(resolve_cluster).where(
                resolve_cluster.c.entity_id.in_(gone[start : start + 500])
            )
        )
    rows = [
        {"entity_id": e, "canonical_id": cid, "since": now}
        for e, cid in new.items()
        if old.get(e, ("", ""))[0] != cid
    ]
    if rows:
        conn.execute(insert(resolve_cluster), rows)
