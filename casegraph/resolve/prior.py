"""The prior: how likely two records picked at random are to match (pure).

Splink estimates it before training from deterministic rules and an assumed recall;
when the data is noisier than assumed the prior comes out too low (or too high), and
every probability with it, so one threshold cannot serve every data set. After
prediction the prior is re-estimated so that it agrees with the model's own
predictions: the expected number of matches is the sum of the match probabilities of
the candidate pairs (pairs that no blocking rule produces are taken as non-matches).
This is the EM update of the prior, run over the blocked pairs (written here: Splink
estimates the prior only inside its EM training blocks).
"""

from __future__ import annotations

import math

import numpy as np
import numpy.typing as npt

__all__ = ["estimate_prior", "probability"]

#: Iterations are stopped when the prior moves by less than this (bits).
TOLERANCE = 1e-3
MAX_ITERATIONS = 50


def probability(weight: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
    """Match probability of match weights (log2 odds)."""
    result: npt.NDArray[np.float64] = 1.0 / (1.0 + np.exp2(-weight))
    return result


def estimate_prior(evidence: npt.NDArray[np.float64], total_pairs: int, start: float) -> float:
    """The prior (log2 odds) that makes the expected matches among all `total_pairs`
    equal the sum of the probabilities of the candidate pairs, whose evidence (match
    weight without the prior) is given."""
    if total_pairs <= 0 or evidence.size == 0:
        return start
    prior = start
    for _ in range(MAX_ITERATIONS):
        expected = float(probability(prior + evidence).sum())
        share = min(max(expected / total_pairs, 1e-12), 0.5)
        updated = math.log2(share / (1 - share))
        if abs(updated - prior) < TOLERANCE:
            return updated
        prior = updated
    return prior
