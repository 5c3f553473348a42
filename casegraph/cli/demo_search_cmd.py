"""`casegraph demo searches`: example searches that show cross-script and phonetic matches.

The examples come from the demo's ground truth: people known to appear under several
spellings. Each search is a real, governed and audited search.
"""

from __future__ import annotations

import json
import unicodedata
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.markup import escape
from rich.table import Table

from casegraph.cli.state import out, state
from casegraph.errors import SourceError
from casegraph.security.context import Context
from casegraph.services.search import SearchHit, SearchResult, search
from casegraph.services.store import Store

WANTED = ("transliteration", "phonetic")
MAX_TRIES = 200
# People and the parties of payments; not the ownerships that mention them.
SCHEMA = "LegalEntity"


def _people(truth: Path) -> list[str]:
    try:
        data: dict[str, Any] = json.loads(truth.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise SourceError(f"cannot read the ground truth {truth}: {exc}") from exc
    return [c["name"] for c in data.get("same_as", []) if c.get("schema") == "Person"]


def _latin(text: str) -> bool:
    return all(not c.isalpha() or unicodedata.name(c, "").startswith("LATIN") for c in text)


def _shows(result: SearchResult, kind: str) -> SearchHit | None:
    """A hit matched by `kind`; for transliteration, one written in another script."""
    for hit in result.hits:
        other_script = hit.matched_name is not None and not _latin(hit.matched_name)
        if hit.match == kind and (kind != "transliteration" or other_script):
            return hit
    return None


def _print(result: SearchResult, note: str) -> None:
    command = f"casegraph search {result.query!r} --schema {SCHEMA}"
    out.print(f"\n$ {escape(command)}   # {note}", highlight=False)
    table = Table("name", "schema", "why", "matched name", "datasets")
    for hit in result.hits:
        table.add_row(
            escape(hit.caption),
            hit.schema,
            hit.match,
            escape(hit.matched_name or ""),
            ", ".join(hit.datasets),
        )
    out.print(table)


def _examples(store: Store, ctx: Context, names: list[str]) -> None:
    found: set[str] = set()
    for name in names[:MAX_TRIES]:
        result = search(store, ctx, f'name:"{name}"', schema=SCHEMA, limit=6, facets=())
        for kind in WANTED:
            hit = _shows(result, kind)
            if kind in found or hit is None:
                continue
            found.add(kind)
            _print(result, f"{kind} match: {hit.matched_name}")
            if kind == "transliteration" and hit.matched_name:
                query = f'name:"{hit.matched_name}"'
                back = search(store, ctx, query, schema=SCHEMA, limit=6, facets=())
                _print(back, "the same person, searched in the other script")
        if found == set(WANTED):
            return
    missing = ", ".join(sorted(set(WANTED) - found))
    out.print(f"(no {missing} example among the first {MAX_TRIES} planted people)")


def searches(
    ctx: typer.Context,
    truth: Annotated[Path, typer.Option("--truth", help="The demo's ground_truth.json.")] = Path(
        "demo-data/ground_truth.json"
    ),
) -> None:
    """Run example searches on the loaded demo: one person found across scripts, one
    found under a phonetically different spelling.

    Example:

      casegraph --purpose case:DEMO-1 demo searches --truth demo-data/ground_truth.json
    """
    with state(ctx).store() as store:
        context = state(ctx).context(store)  # credentials first, as every command
        _examples(store, context, _people(truth))
