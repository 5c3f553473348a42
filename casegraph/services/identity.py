"""Users and groups: accounts, roles, clearance and passwords (admins manage them).

Passwords are hashed with argon2id (argon2-cffi). Every change, allowed or refused, is
an audit event. Signing in (passwords, API tokens) is `services/authentication.py`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import Connection, delete, insert, select, update

from casegraph.errors import InvalidInputError, NotFoundError
from casegraph.security.actor import SYSTEM, Actor, Role, check_roles
from casegraph.security.audit_event import ActionClass, EventDraft, user_object
from casegraph.security.context import Context
from casegraph.security.policy import Operation
from casegraph.services import audit
from casegraph.services.access import require_role
from casegraph.services.clock import utc_now
from casegraph.services.store import Store
from casegraph.store.tables import app_user, group_member

NAME = re.compile(r"^[a-z0-9][a-z0-9._\-]{0,63}$")
MIN_PASSWORD = 12
_hasher = PasswordHasher()


@dataclass(frozen=True, slots=True)
class UserRecord:
    name: str
    roles: tuple[str, ...]
    groups: tuple[str, ...]
    clearance: str
    disabled: bool
    created_at: str
    created_by: str


def check_name(name: str, what: str = "user") -> str:
    if not NAME.match(name):
        raise InvalidInputError(
            f"invalid {what} name {name!r}: use 1-64 lower-case letters, digits, '.', '_' "
            "or '-', starting with a letter or digit"
        )
    return name


def verify_password(stored: str | None, password: str) -> bool:
    """Check a password against its stored hash; without one, spend the same time."""
    if not stored:
        _hasher.hash(password)  # an unknown user must not answer faster
        return False
    try:
        return _hasher.verify(stored, password)
    except (VerificationError, InvalidHashError):
        return False


def check_password(password: str) -> str:
    if len(password) < MIN_PASSWORD:
        raise InvalidInputError(
            f"the password is too short: use at least {MIN_PASSWORD} characters"
        )
    return password


def _roles_text(roles: frozenset[Role]) -> str:
    return ",".join(sorted(r.value for r in roles))


def _groups(conn: Connection, name: str) -> frozenset[str]:
    rows = conn.execute(select(group_member.c.group_name).where(group_member.c.user_name == name))
    return frozenset(r[0] for r in rows)


def load_actor(conn: Connection, name: str) -> Actor | None:
    row = conn.execute(select(app_user).where(app_user.c.name == name)).first()
    if row is None:
        return None
    return Actor(
        name=row.name,
        roles=frozenset(Role(r) for r in row.roles.split(",") if r),
        groups=_groups(conn, name),
        clearance=row.clearance,
        active=not row.disabled,
    )


def record_of(conn: Connection, name: str) -> UserRecord:
    row = conn.execute(select(app_user).where(app_user.c.name == name)).first()
    if row is None:
        raise NotFoundError(f"no user named {name!r}: see `casegraph user list`")
    return UserRecord(
        name=row.name,
        roles=tuple(r for r in row.roles.split(",") if r),
        groups=tuple(sorted(_groups(conn, name))),
        clearance=row.clearance,
        disabled=bool(row.disabled),
        created_at=row.created_at,
        created_by=row.created_by,
    )


def _admin(store: Store, ctx: Context, operation: str, objects: tuple[str, ...]) -> EventDraft:
    """User administration is for admins; a refusal is audited and raised."""
    return require_role(
        store,
        ctx,
        Operation.MANAGE_USERS,
        action=ActionClass.ADMIN,
        operation=operation,
        objects=objects,
    )


def _check_clearance(store: Store, clearance: str) -> str:
    label = clearance.strip().upper()
    if label not in store.markings:
        raise InvalidInputError(
            f"unknown clearance {clearance!r}: use one of the markings {', '.join(store.markings)}"
        )
    return label


def _insert_user(
    conn: Connection,
    *,
    name: str,
    password: str | None,
    roles: frozenset[Role],
    clearance: str,
    groups: tuple[str, ...],
    created_by: str,
) -> None:
    if conn.execute(select(app_user.c.name).where(app_user.c.name == name)).first():
        raise InvalidInputError(f"a user named {name!r} already exists")
    conn.execute(
        insert(app_user).values(
            name=name,
            password_hash=None if password is None else _hasher.hash(password),
            roles=_roles_text(roles),
            clearance=clearance,
            disabled=False,
            created_at=utc_now(),
            created_by=created_by,
        )
    )
    for group in sorted(set(groups)):
        conn.execute(
            insert(group_member).values(group_name=check_name(group, "group"), user_name=name)
        )


def add_user(
    store: Store,
    ctx: Context,
    *,
    name: str,
    roles: frozenset[Role],
    clearance: str | None = None,
    groups: tuple[str, ...] = (),
    password: str | None = None,
) -> UserRecord:
    """Create a user (admins only). Without a password the user can only use tokens."""
    check_name(name)
    check_roles(roles)
    if password is not None:
        check_password(password)
    label = _check_clearance(store, clearance or store.markings[min(1, len(store.markings) - 1)])
    draft = _admin(store, ctx, "user.add", (user_object(name),))
    with store.engine.begin() as conn:
        _insert_user(
            conn,
            name=name,
            password=password,
            roles=roles,
            clearance=label,
            groups=groups,
            created_by=ctx.actor.name,
        )
        audit.record(conn, store, ctx, draft)
        return record_of(conn, name)


def create_owner(store: Store, *, name: str, password: str | None, group: str) -> UserRecord | None:
    """At `init`: the first account, admin and analyst with the highest clearance.

    Returns None when users exist already (init is safe to run again).
    """
    check_name(name)
    check_name(group, "group")
    if password is not None:
        check_password(password)
    ctx = Context(actor=SYSTEM)
    with store.engine.begin() as conn:
        if conn.execute(select(app_user.c.name).limit(1)).first() is not None:
            return None
        _insert_user(
            conn,
            name=name,
            password=password,
            roles=frozenset({Role.ADMIN, Role.ANALYST}),
            clearance=store.markings[-1],
            groups=(group,),
            created_by=SYSTEM.name,
        )
        audit.record(
            conn,
            store,
            ctx,
            EventDraft(
                action=ActionClass.ADMIN,
                operation="user.create-owner",
                decision="allow",
                rule="init",
                reason="the first account, made by casegraph init",
                objects=(user_object(name),),
            ),
        )
        return record_of(conn, name)


def has_users(store: Store) -> bool:
    """Whether any account exists (so `init` has made its owner already)."""
    with store.engine.connect() as conn:
        return conn.execute(select(app_user.c.name).limit(1)).first() is not None


def list_users(store: Store, ctx: Context) -> list[UserRecord]:
    draft = _admin(store, ctx, "user.list", ())
    with store.engine.begin() as conn:
        names = [r[0] for r in conn.execute(select(app_user.c.name).order_by(app_user.c.name))]
        records = [record_of(conn, n) for n in names]
    audit.record_alone(store, ctx, draft)
    return records


def disable_user(store: Store, ctx: Context, name: str) -> UserRecord:
    """Disable an account: its password and tokens stop working; its history stays."""
    draft = _admin(store, ctx, "user.disable", (user_object(name),))
    with store.engine.begin() as conn:
        record_of(conn, name)
        conn.execute(update(app_user).where(app_user.c.name == name).values(disabled=True))
        audit.record(conn, store, ctx, draft)
        return record_of(conn, name)


def grant_user(
    store: Store,
    ctx: Context,
    name: str,
    *,
    roles: frozenset[Role] | None = None,
    add_groups: tuple[str, ...] = (),
    remove_groups: tuple[str, ...] = (),
    clearance: str | None = None,
) -> UserRecord:
    """Change a user's roles (replaced), groups (added/removed) or clearance."""
    if roles is not None:
        check_roles(roles)
    label = None if clearance is None else _check_clearance(store, clearance)
    for group in (*add_groups, *remove_groups):
        check_name(group, "group")
    draft = _admin(store, ctx, "user.grant", (user_object(name),))
    with store.engine.begin() as conn:
        record_of(conn, name)
        values: dict[str, str] = {}
        if roles is not None:
            values["roles"] = _roles_text(roles)
        if label is not None:
            values["clearance"] = label
        if values:
            conn.execute(update(app_user).where(app_user.c.name == name).values(**values))
        current = _groups(conn, name)
        for group in sorted(set(add_groups) - current):
            conn.execute(insert(group_member).values(group_name=group, user_name=name))
        for group in sorted(set(remove_groups) & current):
            conn.execute(
                delete(group_member).where(
                    group_member.c.group_name == group, group_member.c.user_name == name
                )
            )
        audit.record(conn, store, ctx, draft)
        return record_of(conn, name)
