"""Clustering under judgements, size limits and average linkage."""

from __future__ import annotations

from dataclasses import dataclass

from casegraph.resolve.clusters import cluster


@dataclass(frozen=True)
class P:
    left: str
    right: str
    probability: float


def test_strong_pairs_merge_transitively() -> None:
    result = cluster([P("a", "b", 0.99), P("b", "c", 0.98), P("a", "c", 0.97)], upper=0.9)
    assert result.clusters == [frozenset("abc")]


def test_never_merges_across_a_negative_judgement_even_transitively() -> None:
    pairs = [P("a", "b", 0.99), P("b", "c", 0.98), P("a", "c", 0.97), P("c", "d", 0.96)]
    result = cluster(pairs, upper=0.9, negatives={frozenset("ac")})
    members = result.cluster_of()
    assert members["a"] == members["b"]
    assert members.get("c") != members["a"]
    assert members["c"] == members["d"]
    assert ("b", "c") in result.refused


def test_clusters_past_the_size_limit_are_held_for_review() -> None:
    hub = [P("agent", f"co{i}", 0.99) for i in range(10)]
    result = cluster(hub, upper=0.9, max_size=4, linkage=0)
    assert max(len(c) for c in result.clusters) <= 4
    assert len(result.held) == 10 - 3


def test_average_linkage_stops_a_chain_through_one_shared_record() -> None:
    # two tight groups joined only by one pair: their cross pairs are unscored (0)
    pairs = [P("a1", "a2", 0.99), P("b1", "b2", 0.99), P("a2", "b1", 0.95)]
    assert len(cluster(pairs, upper=0.9, linkage=0.3).clusters) == 2
    assert len(cluster(pairs, upper=0.9, linkage=0).clusters) == 1


def test_pairs_below_upper_merge_nothing_and_input_order_does_not_matter() -> None:
    pairs = [P("a", "b", 0.4), P("c", "d", 0.95), P("d", "e", 0.93)]
    first = cluster(pairs, upper=0.9)
    assert first.clusters == [frozenset("cde")]
    assert cluster(list(reversed(pairs)), upper=0.9) == first
    assert cluster([], upper=0.9).clusters == []
