"""Entity-resolution benchmark data: loaders and evaluation metrics.

Data sets live in ``/work/shared/data/er`` (override with ``CASEGRAPH_ER_DATA``); each
folder's PROVENANCE.md documents columns and ground truth. Every loader returns an
:class:`ERDataset` whose ``records`` frame has a string ``unique_id`` (globally unique,
also across sources), a ``source_dataset`` column for two-source sets and a
``true_cluster`` column (records with equal values are the same entity).
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import time
from collections.abc import Callable, Hashable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from itertools import combinations
from pathlib import Path
from typing import Any, Literal

import pandas as pd

ER_DATA = Path(os.environ.get("CASEGRAPH_ER_DATA", "/work/shared/data/er"))

LinkType = Literal["dedupe_only", "link_only"]
Pair = tuple[str, str]


@dataclass(frozen=True)
class ERDataset:
    """One benchmark data set: records, task type and truth."""

    name: str
    records: pd.DataFrame
    link_type: LinkType
    true_pairs: frozenset[Pair] = field(default_factory=frozenset)

    @property
    def true_clusters(self) -> dict[str, str]:
        """Map unique_id -> true cluster id."""
        return dict(zip(self.records["unique_id"], self.records["true_cluster"], strict=True))

    @property
    def sources(self) -> dict[str, str] | None:
        """Map unique_id -> source_dataset for two-source sets, else None."""
        if "source_dataset" not in self.records.columns:
            return None
        return dict(zip(self.records["unique_id"], self.records["source_dataset"], strict=True))


# --------------------------------------------------------------------------- loaders


def _snake(name: str) -> str:
    """'Site name' -> 'site_name'."""
    return re.sub(r"[^0-9a-z]+", "_", name.strip().lower()).strip("_")


def _read_febrl(path: Path) -> pd.DataFrame:
    """Read one FEBRL file as strings, stripping the space after each comma."""
    df = pd.read_csv(path, dtype=str, skipinitialspace=True, keep_default_na=False)
    df.columns = [c.strip() for c in df.columns]
    for col in df.columns:
        df[col] = df[col].str.strip()
    cleaned: pd.DataFrame = df.mask(df == "")
    return cleaned


def load_febrl4() -> ERDataset:
    """FEBRL 4: 5,000 + 5,000 person records, one-to-one links (link_only)."""
    parts = []
    for source, fname in (("a", "dataset4a.csv"), ("b", "dataset4b.csv")):
        df = _read_febrl(ER_DATA / "febrl4" / fname)
        df.insert(0, "unique_id", df.pop("rec_id"))
        df.insert(1, "source_dataset", source)
        parts.append(df)
    records = pd.concat(parts, ignore_index=True)
    records["true_cluster"] = records["unique_id"].str.extract(r"^(rec-\d+)", expand=False)
    return ERDataset("febrl4", records, "link_only")


def load_fake_1000() -> ERDataset:
    """Splink fake_1000: 1,000 synthetic person records (dedupe_only)."""
    records = pd.read_csv(ER_DATA / "splink_fake_1000" / "fake_1000.csv", dtype=str)
    records["true_cluster"] = records.pop("cluster")
    return ERDataset("fake_1000", records, "dedupe_only")


def load_historical_50k() -> ERDataset:
    """Splink historical_50k: 50,578 Wikidata-derived person records (dedupe_only)."""
    path = ER_DATA / "splink_historical_50k" / "historical_figures_with_errors_50k.parquet"
    records = pd.read_parquet(path).astype(object)
    records = records.where(records.notna(), None)
    records["true_cluster"] = records.pop("cluster")
    return ERDataset("historical_50k", records, "dedupe_only")


def load_chicago() -> ERDataset:
    """Chicago early-childhood sites (dedupe csv_example): 3,337 records (dedupe_only)."""
    path = ER_DATA / "chicago_early_childhood" / "csv_example_input_with_true_ids.csv"
    records = pd.read_csv(path, dtype=str)
    records.columns = [_snake(c) for c in records.columns]
    records.insert(0, "unique_id", records.pop("id"))
    records["true_cluster"] = records.pop("true_id")
    return ERDataset("chicago", records, "dedupe_only")


def load_dblp_acm() -> ERDataset:
    """DBLP-ACM: 2,616 + 2,294 bibliographic records, 2,224 true pairs (link_only)."""
    folder = ER_DATA / "dblp_acm"
    parts = []
    for source in ("dblp", "acm"):
        df = pd.read_csv(folder / f"{source}.csv", sep="%", dtype=str)
        df.insert(0, "unique_id", source + "-" + df.pop("id"))
        df.insert(1, "source_dataset", source)
        parts.append(df)
    records = pd.concat(parts, ignore_index=True)
    gt = pd.read_csv(folder / "gt.csv", sep="%", dtype=str)
    pairs = frozenset(
        _ordered("dblp-" + d, "acm-" + a) for d, a in zip(gt["D1"], gt["D2"], strict=True)
    )
    labels = components(records["unique_id"], pairs)
    records["true_cluster"] = records["unique_id"].map(labels)
    return ERDataset("dblp_acm", records, "link_only", pairs)


LOADERS: dict[str, Callable[[], ERDataset]] = {
    "febrl4": load_febrl4,
    "fake_1000": load_fake_1000,
    "historical_50k": load_historical_50k,
    "chicago": load_chicago,
    "dblp_acm": load_dblp_acm,
}


def load(name: str) -> ERDataset:
    """Load a data set by its short name (see ``LOADERS``)."""
    return LOADERS[name]()


# --------------------------------------------------------------------------- clusters


def _ordered(a: str, b: str) -> Pair:
    """Canonical order for an unordered pair."""
    return (a, b) if a <= b else (b, a)


def components(ids: Iterable[str], pairs: Iterable[Pair]) -> dict[str, str]:
    """Connected components (union-find): map each id to its component's smallest id."""
    parent: dict[str, str] = {i: i for i in ids}

    def find(x: str) -> str:
        root = x
        while parent[root] != root:
            root = parent[root]
        while parent[x] != root:
            parent[x], x = root, parent[x]
        return root

    for a, b in pairs:
        parent.setdefault(a, a)
        parent.setdefault(b, b)
        ra, rb = find(a), find(b)
        if ra != rb:
            parent[max(ra, rb)] = min(ra, rb)
    return {i: find(i) for i in parent}


def cluster_pairs(
    clusters: Mapping[str, Hashable], sources: Mapping[str, str] | None = None
) -> Iterator[Pair]:
    """All within-cluster pairs; cross-source only when ``sources`` is given."""
    members: dict[Hashable, list[str]] = {}
    for uid, cid in clusters.items():
        members.setdefault(cid, []).append(uid)
    for ids in members.values():
        for a, b in combinations(sorted(ids), 2):
            if sources is None or sources[a] != sources[b]:
                yield (a, b)


# --------------------------------------------------------------------------- metrics


@dataclass(frozen=True)
class PRF:
    """Precision, recall, F1 (and the counts behind a pairwise score)."""

    precision: float
    recall: float
    f1: float
    predicted: int = 0
    true: int = 0
    tp: int = 0


def _prf(tp: float, n_pred: float, n_true: float) -> tuple[float, float, float]:
    """Precision, recall and F1 from counts (empty sets count as perfect)."""
    p = tp / n_pred if n_pred else 1.0
    r = tp / n_true if n_true else 1.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    return p, r, f


def _aligned(
    pred: Mapping[str, Hashable], true: Mapping[str, Hashable], sources: Mapping[str, str] | None
) -> pd.DataFrame:
    """Frame of id, pred, true (and src) over the true ids; unpredicted ids are singletons."""
    ids = list(true)
    frame = pd.DataFrame(
        {
            "pred": [str(pred.get(i, f"__single__{i}")) for i in ids],
            "true": [str(true[i]) for i in ids],
        }
    )
    frame["src"] = [sources[i] for i in ids] if sources is not None else ""
    return frame


def _pair_count(frame: pd.DataFrame, keys: list[str], cross_source: bool) -> int:
    """Number of record pairs sharing ``keys`` (cross-source pairs only if asked)."""
    sizes = frame.groupby([*keys, "src"]).size()
    levels = list(range(len(keys)))
    totals = sizes.groupby(level=levels).sum()
    pairs = int((totals * (totals - 1) // 2).sum())
    if cross_source:
        pairs -= int((sizes * (sizes - 1) // 2).sum())
    return pairs


def pairwise_from_clusters(
    pred: Mapping[str, Hashable],
    true: Mapping[str, Hashable],
    sources: Mapping[str, str] | None = None,
) -> PRF:
    """Pairwise P/R/F1 of predicted vs true clusters (counts, no pair enumeration).

    With ``sources`` only cross-source pairs count (link_only tasks).
    """
    frame = _aligned(pred, true, sources)
    cross = sources is not None
    n_pred = _pair_count(frame, ["pred"], cross)
    n_true = _pair_count(frame, ["true"], cross)
    tp = _pair_count(frame, ["pred", "true"], cross)
    return PRF(*_prf(tp, n_pred, n_true), predicted=n_pred, true=n_true, tp=tp)


def pairwise_from_pairs(pred_pairs: Iterable[Pair], true_pairs: Iterable[Pair]) -> PRF:
    """Pairwise P/R/F1 of predicted vs true unordered pairs."""
    pred = {_ordered(a, b) for a, b in pred_pairs}
    true = {_ordered(a, b) for a, b in true_pairs}
    tp = len(pred & true)
    return PRF(*_prf(tp, len(pred), len(true)), predicted=len(pred), true=len(true), tp=tp)


def bcubed(pred: Mapping[str, Hashable], true: Mapping[str, Hashable]) -> PRF:
    """B-cubed precision/recall/F1 over all records of ``true``."""
    frame = _aligned(pred, true, None)
    both = frame.groupby(["pred", "true"])["src"].transform("size")
    pred_size = frame.groupby("pred")["src"].transform("size")
    true_size = frame.groupby("true")["src"].transform("size")
    p = float((both / pred_size).mean())
    r = float((both / true_size).mean())
    f = 2 * p * r / (p + r) if p + r else 0.0
    return PRF(p, r, f)


# --------------------------------------------------------------------------- memory


def own_peak_mb() -> float:
    """This process's own peak resident memory (VmHWM), in MB.

    Not `ru_maxrss` of a child: Linux keeps that high-water mark across `execve`, so a
    child started by a big parent reports the parent's size."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError("no VmHWM in /proc/self/status")


def run_worker(cmd: list[str], out_path: Path, log_path: Path) -> dict[str, Any]:
    """Run a benchmark worker in a child process; its JSON result with the child's wall
    time and peak memory (`own_peak_mb`, which the worker adds, see `own_peak_mb`).
    A failed child raises `RuntimeError` with the end of its log."""
    t0 = time.perf_counter()
    with log_path.open("w") as fh:
        code = subprocess.run(cmd, stdout=fh, stderr=subprocess.STDOUT, check=False).returncode
    wall = time.perf_counter() - t0
    if code != 0:
        raise RuntimeError(f"exit {code}: {log_path.read_text()[-2000:]}")
    metrics: dict[str, Any] = json.loads(out_path.read_text())
    return {**metrics, "wall_s": wall, "peak_mb": metrics.pop("own_peak_mb")}
