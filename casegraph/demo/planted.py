"""The planted duplicates of the demo's ground truth, and how well clusters find them.

`ground_truth.json` (written by `truth.py`) lists, under `same_as`, each planted person
or company with the entity ids it got in each dataset. Scores are pairwise: a true pair
is two entities of one planted group, a found pair two of them with the same canonical
id. Counting pairs per group, per label and per (group, label) gives the same numbers as
listing them, without the quadratic list.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from casegraph.errors import SourceError

SCHEMAS = ("Person", "Company")


@dataclass(frozen=True, slots=True)
class PlantedGroup:
    ref: str
    schema: str
    entity_ids: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class PairScore:
    groups: int  # planted groups
    entities: int  # their entities that were labelled (in the store, visible)
    true_pairs: int
    found_pairs: int
    correct_pairs: int

    @property
    def precision(self) -> float | None:  # None: nothing found, nothing to be wrong about
        return self.correct_pairs / self.found_pairs if self.found_pairs else None

    @property
    def recall(self) -> float | None:
        return self.correct_pairs / self.true_pairs if self.true_pairs else None

    @property
    def f1(self) -> float | None:
        p, r = self.precision, self.recall
        if p is None or r is None:
            return None
        return 2 * p * r / (p + r) if p + r else 0.0


def _group(item: Any, where: str) -> PlantedGroup:
    if not isinstance(item, dict) or not isinstance(item.get("members"), list):
        raise SourceError(f"{where}: expected an object with a list of members")
    ids: list[str] = []
    for member in item["members"]:
        entity_id = member.get("entity_id") if isinstance(member, dict) else None
        if not isinstance(entity_id, str) or not entity_id:
            raise SourceError(f"{where}: a member without an entity_id")
        ids.append(entity_id)
    return PlantedGroup(str(item.get("id", where)), str(item.get("schema", "")), tuple(ids))


def read_planted(path: Path, *, schemas: Sequence[str] = SCHEMAS) -> list[PlantedGroup]:
    """The planted groups of these schemas in a demo ground truth file."""
    try:
        data: Any = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise SourceError(
            f"cannot read the ground truth {path}: {exc}; "
            "write one with `casegraph demo generate --out DIR`"
        ) from exc
    same_as = data.get("same_as") if isinstance(data, dict) else None
    if not isinstance(same_as, list):
        raise SourceError(f"{path} is not a demo ground truth: it has no `same_as` list")
    groups = [_group(item, f"{path}: same_as[{i}]") for i, item in enumerate(same_as)]
    wanted = [g for g in groups if g.schema in schemas]
    if not wanted:
        raise SourceError(f"{path} plants no {' or '.join(schemas)} duplicates (`same_as`)")
    return wanted


def _pairs(counts: Counter[Any]) -> int:
    return sum(n * (n - 1) // 2 for n in counts.values())


def pair_score(groups: Sequence[PlantedGroup], labels: Mapping[str, str]) -> PairScore:
    """Pairwise counts of `labels` (entity id -> canonical id) against `groups`, over the
    entities that have a label; an entity in two groups counts in the first."""
    group_of: dict[str, int] = {}
    for index, group in enumerate(groups):
        for entity_id in group.entity_ids:
            if entity_id in labels:
                group_of.setdefault(entity_id, index)
    by_group = Counter(group_of.values())
    by_label = Counter(labels[e] for e in group_of)
    by_both = Counter((g, labels[e]) for e, g in group_of.items())
    return PairScore(
        groups=len(groups),
        entities=len(group_of),
        true_pairs=_pairs(by_group),
        found_pairs=_pairs(by_label),
        correct_pairs=_pairs(by_both),
    )
