"""Small synthetic people and companies for the resolution tests (deterministic)."""

from __future__ import annotations

import random

from casegraph.model.statement import Statement, make_statement_id
from casegraph.resolve.records import ResolveRecord, record_of

FIRST = ["anna", "boris", "carla", "dmitri", "elena", "felix", "greta", "hugo", "irina", "jonas"]
LAST = ["novak", "petrov", "schmidt", "rossi", "dubois", "kowalski", "larsen", "silva"]
CITIES = ["riga", "vilnius", "tallinn", "warsaw", "prague", "vienna"]


def statements(entity_id: str, schema: str, **props: str | list[str]) -> list[Statement]:
    """Statements of one entity: prop=value (or a list of values)."""
    out = []
    for prop, values in props.items():
        for value in [values] if isinstance(values, str) else values:
            sid = make_statement_id(dataset="t", entity_id=entity_id, prop=prop, value=value)
            row = (sid, entity_id, schema, prop, "string", value, None, None, "t", None, "", "")
            out.append(Statement(*row))
    return out


def _typo(text: str, rng: random.Random) -> str:
    i = rng.randrange(1, len(text) - 1)
    return text[:i] + text[i + 1] + text[i] + text[i + 2 :]


def people(count: int = 60, seed: int = 7) -> tuple[list[ResolveRecord], dict[str, str]]:
    """`count` people, each written two or three times with typos; records and truth."""
    rng = random.Random(seed)
    records: list[ResolveRecord] = []
    truth: dict[str, str] = {}
    for n in range(count):
        first, last = rng.choice(FIRST), rng.choice(LAST) + "abcdefghij"[n % 10] * (1 + n // 10)
        born = f"19{rng.randrange(40, 99)}-{rng.randrange(1, 13):02d}-{rng.randrange(1, 29):02d}"
        city = rng.choice(CITIES)
        for copy in range(rng.choice((2, 3))):
            eid = f"p{n}-{copy}"
            f, la = (first, last) if copy == 0 else (first, _typo(last, rng))
            props: dict[str, str | list[str]] = {
                "name": f"{f} {la}",
                "firstName": f,
                "lastName": la,
                "birthDate": born,
                "address": f"{rng.randrange(1, 20)} main street {city}",
            }
            if copy != 1:
                props["email"] = f"{first}.{last}@example.org"
            record = record_of(eid, statements(eid, "Person", **props))
            assert record is not None
            records.append(record)
            truth[eid] = f"p{n}"
    return records, truth


WORDS = ["harbor", "maple", "sunrise", "cedar", "orchid", "summit", "willow", "granite"]
KINDS = ["learning center", "day care", "family services", "youth club"]
STREETS = ["archer av", "halsted st", "kedzie av", "pulaski rd", "western av", "clark st"]


def organisations(count: int = 40, seed: int = 11) -> tuple[list[ResolveRecord], dict[str, str]]:
    """`count` organisations, each site written two or three times (name variants, one
    typo in the phone now and then); every fourth organisation also has a branch: same
    name stem and phone, another house number, its own site. Records and truth (site)."""
    rng = random.Random(seed)
    records: list[ResolveRecord] = []
    truth: dict[str, str] = {}
    for n in range(count):
        stem = f"{rng.choice(WORDS)} {rng.choice(WORDS)}{'abcdefghij'[n % 10]}"
        kind = rng.choice(KINDS)
        phone = f"+1 312 {rng.randrange(200, 999)} {rng.randrange(1000, 9999)}"
        sites = [(rng.randrange(100, 9000), rng.choice(STREETS), "")]
        if n % 4 == 0:
            sites.append((rng.randrange(100, 9000), rng.choice(STREETS), " west"))
        for s, (number, street, suffix) in enumerate(sites):
            for copy in range(rng.choice((2, 3))):
                eid = f"o{n}-{s}-{copy}"
                name = f"{stem} {kind}{suffix}" if copy != 1 else f"{stem}{suffix}"
                props: dict[str, str | list[str]] = {
                    "name": name,
                    "address": f"{number} {street} chicago" + (" 60608" if copy else ""),
                    "phone": phone,
                }
                record = record_of(eid, statements(eid, "Organization", **props))
                assert record is not None
                records.append(record)
                truth[eid] = f"o{n}-{s}"
    return records, truth
