"""`casegraph resolve [undo|judge|show]`: runs, judgements and canonical entities."""

from __future__ import annotations

import logging
from typing import Annotated

import typer
from rich.console import Console
from rich.markup import escape
from rich.progress import ProgressColumn, Task
from rich.table import Table
from rich.text import Text

from casegraph.cli.progress import RichProgress
from casegraph.cli.state import err, out, state
from casegraph.resolve.clusters import DEFAULT_MAX_SIZE, DEFAULT_UPPER
from casegraph.services.resolve import CHUNK_SIZE, RunSummary, canonical, judge, resolve, undo

app = typer.Typer(
    help="Link the records that describe the same person or company.\n\n"
    "Without a sub-command, runs resolution: only entities that are new or changed since "
    "the last run are scored, and an interrupted run resumes when you rerun it. "
    "One run at a time per store: a second one exits with code 11.\n\n"
    "Examples:\n\n"
    "  casegraph resolve\n\n"
    "  casegraph resolve --dataset registry --dataset leak --upper 0.9\n\n"
    "  casegraph resolve show 3f2a9c…\n\n"
    "  casegraph resolve judge 3f2a9c… 7b1e44… no\n\n"
    "  casegraph resolve undo 3f2a9c…",
    invoke_without_command=True,
    rich_markup_mode=None,
)


class PairsPerSecond(ProgressColumn):
    def render(self, task: Task) -> Text:
        pairs = int(task.fields.get("pairs", 0))
        elapsed = task.finished_time or task.elapsed or 0.0
        rate = f"{pairs / elapsed:,.0f} pairs/s" if elapsed > 0 else ""
        return Text(f"{pairs:,} pairs {rate}", style="cyan")


class ResolveProgress(RichProgress):
    """The progress bar in entities, with the pairs scored and pairs/s."""

    def __init__(self, console: Console) -> None:
        super().__init__(console)
        self.bar.columns = (*self.bar.columns[:3], PairsPerSecond(), *self.bar.columns[4:])
        self.scored = 0

    def start(self, *, description: str, total: int | None) -> None:
        super().start(description=description, total=total)
        if self.task is not None:
            self.bar.update(self.task, pairs=self.scored)

    def pairs(self, count: int) -> None:
        self.scored += count
        if self.task is not None:
            self.bar.update(self.task, pairs=self.scored)


class _SplinkErrors(logging.Handler):
    """Splink's errors on stderr (as it is now: tests swap it), nothing else."""

    def __init__(self) -> None:
        super().__init__(logging.ERROR)

    def emit(self, record: logging.LogRecord) -> None:
        err.print(self.format(record), markup=False, highlight=False)


def _quiet_splink() -> None:
    """Splink narrates its training on the log; the bar and summary say what matters.
    Each `Linker` sets the "splink" logger back to INFO and adds a stderr handler when it
    has none, so the level is kept on a handler of ours instead."""
    from splink.logging import disable  # the engine imports Splink anyway

    disable()  # Splink's own handler, if an earlier run in this process added it
    logger = logging.getLogger("splink")
    logger.setLevel(logging.ERROR)
    if not any(isinstance(h, _SplinkErrors) for h in logger.handlers):
        logger.addHandler(_SplinkErrors())
    logger.propagate = False


def _summary(result: RunSummary) -> None:
    verb = "resumed run" if result.resumed else "run"
    out.print(
        f"{verb} {result.run_id} over {', '.join(result.datasets) or 'no datasets'}: "
        f"{result.records:,} records ({result.skipped:,} without a name skipped), "
        f"{result.scored:,} new or changed scored",
        highlight=False,
    )
    out.print(
        f"{result.pairs:,} pairs in {result.seconds:,.1f} s ({result.pairs_per_second:,.0f} "
        f"pairs/s); {result.merges:,} merges into {result.clusters:,} canonical entities; "
        f"{result.queue:,} pairs to review; {result.held:,} held (cluster too big)",
        highlight=False,
    )
    if result.queue:
        out.print("review them with `casegraph review`")


@app.callback()
def run(
    ctx: typer.Context,
    dataset: Annotated[
        list[str] | None,
        typer.Option(
            "--dataset", "-d", metavar="NAME", help="Only this dataset (repeatable); default: all."
        ),
    ] = None,
    full: Annotated[bool, typer.Option("--full", help="Score every entity again.")] = False,
    upper: Annotated[
        float, typer.Option(help="Merge pairs at or above this match probability.")
    ] = DEFAULT_UPPER,
    max_cluster: Annotated[
        int, typer.Option("--max-cluster", help="Hold merges that grow a cluster past this.")
    ] = DEFAULT_MAX_SIZE,
    chunk_size: Annotated[
        int,
        typer.Option(
            "--chunk-size",
            help="Entities committed together (a killed run keeps each committed chunk).",
        ),
    ] = CHUNK_SIZE,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No progress bar.")] = False,
) -> None:
    """Find the records that describe the same entity, merge the sure ones, queue the rest.

    Example:

      casegraph resolve --dataset registry --dataset leak
    """
    if ctx.invoked_subcommand is not None:
        return
    _quiet_splink()
    with state(ctx).store() as store:
        result = resolve(
            store,
            state(ctx).context(store),
            datasets=dataset or None,
            full=full,
            upper=upper,
            max_size=max_cluster,
            chunk_size=chunk_size,
            progress=None if quiet else ResolveProgress(err),
        )
    _summary(result)


@app.command("undo")
def undo_command(
    ctx: typer.Context,
    entity_id: Annotated[str, typer.Argument(help="The entity to detach.")],
    note: Annotated[str | None, typer.Option(help="Why, for the record.")] = None,
) -> None:
    """Detach an entity from its canonical entity; later runs do not merge it back.

    Example:

      casegraph resolve undo 3f2a9c… --note "different birth year in the passport copy"
    """
    with state(ctx).store() as store:
        done = undo(store, state(ctx).context(store), entity_id, note=note)
    if not done.detached_from:
        out.print(f"{entity_id} was not merged with anything you may see; recorded nothing more")
        return
    out.print(f"detached {entity_id} from {len(done.detached_from)} entities:", highlight=False)
    for other in done.detached_from:
        out.print(f"  {other}", highlight=False)


@app.command("judge")
def judge_command(
    ctx: typer.Context,
    left: Annotated[str, typer.Argument(help="One entity id.")],
    right: Annotated[str, typer.Argument(help="The other entity id.")],
    verdict: Annotated[str, typer.Argument(help="yes (same), no (different) or unsure.")],
    note: Annotated[str | None, typer.Option(help="Why, for the record.")] = None,
) -> None:
    """Judge whether two entities are the same; the clusters follow at once.

    Examples:

      casegraph resolve judge 3f2a9c… 7b1e44… yes

      casegraph resolve judge 3f2a9c… 7b1e44… no --note "father and son"
    """
    with state(ctx).store() as store:
        result = judge(store, state(ctx).context(store), left, right, verdict, note=note)
    where = f"together in {result.canonical}" if result.together else "not merged"
    out.print(f"recorded {result.verdict} for {left} and {right}: {where}", highlight=False)


@app.command("show")
def show_command(
    ctx: typer.Context,
    entity_id: Annotated[str, typer.Argument(help="Entity id.")],
) -> None:
    """Show the canonical entity an entity belongs to, and its members you may see.

    Example:

      casegraph resolve show 3f2a9c…
    """
    with state(ctx).store() as store:
        found = canonical(store, state(ctx).context(store), entity_id)
    if found.canonical_id is None:
        out.print(f"{entity_id} stands on its own (merged with nothing you may see)")
        return
    out.print(f"[bold]{found.canonical_id}[/] since {found.since}", highlight=False)
    table = Table("member", "name")
    for member in found.members:
        table.add_row(member.entity_id, escape(member.caption))
    out.print(table)
