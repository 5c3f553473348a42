"""The worked example in docs/mappings.md works exactly as the page says."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from casegraph.errors import MappingError
from casegraph.model.dataset import DatasetMeta
from casegraph.model.entity import EntityView
from casegraph.security.context import Context
from casegraph.services.entities import iter_entities, iter_entity_ids
from casegraph.services.ingest import ingest
from casegraph.services.stats import statistics
from casegraph.services.store import Store

DOC = Path(__file__).resolve().parents[2] / "docs" / "mappings.md"


def _block(language: str) -> str:
    match = re.search(rf"```{language}\n(.*?)```", DOC.read_text(encoding="utf-8"), re.S)
    assert match, f"docs/mappings.md lost its {language} example"
    return match.group(1)


def _entities(store: Store, ctx: Context, schema: str) -> list[EntityView]:
    scope = store.policy.read_scope(ctx)
    return list(iter_entities(store, scope, iter_entity_ids(store, scope, schema=schema)))


def test_the_worked_example_gives_the_entities_the_page_promises(
    store: Store, owner: Context, tmp_path: Path
) -> None:
    data = tmp_path / "companies.csv"
    data.write_text(_block("csv"), encoding="utf-8")
    mapping = tmp_path / "companies.yml"
    mapping.write_text(_block("yaml"), encoding="utf-8")
    meta = DatasetMeta(name="companies", title="Company register", marking="PUBLIC")
    result = ingest(store, owner, data, meta=meta, mapping=mapping)
    assert (result.read, result.ingested, result.rejected) == (2, 2, 0)
    counts = {c.schema: c.entities for c in statistics(store, owner).counts}
    assert counts == {"Company": 2, "Person": 2, "Directorship": 2}
    ivan = next(e for e in _entities(store, owner, "Person") if "Ivan Petrov" in e.values("name"))
    birth = ivan.properties["birthDate"][0]
    assert birth.origin == "file:companies.csv#row=1&line=2"
    companies = _entities(store, owner, "Company")
    assert {c.values("jurisdiction")[0] for c in companies} == {"cy", "vg"}


def test_the_documented_misspelt_column_error(store: Store, owner: Context, tmp_path: Path) -> None:
    data = tmp_path / "companies.csv"
    data.write_text(_block("csv"), encoding="utf-8")
    mapping = tmp_path / "companies.yml"
    broken = _block("yaml").replace("[director, director_born]", "[director, director_bron]")
    mapping.write_text(broken, encoding="utf-8")
    meta = DatasetMeta(name="companies", title="", marking="")
    with pytest.raises(MappingError) as info:
        ingest(store, owner, data, meta=meta, mapping=mapping)
    message = str(info.value)
    assert 'column "director_bron" is not in the source' in message
    assert "director_born" in message and "companies.yml" in message
