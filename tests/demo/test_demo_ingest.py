"""The demo loads with the normal CLI, rejects nothing, and holds every planted truth."""

from __future__ import annotations

import json
import shlex
from pathlib import Path

import pytest

from casegraph.cli.app import main
from casegraph.services.entities import get_entity, show_entity
from casegraph.services.store import open_store
from casegraph.settings import Settings
from tests.conftest import OWNER
from tests.helpers import context_for


def test_generated_demo_ingests_cleanly_and_contains_the_ground_truth(
    cli_env: Settings, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "demo"
    assert main(["init"]) == 0
    assert main(["demo", "generate", "--out", str(out), "--size", "3000"]) == 0
    script = (out / "ingest.sh").read_text(encoding="utf-8").splitlines()
    commands = [shlex.split(line)[1:-1] for line in script if line.startswith("casegraph ")]
    assert len(commands) == 6
    capsys.readouterr()
    for command in commands:
        assert main([*command, "--quiet"]) == 0
    summary = capsys.readouterr().out
    assert summary.count("rejected 0 records") == 6, summary

    truth = json.loads((out / "ground_truth.json").read_text(encoding="utf-8"))
    with open_store(cli_env) as store:
        owner = context_for(store, OWNER, purpose="case:TEST-1")
        for cluster in truth["same_as"][:50]:
            for member in cluster["members"]:
                entity = get_entity(store, owner, member["entity_id"])
                assert member["dataset"] in entity.datasets
        for declaration in truth["undervalued_declarations"][:20]:
            assert (
                get_entity(store, owner, declaration["entity_id"]).schema.name == "EconomicActivity"
            )
        # A hidden chain's companies are linked in the store as the truth says.
        chain = truth["ownership_chains"][0]
        company = chain["path"][-1]["entities"][0]["entity_id"]
        detail = show_entity(store, owner, company, references=10_000)
        assert not detail.more_incoming
        assert any(ref.prop == "asset" for ref in detail.incoming)

    # The demo's example searches find planted people across scripts and spellings.
    capsys.readouterr()
    truth_file = str(out / "ground_truth.json")
    assert main(["--purpose", "case:TEST-1", "demo", "searches", "--truth", truth_file]) == 0
    shown = capsys.readouterr().out
    assert "transliteration match:" in shown and "phonetic match:" in shown, shown
    translit = shown.split("transliteration match:")[1].splitlines()[0]
    assert any(ord(c) > 0x400 for c in translit), translit  # a name in another script
