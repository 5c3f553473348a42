"""Canaries: unique strings planted in data a persona may not read must never reach them.

Content canaries sit in a RESTRICTED dataset of desk-a and in an INTERNAL dataset of
desk-b: entity ids, names, free-text notes, origins, original values, a statement the
restricted dataset adds to a PUBLIC entity, and a link from a restricted entity to the
public one. The names and titles of those datasets are metadata canaries: admins and
auditors may see them, nobody else without a grant.

Each unauthorised persona then runs every operation that returns something, through
the services and through the CLI, and everything it receives (results, errors, counts,
export bytes, search hits, totals, facets and snippets, CLI output) is scanned for every
canary. (tests/security/test_search_canaries.py goes deeper into search alone.)
"""

from __future__ import annotations

import dataclasses
import io
import json
import uuid
from collections.abc import Callable, Iterator
from functools import partial
from pathlib import Path

import pytest
from sqlalchemy import func, select

from casegraph.cli import state as cli_state
from casegraph.cli.app import main
from casegraph.errors import AccessDeniedError, CasegraphError, NotFoundError
from casegraph.model.dataset import DatasetMeta
from casegraph.model.origin import Origin
from casegraph.model.statement import BASE_PROP, StatementRow, make_statement_id
from casegraph.security.context import Context
from casegraph.security.policy import Level
from casegraph.services import audit_read, authentication, datasets, identity
from casegraph.services.corrections import add_correction
from casegraph.services.entities import show_entity
from casegraph.services.export import export_ftm, export_statements_csv
from casegraph.services.ingest import ingest
from casegraph.services.search import search
from casegraph.services.stats import statistics
from casegraph.services.store import Store
from casegraph.store.tables import statement
from tests.conftest import BACKENDS, OWNER_GROUP
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


def canary() -> str:
    return f"CANARY-{uuid.uuid4().hex}"


def _row(
    entity_id: str,
    prop: str,
    value: str,
    *,
    dataset: str,
    schema: str = "Person",
    prop_type: str = "string",
    origin: str = "people.csv",
    original: str | None = None,
) -> StatementRow:
    return StatementRow(
        id=make_statement_id(dataset=dataset, entity_id=entity_id, prop=prop, value=value),
        entity_id=entity_id,
        schema=schema,
        prop=prop,
        prop_type=prop_type,
        value=value,
        original_value=original,
        lang=None,
        dataset=dataset,
        origin=Origin(file=origin, row=1, line=2).render(),
    )


def _entity(entity_id: str, dataset: str, schema: str = "Person") -> StatementRow:
    return _row(entity_id, BASE_PROP, entity_id, dataset=dataset, schema=schema, prop_type="id")


PUBLIC_ENTITY = "pub-person"
TEAM_ENTITY = "team-person"


@dataclasses.dataclass(slots=True)
class Canaries:
    """The planted strings and where they are."""

    secret_dataset: str  # RESTRICTED, desk-a read
    desk_b_dataset: str  # INTERNAL, desk-b read
    secret_content: list[str]
    desk_b_content: list[str]
    secret_metadata: list[str]  # the dataset's name and title
    desk_b_metadata: list[str]
    secret_entity: str
    secret_link: str
    desk_b_entity: str


@dataclasses.dataclass(slots=True)
class World:
    store: Store
    owner: Context
    canaries: Canaries
    files: Path
    tokens: dict[str, str]


def _plant(store: Store, owner: Context, files: Path) -> Canaries:
    marker = uuid.uuid4().hex[:10]
    secret_ds, desk_b_ds = f"secret-{marker}", f"deskb-{marker}"
    secret_title, desk_b_title = canary(), canary()
    s_entity, s_link, s_name, s_note, s_origin, s_original, s_on_public = (
        canary() for _ in range(7)
    )
    s_file, s_ingested = canary(), canary()
    b_entity, b_name, b_on_public = canary(), canary(), canary()

    add_dataset(
        store,
        owner,
        "ds-open",
        "PUBLIC",
        [("desk-a", Level.READ)],
        [
            _entity(PUBLIC_ENTITY, "ds-open"),
            _row(PUBLIC_ENTITY, "name", "Open Person", dataset="ds-open", prop_type="name"),
        ],
    )
    add_dataset(
        store,
        owner,
        "ds-team",
        "INTERNAL",
        [("desk-a", Level.READ)],
        [
            _entity(TEAM_ENTITY, "ds-team"),
            _row(TEAM_ENTITY, "name", "Team Person", dataset="ds-team", prop_type="name"),
        ],
    )
    add_dataset(
        store,
        owner,
        secret_ds,
        "RESTRICTED",
        [("desk-a", Level.READ), (OWNER_GROUP, Level.WRITE)],
        [
            _entity(s_entity, secret_ds),
            _row(s_entity, "name", s_name, dataset=secret_ds, prop_type="name"),
            _row(
                s_entity,
                "notes",
                f"informant {s_note}",
                dataset=secret_ds,
                prop_type="text",
                origin=f"{s_origin}.csv",
                original=s_original,
            ),
            # The restricted dataset says something about the PUBLIC entity ...
            _entity(PUBLIC_ENTITY, secret_ds),
            _row(PUBLIC_ENTITY, "notes", s_on_public, dataset=secret_ds, prop_type="text"),
            # ... and links a restricted entity to it.
            _entity(s_link, secret_ds, schema="Ownership"),
            _row(
                s_link, "owner", s_entity, dataset=secret_ds, schema="Ownership", prop_type="entity"
            ),
            _row(
                s_link,
                "asset",
                PUBLIC_ENTITY,
                dataset=secret_ds,
                schema="Ownership",
                prop_type="entity",
            ),
        ],
        title=secret_title,
    )
    # An ingest run into it, from a file whose name is itself sensitive.
    source = files / f"{s_file}.ftm.jsonl"
    entity = {"id": "informant", "schema": "Person", "properties": {"name": [s_ingested]}}
    source.write_text(json.dumps(entity) + "\n", encoding="utf-8")
    ingest(store, owner, source, meta=DatasetMeta(name=secret_ds, title="", marking=""))
    add_dataset(
        store,
        owner,
        desk_b_ds,
        "INTERNAL",
        [("desk-b", Level.READ)],
        [
            _entity(b_entity, desk_b_ds),
            _row(b_entity, "name", b_name, dataset=desk_b_ds, prop_type="name"),
            _entity(TEAM_ENTITY, desk_b_ds),
            _row(TEAM_ENTITY, "notes", b_on_public, dataset=desk_b_ds, prop_type="text"),
        ],
        title=desk_b_title,
    )
    return Canaries(
        secret_dataset=secret_ds,
        desk_b_dataset=desk_b_ds,
        secret_content=[
            *(s_entity, s_link, s_name, s_note, s_origin, s_original, s_on_public),
            *(s_file, s_ingested),
        ],
        desk_b_content=[b_entity, b_name, b_on_public],
        secret_metadata=[secret_ds, secret_title],
        desk_b_metadata=[desk_b_ds, desk_b_title],
        secret_entity=s_entity,
        secret_link=s_link,
        desk_b_entity=b_entity,
    )


@pytest.fixture(scope="module", params=BACKENDS)
def world(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[World]:
    with module_store(request, tmp_path_factory) as store:
        owner = owner_context(store)
        make_personas(store, owner)
        files = tmp_path_factory.mktemp(f"canary-files-{request.param}")
        planted = _plant(store, owner, files)
        tokens = {
            p: authentication.create_token(store, owner, user=USER[p], label="canary")[0]
            for p in PERSONAS
        }
        yield World(
            store=store,
            owner=owner,
            canaries=planted,
            files=files,
            tokens=tokens,
        )


#: What each persona may read, written out (not computed from the Policy).
READABLE = {
    ADMIN: {"ds-open"},
    GRANTED: {"ds-open", "ds-team", "secret"},
    NO_GRANT: {"ds-open"},
    LOWER: {"ds-open", "ds-team"},
    AUDITOR: set(),
    DISABLED: set(),
}
#: Who sees the metadata (name, title, marking) of every dataset.
OVERSEERS = {ADMIN, AUDITOR}


def _forbidden(world: World, persona: str) -> list[str]:
    c = world.canaries
    banned = list(c.desk_b_content)
    if "secret" not in READABLE[persona]:
        banned += c.secret_content
    if persona not in OVERSEERS:
        banned += c.desk_b_metadata
        if "secret" not in READABLE[persona]:
            banned += c.secret_metadata
    return banned


#: What search snippets put around the words that matched: a canary highlighted in
#: parts (`«CANARY»-«a1b2…»`) is still the canary.
HIGHLIGHT = str.maketrans("", "", "«»")


def _leaks(outputs: list[str], banned: list[str]) -> list[tuple[str, str]]:
    """(canary, output excerpt) for every banned string found, in any case or spacing,
    with or without search highlights."""
    found = []
    for raw in outputs:
        text = raw.translate(HIGHLIGHT)
        squeezed = "".join(text.split()).lower()
        for needle in banned:
            key = needle.lower()
            if key in text.lower() or key in squeezed:
                at = squeezed.find(key)
                found.append((needle, squeezed[max(0, at - 80) : at + 80]))
    return found


def _unechoed(text: str, asked: tuple[str, ...]) -> str:
    """`text` without the names the persona typed itself: an error that repeats the id
    asked for ("no entity with id …") tells nothing new."""
    for name in asked:
        text = text.replace(name, "<asked>")
    return text


def _capture(outputs: list[str], call: Callable[[], object], *asked: str) -> None:
    """Run `call`; keep its result or its error (message and repr) for the scan."""
    try:
        result = call()
    except CasegraphError as exc:
        outputs.append(_unechoed(f"{type(exc).__name__}: {exc} {exc!r}", asked))
        return
    outputs.append(_unechoed(repr(result), asked))


def _capture_search(outputs: list[str], ctx: Context, store: Store, query: str) -> None:
    """Like `_capture`, but only the result's echo of the query is blanked: a hit, a
    snippet or a facet that repeats a canary the persona typed is still a leak."""
    try:
        result = search(store, ctx, query, limit=1000)
    except CasegraphError as exc:
        outputs.append(_unechoed(f"{type(exc).__name__}: {exc} {exc!r}", (query,)))
        return
    assert result.query == query
    outputs.append(repr(dataclasses.replace(result, query="<asked>")))


def _cli_search_output(text: str, command: list[str]) -> str:
    """`casegraph search` output with only its echo of the query blanked (--json has
    one, in its `query` field; the table has none)."""
    if "--json" not in command or not text.strip():
        return text
    data = json.loads(text)
    assert data["query"] in command
    data["query"] = "<asked>"
    return json.dumps(data, ensure_ascii=False)


# ---------------------------------------------------------------------------------------
# Counts first, before any other test writes into the world.
# ---------------------------------------------------------------------------------------


def _truth(store: Store, names: set[str]) -> tuple[int, dict[str, int]]:
    with store.engine.connect() as conn:
        total = conn.execute(
            select(func.count()).select_from(statement).where(statement.c.dataset.in_(names))
        ).scalar_one()
        entities: dict[str, int] = dict(
            conn.execute(
                select(statement.c.dataset, func.count())
                .where(statement.c.dataset.in_(names), statement.c.prop == BASE_PROP)
                .group_by(statement.c.dataset)
            ).all()
        )
    return int(total), {k: int(v) for k, v in entities.items()}


@pytest.mark.parametrize("persona", PERSONAS)
def test_counts_cover_exactly_what_the_persona_may_read(world: World, persona: str) -> None:
    store = world.store
    names = {world.canaries.secret_dataset if n == "secret" else n for n in READABLE[persona]}
    total, entities = _truth(store, names)
    for purpose in (PURPOSE, None):
        ctx = persona_context(store, persona, purpose=purpose)
        result = statistics(store, ctx)
        assert result.statements == total
        counted: dict[str, int] = {}
        for c in result.counts:
            counted[c.dataset] = counted.get(c.dataset, 0) + c.entities
        assert counted == entities
        listed = {s.meta.name: s.entities for s in datasets.list_datasets(store, ctx)}
        assert {n: v for n, v in listed.items() if v is not None} == {
            n: entities.get(n, 0) for n in names
        }
    if persona in (NO_GRANT, LOWER):
        # An analyst without a grant counts only what they may read: here, not even the
        # restricted dataset's statement about the PUBLIC entity.
        assert total < _truth(store, {"ds-open", "ds-team", world.canaries.secret_dataset})[0]


# ---------------------------------------------------------------------------------------
# Services.
# ---------------------------------------------------------------------------------------


def _targets(world: World, persona: str) -> tuple[list[str], list[str]]:
    """The canary datasets and entities `persona` may not read."""
    c = world.canaries
    targets, entities = [c.desk_b_dataset], [c.desk_b_entity]
    if "secret" not in READABLE[persona]:
        targets.append(c.secret_dataset)
        entities += [c.secret_entity, c.secret_link]
    return targets, entities


#: Wide queries, whose results hold what the persona may read too.
WIDE_SEARCHES = ["canary", "canary*", "informant", "person", "marking:RESTRICTED"]


def _canary_searches(world: World) -> list[str]:
    """Queries aimed at the canaries: each content canary as a term, and as a prefix, the
    restricted note as a phrase, and the canary datasets as filters."""
    c = world.canaries
    queries = [*c.secret_content, *c.desk_b_content]
    queries += [f"{needle[:14]}*" for needle in queries]
    queries += [f'"informant {needle}"' for needle in c.secret_content]
    queries += [f"dataset:{ds}" for ds in (c.secret_dataset, c.desk_b_dataset)]
    return queries


def _service_outputs(world: World, persona: str) -> list[str]:
    store = world.store
    outputs: list[str] = []
    targets, entities = _targets(world, persona)
    for purpose in (PURPOSE, None):
        ctx = persona_context(store, persona, purpose=purpose)
        tag = f"{persona}-{'p' if purpose else 'np'}"
        for query in [*_canary_searches(world), *WIDE_SEARCHES]:
            _capture_search(outputs, ctx, store, query)
        for entity_id in [*entities, PUBLIC_ENTITY, TEAM_ENTITY]:
            _capture(outputs, partial(show_entity, store, ctx, entity_id), entity_id)
        _capture(outputs, partial(datasets.list_datasets, store, ctx))
        _capture(outputs, partial(statistics, store, ctx))
        for ds in targets:
            _capture(outputs, partial(datasets.get_dataset, store, ctx, ds), ds)
            _capture(outputs, partial(statistics, store, ctx, dataset=ds), ds)
        for chosen in [None, *([ds] for ds in targets)]:
            binary, text = io.BytesIO(), io.StringIO()
            asked = tuple(chosen or ())
            _capture(outputs, partial(export_ftm, store, ctx, binary, datasets=chosen), *asked)
            _capture(
                outputs,
                partial(export_statements_csv, store, ctx, text, datasets=chosen),
                *asked,
            )
            outputs += [binary.getvalue().decode("utf-8", "replace"), text.getvalue()]
        source = world.files / f"{tag}.ftm.jsonl"
        entity = {"id": f"x-{tag}", "schema": "Person", "properties": {"name": ["X"]}}
        source.write_text(json.dumps(entity) + "\n", encoding="utf-8")
        for ds in targets:
            meta = DatasetMeta(name=ds, title="", marking="")
            _capture(outputs, partial(ingest, store, ctx, source, meta=meta), ds)
            if persona != ADMIN:  # an admin may grant and erase: that is no leak
                grant = partial(datasets.grant_dataset, store, ctx, ds, group="desk-c")
                _capture(outputs, partial(grant, level=Level.READ), ds)
                _capture(outputs, partial(datasets.delete_dataset, store, ctx, ds), ds)
        for entity_id in entities:
            correct = partial(add_correction, store, ctx, prop="birthDate", value="1970-01-01")
            _capture(outputs, partial(correct, entity_id=entity_id, dataset=f"n-{tag}"), entity_id)
        _capture(outputs, partial(audit_read.authorize, store, ctx, operation="audit.read"))
        _capture(outputs, partial(identity.list_users, store, ctx))
    return outputs


UNAUTHORISED = (ADMIN, NO_GRANT, LOWER, AUDITOR, DISABLED, GRANTED)


@pytest.mark.parametrize("persona", UNAUTHORISED)
def test_no_service_output_holds_a_canary(world: World, persona: str) -> None:
    outputs = _service_outputs(world, persona)
    assert len(outputs) > 40
    assert _leaks(outputs, _forbidden(world, persona)) == []
    if "secret" not in READABLE[persona]:
        # Not a single hit, count or facet value comes from the canary datasets.
        for purpose in (PURPOSE, None):
            ctx = persona_context(world.store, persona, purpose=purpose)
            for query in _canary_searches(world):
                result = search(world.store, ctx, query)
                assert (result.total, result.hits) == (0, []), query
                assert all(values == [] for values in result.facets.values()), query
    # The canary datasets still exist: nothing above destroyed them.
    with world.store.engine.connect() as conn:
        present = {
            r[0]
            for r in conn.execute(
                select(statement.c.dataset)
                .distinct()
                .where(
                    statement.c.dataset.in_(
                        [world.canaries.secret_dataset, world.canaries.desk_b_dataset]
                    )
                )
            )
        }
    assert len(present) == 2


def test_the_scan_finds_what_is_there(world: World) -> None:
    """The granted analyst reads the restricted dataset: the scan must see its canaries
    (otherwise the other scans prove nothing)."""
    outputs = _service_outputs(world, GRANTED)
    found = {needle for needle, _ in _leaks(outputs, world.canaries.secret_content)}
    assert found == set(world.canaries.secret_content)
    found = {needle for needle, _ in _leaks(outputs, world.canaries.secret_metadata)}
    assert found == set(world.canaries.secret_metadata)


def test_search_finds_the_searchable_canaries_for_the_granted_analyst(world: World) -> None:
    """The names and texts of the restricted dataset are in the index: the granted
    analyst, with a purpose, finds each (its own query blanked out), so the scans above
    would see a search leak; without a purpose, the same searches find nothing."""
    store, c = world.store, world.canaries
    # s_name, s_note, s_on_public and s_ingested are indexed; ids, origins, original
    # values and file names are not content of the index.
    searchable = [c.secret_content[i] for i in (2, 3, 6, 8)]
    granted = persona_context(store, GRANTED)
    outputs: list[str] = []
    for needle in searchable:
        _capture_search(outputs, granted, store, needle)
    found = {needle for needle, _ in _leaks(outputs, c.secret_content)}
    assert set(searchable) <= found
    assert c.secret_entity in found  # the hit's id
    unpurposed = persona_context(store, GRANTED, purpose=None)
    for needle in searchable:
        assert search(store, unpurposed, needle).total == 0


def test_the_public_entity_shows_no_restricted_statement_or_link(world: World) -> None:
    store, c = world.store, world.canaries
    for persona in (NO_GRANT, LOWER, ADMIN):
        detail = show_entity(store, persona_context(store, persona), PUBLIC_ENTITY)
        assert detail.entity.datasets == ["ds-open"]
        assert set(detail.entity.properties) == {"name"}
        assert detail.incoming == [] and detail.outgoing == []
    granted = show_entity(store, persona_context(store, GRANTED), PUBLIC_ENTITY)
    assert set(granted.entity.datasets) == {"ds-open", c.secret_dataset}
    assert [r.source for r in granted.incoming] == [c.secret_link]


# ---------------------------------------------------------------------------------------
# The CLI.
# ---------------------------------------------------------------------------------------


def _cli_commands(world: World, persona: str) -> list[list[str]]:
    targets, entities = _targets(world, persona)
    source = world.files / f"cli-{persona}.ftm.jsonl"
    source.write_text(
        json.dumps({"id": "y", "schema": "Person", "properties": {"name": ["Y"]}}) + "\n",
        encoding="utf-8",
    )
    commands: list[list[str]] = [
        ["datasets", "list"],
        ["stats"],
        ["entity", "show", PUBLIC_ENTITY, "--json"],
        ["--purpose", PURPOSE, "entity", "show", PUBLIC_ENTITY],
        ["--purpose", PURPOSE, "export", "-f", "ftm"],
        ["--purpose", PURPOSE, "export", "-f", "csv"],
        ["export", "-f", "ftm"],
        ["user", "list"],
    ]
    # Every content canary at once (as one OR), and the wide queries.
    canaries = [*world.canaries.secret_content, *world.canaries.desk_b_content]
    for query in [" OR ".join(canaries), "canary*", "informant OR person"]:
        commands += [
            ["search", query, "--limit", "1000"],
            ["--purpose", PURPOSE, "search", query, "--limit", "1000"],
            ["--purpose", PURPOSE, "search", query, "--json", "--limit", "1000"],
        ]
    for ds in targets:
        commands.append(["--purpose", PURPOSE, "search", f"dataset:{ds}", "--json"])
    for entity_id in entities:
        commands += [
            ["entity", "show", entity_id],
            ["--purpose", PURPOSE, "entity", "show", entity_id, "--json"],
            [
                "--purpose",
                PURPOSE,
                "entity",
                "correct",
                entity_id,
                "birthDate",
                "1970-01-01",
                "-d",
                f"cli-notes-{persona}",
            ],
        ]
    for ds in targets:
        commands += [
            ["datasets", "show", ds],
            ["stats", "-d", ds],
            ["--purpose", PURPOSE, "export", "-d", ds],
            ["--purpose", PURPOSE, "export", "-f", "csv", "-d", ds],
            ["ingest", str(source), "-d", ds],
            ["datasets", "grant", ds, "desk-c"],
            ["datasets", "mark", ds, "PUBLIC"],
        ]
        if persona != ADMIN:
            commands.append(["datasets", "delete", ds, "--yes"])
    return commands


@pytest.mark.parametrize("persona", UNAUTHORISED)
def test_no_cli_output_holds_a_canary(
    world: World,
    persona: str,
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
    outputs: list[str] = []
    codes = []
    for command in _cli_commands(world, persona):
        if persona == ADMIN and command[:2] in (["datasets", "grant"], ["datasets", "mark"]):
            continue  # admins may: that changes the world, and is not a leak
        code = main(command)
        captured = capsys.readouterr()
        codes.append(code)
        asked = tuple(command)
        if "search" in command:
            outputs.append(_cli_search_output(captured.out, command))
        else:
            outputs.append(_unechoed(captured.out, asked))
        outputs.append(_unechoed(captured.err, asked))
        assert "Traceback" not in captured.err
    assert _leaks(outputs, _forbidden(world, persona)) == []
    if persona == DISABLED:
        assert set(codes) == {8}  # not authenticated, whatever the command
    else:
        assert 0 in codes and 4 in codes  # some commands run; refusals read "not found"


# ---------------------------------------------------------------------------------------
# Writing down: a correction must not carry restricted content to a lower marking.
# ---------------------------------------------------------------------------------------


def test_a_correction_of_restricted_content_cannot_be_written_down(world: World) -> None:
    store, c = world.store, world.canaries
    granted = persona_context(store, GRANTED)
    for marking in ("INTERNAL", "PUBLIC", ""):  # "" → the default for new datasets
        target = f"down-{marking.lower() or 'default'}"
        before = audit_size(store)
        with pytest.raises(AccessDeniedError, match="RESTRICTED"):
            add_correction(
                store,
                granted,
                entity_id=c.secret_entity,
                prop="birthDate",
                value="1970-01-01",
                dataset=target,
                marking=marking,
            )
        with store.engine.connect() as conn:
            written = conn.execute(
                select(func.count()).select_from(statement).where(statement.c.dataset == target)
            ).scalar_one()
        assert written == 0
        assert events_since(store, before, USER[GRANTED])[-1] == (
            "entity.correct",
            "deny",
            "no-write-down",
        )
    # What was seen in PUBLIC data only may go into a new dataset with the default marking.
    lower = persona_context(store, LOWER)
    add_correction(
        store, lower, entity_id=PUBLIC_ENTITY, prop="birthDate", value="1970-01-01", dataset="mine"
    )
    # At the same marking it works, and stays out of the lower-clearance analyst's reach.
    add_correction(
        store,
        granted,
        entity_id=c.secret_entity,
        prop="birthDate",
        value="1970-01-01",
        dataset="up-restricted",
        marking="RESTRICTED",
    )
    with pytest.raises(NotFoundError):
        show_entity(store, lower, c.secret_entity)
