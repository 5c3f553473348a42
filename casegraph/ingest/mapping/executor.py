"""Run a compiled mapping query over records, producing statements.

`CompiledQuery.map_row` yields exactly the entities `ftm map -d DATASET` (which
signs ids by default) yields for the same record — same ids, schemata and cleaned
values, in followthemoney's order of evaluation — as statements. Where followthemoney
would silently discard a non-empty value that does not clean, the row is rejected
with a `RowError` instead, or, when the caller passes a `dropped` list, the value is
left out as followthemoney leaves it out and listed there. Values dropped by
followthemoney's `total_size` limit (30 MB of text per entity) are dropped here too,
to stay equal.
"""

from __future__ import annotations

import hmac
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from hashlib import sha1

from followthemoney.namespace import Namespace
from followthemoney.util import get_entity_id, key_bytes

from casegraph.ingest.mapping.loader import QuerySpec
from casegraph.ingest.mapping.plan import CACHE_LIMIT, REFERENCE, SINGLE, EntityPlan, PropPlan
from casegraph.ingest.records import DroppedValue, RowError, SourceRow
from casegraph.model.statement import BASE_PROP, StatementRow

#: A cache-miss marker: a str object no cache value is identical to.
_MISS = "".join(["\x00", "miss"])

#: Property name → {cleaned value: raw text when cleaning changed it}.
Props = dict[str, dict[str, str | None]]


class _Reject(Exception):
    """Internal control flow: the row is rejected; never escapes `map_row`."""

    def __init__(self, column: str | None, message: str) -> None:
        super().__init__(message)
        self.column = column
        self.message = message


#: A mapped entity before signing: (plan, id, id column text or None, properties).
_Built = tuple[EntityPlan, str, str | None, Props]

#: Values left out of a record: (column, raw text, why); None rejects the record instead.
_Drops = list[tuple[str | None, str, str]] | None


@dataclass(slots=True)
class CompiledQuery:
    """One mapping query, ready to map records. Build it with `compile_query`."""

    spec: QuerySpec
    dataset: str
    plans: tuple[EntityPlan, ...]
    #: followthemoney's filter check, for non-SQL queries that have filters.
    check: Callable[[dict[str, str]], bool] | None
    #: Deprecation notes followthemoney raised about the query.
    notes: list[str] = field(default_factory=list)
    _ns: Namespace = field(init=False, repr=False)
    _hmac: hmac.HMAC = field(init=False, repr=False)
    _signed: dict[str, str] = field(init=False, repr=False, default_factory=dict)

    def __post_init__(self) -> None:
        self._ns = Namespace(self.dataset)
        self._hmac = hmac.new(key_bytes(self.dataset), digestmod="sha1")

    @property
    def entity_names(self) -> list[str]:
        return [plan.name for plan in self.plans]

    def map_row(
        self, row: SourceRow, dropped: list[DroppedValue] | None = None
    ) -> list[StatementRow] | RowError:
        """The statements of every entity the record maps to, or why it is rejected.

        With `dropped`, a non-empty value that does not clean is left out (as
        followthemoney does) and appended there instead of rejecting the record; a
        record rejected for another reason appends nothing.
        """
        record = row.values
        if row.entity is not None:
            message = "an FtM entity record cannot go through a mapping; ingest it without one"
            return RowError(origin=row.origin, message=message, raw=row.raw)
        if self.check is not None and not self.check(record):
            return []
        built: dict[str, _Built] = {}
        drops: _Drops = None if dropped is None else []
        try:
            for plan in self.plans:
                entity = _build(plan, record, built, drops)
                if entity is not None:
                    built[plan.name] = entity
            statements = self._emit(built.values(), row.origin.render())
            if drops and dropped is not None:
                dropped.extend(DroppedValue(row.origin, col, raw, why) for col, raw, why in drops)
            return statements
        except _Reject as reject:
            return RowError(
                origin=row.origin, message=reject.message, column=reject.column, raw=row.raw
            )

    def _emit(self, built: Iterable[_Built], origin: str) -> list[StatementRow]:
        """Sign ids and references (`Namespace.apply`) and make the statements."""
        ds = self.dataset
        signed_ids: dict[str, str] = {}
        out: list[StatementRow] = []
        append = out.append
        new = tuple.__new__
        row = StatementRow
        signed_cache = self._signed
        repeated = False
        for plan, plain_id, raw_id, props in built:
            eid = signed_cache.get(plain_id)
            if eid is None:
                eid = self._sign(plain_id, raw_id is None)
                if eid is None:
                    raise _Reject(plan.id_column, _invalid_id(plan, plain_id))
            if eid in signed_ids.values():
                repeated = True  # two mapped entities got the same id
            signed_ids[plain_id] = eid
            schema = plan.schema
            prefix = f"{ds}.{eid}."
            sid = sha1(f"{prefix}{BASE_PROP}.{eid}".encode()).hexdigest()
            kind = plan.base_type
            append(new(row, (sid, eid, schema, BASE_PROP, kind, eid, raw_id, None, ds, origin)))
            types = plan.prop_types
            refs = plan.entity_props
            for prop, values in props.items():
                if prop in refs:
                    values = self._sign_refs(plan, prop, values, eid, signed_ids)
                kind = types[prop]
                head = f"{prefix}{prop}."
                for value, raw in values.items():
                    sid = sha1(f"{head}{value}".encode()).hexdigest()
                    append(new(row, (sid, eid, schema, prop, kind, value, raw, None, ds, origin)))
        if repeated:
            unique = {stmt.id: stmt for stmt in out[::-1]}  # the first one wins
            return [stmt for stmt in out if unique.pop(stmt.id, None) is not None]
        return out

    def _sign(self, plain_id: str, hashed: bool) -> str | None:
        """`Namespace.sign`, cached; key hashes are hex and need no parsing."""
        if hashed:
            digest = self._hmac.copy()
            digest.update(plain_id.encode("utf-8"))
            signed: str | None = f"{plain_id}.{digest.hexdigest()}"
        else:
            signed = self._ns.sign(plain_id)
        cache = self._signed
        if len(cache) >= CACHE_LIMIT:
            cache.clear()
        if signed is not None:
            cache[plain_id] = signed
        return signed

    def _sign_refs(
        self,
        plan: EntityPlan,
        prop: str,
        values: dict[str, str | None],
        eid: str,
        signed_ids: Mapping[str, str],
    ) -> dict[str, str | None]:
        """`Namespace.apply` on one entity-type property: sign, then de-duplicate."""
        signed: dict[str, str | None] = {}
        by_reference = prop in plan.ref_props
        for value, original in values.items():
            if by_reference:  # the plain id of an entity mapped from this row
                target: str | None = signed_ids[value]
            else:  # an id from the source: keep it as the original
                plain = get_entity_id(value)
                target = None
                if plain is not None:
                    target = self._signed.get(plain) or self._sign(plain, False)
                original = original or value
            if target is None:
                continue  # cannot happen: the value passed the entity id check
            if target == eid:
                raise _Reject(None, _self_reference(plan, prop, by_reference))
            if target not in signed:
                signed[target] = original
        return signed


def _build(
    plan: EntityPlan, record: dict[str, str], built: dict[str, _Built], drops: _Drops
) -> _Built | None:
    """One entity of the record, like `EntityMapping.map`; None when it is skipped.

    Values that do not clean are listed in `drops` even when the entity is then
    skipped: followthemoney discards them before it checks keys and `required`.
    """
    props: Props = {}
    size = 0
    get = record.get
    for kind, name, column, cache, miss, limit, pp in plan.steps:
        if kind == SINGLE:
            raw = get(column)
            if raw is None:
                continue
            cleaned = cache.get(raw, _MISS)
            if cleaned is _MISS:
                cleaned = miss(raw)
            if cleaned is None:
                if raw.strip():
                    _refuse(pp, column, raw, drops)
                continue
            if limit is not None and size + len(cleaned) > limit:
                continue
            size += len(cleaned)
            values = props.get(name)
            if values is None:
                props[name] = {cleaned: None if raw == cleaned else raw}
            elif cleaned not in values:
                values[cleaned] = None if raw == cleaned else raw
        elif kind == REFERENCE:
            related = built.get(column)
            if related is not None:
                size = _add_reference(plan, name, props, size, related)
        else:
            size = _add_values(pp, props, size, record, drops)
    if plan.id_column is not None:
        entity_id = get(plan.id_column)
        if entity_id is None:
            return None
        raw_id: str | None = entity_id
    else:
        digest = plan.seed.copy()
        has_value = False
        # followthemoney's `key_bytes` of each key's text (b"" when missing), sorted:
        parts = [(v.strip().encode() if (v := get(k)) is not None else b"") for k in plan.keys]
        for key in sorted(parts):
            if key:
                has_value = True
                digest.update(key)
        if not has_value:
            return None
        entity_id = digest.hexdigest()
        raw_id = None
    for required in plan.required:
        if required not in props:
            return None
    return (plan, entity_id, raw_id, props)


def _add_reference(plan: EntityPlan, prop: str, props: Props, size: int, related: _Built) -> int:
    """An `entity:` reference, plus the related entity's names (`inline_names`)."""
    related_plan, related_id, _, related_props = related
    size += len(related_id)
    values = props.setdefault(prop, {})
    if related_id not in values:
        values[related_id] = None
    mentions = plan.mentions
    cleaner = plan.mentions_cleaner
    if mentions is None or cleaner is None:
        return size
    names: set[str] = set()
    for name_prop in related_plan.name_props:
        found = related_props.get(name_prop)
        if found is not None:
            names.update(found)
    limit = plan.mentions_size
    cache = cleaner.cache
    for raw in names:
        cleaned = raw if is_plain_name(raw) else cache.get(raw, _MISS)
        if cleaned is _MISS:
            cleaned = cleaner.miss(raw)
        if cleaned is None:
            continue
        if limit is not None and size + len(cleaned) > limit:
            continue
        size += len(cleaned)
        mentioned = props.get(mentions)
        if mentioned is None:
            props[mentions] = {cleaned: None}
        elif cleaned not in mentioned:
            mentioned[cleaned] = None
    return size


def is_plain_name(name: str) -> bool:
    """Whether re-cleaning the name (`sanitize_text`, then the name type) keeps it as is.

    True for printable ASCII without quotes around it, doubled or outer spaces: NFC,
    unsafe-character removal, stripping, `strip_quotes` and `squash_spaces` all leave
    such text unchanged. `inline_names` re-cleans every related name; this skips
    that for the common case (a test checks it against followthemoney's cleaning).
    """
    return (
        name.isascii()
        and name.isprintable()
        and name[:1] not in ('"', "'", " ", "")
        and name[-1:] not in ('"', "'", " ")
        and "  " not in name
    )


def _refuse(pp: PropPlan, column: str | None, raw: str, drops: _Drops) -> None:
    """A non-empty value that does not clean: reject the record, or list the value."""
    if drops is None:
        raise _Reject(column, _invalid(pp, raw))
    drops.append((column, raw, _invalid(pp, raw)))


def _add_values(
    pp: PropPlan, props: Props, size: int, record: dict[str, str], drops: _Drops
) -> int:
    """`PropertyMapping.map` for literals, several columns, templates, join, split."""
    for raw, column in _raw_values(pp, record):
        cleaned = pp.cache.get(raw, _MISS)
        if cleaned is _MISS:
            cleaned = pp.cleaner.miss(raw)
        if cleaned is None:
            if raw.strip():
                _refuse(pp, column, raw, drops)
            continue
        if pp.total_size is not None and size + len(cleaned) > pp.total_size:
            continue
        size += len(cleaned)
        values = props.setdefault(pp.name, {})
        if cleaned not in values:
            values[cleaned] = raw if raw != cleaned else None
    return size


def _raw_values(pp: PropPlan, record: dict[str, str]) -> list[tuple[str, str | None]]:
    """`PropertyMapping.record_values`, then `join` and `split`, with source columns."""
    values: list[tuple[str, str | None]]
    if pp.template is not None:
        text = pp.template
        for placeholder, ref in pp.replacements:
            text = text.replace(placeholder, record.get(ref) or "")
        values = [(text.strip(), pp.label_column)]
    else:
        values = [(literal, None) for literal in pp.literals]
        for ref in pp.columns:
            value = record.get(ref)
            if value is not None:
                values.append((value, ref))
    if pp.join is not None:
        values = [(pp.join.join(value for value, _ in values), pp.label_column)]
    if pp.split is not None:
        values = [(part, col) for value, col in values for part in value.split(pp.split)]
    return values


def _self_reference(plan: EntityPlan, prop: str, by_keys: bool) -> str:
    qname = f"{plan.schema}:{prop}"
    if by_keys:
        return (
            f"entity {plan.name!r} gets the same id as the entity its property {qname} "
            "refers to (their keys have the same values; give one of them a key_literal)"
        )
    return f"entity {plan.name!r} refers to itself: property {qname} holds its own id"


def _invalid_id(plan: EntityPlan, entity_id: str) -> str:
    return (
        f"{entity_id!r} is not a valid entity id for entity {plan.name!r} "
        "(use letters, digits, '.' and '-' only)"
    )


def _invalid(pp: PropPlan, raw: str) -> str:
    return f"{raw!r} is not a valid {pp.label} for property {pp.qname}"
