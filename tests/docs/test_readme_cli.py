"""Every command and option the README shows exists in the CLI."""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import typer

from casegraph.cli.app import app

README = Path(__file__).resolve().parents[2] / "README.md"


def _readme_commands() -> list[list[str]]:
    text = README.read_text(encoding="utf-8").replace("\\\n", " ")
    commands = []
    for block in re.findall(r"```(?:sh)?\n(.*?)```", text, re.S):
        for line in block.splitlines():
            line = line.split("#", 1)[0].strip()
            if line.startswith("casegraph "):
                commands.append(shlex.split(line)[1:])
    return commands


def _options(words: list[str]) -> tuple[list[str], set[str]]:
    """The command path the words select, and every option name it accepts."""
    command: object = typer.main.get_command(app)
    names: set[str] = set()
    path: list[str] = []
    for word in words:
        names |= {opt for p in getattr(command, "params", []) for opt in p.opts}
        sub = getattr(command, "commands", {}).get(word)
        if sub is None:
            break
        command, path = sub, [*path, word]
    names |= {opt for p in getattr(command, "params", []) for opt in p.opts}
    return path, names


def test_readme_shows_only_real_commands_and_options() -> None:
    commands = _readme_commands()
    assert len(commands) >= 15
    for words in commands:
        path, options = _options(words)
        assert path, f"README shows an unknown command: casegraph {' '.join(words)}"
        for word in words:
            if word.startswith("-"):
                name = word.split("=", 1)[0]
                assert name in options, f"casegraph {' '.join(path)} has no option {name}"
