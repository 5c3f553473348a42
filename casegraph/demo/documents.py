"""`documents.jsonl`: a handful of memos and news snippets that name names.

Each mentions people and companies the way prose does (plain names, other
spellings, sometimes another script); the ground truth lists who is mentioned.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

import orjson

from casegraph.demo import names as N
from casegraph.demo.entities import english_date, random_date
from casegraph.demo.truth import IdMapper, Truth, ftm_record
from casegraph.demo.variants import GERMAN, ICAO
from casegraph.demo.world import Structure, World

DATASET = "documents"
FILE = "documents.jsonl"
FIELDS = ("doc_id", "title", "file_name", "date", "language", "source", "body_text")

MAPPING: dict[str, Any] = {
    DATASET: {
        "queries": [
            {
                "csv_url": f"../sources/{FILE}",
                "entities": {
                    "document": {
                        "schema": "PlainText",
                        "key_literal": "document",
                        "keys": ["doc_id"],
                        "properties": {
                            "title": {"column": "title"},
                            "fileName": {"column": "file_name"},
                            "date": {"column": "date"},
                            "language": {"column": "language"},
                            "publisher": {"column": "source"},
                            "bodyText": {"column": "body_text"},
                            "mimeType": {"literal": "text/plain"},
                        },
                    }
                },
            }
        ]
    }
}

_KINDS = ("news", "memo", "customs", "native", "sanctions", "news")
_JUR_EN = {"vg": "the British Virgin Islands", "sc": "the Seychelles", "pa": "Panama",
           "cy": "Cyprus", "mt": "Malta", "ae": "the UAE", "gb": "the UK", "de": "Germany",
           "ru": "Russia"}  # fmt: skip
_JUR_RU = {"vg": "Британских Виргинских островах", "sc": "Сейшельских островах",
           "pa": "Панаме", "cy": "на Кипре", "mt": "на Мальте", "ae": "ОАЭ"}  # fmt: skip
_JUR_AR = {"vg": "جزر العذراء البريطانية", "sc": "سيشل", "pa": "بنما", "cy": "قبرص",
           "mt": "مالطا", "ae": "الإمارات"}  # fmt: skip


class DocumentsWriter:
    def __init__(self, world: World, truth: Truth, seed: int) -> None:
        self.world = world
        self.truth = truth
        self.rng = random.Random(f"casegraph-demo:{seed}:documents")
        self.mapper = IdMapper(DATASET, MAPPING)

    def _doc(self, i: int, s: Structure) -> tuple[dict[str, str], list[dict[str, str]]]:
        w, rng = self.world, self.rng
        bo = w.persons[s.bo]
        top, bottom = w.companies[s.shells[0]], w.companies[s.shells[-1]]
        target = w.companies[s.targets[0]]
        day = random_date(rng, date(2019, 1, 1), date(2024, 6, 30))
        kind = _KINDS[i % len(_KINDS)]
        bo_native = bo.name.native()
        if kind == "native" and bo.name.origin not in ("slavic", "arabic"):
            kind = "news"
        if kind == "customs" and target.jur not in ("de", "gb", "cy", "mt"):
            kind = "memo"
        bo_text = bo.name.latin(GERMAN if i % 2 else ICAO, middle=False)
        mentions = [
            (bo.ref, bo_text),
            (top.ref, top.name("short")),
            (target.ref, target.name("plain")),
        ]
        lang, source = "eng", "The Demo Ledger (fictional)"
        if kind == "news":
            title = f"Who really owns {target.name('plain')}?"
            body = (
                f"{english_date(day)}. {target.name('short')}, registered in "
                f"{_JUR_EN[target.jur]}, "
                f"is held through {len(s.shells)} offshore layer(s) ending at "
                f"{top.name('short')} in {_JUR_EN[top.jur]}.\n\n"
                f"Documents reviewed by this newsletter indicate that the ultimate owner is "
                f"{bo_text}, a {N.DEMONYMS.get(bo.nat, 'foreign')} businessman. Registry filings "
                f"show only nominee directors. {bo_text.split()[-1]} did not reply to questions."
            )
        elif kind == "memo":
            title = f"Compliance memo: payments from {target.name('plain')}"
            source = "Internal compliance (fictional bank)"
            body = (
                f"INTERNAL MEMO - {day:%Y-%m-%d}\nSubject: {target.name('short')}\n\n"
                f"Since 2019 the client transferred round amounts described as consultancy fees "
                f"to {bottom.name('swift')} ({_JUR_EN[bottom.jur]}). Source-of-wealth documents "
                f"name {bo_text} as the person behind {top.name('short')}. Recommend enhanced "
                f"due diligence and an SAR review."
            )
            mentions.append((bottom.ref, bottom.name("swift")))
        elif kind == "customs":
            title = f"Customs valuation alert: {target.name('plain')}"
            source = "Customs intelligence note (fictional)"
            body = (
                f"Valuation alert of {day:%d.%m.%Y}.\nImporter: {target.name('short')}\n"
                f"Imports invoiced via {bottom.name('short')} show unit values far below the "
                f"market range for the declared HS codes. Open sources link the supply chain to "
                f"{bo_text}."
            )
            mentions.append((bottom.ref, bottom.name("short")))
        elif kind == "native" and bo.name.origin == "slavic":
            title, lang, source = (
                "Расследование: офшорная сеть",
                "rus",
                "Демо-Вестник (вымышленный)",
            )
            body = (
                f"По данным журналистов, {bo_native} является конечным владельцем компании "
                f"{top.name('short')}, зарегистрированной на {_JUR_RU.get(top.jur, top.jur)}. "
                f"Через неё контролируется {target.name()}."
            )
            mentions[0] = (bo.ref, str(bo_native))
            mentions[2] = (target.ref, target.name())
        elif kind == "native" and bo.name.origin == "arabic":
            title, lang, source = "تحقيق: شبكة شركات خارجية", "ara", "النشرة التجريبية (خيالية)"
            body = (
                f"أفادت وثائق مسربة بأن {bo_native} هو المالك النهائي لشركة {top.name('short')} "
                f"المسجلة في {_JUR_AR.get(top.jur, top.jur)}، "
                f"والتي تسيطر على {target.name('short')}."
            )
            mentions[0] = (bo.ref, str(bo_native))
            mentions[2] = (target.ref, target.name("short"))
        else:
            title, source = f"Designation notice: {bo_text}", "Demo sanctions authority (fictional)"
            alias = bo.name.native() or bo.name.latin(2, middle=False)
            body = (
                f"On {english_date(day)} the authority designated {bo.name.latin(0)} "
                f"(also known as "
                f"{alias}) and {top.name()} for evading trade restrictions through companies "
                f"including {target.name('short')}."
            )
            mentions[0] = (bo.ref, bo.name.latin(0))
            mentions[1] = (top.ref, top.name())
        row = {
            "doc_id": f"DOC-{i + 1:05d}",
            "title": title,
            "file_name": f"{day:%Y%m%d}_{kind}_{i + 1:05d}.txt",
            "date": day.isoformat(),
            "language": lang,
            "source": source,
            "body_text": body,
        }
        return row, [{"ref": r, "text": t} for r, t in mentions if t in body]

    def write(self, path: Path, progress: Callable[[int], None]) -> int:
        w = self.world
        n = w.plan.documents
        pool = w.structures
        picked = self.rng.sample(pool, min(n, len(pool))) if pool else []
        with path.open("wb") as fh:
            for i, s in enumerate(picked):
                row, mentions = self._doc(i, s)
                fh.write(orjson.dumps(row) + b"\n")
                eid = self.mapper.entity_id(ftm_record(row), "document")
                self.truth.documents.append(
                    {"doc_id": row["doc_id"], "entity_id": eid, "mentions": mentions}
                )
        progress(len(picked))
        return len(picked)
