"""A configured romaniser (`CASEGRAPH_NAME_MODEL`) changes what a native-script query finds.

The model is trained on synthetic pairs with a made-up convention (Hangul ᄏ is "c",
ᄅ is "l"; see test_learned_translit.py), so only the model can know that 카로미 is
written "Calomi"; ICU writes it "kalomi".
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from casegraph.errors import ConfigError
from casegraph.model.dataset import DatasetMeta
from casegraph.search.learned_translit import train
from casegraph.search.romaniser import romaniser
from casegraph.security.context import Context
from casegraph.services.ingest import ingest
from casegraph.services.search import search
from casegraph.services.store import Store, open_store
from tests.search.test_learned_translit import UNSEEN, hangul_words
from tests.services.audit_support import write_ftm


@pytest.fixture(scope="module")
def model_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    pairs = [(latin.title(), native) for native, latin in hangul_words()]
    path = tmp_path_factory.mktemp("model") / "names.json"
    train(pairs, iterations=4).save(path)
    return path


def _load_people(store: Store, owner: Context, tmp_path: Path) -> None:
    people = [
        {"id": "calomi", "schema": "Person", "properties": {"name": ["Calomi"]}},
        {"id": "kalomi", "schema": "Person", "properties": {"name": ["Kalomi"]}},
    ]
    path = write_ftm(tmp_path / "people.ftm.jsonl", people)
    ingest(store, owner, path, meta=DatasetMeta(name="people", title="People", marking="PUBLIC"))


def _top(store: Store, owner: Context, query: str) -> list[str]:
    """Source ids (without the dataset suffix) of the hits, best first."""
    return [hit.entity_id.split(".")[0] for hit in search(store, owner, query, facets=()).hits]


def test_learned_spelling_ranks_the_name_the_model_reads(
    store: Store, owner: Context, model_path: Path, tmp_path: Path
) -> None:
    _load_people(store, owner, tmp_path)
    native = UNSEEN[0]
    # Untrained, ICU's "kalomi" is the exact spelling.
    assert _top(store, owner, f'name:"{native}"')[0] == "kalomi"
    learned = open_store(dataclasses.replace(store.settings, name_model=model_path))
    try:
        assert _top(learned, owner, f'name:"{native}"')[0] == "calomi"
        assert _top(learned, owner, native)[0] == "calomi"
    finally:
        learned.close()


def test_latin_words_get_no_learned_spellings(model_path: Path) -> None:
    spell = romaniser(model_path)
    assert spell is not None
    assert spell("calomi") == ()
    assert spell(UNSEEN[0])[0] == UNSEEN[1]


def test_a_missing_model_is_a_config_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="does not exist"):
        romaniser(tmp_path / "nowhere.json")


def test_a_corrupt_model_is_a_config_error(tmp_path: Path) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text("{not json", encoding="utf-8")
    with pytest.raises(ConfigError, match="cannot be read"):
        romaniser(bad)
