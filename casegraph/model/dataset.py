"""Datasets: where statements come from, under which marking, basis and retention."""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from typing import Self

from casegraph.errors import InvalidInputError

NAME_PATTERN = re.compile(r"^[a-z0-9][a-z0-9_\-]{0,127}$")
RETENTION_PATTERN = re.compile(r"^P(?!$)(\d+Y)?(\d+M)?(\d+W)?(\d+D)?$")
INDEFINITE = "indefinite"


def check_dataset_name(name: str) -> str:
    if not NAME_PATTERN.match(name):
        raise InvalidInputError(
            f"invalid dataset name {name!r}: use 1-128 lower-case letters, digits, '-' or '_', "
            "starting with a letter or digit"
        )
    return name


def check_retention(value: str | None) -> str | None:
    """Retention is an ISO 8601 period such as P5Y or P18M, or 'indefinite'."""
    if value is None or value == INDEFINITE:
        return value
    if not RETENTION_PATTERN.match(value):
        raise InvalidInputError(
            f"invalid retention period {value!r}: use an ISO 8601 period such as P5Y, "
            f"P18M or P90D, or {INDEFINITE!r}"
        )
    return value


def check_marking(marking: str, labels: tuple[str, ...]) -> str:
    value = marking.strip().upper()
    if value not in labels:
        raise InvalidInputError(
            f"unknown marking {marking!r}: the configured markings are {', '.join(labels)}"
        )
    return value


@dataclass(frozen=True, slots=True)
class DatasetMeta:
    """A registered dataset. `user_owned` datasets hold analysts' own statements
    (corrections, annotations); source datasets hold evidence, never edited in place."""

    name: str
    title: str
    marking: str
    publisher: str | None = None
    licence: str | None = None
    legal_basis: str | None = None
    retention: str | None = None
    owner: str | None = None
    user_owned: bool = False
    created_at: str = ""
    updated_at: str = ""

    def validated(self, labels: tuple[str, ...]) -> Self:
        check_dataset_name(self.name)
        check_retention(self.retention)
        title = self.title.strip() or self.name
        return replace(self, title=title, marking=check_marking(self.marking, labels))
