"""`customs_declarations.csv`: import declarations as a legacy customs export.

cp1252, `;`-separated, German dates (dd.mm.yyyy) and decimal commas. Importers
tied to hidden structures under-declare: their unit values sit far below what the
same HS code usually costs.
"""

from __future__ import annotations

import csv
import math
import random
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path
from typing import Any, Final

from casegraph.demo.entities import Company
from casegraph.demo.truth import IdMapper, Truth, ftm_record
from casegraph.demo.variants import fold_cp1252, typo
from casegraph.demo.world import World

DATASET = "customs_declarations"
FILE = "customs_declarations.csv"
ENCODING = "cp1252"
DELIMITER = ";"
COLUMNS = (
    "declaration_id", "declaration_date", "customs_office", "procedure", "importer_eori",
    "importer_name", "importer_address", "declarant_eori", "declarant_name", "exporter_name",
    "exporter_country", "origin_country", "hs_code", "goods_description", "quantity", "unit",
    "declared_value", "currency",
)  # fmt: skip
#: fixed conversion rates used for declared values (currency -> EUR)
RATES_TO_EUR: Final = {"EUR": 1.0, "USD": 0.92, "GBP": 1.16}

# fmt: off
#: (HS code, description, unit, typical unit value in EUR)
HS_CODES: Final = (
    ("740811", "Kupferdraht, raffiniert, größte Querschnittsabmessung über 6 mm", "kg", 8.10),
    ("760410", "Aluminium-Profile, nicht legiert", "kg", 3.40),
    ("720839", "Flachgewalzte Erzeugnisse aus Eisen, warmgewalzt, Dicke unter 3 mm", "kg", 0.72),
    ("850440", "Statische Stromrichter (Wechselrichter)", "Stück", 145.00),
    ("847130", "Tragbare Datenverarbeitungsmaschinen, Gewicht bis 10 kg", "Stück", 420.00),
    ("851713", "Smartphones", "Stück", 210.00),
    ("610910", "T-Shirts aus Baumwolle, gewirkt", "Stück", 3.20),
    ("620342", "Männerhosen aus Baumwolle", "Stück", 9.50),
    ("640399", "Schuhe mit Laufsohlen aus Kautschuk, Oberteil aus Leder", "Paar", 24.00),
    ("870323", "Pkw mit Hubkolbenmotor, Hubraum 1.500–3.000 cm³", "Stück", 18_500.00),
    ("870899", "Teile und Zubehör für Kraftfahrzeuge", "kg", 7.80),
    ("940360", "Möbel aus Holz", "Stück", 85.00),
    ("300490", "Arzneiwaren, dosiert", "kg", 95.00),
    ("710812", "Gold in Rohform, nicht monetär", "kg", 52_000.00),
    ("711319", "Schmuckwaren aus Edelmetall", "kg", 30_000.00),
    ("030617", "Garnelen, gefroren", "kg", 7.20),
    ("090111", "Kaffee, nicht geröstet, nicht entkoffeiniert", "kg", 3.60),
    ("440711", "Nadelholz (Kiefer), gesägt, Dicke über 6 mm", "m³", 280.00),
    ("310210", "Harnstoff, auch in wässriger Lösung", "kg", 0.42),
    ("390120", "Polyethylen, Dichte 0,94 oder mehr", "kg", 1.25),
    ("841810", "Kühl- und Gefrierkombinationen", "Stück", 310.00),
    ("847989", "Maschinen und Apparate mit eigener Funktion, a.n.g.", "Stück", 5_400.00),
    ("901890", "Medizinische Instrumente und Apparate", "Stück", 650.00),
    ("420221", "Handtaschen mit Außenseite aus Leder", "Stück", 48.00),
    ("220421", "Wein in Behältnissen bis 2 l", "l", 3.90),
    ("252329", "Portlandzement, grau", "kg", 0.08),
)
_OFFICES = (
    ("DE004850", "Zollamt Hamburg-Waltershof"), ("DE003251", "Zollamt Bremerhaven"),
    ("DE004301", "Zollamt Frankfurt (Main) Flughafen"), ("DE008651", "Zollamt München-Flughafen"),
    ("DE002601", "Zollamt Düsseldorf-Reisholz"), ("DE004253", "Zollamt Leipzig-Flughafen"),
)
_BROKER_WORDS = ("Hanseatic", "Elbe", "Weser", "Nordport", "Kontinental", "Südhafen",
                 "Rhein-Main", "Baltic", "Atlas", "Merkur", "Löwen", "Fährhaus")
_BROKER_FORMS = ("Zollagentur GmbH", "Customs Services GmbH", "Zoll- und Speditionskontor GmbH",
                 "Verzollungsdienst GmbH & Co. KG")
# fmt: on
_ORIGINS = ("CN", "CN", "CN", "TR", "IN", "VN", "RU", "KZ", "AE", "UA")
_MRN_LETTERS = "ABCDEFGHJKLMNPRSTUVWXYZ"


MAPPING: dict[str, Any] = {
    DATASET: {
        "queries": [
            {
                "csv_url": f"../sources/{FILE}",
                "entities": {
                    "importer": {
                        "schema": "Company",
                        "key_literal": "trader",
                        "keys": ["importer_eori"],
                        "properties": {
                            "name": {"column": "importer_name"},
                            "idNumber": {"column": "importer_eori"},
                            "address": {"column": "importer_address"},
                        },
                    },
                    "declarant": {
                        "schema": "Company",
                        "key_literal": "trader",
                        "keys": ["declarant_eori"],
                        "properties": {
                            "name": {"column": "declarant_name"},
                            "idNumber": {"column": "declarant_eori"},
                        },
                    },
                    "exporter": {
                        "schema": "Company",
                        "key_literal": "exporter",
                        "keys": ["exporter_name", "exporter_country"],
                        "properties": {
                            "name": {"column": "exporter_name"},
                            "country": {"column": "exporter_country"},
                        },
                    },
                    "declaration": {
                        "schema": "EconomicActivity",
                        "key_literal": "declaration",
                        "keys": ["declaration_id"],
                        "properties": {
                            "ccdNumber": {"column": "declaration_id"},
                            "date": {"column": "declaration_date", "format": "%d.%m.%Y"},
                            "customsProcedure": {"column": "procedure"},
                            "receiver": {"entity": "importer"},
                            "declarant": {"entity": "declarant"},
                            "sender": {"entity": "exporter"},
                            "departureCountry": {"column": "exporter_country"},
                            "originCountry": {"column": "origin_country"},
                            "destinationCountry": {"literal": "DE"},
                            "vedCode": {"column": "hs_code"},
                            "goodsDescription": {"column": "goods_description"},
                            "invoiceAmount": {"template": "{{declared_value}} {{currency}}"},
                            "description": {"template": "{{quantity}} {{unit}}"},
                        },
                    },
                },
            }
        ]
    }
}


def eori(c: Company) -> str:
    n = (c.idx * 7919 + 1_234_567) % 10**9
    if c.jur == "gb":
        return f"GB{n:09d}000"
    if c.jur == "cy":
        return f"CY{n % 10**8:08d}{'ABCDEFGHJK'[c.idx % 10]}"
    return f"{c.jur.upper()}{n:09d}"


def decimal_comma(value: float, places: int = 2) -> str:
    return f"{value:,.{places}f}".replace(",", " ").replace(".", ",").replace(" ", ".")


def _broker_name(i: int) -> str:
    name = f"{_BROKER_WORDS[i % 12]} {_BROKER_FORMS[(i // 12) % 4]}"
    return name + (f" {i // 48 + 1}" if i >= 48 else "")


class CustomsWriter:
    def __init__(self, world: World, truth: Truth, seed: int) -> None:
        self.world = world
        self.truth = truth
        self.rng = random.Random(f"casegraph-demo:{seed}:customs")
        self.mapper = IdMapper(DATASET, MAPPING)
        w = world
        ops = [c for c in w.companies if c.kind == "operating"]
        self.importers = [
            c
            for c in ops
            if c.jur == "de" or (c.jur in ("cy", "mt", "gb") and self.rng.random() < 0.3)
        ]
        if not self.importers:
            self.importers = ops[:1]
        under = {t for s in w.structures if s.undervalues for t in s.targets}
        self.undervaluers = {c.idx for c in self.importers if c.idx in under}
        self.weighted = self.importers + [c for c in self.importers if c.idx in self.undervaluers]
        traders = [c for c in ops if c.jur in ("ae", "ru")]
        self.pool: list[Company] = [*w.suppliers, *traders]
        self.bottom_shell = {
            t: w.companies[s.shells[-1]] for s in w.structures if s.undervalues for t in s.targets
        }
        n_brokers = max(3, round(len(self.importers) / 40))
        self.brokers = [(f"DE{9_100_000 + i * 37:09d}", _broker_name(i)) for i in range(n_brokers)]

    def _supplier(self, importer: Company) -> Company:
        shell = self.bottom_shell.get(importer.idx)
        if shell is not None and self.rng.random() < 0.5:
            return shell
        k = self.rng.randrange(1 + importer.idx % 4)
        return self.pool[(importer.idx * 7919 + k * 104_729) % len(self.pool)]

    def write(self, path: Path, progress: Callable[[int], None]) -> int:
        n = self.world.plan.declarations
        with path.open("w", encoding=ENCODING, newline="") as fh:
            writer = csv.writer(fh, delimiter=DELIMITER, lineterminator="\r\n")
            writer.writerow(COLUMNS)
            for i in range(n):
                row = self._declaration(i, n)
                writer.writerow([row.get(c, "") for c in COLUMNS])
                if (i + 1) % 50_000 == 0:
                    progress(i + 1)
        return n

    def _declaration(self, i: int, n: int) -> dict[str, str]:
        rng = self.rng
        day = date(2018, 1, 3) + timedelta(days=(i * 2180) // max(n, 1))
        importer = rng.choice(self.weighted)
        exporter = self._supplier(importer)
        speciality = exporter.idx * 31 + (0 if exporter.kind == "external" else 7)
        hs_i = (speciality + rng.randrange(3)) % len(HS_CODES)
        hs, goods, unit, typical = HS_CODES[hs_i]
        under = importer.idx in self.undervaluers and rng.random() < 0.3
        if not under and rng.random() < 0.002:
            under = True
        if under:
            unit_value = typical * rng.uniform(0.08, 0.3)
        else:
            unit_value = typical * min(1.6, max(0.65, math.exp(rng.gauss(0.0, 0.18))))
        qty = max(1, round(math.exp(rng.gauss(math.log(40_000 / typical), 0.9))))
        currency = rng.choices(("EUR", "USD", "GBP"), (75, 20, 5))[0]
        value = round(qty * unit_value / RATES_TO_EUR[currency], 2)
        office_code, office = rng.choice(_OFFICES)
        broker_eori, broker = rng.choice(self.brokers)
        if exporter.kind == "external":
            ex_name, ex_country = exporter.name("short"), exporter.jur.upper()
            origin = ex_country
        else:
            ex_name = exporter.name("prefix" if exporter.idx % 2 else "short")
            ex_country, origin = exporter.jur.upper(), rng.choice(_ORIGINS)
        if rng.random() < 0.05:
            ex_name = typo(ex_name, rng)
        mrn = f"{day:%y}DE{office_code[2:]}{i:06d}{_MRN_LETTERS[i % 23]}{i % 10}"
        row = {
            "declaration_id": mrn,
            "declaration_date": f"{day:%d.%m.%Y}",
            "customs_office": office,
            "procedure": rng.choice(("4000", "4000", "4000", "4200", "4071")),
            "importer_eori": eori(importer),
            "importer_name": importer.name("short"),
            "importer_address": importer.address,
            "declarant_eori": broker_eori,
            "declarant_name": broker,
            "exporter_name": ex_name,
            "exporter_country": ex_country,
            "origin_country": origin,
            "hs_code": hs,
            "goods_description": goods,
            "quantity": str(qty),
            "unit": unit,
            "declared_value": decimal_comma(value),
            "currency": currency,
        }
        row = {k: fold_cp1252(v) for k, v in row.items()}
        truth, m = self.truth, self.mapper
        record: dict[str, str] | None = None
        if not truth.known(DATASET, row["importer_eori"]):
            record = ftm_record(row)
            truth.note(importer.ref, "Company", importer.name(), m, record, "importer",
                       ("declaration_id", "importer_eori"), row["importer_eori"])  # fmt: skip
        ex_key = f"x:{row['exporter_name']}:{ex_country}"
        if not truth.known(DATASET, ex_key):
            record = record or ftm_record(row)
            truth.note(exporter.ref, "Company", exporter.name(), m, record, "exporter",
                       ("declaration_id", "exporter_name", "exporter_country"), ex_key)  # fmt: skip
        if under:
            record = record or ftm_record(row)
            truth.undervalued.append({
                "declaration_id": mrn,
                "entity_id": m.entity_id(record, "declaration"),
                "importer": {"ref": importer.ref, "entity_id": m.entity_id(record, "importer")},
                "exporter": {"ref": exporter.ref, "entity_id": m.entity_id(record, "exporter")},
                "hs_code": hs,
                "quantity": qty,
                "unit": unit,
                "declared_value": value,
                "currency": currency,
                "declared_unit_value_eur": float(f"{value * RATES_TO_EUR[currency] / qty:.6g}"),
                "typical_unit_value_eur": typical,
            })  # fmt: skip
        return row
