"""Invalid mappings give a `MappingError` naming the file, the entity and the bad name."""

from __future__ import annotations

from pathlib import Path

import pytest

from casegraph.errors import MappingError
from casegraph.ingest.mapping.compiler import compile_query
from casegraph.ingest.mapping.loader import load_mapping_file

COLUMNS = ["owner_name", "owner_dob", "company", "phone"]

GOOD_OWNER = """
        owner:
          schema: Person
          keys: [owner_name]
          properties:
            name:
              column: owner_name
"""


def _compile(tmp_path: Path, body: str, columns: list[str] | None = COLUMNS) -> None:
    path = tmp_path / "companies.yml"
    path.write_text("companies:\n  queries:\n    - entities:\n" + body, encoding="utf-8")
    for spec in load_mapping_file(path):
        compile_query(spec, dataset="companies", columns=columns)


def _error(tmp_path: Path, body: str, columns: list[str] | None = COLUMNS) -> str:
    with pytest.raises(MappingError) as caught:
        _compile(tmp_path, body, columns)
    message = str(caught.value)
    assert str(tmp_path / "companies.yml") in message
    assert "query 1" in message
    return message


def test_a_good_mapping_compiles(tmp_path: Path) -> None:
    _compile(tmp_path, GOOD_OWNER)


def test_unknown_schema(tmp_path: Path) -> None:
    body = GOOD_OWNER.replace("schema: Person", "schema: Persn")
    message = _error(tmp_path, body)
    assert 'entity "owner"' in message
    assert '"Persn"' in message and 'did you mean "Person"' in message


def test_unknown_property(tmp_path: Path) -> None:
    body = GOOD_OWNER.replace("name:\n              column", "nmae:\n              column")
    message = _error(tmp_path, body)
    assert 'entity "owner"' in message
    assert '"nmae"' in message and 'did you mean "name"' in message


def test_unknown_column(tmp_path: Path) -> None:
    body = GOOD_OWNER.replace("column: owner_name", "column: owner_nam")
    message = _error(tmp_path, body)
    assert 'entity "owner"' in message
    assert 'column "owner_nam" is not in the source' in message
    assert "available columns: owner_name, owner_dob, company, phone" in message
    assert 'did you mean "owner_name"' in message


def test_unknown_key_column(tmp_path: Path) -> None:
    message = _error(tmp_path, GOOD_OWNER.replace("keys: [owner_name]", "keys: [ownr]"))
    assert 'entity "owner"' in message and '"ownr"' in message


def test_unknown_columns_pass_without_a_known_header(tmp_path: Path) -> None:
    _compile(tmp_path, GOOD_OWNER.replace("column: owner_name", "column: other"), None)


def test_unknown_template_and_filter_columns(tmp_path: Path) -> None:
    body = GOOD_OWNER + '            summary:\n              template: "{{owner_nme}}"\n'
    message = _error(tmp_path, body)
    assert 'entity "owner"' in message and '"owner_nme"' in message
    path = tmp_path / "companies.yml"
    path.write_text("query:\n  filters:\n    kind: x\n  entities:\n" + GOOD_OWNER, encoding="utf-8")
    with pytest.raises(MappingError, match='filters: column "kind" is not in the source'):
        compile_query(load_mapping_file(path)[0], dataset="d", columns=COLUMNS)


def test_missing_keys(tmp_path: Path) -> None:
    message = _error(tmp_path, GOOD_OWNER.replace("keys: [owner_name]", ""))
    assert 'entity "owner"' in message and "keys" in message and "id_column" in message


def test_keys_and_id_column(tmp_path: Path) -> None:
    body = GOOD_OWNER.replace("keys: [owner_name]", "keys: [owner_name]\n          id_column: x")
    message = _error(tmp_path, body)
    assert 'entity "owner"' in message and "not both" in message


def test_circular_references(tmp_path: Path) -> None:
    body = """
        a:
          schema: Company
          keys: [company]
          properties:
            parent:
              entity: b
        b:
          schema: Company
          keys: [owner_name]
          properties:
            parent:
              entity: a
"""
    message = _error(tmp_path, body)
    assert "circular entity references" in message
    assert 'entity "a"' in message and '"b"' in message


def test_reference_to_an_unknown_entity(tmp_path: Path) -> None:
    body = (
        GOOD_OWNER
        + """
        stake:
          schema: Ownership
          keys: [owner_name]
          properties:
            owner:
              entity: ownr
"""
    )
    message = _error(tmp_path, body)
    assert 'entity "stake"' in message and '"ownr"' in message
    assert 'did you mean "owner"' in message


def test_reference_to_an_entity_of_the_wrong_schema(tmp_path: Path) -> None:
    body = """
        ship:
          schema: Vessel
          keys: [company]
        stake:
          schema: Ownership
          keys: [owner_name]
          properties:
            owner:
              entity: ship
"""
    message = _error(tmp_path, body)
    assert 'entity "stake"' in message and '"owner"' in message and "Vessel" in message
    assert "must refer to a LegalEntity" in message


def test_reverse_property(tmp_path: Path) -> None:
    body = GOOD_OWNER + "            ownershipOwner:\n              column: company\n"
    message = _error(tmp_path, body)
    assert 'entity "owner"' in message and '"ownershipOwner"' in message


def test_invalid_phone_format(tmp_path: Path) -> None:
    body = (
        GOOD_OWNER + "            phone:\n              column: phone\n              format: xx\n"
    )
    message = _error(tmp_path, body)
    assert 'entity "owner"' in message and '"phone"' in message and "'xx'" in message


def test_literal_must_be_text(tmp_path: Path) -> None:
    body = GOOD_OWNER + "            birthDate:\n              literal: 1970\n"
    message = _error(tmp_path, body)
    assert 'entity "owner"' in message and '"birthDate"' in message and "1970" in message


def test_no_entities(tmp_path: Path) -> None:
    path = tmp_path / "companies.yml"
    path.write_text("query:\n  csv_url: x.csv\n  entities: {}\n", encoding="utf-8")
    with pytest.raises(MappingError, match="no entities"):
        compile_query(load_mapping_file(path)[0], dataset="d", columns=None)


def test_yaml_syntax_error_names_file_and_line(tmp_path: Path) -> None:
    path = tmp_path / "companies.yml"
    path.write_text("companies:\n  queries:\n    - entities: [\n      owner: {\n", "utf-8")
    with pytest.raises(MappingError) as caught:
        load_mapping_file(path)
    message = str(caught.value)
    assert str(path) in message and "line " in message and "YAML syntax error" in message


def test_yaml_tab_error_line(tmp_path: Path) -> None:
    path = tmp_path / "companies.yml"
    path.write_text("companies:\n  queries:\n\t- entities: {}\n", "utf-8")
    with pytest.raises(MappingError, match=r"line 3"):
        load_mapping_file(path)


def test_file_without_queries(tmp_path: Path) -> None:
    path = tmp_path / "companies.yml"
    path.write_text("companies:\n  nothing: here\n", "utf-8")
    with pytest.raises(MappingError, match=r"companies.*no `queries:`"):
        load_mapping_file(path)
    path.write_text("", "utf-8")
    with pytest.raises(MappingError, match=r"companies\.yml"):
        load_mapping_file(path)


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(MappingError, match="does not exist"):
        load_mapping_file(tmp_path / "nope.yml")


def test_filters_must_be_a_mapping(tmp_path: Path) -> None:
    path = tmp_path / "companies.yml"
    path.write_text("query:\n  filters: [a, b]\n  entities:\n" + GOOD_OWNER, encoding="utf-8")
    with pytest.raises(MappingError, match="`filters:` must map column names"):
        compile_query(load_mapping_file(path)[0], dataset="d", columns=None)
