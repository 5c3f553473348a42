"""Users, passwords and API tokens: admin-only management, hashes never secrets,
and one audit event for every login, token use and refusal."""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable

import pytest
from sqlalchemy import select

from casegraph.errors import (
    AccessDeniedError,
    AuthenticationError,
    InvalidInputError,
    NotFoundError,
)
from casegraph.security.actor import Role, parse_roles
from casegraph.security.context import Context
from casegraph.services import authentication, identity
from casegraph.services.store import Store
from casegraph.store.tables import api_token, app_user, audit_event
from tests.conftest import OWNER, OWNER_PASSWORD
from tests.helpers import context_for, make_user
from tests.security.world import audit_size

PASSWORD = "correct horse battery"


def _events(store: Store, since: int) -> list[dict[str, object]]:
    """Every audit event from `since` on, as dicts (read-only)."""
    with store.engine.connect() as conn:
        rows = conn.execute(
            select(audit_event).where(audit_event.c.seq >= since).order_by(audit_event.c.seq)
        )
        return [dict(row._mapping) for row in rows]


def _summary(events: list[dict[str, object]]) -> list[tuple[object, ...]]:
    return [(e["actor"], e["action"], e["operation"], e["decision"]) for e in events]


def _add(store: Store, owner: Context, name: str, roles: str = "analyst", **kw: object) -> None:
    identity.add_user(
        store,
        owner,
        name=name,
        roles=parse_roles(roles),
        password=PASSWORD,
        **kw,  # type: ignore[arg-type]
    )


# --- users ------------------------------------------------------------------------------


def test_an_admin_adds_lists_grants_and_disables_users(store: Store, owner: Context) -> None:
    record = identity.add_user(
        store,
        owner,
        name="bob",
        roles=parse_roles("analyst"),
        groups=("desk-a",),
        clearance="restricted",
        password=PASSWORD,
    )
    assert (record.name, record.roles, record.groups, record.clearance) == (
        "bob",
        ("analyst",),
        ("desk-a",),
        "RESTRICTED",
    )
    assert (record.disabled, record.created_by) == (False, OWNER)
    by_name = {u.name: u for u in identity.list_users(store, owner)}
    assert set(by_name) == {OWNER, "bob"}

    before = audit_size(store)
    granted = identity.grant_user(
        store,
        owner,
        "bob",
        roles=parse_roles("admin,analyst"),
        add_groups=("desk-b",),
        remove_groups=("desk-a",),
        clearance="INTERNAL",
    )
    assert (granted.roles, granted.groups, granted.clearance) == (
        ("admin", "analyst"),
        ("desk-b",),
        "INTERNAL",
    )
    disabled = identity.disable_user(store, owner, "bob")
    assert disabled.disabled
    assert _summary(_events(store, before)) == [
        (OWNER, "admin", "user.grant", "allow"),
        (OWNER, "admin", "user.disable", "allow"),
    ]


def test_a_new_user_without_a_clearance_gets_the_second_lowest(
    store: Store, owner: Context
) -> None:
    record = identity.add_user(store, owner, name="carol", roles=parse_roles("analyst"))
    assert record.clearance == "INTERNAL"


@pytest.mark.parametrize("roles", ["analyst", "auditor"])
def test_only_admins_manage_users_and_refusals_are_audited(
    store: Store, owner: Context, roles: str
) -> None:
    make_user(store, owner, "bob")
    actor = make_user(store, owner, "mallory", roles=roles, groups=("owners",))
    attempts: dict[str, Callable[[], object]] = {
        "user.add": lambda: identity.add_user(store, actor, name="eve", roles=parse_roles("admin")),
        "user.list": lambda: identity.list_users(store, actor),
        "user.disable": lambda: identity.disable_user(store, actor, "bob"),
        "user.grant": lambda: identity.grant_user(
            store, actor, "mallory", roles=parse_roles("admin")
        ),
    }
    for operation, attempt in attempts.items():
        before = audit_size(store)
        with pytest.raises(AccessDeniedError, match=operation):
            attempt()
        assert _summary(_events(store, before)) == [("mallory", "admin", operation, "deny")]
    users = {u.name: u for u in identity.list_users(store, owner)}
    assert "eve" not in users
    assert not users["bob"].disabled
    assert users["mallory"].roles == (roles,)


def test_a_disabled_admin_manages_nothing(store: Store, owner: Context) -> None:
    admin = make_user(store, owner, "root2", roles="admin")
    identity.disable_user(store, owner, "root2")
    stale = Context(actor=context_for(store, "root2").actor)
    with pytest.raises(AccessDeniedError, match="disabled"):
        identity.add_user(store, stale, name="eve", roles=parse_roles("admin"))
    assert admin.actor.active and not stale.actor.active


@pytest.mark.parametrize("roles", ["auditor,analyst", "admin,auditor"])
def test_the_auditor_role_is_never_combined_with_content_roles(
    store: Store, owner: Context, roles: str
) -> None:
    combined = frozenset(Role(r) for r in roles.split(","))
    with pytest.raises(InvalidInputError, match="separation of duties"):
        identity.add_user(store, owner, name="dpo", roles=combined)
    make_user(store, owner, "dpo", roles="auditor")
    with pytest.raises(InvalidInputError, match="separation of duties"):
        identity.grant_user(store, owner, "dpo", roles=combined)
    assert {u.name: u.roles for u in identity.list_users(store, owner)}["dpo"] == ("auditor",)


BAD_USERS: list[tuple[dict[str, object], str]] = [
    ({"name": "Bob"}, "invalid user name"),
    ({"name": "bob", "password": "short"}, "too short"),
    ({"name": "bob", "clearance": "TOP-SECRET"}, "unknown clearance"),
    ({"name": "bob", "groups": ("Desk A",)}, "invalid group name"),
    ({"name": OWNER}, "already exists"),
]


def test_bad_user_input_is_refused_with_the_reason(store: Store, owner: Context) -> None:
    for kwargs, message in BAD_USERS:
        with pytest.raises(InvalidInputError, match=message):
            identity.add_user(store, owner, roles=parse_roles("analyst"), **kwargs)  # type: ignore[arg-type]
    assert [u.name for u in identity.list_users(store, owner)] == [OWNER]


# --- passwords and login ------------------------------------------------------------------


def test_passwords_are_stored_as_argon2id_hashes_only(store: Store, owner: Context) -> None:
    _add(store, owner, "bob")
    with store.engine.connect() as conn:
        rows = {r.name: r for r in conn.execute(select(app_user))}
    for name, secret in ((OWNER, OWNER_PASSWORD), ("bob", PASSWORD)):
        stored = rows[name].password_hash
        assert stored.startswith("$argon2id$"), stored
        assert secret not in repr(tuple(rows[name]))
    assert rows[OWNER].password_hash != rows["bob"].password_hash
    everything = repr(_events(store, 0))
    assert PASSWORD not in everything and OWNER_PASSWORD not in everything


def test_a_login_is_one_audit_event(store: Store, owner: Context) -> None:
    _add(store, owner, "bob", groups=("desk-a",), clearance="RESTRICTED")
    before = audit_size(store)
    actor = authentication.login(store, "bob", PASSWORD)
    assert (actor.name, actor.roles, actor.groups, actor.clearance, actor.active) == (
        "bob",
        frozenset({Role.ANALYST}),
        frozenset({"desk-a"}),
        "RESTRICTED",
        True,
    )
    events = _events(store, before)
    assert _summary(events) == [("bob", "login", "login", "allow")]


def test_wrong_passwords_and_unknown_users_get_the_same_answer(
    store: Store, owner: Context
) -> None:
    _add(store, owner, "bob")
    messages = []
    for name, password in (("bob", "not the password"), ("nobody", PASSWORD), ("bob", "")):
        before = audit_size(store)
        with pytest.raises(AuthenticationError) as info:
            authentication.login(store, name, password)
        messages.append(info.value.message)
        events = _events(store, before)
        assert _summary(events) == [(name, "login", "login", "deny")]
        assert events[0]["rule"] == "password"
        assert password not in repr(events) or not password
    assert len(set(messages)) == 1
    assert messages[0] == "wrong user name or password"


def test_a_user_without_a_password_cannot_log_in_with_one(store: Store, owner: Context) -> None:
    identity.add_user(store, owner, name="robot", roles=parse_roles("analyst"))
    with pytest.raises(AuthenticationError, match="wrong user name or password"):
        authentication.login(store, "robot", "")
    with pytest.raises(AuthenticationError, match="wrong user name or password"):
        authentication.login(store, "robot", PASSWORD)


def test_a_disabled_user_can_neither_log_in_nor_use_tokens(store: Store, owner: Context) -> None:
    _add(store, owner, "bob")
    bob = context_for(store, "bob")
    token, _ = authentication.create_token(store, bob)
    identity.disable_user(store, owner, "bob")
    before = audit_size(store)
    with pytest.raises(AuthenticationError, match="disabled"):
        authentication.login(store, "bob", PASSWORD)
    with pytest.raises(AuthenticationError, match="disabled"):
        authentication.authenticate_token(store, token)
    events = _events(store, before)
    assert [(e["action"], e["decision"], e["rule"]) for e in events] == [
        ("login", "deny", "active"),
        ("token", "deny", "active"),
    ]
    # A Context still held for the disabled user cannot make new tokens either.
    stale = context_for(store, "bob")
    with pytest.raises(AuthenticationError, match="disabled"):
        authentication.create_token(store, stale)


# --- tokens -------------------------------------------------------------------------------


def test_a_token_is_shown_once_and_only_its_sha256_is_stored(store: Store, owner: Context) -> None:
    _add(store, owner, "bob")
    bob = context_for(store, "bob")
    token, record = authentication.create_token(store, bob, label="laptop", expires_days=30)
    prefix, token_id, secret = token.split("_")
    assert (prefix, token_id) == ("cgt", record.id)
    assert len(secret) >= 40  # 256 bits, url-safe
    assert (record.user, record.label, record.revoked_at) == ("bob", "laptop", None)
    assert record.expires_at is not None
    with store.engine.connect() as conn:
        row = conn.execute(select(api_token).where(api_token.c.id == token_id)).one()
    assert row.secret_sha256 == hashlib.sha256(secret.encode()).hexdigest()
    assert secret not in repr(tuple(row))
    assert secret not in repr(_events(store, 0))
    assert authentication.authenticate_token(store, token).name == "bob"


def test_each_token_use_is_one_audit_event(store: Store, owner: Context) -> None:
    _add(store, owner, "bob")
    token, _ = authentication.create_token(store, context_for(store, "bob"))
    before = audit_size(store)
    for _ in range(3):
        authentication.authenticate_token(store, token)
    events = _events(store, before)
    assert _summary(events) == [("bob", "token", "token.use", "allow")] * 3


def test_wrong_tokens_are_refused_and_audited(store: Store, owner: Context) -> None:
    token, _ = authentication.create_token(store, owner)
    wrong = [
        token[:-1] + ("A" if token[-1] != "A" else "B"),  # wrong secret
        "cgt_000000000000_" + token.split("_")[2],  # unknown id
        "not-a-token",
        "",
    ]
    for bad in wrong:
        before = audit_size(store)
        with pytest.raises(AuthenticationError, match="unknown token"):
            authentication.authenticate_token(store, bad)
        events = _events(store, before)
        assert [(e["action"], e["decision"], e["rule"]) for e in events] == [
            ("token", "deny", "token")
        ]
    assert authentication.authenticate_token(store, token).name == OWNER


def test_an_expired_token_is_refused(store: Store, owner: Context) -> None:
    token, record = authentication.create_token(store, owner, expires_days=1e-9)  # ~86 µs
    time.sleep(0.01)
    before = audit_size(store)
    with pytest.raises(AuthenticationError, match="expired"):
        authentication.authenticate_token(store, token)
    assert [(e["decision"], e["rule"]) for e in _events(store, before)] == [("deny", "expired")]
    with pytest.raises(InvalidInputError, match="positive"):
        authentication.create_token(store, owner, expires_days=0)
    forever, record = authentication.create_token(store, owner, expires_days=None)
    assert record.expires_at is None
    assert authentication.authenticate_token(store, forever).name == OWNER


def test_users_revoke_their_own_tokens_and_admins_anyones(store: Store, owner: Context) -> None:
    _add(store, owner, "bob")
    _add(store, owner, "carol")
    bob, carol = context_for(store, "bob"), context_for(store, "carol")
    own, own_record = authentication.create_token(store, bob)
    other, other_record = authentication.create_token(store, bob)
    carols, carols_record = authentication.create_token(store, carol)

    revoked = authentication.revoke_token(store, bob, own_record.id)
    assert revoked.revoked_at is not None
    authentication.revoke_token(store, owner, other_record.id)
    for token in (own, other):
        before = audit_size(store)
        with pytest.raises(AuthenticationError, match="revoked"):
            authentication.authenticate_token(store, token)
        assert [(e["decision"], e["rule"]) for e in _events(store, before)] == [("deny", "revoked")]

    # Bob may not revoke Carol's token: it answers like a token that does not exist.
    answers = []
    for token_id in (carols_record.id, "000000000000"):
        before = audit_size(store)
        with pytest.raises(NotFoundError) as info:
            authentication.revoke_token(store, bob, token_id)
        answers.append(info.value.message.replace(token_id, "ID"))
        assert _summary(_events(store, before)) == [("bob", "admin", "token.revoke", "deny")]
    assert answers[0] == answers[1]
    assert authentication.authenticate_token(store, carols).name == "carol"


def test_only_admins_make_tokens_for_others(store: Store, owner: Context) -> None:
    _add(store, owner, "bob")
    _add(store, owner, "carol")
    bob = context_for(store, "bob")
    before = audit_size(store)
    with pytest.raises(AccessDeniedError):
        authentication.create_token(store, bob, user="carol")
    assert _summary(_events(store, before)) == [("bob", "admin", "token.create", "deny")]
    token, record = authentication.create_token(store, owner, user="carol")
    assert record.user == "carol"
    assert authentication.authenticate_token(store, token).name == "carol"
    with pytest.raises(NotFoundError):
        authentication.create_token(store, owner, user="nobody")
