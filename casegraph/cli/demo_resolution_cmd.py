"""`casegraph demo resolution`: how well the resolver's clusters find the planted
duplicates of the demo, as pairwise precision, recall and F1.

The canonical ids come from the governed, audited `cluster_labels` read: planted
entities the actor may not see are left out, and the command says how many.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich import box
from rich.markup import escape
from rich.table import Table

from casegraph.cli.state import out, state
from casegraph.services.resolve import cluster_labels

if TYPE_CHECKING:
    from casegraph.demo.planted import PlantedGroup

HEADING = "Resolution against the planted duplicates"
COLUMNS = ("groups", "entities", "true\npairs", "found\npairs", "correct\npairs", "precision",
           "recall", "F1")  # fmt: skip


def _share(value: float | None) -> str:
    return "–" if value is None else f"{value:.3f}"


def _table(groups: Sequence[PlantedGroup], labels: Mapping[str, str], *, title: str) -> Table:
    from casegraph.demo.planted import SCHEMAS, pair_score  # see `resolution`

    # Fits 80 columns: no vertical rules, two-line headers for the pair counts.
    table = Table(
        title=title, box=box.SIMPLE_HEAD, show_edge=False, pad_edge=False, collapse_padding=True
    )
    table.add_column("planted", no_wrap=True)
    for header in COLUMNS:
        table.add_column(header, justify="right", no_wrap=True)
    rows = [(s, pair_score([g for g in groups if g.schema == s], labels)) for s in SCHEMAS]
    rows.append(("all", pair_score(groups, labels)))  # with pairs across the schemas
    for name, score in rows:
        counts = (score.groups, score.entities, score.true_pairs, score.found_pairs,
                  score.correct_pairs)  # fmt: skip
        shares = (score.precision, score.recall, score.f1)
        table.add_row(name, *(f"{n:,}" for n in counts), *(_share(v) for v in shares))
    return table


def resolution(
    ctx: typer.Context,
    truth: Annotated[Path, typer.Option("--truth", help="The demo's ground_truth.json.")] = Path(
        "demo-data/ground_truth.json"
    ),
) -> None:
    """Score the resolver's clusters against the people and companies the demo planted
    under several records: pairwise precision (found pairs that are right), recall
    (planted pairs found) and F1. Run `casegraph resolve` first.

    Example:

    \b
      casegraph --purpose case:DEMO-1 demo resolution --truth demo-data/ground_truth.json
    """
    # Imported here: the demo package loads the whole generator.
    from casegraph.demo.planted import read_planted

    with state(ctx).store() as store:
        context = state(ctx).context(store)  # credentials first, as every command
        groups = read_planted(truth)
        wanted = {e for g in groups for e in g.entity_ids}
        labels = cluster_labels(store, context, sorted(wanted))
    out.print(_table(groups, labels, title=f"{HEADING} ({escape(str(truth))})"))
    out.print(
        "true pairs: two records of one planted person or company; found pairs: two of\n"
        "them with one canonical id. precision = correct / found, recall = correct / true.",
        highlight=False,
    )
    if missing := len(wanted) - len(labels):
        out.print(
            f"{missing:,} planted entities are not in the store or not visible to you, "
            "and are left out.",
            highlight=False,
        )
