"""Records -> the columns of the table Splink compares, and what the data holds (pure).

Scalar features keep their first value (the one comparisons and blocking use);
array features keep every value. The `Profile` (how many records have each feature,
and how many values) is what `settings.model_settings` derives the model from, and
`pair_counts` says how big each candidate training block is. The `blocks` column
holds each record's blocking keys (`blocking.py`).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Collection, Iterable, Iterator, Sequence
from dataclasses import dataclass
from itertools import product

from casegraph.resolve.blocking import BLOCKS, blocks_of
from casegraph.resolve.records import FEATURES, ResolveRecord
from casegraph.resolve.settings import (
    ARRAY_FEATURES,
    MAX_VALUES,
    NAME_FEATURES,
    BlockKey,
    Profile,
)

__all__ = ["Table", "pair_counts", "table_of"]


@dataclass(frozen=True)
class Table:
    """Column name -> one value per record, and the profile of the features."""

    columns: dict[str, list[object]]
    profile: Profile

    def __len__(self) -> int:
        return len(self.columns["unique_id"])


def table_of(records: Sequence[ResolveRecord], new: Collection[str] | None = None) -> Table:
    """One row per record; `is_new` marks the records of an incremental run."""
    features = [*FEATURES, "names"]
    columns: dict[str, list[object]] = {f: [] for f in ("unique_id", "schema", *features)}
    sizes = {f: [0] * (MAX_VALUES + 1) for f in features}
    seen: dict[str, set[str]] = {f: set() for f in features}
    for record in records:
        columns["unique_id"].append(record.entity_id)
        columns["schema"].append(record.schema)
        values_of = record.features
        for feature in features:
            values = values_of.get("name" if feature == "names" else feature, ())
            sizes[feature][min(len(values), MAX_VALUES)] += 1
            if not values:
                columns[feature].append(None)
                continue
            if len(seen[feature]) < 2:
                seen[feature].update(values)
            columns[feature].append(list(values) if feature in ARRAY_FEATURES else values[0])
    columns[BLOCKS] = list(blocks_of(records))
    if new is not None:
        wanted = set(new)
        columns["is_new"] = [uid in wanted for uid in columns["unique_id"]]
    total = max(len(records), 1)
    at_least: dict[str, tuple[float, ...]] = {}
    for feature, counts in sizes.items():
        # A feature with one value in all the data (every record in one country) tells
        # records apart no better than a missing one; names are always compared.
        if len(seen[feature]) < 2 and feature not in NAME_FEATURES:
            counts = [0] * len(counts)
        at_least[feature] = tuple(sum(counts[k:]) / total for k in range(1, MAX_VALUES + 1))
    return Table(columns, Profile(at_least))


def _column(table: Table, col: str, n: int | None) -> list[object]:
    values = table.columns[col]
    if n is None or col in ARRAY_FEATURES:
        return values
    return [v[:n] if isinstance(v, str) else None for v in values]


def _keys(table: Table, key: BlockKey) -> Iterator[tuple[object, ...]]:
    """The blocking key values of every record (several for an array feature)."""
    parts = [_column(table, col, n) for col, n in key]
    arrays = any(col in ARRAY_FEATURES for col, _ in key)
    for row in zip(*parts, strict=True):
        if None in row:
            continue
        if not arrays:
            yield row
            continue
        options = [
            sorted({str(v)[:n] if n else str(v) for v in value})
            if isinstance(value, list)
            else [value]
            for (_, n), value in zip(key, row, strict=True)
        ]
        yield from product(*options)


def pair_counts(table: Table, keys: Iterable[BlockKey]) -> dict[BlockKey, int]:
    """How many record pairs each blocking key yields, counted in Python so the model
    can drop keys whose blocks are too big before Splink runs."""
    out: dict[BlockKey, int] = {}
    for key in keys:
        if all(col in table.columns for col, _ in key):
            sizes = Counter(_keys(table, key))
            out[key] = sum(n * (n - 1) // 2 for n in sizes.values())
    return out
