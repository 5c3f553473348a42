"""What one entity's statements from one dataset put into the search index (pure).

Names go in under every key (normalised and ASCII tokens, phonetic, skeleton,
organisation types); countries become filterable codes; every other readable value
(text, identifiers, emails, dates, document body text) goes into `body`.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache

from followthemoney.schema import Schema
from rigour.names import pick_name

from casegraph.model.entity import common_schema
from casegraph.model.statement import BASE_PROP, Statement
from casegraph.search.names import name_keys
from casegraph.search.text_query import ORG_PREFIX

NAME_TYPE = "name"
COUNTRY_TYPE = "country"
SKIPPED_TYPES = frozenset({"entity"})


@dataclass(frozen=True, slots=True)
class SearchDocument:
    entity_id: str
    dataset: str
    schema: str
    caption: str
    names: str
    phonetic: str
    skeleton: str
    orgtypes: str
    body: str
    countries: tuple[str, ...]
    words: tuple[str, ...]

    def row(self) -> dict[str, str]:
        return {
            "entity_id": self.entity_id,
            "dataset": self.dataset,
            "schema": self.schema,
            "caption": self.caption,
            "names": self.names,
            "phonetic": self.phonetic,
            "skeleton": self.skeleton,
            "orgtypes": self.orgtypes,
            "body": self.body,
        }


def _joined(values: Iterable[str]) -> str:
    """Distinct non-empty forms, one per line."""
    return "\n".join(dict.fromkeys(v for v in values if v.strip()))


@lru_cache(maxsize=1024)
def _schema(names: tuple[str, ...]) -> Schema:
    return common_schema(names)


def caption(schema: Schema, statements: Sequence[Statement]) -> str:
    """followthemoney's caption rule (EntityProxy.caption), without building a proxy:
    the first caption property with a value; of several names, rigour's pick."""
    for prop_name in schema.caption:
        values = list(
            dict.fromkeys(
                s.value
                for s in sorted(statements, key=lambda s: (s.first_seen, s.value))
                if s.prop == prop_name
            )
        )
        prop = schema.properties.get(prop_name)
        if len(values) > 1 and prop is not None and prop.type.name == NAME_TYPE:
            picked = pick_name(sorted(values))
            if picked is not None:
                return picked
        if values:
            return values[0]
    return str(schema.label)


def build_document(
    entity_id: str, dataset: str, statements: Sequence[Statement]
) -> SearchDocument | None:
    """The index document of `entity_id` in `dataset`; None if it has no statements."""
    if not statements:
        return None
    schema = _schema(tuple(sorted({s.schema for s in statements})))
    names: list[str] = []
    phonetic: list[str] = []
    skeleton: list[str] = []
    orgtypes: list[str] = []
    countries: list[str] = []
    body: list[str] = []
    words: list[str] = []
    for stmt in sorted(statements, key=lambda s: (s.prop, s.value)):
        if stmt.prop == BASE_PROP or stmt.prop_type in SKIPPED_TYPES:
            continue
        if stmt.prop_type == NAME_TYPE:
            keys = name_keys(stmt.value)
            # One string per form keeps each name's parts adjacent, for phrases.
            names.append(" ".join(keys.tokens))
            names.append(" ".join(keys.ascii))
            phonetic.append(" ".join(keys.phonetic))
            skeleton.append(" ".join(keys.skeleton))
            orgtypes.extend(ORG_PREFIX + t for t in keys.org_types)
            words.extend(keys.tokens)
            words.extend(keys.ascii)
        elif stmt.prop_type == COUNTRY_TYPE:
            countries.append(stmt.value.casefold())
        else:
            body.append(stmt.value)
    return SearchDocument(
        entity_id=entity_id,
        dataset=dataset,
        schema=schema.name,
        caption=caption(schema, statements),
        names=_joined(names),
        phonetic=_joined(phonetic),
        skeleton=_joined(skeleton),
        orgtypes=_joined(orgtypes),
        body="\n".join(dict.fromkeys(body)),
        countries=tuple(sorted(set(countries))),
        words=tuple(sorted({w for w in words if w and len(w) <= 255})),
    )
