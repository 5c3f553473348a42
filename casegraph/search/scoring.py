"""Scores from the actor's scope only: every matched key, weighted by rarity.

The ranked text of a query is a list of *parts* (a typed word, phrase or name part),
each with alternative *leaves* (the word itself, its transliteration, phonetic and
skeleton keys...). A document's score adds the weight of every leaf it matches (an
exact spelling also matches the phonetic and skeleton keys, so it ranks above them),
times the share of the parts it matched. A leaf's weight is its column's weight, its
word count and its rarity.

Rarity is counted among the documents the actor may read, never over the whole index:
BM25's statistics would include datasets outside the scope, and the ranking would leak
them. Counting stops at `DF_CAP`. A derived key (`Lex.derived`: a name key, or any
part of `name:"…"`) held by that many readable documents is *common*: it only adds
to the score of documents that a more distinctive leaf found, so a skeleton such as
`l` or the name part `al` does not pull in a fifth of the index.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from sqlalchemy import (
    ColumnElement,
    Connection,
    Select,
    Subquery,
    false,
    func,
    literal,
    select,
    union_all,
)

from casegraph.search.text_query import (
    WEIGHTS,
    AllOf,
    AnyOf,
    Lex,
    TextExpr,
    Without,
    all_of,
    any_of,
)
from casegraph.store.tables import search_doc

DF_CAP = 5_000
# The corpus size rarity is measured against: a constant, so no global count leaks.
IDF_N = 1_000_000

# The ids (column `id`) of the documents matching a text expression, without scope.
MatchingIds = Callable[[TextExpr], Select[tuple[int]]]


def idf(df: int) -> float:
    return math.log(1.0 + IDF_N / (1.0 + df))


def parts_of(expr: TextExpr) -> list[tuple[Lex, ...]]:
    """The scored parts of `expr`: alternatives of one word are one part."""
    if isinstance(expr, Lex):
        return [(expr,)]
    if isinstance(expr, Without):
        return parts_of(expr.keep)
    if isinstance(expr, AnyOf) and all(isinstance(i, Lex) for i in expr.items):
        return [tuple(i for i in expr.items if isinstance(i, Lex))]
    return [part for item in expr.items for part in parts_of(item)]


def is_disjunction(expr: TextExpr) -> bool:
    """Whether a document matches `expr` as soon as it matches one of its leaves."""
    if isinstance(expr, Lex):
        return True
    return isinstance(expr, AnyOf) and all(is_disjunction(i) for i in expr.items)


def is_conjunction(expr: TextExpr) -> bool:
    """Whether `expr` is an AND of parts (each a leaf or alternatives of leaves), so that
    a document matches it when it matches every part."""
    return isinstance(expr, AllOf) and all(
        isinstance(i, Lex) or (isinstance(i, AnyOf) and all(isinstance(j, Lex) for j in i.items))
        for i in expr.items
    )


@dataclass(frozen=True)
class Leaf:
    part: int
    lex: Lex
    df: int
    weight: float

    @property
    def common(self) -> bool:
        return self.lex.derived and self.df >= DF_CAP


@dataclass
class Scores:
    """Per matched document: `score`, and `parts`, how many parts it matched."""

    table: Subquery
    parts: int


class Scorer:
    def __init__(self, conn: Connection, matching: MatchingIds, scope: ColumnElement[bool]) -> None:
        self.conn = conn
        self.matching = matching
        self.scope = scope

    def _counts(self, lexes: Sequence[Lex]) -> list[int]:
        """How many readable documents match each leaf, up to `DF_CAP`, in one query."""
        counts = []
        for lex in lexes:
            ids = self.matching(lex).subquery()
            readable = (
                select(literal(1))
                .select_from(ids.join(search_doc, search_doc.c.id == ids.c.id))
                .where(self.scope)
                .limit(DF_CAP)
                .subquery()
            )
            counts.append(select(func.count()).select_from(readable).scalar_subquery())
        return [int(n) for n in self.conn.execute(select(*counts)).one()] if counts else []

    def leaves(self, expr: TextExpr) -> list[Leaf]:
        parts = parts_of(expr)
        lexes = list(dict.fromkeys(lex for part in parts for lex in part))
        df = dict(zip(lexes, self._counts(lexes), strict=True))
        return [
            Leaf(
                part=i,
                lex=lex,
                df=df[lex],
                weight=max(WEIGHTS[c] for c in lex.columns) * len(lex.words) * idf(df[lex]),
            )
            for i, part in enumerate(parts)
            for lex in part
            if df[lex] > 0
        ]

    def scores(self, expr: TextExpr) -> Scores:
        """The matched documents' scores, from the leaves they match."""
        leaves = self.leaves(expr)
        parts = len(parts_of(expr))
        plan = _plan(expr, leaves, parts)
        if plan is None:
            return self._empty(parts)
        free, restricted, within = plan
        rows: list[Select[tuple[int, float, int]]] = []
        # A restricted leaf is matched together with what it is restricted to inside
        # the text index (`leaf AND (...)`), far cheaper than joining ids in SQL.
        for leaf in free + restricted:
            match = all_of([leaf.lex, within]) if leaf in restricted else leaf.lex
            ids = self.matching(match).subquery()
            rows.append(select(ids.c.id, literal(leaf.weight), literal(leaf.part)))
        hits = union_all(*rows).subquery("hits")
        id_, weight, part = hits.c
        matched = func.count(part.distinct())
        table = (
            select(
                id_.label("id"),
                (func.sum(weight) * matched / parts).label("score"),
                matched.label("parts"),
            )
            .group_by(id_)
            .subquery("scores")
        )
        return Scores(table, parts)

    @staticmethod
    def _empty(parts: int) -> Scores:
        none = select(
            search_doc.c.id, literal(0.0).label("score"), literal(0).label("parts")
        ).where(false())
        return Scores(none.subquery("scores"), parts)


Plan = tuple[list[Leaf], list[Leaf], TextExpr]


def _plan(expr: TextExpr, leaves: list[Leaf], parts: int) -> Plan | None:
    """The leaves looked up everywhere; those only looked up among documents matching a
    third expression; and that expression. None when nothing can match.

    Common derived keys only add to documents that a distinctive leaf found. An AND's
    documents must also match its most distinctive part, so that part's distinctive
    leaves find them and the rest is looked up among those. A name whose every key is
    common (`name:"khaled al-ali"` in a large index) finds the documents with all its
    parts."""
    if not leaves:
        return None
    by_part: dict[int, list[Leaf]] = {}
    for leaf in leaves:
        by_part.setdefault(leaf.part, []).append(leaf)
    distinctive = {p: [f for f in found if not f.common] for p, found in by_part.items()}
    distinctive = {p: found for p, found in distinctive.items() if found}
    if is_conjunction(expr):
        if len(by_part) < parts:  # a part matches no readable document
            return None
        if distinctive:
            rarest = min(distinctive, key=lambda p: sum(f.df for f in distinctive[p]))
            free = distinctive[rarest]
        else:
            free = by_part[min(by_part)]
        return free, [f for f in leaves if f not in free], any_of([f.lex for f in free])
    free = [leaf for leaf in leaves if not leaf.common]
    if free:
        return free, [f for f in leaves if f.common], any_of([f.lex for f in free])
    if len(by_part) < 2:
        return leaves, [], any_of([f.lex for f in leaves])
    every_part = all_of([any_of([f.lex for f in found]) for found in by_part.values()])
    return [], leaves, every_part
