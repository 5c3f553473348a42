"""The Policy's three faces agree: `decide` for one dataset, `read_scope(...).admits`
for listings, and the SQL scope the services put inside their queries.

Plus the parsers the Policy relies on: purposes and roles.
"""

from __future__ import annotations

import string
from collections.abc import Iterator

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import delete, insert

from casegraph.errors import InvalidInputError
from casegraph.security.actor import Actor, Role, check_roles, parse_roles
from casegraph.security.context import Context
from casegraph.security.markings import MarkingScheme
from casegraph.security.policy import DatasetRef, Level, Operation, Policy
from casegraph.security.purpose import (
    CASE_PREFIX,
    MIN_JUSTIFICATION,
    Purpose,
    parse_purpose,
)
from casegraph.services.access import readable_datasets
from casegraph.services.store import Store, init_store
from casegraph.store.tables import dataset, dataset_grant
from tests.conftest import BACKENDS
from tests.helpers import backend_settings

# A scheme with four labels, where INTERNAL needs no purpose: the purpose markings are
# configurable, and the SQL scope must follow the configuration, not the defaults.
LABELS = ("PUBLIC", "INTERNAL", "CONFIDENTIAL", "RESTRICTED")
PURPOSE_LABELS = ("CONFIDENTIAL", "RESTRICTED")
GROUPS = ("desk-a", "desk-b", "desk-c", "owners")

# ---------------------------------------------------------------------------------------
# Strategies.
# ---------------------------------------------------------------------------------------

role_sets = st.sampled_from(
    [
        frozenset(),
        frozenset({Role.ADMIN}),
        frozenset({Role.ANALYST}),
        frozenset({Role.ADMIN, Role.ANALYST}),
        frozenset({Role.AUDITOR}),
    ]
)


@st.composite
def contexts(draw: st.DrawFn, labels: tuple[str, ...] = LABELS) -> Context:
    actor = Actor(
        name=draw(st.sampled_from(["ana", "bob", "carol"])),
        roles=draw(role_sets),
        groups=frozenset(draw(st.sets(st.sampled_from(GROUPS), max_size=3))),
        clearance=draw(st.sampled_from([*labels, "", "UNKNOWN"])),
        active=draw(st.booleans()),
    )
    purpose = draw(st.sampled_from([None, Purpose("case:C-1"), Purpose("a written reason")]))
    return Context(actor=actor, purpose=purpose)


@st.composite
def dataset_refs(draw: st.DrawFn, labels: tuple[str, ...] = LABELS) -> list[DatasetRef]:
    count = draw(st.integers(min_value=1, max_value=6))
    refs = []
    for i in range(count):
        grants = draw(
            st.dictionaries(st.sampled_from(GROUPS), st.sampled_from(list(Level)), max_size=3)
        )
        refs.append(
            DatasetRef(
                name=f"d{i}",
                marking=draw(st.sampled_from(labels)),
                grants=frozenset(grants.items()),
            )
        )
    return refs


@st.composite
def schemes(draw: st.DrawFn) -> MarkingScheme:
    size = draw(st.integers(min_value=1, max_value=5))
    labels = tuple(f"L{i}" for i in range(size))
    purpose = draw(st.sets(st.sampled_from(labels)))
    return MarkingScheme(labels=labels, purpose_required=frozenset(purpose))


# ---------------------------------------------------------------------------------------
# decide == read_scope, for any scheme (no store needed).
# ---------------------------------------------------------------------------------------


@given(data=st.data(), scheme=schemes())
def test_decide_and_read_scope_agree_for_any_marking_scheme(
    data: st.DataObject, scheme: MarkingScheme
) -> None:
    policy = Policy(scheme)
    ctx = data.draw(contexts(scheme.labels))
    for ref in data.draw(dataset_refs(scheme.labels)):
        decision = policy.decide(ctx, Operation.READ, ref)
        assert decision.allowed == policy.read_scope(ctx).admits(ref), (ctx, ref, decision)


@given(ctx=contexts(), refs=dataset_refs())
def test_the_scope_with_a_purpose_is_what_the_actor_could_read_with_one(
    ctx: Context, refs: list[DatasetRef]
) -> None:
    policy = Policy(MarkingScheme(LABELS, frozenset(PURPOSE_LABELS)))
    with_purpose = Context(actor=ctx.actor, purpose=Purpose("case:C-2"))
    without = Context(actor=ctx.actor, purpose=None)
    for ref in refs:
        assert policy.read_scope(ctx, with_purpose=True).admits(ref) == (
            policy.decide(with_purpose, Operation.READ, ref).allowed
        )
        assert policy.read_scope(ctx, with_purpose=False).admits(ref) == (
            policy.decide(without, Operation.READ, ref).allowed
        )


@given(ctx=contexts(), refs=dataset_refs())
def test_the_read_rules_hold(ctx: Context, refs: list[DatasetRef]) -> None:
    """The rules of the issue, restated independently of the Policy's code."""
    policy = Policy(MarkingScheme(LABELS, frozenset(PURPOSE_LABELS)))
    actor = ctx.actor
    for ref in refs:
        allowed = policy.decide(ctx, Operation.READ, ref).allowed
        if not actor.active or Role.AUDITOR in actor.roles:
            assert not allowed
            continue
        if not {Role.ADMIN, Role.ANALYST} & actor.roles:
            assert not allowed
            continue
        cleared = actor.clearance in LABELS and LABELS.index(ref.marking) <= LABELS.index(
            actor.clearance
        )
        granted = any(group in actor.groups for group, _ in ref.grants)
        opened = ref.marking == "PUBLIC" or granted
        purposed = ref.marking not in PURPOSE_LABELS or ctx.purpose is not None
        assert allowed == (cleared and opened and purposed), (actor, ref)


@given(ctx=contexts(), refs=dataset_refs())
def test_writes_need_a_write_grant_and_exports_a_purpose(
    ctx: Context, refs: list[DatasetRef]
) -> None:
    policy = Policy(MarkingScheme(LABELS, frozenset(PURPOSE_LABELS)))
    actor = ctx.actor
    for ref in refs:
        read = policy.decide(Context(actor, Purpose("case:C-3")), Operation.READ, ref).allowed
        write = policy.decide(ctx, Operation.WRITE, ref).allowed
        export = policy.decide(ctx, Operation.EXPORT, ref).allowed
        levels = {level for group, level in ref.grants if group in actor.groups}
        assert write == (read and Role.ANALYST in actor.roles and Level.WRITE in levels)
        assert export == (read and ctx.purpose is not None)


@given(ctx=contexts(), refs=dataset_refs())
def test_creating_a_dataset_needs_the_analyst_role_clearance_and_an_own_group(
    ctx: Context, refs: list[DatasetRef]
) -> None:
    policy = Policy(MarkingScheme(LABELS, frozenset(PURPOSE_LABELS)))
    actor = ctx.actor
    for ref in refs:
        decision = policy.decide(ctx, Operation.CREATE, ref)
        own = {g for g, level in ref.grants if level is Level.WRITE and g in actor.groups}
        cleared = LABELS.index(ref.marking) <= (
            LABELS.index(actor.clearance) if actor.clearance in LABELS else -1
        )
        expected = (
            actor.active
            and Role.ANALYST in actor.roles
            and Role.AUDITOR not in actor.roles
            and cleared
            and bool(own)
        )
        assert decision.allowed == expected, (actor, ref, decision)
        assert decision.rule == "create" if expected else decision.rule != "create"


# ---------------------------------------------------------------------------------------
# ... and the SQL scope, on a real store per backend.
# ---------------------------------------------------------------------------------------


@pytest.fixture(scope="module", params=BACKENDS)
def scope_store(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Store]:
    data_dir = tmp_path_factory.mktemp(f"scope-{request.param}") / "data"
    with backend_settings(request, data_dir) as cfg:
        store = init_store(cfg, markings=LABELS, purpose_markings=PURPOSE_LABELS)
        try:
            yield store
        finally:
            store.close()


def _load(store: Store, refs: list[DatasetRef]) -> None:
    """Replace the store's datasets and grants with `refs` (test fixture data)."""
    now = "2026-01-01T00:00:00Z"
    with store.engine.begin() as conn:
        conn.execute(delete(dataset_grant))
        conn.execute(delete(dataset))
        conn.execute(
            insert(dataset),
            [
                {
                    "name": r.name,
                    "title": r.name,
                    "marking": r.marking,
                    "user_owned": False,
                    "created_at": now,
                    "updated_at": now,
                }
                for r in refs
            ],
        )
        grants = [
            {"dataset": r.name, "group_name": g, "level": level.value}
            for r in refs
            for g, level in r.grants
        ]
        if grants:
            conn.execute(insert(dataset_grant), grants)


@settings(max_examples=60, deadline=None)
@given(refs=dataset_refs(), actors=st.lists(contexts(), min_size=1, max_size=4))
def test_decide_read_scope_and_sql_scope_agree_on_a_store(
    scope_store: Store, refs: list[DatasetRef], actors: list[Context]
) -> None:
    store = scope_store
    assert store.scheme.purpose_required == frozenset(PURPOSE_LABELS)
    _load(store, refs)
    for ctx in actors:
        for with_purpose in (None, True, False):
            scope = store.policy.read_scope(ctx, with_purpose=with_purpose)
            with store.engine.connect() as conn:
                in_sql = {str(n) for n in conn.execute(readable_datasets(scope)).scalars()}
            assert in_sql == {r.name for r in refs if scope.admits(r)}, (ctx, scope)
        decided = {r.name for r in refs if store.policy.decide(ctx, Operation.READ, r).allowed}
        with store.engine.connect() as conn:
            query = readable_datasets(store.policy.read_scope(ctx))
            scoped = {str(n) for n in conn.execute(query).scalars()}
        assert decided == scoped, (ctx, refs)


# ---------------------------------------------------------------------------------------
# Purposes.
# ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("text", [None, "", "   ", "\t\n"])
def test_a_missing_or_blank_purpose_is_none(text: str | None) -> None:
    assert parse_purpose(text) is None


@pytest.mark.parametrize(
    ("text", "expected", "case"),
    [
        ("case:C-2026-014", "case:C-2026-014", "C-2026-014"),
        ("CASE:C-7", "case:C-7", "C-7"),
        ("  case:  op/2026.1_a  ", "case:op/2026.1_a", "op/2026.1_a"),
        ("Checking the  ownership\tof Acme Ltd", "Checking the ownership of Acme Ltd", None),
        ("x" * MIN_JUSTIFICATION, "x" * MIN_JUSTIFICATION, None),
    ],
)
def test_purposes_are_case_references_or_justifications(
    text: str, expected: str, case: str | None
) -> None:
    purpose = parse_purpose(text)
    assert purpose is not None
    assert (purpose.text, purpose.case, str(purpose)) == (expected, case, expected)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("case:", "invalid case reference"),
        ("case:-C-1", "invalid case reference"),
        ("case:C 1", "invalid case reference"),
        ("case:C;DROP", "invalid case reference"),
        ("case:" + "a" * 65, "invalid case reference"),
        ("test", "too short"),
        ("work", "too short"),
        ("x" * (MIN_JUSTIFICATION - 1), "too short"),
    ],
)
def test_what_is_not_a_purpose_is_refused_with_advice(text: str, message: str) -> None:
    with pytest.raises(InvalidInputError, match=message) as info:
        parse_purpose(text)
    assert "case:" in info.value.message  # says what a purpose looks like


case_refs = st.text(
    alphabet=string.ascii_letters + string.digits + "._/-", min_size=0, max_size=63
).map(lambda tail: "C" + tail)


@given(ref=case_refs, prefix=st.sampled_from(["case:", "CASE:", "Case: "]))
def test_every_valid_case_reference_parses(ref: str, prefix: str) -> None:
    purpose = parse_purpose(prefix + ref)
    assert purpose is not None
    assert purpose.case == ref
    assert purpose.text == CASE_PREFIX + ref


@given(text=st.text(max_size=120))
def test_a_parsed_purpose_is_normalised_and_parses_to_itself(text: str) -> None:
    try:
        purpose = parse_purpose(text)
    except InvalidInputError:
        return
    if purpose is None:
        assert not text.strip()
        return
    assert purpose.text == " ".join(purpose.text.split())
    assert purpose.text.strip()
    assert parse_purpose(purpose.text) == purpose
    if purpose.case is None:
        assert len(purpose.text) >= MIN_JUSTIFICATION


# ---------------------------------------------------------------------------------------
# Roles.
# ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "roles"),
    [
        ("analyst", {Role.ANALYST}),
        ("admin", {Role.ADMIN}),
        ("auditor", {Role.AUDITOR}),
        ("Admin, ANALYST", {Role.ADMIN, Role.ANALYST}),
        ("analyst,analyst,", {Role.ANALYST}),
    ],
)
def test_roles_parse(text: str, roles: set[Role]) -> None:
    assert parse_roles(text) == frozenset(roles)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "unknown role \\(none\\)"),
        (" , ", "unknown role \\(none\\)"),
        ("root", "unknown role root"),
        ("analyst,superuser", "unknown role superuser"),
        ("auditor,analyst", "separation of duties"),
        ("admin,auditor", "separation of duties"),
        ("auditor,admin,analyst", "separation of duties"),
    ],
)
def test_bad_roles_are_refused(text: str, message: str) -> None:
    with pytest.raises(InvalidInputError, match=message):
        parse_roles(text)


@given(
    roles=st.sets(st.sampled_from(list(Role)), min_size=1),
    data=st.data(),
)
def test_role_lists_parse_in_any_order_and_case_unless_auditor_is_mixed(
    roles: set[Role], data: st.DataObject
) -> None:
    names = data.draw(st.permutations(sorted(r.value for r in roles)))
    text = " , ".join(name.upper() if data.draw(st.booleans()) else name for name in names)
    if Role.AUDITOR in roles and len(roles) > 1:
        with pytest.raises(InvalidInputError, match="separation of duties"):
            parse_roles(text)
        with pytest.raises(InvalidInputError):
            check_roles(frozenset(roles))
    else:
        assert parse_roles(text) == frozenset(roles)
        assert check_roles(frozenset(roles)) == frozenset(roles)
