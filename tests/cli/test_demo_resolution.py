"""`casegraph demo resolution` as `make demo` runs it: the resolver's clusters scored
against a ground truth file, with exact pairwise precision, recall and F1."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from casegraph.cli.app import main
from casegraph.security.context import Context
from casegraph.services.resolve import judge
from casegraph.services.store import Store
from casegraph.settings import Settings
from tests.services.resolve_support import clusters, planted, write

PEOPLE, COMPANIES = range(4), range(2)
PURPOSE = ["--purpose", "case:TEST-1"]


def _truth(path: Path, groups: dict[str, list[str]]) -> Path:
    """A ground truth shaped as `casegraph demo generate` writes it."""
    same_as = [
        {
            "id": ref,
            "schema": "Person" if ref.startswith("p") else "Company",
            "name": ref,
            "members": [{"dataset": "registry", "source_key": {}, "entity_id": e} for e in ids],
        }
        for ref, ids in groups.items()
    ]
    path.write_text(json.dumps({"same_as": same_as, "ownership_chains": []}), encoding="utf-8")
    return path


def _planted_truth(path: Path) -> Path:
    refs = [f"p{n}" for n in PEOPLE] + [f"c{n}" for n in COMPANIES]
    return _truth(path, {ref: [f"{ref}-0", f"{ref}-1"] for ref in refs})


def _row(text: str, name: str) -> list[str]:
    line = next(ln for ln in text.splitlines() if ln.startswith(name + " "))
    return line.split()[1:]


def test_precision_and_recall_of_a_known_clustering(
    store: Store,
    owner: Context,
    cli_env: Settings,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    write(store, owner, "registry", planted("registry", people=PEOPLE, companies=COMPANIES))
    assert main([*PURPOSE, "resolve", "--quiet"]) == 0
    resolved = capsys.readouterr()
    assert "6 merges into 6 canonical entities" in resolved.out
    assert "Iteration" not in resolved.err and "EM" not in resolved.err  # Splink kept quiet
    # One planted pair missed (p3 split) and one wrong merge (p0's cluster joins p1's).
    judge(store, owner, "p3-0", "p3-1", "no")
    judge(store, owner, "p0-0", "p1-0", "yes")
    assert {frozenset({"p0-0", "p0-1", "p1-0", "p1-1"}), frozenset({"p2-0", "p2-1"})} <= clusters(
        store
    )
    assert not any("p3-0" in c for c in clusters(store))

    truth = _planted_truth(tmp_path / "ground_truth.json")
    assert main([*PURPOSE, "demo", "resolution", "--truth", str(truth)]) == 0
    text = capsys.readouterr().out
    assert "Resolution against the planted duplicates" in text
    # People: 4 true pairs; found 6 in {p0, p1} + 1 in {p2} = 7, of which 3 are true.
    # P = 3/7, R = 3/4, F1 = 2PR / (P + R) = 6/11.
    assert _row(text, "Person") == ["4", "8", "4", "7", "3", "0.429", "0.750", "0.545"]
    assert _row(text, "Company") == ["2", "4", "2", "2", "2", "1.000", "1.000", "1.000"]
    # All: 5 of 9 found pairs are true, 5 of 6 true pairs found; F1 = 2/3.
    assert _row(text, "all") == ["6", "12", "6", "9", "5", "0.556", "0.833", "0.667"]
    assert "left out" not in text


def test_entities_not_in_the_store_are_left_out_and_counted(
    store: Store,
    owner: Context,
    cli_env: Settings,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    write(store, owner, "registry", planted("registry", people=range(1), companies=()))
    truth = _truth(tmp_path / "truth.json", {"p0": ["p0-0", "p0-1", "ghost"], "c0": ["c0-x"]})
    assert main([*PURPOSE, "demo", "resolution", "--truth", str(truth)]) == 0  # not resolved
    text = capsys.readouterr().out
    # Nothing merged yet: one true pair, none found; precision has nothing to divide by.
    assert _row(text, "Person") == ["1", "2", "1", "0", "0", "–", "0.000", "–"]
    assert _row(text, "Company") == ["1", "0", "0", "0", "0", "–", "–", "–"]
    assert "2 planted entities are not in the store or not visible to you" in text


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (None, "cannot read the ground truth"),
        ("{not json", "cannot read the ground truth"),
        ('{"ownership_chains": []}', "is not a demo ground truth: it has no `same_as` list"),
        ('{"same_as": [{"schema": "Person", "members": [{}]}]}', "a member without an entity_id"),
        ('{"same_as": [{"schema": "Vessel", "members": []}]}', "plants no Person or Company"),
    ],
)
def test_a_missing_or_corrupt_truth_file_is_one_clear_error(
    store: Store,
    cli_env: Settings,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    content: str | None,
    message: str,
) -> None:
    truth = tmp_path / "ground_truth.json"
    if content is not None:
        truth.write_text(content, encoding="utf-8")
    assert main([*PURPOSE, "demo", "resolution", "--truth", str(truth)]) == 5
    captured = capsys.readouterr()
    assert captured.out == "" and "Traceback" not in captured.err
    assert re.search(r"^error: .*" + re.escape(message), captured.err, re.MULTILINE)
    assert str(truth) in captured.err


def test_help_shows_an_example(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["demo", "resolution", "--help"]) == 0
    text = capsys.readouterr().out
    assert "precision" in text and "demo resolution --truth demo-data/ground_truth.json" in text
