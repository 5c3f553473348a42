"""Choosing the reader for a file: by `format`, else by extension and a look inside.

Extensions: `.csv` `.txt` (delimited, delimiter detected), `.tsv` (delimited,
tab preferred), `.xlsx` `.xlsm`, `.jsonl` `.ndjson` `.json` (JSON lines; FtM
entities when the first object has `schema` and `properties`), `.ftm.json`
`.ftm.jsonl` (always FtM). A delimited file that is really a zip archive is read as
a workbook, since Excel files are often renamed by mistake.
"""

from __future__ import annotations

from pathlib import Path

from casegraph.errors import InvalidInputError, SourceError
from casegraph.ingest.records import Source
from casegraph.ingest.sources._json_lines import check_json_lines
from casegraph.ingest.sources._lines import open_binary
from casegraph.ingest.sources.csv_source import CsvSource
from casegraph.ingest.sources.ftm_source import FtmSource
from casegraph.ingest.sources.jsonl_source import JsonlSource
from casegraph.ingest.sources.xlsx_source import XlsxSource

#: The values accepted for `format`.
FORMATS = ("csv", "tsv", "xlsx", "jsonl", "ftm")

_EXTENSIONS = {
    ".csv": "csv",
    ".txt": "csv",
    ".tsv": "tsv",
    ".tab": "tsv",
    ".xlsx": "xlsx",
    ".xlsm": "xlsx",
    ".jsonl": "json",
    ".ndjson": "json",
    ".json": "json",
}

_ACCEPTED = ".csv, .tsv, .txt, .xlsx, .jsonl, .ndjson, .json, .ftm.json or .ftm.jsonl"

_ZIP_MAGIC = b"PK\x03\x04"


def open_source(
    path: Path,
    *,
    format: str | None = None,
    sheet: str | None = None,
    encoding: str | None = None,
    delimiter: str | None = None,
) -> Source:
    """The reader for `path`. `encoding` and `delimiter` apply to delimited files only.

    Raises `SourceError` when the file is missing, of an unknown kind or unreadable,
    and `InvalidInputError` when an option does not fit the format.
    """
    path = Path(path)
    if format is not None and format not in FORMATS:
        raise InvalidInputError(f"Unknown format {format!r}; use one of {', '.join(FORMATS)}.")
    if not path.exists():
        raise SourceError(f"{path} does not exist; check the path.")
    if not path.is_file():
        raise SourceError(f"{path} is not a file; give the path of a file to read.")
    chosen = format or detect_format(path)
    if sheet is not None and chosen != "xlsx":
        raise InvalidInputError(f"A sheet can only be chosen in .xlsx files, not in {path}.")
    if (encoding is not None or delimiter is not None) and chosen not in ("csv", "tsv"):
        raise InvalidInputError(
            f"An encoding or delimiter can only be given for CSV/TSV files, not for {path} "
            f"(read as {chosen})."
        )
    if chosen in ("csv", "tsv"):
        if delimiter is None and format == "tsv":
            delimiter = "\t"
        return CsvSource(path, encoding=encoding, delimiter=delimiter, prefer_tab=chosen == "tsv")
    if chosen == "xlsx":
        return XlsxSource(path, sheet=sheet)
    if chosen == "ftm":
        return FtmSource(path)
    return JsonlSource(path)


def detect_format(path: Path) -> str:
    """One of `FORMATS` for `path`, from its extension and, when ambiguous, its content."""
    name = path.name.lower()
    if name.endswith((".ftm.json", ".ftm.jsonl")):
        return "ftm"
    suffix = path.suffix.lower()
    if suffix == ".xls":
        raise SourceError(
            f"{path} is in the old Excel format (.xls), which cannot be read; open it in "
            "Excel or LibreOffice and save it as .xlsx."
        )
    kind = _EXTENSIONS.get(suffix)
    if kind is None:
        raise SourceError(
            f"{path} has an unknown file type {path.suffix or '(no extension)'!r}; "
            f"accepted are {_ACCEPTED}, or pass a format (csv, tsv, xlsx, jsonl, ftm)."
        )
    if kind in ("csv", "tsv") and _is_zip(path):
        return "xlsx"
    if kind == "json":
        first = check_json_lines(path)
        if isinstance(first, dict) and "schema" in first and "properties" in first:
            return "ftm"
        return "jsonl"
    return kind


def _is_zip(path: Path) -> bool:
    with open_binary(path) as stream:
        return stream.read(len(_ZIP_MAGIC)) == _ZIP_MAGIC
