"""Opening and initialising the store. Every service receives a `Store`."""

from __future__ import annotations

import json
from dataclasses import dataclass

from sqlalchemy import Engine, insert, select
from sqlalchemy.exc import OperationalError, ProgrammingError

from casegraph.errors import NotInitialisedError, StoreError
from casegraph.settings import DEFAULT_MARKINGS, Settings
from casegraph.store import migrate
from casegraph.store.engine import make_engine
from casegraph.store.tables import setting

MARKINGS_KEY = "markings"


@dataclass(slots=True)
class Store:
    """An open store: its settings, engine and configured marking labels."""

    settings: Settings
    engine: Engine
    markings: tuple[str, ...]

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


def open_store(settings: Settings) -> Store:
    """Open an initialised store; tells the user to run `casegraph init` otherwise."""
    if settings.backend == "sqlite":
        path = settings.database_url.split("///", 1)[-1]
        from pathlib import Path

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
    if revision is None:
        engine.dispose()
        raise NotInitialisedError(
            f"the store in {_describe(settings)} is not initialised: run `casegraph init`"
        )
    if revision != migrate.head_revision():
        migrate.upgrade(engine)
    with engine.connect() as conn:
        raw = conn.execute(select(setting.c.value).where(setting.c.key == MARKINGS_KEY)).scalar()
    markings = tuple(json.loads(raw)) if raw else DEFAULT_MARKINGS
    return Store(settings=settings, engine=engine, markings=markings)


def init_store(settings: Settings, *, markings: tuple[str, ...] = DEFAULT_MARKINGS) -> Store:
    """Create or upgrade the schema; keeps existing data. Safe to run twice."""
    labels = tuple(m.strip().upper() for m in markings if m.strip())
    if not labels or len(set(labels)) != len(labels):
        from casegraph.errors import InvalidInputError

        raise InvalidInputError("markings must be a non-empty list of distinct labels")
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    engine = make_engine(settings.database_url)
    migrate.upgrade(engine)
    with engine.begin() as conn:
        exists = conn.execute(select(setting.c.value).where(setting.c.key == MARKINGS_KEY))
        if exists.scalar() is None:
            conn.execute(insert(setting).values(key=MARKINGS_KEY, value=json.dumps(labels)))
    engine.dispose()
    return open_store(settings)
