"""`payments.xlsx`: statement exports of two banks, one sheet per bank.

Each row is one transfer touching an account at that bank. Parties are named as
the bank knows them (upper-case, ASCII); accounts are valid IBANs. Operating
companies in hidden structures pay their offshore owners "consultancy fees", and
money moves up the chain to the beneficial owner.
"""

from __future__ import annotations

import itertools
import math
import random
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from openpyxl import Workbook

from casegraph.demo.entities import MONTHS, Company, Person
from casegraph.demo.truth import IdMapper, Truth, ftm_record
from casegraph.demo.variants import ICAO
from casegraph.demo.world import World
from casegraph.demo.xlsx import normalise_xlsx

DATASET = "payments"
FILE = "payments.xlsx"
COLUMNS = (
    "transaction_ref", "value_date", "payer_name", "payer_iban", "payer_bic",
    "beneficiary_name", "beneficiary_iban", "beneficiary_bic", "amount", "currency", "purpose",
)  # fmt: skip
MAX_SHEET_ROWS = 1_000_000


def _side(side: str) -> dict[str, Any]:
    return {
        side: {
            "schema": "LegalEntity",
            "key_literal": "account-holder",
            "keys": [f"{side}_iban"],
            "properties": {"name": {"column": f"{side}_name"}},
        },
        f"{side}_account": {
            "schema": "BankAccount",
            "key_literal": "account",
            "keys": [f"{side}_iban"],
            "properties": {
                "iban": {"column": f"{side}_iban"},
                "accountNumber": {"column": f"{side}_iban"},
                "bic": {"column": f"{side}_bic"},
            },
        },
        f"{side}_holding": {
            "schema": "Ownership",
            "key_literal": "holding",
            "keys": [f"{side}_iban"],
            "properties": {
                "owner": {"entity": side},
                "asset": {"entity": f"{side}_account"},
                "role": {"literal": "Account holder"},
            },
        },
    }


MAPPING: dict[str, Any] = {
    DATASET: {
        "queries": [
            {
                "csv_url": f"../sources/{FILE}",
                "entities": {
                    **_side("payer"),
                    **_side("beneficiary"),
                    "payment": {
                        "schema": "Payment",
                        "key_literal": "payment",
                        "keys": ["transaction_ref"],
                        "properties": {
                            "transactionNumber": {"column": "transaction_ref"},
                            "date": {"column": "value_date"},
                            "payer": {"entity": "payer"},
                            "payerAccount": {"entity": "payer_account"},
                            "beneficiary": {"entity": "beneficiary"},
                            "beneficiaryAccount": {"entity": "beneficiary_account"},
                            "amount": {"column": "amount"},
                            "currency": {"column": "currency"},
                            "purpose": {"column": "purpose"},
                        },
                    },
                },
            }
        ]
    }
}

# country, IBAN length, bank code, BIC, bank name
_BANKS: dict[str, tuple[str, int, str, str, str]] = {
    "A": ("CY", 28, "01100120", "MRDNCY2L", "Meridian Bank (Cyprus) Ltd"),
    "B": ("LV", 21, "BLCM", "BLCMLV2X", "Baltic Commerce Bank AS"),
    "GB": ("GB", 22, "NGTB601613", "NGTBGB2L", "Northgate Bank plc"),
    "DE": ("DE", 22, "20030000", "HHBKDEHH", "Hanseatische Handelsbank AG"),
    "CH": ("CH", 21, "08401", "BLMNCHGG", "Banque Lémanique SA"),
    "AE": ("AE", 23, "045", "ECBKAEAD", "Emirates Crescent Bank PJSC"),
    "MT": ("MT", 31, "VLMB44093", "VLMBMTMT", "Valletta Merchant Bank plc"),
    "TR": ("TR", 26, "001230", "ANTBTRIS", "Anatolia Ticaret Bankasi A.S."),
    "UA": ("UA", 29, "300528", "DNPRUAUK", "Dnipro Commercial Bank"),
}
SHEETS = {"A": "Meridian Bank Cyprus", "B": "Baltic Commerce Bank"}


def iban(country: str, length: int, bank: str, account_digits: str) -> str:
    bban = bank + account_digits
    if len(bban) != length - 4:
        raise ValueError(f"{country} IBAN needs {length - 4} BBAN characters: {bban}")
    numeric = "".join(str(int(ch, 36)) for ch in bban + country + "00")
    return f"{country}{98 - int(numeric) % 97:02d}{bban}"


@dataclass(slots=True)
class Account:
    ref: str
    schema: str
    canonical: str
    name: str  # as the bank records the holder
    bank: str
    iban: str
    bic: str


class PaymentsWriter:
    def __init__(self, world: World, truth: Truth, seed: int) -> None:
        self.world = world
        self.truth = truth
        self.rng = random.Random(f"casegraph-demo:{seed}:payments")
        self.mapper = IdMapper(DATASET, MAPPING)
        self.accounts: list[Account] = []
        self.by_party: dict[str, list[int]] = {}
        self._seq = 0
        self._open_accounts()

    def _open(self, ref: str, schema: str, canonical: str, name: str, bank: str) -> None:
        country, length, code, bic, _ = _BANKS[bank]
        self._seq += 1
        width = length - 4 - len(code)
        digits = f"{self._seq:0{width}d}"
        if width > 8:
            digits = f"{self.rng.randrange(10 ** (width - 8)):0{width - 8}d}{self._seq:08d}"
        acct = Account(ref, schema, canonical, name, bank, iban(country, length, code, digits), bic)
        self.by_party.setdefault(ref, []).append(len(self.accounts))
        self.accounts.append(acct)

    def _company_bank(self, c: Company) -> str:
        rng = self.rng
        if c.kind == "external":
            return c.jur.upper()
        table = {
            "gb": ("GB", "GB", "A"), "de": ("DE", "DE", "B"), "cy": ("A", "A", "CH"),
            "mt": ("MT", "MT", "A"), "ae": ("AE", "AE", "B"), "ru": ("B", "B", "A"),
        }.get(c.jur, ("A", "B", "CH"))  # fmt: skip
        return rng.choice(table)

    def _person_bank(self, p: Person) -> str:
        if p.nat in ("ru", "ua", "kz"):
            return self.rng.choice(("B", "B", "A", "CH"))
        if p.name.origin == "arabic":
            return self.rng.choice(("AE", "AE", "CH", "A"))
        return self.rng.choice(("GB", "DE", "A", "B"))

    def _open_accounts(self) -> None:
        w, rng = self.world, self.rng
        bos = {s.bo for s in w.structures}
        for c in w.companies:
            share = {"operating": 0.7, "shell": 0.5}.get(c.kind, 0.0)
            if rng.random() < share:
                for _ in range(2 if rng.random() < 0.2 else 1):
                    self._open(c.ref, "Company", c.name(), c.name("swift"), self._company_bank(c))
        for c in w.suppliers:
            if c.jur in ("tr", "ua") and rng.random() < 0.8:
                self._open(c.ref, "Company", c.name(), c.name("swift"), c.jur.upper())
        for p in w.persons:
            if p.nominee or (p.idx not in bos and rng.random() > 0.08):
                continue
            name = p.name.latin(ICAO, middle=False, layout="swift")
            self._open(p.ref, "Person", p.name.canonical(), name, self._person_bank(p))

    def _flows(self, bank: str) -> list[tuple[int, int, str]]:
        """(payer account, beneficiary account, kind) along hidden structures."""
        flows: list[tuple[int, int, str]] = []
        w = self.world

        def first(ref: str) -> int | None:
            accts = self.by_party.get(ref)
            return accts[0] if accts else None

        for s in w.structures:
            chain = [w.companies[i].ref for i in s.shells]
            pairs = [(w.companies[t].ref, chain[-1], "fee") for t in s.targets]
            pairs += [(lo, up, "loan") for up, lo in itertools.pairwise(chain)]
            pairs.append((chain[0], w.persons[s.bo].ref, "owner"))
            for payer, bene, kind in pairs:
                a, b = first(payer), first(bene)
                if a is None or b is None:
                    continue
                if bank in (self.accounts[a].bank, self.accounts[b].bank):
                    flows.append((a, b, kind))
        return flows

    def write(self, path: Path, progress: Callable[[int], None]) -> dict[str, int]:
        total = self.world.plan.payments
        counts: dict[str, int] = {}
        wb = Workbook(write_only=True)
        written = 0
        for bank, share in (("A", 0.55), ("B", 0.45)):
            n = round(total * share)
            home = [i for i, a in enumerate(self.accounts) if a.bank == bank]
            home = home or list(range(len(self.accounts)))
            flows = self._flows(bank)
            sheet_no, ws, rows = 1, wb.create_sheet(SHEETS[bank]), 0
            ws.append(list(COLUMNS))
            counts[SHEETS[bank]] = 0
            for i in range(n):
                if rows == MAX_SHEET_ROWS:
                    sheet_no += 1
                    title = f"{SHEETS[bank]} ({sheet_no})"
                    ws, rows, counts[title] = wb.create_sheet(title), 0, 0
                    ws.append(list(COLUMNS))
                row = self._payment(bank, i, n, home, flows)
                ws.append([row[c] for c in COLUMNS])
                rows += 1
                counts[ws.title] += 1
                written += 1
                if written % 50_000 == 0:
                    progress(written)
        tmp = path.with_suffix(".tmp.xlsx")
        wb.save(tmp)
        normalise_xlsx(tmp, path)
        tmp.unlink()
        return counts

    def _payment(
        self, bank: str, i: int, n: int, home: list[int], flows: list[tuple[int, int, str]]
    ) -> dict[str, Any]:
        rng = self.rng
        day = datetime(2018, 1, 2) + timedelta(days=(i * 2190) // max(n, 1))
        kind = "trade"
        if flows and rng.random() < 0.15:
            payer, bene, kind = rng.choice(flows)
        else:
            payer = rng.choice(home)
            bene = rng.randrange(len(self.accounts))
            while self.accounts[bene].ref == self.accounts[payer].ref:
                bene = rng.randrange(len(self.accounts))
            if rng.random() < 0.5:
                payer, bene = bene, payer
        pa, ba = self.accounts[payer], self.accounts[bene]
        if kind == "trade":
            amount = round(math.exp(rng.gauss(math.log(18_000), 1.2)), 2)
        else:
            amount = float(rng.randint(5, 200) * 5_000)
        currency = rng.choices(
            ("EUR", "USD", "GBP"), (60, 35, 5 if "GB" in (pa.bank, ba.bank) else 0)
        )[0]
        prefix = "MBC" if bank == "A" else "BCB"
        row: dict[str, Any] = {
            "transaction_ref": f"{prefix}{day:%Y%m%d}{i:07d}",
            "value_date": day,
            "payer_name": pa.name,
            "payer_iban": pa.iban,
            "payer_bic": pa.bic,
            "beneficiary_name": ba.name,
            "beneficiary_iban": ba.iban,
            "beneficiary_bic": ba.bic,
            "amount": amount,
            "currency": currency,
            "purpose": _purpose(rng, kind, day),
        }
        for side, acct in (("payer", pa), ("beneficiary", ba)):
            if not self.truth.known(DATASET, acct.iban):
                self.truth.note(acct.ref, acct.schema, acct.canonical, self.mapper, ftm_record(row),
                                side, ("transaction_ref", f"{side}_iban"), acct.iban)  # fmt: skip
        return row


def _purpose(rng: random.Random, kind: str, day: datetime) -> str:
    n = rng.randint(100, 9999)
    if kind == "fee":
        return rng.choice(("Consultancy services agreement", "Management fee per agreement",
                           "Marketing services contract")) + f" {n}/{day:%y}"  # fmt: skip
    if kind == "loan":
        return rng.choice(("Loan agreement", "Repayment of loan", "Interest per loan agreement",
                           "Capital contribution")) + f" No {n} dd {day:%d.%m.%Y}"  # fmt: skip
    if kind == "owner":
        return rng.choice(("Dividend distribution", "Loan to shareholder",
                           "Repayment of shareholder loan")) + f" {day:%Y}"  # fmt: skip
    return rng.choice(
        (f"Invoice {n} dd {day:%d.%m.%Y}", f"Payment for goods per contract {n}/{day:%y}",
         f"INV-{day:%Y}-{n:05d}", f"Services {MONTHS[day.month - 1]} {day.year}",
         f"Freight invoice {n}", f"Prepayment contract {n}")
    )  # fmt: skip
