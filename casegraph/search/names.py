"""Name keys: the index keys one name is stored under, and a query name expanded to (pure).

A name is split into parts and each part gets four keys; the search matches a query
part's keys against the same keys of the indexed parts and ranks by how many (and how
rare) keys matched:

    tokens    the part as written: casefolded, punctuation removed, original script kept
    ascii     its ASCII transliteration, a-z0-9 only ("" if there is none: Tangut, a lone א)
    phonetic  a consonant key of the ascii form, "" if it has no consonant
    skeleton  a second consonant key of the ascii form, "" if none (both below)

plus `org_types`: the organisation-type words of the name (Ltd, GmbH, ООО, S.A.R.L., ...),
found and canonicalised with rigour's org-type database (its generic compare form, so ООО
and LLC are both `llc`) and removed from the parts.

Transliteration is rigour's `ascii_text`: rigour's own tables for Cyrillic, Greek,
Armenian, Georgian and Hangul, ICU (through normality, which caches the transliterator)
for every other script. Parts are what rigour's `tokenize_name` yields; rigour's name
symbols (its tagging of given and family names) are not used.

The two consonant keys are the cross-script keys. Both act on the ASCII transliteration
only, with the same rules for every script: drop the vowels and the letters scripts
write as vowels (h, w, y, and v in `phonetic`: an abjad such as Hebrew or Arabic writes
o/u/v/w with one letter and i/e/y with another), rewrite spellings of one sound (sh, ph,
ts, ...), map letters to sound classes, collapse repeats. Where transliterations of one
name disagree, the two keys take the two sides, so that a pair agrees on one of them:

    phonetic  every r kept; v dropped; ch read s, th t, j with g/k
              classes p/f, b, t/d, k/g/q/c/j, s/z, l/r, m, n
    skeleton  no r after a vowel that no vowel follows; ch read k, th s, j with s/z
              classes p/b/f/v, t/d, k/g/q/c, s/z/j, l/r, m, n

`phonetic` suits scripts that write what a name spells (Hebrew, Arabic, Cyrillic:
פיטר pytr and Peter share `ptl`), `skeleton` transliterations made from an English-like
pronunciation (Korean, Japanese, Chinese: 카터 kateo and Carter share `kt`; 스미스
seumiseu and Smith `sms`). George Washington and ג'ורג' וושינגטון share both keys of
Washington and the phonetic key of George, and 조지 워싱턴 the skeleton of Washington.
The classes and readings were chosen by measuring retrieval on Hebrew and Korean pairs
(benchmarks/crossscript.py); nothing is learned or stored from data.

A name written as one word in a script that does not separate name parts (Han, Hangul,
at most four characters: 박형준, 习近平) also gets each character and each pair of
adjacent characters as parts, after the whole word, since the Latin spelling of such a
name separates them ("Park Hyung-jun", "Xi Jinping").

Every key value is one token of [a-z0-9]; tokens are one token of SQLite FTS5's
`unicode61` tokenizer (combining marks, which it splits on, are left out of tokens but
kept for transliteration), so the keys can go into a full-text index as they are.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

from rigour.names import extract_org_types, remove_org_types, tokenize_name
from rigour.text.distance import jaro_winkler
from rigour.text.scripts import codepoint_script
from rigour.text.translit import ascii_text

__all__ = ["NameKeys", "name_keys", "part_keys", "phonetic_key", "similarity", "skeleton"]

_NOT_KEY = re.compile(r"[^a-z0-9]+")
# Scripts whose names are written without spaces between family and given name.
_DENSE = frozenset({"Han", "Hangul"})
_DENSE_MAX = 4
# Letters by today's Unicode that FTS5's unicode61 (Unicode 6.1) takes for separators.
_FTS_SEPARATORS = frozenset(
    chr(code) for code in (*range(0x19B0, 0x19C1), 0x19C8, 0x19C9, 0x1CF2, 0x1CF3)
)


@dataclass(frozen=True)
class NameKeys:
    """The keys of one name; tokens/ascii/phonetic/skeleton are parallel, one per part."""

    tokens: tuple[str, ...]
    ascii: tuple[str, ...]
    phonetic: tuple[str, ...]
    skeleton: tuple[str, ...]
    org_types: tuple[str, ...]


# --- consonant keys -------------------------------------------------------------------

# Spellings of one sound are rewritten first (in this order), then each letter goes to a
# sound class or is dropped (any letter not in a class), then repeated classes collapse.
_SOFT_C = re.compile(r"c(?=[eiy])")
_POSTVOCALIC_R = re.compile(r"(?<=[aeiouy])r(?![aeiouy])")
_DIGITS = re.compile(r"[0-9]+")
_REPEAT = re.compile(r"(.)\1+")
_DIGRAPHS = (
    ("sch", "s"),
    ("tch", "s"),
    ("ch", "s"),
    ("sh", "s"),
    ("zh", "s"),
    ("ph", "f"),
    ("th", "t"),
    ("kh", "k"),
    ("gh", "g"),
    ("ck", "k"),
    ("ts", "s"),
    ("tz", "s"),
    ("dj", "j"),
    ("x", "ks"),
)
# The skeleton reads the ambiguous spellings the other way: ch as k (Michael, Bach), th
# as s (as Korean and Japanese render English th: Smith -> 스미스 seumiseu).
_SKELETON_DIGRAPHS = tuple(
    (old, {"tch": "k", "ch": "k", "th": "s"}.get(old, new)) for old, new in _DIGRAPHS
)


def _classes(groups: dict[str, str]) -> dict[int, str]:
    table = {ord(letter): "" for letter in "abcdefghijklmnopqrstuvwxyz"}
    for key, letters in groups.items():
        for letter in letters:
            table[ord(letter)] = key
    return table


_PHONETIC = _classes(
    {"p": "pf", "b": "b", "t": "td", "k": "kgqcj", "s": "sz", "l": "lr", "m": "m", "n": "n"}
)
_SKELETON = _classes(
    {"p": "pfbv", "t": "td", "k": "kgqc", "s": "szj", "l": "lr", "m": "m", "n": "n"}
)


def _rewrite(text: str, digraphs: tuple[tuple[str, str], ...]) -> str:
    for old, new in digraphs:
        if old in text:
            text = text.replace(old, new)
    return text


def phonetic_key(ascii_form: str) -> str:
    """The consonant key of an ASCII (a-z0-9) word: fine classes, every r kept."""
    text = _rewrite(_SOFT_C.sub("s", _DIGITS.sub("", ascii_form)), _DIGRAPHS)
    return _REPEAT.sub(r"\1", text.translate(_PHONETIC))


def skeleton(ascii_form: str) -> str:
    """The cross-script key of an ASCII (a-z0-9) word: no r after a vowel, coarser classes,
    ch read as k, th as s, j as s."""
    text = _SOFT_C.sub("s", _POSTVOCALIC_R.sub("", _DIGITS.sub("", ascii_form)))
    return _REPEAT.sub(r"\1", _rewrite(text, _SKELETON_DIGRAPHS).translate(_SKELETON))


# --- parts ----------------------------------------------------------------------------


@lru_cache(maxsize=200_000)
def part_keys(source: str) -> tuple[str, str, str]:
    """(ascii, phonetic, skeleton) of one name part, given its text (any script)."""
    ascii_form = _NOT_KEY.sub("", ascii_text(source).lower())
    if not ascii_form:
        return "", "", ""
    return ascii_form, phonetic_key(ascii_form), skeleton(ascii_form)


@lru_cache(maxsize=4096)
def _char_role(char: str) -> int:
    """How a character takes part in a word: 0 separates, 1 is dropped, 2 is kept in the
    token and the transliteration source, 3 only in the source (a combining mark: FTS5's
    unicode61 splits words on marks, but a transliterator needs them)."""
    parts = tokenize_name(f"a{char}a")
    if len(parts) == 2:
        return 0
    category = unicodedata.category(char)
    if category[0] == "M" or char in _FTS_SEPARATORS:
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


def name_keys(name: str, organisation: bool = True) -> NameKeys:
    """The keys a name is indexed (or a query name expanded) under.

    With `organisation=False` (a person's name) no organisation types are looked for:
    rigour's list holds words that are also name parts (Sa, Yu, Na, II).
    """
    text = name.casefold()
    if not text.isascii():
        text = unicodedata.normalize("NFC", text)
    found = extract_org_types(text, generic=True) if organisation else []
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


def similarity(query: NameKeys, candidate: NameKeys) -> float:
    """How alike two names are spelt, 0 to 1: for each query part, the best Jaro-Winkler
    similarity of its ASCII form to one of the candidate's, averaged over the query parts.

    For re-ranking the top hits of a key index: the keys either agree or not, this also
    sees near misses and the vowels the consonant keys drop.
    """
    if not query.ascii or not candidate.ascii:
        return 0.0
    total = 0.0
    for left in query.ascii:
        if left:
            total += max(jaro_winkler(left, right) if right else 0.0 for right in candidate.ascii)
    return total / len(query.ascii)
