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
    """The command path the words select, and every option name it accepts.

    Options of a group (`casegraph --purpose case:C-7 export …`) may come before its
    sub-command; they and their values are skipped while looking for it.
    """
    command: object = typer.main.get_command(app)
    names: set[str] = set()
    path: list[str] = []
    rest = iter(words)
    for word in rest:
        params = {opt: p for p in getattr(command, "params", []) for opt in _names(p)}
        names |= set(params)
        if word.startswith("-") and getattr(command, "commands", None):
            param = params.get(word.split("=", 1)[0])
            if param is not None and "=" not in word and not getattr(param, "is_flag", False):
                next(rest, None)  # the option's value
            continue
        sub = getattr(command, "commands", {}).get(word)
        if sub is None:
            break
        command, path = sub, [*path, word]
    names |= {opt for p in getattr(command, "params", []) for opt in _names(p)}
    return path, names


def _names(param: object) -> list[str]:
    """An option's names, with the `--no-…` half of a boolean flag pair."""
    return [*getattr(param, "opts", []), *getattr(param, "secondary_opts", [])]


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
