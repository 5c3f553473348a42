"""Full-text leaves of a query, expanded over the name keys (pure).

A term becomes alternatives: its own words in names and text, its ASCII
transliteration, its phonetic key and its cross-script skeleton in the matching
index columns. Backends render the result: FTS5 column filters, or tsquery weights.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from casegraph.search.names import NameKeys, name_keys
from casegraph.search.query import Phrase, Term
from casegraph.search.romaniser import Romanise, part_sources

NAMES = "names"
PHONETIC = "phonetic"
SKELETON = "skeleton"
ORGTYPES = "orgtypes"
BODY = "body"
ORG_PREFIX = "org"
# Fuzzy terms expand into at most this many vocabulary words, closest first.
FUZZY_LIMIT = 64
# What a matched word is worth, by the column it matched in.
WEIGHTS = {NAMES: 10.0, PHONETIC: 3.0, SKELETON: 1.5, ORGTYPES: 1.0, BODY: 1.0}


@dataclass(frozen=True)
class Lex:
    """Words that must appear in order (one word: a plain match) in one of `columns`.

    `derived`: a key made from what was typed (transliteration, phonetic, skeleton) or
    a part of `name:"…"`; when very common, it only ranks (see scoring.py)."""

    columns: tuple[str, ...]
    words: tuple[str, ...]
    prefix: bool = False
    derived: bool = False


@dataclass(frozen=True)
class AnyOf:
    items: tuple[TextExpr, ...]


@dataclass(frozen=True)
class AllOf:
    items: tuple[TextExpr, ...]


@dataclass(frozen=True)
class Without:
    """Matches `keep` but not `drop`."""

    keep: TextExpr
    drop: TextExpr


TextExpr = Lex | AnyOf | AllOf | Without

FuzzyLookup = Callable[[str, int], Sequence[str]]
# Of a native word's learned spellings, how many are looked for as written (the others
# only by their phonetic and skeleton keys).
WRITTEN_SPELLINGS = 3


def any_of(items: Sequence[TextExpr]) -> TextExpr:
    unique = tuple(dict.fromkeys(items))
    return unique[0] if len(unique) == 1 else AnyOf(unique)


def all_of(items: Sequence[TextExpr]) -> TextExpr:
    unique = tuple(dict.fromkeys(items))
    return unique[0] if len(unique) == 1 else AllOf(unique)


def _key_alternatives(keys: NameKeys) -> list[TextExpr]:
    """The ASCII, phonetic and skeleton forms of a name's parts, as phrases."""
    found: list[TextExpr] = []
    if keys.ascii and keys.ascii != keys.tokens and all(keys.ascii):
        found.append(Lex((NAMES,), keys.ascii, derived=True))
    for column, values in ((PHONETIC, keys.phonetic), (SKELETON, keys.skeleton)):
        if values and all(values):
            found.append(Lex((column,), values, derived=True))
    return found


def _learned_alternatives(source: str, romanise: Romanise | None) -> list[TextExpr]:
    """The learned Latin spellings of a native word, and their phonetic and skeleton
    keys (see romaniser.py), as derived alternatives of its part."""
    if romanise is None:
        return []
    found: list[TextExpr] = []
    for rank, spelling in enumerate(romanise(source)):
        keys = name_keys(spelling, organisation=False)
        if not keys.tokens:
            continue
        if rank < WRITTEN_SPELLINGS:
            found.append(Lex((NAMES,), keys.tokens, derived=True))
        for column, values in ((PHONETIC, keys.phonetic), (SKELETON, keys.skeleton)):
            if values and all(values):
                found.append(Lex((column,), values, derived=True))
    return found


def _org_lexes(keys: NameKeys) -> list[TextExpr]:
    return [Lex((ORGTYPES,), (ORG_PREFIX + t,)) for t in keys.org_types]


def _org_only(keys: NameKeys) -> bool:
    """Whether every part is an organisation type (`llc`, `ООО`, `S.A.`): names.py then
    keeps the org-type words as parts, but they are not names to spell alike."""
    return bool(keys.org_types) and all(name_keys(t).org_types for t in keys.tokens)


def _searchable(words: Sequence[str]) -> tuple[str, ...]:
    """The words with a letter or digit: nothing else is indexed, and a word without
    any would match nothing on SQLite but be dropped (match all) on PostgreSQL."""
    return tuple(w for w in words if any(c.isalnum() for c in w))


def _split_differently(keys: NameKeys, words: Sequence[str]) -> bool:
    """Whether the name parts of `words` are not the words themselves: `al-rashid` and
    `o'brien` are indexed as the parts `al rashid` and `obrien`, and PostgreSQL's
    parser would look for the hyphenated compound, which names never hold."""
    return bool(keys.tokens) and keys.tokens != tuple(w.casefold() for w in words)


def expand_words(text: str, romanise: Romanise | None = None) -> TextExpr | None:
    """A word (or words) as typed: itself in names and text, and its name keys."""
    keys = name_keys(text)
    alternatives: list[TextExpr] = []
    words = _searchable(text.split())
    if words:
        alternatives.append(Lex((NAMES, BODY), words))
    if _split_differently(keys, words):
        alternatives.append(Lex((NAMES,), keys.tokens))
    if _org_only(keys) or not keys.tokens:
        # `llc` finds "Romashka LLC" and "ООО Ромашка" by their org-type key, and no
        # name that merely sounds like "llc" (phonetic lk: Olga, Luke...).
        alternatives.extend(_org_lexes(keys))
    else:
        alternatives.extend(_key_alternatives(keys))
        if len(words) == 1:
            alternatives.extend(_learned_alternatives(words[0], romanise))
    return any_of(alternatives) if alternatives else None


def expand_term(
    term: Term, fuzzy: FuzzyLookup, romanise: Romanise | None = None
) -> TextExpr | None:
    if term.prefix:
        return _expand_prefix(term.text)
    exact = expand_words(term.text, romanise)
    if not term.fuzzy:
        return exact
    ascii_form = name_keys(term.text).ascii
    base = ascii_form[0] if len(ascii_form) == 1 else term.text.casefold()
    similar: list[TextExpr] = [Lex((NAMES,), (w,)) for w in fuzzy(base, term.fuzzy)]
    # One part: the word's own alternatives and its similar words, side by side.
    own = list(exact.items) if isinstance(exact, AnyOf) else [exact] if exact else []
    return any_of([*own, *similar]) if (own or similar) else None


def _expand_prefix(stem: str) -> TextExpr | None:
    """`stem*` in names and text, and through its name parts and their transliteration,
    so `пут*` finds Putin and `al-ra*` finds al-Rashid."""
    words = _searchable((stem,))
    if not words:
        return None
    keys = name_keys(stem)
    alternatives: list[TextExpr] = [Lex((NAMES, BODY), words, prefix=True)]
    for form in (keys.tokens, keys.ascii):
        if form and form != (stem.casefold(),):
            alternatives.append(Lex((NAMES,), form, prefix=True))
    return any_of(alternatives)


def expand_phrase(phrase: Phrase) -> TextExpr | None:
    """Exact words in order; a phrase in another script also matches its transliteration.

    A name with an org type (`"romashka llc"`) is indexed without it: its other parts
    must be in order in the names, and the org type among the org-type keys."""
    words = _searchable(phrase.words)
    if not words:
        return None
    alternatives: list[TextExpr] = [Lex((NAMES, BODY), words)]
    keys = name_keys(" ".join(words))
    with_org_type = bool(keys.org_types) and not _org_only(keys)
    forms: list[TextExpr] = []
    if _split_differently(keys, words):
        forms.append(Lex((NAMES,), keys.tokens))
    if keys.ascii and keys.ascii != keys.tokens:
        forms.append(Lex((NAMES,), keys.ascii))
    if with_org_type and forms:
        alternatives.append(all_of([any_of(forms), any_of(_org_lexes(keys))]))
    else:
        alternatives.extend(forms)
    return any_of(alternatives)


def expand_name(value: str, romanise: Romanise | None = None) -> TextExpr | None:
    """`name:"…"`: any part of the name under any key; ranking rewards more parts."""
    keys = name_keys(value)
    parts: list[TextExpr] = []
    sources = part_sources(value, keys.tokens)
    for i, token in enumerate(keys.tokens):
        part = NameKeys(
            tokens=(token,),
            ascii=keys.ascii[i : i + 1],
            phonetic=keys.phonetic[i : i + 1],
            skeleton=keys.skeleton[i : i + 1],
            org_types=(),
        )
        alternatives: list[TextExpr] = [
            Lex((NAMES,), (token,), derived=True),
            *_key_alternatives(part),
            *_learned_alternatives(sources[i], romanise),
        ]
        parts.append(any_of(alternatives))
    # An org type is no part of a name: "Lukoil Ltd" is no answer to name:"romashka llc".
    if not parts or _org_only(keys):
        orgs = _org_lexes(keys)
        return any_of(orgs) if orgs else None
    return any_of(parts)


def expand_name_prefix(stem: str) -> TextExpr | None:
    """`name:vlad*`: a name part that starts with `stem`, as written or in ASCII."""
    keys = name_keys(stem)
    forms = dict.fromkeys(form for form in (keys.tokens, keys.ascii) if form)
    return any_of([Lex((NAMES,), form, prefix=True) for form in forms]) if forms else None
