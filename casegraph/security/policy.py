"""The one Policy: decides `(actor, operation, resource)` and scopes listings.

`decide` answers for one object with a `Decision(allowed, reason, rule)`. `read_scope`
describes the same rule for whole listings, so the services can put it inside the SQL
query: a user never sees ids, counts or names of data they cannot read. Tests check
that both agree on every dataset.

Rules, in the order they apply:
- `active`: a disabled account may do nothing;
- `role`: users and grants are for admins; the audit log is for auditors; content is
  for analysts (and admins, for reading);
- `separation-of-duties`: an auditor never sees content;
- `clearance`: a marking above the actor's clearance is out of reach;
- `grant`: anything but the open (lowest) marking needs a group grant, read or write,
  for admins too; writes always need a write grant, and a write that creates a dataset
  must give that grant to one of the writer's own groups;
- `purpose`: content under a purpose-required marking, and every export, needs a purpose.

`combine` (entity resolution) needs the analyst role, like a write, and otherwise reads:
an analyst combines what they may read, and the judgements are their own.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from casegraph.security.actor import Actor, Role
from casegraph.security.context import Context
from casegraph.security.markings import MarkingScheme


class Operation(StrEnum):
    READ = "read"  # consult content
    WRITE = "write"  # collect or alter content
    CREATE = "create"  # collect or alter into a dataset that this write creates
    EXPORT = "export"  # disclose content outside casegraph
    COMBINE = "combine"  # resolve entities: runs, match judgements, undoing merges
    ERASE = "erase"  # delete a dataset
    MANAGE_USERS = "manage-users"
    MANAGE_DATASETS = "manage-datasets"  # metadata and grants
    READ_AUDIT = "read-audit"


class Level(StrEnum):
    READ = "read"
    WRITE = "write"


@dataclass(frozen=True, slots=True)
class DatasetRef:
    """What the Policy needs to know about a dataset."""

    name: str
    marking: str
    grants: frozenset[tuple[str, Level]] = frozenset()

    def level_for(self, groups: frozenset[str]) -> Level | None:
        levels = {level for group, level in self.grants if group in groups}
        if Level.WRITE in levels:
            return Level.WRITE
        return Level.READ if levels else None


@dataclass(frozen=True, slots=True)
class Decision:
    allowed: bool
    reason: str
    rule: str

    @property
    def label(self) -> str:
        return "allow" if self.allowed else "deny"


def allow(reason: str, rule: str) -> Decision:
    return Decision(True, reason, rule)


def deny(reason: str, rule: str) -> Decision:
    return Decision(False, reason, rule)


@dataclass(frozen=True, slots=True)
class Scope:
    """The datasets an actor may read, as data the services turn into SQL:
    `marking IN markings AND (marking = open OR a grant of one of groups)`."""

    markings: frozenset[str]
    open_marking: str | None
    groups: frozenset[str]

    @property
    def empty(self) -> bool:
        return not self.markings

    def admits(self, ref: DatasetRef) -> bool:
        if ref.marking not in self.markings:
            return False
        return ref.marking == self.open_marking or ref.level_for(self.groups) is not None


NOTHING = Scope(markings=frozenset(), open_marking=None, groups=frozenset())
CONTENT_ROLES = frozenset({Role.ANALYST, Role.ADMIN})


class Policy:
    def __init__(self, scheme: MarkingScheme) -> None:
        self.scheme = scheme

    def decide(self, ctx: Context, op: Operation, dataset: DatasetRef | None = None) -> Decision:
        actor = ctx.actor
        if not actor.active:
            return deny(f"the account {actor.name!r} is disabled", "active")
        if op is Operation.READ_AUDIT:
            if actor.has(Role.AUDITOR):
                return allow("auditors read the audit log", "role:auditor")
            return deny("only auditors read the audit log", "role:auditor")
        if op in (Operation.MANAGE_USERS, Operation.MANAGE_DATASETS, Operation.ERASE):
            if actor.has(Role.ADMIN):
                return allow("admins manage users and datasets", "role:admin")
            return deny(f"{op.value} is for admins", "role:admin")
        return self._decide_content(ctx, op, dataset)

    def _decide_content(self, ctx: Context, op: Operation, dataset: DatasetRef | None) -> Decision:
        actor = ctx.actor
        if actor.is_auditor:
            return deny("auditors see no content", "separation-of-duties")
        writing = op in (Operation.WRITE, Operation.CREATE, Operation.COMBINE)
        needed = {Role.ANALYST} if writing else CONTENT_ROLES
        if not needed & actor.roles:
            return deny(f"{op.value} needs the analyst role", "role:analyst")
        if dataset is None:
            if op is Operation.COMBINE:  # within the read scope, decided per dataset
                return allow("analysts combine the entities they may read", "role:analyst")
            raise ValueError(f"{op.value} is decided per dataset")
        if self.scheme.rank(dataset.marking) > self.scheme.rank(actor.clearance):
            return deny(
                f"{dataset.marking} is above the clearance {actor.clearance or 'none'}",
                "clearance",
            )
        level = dataset.level_for(actor.groups)
        if op is Operation.CREATE:
            owners = sorted(
                g for g, lv in dataset.grants if lv is Level.WRITE and g in actor.groups
            )
            if not owners:
                return deny(
                    f"the new dataset {dataset.name} must belong to one of your groups", "grant"
                )
            return allow(f"new dataset {dataset.name}, write grant to {owners[0]}", "create")
        if op is Operation.WRITE:
            if level is not Level.WRITE:
                return deny(f"no write grant on {dataset.name}", "grant")
            return allow(f"write grant on {dataset.name}", "grant")
        if level is None and dataset.marking != self.scheme.open:
            return deny(f"no grant on {dataset.name}", "grant")
        needs_purpose = op is Operation.EXPORT or dataset.marking in self.scheme.purpose_required
        if needs_purpose and ctx.purpose is None:
            what = "an export" if op is Operation.EXPORT else f"{dataset.marking} content"
            return deny(f"{what} needs a purpose", "purpose")
        rule = "grant" if level is not None else "open-marking"
        return allow(f"{op.value} of {dataset.name} ({dataset.marking})", rule)

    def decide_token(self, ctx: Context, owner: str) -> Decision:
        """Active users manage their own API tokens; admins anyone's."""
        if ctx.actor.active and owner == ctx.actor.name:
            return allow("a user manages their own tokens", "own-token")
        return self.decide(ctx, Operation.MANAGE_USERS)

    def sees_all_metadata(self, ctx: Context) -> bool:
        """Admins and auditors see every dataset's name, marking and grants (managing
        and overseeing datasets is their work); counts and content stay in scope."""
        return ctx.actor.active and bool({Role.ADMIN, Role.AUDITOR} & ctx.actor.roles)

    def read_scope(self, ctx: Context, *, with_purpose: bool | None = None) -> Scope:
        """What `ctx` may read. `with_purpose` overrides whether a purpose counts as given,
        to tell "needs a purpose" apart from "does not exist"."""
        actor = ctx.actor
        if not actor.active or actor.is_auditor or not CONTENT_ROLES & actor.roles:
            return NOTHING
        markings = self.scheme.at_most(actor.clearance)
        has_purpose = ctx.purpose is not None if with_purpose is None else with_purpose
        if not has_purpose:
            markings = markings - self.scheme.purpose_required
        return Scope(markings=markings, open_marking=self.scheme.open, groups=actor.groups)


def content_reader(actor: Actor) -> bool:
    return actor.active and not actor.is_auditor and bool(CONTENT_ROLES & actor.roles)
