"""`casegraph ingest`."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from casegraph.cli.progress import RichProgress
from casegraph.cli.state import err, out, state
from casegraph.ingest.plan import ReadOptions
from casegraph.ingest.records import InvalidValues
from casegraph.model.dataset import DatasetMeta
from casegraph.services import ingest as ingest_service

FORMATS = ["csv", "tsv", "xlsx", "jsonl", "ftm"]


def ingest(
    ctx: typer.Context,
    path: Annotated[
        Path,
        typer.Argument(
            help="Data file (CSV, TSV, XLSX, JSON lines, FtM entity JSON) or an FtM mapping YAML."
        ),
    ],
    dataset: Annotated[str, typer.Option("--dataset", "-d", help="Dataset to ingest into.")],
    mapping: Annotated[
        Path | None, typer.Option("--mapping", "-m", help="FtM mapping YAML for tabular data.")
    ] = None,
    strict: Annotated[
        bool,
        typer.Option(
            help="Commit nothing from this file if any record is rejected or any value dropped."
        ),
    ] = False,
    invalid_values: Annotated[
        InvalidValues,
        typer.Option(
            "--invalid-values",
            case_sensitive=False,
            help="A value that does not clean to its type (a malformed e-mail, 1933-11-31): "
            "reject-row rejects its whole record; drop-value ingests the record without "
            "that value, as `ftm map` does, and lists the value in the rejects file.",
        ),
    ] = InvalidValues.REJECT_ROW,
    rejects: Annotated[
        Path | None,
        typer.Option(
            help="Where to write rejected records and dropped values (JSON lines). "
            "Default: DATA_DIR/rejects/DATASET-runN.jsonl"
        ),
    ] = None,
    format: Annotated[
        str | None, typer.Option(help=f"Force the format: {', '.join(FORMATS)}.")
    ] = None,
    sheet: Annotated[str | None, typer.Option(help="XLSX: read only this sheet.")] = None,
    encoding: Annotated[
        str | None, typer.Option(help="CSV/TSV: the text encoding, instead of detecting it.")
    ] = None,
    delimiter: Annotated[
        str | None, typer.Option(help="CSV/TSV: the delimiter, instead of detecting it.")
    ] = None,
    title: Annotated[str | None, typer.Option(help="Dataset title.")] = None,
    publisher: Annotated[str | None, typer.Option(help="Source or publisher.")] = None,
    licence: Annotated[str | None, typer.Option(help="Licence of the data.")] = None,
    marking: Annotated[
        str | None, typer.Option(help="Sensitivity marking, e.g. PUBLIC, INTERNAL, RESTRICTED.")
    ] = None,
    legal_basis: Annotated[str | None, typer.Option(help="Legal basis for processing.")] = None,
    retention: Annotated[
        str | None, typer.Option(help="Retention period, ISO 8601 (P5Y) or 'indefinite'.")
    ] = None,
    owner: Annotated[str | None, typer.Option(help="Who is responsible for the dataset.")] = None,
    group: Annotated[
        str | None,
        typer.Option(help="New dataset only: the group that gets write access to it."),
    ] = None,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No progress bar.")] = False,
) -> None:
    """Ingest a file into a dataset, resumably and idempotently.

    You need a write grant on an existing dataset; a new one is created with a write
    grant for your group (--group if you are in several).

    Good records go in and bad ones are reported (with --strict, nothing goes in if
    any record is bad). With --invalid-values drop-value, a record goes in without the
    values that do not clean, and each one is listed in the rejects file. Rerunning
    the same command after an interruption resumes it; rerunning after success adds
    nothing new and only updates last-seen times.

    Examples:

      casegraph ingest companies.csv -d registry -m registry.yml --marking PUBLIC

      casegraph ingest payments.xlsx -d payments -m payments.yml --sheet "Bank A"

      casegraph ingest sanctions.ftm.jsonl -d watchlist --publisher OpenSanctions

      casegraph ingest mapping.yml -d customs --strict

      casegraph ingest people.csv -d crm -m crm.yml --invalid-values drop-value
    """
    st = state(ctx)
    with st.store() as store:
        meta = DatasetMeta(
            name=dataset,
            title=title or "",
            marking=marking or "",
            publisher=publisher,
            licence=licence,
            legal_basis=legal_basis,
            retention=retention,
            owner=owner,
        )
        progress = None if quiet else RichProgress(err)
        result = ingest_service.ingest(
            store,
            st.context(store),
            path,
            meta=meta,
            group=group,
            mapping=mapping,
            options=ReadOptions(format=format, sheet=sheet, encoding=encoding, delimiter=delimiter),
            strict=strict,
            rejects_path=rejects,
            progress=progress,
            invalid_values=invalid_values,
        )
    if result.resumed_from is not None:
        out.print(f"resumed run #{result.run_id} after record {result.resumed_from:,}")
    rate = result.read / result.duration_s if result.duration_s else 0.0
    dropped = ""
    if invalid_values is InvalidValues.DROP_VALUE:
        dropped = f", dropped {result.values_dropped:,} values that do not clean"
    out.print(
        f"dataset {result.dataset}: read {result.read:,}, ingested {result.ingested:,}, "
        f"rejected {result.rejected:,} records{dropped}; {result.statements:,} statements "
        f"written; {result.duration_s:.1f} s ({rate:,.0f} rows/s); run #{result.run_id}"
    )
    _list("rejected", result.first_rejects, result.rejected)
    _list("dropped", result.first_dropped, result.values_dropped)
    if result.rejected and result.values_dropped:
        what = "rejected records and dropped values"
    else:
        what = "rejected records" if result.rejected else "dropped values"
    if result.rejects_path is not None:
        err.print(f"{what} written to {result.rejects_path}", highlight=False)


def _list(label: str, first: list[str], total: int) -> None:
    """The first few rejected records or dropped values, and how many more."""
    for line in first:
        err.print(f"  {label}: {line}", highlight=False, markup=False)
    if total > len(first):
        err.print(f"  … and {total - len(first):,} more")
