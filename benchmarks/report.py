"""Writing one benchmark's section into BENCHMARKS.md, between its markers."""

from __future__ import annotations

from pathlib import Path

BENCHMARKS_MD = Path(__file__).resolve().parent.parent / "BENCHMARKS.md"


def update_section(section: str, *, start: str, end: str, path: Path = BENCHMARKS_MD) -> None:
    """Replace the text between `start` and `end` with `section` (markers included),
    or append it when the markers are not there yet."""
    text = path.read_text(encoding="utf-8") if path.exists() else "# Benchmarks\n\n"
    if start in text and end in text:
        head, rest = text.split(start, 1)
        _, tail = rest.split(end, 1)
        text = head + section.rstrip("\n") + tail
    else:
        text = text.rstrip("\n") + "\n\n" + section
    path.write_text(text, encoding="utf-8")
