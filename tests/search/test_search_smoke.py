"""The headline promises of search, on both backends."""

from __future__ import annotations

from casegraph.services.search import SearchResult, search
from tests.search.conftest import SearchWorld


def _key(entity_id: str) -> str:
    """The source id an FtM ingest namespaced with the dataset."""
    return entity_id.split(".")[0]


def _ids(result: SearchResult) -> list[str]:
    return [_key(hit.entity_id) for hit in result.hits]


def _why(result: SearchResult) -> dict[str, str]:
    return {_key(hit.entity_id): hit.match for hit in result.hits}


def test_latin_query_finds_the_cyrillic_name_by_transliteration(world: SearchWorld) -> None:
    result = search(world.store, world.owner, "vladimir putin")
    assert set(_ids(result)) == {"putin-lat", "putin-cyr"}
    assert _why(result) == {"putin-lat": "exact", "putin-cyr": "transliteration"}


def test_cyrillic_query_finds_the_latin_name(world: SearchWorld) -> None:
    result = search(world.store, world.owner, "Путин")
    assert set(_ids(result)) == {"putin-lat", "putin-cyr"}


def test_muhammad_finds_mohammed_phonetically(world: SearchWorld) -> None:
    result = search(world.store, world.owner, "muhammad")
    assert _why(result) == {"mohammed": "phonetic"}


def test_or_means_or(world: SearchWorld) -> None:
    result = search(world.store, world.owner, "rosneft OR müller")
    assert set(_ids(result)) == {"rosneft", "muller"}
    assert result.total == 2


def test_body_text_gives_a_highlighted_snippet(world: SearchWorld) -> None:
    result = search(world.store, world.owner, '"share purchase"')
    assert _ids(result) == ["memo"]
    snippet = result.hits[0].snippet
    assert snippet is not None and "«share» «purchase»" in snippet.replace(
        "«share purchase»", "«share» «purchase»"
    )
