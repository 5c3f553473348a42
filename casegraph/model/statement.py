"""Statements: one property value of one entity, with its dataset and origin.

The statement id is followthemoney's own statement key (dataset, entity, property,
value and language), so our statements interoperate with the `ftm` statement tools.
The `original_value` and `origin` of the first observation are kept; later
observations of the same statement only move `last_seen`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple

from followthemoney.statement import Statement as FtmStatement

#: The pseudo-property that records an entity's existence and schema.
BASE_PROP = FtmStatement.BASE


class StatementRow(NamedTuple):
    """The hot-path form of a statement, before the store adds seen timestamps."""

    id: str
    entity_id: str
    schema: str
    prop: str
    prop_type: str
    value: str
    original_value: str | None
    lang: str | None
    dataset: str
    origin: str


def make_statement_id(
    *, dataset: str, entity_id: str, prop: str, value: str, lang: str | None = None
) -> str:
    """followthemoney's statement key; deterministic across runs and tools."""
    key = FtmStatement.make_key(dataset, entity_id, prop, value, False, lang=lang)
    if key is None:  # only when prop or value is None, which the types forbid
        raise ValueError("a statement needs a property and a value")
    return key


@dataclass(frozen=True, slots=True)
class Statement:
    """A stored statement, as read back from the store."""

    id: str
    entity_id: str
    schema: str
    prop: str
    prop_type: str
    value: str
    original_value: str | None
    lang: str | None
    dataset: str
    origin: str | None
    first_seen: str
    last_seen: str
