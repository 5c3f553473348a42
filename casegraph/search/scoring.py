"""Scores from the actor's scope only: matched query parts, weighted by rarity.

A score adds up, for each part of the query, the best way the document matches it
(an alternative of one typed word: itself, its transliteration, phonetic or skeleton
key), weighted by the column it matched in and by how rare that key is. Rarity is
counted among the documents the actor may read, never over the whole index: BM25's
statistics would include datasets outside the scope, and the ranking would leak them.
Counting stops at `DF_CAP`, so a common key costs a bounded count.
"""

from __future__ import annotations

import math
from collections.abc import Callable

from sqlalchemy import ColumnElement, Connection, Select, case, func, literal, select

from casegraph.search.text_query import WEIGHTS, AnyOf, Lex, TextExpr, Without
from casegraph.store.tables import search_doc

DF_CAP = 20_000
# The corpus size rarity is measured against: a constant, so no global count leaks.
IDF_N = 1_000_000

TextCondition = Callable[[TextExpr], ColumnElement[bool]]


def idf(df: int) -> float:
    return math.log(1.0 + IDF_N / (1.0 + df))


class Scorer:
    def __init__(
        self, conn: Connection, condition: TextCondition, datasets: Select[tuple[str]]
    ) -> None:
        self.conn = conn
        self.condition = condition
        self.datasets = datasets
        self._weights: dict[Lex, float] = {}

    def weight(self, lex: Lex) -> float:
        """Column weight × words × rarity among the readable documents."""
        if lex not in self._weights:
            readable = (
                select(search_doc.c.id)
                .where(search_doc.c.dataset.in_(self.datasets), self.condition(lex))
                .limit(DF_CAP)
                .subquery()
            )
            df = self.conn.execute(select(func.count()).select_from(readable)).scalar_one()
            column = max(WEIGHTS[c] for c in lex.columns)
            self._weights[lex] = column * len(lex.words) * idf(int(df))
        return self._weights[lex]

    def score(self, expr: TextExpr) -> ColumnElement[float]:
        if isinstance(expr, Lex):
            return case((self.condition(expr), self.weight(expr)), else_=0.0)
        if isinstance(expr, Without):
            return self.score(expr.keep)
        if isinstance(expr, AnyOf) and all(isinstance(i, Lex) for i in expr.items):
            # Alternatives of one word: the best one that matches counts, once.
            ranked = sorted(expr.items, key=lambda i: -self.weight(i))  # type: ignore[arg-type]
            return case(
                *((self.condition(i), self.weight(i)) for i in ranked),  # type: ignore[arg-type]
                else_=0.0,
            )
        parts = [self.score(item) for item in expr.items]
        total = parts[0]
        for part in parts[1:]:
            total = total + part
        return total if parts else literal(0.0)
