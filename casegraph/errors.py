"""The one exception tree of casegraph.

Every error a user can cause is a `CasegraphError`. The CLI maps the classes to exit
codes and the API to HTTP codes; nothing below those edges knows about either.
Messages are one clear sentence: what was wrong, where, and what to do.
"""


class CasegraphError(Exception):
    """Base class of every error casegraph reports to a user."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return self.message


class ConfigError(CasegraphError):
    """The settings (data directory, database URL, markings) are wrong or missing."""


class StoreError(CasegraphError):
    """The store cannot be opened, migrated or written."""


class NotInitialisedError(StoreError):
    """The data directory or database has not been initialised with `casegraph init`."""


class NotFoundError(CasegraphError):
    """An entity, dataset or run that was asked for does not exist."""


class InvalidInputError(CasegraphError):
    """A command argument or value given by the user is not valid."""


class QuerySyntaxError(InvalidInputError):
    """A search query does not parse; the message points at the column."""

    def __init__(self, message: str, *, query: str, position: int) -> None:
        self.query = query
        self.position = position
        pointer = " " * (position + 2) + "^"
        super().__init__(f"query error at column {position + 1}: {message}\n  {query}\n{pointer}")


class SourceError(CasegraphError):
    """A source file cannot be read at all (missing, unknown format, unreadable)."""


class MappingError(CasegraphError):
    """A mapping file is invalid: unknown schema, property or column, bad YAML."""


class RejectedInputError(CasegraphError):
    """Some input rows were rejected (or values would be dropped) and the user asked for
    `--strict`."""


class BusyError(CasegraphError):
    """Another process is running the same store-wide job (such as `resolve`)."""


class AuditIntegrityError(CasegraphError):
    """The audit log, a proof or a checkpoint does not verify: it was altered or is malformed."""


class AuthenticationError(CasegraphError):
    """Who is acting could not be established: unknown user, wrong password, bad token."""


class AccessDeniedError(CasegraphError):
    """The Policy refused an operation on something the actor is allowed to know about."""


class PurposeRequiredError(AccessDeniedError):
    """Reading this content or exporting needs a purpose (case reference or justification)."""
