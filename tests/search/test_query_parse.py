"""The query language parser: the exact trees, and every error with its column."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from casegraph.errors import QuerySyntaxError
from casegraph.search.query import (
    And,
    Field,
    Not,
    Or,
    Phrase,
    Range,
    Term,
    parse_query,
)

a, b, c = Term("a"), Term("b"), Term("c")


@pytest.mark.parametrize(
    ("query", "tree"),
    [
        # terms, implicit and explicit AND, and case kept for the backends
        ("putin", Term("putin")),
        ("  Putin  ", Term("Putin")),
        ("a b c", And((a, b, c))),
        ("a AND b", And((a, b))),
        ("a AND b c", And((a, b, c))),
        ("Müller Путин", And((Term("Müller"), Term("Путин")))),
        # OR, and AND binding tighter than OR
        ("a OR b", Or((a, b))),
        ("a OR b OR c", Or((a, b, c))),
        ("a b OR c", Or((And((a, b)), c))),
        ("a OR b c", Or((a, And((b, c))))),
        # NOT and a leading -
        ("a NOT b", And((a, Not(b)))),
        ("a AND NOT b", And((a, Not(b)))),
        ("a -b", And((a, Not(b)))),
        ("-b a", And((Not(b), a))),
        ("a -(b OR c)", And((a, Not(Or((b, c)))))),
        ('a -"b c"', And((a, Not(Phrase(("b", "c")))))),
        ("a -country:ru", And((a, Not(Field("country", "ru"))))),
        ("NOT NOT a", a),
        ("--a", a),
        ("a -AND", And((a, Not(Term("AND"))))),
        # a - inside a word is part of it
        ("jean-pierre", Term("jean-pierre")),
        ("a-", Term("a-")),
        ("a -jean-pierre", And((a, Not(Term("jean-pierre"))))),
        # operators only in upper case
        ("a and b", And((a, Term("and"), b))),
        ("a or b", And((a, Term("or"), b))),
        ("a not b", And((a, Term("not"), b))),
        ("a Or b", And((a, Term("Or"), b))),
        ("ANDROID", Term("ANDROID")),
        # parentheses and flattening
        ("(a)", a),
        ("((a))", a),
        ("(a OR b) c", And((Or((a, b)), c))),
        ("a AND(b)", And((a, b))),
        ("(a)OR(b)", Or((a, b))),
        ("(a b) c", And((a, b, c))),
        ("a (b c)", And((a, b, c))),
        ("(a OR b) OR c", Or((a, b, c))),
        ("a OR (b OR c)", Or((a, b, c))),
        ("(a OR b) (c OR a)", And((Or((a, b)), Or((c, a))))),
        # phrases
        ('"Vladimir Putin"', Phrase(("Vladimir", "Putin"))),
        ('" vladimir \t putin "', Phrase(("vladimir", "putin"))),
        ('"putin"', Phrase(("putin",))),
        ('"a* b~ x:y (c)"', Phrase(("a*", "b~", "x:y", "(c)"))),
        ('a"b c"', And((a, Phrase(("b", "c"))))),
        # prefix
        ("rosn*", Term("rosn", prefix=True)),
        ("ro*", Term("ro", prefix=True)),
        # fuzzy: AUTO is 0 edits under 3 characters, 1 up to 5, 2 above
        ("ab~", Term("ab", fuzzy=0)),
        ("abc~", Term("abc", fuzzy=1)),
        ("abcde~", Term("abcde", fuzzy=1)),
        ("abcdef~", Term("abcdef", fuzzy=2)),
        ("mohamed~0", Term("mohamed", fuzzy=0)),
        ("mohamed~1", Term("mohamed", fuzzy=1)),
        ("ab~2", Term("ab", fuzzy=2)),
        # fields
        ("schema:Person", Field("schema", "Person")),
        ("email:a@b.org", Field("email", "a@b.org")),
        ("registration_No2:HE-123", Field("registration_No2", "HE-123")),
        ("website:http://x.org", Field("website", "http://x.org")),
        ('name:"vladimir  putin"', Field("name", "vladimir putin")),
        ('name:"a* 1..2 b~"', Field("name", "a* 1..2 b~")),
        ("name:vlad*", Field("name", "vlad", prefix=True)),
        ("birthDate:1950..1960", Range("birthDate", "1950", "1960")),
        ("birthDate:1950..", Range("birthDate", "1950", None)),
        ("birthDate:..1960", Range("birthDate", None, "1960")),
        ("amount:-5..5", Range("amount", "-5", "5")),
        ("putin country:ru", And((Term("putin"), Field("country", "ru")))),
        # words that only look like fields are terms
        ("http://x.org/a", Term("http://x.org/a")),
        ("12:30", Term("12:30")),
        (":x", Term(":x")),
        ("_a:b", Term("_a:b")),
    ],
)
def test_parses_to_the_exact_tree(query: str, tree: object) -> None:
    assert parse_query(query) == tree


def _error(query: str) -> QuerySyntaxError:
    with pytest.raises(QuerySyntaxError) as info:
        parse_query(query)
    return info.value


@pytest.mark.parametrize(
    ("query", "position", "words"),
    [
        ("", 0, "empty query"),
        (" \t\n", 0, "empty query"),
        ('a "b c', 2, "unclosed quote"),
        ('name:"b c', 5, "unclosed quote"),
        ('""', 0, "empty phrase"),
        ('a "  "', 2, "empty phrase"),
        (")", 0, 'unbalanced parenthesis: ")" has no matching "("'),
        ("a) b", 1, 'unbalanced parenthesis: ")" has no matching "("'),
        ("(a OR b", 0, 'unbalanced parenthesis: "(" has no matching ")"'),
        ("a (", 2, 'unbalanced parenthesis: "(" has no matching ")"'),
        ("a ()", 2, "empty parentheses"),
        ("a OR", 2, "OR needs a term on both sides"),
        ("OR a", 0, "OR needs a term on both sides"),
        ("a OR OR b", 2, "OR needs a term on both sides"),
        ("(a OR) b", 3, "OR needs a term on both sides"),
        ("a AND", 2, "AND needs a term on both sides"),
        ("AND a", 0, "AND needs a term on both sides"),
        ("a AND OR b", 2, "AND needs a term on both sides"),
        ("a NOT", 2, "NOT needs a term after it"),
        ("a NOT )", 2, "NOT needs a term after it"),
        ("a - b", 2, "- needs a term right after it"),
        ("a -", 2, "- needs a term right after it"),
        ("(a -)", 3, "- needs a term right after it"),
        ("country:", 8, 'empty value after "country:"'),
        ("country: ru", 8, 'empty value after "country:"'),
        ('name:""', 5, 'empty value after "name:"'),
        ("name:(a)", 5, 'empty value after "name:"'),
        ("a*", 1, "a prefix needs at least 2 characters before *"),
        ("*", 0, "a prefix needs at least 2 characters before *"),
        ("name:a*", 6, "a prefix needs at least 2 characters before *"),
        ("ro*s", 2, "* may only end a word"),
        ("ab~*", 2, "~ may only end a word"),
        ("ab*~", 2, "* may only end a word"),
        ("name:a*b", 6, "* may only end a word"),
        ("mohamed~3", 8, "fuzzy edits must be 0, 1 or 2"),
        ("mohamed~12", 8, "fuzzy edits must be 0, 1 or 2"),
        ("moh~amed", 3, "~ may only end a word"),
        ("moh~1.5", 3, "~ may only end a word"),
        ("~", 0, "~ needs a word before it"),
        ("a ~2", 2, "~ needs a word before it"),
        ("name:ivan~", 9, "a filter cannot be fuzzy"),
        ("birthDate:..", 10, "a range needs at least one end"),
        ("birthDate:1..2..3", 14, 'a range has one ".."'),
        ("birthDate:19*..20", 12, "* cannot be used in a range"),
        ("NOT a", 0, "a query needs at least one term or filter that is not negated"),
        ("-a -b", 0, "a query needs at least one term or filter that is not negated"),
        ("(NOT a)", 0, "a query needs at least one term or filter that is not negated"),
        ("-(a b)", 0, "a query needs at least one term or filter that is not negated"),
        ("a OR NOT b", 5, "each side of OR needs a term or filter that is not negated"),
        ("-a OR b", 0, "each side of OR needs a term or filter that is not negated"),
        ("c (a OR -b)", 8, "each side of OR needs a term or filter that is not negated"),
        ("a" * 1001, 1000, "too long"),
        ("(" * 33 + "a" + ")" * 33, 32, "too many nested parentheses"),
    ],
)
def test_errors_point_at_the_problem(query: str, position: int, words: str) -> None:
    error = _error(query)
    assert error.position == position
    assert error.query == query
    assert words in error.message


def test_negation_is_fine_next_to_something_positive() -> None:
    assert parse_query("(a -b) OR c") == Or((And((a, Not(b))), c))
    assert parse_query("a NOT (b OR c)") == And((a, Not(Or((b, c)))))


def test_limits_are_inclusive() -> None:
    assert parse_query("a" * 1000) == Term("a" * 1000)
    assert parse_query("(" * 32 + "a" + ")" * 32) == a
    assert parse_query("-" * 998 + "a") == a


def test_the_error_shows_the_column_the_query_and_a_caret() -> None:
    error = _error("putin OR")
    assert str(error) == (
        "query error at column 7: OR needs a term on both sides\n  putin OR\n        ^"
    )


NODES = (Term, Phrase, Field, Range, And, Or, Not)


def _check(text: str) -> None:
    try:
        node = parse_query(text)
    except QuerySyntaxError as error:
        assert 0 <= error.position <= len(text)
    else:
        assert isinstance(node, NODES)


@given(st.text())
def test_any_text_parses_or_fails_with_a_syntax_error(text: str) -> None:
    _check(text)


@given(st.text(alphabet='ab:.*~"()- \tANDORT', max_size=60))
def test_any_syntax_soup_parses_or_fails_with_a_syntax_error(text: str) -> None:
    _check(text)
