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

NAMES = "names"
PHONETIC = "phonetic"
SKELETON = "skeleton"
ORGTYPES = "orgtypes"
BODY = "body"
ORG_PREFIX = "org"
# Fuzzy terms expand into at most this many vocabulary words, closest first.
FUZZY_LIMIT = 64


@dataclass(frozen=True)
class Lex:
    """Words that must appear in order (one word: a plain match) in one of `columns`."""

    columns: tuple[str, ...]
    words: tuple[str, ...]
    prefix: bool = False


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


def any_of(items: Sequence[TextExpr]) -> TextExpr:
    unique = tuple(dict.fromkeys(items))
    return unique[0] if len(unique) == 1 else AnyOf(unique)


def all_of(items: Sequence[TextExpr]) -> TextExpr:
    unique = tuple(dict.fromkeys(items))
    return unique[0] if len(unique) == 1 else AllOf(unique)


def _key_alternatives(keys: NameKeys) -> list[TextExpr]:
    """The ASCII, phonetic and skeleton forms of a name's parts, as phrases."""
    found: list[TextExpr] = []
    if keys.ascii and keys.ascii != keys.tokens:
        found.append(Lex((NAMES,), keys.ascii))
    for column, values in ((PHONETIC, keys.phonetic), (SKELETON, keys.skeleton)):
        if values and all(values):
            found.append(Lex((column,), values))
    return found


def expand_words(text: str) -> TextExpr | None:
    """A word (or words) as typed: itself in names and text, and its name keys."""
    keys = name_keys(text)
    alternatives: list[TextExpr] = []
    words = tuple(text.split())
    if words:
        alternatives.append(Lex((NAMES, BODY), words))
    if keys.tokens:
        alternatives.extend(_key_alternatives(keys))
    elif keys.org_types:
        alternatives.extend(Lex((ORGTYPES,), (ORG_PREFIX + t,)) for t in keys.org_types)
    return any_of(alternatives) if alternatives else None


def expand_term(term: Term, fuzzy: FuzzyLookup) -> TextExpr | None:
    if term.prefix:
        alternatives: list[TextExpr] = [Lex((NAMES, BODY), (term.text,), prefix=True)]
        ascii_form = name_keys(term.text).ascii
        if len(ascii_form) == 1 and ascii_form[0] != term.text.casefold():
            alternatives.append(Lex((NAMES,), ascii_form, prefix=True))
        return any_of(alternatives)
    exact = expand_words(term.text)
    if not term.fuzzy:
        return exact
    ascii_form = name_keys(term.text).ascii
    base = ascii_form[0] if len(ascii_form) == 1 else term.text.casefold()
    similar: list[TextExpr] = [Lex((NAMES,), (w,)) for w in fuzzy(base, term.fuzzy)]
    return any_of([*([exact] if exact else []), *similar]) if (exact or similar) else None


def expand_phrase(phrase: Phrase) -> TextExpr | None:
    """Exact words in order; a phrase in another script also matches its transliteration."""
    words = tuple(phrase.words)
    alternatives: list[TextExpr] = [Lex((NAMES, BODY), words)]
    keys = name_keys(" ".join(words))
    if keys.ascii and keys.ascii != keys.tokens:
        alternatives.append(Lex((NAMES,), keys.ascii))
    return any_of(alternatives)


def expand_name(value: str) -> TextExpr | None:
    """`name:"…"`: any part of the name under any key; ranking rewards more parts."""
    keys = name_keys(value)
    parts: list[TextExpr] = []
    for i, token in enumerate(keys.tokens):
        part = NameKeys(
            tokens=(token,),
            ascii=keys.ascii[i : i + 1],
            phonetic=keys.phonetic[i : i + 1],
            skeleton=keys.skeleton[i : i + 1],
            org_types=(),
        )
        alternatives: list[TextExpr] = [Lex((NAMES,), (token,)), *_key_alternatives(part)]
        parts.append(any_of(alternatives))
    parts.extend(Lex((ORGTYPES,), (ORG_PREFIX + t,)) for t in keys.org_types)
    return any_of(parts) if parts else None
