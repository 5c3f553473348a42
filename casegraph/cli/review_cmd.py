"""`casegraph review`: decide queued pairs in the terminal, one key per pair.

Each pair is shown as both records side by side (values that differ highlighted) with
the score's explanation beside them; every decision goes through the `judge` service,
as the web review screen's will. Keys are read as lines, so a script or a test can
drive a session through standard input.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import Annotated

import typer
from rich.columns import Columns
from rich.markup import escape
from rich.table import Table

from casegraph.cli.state import out, state
from casegraph.security.context import Context
from casegraph.services.resolve import PairExplanation, explain_pair, judge, review_queue
from casegraph.services.store import Store

KEYS = {"y": "positive", "n": "negative", "u": "unsure"}
PROMPT = "same entity? [y]es [n]o [u]nsure [s]kip [q]uit: "


def _records(pair: PairExplanation) -> Table:
    left, right = pair.left, pair.right
    table = Table(
        "feature",
        f"{escape(left.caption)}\n{left.schema} {left.entity_id}",
        f"{escape(right.caption)}\n{right.schema} {right.entity_id}",
        title="records",
    )
    for feature in sorted(set(left.features) | set(right.features)):
        a, b = left.features.get(feature, ()), right.features.get(feature, ())
        style = "green" if set(a) & set(b) else ("yellow" if a and b else "dim")
        table.add_row(
            feature,
            f"[{style}]{escape(', '.join(a)) or '-'}[/]",
            f"[{style}]{escape(', '.join(b)) or '-'}[/]",
        )
    return table


def _score(pair: PairExplanation) -> Table:
    table = Table("comparison", "level", "bits", title="why")
    if pair.probability is None or pair.weight is None or pair.prior is None:
        table.add_row("-", "never scored: no blocking rule paired them", "")
        return table
    table.add_row("prior", "two records picked at random", f"{pair.prior:+.2f}")
    for level in pair.levels:
        style = "green" if level.weight > 0 else ("red" if level.weight < 0 else "dim")
        table.add_row(level.comparison, escape(level.level), f"[{style}]{level.weight:+.2f}[/]")
    table.add_row("[bold]weight[/]", f"probability {pair.probability:.3f}", f"{pair.weight:+.2f}")
    return table


def show_pair(pair: PairExplanation) -> None:
    out.print(Columns([_records(pair), _score(pair)]))
    if pair.verdict:
        out.print(f"current verdict: {pair.verdict} (by {pair.judged_by})", highlight=False)


def run_review(
    store: Store, ctx: Context, *, limit: int, read_line: Callable[[], str]
) -> dict[str, int]:
    """Review up to `limit` queued pairs; returns how many got each answer."""
    counts = {"positive": 0, "negative": 0, "unsure": 0, "skipped": 0}
    queue = review_queue(store, ctx, limit=limit)
    if not queue:
        out.print("nothing to review: run `casegraph resolve` after new data comes in")
        return counts
    for n, item in enumerate(queue, 1):
        pair = explain_pair(store, ctx, item.left, item.right)
        out.rule(f"{n} of {len(queue)} ({item.status}, impact {item.impact:.2f})")
        show_pair(pair)
        while True:
            out.print(PROMPT, end="", markup=False, highlight=False)
            key = read_line().strip().lower()[:1] or "q"
            if key in KEYS or key in ("s", "q"):
                break
            out.print("please answer y, n, u, s or q")
        if key == "q":
            break
        if key == "s":
            counts["skipped"] += 1
            continue
        result = judge(store, ctx, item.left, item.right, KEYS[key], source="review")
        counts[result.verdict] += 1
        where = f"together in {result.canonical}" if result.together else "apart"
        out.print(f"recorded {result.verdict}: {where}", highlight=False)
    return counts


def review_command(
    ctx: typer.Context,
    limit: Annotated[int, typer.Option(help="Pairs to review in this session (1-1000).")] = 20,
) -> None:
    """Decide the queued candidate pairs, most consequential first.

    Shows both records side by side, differences highlighted, with the score's
    explanation (the prior and what each comparison added, in bits). Keys: y (same),
    n (different), u (unsure), s (skip), q (quit). End of input quits.

    Examples:

      casegraph review

      casegraph --purpose case:C-7 review --limit 50
    """
    with state(ctx).store() as store:
        counts = run_review(
            store, state(ctx).context(store), limit=limit, read_line=sys.stdin.readline
        )
    out.print(
        f"{counts['positive']} same, {counts['negative']} different, {counts['unsure']} unsure, "
        f"{counts['skipped']} skipped",
        highlight=False,
    )
