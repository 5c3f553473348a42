"""Search canaries: what a persona may not read never shows in a search, nor in its counts.

A crafted world, on both backends. Unique words ("canaries") sit in a RESTRICTED
dataset of desk-a (`vault`) and in an INTERNAL dataset of desk-b (`deskb`): in a name,
in an email (a property a field filter reads), in a document's body text (what snippets
show), in an alias and a note that the vault adds to an entity of the PUBLIC dataset,
and in entity ids. Every entity also matches `acme`, so the totals and every facet
value and count of one query can be written out, by hand, for each persona.

Then every persona, with and without a purpose, searches for the canaries (terms,
phrases, `name:"…"`, `email:…`, prefixes, fuzzy terms with a typo, filters on the
canary datasets, markings, countries and schemata), through the services and the CLI
(table and --json). Those who may not read the vault get nothing and a count of 0, and
no canary anywhere in what they receive; the analyst who may (granted, with a purpose)
finds each, which proves the scan would see a leak.
"""

from __future__ import annotations

import dataclasses
import json
import uuid
from collections.abc import Iterator

import pytest

from casegraph.cli import state as cli_state
from casegraph.cli.app import main
from casegraph.model.statement import StatementRow
from casegraph.search.names import name_keys
from casegraph.security.context import Context
from casegraph.security.policy import Level
from casegraph.services import authentication
from casegraph.services.search import SearchResult, search
from casegraph.services.store import Store
from tests.conftest import BACKENDS, OWNER_GROUP
from tests.helpers import base, stmt
from tests.security.world import (
    ADMIN,
    AUDITOR,
    DISABLED,
    GRANTED,
    LOWER,
    NO_GRANT,
    PERSONAS,
    PURPOSE,
    USER,
    add_dataset,
    audit_size,
    events_since,
    make_personas,
    module_store,
    owner_context,
    persona_context,
)
from tests.services.audit_support import read_events

# Hex digits as letters: a canary is one word of letters only, so that it is a single
# name token, a vocabulary word for fuzzy terms, and a prefix.
LETTERS = str.maketrans("0123456789abcdef", "ghijklmnopqrstuv")


def word() -> str:
    return "zq" + uuid.uuid4().hex[:14].translate(LETTERS)


def typo(text: str) -> str:
    """`text` with its middle letter changed: one edit away."""
    middle = len(text) // 2
    return text[:middle] + ("a" if text[middle] != "a" else "b") + text[middle + 1 :]


def near(text: str) -> str:
    """A word two edits from typo(text) and one from text, with other name keys."""
    for letter in "bdfjkmnprstvxwy":
        candidate = text[:2] + letter + text[3:]
        keys, theirs = name_keys(candidate), name_keys(text)
        if (
            candidate != text
            and keys.phonetic != theirs.phonetic
            and keys.skeleton != theirs.skeleton
        ):
            return candidate
    raise AssertionError(f"no near word for {text}")


@dataclasses.dataclass(frozen=True)
class Planted:
    vault: str  # RESTRICTED, desk-a read
    deskb: str  # INTERNAL, desk-b read (and the owners', to prove the deskb scan)
    name: str  # in the name of a vault person
    mail: str  # the local part of that person's email
    body: tuple[str, str]  # two words in order in a vault document's body text
    alias: str  # in an alias the vault gives the shared (PUBLIC) entity
    shared: str  # in a note the vault adds to the shared entity
    vessel: str  # in the name of a vault vessel
    desk_b: str  # in the name of a desk-b company
    near: str  # a PUBLIC name one edit from `name`
    vault_ids: tuple[str, ...]
    deskb_ids: tuple[str, ...]

    @property
    def vault_canaries(self) -> list[str]:
        words = [self.name, self.mail, *self.body, self.alias, self.shared, self.vessel]
        return [*words, *self.vault_ids, self.vault]

    @property
    def deskb_canaries(self) -> list[str]:
        return [self.desk_b, *self.deskb_ids, self.deskb]


SHARED = "s-shared"
OPEN, TEAM = "open", "team"


def _name(entity_id: str, value: str, dataset: str, *, schema: str = "Person") -> StatementRow:
    return stmt(entity_id, "name", value, schema=schema, dataset=dataset, prop_type="name")


def _country(
    entity_id: str, prop: str, value: str, dataset: str, *, schema: str = "Person"
) -> StatementRow:
    return stmt(entity_id, prop, value, schema=schema, dataset=dataset, prop_type="country")


def _plant(store: Store, owner: Context) -> Planted:
    marker = uuid.uuid4().hex[:10]
    name, mail, body1, body2, alias, shared, vessel, desk_b = (word() for _ in range(8))
    vault_ids = tuple(f"v{word()}" for _ in range(4))
    deskb_ids = tuple(f"b{word()}" for _ in range(2))
    planted = Planted(
        vault=f"vault-{marker}",
        deskb=f"deskb-{marker}",
        name=name,
        mail=mail,
        body=(body1, body2),
        alias=alias,
        shared=shared,
        vessel=vessel,
        desk_b=desk_b,
        near=near(name),
        vault_ids=vault_ids,
        deskb_ids=deskb_ids,
    )
    v1, v2, v3, v4 = vault_ids
    b1, b2 = deskb_ids
    vault, deskb = planted.vault, planted.deskb
    add_dataset(
        store,
        owner,
        OPEN,
        "PUBLIC",
        [("desk-a", Level.READ)],
        [
            base("o-anna", dataset=OPEN),
            _name("o-anna", "Acme Anna", OPEN),
            _country("o-anna", "nationality", "de", OPEN),
            base("o-boris", dataset=OPEN),
            _name("o-boris", "Acme Boris", OPEN),
            _country("o-boris", "nationality", "fr", OPEN),
            base("o-holdings", schema="Company", dataset=OPEN),
            _name("o-holdings", "Acme Holdings", OPEN, schema="Company"),
            _country("o-holdings", "jurisdiction", "de", OPEN, schema="Company"),
            base(SHARED, schema="LegalEntity", dataset=OPEN),
            _name(SHARED, "Acme Shared", OPEN, schema="LegalEntity"),
            _country(SHARED, "country", "de", OPEN, schema="LegalEntity"),
            stmt(
                SHARED,
                "notes",
                "acme public note",
                schema="LegalEntity",
                dataset=OPEN,
                prop_type="text",
            ),
            base("o-near", dataset=OPEN),
            _name("o-near", f"Ned {planted.near}", OPEN),
        ],
    )
    add_dataset(
        store,
        owner,
        TEAM,
        "INTERNAL",
        [("desk-a", Level.READ)],
        [
            base("t-clara", dataset=TEAM),
            _name("t-clara", "Acme Clara", TEAM),
            _country("t-clara", "nationality", "at", TEAM),
        ],
    )
    add_dataset(
        store,
        owner,
        vault,
        "RESTRICTED",
        [("desk-a", Level.READ)],
        [
            base(v1, dataset=vault),
            _name(v1, f"Acme {name}", vault),
            _country(v1, "nationality", "kp", vault),
            stmt(v1, "email", f"{mail}@vault.example", dataset=vault, prop_type="email"),
            base(v2, dataset=vault),
            _name(v2, "Acme Dmitri", vault),
            _country(v2, "nationality", "kp", vault),
            base(v3, schema="Vessel", dataset=vault),
            _name(v3, f"Acme {vessel}", vault, schema="Vessel"),
            _country(v3, "flag", "kp", vault, schema="Vessel"),
            base(v4, schema="Document", dataset=vault),
            stmt(v4, "title", "Acme memo", schema="Document", dataset=vault),
            stmt(
                v4,
                "bodyText",
                f"the informant said {body1} {body2} met at the pier",
                schema="Document",
                dataset=vault,
                prop_type="text",
            ),
            # The vault's own statements about the PUBLIC shared entity.
            base(SHARED, dataset=vault),
            stmt(SHARED, "alias", f"Acme {alias}", dataset=vault, prop_type="name"),
            _country(SHARED, "nationality", "kp", vault),
            stmt(SHARED, "notes", f"acme paid {shared} in cash", dataset=vault, prop_type="text"),
        ],
    )
    add_dataset(
        store,
        owner,
        deskb,
        "INTERNAL",
        [("desk-b", Level.READ), (OWNER_GROUP, Level.READ)],
        [
            base(b1, schema="Company", dataset=deskb),
            _name(b1, f"Acme {desk_b}", deskb, schema="Company"),
            _country(b1, "jurisdiction", "kp", deskb, schema="Company"),
            base(b2, schema="Company", dataset=deskb),
            _name(b2, "Acme Trading", deskb, schema="Company"),
            _country(b2, "jurisdiction", "cy", deskb, schema="Company"),
        ],
    )
    return planted


@dataclasses.dataclass(slots=True)
class World:
    store: Store
    owner: Context
    planted: Planted
    tokens: dict[str, str]


@pytest.fixture(scope="module", params=BACKENDS)
def world(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[World]:
    with module_store(request, tmp_path_factory) as store:
        owner = owner_context(store)
        make_personas(store, owner)
        planted = _plant(store, owner)
        tokens = {
            p: authentication.create_token(store, owner, user=USER[p], label="search")[0]
            for p in PERSONAS
        }
        yield World(store=store, owner=owner, planted=planted, tokens=tokens)


# ---------------------------------------------------------------------------------------
# What each persona may read, and what `acme` must then answer: written out by hand.
# ---------------------------------------------------------------------------------------

#: (persona, with a purpose) → what they may read: "open", "team" (+ open) or "all"
#: (+ the vault); "none" for those who read no content.
SCOPE = {
    (ADMIN, True): "open",  # no group: PUBLIC only
    (ADMIN, False): "open",
    (GRANTED, True): "all",
    (GRANTED, False): "open",  # the vault and team need a purpose
    (NO_GRANT, True): "open",
    (NO_GRANT, False): "open",
    (LOWER, True): "team",  # INTERNAL clearance: not the vault
    (LOWER, False): "open",
    (AUDITOR, True): "none",
    (AUDITOR, False): "none",
    (DISABLED, True): "none",
    (DISABLED, False): "none",
}
CASES = sorted(SCOPE)
CASE_IDS = [f"{persona}-{'purpose' if purpose else 'no-purpose'}" for persona, purpose in CASES]


@dataclasses.dataclass(frozen=True)
class Answer:
    total: int
    facets: dict[str, dict[str, int]]
    ids: frozenset[str] = frozenset()  # ids that are not canaries


_OPEN_IDS = frozenset({"o-anna", "o-boris", "o-holdings", SHARED})
ACME = {
    "none": Answer(0, {"schema": {}, "country": {}, "dataset": {}, "marking": {}}),
    "open": Answer(
        4,
        {
            "schema": {"Person": 2, "Company": 1, "LegalEntity": 1},
            "country": {"de": 3, "fr": 1},
            "dataset": {OPEN: 4},
            "marking": {"PUBLIC": 4},
        },
        _OPEN_IDS,
    ),
    "team": Answer(
        5,
        {
            "schema": {"Person": 3, "Company": 1, "LegalEntity": 1},
            "country": {"de": 3, "fr": 1, "at": 1},
            "dataset": {OPEN: 4, TEAM: 1},
            "marking": {"PUBLIC": 4, "INTERNAL": 1},
        },
        _OPEN_IDS | {"t-clara"},
    ),
    # + the four vault entities, and the vault's document of the shared entity (a
    # Person there, with a kp nationality): 9 entities, 10 documents.
    "all": Answer(
        9,
        {
            "schema": {
                "Person": 6,
                "Company": 1,
                "LegalEntity": 1,
                "Vessel": 1,
                "Document": 1,
            },
            "country": {"de": 3, "fr": 1, "at": 1, "kp": 4},
            "dataset": {OPEN: 4, TEAM: 1, "<vault>": 5},
            "marking": {"PUBLIC": 4, "INTERNAL": 1, "RESTRICTED": 5},
        },
        _OPEN_IDS | {"t-clara"},
    ),
}
#: `schema:Person` (no text at all): its total and dataset facet.
PERSONS = {
    "none": (0, {}),
    "open": (3, {OPEN: 3}),  # Anna, Boris, Ned; the shared entity is a LegalEntity here
    "team": (4, {OPEN: 3, TEAM: 1}),
    "all": (7, {OPEN: 3, TEAM: 1, "<vault>": 3}),
}


def _facets(result: SearchResult) -> dict[str, dict[str, int]]:
    return {name: dict(values) for name, values in result.facets.items()}


def _named(world: World, counts: dict[str, int]) -> dict[str, int]:
    return {world.planted.vault if k == "<vault>" else k: v for k, v in counts.items()}


def _context(world: World, persona: str, purpose: bool) -> Context:
    return persona_context(world.store, persona, purpose=PURPOSE if purpose else None)


@pytest.mark.parametrize(("persona", "purpose"), CASES, ids=CASE_IDS)
def test_totals_and_every_facet_count_are_what_the_persona_may_read(
    world: World, persona: str, purpose: bool
) -> None:
    scope = SCOPE[persona, purpose]
    expected = ACME[scope]
    ctx = _context(world, persona, purpose)
    for query in ("acme", "ACME", "acm*"):
        result = search(world.store, ctx, query, limit=1000)
        assert result.total == expected.total == len(result.hits), query
        facets = _facets(result)
        assert facets == {
            name: _named(world, counts) for name, counts in expected.facets.items()
        }, query
        ids = {hit.entity_id for hit in result.hits}
        assert ids - set(world.planted.vault_ids) == expected.ids, query
        assert len(ids & set(world.planted.vault_ids)) == (4 if scope == "all" else 0)
    # A facet lists what the whole result holds, not the page: one hit, the same facets.
    page = search(world.store, ctx, "acme", limit=1)
    assert (page.total, _facets(page)) == (expected.total, facets)
    total, datasets = PERSONS[scope]
    people = search(world.store, ctx, "schema:Person", limit=1000)
    assert (people.total, _facets(people)["dataset"]) == (total, _named(world, datasets))


@pytest.mark.parametrize(("persona", "purpose"), CASES, ids=CASE_IDS)
def test_the_shared_entity_shows_only_what_the_persona_may_read(
    world: World, persona: str, purpose: bool
) -> None:
    """The vault says things about a PUBLIC entity: an alias, a note, a nationality and
    a schema. Outside the vault, its hit is the PUBLIC document's alone."""
    scope = SCOPE[persona, purpose]
    result = search(world.store, _context(world, persona, purpose), "acme", limit=1000)
    hits = {hit.entity_id: hit for hit in result.hits}
    if scope == "none":
        assert hits == {}
        return
    hit = hits[SHARED]
    if scope == "all":
        assert hit.datasets == (OPEN, world.planted.vault)
        assert hit.schema == "Person"
        return
    assert hit.datasets == (OPEN,)
    assert hit.schema == "LegalEntity"
    assert (hit.caption, hit.matched_name, hit.match) == ("Acme Shared", "Acme Shared", "exact")
    assert hit.snippet is not None and "public note" in hit.snippet
    assert world.planted.shared not in hit.snippet and "paid" not in hit.snippet


# ---------------------------------------------------------------------------------------
# The canary queries.
# ---------------------------------------------------------------------------------------


def _vault_queries(p: Planted) -> dict[str, list[str]]:
    """Queries that match only vault content → the canaries the granted analyst, with a
    purpose, must then see in what the search returns."""
    b1, b2 = p.body
    v1, _, v3, v4 = p.vault_ids
    return {
        p.name: [p.name, v1],
        p.name.upper(): [p.name, v1],
        f'name:"{p.name}"': [p.name, v1],
        f'name:"acme {p.name}" {p.name}': [p.name, v1],
        f"{p.name[:9]}*": [p.name, v1],
        f"email:{p.mail}@vault.example": [p.name, v1],
        f"email:{p.mail.upper()}@VAULT.EXAMPLE": [p.name, v1],
        f"email:{p.mail[:9]}*": [p.name, v1],
        f'"{b1} {b2}"': [b1, b2, v4],
        f'"informant said {b1}"': [b1, v4],
        b1: [b1, v4],
        f"{b2[:9]}*": [b2, v4],
        p.shared: [p.shared],
        f"acme {p.shared}": [p.shared],
        p.alias: [p.alias],
        f'name:"{p.alias}"': [p.alias],
        f"acme {p.alias}": [p.alias],
        f"{typo(p.alias)}~": [p.alias],
        f"{typo(p.alias)}~1": [p.alias],
        f"{p.alias[:9]}* OR {p.vessel[:9]}*": [p.alias, p.vessel, v3],
        p.vessel: [p.vessel, v3],
        f"{typo(p.vessel)}~": [p.vessel, v3],
        "schema:Vessel": [p.vessel, v3],
        "flag:kp": [p.vessel, v3],
        "country:kp": [p.name, p.vessel, p.alias],
        "acme country:kp": [p.name, p.vessel, p.alias],
        "country:KP OR nationality:kp": [p.name, p.alias],
        "marking:RESTRICTED": [p.name, p.vessel, p.vault],
        "acme marking:restricted": [p.name, p.vessel, p.vault],
        f"dataset:{p.vault}": [p.name, p.vessel, p.vault],
        f"dataset:{p.vault[:8]}*": [p.name, p.vault],
        "informant": [b1, v4],
        "cash": [p.shared],
    }


def _deskb_queries(p: Planted) -> dict[str, list[str]]:
    """Queries that match only desk-b content (nobody among the personas may read it;
    the owner may) → its canaries."""
    b1, b2 = p.deskb_ids
    return {
        p.desk_b: [p.desk_b, b1],
        f'name:"{p.desk_b}"': [p.desk_b],
        f"{typo(p.desk_b)}~": [p.desk_b],
        f"{p.desk_b[:9]}*": [p.desk_b],
        '"acme trading"': [b2],
        "country:cy": [b2],
        f"dataset:{p.deskb}": [p.desk_b, p.deskb],
        "jurisdiction:kp": [p.desk_b],
    }


def _banned(world: World, scope: str) -> list[str]:
    p = world.planted
    return p.deskb_canaries + ([] if scope == "all" else p.vault_canaries)


HIGHLIGHT = str.maketrans("", "", "«»")


def _leaks(outputs: list[str], banned: list[str]) -> list[tuple[str, str]]:
    """(canary, excerpt) for each banned string in the outputs, in any case, spacing or
    highlighting (a snippet can split a word in `«…»` parts)."""
    found = []
    for raw in outputs:
        text = "".join(raw.translate(HIGHLIGHT).split()).lower()
        for needle in banned:
            at = text.find(needle.lower())
            if at >= 0:
                found.append((needle, text[max(0, at - 60) : at + 60]))
    return found


def _scanned(result: SearchResult) -> str:
    """Everything a search returns but its echo of the query: hits (ids, captions,
    schemata, datasets, scores, matched names, snippets), the total and the facets."""
    return repr(dataclasses.replace(result, query="<asked>"))


def _is_empty(result: SearchResult) -> bool:
    return result.total == 0 and result.hits == [] and all(v == [] for v in result.facets.values())


@pytest.mark.parametrize(("persona", "purpose"), CASES, ids=CASE_IDS)
def test_canary_searches_find_and_count_nothing_for_the_unauthorised(
    world: World, persona: str, purpose: bool
) -> None:
    scope = SCOPE[persona, purpose]
    p = world.planted
    ctx = _context(world, persona, purpose)
    zero = list(_deskb_queries(p)) + ([] if scope == "all" else list(_vault_queries(p)))
    outputs: list[str] = []
    for query in zero:
        before = audit_size(world.store)
        result = search(world.store, ctx, query, limit=1000)
        assert _is_empty(result), (query, result)
        outputs.append(_scanned(result))
        # Recorded as a search that returned no entity.
        assert events_since(world.store, before, USER[persona]) == [("search", "allow", "scope")]
    # A canary next to what the persona may read adds nothing to the count.
    acme = ACME[scope]
    for query in (f"acme OR {p.name}", f"acme OR {p.desk_b}", f"acme -{p.shared}"):
        result = search(world.store, ctx, query, limit=1000)
        assert result.total == acme.total == len(result.hits), query
        outputs.append(_scanned(result))
    for query in ("acme", "acm*", "schema:Thing", "pier OR cash OR informant"):
        outputs.append(_scanned(search(world.store, ctx, query, limit=1000)))
    assert _leaks(outputs, _banned(world, scope)) == []


@pytest.mark.parametrize(("persona", "purpose"), CASES, ids=CASE_IDS)
def test_a_fuzzy_term_shows_no_vocabulary_word_the_persona_may_not_read(
    world: World, persona: str, purpose: bool
) -> None:
    """The typo is one edit from the vault's name and two from a PUBLIC name: both are
    vocabulary words it expands to, but only the readable one may show (as the name
    that matched), and only its entity counts."""
    scope = SCOPE[persona, purpose]
    p = world.planted
    result = search(world.store, _context(world, persona, purpose), f"{typo(p.name)}~")
    hits = {hit.entity_id: hit for hit in result.hits}
    if scope == "none":
        assert _is_empty(result)
        return
    assert hits["o-near"].matched_name == f"Ned {p.near}"
    assert hits["o-near"].match == "fuzzy"
    if scope == "all":
        assert set(hits) == {"o-near", p.vault_ids[0]}
        assert hits[p.vault_ids[0]].matched_name == f"Acme {p.name}"
        return
    assert set(hits) == {"o-near"} and result.total == 1
    assert _facets(result)["dataset"] == {OPEN: 1}
    assert _leaks([_scanned(result)], _banned(world, scope)) == []


def test_the_scan_finds_each_canary_where_the_persona_may_read_it(world: World) -> None:
    """The granted analyst with a purpose finds every vault query's canaries (and the
    owner every desk-b one's) in the same output the scans above look at."""
    p = world.planted
    granted = _context(world, GRANTED, True)
    for queries, ctx in ((_vault_queries(p), granted), (_deskb_queries(p), world.owner)):
        for query, canaries in queries.items():
            result = search(world.store, ctx, query, limit=1000)
            assert result.total >= 1, query
            found = {needle for needle, _ in _leaks([_scanned(result)], canaries)}
            assert found == set(canaries), (query, result)
    # And the vault's canaries are banned for every other case, the deskb ones for all.
    assert set(p.vault_canaries) <= set(_banned(world, "open"))
    assert not set(p.vault_canaries) & set(_banned(world, "all"))


# ---------------------------------------------------------------------------------------
# The CLI: table and --json.
# ---------------------------------------------------------------------------------------

NOT_AUTHENTICATED = 8


def _cli_queries(p: Planted) -> list[str]:
    b1, b2 = p.body
    return [
        " OR ".join([*p.vault_canaries[:8], p.desk_b]),
        f'"{b1} {b2}"',
        f'name:"{p.alias}"',
        f"email:{p.mail}@vault.example",
        f"{typo(p.vessel)}~",
        f"{p.name[:9]}*",
        "country:kp",
        f"dataset:{p.vault}",
        "marking:RESTRICTED",
    ]


def _run(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = main(args)
    captured = capsys.readouterr()
    assert "Traceback" not in captured.err
    return code, captured.out, captured.err


@pytest.mark.parametrize(("persona", "purpose"), CASES, ids=CASE_IDS)
def test_no_cli_search_output_holds_a_canary(
    world: World,
    persona: str,
    purpose: bool,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    settings = world.store.settings
    monkeypatch.setenv("CASEGRAPH_DATA_DIR", str(settings.data_dir))
    monkeypatch.setenv("CASEGRAPH_DATABASE_URL", settings.database_url)
    monkeypatch.delenv("CASEGRAPH_USER", raising=False)
    monkeypatch.setenv("CASEGRAPH_TOKEN", world.tokens[persona])
    monkeypatch.setattr(cli_state.out, "width", 2000)
    monkeypatch.setattr(cli_state.err, "width", 2000)
    scope = SCOPE[persona, purpose]
    p = world.planted
    prefix = ["--purpose", PURPOSE] if purpose else []
    outputs: list[str] = []
    queries = ["acme", *_cli_queries(p)]
    for query in queries:
        code, out, err = _run([*prefix, "search", query, "--limit", "1000"], capsys)
        outputs += [out, err]  # the table does not repeat the query
        jcode, jout, jerr = _run([*prefix, "search", query, "--json", "--limit", "1000"], capsys)
        if persona == DISABLED:
            assert (code, jcode, out, jout) == (NOT_AUTHENTICATED, NOT_AUTHENTICATED, "", "")
            outputs += [err, jerr]
            continue
        assert (code, jcode) == (0, 0), (query, err, jerr)
        data = json.loads(jout)
        assert data.pop("query") == query
        outputs += [json.dumps(data, ensure_ascii=False), jerr]
        if query == "acme":
            expected = ACME[scope]
            assert data["total"] == expected.total == len(data["hits"])
            facets = {k: {v["value"]: v["count"] for v in vs} for k, vs in data["facets"].items()}
            assert facets == {k: _named(world, v) for k, v in expected.facets.items()}
            assert out.startswith(f"{expected.total:,} entities match")
        elif scope != "all":
            assert (data["total"], data["hits"]) == (0, []), query
            assert all(values == [] for values in data["facets"].values()), query
            assert out.startswith("0 entities match; showing 0-0"), out
    assert _leaks(outputs, _banned(world, scope)) == []
    if scope == "all":
        # The same commands show the vault's canaries to the analyst who may read them.
        found = {needle for needle, _ in _leaks(outputs, p.vault_canaries)}
        assert {p.name, p.alias, p.vessel, *p.body, p.vault} <= found


# ---------------------------------------------------------------------------------------
# Side channels: what unreadable data does to the readable results.
# ---------------------------------------------------------------------------------------


def _analyst_and_open_data(store: Store, owner: Context, rows: list[StatementRow]) -> Context:
    add_dataset(store, owner, OPEN, "PUBLIC", [], rows)
    make_personas(store, owner)
    return persona_context(store, NO_GRANT)


def _answer(store: Store, ctx: Context, query: str) -> tuple[object, ...]:
    result = search(store, ctx, query)
    return (
        result.total,
        [(h.entity_id, h.score, h.match, h.matched_name, h.snippet) for h in result.hits],
        result.facets,
    )


def test_scores_and_order_do_not_depend_on_documents_outside_the_scope(
    store: Store, owner: Context
) -> None:
    """An analyst who may read only PUBLIC data searches twice; in between, RESTRICTED
    documents with the same words are added. Same hits, same scores, same order:
    otherwise the ranking tells them how common a word is in data they may not read."""
    rows = [
        base("p1", dataset=OPEN),
        _name("p1", "Ivan Petrov", OPEN),
        base("p2", dataset=OPEN),
        _name("p2", "John Smith", OPEN),
        base("p3", dataset=OPEN),
        _name("p3", "Mary Jones", OPEN),
    ]
    analyst = _analyst_and_open_data(store, owner, rows)
    queries = ("petrov", "petrov OR smith", "ivan OR john OR mary", "petrov~")
    before = {q: _answer(store, analyst, q) for q in queries}
    vault: list[StatementRow] = []
    for i in range(20):
        vault += [base(f"v{i}", dataset="vault"), _name(f"v{i}", f"Petrov V{i}", "vault")]
    add_dataset(store, owner, "vault", "RESTRICTED", [(OWNER_GROUP, Level.READ)], vault)
    assert search(store, owner, "petrov").total == 21  # the vault is indexed
    after = {q: _answer(store, analyst, q) for q in queries}
    assert after == before


def test_a_fuzzy_search_finds_the_same_whatever_unreadable_data_holds(
    store: Store, owner: Context
) -> None:
    """`qwertyuz~` (2 edits) finds "Qwertyab Jones". Then a RESTRICTED dataset adds 70
    names one edit from the query: the PUBLIC hit must still be found, or its absence
    tells the analyst that such names exist where they may not look."""
    rows = [base("p3", dataset=OPEN), _name("p3", "Qwertyab Jones", OPEN)]
    analyst = _analyst_and_open_data(store, owner, rows)
    before = _answer(store, analyst, "qwertyuz~")
    assert before[0] == 1
    letters = "abcdefghijklmnopqrstuvwxy"
    words = [f"qwertyuz{c}" for c in letters] + [f"qwertyu{c}" for c in letters]
    words += [f"qwerty{c}z" for c in letters if c != "u"]
    vault: list[StatementRow] = []
    for i, near_word in enumerate(words):
        vault += [base(f"w{i}", dataset="vault"), _name(f"w{i}", near_word.title(), "vault")]
    add_dataset(store, owner, "vault", "RESTRICTED", [(OWNER_GROUP, Level.READ)], vault)
    assert search(store, owner, "qwertyuz~", limit=1000).total > 64
    assert _answer(store, analyst, "qwertyuz~") == before


def test_a_search_by_a_persona_records_only_what_it_returned(world: World) -> None:
    """No canary reaches the log as an object of an unauthorised search either: the
    only objects are the query (as typed) and the entities returned."""
    p = world.planted
    size = audit_size(world.store)
    ctx = _context(world, NO_GRANT, True)
    result = search(world.store, ctx, f"acme OR {p.name}")
    event = read_events(world.store, after=size - 1)[-1]
    assert event.operation == "search" and event.actor == USER[NO_GRANT]
    assert set(event.objects) == {f"query:acme OR {p.name}"} | {
        f"entity:{hit.entity_id}" for hit in result.hits
    }
    assert not set(p.vault_ids) & {hit.entity_id for hit in result.hits}
