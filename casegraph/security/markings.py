"""The marking scheme: ordered sensitivity labels and which of them need a purpose."""

from __future__ import annotations

from dataclasses import dataclass

from casegraph.errors import InvalidInputError


@dataclass(frozen=True, slots=True)
class MarkingScheme:
    """`labels` run from least to most sensitive. The lowest is open: any analyst may
    read it without a group grant. `purpose_required` lists the markings whose content
    may only be read with a stated purpose (by default every label but the lowest)."""

    labels: tuple[str, ...]
    purpose_required: frozenset[str]

    @classmethod
    def default_for(cls, labels: tuple[str, ...]) -> MarkingScheme:
        return cls(labels=labels, purpose_required=frozenset(labels[1:]))

    def __post_init__(self) -> None:
        unknown = self.purpose_required - set(self.labels)
        if unknown:
            raise InvalidInputError(
                f"purpose markings {', '.join(sorted(unknown))} are not among the "
                f"configured markings {', '.join(self.labels)}"
            )

    @property
    def open(self) -> str:
        return self.labels[0]

    def rank(self, label: str) -> int:
        """-1 for an unknown label (a clearance of nothing)."""
        try:
            return self.labels.index(label)
        except ValueError:
            return -1

    def at_most(self, clearance: str) -> frozenset[str]:
        top = self.rank(clearance)
        return frozenset(self.labels[: top + 1])
