"""Who acts: a user with roles, groups and a clearance."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from casegraph.errors import InvalidInputError


class Role(StrEnum):
    """What a user is for. Auditors are kept apart from content (separation of duties)."""

    ADMIN = "admin"  # manages users, groups, grants and datasets
    ANALYST = "analyst"  # ingests, reads, corrects and exports data
    AUDITOR = "auditor"  # reads the audit log and access reports, never content


def parse_roles(text: str) -> frozenset[Role]:
    """`analyst,admin` → roles; refuses unknown names and auditor mixed with content roles."""
    names = [part.strip().lower() for part in text.split(",") if part.strip()]
    known = {r.value for r in Role}
    unknown = [n for n in names if n not in known]
    if unknown or not names:
        raise InvalidInputError(
            f"unknown role {', '.join(unknown) or '(none)'}: use one or more of "
            f"{', '.join(sorted(known))}"
        )
    roles = frozenset(Role(n) for n in names)
    check_roles(roles)
    return roles


def check_roles(roles: frozenset[Role]) -> frozenset[Role]:
    if Role.AUDITOR in roles and len(roles) > 1:
        raise InvalidInputError(
            "the auditor role cannot be combined with admin or analyst: whoever audits "
            "access must not be able to read the content (separation of duties)"
        )
    return roles


@dataclass(frozen=True, slots=True)
class Actor:
    """An authenticated user as the Policy sees them."""

    name: str
    roles: frozenset[Role]
    groups: frozenset[str]
    clearance: str
    active: bool = True

    @property
    def is_auditor(self) -> bool:
        return Role.AUDITOR in self.roles

    def has(self, role: Role) -> bool:
        return role in self.roles


#: Acts for the software itself (creating the owner at `init`); holds no content rights.
SYSTEM = Actor(name="casegraph", roles=frozenset(), groups=frozenset(), clearance="")
