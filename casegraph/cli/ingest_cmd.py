"""`casegraph ingest`."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from casegraph.cli.progress import RichProgress
from casegraph.cli.state import err, out, state
from casegraph.ingest.plan import ReadOptions
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
        bool, typer.Option(help="Commit nothing from this file if any record is rejected.")
    ] = False,
    rejects: Annotated[
        Path | None,
        typer.Option(
            help="Where to write rejected records (JSON lines). "
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
    any record is bad). Rerunning the same command after an interruption resumes it;
    rerunning after success adds nothing new and only updates last-seen times.

    Examples:

      casegraph ingest companies.csv -d registry -m registry.yml --marking PUBLIC

      casegraph ingest payments.xlsx -d payments -m payments.yml --sheet "Bank A"

      casegraph ingest sanctions.ftm.jsonl -d watchlist --publisher OpenSanctions

      casegraph ingest mapping.yml -d customs --strict
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
        )
    if result.resumed_from is not None:
        out.print(f"resumed run #{result.run_id} after record {result.resumed_from:,}")
    rate = result.read / result.duration_s if result.duration_s else 0.0
    out.print(
        f"dataset {result.dataset}: read {result.read:,}, ingested {result.ingested:,}, "
        f"rejected {result.rejected:,} records; {result.statements:,} statements written; "
        f"{result.duration_s:.1f} s ({rate:,.0f} rows/s); run #{result.run_id}"
    )
    if result.rejected:
        for line in result.first_rejects:
            err.print(f"  rejected: {line}", highlight=False, markup=False)
        if result.rejected > len(result.first_rejects):
            err.print(f"  … and {result.rejected - len(result.first_rejects):,} more")
        err.print(f"rejected records written to {result.rejects_path}", highlight=False)
