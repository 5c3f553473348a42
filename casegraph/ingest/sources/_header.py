"""Checking a header row: every column needs a name, and names must be unique."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable


def header_problem(names: list[str], column: Callable[[int], str]) -> str | None:
    """What is wrong with a header of cleaned `names`, or `None`.

    `column` turns a 1-based position into how users see it (`3` or `C`).
    """
    blank = [column(i) for i, name in enumerate(names, 1) if not name]
    if blank:
        return (
            f"has no name for column {', '.join(blank)} (of {len(names)}); "
            "give every column a name in the header row"
        )
    repeated = [name for name, count in Counter(names).items() if count > 1]
    if repeated:
        positions = {
            name: ", ".join(column(i) for i, n in enumerate(names, 1) if n == name)
            for name in repeated
        }
        shown = "; ".join(f"{name!r} (columns {where})" for name, where in positions.items())
        return f"repeats the column name {shown}; make every column name unique"
    return None
