"""Search benchmark at scale: query latency on SQLite (FTS5) and PostgreSQL, side by side.

One run generates demo-like data (people, companies and documents, with the demo's
name pools, scripts and transliteration variants; seeded), then, for each backend in
its own subprocess:

- loads the statements with the store's bulk writer (`casegraph.store.bulk`, the
  writer `casegraph ingest` uses) into datasets registered through the services, in
  large transactions and without indexing (an ingest of 1,000,000 entities would take
  about an hour here);
- builds the search index with the governed `reindex` service (what `casegraph
  reindex` runs), timed, and measures the index's size;
- runs the same seeded queries (name, name in another script, phrase, boolean,
  filtered, faceted) through the governed `services.search.search`, audit write
  included, and records each call's latency.

Wall time of each subprocess and its peak RSS (from wait4) are recorded. The result
goes into BENCHMARKS.md between markers.

    python benchmarks/search.py [--entities 1000000] [--workdir .bench]
                                [--backends sqlite,postgresql]
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import pickle
import random
import re
import shutil
import signal
import sqlite3
import statistics
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import psycopg

from casegraph.demo import names as N
from casegraph.demo.entities import (
    Company,
    CompanyFactory,
    Person,
    english_date,
    extra_person,
    random_date,
)
from casegraph.demo.leak import leak_name
from casegraph.demo.variants import BGN, GERMAN, ICAO, fold_ascii
from casegraph.errors import CasegraphError
from casegraph.model.dataset import DatasetMeta
from casegraph.model.origin import Origin
from casegraph.model.statement import BASE_PROP, StatementRow, make_statement_id
from casegraph.search.index import FACETS
from casegraph.security.context import Context
from casegraph.security.policy import Level
from casegraph.security.purpose import parse_purpose
from casegraph.services.datasets import grant_dataset, register_dataset
from casegraph.services.identity import create_owner, load_actor
from casegraph.services.search import search
from casegraph.services.search_index import indexed_documents, reindex
from casegraph.services.store import init_store
from casegraph.settings import load_settings
from casegraph.store.bulk import upsert_statements

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from benchmarks.report import update_section  # noqa: E402

MARK_START = "<!-- search-scale-benchmark:start -->"
MARK_END = "<!-- search-scale-benchmark:end -->"
DATA_VERSION = 1
SEED = 7
SEEN = "2026-01-01T00:00:00"
PURPOSE = "case:BENCH-SEARCH"
OWNER = "bench"
OWNER_GROUP = "owners"
OWNER_PASSWORD = "bench-password-1"
PG_ADMIN = os.environ.get(
    "CASEGRAPH_BENCH_PG",
    os.environ.get("CASEGRAPH_TEST_PG", "postgresql://postgres@127.0.0.1:5432/postgres"),
)
# Statements per pickled batch, and per load transaction.
BATCH = 50_000
TXN = 500_000
WARMUP = 20
TARGET_MS = 50.0

# dataset -> marking; registry: companies and their officers; leak: people as a leak
# spells them; press: articles and memos.
DATASETS = {"registry": "PUBLIC", "leak": "RESTRICTED", "press": "INTERNAL"}
JURISDICTIONS = (
    ("gb", 22),
    ("cy", 16),
    ("vg", 12),
    ("ae", 10),
    ("de", 10),
    ("ru", 12),
    ("pa", 8),
    ("mt", 6),
    ("sc", 4),
)
MAIL = ("mail.example", "post.example", "inbox.example", "secure-mail.example")
JUR_EN = {
    "vg": "the British Virgin Islands",
    "sc": "the Seychelles",
    "pa": "Panama",
    "cy": "Cyprus",
    "mt": "Malta",
    "ae": "the UAE",
    "gb": "the UK",
    "de": "Germany",
    "ru": "Russia",
}
JUR_RU = {
    "vg": "Британских Виргинских островах",
    "sc": "Сейшельских островах",
    "pa": "Панаме",
    "cy": "Кипре",
    "mt": "Мальте",
    "ae": "ОАЭ",
    "gb": "Великобритании",
    "de": "Германии",
    "ru": "России",
}

# The query classes, in table order: (key, label, facets on).
CLASSES = (
    ("name", 'name (as typed, `name:"…"`)', False),
    ("script", "name in another script / transliteration", False),
    ("phrase", 'phrase (`"…"` from document text)', False),
    ("boolean", "boolean (`a OR b`, `a NOT b`, `(a OR b) c`)", False),
    ("filtered", "filtered (`schema:` `country:` `birthDate:a..b`)", False),
    ("faceted", "faceted (broad terms, facets on)", True),
    ("name_facets", "name, with facets (the CLI default)", True),
)


# --- data -----------------------------------------------------------------------------


def _id(kind: str, i: int) -> str:
    return hashlib.sha1(f"bench:{kind}:{i}".encode()).hexdigest()


class _Rows:
    """The statements of one entity, made the way ingest makes them."""

    def __init__(self, entity_id: str, schema: str, dataset: str, row: int) -> None:
        self.entity_id = entity_id
        self.schema = schema
        self.dataset = dataset
        self.origin = Origin(file=f"{dataset}.csv", row=row, line=row + 1).render()
        self.rows: list[StatementRow] = []
        self.add(BASE_PROP, "id", entity_id)

    def add(self, prop: str, prop_type: str, value: str | None) -> None:
        if not value:
            return
        self.rows.append(
            StatementRow(
                id=make_statement_id(
                    dataset=self.dataset, entity_id=self.entity_id, prop=prop, value=value
                ),
                entity_id=self.entity_id,
                schema=self.schema,
                prop=prop,
                prop_type=prop_type,
                value=value,
                original_value=None,
                lang=None,
                dataset=self.dataset,
                origin=self.origin,
            )
        )


@dataclass
class Sample:
    """What queries are drawn from: some of the loaded entities, as loaded."""

    persons: list[dict[str, Any]] = field(default_factory=list)
    companies: list[dict[str, Any]] = field(default_factory=list)
    documents: list[str] = field(default_factory=list)


def _email(p: Person, rng: random.Random) -> str:
    local = fold_ascii(p.name.latin(ICAO, middle=False)).lower()
    local = "".join(ch for ch in local.replace(" ", ".") if ch.isalnum() or ch in ".-")
    return f"{local}{rng.randint(1, 99)}@{rng.choice(MAIL)}"


def _person(i: int, rng: random.Random) -> tuple[_Rows, Person, list[str]]:
    p = extra_person(SEED, i)
    leak = rng.random() < 0.4
    dataset = "leak" if leak else "registry"
    e = _Rows(_id("person", i), "Person", dataset, i)
    names: list[str] = []
    if leak:  # as the provider's clerks spelled it: native script, passport style...
        names.append(leak_name(p, rng))
        if rng.random() < 0.3:
            names.append(p.name.latin(BGN))
    else:
        names.append(p.name.latin(BGN, middle=rng.random() < 0.5))
        if rng.random() < 0.25:
            names.append(p.name.native() or p.name.latin(1))
    for name in dict.fromkeys(names):
        e.add("name", "name", name)
    birth = p.birth.isoformat() if rng.random() < 0.9 else str(p.birth.year)
    e.add("birthDate", "date", birth)
    e.add("nationality", "country", p.nat)
    if leak or rng.random() < 0.3:
        e.add("email", "email", _email(p, rng))
    if leak and rng.random() < 0.5:
        e.add("passportNumber", "identifier", f"{rng.randint(10, 99)} {rng.randint(10**6, 10**7)}")
    return e, p, names


def _company(i: int, factory: CompanyFactory, rng: random.Random) -> tuple[_Rows, Company]:
    jur = rng.choices([j for j, _ in JURISDICTIONS], [w for _, w in JURISDICTIONS])[0]
    r = rng.random()
    kind = "operating" if r < 0.7 else "shell" if r < 0.95 else "nominee"
    c = factory.make(kind, jur, date(1995, 1, 1), date(2024, 12, 31))  # type: ignore[arg-type]
    factory.companies.clear()  # only uniqueness of names is needed, not the list
    e = _Rows(_id("company", i), "Company", "registry", i)
    e.add("name", "name", c.name("registry"))
    if rng.random() < 0.3:
        e.add("name", "name", c.name("short" if c.core_native is None else "prefix"))
    e.add("jurisdiction", "country", jur)
    e.add("registrationNumber", "identifier", c.number)
    e.add("incorporationDate", "date", c.inc.isoformat())
    e.add("address", "address", c.address)
    e.add("status", "string", c.status)
    return e, c


def _body(rng: random.Random, p: Person, c: Company, other: Company, day: date) -> tuple[str, str]:
    """A memo or news snippet naming names, as the demo's documents do."""
    bo = p.name.latin(GERMAN if rng.random() < 0.5 else ICAO, middle=False)
    kind = rng.choice(("news", "memo", "native", "sanctions", "news"))
    if kind == "native" and p.name.origin == "slavic":
        return "Расследование: офшорная сеть", (
            f"По данным журналистов, {p.name.native()} является конечным владельцем компании "
            f"{other.name('short')}, зарегистрированной на {JUR_RU[other.jur]}. "
            f"Через неё контролируется {c.name()}."
        )
    if kind == "memo":
        return f"Compliance memo: payments from {c.name('plain')}", (
            f"INTERNAL MEMO - {day:%Y-%m-%d}\nSubject: {c.name('short')}\n\n"
            f"Since {day.year - rng.randint(1, 5)} the client transferred round amounts "
            f"described as consultancy fees to {other.name('swift')} ({JUR_EN[other.jur]}). "
            f"Source-of-wealth documents name {bo} as the person behind "
            f"{other.name('short')}. Recommend enhanced due diligence and an SAR review."
        )
    if kind == "sanctions":
        alias = p.name.native() or p.name.latin(2, middle=False)
        return f"Designation notice: {bo}", (
            f"On {english_date(day)} the authority designated {p.name.latin(0)} (also known "
            f"as {alias}) and {other.name()} for evading trade restrictions through companies "
            f"including {c.name('short')}."
        )
    return f"Who really owns {c.name('plain')}?", (
        f"{english_date(day)}. {c.name('short')}, registered in {JUR_EN[c.jur]}, is held "
        f"through {rng.randint(1, 4)} offshore layer(s) ending at {other.name('short')} in "
        f"{JUR_EN[other.jur]}.\n\nDocuments reviewed by this newsletter indicate that the "
        f"ultimate owner is {bo}, a {N.DEMONYMS.get(p.nat, 'foreign')} businessman. Registry "
        f"filings show only nominee directors. {bo.split()[-1]} did not reply to questions."
    )


def generate(entities: int, out: Path) -> tuple[Sample, int]:
    """Write the statements of `entities` entities as pickled batches; returns a sample
    of them (for the queries) and the number of statements."""
    rng = random.Random(f"search-bench:{SEED}")
    factory = CompanyFactory(random.Random(f"search-bench:{SEED}:companies"))
    sample = Sample()
    every = max(1, entities // 20_000)
    recent_p: list[Person] = []
    recent_c: list[Company] = []
    batch: list[StatementRow] = []
    total = 0
    with out.open("wb") as fh:
        for i in range(entities):
            slot = i % 20
            keep = i % every == 0
            if slot == 0 and recent_p and len(recent_c) > 1:  # 5% documents
                e = _Rows(_id("document", i), "PlainText", "press", i)
                day = random_date(rng, date(2019, 1, 1), date(2025, 6, 30))
                c, other = rng.sample(recent_c, 2)
                title, body = _body(rng, rng.choice(recent_p), c, other, day)
                e.add("title", "string", title)
                e.add("bodyText", "text", body)
                e.add("date", "date", day.isoformat())
                e.add("publisher", "string", "The Demo Ledger (fictional)")
                if keep:
                    sample.documents.append(body)
            elif slot < 9:  # 40% companies
                e, company = _company(i, factory, rng)
                recent_c = [*recent_c[-49:], company]
                if keep:
                    sample.companies.append(
                        {"core": company.core, "jur": company.jur, "name": company.name()}
                    )
            else:  # 55% people
                e, person, names = _person(i, rng)
                recent_p = [*recent_p[-49:], person]
                if keep:
                    sample.persons.append(_person_sample(person, names))
            batch.extend(e.rows)
            if len(batch) >= BATCH:
                pickle.dump(batch, fh, protocol=pickle.HIGHEST_PROTOCOL)
                total += len(batch)
                batch = []
        if batch:
            pickle.dump(batch, fh, protocol=pickle.HIGHEST_PROTOCOL)
            total += len(batch)
    return sample, total


def _person_sample(p: Person, names: list[str]) -> dict[str, Any]:
    first, _, last = p.name.latin_parts(BGN)
    native = p.name.native(middle=False)
    variants = {p.name.latin(s, middle=False) for s in (ICAO, GERMAN)} - {f"{first} {last}"}
    return {
        "origin": p.name.origin,
        "first": first,
        "last": last,
        "native": native,
        "variants": sorted(variants),
        "stored": names,
        "nat": p.nat,
        "year": p.birth.year,
    }


def read_batches(path: Path) -> Iterator[list[StatementRow]]:
    with path.open("rb") as fh:
        while True:
            try:
                yield pickle.load(fh)
            except EOFError:
                return


# --- queries --------------------------------------------------------------------------

WORD = re.compile(r"[^\W_]+(?:[-'][^\W_]+)*")


def words(text: str) -> list[str]:
    """Words as a user would type them: lower case, no query syntax."""
    return [w for w in WORD.findall(text.casefold()) if w not in {"and", "or", "not"}]


def typed(name: str) -> str:
    return " ".join(words(name))


def make_queries(sample: Sample, per_class: int) -> dict[str, list[str]]:
    rng = random.Random(f"search-bench:{SEED}:queries")
    persons, companies, docs = sample.persons, sample.companies, sample.documents

    def surname() -> str:
        return typed(rng.choice(persons)["last"])

    def company_word() -> str:
        return rng.choice(words(rng.choice(companies)["core"]) or ["trading"])

    def name() -> str:
        r = rng.random()
        if r < 0.3:
            p = rng.choice(persons)
            return typed(rng.choice(p["stored"])) if rng.random() < 0.5 else typed(p["last"])
        if r < 0.55:
            p = rng.choice(persons)
            return typed(f"{p['first']} {p['last']}")
        if r < 0.8:
            p = rng.choice(persons)
            full = typed(f"{p['first']} {p['last']}")
            return f'name:"{full}"'
        return typed(rng.choice(companies)["core"])

    def script() -> str:
        natives = [p for p in persons if p["native"]]
        p = rng.choice(natives if rng.random() < 0.6 else persons)
        if p["native"] and rng.random() < 0.7:
            parts = p["native"].split()
            return typed(p["native"] if rng.random() < 0.5 else parts[-1])
        options = p["variants"] or [f"{p['first']} {p['last']}"]
        return typed(rng.choice(options))

    def phrase() -> str:
        body = words(rng.choice(docs))
        size = rng.choice((2, 2, 3, 4))
        start = rng.randrange(max(1, len(body) - size))
        return '"' + " ".join(body[start : start + size]) + '"'

    def boolean() -> str:
        r = rng.random()
        if r < 0.4:
            return f"{surname()} OR {surname()}"
        p = rng.choice(persons)
        if r < 0.7:
            return f"{typed(p['first'])} NOT {surname()}"
        return f"({surname()} OR {surname()}) {typed(p['first'])}"

    def filtered() -> str:
        r = rng.random()
        if r < 0.35:
            c = rng.choice(companies)
            word = rng.choice(words(c["core"]) or ["trading"])
            return f"{word} schema:Company country:{c['jur']}"
        p = rng.choice(persons)
        if r < 0.7:
            low = p["year"] - rng.randint(0, 5)
            return f"birthDate:{low}..{low + 10} {typed(p['last'])}"
        return f"{typed(p['last'])} country:{p['nat']}"

    def faceted() -> str:
        r = rng.random()
        if r < 0.35:
            return typed(rng.choice(persons)["first"])
        if r < 0.7:
            return company_word()
        return f"{surname()} schema:Person"

    makers = {
        "name": name,
        "script": script,
        "phrase": phrase,
        "boolean": boolean,
        "filtered": filtered,
        "faceted": faceted,
    }
    queries = {key: [make() for _ in range(per_class)] for key, make in makers.items()}
    queries["name_facets"] = list(queries["name"])
    queries["warmup"] = [makers[rng.choice(list(makers))]() for _ in range(WARMUP)]
    return queries


# --- one backend, in its own process ----------------------------------------------------


class LogProgress:
    """Progress of the reindex on stderr, every tenth of the way."""

    def __init__(self, label: str) -> None:
        self.label = label
        self.total = 0
        self.done = 0
        self.next = 0
        self.started = time.perf_counter()

    def start(self, *, description: str, total: int | None) -> None:
        self.total = total or 0
        self.next = max(1, self.total // 10)
        self.started = time.perf_counter()

    def advance(self, rows: int) -> None:
        self.done += rows
        if self.done >= self.next:
            self.next += max(1, self.total // 10)
            elapsed = time.perf_counter() - self.started
            print(
                f"[{self.label}] reindex {self.done:,}/{self.total:,} "
                f"({self.done / elapsed:,.0f} docs/s)",
                file=sys.stderr,
                flush=True,
            )

    def finish(self) -> None:
        return None


def _settings(backend: str, work: Path, database_url: str | None) -> Any:

    data_dir = work / f"search-store-{backend}"
    shutil.rmtree(data_dir, ignore_errors=True)
    url = database_url or f"sqlite:///{data_dir}/cg.sqlite"
    return load_settings(data_dir=data_dir, database_url=url)


def _owner_context(store: Any) -> Any:

    with store.engine.connect() as conn:
        actor = load_actor(conn, OWNER)
    return Context(actor=actor, purpose=parse_purpose(PURPOSE))


def _sqlite_sizes(store: Any) -> dict[str, int]:
    """Bytes per table or index of the search index (dbstat), and the file size."""

    path = Path(store.engine.url.database)
    conn = sqlite3.connect(path, isolation_level=None)
    try:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        names = [
            r[0]
            for r in conn.execute(
                "SELECT name FROM sqlite_schema WHERE tbl_name LIKE 'search%' "
                "AND type IN ('table', 'index')"
            )
        ]
        sizes = {
            str(r[0]): int(r[1])
            for r in conn.execute("SELECT name, pgsize FROM dbstat WHERE aggregate = TRUE")
        }
    finally:
        conn.close()
    return {
        "index": sum(sizes.get(n, 0) for n in names),
        "file": path.stat().st_size,
        **{f"table:{n}": sizes.get(n, 0) for n in names},
    }


def _pg_sizes(store: Any) -> dict[str, int]:
    with store.engine.connect() as conn:
        parts = {
            name: int(conn.exec_driver_sql(f"SELECT pg_total_relation_size('{name}')").scalar_one())
            for name in ("search_doc", "search_country", "search_word")
        }
        gin = conn.exec_driver_sql("SELECT pg_relation_size('ix_search_doc_tsv')").scalar_one()
        database = conn.exec_driver_sql("SELECT pg_database_size(current_database())").scalar_one()
    return {
        "index": sum(parts.values()),
        "file": int(database),
        "table:ix_search_doc_tsv": int(gin),
        **{f"table:{n}": v for n, v in parts.items()},
    }


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    k = (len(ordered) - 1) * q
    low = int(k)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (k - low)


def run_queries(store: Any, ctx: Any, queries: dict[str, list[str]]) -> dict[str, Any]:

    for q in queries["warmup"]:
        search(store, ctx, q, facets=())
    results: dict[str, Any] = {}
    for key, _label, facets in CLASSES:
        times: list[float] = []
        totals: list[int] = []
        errors: list[str] = []
        for q in queries[key]:
            started = time.perf_counter()
            try:
                result = search(store, ctx, q, facets=FACETS if facets else ())
            except CasegraphError as exc:
                errors.append(f"{q}: {exc}")
                continue
            times.append((time.perf_counter() - started) * 1000)
            totals.append(result.total)
            if len(times) % 50 == 0:
                print(f"  {key}: {len(times)} queries", file=sys.stderr, flush=True)
        results[key] = {
            "ms": times,
            "totals": totals,
            "errors": errors,
            "p50": _percentile(times, 0.50),
            "p95": _percentile(times, 0.95),
            "p99": _percentile(times, 0.99),
        }
        print(
            f"  {key}: p50 {results[key]['p50']:.1f} ms, p95 {results[key]['p95']:.1f} ms, "
            f"median total {statistics.median(totals) if totals else 0}, "
            f"{len(errors)} errors",
            file=sys.stderr,
            flush=True,
        )
    return results


def child(backend: str, data: Path, out: Path, work: Path, keep: bool) -> None:
    """Load, index and query one backend; writes its measurements as JSON to `out`."""
    # A terminated run still drops its PostgreSQL database (in the `finally` below).
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))

    database = None
    url = None
    if backend == "postgresql":
        database = f"casegraph_bench_search_{uuid.uuid4().hex[:8]}"
        with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{database}"')
        server = PG_ADMIN.rsplit("/", 1)[0].replace("postgresql://", "postgresql+psycopg://", 1)
        url = f"{server}/{database}"
    try:
        store = init_store(_settings(backend, work, url))
        create_owner(store, name=OWNER, password=OWNER_PASSWORD, group=OWNER_GROUP)
        ctx = _owner_context(store)
        for name, marking in DATASETS.items():
            register_dataset(
                store, ctx, DatasetMeta(name=name, title=name.title(), marking=marking)
            )
            grant_dataset(store, ctx, name, group=OWNER_GROUP, level=Level.WRITE)

        log = lambda msg: print(f"[{backend}] {msg}", file=sys.stderr, flush=True)  # noqa: E731
        statements = 0
        load_s = 0.0
        pending: list[StatementRow] = []

        def flush() -> None:
            nonlocal statements, load_s, pending
            started = time.perf_counter()
            with store.engine.begin() as conn:
                for start in range(0, len(pending), BATCH):
                    statements += upsert_statements(conn, pending[start : start + BATCH], seen=SEEN)
            load_s += time.perf_counter() - started
            pending = []

        for batch in read_batches(data / "statements.pickle"):
            pending.extend(batch)
            if len(pending) >= TXN:
                flush()
                log(f"loaded {statements:,} statements ({statements / load_s:,.0f}/s)")
        if pending:
            flush()
        log(f"loaded {statements:,} statements in {load_s:.1f} s")
        before = _sqlite_sizes(store) if backend == "sqlite" else _pg_sizes(store)

        started = time.perf_counter()
        docs = reindex(store, ctx, progress=LogProgress(backend))
        build_s = time.perf_counter() - started
        log(f"reindexed {docs:,} documents in {build_s:.1f} s")
        after = _sqlite_sizes(store) if backend == "sqlite" else _pg_sizes(store)
        if backend == "postgresql":
            # What autovacuum does on a running server within a minute of the rebuild;
            # done here so the plans do not change halfway through the queries.
            with store.engine.begin() as conn:
                conn.exec_driver_sql("ANALYZE")
        queries = json.loads((data / "queries.json").read_text(encoding="utf-8"))
        started = time.perf_counter()
        load_before = os.getloadavg()[0]
        results = run_queries(store, ctx, queries)
        query_s = time.perf_counter() - started
        # The machines are shared: the 1-minute load average before and after the queries
        # tells a reader how busy the other processes kept the cores.
        load = {"start": load_before, "end": os.getloadavg()[0]}
        out.write_text(
            json.dumps(
                {
                    "backend": backend,
                    "statements": statements,
                    "load_s": load_s,
                    "documents": docs,
                    "indexed": indexed_documents(store),
                    "build_s": build_s,
                    "size_before": before,
                    "size_after": after,
                    "query_s": query_s,
                    "load": load,
                    "queries": results,
                }
            ),
            encoding="utf-8",
        )
        store.close()
    finally:
        if database is not None and not keep:
            with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
                conn.execute(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')
        elif database is not None:
            print(f"kept PostgreSQL database {database}", file=sys.stderr)


# --- the run --------------------------------------------------------------------------


@dataclass
class Run:
    backend: str
    seconds: float
    peak_rss_mb: float
    result: dict[str, Any]


def run_backend(backend: str, data: Path, work: Path, keep: bool) -> Run:
    out = work / f"search-result-{backend}.json"
    out.unlink(missing_ok=True)
    cmd = [sys.executable, __file__, "--child", backend, "--data", str(data)]
    cmd += ["--out", str(out), "--workdir", str(work)] + (["--keep"] if keep else [])
    print(f"running {backend}: {' '.join(cmd)}", file=sys.stderr, flush=True)
    started = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL)
    _, status, usage = os.wait4(proc.pid, 0)
    seconds = time.perf_counter() - started
    code = os.waitstatus_to_exitcode(status)
    if code != 0:
        raise SystemExit(f"the {backend} run failed with exit code {code}")
    result = json.loads(out.read_text(encoding="utf-8"))
    return Run(backend, seconds, usage.ru_maxrss / 1024, result)


def prepare(entities: int, work: Path, per_class: int) -> Path:
    """The statements and queries of this size, generated once and kept in `work`."""
    data = work / f"search-data-{entities}-v{DATA_VERSION}"
    done = data / "done"
    queries = data / "queries.json"
    sample = data / "sample.json"
    if done.exists():
        if len(json.loads(queries.read_text(encoding="utf-8"))["name"]) == per_class:
            return data
        if sample.exists():  # same data, another number of queries
            kept = Sample(**json.loads(sample.read_text(encoding="utf-8")))
            queries.write_text(json.dumps(make_queries(kept, per_class), ensure_ascii=False))
            return data
    shutil.rmtree(data, ignore_errors=True)
    data.mkdir(parents=True)
    print(f"generating {entities:,} entities into {data}", file=sys.stderr, flush=True)
    started = time.perf_counter()
    made, statements = generate(entities, data / "statements.pickle")
    sample.write_text(json.dumps(asdict(made), ensure_ascii=False))
    queries.write_text(json.dumps(make_queries(made, per_class), ensure_ascii=False))
    done.write_text(
        json.dumps(
            {
                "entities": entities,
                "statements": statements,
                "seconds": time.perf_counter() - started,
            }
        )
    )
    return data


BACKEND_LABEL = {"sqlite": "SQLite (FTS5)", "postgresql": "PostgreSQL (tsvector + pg_trgm)"}


def _mb(n: float) -> str:
    return f"{n / 1e6:,.0f}"


def render(runs: list[Run], entities: int) -> str:
    statements = runs[0].result["statements"]
    lines = [
        MARK_START,
        "## Search at scale",
        "",
        f"Measured by `benchmarks/search.py` on {time.strftime('%Y-%m-%d')}, on this machine "
        f"({os.cpu_count()} cores, shared): {entities:,} generated demo-like entities "
        f"({statements:,} statements): people, companies and documents drawn from "
        "the demo's name pools, with Cyrillic, Arabic and Greek names and several "
        "transliterations of each; three datasets of different markings. The statements "
        "are loaded by the store's bulk writer (`casegraph.store.bulk`, the writer "
        "`casegraph ingest` uses) without indexing, because `casegraph ingest` is far too "
        "slow at this size for a benchmark run (see Ingest); the index is then built by "
        "the service behind `casegraph reindex`, which is the timed index build. Each "
        "backend runs in its own process on the same data and the same queries.",
        "",
        "| backend | load (s) | statements/s | index build (s) | docs/s | index size (MB) "
        "| store size (MB) | run (s) | peak RSS (MB) |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for run in runs:
        r = run.result
        lines.append(
            f"| {BACKEND_LABEL[run.backend]} | {r['load_s']:,.1f} | "
            f"{r['statements'] / r['load_s']:,.0f} | {r['build_s']:,.1f} | "
            f"{r['documents'] / r['build_s']:,.0f} | "
            f"{_mb(r['size_after']['index'])} | {_mb(r['size_after']['file'])} | "
            f"{run.seconds:,.0f} | {run.peak_rss_mb:,.0f} |"
        )
    lines += [
        "",
        "Load while the queries ran (1-minute load average when they started → when they "
        "ended, on "
        f"{os.cpu_count()} cores): "
        + "; ".join(
            f"{BACKEND_LABEL[run.backend].split(' ')[0]} {run.result['load']['start']:.1f} "
            f"→ {run.result['load']['end']:.1f}"
            for run in runs
            if "load" in run.result
        )
        + ".",
        "",
        "Index size: SQLite, the pages of `search_doc` (the FTS5 external content), the "
        "FTS5 shadow tables, `search_country`, `search_word` and their indexes (`dbstat`); "
        "PostgreSQL, `pg_total_relation_size` of `search_doc` (with its stored `tsvector` "
        "column and GIN index), `search_country` and `search_word` (with its trigram "
        "index). Store size: the SQLite file after a WAL checkpoint, or the PostgreSQL "
        "database.",
        "",
        "Query latency: each call of the governed `services.search.search` (the Policy's "
        "scope in the SQL, the audit event written and committed), timed with "
        f"`time.perf_counter` after {WARMUP} warm-up queries, limit 20. Facets off "
        "except where noted (the CLI computes them by default). PostgreSQL is "
        "`ANALYZE`d after the rebuild, as autovacuum would; SQLite is queried as the "
        "rebuild leaves it. Hits: the median `total` of a class's queries, and the share "
        "of its queries with at least one hit.",
        "",
        "| query class | backend | p50 (ms) | p95 (ms) | p99 (ms) | queries | median hits "
        "| with hits |",
        "|---|---|---:|---:|---:|---:|---:|---:|",
    ]
    for key, label, _ in CLASSES:
        for run in runs:
            q = run.result["queries"][key]
            totals = q["totals"]
            hit = sum(1 for t in totals if t > 0) / len(totals) if totals else 0.0
            lines.append(
                f"| {label} | {BACKEND_LABEL[run.backend].split(' ')[0]} | {q['p50']:,.1f} | "
                f"{q['p95']:,.1f} | {q['p99']:,.1f} | {len(q['ms'])} | "
                f"{statistics.median(totals) if totals else 0:,.0f} | {hit:.0%} |"
            )
    sqlite = next((r for r in runs if r.backend == "sqlite"), None)
    if sqlite is not None:
        p95 = sqlite.result["queries"]["name"]["p95"]
        verdict = "met" if p95 < TARGET_MS else "NOT met"
        lines += [
            "",
            f"Target p95 < {TARGET_MS:.0f} ms on SQLite for name queries: **{verdict}** "
            f"({p95:,.1f} ms).",
        ]
    errors = [e for run in runs for q in run.result["queries"].values() for e in q["errors"]]
    if errors:
        lines += ["", f"{len(errors)} queries were refused: {errors[0]}"]
    lines.append(MARK_END)
    return "\n".join(lines) + "\n"


def update_benchmarks_md(section: str) -> None:
    update_section(section, start=MARK_START, end=MARK_END)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--entities", type=int, default=1_000_000)
    parser.add_argument("--workdir", type=Path, default=ROOT / ".bench")
    parser.add_argument("--backends", default="sqlite,postgresql")
    parser.add_argument("--queries", type=int, default=200, help="Queries per class.")
    parser.add_argument("--no-write", action="store_true", help="Do not update BENCHMARKS.md.")
    parser.add_argument("--keep", action="store_true", help="Keep the PostgreSQL database.")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--data", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--out", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    work: Path = args.workdir.resolve()
    if args.child:
        child(args.child, args.data, args.out, work, args.keep)
        return
    backends = [b.strip() for b in args.backends.split(",") if b.strip()]
    unknown = [b for b in backends if b not in BACKEND_LABEL]
    if unknown:
        raise SystemExit(f"unknown backend {unknown[0]!r}: use sqlite, postgresql")
    work.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    data = prepare(args.entities, work, args.queries)
    runs = [run_backend(backend, data, work, args.keep) for backend in backends]
    section = render(runs, args.entities)
    print(section)
    print(f"total {time.perf_counter() - started:,.0f} s", file=sys.stderr)
    if not args.no_write:
        update_benchmarks_md(section)


if __name__ == "__main__":
    main()
