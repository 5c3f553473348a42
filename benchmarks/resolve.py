"""casegraph's resolver against plain Splink, through casegraph's real ingest.

For each entity-resolution set, in one run:

1. the set's rows are written to a CSV and ingested into a fresh store with
   casegraph's ingest and the set's mapping in `benchmarks/resolve_mappings/` (the
   only per-set input), as `casegraph ingest FILE --mapping MAPPING
   --invalid-values drop-value` would: a record keeps its good values when one value
   does not clean (a malformed e-mail, an impossible date), as `ftm map` does, and
   every dropped value is listed (the counts are in the ingest table);
2. `resolve` (the service behind `casegraph resolve`) runs with its default settings
   in a child process of its own, so its wall time and peak memory are its own;
3. the clusters are read back through the services and scored against the truth;
4. plain Splink, set up as the Splink documentation's examples set it up
   (`splink_baseline.py`), runs on the same rows in a child process of its own.

Timings, each named in the table:
- "resolve s": casegraph's whole resolve service call (reading the statements from the
  store, flattening, blocking, training, scoring, writing every explained pair and the
  clusters); plain Splink's train + predict + cluster on its prepared frame.
- "× Splink": casegraph's resolve s over plain Splink's (the target is at most 1.5).
- "process s" / "peak MB": the resolving child process as a whole (interpreter start,
  imports, everything above); for plain Splink, its child also loads the rows.

The OpenSanctions name pairs are scored separately (`resolve_names.py`).

    python benchmarks/resolve.py [--sets febrl4,fake_1000,...] [--no-baseline]
        [--no-names] [--write]
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import asdict
from pathlib import Path
from typing import Any

import yaml

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import er_data
import resolve_names
import splink_baseline

from benchmarks.report import update_section
from casegraph.demo.truth import IdMapper, ftm_record
from casegraph.ingest.records import InvalidValues
from casegraph.model.dataset import DatasetMeta
from casegraph.security.context import Context
from casegraph.services.authentication import login
from casegraph.services.identity import create_owner
from casegraph.services.ingest import ingest
from casegraph.services.resolve import cluster_labels, resolve
from casegraph.services.store import Store, init_store, open_store
from casegraph.settings import load_settings

SETS = ("febrl4", "fake_1000", "historical_50k", "chicago", "dblp_acm")
MAPPINGS = Path(__file__).resolve().parent / "resolve_mappings"
OWNER, PASSWORD, PURPOSE = "bench", "bench-password-2026", "case:BENCH-1"
Metrics = dict[str, Any]


def _open(work: Path, *, fresh: bool = False) -> tuple[Store, Context]:
    from casegraph.security.purpose import parse_purpose

    data = work / "store"
    settings = load_settings(data_dir=data, database_url=f"sqlite:///{data}/cg.sqlite")
    store = init_store(settings) if fresh else open_store(settings)
    if fresh:
        create_owner(store, name=OWNER, password=PASSWORD, group="owners")
    return store, Context(actor=login(store, OWNER, PASSWORD), purpose=parse_purpose(PURPOSE))


def stage_ingest(set_name: str, work: Path) -> Metrics:
    """A fresh store with the set's CSV ingested through its mapping."""
    store, ctx = _open(work, fresh=True)
    meta = DatasetMeta(name=set_name, title=set_name, marking="PUBLIC")
    t0 = time.perf_counter()
    result = ingest(
        store,
        ctx,
        work / f"{set_name}.csv",
        meta=meta,
        mapping=MAPPINGS / f"{set_name}.yml",
        invalid_values=InvalidValues.DROP_VALUE,
    )
    seconds = time.perf_counter() - t0
    store.close()
    return {
        "read": result.read,
        "ingested": result.ingested,
        "rejected": result.rejected,
        "dropped": result.values_dropped,
        "ingest_s": seconds,
        "first_rejects": result.first_rejects[:3],
    }


def stage_resolve(set_name: str, work: Path) -> Metrics:
    """`casegraph resolve --dataset SET` with every default, timed."""
    logging.getLogger("splink").setLevel(logging.ERROR)
    store, ctx = _open(work)
    t0 = time.perf_counter()
    summary = resolve(store, ctx, datasets=[set_name])
    seconds = time.perf_counter() - t0
    store.close()
    return {"resolve_s": seconds, **asdict(summary)}


STAGES = {"ingest": stage_ingest, "resolve": stage_resolve}


def _child(stage: str, set_name: str, work: Path) -> Metrics:
    """One stage in a child process, with its wall time and peak memory (MB)."""
    cmd = [sys.executable, __file__, "--stage", stage, set_name, "--work", str(work)]
    try:
        return er_data.run_worker(cmd, work / f"{stage}.json", work / f"{stage}.log")
    except RuntimeError as exc:
        raise RuntimeError(f"{stage} of {set_name} failed: {exc}") from exc


def _entity_ids(set_name: str, ds: er_data.ERDataset) -> dict[str, str]:
    """unique_id -> the entity id casegraph's ingest gives that row (signed as ftm map)."""
    spec = yaml.safe_load((MAPPINGS / f"{set_name}.yml").read_text())
    mapper = IdMapper(set_name, spec)
    entity = next(iter(spec[set_name]["queries"][0]["entities"]))
    out: dict[str, str] = {}
    for row in ds.records.drop(columns=["true_cluster"]).to_dict("records"):
        record = ftm_record({k: v for k, v in row.items() if v is not None and v == v})
        out[str(row["unique_id"])] = mapper.entity_id(record, entity)
    return out


def run_casegraph(set_name: str, ds: er_data.ERDataset) -> Metrics:
    """Ingest, resolve and evaluate one set; rows the ingest rejected stay alone."""
    with tempfile.TemporaryDirectory(prefix=f"cg-resolve-{set_name}-") as tmp:
        work = Path(tmp)
        frame = ds.records.drop(columns=["true_cluster"])
        frame.to_csv(work / f"{set_name}.csv", index=False)
        ingested = _child("ingest", set_name, work)
        resolved = _child("resolve", set_name, work)
        ids = _entity_ids(set_name, ds)
        store, ctx = _open(work)
        labels = cluster_labels(store, ctx, list(ids.values()))
        store.close()
    clusters = {uid: labels.get(eid, f"alone:{uid}") for uid, eid in ids.items()}
    if not resolved["records"]:
        return {
            "set": set_name,
            "skipped": f"no resolvable entity: its {len(ds.records):,} rows map to a schema "
            "followthemoney does not match (publications are Documents)",
        }
    return {
        "set": set_name,
        "records": len(ds.records),
        "ingest": {
            k: ingested[k] for k in ("ingested", "rejected", "dropped", "ingest_s", "first_rejects")
        },
        "resolvable": resolved["records"],
        "scored_pairs": resolved["pairs"],
        "queue": resolved["queue"],
        "held": resolved["held"],
        "resolve_s": resolved["resolve_s"],
        "wall_s": resolved["wall_s"],
        "peak_mb": resolved["peak_mb"],
        **splink_baseline.evaluate(ds, clusters),
    }


def _splink_s(r: Metrics) -> float | None:
    parts = [r.get(k) for k in ("train_s", "predict_s", "cluster_s")]
    return float(sum(p for p in parts if p is not None)) if None not in parts else None


MARK_START = "<!-- resolve-benchmark:start -->"
MARK_END = "<!-- resolve-benchmark:end -->"


def section(body: str) -> str:
    """The BENCHMARKS.md section, between its markers."""
    day = time.strftime("%Y-%m-%d")
    return (
        f"{MARK_START}\n## Entity resolution\n\n"
        f"Measured by `make bench` (`benchmarks/resolve.py`) on {day}. Each set is ingested "
        "with casegraph's real ingest and its mapping in `benchmarks/resolve_mappings/` "
        "(the only per-set input) into a fresh SQLite store; `resolve` runs with every "
        "default; plain Splink is set up as the Splink documentation's examples set it up "
        "(`benchmarks/splink_baseline.py`). Pairwise scores count cross-source pairs only "
        "for the two-source sets (febrl4, dblp_acm).\n\n"
        f"{body}\n\n{READING}\n{MARK_END}\n"
    )


READING = """How to read it:
- *resolve s* is casegraph's whole `resolve` service call: reading the statements from
  the store, flattening, blocking, training, scoring, storing every candidate pair with
  its explanation, clustering and storing the clusters. For plain Splink it is
  training, prediction and clustering of a frame already in memory. *× Splink* is
  their ratio (target ≤ 1.5). *process s* and *peak MB* are each resolving child
  process as a whole (its own VmHWM); Splink's child also loads the rows.
- Name pairs: a name alone does not merge under the defaults (the first two rows),
  by design: two records that share only a name go to review at best. The last row
  scores the name comparison alone, cut at its best level. For scale, nomenklatura's
  logic_v2 matcher scores P 0.762, R 0.821 (F1 0.790) on 812 of these cases (its
  frozen run, in the data set's PROVENANCE.md).
- dblp_acm holds publications: followthemoney has no matchable schema for them, so
  casegraph does not resolve them (a deliberate limit, not a failure of the run)."""

TARGETS = {"historical_50k": 0.92, "fake_1000": 0.92, "chicago": 0.96, "febrl4": 0.99}
MAX_RATIO = 1.5


def _verdict(ours: Metrics, ratio: float | None) -> str:
    target = TARGETS.get(ours["set"])
    notes = []
    if target is not None:
        met = ours["f1"] >= target
        notes.append(f"F1 ≥ {target}: {'met' if met else '**NOT met**'}")
    if ratio is not None:
        notes.append(f"≤ {MAX_RATIO}×: {'met' if ratio <= MAX_RATIO else '**NOT met**'}")
    return "; ".join(notes)


def markdown_table(rows: Sequence[tuple[Metrics, Metrics | None]]) -> str:
    """casegraph and plain Splink side by side, with each target marked."""
    lines = [
        "| set | engine | precision | recall | F1 | B-cubed F1 | resolve s | × Splink "
        "| process s | peak MB | targets |",
        "|" + "---|" * 11,
    ]
    for ours, base in rows:
        name = ours["set"]
        if "skipped" in ours or "error" in ours:
            lines.append(f"| {name} | casegraph | {ours.get('skipped') or ours['error'][-200:]!s}"
                         + " |" * 9)  # fmt: skip
        else:
            theirs = _splink_s(base) if base and "error" not in base else None
            ratio = ours["resolve_s"] / theirs if theirs else None
            lines.append(
                f"| {name} | casegraph | {ours['precision']:.3f} | {ours['recall']:.3f} "
                f"| {ours['f1']:.3f} | {ours['bcubed_f1']:.3f} | {ours['resolve_s']:.1f} "
                f"| {'' if ratio is None else f'{ratio:.2f}'} | {ours['wall_s']:.1f} "
                f"| {ours['peak_mb']:.0f} | {_verdict(ours, ratio)} |"
            )
        if base is None:
            continue
        if "error" in base:
            lines.append(f"| {name} | plain Splink | error: {base['error'][-200:]!r}" + " |" * 9)
            continue
        theirs = _splink_s(base)
        lines.append(
            f"| {name} | plain Splink | {base['precision']:.3f} | {base['recall']:.3f} "
            f"| {base['f1']:.3f} | {base['bcubed_f1']:.3f} "
            f"| {'–' if theirs is None else f'{theirs:.1f}'} | | {base['wall_s']:.1f} "
            f"| {base['peak_mb']:.0f} | |"
        )
    return "\n".join(lines)


def ingest_table(rows: Sequence[tuple[Metrics, Metrics | None]]) -> str:
    """What casegraph's ingest did with each set's rows."""
    lines = ["| set | rows | entities ingested | rows rejected | values dropped | ingest s "
             "| resolvable |", "|---|---:|---:|---:|---:|---:|---:|"]  # fmt: skip
    for ours, _ in rows:
        if "ingest" not in ours:
            continue
        i = ours["ingest"]
        lines.append(
            f"| {ours['set']} | {ours['records']:,} | {i['ingested']:,} | {i['rejected']:,} "
            f"| {i['dropped']:,} | {i['ingest_s']:.1f} | {ours.get('resolvable', 0):,} |"
        )
    return "\n".join(lines)


def report_text(
    rows: Sequence[tuple[Metrics, Metrics | None]],
    names_result: dict[str, Any] | None,
    load: tuple[float, float],
) -> str:
    """The tables and the machine's load, as markdown."""
    return "\n\n".join(
        [
            markdown_table(rows),
            "Ingest (casegraph's real ingest with the set's mapping and "
            "`--invalid-values drop-value`):\n\n" + ingest_table(rows),
            *([] if names_result is None else [resolve_names.markdown(names_result)]),
            f"Load average (1 min) before / after: {load[0]:.1f} / {load[1]:.1f} "
            f"on {os.cpu_count()} cores.",
        ]
    )


def main(argv: Sequence[str] | None = None) -> int:
    """CLI entry point."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--sets", default=",".join(SETS), help="comma-separated set names")
    parser.add_argument("--no-baseline", action="store_true", help="skip plain Splink")
    parser.add_argument("--no-names", action="store_true", help="skip the name pairs")
    parser.add_argument("--json", type=Path, help="also write every result to this file")
    parser.add_argument("--write", action="store_true", help="update BENCHMARKS.md")
    parser.add_argument("--render", type=Path, help="write a --json result, without running")
    parser.add_argument("--stage", nargs=1, choices=sorted(STAGES), help=argparse.SUPPRESS)
    parser.add_argument("stage_set", nargs="?", help=argparse.SUPPRESS)
    parser.add_argument("--work", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.stage:
        stage = args.stage[0]
        result = STAGES[stage](args.stage_set, args.work)
        result["own_peak_mb"] = er_data.own_peak_mb()
        (args.work / f"{stage}.json").write_text(json.dumps(result))
        return 0
    if args.render:
        saved = json.loads(args.render.read_text())
        text = report_text(saved["sets"], saved["names"], saved.get("load", (0.0, 0.0)))
        update_section(section(text), start=MARK_START, end=MARK_END)
        return 0
    names = [s.strip() for s in args.sets.split(",") if s.strip()]
    unknown = sorted(set(names) - set(SETS))
    if unknown:
        parser.error(f"unknown sets {unknown}; choose from {', '.join(SETS)}")
    load_before = os.getloadavg()
    rows: list[tuple[Metrics, Metrics | None]] = []
    for name in names:
        print(f"{name}: casegraph ...", file=sys.stderr, flush=True)
        ds = er_data.load(name)
        try:
            ours = run_casegraph(name, ds)
        except RuntimeError as exc:
            ours = {"set": name, "error": str(exc)}
        print(json.dumps(ours), file=sys.stderr, flush=True)
        base = None
        if not args.no_baseline:
            print(f"{name}: plain Splink ...", file=sys.stderr, flush=True)
            base = splink_baseline.run_baseline(name)
            print(json.dumps(base), file=sys.stderr, flush=True)
        rows.append((ours, base))
    names_result = None if args.no_names else resolve_names.run()
    load_after = os.getloadavg()
    text = report_text(rows, names_result, (load_before[0], load_after[0]))
    print(text)
    if args.json:
        load = (load_before[0], load_after[0])
        args.json.write_text(json.dumps({"sets": rows, "names": names_result, "load": load}))
    if args.write:
        update_section(section(text), start=MARK_START, end=MARK_END)
    return 0 if all("error" not in r for r, _ in rows) else 1


if __name__ == "__main__":
    sys.exit(main())
