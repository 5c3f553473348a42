"""`casegraph search` and `casegraph reindex` as a user meets them, on both backends."""

from __future__ import annotations

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
from tests.helpers import add_dataset
from tests.search.conftest import PEOPLE
from tests.services.audit_support import write_ftm


@pytest.fixture
def searchable(
    store: Store,
    owner: Context,
    cli_env: Settings,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> Settings:
    """A store with the search world's `registry` dataset; the CLI acts as its owner
    through an API token (a password login per command would be slow)."""
    add_dataset(store, owner, "registry", "PUBLIC")
    ingest(
        store,
        owner,
        write_ftm(tmp_path / "registry.ftm.json", PEOPLE),
        meta=DatasetMeta(name="registry", title="", marking=""),
    )
    token, _ = create_token(store, owner)
    monkeypatch.setenv("CASEGRAPH_TOKEN", token)
    monkeypatch.delenv("CASEGRAPH_USER")
    return cli_env


def _run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def _json(capsys: pytest.CaptureFixture[str], *args: str) -> dict[str, object]:
    code, out, err = _run(capsys, "search", *args, "--json")
    assert code == 0, err
    parsed = orjson.loads(out)
    assert isinstance(parsed, dict)
    return parsed


def _captions(result: dict[str, object]) -> list[str]:
    hits = result["hits"]
    assert isinstance(hits, list)
    return [hit["caption"] for hit in hits]


def test_the_table_shows_names_and_why_they_matched(
    searchable: Settings, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = _run(capsys, "search", "vladimir putin")
    assert code == 0, err
    assert "2 entities match; showing 1-2" in out
    lines = {line for line in out.splitlines() if "Putin" in line or "Путин" in line}
    assert any("Vladimir Putin" in line and "exact" in line for line in lines)
    assert any("Владимир Путин" in line and "transliteration" in line for line in lines)
    assert "registry" in out
    assert "schema: Person (2)" in out and "country: ru (2)" in out


def test_the_why_column_names_the_matched_name_when_it_is_not_the_caption(
    searchable: Settings, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    entity = {
        "id": "vova",
        "schema": "Person",
        "properties": {"name": ["Vladimir Putin"], "alias": ["Вова Путин"]},
    }
    data = write_ftm(tmp_path / "aliases.ftm.json", [entity])
    assert main(["ingest", str(data), "-d", "aliases", "--marking", "PUBLIC", "-q"]) == 0
    capsys.readouterr()
    code, out, _ = _run(capsys, "search", "вова")
    assert code == 0
    assert "exact: Вова Путин" in out and "Vladimir Putin" in out


def test_document_text_matches_print_a_snippet(
    searchable: Settings, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = _run(capsys, "search", "limassol")
    assert code == 0
    assert "1 entities match; showing 1-1" in out
    assert "Board memo: " in out and "«Limassol»" in out


def test_json_has_total_hits_and_facets(
    searchable: Settings, capsys: pytest.CaptureFixture[str]
) -> None:
    result = _json(capsys, "romashka OR rosneft")
    assert result["total"] == 3 and result["offset"] == 0 and result["limit"] == 20
    assert result["query"] == "romashka OR rosneft"
    assert set(_captions(result)) == {"Romashka LLC", "ООО Ромашка", "Rosneft Trading S.A."}
    hits = result["hits"]
    assert isinstance(hits, list)
    assert {hit["caption"]: hit["match"] for hit in hits} == {
        "Romashka LLC": "exact",
        "ООО Ромашка": "transliteration",
        "Rosneft Trading S.A.": "exact",
    }
    assert all(hit["datasets"] == ["registry"] and hit["snippet"] is None for hit in hits)
    facets = result["facets"]
    assert isinstance(facets, dict)
    assert facets["schema"] == [{"value": "Company", "count": 3}]
    assert facets["dataset"] == [{"value": "registry", "count": 3}]
    assert {f["value"]: f["count"] for f in facets["country"]} == {"ch": 1, "cy": 1, "ru": 1}


def test_the_schema_option_narrows_the_results(
    searchable: Settings, capsys: pytest.CaptureFixture[str]
) -> None:
    assert set(_captions(_json(capsys, "romashka OR putin", "--schema", "Company"))) == {
        "Romashka LLC",
        "ООО Ромашка",
    }
    assert set(_captions(_json(capsys, "romashka OR putin", "--schema", "Person"))) == {
        "Vladimir Putin",
        "Владимир Путин",
    }
    code, _, err = _run(capsys, "search", "putin", "--schema", "Nope")
    assert code == 5 and "unknown schema 'Nope'" in err


def test_limit_and_offset_page_through_the_results(
    searchable: Settings, capsys: pytest.CaptureFixture[str]
) -> None:
    query = "schema:LegalEntity"
    everything = _captions(_json(capsys, query, "--limit", "100"))
    assert len(everything) == 10
    pages = [
        _captions(_json(capsys, query, "--limit", "4", "--offset", str(offset)))
        for offset in (0, 4, 8)
    ]
    assert [len(page) for page in pages] == [4, 4, 2]
    assert [caption for page in pages for caption in page] == everything
    code, out, _ = _run(capsys, "search", query, "--limit", "4", "--offset", "4")
    assert code == 0 and "10 entities match; showing 5-8" in out


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--limit", "0"], "--limit must be between 1 and 1000, not 0"),
        (["--limit", "1001"], "--limit must be between 1 and 1000, not 1001"),
        (["--offset", "-1"], "--offset must be 0 or more, not -1"),
    ],
)
def test_bad_pages_exit_5(
    searchable: Settings, capsys: pytest.CaptureFixture[str], args: list[str], message: str
) -> None:
    code, _, err = _run(capsys, "search", "putin", *args)
    assert code == 5 and message in err and "Traceback" not in err


def test_no_hits_say_so(searchable: Settings, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = _run(capsys, "search", "gorbachev")
    assert code == 0 and "0 entities match; showing 0-0" in out


def test_a_query_error_exits_5_with_the_column_and_no_traceback(
    searchable: Settings, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = _run(capsys, "search", "putin OR")
    assert code == 5 and out == ""
    assert "query error at column 7: OR needs a term on both sides" in err
    assert "  putin OR\n        ^" in err
    assert "Traceback" not in err


def test_an_unknown_field_exits_5_naming_it(
    searchable: Settings, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = _run(capsys, "search", "putin colour:red")
    assert code == 5 and "unknown field 'colour'" in err and "Traceback" not in err


def test_reindex_prints_the_count_and_search_still_works(
    searchable: Settings, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = _run(capsys, "reindex", "--quiet")
    assert code == 0, err
    assert f"indexed {len(PEOPLE)} documents" in out
    assert set(_captions(_json(capsys, "putin"))) == {"Vladimir Putin", "Владимир Путин"}
