"""Opening and initialising the store. Every service receives a `Store`."""

from __future__ import annotations

import json
import secrets
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import Connection, Engine, insert, select
from sqlalchemy.exc import OperationalError, ProgrammingError

from casegraph.errors import ConfigError, InvalidInputError, NotInitialisedError, StoreError
from casegraph.security.checkpoint import SigningKey
from casegraph.security.markings import MarkingScheme
from casegraph.security.merkle import Frontier
from casegraph.security.policy import Policy
from casegraph.settings import DEFAULT_CHECKPOINT_EVERY, DEFAULT_MARKINGS, Settings
from casegraph.store import migrate
from casegraph.store.engine import make_engine
from casegraph.store.tables import audit_head, setting

MARKINGS_KEY = "markings"
PURPOSE_MARKINGS_KEY = "purpose_markings"
CHECKPOINT_EVERY_KEY = "audit_checkpoint_every"
ORIGIN_KEY = "audit_origin"
VERIFIER_KEY = "audit_verifier_key"


@dataclass(slots=True)
class Store:
    """An open store: its settings, engine, marking scheme, Policy and audit settings."""

    settings: Settings
    engine: Engine
    scheme: MarkingScheme
    checkpoint_every: int
    origin: str
    verifier_key: str
    policy: Policy = field(init=False)
    _signing_key: SigningKey | None = field(default=None, init=False)

    def __post_init__(self) -> None:
        self.policy = Policy(self.scheme)

    @property
    def markings(self) -> tuple[str, ...]:
        return self.scheme.labels

    def signing_key(self) -> SigningKey:
        """The checkpoint signing key, read from its file on first use."""
        if self._signing_key is None:
            path = self.settings.audit_key_path
            try:
                key = SigningKey.from_private_key(path.read_text(encoding="ascii").strip())
            except OSError as exc:
                raise ConfigError(
                    f"cannot read the audit signing key {path}: {exc.strerror}; set "
                    "CASEGRAPH_AUDIT_KEY to its path (it was made by `casegraph init`)"
                ) from exc
            if key.verifier_key() != self.verifier_key:
                raise ConfigError(f"the audit signing key {path} does not belong to this store")
            self._signing_key = key
        return self._signing_key

    def describe(self) -> str:
        """Where the store is, for messages (no password)."""
        if self.settings.backend == "sqlite":
            return str(self.settings.data_dir)
        return self.engine.url.render_as_string(hide_password=True)

    def close(self) -> None:
        self.engine.dispose()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _describe(settings: Settings) -> str:
    if settings.backend == "sqlite":
        return f"data directory {settings.data_dir}"
    return "the database at CASEGRAPH_DATABASE_URL"


def _read_settings(conn: Connection) -> dict[str, str]:
    return {row.key: row.value for row in conn.execute(select(setting))}


def open_store(settings: Settings) -> Store:
    """Open an initialised store; tells the user to run `casegraph init` otherwise."""
    if settings.backend == "sqlite":
        path = settings.database_url.split("///", 1)[-1]
        if not Path(path).exists():
            raise NotInitialisedError(
                f"no casegraph store in {_describe(settings)}: run `casegraph init` first "
                "(or pass --data-dir)"
            )
    engine = make_engine(settings.database_url)
    try:
        revision = migrate.current_revision(engine)
    except (OperationalError, ProgrammingError) as exc:
        engine.dispose()
        raise StoreError(f"cannot read the store in {_describe(settings)}: {exc.orig}") from exc
    if revision != migrate.head_revision():
        engine.dispose()
        raise NotInitialisedError(
            f"the store in {_describe(settings)} is not initialised or needs an upgrade: "
            "run `casegraph init`"
        )
    with engine.connect() as conn:
        values = _read_settings(conn)
    if VERIFIER_KEY not in values:
        engine.dispose()
        raise NotInitialisedError(
            f"the store in {_describe(settings)} has no audit log yet: run `casegraph init`"
        )
    labels = tuple(json.loads(values[MARKINGS_KEY]))
    purpose = frozenset(json.loads(values[PURPOSE_MARKINGS_KEY]))
    return Store(
        settings=settings,
        engine=engine,
        scheme=MarkingScheme(labels=labels, purpose_required=purpose),
        checkpoint_every=int(values[CHECKPOINT_EVERY_KEY]),
        origin=values[ORIGIN_KEY],
        verifier_key=values[VERIFIER_KEY],
    )


def _labels(markings: tuple[str, ...]) -> tuple[str, ...]:
    labels = tuple(m.strip().upper() for m in markings if m.strip())
    if not labels or len(set(labels)) != len(labels):
        raise InvalidInputError("markings must be a non-empty list of distinct labels")
    return labels


def _write_key(path: Path, key: SigningKey) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.touch(mode=0o600, exist_ok=False)
    path.write_text(key.private_key() + "\n", encoding="ascii")


def _init_audit(settings: Settings, conn: Connection, values: dict[str, str]) -> None:
    """The audit log's identity: an origin line and a signing key, made once."""
    if VERIFIER_KEY in values:
        return
    origin = f"casegraph/audit/{secrets.token_hex(8)}"
    key = SigningKey.generate(origin)
    path = settings.audit_key_path
    if path.exists():
        raise ConfigError(
            f"{path} already holds an audit signing key, but this store has none: move it "
            "away or set CASEGRAPH_AUDIT_KEY to a new path"
        )
    _write_key(path, key)
    try:
        _record_identity(conn, origin, key)
    except BaseException:
        path.unlink(missing_ok=True)  # the transaction rolls back: leave no orphan key
        raise


def _record_identity(conn: Connection, origin: str, key: SigningKey) -> None:
    conn.execute(
        insert(setting),
        [
            {"key": ORIGIN_KEY, "value": origin},
            {"key": VERIFIER_KEY, "value": key.verifier_key()},
        ],
    )
    conn.execute(insert(audit_head).values(id=1, size=0, frontier=json.dumps(Frontier().to_json())))


def init_store(
    settings: Settings,
    *,
    markings: tuple[str, ...] = DEFAULT_MARKINGS,
    purpose_markings: tuple[str, ...] | None = None,
    checkpoint_every: int = DEFAULT_CHECKPOINT_EVERY,
) -> Store:
    """Create or upgrade the schema; keeps existing data and settings. Safe to run twice."""
    labels = _labels(markings)
    purpose = _labels(purpose_markings) if purpose_markings else labels[1:]
    scheme = MarkingScheme(labels=labels, purpose_required=frozenset(purpose))
    if checkpoint_every < 1:
        raise InvalidInputError("--checkpoint-every must be at least 1")
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    engine = make_engine(settings.database_url)
    try:
        migrate.upgrade(engine)
        with engine.begin() as conn:
            values = _read_settings(conn)
            fresh = {
                MARKINGS_KEY: json.dumps(scheme.labels),
                PURPOSE_MARKINGS_KEY: json.dumps(sorted(scheme.purpose_required)),
                CHECKPOINT_EVERY_KEY: str(checkpoint_every),
            }
            missing = [{"key": k, "value": v} for k, v in fresh.items() if k not in values]
            if missing:
                conn.execute(insert(setting), missing)
            _init_audit(settings, conn, values)
    finally:
        engine.dispose()
    return open_store(settings)
