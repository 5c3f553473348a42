"""Learned romanisation: trained on a few synthetic name pairs, it reads unseen names."""

from __future__ import annotations

import itertools
import json
import unicodedata
from pathlib import Path

import pytest

from casegraph.search.learned_translit import Model, latin_words, split, train

# A made-up romanisation convention for Hangul that ICU does not follow (ᄏ is "c", not
# "k"; ᄅ is "l", not "r"): the model can only get it from the pairs.
CONSONANTS = {"\u110f": "c", "\u1105": "l", "\u1106": "m", "\u1102": "n", "\u1109": "s"}
VOWELS = {"\u1161": "a", "\u1175": "i", "\u1169": "o"}
SYLLABLES = {
    unicodedata.normalize("NFC", c + v): cl + vl
    for (c, cl), (v, vl) in itertools.product(CONSONANTS.items(), VOWELS.items())
}
UNSEEN = ("카로미", "calomi")
# Cyrillic, romanised with a made-up convention: ж is "zh", и "ee".
CYRILLIC = {"ж": "zh", "и": "ee", "л": "l", "а": "a", "н": "n", "о": "o"}


def hangul_words() -> list[tuple[str, str]]:
    words = []
    for first, second, third in itertools.product(SYLLABLES, repeat=3):
        native = first + second + third
        if native != UNSEEN[0] and len({first, second, third}) == 3:
            words.append((native, SYLLABLES[first] + SYLLABLES[second] + SYLLABLES[third]))
    return words[::3]


def cyrillic_words() -> list[tuple[str, str]]:
    words = []
    for letters in itertools.permutations("жилано", 4):
        native = "".join(letters)
        if native != "жано":
            words.append((native, "".join(CYRILLIC[letter] for letter in letters)))
    return words


@pytest.fixture(scope="module")
def model() -> Model:
    words = hangul_words()
    pairs = [(latin.title(), native) for native, latin in words]
    # Two-word names, half of them written in the other order on the Latin side.
    for index, ((n1, l1), (n2, l2)) in enumerate(itertools.pairwise(words[:120])):
        latin = f"{l1} {l2}" if index % 2 else f"{l2} {l1}"
        pairs.append((latin.title(), f"{n1} {n2}"))
    pairs += [(latin.title(), native) for native, latin in cyrillic_words()]
    return train(pairs, iterations=4)


def test_split_keeps_apostrophes_and_splits_at_dashes_and_spaces() -> None:
    assert split("ג'ורג' ברון-כהן") == ["ג'ורג'", "ברון", "כהן"]
    assert split("  George W. Bush ") == ["george", "w", "bush"]
    # Decomposed: a Hangul syllable is its jamo, a letter with an accent the letter + mark.
    assert split("형")[0] == "\u1112\u1167\u11bc"
    assert split("É")[0] == "e\u0301"


def test_latin_words_are_ascii_letters() -> None:
    assert latin_words("Luís O'Brien-Smith") == ["luis", "obrien", "smith"]
    assert latin_words("Gordian III") == ["gordian", "iii"]


def test_an_unseen_name_is_romanised_by_the_learned_convention(model: Model) -> None:
    native, latin = UNSEEN
    assert not any(native == word for word, _ in hangul_words())
    spellings = model.romanise(native, 3)
    assert len(spellings) == 1
    assert spellings[0][0] == latin


def test_each_word_of_a_name_is_romanised(model: Model) -> None:
    assert [words[0] for words in model.romanise("카로미 나시모", 1)] == ["calomi", "nasimo"]


def test_a_second_script_is_learned_by_the_same_model(model: Model) -> None:
    assert model.romanise("Жано", 1) == [["zhano"]]


def test_alternatives_are_distinct_and_ordered(model: Model) -> None:
    ranked = model.romanise_word(split("카로미")[0], 5)
    texts = [text for text, _ in ranked]
    scores = [score for _, score in ranked]
    assert len(set(texts)) == len(texts) >= 2
    assert scores == sorted(scores, reverse=True)


def test_a_symbol_never_seen_is_read_by_its_ascii_transliteration(model: Model) -> None:
    # д and р are in no training pair.
    assert model.romanise("дар", 1) == [["dar"]]


def test_save_and_load_give_the_same_model(model: Model, tmp_path: Path) -> None:
    path = tmp_path / "model.json"
    model.save(path)
    assert json.loads(path.read_text(encoding="utf-8"))["order"] == model.order
    loaded = Model.load(path)
    for name in ("카로미", "Жано", "나시모 카로미"):
        assert loaded.romanise(name, 4) == model.romanise(name, 4)
