"""`casegraph search` and `casegraph reindex`."""

from __future__ import annotations

from dataclasses import asdict
from typing import Annotated

import orjson
import typer
from rich.markup import escape
from rich.table import Table

from casegraph.cli.progress import RichProgress
from casegraph.cli.state import err, out, state
from casegraph.services.search import DEFAULT_LIMIT, SearchResult, search
from casegraph.services.search_index import reindex


def search_command(
    ctx: typer.Context,
    query: Annotated[str, typer.Argument(help="The query; see docs/query-language.md.")],
    schema: Annotated[
        str | None, typer.Option(help="Only this schema and its descendants, e.g. Person.")
    ] = None,
    limit: Annotated[int, typer.Option(help="Hits per page (1-1000).")] = DEFAULT_LIMIT,
    offset: Annotated[int, typer.Option(help="Skip this many hits (next pages).")] = 0,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON for scripts.")] = False,
) -> None:
    """Search names, properties and document text across every dataset you may read.

    Names match across spellings and scripts (transliteration, phonetic keys); each
    hit says why it matched. Every search is audited with the entities it returned.

    Examples:

      casegraph search 'vladimir putin'

      casegraph search 'name:"Владимир Путин"' --schema Person

      casegraph search 'mohamed~ AND country:ae' --limit 50 --json

      casegraph search '"share purchase" OR contract*' --offset 20
    """
    with state(ctx).store() as store:
        result = search(
            store, state(ctx).context(store), query, schema=schema, limit=limit, offset=offset
        )
    if as_json:
        out.print_json(orjson.dumps(_as_json(result)).decode())
        return
    _print(result)


def _as_json(result: SearchResult) -> dict[str, object]:
    return {
        "query": result.query,
        "total": result.total,
        "offset": result.offset,
        "limit": result.limit,
        "hits": [asdict(hit) for hit in result.hits],
        "facets": {k: [{"value": v, "count": n} for v, n in vs] for k, vs in result.facets.items()},
    }


def _print(result: SearchResult) -> None:
    shown = len(result.hits)
    first = result.offset + 1 if shown else 0
    out.print(
        f"{result.total:,} entities match; showing {first}-{result.offset + shown}",
        highlight=False,
    )
    if not shown:
        return
    table = Table("score", "name", "schema", "why", "datasets", "id")
    for hit in result.hits:
        why = (
            hit.match
            if hit.matched_name in (None, hit.caption)
            else (f"{hit.match}: {hit.matched_name}")
        )
        table.add_row(
            f"{hit.score:.2f}",
            escape(hit.caption),
            hit.schema,
            escape(why),
            ", ".join(hit.datasets),
            hit.entity_id,
        )
    out.print(table)
    for hit in result.hits:
        if hit.snippet:
            out.print(f"[bold]{escape(hit.caption)}[/]: {escape(hit.snippet)}")
    facets = [
        f"{name}: " + ", ".join(f"{value} ({count:,})" for value, count in values)
        for name, values in result.facets.items()
        if values
    ]
    for line in facets:
        out.print(line, highlight=False)


def reindex_command(
    ctx: typer.Context,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No progress bar.")] = False,
) -> None:
    """Rebuild the search index from the statements (administrators).

    The index is kept up to date by every write; rebuild it after an upgrade or a
    restore. It runs in one transaction: searches see the old index until it ends.

    Example:

      casegraph reindex
    """
    with state(ctx).store() as store:
        written = reindex(
            store, state(ctx).context(store), progress=None if quiet else RichProgress(err)
        )
    out.print(f"indexed {written:,} documents")
