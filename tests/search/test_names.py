"""Name keys: normalisation, transliteration, phonetic and cross-script keys, org types."""

from __future__ import annotations

import re
import sqlite3

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from casegraph.search.names import NameKeys, name_keys, phonetic_key, similarity, skeleton

KEY = re.compile(r"[a-z0-9]+")


def shared(left: tuple[str, ...], right: tuple[str, ...]) -> set[str]:
    return (set(left) & set(right)) - {""}


# --- normalisation and transliteration ------------------------------------------------


def test_latin_name_is_casefolded_and_split() -> None:
    keys = name_keys("Jean-Claude Van Damme")
    assert keys.tokens == ("jean", "claude", "van", "damme")
    assert keys.ascii == ("jean", "claude", "van", "damme")
    assert keys.org_types == ()


def test_diacritics_stay_in_tokens_and_leave_ascii() -> None:
    for name in ("Müller", "MÜLLER", "mu\u0308ller"):
        keys = name_keys(name)
        assert keys.tokens == ("müller",)
        assert keys.ascii == ("muller",)


def test_punctuation_inside_a_word_is_dropped() -> None:
    assert name_keys("O'Brien").tokens == ("obrien",)
    assert name_keys("J.R.R. Tolkien").ascii == ("jrr", "tolkien")


def test_cyrillic_ascii() -> None:
    keys = name_keys("Владимир Путин")
    assert keys.tokens == ("владимир", "путин")
    assert keys.ascii == ("vladimir", "putin")
    # rigour's spelling, not ICU's (Sevcenko)
    assert name_keys("Шевченко").ascii == ("shevchenko",)


def test_arabic_ascii() -> None:
    keys = name_keys("محمد")
    assert keys.tokens == ("محمد",)
    assert keys.ascii == ("mhmd",)


def test_cjk_name_gets_ascii_parts() -> None:
    keys = name_keys("习近平")
    assert keys.tokens[0] == "习近平"
    assert keys.ascii[0] == "xijinping"
    # each character and each adjacent pair is a part too: the Latin spelling splits them
    assert {"xi", "jin", "ping", "jinping"} <= set(keys.ascii)
    assert shared(keys.ascii, name_keys("Xi Jinping").ascii) == {"xi", "jinping"}


def test_hangul_name_written_as_one_word_matches_its_parts() -> None:
    keys = name_keys("박형준")
    assert keys.tokens[:4] == ("박형준", "박", "형", "준")
    latin = name_keys("Park Hyung-jun")
    assert shared(keys.ascii, latin.ascii) == {"jun"}
    assert shared(keys.skeleton, latin.skeleton) == {"pk", "nk", "sn"}


def test_spaced_hangul_name_is_not_split_into_syllables() -> None:
    assert name_keys("조지 워싱턴").tokens == ("조지", "워싱턴")


def test_combining_marks_kept_for_transliteration_not_in_tokens() -> None:
    keys = name_keys("नरेन्द्र मोदी")
    assert keys.ascii == ("narendra", "modi")
    assert not any(ch in token for token in keys.tokens for ch in "\u0947\u094d\u094b\u0940")


@pytest.mark.parametrize("name", ["", "   ", "...", "!!! --- ???", "\u200b", "'"])
def test_empty_names_have_no_keys(name: str) -> None:
    assert name_keys(name) == NameKeys((), (), (), (), ())


# --- phonetic and cross-script keys -----------------------------------------------------


def test_muhammad_spellings_share_the_phonetic_key() -> None:
    keys = {name_keys(n).phonetic for n in ("Muhammad", "Mohammed", "Mohamed", "Muhamed")}
    assert keys == {("mt",)}


def test_arabic_muhammad_has_the_latin_phonetic_key() -> None:
    assert name_keys("محمد").phonetic == name_keys("Muhammad").phonetic == ("mt",)


def test_phonetic_key_rules() -> None:
    assert phonetic_key("carter") == "kltl"  # every r kept, l and r alike
    assert phonetic_key("cecilia") == "sl"  # soft c; repeated classes collapse
    assert phonetic_key("philip") == "plp"  # ph is f, f goes with p
    assert phonetic_key("david") == "t"  # v is dropped with w (abjads write them alike)
    assert phonetic_key("james") == phonetic_key("gyyms") == "kms"  # j with g
    assert phonetic_key("") == phonetic_key("aeiou") == ""


def test_skeleton_rules() -> None:
    assert skeleton("carter") == "kt"  # no r after a vowel without a vowel after it
    assert skeleton("maria") == "ml"  # an r before a vowel stays
    assert skeleton("vladimir") == skeleton("beulladimi") == "pltm"  # b, p, f, v alike
    assert skeleton("shevchenko") == "spknk"  # j with s and z; k with g, q, hard c
    assert skeleton("michael") == "mkl"  # ch read as k (the phonetic key reads s)
    assert skeleton("smith") == skeleton("seumiseu") == "sms"  # th read as s
    assert skeleton("2") == ""


def test_george_washington_across_scripts() -> None:
    latin = name_keys("George Washington")
    hebrew = name_keys("ג'ורג' וושינגטון")
    korean = name_keys("조지 워싱턴")
    assert latin.skeleton == ("k", "snktn")
    assert hebrew.ascii == ("gwrg", "wwsyngtwn")
    assert shared(latin.skeleton, hebrew.skeleton) == {"snktn"}
    assert shared(latin.phonetic, hebrew.phonetic) == {"klk", "snktn"}
    assert korean.ascii == ("joji", "wosingteon")
    assert shared(latin.skeleton, korean.skeleton) == {"snktn"}


def test_non_rhotic_transliteration_meets_the_skeleton() -> None:
    assert shared(name_keys("Carter").skeleton, name_keys("카터").skeleton) == {"kt"}
    assert shared(name_keys("Peter").skeleton, name_keys("피터").skeleton) == {"pt"}
    # Hebrew writes the r: the phonetic key keeps it
    assert shared(name_keys("Peter").phonetic, name_keys("פיטר").phonetic) == {"ptl"}


def test_the_two_keys_read_ch_both_ways() -> None:
    # Charles: ch as s, the phonetic key; Michael: ch as k, the skeleton
    charles = {name_keys(n).phonetic for n in ("Charles", "צ'ארלס", "찰스")}
    assert all("sls" in keys for keys in charles)
    for native in ("מייקל", "마이클"):
        assert shared(name_keys("Michael").skeleton, name_keys(native).skeleton) == {"mkl"}


def test_vowelless_script_meets_the_phonetic_key() -> None:
    assert name_keys("ולדימיר").phonetic == name_keys("Vladimir").phonetic == ("ltml",)


def test_similarity_prefers_the_closer_spelling() -> None:
    query = name_keys("조지 워싱턴")
    assert similarity(query, name_keys("George Washington")) > similarity(
        query, name_keys("Jane Austen")
    )
    assert similarity(name_keys(""), name_keys("George")) == 0.0
    assert similarity(name_keys("George"), name_keys("George")) == 1.0


# --- organisation types -----------------------------------------------------------------


def test_org_type_across_scripts() -> None:
    russian = name_keys("ООО Ромашка")
    english = name_keys("Romashka LLC")
    assert russian.org_types == english.org_types == ("llc",)
    assert russian.tokens == ("ромашка",)
    assert english.tokens == ("romashka",)
    assert shared(russian.ascii, english.ascii) == {"romashka"}


@pytest.mark.parametrize(
    ("name", "org_type", "tokens"),
    [
        ("Siemens AG", "jsc", ("siemens",)),
        ("Acme Ltd", "llc", ("acme",)),
        ("Acme Limited", "llc", ("acme",)),
        ("Acme GmbH", "llc", ("acme",)),
        ("Acme S.A.", "jsc", ("acme",)),
        ("Acme S.A.R.L.", "llc", ("acme",)),
        ("JSC Gazprom", "jsc", ("gazprom",)),
        ("АО Газпром", "jsc", ("газпром",)),
    ],
)
def test_org_types(name: str, org_type: str, tokens: tuple[str, ...]) -> None:
    keys = name_keys(name)
    assert keys.org_types == (org_type,)
    assert keys.tokens == tokens


def test_a_name_of_only_an_org_type_keeps_it_as_a_part() -> None:
    keys = name_keys("LLC")
    assert keys.tokens == ("llc",)
    assert keys.org_types == ("llc",)


def test_person_names_can_skip_org_types() -> None:
    assert name_keys("Sa Hyeon-jin").tokens == ("hyeon", "jin")  # "sa": S.A.
    keys = name_keys("Sa Hyeon-jin", organisation=False)
    assert keys.tokens == ("sa", "hyeon", "jin")
    assert keys.org_types == ()


# --- shape of every key -------------------------------------------------------------------

SAMPLES = [
    "George Washington",
    "ג'ורג' וושינגטון",
    "שָׁלוֹם עליכם",
    "조지 워싱턴",
    "박형준",
    "习近平",
    "安倍晋三",
    "ヒロキ トーチ",
    "Владимир Путин",
    "محمد بن سلمان",
    "नरेन्द्र मोदी",
    "ทักษิณ ชินวัตร",
    "Ἀριστοτέλης",
    "Ionuț Silaghi de Oaș",
    "Straße & Söhne GmbH",
    "ᦰᦱ test",
]


def _fts_terms(db: sqlite3.Connection, token: str) -> list[str]:
    db.execute("DELETE FROM t")
    db.execute("INSERT INTO t(x) VALUES (?)", (token,))
    return [row[0] for row in db.execute("SELECT term FROM v")]


def _check_shape(keys: NameKeys, db: sqlite3.Connection) -> None:
    parts = len(keys.tokens)
    assert len(keys.ascii) == len(keys.phonetic) == len(keys.skeleton) == parts
    for value in keys.org_types:
        assert KEY.fullmatch(value), value
    # ascii is "" only for a script ICU cannot transliterate (Tangut, ...)
    for value in keys.ascii + keys.phonetic + keys.skeleton:
        assert value == "" or KEY.fullmatch(value), value
    for token in keys.tokens:
        assert len(_fts_terms(db, token)) == 1, token


@pytest.fixture(scope="module")
def fts() -> sqlite3.Connection:
    db = sqlite3.connect(":memory:")
    db.execute("CREATE VIRTUAL TABLE t USING fts5(x, tokenize='unicode61 remove_diacritics 2')")
    db.execute("CREATE VIRTUAL TABLE v USING fts5vocab(t, 'row')")
    return db


@pytest.mark.parametrize("name", SAMPLES)
def test_keys_are_index_tokens(name: str, fts: sqlite3.Connection) -> None:
    keys = name_keys(name)
    assert keys.tokens
    assert all(keys.ascii)
    _check_shape(keys, fts)


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=40))
def test_any_text_gives_index_tokens(text: str) -> None:
    db = sqlite3.connect(":memory:")
    db.execute("CREATE VIRTUAL TABLE t USING fts5(x, tokenize='unicode61 remove_diacritics 2')")
    db.execute("CREATE VIRTUAL TABLE v USING fts5vocab(t, 'row')")
    _check_shape(name_keys(text), db)
    db.close()
