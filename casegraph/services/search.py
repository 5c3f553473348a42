"""Governed search: the query runs inside the actor's read scope, and is audited.

The Policy's scope is a condition on each index document's dataset, inside the SQL
that matches, counts and facets, so nothing outside it is ever counted, faceted,
suggested or returned. Every search is a consultation event listing the entities
it returned (and the query), so `audit who-accessed` includes search hits.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from sqlalchemy import Connection, select, tuple_

from casegraph.errors import InvalidInputError
from casegraph.search.explain import explain
from casegraph.search.index import FACETS, IndexHit, IndexPage, SearchIndex
from casegraph.search.query import And, Field, Node, parse_query
from casegraph.search.romaniser import romaniser
from casegraph.security.audit_event import ActionClass, entity_object
from casegraph.security.context import Context
from casegraph.security.policy import allow
from casegraph.services import audit
from casegraph.services.access import allowance, readable_datasets
from casegraph.services.search_index import index_for
from casegraph.services.store import Store
from casegraph.store.tables import search_doc, statement

MAX_LIMIT = 1000
DEFAULT_LIMIT = 20


@dataclass(frozen=True, slots=True)
class SearchHit:
    entity_id: str
    schema: str
    caption: str
    datasets: tuple[str, ...]
    score: float
    match: str  # exact, transliteration, phonetic, fuzzy or text
    matched_name: str | None
    snippet: str | None


@dataclass(frozen=True)
class SearchResult:
    query: str
    total: int
    offset: int
    limit: int
    hits: list[SearchHit]
    facets: dict[str, list[tuple[str, int]]] = field(default_factory=dict)


def query_object(query: str) -> str:
    return f"query:{query}"


def _check_page(limit: int, offset: int) -> None:
    if not 1 <= limit <= MAX_LIMIT:
        raise InvalidInputError(f"--limit must be between 1 and {MAX_LIMIT}, not {limit}")
    if offset < 0:
        raise InvalidInputError(f"--offset must be 0 or more, not {offset}")


def _names(conn: Connection, hits: Sequence[IndexHit]) -> dict[str, list[str]]:
    """The names of each hit, from the documents that matched (so within the scope)."""
    pairs = (
        select(search_doc.c.entity_id, search_doc.c.dataset)
        .where(search_doc.c.id.in_([d for hit in hits for d in hit.doc_ids]))
        .subquery()
    )
    query = select(statement.c.entity_id, statement.c.value).where(
        statement.c.prop_type == "name",
        tuple_(statement.c.entity_id, statement.c.dataset).in_(select(pairs)),
    )
    found: dict[str, list[str]] = {}
    for row in conn.execute(query.order_by(statement.c.entity_id, statement.c.value)):
        found.setdefault(row.entity_id, []).append(row.value)
    return found


def _hit(hit: IndexHit, names: list[str], page: IndexPage) -> SearchHit:
    why = explain(page.compiled.words, page.compiled.fuzzy, names)
    snippet = next((page.snippets[d] for d in hit.doc_ids if d in page.snippets), None)
    return SearchHit(
        entity_id=hit.entity_id,
        schema=hit.schema,
        caption=hit.caption,
        datasets=hit.datasets,
        score=round(hit.score, 4),
        match=why.kind,
        matched_name=why.name,
        snippet=snippet,
    )


def search(
    store: Store,
    ctx: Context,
    query: str,
    *,
    schema: str | None = None,
    limit: int = DEFAULT_LIMIT,
    offset: int = 0,
    facets: Sequence[str] = FACETS,
) -> SearchResult:
    """One page of the entities `ctx` may read that match `query`; audited."""
    _check_page(limit, offset)
    unknown = [f for f in facets if f not in FACETS]
    if unknown:
        raise InvalidInputError(f"unknown facet {unknown[0]!r}: use {', '.join(FACETS)}")
    node: Node = parse_query(query)
    if schema:
        node = And((node, Field("schema", schema)))
    scope = store.policy.read_scope(ctx)
    index: SearchIndex = index_for(store)
    with store.engine.connect() as conn:
        page = index.search(
            conn,
            node,
            datasets=readable_datasets(scope),
            limit=limit,
            offset=offset,
            facets=facets,
            romanise=romaniser(store.settings.name_model),
        )
        names = _names(conn, page.hits) if page.hits else {}
    hits = [_hit(hit, names.get(hit.entity_id, []), page) for hit in page.hits]
    audit.record_alone(
        store,
        ctx,
        allowance(
            action=ActionClass.CONSULT,
            operation="search",
            decision=allow("results filtered by the Policy", "scope"),
            objects=(query_object(query), *(entity_object(h.entity_id) for h in hits)),
        ),
    )
    return SearchResult(
        query=query, total=page.total, offset=offset, limit=limit, hits=hits, facets=page.facets
    )
