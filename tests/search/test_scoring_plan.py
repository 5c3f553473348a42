"""How a ranked query is looked up: which leaves find documents, which only rank.

These rules decide what a large index returns (see casegraph/search/scoring.py): a very
common derived key must not pull in a fifth of the index, and an AND is looked up from
its most distinctive part without changing its result.
"""

from __future__ import annotations

from sqlalchemy import true

from casegraph.search.compile import compile_query
from casegraph.search.query import Term, parse_query
from casegraph.search.rerank import rerank
from casegraph.search.scoring import (
    DF_CAP,
    Leaf,
    _plan,
    is_conjunction,
    is_disjunction,
    parts_of,
)
from casegraph.search.text_query import (
    NAMES,
    PHONETIC,
    SKELETON,
    AllOf,
    AnyOf,
    Lex,
    TextExpr,
    expand_name,
    expand_term,
)


def no_fuzzy(word: str, edits: int) -> list[str]:
    return []


def leaves_of(expr: TextExpr, df: dict[str, int]) -> list[Leaf]:
    """Leaves with document counts by the leaf's first word (1 when not given)."""
    return [
        Leaf(part=i, lex=lex, df=df.get(lex.words[0], 1), weight=1.0)
        for i, part in enumerate(parts_of(expr))
        for lex in part
    ]


def test_a_name_query_has_one_part_per_name_part() -> None:
    expr = expand_name("Vladimir Putin")
    assert expr is not None
    parts = parts_of(expr)
    assert len(parts) == 2
    assert parts[0][0] == Lex((NAMES,), ("vladimir",), derived=True)
    assert is_disjunction(expr) and not is_conjunction(expr)


def test_words_typed_together_are_a_conjunction_of_parts() -> None:
    vladimir = expand_term(Term("vladimir"), no_fuzzy)
    putin = expand_term(Term("putin"), no_fuzzy)
    assert vladimir is not None and putin is not None
    expr = AllOf((vladimir, putin))
    assert is_conjunction(expr) and not is_disjunction(expr)
    assert len(parts_of(expr)) == 2


def test_a_fuzzy_term_is_one_part_with_its_similar_words() -> None:
    expr = expand_term(Term("mueller", fuzzy=1), lambda word, edits: ["muller", "mueler"])
    assert expr is not None
    (part,) = parts_of(expr)
    assert Lex((NAMES,), ("muller",)) in part and Lex((NAMES,), ("mueler",)) in part


def test_common_derived_key_only_ranks_what_a_distinctive_leaf_found() -> None:
    expr = expand_name("Khaled al-Ali")
    assert expr is not None
    leaves = leaves_of(expr, {"al": DF_CAP, "l": DF_CAP * 4})
    plan = _plan(expr, leaves, len(parts_of(expr)))
    assert plan is not None
    free, restricted, within = plan
    assert {leaf.lex.words[0] for leaf in restricted} == {"al", "l"}
    assert all(not leaf.common for leaf in free)
    assert Lex((NAMES,), ("khaled",), derived=True) in [leaf.lex for leaf in free]
    # The restricted leaves are looked up among the documents of the free ones.
    assert isinstance(within, AnyOf) and set(within.items) == {leaf.lex for leaf in free}


def test_a_typed_word_is_never_restricted_however_common() -> None:
    expr = expand_term(Term("al"), no_fuzzy)
    assert expr is not None
    leaves = leaves_of(expr, {"al": DF_CAP * 10})
    plan = _plan(expr, leaves, 1)
    assert plan is not None
    free, restricted, _ = plan
    typed = Lex((NAMES, "body"), ("al",))
    assert typed in [leaf.lex for leaf in free]
    assert typed not in [leaf.lex for leaf in restricted]


def test_a_name_of_only_common_keys_finds_documents_with_every_part() -> None:
    expr = expand_name("Khaled Ali")
    assert expr is not None
    words = {lex.words[0] for part in parts_of(expr) for lex in part}
    leaves = leaves_of(expr, dict.fromkeys(words, DF_CAP))
    plan = _plan(expr, leaves, 2)
    assert plan is not None
    free, restricted, within = plan
    assert free == [] and len(restricted) == len(leaves)
    assert isinstance(within, AllOf) and len(within.items) == 2


def test_an_and_is_looked_up_from_its_most_distinctive_part() -> None:
    hassan = expand_term(Term("hassan"), no_fuzzy)
    zahrani = expand_term(Term("zahrani"), no_fuzzy)
    assert hassan is not None and zahrani is not None
    expr = AllOf((hassan, zahrani))
    leaves = leaves_of(expr, {"hassan": 900, "zahrani": 12})
    plan = _plan(expr, leaves, 2)
    assert plan is not None
    free, restricted, _ = plan
    assert free and all(leaf.part == 1 for leaf in free)
    hassan_leaves = [leaf for leaf in leaves if leaf.part == 0]
    assert all(leaf in restricted for leaf in hassan_leaves)


def test_an_and_with_a_part_that_matches_nothing_matches_nothing() -> None:
    a = Lex((NAMES,), ("hassan",))
    b = Lex((NAMES,), ("zahrani",))
    expr = AllOf((a, b))
    leaves = [Leaf(part=0, lex=a, df=10, weight=1.0)]  # `zahrani` counted 0: dropped
    assert _plan(expr, leaves, 2) is None


def test_rerank_puts_the_closest_spelling_first() -> None:
    ranked = [
        ("e-far", 10.0, "Muhammad Rashidov"),
        ("e-near", 9.0, "Mohammed al-Rashid"),
    ]
    names = {
        "e-far": ["muhammad rashidov"],
        "e-near": ["mohammed al rashid", "мохаммед аль рашид"],
    }
    order = [entity_id for entity_id, _, _ in rerank("Mohammed al-Rashid", ranked, names)]
    assert order == ["e-near", "e-far"]


def test_rerank_leaves_hits_past_its_depth_in_place() -> None:
    ranked = [(f"e{i}", 300.0 - i, f"name {i}") for i in range(205)]
    # Past the depth the spelling is exact: re-ranked, those would jump to the top.
    names = {f"e{i}": ["zzyzx"] for i in range(200)} | {
        f"e{i}": ["mohammed"] for i in range(200, 205)
    }
    out = rerank("mohammed", ranked, names)
    assert [r[0] for r in out[200:]] == [f"e{i}" for i in range(200, 205)]
    assert [r[1] for r in out[200:]] == [300.0 - i for i in range(200, 205)]


def test_name_field_query_gives_phonetic_and_skeleton_alternatives() -> None:
    expr = expand_name("Putin")
    assert expr is not None
    (part,) = parts_of(expr)
    columns = {lex.columns for lex in part}
    assert (PHONETIC,) in columns and (SKELETON,) in columns
    assert all(lex.derived for lex in part)


def test_only_words_and_name_fields_are_reranked_by_name() -> None:
    def compiled(query: str) -> str | None:
        return compile_query(
            parse_query(query), text_condition=lambda expr: true(), fuzzy=no_fuzzy
        ).name

    assert compiled('name:"Vladimir Putin"') == "Vladimir Putin"
    assert compiled("vladimir putin schema:Person") == "vladimir putin"
    assert compiled('"vladimir putin"') is None
    assert compiled("putin OR medvedev") is None
    assert compiled("put*") is None
