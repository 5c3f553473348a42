"""casegraph's resolution engine against plain Splink, on the entity-resolution sets.

For each set the rows are mapped to FtM entities with the set's mapping YAML in
`benchmarks/resolve_mappings/` (the only per-set input), flattened into records,
scored with `score_pairs` and clustered with `cluster`, all with default settings.
Both sides run in a child process each, so peak RSS is per set.

Timings (seconds), each said in the table's header:
- "resolve s" is the resolver alone, like for like: casegraph from the entities'
  statements to clusters (flattening into records, blocking, training, scoring,
  clustering); plain Splink from its prepared frame to clusters (training, predict,
  clustering; its own `train_s + predict_s + cluster_s`). Mapping rows to FtM
  entities is ingest, not resolution, and is left out.
- "process s" is the child process's whole wall time: interpreter start, imports,
  loading the rows, (for casegraph) FtM mapping, resolution and evaluation.
- "×" is casegraph's resolve time over plain Splink's (the target is at most 1.5).

    python benchmarks/resolve_engine.py [--sets febrl4,fake_1000,...] [--no-baseline]
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
import tempfile
import time
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import yaml

sys.path.insert(0, str(Path(__file__).resolve().parent))

import er_data
import splink_baseline

from casegraph.model.statement import Statement, make_statement_id
from casegraph.resolve.clusters import cluster
from casegraph.resolve.engine import score_pairs
from casegraph.resolve.records import ResolveRecord, record_of

SETS = ("febrl4", "fake_1000", "historical_50k", "chicago", "dblp_acm")
MAPPINGS = Path(__file__).resolve().parent / "resolve_mappings"
Metrics = dict[str, Any]


def _rows(ds: er_data.ERDataset) -> Iterator[dict[str, str]]:
    """The set's rows as text cells; empty cells left out (as a CSV reader would)."""
    frame = ds.records.drop(columns=["true_cluster"])
    columns = list(frame.columns)
    for values in frame.itertuples(index=False, name=None):
        yield {
            c: str(v).strip()
            for c, v in zip(columns, values, strict=True)
            if v is not None and v == v and str(v).strip()
        }


def statements_of(set_name: str, ds: er_data.ERDataset) -> dict[str, list[Statement]]:
    """Map every row with followthemoney's mapper (values that do not clean are dropped,
    as `ftm map` drops them) and group the statements by entity id (= unique_id)."""
    from followthemoney import model

    spec = yaml.safe_load((MAPPINGS / f"{set_name}.yml").read_text())[set_name]
    mappings = [model.make_mapping(q, key_prefix=set_name) for q in spec["queries"]]
    grouped: dict[str, list[Statement]] = {}
    for row in _rows(ds):
        for mapping in mappings:
            for proxy in mapping.map(row).values():
                eid = str(proxy.id)
                out = grouped.setdefault(eid, [])
                for prop, value in proxy.itervalues():
                    sid = make_statement_id(
                        dataset=set_name, entity_id=eid, prop=prop.name, value=value
                    )
                    out.append(
                        Statement(
                            sid, eid, proxy.schema.name, prop.name, prop.type.name, value,
                            None, None, set_name, None, "", "",
                        )
                    )  # fmt: skip
    return grouped


def run_casegraph(set_name: str) -> Metrics:
    """Map, resolve with defaults and evaluate one set in this process."""
    logging.getLogger("splink").setLevel(logging.ERROR)
    logging.getLogger("followthemoney").setLevel(logging.ERROR)  # dropped unclean values
    t0 = time.perf_counter()
    ds = er_data.load(set_name)
    load_s = time.perf_counter() - t0
    t1 = time.perf_counter()
    grouped = statements_of(set_name, ds)
    map_s = time.perf_counter() - t1
    t1 = time.perf_counter()
    records: list[ResolveRecord] = []
    for eid, statements in grouped.items():
        record = record_of(eid, statements)
        if record is not None:
            records.append(record)
    records_s = time.perf_counter() - t1
    out: Metrics = {"set": set_name, "records": len(ds.records), "resolvable": len(records)}
    if not records:
        out["skipped"] = "no resolvable entities (schema not matchable in FtM)"
        return out
    t2 = time.perf_counter()
    pairs = score_pairs(records)
    score_s = time.perf_counter() - t2
    t3 = time.perf_counter()
    result = cluster(pairs)
    cluster_s = time.perf_counter() - t3
    labels = {eid: f"c{i}" for i, members in enumerate(result.clusters) for eid in members}
    out.update(
        load_s=load_s,
        map_s=map_s,
        records_s=records_s,
        resolve_s=records_s + score_s + cluster_s,
        score_s=score_s,
        cluster_s=cluster_s,
        scored_pairs=len(pairs),
        held=len(result.held),
        **splink_baseline.evaluate(ds, labels),
    )
    return out


def run_child(set_name: str) -> Metrics:
    """`run_casegraph` in a child process, with its wall time and peak memory (MB)."""
    with tempfile.TemporaryDirectory() as tmp:
        out_path = Path(tmp) / "result.json"
        cmd = [sys.executable, __file__, "--worker", set_name, "--out", str(out_path)]
        try:
            return er_data.run_worker(cmd, out_path, Path(tmp) / "log.txt")
        except RuntimeError as exc:
            return {"set": set_name, "error": str(exc)}


def _resolve_s(r: Metrics) -> float | None:
    """The resolver's own time (see the module docstring), either engine."""
    if "resolve_s" in r:
        return float(r["resolve_s"])
    parts = [r.get(k) for k in ("train_s", "predict_s", "cluster_s")]
    return float(sum(p for p in parts if p is not None)) if None not in parts else None


def _cells(r: Metrics | None, ratio: str = "") -> str:
    if r is None:
        return "| – | – | – | – | – | – | – | – "
    if "error" in r:
        return f"| error: {r['error'][-120:]!r} | | | | | | | "
    if "skipped" in r:
        return f"| skipped: {r['skipped']} | | | | | | | "
    resolve = _resolve_s(r)
    return (
        f"| {r['precision']:.3f} | {r['recall']:.3f} | {r['f1']:.3f} | {r['bcubed_f1']:.3f} "
        f"| {resolve:.1f} | {ratio} | {r['wall_s']:.1f} | {r['peak_mb']:.0f} "
        if resolve is not None
        else f"| {r['precision']:.3f} | {r['recall']:.3f} | {r['f1']:.3f} "
        f"| {r['bcubed_f1']:.3f} | – | | {r['wall_s']:.1f} | {r['peak_mb']:.0f} "
    )


def markdown_table(rows: Sequence[tuple[Metrics, Metrics | None]]) -> str:
    """casegraph and plain Splink side by side."""
    head = (
        "| set | engine | precision | recall | F1 | B-cubed F1 "
        "| resolve s | × Splink | process s | peak MB |"
    )
    lines = [head, "|" + "---|" * 10]
    for ours, base in rows:
        mine, theirs = _resolve_s(ours), _resolve_s(base) if base else None
        ratio = f"{mine / theirs:.2f}" if mine and theirs else ""
        lines.append(f"| {ours['set']} | casegraph {_cells(ours, ratio)}|")
        lines.append(f"| {ours['set']} | plain Splink {_cells(base)}|")
    lines += [
        "",
        "resolve s: the resolver alone (casegraph: statements -> records -> clusters;",
        "plain Splink: prepared frame -> trained model -> clusters); FtM mapping and",
        "loading excluded. process s: the whole child process (start, imports, loading,",
        "mapping for casegraph, resolving, evaluation).",
    ]
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    """CLI entry point."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--sets", default=",".join(SETS), help="comma-separated set names")
    parser.add_argument("--no-baseline", action="store_true", help="skip plain Splink")
    parser.add_argument("--json", type=Path, help="also write all results to this file")
    parser.add_argument("--worker", help=argparse.SUPPRESS)
    parser.add_argument("--out", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.worker:
        result = run_casegraph(args.worker)
        result["own_peak_mb"] = er_data.own_peak_mb()
        args.out.write_text(json.dumps(result))
        return 0
    names = [s.strip() for s in args.sets.split(",") if s.strip()]
    unknown = sorted(set(names) - set(SETS))
    if unknown:
        parser.error(f"unknown sets {unknown}; choose from {', '.join(SETS)}")
    rows: list[tuple[Metrics, Metrics | None]] = []
    for name in names:
        print(f"running {name} ...", file=sys.stderr, flush=True)
        ours = run_child(name)
        base = None if args.no_baseline else splink_baseline.run_baseline(name)
        print(json.dumps(ours), file=sys.stderr, flush=True)
        rows.append((ours, base))
    print(markdown_table(rows))
    if args.json:
        args.json.write_text(json.dumps(rows, indent=2))
    return 0 if all("error" not in r for r, _ in rows) else 1


if __name__ == "__main__":
    sys.exit(main())
