"""The server backend: PostgreSQL full-text search plus `pg_trgm` (see store/search_ddl.py).

Each index column has its own tsvector weight, so a query can restrict a word to
names (A), phonetic keys (B), skeleton and organisation-type keys (C) or text (D).
"""

from __future__ import annotations

from collections.abc import Collection, Sequence

from sqlalchemy import ColumnElement, Connection, Select, func, literal_column, select
from sqlalchemy.dialects.postgresql import insert as pg_insert

from casegraph.search.index import SqlSearchIndex, same_start
from casegraph.search.text_query import (
    BODY,
    NAMES,
    ORGTYPES,
    PHONETIC,
    SKELETON,
    AllOf,
    AnyOf,
    Lex,
    TextExpr,
)
from casegraph.store.tables import search_doc, search_word

WEIGHT = {NAMES: "A", PHONETIC: "B", SKELETON: "C", ORGTYPES: "C", BODY: "D"}
CONFIG: ColumnElement[object] = literal_column("'casegraph'::regconfig")
TSV: ColumnElement[object] = literal_column("search_doc.tsv")
HEADLINE = 'StartSel=«, StopSel=», MaxWords=16, MinWords=6, MaxFragments=2, FragmentDelimiter=" … "'


def _lexeme(word: str, weights: str, prefix: bool) -> str:
    quoted = "'" + word.replace("\\", "\\\\").replace("'", "''") + "'"
    return f"{quoted}:{'*' if prefix else ''}{weights}"


def render(expr: TextExpr) -> str:
    """`expr` in `to_tsquery` syntax."""
    if isinstance(expr, Lex):
        weights = "".join(sorted({WEIGHT[c] for c in expr.columns}))
        last = len(expr.words) - 1
        parts = [_lexeme(w, weights, expr.prefix and i == last) for i, w in enumerate(expr.words)]
        return "(" + " <-> ".join(parts) + ")"
    if isinstance(expr, AnyOf):
        return "(" + " | ".join(render(item) for item in expr.items) + ")"
    if isinstance(expr, AllOf):
        return "(" + " & ".join(render(item) for item in expr.items) + ")"
    return f"({render(expr.keep)} & !{render(expr.drop)})"


class PostgresIndex(SqlSearchIndex):
    def _query(self, expr: TextExpr) -> ColumnElement[object]:
        return func.to_tsquery(CONFIG, render(expr))

    def text_condition(self, expr: TextExpr) -> ColumnElement[bool]:
        return TSV.op("@@")(self._query(expr))

    def matching_ids(self, expr: TextExpr) -> Select[tuple[int]]:
        return select(search_doc.c.id).where(self.text_condition(expr))

    def snippets(self, conn: Connection, expr: TextExpr, doc_ids: Sequence[int]) -> dict[int, str]:
        headline = func.ts_headline(CONFIG, search_doc.c.body, self._query(expr), HEADLINE)
        rows = conn.execute(
            select(search_doc.c.id, headline).where(
                search_doc.c.id.in_(list(doc_ids)),
                search_doc.c.body != "",
                # Only documents that match, as FTS5's snippet() gives: a hit's other
                # documents may hold the words without matching the query.
                self.text_condition(expr),
            )
        )
        return {int(r[0]): str(r[1]) for r in rows if r[1] and "«" in str(r[1])}

    def fuzzy_candidates(
        self, conn: Connection, word: str, edits: int, datasets: Select[tuple[str]]
    ) -> list[str]:
        found: set[str] = {str(r[0]) for r in conn.execute(same_start(word, edits, datasets))}
        similar = (
            select(search_word.c.word)
            .distinct()
            .where(search_word.c.dataset.in_(datasets), search_word.c.word.op("%")(word))
        )
        found.update(str(r[0]) for r in conn.execute(similar))
        return sorted(found)

    def add_words(self, conn: Connection, words: Collection[tuple[str, str]]) -> None:
        if words:
            conn.execute(
                pg_insert(search_word).on_conflict_do_nothing(),
                [{"word": w, "dataset": d} for w, d in sorted(words)],
            )
