"""Score candidate pairs of records with Splink on DuckDB.

The model is derived from the data (`settings.model_settings`): u by random sampling
(fixed seed), m by EM (re-estimated from user judgements when there are enough), and
the prior re-estimated after prediction (`prior.py`) so that one threshold means the
same on every data set. All SQL is Splink's: this module only calls Splink's API, so
another Splink backend (Spark) can replace DuckDB.

Incremental runs (`new=`) train on every record, as a full run does, so the
parameters and therefore the clusters agree; only pairs with a new record are returned.
"""

from __future__ import annotations

import copy
import logging
from collections.abc import Callable, Collection, Sequence
from dataclasses import replace
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd
from followthemoney import model as ftm

from casegraph.resolve.clusters import DEFAULT_LOWER
from casegraph.resolve.explain import LevelReached, ScoredPair, levels_of_model, scored_pairs
from casegraph.resolve.prior import estimate_prior, probability
from casegraph.resolve.records import ResolveRecord
from casegraph.resolve.settings import EM_KEYS, ModelSettings, model_settings
from casegraph.resolve.table import Table, pair_counts, table_of

__all__ = ["DEFAULT_THRESHOLD", "MIN_LABELS", "LevelReached", "ScoredPair", "score_pairs"]

#: Pairs below this match probability are not returned (`clusters.DEFAULT_LOWER`).
DEFAULT_THRESHOLD = DEFAULT_LOWER
#: Splink returns the pairs above this probability (at its own prior) for the prior's
#: re-estimation; the rest are too unlikely to change it.
PREDICT_FLOOR = 0.001
#: Positive judgements needed before they re-estimate the m probabilities.
MIN_LABELS = 50
#: Record pairs sampled to estimate u (chance agreement): this many per record, within
#: bounds (and never more than all pairs). Every level still sees enough chance pairs.
U_PAIRS_PER_RECORD = 20
U_MIN_PAIRS = 100_000
U_MAX_PAIRS = 300_000
SEED = 1
#: The prior (probability) to start from when Splink's estimate is 0 or 1.
MIN_START_PRIOR = 1e-6
#: At most this share of true matches may have wholly different dates. With little
#: else to go on (a name, a country and a date), EM can take namesakes for matches
#: and learn that dates disagree for most of them (seen: 0.60 on the demo; 0.02 on
#: historical_50k); the cap keeps a date disagreement evidence against a match.
MAX_DATE_DISAGREEMENT_M = 0.2

log = logging.getLogger(__name__)


def compatible(left: str, right: str) -> bool:
    """Two schemas can describe one entity if one is a kind of the other
    (LegalEntity ~ Company, never Person ~ Company)."""
    if left == right:
        return True
    a, b = ftm.get(left), ftm.get(right)
    return a is not None and b is not None and (a.is_a(b) or b.is_a(a))


def _linker(table: Table, spec: ModelSettings) -> Any:
    import pyarrow as pa  # type: ignore[import-untyped]
    from splink import DuckDBAPI, Linker, SettingsCreator

    settings = SettingsCreator(
        link_type="dedupe_only",
        comparisons=spec.comparisons,
        blocking_rules_to_generate_predictions=spec.blocking,
        retain_intermediate_calculation_columns=True,
        retain_matching_columns=True,
        additional_columns_to_retain=["schema"],
    )
    db_api = DuckDBAPI()
    frame = db_api.register(pa.table(table.columns))
    return Linker(frame, settings)


def _train(
    linker: Any, spec: ModelSettings, records: int, pairs: int, labels: Sequence[Any]
) -> None:
    from splink.internals.exceptions import SplinkException

    training = linker.training
    try:
        training.estimate_probability_two_random_records_match(spec.deterministic, recall=0.7)
    except (SplinkException, ValueError, ZeroDivisionError) as exc:
        log.warning("prior not estimated, Splink's default kept: %s", exc)
    settings = linker._settings_obj
    if not 0.0 < settings._probability_two_random_records_match < 1.0:
        # No record pair met a deterministic rule (data without exact duplicates): a
        # prior of 0 would make every probability 0 and its log odds undefined. Start
        # from one match per record pair in a million; it is re-estimated after
        # prediction (prior.py).
        settings._probability_two_random_records_match = MIN_START_PRIOR
    training.estimate_u_using_random_sampling(
        max_pairs=min(pairs, max(U_MIN_PAIRS, min(U_MAX_PAIRS, U_PAIRS_PER_RECORD * records))),
        seed=SEED,
        min_count_per_level=None,
        num_chunks=1,
    )
    for rule in spec.em_rules:
        # A failed EM session can leave the comparisons it blocked on switched off
        # (seen: data without duplicates, then a prediction with no comparisons).
        saved = copy.deepcopy(linker._settings_obj)
        try:
            training.estimate_parameters_using_expectation_maximisation(
                rule, estimate_without_term_frequencies=True
            )
        except (SplinkException, ValueError, ZeroDivisionError) as exc:
            linker._settings_obj = saved
            log.warning("EM blocked on %s skipped: %s", rule, exc)
    _cap_date_disagreement(linker._settings_obj)
    positives = [(a, b) for a, b, same in labels if same]
    if len(positives) >= MIN_LABELS:
        import pyarrow as pa

        frame = linker._db_api.register(
            pa.table(
                {
                    "unique_id_l": [a for a, _ in positives],
                    "unique_id_r": [b for _, b in positives],
                }
            )
        )
        training.estimate_m_from_pairwise_labels(frame)


def _cap_date_disagreement(settings: Any) -> None:
    """Lower the date's "else" m to the cap, scaling the other levels' m up to sum 1."""
    for comparison in settings.comparisons:
        if comparison.output_column_name != "date":
            continue
        levels = [c for c in comparison.comparison_levels if not c.is_null_level]
        other = next((c for c in levels if c._is_else_level), None)
        m = other.m_probability if other is not None else None
        if other is None or not isinstance(m, float) or m <= MAX_DATE_DISAGREEMENT_M:
            return
        rest = [c for c in levels if c is not other and isinstance(c.m_probability, float)]
        total = sum(c.m_probability for c in rest)
        if total <= 0:
            return
        scale = (1 - MAX_DATE_DISAGREEMENT_M) / total
        for level in rest:
            level.m_probability = level.m_probability * scale
        other.m_probability = MAX_DATE_DISAGREEMENT_M
        log.info("date disagreement m capped: %.3f -> %.3f", m, MAX_DATE_DISAGREEMENT_M)


def _predict(linker: Any, table: Table, spec: ModelSettings, incremental: bool) -> list[Any]:
    """Splink's predictions (as SplinkDataFrames), all blocked pairs above a floor;
    with `incremental`, only the pairs with a new record."""
    if not incremental:
        return [linker.inference.predict(threshold_match_probability=PREDICT_FLOOR)]
    for column in spec.tf_columns:
        linker.table_management.compute_tf_table(column)
    import pyarrow as pa

    flags = table.columns["is_new"]
    parts = {
        side: pa.table({c: [v for v, f in zip(vs, flags, strict=True) if f is side]
                        for c, vs in table.columns.items()})
        for side in (True, False)
    }  # fmt: skip
    db = linker._db_api  # the one the input table is registered with
    new, old = db.register(parts[True]), db.register(parts[False])
    return [
        linker.inference.predict_within(new, threshold_match_probability=PREDICT_FLOOR),
        linker.inference.predict_between(new, old, threshold_match_probability=PREDICT_FLOOR),
    ]


def _columns(linker: Any, frames: list[Any], comparisons: list[str]) -> pd.DataFrame:
    """The columns the explanation needs, of every prediction frame."""
    wanted = ["unique_id_l", "unique_id_r", "schema_l", "schema_r", "match_weight"]
    parts: list[pd.DataFrame] = []
    for frame in frames:
        available = {c.unquote().name for c in frame.columns}
        columns = list(wanted)
        for name in comparisons:
            columns += [f"gamma_{name}", f"mw_{name}"]
            if f"mw_tf_adj_{name}" in available:
                columns.append(f"mw_tf_adj_{name}")
        sql = f"select {', '.join(columns)} from {frame.physical_name}"
        result: pd.DataFrame = linker.misc.query_sql(sql, output_type="pandas")
        parts.append(result)
    return pd.concat(parts, ignore_index=True) if len(parts) > 1 else parts[0]


def _wanted(rows: pd.DataFrame, new: Collection[str] | None) -> npt.NDArray[np.bool_]:
    """Pairs of compatible schemas (and with a new record, in an incremental run)."""
    pairs = rows["schema_l"].astype(str) + " " + rows["schema_r"].astype(str)
    ok = {combo: compatible(*combo.split(" ")) for combo in pairs.unique()}
    keep: npt.NDArray[np.bool_] = pairs.map(ok).to_numpy(dtype=bool)
    if new is not None:
        fresh = set(new)
        keep = keep & (
            rows["unique_id_l"].isin(fresh).to_numpy() | rows["unique_id_r"].isin(fresh).to_numpy()
        )
    return keep


def score_pairs(
    records: Sequence[ResolveRecord],
    *,
    new: Collection[str] | None = None,
    labels: Sequence[tuple[str, str, bool]] = (),
    threshold: float = DEFAULT_THRESHOLD,
    prior: float | None = None,
    progress: Callable[[int], None] | None = None,
) -> list[ScoredPair]:
    """Candidate pairs with match probability ≥ `threshold`, each explained.

    With `new`, only pairs with at least one entity in `new` are returned. `labels` are
    user judgements (left, right, same?); with enough positive ones they set the m
    probabilities. Pairs of incompatible schemas are never returned.

    The prior (`ScoredPair.prior`) is re-estimated from all candidate pairs, so an
    incremental run without `prior` still predicts every pair (and gives exactly the
    full run's scores); passing the prior of the last full run makes Splink predict
    only the pairs with a new record.
    """
    if len(records) < 2 or (new is not None and not new):
        return []
    table = table_of(records, new)
    profile = table.profile
    wanted = [k for k in EM_KEYS if all(profile.share(c) > 0 for c, _ in k)]
    spec = model_settings(profile, pair_counts(table, wanted), len(table))
    linker = _linker(table, spec)
    n = len(table)
    total = n * (n - 1) // 2
    _train(linker, spec, n, total, labels)
    frames = _predict(linker, table, spec, incremental=new is not None and prior is not None)
    saved = linker.misc.save_model_to_json()
    model = levels_of_model(saved)
    rows = _columns(linker, frames, list(model.labels))
    evidence = rows["match_weight"].to_numpy(dtype=np.float64) - model.prior
    if prior is None:
        prior = estimate_prior(evidence, total, model.prior)
    weight = prior + evidence
    above = probability(weight) >= threshold
    rows, weight = rows[above].reset_index(drop=True), weight[above]
    chosen = _wanted(rows, new)
    picked = {c: rows[c].to_numpy()[chosen].tolist() for c in rows.columns}
    picked["match_weight"] = weight[chosen].tolist()
    picked["match_probability"] = probability(weight[chosen]).tolist()
    out = list(scored_pairs(picked, replace(model, prior=prior)))
    if progress is not None:
        progress(len(out))
    return out
