"""The CLI acts as a user: `user` and `token` commands, dataset grants and markings,
`--purpose`, and no command working without credentials."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import pytest
import typer

from casegraph.cli.app import app, main
from casegraph.services import authentication
from casegraph.services.store import Store
from casegraph.settings import Settings
from tests.conftest import OWNER, OWNER_PASSWORD
from tests.helpers import context_for

NEW_PASSWORD = "bobs-password-123"
PURPOSE = "case:CLI-1"


class Runner:
    """Runs `casegraph` in-process and returns (exit code, stdout, stderr)."""

    def __init__(
        self,
        capsys: pytest.CaptureFixture[str],
        monkeypatch: pytest.MonkeyPatch,
        owner_token: str,
    ) -> None:
        self.capsys = capsys
        self.monkeypatch = monkeypatch
        self.owner_token = owner_token

    def __call__(self, *args: str) -> tuple[int, str, str]:
        self.capsys.readouterr()
        code = main(list(args))
        captured = self.capsys.readouterr()
        assert "Traceback" not in captured.err, captured.err
        return code, captured.out, captured.err

    def ok(self, *args: str) -> str:
        code, out, err = self(*args)
        assert code == 0, (args, out, err)
        return out

    def act_as(self, user: str | None, password: str | None = None) -> None:
        """Who the next commands act as: a user with a password, or (None) nobody."""
        self.monkeypatch.delenv("CASEGRAPH_TOKEN", raising=False)
        if user is None:
            self.monkeypatch.delenv("CASEGRAPH_USER", raising=False)
            self.monkeypatch.delenv("CASEGRAPH_PASSWORD", raising=False)
            return
        self.monkeypatch.setenv("CASEGRAPH_USER", user)
        self.monkeypatch.setenv("CASEGRAPH_PASSWORD", password or "")

    def use_token(self, token: str) -> None:
        self.act_as(None)
        self.monkeypatch.setenv("CASEGRAPH_TOKEN", token)

    def as_owner(self) -> None:
        """Act as the owner, with a token (a password login costs an argon2 hash)."""
        self.use_token(self.owner_token)


@pytest.fixture
def cli(
    store: Store,
    cli_env: Settings,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> Runner:
    """The CLI on an initialised store, acting as its owner (with a token)."""
    monkeypatch.setenv("CASEGRAPH_NEW_PASSWORD", NEW_PASSWORD)
    token, _ = authentication.create_token(store, context_for(store, OWNER))
    runner = Runner(capsys, monkeypatch, token)
    runner.as_owner()
    return runner


def _ftm_file(tmp_path: Path, name: str = "leak.ftm.jsonl") -> Path:
    path = tmp_path / name
    entity = {"id": "p1", "schema": "Person", "properties": {"name": ["Ivan Petrov"]}}
    path.write_text(json.dumps(entity) + "\n", encoding="utf-8")
    return path


def test_user_add_list_grant_and_disable(cli: Runner) -> None:
    out = cli.ok(
        "user", "add", "bob", "--role", "analyst", "-g", "desk-a", "--clearance", "RESTRICTED"
    )
    assert "user bob created" in out and "desk-a" in out and "RESTRICTED" in out
    out = cli.ok("user", "add", "dpo", "--role", "auditor", "--no-password")
    assert "auditor" in out

    listing = cli.ok("user", "list")
    rows = {line.split()[1]: line for line in listing.splitlines() if "│" in line[:2]}
    assert {OWNER, "bob", "dpo"} <= set(rows)
    assert "analyst" in rows["bob"] and "desk-a" in rows["bob"] and "active" in rows["bob"]
    assert "RESTRICTED" in rows["bob"]

    out = cli.ok(
        "user", "grant", "bob", "-g", "desk-b", "--leave", "desk-a", "--clearance", "INTERNAL"
    )
    assert "groups desk-b" in out and "clearance INTERNAL" in out

    # Bob can act with the password he was given ...
    cli.act_as("bob", NEW_PASSWORD)
    cli.ok("datasets", "list")
    # ... until an admin disables him.
    cli.act_as(OWNER, OWNER_PASSWORD)
    assert "user bob disabled" in cli.ok("user", "disable", "bob")
    assert "disabled" in cli.ok("user", "list")
    cli.act_as("bob", NEW_PASSWORD)
    code, _, err = cli("datasets", "list")
    assert code == 8 and "disabled" in err


def test_user_commands_refuse_what_is_wrong(cli: Runner) -> None:
    code, _, err = cli("user", "add", "dpo", "--role", "auditor,analyst", "--no-password")
    assert code == 5 and "separation of duties" in err
    code, _, err = cli("user", "add", "eve", "--role", "root", "--no-password")
    assert code == 5 and "unknown role root" in err
    code, _, err = cli("user", "disable", "nobody")
    assert code == 4 and "no user named 'nobody'" in err

    cli.ok("user", "add", "bob", "--role", "analyst", "-g", "desk-a", "--no-password")
    cli.use_token(cli.ok("token", "create", "--user", "bob").strip())
    for command in (
        ["user", "add", "eve", "--role", "admin", "--no-password"],
        ["user", "list"],
        ["user", "grant", "bob", "--role", "admin"],
        ["user", "disable", OWNER],
    ):
        code, _, err = cli(*command)
        assert code == 9, (command, err)
        assert "admins" in err


def test_wrong_passwords_exit_8(cli: Runner) -> None:
    cli.act_as(OWNER, "not-the-password")
    code, out, err = cli("datasets", "list")
    assert (code, out) == (8, "")
    assert "wrong user name or password" in err
    cli.act_as("nobody", "not-the-password")
    code, _, err2 = cli("datasets", "list")
    assert code == 8 and err2 == err.replace(OWNER, "nobody")


def test_a_token_is_printed_once_works_and_stops_when_revoked(cli: Runner) -> None:
    code, out, err = cli("token", "create", "--label", "ci", "--expires-days", "7")
    assert code == 0
    token = out.strip()
    assert token.startswith("cgt_") and token.count("_") == 2
    token_id = token.split("_")[1]
    assert f"token {token_id} for {OWNER}" in err and "shown only now" in err
    assert token not in err

    cli.use_token(token)
    cli.ok("datasets", "list")
    # A token acts for its user; the user acts with it for anything, e.g. new users.
    assert "user carol created" in cli.ok("user", "add", "carol", "--no-password")

    out = cli.ok("token", "revoke", token_id)
    assert f"token {token_id} of {OWNER} revoked" in out
    code, out, err = cli("datasets", "list")
    assert (code, out) == (8, "")
    assert "revoked" in err


def test_tokens_for_others_and_revoking_them(cli: Runner) -> None:
    cli.ok("user", "add", "bob", "--role", "analyst", "-g", "desk-a")
    cli.ok("user", "add", "carol", "--role", "analyst", "-g", "desk-a")
    bob = cli.ok("token", "create", "--user", "bob").strip()
    carol = cli.ok("token", "create", "--user", "carol").strip()

    cli.use_token(bob)
    code, _, err = cli("token", "create", "--user", "carol")
    assert code == 9
    # Bob cannot revoke Carol's token, and is told it does not exist.
    carol_id = carol.split("_")[1]
    code, _, err = cli("token", "revoke", carol_id)
    assert code == 4 and f"no token with id {carol_id!r}" in err
    cli.use_token(carol)
    cli.ok("datasets", "list")

    cli.use_token(bob)
    cli.ok("token", "revoke", bob.split("_")[1])
    code, _, err = cli("stats")
    assert code == 8 and "revoked" in err


def test_garbage_tokens_exit_8(cli: Runner) -> None:
    for token in ("cgt_nope_nope", "hello"):
        cli.use_token(token)
        code, out, err = cli("stats")
        assert (code, out) == (8, "")
        assert "unknown token" in err and "token create" in err


def test_dataset_grants_and_markings_decide_who_reads(cli: Runner, tmp_path: Path) -> None:
    cli.ok("ingest", str(_ftm_file(tmp_path)), "-d", "leak")
    cli.ok("user", "add", "bob", "--role", "analyst", "-g", "desk-a", "--clearance", "RESTRICTED")
    entity_id = json.loads(cli.ok("--purpose", PURPOSE, "export", "-d", "leak").splitlines()[0])[
        "id"
    ]

    bob = cli.ok("token", "create", "--user", "bob").strip()

    def bob_reads() -> int:
        cli.use_token(bob)
        code, _, _ = cli("--purpose", PURPOSE, "entity", "show", entity_id)
        cli.as_owner()
        return code

    assert bob_reads() == 4  # INTERNAL, no grant: as if it did not exist
    assert "group desk-a may now read dataset leak" in cli.ok("datasets", "grant", "leak", "desk-a")
    assert "desk-a (read)" in cli.ok("datasets", "show", "leak")
    assert bob_reads() == 0
    assert "may now write" in cli.ok("datasets", "grant", "leak", "desk-a", "--write")
    assert "desk-a (write)" in cli.ok("datasets", "show", "leak")

    assert "is now marked RESTRICTED" in cli.ok("datasets", "mark", "leak", "RESTRICTED")
    assert "RESTRICTED" in cli.ok("datasets", "list")
    assert bob_reads() == 0  # cleared for RESTRICTED
    cli.ok("user", "grant", "bob", "--clearance", "INTERNAL")
    assert bob_reads() == 4  # above his clearance now
    cli.ok("user", "grant", "bob", "--clearance", "RESTRICTED")

    assert "no grant on dataset leak" in cli.ok("datasets", "revoke", "leak", "desk-a")
    assert bob_reads() == 4

    code, _, err = cli("datasets", "mark", "leak", "SECRET")
    assert code == 5 and "unknown marking" in err
    code, _, err = cli("datasets", "grant", "nothing-here", "desk-a")
    assert code == 4

    cli.use_token(bob)
    for command in (
        ["datasets", "grant", "leak", "desk-a"],
        ["datasets", "revoke", "leak", "owners"],
        ["datasets", "mark", "leak", "PUBLIC"],
        ["datasets", "delete", "leak", "--yes"],
    ):
        code, _, err = cli(*command)
        assert code == 9 and "admins" in err, (command, err)


def test_a_missing_purpose_exits_9_with_advice(cli: Runner, tmp_path: Path) -> None:
    cli.ok("ingest", str(_ftm_file(tmp_path)), "-d", "leak")  # INTERNAL by default
    entity_id = json.loads(cli.ok("--purpose", PURPOSE, "export").splitlines()[0])["id"]
    for command in (
        ["entity", "show", entity_id],
        ["export"],
        ["export", "-f", "csv", "-d", "leak"],
        ["--purpose", "  ", "export"],
    ):
        code, out, err = cli(*command)
        assert code == 9, (command, err)
        assert out == ""
        assert "needs a purpose" in err and "--purpose" in err, err
    code, _, err = cli("--purpose", "x", "entity", "show", entity_id)
    assert code == 5 and "too short" in err
    code, _, err = cli("--purpose", "case:bad ref!", "entity", "show", entity_id)
    assert code == 5 and "invalid case reference" in err
    assert entity_id in cli.ok(
        "--purpose", "checking the registry entry", "entity", "show", entity_id
    )


#: Commands that work without acting as a user: `init` makes the first user, `demo
#: generate` writes files without opening a store, and `audit check-proof` checks a
#: proof offline against an exported checkpoint (what an outside verifier runs).
#: Commands that touch no store: `train-names` learns from a local file.
NO_CREDENTIALS = {("init",), ("demo", "generate"), ("audit", "check-proof"), ("train-names",)}


def _leaf_commands(command: Any, path: tuple[str, ...] = ()) -> list[tuple[tuple[str, ...], Any]]:
    """Every runnable command of the (Typer-built click) command tree, by its path."""
    subcommands = getattr(command, "commands", None)
    if subcommands is None:
        return [(path, command)]
    found = []
    for name, sub in sorted(subcommands.items()):
        found += _leaf_commands(sub, (*path, name))
    return found


def _minimal_args(command: Any, existing: Path) -> list[str]:
    """Just enough arguments and required options for the command to run: an existing
    file for a path, `1` (a number, a name) for anything else."""
    args: list[str] = []
    for param in command.params:
        if not param.required:
            continue
        value = str(existing) if param.name in {"path", "out_dir"} else "1"
        if param.param_type_name == "option":
            args += [param.opts[0], value]
        else:
            args.append(value)
    return args


def test_no_command_works_without_credentials(cli: Runner, tmp_path: Path) -> None:
    cli.act_as(None)
    existing = _ftm_file(tmp_path)
    commands = _leaf_commands(typer.main.get_command(app))
    assert len(commands) >= 20
    checked = []
    for path, command in commands:
        if path in NO_CREDENTIALS:
            continue
        args = [*path, *_minimal_args(command, existing)]
        if path == ("datasets", "delete"):
            args.append("--yes")
        for argv in (args, ["--purpose", PURPOSE, *args]):
            code, out, err = cli(*argv)
            assert code == 8, (argv, out, err)
            assert "--user" in err and "CASEGRAPH_TOKEN" in err, err
            assert out == ""
        checked.append(path)
    assert {("user", "add"), ("token", "create"), ("export",), ("stats",)} <= set(checked)


def test_init_with_token_prints_a_working_owner_token_once(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CASEGRAPH_DATA_DIR", str(tmp_path / "fresh"))
    monkeypatch.delenv("CASEGRAPH_DATABASE_URL", raising=False)
    for name in ("CASEGRAPH_USER", "CASEGRAPH_PASSWORD", "CASEGRAPH_TOKEN"):
        monkeypatch.delenv(name, raising=False)
    assert main(["init", "--owner", "zed", "--token"]) == 0
    printed = capsys.readouterr().out
    token = next(line for line in printed.splitlines() if line.startswith("cgt_"))
    monkeypatch.setenv("CASEGRAPH_TOKEN", token)
    assert main(["datasets", "list"]) == 0
    assert "no datasets" in capsys.readouterr().out
    # A second init keeps the owner and prints no new token.
    assert main(["init", "--owner", "zed", "--token"]) == 0
    assert "cgt_" not in capsys.readouterr().out
    stored = (tmp_path / "fresh" / "casegraph.sqlite").read_bytes()
    assert token.split("_")[2].encode() not in stored


def test_init_again_asks_for_no_password(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CASEGRAPH_DATA_DIR", str(tmp_path / "again"))
    monkeypatch.delenv("CASEGRAPH_DATABASE_URL", raising=False)
    monkeypatch.setenv("CASEGRAPH_PASSWORD", "first-password-123")
    assert main(["init", "--owner", "zed"]) == 0
    assert "owner account zed created" in capsys.readouterr().out
    monkeypatch.delenv("CASEGRAPH_PASSWORD")
    monkeypatch.setattr("sys.stdin", io.StringIO(""))  # a prompt would abort
    assert main(["init", "--owner", "zed"]) == 0
    assert "owner account" not in capsys.readouterr().out
