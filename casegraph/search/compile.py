"""From a parsed query to what a backend runs: ranked text, and SQL conditions.

The positive full-text parts at the top of the query become one ranked text match
(scores and snippets come from it); filters, and text that sits under a filter's OR,
become SQL conditions on the index documents.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from sqlalchemy import ColumnElement, and_, not_, or_

from casegraph.errors import InvalidInputError
from casegraph.search.filters import NAME_FIELD, field_condition, range_condition
from casegraph.search.query import And, Field, Node, Not, Or, Phrase, Range, Term
from casegraph.search.romaniser import Romanise
from casegraph.search.text_query import (
    FuzzyLookup,
    TextExpr,
    Without,
    all_of,
    any_of,
    expand_name,
    expand_name_prefix,
    expand_phrase,
    expand_term,
)

TextCondition = Callable[[TextExpr], ColumnElement[bool]]


@dataclass
class CompiledQuery:
    primary: TextExpr | None = None
    condition: ColumnElement[bool] | None = None
    # What the user typed, to explain later why a hit matched.
    words: list[str] = field(default_factory=list)
    fuzzy: dict[str, list[str]] = field(default_factory=dict)
    # A query of plain words and `name:"…"` only: the name its hits are re-ranked by.
    name: str | None = None


class _Compiler:
    def __init__(
        self, text_condition: TextCondition, fuzzy: FuzzyLookup, romanise: Romanise | None
    ) -> None:
        self.text_condition = text_condition
        self.lookup = fuzzy
        self.romanise = romanise
        self.result = CompiledQuery()

    def fuzzy(self, typed: str) -> FuzzyLookup:
        """The vocabulary lookup for the term `typed`, recording what it found under
        the word as typed (`MÜLKER`, `сидорпва`), which is what explain() is given."""

        def lookup(word: str, edits: int) -> list[str]:
            found = list(self.lookup(word, edits))
            self.result.fuzzy[typed] = found
            return found

        return lookup

    def text(self, node: Node) -> TextExpr | None:
        """`node` as full text, or None when it holds a filter."""
        if isinstance(node, Term):
            self.result.words.append(node.text + ("*" if node.prefix else ""))
            expr = expand_term(node, self.fuzzy(node.text), self.romanise)
            return expr if expr is not None else _nothing(node.text)
        if isinstance(node, Phrase):
            self.result.words.extend(node.words)
            expr = expand_phrase(node)
            return expr if expr is not None else _nothing(" ".join(node.words))
        if isinstance(node, Field) and node.name.casefold() == NAME_FIELD:
            if node.prefix:
                self.result.words.append(node.value + "*")
                expr = expand_name_prefix(node.value)
            else:
                self.result.words.extend(node.value.split())
                expr = expand_name(node.value, self.romanise)
            return expr if expr is not None else _nothing(node.value)
        if isinstance(node, Or):
            items = [self.text(item) for item in node.items]
            return None if any(i is None for i in items) else any_of(items)  # type: ignore[arg-type]
        if isinstance(node, And):
            return self._text_and(node.items)
        return None

    def _text_and(self, items: tuple[Node, ...]) -> TextExpr | None:
        keep: list[TextExpr] = []
        drop: list[TextExpr] = []
        for item in items:
            target = drop if isinstance(item, Not) else keep
            expr = self.text(item.item if isinstance(item, Not) else item)
            if expr is None:
                return None
            target.append(expr)
        if not keep:
            return None
        kept = all_of(keep)
        return Without(kept, any_of(drop)) if drop else kept

    def condition(self, node: Node) -> ColumnElement[bool]:
        text = self.text(node)
        if text is not None:
            return self.text_condition(text)
        if isinstance(node, Field):
            return field_condition(node)
        if isinstance(node, Range):
            return range_condition(node)
        if isinstance(node, Not):
            return not_(self.condition(node.item))
        if isinstance(node, Or):
            return or_(*(self.condition(item) for item in node.items))
        assert isinstance(node, And)
        return and_(*(self.condition(item) for item in node.items))


def _nothing(text: str) -> TextExpr:
    raise InvalidInputError(f"{text!r} has no letters or digits to search for")


def _typed_name(node: Node) -> str | None:
    """The words of a plain term or a `name:"…"` field (what name matching can rank)."""
    if isinstance(node, Term) and not node.prefix and node.fuzzy is None:
        return node.text
    if isinstance(node, Field) and node.name.casefold() == NAME_FIELD and not node.prefix:
        return node.value
    return None


def _top_items(node: Node) -> tuple[Node, ...]:
    """What the query ANDs at the top, nested Ands flattened: `--schema` wraps a query
    in one, and `hans country:de` inside it must still be ranked text plus a filter."""
    if not isinstance(node, And):
        return (node,)
    return tuple(found for item in node.items for found in _top_items(item))


def compile_query(
    node: Node,
    *,
    text_condition: TextCondition,
    fuzzy: FuzzyLookup,
    romanise: Romanise | None = None,
) -> CompiledQuery:
    compiler = _Compiler(text_condition, fuzzy, romanise)
    items = _top_items(node)
    ranked: list[TextExpr] = []
    typed: list[str | None] = []
    excluded: list[TextExpr] = []
    conditions: list[ColumnElement[bool]] = []
    for item in items:
        if isinstance(item, Not):
            negated = compiler.text(item.item)
            if negated is not None:
                excluded.append(negated)
            else:
                conditions.append(not_(compiler.condition(item.item)))
            continue
        text = compiler.text(item)
        if text is not None:
            ranked.append(text)
            typed.append(_typed_name(item))
        else:
            conditions.append(compiler.condition(item))
    result = compiler.result
    if ranked and all(typed):
        result.name = " ".join(t for t in typed if t)
    if ranked:
        kept = all_of(ranked)
        result.primary = Without(kept, any_of(excluded)) if excluded else kept
    else:
        conditions.extend(not_(compiler.text_condition(e)) for e in excluded)
    if conditions:
        result.condition = and_(*conditions)
    return result
