"""Reading entities: one with provenance, streams by dataset and schema, adjacency.

Every read here streams: listings page through the base-statement index by entity id
(keyset pagination), so no query ever loads a whole table.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from followthemoney import model as ftm_model
from sqlalchemy import Connection, Row, select

from casegraph.errors import InvalidInputError, NotFoundError
from casegraph.model.entity import EntityView, assemble
from casegraph.model.statement import BASE_PROP, Statement
from casegraph.services.store import Store
from casegraph.store.tables import statement

PAGE = 1000


def _to_statement(row: Row[tuple[object, ...]]) -> Statement:
    m = row._mapping
    return Statement(**{k: m[k] for k in Statement.__dataclass_fields__})


def schemata_matching(name: str) -> list[str]:
    """A schema and every schema that extends it, e.g. LegalEntity → Company, Person…"""
    schema = ftm_model.get(name)
    if schema is None:
        raise InvalidInputError(
            f"unknown schema {name!r}: see followthemoney's schemata, e.g. Person, Company"
        )
    return sorted(s.name for s in ftm_model.schemata.values() if s.is_a(schema))


def entity_statements(
    conn: Connection, entity_ids: Sequence[str], datasets: Sequence[str] | None = None
) -> dict[str, list[Statement]]:
    query = select(statement).where(statement.c.entity_id.in_(list(entity_ids)))
    if datasets is not None:
        query = query.where(statement.c.dataset.in_(list(datasets)))
    grouped: dict[str, list[Statement]] = {}
    for row in conn.execute(query):
        stmt = _to_statement(row)
        grouped.setdefault(stmt.entity_id, []).append(stmt)
    return grouped


def get_entity(store: Store, entity_id: str) -> EntityView:
    """One entity, with every value's dataset and origin."""
    with store.engine.connect() as conn:
        stmts = entity_statements(conn, [entity_id]).get(entity_id, [])
    view = assemble(entity_id, stmts)
    if view is None:
        raise NotFoundError(f"no entity with id {entity_id!r}")
    return view


def iter_entity_ids(
    store: Store,
    *,
    datasets: Sequence[str] | None = None,
    schema: str | None = None,
    page: int = PAGE,
) -> Iterator[list[str]]:
    """Pages of entity ids, in id order, from the base-statement index."""
    schemata = schemata_matching(schema) if schema else None
    after = ""
    while True:
        query = (
            select(statement.c.entity_id)
            .where(statement.c.prop == BASE_PROP, statement.c.entity_id > after)
            .group_by(statement.c.entity_id)
            .order_by(statement.c.entity_id)
            .limit(page)
        )
        if datasets is not None:
            query = query.where(statement.c.dataset.in_(list(datasets)))
        if schemata is not None:
            query = query.where(statement.c.schema.in_(schemata))
        with store.engine.connect() as conn:
            ids = [r[0] for r in conn.execute(query)]
        if not ids:
            return
        yield ids
        after = ids[-1]


def iter_entities(
    store: Store,
    *,
    datasets: Sequence[str] | None = None,
    schema: str | None = None,
    page: int = PAGE,
) -> Iterator[EntityView]:
    """Assembled entities of the given datasets and schema, streamed in id order.

    With `datasets`, only statements from those datasets are assembled, so an export
    of one dataset carries that dataset's evidence only.
    """
    for ids in iter_entity_ids(store, datasets=datasets, schema=schema, page=page):
        with store.engine.connect() as conn:
            grouped = entity_statements(conn, ids, datasets)
        for entity_id in ids:
            view = assemble(entity_id, grouped.get(entity_id, []))
            if view is not None:
                yield view


def iter_statements(
    store: Store, *, datasets: Sequence[str] | None = None, page: int = PAGE
) -> Iterator[Statement]:
    """Raw statements (for statement CSV export), streamed entity by entity."""
    for ids in iter_entity_ids(store, datasets=datasets, page=page):
        with store.engine.connect() as conn:
            grouped = entity_statements(conn, ids, datasets)
        for entity_id in ids:
            yield from sorted(grouped.get(entity_id, []), key=lambda s: (s.prop, s.value))


@dataclass(frozen=True, slots=True)
class Reference:
    """An edge: `source` has property `prop` pointing at `target`."""

    source: str
    prop: str
    target: str
    schema: str
    dataset: str


def outgoing(store: Store, entity_id: str) -> list[Reference]:
    """The entities this entity references (its entity-typed property values)."""
    query = (
        select(statement.c.value, statement.c.prop, statement.c.schema, statement.c.dataset)
        .where(statement.c.entity_id == entity_id, statement.c.prop_type == "entity")
        .order_by(statement.c.prop, statement.c.value)
    )
    with store.engine.connect() as conn:
        return [
            Reference(
                source=entity_id, prop=r.prop, target=r.value, schema=r.schema, dataset=r.dataset
            )
            for r in conn.execute(query)
        ]


def incoming(store: Store, entity_id: str, *, page: int = PAGE) -> Iterator[Reference]:
    """The entities that reference this one, streamed through the reference index."""
    after = ("", "")
    while True:
        query = (
            select(
                statement.c.entity_id,
                statement.c.id,
                statement.c.prop,
                statement.c.schema,
                statement.c.dataset,
            )
            .where(
                statement.c.prop_type == "entity",
                statement.c.value == entity_id,
                (statement.c.entity_id > after[0])
                | ((statement.c.entity_id == after[0]) & (statement.c.id > after[1])),
            )
            .order_by(statement.c.entity_id, statement.c.id)
            .limit(page)
        )
        with store.engine.connect() as conn:
            rows = list(conn.execute(query))
        for r in rows:
            yield Reference(
                source=r.entity_id,
                prop=r.prop,
                target=entity_id,
                schema=r.schema,
                dataset=r.dataset,
            )
        if len(rows) < page:
            return
        after = (rows[-1].entity_id, rows[-1].id)
