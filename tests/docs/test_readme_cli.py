"""Every command and option the README and the security model show exists in the CLI."""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import pytest
import typer

from casegraph.cli.app import app

ROOT = Path(__file__).resolve().parents[2]
README = ROOT / "README.md"
ENV_ASSIGNMENT = re.compile(r"^[A-Z_]+=")
COMMAND_LINE = re.compile(r"^(?:[A-Z_]+=\S*\s+)*casegraph\s")


def _readme_commands(document: Path = README) -> list[list[str]]:
    text = document.read_text(encoding="utf-8").replace("\\\n", " ")
    commands = []
    inside = False
    for raw in text.splitlines():
        line = raw.strip()
        if line.startswith("```"):
            inside = not inside  # fences pair up line by line, indented ones too
            continue
        if not inside:
            continue
        line = line.split(" #", 1)[0].strip()
        if not COMMAND_LINE.match(line):
            continue
        words = shlex.split(line)
        while words and ENV_ASSIGNMENT.match(words[0]):
            words = words[1:]  # CASEGRAPH_PASSWORD=… casegraph init
        commands.append(words[1:])
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


@pytest.mark.parametrize(
    ("document", "at_least"), [("README.md", 25), ("docs/security-model.md", 8)]
)
def test_docs_show_only_real_commands_and_options(document: str, at_least: int) -> None:
    commands = _readme_commands(ROOT / document)
    assert len(commands) >= at_least
    for words in commands:
        path, options = _options(words)
        assert path, f"README shows an unknown command: casegraph {' '.join(words)}"
        for word in words:
            if word.startswith("-"):
                name = word.split("=", 1)[0]
                assert name in options, f"casegraph {' '.join(path)} has no option {name}"
