"""Source readers: CSV/TSV, XLSX, JSON lines and FtM entity JSON, streamed as records.

`open_source(path)` picks the reader; each reader yields, in file order, a
`SourceRow` per readable record and a `RowError` per unreadable one (see
`casegraph.ingest.records`).
"""

from casegraph.ingest.sources.csv_source import CsvSource
from casegraph.ingest.sources.detect import FORMATS, detect_format, open_source
from casegraph.ingest.sources.ftm_source import FtmSource
from casegraph.ingest.sources.jsonl_source import JsonlSource
from casegraph.ingest.sources.xlsx_source import XlsxSource

__all__ = [
    "FORMATS",
    "CsvSource",
    "FtmSource",
    "JsonlSource",
    "XlsxSource",
    "detect_format",
    "open_source",
]
