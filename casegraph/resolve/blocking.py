"""Blocking keys: which record pairs Splink scores at all (pure).

Each record gets a set of keys built from its features, and two records are compared
when they share a key. A key value that too many records share (a common first name,
a year of birth) says nothing about identity and would cost pairs quadratic in its
block, so values whose block holds more than `MAX_BLOCK` records are dropped; the
same feature still blocks through its combinations (first name and place, word and
date), whose blocks are small. Every record meets at most `MAX_BLOCK` others per key,
so the cost of a run grows with the number of records, not with its square.

Keys are per name *word*, not per whole name, so that a typo in one word (Charlotre
Palmer) or a missing one (Palmer, Charlotte Palmer) still leaves a shared key:

    n  p     whole name (sorted words), its sound
    i e t a  identifier, email, phone, address
    d        date (birth, incorporation)
    w        one rare name word on its own
    wd wp wo one name word and the date, the place of birth, the occupation
    wa       the sound of one name word and the start of the address (postcode area)
    pp       the first three letters of two words of one name (Cha+Pal)
    lf       the sound of the last name and the first letter of the first name
    dp da    the date and the place, the date and the start of the address

All keys go into one array column that Splink explodes and joins on (one blocking
rule, one join), so a pair that shares several keys is scored once. Written here:
Splink blocks on columns, not on per-record key sets with a frequency cap.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from functools import lru_cache
from itertools import combinations

from casegraph.resolve.records import ResolveRecord
from casegraph.search.names import phonetic_key

__all__ = ["BLOCKS", "MAX_BLOCK", "block_keys", "blocks_of"]

#: The column that holds every record's blocking keys.
BLOCKS = "blocks"
#: A key value shared by more records than this blocks nothing (too common to tell).
MAX_BLOCK = 50
#: Besides the cap, all blocks together yield at most this many pairs per record
#: (plus a floor); the cap is lowered until they do.
PAIRS_PER_RECORD = 60
PAIRS_FLOOR = 50_000
#: Letters of a name word in the `pp` key, and of an address in the `wa`/`da` keys.
PREFIX = 3
AREA = 4


@lru_cache(maxsize=200_000)
def _sound(word: str) -> str:
    return phonetic_key(word) or word


def _first(features: Mapping[str, tuple[str, ...]], name: str) -> str | None:
    values = features.get(name)
    return values[0] if values else None


def block_keys(features: Mapping[str, tuple[str, ...]]) -> set[str]:
    """Every blocking key of one record's features (before the frequency cap)."""
    keys: set[str] = set()
    add = keys.add
    for kind, feature in (("n", "name_sorted"), ("p", "name_phonetic"), ("i", "identifier")):
        for value in features.get(feature, ()):
            add(f"{kind}:{value}")
    for kind, feature in (("e", "email"), ("t", "phone"), ("a", "address")):
        for value in features.get(feature, ()):
            add(f"{kind}:{value}")
    date, place, occupation = (_first(features, f) for f in ("date", "place", "occupation"))
    areas = {a[:AREA] for a in features.get("address", ())}
    names = [name.split() for name in features.get("name", ())]
    if date:
        add(f"d:{date}")
        if place:
            add(f"dp:{date}|{place}")
        for area in areas:
            add(f"da:{date}|{area}")
    for word in {w for words in names for w in words}:
        add(f"w:{word}")
        if date:
            add(f"wd:{word}|{date}")
        if place:
            add(f"wp:{word}|{place}")
        if occupation:
            add(f"wo:{word}|{occupation}")
        for area in areas:
            add(f"wa:{_sound(word)}|{area}")
    for words in names:
        for a, b in combinations(words, 2):
            x, y = sorted((a[:PREFIX], b[:PREFIX]))
            add(f"pp:{x}|{y}")
    first, last = _first(features, "first_name"), _first(features, "last_name")
    if first and last:
        add(f"lf:{_sound(last)}|{first[0]}")
    return keys


def _cap(sizes: Counter[str], records: int) -> int:
    """The largest block size (at most `MAX_BLOCK`) whose blocks fit the pair budget."""
    budget = PAIRS_FLOOR + PAIRS_PER_RECORD * records
    by_size = Counter(n for n in sizes.values() if n > 1)
    total, cap = 0, 1
    for size in sorted(by_size):
        if size > MAX_BLOCK:
            break
        total += by_size[size] * size * (size - 1) // 2
        if total > budget:
            break
        cap = size
    return cap


def blocks_of(records: Sequence[ResolveRecord]) -> list[list[str] | None]:
    """Each record's blocking keys that at least one other record shares and that
    few enough records share (None when no key is left)."""
    keys = [block_keys(record.features) for record in records]
    sizes = Counter(key for ks in keys for key in ks)
    cap = _cap(sizes, len(records))
    out: list[list[str] | None] = []
    for ks in keys:
        kept = sorted(k for k in ks if 1 < sizes[k] <= cap)
        out.append(kept or None)
    return out
