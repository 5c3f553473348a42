"""Re-ranking the top hits of a name query by how alike the names are spelt (pure).

The index ranks by keys, which either agree or not; this also sees near misses and the
vowels that the consonant keys drop. Only the first `RERANK_DEPTH` hits move.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from rigour.text.distance import jaro_winkler

from casegraph.search.names import name_keys
from casegraph.search.romaniser import Romanise, part_sources

RERANK_DEPTH = 200
# How much spelling similarity (0 to 1) can multiply a score: up to 1 + RERANK_WEIGHT.
RERANK_WEIGHT = 2.0

Ranked = tuple[str, float, str]  # entity id, score, caption


def query_forms(name: str, romanise: Romanise | None = None) -> list[list[str]]:
    """Per part of the query name, its ASCII spellings: the transliteration, and the
    learned spellings of a native word when a romaniser is configured."""
    keys = name_keys(name)
    sources = part_sources(name, keys.tokens)
    forms = []
    for ascii_form, source in zip(keys.ascii, sources, strict=True):
        learned = list(romanise(source)) if romanise is not None else []
        forms.append([form for form in dict.fromkeys([ascii_form, *learned]) if form])
    return forms


def similarity(forms: Sequence[Sequence[str]], lines: Sequence[str]) -> float:
    """How alike the query's parts are spelt to an entity's closest name, 0 to 1: per
    part, the best Jaro-Winkler similarity of one of its spellings to a word of that
    name's ASCII form, averaged over the parts."""
    best = 0.0
    for line in lines:
        words = line.split()
        if not words or not line.isascii():
            continue
        total = sum(
            max(jaro_winkler(form, word) for form in part for word in words)
            for part in forms
            if part
        )
        best = max(best, total / len(forms))
    return best


def rerank(
    name: str,
    ranked: Sequence[Ranked],
    names: Mapping[str, Sequence[str]],
    romanise: Romanise | None = None,
) -> list[Ranked]:
    """`ranked` (best first) with its head re-scored by score × (1 + weight × spelling
    similarity of `name` to the entity's closest indexed name)."""
    forms = query_forms(name, romanise)
    if not forms:
        return list(ranked)
    head = [
        (
            entity_id,
            score * (1 + RERANK_WEIGHT * similarity(forms, names.get(entity_id, ()))),
            caption,
        )
        for entity_id, score, caption in ranked[:RERANK_DEPTH]
    ]
    head.sort(key=lambda r: (-r[1], r[2], r[0]))
    return head + list(ranked[RERANK_DEPTH:])
