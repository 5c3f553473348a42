"""Synthetic people and companies with planted duplicates, written as statements.

Each true entity is written as two records (the second with its name in another form:
word order, an organisation type, a typo) that share a birth or incorporation date and
an email or registration number. Entity ids are `<kind><n>-<copy>`, so the truth is
the part before the dash.
"""

from __future__ import annotations

import random
from collections.abc import Iterable, Sequence

from sqlalchemy import select

from casegraph.model.statement import StatementRow
from casegraph.security.context import Context
from casegraph.security.policy import Level
from casegraph.services.store import Store
from casegraph.store.tables import resolve_cluster
from tests.helpers import base, stmt
from tests.security.world import add_dataset

FIRST = ["anna", "boris", "carla", "dmitri", "elena", "felix", "greta", "hugo", "irina", "jonas"]
LAST = ["novak", "petrov", "schmidt", "rossi", "dubois", "kowalski", "larsen", "silva"]
WORDS = ["romashka", "vostok", "baltic", "amber", "nordic", "granite", "harbour", "meridian"]


def person(eid: str, dataset: str, name: str, born: str, email: str | None) -> list[StatementRow]:
    rows = [
        base(eid, dataset=dataset),
        stmt(eid, "name", name, dataset=dataset, prop_type="name"),
        stmt(eid, "birthDate", born, dataset=dataset, prop_type="date"),
    ]
    if email:
        rows.append(stmt(eid, "email", email, dataset=dataset, prop_type="email"))
    return rows


def company(eid: str, dataset: str, name: str, founded: str, number: str) -> list[StatementRow]:
    kind = {"schema": "Company", "dataset": dataset}
    return [
        base(eid, **kind),
        stmt(eid, "name", name, prop_type="name", **kind),
        stmt(eid, "incorporationDate", founded, prop_type="date", **kind),
        stmt(eid, "registrationNumber", number, prop_type="identifier", **kind),
        stmt(eid, "jurisdiction", "cy", prop_type="country", **kind),
    ]


def planted(
    dataset: str, *, people: Iterable[int] = range(12), companies: Iterable[int] = range(6),
    copies: Sequence[int] = (0, 1), seed: int = 5,
) -> list[StatementRow]:  # fmt: skip
    """The given copies of the given people and companies (deterministic per n)."""
    rows: list[StatementRow] = []
    for n in people:
        rng = random.Random(seed * 1000 + n)
        first, last = rng.choice(FIRST), rng.choice(LAST) + "abcdefghij"[n % 10] * (1 + n // 10)
        born = f"19{rng.randrange(40, 99)}-{rng.randrange(1, 13):02d}-{rng.randrange(1, 29):02d}"
        for copy in copies:
            name = f"{first} {last}" if copy == 0 else f"{last.upper()}, {first.title()}"
            email = f"{first}.{last}@example.org" if copy == 0 or n % 2 else None
            rows += person(f"p{n}-{copy}", dataset, name, born, email)
    for n in companies:
        rng = random.Random(seed * 2000 + n)
        word = rng.choice(WORDS) + "abcdefghij"[n % 10] * (1 + n // 10)
        founded = f"20{rng.randrange(0, 24):02d}-{rng.randrange(1, 13):02d}-01"
        number = f"HE{100000 + n * 7919}"
        for copy in copies:
            name = f"{word.title()} LLC" if copy == 0 else f"OOO {word.upper()}"
            rows += company(f"c{n}-{copy}", dataset, name, founded, number)
    return rows


def write(
    store: Store, owner: Context, dataset: str, rows: Sequence[StatementRow],
    marking: str = "PUBLIC", grants: Sequence[tuple[str, Level]] = (("owners", Level.WRITE),),
) -> None:  # fmt: skip
    """A new dataset with these statements (and their search documents)."""
    add_dataset(store, owner, dataset, marking, grants, rows)


def clusters(store: Store) -> set[frozenset[str]]:
    """Every stored cluster, as a set of member sets."""
    groups: dict[str, set[str]] = {}
    with store.engine.connect() as conn:
        for row in conn.execute(select(resolve_cluster)):
            groups.setdefault(row.canonical_id, set()).add(row.entity_id)
    return {frozenset(g) for g in groups.values()}


def truth_of(entity_id: str) -> str:
    return entity_id.split("-")[0]
