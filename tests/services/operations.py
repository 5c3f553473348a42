"""Every service operation, as a call on a `World`: the catalogue the fail-closed and
one-event tests run through. Each runs as the persona that is allowed to do it (or,
for the `*.refused` ones, one that is refused), with the world's purpose.

They are in an order in which all can run one after another on one world, each finding
what it needs: reads first, and last the writes that change what the others see."""

from __future__ import annotations

import io
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from casegraph.model.dataset import DatasetMeta
from casegraph.security.actor import parse_roles
from casegraph.security.policy import Level
from casegraph.services import audit_reports, audit_verify
from casegraph.services.authentication import authenticate_token, create_token, login, revoke_token
from casegraph.services.corrections import add_correction
from casegraph.services.datasets import (
    delete_dataset,
    get_dataset,
    grant_dataset,
    list_datasets,
    register_dataset,
    revoke_dataset,
    set_marking,
)
from casegraph.services.entities import show_entity
from casegraph.services.export import export_ftm, export_statements_csv
from casegraph.services.identity import add_user, disable_user, grant_user, list_users
from casegraph.services.ingest import ingest
from casegraph.services.resolve import (
    canonical,
    cluster_labels,
    explain_pair,
    judge,
    resolve,
    review_queue,
    undo,
)
from casegraph.services.search import search
from casegraph.services.search_index import reindex
from casegraph.services.stats import statistics
from tests.services.audit_support import ANALYST, ANALYST_PASSWORD, World, people, write_ftm

RECIPIENT = "Prosecutor X"
CORRECTION = "Ivan the Corrected"
#: Matches Ivan Petrov (PUBLIC `registry`) and Hidden Source (RESTRICTED `secret`, out of
#: the analyst's reach): the search's event must name the first only.
SEARCH = 'ivan OR "hidden source"'


@dataclass(slots=True)
class Outputs:
    """Where exports write: nothing must reach them when an operation fails."""

    binary: io.BytesIO = field(default_factory=io.BytesIO)
    text: io.StringIO = field(default_factory=io.StringIO)

    @property
    def empty(self) -> bool:
        return not self.binary.getvalue() and not self.text.getvalue()


@dataclass(frozen=True, slots=True)
class Op:
    name: str
    run: Callable[[World, Outputs], Any]
    kind: str  # "write", "read" or "auth"


def _meta(name: str) -> DatasetMeta:
    return DatasetMeta(name=name, title="", marking="")


def _ingest_new(w: World, _: Outputs) -> Any:
    path = write_ftm(w.files / "fresh.ftm.json", people("f", 3))
    return ingest(w.store, w.owner, path, meta=_meta("fresh"))


def _ingest_existing(w: World, _: Outputs) -> Any:
    path = write_ftm(w.files / "more.ftm.json", people("m", 2))
    return ingest(w.store, w.owner, path, meta=_meta("registry"))


OPS: tuple[Op, ...] = (
    Op("user.list", lambda w, _: list_users(w.store, w.owner), "read"),
    Op("login", lambda w, _: login(w.store, ANALYST, ANALYST_PASSWORD), "auth"),
    Op("login.refused", lambda w, _: login(w.store, ANALYST, "not-the-password"), "auth"),
    Op("token.use", lambda w, _: authenticate_token(w.store, w.token), "auth"),
    Op("token.use.refused", lambda w, _: authenticate_token(w.store, w.token + "x"), "auth"),
    Op("entity.show", lambda w, _: show_entity(w.store, w.analyst, w.entity_id), "read"),
    Op("entity.show.refused", lambda w, _: show_entity(w.store, w.analyst, w.secret_id), "read"),
    Op("dataset.show", lambda w, _: get_dataset(w.store, w.analyst, "registry"), "read"),
    Op("dataset.list", lambda w, _: list_datasets(w.store, w.analyst), "read"),
    Op("stats", lambda w, _: statistics(w.store, w.analyst), "read"),
    Op("search", lambda w, _: search(w.store, w.analyst, SEARCH), "read"),
    # An auditor may search, and finds nothing: the read scope of an auditor is empty.
    Op("search.auditor", lambda w, _: search(w.store, w.auditor, SEARCH), "read"),
    Op(
        "export.ftm",
        lambda w, out: export_ftm(w.store, w.analyst, out.binary, recipients=(RECIPIENT,)),
        "read",
    ),
    Op(
        "export.statements",
        lambda w, out: export_statements_csv(w.store, w.analyst, out.text, recipients=(RECIPIENT,)),
        "read",
    ),
    Op("resolve.queue", lambda w, _: review_queue(w.store, w.analyst), "read"),
    Op(
        "resolve.explain",
        lambda w, _: explain_pair(w.store, w.analyst, w.company_id, w.twin_id),
        "read",
    ),
    Op("resolve.show", lambda w, _: canonical(w.store, w.analyst, w.company_id), "read"),
    # Acme and its twin, and `secret`'s entity, out of the analyst's reach: left out.
    Op(
        "resolve.labels",
        lambda w, _: cluster_labels(w.store, w.analyst, [w.company_id, w.twin_id, w.secret_id]),
        "read",
    ),
    Op("audit.verify", lambda w, _: audit_verify.verify_log(w.store, w.auditor), "read"),
    Op("audit.proof", lambda w, _: audit_reports.inclusion_proof(w.store, w.auditor, 0), "read"),
    Op(
        "audit.checkpoint", lambda w, _: audit_reports.export_checkpoint(w.store, w.auditor), "read"
    ),
    Op(
        "audit.who-accessed",
        lambda w, _: audit_reports.who_accessed(w.store, w.auditor, w.entity_id),
        "read",
    ),
    Op("audit.activity", lambda w, _: audit_reports.activity(w.store, w.auditor, ANALYST), "read"),
    # Rebuilds the index (a write of the search tables), changing what no one sees.
    Op("search.reindex", lambda w, _: reindex(w.store, w.owner), "write"),
    Op("ingest.new", _ingest_new, "write"),
    Op("ingest.existing", _ingest_existing, "write"),
    Op(
        "entity.correct",
        lambda w, _: add_correction(
            w.store,
            w.analyst,
            entity_id=w.entity_id,
            prop="alias",
            value=CORRECTION,
            dataset="ana-notes",
        ),
        "write",
    ),
    Op("resolve", lambda w, _: resolve(w.store, w.analyst), "write"),
    Op(
        "resolve.judge",
        lambda w, _: judge(w.store, w.analyst, w.company_id, w.twin_id, "yes"),
        "write",
    ),
    Op("resolve.undo", lambda w, _: undo(w.store, w.analyst, w.company_id), "write"),
    Op(
        "dataset.register",
        lambda w, _: register_dataset(
            w.store, w.owner, DatasetMeta(name="newset", title="New", marking="INTERNAL")
        ),
        "write",
    ),
    Op(
        "dataset.grant",
        lambda w, _: grant_dataset(w.store, w.owner, "spare", group="analysts", level=Level.READ),
        "write",
    ),
    Op(
        "dataset.revoke",
        lambda w, _: revoke_dataset(w.store, w.owner, "spare", group="owners"),
        "write",
    ),
    Op("dataset.mark", lambda w, _: set_marking(w.store, w.owner, "spare", "RESTRICTED"), "write"),
    Op(
        "user.add",
        lambda w, _: add_user(
            w.store,
            w.owner,
            name="newbie",
            roles=parse_roles("analyst"),
            groups=("owners",),
            password="newbie-password-1",
        ),
        "write",
    ),
    Op("token.create", lambda w, _: create_token(w.store, w.analyst, label="new"), "write"),
    Op("token.revoke", lambda w, _: revoke_token(w.store, w.analyst, w.spare_token_id), "write"),
    Op(
        "user.grant",
        lambda w, _: grant_user(
            w.store, w.owner, ANALYST, add_groups=("extra",), clearance="RESTRICTED"
        ),
        "write",
    ),
    Op("dataset.delete", lambda w, _: delete_dataset(w.store, w.owner, "registry"), "write"),
    Op("user.disable", lambda w, _: disable_user(w.store, w.owner, ANALYST), "write"),
)

OPS_BY_NAME = {op.name: op for op in OPS}
WRITE_OPS = tuple(op for op in OPS if op.kind == "write")
