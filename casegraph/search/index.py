"""The `SearchIndex` interface, and its shared SQL half for SQLite and PostgreSQL.

A backend keeps one document per (entity, dataset) in `search_doc` and runs a parsed
query against it, with a read scope that the caller (the services layer) gives as a
condition on the document's dataset. A distributed engine can be added later behind
the same interface.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Collection, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Protocol

from rigour.text.distance import levenshtein
from sqlalchemy import (
    CTE,
    ColumnElement,
    Connection,
    FromClause,
    Select,
    delete,
    desc,
    func,
    insert,
    literal,
    not_,
    select,
    text,
    tuple_,
    union_all,
)

from casegraph.ingest.progress import Progress
from casegraph.model.entity import common_schema
from casegraph.model.statement import BASE_PROP, Statement
from casegraph.search.compile import CompiledQuery, compile_query
from casegraph.search.document import SearchDocument, build_document
from casegraph.search.query import Node
from casegraph.search.rerank import RERANK_DEPTH, rerank
from casegraph.search.romaniser import Romanise
from casegraph.search.scoring import Scorer, is_conjunction, is_disjunction
from casegraph.search.text_query import FUZZY_LIMIT, TextExpr, Without
from casegraph.store.tables import dataset, search_country, search_doc, search_word, statement

FACETS = ("schema", "country", "dataset", "marking")
FACET_SIZE = 20
CHUNK = 500
DocKey = tuple[str, str]


@dataclass(frozen=True, slots=True)
class IndexHit:
    entity_id: str
    score: float
    schema: str
    caption: str
    datasets: tuple[str, ...]
    doc_ids: tuple[int, ...]


@dataclass
class IndexPage:
    total: int
    hits: list[IndexHit]
    facets: dict[str, list[tuple[str, int]]] = field(default_factory=dict)
    snippets: dict[int, str] = field(default_factory=dict)
    compiled: CompiledQuery = field(default_factory=CompiledQuery)


class SearchIndex(Protocol):
    """What the services layer needs from a search engine."""

    def refresh(self, conn: Connection, keys: Collection[DocKey], *, fresh: bool = False) -> int:
        """Rebuild the documents of these (entity, dataset) pairs from their statements;
        `fresh` when they have none yet (after `clear`), so there is nothing to delete."""

    def clear(self, conn: Connection) -> None:
        """Remove every document (before a full rebuild)."""

    def search(
        self,
        conn: Connection,
        query: Node,
        *,
        datasets: Select[tuple[str]],
        limit: int,
        offset: int,
        facets: Sequence[str],
        romanise: Romanise | None = None,
    ) -> IndexPage:
        """One page of entities matching `query` among the documents of `datasets`
        (the names of the datasets the actor may read, as a subquery); `romanise`
        gives learned Latin spellings of names in other scripts."""


def _chunks(items: Sequence[DocKey], size: int = CHUNK) -> Iterable[Sequence[DocKey]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _statements_of(conn: Connection, keys: Sequence[DocKey]) -> dict[DocKey, list[Statement]]:
    wanted = set(keys)
    found: dict[DocKey, list[Statement]] = {}
    ids = sorted({entity_id for entity_id, _ in keys})
    for row in conn.execute(select(statement).where(statement.c.entity_id.in_(ids))):
        key = (row.entity_id, row.dataset)
        if key in wanted:
            m = row._mapping
            found.setdefault(key, []).append(
                Statement(**{k: m[k] for k in Statement.__dataclass_fields__})
            )
    return found


def same_start(word: str, edits: int, datasets: Select[tuple[str]]) -> Select[tuple[str]]:
    """Words of `datasets` with the same first letter and a length within `edits`."""
    first = word[:1]
    return (
        select(search_word.c.word)
        .distinct()
        .where(
            search_word.c.dataset.in_(datasets),
            search_word.c.word >= first,
            search_word.c.word < chr(ord(first) + 1) if first else search_word.c.word == "",
            func.length(search_word.c.word).between(len(word) - edits, len(word) + edits),
        )
    )


class SqlSearchIndex(ABC):
    """Documents, countries and the name vocabulary in SQL; text matching per backend."""

    @abstractmethod
    def text_condition(self, expr: TextExpr) -> ColumnElement[bool]:
        """True for the documents matching `expr`."""

    @abstractmethod
    def snippets(self, conn: Connection, expr: TextExpr, doc_ids: Sequence[int]) -> dict[int, str]:
        """Highlighted extracts of the body text, for documents whose text matched."""

    @abstractmethod
    def fuzzy_candidates(
        self, conn: Connection, word: str, edits: int, datasets: Select[tuple[str]]
    ) -> list[str]:
        """Words of `datasets` that may be within a few edits of `word`."""

    @abstractmethod
    def add_words(self, conn: Connection, words: Collection[tuple[str, str]]) -> None:
        """Add (word, dataset) pairs to the vocabulary, ignoring those it has."""

    # -- writing ---------------------------------------------------------------

    def refresh(self, conn: Connection, keys: Collection[DocKey], *, fresh: bool = False) -> int:
        ordered = sorted(set(keys))
        written = 0
        for chunk in _chunks(ordered):
            stmts = _statements_of(conn, chunk)
            docs = [
                doc
                for key in chunk
                if (doc := build_document(key[0], key[1], stmts.get(key, []))) is not None
            ]
            self._replace(conn, chunk, docs, fresh=fresh)
            written += len(docs)
        return written

    def _replace(
        self,
        conn: Connection,
        keys: Sequence[DocKey],
        docs: list[SearchDocument],
        *,
        fresh: bool = False,
    ) -> None:
        pair = tuple_(search_doc.c.entity_id, search_doc.c.dataset)
        # The plain entity_id list lets PostgreSQL use the (entity_id, dataset) index:
        # it plans a row-value IN over hundreds of pairs as a scan of the table.
        ids = search_doc.c.entity_id.in_(sorted({entity_id for entity_id, _ in keys}))
        if not fresh:
            old = select(search_doc.c.id).where(ids, pair.in_(list(keys)))
            conn.execute(delete(search_country).where(search_country.c.doc_id.in_(old)))
            conn.execute(delete(search_doc).where(ids, pair.in_(list(keys))))
        if not docs:
            return
        conn.execute(insert(search_doc), [doc.row() for doc in docs])
        countries = [
            {"e": doc.entity_id, "d": doc.dataset, "c": country}
            for doc in docs
            for country in doc.countries
        ]
        if countries:
            by_key = {
                (r.entity_id, r.dataset): r.id
                for r in conn.execute(
                    select(search_doc.c.id, search_doc.c.entity_id, search_doc.c.dataset).where(
                        ids,
                        pair.in_([(doc.entity_id, doc.dataset) for doc in docs if doc.countries]),
                    )
                )
            }
            conn.execute(
                insert(search_country),
                [{"doc_id": by_key[(c["e"], c["d"])], "country": c["c"]} for c in countries],
            )
        self.add_words(conn, {(w, doc.dataset) for doc in docs for w in doc.words})

    def clear(self, conn: Connection) -> None:
        conn.execute(delete(search_country))
        conn.execute(delete(search_doc))

    # -- reading ---------------------------------------------------------------

    def fuzzy_words(
        self, conn: Connection, word: str, edits: int, datasets: Select[tuple[str]]
    ) -> list[str]:
        """The readable words closest to `word`, at most `edits` away."""
        word = word.casefold()
        scored = sorted(
            (distance, candidate)
            for candidate in self.fuzzy_candidates(conn, word, edits, datasets)
            if abs(len(candidate) - len(word)) <= edits
            and 0 < (distance := levenshtein(word, candidate, max_edits=edits)) <= edits
        )
        return [candidate for _, candidate in scored[:FUZZY_LIMIT]]

    @abstractmethod
    def matching_ids(self, expr: TextExpr) -> Select[tuple[int]]:
        """The ids (column `id`) of the documents matching `expr`, in any dataset."""

    def search(
        self,
        conn: Connection,
        query: Node,
        *,
        datasets: Select[tuple[str]],
        limit: int,
        offset: int,
        facets: Sequence[str],
        romanise: Romanise | None = None,
    ) -> IndexPage:
        compiled = compile_query(
            query,
            text_condition=self.text_condition,
            fuzzy=lambda word, edits: self.fuzzy_words(conn, word, edits, datasets),
            romanise=romanise,
        )
        scope = search_doc.c.dataset.in_(datasets)
        matching = self._matches(conn, compiled, scope)
        matches = matching.subquery("m")
        best = func.max(matches.c.score).label("best")
        caption = func.min(matches.c.caption).label("caption")
        depth = max(offset + limit, RERANK_DEPTH) if compiled.name else offset + limit
        page_query = (
            select(matches.c.entity_id, best, caption, func.count().over().label("total"))
            .group_by(matches.c.entity_id)
            .order_by(desc(best), caption, matches.c.entity_id)
            .limit(depth if compiled.name else limit)
            .offset(0 if compiled.name else offset)
        )
        rows = conn.execute(page_query).all()
        if rows:
            total = int(rows[0].total)
        else:
            total = conn.execute(select(func.count(matches.c.entity_id.distinct()))).scalar_one()
        ranked = [(r.entity_id, float(r.best or 0.0), str(r.caption)) for r in rows]
        if compiled.name:
            names = self._names(conn, scope, [entity_id for entity_id, _, _ in ranked])
            ranked = rerank(compiled.name, ranked, names, romanise)[offset : offset + limit]
        hits = self._hits(conn, scope, ranked)
        result = IndexPage(total=total, hits=hits, compiled=compiled)
        if facets:
            result.facets = self._facets(conn, matching.cte("m"), facets)
        if compiled.primary is not None and hits:
            doc_ids = [doc_id for hit in hits for doc_id in hit.doc_ids]
            result.snippets = self.snippets(conn, compiled.primary, doc_ids)
        return result

    def _matches(
        self, conn: Connection, compiled: CompiledQuery, scope: ColumnElement[bool]
    ) -> Select[tuple[int, str, str, str, str, float]]:
        """The readable documents matching the query, with their scores."""
        columns = (
            search_doc.c.id,
            search_doc.c.entity_id,
            search_doc.c.dataset,
            search_doc.c.schema,
            search_doc.c.caption,
        )
        primary = compiled.primary
        if primary is None:
            query = select(*columns, literal(0.0).label("score")).where(scope)
        else:
            scores = Scorer(conn, self.matching_ids, scope).scores(primary)
            table = scores.table
            query = (
                select(*columns, table.c.score)
                .join_from(search_doc, table, table.c.id == search_doc.c.id)
                .where(scope)
            )
            keep = primary.keep if isinstance(primary, Without) else primary
            if is_conjunction(keep):
                query = query.where(table.c.parts == scores.parts)
            elif not is_disjunction(keep):
                query = query.where(self.text_condition(keep))
            if isinstance(primary, Without):
                query = query.where(not_(self.text_condition(primary.drop)))
        if compiled.condition is not None:
            query = query.where(compiled.condition)
        return query

    def _names(
        self, conn: Connection, scope: ColumnElement[bool], entity_ids: list[str]
    ) -> dict[str, list[str]]:
        """The indexed name forms (one per line of `names`) of these entities."""
        found: dict[str, list[str]] = {}
        if not entity_ids:
            return found
        rows = conn.execute(
            select(search_doc.c.entity_id, search_doc.c.names).where(
                search_doc.c.entity_id.in_(entity_ids), scope
            )
        )
        for r in rows:
            found.setdefault(r.entity_id, []).extend(str(r.names).split("\n"))
        return found

    def _hits(
        self, conn: Connection, scope: ColumnElement[bool], page: list[tuple[str, float, str]]
    ) -> list[IndexHit]:
        """The page's entities with every readable document of theirs (not only those
        that matched: a hit lists all the datasets you may read it in)."""
        if not page:
            return []
        docs: dict[str, list[tuple[int, str, str]]] = {}
        rows = conn.execute(
            select(
                search_doc.c.id, search_doc.c.entity_id, search_doc.c.dataset, search_doc.c.schema
            )
            .where(search_doc.c.entity_id.in_([entity_id for entity_id, _, _ in page]), scope)
            .order_by(search_doc.c.dataset)
        )
        for r in rows:
            docs.setdefault(r.entity_id, []).append((r.id, r.dataset, r.schema))
        return [
            IndexHit(
                entity_id=entity_id,
                score=score,
                schema=common_schema(d[2] for d in docs.get(entity_id, [])).name,
                caption=caption,
                datasets=tuple(d[1] for d in docs.get(entity_id, [])),
                doc_ids=tuple(d[0] for d in docs.get(entity_id, [])),
            )
            for entity_id, score, caption in page
        ]

    def _facets(
        self, conn: Connection, matches: CTE, facets: Sequence[str]
    ) -> dict[str, list[tuple[str, int]]]:
        """Every facet's top values in one statement, over the matches computed once."""
        parts = []
        for facet in facets:
            count = func.count(matches.c.entity_id.distinct()).label("n")
            source: FromClause = matches
            key: ColumnElement[str]
            if facet == "marking":
                key = dataset.c.marking
                source = matches.join(dataset, dataset.c.name == matches.c.dataset)
            elif facet == "country":
                key = search_country.c.country
                source = matches.join(search_country, search_country.c.doc_id == matches.c.id)
            else:
                key = matches.c[facet]
            top = (
                select(literal(facet).label("facet"), key.label("value"), count)
                .select_from(source)
                .group_by(key)
                .order_by(desc(count), key)
                .limit(FACET_SIZE)
                .subquery()
            )
            parts.append(select(top.c.facet, top.c.value, top.c.n))
        found: dict[str, list[tuple[str, int]]] = {facet: [] for facet in facets}
        for facet, key, n in conn.execute(union_all(*parts)):
            found[str(facet)].append((str(key), int(n)))
        return found


REBUILD_BATCH = 2000


def key_batches(conn: Connection) -> Iterator[list[DocKey]]:
    """Every (entity, dataset) with statements, in batches, paging along the base index
    (dataset, schema, entity_id), so each batch is one range read of it."""
    order = (statement.c.dataset, statement.c.schema, statement.c.entity_id)
    after: tuple[str, str, str] | None = None
    while True:
        # Inline, so a generic plan of this repeated query can still use the partial index.
        base = statement.c.prop == literal(BASE_PROP, literal_execute=True)
        query = select(*order).where(base)
        if after is not None:
            query = query.where(tuple_(*order) > tuple_(*(literal(v) for v in after)))
        rows = conn.execute(query.order_by(*order).limit(REBUILD_BATCH)).all()
        if not rows:
            return
        yield list(dict.fromkeys((r.entity_id, r.dataset) for r in rows))
        last = rows[-1]
        after = (last.dataset, last.schema, last.entity_id)


def rebuild(conn: Connection, index: SearchIndex, progress: Progress) -> int:
    """Replace every document with one built from the statements, in `conn`'s transaction."""
    if conn.dialect.name == "postgresql":
        # A store just loaded in bulk may have no statistics yet: without them PostgreSQL
        # reads every statement for each batch (seen: 2.7 s a batch at 6M statements).
        conn.execute(text("ANALYZE statement"))
    index.clear(conn)
    written = 0
    for batch in key_batches(conn):
        written += index.refresh(conn, batch, fresh=True)
        progress.advance(len(batch))
    # Fresh statistics, so the planners use the new tables' indexes.
    conn.execute(text("ANALYZE search_doc"))
    conn.execute(text("ANALYZE search_country"))
    conn.execute(text("ANALYZE search_word"))
    return written
