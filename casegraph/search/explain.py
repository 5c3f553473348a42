"""Why a hit matched: the strongest way a typed word meets one of its names (pure).

exact            a typed word is a part of the name (case and accents aside), or
                 begins one for a prefix search
transliteration  the two agree only once both are written in ASCII
phonetic         they agree on a phonetic or cross-script skeleton key
fuzzy            a vocabulary word within the allowed edits of a fuzzy term
text             the words matched other properties or document text, not a name
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from casegraph.search.names import NameKeys, name_keys

KINDS = ("exact", "transliteration", "phonetic", "fuzzy", "text")


@dataclass(frozen=True, slots=True)
class Explanation:
    kind: str
    name: str | None  # the name that matched, as stored


def _kind(word: str, query: NameKeys, name: NameKeys, fuzzy: Sequence[str]) -> str | None:
    tokens, ascii_forms = set(name.tokens), set(name.ascii)
    if word.endswith("*"):
        stem = word[:-1].casefold()
        if any(t.startswith(stem) for t in tokens | ascii_forms):
            return "exact"
        return None
    if tokens & set(query.tokens) or (
        query.org_types and set(query.org_types) & set(name.org_types)
    ):
        return "exact"
    if ascii_forms & set(query.ascii):
        return "transliteration"
    if set(name.phonetic) & set(query.phonetic) - {""}:
        return "phonetic"
    if set(name.skeleton) & set(query.skeleton) - {""}:
        return "phonetic"
    if (tokens | ascii_forms) & set(fuzzy):
        return "fuzzy"
    return None


def explain(
    words: Sequence[str], fuzzy: Mapping[str, Sequence[str]], names: Sequence[str]
) -> Explanation:
    """The best reason over every typed word and every name of the hit."""
    best = Explanation("text", None)
    for name in names:
        keys = name_keys(name)
        for word in words:
            similar = fuzzy.get(word.casefold(), ()) or fuzzy.get(word, ())
            kind = _kind(word, name_keys(word.rstrip("*")), keys, similar)
            if kind is not None and KINDS.index(kind) < KINDS.index(best.kind):
                best = Explanation(kind, name)
    return best
