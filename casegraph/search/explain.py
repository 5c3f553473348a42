"""Why a hit matched: the strongest way a typed word meets one of its names (pure).

exact            a typed word is a part of the name (case and accents aside), or
                 begins one for a prefix search; for a word that is only an
                 organisation type (`llc`), the name has that type (`ООО`, `Ltd`)
transliteration  the two agree only once both are written in ASCII
phonetic         they agree on a phonetic or cross-script skeleton key
fuzzy            a vocabulary word within the allowed edits of a fuzzy term
text             the words matched other properties or document text, not a name
"""

from __future__ import annotations

import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache

from casegraph.search.names import NameKeys, name_keys

KINDS = ("exact", "transliteration", "phonetic", "fuzzy", "text")


@dataclass(frozen=True, slots=True)
class Explanation:
    kind: str
    name: str | None  # the name that matched, as stored


@lru_cache(maxsize=4096)
def _plain(token: str) -> str:
    """A token without accents, as the index compares it: `müller` is `muller`."""
    decomposed = unicodedata.normalize("NFKD", token.casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def _starts(parts: Sequence[str], stem: Sequence[str]) -> bool:
    """Whether `stem` is a run of `parts`, its last part only a beginning (`al ra`)."""
    n = len(stem)
    for i in range(len(parts) - n + 1) if n else ():
        run = parts[i : i + n]
        if run[:-1] == stem[:-1] and run[-1].startswith(stem[-1]):
            return True
    return False


def _prefix_kind(query: NameKeys, name: NameKeys) -> str | None:
    plain = [_plain(t) for t in query.tokens]
    if _starts([_plain(t) for t in name.tokens], plain):
        return "exact"
    if _starts(name.ascii, query.ascii):
        return "transliteration"
    return None


def _kind(word: str, query: NameKeys, name: NameKeys, fuzzy: Sequence[str]) -> str | None:
    if word.endswith("*"):
        return _prefix_kind(query, name)
    tokens, ascii_forms = set(name.tokens), set(name.ascii)
    if {_plain(t) for t in tokens} & {_plain(t) for t in query.tokens}:
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
    """The best reason over every typed word and every name of the hit.

    A shared organisation type explains a hit only when no word met a name part:
    `romashka llc` finds "ООО Ромашка" by transliteration, not because both are LLCs."""
    best = Explanation("text", None)
    # Of the names with the strongest reason, the one that meets the most typed words.
    rank = (KINDS.index("text"), 0)
    for name in names:
        keys = name_keys(name)
        kinds = []
        for word in words:
            similar = fuzzy.get(word.casefold(), ()) or fuzzy.get(word, ())
            kind = _kind(word, name_keys(word.rstrip("*")), keys, similar)
            if kind is not None:
                kinds.append(KINDS.index(kind))
        if kinds and (min(kinds), -len(kinds)) < rank:
            rank = (min(kinds), -len(kinds))
            best = Explanation(KINDS[rank[0]], name)
    if best.kind != "text":
        return best
    for name in names:
        org_types = set(name_keys(name).org_types)
        if any(org_types & set(name_keys(word).org_types) for word in words):
            return Explanation("exact", name)
    return best
