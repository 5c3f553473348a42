"""`casegraph audit verify|proof|check-proof|checkpoint|who-accessed|activity`."""

from __future__ import annotations

import json
from dataclasses import asdict
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table
from rich.text import Text

from casegraph.cli.progress import RichProgress
from casegraph.cli.state import err, out, state
from casegraph.errors import AuditIntegrityError, InvalidInputError
from casegraph.security.checkpoint import VerifierKey, open_checkpoint
from casegraph.security.proof import ProofBundle, check_proof
from casegraph.services.audit_reports import activity as activity_service
from casegraph.services.audit_reports import export_checkpoint, inclusion_proof
from casegraph.services.audit_reports import who_accessed as who_accessed_service
from casegraph.services.audit_verify import verify_log

app = typer.Typer(
    help="Verify the tamper-evident audit log, prove that events are in it, and report "
    "who accessed what (auditors only; `check-proof` needs no store).\n\nExamples:\n\n"
    "  casegraph audit verify\n\n"
    "  casegraph audit checkpoint --export checkpoint-2026-03.txt\n\n"
    "  casegraph audit verify --against checkpoint-2026-03.txt --key 'casegraph/audit/…'\n\n"
    "  casegraph audit who-accessed 3f2a9c…\n\n"
    "  casegraph audit activity ana --since 2026-03-01",
    no_args_is_help=True,
    rich_markup_mode=None,
)


def _read(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise InvalidInputError(f"cannot read {path}: {exc}") from exc


def _key(text: str) -> VerifierKey:
    try:
        return VerifierKey.parse(text.strip())
    except AuditIntegrityError as exc:
        raise InvalidInputError(
            f"--key is not a verifier key ({exc.message}): it looks like NAME+KEYID+BASE64, "
            "as printed by `casegraph audit checkpoint`"
        ) from None


def _print(text: str) -> None:
    out.print(Text(text), highlight=False)


@app.command("verify")
def verify(
    ctx: typer.Context,
    against: Annotated[
        Path | None,
        typer.Option(
            "--against",
            exists=True,
            dir_okay=False,
            help="A checkpoint exported earlier (`audit checkpoint --export`): the log must "
            "still contain it. Detects a log rewritten and re-signed since.",
        ),
    ] = None,
    key: Annotated[
        str | None,
        typer.Option(
            "--key",
            help="The verifier key you kept with the export (default: the store's own).",
        ),
    ] = None,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No progress bar.")] = False,
) -> None:
    """Check every event, checkpoint and signature of the audit log; exit 10 if it fails.

    Examples:

      casegraph audit verify

      casegraph audit verify --against checkpoint-2026-03.txt --key 'casegraph/audit/…'
    """
    exported = None if against is None else _read(against)
    verifier = None if key is None else str(_key(key))
    with state(ctx).store() as store:
        progress = None if quiet or not err.is_terminal else RichProgress(err)
        report = verify_log(
            store, state(ctx).context(store), against=exported, key=verifier, progress=progress
        )
    _print(
        f"checked {report.events:,} events and {report.checkpoints:,} checkpoints "
        f"(log size {report.size:,}, verifier key {report.verifier_key})"
    )
    if report.against_size is not None:
        _print(f"checked against the exported checkpoint of size {report.against_size:,}")
    if report.ok:
        _print(f"OK: the audit log verifies (root {report.root})")
        return
    table = Table("first event", "problem", "what is wrong", title="problems")
    for problem in report.problems:
        table.add_row(
            "-" if problem.seq is None else str(problem.seq), problem.kind, Text(problem.message)
        )
    out.print(table)
    total = len(report.problems) + report.omitted
    if report.omitted:
        _print(f"... and {report.omitted:,} more problems")
    first = report.problems[0]
    where = "" if first.seq is None else f", the first at event {first.seq}"
    raise AuditIntegrityError(
        f"the audit log does not verify: {total} problem(s){where}; it was altered outside "
        "casegraph (see the problems above)"
    )


@app.command("proof")
def proof(
    ctx: typer.Context,
    event_id: Annotated[int, typer.Argument(help="The event's number (seq).", min=0)],
    out_file: Annotated[
        Path | None, typer.Option("--out", "-o", help="Write the JSON proof to this file.")
    ] = None,
    size: Annotated[
        int | None,
        typer.Option(
            "--size",
            help="Prove against the stored checkpoint of this size (e.g. the one you exported); "
            "default: the newest.",
        ),
    ] = None,
) -> None:
    """Write the proof that an event is in the signed log, to check with `check-proof`.

    Examples:

      casegraph audit proof 1234 --out proof-1234.json

      casegraph audit proof 1234 --size 5000 --out proof-1234.json
    """
    with state(ctx).store() as store:
        bundle = inclusion_proof(store, state(ctx).context(store), event_id, size=size)
    text = bundle.to_json()
    if out_file is None:
        typer.echo(text, nl=False)
        return
    out_file.write_text(text, encoding="utf-8")
    _print(
        f"wrote the proof of event {event_id} in the log of size {bundle.tree_size:,} to {out_file}"
    )


@app.command("check-proof")
def check_proof_cmd(
    proof_file: Annotated[
        Path, typer.Argument(exists=True, dir_okay=False, help="A proof from `audit proof`.")
    ],
    checkpoint_file: Annotated[
        Path,
        typer.Argument(
            exists=True, dir_okay=False, help="The checkpoint you kept (`audit checkpoint`)."
        ),
    ],
    key: Annotated[
        str | None,
        typer.Option("--key", help="The log's verifier key you kept (default: the proof's own)."),
    ] = None,
) -> None:
    """Check offline, without the store, that a proof's event is in a kept checkpoint.

    Examples:

      casegraph audit check-proof proof-1234.json checkpoint-2026-03.txt --key 'casegraph/audit/…'
    """
    bundle = ProofBundle.from_json(_read(proof_file))
    checkpoint_text = _read(checkpoint_file)
    if key is None:
        err.print(
            Text(
                "warning: no --key given, so the key inside the proof file is used; this "
                "shows the proof matches the checkpoint, but only the key you kept shows who "
                "signed it"
            ),
            highlight=False,
        )
    verifier = _key(key if key is not None else bundle.verifier_key)
    check_proof(bundle, checkpoint_text, verifier)
    fields = bundle.event_fields()
    _print(
        f"OK: event {bundle.leaf_index} ({fields.get('time')}, {fields.get('actor')}, "
        f"{fields.get('operation')}, {fields.get('decision')}) is in the log {bundle.origin} "
        f"of size {bundle.tree_size:,} signed by {verifier}"
    )


@app.command("checkpoint")
def checkpoint(
    ctx: typer.Context,
    export: Annotated[
        Path | None,
        typer.Option("--export", help="Write the signed checkpoint to this file to keep."),
    ] = None,
) -> None:
    """Sign the log as it stands and print (or export) the checkpoint and verifier key.

    Keep the file and the key away from the store: `audit verify --against FILE --key
    KEY` later detects a rewritten log, even one re-signed with the store's key.

    Examples:

      casegraph audit checkpoint

      casegraph audit checkpoint --export checkpoint-2026-03.txt
    """
    with state(ctx).store() as store:
        note = export_checkpoint(store, state(ctx).context(store))
        key = store.verifier_key
    signed = open_checkpoint(note, key)
    if export is None:
        typer.echo(note, nl=False)
        err.print(Text(f"verifier key: {key}"), highlight=False)
        return
    export.write_text(note, encoding="utf-8")
    _print(
        f"wrote the signed checkpoint of the log {signed.origin} at size {signed.size:,} "
        f"to {export}"
    )
    _print(f"verifier key: {key}")


@app.command("who-accessed")
def who_accessed(
    ctx: typer.Context,
    entity_id: Annotated[str, typer.Argument(help="Entity id.")],
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """List every consultation and disclosure of an entity, refused attempts included.

    Examples:

      casegraph audit who-accessed 3f2a9c…

      casegraph audit who-accessed 3f2a9c… --json
    """
    with state(ctx).store() as store:
        entries = who_accessed_service(store, state(ctx).context(store), entity_id)
    if as_json:
        typer.echo(json.dumps([asdict(e) for e in entries], indent=2, ensure_ascii=False))
        return
    if not entries:
        _print(f"no recorded access to entity {entity_id}")
        return
    table = Table(
        "event",
        "time",
        "actor",
        "action",
        "operation",
        "decision",
        "rule",
        "purpose",
        "recipients",
        title=f"accesses to {entity_id}",
    )
    for e in entries:
        table.add_row(
            str(e.seq),
            e.time,
            e.actor,
            e.action,
            e.operation,
            e.decision,
            e.rule,
            Text(e.purpose or "-"),
            ", ".join(e.recipients) or "-",
        )
    out.print(table)


@app.command("activity")
def activity(
    ctx: typer.Context,
    user: Annotated[str, typer.Argument(help="User name.")],
    since: Annotated[
        str | None, typer.Option("--since", help="From this ISO 8601 date or time (UTC).")
    ] = None,
    limit: Annotated[int | None, typer.Option("--limit", help="At most this many events.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Show everything one user did or tried, oldest first, with the objects touched.

    Examples:

      casegraph audit activity ana

      casegraph audit activity ana --since 2026-03-01 --json
    """
    with state(ctx).store() as store:
        events = activity_service(store, state(ctx).context(store), user, since=since, limit=limit)
    if as_json:
        typer.echo(json.dumps([asdict(e) for e in events], indent=2, ensure_ascii=False))
        return
    if not events:
        _print(f"no recorded activity of {user}")
        return
    table = Table(
        "event",
        "time",
        "action",
        "operation",
        "decision",
        "rule",
        "purpose",
        "objects",
        title=f"activity of {user}",
    )
    for e in events:
        shown = ", ".join(e.objects[:3]) + (
            f" (+{len(e.objects) - 3})" if len(e.objects) > 3 else ""
        )
        table.add_row(
            str(e.seq),
            e.time,
            e.action,
            e.operation,
            e.decision,
            e.rule,
            Text(e.purpose or "-"),
            Text(shown or "-"),
        )
    out.print(table)
