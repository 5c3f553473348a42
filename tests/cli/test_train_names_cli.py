"""`casegraph train-names`, and a search that uses the model it wrote."""

from __future__ import annotations

import csv
from pathlib import Path

import orjson
import pytest

from casegraph.cli.app import main
from casegraph.model.dataset import DatasetMeta
from casegraph.security.context import Context
from casegraph.services.authentication import create_token
from casegraph.services.ingest import ingest
from casegraph.services.store import Store
from casegraph.settings import Settings
from tests.search.test_learned_translit import UNSEEN, hangul_words
from tests.services.audit_support import write_ftm


def _pairs_csv(path: Path) -> Path:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["en", "ko"])
        writer.writerows((latin.title(), native) for native, latin in hangul_words())
    return path


@pytest.fixture
def as_owner(
    store: Store, owner: Context, cli_env: Settings, monkeypatch: pytest.MonkeyPatch
) -> Store:
    """The CLI acts as the store's owner through an API token."""
    token, _ = create_token(store, owner)
    monkeypatch.setenv("CASEGRAPH_TOKEN", token)
    monkeypatch.delenv("CASEGRAPH_USER")
    return store


def test_train_names_writes_a_model_that_search_uses(
    as_owner: Store,
    owner: Context,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    model = tmp_path / "names.json"
    code = main(
        [
            "train-names",
            str(_pairs_csv(tmp_path / "pairs.csv")),
            "--latin",
            "en",
            "--native",
            "ko",
            "--out",
            str(model),
        ]
    )
    assert code == 0, capsys.readouterr().err
    assert f"wrote {model}" in capsys.readouterr().out
    people = [
        {"id": "calomi", "schema": "Person", "properties": {"name": ["Calomi"]}},
        {"id": "kalomi", "schema": "Person", "properties": {"name": ["Kalomi"]}},
    ]
    ingest(
        as_owner,
        owner,
        write_ftm(tmp_path / "people.ftm.jsonl", people),
        meta=DatasetMeta(name="people", title="People", marking="PUBLIC"),
    )
    monkeypatch.setenv("CASEGRAPH_NAME_MODEL", str(model))
    assert main(["search", f'name:"{UNSEEN[0]}"', "--json"]) == 0
    hits = orjson.loads(capsys.readouterr().out)["hits"]
    assert hits[0]["caption"] == "Calomi"


def test_train_names_names_a_missing_column(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    pairs = _pairs_csv(tmp_path / "pairs.csv")
    code = main(["train-names", str(pairs), "--out", str(tmp_path / "m.json")])
    err = capsys.readouterr().err
    assert code != 0
    assert "no column 'name_latin'" in err and "en, ko" in err
    assert "Traceback" not in err
    assert not (tmp_path / "m.json").exists()


def test_a_missing_model_file_is_a_clear_error(
    as_owner: Store,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("CASEGRAPH_NAME_MODEL", str(tmp_path / "gone.json"))
    code = main(["search", "calomi"])
    err = capsys.readouterr().err
    assert code != 0
    assert "gone.json does not exist" in err and "Traceback" not in err
