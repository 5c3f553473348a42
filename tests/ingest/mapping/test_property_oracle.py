"""Random names, dates and countries through a Person/Company mapping equal ftm's."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

from followthemoney import model
from followthemoney.namespace import Namespace
from followthemoney.util import sanitize_text
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from casegraph.ingest.mapping.compiler import compile_query
from casegraph.ingest.mapping.loader import QuerySpec
from casegraph.ingest.records import RowError, SourceRow
from casegraph.model.origin import Origin

from .oracle import ftm_map_record, group_statements

DATASET = "prop_test"
QUERY: dict[str, Any] = {
    "entities": {
        "person": {
            "schema": "Person",
            "keys": ["person", "born"],
            "properties": {
                "name": {"column": "person"},
                "birthDate": {"column": "born"},
                "nationality": {"column": "country"},
                "alias": {"column": "aliases", "split": ";"},
            },
        },
        "company": {
            "schema": "Company",
            "key_literal": "company",
            "keys": ["company"],
            "properties": {
                "name": {"column": "company"},
                "jurisdiction": {"column": "jurisdiction", "fuzzy": True},
                "incorporationDate": {"column": "founded", "format": "%d.%m.%Y"},
            },
        },
        "director": {
            "schema": "Directorship",
            "keys": ["person", "company"],
            "properties": {
                "director": {"entity": "person"},
                "organization": {"entity": "company"},
                "summary": {"template": "{{person}} at {{company}}"},
            },
        },
    }
}
COMPILED = compile_query(QuerySpec(QUERY, 1, Path("p.yml")), dataset=DATASET, columns=None)
MAPPING = model.make_mapping({**QUERY, "csv_url": "/dev/null"}, key_prefix=DATASET, dataset=DATASET)
NS = Namespace(DATASET)

VALID_COUNTRIES = ["de", "GB", "France", "ru", "Côte d'Ivoire", "United States", ""]
FUZZY_COUNTRIES = [*VALID_COUNTRIES, "Untied States", "Germny"]
names = st.one_of(
    st.text(max_size=30),
    st.sampled_from(["Anna Berg", ' "Quoted" ', "O'Neil", "  ", "Zoë  Ünal", "a;b;;c", ""]),
)
any_date = st.dates(min_value=date(1100, 1, 1), max_value=date(2099, 12, 31))
good_dates = st.one_of(any_date.map(str), any_date.map(lambda d: str(d)[:7]), st.just(""))
bad_dates = st.one_of(
    st.sampled_from(["31/02/2020", "2020-13-01", "yesterday"]),
    st.text(alphabet="0123456789-./", max_size=12),
)
dates = st.one_of(good_dates, good_dates, good_dates, good_dates, bad_dates)
good_founded = any_date.map(lambda d: d.strftime("%d.%m.%Y"))
founded = st.one_of(good_founded, good_founded, st.sampled_from(["31.02.2001", "x", ""]))
good_countries = st.sampled_from(VALID_COUNTRIES)
bad_countries = st.one_of(st.sampled_from(["Atlantis", "zz", "eu", "xk"]), st.text(max_size=12))
countries = st.one_of(*[good_countries] * 6, bad_countries)
fuzzy_countries = st.one_of(*[st.sampled_from(FUZZY_COUNTRIES)] * 6, bad_countries)
records = st.fixed_dictionaries(
    {
        "person": names,
        "born": dates,
        "country": countries,
        "aliases": names,
        "company": names,
        "jurisdiction": fuzzy_countries,
        "founded": founded,
    }
)


def _clean_record(raw: dict[str, str]) -> dict[str, str]:
    """As `CSVSource.read_csv` cleans cells: `sanitize_text`, empty cells absent."""
    record = {}
    for key, value in raw.items():
        text = sanitize_text(value)
        if text is not None:
            record[key] = text
    return record


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(records)
def test_random_records_equal_ftm(raw: dict[str, str]) -> None:
    record = _clean_record(raw)
    ours = COMPILED.map_row(SourceRow(origin=Origin(file="r.csv", row=1), values=record))
    theirs = ftm_map_record(MAPPING, NS, record)
    assert theirs is not None
    event("rejected" if isinstance(ours, RowError) else "accepted")
    if isinstance(ours, RowError):
        assert theirs.discarded or theirs.id_less or theirs.crashed, ours.message
        assert ours.column is None or ours.column in record
    else:
        assert not theirs.discarded and not theirs.crashed and not theirs.id_less
        assert group_statements(ours) == theirs.entities
