"""Rows per second: followthemoney's mapper (+ signing) vs `CompiledQuery.map_row`.

Run: `.venv/bin/python -m tests.ingest.mapping.bench_map_row [ROWS] [--repeat]`
(default 200,000 rows).
The mapping has three entities: Person (name, birthDate, nationality), Company
(name, jurisdiction, registrationNumber), Ownership (owner, asset, percentage,
startDate). Not collected by pytest.
"""

from __future__ import annotations

import random
import sys
import time
from pathlib import Path
from typing import Any

from followthemoney import model
from followthemoney.namespace import Namespace

from casegraph.ingest.mapping.compiler import compile_query
from casegraph.ingest.mapping.loader import QuerySpec
from casegraph.ingest.records import RowError, SourceRow
from casegraph.model.origin import Origin

DATASET = "bench"
QUERY: dict[str, Any] = {
    "csv_url": "/dev/null",
    "entities": {
        "person": {
            "schema": "Person",
            "keys": ["person_name", "birth_date"],
            "properties": {
                "name": {"column": "person_name"},
                "birthDate": {"column": "birth_date"},
                "nationality": {"column": "nationality"},
            },
        },
        "company": {
            "schema": "Company",
            "keys": ["company_name", "reg_no"],
            "properties": {
                "name": {"column": "company_name"},
                "jurisdiction": {"column": "jurisdiction"},
                "registrationNumber": {"column": "reg_no"},
            },
        },
        "ownership": {
            "schema": "Ownership",
            "keys": ["person_name", "company_name", "start"],
            "properties": {
                "owner": {"entity": "person"},
                "asset": {"entity": "company"},
                "percentage": {"column": "share"},
                "startDate": {"column": "start"},
            },
        },
    },
}
FIRST = ["Anna", "Ben", "Chloé", "Dmitri", "Eva", "Farid", "Grete", "Hiro", "Ines", "Jon"]
LAST = ["Meyer", "Okafor", "Novák", "Smith", "García", "Kowalski", "Li", "Jensen", "Rossi"]
COUNTRIES = ["de", "GB", "France", "us", "Nigeria", "cz", "ES", "Poland", "cn", "dk"]


def make_records(count: int, seed: int = 7, repeat: bool = False) -> list[dict[str, str]]:
    """Generated rows; mostly distinct names, or (`repeat`) 5,000 people and 2,000
    companies recurring as in a register of shareholdings."""
    rnd = random.Random(seed)
    records = []
    for n in range(count):
        if repeat:
            rnd_p = random.Random(rnd.randrange(5_000))
            rnd_c = random.Random(10_000 + rnd.randrange(2_000))
        else:
            rnd_p = rnd_c = rnd
        person = f"{rnd_p.choice(FIRST)} {rnd_p.choice(LAST)} {rnd_p.randrange(20000)}"
        born = f"{rnd_p.randrange(1930, 2005)}-{rnd_p.randrange(1, 13):02d}-"
        born += f"{rnd_p.randrange(1, 29):02d}"
        nationality = rnd_p.choice(COUNTRIES)
        company = f"{rnd_c.choice(LAST)} {rnd_c.randrange(30000)} GmbH"
        jurisdiction = rnd_c.choice(COUNTRIES)
        reg_no = f"HRB {rnd_c.randrange(100000)}"
        records.append(
            {
                "person_name": person,
                "birth_date": born,
                "nationality": nationality,
                "company_name": company,
                "jurisdiction": jurisdiction,
                "reg_no": reg_no,
                "share": str(rnd.randrange(1, 101)),
                "start": f"{rnd.randrange(1990, 2024)}-{rnd.randrange(1, 13):02d}",
                "note": str(n),
            }
        )
    return records


def bench(records: list[dict[str, str]], chunk: int = 5_000) -> tuple[float, float, int]:
    """Seconds for ftm and for us over the records, alternating chunks so that both
    see the same machine load. Each side runs over all rows once, cold caches."""
    mapping = model.make_mapping(QUERY, key_prefix=DATASET, dataset=DATASET)
    ns = Namespace(DATASET)
    spec = QuerySpec(QUERY, 1, Path("bench.yml"), DATASET)
    compiled = compile_query(spec, dataset=DATASET, columns=list(records[0]))
    rows = [
        SourceRow(origin=Origin(file="bench.csv", row=n), values=record)
        for n, record in enumerate(records, start=1)
    ]
    ftm_time = ours_time = 0.0
    statements = 0
    for offset in range(0, len(records), chunk):
        start = time.perf_counter()
        for record in records[offset : offset + chunk]:
            for entity in mapping.map(record).values():
                ns.apply(entity)
        ftm_time += time.perf_counter() - start
        start = time.perf_counter()
        for row in rows[offset : offset + chunk]:
            result = compiled.map_row(row)
            if not isinstance(result, RowError):
                statements += len(result)
        ours_time += time.perf_counter() - start
    return ftm_time, ours_time, statements


def main() -> None:
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 200_000
    repeat = "--repeat" in sys.argv
    records = make_records(count, repeat=repeat)
    ftm_time, ours_time, statements = bench(records)
    print(f"rows: {count:,}, statements: {statements:,}, repeating entities: {repeat}")
    print(f"ftm QueryMapping.map + Namespace.apply: {count / ftm_time:,.0f} rows/s")
    print(f"casegraph CompiledQuery.map_row:        {count / ours_time:,.0f} rows/s")
    print(f"speed-up: {ftm_time / ours_time:.1f}x")


if __name__ == "__main__":
    main()
