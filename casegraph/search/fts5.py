"""The embedded backend: SQLite FTS5 over `search_doc` (see store/search_ddl.py)."""

from __future__ import annotations

from collections.abc import Collection, Sequence

from sqlalchemy import (
    ColumnElement,
    Connection,
    Select,
    column,
    func,
    literal_column,
    select,
    table,
)
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from casegraph.search.index import SqlSearchIndex, same_start
from casegraph.search.text_query import AllOf, AnyOf, Lex, TextExpr
from casegraph.store.tables import search_doc, search_word

fts = table("search_fts", column("rowid"))
# The FTS5 table as a value: what MATCH, bm25() and snippet() take, unqualified.
FTS: ColumnElement[str] = literal_column("search_fts")
SNIPPET_WORDS = 16


def _quote(words: Sequence[str]) -> str:
    return '"' + " ".join(words).replace('"', '""') + '"'


def render(expr: TextExpr) -> str:
    """`expr` in the FTS5 query syntax."""
    if isinstance(expr, Lex):
        columns = " ".join(expr.columns)
        return f"{{{columns}}} : {_quote(expr.words)}{' *' if expr.prefix else ''}"
    if isinstance(expr, AnyOf):
        return "(" + " OR ".join(render(item) for item in expr.items) + ")"
    if isinstance(expr, AllOf):
        return "(" + " AND ".join(render(item) for item in expr.items) + ")"
    return f"({render(expr.keep)} NOT {render(expr.drop)})"


class Fts5Index(SqlSearchIndex):
    def _match(self, expr: TextExpr) -> ColumnElement[bool]:
        return FTS.match(render(expr))

    def text_condition(self, expr: TextExpr) -> ColumnElement[bool]:
        return search_doc.c.id.in_(select(fts.c.rowid).where(self._match(expr)))

    def matching_ids(self, expr: TextExpr) -> Select[tuple[int]]:
        return select(fts.c.rowid.label("id")).where(self._match(expr))

    def snippets(self, conn: Connection, expr: TextExpr, doc_ids: Sequence[int]) -> dict[int, str]:
        body = 4
        snippet = func.snippet(FTS, body, "«", "»", "…", SNIPPET_WORDS)
        rows = conn.execute(
            select(fts.c.rowid, snippet).where(self._match(expr), fts.c.rowid.in_(list(doc_ids)))
        )
        return {int(r[0]): str(r[1]) for r in rows if r[1] and "«" in str(r[1])}

    def fuzzy_candidates(
        self, conn: Connection, word: str, edits: int, datasets: Select[tuple[str]]
    ) -> list[str]:
        return [str(r[0]) for r in conn.execute(same_start(word, edits, datasets))]

    def add_words(self, conn: Connection, words: Collection[tuple[str, str]]) -> None:
        if words:
            conn.execute(
                sqlite_insert(search_word).on_conflict_do_nothing(),
                [{"word": w, "dataset": d} for w, d in sorted(words)],
            )
