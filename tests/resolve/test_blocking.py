"""Blocking: which records are compared at all."""

from __future__ import annotations

from casegraph.resolve.blocking import MAX_BLOCK, blocks_of
from casegraph.resolve.clusters import cluster
from casegraph.resolve.engine import score_pairs
from casegraph.resolve.records import ResolveRecord, record_of
from tests.resolve.data import organisations, people, statements


def _person(eid: str, **props: str) -> ResolveRecord:
    record = record_of(eid, statements(eid, "Person", **props))
    assert record is not None
    return record


def test_a_typo_in_the_first_name_and_another_word_order_still_meet() -> None:
    # no shared whole name, sound, first or last name, date or address: only the rare
    # surname, a word of both names, brings them together
    records, _ = people(count=30)
    left = _person("x1", name="Charlotte Palmer", birthDate="1762-01-01", address="ll12 8ts")
    right = _person("x2", name="Palmer Charlotre", address="llq2 8ts")
    blocks = blocks_of([*records, left, right])
    assert blocks[-2] is not None and blocks[-1] is not None
    assert "w:palmer" in set(blocks[-2]) & set(blocks[-1])


def test_a_word_too_many_records_share_does_not_block_on_its_own() -> None:
    common = [
        _person(f"s{i}", name=f"First{chr(97 + i % 26)}{i} Smith") for i in range(MAX_BLOCK + 5)
    ]
    rare = [_person("r1", name="Anna Winram"), _person("r2", name="Winram")]
    blocks = blocks_of([*common, *rare])
    assert all(b is None or "w:smith" not in b for b in blocks)
    assert blocks[-1] is not None and "w:winram" in blocks[-1]  # rare words block alone


def test_branches_of_one_organisation_are_not_merged_but_its_sites_records_are() -> None:
    records, truth = organisations()
    result = cluster(score_pairs(records))
    found = {frozenset((a, b)) for c in result.clusters for a in c for b in c if a < b}
    true = {frozenset((a, b)) for a in truth for b in truth if a < b and truth[a] == truth[b]}
    branches = {
        frozenset((a, b))
        for a in truth
        for b in truth
        if a < b and truth[a] != truth[b] and truth[a].split("-")[0] == truth[b].split("-")[0]
    }
    assert branches and not found & branches  # same name stem and phone, other number
    assert len(found & true) / len(true) > 0.9
