"""The `Context` every service call takes: who acts and why."""

from __future__ import annotations

from dataclasses import dataclass

from casegraph.security.actor import Actor
from casegraph.security.purpose import Purpose


@dataclass(frozen=True, slots=True)
class Context:
    actor: Actor
    purpose: Purpose | None = None

    @property
    def purpose_text(self) -> str | None:
        return None if self.purpose is None else self.purpose.text
