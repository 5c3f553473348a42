"""Spelling variants: romanisation schemes, typos, ASCII folding, name layouts.

Everything here is a pure function of its arguments (and of the `random.Random`
passed in), so the generator stays deterministic.
"""

from __future__ import annotations

import random
import unicodedata
from dataclasses import dataclass
from typing import Literal

from casegraph.demo import names as N

#: Romanisation schemes for Cyrillic: BGN/PCGN-like, ICAO 9303 (passports), German.
BGN, ICAO, GERMAN = 0, 1, 2

# char -> (bgn, icao, german)
_CYR: dict[str, tuple[str, str, str]] = {
    "а": ("a", "a", "a"), "б": ("b", "b", "b"), "в": ("v", "v", "w"),
    "г": ("g", "g", "g"), "д": ("d", "d", "d"), "е": ("e", "e", "e"),
    "ё": ("yo", "e", "jo"), "ж": ("zh", "zh", "sch"), "з": ("z", "z", "s"),
    "и": ("i", "i", "i"), "й": ("y", "i", "j"), "к": ("k", "k", "k"),
    "л": ("l", "l", "l"), "м": ("m", "m", "m"), "н": ("n", "n", "n"),
    "о": ("o", "o", "o"), "п": ("p", "p", "p"), "р": ("r", "r", "r"),
    "с": ("s", "s", "s"), "т": ("t", "t", "t"), "у": ("u", "u", "u"),
    "ф": ("f", "f", "f"), "х": ("kh", "kh", "ch"), "ц": ("ts", "ts", "z"),
    "ч": ("ch", "ch", "tsch"), "ш": ("sh", "sh", "sch"), "щ": ("shch", "shch", "schtsch"),
    "ъ": ("", "ie", ""), "ы": ("y", "y", "y"), "ь": ("", "", ""),
    "э": ("e", "e", "e"), "ю": ("yu", "iu", "ju"), "я": ("ya", "ia", "ja"),
}  # fmt: skip
_CYR_VOWELS = set("аеёиоуыэюяьъ")
_IOTATED_E = ("ye", "e", "je")


def translit(text: str, scheme: int = BGN) -> str:
    """Romanise Cyrillic `text` with one of BGN, ICAO, GERMAN; other chars pass."""
    out: list[str] = []
    low = text.lower()
    for i, ch in enumerate(low):
        prev = low[i - 1] if i > 0 else " "
        nxt = low[i + 1] if i + 1 < len(low) else " "
        if ch not in _CYR:
            out.append(text[i])
            continue
        rom = _CYR[ch][scheme]
        if ch == "е" and (not prev.isalpha() or prev in _CYR_VOWELS):
            rom = _IOTATED_E[scheme]
        elif ch == "й" and scheme == GERMAN and prev in "иы" and not nxt.isalpha():
            rom = ""
        elif ch == "с" and scheme == GERMAN and prev in _CYR_VOWELS and nxt in _CYR_VOWELS:
            rom = "ss"
        if text[i].isupper() and rom:
            rom = rom[0].upper() + rom[1:]
        out.append(rom)
    return "".join(out)


_FOLD = {"ß": "ss", "ı": "i", "ø": "o", "Ø": "O", "æ": "ae", "œ": "oe", "ł": "l", "đ": "d"}
_UMLAUT = {"ä": "ae", "ö": "oe", "ü": "ue", "Ä": "Ae", "Ö": "Oe", "Ü": "Ue", "ß": "ss"}


def fold_char(ch: str) -> str:
    if ch in _FOLD:
        return _FOLD[ch]
    decomposed = unicodedata.normalize("NFKD", ch)
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def fold_ascii(text: str) -> str:
    """Drop diacritics (Müller -> Muller, Şahin -> Sahin)."""
    return "".join(fold_char(ch) for ch in text)


def expand_umlauts(text: str) -> str:
    """German-style ASCII (Müller -> Mueller), then fold what is left."""
    return fold_ascii("".join(_UMLAUT.get(ch, ch) for ch in text))


def fold_cp1252(text: str) -> str:
    """Keep what cp1252 can encode; fold the rest (as legacy exports do)."""
    try:
        text.encode("cp1252")
        return text
    except UnicodeEncodeError:
        pass
    out: list[str] = []
    for ch in text:
        try:
            ch.encode("cp1252")
            out.append(ch)
        except UnicodeEncodeError:
            out.append(fold_char(ch).encode("cp1252", "replace").decode("cp1252"))
    return "".join(out)


def typo(text: str, rng: random.Random) -> str:
    """One plausible keying error inside a word of four letters or more."""
    words = text.split(" ")
    candidates = [i for i, w in enumerate(words) if len(w) >= 4 and w.isalpha()]
    if not candidates:
        return text
    wi = rng.choice(candidates)
    w = words[wi]
    pos = rng.randrange(1, len(w) - 1)
    kind = rng.randrange(3)
    if kind == 0 and w[pos] != w[pos + 1]:  # swap
        w = w[:pos] + w[pos + 1] + w[pos] + w[pos + 2 :]
    elif kind == 1:  # drop
        w = w[:pos] + w[pos + 1 :]
    else:  # double
        w = w[:pos] + w[pos] + w[pos:]
    words[wi] = w
    return " ".join(words)


Origin = Literal["slavic", "arabic", "greek", "western"]
Layout = Literal["first_last", "last_first", "last_comma", "swift"]


@dataclass(frozen=True, slots=True)
class PersonName:
    """Indices into the pools of `names`; `pool` is the WESTERN key for westerners."""

    origin: Origin
    pool: str
    female: bool
    first: int
    middle: int  # patronymic / second given name; -1 for none
    last: int

    def _native_parts(self) -> tuple[str, str | None, str] | None:
        if self.origin == "slavic":
            first = (N.SLAVIC_FEMALE if self.female else N.SLAVIC_MALE)[self.first]
            mid = N.PATRONYMICS[self.middle][self.female] if self.middle >= 0 else None
            return first, mid, N.SLAVIC_SURNAMES[self.last][self.female]
        if self.origin in ("arabic", "greek"):
            fpool, lpool = self._native_pools()
            return fpool[self.first][0], None, lpool[self.last][0]
        return None

    def _native_pools(self) -> tuple[tuple[N.Native, ...], tuple[N.Native, ...]]:
        if self.origin == "arabic":
            return (N.ARABIC_FEMALE if self.female else N.ARABIC_MALE), N.ARABIC_SURNAMES
        return (N.GREEK_FEMALE if self.female else N.GREEK_MALE), N.GREEK_SURNAMES

    def native(self, *, middle: bool = True, layout: Layout = "first_last") -> str | None:
        """The name in its own script (Cyrillic, Arabic, Greek), None for Latin."""
        parts = self._native_parts()
        if parts is None:
            return None
        first, mid, last = parts
        return _layout(first, mid if middle else None, last, layout)

    def latin_parts(self, scheme: int = 0) -> tuple[str, str | None, str]:
        if self.origin == "slavic":
            parts = self._native_parts()
            assert parts is not None
            first, mid, last = parts
            return (
                translit(first, scheme),
                translit(mid, scheme) if mid else None,
                translit(last, scheme),
            )
        if self.origin in ("arabic", "greek"):
            fpool, lpool = self._native_pools()
            fvars, lvars = fpool[self.first][1], lpool[self.last][1]
            return fvars[scheme % len(fvars)], None, lvars[scheme % len(lvars)]
        males, females, surnames = N.WESTERN[self.pool]
        firsts = females if self.female else males
        mid = firsts[self.middle % len(firsts)] if self.middle >= 0 else None
        parts = (firsts[self.first], mid, surnames[self.last])
        if scheme % 3 == 1:
            return (fold_ascii(parts[0]), mid and fold_ascii(mid), fold_ascii(parts[2]))
        if scheme % 3 == 2:
            return (expand_umlauts(parts[0]), mid and expand_umlauts(mid), expand_umlauts(parts[2]))
        return parts

    def latin(self, scheme: int = 0, *, middle: bool = True, layout: Layout = "first_last") -> str:
        first, mid, last = self.latin_parts(scheme)
        return _layout(first, mid if middle else None, last, layout)

    def canonical(self) -> str:
        return self.latin(0, middle=False)


def _layout(first: str, mid: str | None, last: str, layout: Layout) -> str:
    given = f"{first} {mid}" if mid else first
    if layout == "last_first":
        return f"{last} {given}"
    if layout == "last_comma":
        return f"{last.upper()}, {given}"
    if layout == "swift":
        return fold_ascii(f"{last} {first}").upper()
    return f"{given} {last}"


def random_name(rng: random.Random, nat: str, origin: str) -> PersonName:
    """Draw a person name of the given nationality."""
    female = rng.random() < 0.3
    if origin == "slavic":
        firsts: int = len(N.SLAVIC_FEMALE if female else N.SLAVIC_MALE)
        return PersonName(
            "slavic",
            nat,
            female,
            rng.randrange(firsts),
            rng.randrange(len(N.PATRONYMICS)),
            rng.randrange(len(N.SLAVIC_SURNAMES)),
        )
    if origin in ("arabic", "greek"):
        if origin == "arabic":
            fpool = N.ARABIC_FEMALE if female else N.ARABIC_MALE
            lpool = N.ARABIC_SURNAMES
        else:
            fpool = N.GREEK_FEMALE if female else N.GREEK_MALE
            lpool = N.GREEK_SURNAMES
        kind: Origin = "arabic" if origin == "arabic" else "greek"
        return PersonName(
            kind, nat, female, rng.randrange(len(fpool)), -1, rng.randrange(len(lpool))
        )
    males, females, surnames = N.WESTERN[origin]
    firsts = len(females if female else males)
    first = rng.randrange(firsts)
    middle = (first + 1 + rng.randrange(firsts - 1)) % firsts if rng.random() < 0.35 else -1
    return PersonName("western", origin, female, first, middle, rng.randrange(len(surnames)))
