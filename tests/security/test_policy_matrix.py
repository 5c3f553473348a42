"""The policy matrix: every service operation × persona × resource, on both backends.

The expected outcome of each case is written out below as a literal table, by hand,
from the rules of the issue and the design brief (not computed from the Policy):

- the lowest marking (PUBLIC) is readable by any active analyst or admin; every other
  marking needs a group grant on the dataset (read or write), for admins too, and a
  clearance at least as high as the marking;
- content under INTERNAL or RESTRICTED, and every export, needs a purpose;
- writes need a write grant; creating a dataset by writing needs the analyst role;
- admins and auditors see every dataset's metadata, but counts only where they may read;
- auditors see no content; disabled accounts see and do nothing;
- what the actor may not read answers exactly as if it did not exist.

Outcomes: `ok`; `missing` (NotFoundError, the same message as for a thing that does
not exist); `denied` (AccessDeniedError); `purpose` (PurposeRequiredError). Listings
answer `count` (listed with the true entity count), `meta` (listed without a count) or
`absent`; the statistics and the export of everything `counted`/`contains` or `absent`.
A search is open to anyone (a disabled account cannot log in to make one) and answers
`found` or `absent`: it never refuses, and finds only what the actor may read without
being asked for a purpose (content that needs one is simply outside the search), so an
auditor, who reads no content, finds nothing. Rebuilding the search index is for admins.

Entity resolution: a run reads datasets (and `resolve` names one); judging a pair and
undoing a merge need the analyst role and that the actor may see the entities, so an
admin without it is refused what it may read, and answered "missing" for the rest;
explanations and canonical entities are consultations (like `entity.show`), and the
review queue is a listing that never refuses (like `search`): it lists a pair only
when the actor may read both sides and every dataset their records came from.

Every refused case must leave a `deny` event for its actor in the audit log.
"""

from __future__ import annotations

import io
import json
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import orjson
import pytest
from sqlalchemy import func, insert, select

from casegraph.errors import (
    AccessDeniedError,
    AuthenticationError,
    CasegraphError,
    NotFoundError,
    PurposeRequiredError,
)
from casegraph.model.dataset import DatasetMeta
from casegraph.model.statement import BASE_PROP, StatementRow
from casegraph.security.actor import parse_roles
from casegraph.security.context import Context
from casegraph.security.policy import Level, Operation
from casegraph.services import audit_read, authentication, datasets, identity
from casegraph.services.access import dataset_ref
from casegraph.services.corrections import add_correction
from casegraph.services.entities import show_entity
from casegraph.services.export import export_ftm, export_statements_csv
from casegraph.services.ingest import ingest
from casegraph.services.resolve import (
    canonical,
    explain_pair,
    judge,
    resolve,
    review_queue,
    undo,
)
from casegraph.services.search import search
from casegraph.services.search_index import indexed_documents, reindex
from casegraph.services.stats import statistics
from casegraph.services.store import Store
from casegraph.store.tables import resolve_pair, resolve_source, statement
from tests.conftest import BACKENDS
from tests.helpers import base, stmt
from tests.security.world import (
    ADMIN,
    AUDITOR,
    DISABLED,
    GRANTED,
    LOWER,
    NO_GRANT,
    PASSWORD,
    PERSONAS,
    SEEN,
    USER,
    add_dataset,
    audit_size,
    events_since,
    make_personas,
    module_store,
    owner_context,
    persona_context,
)

# ---------------------------------------------------------------------------------------
# The expected table. Suffix `/np`: the same call without a purpose.
# ---------------------------------------------------------------------------------------
MATRIX = """
operation        persona   PUBLIC   INTERNAL  RESTRICTED  OTHER

entity.show      admin     ok       missing   missing     missing
entity.show      granted   ok       ok        ok          missing
entity.show      no-grant  ok       missing   missing     missing
entity.show      lower     ok       ok        missing     missing
entity.show      auditor   missing  missing   missing     missing
entity.show      disabled  missing  missing   missing     missing

entity.show/np   admin     ok       missing   missing     missing
entity.show/np   granted   ok       purpose   purpose     missing
entity.show/np   no-grant  ok       missing   missing     missing
entity.show/np   lower     ok       purpose   missing     missing
entity.show/np   auditor   missing  missing   missing     missing
entity.show/np   disabled  missing  missing   missing     missing

dataset.show     admin     count    meta      meta        meta
dataset.show     granted   count    count     count       missing
dataset.show     no-grant  count    missing   missing     missing
dataset.show     lower     count    count     missing     missing
dataset.show     auditor   meta     meta      meta        meta
dataset.show     disabled  missing  missing   missing     missing

dataset.show/np  admin     count    meta      meta        meta
dataset.show/np  granted   count    count     count       missing
dataset.show/np  no-grant  count    missing   missing     missing
dataset.show/np  lower     count    count     missing     missing
dataset.show/np  auditor   meta     meta      meta        meta
dataset.show/np  disabled  missing  missing   missing     missing

datasets.list    admin     count    meta      meta        meta
datasets.list    granted   count    count     count       absent
datasets.list    no-grant  count    absent    absent      absent
datasets.list    lower     count    count     absent      absent
datasets.list    auditor   meta     meta      meta        meta
datasets.list    disabled  absent   absent    absent      absent

stats            admin     counted  absent    absent      absent
stats            granted   counted  counted   counted     absent
stats            no-grant  counted  absent    absent      absent
stats            lower     counted  counted   absent      absent
stats            auditor   absent   absent    absent      absent
stats            disabled  absent   absent    absent      absent

stats.dataset    admin     ok       missing   missing     missing
stats.dataset    granted   ok       ok        ok          missing
stats.dataset    no-grant  ok       missing   missing     missing
stats.dataset    lower     ok       ok        missing     missing
stats.dataset    auditor   missing  missing   missing     missing
stats.dataset    disabled  missing  missing   missing     missing

export.ftm       admin     ok       missing   missing     missing
export.ftm       granted   ok       ok        ok          missing
export.ftm       no-grant  ok       missing   missing     missing
export.ftm       lower     ok       ok        missing     missing
export.ftm       auditor   missing  missing   missing     missing
export.ftm       disabled  missing  missing   missing     missing

export.ftm/np    admin     purpose  purpose   purpose     purpose
export.ftm/np    granted   purpose  purpose   purpose     purpose
export.ftm/np    no-grant  purpose  purpose   purpose     purpose
export.ftm/np    lower     purpose  purpose   purpose     purpose
export.ftm/np    auditor   purpose  purpose   purpose     purpose
export.ftm/np    disabled  purpose  purpose   purpose     purpose

export.csv       admin     ok       missing   missing     missing
export.csv       granted   ok       ok        ok          missing
export.csv       no-grant  ok       missing   missing     missing
export.csv       lower     ok       ok        missing     missing
export.csv       auditor   missing  missing   missing     missing
export.csv       disabled  missing  missing   missing     missing

export.all       admin     contains absent    absent      absent
export.all       granted   contains contains  contains    absent
export.all       no-grant  contains absent    absent      absent
export.all       lower     contains contains  absent      absent
export.all       auditor   absent   absent    absent      absent
export.all       disabled  absent   absent    absent      absent

export.all/np    admin     purpose  purpose   purpose     purpose
export.all/np    granted   purpose  purpose   purpose     purpose
export.all/np    no-grant  purpose  purpose   purpose     purpose
export.all/np    lower     purpose  purpose   purpose     purpose
export.all/np    auditor   purpose  purpose   purpose     purpose
export.all/np    disabled  purpose  purpose   purpose     purpose

ingest           admin     denied   missing   missing     missing
ingest           granted   denied   ok        denied      missing
ingest           no-grant  denied   missing   missing     missing
ingest           lower     denied   ok        missing     missing
ingest           auditor   missing  missing   missing     missing
ingest           disabled  missing  missing   missing     missing

correct          admin     denied   missing   missing     missing
correct          granted   ok       ok        ok          missing
correct          no-grant  ok       missing   missing     missing
correct          lower     ok       ok        missing     missing
correct          auditor   missing  missing   missing     missing
correct          disabled  missing  missing   missing     missing

correct/np       admin     denied   missing   missing     missing
correct/np       granted   ok       purpose   purpose     missing
correct/np       no-grant  ok       missing   missing     missing
correct/np       lower     ok       purpose   missing     missing
correct/np       auditor   missing  missing   missing     missing
correct/np       disabled  missing  missing   missing     missing

dataset.delete   admin     ok       ok        ok          ok
dataset.delete   granted   denied   denied    denied      denied
dataset.delete   no-grant  denied   denied    denied      denied
dataset.delete   lower     denied   denied    denied      denied
dataset.delete   auditor   denied   denied    denied      denied
dataset.delete   disabled  denied   denied    denied      denied

dataset.grant    admin     ok       ok        ok          ok
dataset.grant    granted   denied   denied    denied      denied
dataset.grant    no-grant  denied   denied    denied      denied
dataset.grant    lower     denied   denied    denied      denied
dataset.grant    auditor   denied   denied    denied      denied
dataset.grant    disabled  denied   denied    denied      denied

search           admin     found    absent    absent      absent
search           granted   found    found     found       absent
search           no-grant  found    absent    absent      absent
search           lower     found    found     absent      absent
search           auditor   absent   absent    absent      absent
search           disabled  absent   absent    absent      absent

search/np        admin     found    absent    absent      absent
search/np        granted   found    absent    absent      absent
search/np        no-grant  found    absent    absent      absent
search/np        lower     found    absent    absent      absent
search/np        auditor   absent   absent    absent      absent
search/np        disabled  absent   absent    absent      absent

resolve          admin     denied   missing   missing     missing
resolve          granted   ok       ok        ok          missing
resolve          no-grant  ok       missing   missing     missing
resolve          lower     ok       ok        missing     missing
resolve          auditor   missing  missing   missing     missing
resolve          disabled  missing  missing   missing     missing

resolve/np       admin     denied   missing   missing     missing
resolve/np       granted   ok       purpose   purpose     missing
resolve/np       no-grant  ok       missing   missing     missing
resolve/np       lower     ok       purpose   missing     missing
resolve/np       auditor   missing  missing   missing     missing
resolve/np       disabled  missing  missing   missing     missing

resolve.judge    admin     denied   missing   missing     missing
resolve.judge    granted   ok       ok        ok          missing
resolve.judge    no-grant  ok       missing   missing     missing
resolve.judge    lower     ok       ok        missing     missing
resolve.judge    auditor   missing  missing   missing     missing
resolve.judge    disabled  missing  missing   missing     missing

resolve.judge/np admin     denied   missing   missing     missing
resolve.judge/np granted   ok       purpose   purpose     missing
resolve.judge/np no-grant  ok       missing   missing     missing
resolve.judge/np lower     ok       purpose   missing     missing
resolve.judge/np auditor   missing  missing   missing     missing
resolve.judge/np disabled  missing  missing   missing     missing

resolve.undo     admin     denied   missing   missing     missing
resolve.undo     granted   ok       ok        ok          missing
resolve.undo     no-grant  ok       missing   missing     missing
resolve.undo     lower     ok       ok        missing     missing
resolve.undo     auditor   missing  missing   missing     missing
resolve.undo     disabled  missing  missing   missing     missing

resolve.undo/np  admin     denied   missing   missing     missing
resolve.undo/np  granted   ok       purpose   purpose     missing
resolve.undo/np  no-grant  ok       missing   missing     missing
resolve.undo/np  lower     ok       purpose   missing     missing
resolve.undo/np  auditor   missing  missing   missing     missing
resolve.undo/np  disabled  missing  missing   missing     missing

resolve.explain  admin     ok       missing   missing     missing
resolve.explain  granted   ok       ok        ok          missing
resolve.explain  no-grant  ok       missing   missing     missing
resolve.explain  lower     ok       ok        missing     missing
resolve.explain  auditor   missing  missing   missing     missing
resolve.explain  disabled  missing  missing   missing     missing

resolve.explain/np admin    ok      missing   missing     missing
resolve.explain/np granted  ok      purpose   purpose     missing
resolve.explain/np no-grant ok      missing   missing     missing
resolve.explain/np lower    ok      purpose   missing     missing
resolve.explain/np auditor  missing missing   missing     missing
resolve.explain/np disabled missing missing   missing     missing

resolve.show     admin     ok       missing   missing     missing
resolve.show     granted   ok       ok        ok          missing
resolve.show     no-grant  ok       missing   missing     missing
resolve.show     lower     ok       ok        missing     missing
resolve.show     auditor   missing  missing   missing     missing
resolve.show     disabled  missing  missing   missing     missing

resolve.show/np  admin     ok       missing   missing     missing
resolve.show/np  granted   ok       purpose   purpose     missing
resolve.show/np  no-grant  ok       missing   missing     missing
resolve.show/np  lower     ok       purpose   missing     missing
resolve.show/np  auditor   missing  missing   missing     missing
resolve.show/np  disabled  missing  missing   missing     missing

resolve.queue    admin     found    absent    absent      absent
resolve.queue    granted   found    found     found       absent
resolve.queue    no-grant  found    absent    absent      absent
resolve.queue    lower     found    found     absent      absent
resolve.queue    auditor   absent   absent    absent      absent
resolve.queue    disabled  absent   absent    absent      absent

resolve.queue/np admin     found    absent    absent      absent
resolve.queue/np granted   found    absent    absent      absent
resolve.queue/np no-grant  found    absent    absent      absent
resolve.queue/np lower     found    absent    absent      absent
resolve.queue/np auditor   absent   absent    absent      absent
resolve.queue/np disabled  absent   absent    absent      absent
"""

#: Operations on no dataset: one outcome per persona.
ADMIN_MATRIX = """
operation       admin   granted  no-grant  lower   auditor  disabled
user.add        ok      denied   denied    denied  denied   denied
user.list       ok      denied   denied    denied  denied   denied
audit.read      denied  denied   denied    denied  ok       denied
search.reindex  ok      denied   denied    denied  denied   denied
"""

RESOURCE_COLUMNS = ("PUBLIC", "INTERNAL", "RESTRICTED", "OTHER")
REFUSED = {"missing", "denied", "purpose", "auth"}


def _rows(table: str) -> Iterator[list[str]]:
    lines = [line.split() for line in table.strip().splitlines() if line.strip()]
    yield from lines[1:]


def _parse_matrix() -> dict[tuple[str, str, str], str]:
    expected: dict[tuple[str, str, str], str] = {}
    for op, persona, *outcomes in _rows(MATRIX):
        assert len(outcomes) == len(RESOURCE_COLUMNS), (op, persona)
        for resource, outcome in zip(RESOURCE_COLUMNS, outcomes, strict=True):
            assert (op, persona, resource) not in expected, (op, persona, resource)
            expected[op, persona, resource] = outcome
    return expected


def _parse_admin_matrix() -> dict[tuple[str, str], str]:
    header = ADMIN_MATRIX.strip().splitlines()[0].split()[1:]
    expected: dict[tuple[str, str], str] = {}
    for op, *outcomes in _rows(ADMIN_MATRIX):
        for persona, outcome in zip(header, outcomes, strict=True):
            expected[op, persona] = outcome
    return expected


EXPECTED = _parse_matrix()
EXPECTED_ADMIN = _parse_admin_matrix()

# ---------------------------------------------------------------------------------------
# The world: four datasets, one entity each (plus a link), and the six personas.
# ---------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Resource:
    dataset: str
    marking: str
    grants: tuple[tuple[str, Level], ...]
    entity: str


RESOURCES = {
    "PUBLIC": Resource("ds-public", "PUBLIC", (("desk-a", Level.READ),), "ent-public"),
    "INTERNAL": Resource("ds-internal", "INTERNAL", (("desk-a", Level.WRITE),), "ent-internal"),
    "RESTRICTED": Resource(
        "ds-restricted", "RESTRICTED", (("desk-a", Level.READ),), "ent-restricted"
    ),
    "OTHER": Resource("ds-other", "INTERNAL", (("desk-b", Level.READ),), "ent-other"),
}
#: A dataset and an entity that do not exist.
GHOST = Resource("ds-ghost", "INTERNAL", (), "ent-ghost")


@dataclass(slots=True)
class World:
    store: Store
    owner: Context
    files: Path
    with_purpose: dict[str, Context]
    without_purpose: dict[str, Context]


def _entity_rows(resource: Resource) -> list[StatementRow]:
    """The resource's entity, its twin (a planted review pair) and a peer (to judge)."""
    ds = resource.dataset
    return [
        row
        for eid in (resource.entity, f"{resource.entity}-twin", f"{resource.entity}-peer")
        for row in (
            base(eid, dataset=ds),
            stmt(eid, "name", f"Person of {ds}", dataset=ds, prop_type="name"),
            stmt(eid, "nationality", "de", dataset=ds, prop_type="country"),
        )
    ]


def _plant_review_pair(store: Store, resource: Resource) -> None:
    """A scored pair awaiting review between the entity and its twin, as a run of the
    owner would leave it (the owner cannot read most datasets, so it is written here)."""
    twin = f"{resource.entity}-twin"
    with store.engine.begin() as conn:
        conn.execute(
            insert(resolve_source),
            [{"entity_id": e, "dataset": resource.dataset} for e in (resource.entity, twin)],
        )
        conn.execute(
            insert(resolve_pair).values(
                left_id=resource.entity, right_id=twin, probability=0.4, weight=-0.58,
                prior=-5.0, levels='[["name", "same name", 4.42]]', status="review",
                run_id=0, scored_at=SEEN,
            )
        )  # fmt: skip


def _add_resource(world_store: Store, owner: Context, resource: Resource, name: str) -> None:
    copy = Resource(name, resource.marking, resource.grants, resource.entity)
    add_dataset(
        world_store,
        owner,
        name,
        resource.marking,
        resource.grants,
        _entity_rows(copy),
    )


@pytest.fixture(scope="module", params=BACKENDS)
def world(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[World]:
    with module_store(request, tmp_path_factory) as store:
        owner = owner_context(store)
        make_personas(store, owner)
        for resource in RESOURCES.values():
            _add_resource(store, owner, resource, resource.dataset)
            _plant_review_pair(store, resource)
        yield World(
            store=store,
            owner=owner,
            files=tmp_path_factory.mktemp(f"files-{request.param}"),
            with_purpose={p: persona_context(store, p) for p in PERSONAS},
            without_purpose={p: persona_context(store, p, purpose=None) for p in PERSONAS},
        )


# ---------------------------------------------------------------------------------------
# Running one case.
# ---------------------------------------------------------------------------------------


def _entity_count(store: Store, name: str) -> int:
    query = select(func.count()).where(statement.c.dataset == name, statement.c.prop == BASE_PROP)
    with store.engine.connect() as conn:
        return int(conn.execute(query).scalar_one())


def _summary_outcome(store: Store, summary: datasets.DatasetSummary) -> str:
    if summary.entities is None:
        assert summary.schemata == (), "no counts by schema without a count"
        assert summary.recent_runs == (), "ingest runs count rows and name files"
        return "meta"
    assert summary.entities == _entity_count(store, summary.meta.name)
    return "count"


def _show_entity(world: World, ctx: Context, r: Resource) -> str:
    detail = show_entity(world.store, ctx, r.entity)
    assert detail.entity.id == r.entity
    return "ok"


def _show_dataset(world: World, ctx: Context, r: Resource) -> str:
    return _summary_outcome(world.store, datasets.get_dataset(world.store, ctx, r.dataset))


def _list_datasets(world: World, ctx: Context, r: Resource) -> str:
    found = [s for s in datasets.list_datasets(world.store, ctx) if s.meta.name == r.dataset]
    return _summary_outcome(world.store, found[0]) if found else "absent"


def _stats(world: World, ctx: Context, r: Resource) -> str:
    counts = statistics(world.store, ctx).counts
    return "counted" if any(c.dataset == r.dataset for c in counts) else "absent"


def _stats_dataset(world: World, ctx: Context, r: Resource) -> str:
    result = statistics(world.store, ctx, dataset=r.dataset)
    assert {c.dataset for c in result.counts} == {r.dataset}
    return "ok"


def _export_ftm(world: World, ctx: Context, r: Resource) -> str:
    buffer = io.BytesIO()
    export_ftm(world.store, ctx, buffer, datasets=[r.dataset], recipients=["matrix"])
    lines = [orjson.loads(line) for line in buffer.getvalue().splitlines()]
    assert r.entity in {e["id"] for e in lines}
    assert all(e["datasets"] == [r.dataset] for e in lines)
    return "ok"


def _export_csv(world: World, ctx: Context, r: Resource) -> str:
    buffer = io.StringIO()
    export_statements_csv(world.store, ctx, buffer, datasets=[r.dataset])
    rows = buffer.getvalue().splitlines()[1:]
    assert rows and all(f",{r.dataset}," in row for row in rows)
    return "ok"


def _export_all(world: World, ctx: Context, r: Resource) -> str:
    buffer = io.BytesIO()
    export_ftm(world.store, ctx, buffer)
    ids = {orjson.loads(line)["id"] for line in buffer.getvalue().splitlines()}
    return "contains" if r.entity in ids else "absent"


def _ingest(world: World, ctx: Context, r: Resource) -> str:
    path = world.files / f"{ctx.actor.name}-{r.dataset}.ftm.jsonl"
    entity = {"id": f"new-{ctx.actor.name}", "schema": "Person", "properties": {"name": ["N"]}}
    path.write_text(json.dumps(entity) + "\n", encoding="utf-8")
    result = ingest(world.store, ctx, path, meta=DatasetMeta(name=r.dataset, title="", marking=""))
    assert result.ingested == 1
    return "ok"


def _correct(world: World, ctx: Context, r: Resource) -> str:
    target = f"notes-{ctx.actor.name}-{r.dataset}{'' if ctx.purpose else '-np'}"
    row = add_correction(
        world.store,
        ctx,
        entity_id=r.entity,
        prop="birthDate",
        value="1970-01-02",
        dataset=target,
        marking=r.marking,
    )
    assert (row.dataset, row.entity_id) == (target, r.entity)
    return "ok"


def _delete(world: World, ctx: Context, r: Resource) -> str:
    # A disposable twin with the resource's marking and grants: the world stays whole.
    name = r.dataset
    if r is not GHOST:
        name = f"{r.dataset}-del-{ctx.actor.name}"
        _add_resource(world.store, world.owner, r, name)
    removed = datasets.delete_dataset(world.store, ctx, name)
    assert removed == len(_entity_rows(r))
    return "ok"


def _grant(world: World, ctx: Context, r: Resource) -> str:
    # desk-z has no members: the grant changes no other case.
    datasets.grant_dataset(world.store, ctx, r.dataset, group="desk-z", level=Level.READ)
    with world.store.engine.connect() as conn:
        ref = dataset_ref(conn, r.dataset)
    assert ref is not None and ("desk-z", Level.READ) in ref.grants
    return "ok"


def _search(world: World, ctx: Context, r: Resource) -> str:
    """Every entity is named "Person of <dataset>": search them all, and see whether
    the resource's entity is among the hits, and its dataset among the facets."""
    result = search(world.store, ctx, "person", limit=1000)
    assert result.total == len(result.hits)
    hits = {hit.entity_id: hit for hit in result.hits}
    faceted = dict(result.facets["dataset"])
    if r.entity not in hits:
        assert r.dataset not in faceted
        assert all(r.dataset not in hit.datasets for hit in result.hits)
        return "absent"
    # Found through the resource's own dataset, which the facets count.
    assert r.dataset in hits[r.entity].datasets
    assert faceted[r.dataset] >= 1
    assert hits[r.entity].caption == f"Person of {r.dataset}"
    return "found"


def _resolve(world: World, ctx: Context, r: Resource) -> str:
    # A disposable twin dataset with its own entities: the planted pairs stay as they are.
    name = r.dataset
    if r is not GHOST:
        name = f"{r.dataset}-rs-{ctx.actor.name}{'' if ctx.purpose else '-np'}"
        rows = [  # named so that no search of the other cases finds them
            row
            for n in range(3)
            for row in (
                base(f"ent-{name}-{n}", dataset=name),
                stmt(f"ent-{name}-{n}", "name", "Kim Lee", dataset=name, prop_type="name"),
            )
        ]
        add_dataset(world.store, world.owner, name, r.marking, r.grants, rows)
    summary = resolve(world.store, ctx, datasets=[name])
    assert (summary.datasets, summary.records) == ((name,), 3)
    return "ok"


def _judge(world: World, ctx: Context, r: Resource) -> str:
    result = judge(world.store, ctx, r.entity, f"{r.entity}-peer", "no")
    assert (result.verdict, result.together) == ("negative", False)
    return "ok"


def _undo(world: World, ctx: Context, r: Resource) -> str:
    assert undo(world.store, ctx, r.entity).detached_from == ()
    return "ok"


def _explain(world: World, ctx: Context, r: Resource) -> str:
    why = explain_pair(world.store, ctx, r.entity, f"{r.entity}-twin")
    assert (why.probability, why.status, why.left.entity_id) == (0.4, "review", r.entity)
    assert why.levels[0].level == "same name"
    return "ok"


def _show_canonical(world: World, ctx: Context, r: Resource) -> str:
    found = canonical(world.store, ctx, r.entity)
    assert [m.entity_id for m in found.members] == [r.entity]
    return "ok"


def _queue(world: World, ctx: Context, r: Resource) -> str:
    items = review_queue(world.store, ctx, limit=1000)
    pairs = {(i.left, i.right) for i in items}
    assert all(i.left_caption.startswith("Person of ds-") for i in items)
    return "found" if (r.entity, f"{r.entity}-twin") in pairs else "absent"


Runner = Callable[[World, Context, Resource], str]
RUNNERS: dict[str, Runner] = {
    "entity.show": _show_entity,
    "dataset.show": _show_dataset,
    "datasets.list": _list_datasets,
    "stats": _stats,
    "stats.dataset": _stats_dataset,
    "export.ftm": _export_ftm,
    "export.csv": _export_csv,
    "export.all": _export_all,
    "ingest": _ingest,
    "correct": _correct,
    "dataset.delete": _delete,
    "dataset.grant": _grant,
    "search": _search,
    "resolve": _resolve,
    "resolve.judge": _judge,
    "resolve.undo": _undo,
    "resolve.explain": _explain,
    "resolve.show": _show_canonical,
    "resolve.queue": _queue,
}


def outcome_of(call: Callable[[], str]) -> tuple[str, CasegraphError | None]:
    try:
        return call(), None
    except NotFoundError as exc:
        return "missing", exc
    except PurposeRequiredError as exc:
        return "purpose", exc
    except AccessDeniedError as exc:
        return "denied", exc
    except AuthenticationError as exc:
        return "auth", exc


NAMES = re.compile(r"\b(?:ds|ent|notes)-[a-z0-9-]+")


def _normalised(message: str) -> str:
    """The message with dataset and entity names blanked out."""
    return NAMES.sub("X", message)


def _check_audit(world: World, user: str, before: int, outcome: str) -> None:
    events = events_since(world.store, before, user)
    decisions = [decision for _, decision, _ in events]
    if outcome in REFUSED:
        assert "deny" in decisions, f"a refused call left no deny event: {events}"
        assert decisions[-1] == "deny", events
    else:
        assert "deny" not in decisions, events


CASES = sorted(EXPECTED)


@pytest.mark.parametrize(("op", "persona", "column"), CASES, ids=["-".join(case) for case in CASES])
def test_matrix(world: World, op: str, persona: str, column: str) -> None:
    expected = EXPECTED[op, persona, column]
    name, _, variant = op.partition("/")
    contexts = world.without_purpose if variant == "np" else world.with_purpose
    ctx = contexts[persona]
    resource = RESOURCES[column]
    runner = RUNNERS[name]
    before = audit_size(world.store)

    actual, error = outcome_of(lambda: runner(world, ctx, resource))

    assert actual == expected, f"{op} by {persona} on {column}: {actual} ({error})"
    _check_audit(world, USER[persona], before, actual)
    readable = EXPECTED["entity.show", persona, column] == "ok"
    if actual in REFUSED and not readable and name != "ingest":
        # What the actor may not read answers exactly as what does not exist. (Not for
        # ingest: writing into a dataset that does not exist creates it.)
        ghost, ghost_error = outcome_of(lambda: runner(world, ctx, GHOST))
        assert error is not None and ghost_error is not None
        assert (ghost, _normalised(ghost_error.message)) == (actual, _normalised(error.message))


def _user_add(world: World, ctx: Context) -> str:
    identity.add_user(
        world.store,
        ctx,
        name=f"new-by-{ctx.actor.name}",
        roles=parse_roles("analyst"),
        groups=("desk-a",),
        clearance="RESTRICTED",
    )
    return "ok"


def _user_list(world: World, ctx: Context) -> str:
    users = identity.list_users(world.store, ctx)
    assert USER[GRANTED] in {u.name for u in users}
    return "ok"


def _audit_read(world: World, ctx: Context) -> str:
    audit_read.authorize(world.store, ctx, operation="audit.read")
    return "ok"


def _reindex(world: World, ctx: Context) -> str:
    written = reindex(world.store, ctx)
    assert written == indexed_documents(world.store) > 0
    return "ok"


ADMIN_RUNNERS: dict[str, Callable[[World, Context], str]] = {
    "user.add": _user_add,
    "user.list": _user_list,
    "audit.read": _audit_read,
    "search.reindex": _reindex,
}
ADMIN_CASES = sorted(EXPECTED_ADMIN)


@pytest.mark.parametrize(("op", "persona"), ADMIN_CASES, ids=["-".join(c) for c in ADMIN_CASES])
def test_admin_matrix(world: World, op: str, persona: str) -> None:
    ctx = world.with_purpose[persona]
    before = audit_size(world.store)
    actual, error = outcome_of(lambda: ADMIN_RUNNERS[op](world, ctx))
    assert actual == EXPECTED_ADMIN[op, persona], f"{op} by {persona}: {actual} ({error})"
    if actual in REFUSED:
        _check_audit(world, USER[persona], before, actual)
    elif op == "audit.read":
        # The gate alone records nothing on success: the reading service does.
        assert world.store.policy.decide(ctx, Operation.READ_AUDIT).allowed
    else:
        _check_audit(world, USER[persona], before, actual)


def test_the_tables_cover_every_operation_persona_and_resource() -> None:
    ops = {op for op, _, _ in EXPECTED}
    assert {op.partition("/")[0] for op in ops} == set(RUNNERS)
    for op in ops:
        for persona in PERSONAS:
            for column in RESOURCE_COLUMNS:
                assert (op, persona, column) in EXPECTED
    assert {(op, p) for op in ADMIN_RUNNERS for p in PERSONAS} == set(EXPECTED_ADMIN)


def test_a_disabled_user_cannot_log_in_and_the_policy_refuses_their_context(
    world: World,
) -> None:
    store = world.store
    user = USER[DISABLED]
    before = audit_size(store)
    with pytest.raises(AuthenticationError, match="disabled"):
        authentication.login(store, user, PASSWORD)
    assert ("login", "deny", "active") in events_since(store, before, user)
    ctx = world.with_purpose[DISABLED]
    assert not ctx.actor.active
    with store.engine.connect() as conn:
        refs = [dataset_ref(conn, r.dataset) for r in RESOURCES.values()]
    for ref in refs:
        assert ref is not None
        for op in (Operation.READ, Operation.WRITE, Operation.EXPORT):
            decision = store.policy.decide(ctx, op, ref)
            assert (decision.allowed, decision.rule) == (False, "active")
    for op in (Operation.MANAGE_USERS, Operation.MANAGE_DATASETS, Operation.ERASE):
        assert not store.policy.decide(ctx, op).allowed
    assert store.policy.read_scope(ctx).empty


def test_the_other_personas_log_in(world: World) -> None:
    """The matrix's personas are real accounts, not contexts made up by the test."""
    for persona in (ADMIN, GRANTED, NO_GRANT, LOWER, AUDITOR):
        actor = authentication.login(world.store, USER[persona], PASSWORD)
        assert actor == world.with_purpose[persona].actor


@pytest.mark.parametrize("persona", [AUDITOR, DISABLED])
@pytest.mark.parametrize("purpose", [True, False], ids=["purpose", "no-purpose"])
def test_a_search_gives_an_auditor_and_a_disabled_account_nothing(
    world: World, persona: str, purpose: bool
) -> None:
    """Their read scope is empty: a search runs (and is recorded as allowed, like a
    listing), but matches, counts and facets nothing, whatever it asks for."""
    contexts = world.with_purpose if purpose else world.without_purpose
    ctx = contexts[persona]
    assert world.store.policy.read_scope(ctx).empty
    for query in ("person", "person OR ent*", "schema:Thing", "country:de", "marking:PUBLIC"):
        before = audit_size(world.store)
        result = search(world.store, ctx, query)
        assert (result.total, result.hits) == (0, []), query
        assert result.facets == {"schema": [], "country": [], "dataset": [], "marking": []}
        assert events_since(world.store, before, USER[persona]) == [("search", "allow", "scope")]
    # The same queries find the PUBLIC entity for an analyst without any grant.
    found = search(world.store, world.with_purpose[NO_GRANT], "country:de")
    assert RESOURCES["PUBLIC"].entity in {hit.entity_id for hit in found.hits}
