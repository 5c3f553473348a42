"""Name keys: the index keys one name is stored under, and a query name expanded to (pure).

A name is split into parts and each part gets four keys; the search matches any key of
any query part against the same field of the indexed parts and ranks by how many (and how
rare) keys matched:

    tokens    the part as written: casefolded, punctuation removed, original script kept
    ascii     its ASCII transliteration (ICU via rigour/normality), a-z0-9 only
    phonetic  rigour's metaphone of the ascii form
    skeleton  a coarse cross-script consonant key of the ascii form (below)

plus `org_types`: the organisation-type words of the name (Ltd, GmbH, ООО, S.A.R.L., ...),
found and canonicalised with rigour's org-type database (generic compare form, so ООО and
LLC are both `llc`) and removed from the parts.

The skeleton: transliterate to ASCII, then keep only the consonant frame in coarse sound
classes. Scripts written without (some) vowels, or that add vowels, or that lack a
distinction (Hebrew has no vowels and writes o/u/v/w with one letter; Korean adds vowels,
writes l and r alike, has no f or v), agree on this frame far more often than on any
spelling. The rules act on the ASCII transliteration only, so they are the same for every
script; nothing in here is specific to one script's letters.

Parts are what rigour's `tokenize_name` yields, except that a name written as one word in a
script that does not separate name parts (Han, Hangul: 박형준, 习近平) is also indexed
under each syllable and each pair of adjacent syllables, since the Latin spelling of such a
name usually separates them ("Park Hyung-jun", "Xi Jinping").

Every key value is a single token of [a-z0-9] (tokens: a single token of SQLite FTS5's
`unicode61` tokenizer), so the keys can be put in a full-text index as they are.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

from rigour.names import extract_org_types, remove_org_types, tokenize_name
from rigour.text.phonetics import metaphone
from rigour.text.scripts import codepoint_script
from rigour.text.translit import ascii_text

__all__ = ["NameKeys", "name_keys", "part_keys", "skeleton"]

_NOT_KEY = re.compile(r"[^a-z0-9]+")
# Scripts whose names are written without spaces between family and given name.
_DENSE = frozenset({"Han", "Hangul"})
_DENSE_MAX = 4


@dataclass(frozen=True)
class NameKeys:
    """The keys of one name; tokens/ascii/phonetic/skeleton are parallel, one per part."""

    tokens: tuple[str, ...]
    ascii: tuple[str, ...]
    phonetic: tuple[str, ...]
    skeleton: tuple[str, ...]
    org_types: tuple[str, ...]


EMPTY = NameKeys((), (), (), (), ())


# --- skeleton -------------------------------------------------------------------------

# Multi-letter spellings first, then single letters, each to a sound class (one letter) or
# to "" (dropped). Classes: p labial stops/fricatives, t dental stops, k velars and
# affricates, s sibilants, l liquids, m/n nasals. Dropped: vowels, the semivowels y/w and
# v (written as a vowel letter in abjads), h.
_DIGRAPHS = (
    ("sch", "s"),
    ("tch", "k"),
    ("ch", "k"),
    ("sh", "s"),
    ("zh", "s"),
    ("ph", "p"),
    ("th", "t"),
    ("kh", "k"),
    ("gh", "k"),
    ("ck", "k"),
    ("ts", "s"),
    ("tz", "s"),
    ("dj", "k"),
    ("x", "ks"),
)
_LETTERS = str.maketrans(
    {
        "a": "",
        "e": "",
        "i": "",
        "o": "",
        "u": "",
        "y": "",
        "w": "",
        "h": "",
        "v": "",
        "b": "",
        "p": "p",
        "f": "p",
        "t": "t",
        "d": "t",
        "k": "k",
        "g": "k",
        "q": "k",
        "c": "k",
        "j": "k",
        "s": "s",
        "z": "s",
        "l": "l",
        "r": "l",
        "m": "m",
        "n": "n",
    }
)
_DIGITS = re.compile(r"[0-9]+")
_REPEAT = re.compile(r"(.)\1+")


def skeleton(ascii_form: str) -> str:
    """The coarse consonant frame of an ASCII (a-z0-9) word, "" if it has none."""
    text = _DIGITS.sub("", ascii_form)
    for old, new in _DIGRAPHS:
        if old in text:
            text = text.replace(old, new)
    text = text.translate(_LETTERS)
    return _REPEAT.sub(r"\1", text)


# --- parts ----------------------------------------------------------------------------


@lru_cache(maxsize=200_000)
def part_keys(source: str) -> tuple[str, str, str]:
    """(ascii, phonetic, skeleton) of one name part, given its text (any script)."""
    ascii_form = _NOT_KEY.sub("", ascii_text(source).lower())
    if not ascii_form:
        return "", "", ""
    phonetic = _NOT_KEY.sub("", metaphone(ascii_form).lower())
    return ascii_form, phonetic, skeleton(ascii_form)


@lru_cache(maxsize=4096)
def _char_role(char: str) -> int:
    """How a character takes part in a word: 0 separates, 1 is dropped, 2 is kept in the
    token and the transliteration source, 3 only in the source (a combining mark: FTS5's
    unicode61 splits words on marks, but a transliterator needs them)."""
    parts = tokenize_name(f"a{char}a")
    if len(parts) == 2:
        return 0
    category = unicodedata.category(char)
    if category[0] == "M":
        return 3
    if len(parts) == 1 and parts[0] == "aa":
        return 1
    if category[0] in "LN" or category == "Co":
        return 2
    return 1


def _split(text: str) -> list[tuple[str, str]]:
    """(token, transliteration source) per word of a casefolded text."""
    if text.isascii():
        return [(token, token) for token in tokenize_name(text)]
    words: list[tuple[str, str]] = []
    token: list[str] = []
    source: list[str] = []
    for char in text:
        role = _char_role(char)
        if role == 0:
            if token:
                words.append(("".join(token), "".join(source)))
            token, source = [], []
        elif role == 2:
            token.append(char)
            source.append(char)
        elif role == 3:
            source.append(char)
    if token:
        words.append(("".join(token), "".join(source)))
    return words


def _dense(token: str) -> bool:
    return 2 <= len(token) <= _DENSE_MAX and all(
        codepoint_script(ord(char)) in _DENSE for char in token
    )


def name_keys(name: str) -> NameKeys:
    """The keys a name is indexed (or a query name expanded) under."""
    text = name.casefold()
    if not text.isascii():
        text = unicodedata.normalize("NFC", text)
    found = extract_org_types(text, generic=True)
    org_types: list[str] = []
    words = None
    if found:
        for _, target in found:
            key = _NOT_KEY.sub("", ascii_text(target).lower())
            if key and key not in org_types:
                org_types.append(key)
        words = _split(remove_org_types(text, replacement=" "))
    if not words:
        words = _split(text)
    if not words:
        return NameKeys((), (), (), (), tuple(org_types))
    if len(words) == 1 and _dense(words[0][0]):
        token = words[0][0]
        words = words + [(char, char) for char in token]
        words += [(token[i : i + 2], token[i : i + 2]) for i in range(len(token) - 1)]
        if len(token) == 2:
            words.pop()
    tokens: list[str] = []
    asciis: list[str] = []
    phonetics: list[str] = []
    skeletons: list[str] = []
    for token, source in words:
        ascii_form, phonetic, skel = part_keys(source)
        tokens.append(token)
        asciis.append(ascii_form)
        phonetics.append(phonetic)
        skeletons.append(skel)
    return NameKeys(
        tuple(tokens), tuple(asciis), tuple(phonetics), tuple(skeletons), tuple(org_types)
    )
