"""Plain Splink 5 (DuckDB) baseline for the entity-resolution benchmark.

Each data set is modelled the way the Splink documentation's own example for that set
(or the closest one) does it: same comparisons and blocking rules, lambda from
deterministic rules, u by random sampling, m by EM with the example's training blocking
rules, predict, then connected-components clustering at the example's threshold.
Each set runs in a child process so wall time and peak RSS are per set.

    python benchmarks/splink_baseline.py [--sets febrl4,fake_1000,...]
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent))

import er_data

SETS = ("febrl4", "fake_1000", "historical_50k", "chicago", "dblp_acm")
VARIANTS = ("fake_1000_tutorial",)
UNIFORM_THRESHOLD = 0.95
DOCS = "https://moj-analytical-services.github.io/splink/demos"

Rule = Any  # a block_on(...) creator or a SQL string
Metrics = dict[str, Any]


@dataclass(frozen=True)
class ModelSpec:
    """Everything that defines one plain Splink run."""

    source: str
    prepare: Callable[[pd.DataFrame], pd.DataFrame]
    comparisons: Callable[[], list[Any]]
    blocking: Callable[[], list[Rule]]
    deterministic: Callable[[], list[Rule]]
    recall: float
    u_max_pairs: float
    em_rules: Callable[[], list[Rule]]
    em_without_tf: bool
    predict_threshold: float | None
    cluster_threshold: float
    retain_intermediate: bool = True
    u_seed: int = 1
    dataset: str = ""  # loader name when it differs from the spec name


# --------------------------------------------------------------------------- preparation


def _clean_text(s: pd.Series) -> pd.Series:
    """Lowercase, trim and collapse whitespace; empty strings become null."""
    out = s.str.lower().str.replace(r"\s+", " ", regex=True).str.strip()
    return out.where(out != "", None)


def _digits(s: pd.Series) -> pd.Series:
    """Keep digits only; empty strings become null."""
    out = s.str.replace(r"\D+", "", regex=True)
    return out.where(out != "", None)


def _identity(df: pd.DataFrame) -> pd.DataFrame:
    return df


def _prep_historical(df: pd.DataFrame) -> pd.DataFrame:
    """As the 50k example: add first_name || ' ' || surname for the TF name level."""
    df = df.copy()
    df["first_name_surname_concat"] = df["first_name"] + " " + df["surname"]
    return df


def _prep_chicago(df: pd.DataFrame) -> pd.DataFrame:
    """Normalise the four matching fields (as dedupe's csv_example preProcess does)."""
    df = df[["unique_id", "source", "site_name", "address", "zip", "phone", "true_cluster"]]
    df = df.copy()
    for col in ("site_name", "address"):
        df[col] = _clean_text(df[col])
    for col in ("zip", "phone"):
        df[col] = _digits(df[col])
    return df


def _prep_dblp_acm(df: pd.DataFrame) -> pd.DataFrame:
    """Lowercase/trim title, authors and venue."""
    df = df.copy()
    for col in ("title", "authors", "venue"):
        df[col] = _clean_text(df[col])
    return df


# --------------------------------------------------------------------------- specs


def _specs() -> dict[str, ModelSpec]:
    """Per-set model settings (imports splink lazily)."""
    import splink.comparison_library as cl
    from splink import ColumnExpression, block_on

    febrl4 = ModelSpec(
        source=f"{DOCS}/examples/duckdb/febrl4.html (detailed model)",
        prepare=_identity,
        comparisons=lambda: [
            cl.NameComparison("given_name").configure(term_frequency_adjustments=True),
            cl.NameComparison("surname").configure(term_frequency_adjustments=True),
            cl.DateOfBirthComparison(
                "date_of_birth",
                input_is_string=True,
                datetime_format="%Y%m%d",
                invalid_dates_as_null=True,
            ),
            cl.DamerauLevenshteinAtThresholds("soc_sec_id", [1, 2]),
            cl.ExactMatch("street_number").configure(term_frequency_adjustments=True),
            cl.DamerauLevenshteinAtThresholds("postcode", [1, 2]).configure(
                term_frequency_adjustments=True
            ),
        ],
        blocking=lambda: [
            block_on("given_name", "surname"),
            "l.given_name = r.surname and l.surname = r.given_name",
            block_on("date_of_birth"),
            block_on("soc_sec_id"),
            block_on("state", "address_1"),
            block_on("street_number", "address_1"),
            block_on("postcode"),
        ],
        deterministic=lambda: [
            block_on("soc_sec_id"),
            block_on("given_name", "surname", "date_of_birth"),
        ],
        recall=0.8,
        u_max_pairs=1e6,
        em_rules=lambda: [block_on("date_of_birth"), block_on("postcode")],
        em_without_tf=True,
        predict_threshold=0.2,
        cluster_threshold=0.99,
    )
    # The docs' fake_1000 evaluation example (full labels); it does not cluster, so 0.95.
    fake_1000 = ModelSpec(
        source=f"{DOCS}/examples/duckdb/accuracy_analysis_from_labels_column.html",
        prepare=_identity,
        comparisons=lambda: [
            cl.ForenameSurnameComparison("first_name", "surname"),
            cl.DateOfBirthComparison("dob", input_is_string=True),
            cl.ExactMatch("city").configure(term_frequency_adjustments=True),
            cl.EmailComparison("email"),
        ],
        blocking=lambda: [
            block_on("first_name"),
            block_on("surname"),
            block_on("dob"),
            block_on("email"),
        ],
        deterministic=lambda: [
            "l.first_name = r.first_name and levenshtein(r.dob::VARCHAR, l.dob::VARCHAR) <= 1",
            "l.surname = r.surname and levenshtein(r.dob::VARCHAR, l.dob::VARCHAR) <= 1",
            "l.first_name = r.first_name and levenshtein(r.surname, l.surname) <= 2",
            "l.email = r.email",
        ],
        recall=0.7,
        u_max_pairs=1e6,
        em_rules=lambda: [
            block_on("dob"),
            block_on("email"),
            block_on("first_name", "surname"),
        ],
        em_without_tf=True,
        predict_threshold=None,
        cluster_threshold=0.95,
        u_seed=5,
    )
    # The tutorial's simpler model (blocking on first_name+city or surname only).
    fake_1000_tutorial = ModelSpec(
        source=f"{DOCS}/tutorials/04_Estimating_model_parameters.html + 05_Predicting_results",
        prepare=_identity,
        comparisons=lambda: [
            cl.NameComparison("first_name"),
            cl.NameComparison("surname"),
            # splink annotates col_name as str, but the tutorial passes a ColumnExpression
            cl.LevenshteinAtThresholds(ColumnExpression("dob").cast_to_string(), 1),  # type: ignore[arg-type]
            cl.ExactMatch("city").configure(term_frequency_adjustments=True),
            cl.EmailComparison("email"),
        ],
        blocking=lambda: [block_on("first_name", "city"), block_on("surname")],
        deterministic=lambda: [
            block_on("first_name", "dob"),
            "l.first_name = r.first_name and levenshtein(r.surname, l.surname) <= 2",
            block_on("email"),
        ],
        recall=0.7,
        u_max_pairs=2e6,
        em_rules=lambda: [block_on("first_name", "surname"), block_on("dob")],
        em_without_tf=False,
        predict_threshold=0.1,
        cluster_threshold=0.2,
        dataset="fake_1000",
    )
    historical_50k = ModelSpec(
        source=f"{DOCS}/examples/duckdb/deduplicate_50k_synthetic.html",
        prepare=_prep_historical,
        comparisons=lambda: [
            cl.ForenameSurnameComparison(
                "first_name",
                "surname",
                forename_surname_concat_col_name="first_name_surname_concat",
            ),
            cl.DateOfBirthComparison("dob", input_is_string=True),
            cl.PostcodeComparison("postcode_fake"),
            cl.ExactMatch("birth_place").configure(term_frequency_adjustments=True),
            cl.ExactMatch("occupation").configure(term_frequency_adjustments=True),
        ],
        blocking=lambda: [
            block_on("substr(first_name,1,3)", "substr(surname,1,4)"),
            block_on("surname", "dob"),
            block_on("first_name", "dob"),
            block_on("postcode_fake", "first_name"),
            block_on("postcode_fake", "surname"),
            block_on("dob", "birth_place"),
            block_on("substr(postcode_fake,1,3)", "dob"),
            block_on("substr(postcode_fake,1,3)", "first_name"),
            block_on("substr(postcode_fake,1,3)", "surname"),
            block_on("substr(first_name,1,2)", "substr(surname,1,2)", "substr(dob,1,4)"),
        ],
        deterministic=lambda: [
            block_on("first_name", "surname", "dob"),
            block_on("substr(first_name,1,2)", "surname", "substr(postcode_fake,1,2)"),
            block_on("dob", "postcode_fake"),
        ],
        recall=0.6,
        u_max_pairs=1e7,
        em_rules=lambda: [block_on("first_name", "surname"), block_on("dob")],
        em_without_tf=True,
        predict_threshold=None,
        cluster_threshold=0.95,
    )
    # No Splink example exists for organisations/addresses: generic comparisons in the
    # style of the tutorial, threshold as in the 50k example.
    chicago = ModelSpec(
        source="no Splink example; tutorial pattern (JaroWinkler/ExactMatch), thr from 50k",
        prepare=_prep_chicago,
        comparisons=lambda: [
            cl.JaroWinklerAtThresholds("site_name", [0.9, 0.7]).configure(
                term_frequency_adjustments=True
            ),
            cl.JaroWinklerAtThresholds("address", [0.9, 0.7]),
            cl.ExactMatch("zip"),
            cl.ExactMatch("phone"),
        ],
        blocking=lambda: [
            block_on("site_name"),
            block_on("address"),
            block_on("phone"),
            block_on("substr(address,1,6)"),
        ],
        deterministic=lambda: [block_on("site_name", "address"), block_on("phone")],
        recall=0.7,
        u_max_pairs=1e6,
        em_rules=lambda: [block_on("phone"), block_on("address")],
        em_without_tf=True,
        predict_threshold=None,
        cluster_threshold=0.95,
    )
    # Closest example: link_only.html (two tables, generic string comparisons). Venue is
    # left out: DBLP and ACM spell venues differently, so its levels are never observed
    # and Splink cannot estimate them (it warns and falls back to defaults).
    dblp_acm = ModelSpec(
        source=f"no Splink example; closest {DOCS}/examples/duckdb/link_only.html",
        prepare=_prep_dblp_acm,
        comparisons=lambda: [
            cl.JaroWinklerAtThresholds("title", [0.9, 0.7]),
            cl.JaroWinklerAtThresholds("authors", [0.9, 0.7]),
            cl.ExactMatch("year"),
        ],
        blocking=lambda: [
            block_on("substr(title,1,10)"),
            block_on("right(title,10)"),
            block_on("year", "substr(authors,1,5)"),
        ],
        deterministic=lambda: [block_on("title", "year")],
        recall=0.8,
        u_max_pairs=1e6,
        em_rules=lambda: [block_on("substr(title,1,10)"), block_on("year", "substr(authors,1,5)")],
        em_without_tf=True,
        predict_threshold=None,
        cluster_threshold=0.95,
    )
    return {
        "febrl4": febrl4,
        "fake_1000": fake_1000,
        "fake_1000_tutorial": fake_1000_tutorial,
        "historical_50k": historical_50k,
        "chicago": chicago,
        "dblp_acm": dblp_acm,
    }


# --------------------------------------------------------------------------- model run


@dataclass
class SplinkResult:
    """Raw output of one Splink run."""

    clusters: dict[str, str]
    alt_clusters: dict[str, str]
    scored_pairs: int
    timings: dict[str, float]


def _register(db_api: Any, ds: er_data.ERDataset, records: pd.DataFrame) -> list[Any]:
    """Register the input table(s): one per source for link_only sets."""
    import pyarrow as pa  # type: ignore[import-untyped]

    def arrow(df: pd.DataFrame) -> pa.Table:
        return pa.Table.from_pandas(df.reset_index(drop=True), preserve_index=False)

    if ds.link_type == "dedupe_only":
        return [db_api.register(arrow(records))]
    return [
        db_api.register(arrow(part), dataset_display_name=str(src))
        for src, part in records.groupby("source_dataset", sort=False)
    ]


def _cluster_map(linker: Any, predictions: Any, threshold: float) -> dict[str, str]:
    """Cluster predictions at a threshold; map unique_id -> cluster_id."""
    clusters = linker.clustering.cluster_pairwise_predictions_at_threshold(
        predictions, threshold_match_probability=threshold
    )
    con = linker._db_api.duckdb_con
    rows = con.sql(f"select unique_id, cluster_id from {clusters.physical_name}").fetchall()
    return {str(u): str(c) for u, c in rows}


def fit_and_cluster(ds: er_data.ERDataset, spec: ModelSpec) -> SplinkResult:
    """Train the plain Splink model, predict and cluster."""
    from splink import DuckDBAPI, Linker, SettingsCreator

    timings: dict[str, float] = {}
    t0 = time.perf_counter()
    settings = SettingsCreator(
        link_type=ds.link_type,
        comparisons=spec.comparisons(),
        blocking_rules_to_generate_predictions=spec.blocking(),
        retain_intermediate_calculation_columns=spec.retain_intermediate,
    )
    db_api = DuckDBAPI()
    linker = Linker(_register(db_api, ds, spec.prepare(ds.records)), settings)
    linker.training.estimate_probability_two_random_records_match(
        spec.deterministic(), recall=spec.recall
    )
    linker.training.estimate_u_using_random_sampling(max_pairs=spec.u_max_pairs, seed=spec.u_seed)
    for rule in spec.em_rules():
        linker.training.estimate_parameters_using_expectation_maximisation(
            rule, estimate_without_term_frequencies=spec.em_without_tf
        )
    timings["train_s"] = time.perf_counter() - t0
    t1 = time.perf_counter()
    predictions = linker.inference.predict(threshold_match_probability=spec.predict_threshold)
    count = db_api.duckdb_con.sql(f"select count(*) from {predictions.physical_name}")
    scored = int(count.fetchall()[0][0])
    timings["predict_s"] = time.perf_counter() - t1
    t2 = time.perf_counter()
    clusters = _cluster_map(linker, predictions, spec.cluster_threshold)
    timings["cluster_s"] = time.perf_counter() - t2
    alt = (
        clusters
        if spec.cluster_threshold == UNIFORM_THRESHOLD
        else _cluster_map(linker, predictions, UNIFORM_THRESHOLD)
    )
    return SplinkResult(clusters, alt, scored, timings)


def evaluate(ds: er_data.ERDataset, clusters: dict[str, str]) -> Metrics:
    """Pairwise and B-cubed scores of predicted clusters against the truth."""
    true = ds.true_clusters
    if ds.true_pairs:
        pw = er_data.pairwise_from_pairs(er_data.cluster_pairs(clusters, ds.sources), ds.true_pairs)
    else:
        pw = er_data.pairwise_from_clusters(clusters, true, ds.sources)
    b3 = er_data.bcubed(clusters, true)
    return {
        "predicted_pairs": pw.predicted,
        "true_pairs": pw.true,
        "precision": pw.precision,
        "recall": pw.recall,
        "f1": pw.f1,
        "bcubed_precision": b3.precision,
        "bcubed_recall": b3.recall,
        "bcubed_f1": b3.f1,
    }


def run_in_process(set_name: str) -> Metrics:
    """Load, model and evaluate one set in this process (no resource accounting)."""
    import logging

    logging.getLogger("splink").setLevel(logging.WARNING)
    spec = _specs()[set_name]
    t0 = time.perf_counter()
    ds = er_data.load(spec.dataset or set_name)
    load_s = time.perf_counter() - t0
    result = fit_and_cluster(ds, spec)
    out: Metrics = {
        "set": set_name,
        "records": len(ds.records),
        "link_type": ds.link_type,
        "source": spec.source,
        "threshold": spec.cluster_threshold,
        "scored_pairs": result.scored_pairs,
        "load_s": load_s,
        **result.timings,
        **evaluate(ds, result.clusters),
    }
    alt = evaluate(ds, result.alt_clusters)
    out["at_095"] = {
        k: alt[k] for k in ("predicted_pairs", "precision", "recall", "f1", "bcubed_f1")
    }
    return out


# --------------------------------------------------------------------------- subprocess


def run_baseline(set_name: str, log_path: Path | None = None) -> Metrics:
    """Run one set in a child process; add its wall time and peak memory (MB)."""
    with tempfile.TemporaryDirectory() as tmp:
        out_path = Path(tmp) / "result.json"
        cmd = [sys.executable, __file__, "--worker", set_name, "--out", str(out_path)]
        try:
            return er_data.run_worker(cmd, out_path, log_path or Path(tmp) / "log.txt")
        except RuntimeError as exc:
            return {"set": set_name, "error": str(exc)}


def markdown_table(rows: Sequence[Metrics]) -> str:
    """Render results as a markdown table (plus the uniform-0.95 scores)."""
    head = (
        "| set | records | thr | predicted pairs | precision | recall | F1 | B-cubed F1 "
        "| F1 @0.95 | B3 F1 @0.95 | wall s | peak MB |"
    )
    lines = [head, "|" + "---|" * 12]
    for r in rows:
        if "error" in r:
            lines.append(f"| {r['set']} | error: {r['error'][:200]!r} |" + " |" * 10)
            continue
        a = r["at_095"]
        lines.append(
            f"| {r['set']} | {r['records']:,} | {r['threshold']} | {r['predicted_pairs']:,} "
            f"| {r['precision']:.3f} | {r['recall']:.3f} | {r['f1']:.3f} | {r['bcubed_f1']:.3f} "
            f"| {a['f1']:.3f} | {a['bcubed_f1']:.3f} | {r['wall_s']:.1f} | {r['peak_mb']:.0f} |"
        )
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    """CLI entry point."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--sets", default=",".join(SETS), help="comma-separated set names")
    parser.add_argument("--json", type=Path, help="also write all results to this file")
    parser.add_argument("--worker", help=argparse.SUPPRESS)
    parser.add_argument("--out", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.worker:
        result = run_in_process(args.worker)
        result["own_peak_mb"] = er_data.own_peak_mb()
        args.out.write_text(json.dumps(result))
        return 0
    names = [s.strip() for s in args.sets.split(",") if s.strip()]
    unknown = sorted(set(names) - set(SETS) - set(VARIANTS))
    if unknown:
        parser.error(f"unknown sets {unknown}; choose from {', '.join(SETS + VARIANTS)}")
    rows = []
    for name in names:
        print(f"running {name} ...", file=sys.stderr, flush=True)
        rows.append(run_baseline(name))
    print(markdown_table(rows))
    if args.json:
        args.json.write_text(json.dumps(rows, indent=2))
    return 0 if all("error" not in r for r in rows) else 1


if __name__ == "__main__":
    sys.exit(main())
