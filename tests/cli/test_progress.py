"""The ingest progress bar shows rows, rows/s and the time left."""

from __future__ import annotations

import re
import time

from rich.console import Console

from casegraph.cli.progress import RichProgress


def test_progress_shows_rows_rate_and_time_left() -> None:
    console = Console(record=True, force_terminal=True, width=160)
    bar = RichProgress(console)
    bar.start(description="ingesting big.csv", total=1000)
    for _ in range(5):
        bar.advance(100)
        time.sleep(0.05)
    bar.bar.refresh()
    live = console.export_text(clear=False)
    bar.finish()
    assert "ingesting big.csv" in live
    assert "500/1000" in live
    assert re.search(r"\d[\d,]* rows/s", live), live
    assert re.search(r"left \d+:\d\d:\d\d", live), live
