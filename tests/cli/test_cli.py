"""The CLI as a user meets it: help with examples, one-sentence errors, exit codes."""

from __future__ import annotations

from pathlib import Path

import orjson
import pytest
import typer

from casegraph.cli.app import app, main
from casegraph.settings import Settings
from tests.ingest.pipeline.conftest import register_rows, write_register


def _commands() -> list[list[str]]:
    """Every command and sub-command path of the CLI, discovered, not listed by hand."""
    paths: list[list[str]] = []

    def walk(cmd: object, path: list[str]) -> None:
        subcommands = getattr(cmd, "commands", None)
        if subcommands:
            for name, sub in subcommands.items():
                walk(sub, [*path, name])
        else:
            paths.append(path)

    walk(typer.main.get_command(app), [])
    return paths


def test_the_documented_commands_exist() -> None:
    found = {" ".join(p) for p in _commands()}
    for documented in [
        "init",
        "ingest",
        "datasets list",
        "datasets show",
        "datasets delete",
        "entity show",
        "export",
        "stats",
        "demo generate",
    ]:
        assert documented in found


@pytest.mark.parametrize("path", _commands(), ids=lambda p: " ".join(p))
def test_every_command_has_help_with_an_example(
    path: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    assert main([*path, "--help"]) == 0
    text = capsys.readouterr().out
    assert "Example" in text
    assert "casegraph " + path[0] in text


def test_commands_before_init_say_what_to_do(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("CASEGRAPH_DATABASE_URL", raising=False)
    code = main(["--data-dir", str(tmp_path / "empty"), "stats"])
    err = capsys.readouterr().err
    assert code == 3
    assert "run `casegraph init` first" in err
    assert "Traceback" not in err


def test_errors_are_one_sentence_without_traceback_unless_debug(
    cli_env: Settings, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["init"]) == 0
    capsys.readouterr()
    assert main(["entity", "show", "no-such-id"]) == 4
    err = capsys.readouterr().err
    assert "no entity with id 'no-such-id'" in err and "Traceback" not in err
    assert main(["--debug", "entity", "show", "no-such-id"]) == 4
    assert "Traceback" in capsys.readouterr().err
    assert main(["ingest", str(tmp_path / "missing.csv"), "-d", "x"]) == 5
    assert "no such file" in capsys.readouterr().err
    assert main(["ingest", str(tmp_path / "missing.csv"), "-d", "Bad Name"]) == 5
    assert "invalid dataset name 'Bad Name'" in capsys.readouterr().err


def test_ingest_show_export_and_stats_from_the_cli(
    cli_env: Settings,
    tmp_path: Path,
    mapping_file: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    data = write_register(tmp_path / "register.csv", register_rows(15))
    assert main(["init"]) == 0
    args = ["ingest", str(data), "-d", "register", "-m", str(mapping_file), "--marking", "public"]
    assert main([*args, "--title", "Register", "--retention", "P5Y", "-q"]) == 0
    out = capsys.readouterr().out
    assert "read 15, ingested 15, rejected 0 records" in out
    export = tmp_path / "out.jsonl"
    export.write_text("an earlier export\n", encoding="utf-8")
    export_args = ["export", "-f", "ftm", "--schema", "Person", "-o", str(export)]
    assert main(export_args) == 9  # an export is a disclosure: it needs a purpose
    assert "an export needs a purpose" in capsys.readouterr().err
    # A refused export leaves the output file as it was.
    assert export.read_text(encoding="utf-8") == "an earlier export\n"
    assert sorted(p.name for p in tmp_path.iterdir() if "out" in p.name) == ["out.jsonl"]
    assert main(["--purpose", "case:TEST-1", *export_args]) == 0
    people = [orjson.loads(line) for line in export.read_bytes().splitlines()]
    assert len(people) == 6 and all(p["schema"] == "Person" for p in people)
    capsys.readouterr()
    assert main(["entity", "show", people[0]["id"]]) == 0
    shown = capsys.readouterr().out
    assert "register.csv, row" in shown and people[0]["properties"]["name"][0] in shown
    assert main(["datasets", "show", "register"]) == 0
    shown = capsys.readouterr().out
    assert "PUBLIC" in shown and "P5Y" in shown and "completed" in shown
    assert main(["stats"]) == 0
    assert "Ownership" in capsys.readouterr().out
    assert main(["datasets", "delete", "register", "--yes"]) == 0
    assert main(["datasets", "list"]) == 0
    assert "no datasets yet" in capsys.readouterr().out


def test_strict_ingest_exits_6_and_names_the_rejects_file(
    cli_env: Settings, tmp_path: Path, mapping_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = write_register(tmp_path / "register.csv", register_rows(30, bad_every=10))
    assert main(["init"]) == 0
    rejects = tmp_path / "rejects.jsonl"
    code = main(
        [
            "ingest",
            str(data),
            "-d",
            "r",
            "-m",
            str(mapping_file),
            "--strict",
            "--rejects",
            str(rejects),
            "-q",
        ]
    )
    assert code == 6
    err = capsys.readouterr().err
    assert "3 of 30 records" in err and str(rejects) in err


def test_ingest_invalid_values_drop_value_reports_the_dropped_values_and_their_file(
    cli_env: Settings, tmp_path: Path, mapping_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    rows = register_rows(12)
    rows[2][4] = "bob@"  # row 3
    rows[6][2] = "1933-11-31"  # row 7
    data = write_register(tmp_path / "register.csv", rows)
    assert main(["init"]) == 0
    rejects = tmp_path / "rejects.jsonl"
    args = ["ingest", str(data), "-d", "r", "-m", str(mapping_file), "--rejects", str(rejects)]
    assert main([*args, "--invalid-values", "drop-value", "-q"]) == 0
    captured = capsys.readouterr()
    assert "read 12, ingested 12, rejected 0 records, dropped 2 values that do not clean" in (
        captured.out
    )
    assert "dropped: register.csv, row 3 (line 4), column 'email': 'bob@' is not" in captured.err
    assert f"dropped values written to {rejects}" in captured.err
    kinds = [orjson.loads(line)["kind"] for line in rejects.read_bytes().splitlines()]
    assert kinds == ["value dropped", "value dropped"]
    assert main(["datasets", "show", "r"]) == 0
    assert "dropped" in capsys.readouterr().out


def test_ingest_invalid_values_is_documented_and_checked(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["ingest", "--help"]) == 0
    text = capsys.readouterr().out
    assert "--invalid-values" in text and "drop-value" in text and "reject-row" in text
    assert main(["ingest", "x.csv", "-d", "x", "--invalid-values", "ignore"]) == 2


def test_an_unexpected_failure_is_reported_without_traceback(
    cli_env: Settings, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from casegraph.cli import stats_cmd

    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("disk on fire")

    assert main(["init"]) == 0
    monkeypatch.setattr(stats_cmd, "statistics", broken)
    assert main(["stats"]) == 70
    err = capsys.readouterr().err
    assert "internal error: RuntimeError: disk on fire" in err
    assert "Traceback" not in err
