"""The real-world things behind the records: people and companies, with their names.

Only what later sources and the ground truth need is kept per entity; rows are
derived from these when each source is written.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import ClassVar, Literal

from casegraph.demo import names as N
from casegraph.demo.variants import BGN, PersonName, fold_ascii, random_name, translit

CompanyKind = Literal["operating", "shell", "nominee", "external"]
CompanyStyle = Literal["registry", "short", "swift", "plain", "prefix"]


@dataclass(slots=True)
class Person:
    idx: int
    nat: str
    name: PersonName
    birth: date
    nominee: bool = False
    #: registry jurisdiction -> officer id, assigned on first appointment there
    reg_ids: dict[str, str] = field(default_factory=dict)
    kind: str = "person"  # "extra" for people who are in no register

    @property
    def ref(self) -> str:
        return f"{self.kind}:{self.idx:07d}"


Owner = tuple[Literal["p", "c"], int, float]


@dataclass(slots=True)
class Company:
    idx: int
    kind: CompanyKind
    jur: str
    number: str
    core: str  # Latin core name (romanised for Russian companies)
    core_native: str | None  # Cyrillic core for Russian companies
    form: int  # index into LEGAL_FORMS[jur]; -1 for foreign suppliers' own suffix
    suffix: str  # supplier suffix (external only)
    inc: date
    status: str
    address: str
    owners: list[Owner] = field(default_factory=list)

    @property
    def ref(self) -> str:
        prefix = "external" if self.kind == "external" else "company"
        return f"{prefix}:{self.idx:07d}"

    def name(self, style: CompanyStyle = "registry") -> str:
        """The company's name as a given kind of source writes it."""
        if self.form < 0:
            full = f"{self.core} {self.suffix}"
            if style == "swift":
                return fold_ascii(full).upper().replace(",", "")
            return self.core if style == "plain" else full
        long, short, swift = N.LEGAL_FORMS[self.jur][self.form]
        if style == "plain":
            return self.core
        if self.core_native is not None:  # Russian company
            if style == "registry":
                return f"{long} «{self.core_native}»"
            if style == "swift":
                return f"{self.core.upper()} {swift}"
            return f"{short} {self.core}" if style == "prefix" else f"{self.core} {swift}"
        if style == "registry":
            return f"{self.core} {long}"
        if style == "swift":
            return f"{fold_ascii(self.core).upper()} {swift}"
        return f"{self.core} {short}"

    def legal_form(self) -> str:
        if self.form < 0:
            return self.suffix
        return N.LEGAL_FORMS[self.jur][self.form][0]


def extra_person(seed: int, k: int) -> Person:
    """Person number `k` of those in no register (leak and watchlist draw from these)."""
    rng = random.Random(f"casegraph-demo:{seed}:extra:{k}")
    table = [(nat, origin, w * (3 if origin in ("slavic", "arabic") else 1))
             for nat, origin, w in N.NATIONALITIES]  # fmt: skip
    nat, origin, _w = rng.choices(table, [t[2] for t in table])[0]
    birth = random_date(rng, date(1948, 1, 1), date(1994, 12, 31))
    return Person(k, nat, random_name(rng, nat, origin), birth, kind="extra")


MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August",
          "September", "October", "November", "December")  # fmt: skip


def english_date(d: date) -> str:
    """`3 March 2021`, independent of the process locale."""
    return f"{d.day} {MONTHS[d.month - 1]} {d.year}"


def random_date(rng: random.Random, start: date, end: date) -> date:
    return start + timedelta(days=rng.randrange((end - start).days + 1))


_QUALIFIERS = {
    "de": ("Nord", "Süd", "West", "Ost", "Hamburg", "Berlin", "Rhein-Main", "International",
           "Service", "Verwaltungs", "Holding", "Bayern"),
    "pa": ("Internacional", "Global", "Group", "Panamá", "Overseas", "Holdings"),
    "en": ("International", "Group", "Global", "Europe", "Worldwide", "Overseas", "Services",
           "Partners", "Capital", "Holdings", "Solutions", "Alliance"),
}  # fmt: skip


class CompanyFactory:
    """Makes companies with unique (jurisdiction, name) and registration numbers."""

    _NUMBER_BASE: ClassVar[dict[str, int]] = {
        "gb": 4_000_000, "cy": 100_000, "vg": 1_400_000, "pa": 155_600_000,
        "ae": 100_000, "de": 10_000, "ru": 27_700_000_000, "mt": 10_000, "sc": 100_000,
    }  # fmt: skip

    def __init__(self, rng: random.Random, number_offset: int = 0) -> None:
        self.rng = rng
        self._next = {k: v + number_offset for k, v in self._NUMBER_BASE.items()}
        self._names: set[tuple[str, str]] = set()
        self.companies: list[Company] = []

    def _number(self, jur: str) -> str:
        n = self._next[jur] = self._next[jur] + self.rng.randint(1, 40)
        return {
            "gb": f"{n:08d}", "cy": f"HE{n}", "vg": f"{n}", "pa": f"{n}", "ae": f"DXB-{n}",
            "de": f"HRB {n}", "ru": f"1{n:012d}", "mt": f"C {n}", "sc": f"{n}",
        }[jur]  # fmt: skip

    def _core(self, jur: str, kind: CompanyKind) -> tuple[str, str | None]:
        rng = self.rng
        if jur == "ru":
            native = rng.choice(N.RU_PREFIX) + "".join(
                rng.sample(N.RU_SUFFIX, rng.choice((1, 1, 2)))
            )
            return translit(native, BGN), native
        if kind == "nominee":
            words = ("Nominees", "Corporate Services", "Directors", "Secretaries", "Trust")
            return f"{rng.choice(N.EN_PREFIX)}{rng.choice(N.EN_SUFFIX)} {rng.choice(words)}", None
        if jur == "de":
            return f"{rng.choice(N.DE_WORDS)} {rng.choice(N.DE_INDUSTRY)}", None
        if jur == "ae":
            return f"{rng.choice(N.AE_WORDS)} {rng.choice(N.AE_INDUSTRY)}", None
        if jur == "pa" and rng.random() < 0.6:
            return f"{rng.choice(N.ES_INDUSTRY)} {rng.choice(N.ES_WORDS)}", None
        if jur == "cy" and kind == "operating" and rng.random() < 0.5:
            surname = rng.choice(N.GREEK_SURNAMES)[1][0]
            return f"{surname} {rng.choice(N.GR_INDUSTRY)}", None
        stem = rng.choice(N.EN_PREFIX)
        if rng.random() < 0.7:
            stem += rng.choice(N.EN_SUFFIX)
        return f"{stem} {rng.choice(N.EN_INDUSTRY)}", None

    def _qualified(self, jur: str, core: str, native: str | None) -> tuple[str, str | None]:
        rng = self.rng
        if native is not None:
            native = native + rng.choice(N.RU_SUFFIX)
            return translit(native, BGN), native
        return f"{core} {rng.choice(_QUALIFIERS.get(jur, _QUALIFIERS['en']))}", None

    def make(self, kind: CompanyKind, jur: str, inc_from: date, inc_to: date) -> Company:
        rng = self.rng
        for attempt in range(14):
            core, native = self._core(jur, kind)
            if attempt >= 10:  # crowded name space: numbered names, as registries have
                n = 2 + rng.randrange(98)
                core, native = f"{core} {n}", (f"{native}-{n}" if native else None)
            elif attempt >= 5:
                core, native = self._qualified(jur, core, native)
            if (jur, core.lower()) not in self._names:
                break
        else:
            core = f"{core} {len(self.companies)}"
            native = f"{native}-{len(self.companies)}" if native else None
        self._names.add((jur, core.lower()))
        status = "Active"
        r = rng.random()
        if r < 0.05:
            status = "Dissolved"
        elif r < 0.08:
            status = "Struck off" if jur in ("vg", "sc", "pa") else "In liquidation"
        company = Company(
            idx=len(self.companies),
            kind=kind,
            jur=jur,
            number=self._number(jur),
            core=core,
            core_native=native,
            form=rng.randrange(len(N.LEGAL_FORMS[jur])) if jur != "ru" else rng.choice((0, 0, 1)),
            suffix="",
            inc=random_date(rng, inc_from, inc_to),
            status=status,
            address=address(rng, jur, registered_agent=kind in ("shell", "nominee")),
        )
        self.companies.append(company)
        return company


# fmt: off
_CN_SYLLABLES = ("Hua", "Xin", "Jin", "Long", "Heng", "Tai", "Zhong", "Da", "Yuan", "Tian",
                 "Rui", "Hong", "Sheng", "Feng", "Kang", "Mei", "Bao", "Li", "Fu", "Cheng")
# fmt: on


def make_supplier(rng: random.Random, idx: int, country: str, taken: set[str]) -> Company:
    """A foreign trading partner that is in no registry of this case."""
    cities, words, suffix = N.SUPPLIER_NAMES[country]
    for attempt in range(20):
        if country == "cn":
            brand = rng.choice(_CN_SYLLABLES) + rng.choice(_CN_SYLLABLES).lower()
            core = f"{rng.choice(cities)} {brand} {rng.choice(words)}"
        else:
            core = f"{rng.choice(cities)} {rng.choice(words)}"
            if attempt >= 5:
                core = f"{core} {rng.choice(words)}"
        if attempt >= 12:
            core = f"{core} {idx}"
        if core not in taken:
            break
    taken.add(core)
    return Company(idx, "external", country, "", core, None, -1, suffix, date(2000, 1, 1), "", "")


_STREETS = {
    "gb": ("Kingsway", "Fenchurch Street", "Hanover Square", "Baker Street", "Regent Street",
           "Bishopsgate", "Deansgate", "Colmore Row"),
    "de": ("Friedrichstraße", "Königsallee", "Große Elbstraße", "Maximilianstraße",
           "Schloßstraße", "Kaiserstraße", "Mönckebergstraße"),
    "cy": ("Arch. Makariou III", "Spyrou Kyprianou", "Agiou Andreou", "Griva Digeni",
           "Themistokli Dervi", "Anexartisias"),
    "mt": ("Triq il-Kbira", "Tower Road", "St. Paul Street", "Triq ix-Xatt", "Republic Street"),
    "ru": ("ул. Тверская", "ул. Большая Якиманка", "ул. Новый Арбат", "Лиговский пр.",
           "ул. Малышева", "Невский пр."),
}  # fmt: skip
_CITIES = {
    "gb": (("London", "EC2M 4YE"), ("London", "WC2B 6NH"), ("Manchester", "M2 5GP"),
           ("Birmingham", "B3 2BJ"), ("London", "W1K 2HP")),
    "de": (("Hamburg", "20095"), ("Berlin", "10117"), ("München", "80331"),
           ("Düsseldorf", "40212"), ("Frankfurt am Main", "60311"), ("Köln", "50667")),
    "cy": (("Limassol", "3030"), ("Nicosia", "1065"), ("Larnaca", "6021"), ("Paphos", "8046")),
    "mt": (("Sliema", "SLM 1549"), ("Valletta", "VLT 1010"), ("St Julian's", "STJ 3141")),
    "ru": (("Москва", "125009"), ("Санкт-Петербург", "191186"), ("Екатеринбург", "620014"),
           ("Новосибирск", "630099")),
}  # fmt: skip
_AGENTS = {
    "vg": ("Coral Reef Chambers, 12 Waterfront Drive, Road Town, Tortola, VG1110",
           "Sea Grape House, Wickhams Cay II, Road Town, Tortola, VG1110",
           "Pelican Court, 3 Main Street, Road Town, Tortola, VG1110"),
    "sc": ("Suite 4, Anse Royale Business Centre, Victoria, Mahé, Seychelles",
           "Office 12, Takamaka House, Providence, Mahé, Seychelles"),
    "pa": ("Edificio Bahía Dorada, Piso 14, Calle 53 Este, Marbella, Panamá",
           "Torre Punta Brava, Piso 9, Avenida Balboa, Panamá"),
    "cy": ("Themistokli Dervi 41, Halcyon House, 1066 Nicosia, Cyprus",
           "Agiou Pavlou 15, Kestrel Court, 1105 Nicosia, Cyprus"),
    "mt": ("Level 3, Bastion Business Centre, Triq ix-Xatt, Gżira GZR 1020, Malta",),
    "ae": ("Office 1204, Almas Crescent Tower, JLT, Dubai, UAE",),
}  # fmt: skip
_AE_BUILDINGS = ("Jumeirah Bay X2", "Gold Crest Tower", "Al Fattan Plaza", "Bay Square 7")
_AE_AREAS = ("JLT", "Business Bay", "Deira", "Al Quoz", "Jebel Ali Free Zone")


def address(rng: random.Random, jur: str, *, registered_agent: bool = False) -> str:
    if jur in _AGENTS and (registered_agent or jur in ("vg", "sc", "pa")):
        return rng.choice(_AGENTS[jur])
    if jur == "ae":
        return (
            f"Office {rng.randint(101, 3210)}, {rng.choice(_AE_BUILDINGS)}, "
            f"{rng.choice(_AE_AREAS)}, Dubai, UAE"
        )
    street = rng.choice(_STREETS[jur])
    city, code = rng.choice(_CITIES[jur])
    num = rng.randint(1, 180)
    if jur == "gb":
        return f"{num} {street}, {city} {code}"
    if jur == "de":
        return f"{street} {num}, {code} {city}"
    if jur == "cy":
        return f"{street} {num}, {code} {city}, Cyprus"
    if jur == "mt":
        return f"{num}, {street}, {city} {code}, Malta"
    return f"{code}, {city}, {street}, д. {num}"
