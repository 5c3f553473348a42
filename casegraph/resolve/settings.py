"""Splink model settings derived from the features the data has (pure, no IO).

Nothing here names a data set: each comparison, blocking rule and training rule is
tied to a feature of `records.FEATURES`, and kept when enough records have that
feature. The comparisons are built only from Splink's comparison-level library, so
Splink writes the SQL for whichever engine runs it (DuckDB now, Spark later).

Why these defaults:
- names get many graded levels (exact, same words in another order, one shared
  alias, near spelling, same sound, shared words): most errors in real data are in
  names, and each level gets its own learnt weight. Exact levels are adjusted for
  name frequency (a shared "John Smith" says less than a shared "Iosif Kobzon").
- dates compare as text so partial dates (`1970`, `1970-05`) agree at year level,
  and one-character typos in a full date still count for something.
- an organisation's records at different house numbers are different sites
  (branches share a name stem and a phone): that level's weight is set, not learnt.
- identifiers, emails and phones allow one typo: a one-digit slip is far likelier
  between records of one entity than between two random ones.
- blocking is on per-record keys (`blocking.py`): whole names, single rare name
  words, words combined with a date or place, identifiers, contacts, so that
  records with a misspelt or missing name word still meet through another key.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from casegraph.resolve.blocking import BLOCKS
from casegraph.resolve.records import FEATURES

__all__ = ["MIN_PRESENT", "ModelSettings", "model_settings"]

#: The share of records that must have a feature for it to be compared.
MIN_PRESENT = 0.02
#: Features compared as arrays (every value counts), not only by their first value.
ARRAY_FEATURES = (
    "names",
    "name_tokens",
    "country",
    "identifier",
    "address_tokens",
    "address_numbers",
    "premises",
)

Rule = Any  # a Splink blocking rule creator
#: Records are profiled by how many values of a feature they have, up to this many.
MAX_VALUES = 5
#: A "k words shared" level is kept when this share of records has k words or more.
MIN_WIDE = 0.1
#: How often two records of one organisation give it different house numbers. Set, not
#: learnt: branches share a name and a phone, so EM takes them for one entity and
#: learns that other house numbers are common among matches; Fellegi-Sunter's
#: independence assumption fails exactly there. At this value a branch pair that agrees
#: on everything else falls from a merge to the review queue.
OTHER_PREMISES_M = 0.002


@dataclass(frozen=True)
class Profile:
    """What the data holds: for each feature, the share of records with at least
    1, 2, ... MAX_VALUES values of it."""

    at_least: Mapping[str, tuple[float, ...]]

    def share(self, feature: str, values: int = 1) -> float:
        shares = self.at_least.get(feature)
        return shares[min(values, MAX_VALUES) - 1] if shares else 0.0


@dataclass(frozen=True)
class ModelSettings:
    """Everything a Splink run needs besides the data."""

    comparisons: list[Any]
    blocking: list[Rule]
    deterministic: list[Rule]
    em_rules: list[Rule]
    tf_columns: list[str]


#: "All words of one in the other" is adjusted by the name's frequency too (the more
#: common of the two names): else "Harry Thompson" against "THOMPSON, Harry Edward"
#: would weigh more than two identical common names. (Not the spelling levels: in a
#: small registry every name is "common", and a reordered name would count for nothing.)
_NAME_TF: dict[str, Any] = {"tf_adjustment_column": "name", "tf_adjustment_weight": 1.0}


def _name_comparison(has: Mapping[str, bool], profile: Profile) -> Any:
    import splink.comparison_level_library as cll
    import splink.comparison_library as cl

    levels: list[Any] = [
        cll.NullLevel("name"),
        cll.ExactMatchLevel("name", term_frequency_adjustments=True).configure(
            label_for_charts="same name"
        ),
        cll.ExactMatchLevel("name_sorted").configure(label_for_charts="same words, other order"),
    ]
    if has["names"]:
        levels.append(
            cll.ArrayIntersectLevel("names", 1).configure(label_for_charts="one name in common")
        )
    levels.append(cll.JaroWinklerLevel("name", 0.95).configure(label_for_charts="near spelling"))
    levels.append(
        cll.ArraySubsetLevel("name_tokens").configure(
            label_for_charts="all words of one in the other", **_NAME_TF
        )
    )
    person = has["first_name"] and has["last_name"]
    if person:
        levels += [
            cll.And(
                cll.JaroWinklerLevel("first_name", 0.9), cll.JaroWinklerLevel("last_name", 0.9)
            ).configure(label_for_charts="first and last name near"),
            cll.ColumnsReversedLevel("first_name", "last_name").configure(
                label_for_charts="first and last name swapped"
            ),
        ]
    levels.append(cll.ExactMatchLevel("name_phonetic").configure(label_for_charts="same sound"))
    if person:
        levels += [
            cll.ExactMatchLevel("last_name", term_frequency_adjustments=True).configure(
                label_for_charts="same last name"
            ),
            cll.ExactMatchLevel("first_name", term_frequency_adjustments=True).configure(
                label_for_charts="same first name"
            ),
        ]
    if profile.share("name_tokens", 3) >= MIN_WIDE:  # else two shared = all shared
        levels.append(
            cll.ArrayIntersectLevel("name_tokens", 2).configure(label_for_charts="two words shared")
        )
    levels += [
        cll.JaroWinklerLevel("name_sorted", 0.8).configure(label_for_charts="similar"),
        cll.ArrayIntersectLevel("name_tokens", 1).configure(label_for_charts="one word shared"),
        cll.ElseLevel(),
    ]
    return cl.CustomComparison(levels, output_column_name="name")


def _date_comparison() -> Any:
    import splink.comparison_level_library as cll
    import splink.comparison_library as cl
    from splink import ColumnExpression

    year = ColumnExpression("date").substr(1, 4)
    month = ColumnExpression("date").substr(1, 7)
    return cl.CustomComparison(
        [
            cll.NullLevel("date"),
            cll.ExactMatchLevel("date").configure(label_for_charts="same date"),
            cll.DamerauLevenshteinLevel("date", 1).configure(label_for_charts="one typo"),
            cll.ExactMatchLevel(month).configure(label_for_charts="same month"),
            cll.ExactMatchLevel(year).configure(label_for_charts="same year"),
            cll.DamerauLevenshteinLevel("date", 2).configure(label_for_charts="two typos"),
            cll.ElseLevel(),
        ],
        output_column_name="date",
    )


def _array_comparison(col: str, fuzzy: bool) -> Any:
    import splink.comparison_level_library as cll
    import splink.comparison_library as cl
    from splink import ColumnExpression

    levels: list[Any] = [
        cll.NullLevel(col),
        cll.ArrayIntersectLevel(col, 1).configure(label_for_charts="one value in common"),
    ]
    if fuzzy:  # on the first values only: Splink's pairwise array levels need lambdas
        first = ColumnExpression(col).access_extreme_array_element("first")
        levels.append(cll.DamerauLevenshteinLevel(first, 1).configure(label_for_charts="one typo"))
    levels.append(cll.ElseLevel())
    return cl.CustomComparison(levels, output_column_name=col)


def _text_comparison(col: str, *, tf: bool, typos: int, similar: tuple[float, ...]) -> Any:
    """Exact, then up to `typos` edits, then Jaro-Winkler thresholds, then else."""
    import splink.comparison_level_library as cll
    import splink.comparison_library as cl

    levels: list[Any] = [
        cll.NullLevel(col),
        cll.ExactMatchLevel(col, term_frequency_adjustments=tf).configure(label_for_charts="same"),
    ]
    for n in range(1, typos + 1):
        levels.append(
            cll.DamerauLevenshteinLevel(col, n).configure(label_for_charts=f"{n} typo(s)")
        )
    for threshold in similar:
        levels.append(
            cll.JaroWinklerLevel(col, threshold).configure(
                label_for_charts=f"similar (JW ≥ {threshold})"
            )
        )
    levels.append(cll.ElseLevel())
    return cl.CustomComparison(levels, output_column_name=col)


def _address_comparison(profile: Profile) -> Any:
    """Addresses are long and their parts come in any order and spelling, so shared
    words count besides the spelling of the whole; numbers (house, postcode) that
    disagree tell two branches in one street apart. Levels of more shared words than
    the data's addresses have are left out (EM could not learn them)."""
    import splink.comparison_level_library as cll
    import splink.comparison_library as cl

    levels: list[Any] = [
        cll.NullLevel("address"),
        cll.ExactMatchLevel("address", term_frequency_adjustments=True).configure(
            label_for_charts="same"
        ),
    ]
    if profile.share("premises") >= MIN_PRESENT:
        levels.append(
            cll.Not(cll.ArrayIntersectLevel("premises", 1)).configure(
                label_for_charts="other house number",
                m_probability=OTHER_PREMISES_M,
                fix_m_probability=True,
            )
        )
    if profile.share("address_numbers") >= MIN_PRESENT:
        levels.append(
            cll.Not(cll.ArraySubsetLevel("address_numbers")).configure(
                label_for_charts="other numbers"
            )
        )
    levels.append(cll.JaroWinklerLevel("address", 0.95).configure(label_for_charts="near spelling"))
    if profile.share("address_tokens", 3) >= MIN_WIDE:
        levels.append(
            cll.ArraySubsetLevel("address_tokens").configure(
                label_for_charts="all words of one in the other"
            )
        )
    for k, word in ((4, "four"), (3, "three"), (2, "two")):
        if profile.share("address_tokens", k + 1) >= MIN_WIDE:
            levels.append(
                cll.ArrayIntersectLevel("address_tokens", k).configure(
                    label_for_charts=f"{word} words shared"
                )
            )
    if profile.share("address_tokens", 2) >= MIN_WIDE:
        levels.append(
            cll.ArrayIntersectLevel("address_tokens", 1).configure(
                label_for_charts="one word shared"
            )
        )
    else:
        levels.append(cll.JaroWinklerLevel("address", 0.85).configure(label_for_charts="similar"))
    levels.append(cll.ElseLevel())
    return cl.CustomComparison(levels, output_column_name="address")


def _email_comparison() -> Any:
    import splink.comparison_level_library as cll
    import splink.comparison_library as cl
    from splink import ColumnExpression

    user = ColumnExpression("email").regex_extract("^[^@]+")
    return cl.CustomComparison(
        [
            cll.NullLevel("email"),
            cll.ExactMatchLevel("email").configure(label_for_charts="same"),
            cll.ExactMatchLevel(user).configure(label_for_charts="same user name"),
            cll.JaroWinklerLevel("email", 0.88).configure(label_for_charts="similar"),
            cll.ElseLevel(),
        ],
        output_column_name="email",
    )


#: A key of an EM training block: (feature, prefix length or None for the whole value).
BlockKey = tuple[tuple[str, int | None], ...]

#: EM's second training block, the first of these that is small enough: a feature that
#: identifies an entity without its name, so that EM can learn the name's weights.
EM_KEYS: tuple[BlockKey, ...] = (
    (("email", None),),
    (("phone", None),),
    (("address", None),),
    (("date", None),),
    (("date", None), ("place", None)),
    (("date", None), ("address", 4)),
)
#: A training block may yield at most this many pairs per record (plus a floor).
BLOCK_PAIRS_PER_RECORD = 10
BLOCK_PAIRS_FLOOR = 20_000
#: Features that make up the name comparison (EM must block on something else to
#: learn its weights).
NAME_FEATURES = frozenset(
    {"name", "name_sorted", "name_phonetic", "name_tokens", "first_name", "last_name"}
)


def block_rule(key: BlockKey) -> Rule:
    """The Splink rule for a key (array features are exploded)."""
    from splink import ColumnExpression, block_on

    parts: list[Any] = [col if n is None else ColumnExpression(col).substr(1, n) for col, n in key]
    arrays = [col for col, _ in key if col in ARRAY_FEATURES]
    return block_on(*parts, arrays_to_explode=arrays or None)


def prediction_rule() -> Rule:
    """The one blocking rule of prediction: records that share a key of `blocking.py`."""
    from splink import block_on

    return block_on(BLOCKS, arrays_to_explode=[BLOCKS])


def _training(
    has: Mapping[str, bool], counts: Mapping[BlockKey, int], limit: int
) -> tuple[list[Rule], list[Rule]]:
    """Deterministic rules (for the prior) and EM blocking rules.

    EM cannot learn the weights of a comparison that its blocking rule fixes, so it runs
    once blocked on the whole name and the countries (learning everything else) and
    once blocked on the first kept key without a name part or an array (Splink's EM
    cannot explode arrays), learning the names and countries.
    """
    from splink import block_on

    others = [c for c in ("date", "email", "phone", "address") if has[c]]
    deterministic: list[Rule] = [block_on("name_sorted", c) for c in others]
    if has["identifier"]:
        deterministic.append(block_rule((("identifier", None),)))
    if not deterministic:
        deterministic = [block_on("name_sorted")]
    compared = [c for c in ("date", "identifier", "email", "phone", "address", "place") if has[c]]
    if not compared:  # blocked on names, EM would have nothing left to learn
        return deterministic, []
    # Different people who share a name often share a country too (a common name of
    # that country): blocked on the name alone, EM can take "same country" for "same
    # person" and learn that dates disagree among matches. Within one country, it must
    # tell them apart by everything else.
    em: list[Rule] = [
        block_on("name_sorted", "country") if has["country"] else block_on("name_sorted")
    ]
    for key in EM_KEYS:
        if all(has[col] for col, _ in key) and counts.get(key, limit + 1) <= limit:
            em.append(block_rule(key))
            break
    return deterministic, em


def model_settings(profile: Profile, counts: Mapping[BlockKey, int], records: int) -> ModelSettings:
    """Settings for data whose features are present in these shares of records.

    `counts` says how many pairs each of `EM_KEYS` yields over `records` records (EM
    trains on the first small enough). Prediction blocks on the `blocks` column.
    """
    has = {f: profile.share(f) >= MIN_PRESENT for f in FEATURES}
    has["names"] = profile.share("name", 2) > 0
    comparisons: list[Any] = [_name_comparison(has, profile)]
    tf: list[str] = ["name"]
    if has["first_name"] and has["last_name"]:
        tf += ["first_name", "last_name"]
    if has["date"]:
        comparisons.append(_date_comparison())
    if has["identifier"]:
        comparisons.append(_array_comparison("identifier", fuzzy=True))
    if has["email"]:
        comparisons.append(_email_comparison())
    if has["phone"]:
        comparisons.append(_text_comparison("phone", tf=False, typos=1, similar=()))
    if has["address"]:
        comparisons.append(_address_comparison(profile))
        tf.append("address")
    if has["place"]:
        comparisons.append(_text_comparison("place", tf=True, typos=0, similar=(0.88,)))
        tf.append("place")
    if has["country"]:
        comparisons.append(_array_comparison("country", fuzzy=False))
    if has["occupation"]:
        comparisons.append(_text_comparison("occupation", tf=True, typos=0, similar=()))
        tf.append("occupation")
    if has["gender"]:
        comparisons.append(_text_comparison("gender", tf=False, typos=0, similar=()))
    limit = BLOCK_PAIRS_FLOOR + BLOCK_PAIRS_PER_RECORD * records
    deterministic, em = _training(has, counts, limit)
    return ModelSettings(comparisons, [prediction_rule()], deterministic, em, tf)
