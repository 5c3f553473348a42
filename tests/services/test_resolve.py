"""Entity resolution through the services, on SQLite and PostgreSQL: explained pairs,
judgements that no score overrides, undo, incremental runs, bad input, the queue."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import func, select

from casegraph.errors import InvalidInputError, NotFoundError
from casegraph.security.context import Context
from casegraph.services.resolve import (
    canonical,
    explain_pair,
    judge,
    resolve,
    review_queue,
    undo,
)
from casegraph.services.store import Store
from casegraph.store.tables import resolve_judgement, resolve_pair
from tests.services.resolve_support import (
    clusters,
    company,
    person,
    planted,
    truth_of,
    write,
)


def _pair(store: Store, left: str, right: str) -> tuple[float, str]:
    with store.engine.connect() as conn:
        row = conn.execute(
            select(resolve_pair.c.probability, resolve_pair.c.status).where(
                resolve_pair.c.left_id == min(left, right),
                resolve_pair.c.right_id == max(left, right),
            )
        ).one()
    return row.probability, row.status


def test_planted_duplicates_merge_and_each_pair_is_explained(store: Store, owner: Context) -> None:
    write(store, owner, "registry", planted("registry"))
    summary = resolve(store, owner)
    assert (summary.records, summary.scored, summary.skipped) == (36, 36, 0)
    found = clusters(store)
    assert found == {frozenset({f"{k}{n}-0", f"{k}{n}-1"}) for k, m in (("p", 12), ("c", 6))
                     for n in range(m)}  # fmt: skip
    assert summary.merges == 18 and summary.clusters == 18

    # The stored explanation: the prior plus each comparison's weight is the match
    # weight, and the probability follows from it; the records come side by side.
    why = explain_pair(store, owner, "p3-0", "p3-1")
    assert why.probability is not None and why.weight is not None and why.prior is not None
    assert why.probability > 0.9 and why.status == "merged"
    names = [level.comparison for level in why.levels]
    assert names[0] == "name" and "date" in names
    assert why.prior + sum(level.weight for level in why.levels) == pytest.approx(why.weight)
    assert why.probability == pytest.approx(1 / (1 + 2**-why.weight))
    date = next(level for level in why.levels if level.comparison == "date")
    assert date.level == "same date" and date.weight > 0
    assert why.left.entity_id == "p3-0" and why.left.schema == "Person"
    assert why.left.features["date"] == why.right.features["date"]
    company_why = explain_pair(store, owner, "c2-1", "c2-0")  # either order
    assert "identifier" in [level.comparison for level in company_why.levels]
    with store.engine.connect() as conn:
        stored = json.loads(
            conn.execute(
                select(resolve_pair.c.levels).where(resolve_pair.c.left_id == "p3-0")
            ).scalar_one()
        )
    assert [c for c, _, _ in stored] == names

    # A pair no blocking rule brought together is explained as never scored.
    never = explain_pair(store, owner, "p0-0", "c0-0")
    assert never.probability is None and never.levels == ()

    shown = canonical(store, owner, "p3-1")
    assert shown.canonical_id is not None and shown.canonical_id.startswith("cg-")
    assert [m.entity_id for m in shown.members] == ["p3-0", "p3-1"]
    assert canonical(store, owner, "p3-0").canonical_id == shown.canonical_id

    again = resolve(store, owner)  # nothing new or changed: nothing scored
    assert (again.scored, again.pairs) == (0, 0)
    assert clusters(store) == found
    assert canonical(store, owner, "p3-1").canonical_id == shown.canonical_id  # stable


def test_a_negative_judgement_is_never_merged_across_however_high_the_score(
    store: Store, owner: Context
) -> None:
    write(store, owner, "registry", planted("registry", people=range(4), companies=()))
    resolve(store, owner)
    probability, status = _pair(store, "p1-0", "p1-1")
    assert probability > 0.9 and status == "merged"

    result = judge(store, owner, "p1-1", "p1-0", "no", note="father and son")
    assert (result.verdict, result.together) == ("negative", False)
    assert frozenset({"p1-0", "p1-1"}) not in clusters(store)  # split at once
    assert _pair(store, "p1-0", "p1-1")[1] == "refused"

    resolve(store, owner, full=True, upper=0.01)  # scored again, even with a low bar
    assert frozenset({"p1-0", "p1-1"}) not in clusters(store)
    assert _pair(store, "p1-0", "p1-1")[1] == "refused"
    # Judged pairs are not queued, and the judgement is history with actor and time.
    assert ("p1-0", "p1-1") not in {(i.left, i.right) for i in review_queue(store, owner)}
    with store.engine.connect() as conn:
        row = conn.execute(select(resolve_judgement)).one()
    assert (row.left_id, row.right_id, row.verdict, row.actor, row.source, row.note) == (
        "p1-0", "p1-1", "negative", "owner", "cli", "father and son",
    )  # fmt: skip

    # A positive judgement merges what the scores kept apart; the latest verdict counts.
    assert judge(store, owner, "p1-0", "p1-1", "yes").together
    assert judge(store, owner, "p0-0", "p2-1", "same").together
    assert frozenset({"p0-0", "p0-1", "p2-0", "p2-1"}) in clusters(store)


def test_undo_detaches_and_a_later_run_does_not_redo_it(store: Store, owner: Context) -> None:
    write(store, owner, "registry", planted("registry", people=range(4), companies=()))
    resolve(store, owner)
    before = canonical(store, owner, "p2-0")
    assert [m.entity_id for m in before.members] == ["p2-0", "p2-1"]

    done = undo(store, owner, "p2-1", note="different people")
    assert done.detached_from == ("p2-0",)
    assert canonical(store, owner, "p2-1").canonical_id is None
    assert canonical(store, owner, "p2-0").members == (before.members[0],)

    for full in (False, True):
        resolve(store, owner, full=full)
        assert canonical(store, owner, "p2-1").canonical_id is None
    assert frozenset({"p3-0", "p3-1"}) in clusters(store)  # the others are untouched
    assert undo(store, owner, "p2-1").detached_from == ()  # nothing left to undo


def test_an_incremental_run_gives_the_clusters_of_a_full_run(store: Store, owner: Context) -> None:
    write(store, owner, "first", planted("first", people=range(10), companies=range(4),
                                        copies=(0,)))  # fmt: skip
    one = resolve(store, owner)
    assert (one.scored, one.merges) == (14, 0)
    # The second copies arrive later, in another dataset, with some new entities.
    rows = planted("second", people=range(14), companies=range(6), copies=(1,))
    rows += planted("second", people=range(10, 14), companies=range(4, 6), copies=(0,))
    write(store, owner, "second", rows)
    two = resolve(store, owner)
    assert two.scored == 26  # only the new entities
    incremental = clusters(store)
    assert incremental == {
        frozenset({f"{k}{n}-0", f"{k}{n}-1"}) for k, m in (("p", 14), ("c", 6)) for n in range(m)
    }
    full = resolve(store, owner, full=True)
    assert full.scored == 40
    assert clusters(store) == incremental


def test_only_new_or_changed_entities_are_scored_and_gone_ones_forgotten(
    store: Store, owner: Context
) -> None:
    write(store, owner, "registry", planted("registry", people=range(5), companies=()))
    resolve(store, owner)
    # A correction in another dataset changes p0-1's record: it is scored again.
    write(store, owner, "notes", person("p0-1", "notes", "anna other", "1901-01-01", None))
    again = resolve(store, owner)
    assert again.scored == 1
    # Deleting the notes dataset changes it back; deleting it from `registry` forgets it.
    from casegraph.services.datasets import delete_dataset

    delete_dataset(store, owner, "notes")
    assert resolve(store, owner).scored == 1
    delete_dataset(store, owner, "registry")
    last = resolve(store, owner)
    assert (last.records, last.merges) == (0, 0)
    with store.engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(resolve_pair)).scalar_one() == 0


def test_bad_input_entities_without_names_single_records_and_a_huge_cluster(
    store: Store, owner: Context
) -> None:
    nameless = [r for r in person("x1", "odd", "x", "1970-01-01", "x@y.org") if r.prop != "name"]
    write(store, owner, "odd", nameless)
    write(store, owner, "single", person("s1", "single", "solo person", "1970-01-01", None))
    summary = resolve(store, owner, datasets=["single"])
    assert (summary.records, summary.pairs, summary.merges) == (1, 0, 0)
    summary = resolve(store, owner, datasets=["odd", "single"])
    assert (summary.records, summary.skipped) == (1, 1)

    # One formation agent's twelve identical shells: merges stop at the size limit.
    shells = [r for n in range(12) for r in company(f"shell{n:02d}", "agent", "Shell Co Ltd",
                                                    "2020-01-01", "HE1")]  # fmt: skip
    write(store, owner, "agent", shells)
    write(store, owner, "registry", planted("registry", people=range(10), companies=range(6)))
    result = resolve(store, owner, datasets=["agent", "registry"], max_size=5)
    assert result.held > 0
    assert all(len(c) <= 5 for c in clusters(store))
    with store.engine.connect() as conn:
        held = conn.execute(
            select(func.count()).where(resolve_pair.c.status == "held")
        ).scalar_one()
    assert held > 0
    queued = review_queue(store, owner, limit=100)
    assert {"held"} <= {item.status for item in queued}


def test_the_queue_orders_by_impact_and_review_decisions_leave_it(
    store: Store, owner: Context
) -> None:
    write(store, owner, "registry", planted("registry", people=range(8), companies=range(3)))
    resolve(store, owner, upper=0.9999999)  # nothing merges: every pair is queued
    queue = review_queue(store, owner, limit=50)
    assert len(queue) >= 11
    impacts = [item.impact for item in queue]
    assert impacts == sorted(impacts, reverse=True)
    assert all(0.0 <= item.impact <= 1.0 for item in queue)  # clusters of one
    first = queue[0]
    assert first.left_caption and first.right_caption
    judge(store, owner, first.left, first.right, "unsure")
    assert (first.left, first.right) not in {(i.left, i.right) for i in review_queue(store, owner)}
    with pytest.raises(InvalidInputError, match="limit"):
        review_queue(store, owner, limit=0)


def test_wrong_input_is_refused_with_a_clear_message(store: Store, owner: Context) -> None:
    write(store, owner, "registry", planted("registry", people=range(2), companies=()))
    with pytest.raises(InvalidInputError, match="yes, no or unsure"):
        judge(store, owner, "p0-0", "p0-1", "maybe")
    with pytest.raises(InvalidInputError, match="two different"):
        judge(store, owner, "p0-0", "p0-0", "yes")
    with pytest.raises(NotFoundError, match="no entity with id 'nobody'"):
        judge(store, owner, "p0-0", "nobody", "yes")
    with pytest.raises(NotFoundError, match="no dataset named 'nowhere'"):
        resolve(store, owner, datasets=["nowhere"])
    with pytest.raises(InvalidInputError, match="--upper"):
        resolve(store, owner, upper=1.5)
    with pytest.raises(NotFoundError):
        canonical(store, owner, "nobody")
    assert truth_of("p0-1") == "p0"
