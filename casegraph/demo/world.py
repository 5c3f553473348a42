"""The planted world: who exists, who owns what, and which structures hide whom.

`Plan.for_size` turns the requested entity count into counts per kind (linear in
`size`); `build_world` draws people, companies and hidden ownership structures.
"""

from __future__ import annotations

import itertools
import random
from dataclasses import dataclass, field
from datetime import date

from casegraph.demo import names as N
from casegraph.demo.entities import Company, CompanyFactory, Person, make_supplier, random_date
from casegraph.demo.variants import random_name

_BASE = 50_000


@dataclass(frozen=True, slots=True)
class Plan:
    """How many of each thing to make for a requested total of `size` entities."""

    size: int
    persons: int
    nominee_persons: int
    operating: int
    shells: int
    nominee_companies: int
    suppliers: int
    payments: int
    declarations: int
    leak_clients: int
    watch_persons: int
    watch_companies: int
    documents: int

    @classmethod
    def for_size(cls, size: int) -> Plan:
        if size < 1_000:
            raise ValueError("size must be at least 1,000 entities")
        f = size / _BASE

        def n(base: float, floor: int = 1) -> int:
            return max(floor, round(base * f))

        return cls(
            size=size,
            persons=n(2_400, 20),
            nominee_persons=n(30, 3),
            operating=n(2_050, 20),
            shells=n(1_350, 10),
            nominee_companies=n(25, 3),
            suppliers=n(650, 10),
            payments=n(8_600, 50),
            declarations=n(8_800, 50),
            leak_clients=n(700, 10),
            watch_persons=n(150, 5),
            watch_companies=n(60, 3),
            documents=max(4, round(12 * f**0.5)),
        )


@dataclass(slots=True)
class Structure:
    """A hidden ownership structure: person -> shells (top first) -> operating companies."""

    idx: int
    bo: int
    shells: list[int]
    targets: list[int]
    #: how the top shell's shareholder shows in the registry: nominee | none | visible
    mode: str
    revealed_in_leak: bool
    sanctioned: bool
    undervalues: bool
    link_pcts: list[float] = field(default_factory=list)  # shells[i] -> shells[i + 1]
    target_pcts: list[float] = field(default_factory=list)  # shells[-1] -> targets[i]


@dataclass(slots=True)
class World:
    plan: Plan
    persons: list[Person]
    companies: list[Company]
    suppliers: list[Company]
    structures: list[Structure]
    by_nat: dict[str, list[int]]
    nominee_persons: list[int]
    nominee_companies: list[int]

    def local(self, rng: random.Random, jur: str) -> int:
        """A (non-nominee) person of the kind who directs companies in `jur`."""
        return local_person(rng, self.by_nat, self.plan.nominee_persons, len(self.persons), jur)


_OPERATING_JUR = (("gb", 22), ("de", 20), ("cy", 10), ("mt", 8), ("ae", 15), ("ru", 25))
_TOP_JUR = (("vg", 45), ("sc", 25), ("pa", 30))
_MID_JUR = (("vg", 30), ("sc", 20), ("pa", 20), ("cy", 30))
_BOTTOM_JUR = (("cy", 60), ("mt", 15), ("ae", 10), ("vg", 15))
_SOLO_JUR = (("cy", 40), ("vg", 30), ("sc", 15), ("pa", 15))
_NOMINEE_NATS = ("pa", "sc", "vg", "cy", "gb", "mt")
_SUPPLIER_NATS = (("cn", 35), ("tr", 20), ("in", 15), ("vn", 10), ("us", 10), ("ua", 10))
#: who tends to direct / own a company in each jurisdiction: (nationality or *, weight)
_PREFS: dict[str, tuple[tuple[str, int], ...]] = {
    "ru": (("ru", 8), ("ua", 1), ("kz", 1)),
    "de": (("de", 7), ("*", 3)),
    "gb": (("gb", 5), ("*", 5)),
    "cy": (("cy", 4), ("gr", 1), ("ru", 3), ("*", 2)),
    "mt": (("mt", 5), ("it", 2), ("*", 3)),
    "ae": (("ae", 4), ("sa", 1), ("lb", 1), ("ru", 2), ("*", 2)),
}


def pick(rng: random.Random, table: tuple[tuple[str, int], ...]) -> str:
    return rng.choices([k for k, _ in table], [w for _, w in table])[0]


def local_person(
    rng: random.Random, by_nat: dict[str, list[int]], lo: int, hi: int, jur: str
) -> int:
    nat = pick(rng, _PREFS.get(jur, (("*", 1),)))
    pool = by_nat.get(nat) if nat != "*" else None
    if not pool:
        return rng.randrange(lo, hi)
    return rng.choice(pool)


class _Builder:
    def __init__(self, plan: Plan, seed: int) -> None:
        self.plan = plan
        self.rng = random.Random(f"casegraph-demo:{seed}:world")
        self.factory = CompanyFactory(self.rng)
        self.persons: list[Person] = []
        self.by_nat: dict[str, list[int]] = {}

    def person(self, nat: str, origin: str, nominee: bool = False) -> Person:
        rng = self.rng
        p = Person(
            idx=len(self.persons),
            nat=nat,
            name=random_name(rng, nat, origin),
            birth=random_date(rng, date(1950, 1, 1), date(1990, 12, 31)),
            nominee=nominee,
        )
        self.persons.append(p)
        if not nominee:
            self.by_nat.setdefault(nat, []).append(p.idx)
        return p

    def local_person(self, jur: str) -> int:
        n = self.plan.nominee_persons
        return local_person(self.rng, self.by_nat, n, len(self.persons), jur)

    def split(self, total: float, parts: int) -> list[float]:
        if parts == 1:
            return [total]
        cuts = sorted(self.rng.sample(range(5, int(total) - 4, 5), parts - 1))
        bounds = [0, *cuts, int(total)]
        return [float(b - a) for a, b in itertools.pairwise(bounds)]


def build_world(plan: Plan, seed: int) -> World:
    b = _Builder(plan, seed)
    rng, fac = b.rng, b.factory
    nats = N.NATIONALITIES
    for _ in range(plan.nominee_persons):
        nat = rng.choice(_NOMINEE_NATS)
        b.person(nat, "greek" if nat == "cy" else nat, nominee=True)
    for _ in range(plan.persons - plan.nominee_persons):
        nat, origin, _w = rng.choices(nats, [w for *_x, w in nats])[0]
        b.person(nat, origin)

    nominee_cos = [
        fac.make(
            "nominee", rng.choice(("sc", "vg", "pa", "cy")), date(1998, 1, 1), date(2010, 12, 31)
        )
        for _ in range(plan.nominee_companies)
    ]
    nominee_persons = list(range(plan.nominee_persons))
    for c in nominee_cos:
        if rng.random() < 0.5:
            c.owners.append(("p", rng.choice(nominee_persons), 100.0))

    operating = [
        fac.make("operating", pick(rng, _OPERATING_JUR), date(1994, 1, 1), date(2019, 12, 31))
        for _ in range(plan.operating)
    ]
    structures = _structures(b, operating, [c.idx for c in nominee_cos])
    targeted = {t for s in structures for t in s.targets}
    for c in operating:
        if c.idx in targeted:
            continue
        if rng.random() < 0.12 and c.idx > operating[0].idx:
            parent = rng.randrange(operating[0].idx, c.idx)
            pct = rng.choice((100.0, 100.0, 75.0, 60.0, 51.0))
            c.owners.append(("c", parent, pct))
            if pct < 100:
                c.owners.append(("p", b.local_person(c.jur), 100.0 - pct))
            continue
        owners = rng.choice((1, 1, 2, 2, 3))
        people: list[int] = []
        while len(people) < owners:
            p = b.local_person(c.jur)
            if p not in people:
                people.append(p)
        for p, pct in zip(people, b.split(100.0, owners), strict=True):
            c.owners.append(("p", p, pct))

    used = sum(len(s.shells) for s in structures)
    for _ in range(max(0, plan.shells - used)):
        c = fac.make("shell", pick(rng, _SOLO_JUR), date(2005, 1, 1), date(2021, 12, 31))
        r = rng.random()
        if r < 0.5:
            c.owners.append(("c", rng.choice(nominee_cos).idx, 100.0))
        elif r < 0.8:
            c.owners.append(("p", b.local_person("cy"), 100.0))

    suppliers: list[Company] = []
    taken: set[str] = set()
    for i in range(plan.suppliers):
        suppliers.append(make_supplier(rng, i, pick(rng, _SUPPLIER_NATS), taken))
    return World(
        plan=plan,
        persons=b.persons,
        companies=fac.companies,
        suppliers=suppliers,
        structures=structures,
        by_nat=b.by_nat,
        nominee_persons=nominee_persons,
        nominee_companies=[c.idx for c in nominee_cos],
    )


_BO_ORIGINS = (("ru", 40), ("ua", 6), ("kz", 6), ("ae", 14), ("sa", 4), ("cy", 8))
_BO_ORIGINS_X = (("gb", 8), ("de", 6), ("tr", 4), ("lb", 4))


def _structures(b: _Builder, operating: list[Company], nominee_cos: list[int]) -> list[Structure]:
    rng, fac, plan = b.rng, b.factory, b.plan
    hidden = [c for c in operating if rng.random() < 0.35]
    structures: list[Structure] = []
    i = 0
    while i < len(hidden):
        n_targets = min(len(hidden) - i, rng.choice((1, 1, 1, 1, 1, 1, 1, 2, 2, 3)))
        targets = hidden[i : i + n_targets]
        i += n_targets
        nat = pick(rng, _BO_ORIGINS + _BO_ORIGINS_X)
        bo = rng.choice(b.by_nat[nat]) if b.by_nat.get(nat) else plan.nominee_persons
        depth = rng.choice((1, 2, 2, 3))
        if depth == 1:
            jurs = [pick(rng, _SOLO_JUR)]
        else:
            mids = [pick(rng, _MID_JUR) for _ in range(depth - 2)]
            jurs = [pick(rng, _TOP_JUR), *mids, pick(rng, _BOTTOM_JUR)]
        shells = [fac.make("shell", j, date(2006, 1, 1), date(2019, 12, 31)).idx for j in jurs]
        mode = rng.choices(("nominee", "none", "visible"), (60, 20, 20))[0]
        s = Structure(
            idx=len(structures),
            bo=bo,
            shells=shells,
            targets=[t.idx for t in targets],
            mode=mode,
            revealed_in_leak=rng.random() < 0.8,
            sanctioned=rng.random() < 0.25,
            undervalues=rng.random() < 0.15,
        )
        top = fac.companies[shells[0]]
        if mode == "nominee":
            top.owners.append(("c", rng.choice(nominee_cos), 100.0))
        elif mode == "visible":
            top.owners.append(("p", bo, 100.0))
        for upper, lower in itertools.pairwise(shells):
            pct = 100.0 if rng.random() < 0.85 else float(rng.randint(60, 99))
            fac.companies[lower].owners.append(("c", upper, pct))
            s.link_pcts.append(pct)
        for t in targets:
            pct = 100.0 if rng.random() < 0.6 else float(rng.randint(51, 95))
            t.owners.append(("c", shells[-1], pct))
            s.target_pcts.append(pct)
            if pct < 100:
                t.owners.append(("p", b.local_person(t.jur), 100.0 - pct))
        structures.append(s)
    return structures
