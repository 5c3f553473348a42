"""The learned romaniser a search uses, if one is configured (`CASEGRAPH_NAME_MODEL`).

A model (casegraph/search/learned_translit.py) is trained on pairs of the same names
in Latin and in other scripts; it gives a native word's most probable Latin spellings,
which a query then also looks for. Loading takes about half a second, once per process.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from functools import lru_cache
from pathlib import Path

from casegraph.errors import ConfigError
from casegraph.search.learned_translit import Model, split

# A native word -> its most probable Latin spellings, best first ([] for Latin words).
Romanise = Callable[[str], Sequence[str]]
# How many spellings of each native word a query looks for.
SPELLINGS = 8


@lru_cache(maxsize=4)
def _model(path: Path) -> Model:
    try:
        return Model.load(path)
    except FileNotFoundError:
        raise ConfigError(f"name model {path} does not exist (CASEGRAPH_NAME_MODEL)") from None
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise ConfigError(f"name model {path} cannot be read: {exc}") from None


def romaniser(path: Path | None) -> Romanise | None:
    """The romaniser of the model at `path`, or None when no model is configured."""
    if path is None:
        return None
    model = _model(path.resolve())

    def spellings(word: str) -> Sequence[str]:
        if word.isascii():
            return ()
        return tuple(text for text, _ in model.romanise_word(word, SPELLINGS))

    return spellings


def part_sources(name: str, tokens: Sequence[str]) -> list[str]:
    """The native word each name part (`NameKeys.tokens`) is spelt from: the written
    words when they are the parts, a one-word name's own word for its first part."""
    words = split(name)
    if len(words) == len(tokens):
        return words
    if len(words) == 1 and len(tokens) > 1:
        return words + list(tokens[1:])
    return list(tokens)


__all__ = ["SPELLINGS", "Romanise", "part_sources", "romaniser"]
