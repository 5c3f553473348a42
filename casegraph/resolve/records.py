"""FtM statements -> one flat comparison record per entity (pure).

Splink compares rows of one table, so each entity's statements are flattened into a
fixed set of features, whatever its schema: the same feature (say `date`) holds a
person's birth date and a company's incorporation date, so one model serves every
schema. Every feature is a tuple of normalised values; the first value is the one a
scalar comparison uses (see `settings.py`), all of them feed the array comparisons.

Names go through the search's `name_keys` (casefolded, transliterated to ASCII,
organisation types such as ООО/LLC removed), so "Мухаммад аль-Рашид" and "Muhammad
al-Rashid" share their tokens and phonetic keys.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import NamedTuple, Protocol

from followthemoney import model
from followthemoney.schema import Schema
from rigour.addresses import address_fingerprint
from rigour.ids import get_identifier_format

from casegraph.search.names import name_keys

__all__ = ["FEATURES", "ResolveRecord", "StatementValue", "Valued", "record_of"]


class Valued(Protocol):
    """What a record is built from: a statement's schema, property and value (a
    `Statement` has them; so does the lighter `StatementValue`)."""

    @property
    def schema(self) -> str: ...

    @property
    def prop(self) -> str: ...

    @property
    def value(self) -> str: ...


class StatementValue(NamedTuple):
    """The three columns of a statement a record needs, read without the rest."""

    schema: str
    prop: str
    value: str


#: Every feature a record may have, in a stable order.
FEATURES = (
    "name",  # whole names, ASCII tokens in written order; the shortest first
    "name_sorted",  # the same names with sorted tokens (word order does not matter)
    "name_tokens",  # every ASCII name token
    "name_phonetic",  # the phonetic key of each name, its tokens' keys sorted
    "first_name",
    "last_name",
    "date",  # birth, incorporation or build date (ISO, possibly partial)
    "country",
    "identifier",
    "email",
    "phone",
    "address",
    "address_tokens",
    "address_numbers",  # house numbers and postcodes: branches differ there
    "premises",  # an organisation's house numbers: another number is another site
    "place",  # place of birth
    "occupation",  # position, profession or sector
    "gender",
)

_NAME_PROPS = ("name", "alias", "previousName", "abbreviation")
_DATE_PROPS = ("birthDate", "incorporationDate", "buildDate")
_COUNTRY_PROPS = (
    "country",
    "nationality",
    "citizenship",
    "jurisdiction",
    "mainCountry",
    "birthCountry",
    "flag",
)
_SKIP_IDENTIFIERS = frozenset({"programId"})  # sanction programme codes name no entity
_NOT_ALNUM = re.compile(r"[^0-9A-Za-z]+")
_NOT_DIGIT = re.compile(r"[^0-9]+")
_DIGIT = re.compile(r"[0-9]")


@dataclass(frozen=True, slots=True)
class ResolveRecord:
    """One entity as Splink compares it: feature name -> normalised values."""

    entity_id: str
    schema: str
    features: Mapping[str, tuple[str, ...]]


def resolvable(schema: Schema) -> bool:
    """FtM's own notion: matchable things (people, companies, vessels...), not links,
    intervals or documents."""
    return schema.matchable and schema.is_a("Thing")


@lru_cache(maxsize=100_000)
def _name(text: str, organisation: bool) -> tuple[tuple[str, ...], tuple[str, ...]]:
    keys = name_keys(text, organisation=organisation)
    tokens = tuple(t for t in keys.ascii if t)
    return tokens, tuple(p for p in keys.phonetic if p)


@lru_cache(maxsize=100_000)
def _word(text: str) -> str:
    """A single name part (first or last name) as one ASCII token string."""
    tokens, _ = _name(text, False)
    return " ".join(tokens)


@lru_cache(maxsize=100_000)
def _identifier(value: str, fmt: str | None) -> str:
    """rigour's normaliser for typed identifiers (IBAN, LEI, IMO...), else alphanumerics."""
    if fmt is not None:
        spec = get_identifier_format(fmt)
        normal = spec.normalize(value) if spec is not None else None
        if normal:
            return normal
    return _NOT_ALNUM.sub("", value).upper()


@lru_cache(maxsize=100_000)
def _address(value: str) -> str:
    """rigour's fingerprint: lower case, ASCII, keywords shortened (avenue -> av)."""
    return address_fingerprint(value) or ""


def _unique(values: Iterable[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(v for v in values if v))


def _collect(schema: Schema, statements: Sequence[Valued]) -> dict[str, list[str]]:
    """Values by property (sorted, so the record does not depend on statement order);
    identifiers of every kind pooled under "identifier", normalised by their format."""
    props: dict[str, list[str]] = {}
    properties = schema.properties
    for stmt in statements:
        prop = properties.get(stmt.prop)
        if prop is None or prop.stub:
            continue
        if prop.type.name == "identifier":
            if stmt.prop not in _SKIP_IDENTIFIERS:
                props.setdefault("identifier", []).append(_identifier(stmt.value, prop.format))
            continue
        props.setdefault(stmt.prop, []).append(stmt.value)
    for values in props.values():
        values.sort()
    return props


def _get(props: Mapping[str, list[str]], names: Iterable[str]) -> list[str]:
    return [v for name in names for v in props.get(name, ())]


def _names(props: Mapping[str, list[str]], person: bool) -> dict[str, tuple[str, ...]]:
    raw = _get(props, _NAME_PROPS)
    firsts = [_word(v) for v in props.get("firstName", ())]
    lasts = [_word(v) for v in props.get("lastName", ())]
    if not raw and firsts and lasts:
        raw = [f"{firsts[0]} {lasts[0]}"]
    parsed = [_name(text, not person) for text in raw]
    parsed = [(tokens, phon) for tokens, phon in parsed if tokens]
    if not parsed:
        return {}
    parsed.sort(key=lambda tp: (len(tp[0]), tp[0]))
    # Without firstName/lastName, only a two-word name says which word is which (up to
    # order, which the comparison forgives); the last of three may be a patronymic.
    if person and not firsts and len(parsed[0][0]) == 2:
        firsts = [parsed[0][0][0]]
    if person and not lasts and len(parsed[0][0]) == 2:
        lasts = [parsed[0][0][-1]]
    return {
        "name": _unique(" ".join(tokens) for tokens, _ in parsed),
        "name_sorted": _unique(" ".join(sorted(tokens)) for tokens, _ in parsed),
        "name_tokens": _unique(t for tokens, _ in parsed for t in tokens),
        "name_phonetic": _unique(" ".join(sorted(phon)) for _, phon in parsed),
        "first_name": _unique(firsts),
        "last_name": _unique(lasts),
    }


def _premises(address: str) -> str | None:
    """The house number of an address: its first token of digits only (postcodes with
    letters, flat numbers after the street are not it)."""
    for token in address.split():
        if token.isdigit():
            return token
    return None


def _others(props: Mapping[str, list[str]], person: bool) -> Iterator[tuple[str, tuple[str, ...]]]:
    """Every feature but the names, for the properties the entity has. `premises` only
    for organisations: a person moves house, a site of an organisation does not (a
    branch at another number is another entity)."""
    if dates := _get(props, _DATE_PROPS):
        yield "date", _unique(dates)
    if countries := _get(props, _COUNTRY_PROPS):
        yield "country", _unique(countries)
    if identifiers := props.get("identifier"):
        yield "identifier", _unique(identifiers)
    if emails := props.get("email"):
        yield "email", _unique(v.lower() for v in emails)
    if phones := props.get("phone"):
        yield "phone", _unique(_NOT_DIGIT.sub("", v) for v in phones)
    if addresses := props.get("address"):
        address = _unique(_address(v) for v in addresses)
        tokens = _unique(t for a in address for t in a.split())
        yield "address", address
        yield "address_tokens", tokens
        yield "address_numbers", tuple(sorted(t for t in tokens if _DIGIT.search(t)))
        if not person:
            yield "premises", _unique(p for a in address if (p := _premises(a)))
    if places := props.get("birthPlace"):
        yield "place", _unique(_word(v) for v in places)
    if occupations := _get(props, ("position", "profession", "sector")):
        yield "occupation", _unique(_word(v) for v in occupations)
    if genders := props.get("gender"):
        yield "gender", _unique(genders)


def record_of(entity_id: str, statements: Sequence[Valued]) -> ResolveRecord | None:
    """The comparison record of one entity, or None when it cannot be resolved: a schema
    FtM does not match on (links, intervals, documents) or no usable name."""
    if not statements:
        return None
    schemata = {s.schema for s in statements}
    schema = model.get(statements[0].schema)
    for other in schemata:
        candidate = model.get(other)
        if schema is None or (candidate is not None and candidate.is_a(schema)):
            schema = candidate
    if schema is None or not resolvable(schema):
        return None
    props = _collect(schema, statements)
    person = schema.is_a("Person")
    features = _names(props, person)
    if not features:
        return None
    features.update(_others(props, person))
    return ResolveRecord(
        entity_id=entity_id,
        schema=schema.name,
        features={k: v for k, v in features.items() if v},
    )
