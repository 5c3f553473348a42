"""`casegraph audit …` as an auditor meets it: verify, export a checkpoint, prove an event,
check the proof offline, and see exit code 10, without a traceback, once the log is
altered."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import update

from casegraph.cli import audit_cmd
from casegraph.cli.app import app, main
from casegraph.security.audit_event import ActionClass, EventDraft
from casegraph.security.context import Context
from casegraph.services import audit
from casegraph.services.authentication import create_token
from casegraph.services.store import Store
from casegraph.settings import Settings
from casegraph.store import append_only
from casegraph.store.tables import audit_event
from tests.helpers import make_user


@pytest.fixture(autouse=True)
def audit_commands() -> Iterator[None]:
    """`audit` as app.py registers it (added here until it does)."""
    registered = any(group.name == "audit" for group in app.registered_groups)
    if not registered:
        app.add_typer(audit_cmd.app, name="audit")
    yield
    if not registered:
        app.registered_groups[:] = [g for g in app.registered_groups if g.name != "audit"]


@pytest.fixture
def as_auditor(
    store: Store, owner: Context, cli_env: Settings, monkeypatch: pytest.MonkeyPatch
) -> Store:
    """The CLI acts as an auditor, through an API token."""
    auditor = make_user(store, owner, "aud", roles="auditor")
    token, _ = create_token(store, auditor)
    monkeypatch.setenv("CASEGRAPH_TOKEN", token)
    monkeypatch.delenv("CASEGRAPH_USER")
    with store.engine.begin() as conn:
        for i, actor in enumerate(["ana", "bob", "ana"]):
            audit.append(
                conn,
                store,
                actor=actor,
                draft=EventDraft(
                    action=ActionClass.CONSULT,
                    operation="entity.show",
                    decision="allow",
                    rule="grant",
                    reason=f"read {i}",
                    objects=("entity:p1", f"entity:c{i}"),
                    purpose="case:C-7",
                ),
            )
    return store


def _run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    captured = capsys.readouterr()
    assert "Traceback" not in captured.out + captured.err
    return code, captured.out, captured.err


def test_the_audit_commands_have_help_with_examples(capsys: pytest.CaptureFixture[str]) -> None:
    for command in ["verify", "proof", "check-proof", "checkpoint", "who-accessed", "activity"]:
        code, text, _ = _run(capsys, "audit", command, "--help")
        assert code == 0 and "Example" in text and "casegraph audit " + command in text


def test_verify_export_prove_check_then_tamper(
    as_auditor: Store,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    store = as_auditor
    code, text, _ = _run(capsys, "audit", "verify")
    assert code == 0, text
    assert "OK: the audit log verifies" in text and "checkpoints" in text

    kept = tmp_path / "checkpoint.txt"
    code, text, _ = _run(capsys, "audit", "checkpoint", "--export", str(kept))
    assert code == 0
    assert f"verifier key: {store.verifier_key}" in text
    assert kept.read_text().startswith(store.origin + "\n")

    proof = tmp_path / "proof.json"
    code, text, _ = _run(capsys, "audit", "proof", "3", "--out", str(proof))
    assert code == 0 and "wrote the proof of event 3" in text
    assert json.loads(proof.read_text())["leaf_index"] == 3

    # Offline: the store is not even reachable.
    monkeypatch.setenv("CASEGRAPH_DATA_DIR", str(tmp_path / "nowhere"))
    monkeypatch.delenv("CASEGRAPH_DATABASE_URL")
    code, text, _ = _run(
        capsys, "audit", "check-proof", str(proof), str(kept), "--key", store.verifier_key
    )
    assert code == 0, text
    assert text.startswith("OK: event 3 ")
    altered = json.loads(proof.read_text())
    altered["event"] = altered["event"].replace('"actor":"', '"actor":"x', 1)
    proof.write_text(json.dumps(altered))
    code, _, errors = _run(
        capsys, "audit", "check-proof", str(proof), str(kept), "--key", store.verifier_key
    )
    assert code == 10 and errors.startswith("error: ") and "altered" in errors
    code, _, errors = _run(capsys, "audit", "check-proof", str(proof), str(kept), "--key", "x")
    assert code == 5 and "--key is not a verifier key" in errors
    monkeypatch.setenv("CASEGRAPH_DATA_DIR", str(store.settings.data_dir))
    monkeypatch.setenv("CASEGRAPH_DATABASE_URL", store.settings.database_url)

    # An attacker with the database owner's rights edits event 2.
    with store.engine.begin() as conn:
        append_only.apply(conn, append_only.drop_sql(conn.dialect.name))
        conn.execute(update(audit_event).where(audit_event.c.seq == 2).values(reason="nothing"))
    code, text, errors = _run(capsys, "audit", "verify")
    assert code == 10
    assert "event 2: its fields" in text
    assert errors.startswith(
        "error: the audit log does not verify: 1 problem(s), the first at event 2"
    )
    code, text, errors = _run(capsys, "audit", "verify", "--against", str(kept))
    assert code == 10 and "error: the audit log does not verify" in errors


def test_checkpoint_prints_the_note_and_the_key_apart(
    as_auditor: Store, capsys: pytest.CaptureFixture[str]
) -> None:
    code, text, errors = _run(capsys, "audit", "checkpoint")
    assert code == 0
    assert text.startswith(as_auditor.origin + "\n") and "\n\n— " in text
    assert errors.strip() == f"verifier key: {as_auditor.verifier_key}"


def test_reports_as_tables_and_json(as_auditor: Store, capsys: pytest.CaptureFixture[str]) -> None:
    code, text, _ = _run(capsys, "audit", "who-accessed", "p1", "--json")
    assert code == 0
    entries = json.loads(text)
    assert [(e["actor"], e["reason"]) for e in entries] == [
        ("ana", "read 0"),
        ("bob", "read 1"),
        ("ana", "read 2"),
    ]
    assert entries[0]["purpose"] == "case:C-7" and entries[0]["decision"] == "allow"
    code, text, _ = _run(capsys, "audit", "who-accessed", "p1")
    assert code == 0 and "entity.show" in text and "bob" in text
    code, text, _ = _run(capsys, "audit", "who-accessed", "nobody")
    assert code == 0 and "no recorded access to entity nobody" in text

    code, text, _ = _run(capsys, "audit", "activity", "ana", "--json")
    assert code == 0
    assert [e["objects"] for e in json.loads(text)] == [
        ["entity:c0", "entity:p1"],
        ["entity:c2", "entity:p1"],
    ]
    code, text, _ = _run(
        capsys, "audit", "activity", "aud", "--since", "2000-01-01", "--limit", "50"
    )
    assert code == 0 and "audit.who-accessed" in text and "audit-subject:entity:p1" in text
    code, _, errors = _run(capsys, "audit", "activity", "ana", "--since", "yesterday")
    assert code == 5 and "ISO 8601" in errors


def test_errors_have_their_exit_codes(
    store: Store, cli_env: Settings, capsys: pytest.CaptureFixture[str]
) -> None:
    # The owner (admin, analyst) is no auditor.
    code, _, errors = _run(capsys, "audit", "verify")
    assert code == 9 and "only auditors read the audit log" in errors


def test_a_missing_event_has_no_proof(
    as_auditor: Store, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, errors = _run(capsys, "audit", "proof", "9999")
    assert code == 4 and "no audit event 9999" in errors
