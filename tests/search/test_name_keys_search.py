"""Every name key through a real search, and why each hit matched, on both backends.

normalised       case and accents: `muller` is "Hans Müller"
transliteration  Latin and Cyrillic meet in ASCII, both ways
phonetic         Muhammad is Mohammed
skeleton         a Hebrew or Korean spelling meets the Latin one (reported as phonetic)
org types        "Romashka LLC" and "ООО Ромашка" share the org type `llc`
"""

from __future__ import annotations

import pytest

from casegraph.services.search import search
from tests.search.conftest import SearchWorld, hits_of, key

Why = dict[str, tuple[str, str | None]]

LLC_COMPANIES = {"romashka-ooo", "romashka-llc", "lukoil", "sunrise"}

EXPLAINED: list[tuple[str, Why]] = [
    # normalised: case and accents do not matter, and the name is still exact
    ("muller", {"muller": ("exact", "Hans Müller")}),
    ("MÜLLER", {"muller": ("exact", "Hans Müller")}),
    ("Muller Hans", {"muller": ("exact", "Hans Müller")}),
    ("al-rashid", {"mohammed": ("exact", "Mohammed al-Rashid")}),
    ("hyung-jun", {"park": ("exact", "Park Hyung-jun")}),
    # transliteration, Latin → Cyrillic and Cyrillic → Latin
    (
        "vladimir putin",
        {
            "putin-lat": ("exact", "Vladimir Putin"),
            "putin-cyr": ("transliteration", "Владимир Путин"),
        },
    ),
    (
        "Путин",
        {
            "putin-lat": ("transliteration", "Vladimir Putin"),
            "putin-cyr": ("exact", "Владимир Путин"),
        },
    ),
    ("sidorova", {"sidorova": ("transliteration", "Ольга Сидорова")}),
    (
        "ромашка",
        {
            "romashka-ooo": ("exact", "ООО Ромашка"),
            "romashka-llc": ("transliteration", "Romashka LLC"),
        },
    ),
    ('"Ольга Сидорова"', {"sidorova": ("exact", "Ольга Сидорова")}),
    ('"olga sidorova"', {"sidorova": ("transliteration", "Ольга Сидорова")}),
    (
        "put*",
        {
            "putin-lat": ("exact", "Vladimir Putin"),
            "putin-cyr": ("transliteration", "Владимир Путин"),
        },
    ),
    (
        "пут*",
        {
            "putin-lat": ("transliteration", "Vladimir Putin"),
            "putin-cyr": ("exact", "Владимир Путин"),
        },
    ),
    ("al-ra*", {"mohammed": ("exact", "Mohammed al-Rashid")}),
    ("mül*", {"muller": ("exact", "Hans Müller")}),
    # phonetic
    ("muhammad", {"mohammed": ("phonetic", "Mohammed al-Rashid")}),
    ("mohamad", {"mohammed": ("phonetic", "Mohammed al-Rashid")}),
    ("muhammad rashid", {"mohammed": ("exact", "Mohammed al-Rashid")}),
    # skeleton: Hebrew has no vowels, and writes the name as "ntnyhw"
    ("נתניהו", {"netanyahu": ("phonetic", "Benjamin Netanyahu")}),
    ('name:"בנימין נתניהו"', {"netanyahu": ("phonetic", "Benjamin Netanyahu")}),
    # Korean: 박형준 is indexed per syllable too; 준 (jun) meets "jun" in ASCII
    ('name:"박형준"', {"park": ("transliteration", "Park Hyung-jun")}),
    # fuzzy
    ("mulker~1", {"muller": ("fuzzy", "Hans Müller")}),
    # text: a property value or document text, not a name
    ("vp@kremlin.example", {"putin-lat": ("text", None)}),
    ("limassol", {"memo": ("text", None)}),
    (
        "putin OR limassol",
        {
            "putin-lat": ("exact", "Vladimir Putin"),
            "putin-cyr": ("transliteration", "Владимир Путин"),
            "memo": ("text", None),
        },
    ),
    ("schema:Document", {"memo": ("text", None)}),
    # org types
    (
        "romashka llc",
        {
            "romashka-llc": ("exact", "Romashka LLC"),
            "romashka-ooo": ("transliteration", "ООО Ромашка"),
        },
    ),
    (
        "llc",
        {
            "romashka-llc": ("exact", "Romashka LLC"),
            "romashka-ooo": ("exact", "ООО Ромашка"),
            "lukoil": ("exact", "Lukoil Ltd"),
            "sunrise": ("exact", "Sunrise Holdings Limited"),
        },
    ),
]


@pytest.mark.parametrize(("query", "why"), EXPLAINED, ids=lambda v: str(v)[:40])
def test_each_hit_says_why_it_matched(world: SearchWorld, query: str, why: Why) -> None:
    result = search(world.store, world.owner, query)
    assert result.total == len(why)
    assert {key(h.entity_id): (h.match, h.matched_name) for h in result.hits} == why


ORG_TYPES = [
    ("romashka llc", {"romashka-ooo", "romashka-llc"}),
    ("romashka ооо", {"romashka-ooo", "romashka-llc"}),
    ("ромашка ltd", {"romashka-ooo", "romashka-llc"}),
    ('"romashka llc"', {"romashka-ooo", "romashka-llc"}),
    ('"ооо ромашка"', {"romashka-ooo", "romashka-llc"}),
    ('name:"romashka llc"', {"romashka-ooo", "romashka-llc"}),
    ('name:"ООО Ромашка"', {"romashka-ooo", "romashka-llc"}),
    # A bare org type finds the companies of that type (Ltd, Limited, ООО and LLC
    # are all `llc`), and not names that only sound like it (Olga: phonetic "lk").
    ("llc", LLC_COMPANIES),
    ("ООО", LLC_COMPANIES),
    ("ltd", LLC_COMPANIES),
    ("limited", LLC_COMPANIES),
    ('name:"llc"', LLC_COMPANIES),
    ("sa", {"rosneft"}),  # S.A.: a joint-stock company
    ("rosneft S.A.", {"rosneft"}),
    ("rosneft llc", set()),
    ("lukoil OR romashka", {"lukoil", "romashka-ooo", "romashka-llc"}),
    ("llc -romashka", {"lukoil", "sunrise"}),
    ("llc country:ru", {"romashka-ooo", "lukoil"}),
]


@pytest.mark.parametrize(("query", "expected"), ORG_TYPES, ids=lambda v: str(v))
def test_org_types_match_by_their_key(world: SearchWorld, query: str, expected: set[str]) -> None:
    assert hits_of(world, query) == expected


def test_an_org_type_alone_is_no_name_match(world: SearchWorld) -> None:
    """name:"…" ranks by shared parts; an org type in common (Lukoil Ltd) is not one."""
    result = search(world.store, world.owner, 'name:"romashka llc"')
    assert all(hit.match != "text" for hit in result.hits)
    assert {key(h.entity_id) for h in result.hits}.isdisjoint({"lukoil", "sunrise"})


SCRIPTS = [
    ("vladimir", {"putin-lat", "putin-cyr"}),
    ("владимир", {"putin-lat", "putin-cyr"}),
    ("VLADIMIR", {"putin-lat", "putin-cyr"}),
    ("olga", {"sidorova"}),
    ("сидорова", {"sidorova"}),
    ("hans müller", {"muller"}),
    ("hans muller", {"muller"}),
    ("mohammed", {"mohammed"}),
    ("muhammad al-rashid", {"mohammed"}),
    ("netanyahu", {"netanyahu"}),
    ("נתניהו", {"netanyahu"}),
    ("hyung", {"park"}),
]


@pytest.mark.parametrize(("query", "expected"), SCRIPTS, ids=lambda v: str(v))
def test_every_key_finds_the_name(world: SearchWorld, query: str, expected: set[str]) -> None:
    assert hits_of(world, query) == expected
