"""Re-ranking the top hits of a name query by how alike the names are spelt (pure).

The index ranks by keys, which either agree or not; this also sees near misses and the
vowels that the consonant keys drop. Only the first `RERANK_DEPTH` hits move.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from casegraph.search.names import NameKeys, name_keys, similarity

RERANK_DEPTH = 200
# How much spelling similarity (0 to 1) can multiply a score: up to 1 + RERANK_WEIGHT.
RERANK_WEIGHT = 2.0

Ranked = tuple[str, float, str]  # entity id, score, caption


def _spelling(lines: Sequence[str]) -> list[NameKeys]:
    """The ASCII forms among an entity's indexed name lines, as keys to compare."""
    return [
        NameKeys(tokens=(), ascii=tuple(line.split()), phonetic=(), skeleton=(), org_types=())
        for line in lines
        if line.strip() and line.isascii()
    ]


def rerank(name: str, ranked: Sequence[Ranked], names: Mapping[str, Sequence[str]]) -> list[Ranked]:
    """`ranked` (best first) with its head re-scored by score × (1 + weight × similarity
    of `name` to the entity's closest name)."""
    query = name_keys(name)
    head = []
    for entity_id, score, caption in ranked[:RERANK_DEPTH]:
        best = max(
            (similarity(query, keys) for keys in _spelling(names.get(entity_id, ()))), default=0.0
        )
        head.append((entity_id, score * (1 + RERANK_WEIGHT * best), caption))
    head.sort(key=lambda r: (-r[1], r[2], r[0]))
    return head + list(ranked[RERANK_DEPTH:])
