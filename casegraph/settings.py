"""Where casegraph keeps its data, read from flags and the environment.

`--data-dir` / `CASEGRAPH_DATA_DIR` names the data directory (the SQLite file, reject
reports). `CASEGRAPH_DATABASE_URL` points the store at PostgreSQL instead.
`CASEGRAPH_NAME_MODEL` names a learned romanisation model for searching names written
in other scripts (see docs/search.md); without one, the untrained keys are used.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from casegraph.errors import ConfigError

DEFAULT_MARKINGS = ("PUBLIC", "INTERNAL", "RESTRICTED")
SQLITE_FILE = "casegraph.sqlite"
AUDIT_KEY_FILE = "audit-signing.key"
#: A signed checkpoint is made every this many audit events (and on demand).
DEFAULT_CHECKPOINT_EVERY = 1000


def default_data_dir() -> Path:
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / "casegraph"


@dataclass(frozen=True, slots=True)
class Settings:
    data_dir: Path
    database_url: str
    name_model: Path | None = None

    @property
    def rejects_dir(self) -> Path:
        return self.data_dir / "rejects"

    @property
    def audit_key_path(self) -> Path:
        """The Ed25519 key that signs audit checkpoints; kept outside the database so
        that someone who can only write the database cannot re-sign a rewritten log."""
        env = os.environ.get("CASEGRAPH_AUDIT_KEY")
        return Path(env).expanduser() if env else self.data_dir / AUDIT_KEY_FILE

    @property
    def backend(self) -> str:
        return self.database_url.split(":", 1)[0].split("+", 1)[0]


def load_settings(
    *,
    data_dir: Path | None = None,
    database_url: str | None = None,
    name_model: Path | None = None,
) -> Settings:
    """Resolve settings: explicit arguments win over the environment, then defaults."""
    env_dir = os.environ.get("CASEGRAPH_DATA_DIR")
    resolved_dir = data_dir or (Path(env_dir) if env_dir else default_data_dir())
    resolved_dir = resolved_dir.expanduser()
    url = database_url or os.environ.get("CASEGRAPH_DATABASE_URL")
    if not url:
        url = f"sqlite:///{resolved_dir / SQLITE_FILE}"
    if not (url.startswith("sqlite") or url.startswith("postgresql")):
        raise ConfigError(
            f"unsupported database URL {url.split(':', 1)[0]!r}: use sqlite:///PATH or "
            "postgresql+psycopg://USER@HOST/DB"
        )
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://") :]
    env_model = os.environ.get("CASEGRAPH_NAME_MODEL")
    model = name_model or (Path(env_model).expanduser() if env_model else None)
    return Settings(data_dir=resolved_dir, database_url=url, name_model=model)
