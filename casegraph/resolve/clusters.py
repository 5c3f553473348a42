"""Pairs -> clusters, under judgements and a size limit (pure).

Pairs at or above `upper` merge, strongest first, into connected components, except
that a merge is
- refused when any member of one side has a negative judgement against any member of
  the other;
- held for review when the merged cluster would grow past `max_size` (one formation
  agent linked to thousands of companies must not fuse them into one entity);
- skipped when the two sides are not alike on average (`linkage`): a branch office
  that shares a phone number with its head office must not chain every branch into
  one entity. Pairs below `upper` still count towards the average.
Strongest first means a refused or held merge leaves the clusters that better evidence
built intact, and the result does not depend on input order. Written here: Splink's
clustering is plain connected components, without judgements or size limits.
"""

from __future__ import annotations

from collections.abc import Iterable, Set
from dataclasses import dataclass, field
from typing import Protocol

__all__ = ["DEFAULT_LOWER", "DEFAULT_MAX_SIZE", "DEFAULT_UPPER", "Clustering", "Pair", "cluster"]

#: Pairs below this match probability are not kept (not worth a review); the pairs
#: between it and `DEFAULT_UPPER` are the review queue.
DEFAULT_LOWER = 0.1

#: Match probability at or above which pairs merge without review: more likely the same
#: than not (the probabilities are calibrated by the prior's re-estimation, and the
#: average-link rule below guards the clusters against chains of such pairs).
DEFAULT_UPPER = 0.5
#: The largest cluster that forms without review.
DEFAULT_MAX_SIZE = 100
#: Two clusters merge only if their records are this alike on average: one strong
#: pair must not chain two different entities through a shared phone or agent.
DEFAULT_LINKAGE = 0.1


class Pair(Protocol):
    """Anything with two entity ids and a match probability (e.g. `ScoredPair`)."""

    @property
    def left(self) -> str: ...
    @property
    def right(self) -> str: ...
    @property
    def probability(self) -> float: ...


@dataclass(frozen=True)
class Clustering:
    """Clusters of two or more entities, and the merges that were not made."""

    clusters: list[frozenset[str]]
    held: list[tuple[str, str]] = field(default_factory=list)  # too big: for review
    refused: list[tuple[str, str]] = field(default_factory=list)  # a negative between

    def cluster_of(self) -> dict[str, int]:
        """Entity id -> index of its cluster in `clusters`."""
        return {eid: i for i, members in enumerate(self.clusters) for eid in members}


def cluster(
    pairs: Iterable[Pair],
    *,
    upper: float = DEFAULT_UPPER,
    negatives: Set[frozenset[str]] = frozenset(),
    max_size: int = DEFAULT_MAX_SIZE,
    linkage: float = DEFAULT_LINKAGE,
) -> Clustering:
    """Merge pairs ≥ `upper`, never across a negative judgement or past `max_size`,
    and only while the two sides' average link (the mean probability over all their
    cross pairs, unscored pairs counting 0) is at least `linkage`."""
    pairs = list(pairs)
    strong = sorted(
        ((p.probability, p.left, p.right) for p in pairs if p.probability >= upper),
        key=lambda t: (-t[0], t[1], t[2]),
    )
    links: dict[str, dict[str, float]] = {}
    for p in pairs:
        if p.left != p.right:
            links.setdefault(p.left, {})[p.right] = p.probability
            links.setdefault(p.right, {})[p.left] = p.probability
    against: dict[str, set[str]] = {}
    for negative in negatives:
        if len(negative) == 2:
            a, b = sorted(negative)
            against.setdefault(a, set()).add(b)
            against.setdefault(b, set()).add(a)
    parent: dict[str, str] = {}
    members: dict[str, list[str]] = {}

    def find(x: str) -> str:
        if x not in parent:
            parent[x] = x
            members[x] = [x]
            return x
        root = x
        while parent[root] != root:
            root = parent[root]
        while parent[x] != root:
            parent[x], x = root, parent[x]
        return root

    held: list[tuple[str, str]] = []
    refused: list[tuple[str, str]] = []
    for _, left, right in strong:
        a, b = find(left), find(right)
        if a == b:
            continue
        small, big = (a, b) if len(members[a]) <= len(members[b]) else (b, a)
        if any(find(o) == big for m in members[small] for o in against.get(m, ())):
            refused.append((left, right))
            continue
        if len(members[small]) + len(members[big]) > max_size:
            held.append((left, right))
            continue
        if linkage > 0 and len(members[small]) * len(members[big]) > 1:
            total = sum(links[m].get(o, 0.0) for m in members[small] for o in members[big])
            if total < linkage * len(members[small]) * len(members[big]):
                continue
        parent[small] = big
        members[big].extend(members.pop(small))
    clusters = [frozenset(m) for m in members.values() if len(m) > 1]
    clusters.sort(key=lambda c: min(c))
    return Clustering(clusters, held, refused)
