"""`company_registry.csv`: an aggregated company register, one row per officer/shareholder.

Company columns repeat on every row of the company (as bulk register extracts do);
each row adds one director, secretary or shareholder, a person or a company.
"""

from __future__ import annotations

import csv
import random
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

from casegraph.demo import names as N
from casegraph.demo.entities import Company, Person, random_date
from casegraph.demo.truth import IdMapper, Truth, ftm_record
from casegraph.demo.variants import GERMAN, ICAO, Layout, typo
from casegraph.demo.world import World

DATASET = "company_registry"
FILE = "company_registry.csv"
# fmt: off
COLUMNS = (
    "company_number", "jurisdiction", "company_name", "company_type", "incorporation_date",
    "company_status", "registered_address", "role", "party_type", "party_id",
    "party_jurisdiction", "party_name", "party_birth_date", "party_nationality",
    "share_pct", "appointed_on",
)
# fmt: on

_COMPANY = {
    "schema": "Company",
    "key_literal": "company",
    "keys": ["company_number", "jurisdiction"],
    "properties": {
        "name": {"column": "company_name"},
        "jurisdiction": {"column": "jurisdiction"},
        "registrationNumber": {"column": "company_number"},
        "legalForm": {"column": "company_type"},
        "incorporationDate": {"column": "incorporation_date"},
        "status": {"column": "company_status"},
        "address": {"column": "registered_address"},
    },
}
_PERSON = {
    "schema": "Person",
    "key_literal": "person",
    "keys": ["party_id"],
    "properties": {
        "name": {"column": "party_name"},
        "birthDate": {"column": "party_birth_date"},
        "nationality": {"column": "party_nationality"},
    },
}
# Same key literal and key values as `_COMPANY`: a company that is a party gets the
# same entity id as its own register entry.
_PARTY_COMPANY = {
    "schema": "Company",
    "key_literal": "company",
    "keys": ["party_id", "party_jurisdiction"],
    "properties": {
        "name": {"column": "party_name"},
        "jurisdiction": {"column": "party_jurisdiction"},
        "registrationNumber": {"column": "party_id"},
    },
}
_LINK_KEYS = ["company_number", "jurisdiction", "party_id", "party_jurisdiction"]


def _query(party_type: str, shareholder: bool) -> dict[str, Any]:
    party_name = "person" if party_type == "person" else "party_company"
    party = _PERSON if party_type == "person" else _PARTY_COMPANY
    link: dict[str, Any]
    filters: dict[str, Any]
    if shareholder:
        link = {
            "ownership": {
                "schema": "Ownership",
                "key_literal": "ownership",
                "keys": _LINK_KEYS,
                "properties": {
                    "owner": {"entity": party_name},
                    "asset": {"entity": "company"},
                    "percentage": {"column": "share_pct"},
                    "startDate": {"column": "appointed_on"},
                    "role": {"column": "role"},
                },
            }
        }
        filters = {"filters": {"party_type": party_type, "role": "shareholder"}}
    else:
        link = {
            "directorship": {
                "schema": "Directorship",
                "key_literal": "directorship",
                "keys": [*_LINK_KEYS, "role"],
                "properties": {
                    "director": {"entity": party_name},
                    "organization": {"entity": "company"},
                    "role": {"column": "role"},
                    "startDate": {"column": "appointed_on"},
                },
            }
        }
        filters = {
            "filters": {"party_type": party_type},
            "filters_not": {"role": "shareholder"},
        }
    return {
        "csv_url": f"../sources/{FILE}",
        **filters,
        "entities": {"company": _COMPANY, party_name: party, **link},
    }


MAPPING: dict[str, Any] = {
    DATASET: {
        "queries": [
            _query("person", False),
            _query("company", False),
            _query("person", True),
            _query("company", True),
        ]
    }
}

_SCHEME = {
    "gb": 0,
    "de": GERMAN,
    "cy": ICAO,
    "mt": 0,
    "ae": 0,
    "vg": ICAO,
    "sc": GERMAN,
    "pa": ICAO,
}
_OFFSHORE = ("vg", "sc", "pa")


def registry_person_name(p: Person, jur: str) -> str:
    """How the register of `jur` writes this person's name."""
    if jur == "ru" and p.name.origin == "slavic":
        native = p.name.native(layout="last_first")
        assert native is not None
        return native
    layout: Layout = "last_comma" if jur == "gb" else "first_last"
    western = 1 if jur in _OFFSHORE else 0
    scheme = western if p.name.origin == "western" else _SCHEME.get(jur, 0)
    return p.name.latin(scheme, middle=jur in ("gb", "ru"), layout=layout)


class RegistryWriter:
    def __init__(self, world: World, truth: Truth, seed: int) -> None:
        self.world = world
        self.truth = truth
        self.rng = random.Random(f"casegraph-demo:{seed}:registry")
        self.mapper = IdMapper(DATASET, MAPPING)
        self._officer_seq = 0
        self._chain_companies = {c for s in world.structures for c in (*s.shells, *s.targets)}

    def _officer_id(self, jur: str) -> str:
        self._officer_seq += self.rng.randint(1, 9)
        return f"{jur.upper()}P{self._officer_seq:08d}"

    def _person_cells(self, p: Person, jur: str) -> tuple[str, str, str, str]:
        """party_id, party_name, birth date and nationality cells for an appointment."""
        name = registry_person_name(p, jur)
        pid = p.reg_ids.get(jur)
        if pid is None:
            pid = p.reg_ids[jur] = self._officer_id(jur)
        elif self.rng.random() < 0.03:  # the register keyed the same person twice
            pid, name = self._officer_id(jur), typo(name, self.rng)
        if jur in _OFFSHORE:
            birth = ""
        elif jur == "gb":
            birth = p.birth.isoformat()[:7]
        else:
            birth = p.birth.isoformat()
        nat = N.DEMONYMS.get(p.nat, "") if jur in ("gb", "cy", "mt") else N.COUNTRY_NAMES[p.nat]
        return pid, name, birth, nat

    def _directors(self, c: Company) -> list[tuple[str, str, int]]:
        """(role, kind, idx) for the company's officers."""
        rng, w = self.rng, self.world
        out: list[tuple[str, str, int]] = []
        if c.kind in ("shell", "nominee"):
            if rng.random() < 0.6 and c.kind == "shell":
                out.append(("director", "c", rng.choice(w.nominee_companies)))
            else:
                k = min(len(w.nominee_persons), rng.choice((1, 2)))
                out.extend(("director", "p", p) for p in rng.sample(w.nominee_persons, k))
            return out
        picked: set[int] = set()
        for _ in range(rng.choice((1, 1, 2, 2, 3))):
            p = w.local(rng, c.jur)
            if p not in picked:
                picked.add(p)
                out.append(("director", "p", p))
        if c.jur in ("gb", "cy", "mt") and rng.random() < 0.15:
            out.append(("secretary", "p", w.local(rng, c.jur)))
        return out

    def write(self, path: Path, progress: Callable[[int], None]) -> int:
        rows = 0
        with path.open("w", encoding="utf-8", newline="") as fh:
            writer = csv.writer(fh, lineterminator="\n")
            writer.writerow(COLUMNS)
            for c in self.world.companies:
                if c.kind == "external":
                    continue
                for row in self._company_rows(c):
                    writer.writerow([row.get(col, "") for col in COLUMNS])
                    rows += 1
                    if rows % 50_000 == 0:
                        progress(rows)
        return rows

    def _company_rows(self, c: Company) -> list[dict[str, str]]:
        w, rng = self.world, self.rng
        base = {
            "company_number": c.number,
            "jurisdiction": c.jur.upper(),
            "company_name": c.name("registry"),
            "company_type": N.COMPANY_TYPES[c.legal_form()],
            "incorporation_date": c.inc.isoformat(),
            "company_status": c.status,
            "registered_address": c.address,
        }
        parties = [(role, kind, idx, 0.0) for role, kind, idx in self._directors(c)]
        parties += [("shareholder", kind, idx, pct) for kind, idx, pct in c.owners]
        rows: list[dict[str, str]] = []
        for role, kind, idx, pct in parties:
            row = dict(base, role=role)
            appointed = random_date(rng, c.inc, max(c.inc, date(2023, 6, 30)))
            row["appointed_on"] = appointed.isoformat()
            if role == "shareholder":
                row["share_pct"] = f"{pct:g}"
            if kind == "p":
                pid, name, birth, nat = self._person_cells(w.persons[idx], c.jur)
                row.update(party_type="person", party_id=pid, party_name=name)
                row.update(party_birth_date=birth, party_nationality=nat)
            else:
                other = w.companies[idx]
                row.update(party_type="company", party_id=other.number)
                row.update(party_jurisdiction=other.jur.upper(), party_name=other.name())
            rows.append(row)
            self._note(c, row, kind, idx, role, first=len(rows) == 1)
        return rows

    def _note(
        self, c: Company, row: dict[str, str], kind: str, idx: int, role: str, *, first: bool
    ) -> None:
        """Tell the ground truth which entities this row stands for."""
        truth, mapper = self.truth, self.mapper
        record: dict[str, str] | None = None
        if first:
            record = ftm_record(row)
            truth.note(c.ref, "Company", c.name(), mapper, record, "company",
                       ("company_number", "jurisdiction"), f"c{c.idx}")  # fmt: skip
        if kind == "p" and not truth.known(DATASET, f"p{row['party_id']}"):
            p = self.world.persons[idx]
            record = record or ftm_record(row)
            truth.note(p.ref, "Person", p.name.canonical(), mapper, record, "person",
                       ("party_id",), f"p{row['party_id']}")  # fmt: skip
        if role == "shareholder" and c.idx in self._chain_companies:
            record = record or ftm_record(row)
            truth.links[(c.idx, kind, idx)] = (DATASET, mapper.entity_id(record, "ownership"))
