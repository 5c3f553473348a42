"""The `casegraph` command: global options, sub-commands and error handling.

Errors from the services are one sentence on stderr and a documented exit code;
a traceback appears only with `--debug`.
"""

from __future__ import annotations

import sys
import traceback
from pathlib import Path
from typing import Annotated

import typer
from rich.text import Text

from casegraph import __version__
from casegraph.cli import (
    audit_cmd,
    datasets_cmd,
    demo_cmd,
    entity_cmd,
    export_cmd,
    ingest_cmd,
    init_cmd,
    names_cmd,
    resolve_cmd,
    review_cmd,
    search_cmd,
    stats_cmd,
    token_cmd,
    user_cmd,
)
from casegraph.cli.exit_codes import INTERNAL, USAGE, exit_code_for
from casegraph.cli.state import State, err
from casegraph.errors import CasegraphError

app = typer.Typer(
    name="casegraph",
    help=(
        "casegraph: bring records from many sources into one entity model, with "
        "provenance for every value.\n\n"
        "Examples:\n\n"
        "  casegraph init\n\n"
        "  casegraph ingest registry.csv --dataset registry --mapping registry.yml\n\n"
        "  casegraph stats\n\n"
        "Exit codes: 0 ok, 1 error, 2 usage, 3 not initialised or misconfigured, 4 not "
        "found, 5 bad input, 6 rejected under --strict, 7 store error, 8 not "
        "authenticated, 9 access denied or purpose missing, 10 audit log does not verify, "
        "11 busy (another run of the same job), 70 internal error."
    ),
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
    rich_markup_mode=None,
)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"casegraph {__version__}")
        raise typer.Exit()


@app.callback()
def root(
    ctx: typer.Context,
    data_dir: Annotated[
        Path | None,
        typer.Option(
            "--data-dir",
            envvar="CASEGRAPH_DATA_DIR",
            help="Data directory (SQLite store, reject reports). "
            "Default: ~/.local/share/casegraph. PostgreSQL: set CASEGRAPH_DATABASE_URL.",
        ),
    ] = None,
    user: Annotated[
        str | None,
        typer.Option(
            "--user",
            envvar="CASEGRAPH_USER",
            help="Act as this user; the password comes from CASEGRAPH_PASSWORD or a prompt. "
            "Without it, CASEGRAPH_TOKEN (an API token) says who acts.",
        ),
    ] = None,
    purpose: Annotated[
        str | None,
        typer.Option(
            "--purpose",
            help="Why you act: a case reference (case:C-2026-014) or a written "
            "justification. Needed to read non-PUBLIC content and to export.",
        ),
    ] = None,
    debug: Annotated[bool, typer.Option("--debug", help="Show tracebacks on errors.")] = False,
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Print version.")
    ] = False,
) -> None:
    ctx.obj = State(data_dir=data_dir, debug=debug, user=user, purpose=purpose)


app.command("init")(init_cmd.init)
app.command("ingest")(ingest_cmd.ingest)
app.add_typer(datasets_cmd.app, name="datasets")
app.add_typer(entity_cmd.app, name="entity")
app.command("export")(export_cmd.export)
app.command("stats")(stats_cmd.stats)
app.command("search")(search_cmd.search_command)
app.command("reindex")(search_cmd.reindex_command)
app.command("train-names")(names_cmd.train_names_command)
app.add_typer(resolve_cmd.app, name="resolve")
app.command("review")(review_cmd.review_command)
app.add_typer(demo_cmd.app, name="demo")
app.add_typer(user_cmd.app, name="user")
app.add_typer(token_cmd.app, name="token")
app.add_typer(audit_cmd.app, name="audit")


def main(argv: list[str] | None = None) -> int:
    """Run the CLI; returns the exit code instead of raising for expected errors."""
    args = sys.argv[1:] if argv is None else argv
    debug = "--debug" in args
    command = typer.main.get_command(app)
    try:
        result = command.main(args=args, prog_name="casegraph", standalone_mode=False)
    except typer.Exit as exc:
        return int(exc.exit_code)
    except typer.Abort:
        err.print("aborted")
        return 130
    except typer.TyperException as exc:  # usage errors: Typer prints them itself
        show = getattr(exc, "show", None)
        if callable(show):
            show()
        return int(getattr(exc, "exit_code", USAGE))
    except CasegraphError as exc:
        if debug:
            traceback.print_exc()
        err.print(Text.assemble(("error: ", "bold red"), exc.message), soft_wrap=True)
        return exit_code_for(exc)
    except KeyboardInterrupt:
        err.print("interrupted: rerun the same command to resume")
        return 130
    except BrokenPipeError:
        return 0
    except Exception as exc:  # noqa: BLE001 - the last line of defence for users
        if debug:
            traceback.print_exc()
        err.print(
            Text.assemble(
                ("internal error: ", "bold red"),
                f"{type(exc).__name__}: {exc}. This is a bug; rerun with --debug for the "
                "traceback and report it.",
            ),
            soft_wrap=True,
        )
        return INTERNAL
    return result if isinstance(result, int) else 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
