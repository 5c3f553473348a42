"""`leak_people.jsonl`: a leaked client list of an offshore corporate-services provider.

One flat JSON object per (client, company) pair. It names the beneficial owners
the registers hide, in whatever spelling and script the provider's clerks used:
Cyrillic, Arabic, Greek, passport-style Latin, with gaps and contradictions.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import orjson

from casegraph.demo import names as N
from casegraph.demo.entities import Company, CompanyFactory, Person, extra_person
from casegraph.demo.truth import IdMapper, Truth, ftm_record
from casegraph.demo.variants import BGN, GERMAN, ICAO, fold_ascii, typo
from casegraph.demo.world import World

DATASET = "leak_people"
FILE = "leak_people.jsonl"
FIELDS = (
    "client_ref", "full_name", "birth_date", "nationality", "passport_no", "residential_address",
    "email", "entity_name", "entity_number", "entity_jurisdiction", "relationship", "share_pct",
    "onboarded",
)  # fmt: skip

MAPPING: dict[str, Any] = {
    DATASET: {
        "queries": [
            {
                "csv_url": f"../sources/{FILE}",
                "entities": {
                    "person": {
                        "schema": "Person",
                        "key_literal": "client",
                        "keys": ["client_ref"],
                        "properties": {
                            "name": {"column": "full_name"},
                            "birthDate": {"column": "birth_date"},
                            "nationality": {"column": "nationality", "split": ";"},
                            "passportNumber": {"column": "passport_no"},
                            "address": {"column": "residential_address"},
                            "email": {"column": "email"},
                        },
                    },
                    "company": {
                        "schema": "Company",
                        "key_literal": "entity",
                        "keys": ["entity_name", "entity_number", "entity_jurisdiction"],
                        "properties": {
                            "name": {"column": "entity_name"},
                            "registrationNumber": {"column": "entity_number"},
                            "jurisdiction": {"column": "entity_jurisdiction"},
                        },
                    },
                    "ownership": {
                        "schema": "Ownership",
                        "key_literal": "ownership",
                        "keys": [
                            "client_ref",
                            "entity_name",
                            "entity_number",
                            "entity_jurisdiction",
                        ],
                        "properties": {
                            "owner": {"entity": "person"},
                            "asset": {"entity": "company"},
                            "role": {"column": "relationship"},
                            "percentage": {"column": "share_pct"},
                            "startDate": {"column": "onboarded"},
                        },
                    },
                },
            }
        ]
    }
}

_CITIES = ("Moscow", "Limassol", "London", "Dubai", "Monaco", "Geneva", "Riga", "Almaty",
           "Kyiv", "Nicosia", "Beirut", "Riyadh", "Vienna", "Marbella")  # fmt: skip
_MAIL = ("mail.example", "post.example", "inbox.example", "secure-mail.example")


@dataclass(slots=True)
class _Client:
    person: Person
    holdings: list[tuple[Company, str, float, int]]  # company, relationship, pct, structure


def leak_name(p: Person, rng: random.Random) -> str:
    """How the provider's files spell a client."""
    n, r = p.name, rng.random()
    if n.origin == "slavic":
        if r < 0.35:
            native = n.native()
            assert native is not None
            return native
        if r < 0.7:
            return n.latin(ICAO, middle=False).upper()
        return n.latin(GERMAN if r < 0.85 else BGN, middle=r < 0.8)
    if n.origin in ("arabic", "greek"):
        if r < (0.45 if n.origin == "arabic" else 0.3):
            native = n.native()
            assert native is not None
            return native
        return n.latin(1 + int(r * 10) % 2)
    if r < 0.5:
        return n.latin(0)
    return fold_ascii(n.latin(0, middle=False)) if r < 0.75 else typo(n.latin(0), rng)


def _birth(p: Person, rng: random.Random) -> str | None:
    r = rng.random()
    b = p.birth
    if r < 0.7:
        return b.isoformat()
    if r < 0.8:
        return None
    if r < 0.9:  # the clerk swapped day and month, or got the year wrong
        if b.day <= 12 and b.day != b.month:
            return date(b.year, b.day, b.month).isoformat()
        return date(b.year + rng.choice((-1, 1)), b.month, min(b.day, 28)).isoformat()
    return str(b.year)


def _nationality(p: Person, rng: random.Random) -> str | None:
    r = rng.random()
    if r < 0.6:
        return N.COUNTRY_NAMES.get(p.nat, p.nat.upper())
    if r < 0.8:
        return p.nat.upper()
    if r < 0.9:
        return None
    second = rng.choice(("Cyprus", "Malta", "St Kitts and Nevis"))
    return f"{N.COUNTRY_NAMES.get(p.nat, p.nat.upper())}; {second}"


def _email(p: Person, rng: random.Random) -> str:
    local = fold_ascii(p.name.latin(ICAO, middle=False)).lower()
    local = "".join(ch for ch in local.replace(" ", ".") if ch.isalnum() or ch in ".-")
    return f"{local}@{rng.choice(_MAIL)}"


def _passport(rng: random.Random) -> str:
    return f"{rng.randint(10, 99)} {rng.randint(1_000_000, 9_999_999)}"


class LeakWriter:
    def __init__(self, world: World, truth: Truth, seed: int) -> None:
        self.world = world
        self.truth = truth
        self.seed = seed
        self.rng = random.Random(f"casegraph-demo:{seed}:leak")
        self.mapper = IdMapper(DATASET, MAPPING)
        #: people in no register who are clients here (the watchlist reuses some)
        self.extra_clients: list[int] = []

    def _clients(self) -> list[_Client]:
        w, rng = self.world, self.rng
        clients: dict[int, _Client] = {}
        for s in w.structures:
            if not s.revealed_in_leak:
                continue
            c = clients.setdefault(s.bo, _Client(w.persons[s.bo], []))
            c.holdings.append((w.companies[s.shells[0]], "Beneficial owner", 100.0, s.idx))
            if len(s.shells) > 1 and rng.random() < 0.3:
                bottom = w.companies[s.shells[-1]]
                c.holdings.append((bottom, "Ultimate beneficial owner", 100.0, s.idx))
        out = list(clients.values())
        target = w.plan.leak_clients
        visible = [(co, o[1]) for co in w.companies if co.kind == "shell"
                   for o in co.owners if o[0] == "p"]  # fmt: skip
        for co, pidx in visible[: max(0, (target - len(out)) // 3)]:
            out.append(_Client(w.persons[pidx], [(co, "Shareholder", 100.0, -1)]))
        factory = CompanyFactory(
            random.Random(f"casegraph-demo:{self.seed}:leak-companies"), number_offset=7_000_000
        )
        k = 0
        while len(out) < target:
            p = extra_person(self.seed, k)
            self.extra_clients.append(k)
            k += 1
            holdings = []
            for _ in range(rng.choice((1, 1, 2))):
                co = factory.make(
                    "shell", rng.choice(("vg", "sc", "pa")), date(2008, 1, 1), date(2021, 1, 1)
                )
                co.kind = "external"
                co.idx += 5_000_000  # refs distinct from registered companies
                holdings.append((co, "Beneficial owner", 100.0, -1))
            out.append(_Client(p, holdings))
        rng.shuffle(out)
        return out

    def write(self, path: Path, progress: Callable[[int], None]) -> int:
        rng, truth, m = self.rng, self.truth, self.mapper
        rows = 0
        with path.open("wb") as fh:
            for i, client in enumerate(self._clients()):
                p = client.person
                ref = f"CL-{10_000 + i * 7:06d}"
                person = {
                    "client_ref": ref,
                    "full_name": leak_name(p, rng),
                    "birth_date": _birth(p, rng),
                    "nationality": _nationality(p, rng),
                    "passport_no": _passport(rng) if rng.random() < 0.7 else None,
                    "residential_address": rng.choice(_CITIES) if rng.random() < 0.6 else None,
                    "email": _email(p, rng) if rng.random() < 0.5 else None,
                }
                for co, relationship, pct, _s in client.holdings:
                    known_number = co.number if co.idx % 7 else None
                    row = dict(person)
                    row.update(
                        entity_name=co.name("short") if rng.random() < 0.5 else co.name(),
                        entity_number=known_number,
                        entity_jurisdiction=N.COUNTRY_NAMES[co.jur],
                        relationship=relationship,
                        share_pct=f"{pct:g}",
                        onboarded=(co.inc + timedelta(days=rng.randint(0, 400))).isoformat(),
                    )
                    if rng.random() < 0.1:
                        del row["passport_no"]  # older records lack the field entirely
                    fh.write(orjson.dumps(row) + b"\n")
                    rows += 1
                    record = ftm_record({k: v for k, v in row.items() if v is not None})
                    truth.note(p.ref, "Person", p.name.canonical(), m, record, "person",
                               ("client_ref",), f"p:{ref}")  # fmt: skip
                    truth.note(co.ref, "Company", co.name(), m, record, "company",
                               ("entity_name", "entity_number", "entity_jurisdiction"),
                               f"c:{row['entity_name']}:{known_number}:{co.jur}")  # fmt: skip
                    if relationship != "Shareholder" and co.kind != "external":
                        truth.links[(co.idx, "leak", p.idx)] = (
                            DATASET,
                            m.entity_id(record, "ownership"),
                        )
                if rows and rows % 50_000 == 0:
                    progress(rows)
        return rows
