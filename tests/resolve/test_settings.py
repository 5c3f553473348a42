"""The model settings derived from what the data holds (pure)."""

from __future__ import annotations

from casegraph.resolve.settings import MAX_VALUES, Profile, model_settings


def _profile(*features: str) -> Profile:
    return Profile({f: (1.0,) + (0.0,) * (MAX_VALUES - 1) for f in features})


def _em_sql(profile: Profile) -> list[str]:
    spec = model_settings(profile, {(("date", None),): 500}, 1000)
    return [rule.get_blocking_rule("duckdb").blocking_rule_sql for rule in spec.em_rules]


def test_with_countries_em_learns_within_one_name_and_one_country() -> None:
    # Blocked on the name alone, "same country" would pass for "same person" among
    # namesakes, and EM would learn that matches disagree on dates.
    first, second = _em_sql(_profile("name", "name_sorted", "date", "country"))
    assert first == '(l."name_sorted" = r."name_sorted") AND (l."country" = r."country")'
    assert second == 'l."date" = r."date"'  # names and countries are learned here


def test_without_countries_em_blocks_on_the_name_alone() -> None:
    first, _ = _em_sql(_profile("name", "name_sorted", "date"))
    assert first == 'l."name_sorted" = r."name_sorted"'
