"""Comparison records: what an entity's statements become."""

from __future__ import annotations

from casegraph.resolve.records import record_of
from tests.resolve.data import statements


def test_cyrillic_and_latin_spellings_of_one_person_share_keys() -> None:
    cyrillic = record_of("a", statements("a", "Person", name="Владимир Путин"))
    latin = record_of("b", statements("b", "Person", name="Vladimir Putin"))
    assert cyrillic is not None and latin is not None
    for feature in ("name", "name_sorted", "name_phonetic", "first_name", "last_name"):
        assert cyrillic.features[feature] == latin.features[feature], feature
    assert cyrillic.features["last_name"] == ("putin",)


def test_a_three_word_name_does_not_guess_which_word_is_the_last_name() -> None:
    # Registries write "Surname Given Patronymic": the last word is a patronymic, and
    # two relatives (Yuliya and Yevgeniy, both Viktorovich/na) would look alike by
    # their "first and last names".
    for name in ("Сарсенбаева Юлия Викторовна", "Vladimir Vladimirovich Putin"):
        record = record_of("a", statements("a", "Person", name=name))
        assert record is not None and len(record.features["name_tokens"]) == 3
        assert "first_name" not in record.features and "last_name" not in record.features
    given = record_of("b", statements("b", "Person", name="X", firstName="Yuliya",
                                      lastName="Sarsenbayeva"))  # fmt: skip
    assert given is not None and given.features["last_name"] == ("sarsenbayeva",)


def test_word_order_and_organisation_types_do_not_matter_for_companies() -> None:
    ooo = record_of("a", statements("a", "Company", name="ООО Ромашка"))
    llc = record_of("b", statements("b", "Company", name="Romashka LLC"))
    assert ooo is not None and llc is not None
    assert ooo.features["name_sorted"] == llc.features["name_sorted"] == ("romashka",)


def test_features_are_normalised_and_pooled_across_properties() -> None:
    record = record_of(
        "a",
        statements(
            "a",
            "Company",
            name=["Acme Trading Ltd", "Acme Holdings"],
            registrationNumber="HRB-1234 / 5",
            leiCode="5493 001k jtiigc8y1r12",
            incorporationDate="2015-03",
            jurisdiction="cy",
            email="Info@Acme.Example",
            phone="+357 22 123456",
            address="12 Harbour Street, Limassol",
        ),
    )
    assert record is not None
    features = record.features
    assert set(features["identifier"]) == {"HRB12345", "5493001KJTIIGC8Y1R12"}
    assert features["date"] == ("2015-03",)  # partial dates are kept as they are
    assert features["country"] == ("cy",)
    assert features["email"] == ("info@acme.example",)
    assert features["phone"] == ("35722123456",)
    assert features["address_numbers"] == ("12",)
    assert len(features["name"]) == 2


def test_entities_without_names_or_of_unmatchable_schemas_have_no_record() -> None:
    assert record_of("a", statements("a", "Person", birthDate="1970-01-01")) is None
    assert record_of("b", statements("b", "Person", name="!!!")) is None
    assert record_of("c", statements("c", "Ownership", role="owner")) is None
    assert record_of("d", statements("d", "Article", title="A paper", name="A paper")) is None
    assert record_of("e", []) is None


def test_a_name_can_come_from_first_and_last_name_alone() -> None:
    record = record_of("a", statements("a", "Person", firstName="Anna", lastName="Novák"))
    assert record is not None
    assert record.features["name"] == ("anna novak",)
