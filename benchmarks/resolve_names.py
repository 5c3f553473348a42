"""The OpenSanctions name pairs, scored by casegraph's resolver comparisons.

Every distinct (schema, name) of `name_bench_cases.csv` becomes an entity of that
schema with that one name; casegraph's resolution engine (`score_pairs`, default
settings: the person and company comparisons, blocking, EM, prior) scores every
candidate pair among them. A labelled pair's score is the match probability of its
two entities (1.0 when both names are the same text; 0 when no blocking rule brought
them together or the probability fell below the floor). Reported: precision, recall
and F1 at the default merge threshold and at the review threshold: what a `resolve`
run with the defaults would merge or queue when a name is all the records hold.

A name alone is weak evidence by design (one "John Smith" is not another), so the
name comparison is also measured on its own: every labelled pair is put through the
resolver's name comparison (its ladder of levels, from "same name" down to "one word
shared"), and the best cut of that ladder is reported (F1 at the best threshold).

    python benchmarks/resolve_names.py
"""

from __future__ import annotations

import csv
import logging
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from casegraph.model.statement import Statement, make_statement_id
from casegraph.resolve.clusters import DEFAULT_UPPER
from casegraph.resolve.engine import DEFAULT_THRESHOLD, PREDICT_FLOOR, score_pairs
from casegraph.resolve.records import ResolveRecord, record_of
from casegraph.resolve.settings import model_settings
from casegraph.resolve.table import table_of

CASES = (
    Path(__file__).resolve().parent.parent.parent
    / "shared/data/er/opensanctions_name_bench/name_bench_cases.csv"
)
DATASET = "name_bench"


@dataclass(frozen=True)
class Case:
    schema: str
    left: str
    right: str
    same: bool


def load_cases(path: Path = CASES) -> list[Case]:
    with path.open(encoding="utf-8", newline="") as fh:
        return [
            Case(row["schema"], row["name1"].strip(), row["name2"].strip(),
                 row["is_match"].strip().lower() == "true")
            for row in csv.DictReader(fh)
        ]  # fmt: skip


def _record(entity_id: str, schema: str, name: str) -> ResolveRecord | None:
    sid = make_statement_id(dataset=DATASET, entity_id=entity_id, prop="name", value=name)
    statement = Statement(
        sid, entity_id, schema, "name", "name", name, None, None, DATASET, None, "", ""
    )
    return record_of(entity_id, [statement])


def _prf(tp: int, fp: int, fn: int) -> dict[str, float]:
    p = tp / (tp + fp) if tp + fp else 0.0
    r = tp / (tp + fn) if tp + fn else 0.0
    return {"precision": p, "recall": r, "f1": 2 * p * r / (p + r) if p + r else 0.0}


def at_threshold(scored: list[tuple[float, bool]], threshold: float) -> dict[str, float]:
    tp = sum(1 for s, same in scored if same and s >= threshold)
    fp = sum(1 for s, same in scored if not same and s >= threshold)
    fn = sum(1 for s, same in scored if same and s < threshold)
    return {"threshold": threshold, **_prf(tp, fp, fn)}


def name_levels(cases: list[Case]) -> tuple[list[int], dict[int, str]]:
    """For each case, the rank of the level its two names reach on the resolver's name
    comparison: 0 is "no level" (else), higher is closer. Every pair is compared (a
    block per case), not only those blocking would propose."""
    import pyarrow as pa  # type: ignore[import-untyped]
    from splink import DuckDBAPI, Linker, SettingsCreator, block_on

    records: list[ResolveRecord] = []
    for k, case in enumerate(cases):
        for side, name in (("l", case.left), ("r", case.right)):
            record = _record(f"{k}{side}", case.schema, name)
            if record is not None:
                records.append(record)
    table = table_of(records)
    spec = model_settings(table.profile, {}, len(table))
    comparison = spec.comparisons[0]  # the name comparison comes first
    columns = dict(table.columns)
    columns["case_id"] = [uid[:-1] for uid in columns["unique_id"]]  # type: ignore[index]
    settings = SettingsCreator(
        link_type="dedupe_only",
        comparisons=[comparison],
        blocking_rules_to_generate_predictions=[block_on("case_id")],
    )
    db_api = DuckDBAPI()
    linker = Linker(db_api.register(pa.table(columns)), settings)
    frame = linker.inference.predict().as_pandas_dataframe()
    pairs = zip(frame["unique_id_l"], frame["gamma_name"], strict=True)
    gamma = {str(uid)[:-1]: int(g) for uid, g in pairs}
    compared = linker._settings_obj.comparisons[0]
    labels = {lvl.comparison_vector_value: lvl.label_for_charts
              for lvl in compared.comparison_levels}  # fmt: skip
    return [max(gamma.get(str(k), 0), 0) for k in range(len(cases))], labels


def run(path: Path = CASES) -> dict[str, Any]:
    """Score every case; metrics at the default thresholds and at the best one."""
    logging.getLogger("splink").setLevel(logging.ERROR)
    cases = load_cases(path)
    ids: dict[tuple[str, str], str] = {}
    for case in cases:
        for name in (case.left, case.right):
            ids.setdefault((case.schema, name), f"n{len(ids)}")
    records = [r for (schema, name), eid in ids.items() if (r := _record(eid, schema, name))]
    t0 = time.perf_counter()
    pairs = score_pairs(records, threshold=PREDICT_FLOOR)
    seconds = time.perf_counter() - t0
    found = {(min(p.left, p.right), max(p.left, p.right)): p.probability for p in pairs}
    scored: list[tuple[float, bool]] = []
    for case in cases:
        a, b = ids[(case.schema, case.left)], ids[(case.schema, case.right)]
        score = 1.0 if a == b else found.get((min(a, b), max(a, b)), 0.0)
        scored.append((score, case.same))
    levels, labels = name_levels(cases)
    ladder = [(float(g), case.same) for g, case in zip(levels, cases, strict=True)]
    best = max(
        (at_threshold(ladder, t) for t in sorted({s for s, _ in ladder if s > 0})),
        key=lambda m: m["f1"],
    )
    best["level"] = labels.get(int(best["threshold"]), "?")
    return {
        "cases": len(cases),
        "matches": sum(c.same for c in cases),
        "entities": len(records),
        "scored_pairs": len(pairs),
        "seconds": seconds,
        "default": at_threshold(scored, DEFAULT_UPPER),
        "review": at_threshold(scored, DEFAULT_THRESHOLD),
        "best": best,
        "levels": {labels[g]: levels.count(g) for g in sorted(set(levels)) if g in labels},
    }


def markdown(result: dict[str, Any]) -> str:
    """The name pairs' table."""
    lines = [
        f"Name pairs (`opensanctions_name_bench`): {result['cases']} labelled pairs "
        f"({result['matches']} matches), {result['entities']} distinct names, each an "
        "entity of its case's schema with that one name, scored by the resolver's "
        f"default comparisons ({result['seconds']:.1f} s).",
        "",
        "| threshold | precision | recall | F1 |",
        "|---|---:|---:|---:|",
    ]
    for label, key in (("default (merge)", "default"), ("review queue", "review")):
        m = result[key]
        lines.append(
            f"| {label}: probability ≥ {m['threshold']:.2f} | {m['precision']:.3f} "
            f"| {m['recall']:.3f} | {m['f1']:.3f} |"
        )
    b = result["best"]
    lines.append(
        f'| best cut of the name comparison: level "{b["level"]}" or closer '
        f"| {b['precision']:.3f} | {b['recall']:.3f} | {b['f1']:.3f} |"
    )
    return "\n".join(lines)


if __name__ == "__main__":
    print(markdown(run()))
