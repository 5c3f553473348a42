"""Users, groups and API tokens, and establishing who acts (login, token use).

Passwords are hashed with argon2id (argon2-cffi). Tokens are 256-bit random secrets
shown once; the store keeps their SHA-256 (a slow hash adds nothing for a secret with
that much entropy) and compares in constant time. Every change and every login or
token use, allowed or refused, is an audit event.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import Connection, delete, insert, select, update

from casegraph.errors import AuthenticationError, InvalidInputError, NotFoundError
from casegraph.security.actor import SYSTEM, Actor, Role, check_roles
from casegraph.security.audit_event import ActionClass, EventDraft, user_object
from casegraph.security.context import Context
from casegraph.security.policy import Operation
from casegraph.services import audit
from casegraph.services.access import denial, require_role
from casegraph.services.clock import utc_now, utc_stamp
from casegraph.services.store import Store
from casegraph.store.tables import api_token, app_user, group_member

NAME = re.compile(r"^[a-z0-9][a-z0-9._\-]{0,63}$")
TOKEN_PREFIX = "cgt"
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


@dataclass(frozen=True, slots=True)
class TokenRecord:
    id: str
    user: str
    label: str | None
    created_at: str
    expires_at: str | None
    revoked_at: str | None


def check_name(name: str, what: str = "user") -> str:
    if not NAME.match(name):
        raise InvalidInputError(
            f"invalid {what} name {name!r}: use 1-64 lower-case letters, digits, '.', '_' "
            "or '-', starting with a letter or digit"
        )
    return name


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


def _record_of(conn: Connection, name: str) -> UserRecord:
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
        return _record_of(conn, name)


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
        return _record_of(conn, name)


def has_users(store: Store) -> bool:
    """Whether any account exists (so `init` has made its owner already)."""
    with store.engine.connect() as conn:
        return conn.execute(select(app_user.c.name).limit(1)).first() is not None


def owner_token(store: Store, name: str) -> str:
    """At `init --token`: the new owner's first API token (audited as their own)."""
    with store.engine.connect() as conn:
        actor = load_actor(conn, name)
    if actor is None:
        raise NotFoundError(f"no user named {name!r}")
    secret, _ = create_token(store, Context(actor=actor), label="init")
    return secret


def list_users(store: Store, ctx: Context) -> list[UserRecord]:
    draft = _admin(store, ctx, "user.list", ())
    with store.engine.begin() as conn:
        names = [r[0] for r in conn.execute(select(app_user.c.name).order_by(app_user.c.name))]
        records = [_record_of(conn, n) for n in names]
    audit.record_alone(store, ctx, draft)
    return records


def disable_user(store: Store, ctx: Context, name: str) -> UserRecord:
    """Disable an account: its password and tokens stop working; its history stays."""
    draft = _admin(store, ctx, "user.disable", (user_object(name),))
    with store.engine.begin() as conn:
        _record_of(conn, name)
        conn.execute(update(app_user).where(app_user.c.name == name).values(disabled=True))
        audit.record(conn, store, ctx, draft)
        return _record_of(conn, name)


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
        _record_of(conn, name)
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
        return _record_of(conn, name)


def _event(operation: str, decision: str, rule: str, reason: str, obj: str) -> EventDraft:
    action = ActionClass.TOKEN if operation.startswith("token") else ActionClass.LOGIN
    return EventDraft(
        action=action,
        operation=operation,
        decision=decision,
        rule=rule,
        reason=reason,
        objects=(obj,),
    )


def login(store: Store, name: str, password: str) -> Actor:
    """Check a password; the login (or its refusal) is audited either way."""
    with store.engine.begin() as conn:
        row = conn.execute(select(app_user).where(app_user.c.name == name)).first()
        actor = load_actor(conn, name)
    stranger = Context(
        actor=Actor(name=name[:64] or "?", roles=frozenset(), groups=frozenset(), clearance="")
    )
    ok = False
    if row is not None and row.password_hash:
        try:
            ok = _hasher.verify(row.password_hash, password)
        except (VerificationError, InvalidHashError):
            ok = False
    else:
        _hasher.hash(password)  # spend the same time for unknown users
    if not ok or actor is None:
        audit.refuse(
            store,
            stranger,
            _event("login", "deny", "password", "wrong user name or password", user_object(name)),
            AuthenticationError("wrong user name or password"),
        )
    if not actor.active:
        audit.refuse(
            store,
            stranger,
            _event("login", "deny", "active", "the account is disabled", user_object(name)),
            AuthenticationError(f"the account {name!r} is disabled"),
        )
    audit.record_alone(
        store,
        Context(actor=actor),
        _event("login", "allow", "password", "password verified", user_object(name)),
    )
    return actor


def _token_parts(token: str) -> tuple[str, str] | None:
    parts = token.strip().split("_")
    if len(parts) != 3 or parts[0] != TOKEN_PREFIX:
        return None
    return parts[1], parts[2]


def _sha256(secret: str) -> str:
    return hashlib.sha256(secret.encode("ascii", "replace")).hexdigest()


def authenticate_token(store: Store, token: str) -> Actor:
    """Check an API token; its use (or refusal) is audited either way."""
    parts = _token_parts(token)
    token_id = parts[0] if parts else "?"
    anonymous = Context(actor=Actor(name="?", roles=frozenset(), groups=frozenset(), clearance=""))
    with store.engine.begin() as conn:
        row = (
            None
            if parts is None
            else conn.execute(select(api_token).where(api_token.c.id == token_id)).first()
        )
        actor = None if row is None else load_actor(conn, row.user_name)
    obj = f"token:{token_id}"
    problem: tuple[str, str] | None = None
    if (
        row is None
        or parts is None
        or not hmac.compare_digest(row.secret_sha256, _sha256(parts[1]))
    ):
        problem = ("token", "unknown token")
    elif row.revoked_at is not None:
        problem = ("revoked", "the token was revoked")
    elif row.expires_at is not None and row.expires_at <= utc_stamp():
        problem = ("expired", "the token has expired")
    elif actor is None or not actor.active:
        problem = ("active", "the token's account is disabled")
    if problem is not None:
        who = anonymous if actor is None else Context(actor=actor)
        audit.refuse(
            store,
            who,
            _event("token.use", "deny", problem[0], problem[1], obj),
            AuthenticationError(f"{problem[1]}: create a new one with `casegraph token create`"),
        )
    assert actor is not None
    audit.record_alone(
        store, Context(actor=actor), _event("token.use", "allow", "token", "token verified", obj)
    )
    return actor


def _expiry(days: float | None) -> str | None:
    if days is None:
        return None
    if days <= 0:
        raise InvalidInputError("--expires-days must be positive")
    moment = datetime.now(UTC) + timedelta(days=days)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def create_token(
    store: Store,
    ctx: Context,
    *,
    user: str | None = None,
    label: str | None = None,
    expires_days: float | None = 90,
) -> tuple[str, TokenRecord]:
    """A new token for `ctx`'s actor (or, for admins, another user); shown only here."""
    owner = user or ctx.actor.name
    obj = (user_object(owner),)
    if owner != ctx.actor.name:
        draft = _admin(store, ctx, "token.create", obj)
    else:
        draft = EventDraft(
            action=ActionClass.ADMIN,
            operation="token.create",
            decision="allow",
            rule="own-token",
            reason="a user makes their own token",
            objects=obj,
        )
        if not ctx.actor.active:
            audit.refuse(
                store,
                ctx,
                denial(
                    action=ActionClass.ADMIN,
                    operation="token.create",
                    decision=store.policy.decide(ctx, Operation.MANAGE_USERS),
                    objects=obj,
                ),
                AuthenticationError("the account is disabled"),
            )
    token_id = secrets.token_hex(6)
    secret = secrets.token_urlsafe(32).replace("_", "-")
    record = TokenRecord(
        id=token_id,
        user=owner,
        label=label,
        created_at=utc_stamp(),
        expires_at=_expiry(expires_days),
        revoked_at=None,
    )
    with store.engine.begin() as conn:
        _record_of(conn, owner)
        conn.execute(
            insert(api_token).values(
                id=record.id,
                user_name=owner,
                secret_sha256=_sha256(secret),
                label=label,
                created_at=record.created_at,
                expires_at=record.expires_at,
            )
        )
        audit.record(
            conn,
            store,
            ctx,
            EventDraft(
                action=draft.action,
                operation=draft.operation,
                decision=draft.decision,
                rule=draft.rule,
                reason=draft.reason,
                objects=(*draft.objects, f"token:{token_id}"),
            ),
        )
    return f"{TOKEN_PREFIX}_{token_id}_{secret}", record


def revoke_token(store: Store, ctx: Context, token_id: str) -> TokenRecord:
    """Revoke a token: one's own, or any for admins. Unknown ids answer not found."""
    obj = (f"token:{token_id}",)
    with store.engine.begin() as conn:
        row = conn.execute(select(api_token).where(api_token.c.id == token_id)).first()
    own = row is not None and row.user_name == ctx.actor.name and ctx.actor.active
    if not own:
        decision = store.policy.decide(ctx, Operation.MANAGE_USERS)
        if row is None or not decision.allowed:
            audit.refuse(
                store,
                ctx,
                denial(
                    action=ActionClass.ADMIN,
                    operation="token.revoke",
                    objects=obj,
                    decision=decision
                    if row is not None
                    else decision.__class__(False, "no such token", "missing"),
                ),
                NotFoundError(f"no token with id {token_id!r}"),
            )
    assert row is not None
    now = utc_stamp()
    with store.engine.begin() as conn:
        conn.execute(
            update(api_token)
            .where(api_token.c.id == token_id, api_token.c.revoked_at.is_(None))
            .values(revoked_at=now)
        )
        audit.record(
            conn,
            store,
            ctx,
            EventDraft(
                action=ActionClass.ADMIN,
                operation="token.revoke",
                decision="allow",
                rule="own-token" if own else "role:admin",
                reason="token revoked",
                objects=obj,
            ),
        )
    return TokenRecord(
        id=row.id,
        user=row.user_name,
        label=row.label,
        created_at=row.created_at,
        expires_at=row.expires_at,
        revoked_at=row.revoked_at or now,
    )
