"""Why an actor acts: a case reference or a written justification."""

from __future__ import annotations

import re
from dataclasses import dataclass

from casegraph.errors import InvalidInputError

CASE_PREFIX = "case:"
CASE_REF = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._/\-]{0,63}$")
#: A justification shorter than this is not one ("x", "test", "work").
MIN_JUSTIFICATION = 10


@dataclass(frozen=True, slots=True)
class Purpose:
    """`case:C-2026-014` names a case; anything else is a written justification."""

    text: str

    @property
    def case(self) -> str | None:
        return self.text[len(CASE_PREFIX) :] if self.text.startswith(CASE_PREFIX) else None

    def __str__(self) -> str:
        return self.text


def parse_purpose(text: str | None) -> Purpose | None:
    """None for a missing or blank purpose; an error for one that is not a purpose."""
    if text is None or not text.strip():
        return None
    value = " ".join(text.split())
    if value.lower().startswith(CASE_PREFIX):
        ref = value[len(CASE_PREFIX) :].strip()
        if not CASE_REF.match(ref):
            raise InvalidInputError(
                f"invalid case reference {ref!r} in the purpose: use case:REF with letters, "
                "digits, '.', '_', '/' or '-', e.g. case:C-2026-014"
            )
        return Purpose(CASE_PREFIX + ref)
    if len(value) < MIN_JUSTIFICATION:
        raise InvalidInputError(
            f"the purpose {value!r} is too short to justify access: give a case reference "
            f"(case:C-2026-014) or a justification of at least {MIN_JUSTIFICATION} characters"
        )
    return Purpose(value)
