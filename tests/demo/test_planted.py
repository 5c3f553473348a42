"""Pairwise scores of clusters against planted groups: counted without listing pairs,
they must equal the pairs listed one by one."""

from __future__ import annotations

from itertools import combinations

from hypothesis import given
from hypothesis import strategies as st

from casegraph.demo.planted import PairScore, PlantedGroup, pair_score

ENTITIES = [f"e{i}" for i in range(12)]


def _listed(groups: list[PlantedGroup], labels: dict[str, str]) -> PairScore:
    group_of: dict[str, int] = {}
    for index, group in enumerate(groups):
        for entity in group.entity_ids:
            if entity in labels:
                group_of.setdefault(entity, index)
    pairs = list(combinations(sorted(group_of), 2))
    true = {p for p in pairs if group_of[p[0]] == group_of[p[1]]}
    found = {p for p in pairs if labels[p[0]] == labels[p[1]]}
    return PairScore(len(groups), len(group_of), len(true), len(found), len(true & found))


@given(
    members=st.lists(st.lists(st.sampled_from(ENTITIES), min_size=1, max_size=5), max_size=5),
    labels=st.dictionaries(st.sampled_from(ENTITIES), st.sampled_from("abcd")),
)
def test_counted_pairs_equal_listed_pairs(members: list[list[str]], labels: dict[str, str]) -> None:
    groups = [PlantedGroup(f"g{i}", "Person", tuple(m)) for i, m in enumerate(members)]
    assert pair_score(groups, labels) == _listed(groups, labels)


def test_shares_and_what_has_nothing_to_divide_by() -> None:
    groups = [PlantedGroup("a", "Person", ("a1", "a2", "a3")), PlantedGroup("b", "Person", ("b1",))]
    score = pair_score(groups, {"a1": "x", "a2": "x", "a3": "a3", "b1": "x"})
    assert (score.true_pairs, score.found_pairs, score.correct_pairs) == (3, 3, 1)
    assert (score.precision, score.recall) == (1 / 3, 1 / 3)
    assert score.f1 == 1 / 3
    nothing_found = pair_score(groups, {"a1": "a1", "a2": "a2"})
    assert (nothing_found.precision, nothing_found.recall, nothing_found.f1) == (None, 0.0, None)
    all_wrong = pair_score(groups, {"a1": "x", "b1": "x"})
    assert (all_wrong.precision, all_wrong.recall, all_wrong.f1) == (0.0, None, None)
