"""Scoring with Splink: explanations, incremental runs, schemas and bad input."""

from __future__ import annotations

import math

import pytest

from casegraph.resolve.clusters import cluster
from casegraph.resolve.engine import ScoredPair, _cap_date_disagreement, _linker, score_pairs
from casegraph.resolve.records import ResolveRecord, record_of
from casegraph.resolve.settings import model_settings
from casegraph.resolve.table import table_of
from tests.resolve.data import FIRST as FIRST_NAMES
from tests.resolve.data import LAST as LAST_NAMES
from tests.resolve.data import people, statements


@pytest.fixture(scope="module")
def scored() -> tuple[list[ResolveRecord], dict[str, str], list[ScoredPair]]:
    records, truth = people()
    return records, truth, score_pairs(records)


def test_duplicates_are_found(
    scored: tuple[list[ResolveRecord], dict[str, str], list[ScoredPair]],
) -> None:
    _, truth, pairs = scored
    result = cluster(pairs)
    found = {frozenset((a, b)) for c in result.clusters for a in c for b in c if a < b}
    true = {frozenset((a, b)) for a in truth for b in truth if a < b and truth[a] == truth[b]}
    assert len(found & true) / len(found) > 0.95
    assert len(found & true) / len(true) > 0.9


def test_explanation_lists_every_comparison_and_its_weights_sum_to_the_match_weight(
    scored: tuple[list[ResolveRecord], dict[str, str], list[ScoredPair]],
) -> None:
    _, _, pairs = scored
    assert pairs
    for pair in pairs:
        names = [level.comparison for level in pair.levels]
        assert names[0] == "name" and {"date", "email", "address"} <= set(names)
        assert len(names) == len(set(names))
        assert all(level.level for level in pair.levels)
        total = pair.prior + sum(level.weight for level in pair.levels)
        assert total == pytest.approx(pair.weight, abs=1e-6)
        assert pair.probability == pytest.approx(1 / (1 + 2**-pair.weight), abs=1e-9)
        assert pair.probability >= 0.1
    same = next(p for p in pairs if p.left.split("-")[0] == p.right.split("-")[0])
    date = next(level for level in same.levels if level.comparison == "date")
    assert date.level == "same date" and date.weight > 0


def test_incremental_run_scores_only_pairs_with_a_new_entity(
    scored: tuple[list[ResolveRecord], dict[str, str], list[ScoredPair]],
) -> None:
    records, _, full = scored
    new = {r.entity_id for r in records if r.entity_id.startswith(("p1-", "p2-", "p3-"))}
    expected = {(p.left, p.right): p.probability for p in full if {p.left, p.right} & new}
    pairs = score_pairs(records, new=new)
    assert pairs and all({p.left, p.right} & new for p in pairs)
    assert {(p.left, p.right): p.probability for p in pairs} == pytest.approx(expected)
    # with the full run's prior, Splink predicts only the new pairs: same scores
    cheap = score_pairs(records, new=new, prior=full[0].prior)
    got = {frozenset((p.left, p.right)): p.probability for p in cheap}
    assert got == pytest.approx({frozenset(k): v for k, v in expected.items()})


def test_people_and_companies_are_never_compared_but_legal_entities_are() -> None:
    records, _ = people(count=30)
    extra = [
        record_of("co", statements("co", "Company", name="Anna Novak0", email="x@y.org")),
        record_of("le", statements("le", "LegalEntity", name="Anna Novak0 Trading")),
        record_of("co2", statements("co2", "Company", name="Anna Novak0 Trading")),
    ]
    pairs = score_pairs(records + [r for r in extra if r is not None], threshold=0.0)
    kinds = {"co": "Company", "co2": "Company", "le": "LegalEntity"}
    for p in pairs:
        left, right = kinds.get(p.left, "Person"), kinds.get(p.right, "Person")
        assert {left, right} != {"Person", "Company"}
    assert any({p.left, p.right} == {"le", "co2"} for p in pairs)


def test_tiny_and_empty_inputs_do_not_crash() -> None:
    one = record_of("a", statements("a", "Person", name="Anna Novak"))
    assert one is not None
    assert score_pairs([]) == []
    assert score_pairs([one]) == []
    assert score_pairs([one, one], new=set()) == []
    two = record_of("b", statements("b", "Person", name="Anna Novak"))
    assert two is not None
    pairs = score_pairs([one, two], threshold=0.0)
    assert all(not math.isnan(p.probability) for p in pairs)


def test_enough_positive_judgements_train_the_model_as_labels() -> None:
    records, truth = people(count=40)
    ids = sorted(truth)
    same = [(a, b, True) for a in ids for b in ids if a < b and truth[a] == truth[b]]
    assert len(same) >= 50
    pairs = score_pairs(records, labels=[*same, ("p1-0", "p2-0", False)])
    assert {frozenset(p[:2]) for p in pairs if p.probability > 0.9} >= {
        frozenset(pair[:2]) for pair in same[:5]
    }


def test_data_without_any_duplicate_scores_without_error() -> None:
    """No pair meets a deterministic rule, so Splink estimates a prior of 0; the run
    must still score (found by the services, where it crashed with a math error)."""
    records = []
    for n in range(40):
        eid = f"solo{n}"
        name = f"{FIRST_NAMES[n % 10]} {LAST_NAMES[n % 8]}{'xyzw'[n % 4] * (n // 8 + 1)}"
        record = record_of(
            eid, statements(eid, "Person", name=name, birthDate=f"19{40 + n}-01-0{1 + n % 9}")
        )
        assert record is not None
        records.append(record)
    pairs = score_pairs(records, threshold=0.0)
    assert all(0.0 <= p.probability <= 1.0 and not math.isnan(p.weight) for p in pairs)
    assert not [p for p in pairs if p.probability >= 0.5]


def _date_levels(settings: object) -> dict[str, float]:
    date = next(c for c in settings.comparisons if c.output_column_name == "date")  # type: ignore[attr-defined]
    return {
        lvl.label_for_charts: lvl.m_probability
        for lvl in date.comparison_levels
        if not lvl.is_null_level
    }


@pytest.mark.parametrize(("learned", "kept"), [(0.6, 0.2), (0.05, 0.05)])
def test_a_date_disagreement_is_never_learned_as_common_among_matches(
    learned: float, kept: float
) -> None:
    # With a name, a country and a date only, EM took namesakes for matches on the
    # demo and learned that 60% of matches disagree on the date (historical_50k: 2%).
    records, _ = people(count=20)
    table = table_of(records)
    spec = model_settings(table.profile, {}, len(table))
    settings = _linker(table, spec)._settings_obj
    levels = [lvl for c in settings.comparisons if c.output_column_name == "date"
              for lvl in c.comparison_levels if not lvl.is_null_level]  # fmt: skip
    other = next(lvl for lvl in levels if lvl._is_else_level)
    rest = [lvl for lvl in levels if lvl is not other]
    for lvl in rest:
        lvl.m_probability = (1 - learned) / len(rest)
    other.m_probability = learned
    _cap_date_disagreement(settings)
    m = _date_levels(settings)
    assert m["All other comparisons"] == pytest.approx(kept)
    assert sum(m.values()) == pytest.approx(1.0)
    assert m["same date"] == pytest.approx((1 - kept) / len(rest))  # the rest scaled up


def test_a_common_name_counts_less_at_the_fuzzier_name_levels_too() -> None:
    # "Harry Thompson" against "THOMPSON, Harry Edward" (all words of one in the other)
    # must not weigh more than two identical common names do.
    records = []
    for n in range(30):  # thirty different John Smiths
        eid = f"js{n}"
        born = "1940-01-10" if n < 2 else f"19{40 + n}-0{1 + n % 9}-1{n % 10}"
        record = record_of(eid, statements(eid, "Person", name="John Smith", birthDate=born))
        assert record is not None
        records.append(record)
    for eid, name, born in (("js-long", "SMITH, John Edward", "1940-01-10"),
                            ("zq", "Zebulon Quirk", "1950-05-05"),
                            ("zq-long", "QUIRK, Zebulon Edward", "1950-05-05")):  # fmt: skip
        record = record_of(eid, statements(eid, "Person", name=name, birthDate=born))
        assert record is not None
        records.append(record)
    records += people(count=30)[0]  # other people, with duplicates, to train on

    def name_weight(left: str, right: str) -> float:
        pair = next(p for p in pairs if {p.left, p.right} == {left, right})
        return next(lvl.weight for lvl in pair.levels if lvl.comparison == "name")

    pairs = score_pairs(records, threshold=0.0)
    common = name_weight("js0", "js-long")
    rare = name_weight("zq", "zq-long")
    assert common < rare
    assert common <= name_weight("js0", "js1")  # not above two identical common names
