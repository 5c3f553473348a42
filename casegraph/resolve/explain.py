"""Splink's prediction rows -> scored pairs with their explanation (pure).

For each comparison Splink reports the level reached (its gamma value) and the match
weight (log2 Bayes factor) of that level, plus a term-frequency adjustment where the
level has one. Their sum is the weight the comparison adds; the pair's match weight
is the prior (log2 odds that two random records match) plus every comparison's weight.
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, NamedTuple

__all__ = ["LevelReached", "ModelLevels", "ScoredPair", "levels_of_model", "scored_pairs"]


class LevelReached(NamedTuple):
    """One comparison of a pair: the level it reached and the weight (log2 Bayes factor)
    that level added to the match weight. (Named tuples: a run makes millions.)"""

    comparison: str
    level: str
    weight: float


class ScoredPair(NamedTuple):
    """A candidate pair: `weight` = `prior` + the weights of `levels`."""

    left: str
    right: str
    probability: float
    weight: float
    prior: float
    levels: tuple[LevelReached, ...]


@dataclass(frozen=True)
class ModelLevels:
    """The labels of each comparison's levels by gamma value, and the prior."""

    labels: dict[str, dict[int, str]]
    prior: float


def levels_of_model(model: Mapping[str, Any]) -> ModelLevels:
    """Read the level labels from a Splink model dict (`save_model_to_json`)."""
    labels: dict[str, dict[int, str]] = {}
    for comparison in model["comparisons"]:
        levels = comparison["comparison_levels"]
        gamma = sum(1 for level in levels if not level.get("is_null_level")) - 1
        by_gamma: dict[int, str] = {}
        for level in levels:
            label = str(level.get("label_for_charts") or level["sql_condition"])
            if level.get("is_null_level"):
                by_gamma[-1] = label
            else:
                by_gamma[gamma] = label
                gamma -= 1
        labels[comparison["output_column_name"]] = by_gamma
    lam = float(model["probability_two_random_records_match"])
    return ModelLevels(labels, math.log2(lam / (1 - lam)))


def _levels(
    name: str,
    labels: Mapping[int, str],
    gammas: Sequence[Any],
    mws: Sequence[Any],
    tfs: Sequence[Any] | None,
) -> list[LevelReached]:
    """One comparison's level for every pair; shared objects where no TF applies."""
    shared: dict[tuple[int, float], LevelReached] = {}  # few distinct (level, weight)s
    out: list[LevelReached] = []
    append = out.append
    for i, gamma in enumerate(gammas):
        adj = tfs[i] if tfs is not None else None
        weight = float(mws[i])
        if adj and adj == adj:  # a term-frequency adjustment (not None, 0 or NaN)
            weight += float(adj)
        level = shared.get((gamma, weight))
        if level is None:
            level = shared[(gamma, weight)] = LevelReached(name, labels[int(gamma)], weight)
        append(level)
    return out


def scored_pairs(rows: Mapping[str, Sequence[Any]], model: ModelLevels) -> Iterator[ScoredPair]:
    """Scored pairs from prediction columns (unique_id_l/_r, match_probability,
    match_weight, gamma_X, mw_X and mw_tf_adj_X)."""
    columns = [
        _levels(name, labels, rows[f"gamma_{name}"], rows[f"mw_{name}"],
                rows.get(f"mw_tf_adj_{name}"))
        for name, labels in model.labels.items()
    ]  # fmt: skip
    prior = model.prior
    for left, right, prob, weight, *levels in zip(
        rows["unique_id_l"], rows["unique_id_r"], rows["match_probability"],
        rows["match_weight"], *columns, strict=True,
    ):  # fmt: skip
        yield ScoredPair(str(left), str(right), float(prob), float(weight), prior, tuple(levels))
