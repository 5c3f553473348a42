"""Signing in: passwords and API tokens, and the tokens themselves.

Tokens are 256-bit random secrets shown once; the store keeps their SHA-256 (a slow
hash adds nothing for a secret with that much entropy) and compares in constant time.
Every login and token use, allowed or refused, is an audit event, as is every token
made or revoked.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta

from sqlalchemy import insert, select, update

from casegraph.errors import (
    AccessDeniedError,
    AuthenticationError,
    InvalidInputError,
    NotFoundError,
)
from casegraph.security.actor import Actor
from casegraph.security.audit_event import ActionClass, EventDraft, user_object
from casegraph.security.context import Context
from casegraph.security.policy import Decision
from casegraph.services import audit
from casegraph.services.access import allowance
from casegraph.services.clock import utc_stamp
from casegraph.services.identity import load_actor, record_of, verify_password
from casegraph.services.store import Store
from casegraph.store.tables import api_token, app_user

TOKEN_PREFIX = "cgt"


@dataclass(frozen=True, slots=True)
class TokenRecord:
    id: str
    user: str
    label: str | None
    created_at: str
    expires_at: str | None
    revoked_at: str | None


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
    with store.engine.connect() as conn:
        stored = conn.execute(
            select(app_user.c.password_hash).where(app_user.c.name == name)
        ).scalar()
        actor = load_actor(conn, name)
    stranger = Context(
        actor=Actor(name=name[:64] or "?", roles=frozenset(), groups=frozenset(), clearance="")
    )
    if not verify_password(stored, password) or actor is None:
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
    decision = store.policy.decide_token(ctx, owner)
    draft = allowance(
        action=ActionClass.ADMIN, operation="token.create", decision=decision, objects=obj
    )
    if not decision.allowed:
        message = f"token.create: {decision.reason}"
        error = AuthenticationError(message) if decision.rule == "active" else None
        audit.refuse(store, ctx, draft, error or AccessDeniedError(message))
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
        record_of(conn, owner)
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
            conn, store, ctx, replace(draft, objects=(*draft.objects, f"token:{token_id}"))
        )
    return f"{TOKEN_PREFIX}_{token_id}_{secret}", record


def revoke_token(store: Store, ctx: Context, token_id: str) -> TokenRecord:
    """Revoke a token: one's own, or any for admins. Unknown ids answer not found."""
    obj = (f"token:{token_id}",)
    with store.engine.connect() as conn:
        row = conn.execute(select(api_token).where(api_token.c.id == token_id)).first()
    decision = (
        Decision(False, "no such token", "missing")
        if row is None
        else store.policy.decide_token(ctx, row.user_name)
    )
    draft = allowance(
        action=ActionClass.ADMIN, operation="token.revoke", decision=decision, objects=obj
    )
    if not decision.allowed:  # someone else's token answers like a missing one
        audit.refuse(store, ctx, draft, NotFoundError(f"no token with id {token_id!r}"))
    assert row is not None
    now = utc_stamp()
    with store.engine.begin() as conn:
        conn.execute(
            update(api_token)
            .where(api_token.c.id == token_id, api_token.c.revoked_at.is_(None))
            .values(revoked_at=now)
        )
        audit.record(conn, store, ctx, draft)
    return TokenRecord(
        id=row.id,
        user=row.user_name,
        label=row.label,
        created_at=row.created_at,
        expires_at=row.expires_at,
        revoked_at=row.revoked_at or now,
    )


def owner_token(store: Store, name: str) -> str:
    """At `init --token`: the new owner's first API token (audited as their own)."""
    with store.engine.connect() as conn:
        actor = load_actor(conn, name)
    if actor is None:
        raise NotFoundError(f"no user named {name!r}")
    secret, _ = create_token(store, Context(actor=actor), label="init")
    return secret
