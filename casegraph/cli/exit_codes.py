"""The one place where errors become exit codes."""

from __future__ import annotations

from casegraph.errors import (
    AccessDeniedError,
    AuditIntegrityError,
    AuthenticationError,
    BusyError,
    CasegraphError,
    ConfigError,
    InvalidInputError,
    MappingError,
    NotFoundError,
    NotInitialisedError,
    RejectedInputError,
    SourceError,
    StoreError,
)

USAGE = 2
INTERNAL = 70

#: Most specific class first.
EXIT_CODES: tuple[tuple[type[CasegraphError], int], ...] = (
    (NotInitialisedError, 3),
    (ConfigError, 3),
    (NotFoundError, 4),
    (RejectedInputError, 6),
    (SourceError, 5),
    (MappingError, 5),
    (InvalidInputError, 5),
    (StoreError, 7),
    (AuthenticationError, 8),
    (AccessDeniedError, 9),
    (AuditIntegrityError, 10),
    (BusyError, 11),
    (CasegraphError, 1),
)


def exit_code_for(error: CasegraphError) -> int:
    for cls, code in EXIT_CODES:
        if isinstance(error, cls):
            return code
    return 1
