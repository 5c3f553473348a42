"""Learned romanisation of names in any script (pure Python; trained from name pairs).

A joint-sequence ("graphone") model, the standard approach of grapheme-to-phoneme
conversion, trained on pairs (Latin spelling, native spelling) of the same names:

1. Both sides are split into words (`split`; the native side is NFD-decomposed, so a
   Hangul syllable is its jamo and a letter with a mark is the letter and the mark). Pairs
   with as many words on both sides give word pairs (in the order of the permutation that
   aligns best, since scripts order names differently); the others give one pair of the
   words run together.
2. Expectation-maximisation over monotone many-to-many alignments (as m2m-aligner does)
   learns graphones: a chunk of 1 or 2 source symbols with the 0 to 3 Latin letters it is
   written as (Hebrew "ג'" -> "j", Hangul "ᅧ" -> "yu", a silent letter -> "").
3. Each word pair's most probable alignment is a graphone sequence; a trigram model
   over graphones (Witten-Bell interpolated, stored as probabilities and back-off
   weights) scores both the Latin spelling and its fit to the source.
4. `Model.romanise` beam-searches the graphone sequences of a native word and returns its
   most probable Latin spellings. A source symbol never seen in training is read by its
   rigour (ICU) ASCII transliteration.

Nothing is specific to one script: a model trained on pairs of any scripts romanises
words of all of them. Model files are JSON.
"""

from __future__ import annotations

import heapq
import itertools
import json
import math
import re
import unicodedata
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from rigour.text.translit import ascii_text

__all__ = ["Model", "latin_words", "split", "train"]

MAX_SOURCE = 2
MAX_TARGET = 3
ORDER = 3
MAX_SPELLINGS = 12
_SEP = "\t"
# Units are chunk TAB spelling; the start and end of a word are units too.
_BOS = "<s>" + _SEP
_EOS = "</s>" + _SEP
# A source symbol unseen in training: its ASCII transliteration, at this log probability.
_UNSEEN_LOGP = -12.0
_NOT_LETTER = re.compile(r"[^a-z]+")
# Punctuation that separates words; any other (apostrophes, geresh, ...) is kept in a word.
_SEPARATORS = frozenset(',.;:/\\&+|!?()[]{}<>"«»“”„·•')
_MAX_PERMUTED = 3
_MAX_SYMBOLS = 40


def _is_separator(char: str) -> bool:
    category = unicodedata.category(char)
    return category[0] in "ZC" or category in ("Pd", "Ps", "Pe") or char in _SEPARATORS


def split(name: str) -> list[str]:
    """The words of a name as model sources: casefolded, NFD, split at spaces, dashes and
    most punctuation (apostrophe-like marks stay in the word)."""
    text = unicodedata.normalize("NFD", name.casefold())
    words: list[str] = []
    current: list[str] = []
    for char in text:
        if _is_separator(char):
            if current:
                words.append("".join(current))
                current = []
        else:
            current.append(char)
    if current:
        words.append("".join(current))
    return [word for word in words if any(unicodedata.category(c)[0] in "LN" for c in word)]


def latin_words(name: str) -> list[str]:
    """The words of a Latin-script name as model targets: ASCII letters a-z only."""
    words = (_NOT_LETTER.sub("", ascii_text(word).lower()) for word in split(name))
    return [word for word in words if word]


@lru_cache(maxsize=4096)
def _fallback(symbol: str) -> str:
    return _NOT_LETTER.sub("", ascii_text(unicodedata.normalize("NFC", symbol)).lower())


# --- alignment ------------------------------------------------------------------------


Unit = tuple[str, str]


def _units(source: str, target: str) -> list[list[tuple[int, int, Unit]]]:
    """For each end (i, j) flattened as i * (len(target) + 1) + j, the (start i, start j,
    unit) of every chunk pair that can end there."""
    width = len(target) + 1
    ends: list[list[tuple[int, int, Unit]]] = [[] for _ in range((len(source) + 1) * width)]
    for i in range(1, len(source) + 1):
        for a in range(1, min(MAX_SOURCE, i) + 1):
            chunk = source[i - a : i]
            for j in range(len(target) + 1):
                for b in range(0, min(MAX_TARGET, j) + 1):
                    ends[i * width + j].append((i - a, j - b, (chunk, target[j - b : j])))
    return ends


def _forward(
    source: str,
    target: str,
    probs: dict[Unit, float],
    ends: list[list[tuple[int, int, Unit]]],
    default: float = 0.0,
) -> list[float]:
    width = len(target) + 1
    alpha = [0.0] * ((len(source) + 1) * width)
    alpha[0] = 1.0
    for i in range(1, len(source) + 1):
        for j in range(len(target) + 1):
            total = 0.0
            for si, sj, unit in ends[i * width + j]:
                before = alpha[si * width + sj]
                if before:
                    total += before * probs.get(unit, default)
            alpha[i * width + j] = total
    return alpha


def _expect(
    source: str,
    target: str,
    probs: dict[Unit, float],
    counts: dict[Unit, float],
    weight: float,
    default: float = 0.0,
) -> float:
    """Add the expected unit counts of one pair (times weight); its probability."""
    ends = _units(source, target)
    width = len(target) + 1
    alpha = _forward(source, target, probs, ends, default)
    total = alpha[-1]
    if total <= 0.0:
        return 0.0
    beta = [0.0] * len(alpha)
    beta[-1] = 1.0
    for i in range(len(source), 0, -1):
        for j in range(len(target), -1, -1):
            after = beta[i * width + j]
            if not after:
                continue
            for si, sj, unit in ends[i * width + j]:
                before = alpha[si * width + sj]
                if before:
                    p = probs.get(unit, default)
                    if p:
                        beta[si * width + sj] += p * after
                        counts[unit] += weight * before * p * after / total
    return total


def _viterbi(source: str, target: str, probs: dict[Unit, float]) -> list[Unit] | None:
    ends = _units(source, target)
    width = len(target) + 1
    best = [-math.inf] * ((len(source) + 1) * width)
    back: list[tuple[int, Unit] | None] = [None] * len(best)
    best[0] = 0.0
    for i in range(1, len(source) + 1):
        for j in range(len(target) + 1):
            here = i * width + j
            for si, sj, unit in ends[here]:
                before = best[si * width + sj]
                p = probs.get(unit, 0.0)
                if before > -math.inf and p > 0.0:
                    score = before + math.log(p)
                    if score > best[here]:
                        best[here] = score
                        back[here] = (si * width + sj, unit)
    position = len(best) - 1
    if best[position] == -math.inf:
        return None
    units: list[Unit] = []
    while position:
        step = back[position]
        assert step is not None
        position, unit = step
        units.append(unit)
    units.reverse()
    return units


Example = tuple[tuple[tuple[str, str], ...], ...]  # alternatives, each a list of word pairs


def _examples(pairs: Iterable[tuple[str, str]]) -> dict[Example, int]:
    examples: dict[Example, int] = defaultdict(int)
    for latin, native in pairs:
        targets = latin_words(latin)
        sources = split(native)
        if not targets or not sources:
            continue
        alternatives: list[tuple[tuple[str, str], ...]] = []
        if len(targets) == len(sources) and len(sources) <= _MAX_PERMUTED:
            for order in itertools.permutations(targets):
                alternatives.append(tuple(zip(sources, order, strict=True)))
        elif len(targets) == len(sources):
            alternatives.append(tuple(zip(sources, targets, strict=True)))
        else:
            alternatives.append((("".join(sources), "".join(targets)),))
        if all(len(s) <= _MAX_SYMBOLS and len(t) <= _MAX_SYMBOLS for s, t in alternatives[0]):
            examples[tuple(alternatives)] += 1
    return examples


def _align(examples: dict[Example, int], iterations: int) -> dict[Unit, float]:
    """EM over the word pairs: the joint probability of every unit (chunk pair)."""
    probs: dict[Unit, float] = {}
    default = 1.0
    chosen: dict[Example, int] = {example: 0 for example in examples}
    for iteration in range(iterations):
        counts: dict[Unit, float] = defaultdict(float)
        for example, weight in examples.items():
            if iteration > 0 and len(example) > 1:
                chosen[example] = max(
                    range(len(example)),
                    key=lambda k: math.prod(
                        _forward(s, t, probs, _units(s, t))[-1] for s, t in example[k]
                    ),
                )
            for source, target in example[chosen[example]]:
                _expect(source, target, probs, counts, weight, default)
        total = sum(counts.values())
        probs = {unit: count / total for unit, count in counts.items()}
        default = 0.0
    return probs


# --- graphone n-gram --------------------------------------------------------------------


Tables = dict[str, tuple[dict[str, float], float]]


def _ngram(sequences: Iterable[tuple[list[str], int]], order: int, min_count: int) -> Tables:
    """A Witten-Bell interpolated n-gram as back-off tables: context (units joined by TAB)
    -> ({next unit: log p}, log back-off weight). Contexts seen, and continuations of a
    non-empty context seen, fewer than `min_count` times are left out (they back off)."""
    counts: list[dict[tuple[str, ...], dict[str, int]]] = [
        defaultdict(lambda: defaultdict(int)) for _ in range(order)
    ]
    for sequence, weight in sequences:
        padded = [_BOS] * (order - 1) + sequence + [_EOS]
        for position in range(order - 1, len(padded)):
            for n in range(order):
                context = tuple(padded[position - n : position])
                counts[n][context][padded[position]] += weight
    uniform = 1.0 / (len(counts[0][()]) + 1)
    full: dict[tuple[str, ...], tuple[dict[str, float], float]] = {}
    tables: Tables = {}
    for n in range(order):
        current: dict[tuple[str, ...], tuple[dict[str, float], float]] = {}
        for context, following in counts[n].items():
            total = sum(following.values())
            lam = total / (total + len(following))
            probs = {
                unit: lam * count / total
                + (1 - lam) * (_lookup(full, context[1:], unit, uniform) if n else uniform)
                for unit, count in following.items()
            }
            current[context] = (probs, 1 - lam)
            if n and total < min_count:
                continue
            kept = {
                unit: round(math.log(p), 3)
                for unit, p in probs.items()
                if not n or following[unit] >= min_count
            }
            tables[_SEP.join(context)] = (kept, round(math.log(1 - lam), 3))
        full.update(current)
    return tables


def _lookup(
    tables: dict[tuple[str, ...], tuple[dict[str, float], float]],
    context: tuple[str, ...],
    unit: str,
    floor: float,
) -> float:
    """P(unit | context) from (not logarithmic) back-off tables."""
    weight = 1.0
    while True:
        entry = tables.get(context)
        if entry is not None:
            probs, bow = entry
            if unit in probs:
                return weight * probs[unit]
            weight *= bow
        if not context:
            return weight * floor
        context = context[1:]


# --- model ----------------------------------------------------------------------------


@dataclass
class Model:
    """A trained romaniser: which Latin spellings each source chunk was aligned with, and
    the graphone n-gram (`_ngram`'s tables; a graphone is chunk TAB spelling)."""

    order: int
    chunks: dict[str, list[str]]
    ngram: Tables
    floor: float = -20.0
    _logps: dict[tuple[str, str], float] = field(default_factory=dict, repr=False)
    _cache: dict[tuple[str, int], list[tuple[str, float]]] = field(default_factory=dict, repr=False)

    def save(self, path: str | Path) -> None:
        """Write the model as JSON."""
        data = {"order": self.order, "chunks": self.chunks, "ngram": self.ngram}
        Path(path).write_text(
            json.dumps(data, ensure_ascii=False, separators=(",", ":")), encoding="utf-8"
        )

    @classmethod
    def load(cls, path: str | Path) -> Model:
        """Read a model `save` wrote."""
        data = json.loads(Path(path).read_text(encoding="utf-8"))
        ngram = {key: (value[0], value[1]) for key, value in data["ngram"].items()}
        return cls(int(data["order"]), data["chunks"], ngram)

    def pruned(self, max_spellings: int) -> Model:
        """This model with only the `max_spellings` most frequent spellings per chunk."""
        chunks = {chunk: texts[:max_spellings] for chunk, texts in self.chunks.items()}
        return Model(self.order, chunks, self.ngram, self.floor)

    def _logp(self, history: str, unit: str) -> float:
        """log P(unit | history), history the last order-1 units joined by TAB."""
        cached = self._logps.get((history, unit))
        if cached is not None:
            return cached
        context = history
        weight = 0.0
        while True:
            entry = self.ngram.get(context)
            if entry is not None:
                logp = entry[0].get(unit)
                if logp is not None:
                    weight += logp
                    break
                weight += entry[1]
            if not context:
                weight += self.floor
                break
            cut = context.find(_SEP, context.find(_SEP) + 1)
            context = "" if cut < 0 else context[cut + 1 :]
        if len(self._logps) > 500_000:
            self._logps.clear()
        self._logps[(history, unit)] = weight
        return weight

    def _shift(self, history: str, unit: str) -> str:
        """The history after unit: its last order-1 units."""
        units = (history + _SEP + unit if history else unit).split(_SEP)
        return _SEP.join(units[-2 * (self.order - 1) :])

    def romanise_word(self, word: str, n: int = 5, beam: int = 16) -> list[tuple[str, float]]:
        """The n most probable Latin spellings of one word (one of `split`'s), with their
        log probabilities, best first."""
        key = (word, n)
        cached = self._cache.get(key)
        if cached is not None:
            return cached
        source = unicodedata.normalize("NFD", word.casefold())
        size = len(source)
        start = _SEP.join([_BOS] * (self.order - 1))
        # per position: {(history, spelling so far): log p}
        states: list[dict[tuple[str, str], float]] = [{} for _ in range(size + 1)]
        states[0][(start, "")] = 0.0
        for position in range(size):
            here = states[position]
            if not here:
                continue
            best = heapq.nlargest(beam, here.items(), key=lambda item: item[1])
            for a in range(1, min(MAX_SOURCE, size - position) + 1):
                chunk = source[position : position + a]
                spellings = self.chunks.get(chunk)
                after = states[position + a]
                if spellings is None:
                    if a == 1:
                        self._unseen(chunk, best, after)
                    continue
                for spelling in spellings:
                    unit = chunk + _SEP + spelling
                    for (history, text), score in best:
                        value = score + self._logp(history, unit)
                        state = (self._shift(history, unit), text + spelling)
                        if value > after.get(state, -math.inf):
                            after[state] = value
        finals: dict[str, float] = {}
        for (history, text), score in states[size].items():
            value = score + self._logp(history, _EOS)
            if text and value > finals.get(text, -math.inf):
                finals[text] = value
        result = heapq.nlargest(n, finals.items(), key=lambda item: item[1])
        if len(self._cache) > 100_000:
            self._cache.clear()
        self._cache[key] = result
        return result

    def _unseen(
        self,
        chunk: str,
        best: list[tuple[tuple[str, str], float]],
        after: dict[tuple[str, str], float],
    ) -> None:
        """Read a symbol never seen in training by its ASCII transliteration."""
        spelling = _fallback(chunk)
        for (history, text), score in best:
            state = (self._shift(history, chunk + _SEP + spelling), text + spelling)
            value = score + _UNSEEN_LOGP
            if value > after.get(state, -math.inf):
                after[state] = value

    def romanise(self, name: str, n: int = 5) -> list[list[str]]:
        """Per word of a name (`split`), its n most probable Latin spellings, best first."""
        return [[text for text, _ in self.romanise_word(word, n)] for word in split(name)]


def train(
    pairs: Iterable[tuple[str, str]],
    iterations: int = 4,
    order: int = ORDER,
    min_count: int = 2,
    max_spellings: int = MAX_SPELLINGS,
) -> Model:
    """Train a romaniser on (Latin name, native name) pairs of the same names.

    `iterations` of EM align the pairs; graphones and n-grams seen fewer than `min_count`
    times are left out of the model (smaller, and it generalises better), and so are all
    but the `max_spellings` most frequent spellings of a source chunk (faster)."""
    examples = _examples(pairs)
    probs = _align(examples, iterations)
    sequences: list[tuple[list[str], int]] = []
    chunk_counts: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for example, weight in examples.items():
        best: list[list[Unit]] = []
        best_score = -math.inf
        for alternative in example:
            aligned: list[list[Unit]] = []
            score = 0.0
            for source, target in alternative:
                units = _viterbi(source, target, probs)
                if units is None:
                    break
                aligned.append(units)
                score += sum(math.log(probs[unit]) for unit in units)
            else:
                if score > best_score:
                    best, best_score = aligned, score
        for units in best:
            sequences.append(([chunk + _SEP + spelling for chunk, spelling in units], weight))
            for chunk, spelling in units:
                chunk_counts[chunk][spelling] += weight
    chunks: dict[str, list[str]] = {}
    for chunk, spellings in chunk_counts.items():
        kept = [text for text, count in spellings.items() if count >= min_count]
        if kept:
            chunks[chunk] = sorted(kept, key=lambda text: -spellings[text])[:max_spellings]
    return Model(order, chunks, _ngram(sequences, order, min_count))
