"""Every feature of the query language, with the exact set of entities it finds.

The world (conftest.py) has 14 entities: 11 in `registry` (PUBLIC) and 3 in `leak`
(INTERNAL). Each table row is a query and everything it must find, on both backends.
"""

from __future__ import annotations

from collections import Counter

import pytest

from casegraph.errors import InvalidInputError, QuerySyntaxError
from casegraph.services.search import MAX_LIMIT, search
from tests.search.conftest import LEAK, PEOPLE, SearchWorld, found, hits_of, key, ranked

PUTINS = {"putin-lat", "putin-cyr"}
ROMASHKAS = {"romashka-ooo", "romashka-llc"}
PERSONS = {e["id"] for e in PEOPLE + LEAK if e["schema"] == "Person"}
COMPANIES = {e["id"] for e in PEOPLE + LEAK if e["schema"] == "Company"}
EVERYTHING = {e["id"] for e in PEOPLE + LEAK}


def test_the_world_is_what_the_tables_assume() -> None:
    assert len(EVERYTHING) == 14
    other_people = {"mohammed", "muller", "netanyahu", "park", "schmidt", "sidorova"}
    assert PUTINS | other_people == PERSONS
    assert {*ROMASHKAS, "rosneft", "lukoil", "sunrise"} == COMPANIES


TERMS = [
    ("putin", PUTINS),
    ("PUTIN", PUTINS),
    ("vladimir putin", PUTINS),
    ("putin gorbachev", set()),  # every term must match
    ("hans", {"muller", "schmidt"}),
    ("hans müller", {"muller"}),
    ("hans schmidt", {"schmidt"}),
    ("share agreement", {"memo"}),  # terms need not be together
    ("vp@kremlin.example", {"putin-lat"}),  # property values are text too
    ("limassol putin", set()),
    ("al-rashid", {"mohammed"}),  # indexed as the parts al rashid
    ("bvi-77123", {"sunrise"}),  # an identifier in the text
    ("1952-10-07", {"putin-lat"}),
]

PHRASES = [
    ('"vladimir putin"', PUTINS),
    ('"VLADIMIR  Putin"', PUTINS),
    ('"владимир путин"', PUTINS),
    ('"putin vladimir"', set()),  # order matters
    ('"share purchase"', {"memo"}),
    ('"purchase share"', set()),
    ('"share agreement"', set()),  # words of the phrase apart
    ('"signed in limassol"', {"memo"}),
    ('"limassol riga"', set()),
    ('"al-rashid"', {"mohammed"}),
    ('"mohammed al-rashid"', {"mohammed"}),
    ('"rashid mohammed"', set()),
]

BOOLEANS = [
    ("putin AND vladimir", PUTINS),
    ("putin AND gorbachev", set()),
    ("rosneft OR netanyahu OR limassol", {"rosneft", "netanyahu", "memo"}),
    ("putin OR gorbachev", PUTINS),
    ("hans NOT müller", {"schmidt"}),
    ("hans -müller", {"schmidt"}),
    ("hans -schmidt", {"muller"}),
    ("putin -vp@kremlin.example", {"putin-cyr"}),
    ("putin NOT NOT vladimir", PUTINS),
    ("(hans OR putin) -müller -владимир", {"schmidt"}),
    ("(hans OR putin) vladimir", PUTINS),
    ("putin OR (hans -müller)", {*PUTINS, "schmidt"}),
    ("hans OR putin romashka", {"muller", "schmidt"}),  # AND binds tighter than OR
    ("(hans OR putin) (müller OR путин)", {"muller", *PUTINS}),
    ("(rosneft OR romashka) llc", ROMASHKAS),
    ("hans OR schema:Company", {"muller", "schmidt", *COMPANIES}),
    ("putin OR (hans -country:de)", PUTINS),
    ("schema:Person -country:ru", PERSONS - PUTINS),
    ("putin -country:ru", set()),
    ("schema:Person NOT (hans OR putin)", PERSONS - PUTINS - {"muller", "schmidt"}),
]

PREFIXES = [
    ("put*", PUTINS),  # the Cyrillic name through its transliteration
    ("пут*", PUTINS),  # and the Latin name through the query's
    ("rom*", ROMASHKAS),
    ("sid*", {"sidorova"}),
    ("hol*", {"sunrise"}),
    ("limas*", {"memo"}),  # body text
    ("mül*", {"muller"}),
    ("al-ra*", {"mohammed"}),
    ("hyung-j*", {"park"}),
    ("zz*", set()),
]

FUZZY = [
    ("mulker~1", {"muller"}),  # one changed letter
    ("mulker~", {"muller"}),  # AUTO: 2 edits for 6 letters
    ("muler~1", {"muller"}),  # one missing letter
    ("sidorpva~1", {"sidorova"}),  # a Cyrillic name, by its transliteration
    ("mukkar~2", set()),  # 3 edits away
    ("mulker~0", set()),
    ("mulker", set()),
    ("mulker~1 hans", {"muller"}),
    ("mulker~1 OR rosneft", {"muller", "rosneft"}),
]


@pytest.mark.parametrize(
    ("query", "expected"), TERMS + PHRASES + BOOLEANS + PREFIXES + FUZZY, ids=lambda v: str(v)
)
def test_text_queries_find_exactly(world: SearchWorld, query: str, expected: set[str]) -> None:
    assert hits_of(world, query) == expected


def test_or_counts_every_side_in_the_total(world: SearchWorld) -> None:
    result = search(world.store, world.owner, "rosneft OR netanyahu OR limassol", limit=1)
    assert result.total == 3 and len(result.hits) == 1


@pytest.mark.parametrize("query", ["mulker~1", "mulker~", "MÜLKER~1", "sidorpva~1", "сидорпва~1"])
def test_a_fuzzy_hit_says_fuzzy(world: SearchWorld, query: str) -> None:
    result = search(world.store, world.owner, query)
    assert [hit.match for hit in result.hits] == ["fuzzy"]


FILTERS = [
    ("schema:Person", PERSONS),
    ("schema:Company", COMPANIES),
    ("schema:LegalEntity", PERSONS | COMPANIES),  # descendants
    ("schema:Thing", EVERYTHING),
    ("schema:Document", {"memo"}),
    ("country:ru", {*PUTINS, "romashka-ooo", "lukoil"}),  # nationality, country, jurisdiction
    ("country:RU", {*PUTINS, "romashka-ooo", "lukoil"}),
    ("country:de", {"muller", "schmidt"}),
    ("country:vg", {"sunrise"}),
    ("country:fr", set()),
    ("dataset:leak", {"sunrise", "schmidt", "sidorova"}),
    ("dataset:registry", EVERYTHING - {"sunrise", "schmidt", "sidorova"}),
    ("dataset:le*", {"sunrise", "schmidt", "sidorova"}),
    ("marking:internal", {"sunrise", "schmidt", "sidorova"}),
    ("marking:PUBLIC", EVERYTHING - {"sunrise", "schmidt", "sidorova"}),
    ("marking:RESTRICTED", set()),
    ("marking:INT*", {"sunrise", "schmidt", "sidorova"}),
    ("marking:PUBLIC schema:Company", COMPANIES - {"sunrise"}),
    ("email:vp@kremlin.example", {"putin-lat"}),
    ("email:VP@Kremlin.EXAMPLE", {"putin-lat"}),
    ("email:info@sunrise.example", {"sunrise"}),
    ("email:vp*", {"putin-lat"}),
    ("email:kremlin.example", set()),  # a whole value, not a part of it
    ('registrationNumber:"he 123456"', {"romashka-llc"}),
    ("registrationNumber:BVI-77123", {"sunrise"}),
    ("registrationnumber:bvi-77123", {"sunrise"}),
    ("registrationNumber:he*", {"romashka-llc"}),
    ("registrationNumber:77123", set()),
    ("putin email:vp@kremlin.example", {"putin-lat"}),
    ("putin country:ru", PUTINS),
    ("hans country:de dataset:leak", {"schmidt"}),
    ("birthDate:1950..1960", {*PUTINS, "sidorova"}),  # 1952-10-07, 1952, 1960-01-01
    ("birthDate:1960..", {"mohammed", "sidorova"}),
    ("birthDate:1953..", {"mohammed", "sidorova"}),
    ("birthDate:..1951", {"netanyahu"}),
    ("birthDate:..1952", {"netanyahu", *PUTINS}),
    ("birthDate:1952..1952", PUTINS),
    ("birthDate:1953..1959", set()),
    ("birthDate:1952-10-07..1952-10-07", {"putin-lat"}),
    ("birthDate:1952-10..1952-12", {"putin-lat"}),
    ("incorporationDate:2016-03..2016-06", {"sunrise"}),
    ("incorporationDate:2016-04..", set()),
    ("putin birthDate:1952-01..", {"putin-lat"}),
    ("schema:Person -birthDate:1900..", {"muller", "park", "schmidt"}),
]

NAMES = [
    ('name:"hans müller"', {"muller", "schmidt"}),
    ('name:"hans peter müller"', {"muller", "schmidt"}),  # an extra part
    ('name:"müller"', {"muller"}),  # a missing part
    ('name:"vladimir vladimirovich putin"', PUTINS),
    ('name:"путин владимир"', PUTINS),
    ('name:"Mohammed Rashid"', {"mohammed"}),
    ('name:"gorbachev"', set()),
    ("name:vlad*", PUTINS),  # a name part that starts with it
    ("name:влад*", PUTINS),
    ("name:limas*", set()),  # names only, not document text
    ('name:"hans müller" country:de dataset:registry', {"muller"}),
]


@pytest.mark.parametrize(("query", "expected"), FILTERS + NAMES, ids=lambda v: str(v))
def test_filters_find_exactly(world: SearchWorld, query: str, expected: set[str]) -> None:
    assert hits_of(world, query) == expected


def test_the_schema_option_narrows_like_a_filter(world: SearchWorld) -> None:
    assert hits_of(world, "hans OR romashka", schema="Person") == {"muller", "schmidt"}
    assert hits_of(world, "hans OR romashka", schema="LegalEntity") == {
        "muller",
        "schmidt",
        *ROMASHKAS,
    }


@pytest.mark.parametrize(
    ("query", "best"),
    [
        ('name:"hans müller"', "muller"),
        ('name:"hans peter müller"', "muller"),
        ('name:"schmidt hans"', "schmidt"),
        ('name:"ООО Ромашка"', "romashka-ooo"),
    ],
)
def test_more_matching_name_parts_rank_higher(world: SearchWorld, query: str, best: str) -> None:
    result = search(world.store, world.owner, query)
    assert ranked(result)[0] == best
    assert result.hits[0].score > result.hits[-1].score


def test_the_schema_option_keeps_the_ranking_and_snippets(world: SearchWorld) -> None:
    plain = search(world.store, world.owner, "hans country:de")
    narrowed = search(world.store, world.owner, "hans country:de", schema="Person")
    assert [(h.entity_id, h.score) for h in narrowed.hits] == [
        (h.entity_id, h.score) for h in plain.hits
    ]
    assert all(hit.score > 0 for hit in narrowed.hits)
    memo = search(world.store, world.owner, "limassol dataset:registry", schema="Document")
    assert memo.hits[0].score > 0 and memo.hits[0].snippet is not None


# -- results: facets, pagination, snippets ------------------------------------------------


def _entity_facets(entities: list[dict[str, object]], dataset: str, marking: str) -> Counter[str]:
    counts: Counter[str] = Counter()
    for entity in entities:
        counts[f"schema:{entity['schema']}"] += 1
        props = entity["properties"]
        assert isinstance(props, dict)
        countries = {
            v for p in ("nationality", "country", "jurisdiction") for v in props.get(p, [])
        }
        counts.update(f"country:{c}" for c in countries)
        counts[f"dataset:{dataset}"] += 1
        counts[f"marking:{marking}"] += 1
    return counts


@pytest.mark.parametrize("query", ["schema:Thing", "hans OR putin OR romashka OR limassol"])
def test_facets_count_the_matching_entities_per_value(world: SearchWorld, query: str) -> None:
    result = search(world.store, world.owner, query, limit=MAX_LIMIT)
    hit_ids = found(result)
    expected = _entity_facets(
        [e for e in PEOPLE if e["id"] in hit_ids], "registry", "PUBLIC"
    ) + _entity_facets([e for e in LEAK if e["id"] in hit_ids], "leak", "INTERNAL")
    facets = {f"{name}:{value}": n for name, values in result.facets.items() for value, n in values}
    assert facets == dict(expected)
    for name, values in result.facets.items():
        for value, count in values:  # each count is what the narrowed search finds
            narrowed = search(world.store, world.owner, f"({query}) {name}:{value}")
            assert narrowed.total == count, (name, value)


def test_facets_of_a_query_with_no_hits_are_empty(world: SearchWorld) -> None:
    result = search(world.store, world.owner, "gorbachev")
    assert result.total == 0 and result.hits == []
    assert result.facets == {"schema": [], "country": [], "dataset": [], "marking": []}


@pytest.mark.parametrize("query", ["schema:Thing", "llc OR hans OR putin OR rom*"])
def test_pages_are_disjoint_stable_and_cover_the_total(world: SearchWorld, query: str) -> None:
    whole = search(world.store, world.owner, query, limit=MAX_LIMIT)
    assert search(world.store, world.owner, query, limit=MAX_LIMIT).hits == whole.hits
    pages = [
        search(world.store, world.owner, query, limit=3, offset=offset)
        for offset in range(0, whole.total + 3, 3)
    ]
    assert all(page.total == whole.total for page in pages)
    assert pages[-1].hits == []
    paged = [hit.entity_id for page in pages for hit in page.hits]
    assert len(paged) == len(set(paged)) == whole.total
    assert paged == [hit.entity_id for hit in whole.hits]
    scores = [hit.score for hit in whole.hits]
    assert scores == sorted(scores, reverse=True)


def test_snippets_only_for_document_text(world: SearchWorld) -> None:
    result = search(world.store, world.owner, "limassol OR putin")
    snippets = {key(hit.entity_id): hit.snippet for hit in result.hits}
    assert snippets.keys() == {"memo", *PUTINS}
    assert snippets["putin-lat"] is None and snippets["putin-cyr"] is None
    memo = snippets["memo"]
    assert memo is not None and "«Limassol»" in memo and "«putin»" not in memo.casefold()
    assert memo.count("«") == memo.count("»") == 1


def test_no_snippet_without_a_text_match(world: SearchWorld) -> None:
    result = search(world.store, world.owner, "schema:Document")
    assert [(key(h.entity_id), h.snippet) for h in result.hits] == [("memo", None)]
    result = search(world.store, world.owner, "memo")  # the title, a property of memo
    assert result.hits[0].snippet is not None and "«memo»" in result.hits[0].snippet.casefold()


# -- errors ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "position", "message"),
    [
        ("putin (", 6, 'unbalanced parenthesis: "(" has no matching ")"'),
        ('"vladimir putin', 0, "unclosed quote"),
        ("putin OR", 6, "OR needs a term on both sides"),
        ("NOT putin", 0, "a query needs at least one term or filter that is not negated"),
        ("r*", 1, "a prefix needs at least 2 characters"),
        ("mohamed~3", 8, "fuzzy edits must be 0, 1 or 2"),
        ("name:ivan~", 9, "a filter cannot be fuzzy"),
    ],
)
def test_a_query_that_does_not_parse_says_where(
    world: SearchWorld, query: str, position: int, message: str
) -> None:
    with pytest.raises(QuerySyntaxError) as caught:
        search(world.store, world.owner, query)
    assert caught.value.position == position
    assert f"query error at column {position + 1}: {message}" in str(caught.value)


@pytest.mark.parametrize(
    ("query", "named"),
    [
        ("foo:bar", "'foo'"),
        ("putin -nosuchfield:x", "'nosuchfield'"),
        ("putin OR colour:red", "'colour'"),
        ("schema:Nope", "'Nope'"),
        ("birthDate:19x0..", "'19x0'"),
        ("birthDate:1950..sixty", "'sixty'"),
        ("birthDate:1950-13..", "'1950-13'"),
        ("birthDate:..1950-02-30x", "'1950-02-30x'"),
        ("email:a..b", "email"),
        ("!!!", "'!!!' has no letters or digits"),
        ("putin !!!", "'!!!' has no letters or digits"),
        ("putin OR ??*", "'??' has no letters or digits"),
        ('"- -"', "'- -' has no letters or digits"),
    ],
)
def test_bad_fields_and_values_are_invalid_input(
    world: SearchWorld, query: str, named: str
) -> None:
    with pytest.raises(InvalidInputError) as caught:
        search(world.store, world.owner, query)
    assert not isinstance(caught.value, QuerySyntaxError)
    assert named in str(caught.value)


@pytest.mark.parametrize(("limit", "offset"), [(0, 0), (MAX_LIMIT + 1, 0), (-1, 0), (10, -1)])
def test_bad_pages_are_refused(world: SearchWorld, limit: int, offset: int) -> None:
    with pytest.raises(InvalidInputError):
        search(world.store, world.owner, "putin", limit=limit, offset=offset)


def test_the_page_limits_themselves_are_fine(world: SearchWorld) -> None:
    assert len(search(world.store, world.owner, "putin", limit=1).hits) == 1
    assert search(world.store, world.owner, "putin", limit=MAX_LIMIT, offset=500).hits == []
