"""The precompiled form of a mapping query, and the shared cleaned-value caches.

A `CompiledQuery` (see `executor`) runs one `EntityPlan` per mapped entity, in
followthemoney's dependency order; each holds one `PropPlan` per mapped property,
country properties first (as `EntityMapping.map` does).
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from followthemoney.exc import InvalidData
from followthemoney.types.common import PropertyType
from followthemoney.util import sanitize_text

if TYPE_CHECKING:
    from hashlib import _Hash

#: Distinct raw values kept per cache before it is emptied and refilled. About 15 MB
#: a cache: with one cache per type in use, ingest memory stays flat on any file size.
CACHE_LIMIT = 100_000


class Cleaner:
    """Cleans raw text with one property type, fuzzy flag and format, with a cache.

    The hot path reads `cache` directly and calls `miss` only for values it has not
    seen. Invalid values are cached as None. Cleaning in followthemoney 4.11 depends
    only on (type, text, fuzzy, format): no type reads the entity (phone numbers
    take their country from `format`; entity ids only refuse the entity's own id,
    which is not set while mapping). A test guards that assumption.
    """

    __slots__ = ("cache", "format", "fuzzy", "ptype", "sanitize")

    def __init__(
        self, ptype: PropertyType, fuzzy: bool, format: str | None, sanitize: bool
    ) -> None:
        self.ptype = ptype
        self.fuzzy = fuzzy
        self.format = format
        self.sanitize = sanitize
        self.cache: dict[str, str | None] = {}

    def miss(self, raw: str) -> str | None:
        text: str | None = raw
        if self.sanitize:
            text = sanitize_text(raw)
        value: str | None = None
        if text is not None:
            try:
                value = self.ptype.clean_text(text, fuzzy=self.fuzzy, format=self.format)
            except InvalidData:
                value = None
        cache = self.cache
        if len(cache) >= CACHE_LIMIT:
            cache.clear()
        cache[raw] = value
        return value


_LABELS = {
    "date": "date",
    "country": "country",
    "email": "e-mail address",
    "phone": "phone number",
    "entity": "entity id",
    "url": "URL",
    "ip": "IP address",
    "language": "language",
    "gender": "gender",
    "topic": "topic",
    "mimetype": "MIME type",
    "number": "number",
    "checksum": "checksum",
    "identifier": "identifier",
    "name": "name",
    "address": "address",
    "json": "JSON value",
}


def type_label(ptype: PropertyType) -> str:
    """How messages name a type: `'x' is not a valid <label>`."""
    return _LABELS.get(ptype.name, str(ptype.label).lower())


_CLEANERS: dict[tuple[str, bool, str | None, bool], Cleaner] = {}
_LOCK = threading.Lock()


def get_cleaner(
    ptype: PropertyType, *, fuzzy: bool = False, format: str | None = None, sanitize: bool = False
) -> Cleaner:
    """The process-wide cleaner for one (type, fuzzy, format, sanitize)."""
    key = (ptype.name, fuzzy, format, sanitize)
    with _LOCK:
        cleaner = _CLEANERS.get(key)
        if cleaner is None:
            cleaner = _CLEANERS[key] = Cleaner(ptype, fuzzy, format, sanitize)
        return cleaner


@dataclass(slots=True)
class PropPlan:
    """How one property of one entity gets its values from a record."""

    name: str
    #: `Schema:prop` of the mapped entity, for messages.
    qname: str
    #: The statement `prop_type` (followthemoney's type name).
    type_name: str
    label: str
    cache: dict[str, str | None]
    cleaner: Cleaner
    #: The record column, when the values are just that one column (the fast path).
    single: str | None
    #: The name of the mapped entity this property refers to (`entity:`).
    entity_ref: str | None
    columns: tuple[str, ...]
    literals: tuple[str, ...]
    template: str | None
    replacements: tuple[tuple[str, str], ...]
    join: str | None
    split: str | None
    total_size: int | None
    #: The column named in errors when a value comes from several columns.
    label_column: str | None


#: Kinds of `Step`: one column as is; an `entity:` reference; anything else.
SINGLE, REFERENCE, GENERAL = 0, 1, 2

#: One property of an entity plan, flattened for the hot loop:
#: (kind, property name, column, cache, cache miss, size limit, the full plan).
Step = tuple[
    int, str, str, dict[str, str | None], Callable[[str], str | None], int | None, PropPlan
]


def make_step(pp: PropPlan) -> Step:
    kind = SINGLE if pp.single is not None else GENERAL
    if pp.entity_ref is not None:
        kind = REFERENCE
    column = pp.single or pp.entity_ref or ""
    return (kind, pp.name, column, pp.cache, pp.cleaner.miss, pp.total_size, pp)


@dataclass(slots=True)
class EntityPlan:
    """How one mapped entity is built from a record."""

    name: str
    schema: str
    seed: _Hash
    keys: tuple[str, ...]
    id_column: str | None
    props: tuple[PropPlan, ...]
    steps: tuple[Step, ...]
    required: tuple[str, ...]
    #: Name-type properties, whose values a referring entity mentions.
    name_props: tuple[str, ...]
    #: The `namesMentioned` property, when the schema has one.
    mentions: str | None
    mentions_cleaner: Cleaner | None
    mentions_size: int | None
    #: Entity-type properties, whose values get signed.
    entity_props: frozenset[str]
    #: Properties mapped with `entity:`, holding the plain id of a mapped entity.
    ref_props: frozenset[str]
    #: Property name → statement prop_type.
    prop_types: dict[str, str]
    base_type: str
