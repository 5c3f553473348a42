"""Files and mappings for pipeline tests: a small shareholder register."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

MAPPING = """\
register:
  queries:
    - csv_url: register.csv
      entities:
        person:
          schema: Person
          keys: [person_id]
          properties:
            name: {column: person_name}
            birthDate: {column: birth_date}
            nationality: {column: nationality}
            email: {column: email}
        company:
          schema: Company
          keys: [company_id]
          properties:
            name: {column: company_name}
            jurisdiction: {column: jurisdiction}
        ownership:
          schema: Ownership
          keys: [person_id, company_id]
          properties:
            owner: {entity: person}
            asset: {entity: company}
            percentage: {column: share}
"""

HEADER = [
    "person_id",
    "person_name",
    "birth_date",
    "nationality",
    "email",
    "company_id",
    "company_name",
    "jurisdiction",
    "share",
]


def register_rows(n: int, *, bad_every: int = 0) -> list[list[str]]:
    """n rows; with bad_every, every k-th row has an invalid date (a reject)."""
    rows = []
    for i in range(1, n + 1):
        birth = f"19{50 + i % 40}-0{1 + i % 9}-1{i % 9}"
        if bad_every and i % bad_every == 0:
            birth = "31/02/1970"
        rows.append(
            [
                f"P{i % (n // 3 + 1)}",
                f"Person {i % (n // 3 + 1)}",
                birth,
                ["de", "ru", "cy", "gb"][i % 4],
                f"p{i}@example.org",
                f"C{i % (n // 5 + 1)}",
                f"Company {i % (n // 5 + 1)} Ltd",
                ["vg", "pa", "cy"][i % 3],
                str(i % 100),
            ]
        )
    return rows


def write_register(path: Path, rows: list[list[str]]) -> Path:
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(HEADER)
        writer.writerows(rows)
    return path


@pytest.fixture
def mapping_file(tmp_path: Path) -> Path:
    path = tmp_path / "register.yml"
    path.write_text(MAPPING, encoding="utf-8")
    return path
