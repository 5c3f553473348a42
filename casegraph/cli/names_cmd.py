"""`casegraph train-names`: a learned romaniser for searching names in other scripts."""

from __future__ import annotations

import csv
import time
from pathlib import Path
from typing import Annotated

import typer

from casegraph.cli.state import err, out
from casegraph.errors import InvalidInputError
from casegraph.search.learned_translit import train


def read_pairs(path: Path, latin: str, native: str) -> list[tuple[str, str]]:
    """(Latin, native) name pairs from a CSV file with a header row."""
    try:
        with path.open(encoding="utf-8", newline="") as handle:
            reader = csv.DictReader(handle)
            missing = [c for c in (latin, native) if c not in (reader.fieldnames or [])]
            if missing:
                raise InvalidInputError(
                    f"{path}: no column {missing[0]!r} (columns: "
                    f"{', '.join(reader.fieldnames or [])})"
                )
            pairs = [
                (row[latin].strip(), row[native].strip())
                for row in reader
                if (row.get(latin) or "").strip() and (row.get(native) or "").strip()
            ]
    except FileNotFoundError:
        raise InvalidInputError(f"{path}: no such file") from None
    except UnicodeDecodeError as exc:
        raise InvalidInputError(f"{path}: not UTF-8 text ({exc.reason})") from None
    if not pairs:
        raise InvalidInputError(f"{path}: no rows with both a {latin!r} and a {native!r} name")
    return pairs


def train_names_command(
    pairs_csv: Annotated[
        Path, typer.Argument(help="CSV of the same names in Latin and another script.")
    ],
    out_path: Annotated[Path, typer.Option("--out", help="Where to write the model (JSON).")],
    latin: Annotated[str, typer.Option(help="Column of the Latin spelling.")] = "name_latin",
    native: Annotated[str, typer.Option(help="Column of the native spelling.")] = "name_native",
    iterations: Annotated[int, typer.Option(help="EM iterations of the alignment.")] = 4,
) -> None:
    """Train a romaniser on pairs of the same names in Latin and other scripts.

    Searches then also look for the learned Latin spellings of names typed in those
    scripts: point CASEGRAPH_NAME_MODEL at the model file. Any scripts can share one
    model. Training reads no store; about 100,000 pairs take some minutes.

    Examples:

      casegraph train-names pairs.csv --out names-model.json

      casegraph train-names wikidata.csv --latin en --native he --out he.json

      export CASEGRAPH_NAME_MODEL=$PWD/names-model.json
    """
    if iterations < 1:
        raise InvalidInputError(f"--iterations must be 1 or more, not {iterations}")
    pairs = read_pairs(pairs_csv, latin, native)
    started = time.perf_counter()
    with err.status(f"training on {len(pairs):,} name pairs…"):
        model = train(pairs, iterations=iterations)
    model.save(out_path)
    out.print(
        f"wrote {out_path} from {len(pairs):,} pairs in {time.perf_counter() - started:,.0f} s; "
        f"use it with CASEGRAPH_NAME_MODEL={out_path}",
        highlight=False,
    )
