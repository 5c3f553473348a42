"""`watchlist.ftm.jsonl`: a small sanctions list as FtM entity JSON lines.

Like an OpenSanctions export: Person and Company entities with aliases in several
scripts, plus one Sanction entity per listing. Some listed people are the hidden
owners behind registry shells; most are in no other source.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

import orjson
from followthemoney.namespace import Namespace

from casegraph.demo.entities import Company, CompanyFactory, Person, extra_person, random_date
from casegraph.demo.truth import Truth
from casegraph.demo.variants import BGN, GERMAN, ICAO
from casegraph.demo.world import World

DATASET = "watchlist"
FILE = "watchlist.ftm.jsonl"
AUTHORITY = "Office of Demonstration Sanctions (fictional)"
_PROGRAMS = ("DEMO-RUS-2022", "DEMO-CYBER-2021", "DEMO-CORRUPTION-2020", "DEMO-GULF-2019")
_REASONS = (
    "Owns or controls entities that evaded trade restrictions.",
    "Provided financial support to designated persons.",
    "Involved in the misappropriation of state assets.",
    "Acted on behalf of a designated entity.",
)


def _uniq(values: list[str | None]) -> list[str]:
    out: list[str] = []
    for v in values:
        if v and v not in out:
            out.append(v)
    return out


def person_entity(eid: str, p: Person, rng: random.Random) -> dict[str, Any]:
    n = p.name
    if n.origin == "slavic":
        name = n.latin(BGN)
        aliases = [n.native(), n.latin(ICAO, middle=False), n.latin(GERMAN, middle=False)]
    else:
        name = n.latin(0)
        aliases = [n.native(), n.latin(1, middle=False), n.latin(2, middle=False)]
    first, _mid, last = n.latin_parts(BGN if n.origin == "slavic" else 0)
    props: dict[str, list[str]] = {
        "name": [name],
        "alias": [a for a in _uniq(aliases) if a != name],
        "firstName": [first],
        "lastName": [last],
        "nationality": [p.nat],
        "topics": ["sanction"],
    }
    r = rng.random()
    if r < 0.8:
        props["birthDate"] = [p.birth.isoformat()]
    elif r < 0.95:
        props["birthDate"] = [str(p.birth.year)]
    return {"id": eid, "schema": "Person", "properties": props}


def company_entity(eid: str, c: Company, rng: random.Random) -> dict[str, Any]:
    name = c.name("short") if c.core_native else c.name()
    props: dict[str, list[str]] = {
        "name": [name],
        "alias": [a for a in _uniq([c.name(), c.name("prefix"), c.name("swift")]) if a != name],
        "jurisdiction": [c.jur],
        "topics": ["sanction"],
    }
    if rng.random() < 0.5:
        props["registrationNumber"] = [c.number]
    return {"id": eid, "schema": "Company", "properties": props}


class WatchlistWriter:
    def __init__(
        self, world: World, truth: Truth, seed: int, leak_extra_clients: list[int]
    ) -> None:
        self.world = world
        self.truth = truth
        self.seed = seed
        self.rng = random.Random(f"casegraph-demo:{seed}:watchlist")
        self.leak_extra = leak_extra_clients

    def _targets(self) -> list[tuple[str, Person | Company]]:
        w, rng, plan = self.world, self.rng, self.world.plan
        people: list[Person] = []
        companies: list[Company] = []
        seen: set[int] = set()
        for s in w.structures:
            if s.sanctioned and s.bo not in seen:
                seen.add(s.bo)
                people.append(w.persons[s.bo])
                if rng.random() < 0.5:
                    companies.append(w.companies[s.shells[0]])
        for _ in range(max(1, plan.watch_persons // 10)):
            p = w.persons[w.local(rng, "ru")]
            if p.idx not in seen:
                seen.add(p.idx)
                people.append(p)
        for k in self.leak_extra[: max(1, len(self.leak_extra) // 10)]:
            people.append(extra_person(self.seed, k))
        k = 1_000_000
        while len(people) < plan.watch_persons:
            people.append(extra_person(self.seed, k))
            k += 1
        ru = [c for c in w.companies if c.kind == "operating" and c.jur == "ru"]
        for c in ru[: max(1, plan.watch_companies // 5)]:
            companies.append(c)
        factory = CompanyFactory(
            random.Random(f"casegraph-demo:{self.seed}:watch-companies"), number_offset=9_000_000
        )
        while len(companies) < plan.watch_companies:
            c = factory.make("operating", rng.choice(("ru", "ae", "vg", "cy")),
                             date(2000, 1, 1), date(2020, 1, 1))  # fmt: skip
            c.kind = "external"
            c.idx += 8_000_000
            companies.append(c)
        out: list[tuple[str, Person | Company]] = [("p", p) for p in people]
        out += [("c", c) for c in companies]
        rng.shuffle(out)
        return out

    def write(self, path: Path, progress: Callable[[int], None]) -> int:
        rng, truth = self.rng, self.truth
        ns = Namespace(DATASET)
        rows = 0
        with path.open("wb") as fh:
            for i, (_kind, thing) in enumerate(self._targets()):
                if isinstance(thing, Person):
                    eid = f"wl-p-{i:06d}"
                    entity = person_entity(eid, thing, rng)
                    schema, name = "Person", thing.name.canonical()
                else:
                    eid = f"wl-c-{i:06d}"
                    entity = company_entity(eid, thing, rng)
                    schema, name = "Company", thing.name()
                signed = ns.sign(eid)
                assert signed is not None
                truth.add(thing.ref, schema, name, DATASET, {"id": eid}, signed)
                listed = random_date(rng, date(2014, 3, 1), date(2024, 6, 30)).isoformat()
                sanction = {
                    "id": f"wl-s-{i:06d}",
                    "schema": "Sanction",
                    "properties": {
                        "entity": [eid],
                        "authority": [AUTHORITY],
                        "program": [rng.choice(_PROGRAMS)],
                        "reason": [rng.choice(_REASONS)],
                        "startDate": [listed],
                        "listingDate": [listed],
                    },
                }
                fh.write(orjson.dumps(entity) + b"\n")
                fh.write(orjson.dumps(sanction) + b"\n")
                rows += 2
        progress(rows)
        return rows
